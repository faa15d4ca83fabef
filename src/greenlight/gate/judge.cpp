// `greenlight gate` as one call: the inputs read, the risk assessed, coverage computed, the gates evaluated.
#include "greenlight/gate/judge.hpp"

#include <fmt/format.h>

#include <future>

#include "greenlight/diff/git.hpp"
#include "greenlight/gate/patch_coverage.hpp"
#include "greenlight/gate/risk.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::gate {

namespace fs = std::filesystem;

namespace {

// Every file the repository tracks, for mapping report paths; outside a git checkout (a saved diff elsewhere)
// the changed files are all that is known.
std::vector<std::string> repository_files(const ChangeSource& source, const diff::Diff& change) {
    if (auto listed = diff::git_ls_files(source.repo)) return *listed;
    std::vector<std::string> files;
    for (const auto& file : change.files) files.push_back(file.path());
    return files;
}

}  // namespace

std::string head_commit(const GateRequest& request) {
    if (request.change.diff_file.empty()) {
        if (auto commit = diff::git_commit_id(request.change.repo, request.change.head)) return *commit;
    }
    return request.event_head_sha;
}

namespace {

// A reason found outside the rules (an edit of the gate config): it raises the tier like any rule's.
void add_reason(RiskAssessment& risk, RiskReason reason) {
    risk.tier = std::max(risk.tier, reason.tier);
    risk.docs_only = false;
    risk.generated_only = false;
    risk.reasons.insert(risk.reasons.begin(), std::move(reason));
}

}  // namespace

util::Result<diff::Diff> read_change(const ChangeSource& source) {
    if (!source.diff_file.empty()) {
        auto text = util::read_file(source.diff_file);
        if (!text) return text.error();
        auto parsed = diff::parse_unified_diff(*text);
        if (!parsed) {
            const diff::DiffParseError& error = parsed.error();
            return util::make_error(fmt::format("{}:{}: {}", source.diff_file, error.line, error.message));
        }
        return std::move(parsed).value();
    }
    if (source.base.empty()) return util::make_error("give --base REV (with --head, default HEAD) or --diff-file FILE");
    return diff::git_diff(source.repo, source.base, source.head);
}

util::Result<std::vector<GateObservation>> read_gate_states(const GateRequest& request) {
    std::vector<GateObservation> observations;
    for (const auto& file : request.checks) {
        auto read = read_checks_file(file, request.config);
        if (!read) return read.error();
        observations.insert(observations.end(), read->begin(), read->end());
    }
    for (const auto& file : request.summaries) {
        auto read = read_run_summary(file);
        if (!read) return read.error();
        observations.push_back(std::move(*read));
    }
    for (const auto& file : request.proofs) {
        auto read = read_proof(file);
        if (!read) return read.error();
        observations.push_back(std::move(*read));
    }
    observations.insert(observations.end(), request.observations.begin(), request.observations.end());
    return observations;
}

util::Result<std::vector<coverage::Report>> read_coverage_reports(const std::vector<fs::path>& files,
                                                                  std::optional<coverage::ReportFormat> format) {
    std::vector<coverage::Report> reports;
    for (const auto& file : files) {
        auto parsed = coverage::parse_report_file(file, format);
        if (!parsed) return util::make_error(parsed.error().to_string());
        reports.push_back(std::move(parsed).value());
    }
    return reports;
}

ContentCheck same_content_as_head(const ChangeSource& source) {
    return [source](const std::string& old_sha) {
        auto old_tree = diff::git_tree_id(source.repo, old_sha);
        auto head_tree = diff::git_tree_id(source.repo, source.head);
        if (old_tree && head_tree && *old_tree == *head_tree) return true;
        if (source.base.empty()) return false;
        auto old_patch = diff::git_patch_id(source.repo, source.base, old_sha);
        auto head_patch = diff::git_patch_id(source.repo, source.base, source.head);
        return old_patch && head_patch && !old_patch->empty() && *old_patch == *head_patch;
    };
}

util::Result<GateReport> judge(const GateRequest& given) {
    GateRequest request = given;
    GateReport report;
    if (given.rules) {
        auto rules = given.rules_read ? util::Result<GateRules>(*given.rules_read) : read_gate_rules(*given.rules);
        if (!rules) return rules.error();
        request.config = std::move(rules->config);
        report.rules_origin = std::move(rules->origin);
        report.rules_notes = std::move(rules->notes);
    }

    // Large reports take as long to parse as git takes to diff: both at once.
    auto head_reports = std::async(std::launch::async,
                                   [&] { return read_coverage_reports(request.coverage, request.coverage_format); });
    auto base_reports = std::async(
        std::launch::async, [&] { return read_coverage_reports(request.base_coverage, request.coverage_format); });
    auto change = read_change(request.change);
    auto head_coverage_reports = head_reports.get();
    auto base_coverage_reports = base_reports.get();
    if (!change) return change.error();
    auto observations = read_gate_states(request);
    if (!observations) return observations.error();
    if (!head_coverage_reports) return head_coverage_reports.error();
    if (!base_coverage_reports) return base_coverage_reports.error();

    report.head_sha = head_commit(request);
    std::vector<std::string> paths;
    for (const auto& file : change->files) paths.push_back(file.path());
    const std::vector<bool> generated =
        diff::git_attribute_set(request.change.repo, "linguist-generated", paths).value_or({});
    RiskAssessment risk = assess_risk(*change, request.config, generated);
    if (request.rules) {
        auto edits = gate_config_changes(*request.rules, *change);
        if (!edits) return edits.error();
        for (auto& edit : *edits) add_reason(risk, std::move(edit));
    }

    if (!request.coverage.empty()) {
        const auto files = repository_files(request.change, *change);
        const fs::path root = fs::absolute(request.change.repo);
        const coverage::Coverage head = coverage::map_to_repository(std::move(*head_coverage_reports), files, root);
        report.patch = compute_patch_coverage(*change, head, risk);
        observations->push_back(patch_coverage_gate(*report.patch, request.config, report.head_sha));
        if (!request.base_coverage.empty()) {
            const coverage::Coverage base = coverage::map_to_repository(std::move(*base_coverage_reports), files, root);
            observations->push_back(project_coverage_gate(coverage::project_ratio(head), coverage::project_ratio(base),
                                                          request.config, report.head_sha));
        }
    }
    const ContentCheck same_content =
        request.stale_on == StaleOn::tree ? same_content_as_head(request.change) : ContentCheck{};
    report.evaluation = evaluate(risk, request.labels, *observations, request.config, report.head_sha, same_content);
    return report;
}

}  // namespace greenlight::gate
