#include "greenlight/results/parse_support.hpp"

#include <cctype>
#include <charconv>
#include <fmt/format.h>

#include "greenlight/util/strings.hpp"

namespace greenlight::results::support {

std::string cap_text(std::string_view text, size_t limit) {
    text = util::trim(text);
    if (text.size() <= limit) return std::string(text);
    size_t cut = limit;
    // Step back over UTF-8 continuation bytes so the kept part stays valid text.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return fmt::format("{}\n[... {} more bytes cut]", text.substr(0, cut), text.size() - cut);
}

std::string_view first_line(std::string_view text) {
    for (std::string_view line : util::split_lines(text)) {
        std::string_view trimmed = util::trim(line);
        if (!trimmed.empty()) return trimmed;
    }
    return {};
}

TestCounts count_outcomes(const std::vector<TestCase>& cases) {
    TestCounts counts;
    for (const TestCase& test_case : cases) {
        switch (test_case.outcome) {
        case TestOutcome::passed: ++counts.passed; break;
        case TestOutcome::failed: ++counts.failed; break;
        case TestOutcome::errored: ++counts.errored; break;
        case TestOutcome::skipped: ++counts.skipped; break;
        }
    }
    counts.total = counts.passed + counts.failed + counts.errored + counts.skipped;
    return counts;
}

void add_errored(TestCounts& counts, std::int64_t extra) {
    counts.errored += extra;
    counts.total += extra;
}

std::string strip_terminal_codes(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
            // CSI: parameters and intermediates, then one final byte in 0x40..0x7e.
            size_t j = i + 2;
            while (j < line.size() && static_cast<unsigned char>(line[j]) >= 0x20 &&
                   static_cast<unsigned char>(line[j]) < 0x40) {
                ++j;
            }
            i = j < line.size() ? j + 1 : j;
            continue;
        }
        out += line[i];
        ++i;
    }
    return out;
}

std::optional<std::int64_t> parse_count(std::string_view digits) {
    if (digits.empty() || digits[0] < '0' || digits[0] > '9') return std::nullopt;
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || value < 0) return std::nullopt;
    return value;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace greenlight::results::support
