#include "greenlight/cli/server_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>

namespace greenlight::cli {

namespace {

// The signal handlers only write a byte here; the main thread waits on the other end.
int g_signal_pipe[2] = {-1, -1};

void on_stop_signal(int signal_number) {
    const char byte = static_cast<char>(signal_number);
    [[maybe_unused]] auto ignored = ::write(g_signal_pipe[1], &byte, 1);
}

// A handler that does nothing: a write to a closed connection then fails with EPIPE instead of killing the host.
// Not SIG_IGN, because an ignored SIGPIPE would be inherited by the jobs' processes across exec.
void on_broken_pipe(int) {}

}  // namespace

bool install_stop_signal_handlers() {
    if (::pipe2(g_signal_pipe, O_CLOEXEC) != 0) return false;
    struct sigaction action {};
    sigemptyset(&action.sa_mask);
    action.sa_handler = on_stop_signal;
    action.sa_flags = SA_RESTART;
    if (::sigaction(SIGINT, &action, nullptr) != 0 || ::sigaction(SIGTERM, &action, nullptr) != 0) return false;
    action.sa_handler = on_broken_pipe;
    return ::sigaction(SIGPIPE, &action, nullptr) == 0;
}

int wait_for_stop_signal() {
    char byte = 0;
    while (true) {
        ssize_t count = ::read(g_signal_pipe[0], &byte, 1);
        if (count == 1) return byte;
        if (count < 0 && errno == EINTR) continue;
        return 0;
    }
}

// "HOST:PORT" or "[IPv6]:PORT".
std::optional<std::pair<std::string, int>> parse_listen(const std::string& text) {
    std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    std::string host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        return std::nullopt;
    }
    std::string_view port_text = std::string_view(text).substr(colon + 1);
    int port = -1;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 0 || port > 65535) {
        return std::nullopt;
    }
    return std::pair{host, port};
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace greenlight::cli
