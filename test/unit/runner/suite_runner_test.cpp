// run_suite with a fake supervisor, fake requirements and a fake clock: retries, evidence kept,
// requirements, result.json, the environment and argv the command gets, and its results.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenlight/runner/suite_runner.hpp"
#include "unit/runner/fakes.hpp"

namespace greenlight::runner {
namespace {

using namespace testing;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr std::string_view k_tiers = R"(
tiers:
  smoke: []
  pr-fast: []
policy:
  flaky: { smoke: fail, pr-fast: pass }
  missing_requirement: fail
)";

constexpr std::string_view k_junit_one_failure = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="calc" tests="3" failures="1">
  <testcase classname="calc.CalcTest" name="adds" time="0.01"/>
  <testcase classname="calc.CalcTest" name="subtracts" time="0.02">
    <failure message="expected 1, got 2">at calc_test.cpp:12</failure>
  </testcase>
  <testcase classname="calc.CalcTest" name="divides" time="0.01"/>
</testsuite>
)";

constexpr std::string_view k_junit_all_pass = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="calc" tests="3">
  <testcase classname="calc.CalcTest" name="adds"/>
  <testcase classname="calc.CalcTest" name="subtracts"/>
  <testcase classname="calc.CalcTest" name="divides"/>
</testsuite>
)";

constexpr std::string_view k_junit_only_skipped = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="calc" tests="1">
  <testcase classname="calc.CalcTest" name="later"><skipped/></testcase>
</testsuite>
)";

FakeAttempt attempt_with(ProcessExit exit) {
    FakeAttempt attempt;
    attempt.exit = exit;
    return attempt;
}

ProcessExit ended(Termination termination) {
    ProcessExit exit;
    exit.termination = termination;
    if (termination == Termination::signaled) exit.signal = 11;
    if (termination == Termination::failed_to_start) exit.start_error = "command not found: `frob`";
    return exit;
}

class SuiteRunnerTest : public ::testing::Test {
protected:
    // Loads `suites_yaml` (the `suites:` section) with the standard tiers and policy.
    const config::SuiteConfig& load(std::string_view suites_yaml, const std::string& suite = "s",
                                    std::string_view extra = "") {
        std::string text =
            "version: 1\nproject: billing\n" + std::string(suites_yaml) + std::string(k_tiers) + std::string(extra);
        m_config = load_config_in(m_dir.path(), text);
        const config::SuiteConfig* found = m_config->find_suite(suite);
        if (!found) throw std::runtime_error("no suite " + suite);
        return *found;
    }

    SuiteOutcome run(const config::SuiteConfig& suite, const std::string& tier = "pr-fast") {
        SuiteContext context{*m_config, tier, "run-7", bundle(), m_supervisor, m_requirements, m_clock};
        return run_suite(suite, context);
    }

    fs::path bundle() const { return m_dir.path() / "bundle"; }
    fs::path suite_dir(const std::string& name = "s") const { return bundle() / "suites" / name; }
    json result_json(const std::string& name = "s") const {
        return json::parse(read_text(suite_dir(name) / "result.json"));
    }

    TempDir m_dir;
    FakeSupervisor m_supervisor;
    FakeRequirements m_requirements;
    FakeClock m_clock;
    std::optional<config::Config> m_config;
};

// ---- retries ------------------------------------------------------------------------------------------

TEST_F(SuiteRunnerTest, PassOnRetryIsFlakyAndEveryAttemptIsKept) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 2
)");
    FakeAttempt first = FakeAttempt::exited(1, "first try\n");
    first.outputs["log.txt"] = "one";
    FakeAttempt second = FakeAttempt::exited(0, "second try\n");
    second.outputs["log2.txt"] = "two";
    m_supervisor.add(first);
    m_supervisor.add(second);

    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::flaky) << outcome.reason;
    EXPECT_TRUE(outcome.green);  // pr-fast: flaky passes
    EXPECT_TRUE(outcome.complete);
    EXPECT_THAT(outcome.reason, HasSubstr("attempt 2"));
    ASSERT_EQ(outcome.attempts.size(), 2u);
    EXPECT_EQ(m_supervisor.requests().size(), 2u);
    EXPECT_EQ(outcome.attempts[0].decision.verdict, Verdict::fail);
    EXPECT_EQ(outcome.attempts[1].decision.verdict, Verdict::pass);

    EXPECT_EQ(outcome.attempts[0].output_log, "suites/s/attempts/1/output.log");
    EXPECT_EQ(outcome.attempts[0].outputs_dir, "suites/s/attempts/1/outputs");
    EXPECT_EQ(outcome.attempts[1].output_log, "suites/s/output.log");
    EXPECT_EQ(outcome.attempts[1].outputs_dir, "suites/s/outputs");
    EXPECT_EQ(read_text(suite_dir() / "attempts/1/output.log"), "first try\n");
    EXPECT_EQ(read_text(suite_dir() / "attempts/1/outputs/log.txt"), "one");
    EXPECT_EQ(read_text(suite_dir() / "output.log"), "second try\n");
    EXPECT_EQ(read_text(suite_dir() / "outputs/log2.txt"), "two");
    EXPECT_FALSE(fs::exists(suite_dir() / "outputs/log.txt")) << "the retry must start with a clean outputs folder";
    EXPECT_FALSE(fs::exists(suite_dir() / "attempts/2"));

    auto requests = m_supervisor.requests();
    EXPECT_EQ(environment_value(requests[0].environment, "GREENLIGHT_ATTEMPT"), "1");
    EXPECT_EQ(environment_value(requests[1].environment, "GREENLIGHT_ATTEMPT"), "2");
    EXPECT_NE(requests[0].environment_marker, requests[1].environment_marker);

    json result = result_json();
    EXPECT_EQ(result["verdict"], "flaky");
    ASSERT_EQ(result["attempts"].size(), 2u);
    EXPECT_EQ(result["attempts"][0]["output_log"], "suites/s/attempts/1/output.log");
    EXPECT_EQ(result["attempts"][0]["verdict"], "fail");
}

TEST_F(SuiteRunnerTest, FlakyIsNotGreenWhereThePolicySaysFail) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 1
)");
    m_supervisor.add(FakeAttempt::exited(1));
    m_supervisor.add(FakeAttempt::exited(0));
    SuiteOutcome outcome = run(suite, "smoke");
    EXPECT_EQ(outcome.verdict, Verdict::flaky);
    EXPECT_FALSE(outcome.green);
    EXPECT_EQ(result_json()["green"], false);
}

TEST_F(SuiteRunnerTest, RetriesExhaustedIsFailWithEveryAttempt) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 2
)");
    m_supervisor.add(FakeAttempt::exited(1, "try 1\n"));
    m_supervisor.add(FakeAttempt::exited(2, "try 2\n"));
    m_supervisor.add(FakeAttempt::exited(3, "try 3\n"));
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::fail);
    EXPECT_FALSE(outcome.green);
    EXPECT_THAT(outcome.reason, HasSubstr("exit code 3"));
    ASSERT_EQ(outcome.attempts.size(), 3u);
    EXPECT_EQ(m_supervisor.requests().size(), 3u);
    EXPECT_EQ(read_text(suite_dir() / "attempts/1/output.log"), "try 1\n");
    EXPECT_EQ(read_text(suite_dir() / "attempts/2/output.log"), "try 2\n");
    EXPECT_EQ(read_text(suite_dir() / "output.log"), "try 3\n");
    EXPECT_EQ(result_json()["attempts"].size(), 3u);
}

TEST_F(SuiteRunnerTest, NoRetriesMeansOneAttempt) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
)");
    m_supervisor.set_fallback(FakeAttempt::exited(1));
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::fail);
    EXPECT_EQ(outcome.attempts.size(), 1u);
    EXPECT_FALSE(fs::exists(suite_dir() / "attempts"));
}

TEST_F(SuiteRunnerTest, CrashAndTimeoutAreRetried) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 2
)");
    m_supervisor.add(attempt_with(ended(Termination::signaled)));
    m_supervisor.add(attempt_with(ended(Termination::timed_out)));
    m_supervisor.add(FakeAttempt::exited(0));
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::flaky) << outcome.reason;
    ASSERT_EQ(outcome.attempts.size(), 3u);
    EXPECT_EQ(outcome.attempts[0].decision.verdict, Verdict::crashed);
    EXPECT_EQ(outcome.attempts[1].decision.verdict, Verdict::timeout);
}

TEST_F(SuiteRunnerTest, AnErrorIsNotRetried) {
    const auto& suite = load(R"(suites:
  s:
    run: [frob]
    retries: 3
)");
    m_supervisor.set_fallback(attempt_with(ended(Termination::failed_to_start)));
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::error);
    EXPECT_THAT(outcome.reason, HasSubstr("command not found: `frob`"));
    EXPECT_EQ(outcome.attempts.size(), 1u);
    EXPECT_EQ(m_supervisor.requests().size(), 1u);
}

TEST_F(SuiteRunnerTest, MissingResultsAreAnErrorThatIsNotRetried) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 3
    results: { junit: "{outputs}/junit.xml" }
)");
    m_supervisor.set_fallback(FakeAttempt::exited(0));
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::error);
    EXPECT_THAT(outcome.reason, HasSubstr("junit.xml"));
    EXPECT_EQ(m_supervisor.requests().size(), 1u);
}

TEST_F(SuiteRunnerTest, NoTestsIsNotRetried) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 3
    results: { junit: "{outputs}/junit.xml" }
)");
    FakeAttempt only_skipped = FakeAttempt::exited(0);
    only_skipped.outputs["junit.xml"] = k_junit_only_skipped;
    m_supervisor.set_fallback(only_skipped);
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::no_tests) << outcome.reason;
    EXPECT_EQ(m_supervisor.requests().size(), 1u);
}

// ---- requirements -----------------------------------------------------------------------------------

TEST_F(SuiteRunnerTest, UnmetRequirementSkipsTheSuiteWithoutAnAttempt) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, integration]
    requires: [docker]
)");
    m_requirements.unmet_reasons["docker"] = "no daemon answered on /var/run/docker.sock";
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::skipped);
    EXPECT_TRUE(outcome.attempts.empty());
    EXPECT_TRUE(m_supervisor.requests().empty());
    EXPECT_THAT(outcome.reason, HasSubstr("docker"));
    EXPECT_THAT(outcome.reason, HasSubstr("no daemon answered on /var/run/docker.sock"));
    EXPECT_FALSE(outcome.green);  // missing_requirement: fail
    EXPECT_TRUE(outcome.complete);
    EXPECT_EQ(outcome.counts.total, 0);

    json result = result_json();
    EXPECT_EQ(result["status"], "complete");
    EXPECT_EQ(result["verdict"], "skipped");
    EXPECT_THAT(result["reason"].get<std::string>(), HasSubstr("no daemon answered"));
    EXPECT_TRUE(result["attempts"].empty());
}

TEST_F(SuiteRunnerTest, UnmetRequirementIsGreenWhenThePolicySkips) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, integration]
    requires: ["env:TOKEN"]
)",
                             "s", "");
    m_config->policy.missing_requirement = config::MissingRequirementPolicy::skip;
    m_requirements.unmet_reasons["env:TOKEN"] = "TOKEN is not set";
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::skipped);
    EXPECT_TRUE(outcome.green);
}

TEST_F(SuiteRunnerTest, MetRequirementsAreCheckedAndTheSuiteRuns) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, integration]
    requires: [docker, "command:make"]
)");
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::pass);
    EXPECT_THAT(m_requirements.asked(), ElementsAre("docker", "command:make"));
    EXPECT_EQ(m_supervisor.requests().size(), 1u);
}

// ---- result.json ------------------------------------------------------------------------------------

TEST_F(SuiteRunnerTest, ResultJsonIsIncompleteWhileRunningAndCompleteAfter) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    labels: [fast]
)");
    json during;
    m_supervisor.on_run = [&](const SpawnRequest&) { during = json::parse(read_text(suite_dir() / "result.json")); };
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(during["status"], "incomplete");
    EXPECT_TRUE(during["verdict"].is_null());

    json result = result_json();
    EXPECT_EQ(result["schema"], "greenlight.suite-result/v1");
    EXPECT_EQ(result["suite"], "s");
    EXPECT_EQ(result["tier"], "pr-fast");
    EXPECT_EQ(result["status"], "complete");
    EXPECT_EQ(result["verdict"], "pass");
    EXPECT_EQ(result["green"], true);
    EXPECT_EQ(result["command"], json({"make", "test"}));
    EXPECT_EQ(result["labels"], json({"fast"}));
    ASSERT_EQ(result["attempts"].size(), 1u);
    EXPECT_EQ(result["attempts"][0]["exit_code"], 0);
    EXPECT_EQ(result["attempts"][0]["termination"], "exited");
    EXPECT_EQ(result["attempts"][0]["output_log"], "suites/s/output.log");
    EXPECT_EQ(result["counts"]["total"], 1);
    EXPECT_FALSE(fs::exists(suite_dir() / "result.json.tmp"));
}

TEST_F(SuiteRunnerTest, AnInterruptedAttemptLeavesAnIncompleteResult) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 2
)");
    m_supervisor.set_fallback(attempt_with(ended(Termination::interrupted)));
    SuiteOutcome outcome = run(suite);
    EXPECT_FALSE(outcome.complete);
    EXPECT_FALSE(outcome.green);
    EXPECT_EQ(outcome.attempts.size(), 1u);
    EXPECT_EQ(result_json()["status"], "incomplete");
}

TEST_F(SuiteRunnerTest, LeakedProcessesAreMentionedInTheReason) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
)");
    ProcessExit exit;
    exit.leaked = {{4242, "sleep 30"}};
    exit.signals_sent = true;
    m_supervisor.add(attempt_with(exit));
    SuiteOutcome outcome = run(suite);
    EXPECT_THAT(outcome.reason, HasSubstr("1 leaked process stopped"));
    json leaked = result_json()["attempts"][0]["leaked_processes"];
    ASSERT_EQ(leaked.size(), 1u);
    EXPECT_EQ(leaked[0]["pid"], 4242);
    EXPECT_EQ(leaked[0]["command"], "sleep 30");
}

// ---- what the command gets -------------------------------------------------------------------------

TEST_F(SuiteRunnerTest, EnvironmentHasTheGreenlightVariablesAndTheSuitesEnvExpanded) {
    ScopedEnvironment tz("TZ", "Europe/Berlin");
    ScopedEnvironment suite_name("GREENLIGHT_SUITE", "stale-from-parent");
    ScopedEnvironment inherited("GREENLIGHT_TEST_INHERITED", "yes");
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    env: { LABEL: "{suite}-{run_id}-{tier}", REPORT: "{outputs}/report.txt", PLAIN: value }
)");
    fs::path tmpdir_seen;
    bool tmpdir_existed = false;
    m_supervisor.on_run = [&](const SpawnRequest& request) {
        tmpdir_seen = environment_value(request.environment, "TMPDIR").value_or("");
        tmpdir_existed = !tmpdir_seen.empty() && fs::is_directory(tmpdir_seen);
    };
    run(suite);
    ASSERT_EQ(m_supervisor.requests().size(), 1u);
    const auto requests = m_supervisor.requests();
    const auto& environment = requests[0].environment;
    const std::string outputs = (suite_dir() / "outputs").string();

    EXPECT_EQ(environment_value(environment, "GREENLIGHT_OUTPUTS"), outputs);
    EXPECT_EQ(environment_value(environment, "GREENLIGHT_RUN_ID"), "run-7");
    EXPECT_EQ(environment_value(environment, "GREENLIGHT_TIER"), "pr-fast");
    EXPECT_EQ(environment_value(environment, "GREENLIGHT_SUITE"), "s");
    EXPECT_EQ(environment_value(environment, "GREENLIGHT_ATTEMPT"), "1");
    EXPECT_EQ(environment_value(environment, "TZ"), "UTC");
    EXPECT_EQ(environment_value(environment, "LABEL"), "s-run-7-pr-fast");
    EXPECT_EQ(environment_value(environment, "REPORT"), outputs + "/report.txt");
    EXPECT_EQ(environment_value(environment, "PLAIN"), "value");
    EXPECT_EQ(environment_value(environment, "GREENLIGHT_TEST_INHERITED"), "yes");
    for (const char* name : {"TZ", "GREENLIGHT_SUITE", "TMPDIR", "GREENLIGHT_OUTPUTS"}) {
        EXPECT_EQ(environment_count(environment, name), 1) << name;
    }

    // A private TMPDIR: there while the command runs, gone after.
    EXPECT_TRUE(tmpdir_existed) << tmpdir_seen;
    EXPECT_NE(tmpdir_seen, fs::temp_directory_path());
    EXPECT_FALSE(fs::exists(tmpdir_seen));

    // The marker that finds escaped processes is in the environment too.
    const std::string& marker = requests[0].environment_marker;
    EXPECT_FALSE(marker.empty());
    EXPECT_EQ(environment_count(environment, marker.substr(0, marker.find('='))), 1);
    EXPECT_NE(std::find(environment.begin(), environment.end(), marker), environment.end());
}

TEST_F(SuiteRunnerTest, EachAttemptGetsItsOwnTmpdir) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 1
)");
    m_supervisor.add(FakeAttempt::exited(1));
    m_supervisor.add(FakeAttempt::exited(0));
    run(suite);
    auto requests = m_supervisor.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_NE(environment_value(requests[0].environment, "TMPDIR"),
              environment_value(requests[1].environment, "TMPDIR"));
}

TEST_F(SuiteRunnerTest, ArgvPlaceholdersAreExpanded) {
    fs::create_directories(m_dir.path() / "sub" / "s");
    const auto& suite = load(R"(suites:
  s:
    run: [tool, "--junit={outputs}/junit.xml", "{tier}", "{suite}", "{run_id}", "{unknown}"]
    cwd: "sub/{suite}"
    timeout: 7s
    grace: 2s
    output_cap: 4096
)");
    run(suite);
    ASSERT_EQ(m_supervisor.requests().size(), 1u);
    const auto requests = m_supervisor.requests();
    const SpawnRequest& request = requests[0];
    const std::string outputs = (suite_dir() / "outputs").string();
    EXPECT_THAT(request.argv,
                ElementsAre("tool", "--junit=" + outputs + "/junit.xml", "pr-fast", "s", "run-7", "{unknown}"));
    EXPECT_EQ(request.cwd.lexically_normal(), m_dir.path() / "sub" / "s");
    EXPECT_EQ(request.output_log, suite_dir() / "output.log");
    EXPECT_EQ(request.timeout, std::chrono::seconds(7));
    EXPECT_EQ(request.grace, std::chrono::seconds(2));
    EXPECT_EQ(request.output_cap, 4096u);
}

TEST_F(SuiteRunnerTest, ShellStringPlaceholdersAreExpanded) {
    const auto& suite = load(R"(suites:
  s:
    run: echo {suite} > "{outputs}/name.txt"
)");
    run(suite);
    ASSERT_EQ(m_supervisor.requests().size(), 1u);
    const auto requests = m_supervisor.requests();
    EXPECT_THAT(requests[0].argv,
                ElementsAre("/bin/sh", "-c", "echo s > \"" + (suite_dir() / "outputs").string() + "/name.txt\""));
}

TEST_F(SuiteRunnerTest, MissingCwdIsAnErrorWithoutStarting) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    cwd: does/not/exist
    retries: 2
)");
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::error);
    EXPECT_THAT(outcome.reason, HasSubstr("does/not/exist"));
    EXPECT_TRUE(m_supervisor.requests().empty());
    EXPECT_EQ(outcome.attempts.size(), 1u);
}

TEST_F(SuiteRunnerTest, AnAttemptThatNeverStartedIsNotRecordedAsExitedZero) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    cwd: does/not/exist
)");
    SuiteOutcome outcome = run(suite);
    ASSERT_EQ(outcome.attempts.size(), 1u);
    EXPECT_EQ(outcome.attempts[0].decision.verdict, Verdict::error);
    // The evidence must not claim the command ran and exited 0.
    EXPECT_EQ(outcome.attempts[0].exit.termination, Termination::failed_to_start);
    json attempt = result_json()["attempts"][0];
    EXPECT_EQ(attempt["termination"], "failed-to-start");
    EXPECT_TRUE(attempt["exit_code"].is_null()) << attempt.dump();
}

TEST_F(SuiteRunnerTest, TheSuitesEnvCannotShadowWhatGreenlightSets) {
    // The loader refuses these names; the runner must hold even for a config built another way.
    const auto& loaded = load(R"(suites:
  s:
    run: [make, test]
)");
    config::SuiteConfig suite = loaded;
    suite.env = {{"TZ", "Asia/Tokyo"}, {"GREENLIGHT_OUTPUTS", "/somewhere/else"}, {"TMPDIR", "/tmp/shared"}};
    run(suite);
    const auto requests = m_supervisor.requests();
    ASSERT_EQ(requests.size(), 1u);
    // One entry per name: with two, the child's getenv() sees the first, the suite's value.
    for (const char* name : {"TZ", "GREENLIGHT_OUTPUTS", "TMPDIR"}) {
        EXPECT_EQ(environment_count(requests[0].environment, name), 1) << name;
    }
    std::optional<std::string> first_outputs;
    for (const auto& entry : requests[0].environment) {
        if (entry.rfind("GREENLIGHT_OUTPUTS=", 0) == 0) {
            first_outputs = entry.substr(19);
            break;
        }
    }
    EXPECT_EQ(first_outputs, (suite_dir() / "outputs").string());
}

// ---- results --------------------------------------------------------------------------------------------

TEST_F(SuiteRunnerTest, JunitResultsWrittenByTheCommandAreRead) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { junit: "{outputs}/junit.xml" }
)");
    FakeAttempt attempt = FakeAttempt::exited(1);
    attempt.outputs["junit.xml"] = k_junit_one_failure;
    m_supervisor.add(attempt);
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::fail) << outcome.reason;
    EXPECT_EQ(outcome.counts.total, 3);
    EXPECT_EQ(outcome.counts.passed, 2);
    EXPECT_EQ(outcome.counts.failed, 1);
    ASSERT_EQ(outcome.attempts.size(), 1u);
    EXPECT_EQ(outcome.attempts[0].cases.size(), 3u);
    EXPECT_EQ(outcome.attempts[0].results_file, "suites/s/outputs/junit.xml");

    json result = result_json();
    EXPECT_EQ(result["counts"]["failed"], 1);
    ASSERT_EQ(result["attempts"][0]["failing_tests"].size(), 1u);
    EXPECT_EQ(result["attempts"][0]["failing_tests"][0]["name"], "subtracts");
    EXPECT_EQ(result["attempts"][0]["failing_tests"][0]["message"], "expected 1, got 2");
    EXPECT_EQ(result["attempts"][0]["results_file"], "suites/s/outputs/junit.xml");
}

TEST_F(SuiteRunnerTest, JunitResultsThatAllPassArePass) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { junit: "{outputs}/junit.xml" }
    min_tests: 3
)");
    FakeAttempt attempt = FakeAttempt::exited(0);
    attempt.outputs["junit.xml"] = k_junit_all_pass;
    m_supervisor.add(attempt);
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::pass) << outcome.reason;
    EXPECT_EQ(outcome.counts.passed, 3);
}

TEST_F(SuiteRunnerTest, ExitZeroWithFailingJunitIsInconsistent) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { junit: "{outputs}/junit.xml" }
)");
    FakeAttempt attempt = FakeAttempt::exited(0);
    attempt.outputs["junit.xml"] = k_junit_one_failure;
    m_supervisor.add(attempt);
    EXPECT_EQ(run(suite).verdict, Verdict::inconsistent);
}

TEST_F(SuiteRunnerTest, ResultsOfARetriedAttemptPointIntoItsKeptFolder) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 1
    results: { junit: "{outputs}/junit.xml" }
)");
    FakeAttempt failing = FakeAttempt::exited(1);
    failing.outputs["junit.xml"] = k_junit_one_failure;
    FakeAttempt passing = FakeAttempt::exited(0);
    passing.outputs["junit.xml"] = k_junit_all_pass;
    m_supervisor.add(failing);
    m_supervisor.add(passing);
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::flaky) << outcome.reason;
    ASSERT_EQ(outcome.attempts.size(), 2u);
    EXPECT_EQ(outcome.attempts[0].results_file, "suites/s/attempts/1/outputs/junit.xml");
    EXPECT_TRUE(fs::exists(bundle() / outcome.attempts[0].results_file));
    EXPECT_EQ(outcome.attempts[1].results_file, "suites/s/outputs/junit.xml");
}

TEST_F(SuiteRunnerTest, AResultsFileOlderThanTheAttemptIsRejected) {
    write_text(m_dir.path() / "reports" / "junit.xml", std::string(k_junit_all_pass));
    make_old(m_dir.path() / "reports" / "junit.xml", std::chrono::hours(1));
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    retries: 2
    results: { junit: reports/junit.xml }
)");
    m_supervisor.set_fallback(FakeAttempt::exited(0));  // writes no results: the old file must not count
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::error) << outcome.reason;
    EXPECT_THAT(outcome.reason, HasSubstr("not written by this attempt"));
    EXPECT_FALSE(outcome.green);
    EXPECT_EQ(m_supervisor.requests().size(), 1u);
}

TEST_F(SuiteRunnerTest, AResultsFileOutsideTheBundleIsReadAndCopiedIn) {
    const fs::path results = m_dir.path() / "reports" / "junit.xml";
    fs::create_directories(results.parent_path());
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { junit: reports/junit.xml }
)");
    FakeAttempt attempt = FakeAttempt::exited(1);
    attempt.files[results] = k_junit_one_failure;
    m_supervisor.add(attempt);
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::fail) << outcome.reason;
    EXPECT_EQ(outcome.counts.failed, 1);
    EXPECT_EQ(outcome.attempts[0].results_file, "suites/s/outputs/junit.xml");
    EXPECT_EQ(read_text(suite_dir() / "outputs/junit.xml"), k_junit_one_failure);
}

TEST_F(SuiteRunnerTest, UnreadableResultsAreAnErrorWithTheParserMessage) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { junit: "{outputs}/junit.xml" }
)");
    FakeAttempt attempt = FakeAttempt::exited(0);
    attempt.outputs["junit.xml"] = "<testsuite><testcase name='a'>";
    m_supervisor.add(attempt);
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::error);
    EXPECT_THAT(outcome.reason, HasSubstr("junit.xml"));
}

TEST_F(SuiteRunnerTest, ResultsReadFromTheOutput) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { format: plain }
)");
    m_supervisor.add(FakeAttempt::exited(0, "building\n5 passed, 0 failed, 1 skipped\n"));
    SuiteOutcome outcome = run(suite);
    EXPECT_EQ(outcome.verdict, Verdict::pass) << outcome.reason;
    EXPECT_EQ(outcome.counts.passed, 5);
    EXPECT_EQ(outcome.counts.skipped, 1);
}

TEST_F(SuiteRunnerTest, ResultsAreNotReadAfterATimeout) {
    const auto& suite = load(R"(suites:
  s:
    run: [make, test]
    results: { junit: "{outputs}/junit.xml" }
)");
    FakeAttempt attempt = attempt_with(ended(Termination::timed_out));
    attempt.outputs["junit.xml"] = k_junit_all_pass;
    m_supervisor.add(attempt);
    EXPECT_EQ(run(suite).verdict, Verdict::timeout);
}

}  // namespace
}  // namespace greenlight::runner
