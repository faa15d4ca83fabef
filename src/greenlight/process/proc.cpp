#include "greenlight/process/proc.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace greenlight::process {

namespace {

// Reads a small /proc file whole (up to `limit` bytes).
std::string read_small_file(const char* path, size_t limit = 1u << 20) {
    std::string content;
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return content;
    char buffer[4096];
    ssize_t got;
    while (content.size() < limit && (got = ::read(fd, buffer, sizeof buffer)) > 0) {
        content.append(buffer, static_cast<size_t>(got));
    }
    ::close(fd);
    return content;
}

bool is_number(const char* name) {
    return name[0] >= '1' && name[0] <= '9';
}

}  // namespace

std::optional<ProcessStatus> read_process_status(int pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    char buffer[1024];
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    ssize_t got = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (got <= 0) return std::nullopt;
    buffer[got] = '\0';
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const char* fields = std::strrchr(buffer, ')');
    if (!fields) return std::nullopt;
    ProcessStatus status;
    status.pid = pid;
    unsigned long long start = 0;
    // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    // priority nice num_threads itrealvalue starttime
    if (std::sscanf(fields + 1, " %c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                    &status.state, &status.parent, &status.group, &status.session, &start) != 5) {
        return std::nullopt;
    }
    status.start_ticks = start;
    return status;
}

std::vector<ProcessStatus> list_processes() {
    std::vector<ProcessStatus> found;
    DIR* proc = ::opendir("/proc");
    if (!proc) return found;
    while (dirent* entry = ::readdir(proc)) {
        if (!is_number(entry->d_name)) continue;
        if (auto status = read_process_status(std::atoi(entry->d_name))) found.push_back(*status);
    }
    ::closedir(proc);
    return found;
}

std::string process_command_line(int pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    std::string command = read_small_file(path, 4096);
    // A process in the middle of exec has its new name but not yet its arguments: ask again for a few ms.
    for (int retry = 0; command.empty() && retry < 5; ++retry) {
        auto status = read_process_status(pid);
        if (!status || status->is_gone()) break;
        ::usleep(1000);
        command = read_small_file(path, 4096);
    }
    while (!command.empty() && command.back() == '\0') command.pop_back();
    std::replace(command.begin(), command.end(), '\0', ' ');
    if (command.size() > 200) command = command.substr(0, 200) + "...";
    if (command.empty()) {
        // A process between fork and exec, or in the middle of one, shows no arguments: its name, bracketed.
        std::snprintf(path, sizeof path, "/proc/%d/comm", pid);
        std::string name = read_small_file(path, 64);
        while (!name.empty() && name.back() == '\n') name.pop_back();
        if (!name.empty()) command = "[" + name + "]";
    }
    return command;
}

namespace {

// A process's environment as "\0NAME=value\0NAME=value\0...". While a process execs, its environment reads
// empty for a moment: an empty answer is asked again a few times before it is believed.
std::string environment_entries(int pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/environ", pid);
    std::string entries = read_small_file(path);
    for (int retry = 0; entries.empty() && retry < 5; ++retry) {
        auto status = read_process_status(pid);
        if (!status || status->is_gone()) break;
        ::usleep(1000);
        entries = read_small_file(path);
    }
    return std::string(1, '\0') + entries;
}

}  // namespace

bool environment_has(int pid, const std::string& entry) {
    if (entry.empty()) return false;
    return environment_entries(pid).find(std::string(1, '\0') + entry + std::string(1, '\0')) != std::string::npos;
}

bool environment_has_name(int pid, const std::string& name_and_equals) {
    if (name_and_equals.empty()) return false;
    return environment_entries(pid).find(std::string(1, '\0') + name_and_equals) != std::string::npos;
}

std::vector<int> own_children() {
    std::vector<int> children;
    DIR* tasks = ::opendir("/proc/self/task");
    if (!tasks) return children;
    while (dirent* task = ::readdir(tasks)) {
        if (!is_number(task->d_name)) continue;
        std::string path = std::string("/proc/self/task/") + task->d_name + "/children";
        std::string content = read_small_file(path.c_str());
        const char* cursor = content.c_str();
        char* end = nullptr;
        for (long pid = std::strtol(cursor, &end, 10); end != cursor; pid = std::strtol(cursor, &end, 10)) {
            children.push_back(static_cast<int>(pid));
            cursor = end;
        }
    }
    ::closedir(tasks);
    std::sort(children.begin(), children.end());
    children.erase(std::unique(children.begin(), children.end()), children.end());
    return children;
}

std::uint64_t own_start_ticks() {
    auto status = read_process_status(static_cast<int>(::getpid()));
    return status ? status->start_ticks : 0;
}

bool proc_is_mounted() {
    return ::access("/proc/self/stat", R_OK) == 0;
}

}  // namespace greenlight::process
