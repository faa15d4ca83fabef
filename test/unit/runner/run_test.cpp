// execute_run with the fake supervisor: the pool, the observer, the smoke guard, the bundle, interrupts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/verify.hpp"
#include "greenlight/runner/run.hpp"
#include "unit/runner/fakes.hpp"

namespace greenlight::runner {
namespace {

using namespace testing;
using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view k_config = R"(version: 1
project: billing
suites:
  a: { run: [make, a] }
  b: { run: [make, b] }
  c: { run: [make, c] }
  d: { run: [make, d] }
  e: { run: [make, e] }
  f: { run: [make, f] }
tiers:
  smoke: []
  pr-fast: [a, b, c, d, e, f]
  two: [a, b]
)";

const std::vector<std::string> k_suites = {"a", "b", "c", "d", "e", "f"};

class RunTest : public ::testing::Test {
protected:
    void SetUp() override {
        reset_interrupt();
        m_config = load_config_in(m_dir.path(), k_config);
    }
    void TearDown() override { reset_interrupt(); }

    RunRequest request(const std::string& tier = "pr-fast", int jobs = 1) {
        auto plan = plan_run(m_config, tier, std::nullopt, {});
        if (!plan) throw std::runtime_error(plan.message());
        RunRequest request;
        request.config = &m_config;
        request.plan = *plan;
        request.run_id = "run-42";
        request.bundle_dir = bundle();
        request.jobs = jobs;
        request.observer = &m_observer;
        request.supervisor = &m_supervisor;
        request.requirements = &m_requirements;
        request.clock = &m_clock;
        return request;
    }

    fs::path bundle() const { return m_dir.path() / "artifacts" / "billing" / "run-42"; }

    int count_events(const std::string& event) const {
        auto events = m_observer.events();
        return static_cast<int>(std::count(events.begin(), events.end(), event));
    }

    TempDir m_dir;
    config::Config m_config;
    FakeSupervisor m_supervisor;
    FakeRequirements m_requirements;
    FakeClock m_clock;
    RecordingObserver m_observer;
};

TEST_F(RunTest, ThreeJobsRunAllSixSuites) {
    FakeAttempt slow = FakeAttempt::exited(0, "ok\n");
    slow.sleep = 100ms;
    m_supervisor.set_fallback(slow);
    RunResult result = execute_run(request("pr-fast", 3));

    EXPECT_EQ(result.infrastructure_error, "");
    EXPECT_EQ(m_supervisor.requests().size(), 6u);
    EXPECT_LE(m_supervisor.max_running(), 3);
    EXPECT_GE(m_supervisor.max_running(), 2) << "the suites should run in parallel";
    ASSERT_EQ(result.record.suites.size(), 6u);
    std::vector<std::string> names;
    for (const auto& suite : result.record.suites) names.push_back(suite.name);
    EXPECT_EQ(names, k_suites) << "outcomes are reported in plan order";
    EXPECT_THAT(result.record.not_run, IsEmpty());
    EXPECT_EQ(result.record.verdict, Verdict::pass);
    EXPECT_TRUE(result.record.green);
    EXPECT_TRUE(result.record.complete);

    for (const auto& name : k_suites) {
        EXPECT_EQ(count_events("suite-start " + name), 1) << name;
        EXPECT_EQ(count_events("suite-end " + name), 1) << name;
    }
    auto events = m_observer.events();
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front(), "start");
    EXPECT_EQ(events.back(), "finish");
    EXPECT_EQ(count_events("smoke-start"), 0);
    EXPECT_FALSE(m_observer.overlapped()) << "observer calls must come one at a time";
    // Every suite starts before it ends.
    for (const auto& name : k_suites) {
        auto start = std::find(events.begin(), events.end(), "suite-start " + name);
        auto end = std::find(events.begin(), events.end(), "suite-end " + name);
        EXPECT_LT(start, end) << name;
    }
}

TEST_F(RunTest, JobsAboveTheSuiteCountAreFine) {
    RunResult result = execute_run(request("two", 16));
    EXPECT_EQ(m_supervisor.requests().size(), 2u);
    EXPECT_EQ(result.record.suites.size(), 2u);
    EXPECT_EQ(result.record.verdict, Verdict::pass);
}

TEST_F(RunTest, TheRunVerdictIsTheWorstSuite) {
    m_supervisor.add_for("c", FakeAttempt::exited(1, "boom\n"));
    RunResult result = execute_run(request("pr-fast", 2));
    EXPECT_EQ(result.record.verdict, Verdict::fail);
    EXPECT_FALSE(result.record.green);
    EXPECT_EQ(result.summary["verdict"], "fail");
    EXPECT_THAT(result.summary["reason"].get<std::string>(), HasSubstr("c"));
}

TEST_F(RunTest, AFailingPreflightRunsNoSuiteAndTheRunIsError) {
    RunRequest run_request = request("pr-fast", 3);
    int preflight_calls = 0;
    fs::path smoke_dir;
    run_request.preflight = [&](const fs::path& output_dir) {
        ++preflight_calls;
        smoke_dir = output_dir;
        PreflightRecord record;
        record.green = false;
        record.verdict = "fail";
        record.reason = "probe `crash` was judged pass";
        record.path = "smoke";
        return record;
    };
    RunResult result = execute_run(run_request);
    EXPECT_EQ(preflight_calls, 1);
    EXPECT_EQ(smoke_dir, bundle() / "smoke");
    EXPECT_TRUE(m_supervisor.requests().empty());
    EXPECT_TRUE(result.record.suites.empty());
    EXPECT_EQ(result.record.verdict, Verdict::error);
    EXPECT_FALSE(result.record.green);
    EXPECT_EQ(result.summary["verdict"], "error");
    EXPECT_EQ(result.summary["green"], false);
    EXPECT_EQ(result.summary["smoke"]["green"], false);
    EXPECT_THAT(result.summary["reason"].get<std::string>(), HasSubstr("probe `crash` was judged pass"));
    EXPECT_THAT(result.record.not_run, UnorderedElementsAreArray(k_suites));
    EXPECT_EQ(count_events("smoke-start"), 1);
    EXPECT_EQ(count_events("smoke-end"), 1);
    EXPECT_EQ(count_events("suite-start a"), 0);
}

TEST_F(RunTest, AGreenPreflightComesFirstThenTheSuitesRun) {
    RunRequest run_request = request("two", 1);
    run_request.preflight = [&](const fs::path&) {
        EXPECT_TRUE(m_supervisor.requests().empty()) << "the smoke guard runs before any suite";
        return PreflightRecord{true, "pass", "all probes held", "smoke", 5ms};
    };
    RunResult result = execute_run(run_request);
    EXPECT_EQ(m_supervisor.requests().size(), 2u);
    EXPECT_EQ(result.record.verdict, Verdict::pass);
    EXPECT_TRUE(result.record.green);
    EXPECT_EQ(result.summary["smoke"]["verdict"], "pass");
    auto events = m_observer.events();
    ASSERT_GE(events.size(), 3u);
    EXPECT_THAT(std::vector<std::string>(events.begin(), events.begin() + 3),
                ElementsAre("start", "smoke-start", "smoke-end"));
}

TEST_F(RunTest, TheBundleHasItsReportsAndVerifies) {
    FakeAttempt with_outputs = FakeAttempt::exited(0, "ok\n");
    with_outputs.outputs["coverage.txt"] = "91%";
    m_supervisor.set_fallback(with_outputs);
    RunResult result = execute_run(request("pr-fast", 3));
    EXPECT_EQ(result.infrastructure_error, "");
    for (const char* name : {"summary.json", "summary.md", "junit.xml", "manifest.json", "manifest-sha256.txt"}) {
        EXPECT_TRUE(fs::is_regular_file(bundle() / name)) << name;
    }
    for (const auto& name : k_suites) {
        EXPECT_TRUE(fs::is_regular_file(bundle() / "suites" / name / "result.json")) << name;
        EXPECT_TRUE(fs::is_regular_file(bundle() / "suites" / name / "output.log")) << name;
        EXPECT_TRUE(fs::is_regular_file(bundle() / "suites" / name / "outputs" / "coverage.txt")) << name;
    }
    EXPECT_TRUE(result.verification.ok()) << bundle::format_verify_report(result.verification, bundle());
    EXPECT_GT(result.verification.files_checked, 6u * 3);
    bundle::VerifyReport again = bundle::verify_bundle(bundle());
    EXPECT_TRUE(again.ok()) << bundle::format_verify_report(again, bundle());

    json summary = json::parse(read_text(bundle() / "summary.json"));
    EXPECT_EQ(summary, result.summary);
    EXPECT_EQ(summary["schema"], "greenlight.summary/v1");
    EXPECT_EQ(summary["status"], "complete");
    EXPECT_EQ(summary["run_id"], "run-42");
    EXPECT_EQ(summary["project"], "billing");
    EXPECT_EQ(summary["tier"], "pr-fast");
    EXPECT_EQ(summary["suites"].size(), 6u);
    EXPECT_EQ(summary["counts"]["passed"], 6);
    EXPECT_THAT(read_text(bundle() / "junit.xml"), HasSubstr("<testsuite name=\"f\""));
    EXPECT_THAT(read_text(bundle() / "summary.md"), HasSubstr("`c`"));
}

TEST_F(RunTest, TheBundleOfARedRunVerifiesToo) {
    FakeAttempt crash;
    crash.exit.termination = Termination::signaled;
    crash.exit.signal = 6;
    m_supervisor.add_for("a", crash);
    RunResult result = execute_run(request("two", 2));
    EXPECT_EQ(result.record.verdict, Verdict::crashed);
    EXPECT_TRUE(result.verification.ok()) << bundle::format_verify_report(result.verification, bundle());
}

TEST_F(RunTest, InterruptBeforeTheRunRunsNothingAndMarksItIncomplete) {
    InterruptReset reset;
    request_interrupt();
    RunRequest run_request = request("pr-fast", 3);
    bool preflight_ran = false;
    run_request.preflight = [&](const fs::path&) {
        preflight_ran = true;
        return PreflightRecord{true, "pass", "ok", "smoke", {}};
    };
    RunResult result = execute_run(run_request);
    EXPECT_FALSE(preflight_ran);
    EXPECT_TRUE(m_supervisor.requests().empty());
    EXPECT_THAT(result.record.not_run, ElementsAre("a", "b", "c", "d", "e", "f"));
    EXPECT_FALSE(result.record.complete);
    EXPECT_FALSE(result.record.green);
    EXPECT_EQ(result.summary["status"], "incomplete");
    EXPECT_EQ(result.summary["green"], false);
    EXPECT_EQ(result.summary["not_run"].size(), 6u);
    EXPECT_THAT(read_text(bundle() / "summary.md"), HasSubstr("Incomplete"));
    reset_interrupt();
}

TEST_F(RunTest, InterruptDuringTheRunStopsTakingNewSuites) {
    InterruptReset reset;
    m_supervisor.on_run = [](const SpawnRequest& spawn) {
        if (environment_value(spawn.environment, "GREENLIGHT_SUITE") == "b") request_interrupt();
    };
    RunResult result = execute_run(request("pr-fast", 1));
    EXPECT_EQ(m_supervisor.requests().size(), 2u);
    EXPECT_THAT(result.record.not_run, ElementsAre("c", "d", "e", "f"));
    EXPECT_FALSE(result.record.complete);
    EXPECT_FALSE(result.record.green);
    EXPECT_EQ(result.summary["status"], "incomplete");
    reset_interrupt();
}

TEST_F(RunTest, TheSummariesExecuteRunWritesMatchTheSchema) {
    const auto schema = summary_schema_path();
    if (!fs::exists(schema)) GTEST_SKIP() << schema << " does not exist yet";
    std::vector<json> summaries;

    {  // green, with a smoke guard
        RunRequest run_request = request("two", 2);
        run_request.preflight = [](const fs::path&) { return PreflightRecord{true, "pass", "ok", "smoke", 3ms}; };
        summaries.push_back(execute_run(run_request).summary);
    }
    {  // red smoke guard
        RunRequest run_request = request("pr-fast", 2);
        run_request.run_id = "run-43";
        run_request.bundle_dir = m_dir.path() / "run-43";
        run_request.preflight = [](const fs::path&) { return PreflightRecord{false, "fail", "no", "smoke", 3ms}; };
        summaries.push_back(execute_run(run_request).summary);
    }
    {  // interrupted
        InterruptReset reset;
        request_interrupt();
        RunRequest run_request = request("pr-fast", 2);
        run_request.run_id = "run-44";
        run_request.bundle_dir = m_dir.path() / "run-44";
        summaries.push_back(execute_run(run_request).summary);
    }
    {  // a shard
        RunRequest run_request = request("pr-fast", 2);
        auto plan = plan_run(m_config, "pr-fast", Shard{2, 4}, {});
        ASSERT_TRUE(plan.ok());
        run_request.plan = *plan;
        run_request.run_id = "run-45";
        run_request.bundle_dir = m_dir.path() / "run-45";
        summaries.push_back(execute_run(run_request).summary);
    }
    auto violations = schema_violations(schema, summaries);
    ASSERT_EQ(violations.size(), summaries.size());
    for (size_t i = 0; i < summaries.size(); ++i) EXPECT_EQ(violations[i], "") << summaries[i].dump(2);
}

TEST_F(RunTest, AShardWithNoSuitesSaysSo) {
    RunRequest run_request = request("two", 1);
    auto plan = plan_run(m_config, "two", Shard{3, 3}, {});
    ASSERT_TRUE(plan.ok());
    run_request.plan = *plan;
    RunResult result = execute_run(run_request);
    EXPECT_TRUE(m_supervisor.requests().empty());
    EXPECT_EQ(result.record.verdict, Verdict::no_tests);
    EXPECT_FALSE(result.record.green);
    EXPECT_THAT(result.record.reason, HasSubstr("shard 3/3"));
    EXPECT_EQ(result.summary["shard"]["index"], 3);
}

TEST_F(RunTest, ASmokeOnlyTierIsGreenWhenTheSmokeGuardIs) {
    RunRequest run_request = request("smoke", 1);
    run_request.preflight = [](const fs::path&) { return PreflightRecord{true, "pass", "ok", "smoke", {}}; };
    RunResult result = execute_run(run_request);
    EXPECT_EQ(result.record.verdict, Verdict::pass);
    EXPECT_TRUE(result.record.green);
}

TEST_F(RunTest, AnEmptyTierWithoutTheSmokeGuardIsNotGreen) {
    RunResult result = execute_run(request("smoke", 1));
    EXPECT_EQ(result.record.verdict, Verdict::no_tests);
    EXPECT_FALSE(result.record.green);
}

}  // namespace
}  // namespace greenlight::runner
