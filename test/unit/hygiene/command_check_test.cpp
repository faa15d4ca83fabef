#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/process.hpp"
#include "support/test_support.hpp"

namespace greenlight::hygiene {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

config::CheckConfig command_check(std::vector<std::string> command, std::chrono::milliseconds timeout = 30s) {
    config::CheckConfig check;
    check.name = "lint";
    check.type = config::CheckType::command;
    check.command = std::move(command);
    check.timeout = timeout;
    return check;
}

config::CheckConfig shell_check(const std::string& script, std::chrono::milliseconds timeout = 30s) {
    return command_check({"/bin/sh", "-c", script}, timeout);
}

class CommandCheckTest : public ::testing::Test {
protected:
    CheckContext context() const {
        CheckContext result;
        result.root = m_root.path();
        return result;
    }
    test_support::TempDir m_root{"greenlight-command-check"};
};

TEST_F(CommandCheckTest, ExitZeroPassesAndCountsOneCommand) {
    const CheckOutcome outcome = run_command_check(command_check({"true"}), context());
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.examined, 1u);
    EXPECT_EQ(outcome.examined_unit, "commands");
    EXPECT_TRUE(outcome.findings.empty());
}

TEST_F(CommandCheckTest, RunsInTheRepositoryRoot) {
    std::ofstream(m_root.path() / "marker.txt") << "here\n";
    const CheckOutcome outcome = run_command_check(shell_check("test -f marker.txt"), context());
    EXPECT_TRUE(outcome.findings.empty());
}

TEST_F(CommandCheckTest, FailureReportsTheExitCodeAndTheLastTwentyLinesOfOutput) {
    const CheckOutcome outcome = run_command_check(
        shell_check("i=1; while [ $i -le 30 ]; do echo \"line $i\"; i=$((i+1)); done; echo oops >&2; exit 3"),
        context());
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.examined, 1u);
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "command-failed");
    EXPECT_NE(outcome.findings[0].message.find("exited with code 3"), std::string::npos) << outcome.findings[0].message;
    // Standard error is part of the output, in order: the last 20 lines are line 12..30 and "oops".
    EXPECT_NE(outcome.details.find("line 12\n"), std::string::npos) << outcome.details;
    EXPECT_NE(outcome.details.find("line 30\noops"), std::string::npos) << outcome.details;
    EXPECT_EQ(outcome.details.find("line 11\n"), std::string::npos) << outcome.details;
    EXPECT_NE(outcome.details.find("11 earlier lines"), std::string::npos) << outcome.details;
}

TEST_F(CommandCheckTest, SilentFailureSaysItPrintedNothing) {
    const CheckOutcome outcome = run_command_check(command_check({"false"}), context());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_NE(outcome.findings[0].message.find("printed nothing"), std::string::npos);
    EXPECT_TRUE(outcome.details.empty());
}

TEST_F(CommandCheckTest, MissingProgramIsAFindingThatSaysSo) {
    const CheckOutcome outcome = run_command_check(command_check({"greenlight-no-such-linter", "--check"}), context());
    EXPECT_FALSE(outcome.error);
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "command-not-found");
    EXPECT_NE(outcome.findings[0].message.find("command not found: `greenlight-no-such-linter`"), std::string::npos)
        << outcome.findings[0].message;
}

TEST_F(CommandCheckTest, TimeoutStopsTheCommandAndFails) {
    const auto started = SteadyClock::now();
    const CheckOutcome outcome = run_command_check(shell_check("sleep 30", 200ms), context());
    EXPECT_LT(SteadyClock::now() - started, 5s);
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "command-failed");
    EXPECT_NE(outcome.findings[0].message.find("timed out after"), std::string::npos) << outcome.findings[0].message;
}

TEST_F(CommandCheckTest, ShowsAShellCommandAsItsScript) {
    const CheckOutcome outcome = run_command_check(shell_check("exit 2"), context());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].message.rfind("`exit 2` exited with code 2", 0), 0u) << outcome.findings[0].message;
}

TEST(HygieneProcessTest, SeparatesStandardOutputAndStandardError) {
    test_support::TempDir folder;
    process::CommandRequest request;
    request.argv = {"/bin/sh", "-c", "echo out; echo err >&2; pwd"};
    request.cwd = folder.path();
    const process::CommandOutcome outcome = process::run_command(request);
    EXPECT_TRUE(outcome.succeeded());
    EXPECT_EQ(outcome.standard_output, "out\n" + folder.path().string() + "\n");
    EXPECT_EQ(outcome.standard_error, "err\n");
}

TEST(HygieneProcessTest, AGrandchildHoldingThePipeDoesNotKeepUsWaiting) {
    test_support::TempDir folder;
    process::CommandRequest request;
    // The background sleep keeps standard output open after the shell has exited.
    request.argv = {"/bin/sh", "-c", "sleep 30 & echo done"};
    request.cwd = folder.path();
    const auto started = SteadyClock::now();
    const process::CommandOutcome outcome = process::run_command(request);
    EXPECT_LT(SteadyClock::now() - started, 5s);
    EXPECT_TRUE(outcome.succeeded());
    EXPECT_EQ(outcome.standard_output, "done\n");
}

TEST(HygieneProcessTest, TimeoutStopsTheWholeGroup) {
    test_support::TempDir folder;
    process::CommandRequest request;
    request.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30 & wait"};
    request.cwd = folder.path();
    request.timeout = 200ms;
    const auto started = SteadyClock::now();
    const process::CommandOutcome outcome = process::run_command(request);
    EXPECT_LT(SteadyClock::now() - started, 5s);
    EXPECT_EQ(outcome.end, process::CommandOutcome::End::timed_out);
    EXPECT_FALSE(outcome.succeeded());
}

TEST(HygieneProcessTest, ReportsASignal) {
    test_support::TempDir folder;
    process::CommandRequest request;
    request.argv = {"/bin/sh", "-c", "kill -9 $$"};
    request.cwd = folder.path();
    const process::CommandOutcome outcome = process::run_command(request);
    EXPECT_EQ(outcome.end, process::CommandOutcome::End::signaled);
    EXPECT_EQ(outcome.signal, 9);
}

TEST(HygieneProcessTest, AMissingFolderIsAStartError) {
    process::CommandRequest request;
    request.argv = {"true"};
    request.cwd = "/nonexistent/greenlight";
    const process::CommandOutcome outcome = process::run_command(request);
    EXPECT_EQ(outcome.end, process::CommandOutcome::End::not_started);
    EXPECT_NE(outcome.start_error.find("/nonexistent/greenlight"), std::string::npos);
}

TEST(HygieneProcessTest, DisplaysCommandsAsAUserWouldTypeThem) {
    EXPECT_EQ(process::display_command({"/bin/sh", "-c", "make lint | tee x"}), "make lint | tee x");
    EXPECT_EQ(process::display_command({"ruff", "check", "."}), "ruff check .");
    EXPECT_EQ(process::display_command({"echo", "it's here"}), "echo 'it'\\''s here'");
}

TEST(HygieneProcessTest, LastLines) {
    EXPECT_EQ(process::last_lines("a\nb\nc\n", 2), "b\nc");
    EXPECT_EQ(process::last_lines("a\nb\nc", 5), "a\nb\nc");
    EXPECT_EQ(process::last_lines("", 3), "");
}

}  // namespace
}  // namespace greenlight::hygiene
