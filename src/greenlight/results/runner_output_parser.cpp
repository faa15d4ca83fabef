// Counts from the closing lines test runners print. Where a runner prints one summary, it is read from the
// end of the output (test output before it may contain look-alike lines); where it prints one per package,
// binary or block (go, cargo), every one is read, and a block that never finished counts as errored.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "greenlight/results/parse_support.hpp"
#include "greenlight/results/parsers.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::results {

namespace {

// Larger counts are no runner's output; refusing them keeps sums far from overflow on hostile input.
constexpr std::int64_t k_max_reported_count = 1'000'000'000'000;

std::optional<std::int64_t> read_count(std::string_view digits) {
    std::optional<std::int64_t> count = support::parse_count(digits);
    if (!count || *count > k_max_reported_count) return std::nullopt;
    return count;
}

std::vector<std::string> clean_lines(std::string_view output) {
    std::vector<std::string> lines;
    for (std::string_view line : util::split_lines(output)) lines.push_back(support::strip_terminal_codes(line));
    return lines;
}

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

void finish_total(TestCounts& counts) {
    counts.total = counts.passed + counts.failed + counts.errored + counts.skipped;
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
        if (word == "passed" || word == "xpassed") counts.passed += counted->count;
        else if (word == "failed") counts.failed += counted->count;
        else if (word == "error" || word == "errors") counts.errored += counted->count;
        else if (word == "skipped" || word == "xfailed") counts.skipped += counted->count;
        // warnings, deselected, rerun and plugins' words are not test outcomes.
    }
    return counts;
}

ParseOutcome parse_pytest(const std::vector<std::string>& lines, std::string_view source) {
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
        if (std::optional<TestCounts> counts = read_pytest_summary(*line)) {
            return counts_only(ResultsFormat::pytest, *counts);
        }
    }
    return no_summary(source, "no pytest summary line found (expected a closing line like "
                              "`===== 3 passed, 1 failed in 0.12s =====` or `no tests ran in 0.01s`)");
}

// ---- go test: `--- PASS:` / `--- FAIL:` / `--- SKIP:` per test (subtests included, as gotestsum counts
// them), and one `ok`, `FAIL` or `?` line per package. Without -v, go prints no line for a passing test, so a
// passing package with no test lines counts as one passed test; a failed package with no failing test line
// (build failure, panic outside a test, timeout, os.Exit in TestMain) counts as one errored test.

struct GoPackageTally {
    std::int64_t passed = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;

    bool empty() const { return passed == 0 && failed == 0 && skipped == 0; }
};

// What follows the package on a package line: `0.003s`, `(cached)`, `[no test files]`, `[build failed]`.
// Requiring it keeps a test's own `ok ...` output from passing for a package line.
bool is_go_package_line_end(std::string_view word) {
    if (word == "(cached)" || word.starts_with('[')) return true;
    if (word.size() < 2 || !word.ends_with('s')) return false;
    const std::string_view number = word.substr(0, word.size() - 1);
    return std::all_of(number.begin(), number.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

ParseOutcome parse_go(const std::vector<std::string>& lines, std::string_view source) {
    TestCounts counts;
    GoPackageTally tally;
    bool found = false;
    auto add_tally = [&] {
        counts.passed += tally.passed;
        counts.failed += tally.failed;
        counts.skipped += tally.skipped;
    };
    for (const std::string& line : lines) {
        const std::string_view text = util::trim(line);
        if (text.starts_with("--- PASS: ")) {
            ++tally.passed;
        } else if (text.starts_with("--- FAIL: ")) {
            ++tally.failed;
        } else if (text.starts_with("--- SKIP: ")) {
            ++tally.skipped;
        } else {
            if (!line.starts_with("ok") && !line.starts_with("FAIL") && !line.starts_with("?")) continue;
            const std::vector<std::string_view> words = split_words(line);
            if (words.size() < 3 || !is_go_package_line_end(words[2])) continue;
            if (words[0] == "ok") {
                if (tally.empty() && line.find("[no tests to run]") == std::string::npos) ++counts.passed;
            } else if (words[0] == "FAIL") {
                if (tally.failed == 0) ++counts.errored;
            } else if (words[0] == "?" && line.find("[no test files]") != std::string::npos) {
                // a package without tests
            } else {
                continue;
            }
            found = true;
            add_tally();
            tally = {};
        }
    }
    if (!tally.empty()) {
        // Test lines after the last package line: the package never finished (killed, or output cut).
        found = true;
        add_tally();
        ++counts.errored;
    }
    if (!found) {
        return no_summary(source, "no go test result lines found (expected `ok  <package>` / `FAIL <package>` "
                                  "lines or `--- PASS:` / `--- FAIL:` lines)");
    }
    return counts_only(ResultsFormat::go, counts);
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

ParseOutcome parse_ctest(const std::vector<std::string>& lines, std::string_view source) {
    for (size_t index = lines.size(); index-- > 0;) {
        const std::string_view text = util::trim(lines[index]);
        if (text == "No tests were found!!!") return counts_only(ResultsFormat::ctest, {});
        const std::optional<CtestSummary> summary = read_ctest_summary(text);
        if (!summary) continue;

        // ctest counts skipped tests among the passed ones and leaves disabled ones out of "out of N";
        // its list of tests that did not run tells them apart.
        std::int64_t skipped = 0;
        std::int64_t disabled = 0;
        bool in_not_run_list = false;
        for (size_t after = index + 1; after < lines.size(); ++after) {
            const std::string_view entry = util::trim(lines[after]);
            if (entry == "The following tests did not run:") {
                in_not_run_list = true;
                continue;
            }
            if (!in_not_run_list) continue;
            const size_t dash = entry.find(" - ");
            if (dash == std::string_view::npos || !read_count(entry.substr(0, dash)) || !entry.ends_with(')')) break;
            if (entry.ends_with("(Disabled)")) ++disabled;
            else ++skipped;
        }
        TestCounts counts;
        counts.failed = summary->failed;
        skipped = std::min(skipped, summary->total - summary->failed);
        counts.skipped = skipped + disabled;
        counts.passed = summary->total - summary->failed - skipped;
        return counts_only(ResultsFormat::ctest, counts);
    }
    return no_summary(source, "no ctest summary line found (expected `100% tests passed, 0 tests failed out of 4` "
                              "or `No tests were found!!!`)");
}

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
        if (words[1] == "passed" || words[1] == "measured") counts.passed += *count;
        else if (words[1] == "failed") counts.failed += *count;
        else if (words[1] == "ignored") counts.skipped += *count;
        any = true;
    }
    if (!any) return std::nullopt;
    return counts;
}

ParseOutcome parse_cargo(const std::vector<std::string>& lines, std::string_view source) {
    TestCounts counts;
    std::optional<CargoBlock> open;
    bool found = false;
    // A binary that died (signal, abort) prints no result line: what it reported counts, the rest errored.
    auto close_unfinished = [&] {
        if (!open) return;
        counts.passed += open->passed;
        counts.failed += open->failed;
        counts.skipped += open->ignored;
        const std::int64_t reported = open->passed + open->failed + open->ignored;
        counts.errored += std::max<std::int64_t>(1, open->announced - reported);
        open.reset();
    };
    for (const std::string& line : lines) {
        const std::string_view text = util::trim(line);
        if (std::optional<std::int64_t> announced = read_cargo_running(text)) {
            close_unfinished();
            open = CargoBlock{*announced, 0, 0, 0};
            found = true;
        } else if (std::optional<TestCounts> result = read_cargo_result(text)) {
            counts.passed += result->passed;
            counts.failed += result->failed;
            counts.skipped += result->skipped;
            open.reset();
            found = true;
        } else if (open && text.starts_with("test ")) {
            const size_t dots = text.rfind(" ... ");
            if (dots == std::string_view::npos) continue;
            const std::string_view outcome = text.substr(dots + 5);
            if (outcome == "ok") ++open->passed;
            else if (outcome == "FAILED") ++open->failed;
            else if (outcome.starts_with("ignored")) ++open->ignored;
        }
    }
    close_unfinished();
    if (!found) {
        return no_summary(source, "no cargo test summary found (expected `running N tests` and "
                                  "`test result: ok. 3 passed; 0 failed; ...` lines)");
    }
    return counts_only(ResultsFormat::cargo, counts);
}

// ---- node --test: `# tests 4` / `# pass 3` ... (TAP reporter) or `ℹ tests 4` ... (spec reporter).

constexpr std::string_view k_spec_info_mark = "\u2139 ";

struct NodeEntry {
    std::string_view prefix;
    std::string_view key;
    std::string_view value;
};

std::optional<NodeEntry> read_node_entry(std::string_view text) {
    NodeEntry entry;
    if (text.starts_with("# ")) entry.prefix = "# ";
    else if (text.starts_with(k_spec_info_mark)) entry.prefix = k_spec_info_mark;
    else return std::nullopt;
    const std::vector<std::string_view> words = split_words(text.substr(entry.prefix.size()));
    if (words.size() != 2) return std::nullopt;
    entry.key = words[0];
    entry.value = words[1];
    return entry;
}

ParseOutcome parse_node(const std::vector<std::string>& lines, std::string_view source) {
    for (size_t index = lines.size(); index-- > 0;) {
        const std::optional<NodeEntry> first = read_node_entry(util::trim(lines[index]));
        if (!first || first->key != "tests") continue;
        const std::optional<std::int64_t> tests = read_count(first->value);
        if (!tests) continue;

        TestCounts counts;
        for (size_t after = index + 1; after < lines.size(); ++after) {
            const std::optional<NodeEntry> entry = read_node_entry(util::trim(lines[after]));
            if (!entry || entry->prefix != first->prefix) break;
            const std::optional<std::int64_t> value = read_count(entry->value);
            if (!value) continue;  // duration_ms is not a count
            // A todo test neither passes nor fails the run (node counts it apart), like TAP's TODO: skipped.
            if (entry->key == "pass") counts.passed += *value;
            else if (entry->key == "fail") counts.failed += *value;
            else if (entry->key == "cancelled") counts.errored += *value;
            else if (entry->key == "skipped" || entry->key == "todo") counts.skipped += *value;
        }
        // Tests node counted but did not place in any outcome did not pass.
        const std::int64_t placed = counts.passed + counts.failed + counts.errored + counts.skipped;
        if (*tests > placed) counts.errored += *tests - placed;
        return counts_only(ResultsFormat::node, counts);
    }
    return no_summary(source, "no node --test summary found (expected `# tests N`, `# pass N`, `# fail N` lines "
                              "from the TAP reporter or `\u2139 tests N` lines from the spec reporter)");
}

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

ParseOutcome parse_plain(const std::vector<std::string>& lines, std::string_view source) {
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
        if (std::optional<TestCounts> counts = read_plain_summary(*line)) {
            return counts_only(ResultsFormat::plain, *counts);
        }
    }
    return no_summary(source, "no summary line found (expected a line like `3 passed, 0 failed` or "
                              "`results: 3 passed, 0 failed, 1 skipped`)");
}

}  // namespace

ParseOutcome parse_runner_output(ResultsFormat format, std::string_view output, std::string_view source_name) {
    switch (format) {
    case ResultsFormat::junit: return parse_junit(output, source_name);
    case ResultsFormat::tap: return parse_tap(output, source_name);
    default: break;
    }
    const std::vector<std::string> lines = clean_lines(output);
    switch (format) {
    case ResultsFormat::pytest: return parse_pytest(lines, source_name);
    case ResultsFormat::go: return parse_go(lines, source_name);
    case ResultsFormat::ctest: return parse_ctest(lines, source_name);
    case ResultsFormat::cargo: return parse_cargo(lines, source_name);
    case ResultsFormat::node: return parse_node(lines, source_name);
    case ResultsFormat::plain: return parse_plain(lines, source_name);
    default: break;
    }
    return ParseFailure{std::string(source_name), 0, 0, "unknown results format"};
}

}  // namespace greenlight::results
