// The smoke flow against a scripted host and a fake clock: every schedule and deadline is exercised in
// simulated milliseconds, so these tests are fast and exact.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "greenlight/bridge/smoke_flow.hpp"
#include "support/http_peer.hpp"

namespace greenlight::bridge {
namespace {

using std::chrono::milliseconds;

class FakeTimer final : public FlowTimer {
public:
    std::chrono::steady_clock::time_point now() const override { return m_start + m_elapsed; }
    void sleep_for(milliseconds duration) override { m_elapsed += duration; }
    void advance(milliseconds duration) { m_elapsed += duration; }
    milliseconds elapsed() const { return m_elapsed; }
    bool interrupted() const override { return interrupt_at && m_elapsed >= *interrupt_at; }

    std::optional<milliseconds> interrupt_at;  // as if SIGINT came then

private:
    std::chrono::steady_clock::time_point m_start{};
    milliseconds m_elapsed{0};
};

// What one submission does on the fake host, relative to its submit time.
struct JobScript {
    milliseconds input_until{0};               // INPUT before this
    std::optional<milliseconds> completes_at;  // OUTPUT from this on; nullopt: runs forever
    std::string retcode = "CC 0000";
};

std::string words(int count, const std::string& word = "alpha") {
    std::string text;
    for (int i = 0; i < count; ++i) text += (i ? " " : "") + word;
    return text + "\n";
}

struct FakeSpool {
    std::string stepname;
    std::string ddname;
    std::string content;
};

std::vector<FakeSpool> good_spool() {
    return {{"JES2", "JESMSGLG", "job log\n"},
            {"STEP1", "STDOUT", words(80) + "\n" + words(85)},
            {"STEP2", "STDOUT", words(90) + "\n\n" + words(100) + "short line\n"},
            {"STEP2", "SCRIPT",
             R"({"frames": [{"n": 1}, {"n": 2}]})"
             "\n"}};
}

class FakeHost final : public JobHost {
public:
    explicit FakeHost(FakeTimer& timer) : m_timer(timer) {}

    std::vector<JobScript> scripts;  // one per new job, in order; the last repeats
    int lost_submit_answers = 0;     // submits whose job is stored but whose answer is lost
    int unreachable_submits = 0;     // submits that store nothing and get no answer
    // Injected poll failures by poll number (1-based over the whole run): the error and its latency.
    std::map<int, std::pair<ClientError, milliseconds>> poll_failures;
    std::vector<FakeSpool> spool = good_spool();

    struct StoredJob {
        Job job;
        JobScript script;
        milliseconds submitted;
        bool cancelled = false;
    };
    std::vector<StoredJob> jobs;
    std::vector<std::string> submitted_correlators;
    std::vector<std::string> cancelled_jobids;
    std::vector<milliseconds> poll_times;

    ClientResult<Job> submit(const SubmitRequest& request) override {
        submitted_correlators.push_back(request.user_correlator.value_or(""));
        ClientResult<Job> result;
        result.latency = std::chrono::microseconds(1500);
        if (unreachable_submits > 0) {
            --unreachable_submits;
            result.error = ClientError{ClientError::Kind::transport, 0, "connection refused", std::nullopt};
            return result;
        }
        StoredJob* stored = find_by_correlator(request.user_correlator.value_or(""));
        if (!stored) {
            const JobScript script = scripts.empty() ? JobScript{} : scripts[std::min(jobs.size(), scripts.size() - 1)];
            Job job;
            job.jobname = "SMOKE";
            job.jobid = "JOB0000" + std::to_string(jobs.size() + 1);
            job.user_correlator = request.user_correlator;
            job.status = JobStatus::input;
            jobs.push_back({job, script, m_timer.elapsed()});
            stored = &jobs.back();
        }
        if (lost_submit_answers > 0) {
            --lost_submit_answers;
            m_timer.advance(milliseconds(2000));
            result.error = ClientError{ClientError::Kind::timeout, 0, "no answer within 2000 ms", std::nullopt};
            return result;
        }
        result.value = current(*stored);
        return result;
    }

    ClientResult<Job> status(std::string_view, std::string_view jobid) override {
        poll_times.push_back(m_timer.elapsed());
        ClientResult<Job> result;
        const int number = static_cast<int>(poll_times.size());
        if (auto failure = poll_failures.find(number); failure != poll_failures.end()) {
            m_timer.advance(failure->second.second);
            result.latency = failure->second.second;
            result.error = failure->second.first;
            return result;
        }
        result.latency = std::chrono::microseconds(3000);
        result.value = current(*find(jobid));
        return result;
    }

    ClientResult<std::vector<SpoolFile>> spool_files(std::string_view, std::string_view jobid) override {
        ClientResult<std::vector<SpoolFile>> result;
        std::vector<SpoolFile> files;
        int id = k_first_user_spool_id;
        for (const auto& fake : spool) {
            SpoolFile file;
            file.jobid = std::string(jobid);
            file.id = fake.ddname == "JESMSGLG" ? k_jesmsglg_id : id++;
            file.stepname = fake.stepname;
            file.ddname = fake.ddname;
            file.byte_count = static_cast<std::int64_t>(fake.content.size());
            file.record_count = std::count(fake.content.begin(), fake.content.end(), '\n');
            files.push_back(file);
        }
        result.value = files;
        return result;
    }

    ClientResult<std::string> records(std::string_view, std::string_view, int id) override {
        ClientResult<std::string> result;
        int next = k_first_user_spool_id;
        for (const auto& fake : spool) {
            const int fake_id = fake.ddname == "JESMSGLG" ? k_jesmsglg_id : next++;
            if (fake_id == id) result.value = fake.content;
        }
        if (!result.value) result.error = ClientError{ClientError::Kind::http, 404, "no such file", std::nullopt};
        return result;
    }

    ClientResult<Nothing> cancel(std::string_view, std::string_view jobid) override {
        cancelled_jobids.emplace_back(jobid);
        find(jobid)->cancelled = true;
        ClientResult<Nothing> result;
        result.value = Nothing{};
        return result;
    }

private:
    StoredJob* find(std::string_view jobid) {
        for (auto& stored : jobs) {
            if (stored.job.jobid == jobid) return &stored;
        }
        return nullptr;
    }
    StoredJob* find_by_correlator(const std::string& correlator) {
        for (auto& stored : jobs) {
            if (stored.job.user_correlator == correlator) return &stored;
        }
        return nullptr;
    }
    Job current(const StoredJob& stored) const {
        Job job = stored.job;
        const milliseconds age = m_timer.elapsed() - stored.submitted;
        if (stored.cancelled) {
            job.status = JobStatus::output;
            job.retcode = "CANCELED";
        } else if (age < stored.script.input_until) {
            job.status = JobStatus::input;
        } else if (stored.script.completes_at && age >= *stored.script.completes_at) {
            job.status = JobStatus::output;
            job.retcode = stored.script.retcode;
        } else {
            job.status = JobStatus::active;
        }
        return job;
    }

    FakeTimer& m_timer;
};

class SmokeFlowTest : public ::testing::Test {
protected:
    SmokeFlowTest() {
        payload.manifest_sha256 = std::string(64, 'a');
        settings.run_id = "nightly-42";
        settings.template_text = "//SMOKE JOB (ACCT),'GL'\n//S1 EXEC PGM=BPXBATCH,PARM='SH echo ${attempt}'\n";
        settings.template_name = "smoke.jcl";
        settings.payload = &payload;
        settings.poll.interval = milliseconds(100);
        settings.poll.slow_after = 3;
        settings.poll.slow_interval = milliseconds(300);
        settings.poll.timeout = milliseconds(50);
        settings.stall.running_timeout = milliseconds(2000);
        settings.stall.input_timeout = milliseconds(1000);
        settings.stall.retries = 1;
        settings.jitter_seed = 7;
        log.level = FlowLogLevel::debug;
        log.write = [this](std::string_view line) { lines.emplace_back(line); };
    }

    FlowResult run() { return run_smoke_flow(host, settings, timer, log); }

    Payload payload;
    FlowSettings settings;
    FakeTimer timer;
    FakeHost host{timer};
    FlowLog log;
    std::vector<std::string> lines;
};

TEST_F(SmokeFlowTest, ACompletedJobWithGoodSpoolPasses) {
    host.scripts = {{milliseconds(50), milliseconds(450), "CC 0000"}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    ASSERT_EQ(result.attempts.size(), 1u);
    EXPECT_EQ(result.attempts[0].outcome, "completed");
    EXPECT_TRUE(result.failed_assertions().empty());
    EXPECT_EQ(result.spool.size(), 4u);
    ASSERT_TRUE(result.final_script.has_value());
    EXPECT_NE(result.final_script->find("frames"), std::string::npos);
    EXPECT_NE(result.jcl.find("echo 1"), std::string::npos);
    EXPECT_TRUE(host.cancelled_jobids.empty());
    // Polls at 100, 200, 300 (interval), then 600 (slow_interval): done at 600.
    EXPECT_EQ(result.metrics.polls, 4);
    EXPECT_EQ(result.metrics.failed_polls, 0);
    ASSERT_TRUE(result.metrics.submit_to_output_ms.has_value());
    EXPECT_DOUBLE_EQ(*result.metrics.submit_to_output_ms, 600.0);
    const nlohmann::json delta = delta_json(result, settings.run_id);
    EXPECT_EQ(delta["verdict"], "pass");
    EXPECT_EQ(delta["job"]["id"], "JOB00001");
    EXPECT_EQ(delta["job"]["retcode"], "CC 0000");
    // The job token and when its retcode is due: submit time + stall.running_timeout.
    const nlohmann::json& attempt = delta["attempts"].at(0);
    EXPECT_EQ(attempt["jobid"], "JOB00001");
    const auto parse_utc = [](const std::string& text) {
        std::tm tm{};
        int milliseconds_part = 0;
        EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                              &tm.tm_min, &tm.tm_sec, &milliseconds_part),
                  7)
            << text;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        return static_cast<long long>(timegm(&tm)) * 1000 + milliseconds_part;
    };
    EXPECT_EQ(parse_utc(attempt["expected_by"]) - parse_utc(attempt["submitted_at"]),
              settings.stall.running_timeout.count());
}

TEST_F(SmokeFlowTest, PollsFollowTheIntervalThenTheSlowInterval) {
    host.scripts = {{milliseconds(0), milliseconds(1100), "CC 0000"}};
    FlowResult result = run();
    ASSERT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    std::vector<milliseconds> expected = {milliseconds(100), milliseconds(200), milliseconds(300),
                                          milliseconds(600), milliseconds(900), milliseconds(1200)};
    EXPECT_EQ(host.poll_times, expected);
}

TEST_F(SmokeFlowTest, NonzeroConditionCodeFailsWithoutRetry) {
    host.scripts = {{milliseconds(0), milliseconds(150), "CC 0004"}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::failed);
    EXPECT_EQ(result.attempts.size(), 1u);
    EXPECT_EQ(host.jobs.size(), 1u);
    EXPECT_TRUE(host.cancelled_jobids.empty());
    const auto failed = result.failed_assertions();
    EXPECT_EQ(failed, std::vector<std::string>{"retcode"});
}

TEST_F(SmokeFlowTest, AbendAndJclErrorAreJobFailuresNotRetried) {
    for (const char* retcode : {"ABEND S0C4", "JCL ERROR", "CANCELED"}) {
        FakeTimer local_timer;
        FakeHost local_host(local_timer);
        local_host.scripts = {{milliseconds(0), milliseconds(10), retcode}};
        FlowResult result = run_smoke_flow(local_host, settings, local_timer, log);
        EXPECT_EQ(result.verdict, FlowVerdict::failed) << retcode;
        EXPECT_EQ(local_host.jobs.size(), 1u) << retcode;
    }
}

TEST_F(SmokeFlowTest, StalledJobIsCancelledAndResubmittedOnce) {
    host.scripts = {{milliseconds(0), std::nullopt, ""}, {milliseconds(0), milliseconds(250), "CC 0000"}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    ASSERT_EQ(result.attempts.size(), 2u);
    EXPECT_EQ(result.attempts[0].outcome, "stalled-running");
    EXPECT_TRUE(result.attempts[0].cancel_acknowledged);
    EXPECT_EQ(host.cancelled_jobids, std::vector<std::string>{"JOB00001"});
    ASSERT_EQ(host.jobs.size(), 2u);
    EXPECT_NE(result.attempts[0].correlator, result.attempts[1].correlator);
    EXPECT_EQ(result.metrics.resubmissions, 1);
    EXPECT_NE(result.jcl.find("echo 2"), std::string::npos) << "the JCL of the resubmission says attempt 2";
    // The stall was detected at the deadline, not a slow poll later.
    EXPECT_GE(timer.elapsed(), milliseconds(2000));
    EXPECT_LT(host.jobs[1].submitted, milliseconds(2000 + 300));
}

TEST_F(SmokeFlowTest, StalledTwiceEscalatesWithBothCancelsSent) {
    host.scripts = {{milliseconds(0), std::nullopt, ""}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::escalated);
    EXPECT_EQ(host.cancelled_jobids, (std::vector<std::string>{"JOB00001", "JOB00002"}));
    EXPECT_EQ(result.attempts.size(), 2u);
    EXPECT_EQ(delta_json(result, settings.run_id)["verdict"], "escalated");
    EXPECT_NE(result.message.find("escalated"), std::string::npos);
}

TEST_F(SmokeFlowTest, JobStillQueuedPastItsInputLimitIsAStall) {
    host.scripts = {{milliseconds(60'000), std::nullopt, ""}, {milliseconds(0), milliseconds(100), "CC 0000"}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    ASSERT_EQ(result.attempts.size(), 2u);
    EXPECT_EQ(result.attempts[0].outcome, "stalled-input");
    EXPECT_LT(host.jobs[1].submitted, milliseconds(2000)) << "the input limit (1000 ms) came before the running one";
}

TEST_F(SmokeFlowTest, SysFailIsAHostFailureAndIsResubmitted) {
    host.scripts = {{milliseconds(0), milliseconds(100), "SYS FAIL"}, {milliseconds(0), milliseconds(100), "CC 0000"}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    ASSERT_EQ(result.attempts.size(), 2u);
    EXPECT_EQ(result.attempts[0].outcome, "sys-fail");
    EXPECT_TRUE(host.cancelled_jobids.empty());
}

TEST_F(SmokeFlowTest, SlowAnswersAreFailedPollsInTheMetrics) {
    host.scripts = {{milliseconds(0), milliseconds(1500), "CC 0000"}};
    const ClientError slow{ClientError::Kind::timeout, 0, "no answer within 50 ms", std::nullopt};
    host.poll_failures = {{2, {slow, milliseconds(60)}}, {3, {slow, milliseconds(60)}}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    EXPECT_EQ(result.metrics.failed_polls, 2);
    EXPECT_EQ(result.metrics.failed_polls_by_reason["timeout"], 2);
    const nlohmann::json metrics = metrics_json(result.metrics);
    EXPECT_EQ(metrics["failed_polls"], 2);
    EXPECT_EQ(metrics["retries"]["poll"], 2);
    EXPECT_DOUBLE_EQ(metrics["latency_ms"]["max"].get<double>(), 60.0);
    EXPECT_DOUBLE_EQ(metrics["latency_ms"]["p50"].get<double>(), 3.0);
    // A failed poll is retried sooner than the schedule (backoff bounded by the interval).
    ASSERT_GE(host.poll_times.size(), 4u);
    EXPECT_LE(host.poll_times[2] - host.poll_times[1], milliseconds(60 + 100));
}

TEST_F(SmokeFlowTest, RetryAfterIsHonoured) {
    host.scripts = {{milliseconds(0), milliseconds(1500), "CC 0000"}};
    ClientError busy{ClientError::Kind::http, 429, "too many requests", milliseconds(700)};
    host.poll_failures = {{1, {busy, milliseconds(1)}}};
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    ASSERT_GE(host.poll_times.size(), 2u);
    EXPECT_GE(host.poll_times[1] - host.poll_times[0], milliseconds(700));
    EXPECT_EQ(result.metrics.failed_polls_by_reason["http-429"], 1);
}

TEST_F(SmokeFlowTest, FailedPollsAloneNeverEndTheFlowTheStallDeadlineDoes) {
    host.scripts = {{milliseconds(0), milliseconds(100), "CC 0000"}};
    const ClientError down{ClientError::Kind::transport, 0, "connection refused", std::nullopt};
    for (int poll = 1; poll <= 200; ++poll) host.poll_failures[poll] = {down, milliseconds(1)};
    settings.stall.retries = 0;
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::escalated);
    EXPECT_GT(result.metrics.failed_polls, 5);
    EXPECT_GE(timer.elapsed(), milliseconds(2000));
}

TEST_F(SmokeFlowTest, LostSubmitAnswerIsResentWithTheSameCorrelator) {
    host.scripts = {{milliseconds(0), milliseconds(100), "CC 0000"}};
    host.lost_submit_answers = 1;
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    ASSERT_EQ(host.submitted_correlators.size(), 2u);
    EXPECT_EQ(host.submitted_correlators[0], host.submitted_correlators[1]);
    EXPECT_EQ(host.jobs.size(), 1u);
    EXPECT_EQ(result.metrics.submit_retries, 1);
    EXPECT_EQ(result.attempts[0].submit_requests, 2);
}

TEST_F(SmokeFlowTest, UnreachableHostAtTheFirstSubmitIsInfrastructure) {
    host.unreachable_submits = 100;
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::unreachable);
    EXPECT_EQ(host.submitted_correlators.size(), 3u) << "bounded resends";
    EXPECT_TRUE(host.jobs.empty());
}

TEST_F(SmokeFlowTest, DebugLinesCarryTheJobAndCorrelatorOnceKnown) {
    host.scripts = {{milliseconds(0), milliseconds(250), "CC 0000"}};
    FlowResult result = run();
    ASSERT_EQ(result.verdict, FlowVerdict::passed);
    const std::string correlator = result.attempts[0].correlator;
    bool submitted = false;
    ASSERT_FALSE(lines.empty());
    for (const auto& line : lines) {
        EXPECT_NE(line.find("correlator=" + correlator), std::string::npos) << line;
        if (submitted) {
            EXPECT_NE(line.find("job=SMOKE(JOB00001)"), std::string::npos) << line;
        }
        if (line.find("submitted SMOKE(JOB00001)") != std::string::npos) submitted = true;
    }
    EXPECT_TRUE(submitted);
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
        return line.find("debug") != std::string::npos && line.find("poll 1") != std::string::npos;
    }));
}

TEST_F(SmokeFlowTest, InfoLevelHasNoDebugLines) {
    log.level = FlowLogLevel::info;
    host.scripts = {{milliseconds(0), milliseconds(250), "CC 0000"}};
    ASSERT_EQ(run().verdict, FlowVerdict::passed);
    for (const auto& line : lines) EXPECT_EQ(line.find("poll 1:"), std::string::npos) << line;
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(),
                            [](const std::string& line) { return line.find("submitted") != std::string::npos; }));
}

TEST_F(SmokeFlowTest, MissingScriptArtifactFailsTheAssertions) {
    host.scripts = {{milliseconds(0), milliseconds(100), "CC 0000"}};
    host.spool.pop_back();
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::failed);
    EXPECT_FALSE(result.final_script.has_value());
    const auto failed = result.failed_assertions();
    EXPECT_NE(std::find(failed.begin(), failed.end(), "final_script"), failed.end());
    EXPECT_NE(std::find(failed.begin(), failed.end(), "final_script_frames"), failed.end());
}

TEST_F(SmokeFlowTest, InterruptCancelsTheJobAndStops) {
    host.scripts = {{milliseconds(0), std::nullopt, ""}};
    timer.interrupt_at = milliseconds(450);
    FlowResult result = run();
    EXPECT_EQ(result.verdict, FlowVerdict::interrupted);
    ASSERT_EQ(result.attempts.size(), 1u);
    EXPECT_EQ(result.attempts[0].outcome, "interrupted");
    EXPECT_EQ(host.cancelled_jobids, std::vector<std::string>{"JOB00001"});
    EXPECT_EQ(host.jobs.size(), 1u) << "nothing resubmitted";
    EXPECT_LT(timer.elapsed(), milliseconds(1000));
    EXPECT_EQ(delta_json(result, settings.run_id)["verdict"], "interrupted");
}

TEST(UserCorrelator, ValidStableAndNewPerAttempt) {
    const std::string digest(64, 'c');
    const std::string first = make_user_correlator("nightly-42", digest, 1);
    EXPECT_TRUE(is_valid_user_correlator(first)) << first;
    EXPECT_LE(first.size(), 32u);
    EXPECT_EQ(first, make_user_correlator("nightly-42", digest, 1));
    EXPECT_NE(first, make_user_correlator("nightly-42", digest, 2));
    EXPECT_NE(first, make_user_correlator("nightly-43", digest, 1));
    EXPECT_NE(first, make_user_correlator("nightly-42", std::string(64, 'd'), 1));
    EXPECT_NE(first.find("CCCCCCCC"), std::string::npos) << "names the manifest's digest";
    const std::string long_run(128, 'r');
    EXPECT_TRUE(is_valid_user_correlator(make_user_correlator(long_run, digest, 99999)));
    EXPECT_TRUE(is_valid_user_correlator(make_user_correlator("", "", 1)));
}

// The same flow through the real client (ZosmfClient) against an in-process z/OSMF that answers per a
// script: the client's request bound turns a slow answer into a failed poll, and Retry-After reaches
// the flow from the header.
class FakeZosmf {
public:
    enum class PollAnswer { normal, slow, busy };
    std::vector<PollAnswer> poll_answers;  // by poll number; past the end: normal
    int polls_until_done = 3;              // normal answers before the job shows OUTPUT

    FakeZosmf() {
        m_server.put("/zosmf/restjobs/jobs",
                     [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
                         std::lock_guard lock(m_mutex);
                         m_correlators.push_back(request.get_header_value("X-IBM-User-Correlator"));
                         m_job.jobid = "JOB00007";
                         m_job.jobname = "SMOKE";
                         m_job.owner = "IBMUSER";
                         m_job.status = JobStatus::input;
                         m_job.phase = 10;
                         m_job.phase_name = "Job is queued for execution";
                         m_job.correlator = "J0000007GLBRJES2DEADBEEF.......:" + m_correlators.back();
                         m_job.user_correlator = m_correlators.back();
                         m_job.submitted = "2026-11-21T10:00:00.000Z";
                         m_job.job_class = "A";
                         response.status = 201;
                         response.set_content(to_zosmf_json(m_job, base()).dump(), "application/json");
                     });
        m_server.get("/zosmf/restjobs/jobs/SMOKE/JOB00007",
                     [this](const test_support::PeerRequest&, test_support::PeerResponse& response) {
                         PollAnswer answer = PollAnswer::normal;
                         {
                             std::lock_guard lock(m_mutex);
                             const std::size_t number = m_polls++;
                             if (number < poll_answers.size()) answer = poll_answers[number];
                             if (answer == PollAnswer::normal && ++m_normal_polls >= polls_until_done) {
                                 m_job.status = JobStatus::output;
                                 m_job.retcode = "CC 0000";
                                 m_job.phase = 20;
                                 m_job.phase_name = "Job is on the hard copy queue";
                             } else if (answer == PollAnswer::normal) {
                                 m_job.status = JobStatus::active;
                             }
                         }
                         if (answer == PollAnswer::slow) std::this_thread::sleep_for(std::chrono::milliseconds(400));
                         if (answer == PollAnswer::busy) {
                             response.status = 503;
                             response.set_header("Retry-After", "1");
                             response.set_content(R"({"message":"busy"})", "application/json");
                             return;
                         }
                         std::lock_guard lock(m_mutex);
                         response.set_content(to_zosmf_json(m_job, base()).dump(), "application/json");
                     });
        m_server.get("/zosmf/restjobs/jobs/SMOKE/JOB00007/files",
                     [this](const test_support::PeerRequest&, test_support::PeerResponse& response) {
                         nlohmann::json files = nlohmann::json::array();
                         for (const auto& file : spool_files()) files.push_back(to_zosmf_json(file, base()));
                         response.set_content(files.dump(), "application/json");
                     });
        m_server.get(R"(/zosmf/restjobs/jobs/SMOKE/JOB00007/files/(\d+)/records)",
                     [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
                         const int id = std::stoi(request.matches[1]);
                         const auto contents = spool_contents();
                         response.set_content(contents.at(static_cast<std::size_t>(id - k_first_user_spool_id)),
                                              "text/plain");
                     });
    }
    ~FakeZosmf() { m_server.stop(); }

    std::string base() const { return m_server.url(); }
    std::vector<std::string> correlators() {
        std::lock_guard lock(m_mutex);
        return m_correlators;
    }

private:
    static std::vector<std::string> spool_contents() {
        std::vector<std::string> contents;
        for (const auto& fake : good_spool()) {
            if (fake.ddname != "JESMSGLG") contents.push_back(fake.content);
        }
        return contents;
    }
    std::vector<SpoolFile> spool_files() const {
        std::vector<SpoolFile> files;
        int id = k_first_user_spool_id;
        for (const auto& fake : good_spool()) {
            if (fake.ddname == "JESMSGLG") continue;
            SpoolFile file;
            file.jobid = "JOB00007";
            file.jobname = "SMOKE";
            file.correlator = m_job.correlator;
            file.id = id++;
            file.ddname = fake.ddname;
            file.stepname = fake.stepname;
            file.output_class = "A";
            file.byte_count = static_cast<std::int64_t>(fake.content.size());
            file.record_count =
                std::count(fake.content.begin(), fake.content.end(), '\n') + (fake.content.back() == '\n' ? 0 : 1);
            files.push_back(file);
        }
        return files;
    }

    std::mutex m_mutex;
    Job m_job;
    std::size_t m_polls = 0;
    int m_normal_polls = 0;
    std::vector<std::string> m_correlators;
    test_support::HttpPeer m_server;
};

FlowSettings http_settings(const Payload& payload) {
    FlowSettings settings;
    settings.run_id = "http-1";
    settings.template_text = "//SMOKE JOB (A),'GL'\n//S1 EXEC PGM=BPXBATCH,PARM='SH true'\n";
    settings.template_name = "smoke.jcl";
    settings.payload = &payload;
    settings.poll.interval = milliseconds(20);
    settings.poll.slow_after = 3;
    settings.poll.slow_interval = milliseconds(40);
    settings.poll.timeout = milliseconds(150);
    settings.stall.running_timeout = milliseconds(10'000);
    settings.stall.input_timeout = milliseconds(10'000);
    return settings;
}

ZosmfClient client_for(const FakeZosmf& host) {
    ClientOptions options;
    options.url = host.base();
    options.credentials = {"IBMUSER", "secret"};
    options.request_timeout = milliseconds(150);
    auto client = ZosmfClient::create(options);
    EXPECT_TRUE(client) << client.message();
    return std::move(client.value());
}

TEST(SmokeFlowOverHttp, SlowAnswerIsAFailedPollAndRetryAfterIsHonoured) {
    FakeZosmf zosmf;
    zosmf.poll_answers = {FakeZosmf::PollAnswer::normal, FakeZosmf::PollAnswer::slow, FakeZosmf::PollAnswer::busy};
    Payload payload;
    payload.manifest_sha256 = std::string(64, 'b');
    ZosmfClient client = client_for(zosmf);
    ZosmfJobHost host(client, client);
    SystemFlowTimer timer;
    const auto started = std::chrono::steady_clock::now();
    FlowResult result = run_smoke_flow(host, http_settings(payload), timer, FlowLog{});
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(result.verdict, FlowVerdict::passed) << result.message;
    EXPECT_EQ(result.metrics.failed_polls, 2);
    EXPECT_EQ(result.metrics.failed_polls_by_reason["timeout"], 1);
    EXPECT_EQ(result.metrics.failed_polls_by_reason["http-503"], 1);
    EXPECT_GE(*std::max_element(result.metrics.poll_latencies_ms.begin(), result.metrics.poll_latencies_ms.end()),
              150.0);
    EXPECT_GE(took, milliseconds(1000)) << "Retry-After: 1 was honoured";
    EXPECT_EQ(result.spool.size(), 3u);
    EXPECT_EQ(zosmf.correlators(),
              std::vector<std::string>{make_user_correlator("http-1", payload.manifest_sha256, 1)});
}

}  // namespace
}  // namespace greenlight::bridge
