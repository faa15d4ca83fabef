// What a suite's results say: per-test outcomes (JUnit, TAP) or just counts (runner output lines).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::results {

enum class TestOutcome { passed, failed, errored, skipped };

std::string_view to_string(TestOutcome outcome);

struct TestCase {
    std::string suite;      // <testsuite name> or the TAP subtest path
    std::string classname;  // JUnit classname, empty for TAP
    std::string name;
    TestOutcome outcome = TestOutcome::passed;
    double seconds = 0;
    std::string message;  // failure/error/skip message, trimmed
    std::string details;  // failure body, capped to a few KiB
    std::string output;   // the case's <system-out> and <system-err> (JUnit), capped to a few KiB
    std::string file;     // where the report places the test or its failure, as written there; empty when unknown
    int line = 0;         // 1-based line in `file`; 0 when unknown
};

struct TestCounts {
    std::int64_t total = 0;  // passed + failed + errored + skipped
    std::int64_t passed = 0;
    std::int64_t failed = 0;
    std::int64_t errored = 0;
    std::int64_t skipped = 0;

    // Tests that actually ran (skipped ones did not).
    std::int64_t executed() const { return total - skipped; }
    // Tests that did not pass among those that ran.
    std::int64_t not_passed() const { return failed + errored; }
};

// Where the results came from, for messages and summary.json.
enum class ResultsFormat { junit, tap, pytest, go, ctest, cargo, node, plain };

std::string_view to_string(ResultsFormat format);
std::optional<ResultsFormat> parse_results_format(std::string_view name);

struct ParsedResults {
    ResultsFormat format = ResultsFormat::junit;
    TestCounts counts;
    std::vector<TestCase> cases;  // empty for formats that only give counts
};

// A parse failure with a position, so the message can say file:line:column.
struct ParseFailure {
    std::string source;  // file name or "output"
    int line = 0;        // 1-based, 0 when unknown
    int column = 0;      // 1-based, 0 when unknown
    std::string message;

    // "junit.xml:12:5: unexpected end of file" (line/column omitted when unknown).
    std::string to_string() const;
};

}  // namespace greenlight::results
