#include "greenlight/runner/run.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <mutex>
#include <thread>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/settle.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/runner/suite_runner.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::runner {

namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    return out + "'";
}

std::string command_output(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[256];
        while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
        ::pclose(pipe);
    }
    return std::string(util::trim(out));
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
        command_output(fmt::format("git -C {} rev-parse HEAD --symbolic-full-name HEAD 2>/dev/null", shell_quote(root.string())));
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

RunResult execute_run(const RunRequest& request) {
    const util::Clock& clock = *request.clock;
    const config::Config& config = *request.config;
    ObserverGate observe(request.observer);
    RunResult result;
    RunRecord& run = result.record;
    run.project = config.project;
    run.run_id = request.run_id;
    run.tier = request.plan.tier;
    run.shard = request.plan.shard;
    run.started_at = util::format_utc(clock.now());
    const auto started = clock.steady_now();
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
    const bool smoke_is_the_run = request.smoke_only || request.plan.tier_is_empty;
    const bool run_suites = !request.smoke_only && (!run.smoke || run.smoke->green);

    const auto& planned = request.plan.suites;
    std::vector<std::optional<SuiteOutcome>> outcomes(planned.size());
    if (run_suites) {
        SuiteContext context{config, request.plan.tier, request.run_id, request.bundle_dir, *request.supervisor,
                             *request.requirements, clock};
        std::atomic<size_t> next{0};
        auto worker = [&] {
            util::TemporaryDirectory scratch("greenlight-suite");
            while (!interrupted()) {
                size_t index = next.fetch_add(1);
                if (index >= planned.size()) return;
                const auto& suite = *planned[index].suite;
                observe([&](RunObserver& observer) { observer.on_suite_start(suite.name); });
                outcomes[index] = run_suite(suite, context, &scratch);
                observe([&](RunObserver& observer) { observer.on_suite_end(*outcomes[index]); });
            }
        };
        const int threads = std::max(1, std::min<int>(request.jobs, static_cast<int>(planned.size())));
        std::vector<std::thread> pool;
        for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
        worker();
        for (auto& thread : pool) thread.join();
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
    decide_run(run);
    if (smoke_is_the_run && run.smoke && run.smoke->green && run.suites.empty()) {
        run.verdict = Verdict::pass;
        run.green = run.complete;
        run.reason = request.smoke_only ? "smoke only: the smoke guard proved the runner's semantics"
                                        : fmt::format("tier {} runs the smoke guard only, and it passed", run.tier);
    }
    if (request.plan.shard && request.plan.suites.empty() && !request.plan.tier_is_empty && !request.smoke_only) {
        run.reason = fmt::format("shard {}/{} got no suites ({} suites in tier {} went to other shards); use fewer shards",
                                 request.plan.shard->index, request.plan.shard->count, request.plan.other_shards.size(),
                                 run.tier);
    }
    run.finished_at = util::format_utc(clock.now());
    run.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);

    result.summary = summary_json(run);
    std::string junit = merged_junit(run.suites, fmt::format("{} {} {}", run.project, run.tier, run.run_id));
    std::string written = write_run_reports(request.bundle_dir, result.summary, junit, std::max(1, request.jobs),
                                            result.verification);
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
