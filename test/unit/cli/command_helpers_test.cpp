// The small rules the commands share: the --listen address, which hosts count as loopback, comma-separated flag
// values, a flag's value over the environment's, the default run id, the shell names of `completion`, and the
// closing verdict table of `greenlight run`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/completion.hpp"
#include "greenlight/cli/progress.hpp"
#include "greenlight/cli/server_process.hpp"
#include "greenlight/util/duration.hpp"
#include "support/test_support.hpp"

namespace greenlight::cli {
namespace {

using test_support::ScopedEnvironment;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Listen = std::optional<std::pair<std::string, int>>;

TEST(ParseListen, TakesHostAndPortAndBracketedIpv6) {
    EXPECT_EQ(parse_listen("127.0.0.1:8080"), Listen({"127.0.0.1", 8080}));
    EXPECT_EQ(parse_listen("0.0.0.0:0"), Listen({"0.0.0.0", 0}));  // 0: a free port
    EXPECT_EQ(parse_listen("localhost:65535"), Listen({"localhost", 65535}));
    EXPECT_EQ(parse_listen("[::1]:9000"), Listen({"::1", 9000}));
}

TEST(ParseListen, RefusesWhatIsNotHostColonPort) {
    for (const char* text : {"8080", ":8080", "host:", "host:65536", "host:-1", "host:80x", "host: 80", "::1:80",
                             "[::1]", "[]:80", "[::1:80"}) {
        EXPECT_EQ(parse_listen(text), std::nullopt) << text;
    }
}

TEST(IsLoopback, OnlyThisHostsOwnAddresses) {
    for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "::1"}) EXPECT_TRUE(is_loopback(host)) << host;
    for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.127", "example.com", ""}) {
        EXPECT_FALSE(is_loopback(host)) << host;
    }
}

TEST(ListValues, TrimsEachValueAndDropsBlanks) {
    EXPECT_THAT(list_values({" a", "b ", "", "  ", "c"}), ElementsAre("a", "b", "c"));
    EXPECT_THAT(list_values({}), IsEmpty());
}

TEST(FlagOrEnvironment, TheFlagThenTheVariableThenTheFallback) {
    ScopedEnvironment set("GREENLIGHT_TEST_TIER", "nightly");
    EXPECT_EQ(flag_or_environment("pr", "GREENLIGHT_TEST_TIER", "default"), "pr");
    EXPECT_EQ(flag_or_environment("", "GREENLIGHT_TEST_TIER", "default"), "nightly");
    ScopedEnvironment empty("GREENLIGHT_TEST_TIER", "");
    EXPECT_EQ(flag_or_environment("", "GREENLIGHT_TEST_TIER", "default"), "default");
    ScopedEnvironment unset("GREENLIGHT_TEST_TIER", std::nullopt);
    EXPECT_EQ(flag_or_environment("", "GREENLIGHT_TEST_TIER", "default"), "default");
}

TEST(DefaultRunId, OnGitHubActionsIsTheRunIdAndAttempt) {
    ScopedEnvironment run("GITHUB_RUN_ID", "9876543210");
    ScopedEnvironment attempt("GITHUB_RUN_ATTEMPT", "3");
    EXPECT_EQ(default_run_id(), "9876543210-3");
    ScopedEnvironment no_attempt("GITHUB_RUN_ATTEMPT", std::nullopt);
    EXPECT_EQ(default_run_id(), "9876543210-1");
}

TEST(DefaultRunId, ElsewhereIsAUtcTimestampThatIsAValidRunId) {
    ScopedEnvironment run("GITHUB_RUN_ID", std::nullopt);
    const std::string run_id = default_run_id();
    EXPECT_TRUE(std::regex_match(run_id, std::regex(R"(\d{8}T\d{6}Z)"))) << run_id;
    EXPECT_TRUE(valid_run_id(run_id));
}

TEST(ParseShell, KnowsTheThreeShellsByTheirExactNames) {
    EXPECT_EQ(parse_shell("bash"), Shell::bash);
    EXPECT_EQ(parse_shell("zsh"), Shell::zsh);
    EXPECT_EQ(parse_shell("fish"), Shell::fish);
    for (const char* name : {"sh", "Bash", "powershell", ""}) EXPECT_EQ(parse_shell(name), std::nullopt) << name;
}

runner::SuiteOutcome suite(std::string name, runner::Verdict verdict, std::string reason) {
    runner::SuiteOutcome outcome;
    outcome.name = std::move(name);
    outcome.verdict = verdict;
    outcome.reason = std::move(reason);
    outcome.counts.total = 4;
    outcome.counts.passed = 3;
    outcome.counts.failed = 1;
    outcome.attempts.resize(2);
    outcome.duration = std::chrono::milliseconds{1500};
    return outcome;
}

TEST(VerdictTable, OneRowPerSuiteAfterTheSmokeGuardThenWhatNeverRan) {
    runner::RunOutcome run;
    runner::PreflightRecord smoke;
    smoke.verdict = "pass";
    smoke.reason = "38 checks hold";
    smoke.duration = std::chrono::milliseconds{2500};
    run.smoke = smoke;
    run.suites = {suite("integration-tests", runner::Verdict::fail, "1 of 4 tests failed"),
                  suite("lint", runner::Verdict::pass, "exit code 0")};
    run.not_run = {"e2e"};
    const std::string table = verdict_table(run);
    const std::vector<std::string> lines = [&] {
        std::vector<std::string> split;
        std::size_t start = 0;
        for (std::size_t end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
            split.push_back(table.substr(start, end - start));
        }
        return split;
    }();
    ASSERT_EQ(lines.size(), 5u) << table;
    // The name column is as wide as the longest name, so the columns line up.
    EXPECT_EQ(lines[0].find("verdict"), lines[3].find("pass"));
    EXPECT_EQ(lines[0].find("verdict"), lines[2].find("fail"));
    EXPECT_THAT(lines[0], ::testing::StartsWith("suite              verdict"));
    EXPECT_THAT(lines[1], ::testing::StartsWith("(smoke)"));
    EXPECT_THAT(lines[1], HasSubstr(util::format_duration(std::chrono::milliseconds{2500}) + "  38 checks hold"));
    EXPECT_THAT(lines[2], ::testing::StartsWith("integration-tests  fail"));
    EXPECT_THAT(lines[2], HasSubstr("3/4 passed"));
    EXPECT_THAT(lines[2], HasSubstr("1 of 4 tests failed"));
    EXPECT_THAT(lines[4], ::testing::StartsWith("e2e                not-run"));
    EXPECT_THAT(lines[4], ::testing::EndsWith("never started"));
}

TEST(VerdictTable, CutsALongReasonToAHundredCharacters) {
    runner::RunOutcome run;
    run.suites = {suite("unit", runner::Verdict::error, std::string(150, 'r'))};
    const std::string table = verdict_table(run);
    EXPECT_THAT(table, HasSubstr(std::string(97, 'r') + "...\n"));
    EXPECT_THAT(table, ::testing::Not(HasSubstr(std::string(98, 'r'))));
}

}  // namespace
}  // namespace greenlight::cli
