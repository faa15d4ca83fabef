#include "greenlight/proof/scanner.hpp"

#include <re2/re2.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "greenlight/util/strings.hpp"

namespace greenlight::proof {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alphanumeric(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_scalar_value(std::uint32_t code_point) {
    return code_point > 0 && code_point <= 0x10FFFF && (code_point < 0xD800 || code_point > 0xDFFF);
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// The named references that can spell a marker, a URL or an address; unknown names stay as written.
// Matched case-insensitively: over-decoding only makes the scan stricter.
std::optional<std::uint32_t> named_reference(std::string_view name) {
    struct Named {
        std::string_view name;
        std::uint32_t code_point;
    };
    static constexpr std::array<Named, 34> k_names = {{
        {"commat", '@'}, {"period", '.'}, {"percnt", '%'}, {"lt", '<'},       {"gt", '>'},   {"amp", '&'},
        {"quot", '"'},   {"apos", '\''},  {"num", '#'},    {"colon", ':'},    {"sol", '/'},  {"bsol", '\\'},
        {"excl", '!'},   {"quest", '?'},  {"lpar", '('},   {"rpar", ')'},     {"lsqb", '['}, {"rsqb", ']'},
        {"lbrack", '['}, {"rbrack", ']'}, {"lcub", '{'},   {"rcub", '}'},     {"plus", '+'}, {"equals", '='},
        {"semi", ';'},   {"comma", ','},  {"lowbar", '_'}, {"hyphen", '-'},   {"dash", '-'}, {"minus", '-'},
        {"nbsp", ' '},   {"dollar", '$'}, {"ast", '*'},    {"fullstop", '.'},
    }};
    const std::string lower = util::lowercase(name);
    for (const auto& named : k_names) {
        if (named.name == lower) return named.code_point;
    }
    return std::nullopt;
}

// `&#64;`, `&#x40;` (the semicolon may be missing, as browsers allow) and the named references above.
std::string html_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '&') {
            out.push_back(text[i++]);
            continue;
        }
        size_t j = i + 1;
        std::optional<std::uint32_t> code_point;
        if (j < text.size() && text[j] == '#') {
            ++j;
            const bool hex = j < text.size() && (text[j] == 'x' || text[j] == 'X');
            if (hex) ++j;
            const size_t digits_start = j;
            std::uint32_t value = 0;
            // Eight digits are more than any code point needs and cannot overflow.
            while (j < text.size() && j - digits_start < 8 && (hex ? hex_value(text[j]) >= 0 : is_digit(text[j]))) {
                value = value * (hex ? 16 : 10) + static_cast<std::uint32_t>(hex ? hex_value(text[j]) : text[j] - '0');
                ++j;
            }
            if (j > digits_start && is_scalar_value(value)) {
                code_point = value;
                if (j < text.size() && text[j] == ';') ++j;
            }
        } else {
            while (j < text.size() && j - i <= 10 && is_alphanumeric(text[j])) ++j;
            if (j < text.size() && text[j] == ';') {
                code_point = named_reference(text.substr(i + 1, j - i - 1));
                ++j;
            }
        }
        if (code_point) {
            util::append_utf8(out, *code_point);
            i = j;
        } else {
            out.push_back(text[i++]);
        }
    }
    return out;
}

// `\u0040`, `\u{40}` and `\x40`, as JSON, JavaScript and C write them; surrogate pairs are joined.
std::string backslash_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto hex_run = [&](size_t start, size_t count) -> std::optional<std::uint32_t> {
        if (start + count > text.size()) return std::nullopt;
        std::uint32_t value = 0;
        for (size_t k = start; k < start + count; ++k) {
            if (hex_value(text[k]) < 0) return std::nullopt;
            value = value * 16 + static_cast<std::uint32_t>(hex_value(text[k]));
        }
        return value;
    };
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '\\' || i + 1 >= text.size()) {
            out.push_back(text[i++]);
            continue;
        }
        const char kind = text[i + 1];
        if (kind == 'x') {
            if (auto value = hex_run(i + 2, 2); value && *value > 0) {
                out.push_back(static_cast<char>(*value));
                i += 4;
                continue;
            }
        } else if (kind == 'u' && i + 2 < text.size() && text[i + 2] == '{') {
            const size_t close = text.find('}', i + 3);
            if (close != std::string_view::npos && close > i + 3 && close - (i + 3) <= 6) {
                if (auto value = hex_run(i + 3, close - (i + 3)); value && is_scalar_value(*value)) {
                    util::append_utf8(out, *value);
                    i = close + 1;
                    continue;
                }
            }
        } else if (kind == 'u') {
            if (auto value = hex_run(i + 2, 4)) {
                if (*value >= 0xD800 && *value <= 0xDBFF && i + 11 < text.size() && text[i + 6] == '\\' &&
                    text[i + 7] == 'u') {
                    if (auto low = hex_run(i + 8, 4); low && *low >= 0xDC00 && *low <= 0xDFFF) {
                        util::append_utf8(out, 0x10000 + ((*value - 0xD800) << 10) + (*low - 0xDC00));
                        i += 12;
                        continue;
                    }
                }
                if (is_scalar_value(*value)) {
                    util::append_utf8(out, *value);
                    i += 6;
                    continue;
                }
            }
        }
        out.push_back(text[i++]);
    }
    return out;
}

// The ASCII character a look-alike stands for; 0 to drop an invisible character; nullopt to keep it.
std::optional<char> fold_code_point(std::uint32_t code_point) {
    if (code_point >= 0xFF01 && code_point <= 0xFF5E) return static_cast<char>(code_point - 0xFEE0);
    if (code_point >= 0xFE50 && code_point <= 0xFE6B) {
        // The small form variants, in code point order; '\1' marks the few without an ASCII twin.
        static constexpr std::string_view k_small_forms = ",\1.\1;:?!\1(){}\1\1#&*+-<>=\1\\$%@";
        const char folded = k_small_forms[code_point - 0xFE50];
        return folded == '\1' ? std::nullopt : std::optional<char>(folded);
    }
    switch (code_point) {
        case 0x2024:  // one dot leader
        case 0x3002:  // ideographic full stop
        case 0xFF61:  // halfwidth ideographic full stop
            return '.';
        case 0x3000:  // ideographic space
            return ' ';
        case 0x00AD:  // soft hyphen
        case 0x180E:  // Mongolian vowel separator
        case 0x200B:  // zero width space
        case 0x200C:  // zero width non-joiner
        case 0x200D:  // zero width joiner
        case 0x2060:  // word joiner
        case 0x2061:
        case 0x2062:
        case 0x2063:
        case 0x2064:  // invisible operators
        case 0xFEFF:  // zero width no-break space
            return '\0';
        default:
            return std::nullopt;
    }
}

std::string fold_lookalikes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        size_t length = 0;
        std::uint32_t code_point = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            code_point = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            code_point = lead & 0x0F;
        }
        bool valid = length > 0 && i + length <= text.size();
        for (size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) valid = false;
            code_point = (code_point << 6) | (next & 0x3F);
        }
        if (valid) {
            if (auto folded = fold_code_point(code_point)) {
                if (*folded != '\0') out.push_back(*folded);
                i += length;
                continue;
            }
        }
        // Anything else (ASCII, four-byte sequences, invalid bytes) passes through byte by byte.
        out.push_back(text[i++]);
    }
    return out;
}

bool may_need_decoding(std::string_view text) {
    for (char c : text) {
        if (c == '%' || c == '&' || c == '\\' || static_cast<unsigned char>(c) >= 0x80) return true;
    }
    return false;
}

// The issuer prefixes of the card networks in use; a Luhn-valid digit run without one is an id, not a card.
bool has_card_prefix(std::string_view digits) {
    auto prefix = [&](size_t length) { return std::stoi(std::string(digits.substr(0, length))); };
    const int two = prefix(2);
    const int three = prefix(3);
    const int four = prefix(4);
    return digits[0] == '4' || (two >= 51 && two <= 55) || (four >= 2221 && four <= 2720) || two == 34 || two == 37 ||
           four == 6011 || two == 65 || (three >= 644 && three <= 649) || (four >= 3528 && four <= 3589) ||
           (three >= 300 && three <= 305) || two == 36 || two == 38 || two == 39 || two == 62;
}

}  // namespace

std::string decode_once(std::string_view text) {
    if (!may_need_decoding(text)) return std::string(text);
    return fold_lookalikes(backslash_decode(html_decode(percent_decode(text))));
}

DecodedForms decode_until_stable(std::string_view text) {
    DecodedForms decoded;
    decoded.forms.emplace_back(text);
    for (int round = 0; round < k_max_decoding_rounds; ++round) {
        std::string next = decode_once(decoded.forms.back());
        if (next == decoded.forms.back()) return decoded;
        decoded.forms.push_back(std::move(next));
    }
    decoded.settled = decode_once(decoded.forms.back()) == decoded.forms.back();
    return decoded;
}

std::string describe(FindingKind kind, std::string_view marker) {
    switch (kind) {
        case FindingKind::forbidden_marker:
            return fmt::format("forbidden marker `{}`", util::printable(marker));
        case FindingKind::email:
            return "an email address";
        case FindingKind::phone_number:
            return "a phone number";
        case FindingKind::card_number:
            return "a card number (passes the Luhn check)";
        case FindingKind::id_value:
            return "a raw id value (one of the fingerprinted ids)";
        case FindingKind::too_deeply_encoded:
            return fmt::format("text still encoded after {} rounds of decoding", k_max_decoding_rounds);
    }
    return "unknown";
}

bool passes_luhn(std::string_view digits) {
    return digits.size() >= 13 && digits.size() <= 19 && util::passes_luhn(digits);
}

IdMatcher::IdMatcher(const std::vector<std::string>& ids) {
    for (const auto& id : ids) {
        if (!id.empty() && m_ids.insert(id).second) m_lengths.push_back(id.size());
    }
    std::sort(m_lengths.begin(), m_lengths.end(), std::greater<>());
    m_lengths.erase(std::unique(m_lengths.begin(), m_lengths.end()), m_lengths.end());
}

std::vector<IdMatcher::Occurrence> IdMatcher::find(std::string_view text) const {
    std::vector<Occurrence> found;
    if (m_ids.empty()) return found;
    for (size_t position = 0; position < text.size(); ++position) {
        // An id that starts with a letter or digit cannot start right after another one.
        const bool continues_token =
            position > 0 && is_alphanumeric(text[position - 1]) && is_alphanumeric(text[position]);
        const bool after_percent_escape = position >= 3 && text[position - 3] == '%' &&
                                          hex_value(text[position - 2]) >= 0 && hex_value(text[position - 1]) >= 0;
        if (continues_token && !after_percent_escape) continue;
        for (size_t length : m_lengths) {
            if (position + length > text.size()) continue;
            const std::string_view candidate = text.substr(position, length);
            if (!m_ids.count(candidate)) continue;
            const size_t end = position + length;
            if (is_alphanumeric(candidate.back()) && end < text.size() && is_alphanumeric(text[end])) continue;
            found.push_back(Occurrence{position, length});
        }
    }
    return found;
}

std::vector<size_t> find_id_occurrences(std::string_view text, std::string_view id) {
    std::vector<size_t> positions;
    for (const auto& occurrence : IdMatcher({std::string(id)}).find(text)) positions.push_back(occurrence.position);
    return positions;
}

struct Scanner::Patterns {
    static RE2::Options options() {
        RE2::Options options;
        options.set_case_sensitive(false);
        options.set_log_errors(false);
        return options;
    }
    RE2 email{R"([a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,})", options()};
    // `jane [at] example [dot] com` and its bracket variants.
    RE2 spelled_email{
        R"([a-z0-9._%+\-]+\s*[\[({<]\s*at\s*[\])}>]\s*[a-z0-9\-]+(?:\s*[\[({<]\s*dot\s*[\])}>]\s*[a-z0-9\-]+)+)",
        options()};
    // +CC with groups (+44 20 7946 0958, +4915112345678) and the North American forms (555) 123-4567,
    // 555-123-4567, 555.123.4567. Plain digit runs are not phone numbers (timestamps, ids, counts).
    RE2 international_phone{R"(\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){1,6})", options()};
    RE2 national_phone{R"((?:^|[^\d])(?:\(\d{3}\)\s?|\d{3}[ .\-])\d{3}[ .\-]\d{4}(?:$|[^\d]))", options()};
    RE2 card_candidate{R"((?:^|[^\d])((?:\d[ \-]?){12,18}\d))", options()};
};

// Compiled once per process: RE2 objects are safe to share between threads.
const Scanner::Patterns& Scanner::patterns() {
    static const Patterns compiled;
    return compiled;
}

Scanner::Scanner(ScanRules rules) : m_rules(std::move(rules)), m_ids(m_rules.ids), m_patterns(&patterns()) {
    for (const auto& marker : m_rules.forbidden) {
        if (!marker.empty()) m_markers.emplace_back(marker, util::lowercase(marker));
    }
}

Scanner::~Scanner() = default;

namespace {

bool has_international_phone(const RE2& pattern, std::string_view text) {
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece match;
    size_t start = 0;
    while (start < text.size() && pattern.Match(input, start, text.size(), RE2::UNANCHORED, &match, 1)) {
        const auto digits = std::count_if(match.begin(), match.end(), is_digit);
        if (digits >= 9 && digits <= 15) return true;
        start = static_cast<size_t>(match.data() - text.data()) + std::max<size_t>(match.size(), 1);
    }
    return false;
}

bool has_card_number(const RE2& pattern, std::string_view text) {
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece run;
    while (RE2::FindAndConsume(&input, pattern, &run)) {
        const size_t run_end = static_cast<size_t>(run.data() - text.data()) + run.size();
        const bool followed_by_digit = run_end < text.size() && is_digit(text[run_end]);
        // A card can end at any separator of the run (a card number followed by a year), or at its end.
        std::string digits;
        for (size_t i = 0; i < run.size(); ++i) {
            if (is_digit(run[i])) digits.push_back(run[i]);
            const bool at_end = i + 1 == run.size();
            const bool before_separator = !at_end && !is_digit(run[i + 1]);
            if ((before_separator || (at_end && !followed_by_digit)) && passes_luhn(digits) &&
                has_card_prefix(digits)) {
                return true;
            }
        }
        // The consumed text ends at the run's end; a run longer than 19 digits continues in the next call.
        if (input.empty()) break;
    }
    return false;
}

}  // namespace

std::vector<Finding> Scanner::scan(std::string_view text) const {
    std::vector<Finding> findings;
    const DecodedForms decoded = decode_until_stable(text);
    auto note = [&](FindingKind kind, const std::string& marker, size_t form_index) {
        for (const auto& finding : findings) {
            if (finding.kind == kind && finding.marker == marker) return;
        }
        findings.push_back(Finding{kind, marker, form_index > 0});
    };
    for (size_t form_index = 0; form_index < decoded.forms.size(); ++form_index) {
        const std::string& form = decoded.forms[form_index];
        const std::string lower = util::lowercase(form);
        for (const auto& [marker, lowercase_marker] : m_markers) {
            if (lower.find(lowercase_marker) != std::string::npos) {
                note(FindingKind::forbidden_marker, marker, form_index);
            }
        }
        if (!m_ids.find(form).empty()) note(FindingKind::id_value, "", form_index);
        if (!m_rules.personal_data) continue;
        const re2::StringPiece piece(form.data(), form.size());
        if (RE2::PartialMatch(piece, m_patterns->email) || RE2::PartialMatch(piece, m_patterns->spelled_email)) {
            note(FindingKind::email, "", form_index);
        }
        if (has_international_phone(m_patterns->international_phone, form) ||
            RE2::PartialMatch(piece, m_patterns->national_phone)) {
            note(FindingKind::phone_number, "", form_index);
        }
        if (has_card_number(m_patterns->card_candidate, form)) note(FindingKind::card_number, "", form_index);
    }
    if (!decoded.settled) findings.push_back(Finding{FindingKind::too_deeply_encoded, "", true});
    return findings;
}

std::vector<Finding> Scanner::scan_number(std::string_view text) const {
    std::vector<Finding> findings;
    if (m_rules.personal_data && has_card_number(m_patterns->card_candidate, text)) {
        findings.push_back(Finding{FindingKind::card_number, "", false});
    }
    return findings;
}

}  // namespace greenlight::proof
