// Running one command under supervision: own session, stdin from /dev/null, output to a capped
// file, a timeout that stops the whole process group, and a check that nothing of it survives.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/runner/verdict.hpp"

namespace greenlight::runner {

using Milliseconds = std::chrono::milliseconds;

struct SpawnRequest {
    std::vector<std::string> argv;
    std::filesystem::path cwd;
    std::vector<std::string> environment;  // complete "NAME=value" list the child gets
    std::filesystem::path output_log;      // stdout and stderr end here, capped
    Milliseconds timeout{600'000};
    Milliseconds grace{5'000};
    std::uint64_t output_cap = 8ull << 20;  // bytes kept: half from the head, half from the tail
    // Matched against /proc/<pid>/environ to find processes that left the session (setsid + fork).
    std::string environment_marker;
};

struct LeakedProcess {
    int pid = 0;
    std::string command;  // from /proc/<pid>/cmdline, spaces between arguments
};

struct ProcessExit {
    Termination termination = Termination::exited;
    int exit_code = 0;
    int signal = 0;
    std::string start_error;
    Milliseconds duration{0};
    std::uint64_t output_bytes = 0;   // everything the command wrote
    bool output_truncated = false;    // output.log keeps only the head and tail
    std::vector<LeakedProcess> leaked;  // still alive after the command ended; stopped by greenlight
    bool signals_sent = false;          // greenlight had to signal the group
};

// The seam between the suite runner and the operating system.
class ProcessSupervisor {
public:
    virtual ~ProcessSupervisor() = default;
    virtual ProcessExit run(const SpawnRequest& request) = 0;
};

// The real supervisor: posix_spawn with its own session, pidfd + poll for the exit, the timeout
// and the interrupt; SIGTERM to the group, grace, SIGKILL; leaked processes found through /proc.
class PosixProcessSupervisor final : public ProcessSupervisor {
public:
    PosixProcessSupervisor();
    ProcessExit run(const SpawnRequest& request) override;
};

// Resolves a command name against PATH from the child's environment (not greenlight's).
std::string resolve_executable(const std::string& name, const std::vector<std::string>& environment,
                               const std::filesystem::path& cwd);

// Live processes whose environment holds `marker` (a whole NAME=value entry), found through /proc.
std::vector<int> processes_with_environment_entry(const std::string& marker);

// Builds output.log from the raw capture: the whole text if it fits, else head + cut marker + tail.
// Returns whether it cut. The raw file is removed.
bool finish_output_log(const std::filesystem::path& raw, const std::filesystem::path& output_log,
                       std::uint64_t output_cap, std::uint64_t total_bytes);

}  // namespace greenlight::runner
