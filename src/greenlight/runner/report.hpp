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

// Which containment the run's suites ran under, and what an earlier, killed greenlight had left running.
struct ContainmentRecord {
    std::string mode;             // "cgroup" or "process-group"
    std::string fallback_reason;  // why not cgroup
    std::vector<process::SweptSession> swept;
};

// A run as the runner saw it: what ran, each suite's outcome, the verdict; summary.json is written from it.
struct RunOutcome {
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
    ContainmentRecord containment;
    Verdict verdict = Verdict::no_tests;
    bool green = false;
    std::string reason;
};

// How many failing tests of a suite the reports name one by one (summary.json, summary.md, annotations);
// the rest are counted ("and N more").
inline constexpr size_t k_failing_tests_listed = 10;

// What the reports show of a suite's tests: summary.json's counts and junit.xml's <testsuite> alike.
struct ReportedTests {
    results::TestCounts counts;
    // A test case that stands for a verdict the suite's own counts do not explain (a crash, a timeout,
    // unreadable results, an inconsistency, too few tests, a flaky suite the tier does not accept, a missing
    // requirement): counted in `counts` too, so both reports agree.
    std::optional<results::TestCase> verdict_case;
};

// The one rule for the counts every report of a suite shows.
ReportedTests reported_tests(const SuiteOutcome& suite);

nlohmann::json suite_result_json(const SuiteOutcome& suite, const std::string& tier);
nlohmann::json summary_json(const RunOutcome& run);
nlohmann::json containment_json(const ContainmentRecord& containment);

std::string summary_markdown(const nlohmann::json& summary);
std::string merged_junit(const std::vector<SuiteOutcome>& suites, const std::string& run_name);
// Joins the <testsuite> elements of several junit.xml texts under one <testsuites>.
std::string join_junit(const std::vector<std::string>& documents, const std::string& run_name);
// `::error title=...::message` lines for red suites (GitHub Actions workflow commands).
std::vector<std::string> github_annotations(const nlohmann::json& summary);

}  // namespace greenlight::runner
