// `greenlight serve`: one HTTP server for run ingestion, watchdog pings, the JSON API, the dashboard, /healthz,
// /metrics and (with a bridge section) the bridge's jobs interface; plus the watchdog loop that evaluates checks
// and delivers alerts. docs/SERVE.md and docs/API.md are the reference.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/bridge/server.hpp"
#include "greenlight/serve/alert_send.hpp"
#include "greenlight/serve/model.hpp"
#include "greenlight/serve/watch_config.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: an ephemeral port
    std::string database_url = "sqlite:.greenlight/serve.db";
    std::filesystem::path bundles_dir = ".greenlight/bundles";
    std::string public_url;                                // links in alerts; empty: none
    std::optional<std::filesystem::path> dashboard_users;  // basic auth for the dashboard and the read API
    std::optional<std::filesystem::path> tls_certificate;
    std::optional<std::filesystem::path> tls_key;
    std::size_t max_body_bytes = std::size_t{64} * 1024 * 1024;
    int requests_per_minute = 1200;               // per client address; 0: unlimited
    std::optional<bridge::ServerOptions> bridge;  // host the bridge's jobs interface too

    std::vector<CheckSpec> config_checks;  // from greenlight.yml's watch.checks, synced at start
    std::vector<AlertChannel> channels;
    std::optional<HeartbeatOptions> heartbeat;
    Duration watchdog_interval{std::chrono::seconds{5}};  // how often checks are evaluated and alerts sent
    Retention retention;  // default: everything kept forever (greenlight.yml's serve.retention sets limits)
    Duration retention_interval{std::chrono::hours{1}};  // how often what retention no longer keeps is removed
    std::unique_ptr<AlertSender> sender;                 // empty: HTTP delivery

    const util::Clock* clock = nullptr;                // empty: the system clock
    std::function<void(const std::string&)> log_sink;  // one line each; empty: standard error
    bool debug = false;
};

// What one watchdog round did (for `greenlight watch --once` and tests).
struct WatchRound {
    std::vector<std::pair<CheckSpec, CheckStatus>> checks;
    int alerts_queued = 0;
    int alerts_sent = 0;
    int alerts_failed = 0;
    // Each delivery tried: channel, outcome (sent, retry, give_up) and, when not sent, why (redacted).
    struct Delivery {
        std::string channel;
        std::string outcome;
        std::string error;
    };
    std::vector<Delivery> deliveries;
};

class Store;

// Evaluates every check at `now`, queues heartbeats that are due, then delivers due alerts once.
util::Result<WatchRound> run_watch_round(Store& store, const std::vector<AlertChannel>& channels,
                                         const std::optional<HeartbeatOptions>& heartbeat, AlertSender& sender,
                                         WallTime now);

class ServeServer {
public:
    // Opens the database (migrations applied), syncs the config's checks, loads the dashboard users and the
    // bridge. Errors here are configuration errors (exit 2) or an unreachable database (exit 3; see
    // database_unavailable).
    static util::Result<std::unique_ptr<ServeServer>> open(ServeOptions options);
    ~ServeServer();
    ServeServer(const ServeServer&) = delete;
    ServeServer& operator=(const ServeServer&) = delete;

    util::Status start();  // binds, starts the watchdog loop (and the bridge's executor)
    int port() const;
    std::string url() const;
    void stop();

    struct Impl;

private:
    explicit ServeServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace greenlight::serve
