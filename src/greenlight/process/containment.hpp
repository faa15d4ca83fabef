// The containment of everything greenlight starts, for the life of the greenlight process:
// - cgroup mode: a cgroup `greenlight-<pid>-<start>` under greenlight's own, one cgroup per command below it;
//   the end of a command kills its whole cgroup, so no descendant survives however it forks, setsid()s or
//   clears its environment;
// - process-group mode (where no cgroup can be made): each command leads its own session; greenlight is the
//   child subreaper, so whatever leaves the group is handed to greenlight and found by walking the process tree.
// Either way a guardian process, forked at set-up, kills what is left if greenlight itself dies (SIGKILL
// included), and cgroups that a killed greenlight left behind are swept at the next start.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/process/cgroup.hpp"

namespace greenlight::process {

enum class ContainmentMode { cgroup, process_group };

std::string_view to_string(ContainmentMode mode);

// Processes an earlier greenlight (killed before it could stop them) left running, stopped at this start.
struct SweptSession {
    int owner_pid = 0;  // the greenlight process that made the cgroup
    std::vector<StrayProcess> processes;
};

class Containment {
public:
    // The process-wide containment, set up on first use. Call it early (before threads start) so that the
    // guardian is forked from a single-threaded process. GREENLIGHT_CONTAINMENT=process-group forces the
    // fallback (for tests, and hosts where cgroups misbehave).
    static Containment& instance();

    ContainmentMode mode() const { return m_mode; }
    // Why cgroup mode is not in use (empty in cgroup mode).
    const std::string& fallback_reason() const { return m_fallback_reason; }
    // What the start-up sweep stopped.
    const std::vector<SweptSession>& swept() const { return m_swept; }

    // A new cgroup for one command (cgroup mode only; an error falls back to the process group for it).
    util::Result<Cgroup> make_command_cgroup(std::string_view label);

    // Forks are made under this lock and the child registered before it is released, so that reaping the
    // strays (below) never reaps a command's leader before its supervisor has seen it end.
    std::unique_lock<std::mutex> lock_for_spawn() { return std::unique_lock(m_spawn_mutex); }
    // With the spawn lock held: the leader is supervised (and, in process-group mode, its group is guarded).
    void add_leader_locked(int pid);
    void remove_leader(int pid);
    // Whether `pid` is a leader some supervisor waits for, or the guardian.
    bool is_known_child(int pid);
    // Leaders currently supervised, by any thread.
    std::set<int> leaders();
    // Reaps zombies among greenlight's children that no supervisor waits for (orphans adopted as subreaper).
    // Takes the spawn lock.
    void reap_strays();

    ~Containment();
    Containment(const Containment&) = delete;
    Containment& operator=(const Containment&) = delete;

private:
    Containment();
    void set_up_cgroups();
    void sweep_stale_sessions(const CgroupPlace& own);
    void start_guardian();
    void tell_guardian(int operation, int value);

    ContainmentMode m_mode = ContainmentMode::process_group;
    std::string m_fallback_reason;
    std::optional<Cgroup> m_session;
    std::vector<SweptSession> m_swept;
    std::mutex m_spawn_mutex;
    std::mutex m_leaders_mutex;
    std::set<int> m_leaders;
    int m_guardian_pid = -1;
    int m_guardian_pipe = -1;
    unsigned m_next_command = 0;
};

}  // namespace greenlight::process
