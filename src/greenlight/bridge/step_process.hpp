// One job step as a Linux process, through the one supervisor (process/supervisor.hpp): its own session and
// cgroup (where the host allows), tied to greenlight's life, under a CPU-time limit (RLIMIT_CPU plus a live
// check of the CPU everything it started used), with its standard streams on files. Whatever is left of it
// when the step ends is killed.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace greenlight::bridge {

struct StepLaunch {
    std::string executable;                // absolute path handed to execve
    std::vector<std::string> arguments;    // argv, argv[0] included
    std::vector<std::string> environment;  // the complete "NAME=value" list the step gets
    std::filesystem::path working_directory;
    std::filesystem::path standard_input;   // empty: /dev/null
    std::filesystem::path standard_output;  // empty: /dev/null; else created (truncated)
    std::filesystem::path standard_error;   // empty: /dev/null; else created (truncated)
    // CPU time the step may use, its children included (nullopt: no limit set).
    std::optional<std::chrono::microseconds> cpu_limit;
};

// How a step process ended.
enum class StepEnd { exited, signaled, not_started };

struct StepOutcome {
    StepEnd end = StepEnd::not_started;
    int exit_code = 0;  // exited
    int signal = 0;     // signaled
    // not_started: what failed ("cannot run /bin/x: No such file or directory") and its errno.
    std::string start_error;
    int start_errno = 0;
    std::chrono::microseconds cpu_used{0};  // user + system, the step's reaped children included
    // The step went past cpu_limit: SIGXCPU, the kernel's SIGKILL at the hard limit, the live check, or
    // more CPU than allowed at a normal exit (possible when several processes shared the budget).
    bool cpu_limit_exceeded = false;
    bool stopped_on_request = false;  // should_stop returned true and the group was killed
};

// Kills (SIGKILL) every process but the caller whose environment holds `entry` ("NAME=value", whole), as
// read from /proc/<pid>/environ; returns how many. Finds what steps of a dead host left running.
int kill_processes_with_environment_entry(const std::string& entry);

// Runs the step to its end on the calling thread. should_stop is asked every poll_interval; when it says
// true, the step's process group is killed (SIGKILL). Never throws once the process is started.
StepOutcome run_step_process(const StepLaunch& launch, std::chrono::milliseconds poll_interval,
                             const std::function<bool()>& should_stop);

}  // namespace greenlight::bridge
