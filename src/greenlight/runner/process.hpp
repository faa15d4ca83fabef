// Running one suite attempt under supervision (process/supervisor.hpp does the work): stdin from /dev/null,
// output to a capped file that no leftover process can write to afterwards, a timeout that stops everything
// the suite started, and an account of what it left and what it used.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/process/supervisor.hpp"
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
    // One more way to find what left the session in process-group mode (never the only one).
    std::string environment_marker;
    std::string label;  // names the attempt's cgroup: "<suite>.<attempt>"
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
    std::uint64_t output_bytes = 0;     // everything the command wrote
    bool output_truncated = false;      // output.log keeps only the head and tail
    std::vector<LeakedProcess> leaked;  // still alive after the command ended; stopped by greenlight
    bool signals_sent = false;          // greenlight had to signal the group
    process::ContainmentMode containment = process::ContainmentMode::process_group;
    process::Resources resources;  // what the attempt used, where the containment counts it
};

// The seam between the suite runner and the operating system.
class ProcessSupervisor {
public:
    virtual ~ProcessSupervisor() = default;
    virtual ProcessExit run(const SpawnRequest& request) = 0;
};

// The real supervisor: process::run with the attempt's output file kept under its cap, the interrupt as a
// stop request, and output.log made as a copy, never the file the command wrote to.
class PosixProcessSupervisor final : public ProcessSupervisor {
public:
    PosixProcessSupervisor();
    ProcessExit run(const SpawnRequest& request) override;
};

// Builds output.log from the raw capture: the whole text if it fits, else head + cut marker + tail.
// Returns whether it cut. output.log is always a new file (a process that still holds the raw file cannot
// change it); the raw file is removed.
bool finish_output_log(const std::filesystem::path& raw, const std::filesystem::path& output_log,
                       std::uint64_t output_cap, std::uint64_t total_bytes);

}  // namespace greenlight::runner
