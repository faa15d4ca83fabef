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

inline int to_int(ExitCode code) {
    return static_cast<int>(code);
}

// Every exit code with what it means to a user, as PRODUCT.md states it (the man pages' EXIT STATUS).
struct ExitCodeMeaning {
    ExitCode code;
    const char* meaning;
};
inline constexpr ExitCodeMeaning k_exit_code_meanings[] = {
    {ExitCode::green, "green: everything that was asked for holds"},
    {ExitCode::red, "red: a verdict, gate, check or verification failed"},
    {ExitCode::usage, "usage or configuration error (the message names the file, line and key)"},
    {ExitCode::infrastructure, "infrastructure error: could not write artifacts, could not reach a server, ..."},
    {ExitCode::escalated, "escalated: a remote job failed again after its one retry"},
    {ExitCode::interrupted,
     "interrupted (SIGINT or SIGTERM): children were stopped, partial outputs are marked incomplete"},
};

}  // namespace greenlight
