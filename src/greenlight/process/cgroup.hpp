// Linux control groups as containment: a cgroup v2 folder per supervised command, so that everything the
// command starts stays inside it however it forks, whatever session it makes or environment it clears, and
// can be listed and killed as one. On a hybrid layout the v1 memory and pids hierarchies add the figures the
// bare v2 hierarchy cannot give.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::process {

// Where this process may make cgroups of its own: the folder of its own cgroup in each hierarchy.
struct CgroupPlace {
    std::filesystem::path unified;                // cgroup v2: membership, kill, CPU time
    std::optional<std::filesystem::path> memory;  // v1 memory hierarchy (hybrid layout), for the peak
    std::optional<std::filesystem::path> pids;    // v1 pids hierarchy (hybrid layout), for the peak
};

// Finds the cgroup v2 mount in /proc/self/mountinfo and this process's cgroup in /proc/self/cgroup, and the
// v1 memory and pids folders where those hierarchies are mounted. An error says why there is none.
util::Result<CgroupPlace> find_own_cgroup_place();

// What a cgroup used while it ran; nullopt where the hierarchy does not count it.
struct CgroupUsage {
    std::optional<std::uint64_t> peak_memory_bytes;
    std::optional<std::chrono::microseconds> cpu_time;
    std::optional<std::int64_t> peak_tasks;  // processes and threads alive at once, at most
};

// One cgroup (in v2, and in the v1 memory and pids hierarchies when present), removed by remove().
class Cgroup {
public:
    Cgroup() = default;
    Cgroup(Cgroup&& other) noexcept;
    Cgroup& operator=(Cgroup&& other) noexcept;
    Cgroup(const Cgroup&) = delete;
    Cgroup& operator=(const Cgroup&) = delete;
    ~Cgroup();

    // Makes `name` under `parent` in each hierarchy and opens the files a new child writes itself into.
    static util::Result<Cgroup> create(const CgroupPlace& parent, const std::string& name);

    // This cgroup as a place to make cgroups under.
    const CgroupPlace& place() const { return m_place; }

    // Open cgroup.procs files (close-on-exec): a child writes "0" to each before it execs, so it and
    // everything it starts belongs to the cgroup from its first instruction.
    const std::vector<int>& membership_files() const { return m_procs_files; }

    // Processes in the cgroup and every cgroup below it.
    std::vector<int> members() const;
    // Whether any process is in it (cgroup.events), without listing them.
    bool populated() const;
    // Sends `signal` to every member (each one; a process forking at that moment may be missed).
    void signal_members(int signal) const;
    // Kills every member at once (cgroup.kill); where the kernel lacks it, freezes and kills one by one.
    void kill() const;
    // Waits until no process is left in it, up to `limit`; true when empty.
    bool wait_until_empty(std::chrono::milliseconds limit) const;
    CgroupUsage usage() const;
    // Removes the folders (each must be empty of processes); false when something stayed.
    bool remove();

private:
    CgroupPlace m_place;
    std::vector<int> m_procs_files;
    void close_files();
};

// Kills and removes every cgroup (and the ones below it) at `folder` in each hierarchy, whatever is in it.
// Returns the processes it found there (pid and command line).
struct StrayProcess {
    int pid = 0;
    std::string command;
};
std::vector<StrayProcess> destroy_cgroup_tree(const CgroupPlace& place);

}  // namespace greenlight::process
