// greenlight.yml `serve:` and `watch:` sections: where `greenlight serve` listens and keeps its data, and the
// watchdog checks with the alert channels they report to. Plain values: the serve layer turns them into its
// own model (serve::CheckSpec, serve::AlertChannel). See docs/CONFIG.md.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::config {

// The one rule for the names of watchdog checks and alert channels, which appear in ping URLs, API paths and
// alert keys: `[a-z0-9][a-z0-9._-]{0,63}`. The config loader, the store and the server's API all ask here.
bool is_valid_watch_name(std::string_view name);
inline constexpr std::string_view k_watch_name_rule =
    "1 to 64 of lowercase letters, digits, '.', '_' and '-', starting with a letter or digit";

// Per client address: what one request may carry and how many a minute are served.
struct ServeLimitsConfig {
    std::uint64_t max_body = 64ull << 20;
    int requests_per_minute = 1200;
};

// How long `greenlight serve` keeps history; nullopt keeps it forever (`forever` in the file).
struct ServeRetentionConfig {
    std::optional<std::chrono::milliseconds> runs{std::chrono::hours{24 * 90}};    // with suites, cases and bundles
    std::optional<std::chrono::milliseconds> pings{std::chrono::hours{24 * 30}};   // each check keeps its newest 500
    std::optional<std::chrono::milliseconds> alerts{std::chrono::hours{24 * 90}};  // sent ones only
};

// The bridge's jobs interface hosted by `greenlight serve --bridge`.
struct ServeBridgeConfig {
    bool present = false;                      // the file has `serve.bridge`
    std::string state = ".greenlight/bridge";  // job store and spool files, relative to greenlight.yml
    std::string users;                         // users file (`greenlight bridge user add`); empty: none given
    int max_active = 4;                        // jobs executing at once
};

struct ServeConfig {
    bool present = false;  // the file has a `serve:` section
    int line = 0;
    std::string listen = "127.0.0.1:8080";           // host:port; IPv6 hosts in brackets
    std::string db = "sqlite:.greenlight/serve.db";  // sqlite:PATH or postgresql://user@host:port/name
    std::string bundles = ".greenlight/bundles";     // where uploaded bundles are kept, relative to greenlight.yml
    std::string url;              // public base URL for links in alerts, no trailing '/'; empty: no links
    std::string dashboard_users;  // users file guarding the dashboard with basic auth; empty: open
    ServeLimitsConfig limits;
    ServeRetentionConfig retention;
    ServeBridgeConfig bridge;
};

enum class AlertChannelType { discord, slack, json, github };

// Where alerts go. Secrets (webhook URLs, tokens) are named by environment variable, never written here.
struct AlertChannelConfig {
    std::string name;
    AlertChannelType type = AlertChannelType::json;
    std::string url_env;                     // discord, slack, json: the variable holding the webhook URL
    std::string repository;                  // github: owner/name
    int issue = 0;                           // github: the issue that receives the comments
    std::string token_env = "GITHUB_TOKEN";  // github: the variable holding the token
    int line = 0;
};

// A periodic alert that proves the alert path works.
struct WatchHeartbeatConfig {
    bool present = false;
    std::chrono::milliseconds every{std::chrono::hours{24}};
    std::vector<std::string> channels;
    int line = 0;
};

// One watchdog check: a success is expected every `period` (or at the cron times in `timezone`), plus `grace`.
struct WatchCheckConfig {
    std::string name;                                 // [a-z0-9][a-z0-9._-]{0,63}
    std::optional<std::chrono::milliseconds> period;  // exactly one of period and cron is set
    std::string cron;                                 // five fields: minute hour day-of-month month day-of-week
    std::string timezone = "UTC";                     // IANA name, for cron
    std::chrono::milliseconds grace{std::chrono::minutes{30}};
    std::optional<std::chrono::milliseconds> max_run_time;
    std::optional<std::chrono::milliseconds> min_run_time;
    int failures = 1;                                  // consecutive failures before the check is down
    std::optional<std::chrono::milliseconds> realert;  // absent: WatchConfig::realert
    std::optional<std::string> tier;                   // an ingested run of this tier counts as a ping
    std::optional<std::string> project;
    std::vector<std::string> channels;
    bool paused = false;
    std::string description;
    int line = 0;
};

struct WatchConfig {
    bool present = false;  // the file has a `watch:` section
    int line = 0;
    std::vector<AlertChannelConfig> channels;          // in file order
    std::optional<std::chrono::milliseconds> realert;  // reminder interval for checks that set none; absent: none
    WatchHeartbeatConfig heartbeat;
    std::vector<WatchCheckConfig> checks;  // in file order

    // The channel of that name, or nullptr.
    const AlertChannelConfig* find_channel(const std::string& name) const {
        auto found = std::find_if(channels.begin(), channels.end(),
                                  [&](const AlertChannelConfig& channel) { return channel.name == name; });
        return found == channels.end() ? nullptr : &*found;
    }
    // The reminder interval of a check: its own, else the section's.
    std::optional<std::chrono::milliseconds> realert_for(const WatchCheckConfig& check) const {
        return check.realert ? check.realert : realert;
    }
};

}  // namespace greenlight::config
