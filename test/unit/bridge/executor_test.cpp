#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <thread>

#include "greenlight/bridge/executor.hpp"
#include "greenlight/util/fs.hpp"
#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

using namespace std::chrono_literals;
using test_support::ScopedEnvironment;
using test_support::TempDir;

// Every wait in these tests is bounded: a broken executor fails the test instead of hanging it.
constexpr auto k_patience = 20s;

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds limit = k_patience) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

// Whether a process still runs (a zombie waiting for its reaper has ended: it runs nothing).
bool process_runs(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = content.rfind(')');
    if (content.empty() || paren == std::string::npos || paren + 2 >= content.size()) return false;
    return content[paren + 2] != 'Z' && content[paren + 2] != 'X';
}

class ExecutorTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto store = JobStore::open(m_dir.path() / "state");
        ASSERT_TRUE(store) << store.message();
        m_store.emplace(std::move(store).value());
    }

    ExecutorOptions options() {
        ExecutorOptions options;
        options.work_root = work_root();
        options.idle_poll = 20ms;
        options.cancel_poll = 20ms;
        options.log = [this](const std::string& line) {
            std::lock_guard lock(m_log_mutex);
            m_log.push_back(line);
        };
        return options;
    }
    std::filesystem::path work_root() const { return m_dir.path() / "work"; }
    JobStore& store() { return *m_store; }

    Job submit(const std::string& jcl, const std::string& jobname = "TESTJOB") {
        NewJob job;
        job.jobname = jobname;
        job.owner = "IBMUSER";
        job.jcl_text = jcl;
        auto stored = store().submit(job);
        if (!stored) throw std::runtime_error(stored.message());
        return *stored;
    }

    Job find(const std::string& jobid) {
        auto found = store().find(jobid);
        if (!found || !*found) throw std::runtime_error("job " + jobid + " not found");
        return **found;
    }

    // Submits, claims and runs one job on the test's thread.
    Job run_now(const std::string& jcl, ExecutorOptions executor_options = {}) {
        Job submitted = submit(jcl);
        if (!executor_options.log) executor_options = options();
        Executor executor(store(), executor_options);
        auto claimed = store().claim_next_input(1);
        if (!claimed || !*claimed) throw std::runtime_error("nothing to claim");
        executor.run_job(**claimed);
        return find(submitted.jobid);
    }

    std::optional<SpoolFile> spool_file(const std::string& jobid, const std::string& ddname,
                                        const std::string& stepname = {}) {
        const std::vector<SpoolFile> files = store().spool_files(jobid).value();
        for (const SpoolFile& file : files) {
            if (file.ddname == ddname && (stepname.empty() || file.stepname == stepname)) return file;
        }
        return std::nullopt;
    }

    std::string spool(const std::string& jobid, const std::string& ddname, const std::string& stepname = {}) {
        auto file = spool_file(jobid, ddname, stepname);
        if (!file) return "<no " + ddname + " in the spool>";
        return store().read_records(jobid, file->id).value();
    }

    bool reaches_output(const std::string& jobid) {
        return wait_until([&] { return find(jobid).status == JobStatus::output; });
    }

    TempDir m_dir{"greenlight-executor"};
    std::optional<JobStore> m_store;
    std::mutex m_log_mutex;
    std::vector<std::string> m_log;
};

std::string contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos ? "" : "missing '" + part + "' in:\n" + text;
}

#define EXPECT_CONTAINS(text, part) EXPECT_EQ(contains((text), (part)), "")

TEST_F(ExecutorTest, ASuccessfulStepEndsCc0000WithItsOutputInTheSpool) {
    Job job = run_now(
        "//TESTJOB JOB (ACCT),'ME'\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH echo hello from $JOBNAME $STEPNAME'\n"
        "//STDOUT DD SYSOUT=*\n"
        "//STDERR DD SYSOUT=*\n");
    EXPECT_EQ(job.status, JobStatus::output);
    EXPECT_EQ(job.retcode, "CC 0000");
    EXPECT_EQ(spool(job.jobid, "STDOUT", "STEP1"), "hello from TESTJOB STEP1\n");
    EXPECT_EQ(spool(job.jobid, "STDERR", "STEP1"), "");

    std::vector<std::pair<int, std::string>> files;
    const std::vector<SpoolFile> stored = store().spool_files(job.jobid).value();
    files.reserve(stored.size());
    for (const SpoolFile& file : stored) files.emplace_back(file.id, file.ddname);
    const std::vector<std::pair<int, std::string>> expected = {
        {2, "JESMSGLG"}, {3, "JESJCL"}, {4, "JESYSMSG"}, {101, "STDOUT"}, {102, "STDERR"}};
    EXPECT_EQ(files, expected);

    const std::string log = spool(job.jobid, "JESMSGLG");
    const std::regex lines(
        R"(^ \d\d\.\d\d\.\d\d JOB00001  ---- [A-Z]+, +\d\d [A-Z]{3} \d{4} ----
 \d\d\.\d\d\.\d\d JOB00001  \$HASP373 TESTJOB  STARTED
 \d\d\.\d\d\.\d\d JOB00001  -TESTJOB  STEP1    ENDED - RC=0000
 \d\d\.\d\d\.\d\d JOB00001  \$HASP395 TESTJOB  ENDED - RC=0000
$)");
    EXPECT_TRUE(std::regex_match(log, lines)) << log;
    EXPECT_EQ(spool(job.jobid, "JESYSMSG"), "IEF142I TESTJOB STEP1 - STEP WAS EXECUTED - COND CODE 0000\n");
    EXPECT_FALSE(std::filesystem::exists(work_root() / job.jobid)) << "the job's work folder is removed";
}

TEST_F(ExecutorTest, TheStepSeesACleanEnvironmentOfItsOwn) {
    ScopedEnvironment secret("GREENLIGHT_EXECUTOR_TEST_SECRET", "host-only");
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH\n"
        "//STDPARM DD *\n"
        "SH echo \"user=$USER logname=$LOGNAME tz=$TZ lang=$LANG id=$JOBID\";\n"
        "echo \"secret=${GREENLIGHT_EXECUTOR_TEST_SECRET-unset}\";\n"
        "pwd; echo \"$HOME\"; echo \"$TMPDIR\";\n"
        "test -d \"$HOME\" && test -d \"$TMPDIR\" && echo dirs-exist\n"
        "/*\n"
        "//STDOUT DD SYSOUT=*\n");
    ASSERT_EQ(job.retcode, "CC 0000") << spool(job.jobid, "JESYSMSG");
    const std::string folder = (work_root() / job.jobid).string();
    EXPECT_EQ(spool(job.jobid, "STDOUT"),
              "user=ibmuser logname=ibmuser tz=UTC lang=C.UTF-8 id=JOB00001\n"
              "secret=unset\n" +
                  folder + "\n" + folder + "/.jes/home\n" + folder + "/.jes/tmp\ndirs-exist\n");
}

TEST_F(ExecutorTest, ANonzeroExitIsTheJobsConditionCode) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH echo oops >&2; exit 4'\n"
        "//STDERR DD SYSOUT=*\n");
    EXPECT_EQ(job.retcode, "CC 0004");
    EXPECT_EQ(spool(job.jobid, "STDERR"), "oops\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"), "-TESTJOB  STEP1    ENDED - RC=0004\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"), "$HASP395 TESTJOB  ENDED - RC=0004\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESYSMSG"), "IEF142I TESTJOB STEP1 - STEP WAS EXECUTED - COND CODE 0004\n");
}

TEST_F(ExecutorTest, CondBypassesALaterStepAndTheHighestCodeWins) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//FIRST EXEC PGM=BPXBATCH,PARM='SH exit 8'\n"
        "//SKIPPED EXEC PGM=BPXBATCH,PARM='SH echo must not run',COND=(4,LT)\n"
        "//STDOUT DD SYSOUT=*\n"
        "//RUNS EXEC PGM=BPXBATCH,PARM='SH echo runs; exit 2',COND=(8,LT)\n"
        "//STDOUT DD SYSOUT=*\n");
    EXPECT_EQ(job.retcode, "CC 0008");
    EXPECT_FALSE(spool_file(job.jobid, "STDOUT", "SKIPPED")) << "a bypassed step writes no spool";
    EXPECT_EQ(spool(job.jobid, "STDOUT", "RUNS"), "runs\n");
    const std::string log = spool(job.jobid, "JESMSGLG");
    EXPECT_CONTAINS(log, "-TESTJOB  FIRST    ENDED - RC=0008\n");
    EXPECT_CONTAINS(log, "-TESTJOB  SKIPPED  NOT RUN - BYPASSED BY COND\n");
    EXPECT_CONTAINS(log, "-TESTJOB  RUNS     ENDED - RC=0002\n");
    EXPECT_CONTAINS(log, "$HASP395 TESTJOB  ENDED - RC=0008\n");
    EXPECT_EQ(spool(job.jobid, "JESYSMSG"),
              "IEF142I TESTJOB FIRST - STEP WAS EXECUTED - COND CODE 0008\n"
              "IEF202I TESTJOB SKIPPED - STEP WAS NOT RUN BECAUSE OF CONDITION CODES\n"
              "IEF142I TESTJOB RUNS - STEP WAS EXECUTED - COND CODE 0002\n");
}

TEST_F(ExecutorTest, AStepKilledBySegvAbendsS0C4AndLaterStepsAreBypassed) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//CRASH EXEC PGM=BPXBATCH,PARM='SH kill -SEGV $$'\n"
        "//NORMAL EXEC PGM=BPXBATCH,PARM='SH exit 0'\n"
        "//CLEANUP EXEC PGM=BPXBATCH,PARM='SH echo cleanup',COND=EVEN\n"
        "//STDOUT DD SYSOUT=*\n");
    EXPECT_EQ(job.retcode, "ABEND S0C4");
    EXPECT_EQ(spool(job.jobid, "STDOUT", "CLEANUP"), "cleanup\n");
    const std::string log = spool(job.jobid, "JESMSGLG");
    EXPECT_CONTAINS(log, "-TESTJOB  CRASH    ENDED - ABEND=S0C4\n");
    EXPECT_CONTAINS(log, "-TESTJOB  NORMAL   NOT RUN - BYPASSED BY COND\n");
    EXPECT_CONTAINS(log, "-TESTJOB  CLEANUP  ENDED - RC=0000\n");
    EXPECT_CONTAINS(log, "$HASP395 TESTJOB  ENDED - ABEND=S0C4\n");
    const std::string messages = spool(job.jobid, "JESYSMSG");
    EXPECT_CONTAINS(messages, "GLB106I TESTJOB CRASH - THE STEP WAS ENDED BY SIGNAL 11 (SIGSEGV)\n");
    EXPECT_CONTAINS(messages, "IEF472I TESTJOB CRASH - COMPLETION CODE - SYSTEM=0C4\n");
    EXPECT_CONTAINS(messages, "IEF202I TESTJOB NORMAL - STEP WAS NOT RUN BECAUSE OF CONDITION CODES\n");
}

TEST_F(ExecutorTest, AnyOtherSignalIsAbendSec6) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH kill -TERM $$'\n");
    EXPECT_EQ(job.retcode, "ABEND SEC6");
}

TEST_F(ExecutorTest, TheJobsCpuTimeLimitAbendsS322) {
    const auto started = std::chrono::steady_clock::now();
    Job job = run_now(
        "//TESTJOB JOB (ACCT),'ME',TIME=(,1)\n"
        "//BURN EXEC PGM=BPXBATCH,PARM='SH while :; do :; done'\n"
        "//AFTER EXEC PGM=BPXBATCH,PARM='SH exit 0'\n");
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(job.retcode, "ABEND S322");
    EXPECT_LT(took, 10s);
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"), "-TESTJOB  BURN     ENDED - ABEND=S322\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"), "-TESTJOB  AFTER    NOT RUN - BYPASSED BY COND\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESYSMSG"), "IEF472I TESTJOB BURN - COMPLETION CODE - SYSTEM=322\n");
}

TEST_F(ExecutorTest, TheDefaultTimeLimitAppliesWithoutTimeOnTheJobCard) {
    ExecutorOptions limited = options();
    limited.default_time_limit = 1s;
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//BURN EXEC PGM=BPXBATCH,PARM='SH while :; do :; done'\n",
        limited);
    EXPECT_EQ(job.retcode, "ABEND S322");
}

TEST_F(ExecutorTest, TimeNolimitOnTheJobCardLiftsTheDefaultTimeLimit) {
    ExecutorOptions limited = options();
    limited.default_time_limit = 1s;
    // Burns about two seconds of CPU, more than the default allows, then ends well.
    Job job = run_now(
        "//TESTJOB JOB (ACCT),'ME',TIME=NOLIMIT\n"
        "//BURN EXEC PGM=BPXBATCH\n"
        "//STDPARM DD *\n"
        "SH end=$(($(date +%s)+3)); while [ $(date +%s) -lt $end ]; do :; done\n"
        "/*\n",
        limited);
    EXPECT_EQ(job.retcode, "CC 0000");
}

TEST_F(ExecutorTest, AStepsOwnTimeLimitAbendsS322) {
    ExecutorOptions unlimited = options();
    unlimited.default_time_limit = std::nullopt;
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//BURN EXEC PGM=BPXBATCH,PARM='SH while :; do :; done',TIME=(,1)\n",
        unlimited);
    EXPECT_EQ(job.retcode, "ABEND S322");
    EXPECT_CONTAINS(spool(job.jobid, "JESYSMSG"),
                    "GLB107I TESTJOB BURN - THE STEP WENT PAST ITS CPU TIME LIMIT OF 1.00 SECONDS\n");
}

TEST_F(ExecutorTest, AnUnsupportedProgramIsAJclErrorNamingTheCard) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=IEFBR14\n");
    EXPECT_EQ(job.retcode, "JCL ERROR");
    EXPECT_EQ(spool(job.jobid, "JESYSMSG"),
              " STMT NO. 2  ERROR: STEP1: PGM=IEFBR14 is not supported: only PGM=BPXBATCH runs on this host\n"
              "IEFC452I TESTJOB - JOB NOT RUN - JCL ERROR\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"), "IEFC452I TESTJOB - JOB NOT RUN - JCL ERROR\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"), "$HASP395 TESTJOB  ENDED - JCL ERROR\n");
}

TEST_F(ExecutorTest, AProgramWithoutAnAbsolutePathAndABadStdenvLineAreJclErrors) {
    Job relative = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='PGM echo hi'\n");
    EXPECT_EQ(relative.retcode, "JCL ERROR");
    EXPECT_CONTAINS(spool(relative.jobid, "JESYSMSG"),
                    " STMT NO. 2  ERROR: STEP1: BPXBATCH PGM needs the program's absolute path: found 'echo'\n");

    Job environment = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH true'\n"
        "//STDENV DD *\n"
        "GOOD=1\n"
        "not a variable\n");
    EXPECT_EQ(environment.retcode, "JCL ERROR");
    EXPECT_CONTAINS(spool(environment.jobid, "JESYSMSG"),
                    " STMT NO. 3  ERROR: STDENV: STDENV line 2 is not NAME=value: 'not a variable'\n");
}

TEST_F(ExecutorTest, InStreamDataStdinStdparmAndStdenvReachTheStep) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH echo ignored: STDPARM wins'\n"
        "//STDPARM DD *\n"
        "SH cat \"$DD_CONFIG\";\n"
        "  read line; echo \"stdin: $line\"; echo \"$GREETING\"; cat \"$DD_STDIN\" | wc -l\n"
        "/*\n"
        "//CONFIG DD *\n"
        "alpha=1\n"
        "  beta = 2\n"
        "/*\n"
        "//STDIN DD *\n"
        "first line\n"
        "second line\n"
        "/*\n"
        "//STDENV DD *\n"
        "GREETING=hello world\n"
        "/*\n"
        "//STDOUT DD SYSOUT=*\n");
    ASSERT_EQ(job.retcode, "CC 0000") << spool(job.jobid, "JESYSMSG");
    EXPECT_EQ(spool(job.jobid, "STDOUT"), "alpha=1\n  beta = 2\nstdin: first line\nhello world\n2\n");
}

TEST_F(ExecutorTest, AnEmptyCommandRunsTheShellOnStdin) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH'\n"
        "//STDIN DD *\n"
        "echo from the script\n"
        "exit 3\n"
        "/*\n"
        "//STDOUT DD SYSOUT=*\n");
    EXPECT_EQ(job.retcode, "CC 0003");
    EXPECT_EQ(spool(job.jobid, "STDOUT"), "from the script\n");
}

TEST_F(ExecutorTest, ProgramModeRunsTheProgramAndAMissingOneEndsRc0127) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//ECHO EXEC PGM=BPXBATCH,PARM='PGM /bin/echo hi there'\n"
        "//STDOUT DD SYSOUT=*\n"
        "//MISSING EXEC PGM=BPXBATCH,PARM='PGM /no/such/program'\n");
    EXPECT_EQ(job.retcode, "CC 0127");
    EXPECT_EQ(spool(job.jobid, "STDOUT", "ECHO"), "hi there\n");
    const std::string messages = spool(job.jobid, "JESYSMSG");
    EXPECT_CONTAINS(messages,
                    "GLB101E TESTJOB MISSING - THE STEP COULD NOT BE STARTED: cannot run /no/such/program: "
                    "command not found (no such file)\n");
    EXPECT_CONTAINS(messages, "IEF142I TESTJOB MISSING - STEP WAS EXECUTED - COND CODE 0127\n");
}

TEST_F(ExecutorTest, AnExtraSysoutDdIsAFileTheStepWritesAndASpoolFileInJclOrder) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "// EXEC PGM=BPXBATCH,PARM='SH echo art >$DD_SCRIPT;echo $STEPNAME'\n"
        "//SCRIPT DD SYSOUT=*\n"
        "//STDOUT DD SYSOUT=*\n");
    ASSERT_EQ(job.retcode, "CC 0000") << spool(job.jobid, "JESYSMSG");
    auto script = spool_file(job.jobid, "SCRIPT");
    auto output = spool_file(job.jobid, "STDOUT");
    ASSERT_TRUE(script && output);
    EXPECT_LT(script->id, output->id);
    EXPECT_EQ(script->stepname, "#STEP001") << "an unnamed step gets a name for the spool";
    EXPECT_EQ(spool(job.jobid, "SCRIPT"), "art\n");
    EXPECT_EQ(spool(job.jobid, "STDOUT"), "#STEP001\n");
}

TEST_F(ExecutorTest, ASpoolDdKeepsItsFirstBytesAndSaysHowManyWereDropped) {
    ExecutorOptions small = options();
    small.max_spool_bytes = 100;
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH,PARM='SH head -c 1000 /dev/zero | tr \"\\0\" x'\n"
        "//STDOUT DD SYSOUT=*\n",
        small);
    ASSERT_EQ(job.retcode, "CC 0000") << spool(job.jobid, "JESYSMSG");
    EXPECT_EQ(spool(job.jobid, "STDOUT"),
              std::string(100, 'x') + "\nGLB105W 900 BYTES DROPPED: THE SPOOL KEEPS THE FIRST 100 BYTES OF EACH DD\n");
}

TEST_F(ExecutorTest, ABackgroundProcessLeftByAStepIsKilledWhenTheStepEnds) {
    Job job = run_now(
        "//TESTJOB JOB\n"
        "//LEAVE EXEC PGM=BPXBATCH,PARM='SH sleep 60 & echo $! > bg.pid'\n"
        "//CHECK EXEC PGM=BPXBATCH\n"
        "//STDPARM DD *\n"
        "SH s=$(cut -d' ' -f3 /proc/$(cat bg.pid)/stat 2>/dev/null);\n"
        "echo \"state:${s:-gone}\"; cat bg.pid\n"
        "/*\n"
        "//STDOUT DD SYSOUT=*\n");
    ASSERT_EQ(job.retcode, "CC 0000") << spool(job.jobid, "JESYSMSG");
    const std::string output = spool(job.jobid, "STDOUT");
    EXPECT_TRUE(output.starts_with("state:gone\n") || output.starts_with("state:Z\n")) << output;
    const int pid = std::atoi(output.substr(output.find('\n') + 1).c_str());
    ASSERT_GT(pid, 0) << output;
    EXPECT_FALSE(process_runs(pid));
}

class RunningJob {
public:
    // The steps of these jobs write their pid files into the job's folder: the test waits for them.
    static constexpr const char* k_jcl =
        "//TESTJOB JOB\n"
        "//LONG EXEC PGM=BPXBATCH\n"
        "//STDPARM DD *\n"
        "SH sleep 60 & echo $! > bg.pid; echo $$ > step.pid; echo started; wait\n"
        "/*\n"
        "//STDOUT DD SYSOUT=*\n"
        "//NEXT EXEC PGM=BPXBATCH,PARM='SH echo next',COND=EVEN\n"
        "//STDOUT DD SYSOUT=*\n";
};

int read_pid(const std::filesystem::path& file) {
    auto content = util::read_file(file);
    return content ? std::atoi(content->c_str()) : 0;
}

TEST_F(ExecutorTest, CancelingARunningJobKillsItsProcessGroupAndEndsItCanceled) {
    Executor executor(store(), options());
    executor.start();
    Job job = submit(RunningJob::k_jcl);
    executor.notify_submitted();
    const auto folder = work_root() / job.jobid;
    ASSERT_TRUE(wait_until([&] { return read_pid(folder / "bg.pid") > 0 && read_pid(folder / "step.pid") > 0; }));
    const int background = read_pid(folder / "bg.pid");
    const int step = read_pid(folder / "step.pid");
    EXPECT_EQ(find(job.jobid).status, JobStatus::active);

    ASSERT_TRUE(store().cancel(job.jobid));
    ASSERT_TRUE(reaches_output(job.jobid));
    EXPECT_EQ(find(job.jobid).retcode, "CANCELED");
    EXPECT_TRUE(wait_until([&] { return !process_runs(background) && !process_runs(step); }, 2s));
    EXPECT_EQ(spool(job.jobid, "STDOUT", "LONG"), "started\n");
    EXPECT_FALSE(spool_file(job.jobid, "STDOUT", "NEXT")) << "nothing runs after a cancel, not even COND=EVEN";
    const std::string log = spool(job.jobid, "JESMSGLG");
    EXPECT_CONTAINS(log, "-TESTJOB  LONG     ENDED - ABEND=S222\n");
    EXPECT_CONTAINS(log, "GLB104I THE JOB WAS CANCELED BY REQUEST\n");
    EXPECT_CONTAINS(spool(job.jobid, "JESYSMSG"), "IEF272I TESTJOB NEXT - STEP WAS NOT EXECUTED.\n");
}

TEST_F(ExecutorTest, StoppingTheHostEndsARunningJobAsSysFail) {
    Job job = submit(RunningJob::k_jcl);
    const auto folder = work_root() / job.jobid;
    int background = 0;
    {
        Executor executor(store(), options());
        executor.start();
        ASSERT_TRUE(wait_until([&] { return read_pid(folder / "bg.pid") > 0; }));
        background = read_pid(folder / "bg.pid");
        executor.stop();
    }
    Job ended = find(job.jobid);
    EXPECT_EQ(ended.status, JobStatus::output);
    EXPECT_EQ(ended.retcode, "SYS FAIL");
    EXPECT_TRUE(wait_until([&] { return !process_runs(background); }, 2s));
    EXPECT_CONTAINS(spool(job.jobid, "JESMSGLG"),
                    "GLB102E THE JOB HOST STOPPED WHILE THE JOB WAS ACTIVE; THE JOB ENDED WITH SYS FAIL\n");
    EXPECT_FALSE(std::filesystem::exists(folder));
}

TEST_F(ExecutorTest, NothingOfAStepOutlivesAHostKilledWithSigkill) {
    Job job = submit(RunningJob::k_jcl);
    const auto folder = work_root() / job.jobid;
    const std::filesystem::path state = m_dir.path() / "state";
    const ExecutorOptions host_options = options();
    // The host runs in a child process, so the test can kill it the hard way.
    const pid_t host = ::fork();
    ASSERT_GE(host, 0);
    if (host == 0) {
        auto child_store = JobStore::open(state, OpenOptions{Recovery::skip, nullptr});
        if (!child_store) ::_exit(3);
        ExecutorOptions child_options = host_options;
        child_options.log = nullptr;
        Executor executor(*child_store, child_options);
        executor.start();
        std::this_thread::sleep_for(60s);
        ::_exit(4);
    }
    const bool started =
        wait_until([&] { return read_pid(folder / "bg.pid") > 0 && read_pid(folder / "step.pid") > 0; });
    ::kill(host, SIGKILL);
    ::waitpid(host, nullptr, 0);
    ASSERT_TRUE(started);
    const int step = read_pid(folder / "step.pid");
    const int background = read_pid(folder / "bg.pid");
    EXPECT_TRUE(wait_until([&] { return !process_runs(step); }, 2s)) << "PR_SET_PDEATHSIG ends the step";

    // The next host: the store's recovery fails the job, the executor stops what its steps left.
    m_store.reset();
    auto reopened = JobStore::open(state);
    ASSERT_TRUE(reopened) << reopened.message();
    m_store.emplace(std::move(reopened).value());
    EXPECT_EQ(find(job.jobid).retcode, "SYS FAIL");
    Executor executor(store(), options());
    executor.start();
    EXPECT_TRUE(wait_until([&] { return !process_runs(background); }, 2s));
    EXPECT_FALSE(std::filesystem::exists(folder)) << "the dead host's work folder is removed";
    executor.stop();
}

TEST_F(ExecutorTest, MaxActiveKeepsTheSecondJobWaitingAsInput) {
    const std::string waits_for_release =
        "//TESTJOB JOB\n"
        "//STEP1 EXEC PGM=BPXBATCH\n"
        "//STDPARM DD *\n"
        "SH i=0; while [ ! -f ../release ] && [ $i -lt 400 ];\n"
        "do sleep 0.05; i=$((i+1)); done;\n"
        "test -f ../release\n"
        "/*\n";
    ExecutorOptions one = options();
    one.max_active = 1;
    Executor executor(store(), one);
    Job first = submit(waits_for_release);
    Job second = submit(waits_for_release);
    executor.start();
    executor.notify_submitted();
    executor.notify_submitted();
    ASSERT_TRUE(wait_until([&] { return find(first.jobid).status == JobStatus::active; }));
    // The one worker is busy with the first job; a second worker (or host) asking now gets nothing.
    auto claimed = store().claim_next_input(one.max_active);
    ASSERT_TRUE(claimed) << claimed.message();
    EXPECT_FALSE(claimed->has_value()) << "max_active 1 with one job active: nothing more is claimed";
    EXPECT_EQ(find(second.jobid).status, JobStatus::input);

    // The first job may not have made its work folder (and so the work root) yet.
    ASSERT_TRUE(util::make_directories(work_root()));
    ASSERT_TRUE(util::write_file_atomic(work_root() / "release", ""));
    ASSERT_TRUE(reaches_output(first.jobid));
    ASSERT_TRUE(reaches_output(second.jobid));
    EXPECT_EQ(find(first.jobid).retcode, "CC 0000");
    EXPECT_EQ(find(second.jobid).retcode, "CC 0000");
}

TEST_F(ExecutorTest, WorkersPickUpASubmittedJobAndLogIt) {
    ExecutorOptions slow_poll = options();
    slow_poll.idle_poll = 10s;  // only notify_submitted can wake the worker in time
    Executor executor(store(), slow_poll);
    executor.start();
    // The worker has looked once and found nothing: from here only notify_submitted can wake it in time.
    ASSERT_TRUE(wait_until([&] { return executor.claim_attempts() >= 1; }, 5s));
    Job job = submit("//TESTJOB JOB\n//STEP1 EXEC PGM=BPXBATCH,PARM='SH exit 0'\n");
    executor.notify_submitted();
    ASSERT_TRUE(wait_until([&] { return find(job.jobid).status == JobStatus::output; }, 5s));
    EXPECT_EQ(find(job.jobid).retcode, "CC 0000");
    executor.stop();
    std::lock_guard lock(m_log_mutex);
    EXPECT_NE(std::find(m_log.begin(), m_log.end(), "job JOB00001 TESTJOB ended: CC 0000"), m_log.end());
}

TEST_F(ExecutorTest, StartRemovesWorkFoldersOfJobsThatAreNotRunning) {
    ASSERT_TRUE(util::make_directories(work_root() / "JOB00099" / ".jes"));
    ASSERT_TRUE(util::make_directories(work_root() / "notes"));
    ASSERT_TRUE(util::write_file_atomic(work_root() / "notes" / "kept", "x"));
    Executor executor(store(), options());
    executor.start();
    executor.stop();
    EXPECT_FALSE(std::filesystem::exists(work_root() / "JOB00099"));
    EXPECT_TRUE(std::filesystem::exists(work_root() / "notes" / "kept")) << "only job folders are the host's";
}

}  // namespace
}  // namespace greenlight::bridge
