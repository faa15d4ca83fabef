#include "greenlight/process/supervisor.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "greenlight/process/internal_child.hpp"
#include "greenlight/process/proc.hpp"

extern char** environ;

// The child runs on a stack of greenlight's heap, in greenlight's memory: AddressSanitizer must not poison
// redzones there (a no-op without it).
#define GREENLIGHT_NO_SANITIZE_ADDRESS __attribute__((no_sanitize_address))

namespace greenlight::process {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::microseconds;

// The stack the child runs on between clone and exec: a few frames of plain system calls.
constexpr size_t k_child_stack_bytes = 64 << 10;

// A file descriptor closed when it goes out of scope.
class Descriptor {
public:
    Descriptor() = default;
    explicit Descriptor(int fd) : m_fd(fd) {}
    ~Descriptor() { reset(); }
    Descriptor(Descriptor&& other) noexcept : m_fd(other.release()) {}
    Descriptor& operator=(Descriptor&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const { return m_fd; }
    int release() {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }
    void reset(int fd = -1) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

// A descriptor numbered 3 or above (close-on-exec), so the child's dup2 onto 0-2 never overwrites another
// of its streams (greenlight may run with a standard stream closed).
Descriptor above_standard(int fd) {
    if (fd < 0) return Descriptor();
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    return Descriptor(moved);
}

Descriptor open_above_standard(const char* path, int flags) {
    Descriptor opened(::open(path, flags | O_CLOEXEC, 0644));
    if (opened.get() < 0 || opened.get() >= 3) return opened;
    return above_standard(opened.get());
}

// What the child was doing when it failed, sent to the parent through a close-on-exec pipe with errno.
enum class ChildStage : int { cgroup, session, limits, streams, working_directory, exec };

struct ChildFailure {
    ChildStage stage = ChildStage::exec;
    int error = 0;
};

// Everything the child needs, prepared before the fork: the child may only make async-signal-safe calls.
struct ChildPlan {
    const char* executable = nullptr;
    char* const* argv = nullptr;
    char* const* envp = nullptr;
    int streams[3] = {-1, -1, -1};
    const int* cgroup_files = nullptr;
    size_t cgroup_file_count = 0;
    const char* cwd = nullptr;
    const rlimit* cpu_limit = nullptr;
    bool no_core = false;
    int report_fd = -1;
    pid_t parent = 0;
};

// The child shares greenlight's memory until it execs (CLONE_VM | CLONE_VFORK, as posix_spawn does: no page
// tables copied, no copy-on-write faults), so it makes raw system calls only: no libc state, no sanitizer
// interceptor, nothing of greenlight's changed. Its errors are returned, not read from errno.
long raw(long number, long a = 0, long b = 0, long c = 0, long d = 0) {
    return ::syscall(number, a, b, c, d);
}

struct KernelSignalAction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    unsigned long mask;
};

[[noreturn]] GREENLIGHT_NO_SANITIZE_ADDRESS void fail_in_child(int report_fd, ChildStage stage, long result) {
    ChildFailure failure{stage, result == -1 ? errno : static_cast<int>(-result)};
    raw(SYS_write, report_fd, reinterpret_cast<long>(&failure), sizeof failure);
    raw(SYS_exit, 127);
    __builtin_unreachable();
}

[[noreturn]] GREENLIGHT_NO_SANITIZE_ADDRESS void become_command(const ChildPlan& plan) {
    long result = 0;
    // Signals were blocked around the clone: handlers of greenlight's must never run in here. Every signal
    // gets its default action before any is let through (an ignored SIGPIPE would survive exec).
    const KernelSignalAction default_action{SIG_DFL, 0, nullptr, 0};
    for (long signal_number = 1; signal_number < NSIG; ++signal_number) {
        if (signal_number == SIGKILL || signal_number == SIGSTOP) continue;
        raw(SYS_rt_sigaction, signal_number, reinterpret_cast<long>(&default_action), 0, sizeof(unsigned long));
    }
    // Into the cgroup first: whatever the command starts from its first instruction on belongs to it. The
    // first file is the v2 cgroup, which contains; the v1 ones only count, so failing them costs a figure.
    for (size_t i = 0; i < plan.cgroup_file_count; ++i) {
        if ((result = raw(SYS_write, plan.cgroup_files[i], reinterpret_cast<long>("0"), 1)) != 1 && i == 0) {
            fail_in_child(plan.report_fd, ChildStage::cgroup, result);
        }
    }
    // A session of its own makes the command a process group leader with no terminal of greenlight's.
    if ((result = raw(SYS_setsid)) < 0) fail_in_child(plan.report_fd, ChildStage::session, result);
    // Greenlight killed outright takes the leader with it at once (the guardian takes the rest).
    raw(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
    if (raw(SYS_getppid) != plan.parent) raw(SYS_exit, 127);
    if (plan.no_core) {
        const rlimit no_core{0, 0};
        if ((result = raw(SYS_setrlimit, RLIMIT_CORE, reinterpret_cast<long>(&no_core))) != 0) {
            fail_in_child(plan.report_fd, ChildStage::limits, result);
        }
    }
    if (plan.cpu_limit && (result = raw(SYS_setrlimit, RLIMIT_CPU, reinterpret_cast<long>(plan.cpu_limit))) != 0) {
        fail_in_child(plan.report_fd, ChildStage::limits, result);
    }
    for (long target = 0; target < 3; ++target) {
        if ((result = raw(SYS_dup3, plan.streams[target], target, 0)) < 0) {
            fail_in_child(plan.report_fd, ChildStage::streams, result);
        }
    }
    // Nothing of greenlight's (its database, sockets, other suites' files) leaks into the command; the report
    // pipe closes at exec.
    raw(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
    if (plan.cwd && (result = raw(SYS_chdir, reinterpret_cast<long>(plan.cwd))) != 0) {
        fail_in_child(plan.report_fd, ChildStage::working_directory, result);
    }
    const sigset_t none{};
    raw(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, sizeof(unsigned long));
    result = raw(SYS_execve, reinterpret_cast<long>(plan.executable), reinterpret_cast<long>(plan.argv),
                 reinterpret_cast<long>(plan.envp));
    fail_in_child(plan.report_fd, ChildStage::exec, result);
}

GREENLIGHT_NO_SANITIZE_ADDRESS int child_entry(void* plan) {
    become_command(*static_cast<const ChildPlan*>(plan));
}

// Writing to a command that stopped reading raises SIGPIPE; a library must not change the process's signal
// handling, so the signal is blocked in this thread while input is fed and a pending one is consumed.
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

// One captured stream: read until its end, keeping at most `limit` bytes.
struct CaptureStream {
    Descriptor fd;
    std::string* into = nullptr;
    size_t limit = 0;
    bool* truncated = nullptr;

    bool open() const { return fd.get() >= 0; }
    void read_available() {
        char buffer[65536];
        while (open()) {
            ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
            if (got > 0) {
                size_t room = into->size() < limit ? limit - into->size() : 0;
                if (static_cast<size_t>(got) > room) *truncated = true;
                into->append(buffer, std::min(static_cast<size_t>(got), room));
                continue;
            }
            if (got < 0 && errno == EINTR) continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            fd.reset();  // end of stream (or an error, which ends it too)
        }
    }
};

std::string describe_stage(const ChildFailure& failure, const std::string& executable, const std::string& cwd) {
    const char* reason = std::strerror(failure.error);
    switch (failure.stage) {
        case ChildStage::cgroup:
            return fmt::format("cannot join the command's cgroup: {}", reason);
        case ChildStage::session:
            return fmt::format("cannot start a session for the command: {}", reason);
        case ChildStage::limits:
            return fmt::format("cannot set the command's resource limits: {}", reason);
        case ChildStage::streams:
            return fmt::format("cannot connect the command's standard streams: {}", reason);
        case ChildStage::working_directory:
            return fmt::format("cannot change to the folder {}: {}", cwd, reason);
        case ChildStage::exec:
            if (failure.error == ENOENT)
                return fmt::format("cannot run {}: command not found (no such file)", executable);
            return fmt::format("cannot run {}: {}", executable, reason);
    }
    return reason;
}

// CPU used so far by a process and its reaped children (from /proc/<pid>/stat).
std::optional<microseconds> leader_cpu_so_far(int pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buffer[1024];
    ssize_t got = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (got <= 0) return std::nullopt;
    buffer[got] = '\0';
    const char* fields = std::strrchr(buffer, ')');
    unsigned long user = 0, system = 0;
    long children_user = 0, children_system = 0;
    if (!fields || std::sscanf(fields + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld", &user,
                               &system, &children_user, &children_system) != 4) {
        return std::nullopt;
    }
    static const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
    if (ticks_per_second <= 0) return std::nullopt;
    const auto ticks = static_cast<long long>(user + system) + children_user + children_system;
    return microseconds{ticks * 1'000'000 / ticks_per_second};
}

microseconds to_microseconds(const timeval& time) {
    return std::chrono::seconds{time.tv_sec} + microseconds{time.tv_usec};
}

class Supervision {
public:
    explicit Supervision(const Request& request) : m_request(request), m_containment(Containment::instance()) {}
    Outcome run();

private:
    bool start();
    void not_started(std::string message, int error) {
        m_outcome.end = End::not_started;
        m_outcome.start_error = std::move(message);
        m_outcome.start_errno = error;
    }
    // Polls the leader's exit, the wake descriptor and the pipes for up to `wait`; true once the leader ended.
    bool pump(Milliseconds wait);
    bool leader_ended();
    void wait_for_leader();
    // TERM to everything of the command, the grace period, then KILL; `how` is recorded as the end.
    void stop_command(End how);
    bool command_gone();
    void reap_leader();
    void stop_leftovers();
    std::vector<int> leftovers_in_cgroup();
    std::vector<int> leftovers_in_process_tree();
    void drain_pipes(Milliseconds limit);
    void check_cpu_limit();

    const Request& m_request;
    Containment& m_containment;
    Outcome m_outcome;
    std::optional<Cgroup> m_cgroup;
    pid_t m_pid = -1;
    std::uint64_t m_leader_start_ticks = 0;
    Descriptor m_pidfd;
    Descriptor m_input;
    size_t m_input_written = 0;
    CaptureStream m_output_capture;
    CaptureStream m_error_capture;
    SteadyClock::time_point m_started;
    bool m_leader_reaped = false;
    bool m_stopped = false;
    bool m_killed_for_cpu = false;
    rusage m_usage{};
    int m_status = 0;
};

bool Supervision::start() {
    const Request& request = m_request;
    if (request.argv.empty() || request.argv.front().empty()) {
        not_started("empty command", EINVAL);
        return false;
    }
    std::vector<std::string> environment = request.environment;
    if (request.inherit_environment) {
        // greenlight's own environment, but for the names the request sets.
        for (char** entry = environ; entry && *entry; ++entry) {
            std::string_view variable(*entry);
            std::string_view name = variable.substr(0, variable.find('=') + 1);
            const bool overridden = std::any_of(request.environment.begin(), request.environment.end(),
                                                [&](const std::string& set) { return set.rfind(name, 0) == 0; });
            if (!overridden) environment.emplace_back(variable);
        }
    }
    if (!request.environment_marker.empty()) environment.push_back(request.environment_marker);
    const std::string executable = request.executable.empty()
                                       ? find_executable(request.argv.front(), environment, request.cwd)
                                       : request.executable;
    if (executable.empty()) {
        not_started(fmt::format("command not found: `{}` (searched the command's PATH)", request.argv.front()), ENOENT);
        return false;
    }

    // Standard input.
    Descriptor input;
    if (request.input_text) {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            not_started(fmt::format("cannot make a pipe: {}", std::strerror(errno)), errno);
            return false;
        }
        input = above_standard(ends[0]);
        ::close(ends[0]);
        m_input.reset(ends[1]);
        ::fcntl(m_input.get(), F_SETFL, O_NONBLOCK);
    } else {
        const std::string path = request.input_file.empty() ? "/dev/null" : request.input_file.string();
        input = open_above_standard(path.c_str(), O_RDONLY);
        if (input.get() < 0) {
            not_started(fmt::format("cannot open {}: {}", path, std::strerror(errno)), errno);
            return false;
        }
    }
    // Standard output and error.
    auto open_sink = [&](Sink sink, int fd, std::string* into, CaptureStream& capture) -> Descriptor {
        switch (sink) {
            case Sink::discard:
                return open_above_standard("/dev/null", O_WRONLY);
            case Sink::descriptor:
                return above_standard(fd);
            case Sink::capture: {
                int ends[2];
                if (::pipe2(ends, O_CLOEXEC) != 0) return Descriptor();
                Descriptor child_end = above_standard(ends[1]);
                ::close(ends[1]);
                ::fcntl(ends[0], F_SETFL, O_NONBLOCK);
                capture.fd.reset(ends[0]);
                capture.into = into;
                capture.limit = request.capture_limit;
                capture.truncated = &m_outcome.capture_truncated;
                return child_end;
            }
            case Sink::to_output:
                return Descriptor();
        }
        return Descriptor();
    };
    Descriptor output = open_sink(request.output, request.output_fd, &m_outcome.output_text, m_output_capture);
    Descriptor error = request.error == Sink::to_output
                           ? above_standard(output.get())
                           : open_sink(request.error, request.error_fd, &m_outcome.error_text, m_error_capture);
    if (output.get() < 0 || error.get() < 0) {
        not_started(fmt::format("cannot set up the command's output: {}", std::strerror(errno)), errno);
        return false;
    }

    if (m_containment.mode() == ContainmentMode::cgroup) {
        // A cgroup that cannot be made costs this command the cgroup, not its run.
        if (auto made = m_containment.make_command_cgroup(request.label)) {
            m_cgroup = std::move(*made);
            m_outcome.containment = ContainmentMode::cgroup;
        }
    }

    std::vector<char*> argv;
    for (const auto& argument : request.argv) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& variable : environment) envp.push_back(const_cast<char*>(variable.c_str()));
    envp.push_back(nullptr);
    // RLIMIT_CPU counts whole seconds per process: SIGXCPU at the soft limit, SIGKILL at the hard one.
    rlimit cpu_limit{};
    if (request.cpu_limit) {
        auto seconds = std::max(std::chrono::seconds{1}, std::chrono::ceil<std::chrono::seconds>(*request.cpu_limit));
        cpu_limit.rlim_cur = static_cast<rlim_t>(seconds.count());
        cpu_limit.rlim_max = cpu_limit.rlim_cur + 1;
    }
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        not_started(fmt::format("cannot make a pipe: {}", std::strerror(errno)), errno);
        return false;
    }
    Descriptor report_read(report[0]);
    Descriptor report_write(report[1]);
    const std::string cwd = request.cwd.string();

    ChildPlan plan;
    plan.executable = executable.c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.streams[0] = input.get();
    plan.streams[1] = output.get();
    plan.streams[2] = error.get();
    if (m_cgroup) {
        plan.cgroup_files = m_cgroup->membership_files().data();
        plan.cgroup_file_count = m_cgroup->membership_files().size();
    }
    plan.cwd = cwd.empty() ? nullptr : cwd.c_str();
    plan.cpu_limit = request.cpu_limit ? &cpu_limit : nullptr;
    plan.no_core = request.core_dumps == CoreDumps::off;
    plan.report_fd = report_write.get();
    plan.parent = ::getpid();
    std::vector<char> child_stack(k_child_stack_bytes);

    {
        auto spawn_lock = m_containment.lock_for_spawn();
        m_started = SteadyClock::now();
        // All signals blocked around the clone (see become_command); the child's stack is ours until it execs.
        sigset_t all;
        sigset_t previous;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &previous);
        m_pid = ::clone(child_entry, child_stack.data() + child_stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
        const int clone_error = errno;
        pthread_sigmask(SIG_SETMASK, &previous, nullptr);
        errno = clone_error;
        if (m_pid < 0) {
            not_started(fmt::format("cannot fork: {}", std::strerror(errno)), errno);
            if (m_cgroup) m_cgroup->remove();
            return false;
        }
        m_containment.add_leader_locked(m_pid);
    }
    report_write.reset();
    input.reset();
    output.reset();
    error.reset();

    ChildFailure failure;
    char* into = reinterpret_cast<char*>(&failure);
    size_t have = 0;
    while (have < sizeof failure) {
        ssize_t got = ::read(report_read.get(), into + have, sizeof failure - have);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        have += static_cast<size_t>(got);
    }
    if (have == sizeof failure) {
        ::waitpid(m_pid, nullptr, 0);
        m_containment.remove_leader(m_pid);
        if (m_cgroup) m_cgroup->remove();
        not_started(describe_stage(failure, executable, cwd), failure.error);
        return false;
    }
    if (auto status = read_process_status(m_pid)) m_leader_start_ticks = status->start_ticks;
    m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0)));
    return true;
}

bool Supervision::leader_ended() {
    if (m_leader_reaped) return true;
    siginfo_t info{};
    // WNOWAIT keeps the zombie: while it exists its pid (the group id) cannot be reused.
    return ::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == m_pid;
}

bool Supervision::pump(Milliseconds wait) {
    if (leader_ended()) return true;
    // The pidfd and the wake descriptor only end the wait; the pipes are serviced.
    pollfd fds[5];
    nfds_t count = 0;
    int output_index = -1, error_index = -1, input_index = -1;
    if (m_pidfd.get() >= 0) fds[count++] = {m_pidfd.get(), POLLIN, 0};
    if (m_request.wake_fd >= 0) fds[count++] = {m_request.wake_fd, POLLIN, 0};
    if (m_output_capture.open()) fds[output_index = static_cast<int>(count++)] = {m_output_capture.fd.get(), POLLIN, 0};
    if (m_error_capture.open()) fds[error_index = static_cast<int>(count++)] = {m_error_capture.fd.get(), POLLIN, 0};
    if (m_input.get() >= 0) fds[input_index = static_cast<int>(count++)] = {m_input.get(), POLLOUT, 0};
    int timeout = static_cast<int>(std::max<std::int64_t>(0, wait.count()));
    if (m_pidfd.get() < 0) timeout = std::min(timeout, 10);
    if (::poll(fds, count, timeout) > 0) {
        if (output_index >= 0 && fds[output_index].revents) m_output_capture.read_available();
        if (error_index >= 0 && fds[error_index].revents) m_error_capture.read_available();
        if (input_index >= 0 && fds[input_index].revents) {
            SigpipeBlocked blocked;
            const std::string& text = *m_request.input_text;
            while (m_input_written < text.size()) {
                ssize_t written = ::write(m_input.get(), text.data() + m_input_written, text.size() - m_input_written);
                if (written > 0) {
                    m_input_written += static_cast<size_t>(written);
                    continue;
                }
                if (written < 0 && errno == EINTR) continue;
                if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                m_input_written = text.size();  // the command stopped reading: the rest is not wanted
            }
            if (m_input_written >= text.size()) m_input.reset();
        }
    }
    return leader_ended();
}

void Supervision::check_cpu_limit() {
    if (!m_request.cpu_limit || m_killed_for_cpu) return;
    std::optional<microseconds> used;
    if (m_cgroup)
        used = m_cgroup->usage().cpu_time;
    else
        used = leader_cpu_so_far(m_pid);
    if (used && *used > *m_request.cpu_limit) {
        m_killed_for_cpu = true;
        if (m_cgroup) m_cgroup->kill();
        ::kill(-m_pid, SIGKILL);
    }
}

void Supervision::wait_for_leader() {
    const bool has_deadline = m_request.timeout.count() > 0;
    const auto deadline = m_started + m_request.timeout;
    if (m_input.get() >= 0 && m_request.input_text && m_request.input_text->empty()) m_input.reset();
    while (true) {
        Milliseconds wait = m_request.poll_interval;
        if (has_deadline) {
            auto remaining = std::chrono::ceil<Milliseconds>(deadline - SteadyClock::now());
            if (remaining.count() <= 0) {
                stop_command(End::timed_out);
                return;
            }
            wait = std::min(wait, remaining);
        }
        bool ended = pump(wait);
        if (m_request.on_tick) m_request.on_tick();
        if (ended) return;
        check_cpu_limit();
        if (m_request.should_stop && m_request.should_stop()) {
            stop_command(End::stopped);
            return;
        }
    }
}

bool Supervision::command_gone() {
    if (!leader_ended()) return false;
    if (m_cgroup) return !m_cgroup->populated();
    // The leader is a zombie still, so the group id is still the command's.
    for (const auto& process : list_processes()) {
        if (process.group == m_pid && process.pid != m_pid && !process.is_gone()) return false;
    }
    return true;
}

void Supervision::stop_command(End how) {
    m_stopped = true;
    m_outcome.end = how;
    m_outcome.signals_sent = true;
    if (m_request.grace.count() > 0) {
        if (m_cgroup) m_cgroup->signal_members(SIGTERM);
        ::kill(-m_pid, SIGTERM);
        const auto grace_end = SteadyClock::now() + m_request.grace;
        while (SteadyClock::now() < grace_end) {
            pump(Milliseconds(20));
            if (command_gone()) break;
        }
    }
    if (m_cgroup) m_cgroup->kill();
    if (!m_leader_reaped) ::kill(-m_pid, SIGKILL);  // the zombie leader still holds the group id
}

void Supervision::reap_leader() {
    if (m_leader_reaped) return;
    while (::wait4(m_pid, &m_status, 0, &m_usage) < 0 && errno == EINTR) {
    }
    m_leader_reaped = true;
    m_outcome.duration = std::chrono::duration_cast<Milliseconds>(SteadyClock::now() - m_started);
}

std::vector<int> Supervision::leftovers_in_cgroup() {
    // A process that already ended (a zombie whose parent has not reaped it yet) is no leftover.
    std::vector<int> alive;
    for (int pid : m_cgroup->members()) {
        auto status = read_process_status(pid);
        if (status && !status->is_gone()) alive.push_back(pid);
    }
    return alive;
}

// Without a cgroup: whatever is left of the command is in its group or session, or was orphaned and handed to
// greenlight (the subreaper), or descends from one of those. Exact with one command at a time; with several, an
// orphan that left its group is charged to the command that started before it and ends first.
std::vector<int> Supervision::leftovers_in_process_tree() {
    // No fork may happen while the tree is read: a command's leader between fork and registration would look
    // like an orphan of this one.
    auto spawn_lock = m_containment.lock_for_spawn();
    const int self = ::getpid();
    const std::set<int> leaders = m_containment.leaders();
    // Fast path: nothing in the group and no unknown child of greenlight means nothing is left.
    if (::kill(-m_pid, 0) != 0) {
        bool unknown_child = false;
        for (int child : own_children()) unknown_child = unknown_child || !m_containment.is_known_child(child);
        if (!unknown_child) return {};
    }
    const auto processes = list_processes();
    std::multimap<int, int> children;
    std::map<int, const ProcessStatus*> by_pid;
    for (const auto& process : processes) {
        children.emplace(process.parent, process.pid);
        by_pid[process.pid] = &process;
    }
    auto belongs_to_other_command = [&](const ProcessStatus& process) {
        for (int leader : leaders) {
            if (leader != m_pid && (process.group == leader || process.session == leader)) return true;
        }
        return false;
    };
    const std::string marker_name = m_request.environment_marker.substr(0, m_request.environment_marker.find('=') + 1);
    std::vector<int> roots;
    for (const auto& process : processes) {
        if (process.pid == self || process.pid == m_pid || process.is_gone()) continue;
        if (m_containment.is_known_child(process.pid)) continue;
        const bool in_group = process.group == m_pid || process.session == m_pid;
        const bool started_since = process.start_ticks >= m_leader_start_ticks;
        const bool marked =
            !marker_name.empty() && started_since && environment_has(process.pid, m_request.environment_marker);
        // An orphan that carries another command's marker is that command's, however they overlap in time.
        const bool marked_for_another =
            !marker_name.empty() && !marked && started_since && environment_has_name(process.pid, marker_name);
        const bool orphan_of_ours =
            process.parent == self && started_since && !belongs_to_other_command(process) && !marked_for_another;
        if (in_group || orphan_of_ours || marked) roots.push_back(process.pid);
    }
    std::set<int> found;
    std::vector<int> pending = roots;
    while (!pending.empty()) {
        int pid = pending.back();
        pending.pop_back();
        if (!found.insert(pid).second) continue;
        auto range = children.equal_range(pid);
        for (auto it = range.first; it != range.second; ++it) {
            auto status = by_pid.find(it->second);
            if (status != by_pid.end() && !status->second->is_gone()) pending.push_back(it->second);
        }
    }
    return {found.begin(), found.end()};
}

void Supervision::stop_leftovers() {
    // Rounds until nothing is found: a chain of shells may reveal a new member per round. Bounded in time.
    const auto give_up = SteadyClock::now() + std::max(Milliseconds(5000), 2 * m_request.grace);
    while (SteadyClock::now() < give_up) {
        std::vector<int> alive = m_cgroup ? leftovers_in_cgroup() : leftovers_in_process_tree();
        if (alive.empty()) return;
        for (int pid : alive) {
            if (std::none_of(m_outcome.leftovers.begin(), m_outcome.leftovers.end(),
                             [&](const Leftover& leftover) { return leftover.pid == pid; })) {
                std::string command = process_command_line(pid);
                // A process that was ending as it was listed (a shell's fork on its way out) left nothing.
                auto status = read_process_status(pid);
                if (command.empty() && (!status || status->is_gone())) continue;
                m_outcome.leftovers.push_back({pid, std::move(command)});
            }
        }
        m_outcome.signals_sent = true;
        // TERM first: a database a suite left gets to shut down cleanly. Each by pid: the group id may belong to
        // someone else by now.
        for (int pid : alive) ::kill(pid, SIGTERM);
        const auto grace_end = SteadyClock::now() + std::min(m_request.grace, Milliseconds(2000));
        while (SteadyClock::now() < grace_end) {
            pump(Milliseconds(10));
            m_containment.reap_strays();
            if (m_cgroup ? !m_cgroup->populated() : std::none_of(alive.begin(), alive.end(), [](int pid) {
                    auto status = read_process_status(pid);
                    return status && !status->is_gone();
                })) {
                break;
            }
        }
        if (m_cgroup) {
            m_cgroup->kill();
            m_cgroup->wait_until_empty(Milliseconds(2000));
        } else {
            for (int pid : alive) ::kill(pid, SIGKILL);
            std::this_thread::sleep_for(Milliseconds(2));
        }
        m_containment.reap_strays();
    }
}

void Supervision::drain_pipes(Milliseconds limit) {
    const auto give_up = SteadyClock::now() + limit;
    while ((m_output_capture.open() || m_error_capture.open()) && SteadyClock::now() < give_up) {
        pollfd fds[2];
        nfds_t count = 0;
        if (m_output_capture.open()) fds[count++] = {m_output_capture.fd.get(), POLLIN, 0};
        if (m_error_capture.open()) fds[count++] = {m_error_capture.fd.get(), POLLIN, 0};
        ::poll(fds, count, 20);
        m_output_capture.read_available();
        m_error_capture.read_available();
    }
    m_output_capture.fd.reset();
    m_error_capture.fd.reset();
}

Outcome Supervision::run() {
    if (!start()) return m_outcome;
    wait_for_leader();
    reap_leader();
    m_containment.remove_leader(m_pid);
    stop_leftovers();
    m_input.reset();
    drain_pipes(Milliseconds(2000));
    m_containment.reap_strays();

    if (!m_stopped) m_outcome.end = WIFEXITED(m_status) ? End::exited : End::signaled;
    if (WIFEXITED(m_status))
        m_outcome.exit_code = WEXITSTATUS(m_status);
    else if (WIFSIGNALED(m_status))
        m_outcome.signal = WTERMSIG(m_status);
    const microseconds leader_cpu = to_microseconds(m_usage.ru_utime) + to_microseconds(m_usage.ru_stime);
    if (m_cgroup) {
        CgroupUsage usage = m_cgroup->usage();
        m_outcome.resources = {usage.peak_memory_bytes, usage.cpu_time, usage.peak_tasks};
        m_cgroup->remove();
    } else {
        m_outcome.resources.cpu_time = leader_cpu;
    }
    if (m_request.cpu_limit && m_outcome.end != End::stopped && m_outcome.end != End::timed_out) {
        const microseconds used = m_outcome.resources.cpu_time.value_or(leader_cpu);
        const auto soft =
            std::max(std::chrono::seconds{1}, std::chrono::ceil<std::chrono::seconds>(*m_request.cpu_limit));
        const bool signaled = m_outcome.end == End::signaled;
        m_outcome.cpu_limit_exceeded = m_killed_for_cpu || (signaled && m_outcome.signal == SIGXCPU) ||
                                       (signaled && m_outcome.signal == SIGKILL && used >= soft) ||
                                       used > *m_request.cpu_limit;
    }
    return m_outcome;
}

}  // namespace

Outcome run(const Request& request) {
    Supervision supervision(request);
    return supervision.run();
}

std::string find_executable(const std::string& name, const std::vector<std::string>& environment,
                            const std::filesystem::path& cwd) {
    if (name.empty()) return {};
    if (name.find('/') != std::string::npos) return name;
    std::string path_value = "/usr/local/bin:/usr/bin:/bin";
    for (const auto& variable : environment) {
        if (variable.rfind("PATH=", 0) == 0) path_value = variable.substr(5);
    }
    size_t start = 0;
    while (start <= path_value.size()) {
        size_t end = path_value.find(':', start);
        if (end == std::string::npos) end = path_value.size();
        std::filesystem::path directory = path_value.substr(start, end - start);
        if (directory.empty()) directory = ".";
        if (directory.is_relative()) {
            std::error_code ignored;
            directory = (cwd.empty() ? std::filesystem::current_path(ignored) : cwd) / directory;
        }
        std::filesystem::path candidate = directory / name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        start = end + 1;
    }
    return {};
}

pid_t fork_internal_child(void (*entry)(void* context), void* context) {
    pid_t pid = ::fork();
    if (pid == 0) {
        entry(context);
        ::_exit(0);
    }
    return pid;
}

}  // namespace greenlight::process
