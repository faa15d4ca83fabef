#include "greenlight/runner/run.hpp"

#include <fmt/format.h>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/settle.hpp"
#include "greenlight/process/supervisor.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/runner/suite_runner.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/parallel.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::runner {

namespace fs = std::filesystem;

namespace {

// What a short command prints, or nothing when it fails.
std::string command_output(std::vector<std::string> argv) {
    process::Request command;
    command.argv = std::move(argv);
    command.inherit_environment = true;
    command.output = process::Sink::capture;
    command.capture_limit = 64 << 10;
    command.timeout = std::chrono::seconds(30);
    command.label = "git";
    process::Outcome outcome = process::run(command);
    return outcome.succeeded() ? std::string(util::trim(outcome.output_text)) : std::string();
}

// Serialises observer calls from the worker threads.
class ObserverGate {
public:
    explicit ObserverGate(RunObserver* observer) : m_observer(observer) {}
    template <typename Call>
    void operator()(Call&& call) {
        if (!m_observer) return;
        std::lock_guard lock(m_mutex);
        call(*m_observer);
    }

private:
    RunObserver* m_observer;
    std::mutex m_mutex;
};

}  // namespace

GitRevision current_git_revision(const fs::path& root) {
    GitRevision revision;
    if (const char* sha = std::getenv("GITHUB_SHA"); sha && *sha) revision.sha = sha;
    if (const char* ref = std::getenv("GITHUB_REF"); ref && *ref) revision.ref = ref;
    if (!revision.sha.empty() && !revision.ref.empty()) return revision;
    // One git call answers both: the commit, then the branch (or `HEAD` when detached).
    std::string answer =
        command_output({"git", "-C", root.string(), "rev-parse", "HEAD", "--symbolic-full-name", "HEAD"});
    auto lines = util::split_lines(answer);
    if (revision.sha.empty() && !lines.empty() && lines[0].size() == 40) revision.sha = std::string(lines[0]);
    if (revision.ref.empty() && lines.size() > 1 && lines[1] != "HEAD") revision.ref = std::string(lines[1]);
    return revision;
}

bool bundle_exists(const fs::path& bundle_dir) {
    std::error_code error;
    return fs::exists(bundle_dir / "summary.json", error) || fs::exists(bundle_dir / "suites", error) ||
           fs::exists(bundle_dir / bundle::k_manifest_json, error);
}

namespace {

// A run whose bundle cannot be proven is not green, whatever its suites did: the summary must say so
// rather than stand beside a missing or failing manifest.
void mark_bundle_failed(nlohmann::json& summary, const std::string& why) {
    summary["green"] = false;
    summary["verdict"] = "error";
    summary["reason"] = fmt::format("the bundle could not be proven: {}", why);
}

}  // namespace

std::string write_run_reports(const fs::path& bundle_dir, nlohmann::json& summary, const std::string& junit_xml,
                              int jobs, bundle::VerifyReport& verification) {
    std::vector<std::string> errors;
    auto write = [&](const char* name, const std::string& content) {
        if (auto written = util::write_file_atomic(bundle_dir / name, content); !written) {
            errors.push_back(written.message());
        }
    };
    // Whatever the suites left that a manifest cannot prove (fifos, sockets, devices, links out of the
    // bundle) becomes a note first, so that it never costs the other suites their evidence.
    if (auto settled = bundle::settle_bundle_contents(bundle_dir); !settled) errors.push_back(settled.message());
    write("junit.xml", junit_xml);
    write("summary.md", summary_markdown(summary));
    write("summary.json", summary.dump(2) + "\n");
    // The manifest comes last: it proves everything written before it. When it cannot be written or
    // does not verify, the summary is rewritten red and the manifest tried once more over it.
    for (int round = 0; round < 2; ++round) {
        std::string failure;
        if (auto manifest = bundle::write_manifest(bundle_dir, jobs); !manifest) {
            failure = manifest.message();
        } else if (verification = bundle::verify_bundle(bundle_dir, jobs); !verification.ok()) {
            failure = fmt::format("the bundle failed its own verification right after it was written:\n{}",
                                  bundle::format_verify_report(verification, bundle_dir));
        } else {
            break;
        }
        errors.push_back(failure);
        if (round == 1) break;
        mark_bundle_failed(summary, failure);
        write("summary.md", summary_markdown(summary));
        write("summary.json", summary.dump(2) + "\n");
    }
    return util::join(errors, "; ");
}

verdict::RunFacts run_facts(const RunOutcome& run) {
    verdict::RunFacts facts;
    facts.tier = run.tier;
    facts.scope = run.scope;
    if (run.smoke) facts.smoke = verdict::SmokeSummary{run.smoke->green, run.smoke->reason};
    for (const auto& suite : run.suites) {
        facts.suites.push_back({suite.name, suite.verdict, suite.green, !suite.attempts.empty(), suite.reason});
    }
    facts.not_run = run.not_run;
    facts.interruption = run.complete ? verdict::Interruption::none : verdict::Interruption::requested;
    facts.shard = run.shard;
    facts.suites_in_other_shards = run.other_shards_suites.size();
    return facts;
}

void settle_run_verdict(RunOutcome& run) {
    const verdict::RunDecision decision = verdict::decide_run(run_facts(run));
    run.verdict = decision.verdict;
    run.green = decision.green;
    run.reason = decision.reason;
    run.complete = decision.status == verdict::RunStatus::complete;
}

RunResult execute_run(const RunRequest& request) {
    const util::Clock& clock = *request.clock;
    const config::Config& config = *request.config;
    ObserverGate observe(request.observer);
    RunResult result;
    RunOutcome& run = result.record;
    run.project = config.project;
    run.run_id = request.run_id;
    run.tier = request.plan.tier;
    run.shard = request.plan.shard;
    if (run.shard) run.other_shards_suites = request.plan.other_shards;
    // The smoke guard is the whole run when asked for alone or when the tier lists no suites.
    if (request.smoke_only || request.plan.tier_is_empty) run.scope = verdict::RunScope::smoke_guard;
    run.started_at = util::format_utc(clock.now());
    const auto started = clock.steady_now();
    const auto& containment = process::Containment::instance();
    run.containment = {std::string(process::to_string(containment.mode())), containment.fallback_reason(),
                       containment.swept()};
    GitRevision revision = current_git_revision(config.root);
    run.git_sha = revision.sha;
    run.git_ref = revision.ref;

    if (auto made = util::make_directories(request.bundle_dir); !made) {
        result.infrastructure_error = made.message();
        return result;
    }
    observe([&](RunObserver& observer) { observer.on_start(request.plan, request.bundle_dir); });

    if (request.preflight && !interrupted()) {
        observe([](RunObserver& observer) { observer.on_smoke_start(); });
        run.smoke = request.preflight(request.bundle_dir / "smoke");
        observe([&](RunObserver& observer) { observer.on_smoke_end(*run.smoke); });
    }
    const bool run_suites = !request.smoke_only && (!run.smoke || run.smoke->green);

    const auto& planned = request.plan.suites;
    std::vector<std::optional<SuiteOutcome>> outcomes(planned.size());
    if (run_suites) {
        SuiteContext context{
            config, request.plan.tier, request.run_id, request.bundle_dir, *request.supervisor, *request.requirements,
            clock};
        // A suite not started before an interrupt is left without an outcome: it is listed as not run.
        util::for_each_index_in_parallel_with_state(
            planned.size(), static_cast<size_t>(std::max(1, request.jobs)),
            [] { return std::make_unique<util::TemporaryDirectory>("greenlight-suite"); },
            [&](std::unique_ptr<util::TemporaryDirectory>& scratch, size_t index) {
                if (interrupted()) return;
                const auto& suite = *planned[index].suite;
                observe([&](RunObserver& observer) { observer.on_suite_start(suite.name); });
                outcomes[index] = run_suite(suite, context, scratch.get());
                observe([&](RunObserver& observer) { observer.on_suite_end(*outcomes[index]); });
            });
    }

    for (size_t i = 0; i < planned.size(); ++i) {
        if (outcomes[i]) {
            if (!outcomes[i]->write_error.empty() && result.infrastructure_error.empty()) {
                result.infrastructure_error = outcomes[i]->write_error;
            }
            run.suites.push_back(std::move(*outcomes[i]));
        } else {
            run.not_run.push_back(planned[i].suite->name);
        }
    }
    run.complete = !interrupted();
    settle_run_verdict(run);
    run.finished_at = util::format_utc(clock.now());
    run.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);

    result.summary = summary_json(run);
    std::string junit = merged_junit(run.suites, fmt::format("{} {} {}", run.project, run.tier, run.run_id));
    std::string written =
        write_run_reports(request.bundle_dir, result.summary, junit, std::max(1, request.jobs), result.verification);
    if (!written.empty() && result.infrastructure_error.empty()) result.infrastructure_error = written;
    if (result.summary.value("verdict", "") == "error" && run.verdict != Verdict::error) {
        run.verdict = Verdict::error;  // the bundle could not be proven; the summary already says so
        run.green = false;
        run.reason = result.summary.value("reason", run.reason);
    }
    observe([&](RunObserver& observer) { observer.on_finish(run); });
    return result;
}

}  // namespace greenlight::runner
