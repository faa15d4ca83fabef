// From greenlight.yml's `watch:` section to the serve model: the checks (CheckSpec) the config defines and the
// heartbeat. The channels are resolved with their secrets by alert_send.hpp (resolve_channels).
#pragma once

#include <optional>
#include <vector>

#include "greenlight/config/serve_config.hpp"
#include "greenlight/serve/model.hpp"

namespace greenlight::serve {

struct HeartbeatOptions {
    Duration every{std::chrono::hours{24}};
    std::vector<std::string> channels;
};

// The config's checks, in file order; a check without its own reminder interval takes the section's.
std::vector<CheckSpec> checks_from_config(const config::WatchConfig& watch);
std::optional<HeartbeatOptions> heartbeat_from_config(const config::WatchConfig& watch);

}  // namespace greenlight::serve
