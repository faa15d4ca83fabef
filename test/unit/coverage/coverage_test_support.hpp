// Helpers shared by the coverage tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <variant>

#include "greenlight/coverage/coverage.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::coverage::testing {

inline std::string data_path(const std::string& name) {
    return std::string(GREENLIGHT_TEST_DATA) + "/coverage/" + name;
}

inline std::string read_data(const std::string& name) {
    util::Result<std::string> content = util::read_file(data_path(name));
    EXPECT_TRUE(content.ok()) << name;
    return content.ok() ? *content : std::string();
}

// Parses a report the test expects to be valid, failing the test with the parser's message otherwise.
inline Report parse_ok(std::string_view text, std::optional<ReportFormat> format = std::nullopt) {
    ReportOutcome outcome = parse_report(text, "report", format);
    if (!outcome) {
        ADD_FAILURE() << outcome.error().to_string();
        return {};
    }
    return std::move(outcome).value();
}

inline ReportParseError parse_error(std::string_view text, std::optional<ReportFormat> format = std::nullopt) {
    ReportOutcome outcome = parse_report(text, "bad", format);
    if (!outcome) return outcome.error();
    ADD_FAILURE() << "expected a parse error";
    return {};
}

// (measured lines, covered lines) of one file.
inline std::pair<int, int> counts(const FileCoverage& file) {
    int covered = 0;
    for (const auto& [line, hits] : file.lines) {
        if (hits > 0) ++covered;
    }
    return {static_cast<int>(file.lines.size()), covered};
}

inline std::pair<int, int> counts(const std::map<std::string, FileCoverage>& files, const std::string& path) {
    const auto found = files.find(path);
    if (found == files.end()) {
        ADD_FAILURE() << "no coverage for " << path;
        return {-1, -1};
    }
    return counts(found->second);
}

}  // namespace greenlight::coverage::testing
