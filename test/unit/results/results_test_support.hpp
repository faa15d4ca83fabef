// Shared helpers for the results parser tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "greenlight/results/parsers.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::results::testing {

inline std::filesystem::path data_path(std::string_view relative) {
    return std::filesystem::path(GREENLIGHT_TEST_DATA) / "results" / relative;
}

inline std::string read_data(std::string_view relative) {
    util::Result<std::string> content = util::read_file(data_path(relative));
    if (!content) ADD_FAILURE() << content.message();
    return content ? *content : std::string();
}

// The parsed results, or an empty value and a test failure naming the parse failure.
inline ParsedResults expect_parsed(const ParseOutcome& outcome) {
    if (!outcome) {
        ADD_FAILURE() << "expected results, got a parse failure: " << outcome.error().to_string();
        return {};
    }
    return *outcome;
}

inline ParseFailure expect_failure(const ParseOutcome& outcome) {
    if (outcome) {
        ADD_FAILURE() << "expected a parse failure, got " << outcome->counts.total << " tests";
        return {};
    }
    return outcome.error();
}

inline const TestCase* find_case(const ParsedResults& results, std::string_view name) {
    auto found = std::find_if(results.cases.begin(), results.cases.end(),
                              [&](const TestCase& test_case) { return test_case.name == name; });
    return found == results.cases.end() ? nullptr : &*found;
}

// What a user checks first: how many tests ran and how they ended.
struct ExpectedCounts {
    std::int64_t total, passed, failed, errored, skipped;
};

inline void expect_counts(const TestCounts& counts, ExpectedCounts expected) {
    EXPECT_EQ(counts.total, expected.total) << "total";
    EXPECT_EQ(counts.passed, expected.passed) << "passed";
    EXPECT_EQ(counts.failed, expected.failed) << "failed";
    EXPECT_EQ(counts.errored, expected.errored) << "errored";
    EXPECT_EQ(counts.skipped, expected.skipped) << "skipped";
    EXPECT_EQ(counts.total, counts.passed + counts.failed + counts.errored + counts.skipped) << "sum";
}

}  // namespace greenlight::results::testing
