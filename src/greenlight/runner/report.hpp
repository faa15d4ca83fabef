// The run's reports: result.json per suite, summary.json (greenlight.summary/v1), summary.md,
// the merged junit.xml and GitHub annotations. Markdown and annotations are made from the summary
// JSON, so a merged run renders exactly like a single one.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/runner/outcome.hpp"

namespace greenlight::runner {

inline constexpr const char* k_summary_schema = "greenlight.summary/v1";
inline constexpr const char* k_suite_result_schema = "greenlight.suite-result/v1";

using Shard = verdict::Shard;

// The smoke guard's outcome, as the run records it.
struct PreflightRecord {
    bool green = false;
    std::string verdict;  // "pass" or "fail"
    std::string reason;
    std::string path;  // bundle-relative folder of its outputs
    std::chrono::milliseconds duration{0};
};

struct RunRecord {
    std::string project;
    std::string run_id;
    std::string tier;
    bool complete = true;
    std::string started_at;
    std::string finished_at;
    std::chrono::milliseconds duration{0};
    std::string git_sha;
    std::string git_ref;
    verdict::RunScope scope = verdict::RunScope::tier;
    std::optional<Shard> shard;
    std::vector<std::string> other_shards_suites;  // with `shard`: the tier's suites that other shards run
    std::optional<PreflightRecord> smoke;
    std::vector<SuiteOutcome> suites;
    std::vector<std::string> not_run;  // planned but never started (the run was interrupted or stopped)
    Verdict verdict = Verdict::no_tests;
    bool green = false;
    std::string reason;
};

nlohmann::json suite_result_json(const SuiteOutcome& suite, const std::string& tier);
nlohmann::json summary_json(const RunRecord& run);

std::string summary_markdown(const nlohmann::json& summary);
std::string merged_junit(const std::vector<SuiteOutcome>& suites, const std::string& run_name);
// Joins the <testsuite> elements of several junit.xml texts under one <testsuites>.
std::string join_junit(const std::vector<std::string>& documents, const std::string& run_name);
// `::error title=...::message` lines for red suites (GitHub Actions workflow commands).
std::vector<std::string> github_annotations(const nlohmann::json& summary);

}  // namespace greenlight::runner
