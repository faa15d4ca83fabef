// Counts from the closing lines test runners print, read one line at a time so that memory stays flat however
// much a suite prints. Where a runner prints one summary, the last one counts (test output before it may contain
// look-alike lines); where it prints one per package, binary or block (go, cargo), every one is read, and a
// block that never finished counts as errored. go test's reader is in go_output_parser.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "greenlight/results/line_parsers.hpp"
#include "greenlight/results/parse_support.hpp"
#include "greenlight/results/parsers.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::results {

namespace runner_output {

namespace {

// Larger counts are no runner's output; refusing them keeps sums far from overflow on hostile input.
constexpr std::int64_t k_max_reported_count = 1'000'000'000'000;

void finish_total(TestCounts& counts) {
    counts.total = counts.passed + counts.failed + counts.errored + counts.skipped;
}

}  // namespace

std::optional<std::int64_t> read_count(std::string_view digits) {
    std::optional<std::int64_t> count = support::parse_count(digits);
    if (!count || *count > k_max_reported_count) return std::nullopt;
    return count;
}

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        const size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        if (i > start) words.push_back(text.substr(start, i - start));
    }
    return words;
}

ParsedResults counts_only(ResultsFormat format, TestCounts counts) {
    finish_total(counts);
    ParsedResults results;
    results.format = format;
    results.counts = counts;
    return results;
}

ParseFailure no_summary(std::string_view source, std::string_view expected) {
    return ParseFailure{std::string(source), 0, 0,
                        fmt::format("{}; the output may have been cut off before the runner printed it", expected)};
}

namespace {

std::vector<std::string_view> split_on(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        const size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

struct CountedWord {
    std::int64_t count = 0;
    std::string_view word;
};

// "12 passed" -> {12, "passed"}; the word is lowercase letters only.
std::optional<CountedWord> read_counted_word(std::string_view item) {
    const std::vector<std::string_view> words = split_words(item);
    if (words.size() != 2) return std::nullopt;
    const std::optional<std::int64_t> count = read_count(words[0]);
    if (!count) return std::nullopt;
    if (!std::all_of(words[1].begin(), words[1].end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
        return std::nullopt;
    }
    return CountedWord{*count, words[1]};
}

// A runner whose result is its last summary line: `read_summary` recognises one.
class LastSummaryReader final : public OutputReader {
public:
    using ReadSummary = std::optional<TestCounts> (*)(std::string_view line);

    LastSummaryReader(ResultsFormat format, ReadSummary read_summary, std::string_view expected)
        : m_format(format), m_read_summary(read_summary), m_expected(expected) {}

    void read_line(std::string_view line) override {
        if (std::optional<TestCounts> counts = m_read_summary(line)) m_last = counts;
    }

    ParseOutcome finish(std::string_view source) override {
        if (!m_last) return no_summary(source, m_expected);
        return counts_only(m_format, *m_last);
    }

private:
    ResultsFormat m_format;
    ReadSummary m_read_summary;
    std::string_view m_expected;
    std::optional<TestCounts> m_last;
};

// ---- pytest: `===== 3 passed, 1 failed, 2 skipped, 1 error in 0.12s =====` (with -q: without the `=`).

bool is_pytest_timing(std::string_view text) {
    // `0.12s` or `61.02s (0:01:01)`
    size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0 || i >= text.size() || text[i] != 's') return false;
    const std::string_view rest = text.substr(i + 1);
    return rest.empty() || (rest.starts_with(" (") && rest.ends_with(")"));
}

std::optional<TestCounts> read_pytest_summary(std::string_view line) {
    std::string_view text = util::trim(line);
    while (!text.empty() && text.front() == '=') text.remove_prefix(1);
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    text = util::trim(text);
    const size_t in = text.rfind(" in ");
    if (in == std::string_view::npos || !is_pytest_timing(text.substr(in + 4))) return std::nullopt;

    TestCounts counts;
    for (std::string_view item : split_on(text.substr(0, in), ',')) {
        item = util::trim(item);
        if (item == "no tests ran") continue;
        const std::optional<CountedWord> counted = read_counted_word(item);
        if (!counted) return std::nullopt;
        const std::string_view word = counted->word;
        // An expected failure (xfailed) did not pass and did not fail: like TAP's TODO it counts as skipped.
        if (word == "passed" || word == "xpassed")
            counts.passed += counted->count;
        else if (word == "failed")
            counts.failed += counted->count;
        else if (word == "error" || word == "errors")
            counts.errored += counted->count;
        else if (word == "skipped" || word == "xfailed")
            counts.skipped += counted->count;
        // warnings, deselected, rerun and plugins' words are not test outcomes.
    }
    return counts;
}

// ---- ctest: `75% tests passed, 1 tests failed out of 4`, then the list of tests that did not run.

struct CtestSummary {
    std::int64_t failed = 0;
    std::int64_t total = 0;
};

std::optional<CtestSummary> read_ctest_summary(std::string_view line) {
    const std::vector<std::string_view> words = split_words(line);
    // 75% tests passed, 1 tests failed out of 4
    if (words.size() != 9 || words[1] != "tests" || words[2] != "passed," ||
        (words[4] != "tests" && words[4] != "test") || words[5] != "failed" || words[6] != "out" || words[7] != "of") {
        return std::nullopt;
    }
    if (!words[0].ends_with('%') || !read_count(words[0].substr(0, words[0].size() - 1))) return std::nullopt;
    const std::optional<std::int64_t> failed = read_count(words[3]);
    const std::optional<std::int64_t> total = read_count(words[8]);
    if (!failed || !total || *failed > *total) return std::nullopt;
    return CtestSummary{*failed, *total};
}

class CtestReader final : public OutputReader {
public:
    void read_line(std::string_view line) override {
        const std::string_view text = util::trim(line);
        if (text == "No tests were found!!!") {
            m_last = Last::no_tests;
            return;
        }
        if (std::optional<CtestSummary> summary = read_ctest_summary(text)) {
            m_last = Last::summary;
            m_summary = *summary;
            m_skipped = 0;
            m_disabled = 0;
            m_list = ListState::before;
            return;
        }
        if (m_last != Last::summary || m_list == ListState::done) return;
        // ctest counts skipped tests among the passed ones and leaves disabled ones out of "out of N";
        // its list of tests that did not run, after the summary, tells them apart.
        if (text == "The following tests did not run:") {
            m_list = ListState::inside;
            return;
        }
        if (m_list != ListState::inside) return;
        const size_t dash = text.find(" - ");
        if (dash == std::string_view::npos || !read_count(text.substr(0, dash)) || !text.ends_with(')')) {
            m_list = ListState::done;
            return;
        }
        if (text.ends_with("(Disabled)"))
            ++m_disabled;
        else
            ++m_skipped;
    }

    ParseOutcome finish(std::string_view source) override {
        if (m_last == Last::no_tests) return counts_only(ResultsFormat::ctest, {});
        if (m_last == Last::none) {
            return no_summary(source,
                              "no ctest summary line found (expected `100% tests passed, 0 tests failed "
                              "out of 4` or `No tests were found!!!`)");
        }
        TestCounts counts;
        counts.failed = m_summary.failed;
        const std::int64_t skipped = std::min(m_skipped, m_summary.total - m_summary.failed);
        counts.skipped = skipped + m_disabled;
        counts.passed = m_summary.total - m_summary.failed - skipped;
        return counts_only(ResultsFormat::ctest, counts);
    }

private:
    enum class Last { none, no_tests, summary };
    enum class ListState { before, inside, done };

    Last m_last = Last::none;
    CtestSummary m_summary;
    std::int64_t m_skipped = 0;
    std::int64_t m_disabled = 0;
    ListState m_list = ListState::before;
};

// ---- cargo test: one `running N tests` ... `test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured;
// 0 filtered out` block per test binary and for the doc-tests; all are summed.

struct CargoBlock {
    std::int64_t announced = 0;
    std::int64_t passed = 0;
    std::int64_t failed = 0;
    std::int64_t ignored = 0;
};

std::optional<std::int64_t> read_cargo_running(std::string_view text) {
    const std::vector<std::string_view> words = split_words(text);
    if (words.size() != 3 || words[0] != "running" || (words[2] != "tests" && words[2] != "test")) return std::nullopt;
    return read_count(words[1]);
}

std::optional<TestCounts> read_cargo_result(std::string_view text) {
    if (!text.starts_with("test result: ")) return std::nullopt;
    std::string_view rest = text.substr(std::string_view("test result: ").size());
    const size_t status_end = rest.find(". ");
    if (status_end == std::string_view::npos) return std::nullopt;
    TestCounts counts;
    bool any = false;
    for (std::string_view item : split_on(rest.substr(status_end + 2), ';')) {
        item = util::trim(item);
        if (item.starts_with("finished in")) continue;
        const std::vector<std::string_view> words = split_words(item);
        if (words.size() < 2) return std::nullopt;
        const std::optional<std::int64_t> count = read_count(words[0]);
        if (!count) return std::nullopt;
        // Benchmarks that ran (measured) executed successfully; filtered-out tests did not run at all.
        if (words[1] == "passed" || words[1] == "measured")
            counts.passed += *count;
        else if (words[1] == "failed")
            counts.failed += *count;
        else if (words[1] == "ignored")
            counts.skipped += *count;
        any = true;
    }
    if (!any) return std::nullopt;
    return counts;
}

class CargoReader final : public OutputReader {
public:
    void read_line(std::string_view line) override {
        const std::string_view text = util::trim(line);
        if (std::optional<std::int64_t> announced = read_cargo_running(text)) {
            close_unfinished();
            m_open = CargoBlock{*announced, 0, 0, 0};
            m_found = true;
        } else if (std::optional<TestCounts> result = read_cargo_result(text)) {
            m_counts.passed += result->passed;
            m_counts.failed += result->failed;
            m_counts.skipped += result->skipped;
            m_open.reset();
            m_found = true;
        } else if (m_open && text.starts_with("test ")) {
            const size_t dots = text.rfind(" ... ");
            if (dots == std::string_view::npos) return;
            const std::string_view outcome = text.substr(dots + 5);
            if (outcome == "ok")
                ++m_open->passed;
            else if (outcome == "FAILED")
                ++m_open->failed;
            else if (outcome.starts_with("ignored"))
                ++m_open->ignored;
        }
    }

    ParseOutcome finish(std::string_view source) override {
        close_unfinished();
        if (!m_found) {
            return no_summary(source,
                              "no cargo test summary found (expected `running N tests` and "
                              "`test result: ok. 3 passed; 0 failed; ...` lines)");
        }
        return counts_only(ResultsFormat::cargo, m_counts);
    }

private:
    // A binary that died (signal, abort) prints no result line: what it reported counts, the rest errored.
    void close_unfinished() {
        if (!m_open) return;
        m_counts.passed += m_open->passed;
        m_counts.failed += m_open->failed;
        m_counts.skipped += m_open->ignored;
        const std::int64_t reported = m_open->passed + m_open->failed + m_open->ignored;
        m_counts.errored += std::max<std::int64_t>(1, m_open->announced - reported);
        m_open.reset();
    }

    TestCounts m_counts;
    std::optional<CargoBlock> m_open;
    bool m_found = false;
};

// ---- node --test: `# tests 4` / `# pass 3` ... (TAP reporter) or `ℹ tests 4` ... (spec reporter).

constexpr std::string_view k_spec_info_mark = "\u2139 ";

struct NodeEntry {
    std::string_view prefix;
    std::string_view key;
    std::string_view value;
};

std::optional<NodeEntry> read_node_entry(std::string_view text) {
    NodeEntry entry;
    if (text.starts_with("# "))
        entry.prefix = "# ";
    else if (text.starts_with(k_spec_info_mark))
        entry.prefix = k_spec_info_mark;
    else
        return std::nullopt;
    const std::vector<std::string_view> words = split_words(text.substr(entry.prefix.size()));
    if (words.size() != 2) return std::nullopt;
    entry.key = words[0];
    entry.value = words[1];
    return entry;
}

// The last `tests N` line and the entries right after it with the same prefix form the summary.
class NodeReader final : public OutputReader {
public:
    void read_line(std::string_view line) override {
        const std::optional<NodeEntry> entry = read_node_entry(util::trim(line));
        if (entry && entry->key == "tests") {
            if (const std::optional<std::int64_t> tests = read_count(entry->value)) {
                m_tests = tests;
                m_counts = {};
                m_prefix = entry->prefix;
                m_in_block = true;
                return;
            }
        }
        if (!m_in_block) return;
        if (!entry || entry->prefix != m_prefix) {
            m_in_block = false;
            return;
        }
        const std::optional<std::int64_t> value = read_count(entry->value);
        if (!value) return;  // duration_ms is not a count
        // A todo test neither passes nor fails the run (node counts it apart), like TAP's TODO: skipped.
        if (entry->key == "pass")
            m_counts.passed += *value;
        else if (entry->key == "fail")
            m_counts.failed += *value;
        else if (entry->key == "cancelled")
            m_counts.errored += *value;
        else if (entry->key == "skipped" || entry->key == "todo")
            m_counts.skipped += *value;
    }

    ParseOutcome finish(std::string_view source) override {
        if (!m_tests) {
            return no_summary(source,
                              "no node --test summary found (expected `# tests N`, `# pass N`, `# fail N` "
                              "lines from the TAP reporter or `\u2139 tests N` lines from the spec reporter)");
        }
        TestCounts counts = m_counts;
        // Tests node counted but did not place in any outcome did not pass.
        const std::int64_t placed = counts.passed + counts.failed + counts.errored + counts.skipped;
        if (*m_tests > placed) counts.errored += *m_tests - placed;
        return counts_only(ResultsFormat::node, counts);
    }

private:
    std::optional<std::int64_t> m_tests;
    TestCounts m_counts;
    std::string_view m_prefix;  // one of the two constant marks, never a view into a line
    bool m_in_block = false;
};

// ---- plain: `3 passed, 1 failed` with an optional `, 2 skipped` and an optional `label:` before it.

std::optional<TestCounts> read_plain_summary(std::string_view line) {
    std::string_view text = util::trim(line);
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
        const std::string_view label = text.substr(0, colon);
        const bool is_word = !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        });
        if (!is_word) return std::nullopt;
        text = util::trim(text.substr(colon + 1));
    }
    const std::vector<std::string_view> items = split_on(text, ',');
    if (items.size() != 2 && items.size() != 3) return std::nullopt;
    constexpr std::string_view expected_words[] = {"passed", "failed", "skipped"};
    std::int64_t values[3] = {0, 0, 0};
    for (size_t i = 0; i < items.size(); ++i) {
        const std::optional<CountedWord> counted = read_counted_word(items[i]);
        if (!counted || counted->word != expected_words[i]) return std::nullopt;
        values[i] = counted->count;
    }
    TestCounts counts;
    counts.passed = values[0];
    counts.failed = values[1];
    counts.skipped = values[2];
    return counts;
}

std::unique_ptr<OutputReader> make_reader(ResultsFormat format) {
    switch (format) {
        case ResultsFormat::pytest:
            return std::make_unique<LastSummaryReader>(
                ResultsFormat::pytest, read_pytest_summary,
                "no pytest summary line found (expected a closing line like `===== 3 passed, 1 failed in 0.12s =====` "
                "or `no tests ran in 0.01s`)");
        case ResultsFormat::go:
            return make_go_reader();
        case ResultsFormat::ctest:
            return std::make_unique<CtestReader>();
        case ResultsFormat::cargo:
            return std::make_unique<CargoReader>();
        case ResultsFormat::node:
            return std::make_unique<NodeReader>();
        case ResultsFormat::plain:
            return std::make_unique<LastSummaryReader>(
                ResultsFormat::plain, read_plain_summary,
                "no summary line found (expected a line like `3 passed, 0 failed` or "
                "`results: 3 passed, 0 failed, 1 skipped`)");
        default:
            return nullptr;
    }
}

}  // namespace

}  // namespace runner_output

ParseOutcome parse_runner_output_lines(ResultsFormat format, support::LineSource& lines, std::string_view source_name) {
    std::unique_ptr<runner_output::OutputReader> reader = runner_output::make_reader(format);
    if (!reader) return ParseFailure{std::string(source_name), 0, 0, "unknown results format"};
    std::string clean;  // reused for every line that holds colour codes
    while (std::optional<std::string_view> line = lines.next()) {
        reader->read_line(support::strip_terminal_codes(*line, clean));
    }
    return reader->finish(source_name);
}

ParseOutcome parse_runner_output_file(ResultsFormat format, const std::filesystem::path& path,
                                      std::string_view source_name) {
    switch (format) {
        case ResultsFormat::junit:
            return parse_junit_file(path, source_name);
        case ResultsFormat::tap:
            return parse_file_lines(path, source_name, "",
                                    [&](support::LineSource& lines) { return parse_tap_lines(lines, source_name); });
        default:
            return parse_file_lines(path, source_name, "", [&](support::LineSource& lines) {
                return parse_runner_output_lines(format, lines, source_name);
            });
    }
}

ParseOutcome parse_runner_output(ResultsFormat format, std::string_view output, std::string_view source_name) {
    switch (format) {
        case ResultsFormat::junit:
            return parse_junit(output, source_name);
        case ResultsFormat::tap:
            return parse_tap(output, source_name);
        default:
            break;
    }
    support::TextLines lines(output);
    return parse_runner_output_lines(format, lines, source_name);
}

}  // namespace greenlight::results
