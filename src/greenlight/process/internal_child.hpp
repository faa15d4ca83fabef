// The other kind of process greenlight starts: a forked copy of greenlight itself that runs one function and
// exits (the guardian that outlives a killed greenlight, the child that probes whether a cgroup takes a
// process). Defined in supervisor.cpp beside the spawn of commands, so every process greenlight starts
// begins in that one file.
#pragma once

#include <sys/types.h>

namespace greenlight::process {

// Forks; the child calls entry(context) and then exits with status 0. Between the fork and the exit the child
// may only make async-signal-safe calls on memory prepared beforehand, as greenlight may have other threads.
// Returns the child's pid, or -1 with errno set when it could not be started.
pid_t fork_internal_child(void (*entry)(void* context), void* context);

}  // namespace greenlight::process
