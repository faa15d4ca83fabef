// The smoke guard's library: it holds on the real supervisor, it catches a supervisor that breaks a rule of the
// runner (through the ProcessSupervisor seam: real processes, one fact of their exit falsified), and its reports.
#include "greenlight/smoke/smoke.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greenlight/util/clock.hpp"
#include "greenlight/util/fs.hpp"
#include "support/test_support.hpp"

namespace greenlight::smoke {
namespace {

using test_support::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// The suite an attempt belongs to, from the marker every attempt's environment carries
// ("GREENLIGHT_ATTEMPT_ID=<run>/<suite>/<attempt>").
std::string suite_of(const runner::SpawnRequest& request) {
    const std::string& marker = request.environment_marker;
    const std::size_t first = marker.find('/');
    const std::size_t second = marker.find('/', first + 1);
    if (first == std::string::npos || second == std::string::npos) return {};
    return marker.substr(first + 1, second - first - 1);
}

// Runs every attempt for real, then lets the test change what the exit of one suite's attempts says.
class FalsifyingSupervisor final : public runner::ProcessSupervisor {
public:
    FalsifyingSupervisor(std::string suite, std::function<void(runner::ProcessExit&)> falsify)
        : m_suite(std::move(suite)), m_falsify(std::move(falsify)) {}

    runner::ProcessExit run(const runner::SpawnRequest& request) override {
        runner::ProcessExit exit = m_real.run(request);
        if (suite_of(request) == m_suite) m_falsify(exit);
        return exit;
    }

private:
    runner::PosixProcessSupervisor m_real;
    std::string m_suite;
    std::function<void(runner::ProcessExit&)> m_falsify;
};

std::vector<std::string> failed_checks(const SmokeReport& report) {
    std::vector<std::string> names;
    for (const auto& check : report.checks) {
        if (!check.ok) names.push_back(check.name);
    }
    return names;
}

TEST(SmokeGuard, HoldsOnTheRealSupervisorAndWritesItsReports) {
    TempDir dir("greenlight-smoke");
    runner::PosixProcessSupervisor supervisor;
    util::SystemClock clock;
    SmokeReport report = run_smoke(dir.path() / "smoke", supervisor, clock);
    EXPECT_EQ(report.error, "");
    EXPECT_THAT(failed_checks(report), IsEmpty());
    EXPECT_TRUE(report.ok());
    EXPECT_GT(report.checks.size(), 20u);  // every fixture's verdict, the details, the run rules, the probes

    auto written = util::read_file(dir.path() / "smoke" / "smoke-report.json");
    ASSERT_TRUE(written);
    auto json = nlohmann::json::parse(*written);
    EXPECT_EQ(json["schema"], "greenlight.smoke-report/v1");
    EXPECT_EQ(json["ok"], true);
    EXPECT_EQ(json["checks_total"], report.checks.size());
    auto markdown = util::read_file(dir.path() / "smoke" / "smoke-report.md");
    ASSERT_TRUE(markdown);
    EXPECT_THAT(*markdown, StartsWith("## ✅ greenlight smoke guard:"));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "smoke" / "fixtures" / "greenlight.yml"));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "smoke" / "bundle" / "manifest.json"));
}

TEST(SmokeGuard, CatchesARunnerThatCallsAFailingCommandAPass) {
    TempDir dir("greenlight-smoke");
    // The command really exits 3; the supervisor reports 0.
    FalsifyingSupervisor lying("known-fail", [](runner::ProcessExit& exit) { exit.exit_code = 0; });
    util::SystemClock clock;
    SmokeReport report = run_smoke(dir.path() / "smoke", lying, clock);
    EXPECT_EQ(report.error, "");
    EXPECT_FALSE(report.ok());
    // Exactly the rules the lie breaks, and the run verdict is still the worst suite's (error).
    EXPECT_THAT(failed_checks(report), ElementsAre("verdict of known-fail", "known-fail keeps its exit code"));
    const auto found = std::find_if(report.checks.begin(), report.checks.end(),
                                    [](const SmokeCheck& check) { return check.name == "verdict of known-fail"; });
    ASSERT_NE(found, report.checks.end());
    EXPECT_EQ(found->expected, "fail");
    EXPECT_THAT(found->actual, StartsWith("pass"));
}

TEST(SmokeGuard, CatchesATimeoutThatWasNotSignalledAndAsAPreflightIsRed) {
    TempDir dir("greenlight-smoke");
    // The timed-out suite is said to have been stopped without a signal.
    FalsifyingSupervisor lying("timeout-grandchild-holds-stdout",
                               [](runner::ProcessExit& exit) { exit.signals_sent = false; });
    util::SystemClock clock;
    runner::PreflightRecord record = run_smoke_preflight(dir.path() / "smoke", lying, clock);
    EXPECT_FALSE(record.green);
    EXPECT_EQ(record.verdict, "fail");
    EXPECT_EQ(record.path, "smoke");
    auto written = util::read_file(dir.path() / "smoke" / "smoke-report.json");
    ASSERT_TRUE(written);
    const int total = nlohmann::json::parse(*written)["checks_total"].get<int>();
    EXPECT_EQ(record.reason, "1 of " + std::to_string(total) +
                                 " checks failed: a signalled suite is never a pass (see smoke/smoke-report.md)");
}

TEST(SmokeGuard, AnOutputFolderThatCannotBeMadeIsAnError) {
    TempDir dir("greenlight-smoke");
    ASSERT_TRUE(util::write_file_atomic(dir.path() / "a-file", "not a folder\n"));
    runner::PosixProcessSupervisor supervisor;
    util::SystemClock clock;
    SmokeReport report = run_smoke(dir.path() / "a-file" / "smoke", supervisor, clock);
    EXPECT_NE(report.error, "");
    EXPECT_TRUE(report.checks.empty());
    EXPECT_FALSE(report.ok());

    runner::PreflightRecord record = run_smoke_preflight(dir.path() / "a-file" / "smoke", supervisor, clock);
    EXPECT_FALSE(record.green);
    EXPECT_EQ(record.reason, report.error);
}

SmokeReport two_checks(bool second_ok) {
    SmokeReport report;
    report.checks = {{"verdict of known-pass", "pass", "pass (exit code 0)", true},
                     {"a|b check", "x", "line one\nline | two", second_ok}};
    return report;
}

TEST(SmokeReport, IsOkOnlyWithChecksAllHoldingAndNoError) {
    EXPECT_FALSE(SmokeReport{}.ok());  // a guard that checked nothing proves nothing
    EXPECT_TRUE(two_checks(true).ok());
    EXPECT_FALSE(two_checks(false).ok());
    EXPECT_EQ(two_checks(false).failures(), 1u);
    SmokeReport errored = two_checks(true);
    errored.error = "the output folder is not writable";
    EXPECT_FALSE(errored.ok());
}

TEST(SmokeReport, MarkdownIsOneTableRowPerCheckWithTheActualValueKeptInItsCell) {
    const std::string markdown = smoke_report_markdown(two_checks(false));
    EXPECT_THAT(markdown, StartsWith("## ❌ greenlight smoke guard: 1 of 2 checks hold\n"));
    EXPECT_THAT(markdown, HasSubstr("| ✅ | verdict of known-pass | pass | pass (exit code 0) |\n"));
    // A line break or a pipe in the actual value would break the table.
    EXPECT_THAT(markdown, HasSubstr("| ❌ | a|b check | x | line one line / two |\n"));
    SmokeReport errored = two_checks(true);
    errored.error = "cannot write";
    EXPECT_THAT(smoke_report_markdown(errored), HasSubstr("**Error:** cannot write\n"));
}

TEST(SmokeReport, JsonCarriesTheVerdictCountsAndEachCheck) {
    SmokeReport report = two_checks(false);
    report.duration = std::chrono::milliseconds{1234};
    const nlohmann::json json = smoke_report_json(report);
    EXPECT_EQ(json["ok"], false);
    EXPECT_EQ(json["failures"], 1);
    EXPECT_EQ(json["checks_total"], 2);
    EXPECT_EQ(json["duration_ms"], 1234);
    EXPECT_TRUE(json["error"].is_null());
    ASSERT_EQ(json["checks"].size(), 2u);
    EXPECT_EQ(json["checks"][1]["actual"], "line one\nline | two");  // as seen, unlike the Markdown cell
    EXPECT_EQ(json["checks"][1]["ok"], false);
}

}  // namespace
}  // namespace greenlight::smoke
