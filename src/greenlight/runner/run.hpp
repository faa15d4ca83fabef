// A whole run of a tier: the smoke guard first, suites in parallel, then the bundle's reports,
// manifest and a re-verification of what was written.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "greenlight/bundle/verify.hpp"
#include "greenlight/config/config.hpp"
#include "greenlight/runner/plan.hpp"
#include "greenlight/runner/process.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/runner/requirements.hpp"
#include "greenlight/util/clock.hpp"

namespace greenlight::runner {

// Told about a run's progress; called from worker threads, one call at a time.
class RunObserver {
public:
    virtual ~RunObserver() = default;
    virtual void on_start(const RunPlan& plan, const std::filesystem::path& bundle_dir) = 0;
    virtual void on_smoke_start() = 0;
    virtual void on_smoke_end(const PreflightRecord& smoke) = 0;
    virtual void on_suite_start(const std::string& suite) = 0;
    virtual void on_suite_end(const SuiteOutcome& outcome) = 0;
    virtual void on_finish(const RunOutcome& run) = 0;
};

// The smoke guard, handed in by the caller (the smoke area sits above the runner).
using Preflight = std::function<PreflightRecord(const std::filesystem::path& output_dir)>;

struct RunRequest {
    const config::Config* config = nullptr;
    RunPlan plan;
    std::string run_id;
    std::filesystem::path bundle_dir;
    int jobs = 1;
    Preflight preflight;  // empty: no smoke guard
    bool smoke_only = false;
    RunObserver* observer = nullptr;
    ProcessSupervisor* supervisor = nullptr;
    RequirementChecker* requirements = nullptr;
    const util::Clock* clock = nullptr;
};

struct RunResult {
    RunOutcome record;
    nlohmann::json summary;
    std::string infrastructure_error;  // set when the bundle could not be written
    bundle::VerifyReport verification;
};

// Runs the plan and writes the bundle. The verdict is decided by verdict::decide_run (settle_run_verdict).
RunResult execute_run(const RunRequest& request);

// The facts verdict::decide_run judges a run on, as the run recorded them.
verdict::RunFacts run_facts(const RunOutcome& run);

// Decides the run's verdict, green, reason and status with verdict::decide_run and records them in `run`.
void settle_run_verdict(RunOutcome& run);

// Settles what suites left (bundle/settle.hpp), writes summary.json, summary.md, junit.xml, then the
// manifest, then re-verifies the bundle. When the manifest cannot be written or does not verify,
// `summary` is made red (verdict error, the reason given) and written again: a summary never says
// green beside a bundle that cannot be proven. Answers the errors, empty when all went well.
// Used by run and merge alike.
std::string write_run_reports(const std::filesystem::path& bundle_dir, nlohmann::json& summary,
                              const std::string& junit_xml, int jobs, bundle::VerifyReport& verification);

struct GitRevision {
    std::string sha;  // empty when unknown
    std::string ref;  // refs/heads/main; empty when detached or unknown
};

// The commit being tested: GITHUB_SHA and GITHUB_REF, else asked of git in `root`.
GitRevision current_git_revision(const std::filesystem::path& root);

// A bundle folder is finished when its summary.json says "complete".
bool bundle_exists(const std::filesystem::path& bundle_dir);

}  // namespace greenlight::runner
