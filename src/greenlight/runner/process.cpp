#include "greenlight/runner/process.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <thread>

#include "greenlight/runner/interrupt.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::runner {

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::uint64_t k_block = 4096;
// How often the output file is checked against its cap while the command runs.
constexpr Milliseconds k_output_check_interval{100};
// When holes cannot be punched, the file is truncated only once it is this far past the cap,
// so the tail that follows the cut is almost always complete.
constexpr std::uint64_t k_truncate_slack = 64ull << 20;

std::uint64_t align_down(std::uint64_t value) { return value / k_block * k_block; }
std::uint64_t align_up(std::uint64_t value) { return (value + k_block - 1) / k_block * k_block; }

// Keeps the raw output file from growing past its cap while the command writes to it: the
// middle is punched out (the file stays sparse); head and tail stay in place for finish_output_log.
class OutputLimiter {
public:
    OutputLimiter(int fd, std::uint64_t cap) : m_fd(fd), m_head(cap / 2), m_tail(cap - cap / 2) {
        m_punched_until = align_up(m_head);
    }

    void enforce() {
        struct stat info {};
        if (::fstat(m_fd, &info) != 0) return;
        auto size = static_cast<std::uint64_t>(info.st_size);
        if (size <= m_head + m_tail + 2 * k_block) return;
        std::uint64_t end = align_down(size - m_tail);
        if (end <= m_punched_until) return;
        if (m_can_punch) {
            if (::fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(m_punched_until),
                            static_cast<off_t>(end - m_punched_until)) == 0) {
                m_punched_until = end;
                return;
            }
            m_can_punch = false;
        }
        if (size > m_head + m_tail + k_truncate_slack) {
            if (::ftruncate(m_fd, static_cast<off_t>(m_head)) == 0) m_truncated_bytes += size - m_head;
        }
    }

    // Bytes the command wrote, including what a fallback truncation dropped.
    std::uint64_t total_written() const {
        struct stat info {};
        if (::fstat(m_fd, &info) != 0) return m_truncated_bytes;
        return static_cast<std::uint64_t>(info.st_size) + m_truncated_bytes;
    }

private:
    int m_fd;
    std::uint64_t m_head;
    std::uint64_t m_tail;
    std::uint64_t m_punched_until = 0;
    std::uint64_t m_truncated_bytes = 0;
    bool m_can_punch = true;
};

struct ProcStat {
    int pid = 0;
    char state = '?';
    int parent = 0;
    int group = 0;
    int session = 0;
};

std::optional<ProcStat> read_proc_stat(int pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buffer[512];
    ssize_t got = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (got <= 0) return std::nullopt;
    buffer[got] = '\0';
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    char* close_paren = std::strrchr(buffer, ')');
    if (!close_paren) return std::nullopt;
    ProcStat stat;
    stat.pid = pid;
    if (std::sscanf(close_paren + 1, " %c %d %d %d", &stat.state, &stat.parent, &stat.group, &stat.session) != 4) {
        return std::nullopt;
    }
    return stat;
}

std::string read_proc_file(int pid, const char* name) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string content;
    char buffer[4096];
    ssize_t got;
    while ((got = ::read(fd, buffer, sizeof buffer)) > 0 && content.size() < (1u << 20)) {
        content.append(buffer, static_cast<size_t>(got));
    }
    ::close(fd);
    return content;
}

std::string proc_command_line(int pid) {
    std::string command = read_proc_file(pid, "cmdline");
    while (!command.empty() && command.back() == '\0') command.pop_back();
    std::replace(command.begin(), command.end(), '\0', ' ');
    if (command.size() > 200) command = command.substr(0, 200) + "...";
    return command;
}

bool environ_has(int pid, const std::string& marker) {
    if (marker.empty()) return false;
    // environ is "NAME=value\0NAME=value\0...": look for the whole entry.
    std::string entries = std::string(1, '\0') + read_proc_file(pid, "environ");
    std::string needle = std::string(1, '\0') + marker + std::string(1, '\0');
    return entries.find(needle) != std::string::npos;
}

// Every live process that belongs to the supervised command: its process group, its session, or
// anything that carries the attempt's marker in its environment (which every descendant inherits
// unless it scrubs its environment). Reads /proc once per process; only used when something is left.
std::vector<int> find_descendants(int group, const std::string& marker) {
    std::vector<int> found;
    DIR* proc = ::opendir("/proc");
    if (!proc) return found;
    const int self = ::getpid();
    while (dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        int pid = std::atoi(entry->d_name);
        if (pid == self) continue;
        auto stat = read_proc_stat(pid);
        if (!stat || stat->state == 'Z' || stat->state == 'X') continue;
        if (stat->group == group || stat->session == group || environ_has(pid, marker)) found.push_back(pid);
    }
    ::closedir(proc);
    return found;
}

// Suite leaders currently supervised, by any thread: children of greenlight that are expected.
class ActiveLeaders {
public:
    void add(int pid) {
        std::lock_guard lock(m_mutex);
        m_pids.insert(pid);
    }
    void remove(int pid) {
        std::lock_guard lock(m_mutex);
        m_pids.erase(pid);
    }
    bool contains(int pid) {
        std::lock_guard lock(m_mutex);
        return m_pids.count(pid) > 0;
    }

private:
    std::mutex m_mutex;
    std::set<int> m_pids;
};

ActiveLeaders g_active_leaders;

// Whether anything of the command may still be alive. Exact when the kernel lists children: whatever
// left the group either still has a parent in it, or was orphaned and handed to greenlight (the
// subreaper), where it shows up as a child that is no suite's leader. Saves a /proc scan per suite.
bool may_have_leftovers(int group, const std::string& marker) {
    if (::kill(-group, 0) == 0) return true;
    DIR* tasks = ::opendir("/proc/self/task");
    if (!tasks) return true;
    bool unknown_child = false;
    bool readable = false;
    while (dirent* task = ::readdir(tasks)) {
        if (task->d_name[0] < '0' || task->d_name[0] > '9') continue;
        std::string path = std::string("/proc/self/task/") + task->d_name + "/children";
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        readable = true;
        std::string content;
        char buffer[1024];
        ssize_t got;
        while ((got = ::read(fd, buffer, sizeof buffer)) > 0) content.append(buffer, static_cast<size_t>(got));
        ::close(fd);
        size_t start = 0;
        while (start < content.size()) {
            size_t end = content.find(' ', start);
            if (end == std::string::npos) end = content.size();
            int child = std::atoi(content.c_str() + start);
            // Another thread's leader may be between spawn and registration: only a child that belongs
            // to this command (its session or group, or its marker) counts.
            if (child > 0 && !unknown_child && !g_active_leaders.contains(child)) {
                auto stat = read_proc_stat(child);
                unknown_child = !stat || stat->group == group || stat->session == group || environ_has(child, marker);
            }
            start = end + 1;
        }
    }
    ::closedir(tasks);
    return !readable || unknown_child;
}

int open_pidfd(int pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

class Supervision {
public:
    Supervision(const SpawnRequest& request) : m_request(request) {}

    ProcessExit run();

private:
    bool spawn(int output_fd);
    // Waits until the leader exits, the deadline passes or greenlight is interrupted.
    void wait_for_leader(OutputLimiter& limiter);
    bool poll_leader(Milliseconds wait);
    void record_leader_status(const siginfo_t& info);
    void record_leader_status(int wait_status);
    // Reaps zombies greenlight inherited as subreaper from the group (the leader among them, whose
    // status is then recorded here), and the listed pids.
    void reap(const std::vector<int>& pids);
    void stop_group();
    void stop_leftovers();

    const SpawnRequest& m_request;
    ProcessExit m_exit;
    int m_pid = -1;
    int m_pidfd = -1;
    bool m_leader_reaped = false;
    SteadyClock::time_point m_started;
};

bool Supervision::spawn(int output_fd) {
    std::string executable = resolve_executable(m_request.argv.front(), m_request.environment, m_request.cwd);
    if (executable.empty()) {
        m_exit.termination = Termination::failed_to_start;
        m_exit.start_error = fmt::format("command not found: `{}` (searched the suite's PATH)", m_request.argv.front());
        return false;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawn_file_actions_addchdir_np(&actions, m_request.cwd.c_str());

    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t empty_mask;
    sigset_t changed_signals;
    sigemptyset(&empty_mask);
    // Only the signals greenlight itself handles or ignores need resetting: handlers do not survive
    // exec anyway, but an ignored SIGPIPE would. Fewer resets keep the spawn short.
    sigemptyset(&changed_signals);
    sigaddset(&changed_signals, SIGINT);
    sigaddset(&changed_signals, SIGTERM);
    sigaddset(&changed_signals, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &empty_mask);
    posix_spawnattr_setsigdefault(&attributes, &changed_signals);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    std::vector<char*> argv;
    for (const auto& argument : m_request.argv) argv.push_back(const_cast<char*>(argument.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& variable : m_request.environment) envp.push_back(const_cast<char*>(variable.c_str()));
    envp.push_back(nullptr);

    m_started = SteadyClock::now();
    int error = ::posix_spawn(&m_pid, executable.c_str(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        m_exit.termination = Termination::failed_to_start;
        m_exit.start_error = fmt::format("cannot run `{}` in {}: {}", executable, m_request.cwd.string(),
                                         std::strerror(error));
        return false;
    }
    g_active_leaders.add(m_pid);
    m_pidfd = open_pidfd(m_pid);
    return true;
}

void Supervision::record_leader_status(const siginfo_t& info) {
    m_leader_reaped = true;
    m_exit.duration = std::chrono::duration_cast<Milliseconds>(SteadyClock::now() - m_started);
    if (info.si_code == CLD_EXITED) {
        m_exit.termination = Termination::exited;
        m_exit.exit_code = info.si_status;
    } else {
        m_exit.termination = Termination::signaled;
        m_exit.signal = info.si_status;
    }
}

void Supervision::record_leader_status(int wait_status) {
    siginfo_t info{};
    info.si_pid = m_pid;
    if (WIFEXITED(wait_status)) {
        info.si_code = CLD_EXITED;
        info.si_status = WEXITSTATUS(wait_status);
    } else {
        info.si_code = CLD_KILLED;
        info.si_status = WTERMSIG(wait_status);
    }
    record_leader_status(info);
}

void Supervision::reap(const std::vector<int>& pids) {
    int status = 0;
    int pid;
    while ((pid = ::waitpid(-m_pid, &status, WNOHANG)) > 0) {
        if (pid == m_pid && !m_leader_reaped) record_leader_status(status);
    }
    for (int listed : pids) ::waitpid(listed, nullptr, WNOHANG);
}

bool Supervision::poll_leader(Milliseconds wait) {
    if (m_leader_reaped) return true;
    if (m_pidfd >= 0) {
        pollfd fds[2] = {{m_pidfd, POLLIN, 0}, {interrupt_fd(), POLLIN, 0}};
        ::poll(fds, 2, static_cast<int>(std::max<std::int64_t>(0, wait.count())));
    } else {
        std::this_thread::sleep_for(std::min(wait, Milliseconds(10)));
    }
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED | WNOHANG) == 0 && info.si_pid == m_pid) {
        record_leader_status(info);
        return true;
    }
    return false;
}

void Supervision::wait_for_leader(OutputLimiter& limiter) {
    const auto deadline = m_started + m_request.timeout;
    while (true) {
        auto remaining = std::chrono::ceil<Milliseconds>(deadline - SteadyClock::now());
        if (remaining.count() <= 0) {
            stop_group();
            m_exit.termination = Termination::timed_out;
            return;
        }
        bool ended = poll_leader(std::min(remaining, k_output_check_interval));
        limiter.enforce();
        if (ended) return;
        if (interrupted()) {
            stop_group();
            m_exit.termination = Termination::interrupted;
            return;
        }
    }
}

void Supervision::stop_group() {
    m_exit.signals_sent = true;
    ::kill(-m_pid, SIGTERM);
    const auto grace_end = SteadyClock::now() + m_request.grace;
    bool group_gone = false;
    while (!group_gone && SteadyClock::now() < grace_end) {
        poll_leader(Milliseconds(20));
        reap({});
        group_gone = m_leader_reaped && ::kill(-m_pid, 0) != 0;
    }
    // Once the group is gone its id may be reused, so SIGKILL only a group that still exists.
    if (!group_gone) ::kill(-m_pid, SIGKILL);
    if (!m_leader_reaped) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED) == 0) record_leader_status(info);
    }
    m_exit.duration = std::chrono::duration_cast<Milliseconds>(SteadyClock::now() - m_started);
}

void Supervision::stop_leftovers() {
    // Processes a command leaves behind would hold files, ports and CPU into the next suite. Each
    // round stops what it finds; a chain of shells may reveal a new member per round, so rounds go
    // on until none is found, bounded in time.
    const auto give_up = SteadyClock::now() + std::max(Milliseconds(5000), 2 * m_request.grace);
    while (SteadyClock::now() < give_up) {
        reap({});
        if (!may_have_leftovers(m_pid, m_request.environment_marker)) return;
        std::vector<int> alive = find_descendants(m_pid, m_request.environment_marker);
        if (alive.empty()) return;
        for (int pid : alive) {
            if (std::none_of(m_exit.leaked.begin(), m_exit.leaked.end(),
                             [&](const LeakedProcess& leaked) { return leaked.pid == pid; })) {
                m_exit.leaked.push_back({pid, proc_command_line(pid)});
            }
        }
        m_exit.signals_sent = true;
        // Signalled one by one: the group id may already belong to someone else once its members are gone.
        for (int pid : alive) ::kill(pid, SIGTERM);
        const auto grace_end = SteadyClock::now() + std::min(m_request.grace, Milliseconds(2000));
        while (SteadyClock::now() < grace_end) {
            reap(alive);
            if (std::none_of(alive.begin(), alive.end(), [](int pid) {
                    auto stat = read_proc_stat(pid);
                    return stat && stat->state != 'Z';
                })) {
                break;
            }
            std::this_thread::sleep_for(Milliseconds(10));
        }
        for (int pid : alive) ::kill(pid, SIGKILL);
        std::this_thread::sleep_for(Milliseconds(5));
        reap(alive);
    }
}

ProcessExit Supervision::run() {
    std::filesystem::path raw = m_request.output_log;
    raw += ".partial";
    int output_fd = ::open(raw.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (output_fd < 0) {
        m_exit.termination = Termination::failed_to_start;
        m_exit.start_error = fmt::format("cannot create {}: {}", raw.string(), std::strerror(errno));
        return m_exit;
    }
    OutputLimiter limiter(output_fd, m_request.output_cap);
    if (spawn(output_fd)) {
        wait_for_leader(limiter);
        g_active_leaders.remove(m_pid);
        stop_leftovers();
        limiter.enforce();
        if (m_pidfd >= 0) ::close(m_pidfd);
    }
    m_exit.output_bytes = limiter.total_written();
    ::close(output_fd);
    m_exit.output_truncated =
        finish_output_log(raw, m_request.output_log, m_request.output_cap, m_exit.output_bytes);
    return m_exit;
}

}  // namespace

PosixProcessSupervisor::PosixProcessSupervisor() {
    // Orphaned descendants of a suite are handed to greenlight instead of init, so they can be
    // found, stopped and reaped rather than living on after the run.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

ProcessExit PosixProcessSupervisor::run(const SpawnRequest& request) {
    if (request.argv.empty()) {
        ProcessExit exit;
        exit.termination = Termination::failed_to_start;
        exit.start_error = "empty command";
        return exit;
    }
    Supervision supervision(request);
    return supervision.run();
}

std::vector<int> processes_with_environment_entry(const std::string& marker) {
    std::vector<int> found;
    DIR* proc = ::opendir("/proc");
    if (!proc) return found;
    while (dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        int pid = std::atoi(entry->d_name);
        auto stat = read_proc_stat(pid);
        if (stat && stat->state != 'Z' && stat->state != 'X' && environ_has(pid, marker)) found.push_back(pid);
    }
    ::closedir(proc);
    return found;
}

std::string resolve_executable(const std::string& name, const std::vector<std::string>& environment,
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
        if (directory.is_relative()) directory = cwd / directory;
        std::filesystem::path candidate = directory / name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
        start = end + 1;
    }
    return {};
}

bool finish_output_log(const std::filesystem::path& raw, const std::filesystem::path& output_log,
                       std::uint64_t output_cap, std::uint64_t total_bytes) {
    struct stat info {};
    if (::stat(raw.c_str(), &info) != 0) return false;
    auto size = static_cast<std::uint64_t>(info.st_size);
    if (size <= output_cap && total_bytes <= output_cap) {
        ::rename(raw.c_str(), output_log.c_str());
        return false;
    }
    const std::uint64_t head = output_cap / 2;
    const std::uint64_t tail = std::min<std::uint64_t>(output_cap - head, size > head ? size - head : 0);
    std::string marker = fmt::format(
        "\n\n[greenlight: output cut here: {} bytes omitted; the first {} and the last {} of {} bytes are kept]\n\n",
        total_bytes - head - tail, head, tail, total_bytes);

    int in = ::open(raw.c_str(), O_RDONLY | O_CLOEXEC);
    std::filesystem::path temp = output_log;
    temp += ".tmp";
    int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    auto copy_range = [&](std::uint64_t offset, std::uint64_t length) {
        std::vector<char> buffer(std::min<std::uint64_t>(length, 1 << 20));
        while (length > 0) {
            ssize_t got = ::pread(in, buffer.data(), std::min<std::uint64_t>(length, buffer.size()),
                                  static_cast<off_t>(offset));
            if (got <= 0) break;
            [[maybe_unused]] ssize_t written = ::write(out, buffer.data(), static_cast<size_t>(got));
            offset += static_cast<std::uint64_t>(got);
            length -= static_cast<std::uint64_t>(got);
        }
    };
    if (in >= 0 && out >= 0) {
        copy_range(0, std::min(head, size));
        [[maybe_unused]] ssize_t written = ::write(out, marker.data(), marker.size());
        copy_range(size - tail, tail);
    }
    if (in >= 0) ::close(in);
    if (out >= 0) {
        ::close(out);
        ::rename(temp.c_str(), output_log.c_str());
    }
    ::unlink(raw.c_str());
    return true;
}

}  // namespace greenlight::runner
