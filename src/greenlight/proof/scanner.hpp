// The last line of defence of `greenlight proof`: undoes the encodings that hide text (percent, HTML
// entities, backslash escapes, full-width and small forms, invisible characters) and looks for forbidden
// markers, personal data and raw ids in every decoded form.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace greenlight::proof {

// Decoding stops after this many rounds; text still changing then is refused as too deeply encoded.
inline constexpr int k_max_decoding_rounds = 16;

// One round of decoding: percent escapes, HTML character references, `\uXXXX`/`\xHH` escapes, then
// full-width and small-form folding (U+FF01..U+FF5E, U+FE50..U+FE6B) and removal of invisible characters.
std::string decode_once(std::string_view text);

// The text as written followed by each distinct decoded form, until a round changes nothing (at most
// `k_max_decoding_rounds` rounds). `settled` is false when the bound was reached first.
struct DecodedForms {
    std::vector<std::string> forms;
    bool settled = true;
};
DecodedForms decode_until_stable(std::string_view text);

enum class FindingKind { forbidden_marker, email, phone_number, card_number, id_value, too_deeply_encoded };

// "forbidden marker `@`", "email address", ...: names the rule, never the text that broke it.
std::string describe(FindingKind kind, std::string_view marker);

struct Finding {
    FindingKind kind = FindingKind::forbidden_marker;
    std::string marker;    // the configured marker, for forbidden_marker
    bool decoded = false;  // found only after decoding
};

// Finds ids in text as whole tokens: not next to an ASCII letter or digit where the id itself starts or
// ends with one (a percent escape such as %2F before it counts as a separator, not as letters). Looks up
// each candidate position once per distinct id length, so thousands of ids cost no more than a few.
class IdMatcher {
public:
    explicit IdMatcher(const std::vector<std::string>& ids);

    struct Occurrence {
        size_t position;
        size_t length;
    };
    // Every occurrence, by position; where two start at the same position, the longer first.
    std::vector<Occurrence> find(std::string_view text) const;
    bool empty() const { return m_ids.empty(); }

private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    std::unordered_set<std::string, Hash, std::equal_to<>> m_ids;
    std::vector<size_t> m_lengths;  // distinct, longest first
};

// What the scanner looks for. The markers are matched ASCII-case-insensitively.
struct ScanRules {
    std::vector<std::string> forbidden;
    bool personal_data = true;
    // Raw id values that may not survive anywhere (matched as whole tokens, see find_id_occurrences).
    std::vector<std::string> ids;
};

// Scans text in all its decoded forms; safe to share between threads.
class Scanner {
public:
    explicit Scanner(ScanRules rules);
    ~Scanner();
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;

    // Every rule the text breaks, each at most once.
    std::vector<Finding> scan(std::string_view text) const;
    // The same for text that is only a number: card numbers only (a number cannot hold the rest).
    std::vector<Finding> scan_number(std::string_view text) const;

private:
    struct Patterns;
    static const Patterns& patterns();
    ScanRules m_rules;
    std::vector<std::pair<std::string, std::string>> m_markers;  // as configured, lowercase
    IdMatcher m_ids;
    const Patterns* m_patterns;
};

// Where `id` occurs in `text` as a whole token (as IdMatcher finds it).
std::vector<size_t> find_id_occurrences(std::string_view text, std::string_view id);

// Whether a digit string (13 to 19 digits) passes the Luhn check.
bool passes_luhn(std::string_view digits);

}  // namespace greenlight::proof
