// Patch coverage: of the lines a change adds that a coverage report measures, how many ran.
#pragma once

#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/coverage/coverage.hpp"
#include "greenlight/diff/unified_diff.hpp"
#include "greenlight/gate/gates.hpp"

namespace greenlight::gate {

struct LineRange {
    std::int64_t first = 0;
    std::int64_t last = 0;
};

struct FilePatchCoverage {
    std::string path;
    coverage::Ratio ratio;
    std::vector<LineRange> uncovered;  // added lines measured and not covered, as ranges
};

struct PatchCoverage {
    coverage::Ratio ratio;                 // over every measured added line
    std::vector<FilePatchCoverage> files;  // files with at least one measured added line, by path
    // Changed source files with added lines that no report measures at all: listed, never dropped.
    std::vector<std::string> unmeasured_files;
    std::vector<std::string> unmeasured_critical;  // of those, files a rule of tier R2 or above matches
};

// Counts added lines of files that are not deleted; a file is a source file when its extension is a
// programming language's (documentation and data files are not expected in coverage reports).
PatchCoverage compute_patch_coverage(const diff::Diff& diff, const coverage::Coverage& coverage,
                                     const RiskAssessment& risk);

// The patch-coverage gate: passes at `minimum - threshold` percent or more, or when no added line is
// measurable (n/a, said so); fails when a critical-zone source file has no coverage data.
GateObservation patch_coverage_gate(const PatchCoverage& patch, const config::GateConfig& gate,
                                    const std::string& head_sha);

// The project-coverage gate: passes when head's total drops by at most `project_max_drop` points.
GateObservation project_coverage_gate(const coverage::Ratio& head, const coverage::Ratio& base,
                                      const config::GateConfig& gate, const std::string& head_sha);

}  // namespace greenlight::gate
