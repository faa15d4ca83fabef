// posix_spawn into a process group of its own; the pipes, the leader's exit (a pidfd) and the deadline
// are watched with one poll(), so neither a full pipe nor a grandchild that keeps a pipe open can stall us.
#include "greenlight/hygiene/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "greenlight/util/duration.hpp"

extern char** environ;

namespace greenlight::hygiene::process {

namespace {

using SteadyClock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

// A generator's output is compared in memory; beyond this the rest is dropped and the outcome says so.
constexpr size_t k_capture_limit = 64u << 20;
// Between SIGTERM and SIGKILL at a timeout.
constexpr Milliseconds k_grace{1'000};
// After the leader ended (and its group was stopped), how long output still in flight is read.
constexpr Milliseconds k_drain{500};

class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(int fd) : m_fd(fd) {}
    ~Descriptor() { close(); }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    Descriptor(Descriptor&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    Descriptor& operator=(Descriptor&& other) noexcept {
        if (this != &other) {
            close();
            m_fd = other.m_fd;
            other.m_fd = -1;
        }
        return *this;
    }
    int get() const { return m_fd; }
    bool open() const { return m_fd >= 0; }
    void close() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

struct Pipe {
    Descriptor read;
    Descriptor write;
};

bool make_pipe(Pipe& pipe) {
    int ends[2] = {-1, -1};
    // Both ends close on exec, so the child keeps only the descriptors dup2'ed onto 0, 1 and 2.
    if (::pipe2(ends, O_CLOEXEC) != 0) return false;
    pipe.read = Descriptor(ends[0]);
    pipe.write = Descriptor(ends[1]);
    return true;
}

int open_pidfd(pid_t pid) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

// A capture that keeps at most k_capture_limit bytes.
void append_capped(std::string& target, const char* data, size_t size, bool& truncated) {
    const size_t room = target.size() < k_capture_limit ? k_capture_limit - target.size() : 0;
    if (size > room) truncated = true;
    target.append(data, std::min(size, room));
}

class Supervision {
public:
    explicit Supervision(const CommandRequest& request) : m_request(request) {}
    CommandOutcome run();

private:
    bool start();
    // Reads whatever the pipes have until `until`, the leader's exit (when `stop_at_exit`) or both pipes' end.
    void pump(SteadyClock::time_point until, bool stop_at_exit);
    // Whether the leader has ended; it stays a zombie (WNOWAIT) so its group id cannot be reused yet.
    bool leader_ended();
    void signal_group(int signal) { ::kill(-m_pid, signal); }
    void reap();

    const CommandRequest& m_request;
    CommandOutcome m_outcome;
    pid_t m_pid = -1;
    Descriptor m_pidfd;
    Descriptor m_output;
    Descriptor m_error;
    SteadyClock::time_point m_started;
};

bool Supervision::start() {
    if (m_request.argv.empty() || m_request.argv.front().empty()) {
        m_outcome.start_error = "no command given";
        return false;
    }
    std::error_code error;
    if (!std::filesystem::is_directory(m_request.cwd, error)) {
        m_outcome.start_error = fmt::format("its folder {} does not exist", m_request.cwd.string());
        return false;
    }
    Pipe output;
    Pipe error_pipe;
    if (!make_pipe(output) || (m_request.standard_error == StandardError::separate && !make_pipe(error_pipe))) {
        m_outcome.start_error = fmt::format("cannot create a pipe: {}", std::strerror(errno));
        return false;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output.write.get(), STDOUT_FILENO);
    const int error_target =
        m_request.standard_error == StandardError::merged ? output.write.get() : error_pipe.write.get();
    posix_spawn_file_actions_adddup2(&actions, error_target, STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, m_request.cwd.c_str());

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t empty_mask;
    sigemptyset(&empty_mask);
    // An ignored SIGPIPE (or a blocked signal) would survive exec; the command gets the defaults.
    sigset_t default_signals;
    sigemptyset(&default_signals);
    sigaddset(&default_signals, SIGPIPE);
    sigaddset(&default_signals, SIGINT);
    sigaddset(&default_signals, SIGTERM);
    posix_spawnattr_setsigmask(&attributes, &empty_mask);
    posix_spawnattr_setsigdefault(&attributes, &default_signals);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> arguments;
    for (const std::string& argument : m_request.argv) arguments.push_back(const_cast<char*>(argument.c_str()));
    arguments.push_back(nullptr);

    m_started = SteadyClock::now();
    // glibc runs the file actions (the chdir too) before exec, so `./tool` is found in `cwd`.
    const int spawn_error = ::posix_spawnp(&m_pid, arguments.front(), &actions, &attributes, arguments.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawn_error != 0) {
        m_pid = -1;
        m_outcome.start_error = spawn_error == ENOENT ? fmt::format("command not found: `{}`", m_request.argv.front())
                                                      : fmt::format("cannot run `{}`: {}", m_request.argv.front(),
                                                                    std::strerror(spawn_error));
        return false;
    }
    m_pidfd = Descriptor(open_pidfd(m_pid));
    m_output = std::move(output.read);
    m_error = std::move(error_pipe.read);
    return true;
}

bool Supervision::leader_ended() {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == m_pid;
}

void Supervision::pump(SteadyClock::time_point until, bool stop_at_exit) {
    char buffer[65536];
    while (m_output.open() || m_error.open()) {
        if (stop_at_exit && leader_ended()) return;
        const auto remaining = std::chrono::ceil<Milliseconds>(until - SteadyClock::now());
        if (remaining.count() <= 0) return;
        // Without a pidfd the leader's exit is noticed by polling every 50 ms.
        const Milliseconds wait = m_pidfd.open() || !stop_at_exit ? remaining : std::min(remaining, Milliseconds(50));
        pollfd watched[3] = {
            {m_output.get(), POLLIN, 0}, {m_error.get(), POLLIN, 0}, {stop_at_exit ? m_pidfd.get() : -1, POLLIN, 0}};
        if (::poll(watched, 3, static_cast<int>(wait.count())) < 0 && errno != EINTR) return;
        for (int slot = 0; slot < 2; ++slot) {
            if (watched[slot].fd < 0 || watched[slot].revents == 0) continue;
            Descriptor& descriptor = slot == 0 ? m_output : m_error;
            std::string& target = slot == 0 ? m_outcome.standard_output : m_outcome.standard_error;
            const ssize_t count = ::read(descriptor.get(), buffer, sizeof buffer);
            if (count > 0)
                append_capped(target, buffer, static_cast<size_t>(count), m_outcome.output_truncated);
            else if (count == 0 || (errno != EINTR && errno != EAGAIN))
                descriptor.close();
        }
    }
    // Both pipes ended: the leader is about to end, if it has not already.
    if (stop_at_exit) {
        while (!leader_ended() && SteadyClock::now() < until) {
            pollfd watched{m_pidfd.get(), POLLIN, 0};
            const auto remaining = std::chrono::ceil<Milliseconds>(until - SteadyClock::now());
            ::poll(&watched, m_pidfd.open() ? 1 : 0, static_cast<int>(std::min(remaining, Milliseconds(50)).count()));
        }
    }
}

void Supervision::reap() {
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0) {
        if (errno != EINTR) return;
    }
    if (m_outcome.end == CommandOutcome::End::timed_out) return;
    if (WIFEXITED(status)) {
        m_outcome.end = CommandOutcome::End::exited;
        m_outcome.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        m_outcome.end = CommandOutcome::End::signaled;
        m_outcome.signal = WTERMSIG(status);
    }
}

CommandOutcome Supervision::run() {
    if (!start()) return m_outcome;
    const auto deadline = m_started + m_request.timeout;
    pump(deadline, true);
    if (!leader_ended()) {
        m_outcome.end = CommandOutcome::End::timed_out;
        signal_group(SIGTERM);
        const auto grace_end = SteadyClock::now() + k_grace;
        while (!leader_ended() && SteadyClock::now() < grace_end)
            pump(std::min(grace_end, SteadyClock::now() + Milliseconds(50)), true);
    }
    m_outcome.duration = std::chrono::duration_cast<Milliseconds>(SteadyClock::now() - m_started);
    // The leader is a zombie now (or still running after SIGTERM): its group id is still ours to signal.
    // Whatever the command left behind in its group goes with it, and lets go of the pipes.
    signal_group(SIGKILL);
    pump(SteadyClock::now() + k_drain, false);
    reap();
    return m_outcome;
}

bool needs_quotes(std::string_view argument) {
    if (argument.empty()) return true;
    return std::any_of(argument.begin(), argument.end(), [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@%", c) != nullptr);
    });
}

}  // namespace

CommandOutcome run_command(const CommandRequest& request) {
    return Supervision(request).run();
}

std::string describe_end(const CommandOutcome& outcome, std::chrono::milliseconds timeout) {
    switch (outcome.end) {
        case CommandOutcome::End::exited:
            return fmt::format("exited with code {}", outcome.exit_code);
        case CommandOutcome::End::signaled:
            return fmt::format("was killed by signal {} ({})", outcome.signal, ::strsignal(outcome.signal));
        case CommandOutcome::End::timed_out:
            return fmt::format("timed out after {} and was stopped", util::format_duration(timeout));
        case CommandOutcome::End::not_started:
            return fmt::format("could not be started: {}", outcome.start_error);
    }
    return "ended";
}

std::string display_command(const std::vector<std::string>& argv) {
    if (argv.size() == 3 && (argv[0] == "/bin/sh" || argv[0] == "sh") && argv[1] == "-c") return argv[2];
    std::string shown;
    for (const std::string& argument : argv) {
        if (!shown.empty()) shown += ' ';
        if (!needs_quotes(argument)) {
            shown += argument;
            continue;
        }
        shown += '\'';
        for (char c : argument) shown += c == '\'' ? std::string("'\\''") : std::string(1, c);
        shown += '\'';
    }
    return shown;
}

std::string last_lines(std::string_view text, size_t count) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (count == 0) return {};
    size_t start = text.size();
    size_t seen = 0;
    while (start > 0) {
        const size_t newline = text.rfind('\n', start - 1);
        if (newline == std::string_view::npos) {
            start = 0;
            break;
        }
        if (++seen == count) {
            start = newline + 1;
            break;
        }
        start = newline;
    }
    return std::string(text.substr(start));
}

}  // namespace greenlight::hygiene::process
