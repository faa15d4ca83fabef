// What the commands that run a server share: stopping on SIGINT/SIGTERM, surviving SIGPIPE, and the --listen
// address.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace greenlight::cli {

// SIGINT and SIGTERM wake wait_for_stop_signal(); SIGPIPE no longer kills the process (a write to a closed
// connection fails with EPIPE instead). False when the handlers cannot be installed.
bool install_stop_signal_handlers();
// Blocks until SIGINT or SIGTERM arrives; returns the signal number.
int wait_for_stop_signal();
// "HOST:PORT" or "[IPv6]:PORT"; port 0 picks a free one.
std::optional<std::pair<std::string, int>> parse_listen(const std::string& text);
bool is_loopback(const std::string& host);

}  // namespace greenlight::cli
