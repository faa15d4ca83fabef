// The one way greenlight starts a program: argv (no shell), an environment given whole, its own session and
// process group, its own cgroup where the host allows (see containment.hpp), standard input from /dev/null, a
// file or a string, output to files or captured, a deadline and a stop request that end it with SIGTERM, a
// grace period and SIGKILL to everything it started, and an account of what it left behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/process/cgroup.hpp"
#include "greenlight/process/containment.hpp"

namespace greenlight::process {

using Milliseconds = std::chrono::milliseconds;

// Where a standard stream of the child goes.
enum class Sink {
    discard,     // /dev/null
    descriptor,  // an open file descriptor of the caller's (a file; the caller keeps it)
    capture,     // read by the supervisor into the outcome, up to capture_limit
    to_output,   // standard error only: joins standard output, in the order written
};

// Whether the child may write a core file when it crashes.
enum class CoreDumps { allowed, off };

struct Request {
    std::vector<std::string> argv;  // argv[0] is looked up on the PATH of `environment` unless it holds a '/'
    std::string executable;         // when set, run instead of looking argv[0] up
    std::filesystem::path cwd;      // empty: greenlight's own
    // The complete "NAME=value" list the child gets; empty with inherit_environment: greenlight's own.
    std::vector<std::string> environment;
    bool inherit_environment = false;
    // Standard input: a file (empty: /dev/null) or, when set, this text through a pipe.
    std::filesystem::path input_file;
    std::optional<std::string> input_text;
    Sink output = Sink::discard;
    int output_fd = -1;  // with Sink::descriptor
    Sink error = Sink::discard;
    int error_fd = -1;                      // with Sink::descriptor
    std::size_t capture_limit = 16u << 20;  // bytes kept of each captured stream; the rest is read and dropped

    Milliseconds timeout{0};                             // 0: none
    Milliseconds grace{5'000};                           // between SIGTERM and SIGKILL when the command is stopped
    std::optional<std::chrono::microseconds> cpu_limit;  // CPU time of the command and all it started
    CoreDumps core_dumps = CoreDumps::allowed;
    // Asked every poll_interval: true stops the command (TERM, grace, KILL).
    std::function<bool()> should_stop;
    // Called every poll_interval while the command runs (e.g. to keep an output file under its cap).
    std::function<void()> on_tick;
    int wake_fd = -1;  // polled too: readable means "look at should_stop now" (an interrupt)
    Milliseconds poll_interval{100};
    // Names the command's cgroup (for a person reading /sys/fs/cgroup) and marks its environment.
    std::string label;
    // An extra "NAME=value" entry given to the child, matched in /proc/<pid>/environ as one more way to
    // find descendants in process-group mode (never the only one).
    std::string environment_marker;
};

enum class End { exited, signaled, timed_out, stopped, not_started };

struct Leftover {
    int pid = 0;
    std::string command;
};

struct Resources {
    std::optional<std::uint64_t> peak_memory_bytes;
    std::optional<std::chrono::microseconds> cpu_time;
    std::optional<std::int64_t> peak_tasks;
};

struct Outcome {
    End end = End::not_started;
    int exit_code = 0;  // exited
    int signal = 0;     // signaled (the leader's own end, also when stopped or timed out)
    std::string start_error;
    int start_errno = 0;
    Milliseconds duration{0};
    ContainmentMode containment = ContainmentMode::process_group;
    bool signals_sent = false;        // greenlight had to signal something of the command
    std::vector<Leftover> leftovers;  // alive after the leader ended; stopped by greenlight
    Resources resources;
    bool cpu_limit_exceeded = false;
    std::string output_text;  // Sink::capture
    std::string error_text;   // Sink::capture
    bool capture_truncated = false;

    bool succeeded() const { return end == End::exited && exit_code == 0; }
};

// Runs the command to its end on the calling thread. Never throws once the command has started.
Outcome run(const Request& request);

// Resolves a command name against a PATH value (relative entries against `cwd`); empty when not found.
std::string find_executable(const std::string& name, const std::vector<std::string>& environment,
                            const std::filesystem::path& cwd);

}  // namespace greenlight::process
