// The secret rules and the scanner behind `find_secrets`: one Hyperscan pass over the whole text with a
// cheap trigger per rule finds candidate lines; each candidate line is confirmed by the rule's RE2
// pattern and its own tests (entropy, placeholders, Luhn, key body). Most text costs only the pass.
#include <hs/hs.h>
#include <re2/re2.h>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "greenlight/hygiene/secrets.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

enum RuleIndex : unsigned {
    k_private_key,
    k_aws_access_key_id,
    k_github_token,
    k_slack_token,
    k_stripe_key,
    k_google_api_key,
    k_jwt,
    k_generic_secret,
    k_email,
    k_card_number,
    k_rule_count
};

// A generic assignment's value must be at least this long and this random to count as a secret.
constexpr std::size_t k_generic_minimum_length = 16;
constexpr double k_generic_minimum_entropy = 3.5;
// A private key block needs this much base64 body: a header quoted in docs or code is not a key.
constexpr std::size_t k_private_key_minimum_body = 64;
// How far a private key block without an END line is followed.
constexpr std::size_t k_private_key_maximum_block = std::size_t{16} * 1024;

struct Rule {
    std::string_view id;
    // Hyperscan trigger: cheap, never spans a line break, reported at its end offset only (no SOM);
    // null for a rule with its own pass.
    const char* trigger;
    unsigned trigger_flags;
    // RE2 confirmation on the candidate line; its capturing groups hold the secret (the first that
    // took part in the match wins).
    const char* pattern;
};

// The keywords a generic assignment's key must end with.
#define GREENLIGHT_SECRET_KEYWORDS                                                                      \
    "(?:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|" \
    "auth[_-]?key)"

const std::array<Rule, k_rule_count> k_rules = {{
    // A literal: the bounded repeat of the full header made the database a third slower to compile.
    {"private-key", "PRIVATE KEY", 0, R"re((-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----))re"},
    {"aws-access-key-id", R"re((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})re", 0,
     R"re(\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b)re"},
    {"github-token", R"re(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22})re", 0,
     R"re(\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})\b)re"},
    {"slack-token", R"re(xox[baprs]-[0-9A-Za-z-]{10})re", 0, R"re(\b(xox[baprs]-[0-9A-Za-z-]{10,250}))re"},
    {"stripe-key", R"re([sr]k_live_[0-9A-Za-z]{16})re", 0, R"re(\b([sr]k_live_[0-9A-Za-z]{16,247})\b)re"},
    {"google-api-key", R"re(AIza[0-9A-Za-z_-]{35})re", 0, R"re(\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$))re"},
    {"jwt", R"re(eyJ[A-Za-z0-9_-]{8,}\.eyJ)re", 0,
     R"re(\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*))re"},
    {"generic-secret", GREENLIGHT_SECRET_KEYWORDS R"re(["']?[ \t]*[:=])re", HS_FLAG_CASELESS,
     "(?i)" GREENLIGHT_SECRET_KEYWORDS R"re(["']?[ \t]*(?::=|=>|==|=|:)[ \t]*)re"
     R"re((?:"([^"]*)"|'([^']*)'|`([^`]*)`|([^\s"'`,;&()\[\]{}<>]+)))re"},
    {"email", R"re([A-Za-z0-9._%+-]@[A-Za-z0-9-]+\.[A-Za-z]{2})re", 0,
     R"re(([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24})\b)re"},
    // Found by find_card_numbers: Hyperscan has no literal to anchor a digit pattern on, and digits are
    // everywhere in data files (a trigger on them made the pass three times slower).
    {"card-number", nullptr, 0, nullptr},
}};

#undef GREENLIGHT_SECRET_KEYWORDS

class Database {
public:
    Database() {
        std::vector<const char*> expressions;
        std::vector<unsigned> flags;
        std::vector<unsigned> ids;
        for (unsigned i = 0; i < k_rule_count; ++i) {
            if (k_rules[i].trigger == nullptr) continue;
            expressions.push_back(k_rules[i].trigger);
            flags.push_back(k_rules[i].trigger_flags);
            ids.push_back(i);
        }
        hs_compile_error_t* compile_error = nullptr;
        if (hs_compile_multi(expressions.data(), flags.data(), ids.data(), static_cast<unsigned>(expressions.size()),
                             HS_MODE_BLOCK, nullptr, &m_database, &compile_error) != HS_SUCCESS) {
            m_error = fmt::format("cannot compile the secret rules for Hyperscan: {} (expression {})",
                                  compile_error ? compile_error->message : "unknown error",
                                  compile_error ? compile_error->expression : -1);
            hs_free_compile_error(compile_error);
            m_database = nullptr;
        }
        for (const Rule& rule : k_rules) {
            m_patterns.push_back(std::make_unique<RE2>(rule.pattern ? rule.pattern : ""));
            if (!m_patterns.back()->ok() && m_error.empty()) {
                m_error = fmt::format("cannot compile the {} rule: {}", rule.id, m_patterns.back()->error());
            }
        }
    }
    ~Database() { hs_free_database(m_database); }
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const hs_database_t* hyperscan() const { return m_database; }
    const RE2& pattern(unsigned rule) const { return *m_patterns[rule]; }
    const std::string& error() const { return m_error; }

private:
    hs_database_t* m_database = nullptr;
    std::vector<std::unique_ptr<RE2>> m_patterns;
    std::string m_error;
};

const Database& database() {
    static const Database instance;
    return instance;
}

// Hyperscan scratch space belongs to one thread at a time; each thread keeps its own.
struct ThreadScratch {
    hs_scratch_t* scratch = nullptr;
    ~ThreadScratch() { hs_free_scratch(scratch); }
};

// A line on which a rule's trigger fired.
struct Candidate {
    std::size_t line_start = 0;
    std::size_t line_end = 0;  // the '\n' or the end of the text
    unsigned rule = 0;
};

struct ScanState {
    std::string_view text;
    std::array<std::size_t, k_rule_count> covered_until{};  // per rule: the end of its last candidate line
    std::vector<Candidate> candidates;
};

int on_trigger(unsigned int rule, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
               void* context) {
    auto& state = *static_cast<ScanState*>(context);
    // One candidate per rule and line: confirmation looks at the whole line anyway.
    if (to <= state.covered_until[rule]) return 0;
    const char* data = state.text.data();
    const std::size_t size = state.text.size();
    // Triggers never contain a line break, so the byte before `to` is on the candidate line.
    const void* previous_break = ::memrchr(data, '\n', to - 1);
    const void* next_break = std::memchr(data + to, '\n', size - to);
    Candidate candidate;
    candidate.rule = rule;
    candidate.line_start = previous_break ? static_cast<const char*>(previous_break) - data + 1 : 0;
    candidate.line_end = next_break ? static_cast<const char*>(next_break) - data : size;
    state.covered_until[rule] = candidate.line_end;
    state.candidates.push_back(candidate);
    return 0;
}

std::string prefix_hint(std::string_view secret) {
    return fmt::format("{}…, {} characters", secret.substr(0, 4), secret.size());
}

bool contains_case_insensitive(std::string_view text, std::string_view word) {
    return std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != text.end();
}

// Values that stand for a secret rather than being one: `${VAR}`, `{{ .Values.x }}`, `<your-token>`,
// `changeme`, `xxxx`, `****`, `your_api_key_here`, `%(password)s`, `%{password}`.
bool is_placeholder(std::string_view value) {
    if (value.empty()) return true;
    if (value.front() == '$' || (value.front() == '<' && value.back() == '>')) return true;
    for (std::string_view marker :
         {"{{",       "}}",       "${",        "%(",         "%{",          "xxxx",    "****",
          "....",     "changeme", "change_me", "change-me",  "placeholder", "example", "dummy",
          "redacted", "your_",    "your-",     "replace_me", "replace-me",  "insert_", "todo"}) {
        if (contains_case_insensitive(value, marker)) return true;
    }
    return false;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool has_letter_and_digit(std::string_view value) {
    const auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    return std::any_of(value.begin(), value.end(), is_digit) && std::any_of(value.begin(), value.end(), is_letter);
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Addresses that cannot belong to a person: reserved example domains (RFC 2606, RFC 6761), the `git@`
// of SSH remotes, no-reply senders, the `name@domain.tld` of docs, and image names such as `logo@2x.png`.
bool is_impersonal_email(std::string_view address) {
    const std::size_t at = address.find('@');
    const std::string local = util::lowercase(address.substr(0, at));
    const std::string domain = util::lowercase(address.substr(at + 1));
    if (local == "git" || local == "noreply" || local == "no-reply") return true;
    for (std::string_view reserved : {"example.com", "example.org", "example.net"}) {
        if (domain == reserved || ends_with(domain, fmt::format(".{}", reserved))) return true;
    }
    const std::string_view top_level = std::string_view(domain).substr(domain.rfind('.') + 1);
    for (std::string_view reserved :
         {"example", "test", "invalid", "localhost", "tld",  "png",  "jpg", "jpeg", "gif",  "svg", "webp",
          "ico",     "js",   "mjs",     "css",       "json", "html", "txt", "lock", "yaml", "yml", "xml"}) {
        if (top_level == reserved) return true;
    }
    return false;
}

// Card numbers written with separators are grouped the way cards print them: all groups of four
// (the last may be shorter), or 4-6-5 / 4-6-4 (American Express, Diners); one kind of separator.
bool has_card_grouping(std::string_view written) {
    std::vector<std::size_t> groups{0};
    char separator = 0;
    for (char c : written) {
        if (c == ' ' || c == '-') {
            if (separator != 0 && c != separator) return false;
            separator = c;
            groups.push_back(0);
        } else {
            ++groups.back();
        }
    }
    if (groups.size() == 1) return true;
    if (groups.size() == 3 && groups[0] == 4 && groups[1] == 6 && (groups[2] == 5 || groups[2] == 4)) return true;
    for (std::size_t i = 0; i + 1 < groups.size(); ++i) {
        if (groups[i] != 4) return false;
    }
    return groups.back() >= 1 && groups.back() <= 4;
}

constexpr std::size_t k_card_minimum_digits = 13;
constexpr std::size_t k_card_maximum_digits = 19;

constexpr std::array<bool, 256> k_card_bytes = [] {
    std::array<bool, 256> bytes{};
    for (char c : std::string_view("0123456789 -")) bytes[static_cast<unsigned char>(c)] = true;
    return bytes;
}();
bool is_card_byte(char c) {
    return k_card_bytes[static_cast<unsigned char>(c)];
}
bool is_word_byte(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// The digit groups of a run of digits, spaces and dashes, and the separators between them.
struct DigitGroup {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string_view separator_before;  // empty for the run's first group
};

// Examines one run of digits, spaces and dashes (text[start, end)) for card numbers: 13 to 19 digits,
// the first 2 to 6 (every major card network; it keeps millisecond timestamps out), grouped the way cards
// print them, passing Luhn, not part of a word or a decimal fraction.
void examine_card_run(std::string_view text, std::size_t start, std::size_t end, std::vector<DigitGroup>& groups,
                      std::vector<SecretMatch>& matches) {
    groups.clear();
    std::size_t separator_start = start;
    for (std::size_t i = start; i < end;) {
        if (!is_digit(text[i])) {
            ++i;
            continue;
        }
        DigitGroup group;
        group.begin = i;
        while (i < end && is_digit(text[i])) ++i;
        group.end = i;
        if (!groups.empty()) group.separator_before = text.substr(separator_start, group.begin - separator_start);
        groups.push_back(group);
        separator_start = i;
    }
    const auto starts_cleanly = [&](const DigitGroup& group) {
        const std::size_t before = group.begin;
        // `+4915112345678` is a phone number in international form; cards never carry a sign.
        return before == 0 || (!is_word_byte(text[before - 1]) && text[before - 1] != '.' && text[before - 1] != '+');
    };
    const auto ends_cleanly = [&](const DigitGroup& group) {
        const std::size_t after = group.end;
        if (after >= text.size()) return true;
        if (is_word_byte(text[after])) return false;
        return !(text[after] == '.' && after + 1 < text.size() && is_digit(text[after + 1]));
    };
    for (std::size_t first = 0; first < groups.size();) {
        std::size_t best = groups.size();
        const char leading = text[groups[first].begin];
        if (leading >= '2' && leading <= '6' && starts_cleanly(groups[first])) {
            std::size_t digits = 0;
            for (std::size_t last = first; last < groups.size(); ++last) {
                if (last > first && (groups[last].separator_before.size() != 1 ||
                                     groups[last].separator_before != groups[first + 1].separator_before)) {
                    break;
                }
                digits += groups[last].end - groups[last].begin;
                if (digits > k_card_maximum_digits) break;
                if (digits < k_card_minimum_digits || !ends_cleanly(groups[last])) continue;
                const std::string_view written =
                    text.substr(groups[first].begin, groups[last].end - groups[first].begin);
                std::string plain;
                std::copy_if(written.begin(), written.end(), std::back_inserter(plain), is_digit);
                if (has_card_grouping(written) && util::passes_luhn(plain)) best = last;
            }
        }
        if (best == groups.size()) {
            ++first;
            continue;
        }
        SecretMatch match;
        match.rule = k_rules[k_card_number].id;
        match.offset = groups[first].begin;
        match.length = groups[best].end - groups[first].begin;
        const std::string_view written = text.substr(match.offset, match.length);
        match.hint = fmt::format("{} digits", std::count_if(written.begin(), written.end(), is_digit));
        matches.push_back(std::move(match));
        first = best + 1;
    }
}

// A card number is a run of at least 13 digits, spaces and dashes, so probing every 13th byte finds
// every such run while touching a small part of ordinary text.
void find_card_numbers(std::string_view text, std::vector<SecretMatch>& matches) {
    std::vector<DigitGroup> groups;
    std::size_t examined_until = 0;  // runs before this have been examined
    for (std::size_t probe = k_card_minimum_digits - 1; probe < text.size();) {
        // Inside a card a separator always sits between two digits: spaces in prose and indentation
        // are rejected here without walking.
        const char byte = text[probe];
        const bool inside_card = is_digit(byte) || ((byte == ' ' || byte == '-') && probe + 1 < text.size() &&
                                                    is_digit(text[probe + 1]) && is_digit(text[probe - 1]));
        if (!inside_card) {
            probe += k_card_minimum_digits;
            continue;
        }
        std::size_t digits = is_digit(text[probe]) ? 1 : 0;
        std::size_t start = probe;
        for (; start > examined_until && is_card_byte(text[start - 1]); --start) digits += is_digit(text[start - 1]);
        std::size_t end = probe + 1;
        for (; end < text.size() && is_card_byte(text[end]); ++end) digits += is_digit(text[end]);
        // Runs of indentation or of short numbers are the common case: no groups to build for them.
        if (digits >= k_card_minimum_digits) examine_card_run(text, start, end, groups, matches);
        examined_until = end;
        probe = end + k_card_minimum_digits;
    }
}

// Confirms one rule on one candidate line, appending what it finds.
void confirm(unsigned rule, std::string_view text, const Candidate& candidate, const RE2& pattern,
             std::vector<SecretMatch>& matches) {
    const std::string_view line = text.substr(candidate.line_start, candidate.line_end - candidate.line_start);
    constexpr int k_groups = 5;
    std::array<re2::StringPiece, k_groups> groups;
    const int group_count = std::min(k_groups, pattern.NumberOfCapturingGroups() + 1);
    std::size_t position = 0;
    while (position <= line.size() &&
           pattern.Match(line, position, line.size(), RE2::UNANCHORED, groups.data(), group_count)) {
        const std::size_t match_end = static_cast<std::size_t>(groups[0].data() - line.data()) + groups[0].size();
        position = groups[0].empty() ? match_end + 1 : match_end;
        std::string_view secret;
        for (int i = 1; i < group_count; ++i) {
            if (groups[i].data() != nullptr) {
                secret = std::string_view(groups[i].data(), groups[i].size());
                break;
            }
        }
        SecretMatch match;
        match.rule = k_rules[rule].id;
        match.offset = candidate.line_start + static_cast<std::size_t>(secret.data() - line.data());
        match.length = secret.size();
        switch (rule) {
            case k_private_key: {
                // The block runs to its END line, so a different key under the same header is a different
                // secret for the baseline.
                const std::size_t body_start = match.offset + match.length;
                std::size_t block_end = std::min(text.size(), body_start + k_private_key_maximum_block);
                const std::size_t end_marker =
                    text.substr(0, block_end).find("-----END", body_start);  // bounded: no END may follow
                if (end_marker != std::string_view::npos) {
                    const std::size_t end_line = text.find('\n', end_marker);
                    block_end = end_line == std::string_view::npos ? text.size() : end_line;
                    if (block_end > 0 && text[block_end - 1] == '\r') --block_end;
                }
                const std::string_view body = text.substr(body_start, block_end - body_start);
                const std::size_t base64 = static_cast<std::size_t>(std::count_if(body.begin(), body.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
                }));
                if (base64 < k_private_key_minimum_body) continue;
                std::string_view label = secret.substr(std::string_view("-----BEGIN").size());
                label = util::trim(label.substr(0, label.find("PRIVATE KEY")));
                match.length = block_end - match.offset;
                match.hint = fmt::format("{} key, {} lines", label.empty() ? "unlabelled" : label,
                                         std::count(body.begin(), body.end(), '\n') + 1);
                // Matches inside the block are part of this one.
                position = line.size() + 1;
                break;
            }
            case k_aws_access_key_id:
                // AWS documents its example keys with this suffix (AKIAIOSFODNN7EXAMPLE).
                if (ends_with(secret, "EXAMPLE")) continue;
                match.hint = prefix_hint(secret);
                break;
            case k_generic_secret: {
                if (secret.size() < k_generic_minimum_length || is_placeholder(secret)) continue;
                // An unquoted value is too often code (`token = next_token_of(stream)`) unless it mixes
                // letters and digits the way generated secrets do.
                const bool quoted = groups[4].data() == nullptr;
                if (!quoted && !has_letter_and_digit(secret)) continue;
                const double entropy = shannon_entropy(secret);
                if (entropy < k_generic_minimum_entropy) continue;
                match.hint = fmt::format("{} characters, {:.1f} bits of entropy per character", secret.size(), entropy);
                break;
            }
            case k_email:
                if (is_impersonal_email(secret)) continue;
                match.hint = fmt::format("{} characters", secret.size());
                break;
            default:
                match.hint = prefix_hint(secret);
                break;
        }
        matches.push_back(std::move(match));
    }
}

bool overlaps(const SecretMatch& a, const SecretMatch& b) {
    return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

}  // namespace

const std::vector<std::string_view>& secret_rule_ids() {
    static const std::vector<std::string_view> ids = [] {
        std::vector<std::string_view> result;
        result.reserve(k_rules.size());
        for (const Rule& rule : k_rules) result.push_back(rule.id);
        return result;
    }();
    return ids;
}

util::Result<std::vector<SecretMatch>> find_secrets(std::string_view text) {
    const Database& rules = database();
    if (!rules.error().empty()) return util::make_error(rules.error());
    thread_local ThreadScratch thread_scratch;
    if (thread_scratch.scratch == nullptr &&
        hs_alloc_scratch(rules.hyperscan(), &thread_scratch.scratch) != HS_SUCCESS) {
        return util::make_error("cannot allocate Hyperscan scratch space for the secret rules");
    }
    std::vector<Candidate> candidates;
    // Hyperscan takes a 32-bit length: scan longer texts in overlapping pieces, so a trigger that
    // straddles a boundary is still seen whole in one of them.
    constexpr std::size_t k_piece = std::size_t{1} << 30;
    constexpr std::size_t k_overlap = 4096;
    if (text.empty()) return std::vector<SecretMatch>{};
    for (std::size_t start = 0;; start += k_piece - k_overlap) {
        const std::size_t length = std::min(k_piece, text.size() - start);
        ScanState piece_state;
        piece_state.text = text.substr(start, length);
        const hs_error_t scanned = hs_scan(rules.hyperscan(), piece_state.text.data(), static_cast<unsigned>(length), 0,
                                           thread_scratch.scratch, on_trigger, &piece_state);
        if (scanned != HS_SUCCESS) return util::make_error(fmt::format("Hyperscan scan failed (error {})", scanned));
        for (Candidate candidate : piece_state.candidates) {
            candidate.line_start += start;
            candidate.line_end += start;
            candidates.push_back(candidate);
        }
        if (start + length >= text.size()) break;
    }

    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return std::tie(a.line_start, a.rule) < std::tie(b.line_start, b.rule);
    });
    candidates.erase(std::unique(candidates.begin(), candidates.end(),
                                 [](const Candidate& a, const Candidate& b) {
                                     return a.line_start == b.line_start && a.rule == b.rule;
                                 }),
                     candidates.end());
    std::vector<SecretMatch> matches;
    for (const Candidate& candidate : candidates) {
        confirm(candidate.rule, text, candidate, rules.pattern(candidate.rule), matches);
    }
    find_card_numbers(text, matches);
    std::stable_sort(matches.begin(), matches.end(),
                     [](const SecretMatch& a, const SecretMatch& b) { return a.offset < b.offset; });
    // A value a token rule names (a JWT assigned to `token = "..."`) is reported by that rule only. Token
    // matches do not overlap one another, so the last one starting before a value is the one to compare.
    std::vector<SecretMatch> kept;
    kept.reserve(matches.size());
    std::optional<SecretMatch> last_token;
    for (SecretMatch& match : matches) {
        if (match.rule == k_rules[k_generic_secret].id) {
            if (last_token && overlaps(*last_token, match)) continue;
        } else if (match.rule != k_rules[k_email].id && match.rule != k_rules[k_card_number].id) {
            last_token = SecretMatch{match.rule, match.offset, match.length, {}};
        }
        kept.push_back(std::move(match));
    }
    return kept;
}

double shannon_entropy(std::string_view text) {
    if (text.empty()) return 0.0;
    std::array<std::size_t, 256> counts{};
    for (char c : text) ++counts[static_cast<unsigned char>(c)];
    double entropy = 0.0;
    const double size = static_cast<double>(text.size());
    for (std::size_t count : counts) {
        if (count == 0) continue;
        const double probability = static_cast<double>(count) / size;
        entropy -= probability * std::log2(probability);
    }
    return entropy;
}

std::string secret_fingerprint(std::string_view key, std::string_view matched_text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(matched_text.data()), matched_text.size(), digest, &digest_length);
    std::string hex;
    hex.reserve(std::size_t{digest_length} * 2);
    for (unsigned int i = 0; i < digest_length; ++i) fmt::format_to(std::back_inserter(hex), "{:02x}", digest[i]);
    return hex;
}

}  // namespace greenlight::hygiene
