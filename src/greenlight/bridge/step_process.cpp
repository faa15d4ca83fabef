#include "greenlight/bridge/step_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "greenlight/process/proc.hpp"
#include "greenlight/process/supervisor.hpp"

namespace greenlight::bridge {

using std::chrono::microseconds;
using std::chrono::milliseconds;

int kill_processes_with_environment_entry(const std::string& entry) {
    const int self = ::getpid();
    int killed = 0;
    for (const auto& found : process::list_processes()) {
        if (found.pid == self || found.is_gone()) continue;
        if (process::environment_has(found.pid, entry) && ::kill(found.pid, SIGKILL) == 0) ++killed;
    }
    return killed;
}

StepOutcome run_step_process(const StepLaunch& launch, milliseconds poll_interval,
                             const std::function<bool()>& should_stop) {
    StepOutcome outcome;
    if (launch.arguments.empty() || launch.executable.empty()) {
        outcome.start_error = "no program to run";
        outcome.start_errno = EINVAL;
        return outcome;
    }
    // The step's output files are created (truncated) here, so a step that cannot start still leaves them.
    auto open_output = [&](const std::filesystem::path& path, int& fd) {
        if (path.empty()) return true;
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) return true;
        outcome.start_errno = errno;
        outcome.start_error = fmt::format("cannot create {}: {}", path.string(), std::strerror(errno));
        return false;
    };
    int output_fd = -1;
    int error_fd = -1;
    if (!open_output(launch.standard_output, output_fd) || !open_output(launch.standard_error, error_fd)) {
        if (output_fd >= 0) ::close(output_fd);
        return outcome;
    }

    process::Request command;
    command.executable = launch.executable;
    command.argv = launch.arguments;
    command.environment = launch.environment;
    command.cwd = launch.working_directory;
    command.input_file = launch.standard_input;
    command.output = output_fd >= 0 ? process::Sink::descriptor : process::Sink::discard;
    command.output_fd = output_fd;
    command.error = error_fd >= 0 ? process::Sink::descriptor : process::Sink::discard;
    command.error_fd = error_fd;
    command.cpu_limit = launch.cpu_limit;
    // An abend leaves no core file in the work folder; a cancel kills at once (z/OSMF cancel has no grace).
    command.core_dumps = process::CoreDumps::off;
    command.grace = milliseconds(0);
    command.poll_interval = poll_interval;
    command.should_stop = should_stop;
    command.label = "step";
    const process::Outcome ran = process::run(command);
    if (output_fd >= 0) ::close(output_fd);
    if (error_fd >= 0) ::close(error_fd);

    switch (ran.end) {
        case process::End::exited:
            outcome.end = StepEnd::exited;
            break;
        case process::End::not_started:
            outcome.end = StepEnd::not_started;
            break;
        default:
            outcome.end = StepEnd::signaled;
            break;
    }
    outcome.exit_code = ran.exit_code;
    outcome.signal = ran.signal;
    outcome.start_error = ran.start_error;
    outcome.start_errno = ran.start_errno;
    outcome.cpu_used = ran.resources.cpu_time.value_or(microseconds{0});
    outcome.cpu_limit_exceeded = ran.cpu_limit_exceeded;
    outcome.stopped_on_request = ran.end == process::End::stopped;
    return outcome;
}

}  // namespace greenlight::bridge
