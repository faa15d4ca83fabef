// What the kernel's /proc says about processes: their state, parent, group, session, start time and command
// line. Reads only; nothing here signals anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace greenlight::process {

// The fields of /proc/<pid>/stat that containment needs.
struct ProcessStatus {
    int pid = 0;
    char state = '?';  // R, S, D, Z (zombie), X (dead), ...
    int parent = 0;
    int group = 0;
    int session = 0;
    std::uint64_t start_ticks = 0;  // since boot, in clock ticks; with the pid it names one process for good

    bool is_gone() const { return state == 'Z' || state == 'X'; }
};

std::optional<ProcessStatus> read_process_status(int pid);

// Every process the calling one can see, zombies included.
std::vector<ProcessStatus> list_processes();

// The command line of a process, arguments joined by spaces and cut at 200 characters; `[name]` while it has
// none (between fork and exec); empty when gone.
std::string process_command_line(int pid);

// Whether the process's environment holds `entry` ("NAME=value") whole.
bool environment_has(int pid, const std::string& entry);

// Whether the process's environment has a variable that starts with `name_and_equals` ("NAME=").
bool environment_has_name(int pid, const std::string& name_and_equals);

// The calling process's children, from /proc/self/task/*/children (every thread's).
std::vector<int> own_children();

// This process's start time in clock ticks since boot (0 when unreadable).
std::uint64_t own_start_ticks();

// Containment without a cgroup finds what a command left behind through /proc: where /proc is not mounted (a bare
// chroot), a process that leaves its session cannot be found.
bool proc_is_mounted();

}  // namespace greenlight::process
