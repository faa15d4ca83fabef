// Running one command for a hygiene check (a registry generator, a `command` check): argv, no shell,
// in a given folder, with a timeout that stops the command and everything it started.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::hygiene::process {

// Whether standard error gets its own capture or joins standard output (in the order it was written).
enum class StandardError { separate, merged };

struct CommandRequest {
    std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it holds a '/'
    std::filesystem::path cwd;
    std::chrono::milliseconds timeout{300'000};
    StandardError standard_error = StandardError::separate;
};

struct CommandOutcome {
    enum class End { exited, signaled, timed_out, not_started };
    End end = End::not_started;
    int exit_code = 0;  // when exited
    int signal = 0;     // when signaled
    std::string standard_output;
    std::string standard_error;     // empty with StandardError::merged
    bool output_truncated = false;  // more than the capture limit was written; the rest was dropped
    std::string start_error;        // when not_started: what could not be started, and why
    std::chrono::milliseconds duration{0};

    bool succeeded() const { return end == End::exited && exit_code == 0; }
};

// Starts the command in a process group of its own with standard input from /dev/null and waits
// for it. At the timeout the group gets SIGTERM, then SIGKILL after a short grace; once the command
// ends, whatever it left running in its group is stopped too, so nothing holds its pipes.
CommandOutcome run_command(const CommandRequest& request);

// How the command ended, for a message: "exited with code 2", "was killed by signal 9 (Killed)",
// "timed out after 5s", "could not be started: ...".
std::string describe_end(const CommandOutcome& outcome, std::chrono::milliseconds timeout);

// The command as a user would type it: the script of `/bin/sh -c SCRIPT`, else the arguments joined
// with spaces, quoted where a shell would need it.
std::string display_command(const std::vector<std::string>& argv);

// The last `count` lines of `text` (a final newline does not start an empty line).
std::string last_lines(std::string_view text, size_t count);

}  // namespace greenlight::hygiene::process
