#include "greenlight/bridge/step_process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace greenlight::bridge {

namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// What the child was doing when it failed, sent to the parent through the CLOEXEC pipe with errno.
enum class ChildStage : int { session, limits, streams, working_directory, exec };

struct ChildFailure {
    ChildStage stage = ChildStage::exec;
    int error = 0;
};

// A file descriptor closed when it goes out of scope.
class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(int fd) : m_fd(fd) {}
    ~Descriptor() { reset(); }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return m_fd; }
    void reset(int fd = -1) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

// Opens a file for the child's standard streams, numbered 3 or above so that the child's dup2 onto 0-2
// never overwrites another of them (the host may run with a standard stream closed).
int open_stream(const std::filesystem::path& path, int flags) {
    const char* name = path.empty() ? "/dev/null" : path.c_str();
    int fd = ::open(name, flags | O_CLOEXEC, 0644);
    if (fd >= 0 && fd < 3) {
        int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
        ::close(fd);
        fd = moved;
    }
    return fd;
}

microseconds to_microseconds(const timeval& time) {
    return std::chrono::seconds{time.tv_sec} + microseconds{time.tv_usec};
}

// CPU used so far by a process and its reaped children (from /proc/<pid>/stat), nullopt if unreadable.
std::optional<microseconds> cpu_used_so_far(int pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buffer[1024];
    ssize_t got = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (got <= 0) return std::nullopt;
    buffer[got] = '\0';
    // The command name may hold blanks and parentheses: the fields start after the last ')'.
    const char* fields = std::strrchr(buffer, ')');
    if (!fields) return std::nullopt;
    unsigned long user = 0;
    unsigned long system = 0;
    long children_user = 0;
    long children_system = 0;
    if (std::sscanf(fields + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld", &user, &system,
                    &children_user, &children_system) != 4) {
        return std::nullopt;
    }
    static const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    if (ticks_per_second <= 0) return std::nullopt;
    const auto ticks = static_cast<long long>(user + system) + children_user + children_system;
    return microseconds{ticks * 1'000'000 / ticks_per_second};
}

std::string describe_failure(const ChildFailure& failure, const StepLaunch& launch) {
    const char* reason = std::strerror(failure.error);
    switch (failure.stage) {
        case ChildStage::session:
            return fmt::format("cannot start a session for the step: {}", reason);
        case ChildStage::limits:
            return fmt::format("cannot set the step's CPU-time limit: {}", reason);
        case ChildStage::streams:
            return fmt::format("cannot connect the step's standard streams: {}", reason);
        case ChildStage::working_directory:
            return fmt::format("cannot change to the work folder {}: {}", launch.working_directory.string(), reason);
        case ChildStage::exec:
            return fmt::format("cannot run {}: {}", launch.executable, reason);
    }
    return reason;
}

[[noreturn]] void fail_in_child(int pipe_fd, ChildStage stage) {
    ChildFailure failure{stage, errno};
    [[maybe_unused]] ssize_t written = ::write(pipe_fd, &failure, sizeof failure);
    ::_exit(127);
}

// Between fork and exec: only async-signal-safe calls, on data prepared before the fork.
[[noreturn]] void become_step(int pipe_fd, pid_t host, const int (&streams)[3], const rlimit* cpu_limit,
                              const char* working_directory, const char* executable, char* const* argv,
                              char* const* envp) {
    // The worker thread may block signals, the host may ignore some (SIGPIPE): the step starts clean.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
        ::sigaction(signal_number, &default_action, nullptr);
    }

    // A session of its own makes the step a process group leader: the host kills the group as a whole,
    // and no terminal of the host's reaches it.
    if (::setsid() < 0) fail_in_child(pipe_fd, ChildStage::session);
    // A host killed with SIGKILL must not leave steps running.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != host) ::_exit(127);

    // An abend leaves no core file in the work folder.
    const rlimit no_core{0, 0};
    if (::setrlimit(RLIMIT_CORE, &no_core) != 0) fail_in_child(pipe_fd, ChildStage::limits);
    if (cpu_limit && ::setrlimit(RLIMIT_CPU, cpu_limit) != 0) fail_in_child(pipe_fd, ChildStage::limits);

    for (int target = 0; target < 3; ++target) {
        if (::dup2(streams[target], target) < 0) fail_in_child(pipe_fd, ChildStage::streams);
    }
    // Nothing of the host's (its database, its sockets) may leak into the step; the pipe closes at exec.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (::chdir(working_directory) != 0) fail_in_child(pipe_fd, ChildStage::working_directory);
    ::execve(executable, argv, envp);
    fail_in_child(pipe_fd, ChildStage::exec);
}

// Reads the child's failure report; false when the pipe closed without one (the exec happened).
bool read_failure(int pipe_fd, ChildFailure& failure) {
    char* into = reinterpret_cast<char*>(&failure);
    std::size_t have = 0;
    while (have < sizeof failure) {
        ssize_t got = ::read(pipe_fd, into + have, sizeof failure - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        have += static_cast<std::size_t>(got);
    }
    return have == sizeof failure;
}

bool leader_has_exited(pid_t pid) {
    siginfo_t info{};
    // WNOWAIT keeps the zombie: while it exists its pid (the group id) cannot be reused, so the group
    // can still be killed safely.
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

// Whether a process of the group still runs (zombies do not), read from /proc.
bool group_has_running_member(pid_t group) {
    DIR* processes = ::opendir("/proc");
    if (!processes) return false;
    bool found = false;
    while (dirent* entry = ::readdir(processes)) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
        char path[300];
        std::snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        char buffer[512];
        ssize_t got = ::read(fd, buffer, sizeof buffer - 1);
        ::close(fd);
        if (got <= 0) continue;
        buffer[got] = '\0';
        const char* fields = std::strrchr(buffer, ')');
        char state = '?';
        int member_group = 0;
        if (!fields || std::sscanf(fields + 1, " %c %*d %d", &state, &member_group) != 2) continue;
        if (member_group == group && state != 'Z' && state != 'X') {
            found = true;
            break;
        }
    }
    ::closedir(processes);
    return found;
}

// After the group was sent SIGKILL: waits (briefly bounded) until none of it runs any more, so the next
// step never meets a leftover of this one, and reaps members the host inherited as a subreaper.
void wait_for_group_end(pid_t group) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds{2};
    while (std::chrono::steady_clock::now() < give_up) {
        while (::waitpid(-group, nullptr, WNOHANG) > 0) {
        }
        if (::kill(-group, 0) != 0) return;  // no member left, not even a zombie
        if (!group_has_running_member(group)) return;
        std::this_thread::sleep_for(milliseconds(2));
    }
}

}  // namespace

int kill_processes_with_environment_entry(const std::string& entry) {
    DIR* processes = ::opendir("/proc");
    if (!processes) return 0;
    const std::string needle = std::string(1, '\0') + entry + std::string(1, '\0');
    const pid_t self = ::getpid();
    int killed = 0;
    while (dirent* process = ::readdir(processes)) {
        if (process->d_name[0] < '1' || process->d_name[0] > '9') continue;
        const pid_t pid = std::atoi(process->d_name);
        if (pid == self) continue;
        const std::string path = fmt::format("/proc/{}/environ", pid);
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        // environ is "NAME=value\0NAME=value\0...": a leading NUL lets the first entry match too.
        std::string environment(1, '\0');
        char buffer[4096];
        ssize_t got;
        while ((got = ::read(fd, buffer, sizeof buffer)) > 0 && environment.size() < (1U << 20)) {
            environment.append(buffer, static_cast<std::size_t>(got));
        }
        ::close(fd);
        if (environment.back() != '\0') environment += '\0';
        if (environment.find(needle) != std::string::npos && ::kill(pid, SIGKILL) == 0) ++killed;
    }
    ::closedir(processes);
    return killed;
}

StepOutcome run_step_process(const StepLaunch& launch, milliseconds poll_interval,
                             const std::function<bool()>& should_stop) {
    StepOutcome outcome;
    const auto not_started = [&](std::string message, int error) {
        outcome.end = StepEnd::not_started;
        outcome.start_error = std::move(message);
        outcome.start_errno = error;
        return outcome;
    };
    if (launch.arguments.empty() || launch.executable.empty()) return not_started("no program to run", EINVAL);

    Descriptor input(open_stream(launch.standard_input, O_RDONLY));
    if (input.get() < 0) {
        return not_started(fmt::format("cannot open {}: {}", launch.standard_input.string(), std::strerror(errno)),
                           errno);
    }
    Descriptor output(open_stream(launch.standard_output, O_WRONLY | O_CREAT | O_TRUNC));
    if (output.get() < 0) {
        return not_started(fmt::format("cannot create {}: {}", launch.standard_output.string(), std::strerror(errno)),
                           errno);
    }
    Descriptor error_output(open_stream(launch.standard_error, O_WRONLY | O_CREAT | O_TRUNC));
    if (error_output.get() < 0) {
        return not_started(fmt::format("cannot create {}: {}", launch.standard_error.string(), std::strerror(errno)),
                           errno);
    }

    std::vector<char*> argv;
    for (const std::string& argument : launch.arguments) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& variable : launch.environment) envp.push_back(const_cast<char*>(variable.c_str()));
    envp.push_back(nullptr);

    // RLIMIT_CPU counts whole seconds: SIGXCPU at the soft limit, SIGKILL at the hard one.
    rlimit cpu_limit{};
    std::optional<std::chrono::seconds> cpu_soft_limit;
    if (launch.cpu_limit) {
        cpu_soft_limit = std::max(std::chrono::seconds{1}, std::chrono::ceil<std::chrono::seconds>(*launch.cpu_limit));
        cpu_limit.rlim_cur = static_cast<rlim_t>(cpu_soft_limit->count());
        cpu_limit.rlim_max = cpu_limit.rlim_cur + 1;
    }
    const int streams[3] = {input.get(), output.get(), error_output.get()};
    const std::string working_directory = launch.working_directory.string();

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        return not_started(fmt::format("cannot create a pipe: {}", std::strerror(errno)), errno);
    }
    Descriptor report_read(pipe_fds[0]);
    Descriptor report_write(pipe_fds[1]);

    const pid_t host = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return not_started(fmt::format("cannot fork: {}", std::strerror(errno)), errno);
    if (pid == 0) {
        become_step(report_write.get(), host, streams, launch.cpu_limit ? &cpu_limit : nullptr,
                    working_directory.c_str(), launch.executable.c_str(), argv.data(), envp.data());
    }
    report_write.reset();
    input.reset();
    output.reset();
    error_output.reset();

    // The pipe closes at the exec (or the child's exit): after this the step leads its own group.
    ChildFailure failure;
    if (read_failure(report_read.get(), failure)) {
        ::waitpid(pid, nullptr, 0);
        return not_started(describe_failure(failure, launch), failure.error);
    }
    report_read.reset();

    Descriptor exit_notice(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    bool killed_for_cpu = false;
    while (!leader_has_exited(pid)) {
        if (exit_notice.get() >= 0) {
            pollfd watch{exit_notice.get(), POLLIN, 0};
            ::poll(&watch, 1, static_cast<int>(poll_interval.count()));
        } else {
            std::this_thread::sleep_for(std::min(poll_interval, milliseconds(20)));
        }
        if (leader_has_exited(pid)) break;
        // RLIMIT_CPU limits each process; the CPU of children the step already waited for counts too.
        if (launch.cpu_limit && !killed_for_cpu) {
            auto used = cpu_used_so_far(pid);
            if (used && *used > *launch.cpu_limit) {
                killed_for_cpu = true;
                ::kill(-pid, SIGKILL);
            }
        }
        if (!outcome.stopped_on_request && should_stop && should_stop()) {
            outcome.stopped_on_request = true;
            ::kill(-pid, SIGKILL);
        }
    }
    // Whatever the step left running in its group goes with it; the leader is still a zombie, so the
    // group id is still this step's.
    ::kill(-pid, SIGKILL);
    int status = 0;
    rusage usage{};
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    wait_for_group_end(pid);

    outcome.cpu_used = to_microseconds(usage.ru_utime) + to_microseconds(usage.ru_stime);
    if (WIFEXITED(status)) {
        outcome.end = StepEnd::exited;
        outcome.exit_code = WEXITSTATUS(status);
    } else {
        outcome.end = StepEnd::signaled;
        outcome.signal = WTERMSIG(status);
    }
    if (launch.cpu_limit && !outcome.stopped_on_request) {
        const bool hard_limit_kill =
            outcome.end == StepEnd::signaled && outcome.signal == SIGKILL && outcome.cpu_used >= *cpu_soft_limit;
        const bool signaled_xcpu = outcome.end == StepEnd::signaled && outcome.signal == SIGXCPU;
        outcome.cpu_limit_exceeded =
            killed_for_cpu || signaled_xcpu || hard_limit_kill || outcome.cpu_used > *launch.cpu_limit;
    }
    return outcome;
}

}  // namespace greenlight::bridge
