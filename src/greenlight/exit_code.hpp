// The exit codes of every greenlight command (PRODUCT.md, "Exit codes").
#pragma once

namespace greenlight {

enum class ExitCode : int {
    green = 0,           // everything that was asked for holds
    red = 1,             // a verdict, gate, check or verification failed
    usage = 2,           // usage or configuration error
    infrastructure = 3,  // could not write artifacts, reach a server, ...
    escalated = 4,       // a remote job failed again after its one retry
    interrupted = 130,   // SIGINT/SIGTERM: children stopped, partial outputs marked incomplete
};

inline int to_int(ExitCode code) { return static_cast<int>(code); }

}  // namespace greenlight
