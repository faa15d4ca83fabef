// posix_spawn with pipes read to their end through poll(): no shell parses an argument, and no output can fill
// its pipe and stall a child while we wait on another.
#include "greenlight/diff/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace greenlight::diff::process {

namespace {

void close_descriptor(int& descriptor) {
    if (descriptor >= 0) ::close(descriptor);
    descriptor = -1;
}

// Both ends close on exec, so a child keeps only the three descriptors it is given.
bool make_pipe(int (&ends)[2]) {
    return ::pipe2(ends, O_CLOEXEC) == 0;
}

std::vector<std::string> merged_environment(const std::vector<std::string>& overrides) {
    std::vector<std::string> merged;
    auto overridden = [&](std::string_view entry) {
        const std::string_view name = entry.substr(0, entry.find('='));
        for (const std::string& override_entry : overrides) {
            if (std::string_view(override_entry).substr(0, override_entry.find('=')) == name) return true;
        }
        return false;
    };
    for (char** entry = environ; entry && *entry; ++entry) {
        if (!overridden(*entry)) merged.emplace_back(*entry);
    }
    merged.insert(merged.end(), overrides.begin(), overrides.end());
    return merged;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (std::string& text : strings) pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

int wait_for(pid_t child) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

// Writing to a child that already exited raises SIGPIPE; a library must not change the process's signal
// handling, so the signal is blocked in this thread for the duration and a pending one is consumed.
class SigpipeBlocked {
public:
    SigpipeBlocked() {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_was_pending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_only, &m_previous);
    }
    ~SigpipeBlocked() {
        if (!m_was_pending) {
            sigset_t pipe_only;
            sigemptyset(&pipe_only);
            sigaddset(&pipe_only, SIGPIPE);
            const timespec no_wait{0, 0};
            while (sigtimedwait(&pipe_only, nullptr, &no_wait) == SIGPIPE) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

private:
    sigset_t m_previous{};
    bool m_was_pending = false;
};

}  // namespace

util::Result<PipelineOutcome> run_pipeline(const std::vector<Arguments>& stages, std::string_view standard_input,
                                           const std::vector<std::string>& environment) {
    if (stages.empty()) return util::make_error("no program to run");
    for (const Arguments& stage : stages) {
        if (stage.empty()) return util::make_error("a pipeline stage has no program");
    }
    std::vector<std::string> environment_strings = merged_environment(environment);
    std::vector<char*> environment_pointers = pointers_to(environment_strings);

    int input_pipe[2] = {-1, -1};
    if (!make_pipe(input_pipe)) return util::make_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    int next_input = input_pipe[0];
    int input_writer = input_pipe[1];
    int output_reader = -1;
    std::vector<int> error_readers;
    std::vector<pid_t> children;

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t default_signals;
    sigemptyset(&default_signals);
    sigaddset(&default_signals, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setsigdefault(&attributes, &default_signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::string start_failure;
    for (const Arguments& stage : stages) {
        int output_pipe[2] = {-1, -1};
        int error_pipe[2] = {-1, -1};
        if (!make_pipe(output_pipe) || !make_pipe(error_pipe)) {
            start_failure = std::string("cannot create a pipe: ") + std::strerror(errno);
            close_descriptor(output_pipe[0]);
            close_descriptor(output_pipe[1]);
            break;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, next_input, STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, output_pipe[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&actions, error_pipe[1], STDERR_FILENO);
        Arguments argument_strings = stage;
        std::vector<char*> argument_pointers = pointers_to(argument_strings);
        pid_t child = -1;
        const int spawn_error = posix_spawnp(&child, argument_pointers[0], &actions, &attributes,
                                             argument_pointers.data(), environment_pointers.data());
        posix_spawn_file_actions_destroy(&actions);
        close_descriptor(next_input);
        close_descriptor(output_pipe[1]);
        close_descriptor(error_pipe[1]);
        next_input = output_pipe[0];
        error_readers.push_back(error_pipe[0]);
        if (spawn_error != 0) {
            start_failure = "cannot start " + stage.front() + ": " + std::strerror(spawn_error);
            break;
        }
        children.push_back(child);
    }
    posix_spawnattr_destroy(&attributes);
    output_reader = next_input;

    if (!start_failure.empty()) {
        // The children already started see their pipes close and end; wait so none is left a zombie.
        close_descriptor(input_writer);
        close_descriptor(output_reader);
        for (int& reader : error_readers) close_descriptor(reader);
        for (pid_t child : children) wait_for(child);
        return util::make_error(start_failure);
    }

    PipelineOutcome outcome;
    outcome.stages.resize(stages.size());
    {
        SigpipeBlocked sigpipe_blocked;
        size_t written = 0;
        if (standard_input.empty())
            close_descriptor(input_writer);
        else
            ::fcntl(input_writer, F_SETFL, ::fcntl(input_writer, F_GETFL) | O_NONBLOCK);

        char buffer[65536];
        while (true) {
            // Slot 0: the input writer, 1: the last stage's output, 2..: each stage's standard error.
            std::vector<pollfd> watched;
            watched.push_back({input_writer, POLLOUT, 0});
            watched.push_back({output_reader, POLLIN, 0});
            for (int reader : error_readers) watched.push_back({reader, POLLIN, 0});
            bool any_open = false;
            for (const pollfd& entry : watched) any_open = any_open || entry.fd >= 0;
            if (!any_open) break;
            if (::poll(watched.data(), watched.size(), -1) < 0) {
                if (errno == EINTR) continue;
                break;
            }
            if (watched[0].fd >= 0 && watched[0].revents != 0) {
                const ssize_t count =
                    ::write(input_writer, standard_input.data() + written, standard_input.size() - written);
                if (count > 0) written += static_cast<size_t>(count);
                if ((count < 0 && errno != EAGAIN && errno != EINTR) || written == standard_input.size()) {
                    close_descriptor(input_writer);
                }
            }
            for (size_t slot = 1; slot < watched.size(); ++slot) {
                if (watched[slot].fd < 0 || watched[slot].revents == 0) continue;
                int& descriptor = slot == 1 ? output_reader : error_readers[slot - 2];
                std::string& target = slot == 1 ? outcome.standard_output : outcome.stages[slot - 2].standard_error;
                const ssize_t count = ::read(descriptor, buffer, sizeof buffer);
                if (count > 0)
                    target.append(buffer, static_cast<size_t>(count));
                else if (count == 0 || (errno != EINTR && errno != EAGAIN))
                    close_descriptor(descriptor);
            }
        }
        close_descriptor(input_writer);
        close_descriptor(output_reader);
        for (int& reader : error_readers) close_descriptor(reader);
    }
    for (size_t index = 0; index < children.size(); ++index)
        outcome.stages[index].exit_code = wait_for(children[index]);
    return outcome;
}

}  // namespace greenlight::diff::process
