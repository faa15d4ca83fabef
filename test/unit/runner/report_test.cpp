// The run's reports: summary.json, summary.md, the merged junit.xml, annotations.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <pugixml.hpp>

#include "greenlight/results/parsers.hpp"
#include "greenlight/runner/report.hpp"
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
using ::testing::Not;

results::TestCounts counts(std::int64_t passed, std::int64_t failed, std::int64_t errored = 0,
                           std::int64_t skipped = 0) {
    results::TestCounts result;
    result.passed = passed;
    result.failed = failed;
    result.errored = errored;
    result.skipped = skipped;
    result.total = passed + failed + errored + skipped;
    return result;
}

std::string fmt_reason(const std::string& name, Verdict verdict) {
    return name + " ended " + std::string(to_string(verdict));
}

// A suite that ran once (or not at all, for skipped) with the given verdict.
SuiteOutcome suite(const std::string& name, Verdict verdict, bool green, results::TestCounts suite_counts = {},
                   int attempts = 1) {
    SuiteOutcome outcome;
    outcome.name = name;
    outcome.verdict = verdict;
    outcome.green = green;
    outcome.complete = true;
    outcome.counts = suite_counts;
    outcome.reason = fmt_reason(name, verdict);
    outcome.duration = std::chrono::milliseconds(1500);
    outcome.started_at = "2026-01-02T03:04:05.000Z";
    outcome.finished_at = "2026-01-02T03:04:06.500Z";
    outcome.command = {"make", name};
    for (int i = 1; i <= attempts; ++i) {
        AttemptRecord attempt;
        attempt.number = i;
        attempt.decision.verdict = verdict;
        attempt.decision.counts = suite_counts;
        outcome.attempts.push_back(attempt);
    }
    return outcome;
}

SuiteOutcome skipped_suite(const std::string& name, bool green) {
    SuiteOutcome outcome = suite(name, Verdict::skipped, green, {}, 0);
    outcome.reason = "requirement `docker` not met: no daemon";
    return outcome;
}

RunOutcome run_of(std::vector<SuiteOutcome> suites) {
    RunOutcome run;
    run.project = "billing";
    run.run_id = "run-1";
    run.tier = "pr-fast";
    run.started_at = "2026-01-02T03:04:00.000Z";
    run.finished_at = "2026-01-02T03:05:00.000Z";
    run.duration = std::chrono::milliseconds(60000);
    run.git_sha = "0123456789abcdef0123456789abcdef01234567";
    run.git_ref = "refs/heads/main";
    run.suites = std::move(suites);
    return run;
}

RunOutcome decided(std::vector<SuiteOutcome> suites) {
    RunOutcome run = run_of(std::move(suites));
    settle_run_verdict(run);
    return run;
}

// ---- summary_json ------------------------------------------------------------------------------------

TEST(SummaryJson, HasTheDocumentedFields) {
    RunOutcome run = decided({suite("unit", Verdict::pass, true, counts(10, 0, 0, 2)),
                              suite("lint", Verdict::fail, false, counts(3, 1, 1), 2)});
    json summary = summary_json(run);
    EXPECT_EQ(summary["schema"], "greenlight.summary/v1");
    EXPECT_EQ(summary["project"], "billing");
    EXPECT_EQ(summary["run_id"], "run-1");
    EXPECT_EQ(summary["tier"], "pr-fast");
    EXPECT_EQ(summary["status"], "complete");
    EXPECT_EQ(summary["verdict"], "fail");
    EXPECT_EQ(summary["green"], false);
    EXPECT_TRUE(summary["reason"].is_string());
    EXPECT_EQ(summary["started_at"], "2026-01-02T03:04:00.000Z");
    EXPECT_EQ(summary["finished_at"], "2026-01-02T03:05:00.000Z");
    EXPECT_EQ(summary["duration_ms"], 60000);
    EXPECT_EQ(summary["git"]["sha"], "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(summary["git"]["ref"], "refs/heads/main");
    EXPECT_TRUE(summary["shard"].is_null());
    EXPECT_TRUE(summary["smoke"].is_null());
    EXPECT_TRUE(summary["not_run"].is_array());
    EXPECT_TRUE(summary["greenlight_version"].is_string());

    const json& totals = summary["counts"];
    EXPECT_EQ(totals["total"], 17);
    EXPECT_EQ(totals["passed"], 13);
    EXPECT_EQ(totals["failed"], 1);
    EXPECT_EQ(totals["errored"], 1);
    EXPECT_EQ(totals["skipped"], 2);

    ASSERT_EQ(summary["suites"].size(), 2u);
    const json& lint = summary["suites"][1];
    EXPECT_EQ(lint["name"], "lint");
    EXPECT_EQ(lint["verdict"], "fail");
    EXPECT_EQ(lint["green"], false);
    EXPECT_EQ(lint["status"], "complete");
    EXPECT_EQ(lint["reason"], "lint ended fail");
    EXPECT_EQ(lint["duration_ms"], 1500);
    EXPECT_EQ(lint["attempts"], 2);
    EXPECT_EQ(lint["counts"]["failed"], 1);
    EXPECT_EQ(lint["result"], "suites/lint/result.json");
    EXPECT_EQ(summary["suites"][0]["result"], "suites/unit/result.json");
}

TEST(SummaryJson, CountsSumOverSuites) {
    std::vector<SuiteOutcome> suites;
    std::int64_t passed = 0;
    for (int i = 1; i <= 5; ++i) {
        suites.push_back(suite("s" + std::to_string(i), Verdict::pass, true, counts(i, 0, 0, 1)));
        passed += i;
    }
    json summary = summary_json(decided(suites));
    EXPECT_EQ(summary["counts"]["passed"], passed);
    EXPECT_EQ(summary["counts"]["skipped"], 5);
    EXPECT_EQ(summary["counts"]["total"], passed + 5);
}

TEST(SummaryJson, IncompleteRunWithShardSmokeAndNotRun) {
    RunOutcome run = run_of({suite("a", Verdict::pass, true)});
    run.complete = false;
    run.not_run = {"b", "c"};
    run.shard = Shard{2, 3};
    run.smoke = PreflightRecord{true, "pass", "all probes held", "smoke", std::chrono::milliseconds(800)};
    run.git_sha.clear();
    run.git_ref.clear();
    settle_run_verdict(run);
    json summary = summary_json(run);
    EXPECT_EQ(summary["status"], "incomplete");
    EXPECT_EQ(summary["green"], false);
    EXPECT_THAT(summary["not_run"].get<std::vector<std::string>>(), ElementsAre("b", "c"));
    EXPECT_EQ(summary["shard"]["index"], 2);
    EXPECT_EQ(summary["shard"]["count"], 3);
    EXPECT_EQ(summary["smoke"]["verdict"], "pass");
    EXPECT_EQ(summary["smoke"]["green"], true);
    EXPECT_EQ(summary["smoke"]["path"], "smoke");
    EXPECT_EQ(summary["smoke"]["duration_ms"], 800);
    EXPECT_TRUE(summary["git"]["sha"].is_null());
    EXPECT_TRUE(summary["git"]["ref"].is_null());
}

// ---- the summary schema ------------------------------------------------------------------------------

TEST(SummarySchema, SummariesValidateAgainstTheSchema) {
    const auto schema = summary_schema_path();
    if (!std::filesystem::exists(schema)) GTEST_SKIP() << schema << " does not exist yet";

    RunOutcome green = decided({suite("unit", Verdict::pass, true, counts(4, 0)),
                                suite("lint", Verdict::flaky, true, counts(1, 0), 2), skipped_suite("docker", true)});

    RunOutcome incomplete = run_of({suite("a", Verdict::crashed, false)});
    incomplete.complete = false;
    incomplete.not_run = {"b"};
    incomplete.shard = Shard{1, 2};
    incomplete.smoke = PreflightRecord{true, "pass", "ok", "smoke", std::chrono::milliseconds(10)};
    incomplete.git_sha.clear();
    incomplete.git_ref.clear();
    settle_run_verdict(incomplete);

    RunOutcome smoke_failed = run_of({});
    smoke_failed.smoke = PreflightRecord{false, "fail", "probe failed", "smoke", {}};
    smoke_failed.not_run = {"unit"};
    settle_run_verdict(smoke_failed);

    std::vector<json> instances = {summary_json(green), summary_json(incomplete), summary_json(smoke_failed),
                                   summary_json(decided({}))};
    std::vector<Verdict> every_verdict = {Verdict::pass,    Verdict::flaky,    Verdict::skipped,
                                          Verdict::fail,    Verdict::no_tests, Verdict::inconsistent,
                                          Verdict::timeout, Verdict::crashed,  Verdict::error};
    for (Verdict verdict : every_verdict) instances.push_back(summary_json(decided({suite("s", verdict, false)})));

    auto violations = schema_violations(schema, instances);
    ASSERT_EQ(violations.size(), instances.size());
    for (size_t i = 0; i < instances.size(); ++i) EXPECT_EQ(violations[i], "") << instances[i].dump(2);
}

TEST(SummarySchema, TheSchemaRejectsWhatIsNotASummary) {
    const auto schema = summary_schema_path();
    if (!std::filesystem::exists(schema)) GTEST_SKIP() << schema << " does not exist yet";
    const json valid = summary_json(decided({suite("unit", Verdict::pass, true, counts(4, 0))}));
    json wrong_schema = valid;
    wrong_schema["schema"] = "greenlight.summary/v0";
    json unknown_verdict = valid;
    unknown_verdict["verdict"] = "passed";
    json missing_suites = valid;
    missing_suites.erase("suites");
    json bad_status = valid;
    bad_status["status"] = "done";
    auto violations = schema_violations(schema, {wrong_schema, unknown_verdict, missing_suites, bad_status});
    ASSERT_EQ(violations.size(), 4u);
    for (const auto& violation : violations) EXPECT_NE(violation, "");
}

// ---- summary_markdown ----------------------------------------------------------------------------------

TEST(SummaryMarkdown, HasARowPerSuite) {
    json summary =
        summary_json(decided({suite("unit", Verdict::pass, true, counts(10, 0)),
                              suite("lint", Verdict::fail, false, counts(3, 1)), skipped_suite("docker-it", false)}));
    std::string markdown = summary_markdown(summary);
    EXPECT_THAT(markdown, HasSubstr("| ✅ | `unit` | pass | 10/10 |"));
    EXPECT_THAT(markdown, HasSubstr("| ❌ | `lint` | fail | 3/4 |"));
    EXPECT_THAT(markdown, HasSubstr("`docker-it` | skipped"));
    EXPECT_THAT(markdown, HasSubstr("tier `pr-fast`"));
    EXPECT_THAT(markdown, HasSubstr("run `run-1`"));
    EXPECT_THAT(markdown, HasSubstr("0123456789abcdef0123456789abcdef01234567"));
    EXPECT_THAT(markdown, Not(HasSubstr("Incomplete")));
}

TEST(SummaryMarkdown, EscapesPipesAndNewlinesInCells) {
    SuiteOutcome piped = suite("lint", Verdict::fail, false, counts(0, 1));
    piped.reason = "grep a|b failed\nsee log";
    std::string markdown = summary_markdown(summary_json(decided({piped})));
    EXPECT_THAT(markdown, HasSubstr("grep a\\|b failed see log"));
    EXPECT_THAT(markdown, Not(HasSubstr("a|b")));
    // Every table row has the same number of unescaped cell separators.
    std::istringstream lines(markdown);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("| ", 0) != 0) continue;
        int separators = 0;
        for (size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++separators;
        }
        EXPECT_EQ(separators, 8) << line;
    }
}

TEST(SummaryMarkdown, MarksAnIncompleteRunAndListsWhatDidNotRun) {
    RunOutcome run = run_of({suite("a", Verdict::pass, true)});
    run.complete = false;
    run.not_run = {"b", "c"};
    settle_run_verdict(run);
    std::string markdown = summary_markdown(summary_json(run));
    EXPECT_THAT(markdown, HasSubstr("Incomplete"));
    EXPECT_THAT(markdown, HasSubstr("Not run: `b`, `c`"));
    EXPECT_THAT(markdown, HasSubstr("❌"));
}

// ---- merged_junit --------------------------------------------------------------------------------------

results::TestCase test_case(const std::string& name, results::TestOutcome outcome, const std::string& message = {}) {
    results::TestCase test;
    test.suite = "Calc";
    test.classname = "calc.CalcTest";
    test.name = name;
    test.outcome = outcome;
    test.message = message;
    test.seconds = 0.25;
    return test;
}

pugi::xml_node testsuite(const pugi::xml_document& document, const std::string& name) {
    return document.child("testsuites").find_child_by_attribute("testsuite", "name", name.c_str());
}

TEST(MergedJunit, OneTestsuitePerSuiteWithCorrectCounts) {
    SuiteOutcome unit = suite("unit", Verdict::fail, false, counts(2, 1, 0, 1));
    unit.attempts.back().cases = {test_case("adds", results::TestOutcome::passed),
                                  test_case("subtracts", results::TestOutcome::failed, "expected 1, got 2"),
                                  test_case("divides", results::TestOutcome::passed),
                                  test_case("later", results::TestOutcome::skipped, "not yet")};
    SuiteOutcome lint = suite("lint", Verdict::pass, true, counts(1, 0));
    SuiteOutcome docker = skipped_suite("docker-it", false);

    pugi::xml_document document;
    std::string xml = merged_junit({unit, lint, docker}, "billing pr-fast run-1");
    ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
    auto root = document.child("testsuites");
    EXPECT_STREQ(root.attribute("name").value(), "billing pr-fast run-1");
    EXPECT_EQ(std::distance(root.children("testsuite").begin(), root.children("testsuite").end()), 3);

    auto unit_element = testsuite(document, "unit");
    ASSERT_TRUE(unit_element) << xml;
    EXPECT_EQ(unit_element.attribute("tests").as_int(), 4);
    EXPECT_EQ(unit_element.attribute("failures").as_int(), 1);
    EXPECT_EQ(unit_element.attribute("errors").as_int(), 0);
    EXPECT_EQ(unit_element.attribute("skipped").as_int(), 1);
    auto failing = unit_element.find_child_by_attribute("testcase", "name", "subtracts");
    ASSERT_TRUE(failing);
    EXPECT_STREQ(failing.attribute("classname").value(), "calc.CalcTest");
    EXPECT_STREQ(failing.child("failure").attribute("message").value(), "expected 1, got 2");
    EXPECT_FALSE(unit_element.find_child_by_attribute("testcase", "name", "adds").child("failure"));
    EXPECT_TRUE(unit_element.find_child_by_attribute("testcase", "name", "later").child("skipped"));

    auto lint_element = testsuite(document, "lint");
    EXPECT_EQ(lint_element.attribute("tests").as_int(), 1);
    EXPECT_EQ(lint_element.attribute("failures").as_int(), 0);
    EXPECT_EQ(lint_element.attribute("errors").as_int(), 0);

    // Skipped for a missing requirement the tier does not accept: red, so an error, not a skip.
    auto docker_element = testsuite(document, "docker-it");
    EXPECT_EQ(docker_element.attribute("tests").as_int(), 1);
    EXPECT_EQ(docker_element.attribute("errors").as_int(), 1);
    EXPECT_EQ(docker_element.attribute("skipped").as_int(), 0);

    EXPECT_EQ(root.attribute("tests").as_int(), 6);
    EXPECT_EQ(root.attribute("failures").as_int(), 1);
    EXPECT_EQ(root.attribute("errors").as_int(), 1);
    // Jenkins' JUnit schema (junit-10.xsd) has no `skipped` on <testsuites>.
    EXPECT_FALSE(root.attribute("skipped"));
}

TEST(MergedJunit, ASkippedSuiteTheTierAcceptsIsASkippedTest) {
    pugi::xml_document document;
    ASSERT_TRUE(document.load_string(merged_junit({skipped_suite("docker-it", true)}, "run").c_str()));
    auto element = testsuite(document, "docker-it");
    EXPECT_EQ(element.attribute("tests").as_int(), 1);
    EXPECT_EQ(element.attribute("skipped").as_int(), 1);
    EXPECT_EQ(element.attribute("errors").as_int(), 0);
    EXPECT_TRUE(element.child("testcase").child("skipped"));
}

TEST(MergedJunit, CharactersXmlCannotHoldAreWrittenAsEscapes) {
    SuiteOutcome failing = suite("colours", Verdict::fail, false, counts(0, 1));
    results::TestCase test = test_case("paints", results::TestOutcome::failed, "\x1b[31mred\x1b[0m");
    test.details = std::string("bad byte \xff, nul ") + '\0' + " end";
    test.output = "bell \x07";
    failing.attempts.back().cases = {test};
    const std::string xml = merged_junit({failing}, "run");
    pugi::xml_document document;
    ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
    auto testcase = testsuite(document, "colours").child("testcase");
    EXPECT_STREQ(testcase.child("failure").attribute("message").value(), "\\x1b[31mred\\x1b[0m");
    EXPECT_STREQ(testcase.child("failure").text().get(), "bad byte \\xff, nul \\x00 end");
    EXPECT_STREQ(testcase.child("system-out").text().get(), "bell \\x07");
    EXPECT_EQ(xml.find('\x1b'), std::string::npos);
}

// ---- one rule for the counts of summary.json and junit.xml --------------------------------------------

// Every kind of suite a run can hold: each verdict, with test cases, with counts only, with nothing.
std::vector<SuiteOutcome> every_kind_of_suite() {
    std::vector<SuiteOutcome> suites;
    SuiteOutcome passing = suite("passing", Verdict::pass, true, counts(2, 0, 0, 1));
    passing.attempts.back().cases = {test_case("a", results::TestOutcome::passed),
                                     test_case("b", results::TestOutcome::passed),
                                     test_case("c", results::TestOutcome::skipped)};
    suites.push_back(passing);
    SuiteOutcome failing = suite("failing", Verdict::fail, false, counts(1, 1, 1));
    failing.attempts.back().cases = {test_case("a", results::TestOutcome::passed),
                                     test_case("b", results::TestOutcome::failed, "no"),
                                     test_case("c", results::TestOutcome::errored, "boom")};
    suites.push_back(failing);
    SuiteOutcome crashed_after_cases = suite("crashed-after-cases", Verdict::crashed, false, counts(1, 0));
    crashed_after_cases.attempts.back().cases = {test_case("a", results::TestOutcome::passed)};
    suites.push_back(crashed_after_cases);
    suites.push_back(suite("crashed", Verdict::crashed, false));
    suites.push_back(suite("timeout", Verdict::timeout, false));
    suites.push_back(suite("error", Verdict::error, false));
    suites.push_back(suite("no-tests", Verdict::no_tests, false, counts(0, 0, 0, 3)));
    suites.push_back(suite("inconsistent", Verdict::inconsistent, false, counts(0, 2)));
    suites.push_back(suite("flaky-accepted", Verdict::flaky, true, counts(4, 0), 2));
    suites.push_back(suite("flaky-refused", Verdict::flaky, false, counts(4, 0), 2));
    suites.push_back(suite("no-results-pass", Verdict::pass, true, counts(1, 0)));
    suites.push_back(suite("no-results-fail", Verdict::fail, false, counts(0, 1)));
    suites.push_back(suite("counted-from-output", Verdict::fail, false, counts(40, 2, 0, 3)));
    suites.push_back(skipped_suite("skipped-accepted", true));
    suites.push_back(skipped_suite("skipped-refused", false));
    SuiteOutcome interrupted = suite("interrupted", Verdict::error, false);
    interrupted.complete = false;
    suites.push_back(interrupted);
    return suites;
}

void expect_same_counts(const pugi::xml_node& element, const json& counts, const std::string& what) {
    EXPECT_EQ(element.attribute("tests").as_llong(), counts["total"].get<long long>()) << what;
    EXPECT_EQ(element.attribute("failures").as_llong(), counts["failed"].get<long long>()) << what;
    EXPECT_EQ(element.attribute("errors").as_llong(), counts["errored"].get<long long>()) << what;
}

TEST(ReportedTests, JunitAndSummaryShowTheSameCountsForEveryKindOfSuite) {
    RunOutcome run = decided(every_kind_of_suite());
    const json summary = summary_json(run);
    pugi::xml_document document;
    const std::string xml = merged_junit(run.suites, "run");
    ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
    ASSERT_EQ(summary["suites"].size(), run.suites.size());
    for (size_t i = 0; i < run.suites.size(); ++i) {
        const json& entry = summary["suites"][i];
        const std::string name = entry["name"];
        const pugi::xml_node element = testsuite(document, name);
        ASSERT_TRUE(element) << name;
        expect_same_counts(element, entry["counts"], name);
        EXPECT_EQ(element.attribute("skipped").as_llong(), entry["counts"]["skipped"].get<long long>()) << name;
        // A suite with test cases (or one test: its command) lists each, and the verdict's stand-in when they do
        // not explain it; counts read from a runner's summary line have no cases to list.
        const auto listed = std::distance(element.children("testcase").begin(), element.children("testcase").end());
        const SuiteOutcome& outcome = run.suites[i];
        const bool has_cases = !outcome.attempts.empty() && !outcome.attempts.back().cases.empty();
        if (has_cases || outcome.counts.total <= 1) {
            EXPECT_EQ(listed, entry["counts"]["total"].get<long long>()) << name;
        }
        // A red suite never looks green in junit.xml.
        if (!entry["green"].get<bool>()) {
            EXPECT_GT(element.attribute("failures").as_int() + element.attribute("errors").as_int(), 0) << name;
        }
    }
    expect_same_counts(document.child("testsuites"), summary["counts"], "the run");
}

TEST(ReportedTests, AVerdictTheCountsDoNotExplainAddsOneErroredTest) {
    EXPECT_FALSE(reported_tests(suite("a", Verdict::pass, true, counts(3, 0))).verdict_case);
    EXPECT_FALSE(reported_tests(suite("a", Verdict::fail, false, counts(3, 1))).verdict_case);
    EXPECT_FALSE(reported_tests(suite("a", Verdict::flaky, true, counts(3, 0), 2)).verdict_case);
    for (Verdict verdict :
         {Verdict::crashed, Verdict::timeout, Verdict::error, Verdict::no_tests, Verdict::inconsistent}) {
        const ReportedTests reported = reported_tests(suite("a", verdict, false, counts(3, 0)));
        ASSERT_TRUE(reported.verdict_case) << to_string(verdict);
        EXPECT_EQ(reported.verdict_case->outcome, results::TestOutcome::errored);
        EXPECT_EQ(reported.verdict_case->message, fmt_reason("a", verdict));
        EXPECT_EQ(reported.counts.total, 4);
        EXPECT_EQ(reported.counts.errored, 1);
        EXPECT_EQ(reported.counts.passed, 3);
    }
    // A fail verdict with nothing failing among the counts is not explained by them either.
    EXPECT_TRUE(reported_tests(suite("a", Verdict::fail, false, counts(3, 0))).verdict_case);
    EXPECT_TRUE(reported_tests(suite("a", Verdict::flaky, false, counts(3, 0), 2)).verdict_case);
}

TEST(SummaryJson, ACrashedSuiteCountsTheErroredTestJunitShows) {
    // The case the counts disagreed on: junit.xml listed an error for the crash, summary.json did not count it.
    RunOutcome run =
        decided({suite("unit", Verdict::pass, true, counts(13, 0)), suite("native", Verdict::crashed, false)});
    const json summary = summary_json(run);
    EXPECT_EQ(summary["counts"]["total"], 14);
    EXPECT_EQ(summary["counts"]["errored"], 1);
    EXPECT_EQ(summary["suites"][1]["counts"]["errored"], 1);
    pugi::xml_document document;
    ASSERT_TRUE(document.load_string(merged_junit(run.suites, "run").c_str()));
    EXPECT_EQ(document.child("testsuites").attribute("tests").as_int(), 14);
    EXPECT_EQ(document.child("testsuites").attribute("errors").as_int(), 1);
}

// ---- failing tests in summary.json, summary.md and annotations ---------------------------------------------

SuiteOutcome suite_with_failures(const std::string& name, int failing) {
    SuiteOutcome outcome = suite(name, Verdict::fail, false, counts(1, failing));
    outcome.attempts.back().cases.push_back(test_case("passes", results::TestOutcome::passed));
    for (int i = 1; i <= failing; ++i) {
        results::TestCase test = test_case("test_" + std::to_string(i), results::TestOutcome::failed,
                                           "AssertionError: " + std::to_string(i) + " != 0\nsecond line");
        test.file = "tests/test_x.py";
        test.line = 4 + i;
        outcome.attempts.back().cases.push_back(test);
    }
    return outcome;
}

TEST(SummaryJson, NamesTheFirstFailingTestsOfASuiteWithFileLineAndMessage) {
    const json summary = summary_json(decided({suite_with_failures("unit", 12)}));
    const json& unit = summary["suites"][0];
    ASSERT_EQ(unit["failing_tests"].size(), k_failing_tests_listed);
    EXPECT_EQ(unit["failing_tests_omitted"], 2);
    const json& first = unit["failing_tests"][0];
    EXPECT_EQ(first["name"], "calc.CalcTest.test_1");
    EXPECT_EQ(first["outcome"], "failed");
    EXPECT_EQ(first["file"], "tests/test_x.py");
    EXPECT_EQ(first["line"], 5);
    EXPECT_EQ(first["message"], "AssertionError: 1 != 0");

    SuiteOutcome unlocated = suite_with_failures("api", 1);
    unlocated.attempts.back().cases.back().file.clear();
    const json api = summary_json(decided({unlocated}))["suites"][0];
    EXPECT_TRUE(api["failing_tests"][0]["file"].is_null());
    EXPECT_TRUE(api["failing_tests"][0]["line"].is_null());
}

TEST(SummaryJson, AFailureMessageLosesItsTerminalColourCodes) {
    SuiteOutcome red = suite_with_failures("unit", 1);
    red.attempts.back().cases.back().message = "\n  \x1b[1;31mexpected 3\x1b[0m, got 4\x07\nmore";
    const json summary = summary_json(decided({red}));
    EXPECT_EQ(summary["suites"][0]["failing_tests"][0]["message"], "expected 3, got 4");
}

TEST(GithubAnnotations, EachFailingTestOnItsFileAndLineThenHowManyMore) {
    const auto lines = github_annotations(summary_json(decided({suite_with_failures("unit", 12)})));
    // The suite, its first 10 failing tests, one line for the other 2.
    ASSERT_EQ(lines.size(), 12u) << ::testing::PrintToString(lines);
    EXPECT_EQ(lines[0], "::error title=greenlight pr-fast%3A suite unit fail::unit ended fail");
    EXPECT_EQ(lines[1],
              "::error file=tests/test_x.py,line=5,title=calc.CalcTest.test_1 failed (suite unit)"
              "::AssertionError: 1 != 0");
    EXPECT_EQ(lines[10],
              "::error file=tests/test_x.py,line=14,title=calc.CalcTest.test_10 failed (suite unit)"
              "::AssertionError: 10 != 0");
    EXPECT_EQ(lines[11], "::error title=greenlight%3A suite unit::and 2 more failing tests (see junit.xml)");
}

TEST(GithubAnnotations, PropertiesOfATestAreEscaped) {
    SuiteOutcome red = suite_with_failures("unit", 1);
    results::TestCase& test = red.attempts.back().cases.back();
    test.file = "tests/a,b:c.py";
    test.name = "test[1,2]";
    test.message = "100% wrong";
    const auto lines = github_annotations(summary_json(decided({red})));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1],
              "::error file=tests/a%2Cb%3Ac.py,line=5,title=calc.CalcTest.test[1%2C2] failed (suite unit)"
              "::100%25 wrong");
}

TEST(GithubAnnotations, AMergedSummaryAnnotatesTheSame) {
    // merge copies the suites of each shard's summary.json; a round trip through JSON text changes nothing.
    const json summary = summary_json(decided({suite_with_failures("unit", 3)}));
    EXPECT_EQ(github_annotations(json::parse(summary.dump())), github_annotations(summary));
}

TEST(SummaryMarkdown, ListsTheFailingTestsOfRedSuites) {
    SuiteOutcome red = suite_with_failures("unit", 12);
    red.attempts.back().cases[1].message = "expected <b> | *x*";
    const std::string markdown = summary_markdown(summary_json(decided({red, suite("lint", Verdict::pass, true)})));
    EXPECT_THAT(markdown, HasSubstr("### Failing tests"));
    EXPECT_THAT(markdown, HasSubstr("`unit` — 12 failing:"));
    EXPECT_THAT(markdown, HasSubstr("- `calc.CalcTest.test_1` (`tests/test_x.py:5`): expected \\<b\\> \\| \\*x\\*\n"));
    EXPECT_THAT(markdown, HasSubstr("- `calc.CalcTest.test_10` (`tests/test_x.py:14`): AssertionError: 10 != 0\n"));
    EXPECT_THAT(markdown, Not(HasSubstr("test_11`")));
    EXPECT_THAT(markdown, HasSubstr("- and 2 more\n"));
}

TEST(SummaryMarkdown, ABlankLineEndsTheTableWithOrWithoutACommit) {
    for (bool with_sha : {true, false}) {
        RunOutcome run = run_of({suite("unit", Verdict::pass, true, counts(1, 0))});
        if (!with_sha) run.git_sha.clear();
        settle_run_verdict(run);
        const std::string markdown = summary_markdown(summary_json(run));
        const size_t row = markdown.find("| ✅ | `unit` |");
        ASSERT_NE(row, std::string::npos) << markdown;
        const size_t row_end = markdown.find('\n', row);
        EXPECT_EQ(markdown.substr(row_end, 2), "\n\n") << markdown;
        EXPECT_THAT(markdown, HasSubstr(with_sha ? "\nCommit `0123" : "\ngreenlight ")) << markdown;
    }
}

TEST(MergedJunit, WhatAFailingTestPrintedIsKeptAndAPassingOnesIsNot) {
    SuiteOutcome unit = suite("unit", Verdict::fail, false, counts(1, 1, 1));
    results::TestCase failing = test_case("subtracts", results::TestOutcome::failed, "expected 1, got 2");
    failing.output = "connecting to db at 127.0.0.1:5432\nretrying <once> & giving up";
    results::TestCase erroring = test_case("divides", results::TestOutcome::errored, "ZeroDivisionError");
    erroring.output = "   \n";
    results::TestCase passing = test_case("adds", results::TestOutcome::passed);
    passing.output = "all good";
    unit.attempts.back().cases = {failing, erroring, passing};

    pugi::xml_document document;
    std::string xml = merged_junit({unit}, "run");
    ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
    auto element = testsuite(document, "unit");
    EXPECT_STREQ(element.find_child_by_attribute("testcase", "name", "subtracts").child("system-out").text().get(),
                 "connecting to db at 127.0.0.1:5432\nretrying <once> & giving up");
    EXPECT_FALSE(element.find_child_by_attribute("testcase", "name", "divides").child("system-out"))
        << "blank output adds nothing";
    EXPECT_FALSE(element.find_child_by_attribute("testcase", "name", "adds").child("system-out"));

    // The JUnit reader (the one `greenlight serve` reads bundles with) gets the output back.
    results::ParseOutcome parsed = results::parse_junit(xml, "junit.xml");
    ASSERT_TRUE(parsed.ok());
    const auto& cases = parsed->cases;
    auto found = std::find_if(cases.begin(), cases.end(), [](const auto& test) { return test.name == "subtracts"; });
    ASSERT_NE(found, cases.end());
    EXPECT_EQ(found->output, "connecting to db at 127.0.0.1:5432\nretrying <once> & giving up");
}

TEST(MergedJunit, ACrashWithoutCasesGetsASyntheticErrorCase) {
    SuiteOutcome crashed = suite("native", Verdict::crashed, false, counts(0, 0));
    crashed.reason = "ended by SIGSEGV (Segmentation fault)";
    pugi::xml_document document;
    std::string xml = merged_junit({crashed}, "run");
    ASSERT_TRUE(document.load_string(xml.c_str()));
    auto element = testsuite(document, "native");
    EXPECT_EQ(element.attribute("tests").as_int(), 1);
    EXPECT_EQ(element.attribute("errors").as_int(), 1);
    auto error = element.child("testcase").child("error");
    ASSERT_TRUE(error) << xml;
    EXPECT_THAT(std::string(error.attribute("message").value()), HasSubstr("SIGSEGV"));
    EXPECT_STREQ(element.child("properties")
                     .find_child_by_attribute("property", "name", "greenlight.verdict")
                     .attribute("value")
                     .value(),
                 "crashed");
}

TEST(MergedJunit, ACrashAfterPassingCasesAddsASyntheticCase) {
    SuiteOutcome crashed = suite("native", Verdict::crashed, false, counts(2, 0));
    crashed.reason = "ended by SIGABRT (Aborted)";
    crashed.attempts.back().cases = {test_case("one", results::TestOutcome::passed),
                                     test_case("two", results::TestOutcome::passed)};
    pugi::xml_document document;
    std::string xml = merged_junit({crashed}, "run");
    ASSERT_TRUE(document.load_string(xml.c_str()));
    auto element = testsuite(document, "native");
    EXPECT_EQ(element.attribute("tests").as_int(), 3);
    EXPECT_EQ(element.attribute("errors").as_int(), 1) << xml;
    auto synthetic = element.find_child_by_attribute("testcase", "name", "[greenlight verdict: crashed]");
    ASSERT_TRUE(synthetic) << xml;
    EXPECT_THAT(std::string(synthetic.child("error").attribute("message").value()), HasSubstr("SIGABRT"));
}

TEST(MergedJunit, AnInconsistentSuiteWithPassingCasesIsNotAllGreenInJunit) {
    SuiteOutcome inconsistent = suite("api", Verdict::inconsistent, false, counts(3, 0));
    inconsistent.attempts.back().cases = {test_case("a", results::TestOutcome::passed)};
    pugi::xml_document document;
    ASSERT_TRUE(document.load_string(merged_junit({inconsistent}, "run").c_str()));
    auto element = testsuite(document, "api");
    EXPECT_GE(element.attribute("failures").as_int() + element.attribute("errors").as_int(), 1);
}

TEST(MergedJunit, EscapesSpecialCharacters) {
    SuiteOutcome failing = suite("xml", Verdict::fail, false, counts(0, 1));
    failing.reason = "expected <a> & \"b\"";
    pugi::xml_document document;
    std::string xml = merged_junit({failing}, "run <1>");
    ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
    EXPECT_STREQ(document.child("testsuites").attribute("name").value(), "run <1>");
    EXPECT_STREQ(testsuite(document, "xml").child("testcase").child("failure").attribute("message").value(),
                 "expected <a> & \"b\"");
}

// ---- join_junit ----------------------------------------------------------------------------------------

TEST(JoinJunit, ConcatenatesTestsuitesAndSumsCounts) {
    std::string first = merged_junit(
        {suite("a", Verdict::pass, true, counts(1, 0)), suite("b", Verdict::fail, false, counts(0, 1))}, "shard 1");
    std::string second = merged_junit({suite("c", Verdict::crashed, false)}, "shard 2");
    pugi::xml_document document;
    std::string xml = join_junit({first, second}, "merged run");
    ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
    auto root = document.child("testsuites");
    EXPECT_STREQ(root.attribute("name").value(), "merged run");
    std::vector<std::string> names;
    for (auto element : root.children("testsuite")) names.push_back(element.attribute("name").value());
    EXPECT_THAT(names, ElementsAre("a", "b", "c"));
    EXPECT_EQ(root.attribute("tests").as_int(), 3);
    EXPECT_EQ(root.attribute("failures").as_int(), 1);
    EXPECT_EQ(root.attribute("errors").as_int(), 1);
    // The suites keep their cases.
    EXPECT_TRUE(testsuite(document, "b").child("testcase").child("failure"));
}

TEST(JoinJunit, NoDocumentsGiveAnEmptyTestsuites) {
    pugi::xml_document document;
    ASSERT_TRUE(document.load_string(join_junit({}, "empty").c_str()));
    EXPECT_EQ(document.child("testsuites").attribute("tests").as_int(), 0);
}

// ---- github_annotations ----------------------------------------------------------------------------------

TEST(GithubAnnotations, OnlyRedSuitesAreAnnotated) {
    json summary = summary_json(decided({suite("unit", Verdict::pass, true), suite("flaky", Verdict::flaky, true),
                                         suite("lint", Verdict::fail, false)}));
    auto lines = github_annotations(summary);
    ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
    EXPECT_EQ(lines[0], "::error title=greenlight pr-fast%3A suite lint fail::lint ended fail");
}

TEST(GithubAnnotations, EscapesDataAndProperties) {
    SuiteOutcome red = suite("api", Verdict::timeout, false);
    red.reason = "100% stuck\r\nat step: 3, of 4";
    RunOutcome run = decided({red});
    run.tier = "merge,medium";
    auto lines = github_annotations(summary_json(run));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0],
              "::error title=greenlight merge%2Cmedium%3A suite api timeout::100%25 stuck%0D%0Aat step: 3, of 4");
}

TEST(GithubAnnotations, AGreenRunHasNone) {
    EXPECT_THAT(github_annotations(summary_json(decided({suite("unit", Verdict::pass, true)}))), IsEmpty());
}

TEST(GithubAnnotations, FailedSmokeAndIncompleteRunAreAnnotated) {
    RunOutcome run = run_of({});
    run.smoke = PreflightRecord{false, "fail", "probe: crash, not seen", "smoke", {}};
    run.complete = false;
    settle_run_verdict(run);
    auto lines = github_annotations(summary_json(run));
    EXPECT_THAT(lines, Contains("::error title=greenlight smoke guard failed::probe: crash, not seen"));
    EXPECT_THAT(lines, Contains(HasSubstr("incomplete")));
}

}  // namespace
}  // namespace greenlight::runner
