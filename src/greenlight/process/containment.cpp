#include "greenlight/process/containment.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "greenlight/process/internal_child.hpp"
#include "greenlight/process/proc.hpp"

namespace greenlight::process {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_session_prefix = "greenlight-";

// What greenlight tells its guardian, one fixed-size record per write (atomic on a pipe).
enum GuardianOperation : int { k_guard_group = 1, k_release_group = 2 };
struct GuardianMessage {
    int operation;
    int value;
};

void close_all_but(std::array<int, 2> keep) {
    std::sort(keep.begin(), keep.end());
    unsigned next = 3;
    for (int fd : keep) {
        if (fd < static_cast<int>(next)) continue;
        if (static_cast<unsigned>(fd) > next) ::syscall(SYS_close_range, next, static_cast<unsigned>(fd) - 1, 0U);
        next = static_cast<unsigned>(fd) + 1;
    }
    ::syscall(SYS_close_range, next, ~0U, 0U);
}

// The guardian: forked from greenlight, it only waits for greenlight to go away (its end of the pipe
// closes, however greenlight ended) and then kills whatever greenlight still had running. Between fork
// and exit only async-signal-safe calls, on memory prepared before the fork.
struct GuardianFiles {
    int pipe_fd;
    int kill_fd;
};

[[noreturn]] void guard(void* context) {
    const auto [pipe_fd, kill_fd] = *static_cast<const GuardianFiles*>(context);
    // A session of its own: a signal to greenlight's process group or terminal does not reach it.
    ::setsid();
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (int signal_number : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) ::sigaction(signal_number, &ignore, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Nothing of greenlight's (sockets, output files, databases) may stay open because the guardian lives on.
    close_all_but({pipe_fd, kill_fd});
    ::close(0);
    ::close(1);
    ::close(2);

    constexpr int k_capacity = 8192;
    static int groups[k_capacity];
    int count = 0;
    GuardianMessage message{};
    while (true) {
        ssize_t got = ::read(pipe_fd, &message, sizeof message);
        if (got < 0 && errno == EINTR) continue;
        if (got != static_cast<ssize_t>(sizeof message)) break;
        if (message.operation == k_guard_group && count < k_capacity) {
            groups[count++] = message.value;
        } else if (message.operation == k_release_group) {
            for (int i = 0; i < count; ++i) {
                if (groups[i] == message.value) {
                    groups[i] = groups[--count];
                    break;
                }
            }
        }
    }
    if (kill_fd >= 0) {
        [[maybe_unused]] ssize_t written = ::write(kill_fd, "1", 1);
    }
    for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
    ::_exit(0);
}

// The probe child: writes itself into the cgroup's membership files and reports the first error (0: none).
struct JoinProbe {
    const int* membership_files;
    std::size_t count;
    int report_fd;
};

void join_and_report(void* context) {
    const auto& probe = *static_cast<const JoinProbe*>(context);
    int error = 0;
    for (std::size_t i = 0; i < probe.count; ++i) {
        if (::write(probe.membership_files[i], "0", 1) != 1 && error == 0) error = errno;
    }
    [[maybe_unused]] ssize_t written = ::write(probe.report_fd, &error, sizeof error);
}

// Whether a cgroup can take a process here: a child writes itself into it and reports.
bool child_can_join(const Cgroup& group, std::string& why) {
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        why = fmt::format("cannot make a pipe: {}", std::strerror(errno));
        return false;
    }
    JoinProbe probe{group.membership_files().data(), group.membership_files().size(), report[1]};
    pid_t child = fork_internal_child(join_and_report, &probe);
    if (child < 0) {
        why = fmt::format("cannot fork: {}", std::strerror(errno));
        ::close(report[0]);
        ::close(report[1]);
        return false;
    }
    ::close(report[1]);
    int error = -1;
    ssize_t got = ::read(report[0], &error, sizeof error);
    ::close(report[0]);
    ::waitpid(child, nullptr, 0);
    if (got != static_cast<ssize_t>(sizeof error) || error != 0) {
        why = fmt::format("a process cannot join a new cgroup: {}",
                          got == sizeof error ? std::strerror(error) : "no answer");
        return false;
    }
    return true;
}

// The inode of this process's pid namespace: a session cgroup names it, because a pid is only meaningful in
// the namespace that gave it (two containers may share a cgroup folder but not their pids).
unsigned long long own_pid_namespace() {
    struct stat info {};
    return ::stat("/proc/self/ns/pid", &info) == 0 ? static_cast<unsigned long long>(info.st_ino) : 0;
}

}  // namespace

std::string_view to_string(ContainmentMode mode) {
    return mode == ContainmentMode::cgroup ? "cgroup" : "process-group";
}

Containment& Containment::instance() {
    static Containment containment;
    return containment;
}

Containment::Containment() {
    // Orphans of a supervised command are handed to greenlight instead of init: they can be found, stopped
    // and reaped rather than live on after the run.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    const char* forced = std::getenv("GREENLIGHT_CONTAINMENT");
    if (forced && std::string_view(forced) == "process-group") {
        m_fallback_reason = "GREENLIGHT_CONTAINMENT=process-group";
    } else {
        set_up_cgroups();
    }
    if (m_mode == ContainmentMode::process_group) m_session.reset();
    start_guardian();
}

Containment::~Containment() {
    if (m_session) {
        m_session->kill();
        m_session->wait_until_empty(std::chrono::milliseconds(500));
        destroy_cgroup_tree(m_session->place());
    }
    if (m_guardian_pipe >= 0) ::close(m_guardian_pipe);
}

void Containment::set_up_cgroups() {
    auto place = find_own_cgroup_place();
    if (!place) {
        m_fallback_reason = place.message();
        return;
    }
    sweep_stale_sessions(*place);
    auto session = Cgroup::create(
        *place, fmt::format("{}{}-{}-{}", k_session_prefix, ::getpid(), own_start_ticks(), own_pid_namespace()));
    if (!session) {
        m_fallback_reason = session.message();
        return;
    }
    auto probe = Cgroup::create(session->place(), "probe");
    std::string why;
    if (!probe || !child_can_join(*probe, why)) {
        m_fallback_reason = probe ? why : probe.message();
        if (probe) probe->remove();
        destroy_cgroup_tree(session->place());
        return;
    }
    probe->wait_until_empty(std::chrono::milliseconds(200));
    probe->remove();
    m_session = std::move(*session);
    m_mode = ContainmentMode::cgroup;
}

void Containment::sweep_stale_sessions(const CgroupPlace& own) {
    std::error_code error;
    for (fs::directory_iterator it(own.unified, error), end; !error && it != end; it.increment(error)) {
        std::string name = it->path().filename().string();
        if (name.rfind(k_session_prefix, 0) != 0 || !it->is_directory(error)) continue;
        int owner = 0;
        unsigned long long ticks = 0;
        unsigned long long pid_namespace = 0;
        if (std::sscanf(name.c_str() + k_session_prefix.size(), "%d-%llu-%llu", &owner, &ticks, &pid_namespace) != 3) {
            continue;
        }
        // A session of another pid namespace cannot be judged from here: its owner's pid means nothing to us.
        if (pid_namespace != own_pid_namespace()) continue;
        auto status = read_process_status(owner);
        if (status && status->start_ticks == ticks) continue;  // its greenlight still runs
        CgroupPlace stale;
        stale.unified = it->path();
        if (own.memory) stale.memory = *own.memory / name;
        if (own.pids) stale.pids = *own.pids / name;
        auto processes = destroy_cgroup_tree(stale);
        if (!processes.empty()) m_swept.push_back({owner, std::move(processes)});
    }
}

void Containment::start_guardian() {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
    int kill_fd = -1;
    if (m_session) kill_fd = ::open((m_session->place().unified / "cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC);
    GuardianFiles files{pipe_fds[0], kill_fd};
    pid_t pid = fork_internal_child(guard, &files);
    ::close(pipe_fds[0]);
    if (kill_fd >= 0) ::close(kill_fd);
    if (pid < 0) {
        ::close(pipe_fds[1]);
        return;
    }
    m_guardian_pid = pid;
    m_guardian_pipe = pipe_fds[1];
}

void Containment::tell_guardian(int operation, int value) {
    if (m_guardian_pipe < 0) return;
    GuardianMessage message{operation, value};
    while (::write(m_guardian_pipe, &message, sizeof message) < 0 && errno == EINTR) {
    }
}

util::Result<Cgroup> Containment::make_command_cgroup(std::string_view label) {
    if (!m_session) return util::make_error("no cgroup session");
    std::string name;
    {
        std::lock_guard lock(m_leaders_mutex);
        name = fmt::format("c{}", ++m_next_command);
    }
    for (char c : label) {
        if (name.size() >= 60) break;
        name.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
    }
    return Cgroup::create(m_session->place(), name);
}

void Containment::add_leader_locked(int pid) {
    {
        std::lock_guard lock(m_leaders_mutex);
        m_leaders.insert(pid);
    }
    // The leader leads its own session and group: if greenlight dies, the guardian kills the group.
    tell_guardian(k_guard_group, pid);
}

void Containment::remove_leader(int pid) {
    {
        std::lock_guard lock(m_leaders_mutex);
        m_leaders.erase(pid);
    }
    tell_guardian(k_release_group, pid);
}

bool Containment::is_known_child(int pid) {
    if (pid == m_guardian_pid) return true;
    std::lock_guard lock(m_leaders_mutex);
    return m_leaders.count(pid) > 0;
}

std::set<int> Containment::leaders() {
    std::lock_guard lock(m_leaders_mutex);
    return m_leaders;
}

void Containment::reap_strays() {
    auto spawn_lock = lock_for_spawn();
    for (int child : own_children()) {
        if (is_known_child(child)) continue;
        auto status = read_process_status(child);
        if (status && status->state == 'Z') ::waitpid(child, nullptr, WNOHANG);
    }
}

}  // namespace greenlight::process
