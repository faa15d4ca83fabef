// What every coverage fuzz target checks: a report or a positioned error, never a crash or a nonsense figure.
#pragma once

#include <cstdlib>
#include <optional>
#include <string_view>

#include "greenlight/coverage/coverage.hpp"

namespace greenlight::coverage::fuzz {

inline void check_outcome(std::string_view input, std::optional<ReportFormat> format) {
    const ReportOutcome outcome = parse_report(input, "fuzz", format);
    if (outcome) {
        const Report& report = *outcome;
        for (const auto& [path, file] : report.files) {
            for (const auto& [line, hits] : file.lines) {
                // Line 0 and negative lines are refused or skipped; negative counts become 0.
                if (line < 1 || hits < 0) std::abort();
            }
        }
        // Mapping must cope with whatever paths a report names, and the figures must stay consistent.
        const Coverage coverage = map_to_repository({report}, {"src/a.c", "a/b/c.go", "x.py"}, "/repo");
        const Ratio ratio = project_ratio(coverage);
        if (ratio.covered < 0 || ratio.covered > ratio.measured) std::abort();
        if (ratio.percent_text().empty()) std::abort();
    } else {
        const ReportParseError& error = outcome.error();
        if (error.message.empty() || error.line < 0 || error.column < 0) std::abort();
        (void)error.to_string();
    }
}

}  // namespace greenlight::coverage::fuzz
