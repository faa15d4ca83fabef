// `greenlight gate` as one library call: read the change (git or a saved diff), the gate states and the
// coverage reports a user names, assess the risk, compute coverage, and evaluate the gates. The command only
// parses flags, prints the report and maps it to an exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/coverage/coverage.hpp"
#include "greenlight/diff/unified_diff.hpp"
#include "greenlight/gate/report.hpp"
#include "greenlight/gate/rules_source.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::gate {

// When a gate that passed at an older commit still counts.
enum class StaleOn {
    commit,  // any new commit makes it stale
    tree,    // only new content does: the same tree, or the same patch id against base
};

struct GateRequest {
    // Where the rules come from (the base commit's greenlight.yml, ...); when empty, `config` is used as given.
    std::optional<RulesRequest> rules;
    // The rules `rules` names, when the caller has read them already (gate --wait needs them first).
    std::optional<GateRules> rules_read;
    config::GateConfig config;
    ChangeSource change;
    std::vector<std::string> labels;            // the labels the change carries (flags and the pull request's)
    std::string event_head_sha;                 // the pull request's head commit, used when the change is a saved diff
    std::vector<std::filesystem::path> checks;  // checks JSON files
    std::vector<std::filesystem::path> summaries;           // run summaries (the ci gate)
    std::vector<std::filesystem::path> proofs;              // proof files (the e2e-proof gate)
    std::vector<std::filesystem::path> coverage;            // head's coverage reports (patch coverage)
    std::vector<std::filesystem::path> base_coverage;       // base's (project coverage)
    std::optional<coverage::ReportFormat> coverage_format;  // every report's format; empty: detect each
    std::vector<GateObservation> observations;              // gathered by the caller (gate --wait's polled checks)
    StaleOn stale_on = StaleOn::commit;
};

// The commit the gates are judged at: head's commit id in a git checkout, else the pull request's head (empty
// when neither is known).
std::string head_commit(const GateRequest& request);

// The change as a parsed diff. Errors name the diff file and line, or what git said.
util::Result<diff::Diff> read_change(const ChangeSource& source);

// Every gate state the files report, in the order given. Errors name the file.
util::Result<std::vector<GateObservation>> read_gate_states(const GateRequest& request);

// The coverage reports, parsed. Errors name the file and, where the format has one, the line.
util::Result<std::vector<coverage::Report>> read_coverage_reports(
    const std::vector<std::filesystem::path>& files, std::optional<coverage::ReportFormat> format = std::nullopt);

// The content check of `StaleOn::tree`: a gate that passed at `old_sha` counts at head when both commits have
// the same tree, or (with a base) the same patch id against it.
ContentCheck same_content_as_head(const ChangeSource& source);

// The whole decision. An error is bad input (a file that cannot be read or parsed, no change named).
util::Result<GateReport> judge(const GateRequest& request);

}  // namespace greenlight::gate
