#include "greenlight/gate/patch_coverage.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <set>

#include "greenlight/util/glob.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::gate {

namespace {

// Headers are left out: a declaration-only header never appears in a coverage report.
const std::set<std::string> k_source_extensions = {
    "c",      "cc",  "cpp", "cxx", "m",   "mm", "go",  "rs", "py",  "pyx", "java",   "kt",    "kts",  "scala",
    "groovy", "js",  "jsx", "mjs", "cjs", "ts", "tsx", "rb", "php", "cs",  "fs",     "swift", "dart", "ex",
    "exs",    "erl", "hs",  "lua", "pl",  "pm", "r",   "jl", "clj", "vue", "svelte", "sh",    "bash"};

// Test code is what produces coverage, not what coverage measures.
constexpr const char* k_test_file_globs[] = {"test_*.py",  "*_test.py",  "*_test.go", "*_test.cc",
                                             "*_test.cpp", "*.test.*",   "*.spec.*",  "tests/",
                                             "test/",      "__tests__/", "testing/"};

bool is_test_file(const std::string& path) {
    for (const char* glob : k_test_file_globs) {
        if (util::glob_match(glob, path)) return true;
    }
    return false;
}

bool is_source_file(const std::string& path) {
    if (is_test_file(path)) return false;
    auto slash = path.rfind('/');
    auto dot = path.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
    const std::string extension = util::lowercase(std::string_view(path).substr(dot + 1));
    return k_source_extensions.count(extension) > 0;
}

// Exact comparison of covered/measured against percent/100 without floating point.
bool ratio_at_least(const coverage::Ratio& ratio, std::int64_t percent) {
    return static_cast<__int128>(ratio.covered) * 100 >= static_cast<__int128>(percent) * ratio.measured;
}

}  // namespace

PatchCoverage compute_patch_coverage(const diff::Diff& diff, const coverage::Coverage& coverage,
                                     const RiskAssessment& risk) {
    PatchCoverage patch;
    for (const auto& file : diff.files) {
        if (file.change == diff::FileChange::deleted || file.added.empty() || file.binary) continue;
        auto measured = coverage.files.find(file.new_path);
        if (measured == coverage.files.end()) {
            if (is_source_file(file.new_path)) {
                patch.unmeasured_files.push_back(file.new_path);
                bool critical = std::any_of(risk.reasons.begin(), risk.reasons.end(), [&](const RiskReason& reason) {
                    return reason.path == file.new_path && reason.tier >= config::RiskTier::r2_medium;
                });
                if (critical) patch.unmeasured_critical.push_back(file.new_path);
            }
            continue;
        }
        FilePatchCoverage result;
        result.path = file.new_path;
        for (const auto& added : file.added) {
            auto line = measured->second.lines.find(added.number);
            if (line == measured->second.lines.end()) continue;
            ++result.ratio.measured;
            if (line->second > 0) {
                ++result.ratio.covered;
            } else if (!result.uncovered.empty() && result.uncovered.back().last + 1 == added.number) {
                result.uncovered.back().last = added.number;
            } else {
                result.uncovered.push_back({added.number, added.number});
            }
        }
        if (result.ratio.measured == 0) continue;
        patch.ratio.measured += result.ratio.measured;
        patch.ratio.covered += result.ratio.covered;
        patch.files.push_back(std::move(result));
    }
    std::sort(patch.files.begin(), patch.files.end(),
              [](const FilePatchCoverage& a, const FilePatchCoverage& b) { return a.path < b.path; });
    return patch;
}

GateObservation patch_coverage_gate(const PatchCoverage& patch, const config::GateConfig& gate,
                                    const std::string& head_sha) {
    GateObservation observation;
    observation.gate = "patch-coverage";
    observation.sha = head_sha;
    observation.source = "coverage reports";
    const std::int64_t pass_at = std::max<std::int64_t>(0, gate.patch_coverage_minimum - gate.patch_coverage_threshold);
    if (!patch.unmeasured_critical.empty()) {
        observation.state = GateState::failed;
        observation.detail =
            fmt::format("{} critical-zone file{} without coverage data: {}", patch.unmeasured_critical.size(),
                        patch.unmeasured_critical.size() == 1 ? "" : "s", fmt::join(patch.unmeasured_critical, ", "));
        return observation;
    }
    if (!patch.ratio.measurable()) {
        observation.state = GateState::passed;
        observation.detail = "n/a: no added line is measured by the coverage reports";
    } else {
        observation.state = ratio_at_least(patch.ratio, pass_at) ? GateState::passed : GateState::failed;
        // Inside the band of ±threshold points around the minimum the gate passes, but narrowly: say so.
        if (observation.state == GateState::passed && gate.patch_coverage_threshold > 0) {
            if (!ratio_at_least(patch.ratio, gate.patch_coverage_minimum)) {
                observation.warning = fmt::format(
                    "patch coverage {} is below the {}% minimum; it passes only within the {}-point threshold",
                    patch.ratio.percent_text(), gate.patch_coverage_minimum, gate.patch_coverage_threshold);
            } else if (!ratio_at_least(patch.ratio, gate.patch_coverage_minimum + gate.patch_coverage_threshold)) {
                observation.warning =
                    fmt::format("patch coverage {} is within {} points of the {}% minimum", patch.ratio.percent_text(),
                                gate.patch_coverage_threshold, gate.patch_coverage_minimum);
            }
        }
        observation.detail =
            fmt::format("{} of {} added lines covered ({}); passes at {}% ({}% minimum, {} points threshold)",
                        patch.ratio.covered, patch.ratio.measured, patch.ratio.percent_text(), pass_at,
                        gate.patch_coverage_minimum, gate.patch_coverage_threshold);
    }
    if (!patch.unmeasured_files.empty()) {
        observation.detail += fmt::format("; not measured by any report: {}", fmt::join(patch.unmeasured_files, ", "));
    }
    return observation;
}

GateObservation project_coverage_gate(const coverage::Ratio& head, const coverage::Ratio& base,
                                      const config::GateConfig& gate, const std::string& head_sha) {
    GateObservation observation;
    observation.gate = "project-coverage";
    observation.sha = head_sha;
    observation.source = "coverage reports (head and base)";
    if (!head.measurable() || !base.measurable()) {
        observation.state = GateState::missing;
        observation.detail = "no measured lines in the head or base reports";
        return observation;
    }
    // head/hm >= base/bm - drop/100  <=>  100*head*bm >= 100*base*hm - drop*hm*bm   (all integers)
    const __int128 head_covered = head.covered, head_measured = head.measured;
    const __int128 base_covered = base.covered, base_measured = base.measured;
    const bool holds =
        100 * head_covered * base_measured >=
        100 * base_covered * head_measured - gate.project_coverage_max_drop * head_measured * base_measured;
    observation.state = holds ? GateState::passed : GateState::failed;
    observation.detail = fmt::format("{} now, {} on base (at most {} points lower allowed)", head.percent_text(),
                                     base.percent_text(), gate.project_coverage_max_drop);
    return observation;
}

}  // namespace greenlight::gate
