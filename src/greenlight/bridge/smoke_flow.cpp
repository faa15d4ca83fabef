#include "greenlight/bridge/smoke_flow.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <random>
#include <thread>

#include "greenlight/bridge/jcl_template.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/duration.hpp"
#include "greenlight/util/sha256.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::bridge {

namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

double to_ms(std::chrono::nanoseconds duration) {
    return static_cast<double>(duration.count()) / 1e6;
}

std::string uppercase_hex_prefix(std::string_view hex, std::size_t length) {
    std::string out(hex.substr(0, length));
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// A failed request the flow may retry: no answer, a slow one, an overloaded host, or an answer it cannot read.
bool is_retryable(const ClientError& error) {
    switch (error.kind) {
        case ClientError::Kind::transport:
        case ClientError::Kind::timeout:
        case ClientError::Kind::protocol:
            return true;
        case ClientError::Kind::http:
            return error.http_status >= 500 || error.http_status == 429;
    }
    return true;
}

std::string reason_of(const ClientError& error) {
    switch (error.kind) {
        case ClientError::Kind::transport:
            return "transport";
        case ClientError::Kind::timeout:
            return "timeout";
        case ClientError::Kind::protocol:
            return "protocol";
        case ClientError::Kind::http:
            return fmt::format("http-{}", error.http_status);
    }
    return "unknown";
}

bool is_host_failure(const std::optional<std::string>& retcode) {
    return retcode && *retcode == "SYS FAIL";
}

// The flow's state that every step shares: the host, time, the log and what is measured.
class Flow {
public:
    Flow(JobHost& host, const FlowSettings& settings, FlowTimer& timer, const FlowLog& log)
        : m_host(host),
          m_settings(settings),
          m_timer(timer),
          m_log(log),
          m_random(settings.jitter_seed ? settings.jitter_seed : std::random_device{}()) {}

    FlowResult run();

private:
    enum class PollEnd { completed, stalled_input, stalled_running, interrupted };

    void info(std::string_view text) const { write(FlowLogLevel::info, text); }
    void debug(std::string_view text) const { write(FlowLogLevel::debug, text); }
    void write(FlowLogLevel level, std::string_view text) const;

    // Waits so long, but never past `limit`.
    void wait(milliseconds duration, std::optional<SteadyTime> limit = {});
    milliseconds backoff(int failures, milliseconds bound, const std::optional<milliseconds>& retry_after);

    std::optional<Job> submit(FlowAttempt& attempt, const std::string& jcl);
    PollEnd poll_until_done(FlowAttempt& attempt, SteadyTime submitted);
    void cancel(FlowAttempt& attempt);
    void download_spool(const Job& job);

    template <typename T, typename Request>
    ClientResult<T> with_retries(const std::string& what, Request request);

    JobHost& m_host;
    const FlowSettings& m_settings;
    FlowTimer& m_timer;
    const FlowLog& m_log;
    std::mt19937_64 m_random;
    FlowResult m_result;
    std::string m_job_label;   // NAME(JOBID), once submitted
    std::string m_correlator;  // of the current attempt
};

void Flow::write(FlowLogLevel level, std::string_view text) const {
    if (!m_log.write || (level == FlowLogLevel::debug && m_log.level != FlowLogLevel::debug)) return;
    if (m_log.level != FlowLogLevel::debug) {
        m_log.write(fmt::format("bridge run: {}", text));
        return;
    }
    std::string context;
    if (!m_job_label.empty()) context += fmt::format(" job={}", m_job_label);
    if (!m_correlator.empty()) context += fmt::format(" correlator={}", m_correlator);
    m_log.write(fmt::format("{} {}{} {}", util::format_utc(std::chrono::system_clock::now()),
                            level == FlowLogLevel::debug ? "debug" : "info ", context, text));
}

void Flow::wait(milliseconds duration, std::optional<SteadyTime> limit) {
    if (limit) {
        const auto left = std::chrono::duration_cast<milliseconds>(*limit - m_timer.now());
        duration = std::min(duration, std::max(left, milliseconds(0)));
    }
    if (duration > milliseconds(0)) m_timer.sleep_for(duration);
}

// Exponential from an eighth of the bound, capped by the bound, with jitter (half to all of it), and never
// shorter than the host's Retry-After.
milliseconds Flow::backoff(int failures, milliseconds bound, const std::optional<milliseconds>& retry_after) {
    const auto base = std::max<std::int64_t>(1, bound.count() / 8);
    const std::int64_t grown = base << std::min(failures - 1, 20);
    const std::int64_t capped = std::min<std::int64_t>(grown, std::max<std::int64_t>(bound.count(), 1));
    std::uniform_int_distribution<std::int64_t> jitter(capped / 2, capped);
    milliseconds delay(jitter(m_random));
    if (retry_after && *retry_after > delay) delay = *retry_after;
    return delay;
}

template <typename T, typename Request>
ClientResult<T> Flow::with_retries(const std::string& what, Request request) {
    ClientResult<T> answer;
    const int attempts = std::max(1, m_settings.download_attempts);
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        answer = request();
        if (answer.ok()) return answer;
        debug(fmt::format("{} failed ({} ms): {}", what, to_ms(answer.latency), describe(*answer.error)));
        if (!is_retryable(*answer.error) || attempt == attempts || m_timer.interrupted()) break;
        ++m_result.metrics.spool_retries;
        info(fmt::format("{} failed ({}); retrying", what, reason_of(*answer.error)));
        wait(backoff(attempt, m_settings.poll.interval, answer.error->retry_after));
    }
    return answer;
}

std::optional<Job> Flow::submit(FlowAttempt& attempt, const std::string& jcl) {
    const int sends = std::max(1, m_settings.submit_attempts);
    for (int send = 1; send <= sends; ++send) {
        ++attempt.submit_requests;
        ++m_result.metrics.submit_requests;
        ClientResult<Job> answer = m_host.submit(SubmitRequest{jcl, attempt.correlator});
        if (answer.ok()) {
            attempt.job = *answer.value;
            return answer.value;
        }
        const ClientError& error = *answer.error;
        debug(fmt::format("submit {} failed ({} ms): {}", send, to_ms(answer.latency), describe(error)));
        if (!is_retryable(error)) {
            m_result.message = fmt::format("the host refused the job: {}", describe(error));
            return std::nullopt;
        }
        if (send == sends) {
            m_result.message = fmt::format("no answer to the submit after {} tries: {}", sends, describe(error));
            return std::nullopt;
        }
        // The job may have been stored and only the answer lost: the same correlator names the same job.
        ++m_result.metrics.submit_retries;
        const milliseconds delay = backoff(send, m_settings.poll.interval, error.retry_after);
        info(fmt::format("submit got no answer ({}); sending it again with the same correlator {} in {} ms",
                         reason_of(error), attempt.correlator, delay.count()));
        wait(delay);
        if (m_timer.interrupted()) {
            m_result.message = "interrupted while resending the submit";
            return std::nullopt;
        }
    }
    return std::nullopt;
}

Flow::PollEnd Flow::poll_until_done(FlowAttempt& attempt, SteadyTime submitted) {
    const auto& poll = m_settings.poll;
    const SteadyTime running_deadline = submitted + m_settings.stall.running_timeout;
    const SteadyTime input_deadline = submitted + m_settings.stall.input_timeout;
    Job& job = *attempt.job;
    int polls = 0;
    int failures_in_row = 0;
    milliseconds next_wait = poll.interval;
    while (true) {
        const bool queued = job.status == JobStatus::input;
        wait(next_wait, queued ? std::min(input_deadline, running_deadline) : running_deadline);
        if (m_timer.interrupted()) return PollEnd::interrupted;
        ++polls;
        ++m_result.metrics.polls;
        ClientResult<Job> answer = m_host.status(job.jobname, job.jobid);
        m_result.metrics.poll_latencies_ms.push_back(to_ms(answer.latency));
        const milliseconds scheduled = polls < poll.slow_after ? poll.interval : poll.slow_interval;
        if (answer.ok()) {
            failures_in_row = 0;
            const Job& seen = *answer.value;
            debug(fmt::format("poll {}: {} retcode={} ({:.1f} ms)", polls, to_string(seen.status),
                              seen.retcode.value_or("none"), to_ms(answer.latency)));
            if (seen.status != job.status || seen.retcode != job.retcode) {
                info(fmt::format("{} is {}{}", m_job_label, to_string(seen.status),
                                 seen.retcode ? fmt::format(" ({})", *seen.retcode) : std::string()));
            }
            job = seen;
            if (job.retcode || job.status == JobStatus::output) return PollEnd::completed;
            next_wait = scheduled;
        } else {
            ++failures_in_row;
            ++m_result.metrics.failed_polls;
            ++m_result.metrics.failed_polls_by_reason[reason_of(*answer.error)];
            next_wait = backoff(failures_in_row, scheduled, answer.error->retry_after);
            info(fmt::format("poll {} failed ({}, {:.0f} ms); polling again in {} ms{}", polls, describe(*answer.error),
                             to_ms(answer.latency), next_wait.count(),
                             answer.error->retry_after ? " (Retry-After)" : ""));
        }
        const SteadyTime now = m_timer.now();
        if (job.status == JobStatus::input && now >= input_deadline) return PollEnd::stalled_input;
        if (now >= running_deadline) return PollEnd::stalled_running;
    }
}

void Flow::cancel(FlowAttempt& attempt) {
    const Job& job = *attempt.job;
    attempt.cancel_sent = true;
    for (int send = 1; send <= 2; ++send) {
        ++m_result.metrics.cancels;
        ClientResult<Nothing> answer = m_host.cancel(job.jobname, job.jobid);
        if (answer.ok()) {
            attempt.cancel_acknowledged = true;
            info(fmt::format("cancelled {}", m_job_label));
            return;
        }
        info(fmt::format("cancel of {} failed: {}", m_job_label, describe(*answer.error)));
        if (!is_retryable(*answer.error)) return;
    }
}

void Flow::download_spool(const Job& job) {
    m_result.spool.clear();
    auto listed = with_retries<std::vector<SpoolFile>>("spool file list",
                                                       [&] { return m_host.spool_files(job.jobname, job.jobid); });
    if (!listed.ok()) {
        info(fmt::format("cannot list the spool files of {}: {}", m_job_label, describe(*listed.error)));
        return;
    }
    for (const SpoolFile& file : *listed.value) {
        DownloadedSpoolFile downloaded{file, std::nullopt, {}};
        auto records = with_retries<std::string>(fmt::format("spool file {} ({})", file.id, file.ddname),
                                                 [&] { return m_host.records(job.jobname, job.jobid, file.id); });
        if (records.ok()) {
            downloaded.content = std::move(*records.value);
            debug(fmt::format("spool {} {}.{}: {} bytes", file.id, file.stepname, file.ddname,
                              downloaded.content->size()));
        } else {
            downloaded.error = describe(*records.error);
            info(fmt::format("cannot download spool file {} ({}): {}", file.id, file.ddname, downloaded.error));
        }
        m_result.spool.push_back(std::move(downloaded));
    }
    m_result.final_script = final_script_text(m_settings.assertions, m_result.spool);
}

FlowResult Flow::run() {
    const SteadyTime started = m_timer.now();
    const int attempts = 1 + std::max(0, m_settings.stall.retries);
    const std::string manifest_sha256 = m_settings.payload ? m_settings.payload->manifest_sha256 : std::string();
    std::optional<Job> completed;
    for (int number = 1; number <= attempts; ++number) {
        if (number > 1 && m_timer.interrupted()) {
            m_result.verdict = FlowVerdict::interrupted;
            m_result.message = "interrupted before the resubmission";
            break;
        }
        FlowAttempt& attempt = m_result.attempts.emplace_back();
        attempt.number = number;
        attempt.correlator = make_user_correlator(m_settings.run_id, manifest_sha256, number);
        m_correlator = attempt.correlator;
        m_job_label.clear();
        auto jcl = render_jcl_template(
            m_settings.template_text,
            TemplateValues{m_settings.run_id, attempt.correlator, manifest_sha256, number, m_settings.payload},
            m_settings.template_name);
        if (!jcl) {
            attempt.outcome = "template-error";
            m_result.verdict = FlowVerdict::template_error;
            m_result.message = jcl.message();
            break;
        }
        m_result.jcl = *jcl;
        if (number > 1) ++m_result.metrics.resubmissions;
        const SteadyTime submitted = m_timer.now();
        auto job = submit(attempt, *jcl);
        if (!job && m_timer.interrupted()) {
            attempt.outcome = "interrupted";
            m_result.verdict = FlowVerdict::interrupted;
            break;
        }
        if (!job) {
            attempt.outcome = "submit-failed";
            // Without a first job the host was never reached; after a host failure it is one more.
            m_result.verdict = number == 1 ? FlowVerdict::unreachable : FlowVerdict::escalated;
            break;
        }
        m_job_label = fmt::format("{}({})", job->jobname, job->jobid);
        const auto submitted_wall = std::chrono::system_clock::now();
        attempt.submitted_at = util::format_utc(submitted_wall);
        attempt.expected_by = util::format_utc(submitted_wall + m_settings.stall.running_timeout);
        info(fmt::format("submitted {} correlator={} (attempt {} of {}); its retcode is due by {} (within {})",
                         m_job_label, attempt.correlator, number, attempts, attempt.expected_by,
                         util::format_duration(m_settings.stall.running_timeout)));
        const PollEnd end = poll_until_done(attempt, submitted);
        if (end == PollEnd::interrupted) {
            // A job nobody follows must not keep running: cancel it, as an interrupted run stops its children.
            attempt.outcome = "interrupted";
            m_result.verdict = FlowVerdict::interrupted;
            m_result.message =
                fmt::format("interrupted while {} was {}; cancelling it", m_job_label, to_string(attempt.job->status));
            info(m_result.message);
            cancel(attempt);
            break;
        }
        if (end == PollEnd::completed && !is_host_failure(attempt.job->retcode)) {
            attempt.outcome = "completed";
            m_result.metrics.submit_to_output_ms = to_ms(m_timer.now() - submitted);
            completed = attempt.job;
            break;
        }
        if (end == PollEnd::completed) {
            attempt.outcome = "sys-fail";
            m_result.message = fmt::format("{} ended with SYS FAIL: the host failed under the job", m_job_label);
        } else {
            const bool queued = end == PollEnd::stalled_input;
            attempt.outcome = queued ? "stalled-input" : "stalled-running";
            m_result.message = queued ? fmt::format("{} was still INPUT {} ms after submit", m_job_label,
                                                    m_settings.stall.input_timeout.count())
                                      : fmt::format("{} had no retcode {} ms after submit", m_job_label,
                                                    m_settings.stall.running_timeout.count());
            info(m_result.message + "; cancelling it");
            cancel(attempt);
        }
        if (number < attempts) {
            info(fmt::format("host failure on attempt {}: submitting the job again", number));
        } else {
            m_result.verdict = FlowVerdict::escalated;
            m_result.message = fmt::format("escalated after {} attempts: {}", attempts, m_result.message);
            info(m_result.message);
            // The evidence matters most now: keep whatever spool the host has for the last job.
            download_spool(*attempt.job);
        }
    }
    if (completed) {
        download_spool(*completed);
        m_result.assertions = evaluate_assertions(m_settings.assertions, completed->retcode, m_result.spool);
        const auto failed = m_result.failed_assertions();
        m_result.verdict = failed.empty() ? FlowVerdict::passed : FlowVerdict::failed;
        m_result.message =
            failed.empty() ? fmt::format("{} ended {}; every assertion holds", m_job_label,
                                         completed->retcode.value_or("without a retcode"))
                           : fmt::format("{} ended {}; failed: {}", m_job_label,
                                         completed->retcode.value_or("without a retcode"), util::join(failed, ", "));
    }
    m_result.metrics.total_ms = to_ms(m_timer.now() - started);
    return std::move(m_result);
}

}  // namespace

std::chrono::steady_clock::time_point SystemFlowTimer::now() const {
    return std::chrono::steady_clock::now();
}

void SystemFlowTimer::sleep_for(std::chrono::milliseconds duration) {
    std::this_thread::sleep_for(duration);
}

std::string make_user_correlator(std::string_view run_id, std::string_view manifest_sha256, int attempt) {
    const std::string run_part = uppercase_hex_prefix(util::sha256_hex(run_id), 8);
    const std::string manifest_part = manifest_sha256.size() >= 8 ? uppercase_hex_prefix(manifest_sha256, 8)
                                                                  : uppercase_hex_prefix(util::sha256_hex(""), 8);
    return fmt::format("GL_{}_{}_A{}", run_part, manifest_part, std::clamp(attempt, 1, 99999));
}

std::string_view to_string(FlowVerdict verdict) {
    switch (verdict) {
        case FlowVerdict::passed:
            return "pass";
        case FlowVerdict::failed:
            return "fail";
        case FlowVerdict::escalated:
            return "escalated";
        case FlowVerdict::unreachable:
            return "unreachable";
        case FlowVerdict::template_error:
            return "template-error";
        case FlowVerdict::interrupted:
            return "interrupted";
    }
    return "fail";
}

std::vector<std::string> FlowResult::failed_assertions() const {
    std::vector<std::string> names;
    for (const auto& assertion : assertions) {
        if (!assertion.pass) names.push_back(assertion.name);
    }
    return names;
}

FlowResult run_smoke_flow(JobHost& host, const FlowSettings& settings, FlowTimer& timer, const FlowLog& log) {
    return Flow(host, settings, timer, log).run();
}

nlohmann::json delta_json(const FlowResult& result, std::string_view run_id) {
    nlohmann::json attempts = nlohmann::json::array();
    for (const auto& attempt : result.attempts) {
        nlohmann::json item = {{"attempt", attempt.number},
                               {"correlator", attempt.correlator},
                               {"outcome", attempt.outcome},
                               {"submit_requests", attempt.submit_requests},
                               {"cancel_sent", attempt.cancel_sent}};
        if (!attempt.submitted_at.empty()) {
            item["submitted_at"] = attempt.submitted_at;
            item["expected_by"] = attempt.expected_by;
        }
        if (attempt.job) {
            item["jobname"] = attempt.job->jobname;
            item["jobid"] = attempt.job->jobid;
            item["status"] = to_string(attempt.job->status);
            item["retcode"] = attempt.job->retcode ? nlohmann::json(*attempt.job->retcode) : nlohmann::json();
        }
        attempts.push_back(std::move(item));
    }
    nlohmann::json job = nullptr;
    if (const FlowAttempt* last = result.last_attempt(); last && last->job) {
        job = {{"name", last->job->jobname},
               {"id", last->job->jobid},
               {"retcode", last->job->retcode ? nlohmann::json(*last->job->retcode) : nlohmann::json()},
               {"correlator", last->correlator},
               {"attempts", result.attempts.size()}};
    }
    nlohmann::json assertions = nlohmann::json::array();
    for (const auto& assertion : result.assertions) {
        assertions.push_back({{"name", assertion.name},
                              {"expected", assertion.expected},
                              {"actual", assertion.actual},
                              {"pass", assertion.pass}});
    }
    return {{"schema", "greenlight.bridge-delta/v1"},
            {"run_id", run_id},
            {"verdict", to_string(result.verdict)},
            {"message", result.message},
            {"job", job},
            {"attempts", attempts},
            {"assertions", assertions}};
}

}  // namespace greenlight::bridge
