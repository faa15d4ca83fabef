// The real process supervisor, with real (short-lived) processes.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include "greenlight/process/proc.hpp"
#include "greenlight/runner/process.hpp"
#include "unit/runner/fakes.hpp"

namespace greenlight::runner {
namespace {

using namespace testing;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Live processes whose environment holds `marker` (a whole NAME=value entry).
std::vector<int> processes_with_environment_entry(const std::string& marker) {
    std::vector<int> found;
    for (const auto& status : process::list_processes()) {
        if (!status.is_gone() && process::environment_has(status.pid, marker)) found.push_back(status.pid);
    }
    return found;
}

// Polls `condition` every 5 ms until it holds or `limit` has passed; whether it held.
bool wait_until(const std::function<bool()>& condition, Milliseconds limit = 5s) {
    const auto deadline = SteadyClock::now() + limit;
    while (!condition()) {
        if (SteadyClock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

class ProcessTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_marker = fmt_marker(info->name());
    }

    void TearDown() override {
        // Whatever the test did, leave no process of it behind.
        for (int pid : processes_with_environment_entry(m_marker)) ::kill(pid, SIGKILL);
    }

    static std::string fmt_marker(const std::string& name) {
        return "GREENLIGHT_TEST_MARKER=" + std::to_string(::getpid()) + "-" + name;
    }

    SpawnRequest shell(const std::string& script) {
        SpawnRequest request;
        request.argv = {"/bin/sh", "-c", script};
        request.cwd = m_dir.path();
        request.environment = {"PATH=/usr/local/bin:/usr/bin:/bin", "LC_ALL=C", m_marker};
        request.environment_marker = m_marker;
        request.output_log = m_dir.path() / "output.log";
        request.timeout = 2s;
        request.grace = 500ms;
        request.output_cap = 1 << 20;
        return request;
    }

    ProcessExit run(const SpawnRequest& request, Milliseconds* elapsed = nullptr) {
        PosixProcessSupervisor supervisor;
        auto start = SteadyClock::now();
        ProcessExit exit = supervisor.run(request);
        if (elapsed) *elapsed = std::chrono::duration_cast<Milliseconds>(SteadyClock::now() - start);
        return exit;
    }

    std::string output() const { return read_text(m_dir.path() / "output.log"); }

    TempDir m_dir;
    std::string m_marker;
};

TEST_F(ProcessTest, ExitCodeIsRecorded) {
    ProcessExit exit = run(shell("echo hello; exit 3"));
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 3);
    EXPECT_FALSE(exit.signals_sent);
    EXPECT_THAT(exit.leaked, IsEmpty());
    EXPECT_EQ(output(), "hello\n");
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "output.log.partial"));
}

TEST_F(ProcessTest, ZeroExitIsRecorded) {
    ProcessExit exit = run(shell("true"));
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 0);
}

TEST_F(ProcessTest, StdoutAndStderrBothReachTheLog) {
    ProcessExit exit = run(shell("echo out; echo err >&2; echo out2"));
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(output(), "out\nerr\nout2\n");
}

TEST_F(ProcessTest, SignalIsRecorded) {
    ProcessExit exit = run(shell("ulimit -c 0; kill -SEGV $$"));
    EXPECT_EQ(exit.termination, Termination::signaled);
    EXPECT_EQ(exit.signal, SIGSEGV);
    EXPECT_FALSE(exit.signals_sent);  // the command did it to itself
}

TEST_F(ProcessTest, TimeoutStopsTheTreeEvenWhenAGrandchildHoldsStdout) {
    SpawnRequest request = shell("sleep 30 & echo started; wait");
    request.timeout = 300ms;
    request.grace = 500ms;
    Milliseconds elapsed{0};
    ProcessExit exit = run(request, &elapsed);
    EXPECT_EQ(exit.termination, Termination::timed_out);
    EXPECT_TRUE(exit.signals_sent);
    // Both clocks are read in whole milliseconds, truncated: allow for that.
    EXPECT_GE(elapsed, request.timeout - 2ms);
    EXPECT_LT(elapsed, request.timeout + request.grace + 1s);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
    EXPECT_EQ(output(), "started\n");
}

TEST_F(ProcessTest, AProcessThatIgnoresSigtermIsKilledAfterTheGrace) {
    SpawnRequest request = shell("trap '' TERM; echo trapped; sleep 30; echo survived");
    request.timeout = 300ms;
    request.grace = 400ms;
    Milliseconds elapsed{0};
    ProcessExit exit = run(request, &elapsed);
    EXPECT_EQ(exit.termination, Termination::timed_out);
    EXPECT_TRUE(exit.signals_sent);
    // It could only end through SIGKILL, which comes after the grace.
    EXPECT_GE(elapsed, request.timeout + request.grace - 50ms);
    EXPECT_LT(elapsed, request.timeout + request.grace + 1s);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
    EXPECT_THAT(output(), Not(HasSubstr("survived")));
}

TEST_F(ProcessTest, AGrandchildThatIgnoresSigtermIsKilledAfterTheLeaderDies) {
    // The leader goes on SIGTERM; its child does not: the group outlives the leader.
    SpawnRequest request = shell("(trap '' TERM; sleep 30; echo survived) & wait");
    request.timeout = 200ms;
    request.grace = 400ms;
    Milliseconds elapsed{0};
    ProcessExit exit = run(request, &elapsed);
    EXPECT_EQ(exit.termination, Termination::timed_out);
    EXPECT_LT(elapsed, request.timeout + request.grace + 1s);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
    EXPECT_THAT(output(), Not(HasSubstr("survived")));
}

TEST_F(ProcessTest, AnInterruptStopsTheCommandAtOnce) {
    InterruptReset reset;
    SpawnRequest request = shell("sleep 30 & : > started; sleep 30");
    request.timeout = 2500ms;
    request.grace = 300ms;
    SteadyClock::time_point interrupted_at{};
    std::thread interrupter([&] {
        // Once the command runs, its background sleep started.
        wait_until([&] { return std::filesystem::exists(m_dir.path() / "started"); }, 2s);
        interrupted_at = SteadyClock::now();
        request_interrupt();
    });
    ProcessExit exit = run(request);
    const auto stopped_at = SteadyClock::now();
    interrupter.join();
    EXPECT_EQ(exit.termination, Termination::interrupted);
    EXPECT_TRUE(exit.signals_sent);
    EXPECT_LT(stopped_at - interrupted_at, request.grace + 500ms);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
}

TEST_F(ProcessTest, ALeakInOneSupervisionDoesNotTouchAnotherRunningBesideIt) {
    // Suites run in parallel under one greenlight: cleaning up after one must spare the others.
    SpawnRequest leaky = shell("sleep 30 & exit 0");
    const std::string other_marker = m_marker + "-other";
    SpawnRequest other = shell(": > other.started; sleep 0.5; echo finished; exit 5");
    other.environment = {"PATH=/usr/bin:/bin", other_marker};
    other.environment_marker = other_marker;
    other.output_log = m_dir.path() / "other.log";
    ProcessExit other_exit;
    std::thread beside([&] {
        PosixProcessSupervisor supervisor;
        other_exit = supervisor.run(other);
    });
    // The leaky suite starts (and is cleaned up after) while the other runs.
    EXPECT_TRUE(wait_until([&] { return std::filesystem::exists(m_dir.path() / "other.started"); }));
    ProcessExit leaky_exit = run(leaky);
    beside.join();
    EXPECT_EQ(leaky_exit.leaked.size(), 1u);
    EXPECT_EQ(other_exit.termination, Termination::exited);
    EXPECT_EQ(other_exit.exit_code, 5);
    EXPECT_THAT(other_exit.leaked, IsEmpty());
    EXPECT_EQ(read_text(m_dir.path() / "other.log"), "finished\n");
    for (int pid : processes_with_environment_entry(other_marker)) ::kill(pid, SIGKILL);
}

TEST_F(ProcessTest, LeakedBackgroundProcessIsReportedAndStopped) {
    Milliseconds elapsed{0};
    ProcessExit exit = run(shell("sleep 30 & exit 0"), &elapsed);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 0);
    ASSERT_EQ(exit.leaked.size(), 1u);
    EXPECT_GT(exit.leaked[0].pid, 0);
    EXPECT_THAT(exit.leaked[0].command, HasSubstr("sleep 30"));
    EXPECT_TRUE(exit.signals_sent);
    EXPECT_LT(elapsed, 2500ms);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
}

TEST_F(ProcessTest, DoubleForkedSetsidDaemonIsFoundAndStopped) {
    // The daemon leaves the command's process group and session; only the marker in its environment
    // (and greenlight being its subreaper) ties it to the command.
    Milliseconds elapsed{0};
    ProcessExit exit = run(shell("( setsid sh -c 'sleep 30' & ) ; sleep 0.1; exit 0"), &elapsed);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 0);
    EXPECT_FALSE(exit.leaked.empty());
    bool sleeper_reported = false;
    for (const auto& leaked : exit.leaked)
        sleeper_reported = sleeper_reported || leaked.command.find("sleep 30") != std::string::npos;
    EXPECT_TRUE(sleeper_reported);
    EXPECT_LT(elapsed, 2500ms);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
}

TEST_F(ProcessTest, DaemonWithItsOwnChildIsStoppedToo) {
    // A shell in a new session that waits on its own child: stopping the shell orphans the child,
    // which must be found in a later round.
    Milliseconds elapsed{0};
    ProcessExit exit = run(shell("( setsid sh -c 'sleep 30; true' & ) ; sleep 0.1; exit 0"), &elapsed);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_FALSE(exit.leaked.empty());
    EXPECT_LT(elapsed, 2900ms);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty());
}

TEST_F(ProcessTest, ADeepChainOfShellsInANewSessionIsStoppedCompletely) {
    // A daemon that left the session, four processes deep (sh -> sh -> sh -> sleep, like
    // npm -> sh -> node): each one is orphaned (and handed to greenlight) only once the one above it
    // is stopped, yet every one of them carries the marker.
    // nest.sh N: a shell that runs nest.sh N-1 and waits for it; at 0, sleeps.
    write_text(m_dir.path() / "nest.sh",
               "if [ \"$1\" -gt 0 ]; then sh ./nest.sh $(($1 - 1)); true; else sleep 30; true; fi\n");
    Milliseconds elapsed{0};
    ProcessExit exit = run(shell("( setsid sh ./nest.sh 2 & ) ; sleep 0.2; exit 0"), &elapsed);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_FALSE(exit.leaked.empty());
    EXPECT_LT(elapsed, 2900ms);
    EXPECT_THAT(processes_with_environment_entry(m_marker), IsEmpty())
        << "leaked: " << exit.leaked.size() << " processes reported";
}

TEST_F(ProcessTest, OutputIsCappedKeepingHeadAndTail) {
    SpawnRequest request = shell("echo HEAD-START; head -c 5000000 /dev/zero | tr '\\000' x; echo; echo TAIL-END");
    request.output_cap = 64 * 1024;
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 0);
    EXPECT_TRUE(exit.output_truncated);
    EXPECT_GE(exit.output_bytes, 5'000'000u);
    std::string log = output();
    EXPECT_LE(log.size(), 64u * 1024 + 300) << "the marker should be the only thing past the cap";
    EXPECT_GE(log.size(), 64u * 1024 - 1);
    EXPECT_EQ(log.rfind("HEAD-START\n", 0), 0u) << log.substr(0, 40);
    ASSERT_GE(log.size(), 9u);
    EXPECT_EQ(log.substr(log.size() - 9), "TAIL-END\n");
    EXPECT_THAT(log, HasSubstr("output cut here"));
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "output.log.partial"));
}

TEST_F(ProcessTest, OutputCapHoldsWhileTheCommandIsStillWriting) {
    // Writes slowly enough that the limiter runs several times before the end.
    SpawnRequest request = shell(
        "echo FIRST; for i in 1 2 3 4 5; do head -c 400000 /dev/zero | tr '\\000' y; sleep 0.12; done; echo LAST");
    request.output_cap = 32 * 1024;
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_TRUE(exit.output_truncated);
    EXPECT_GE(exit.output_bytes, 2'000'000u);
    std::string log = output();
    EXPECT_LE(log.size(), 32u * 1024 + 300);
    EXPECT_EQ(log.rfind("FIRST\n", 0), 0u);
    EXPECT_EQ(log.substr(log.size() - 5), "LAST\n");
    // Only zeros turned into 'y' and the marker: no hole (NUL bytes) may leak into the log.
    EXPECT_EQ(log.find('\0'), std::string::npos);
}

TEST_F(ProcessTest, SmallOutputIsKeptWhole) {
    SpawnRequest request = shell("printf 'line one\\nline two\\n'");
    request.output_cap = 64 * 1024;
    ProcessExit exit = run(request);
    EXPECT_FALSE(exit.output_truncated);
    EXPECT_EQ(exit.output_bytes, 18u);
    EXPECT_EQ(output(), "line one\nline two\n");
}

TEST_F(ProcessTest, ATinyCapKeepsHalfHeadHalfTail) {
    SpawnRequest request = shell("printf 'AAAAAAAAAA'; head -c 10000 /dev/zero | tr '\\000' m; printf 'ZZZZZZZZZZ'");
    request.output_cap = 20;
    ProcessExit exit = run(request);
    EXPECT_TRUE(exit.output_truncated);
    EXPECT_EQ(exit.output_bytes, 10020u);
    std::string log = output();
    EXPECT_EQ(log.substr(0, 10), "AAAAAAAAAA");
    EXPECT_EQ(log.substr(log.size() - 10), "ZZZZZZZZZZ");
    EXPECT_THAT(log, HasSubstr("10000 bytes omitted"));
}

TEST_F(ProcessTest, OutputExactlyAtTheCapIsKeptWhole) {
    SpawnRequest request = shell("head -c 4096 /dev/zero | tr '\\000' z");
    request.output_cap = 4096;
    ProcessExit exit = run(request);
    EXPECT_FALSE(exit.output_truncated);
    EXPECT_EQ(output(), std::string(4096, 'z'));
}

TEST_F(ProcessTest, StdinIsEmpty) {
    SpawnRequest request = shell("cat; echo done");
    Milliseconds elapsed{0};
    ProcessExit exit = run(request, &elapsed);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 0);
    EXPECT_LT(elapsed, 1s);
    EXPECT_EQ(output(), "done\n");
}

TEST_F(ProcessTest, CatAloneReturnsAtOnce) {
    SpawnRequest request = shell("");
    request.argv = {"cat"};
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 0);
    EXPECT_EQ(output(), "");
}

TEST_F(ProcessTest, CommandNotFoundFailsToStartNamingIt) {
    SpawnRequest request = shell("");
    request.argv = {"greenlight-no-such-command", "--flag"};
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::failed_to_start);
    EXPECT_THAT(exit.start_error, HasSubstr("greenlight-no-such-command"));
}

TEST_F(ProcessTest, MissingAbsoluteCommandFailsToStart) {
    SpawnRequest request = shell("");
    request.argv = {"/nonexistent/bin/tool"};
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::failed_to_start);
    EXPECT_THAT(exit.start_error, HasSubstr("/nonexistent/bin/tool"));
}

TEST_F(ProcessTest, EmptyCommandFailsToStart) {
    SpawnRequest request = shell("");
    request.argv.clear();
    EXPECT_EQ(run(request).termination, Termination::failed_to_start);
}

TEST_F(ProcessTest, NonexistentCwdFailsToStart) {
    SpawnRequest request = shell("echo should-not-run");
    request.cwd = m_dir.path() / "no-such-folder";
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::failed_to_start);
    EXPECT_THAT(exit.start_error, HasSubstr("no-such-folder"));
    EXPECT_THAT(output(), Not(HasSubstr("should-not-run")));
}

TEST_F(ProcessTest, RunsInTheRequestedCwdWithTheGivenEnvironment) {
    std::filesystem::create_directories(m_dir.path() / "work");
    SpawnRequest request = shell("pwd; echo \"$SUITE_VALUE\"; echo \"${HOME:-unset}\"");
    request.cwd = m_dir.path() / "work";
    request.environment.push_back("SUITE_VALUE=42");
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.exit_code, 0);
    EXPECT_EQ(output(), (m_dir.path() / "work").string() + "\n42\nunset\n");
}

TEST_F(ProcessTest, OutputLogIsCreatedEvenWhenTheCommandCannotStart) {
    SpawnRequest request = shell("");
    request.argv = {"greenlight-no-such-command"};
    run(request);
    EXPECT_TRUE(std::filesystem::exists(m_dir.path() / "output.log"));
}

// ---- resolve_executable -------------------------------------------------------------------------------

class ResolveExecutable : public ::testing::Test {
protected:
    void SetUp() override {
        std::filesystem::create_directories(m_dir.path() / "bin");
        write_text(m_dir.path() / "bin" / "my-tool", "#!/bin/sh\nexit 7\n");
        std::filesystem::permissions(m_dir.path() / "bin" / "my-tool", std::filesystem::perms::owner_all);
        write_text(m_dir.path() / "bin" / "not-executable", "data\n");
    }
    TempDir m_dir;
};

TEST_F(ResolveExecutable, UsesTheChildsPath) {
    std::string bin = (m_dir.path() / "bin").string();
    EXPECT_EQ(process::find_executable("my-tool", {"HOME=/x", "PATH=/usr/bin:" + bin}, "/"), bin + "/my-tool");
    EXPECT_EQ(process::find_executable("my-tool", {"PATH=/usr/bin:/bin"}, "/"), "");
    EXPECT_EQ(process::find_executable("sh", {"PATH=" + bin}, "/"), "");
}

TEST_F(ResolveExecutable, NotGreenlightsOwnPath) {
    std::string bin = (m_dir.path() / "bin").string();
    ScopedEnvironment path("PATH", bin + ":/usr/bin:/bin");
    EXPECT_EQ(process::find_executable("my-tool", {"PATH=/usr/bin:/bin"}, "/"), "");
}

TEST_F(ResolveExecutable, RelativePathEntriesAreRelativeToTheCwd) {
    EXPECT_EQ(std::filesystem::path(process::find_executable("my-tool", {"PATH=bin"}, m_dir.path())).lexically_normal(),
              m_dir.path() / "bin" / "my-tool");
}

TEST_F(ResolveExecutable, SkipsFilesThatAreNotExecutable) {
    std::string bin = (m_dir.path() / "bin").string();
    EXPECT_EQ(process::find_executable("not-executable", {"PATH=" + bin}, "/"), "");
}

TEST_F(ResolveExecutable, NamesWithASlashAreTakenAsTheyAre) {
    EXPECT_EQ(process::find_executable("./run.sh", {"PATH=/usr/bin"}, "/"), "./run.sh");
    EXPECT_EQ(process::find_executable("/bin/sh", {}, "/"), "/bin/sh");
    EXPECT_EQ(process::find_executable("", {"PATH=/bin"}, "/"), "");
}

TEST_F(ResolveExecutable, TheSupervisorRunsWhatTheChildsPathFinds) {
    std::string bin = (m_dir.path() / "bin").string();
    SpawnRequest request;
    request.argv = {"my-tool"};
    request.cwd = m_dir.path();
    request.environment = {"PATH=" + bin + ":/usr/bin:/bin"};
    request.output_log = m_dir.path() / "output.log";
    request.timeout = 2s;
    PosixProcessSupervisor supervisor;
    ProcessExit exit = supervisor.run(request);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_EQ(exit.exit_code, 7);
}

// ---- finish_output_log ---------------------------------------------------------------------------------

TEST(FinishOutputLog, KeepsAFileWithinTheCapAsItIs) {
    TempDir dir;
    write_text(dir.path() / "raw", "hello\n");
    EXPECT_FALSE(finish_output_log(dir.path() / "raw", dir.path() / "output.log", 100, 6));
    EXPECT_EQ(read_text(dir.path() / "output.log"), "hello\n");
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "raw"));
}

TEST(FinishOutputLog, CutsTheMiddleAndSaysHowMuch) {
    TempDir dir;
    std::string content = std::string(100, 'a') + std::string(1000, 'm') + std::string(100, 'z');
    write_text(dir.path() / "raw", content);
    EXPECT_TRUE(finish_output_log(dir.path() / "raw", dir.path() / "output.log", 200, content.size()));
    std::string log = read_text(dir.path() / "output.log");
    EXPECT_EQ(log.substr(0, 100), std::string(100, 'a'));
    EXPECT_EQ(log.substr(log.size() - 100), std::string(100, 'z'));
    EXPECT_EQ(log.find("mmm"), std::string::npos) << "the middle must be cut: " << log;
    EXPECT_THAT(log, HasSubstr("1000 bytes omitted"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "raw"));
}

TEST(FinishOutputLog, AWriterStillHoldingTheRawFileCannotChangeTheLog) {
    // A process that outlived its suite (and escaped every stop) keeps writing to what it was given: the bundle's
    // output.log must be a different file, or the manifest would be proven wrong seconds after it was written.
    TempDir dir;
    const auto raw = dir.path() / "raw";
    write_text(raw, "the suite's output\n");
    int still_held = ::open(raw.c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(still_held, 0);
    EXPECT_FALSE(finish_output_log(raw, dir.path() / "output.log", 100, 19));
    ASSERT_EQ(::write(still_held, "written late\n", 13), 13);
    ::close(still_held);
    EXPECT_EQ(read_text(dir.path() / "output.log"), "the suite's output\n");
}

TEST_F(ProcessTest, ALateWriterThatEscapedCannotChangeOutputLog) {
    // The daemon keeps printing to the stdout it inherited; whatever containment ran, output.log stays as it was
    // when the attempt ended.
    SpawnRequest request = shell("setsid -f env -i /bin/sh -c 'while :; do echo late; sleep 0.01; done'; echo done");
    ProcessExit exit = run(request);
    EXPECT_EQ(exit.termination, Termination::exited);
    EXPECT_FALSE(exit.leaked.empty());
    const std::string at_end = output();
    // The escaped writer is stopped after the attempt: once it is gone nothing can write any more, and one that
    // survived has had the whole wait to write.
    EXPECT_TRUE(wait_until([&] {
        return std::none_of(exit.leaked.begin(), exit.leaked.end(), [](const LeakedProcess& leaked) {
            auto status = process::read_process_status(leaked.pid);
            return status && !status->is_gone();
        });
    }));
    EXPECT_EQ(output(), at_end);
}

}  // namespace
}  // namespace greenlight::runner
