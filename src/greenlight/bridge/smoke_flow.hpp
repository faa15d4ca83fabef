// The remote smoke flow of `greenlight bridge run`: submit the payload's job to a z/OSMF host, poll it on
// the configured schedule, cancel and resubmit a stalled job (then escalate), download and check its spool.
// The host, the clock and the log are seams, so tests drive the flow against a scripted host in
// milliseconds. See docs/BRIDGE.md ("The smoke flow").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/bridge/client.hpp"
#include "greenlight/bridge/evidence.hpp"
#include "greenlight/bridge/payload.hpp"
#include "greenlight/config/bridge_config.hpp"

namespace greenlight::bridge {

// The requests the flow makes of a job host.
class JobHost {
public:
    virtual ~JobHost() = default;
    virtual ClientResult<Job> submit(const SubmitRequest& request) = 0;
    virtual ClientResult<Job> status(std::string_view jobname, std::string_view jobid) = 0;
    virtual ClientResult<std::vector<SpoolFile>> spool_files(std::string_view jobname, std::string_view jobid) = 0;
    virtual ClientResult<std::string> records(std::string_view jobname, std::string_view jobid, int id) = 0;
    virtual ClientResult<Nothing> cancel(std::string_view jobname, std::string_view jobid) = 0;
};

// The real host: a z/OSMF REST jobs interface reached by ZosmfClient. Status polls go through `polls`
// (bounded by poll.timeout: a slower answer is a failed poll); submits, cancels and spool downloads through
// `transfers`, whose longer bound lets a large spool file arrive.
class ZosmfJobHost final : public JobHost {
public:
    ZosmfJobHost(ZosmfClient& polls, ZosmfClient& transfers) : m_polls(&polls), m_transfers(&transfers) {}
    ClientResult<Job> submit(const SubmitRequest& request) override { return m_transfers->submit(request); }
    ClientResult<Job> status(std::string_view jobname, std::string_view jobid) override {
        return m_polls->status(jobname, jobid);
    }
    ClientResult<std::vector<SpoolFile>> spool_files(std::string_view jobname, std::string_view jobid) override {
        return m_transfers->spool_files(jobname, jobid);
    }
    ClientResult<std::string> records(std::string_view jobname, std::string_view jobid, int id) override {
        return m_transfers->records(jobname, jobid, id);
    }
    ClientResult<Nothing> cancel(std::string_view jobname, std::string_view jobid) override {
        return m_transfers->cancel(jobname, jobid);
    }

private:
    ZosmfClient* m_polls;
    ZosmfClient* m_transfers;
};

// Time as the flow sees it: a monotonic clock and a way to wait.
class FlowTimer {
public:
    virtual ~FlowTimer() = default;
    virtual std::chrono::steady_clock::time_point now() const = 0;
    virtual void sleep_for(std::chrono::milliseconds duration) = 0;
    // True once the flow must stop (SIGINT/SIGTERM); a sleep ends early when it becomes true.
    virtual bool interrupted() const { return false; }
};

class SystemFlowTimer final : public FlowTimer {
public:
    std::chrono::steady_clock::time_point now() const override;
    void sleep_for(std::chrono::milliseconds duration) override;
};

enum class FlowLogLevel { info, debug };

// The flow's log lines. At debug level every line carries `job=NAME(JOBID) correlator=C` once they are known.
struct FlowLog {
    FlowLogLevel level = FlowLogLevel::info;
    std::function<void(std::string_view line)> write;  // one line, no '\n'
};

// The user correlator of one attempt: "GL", 8 hex digits of the run id's sha256, 8 of the manifest's
// sha256, the attempt: GL_1A2B3C4D_9F8E7D6C_A1. Always valid for z/OSMF (is_valid_user_correlator), the
// same for the same run, payload and attempt (so a resent submit names the same job), new for each attempt.
std::string make_user_correlator(std::string_view run_id, std::string_view manifest_sha256, int attempt);

struct FlowSettings {
    std::string run_id;
    std::string template_text;  // the JCL template
    std::string template_name;  // for messages
    const Payload* payload = nullptr;
    config::BridgePollConfig poll;
    config::BridgeStallConfig stall;
    config::BridgeAssertionsConfig assertions;
    int submit_attempts = 3;        // sends of one submit whose answer is lost (timeout, transport, 5xx, 429)
    int download_attempts = 3;      // tries of each spool request
    std::uint64_t jitter_seed = 0;  // 0: random
};

// How the flow ended.
enum class FlowVerdict {
    passed,          // the job completed and every assertion holds (exit 0)
    failed,          // the job failed (CC, ABEND, JCL ERROR, CANCELED) or an assertion does not hold (exit 1)
    escalated,       // the host failed the job (stall, SYS FAIL) again after its retries (exit 4)
    unreachable,     // the first submit got no answer, or was refused (exit 3)
    template_error,  // the JCL template could not be rendered (exit 2)
    interrupted,     // stopped by SIGINT/SIGTERM; the job was cancelled (exit 130)
};
std::string_view to_string(FlowVerdict verdict);

// One submission.
struct FlowAttempt {
    int number = 1;
    std::string correlator;
    std::optional<Job> job;  // as last seen
    // The job token's expected completion: when the host took the job, and by when its retcode is due
    // (submitted_at + stall.running_timeout; past it the job counts as stalled). RFC 3339 UTC.
    std::string submitted_at;
    std::string expected_by;
    std::string outcome;      // completed, stalled-input, stalled-running, sys-fail, submit-failed, interrupted
    int submit_requests = 0;  // sends of the submit (more than one when an answer was lost)
    bool cancel_sent = false;
    bool cancel_acknowledged = false;
};

struct FlowResult {
    FlowVerdict verdict = FlowVerdict::failed;
    std::string message;  // one line: why it ended so
    std::vector<FlowAttempt> attempts;
    std::string jcl;                         // of the last submission
    std::vector<DownloadedSpoolFile> spool;  // of the last job
    std::vector<Assertion> assertions;       // empty when no job completed
    std::optional<std::string> final_script;
    FlowMetrics metrics;

    const FlowAttempt* last_attempt() const { return attempts.empty() ? nullptr : &attempts.back(); }
    std::vector<std::string> failed_assertions() const;
};

// Runs the flow to its end. Never throws for the host's behaviour; every failure is in the result.
FlowResult run_smoke_flow(JobHost& host, const FlowSettings& settings, FlowTimer& timer, const FlowLog& log);

// delta.json for a result: verdict, run, job, attempts and every assertion.
nlohmann::json delta_json(const FlowResult& result, std::string_view run_id);

}  // namespace greenlight::bridge
