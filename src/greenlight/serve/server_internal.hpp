// What the files of `greenlight serve`'s server share (internal to serve): the server's state
// (ServeServer::Impl) with its answers to store failures and access checks, the response helpers, and the
// handlers the route table (routes.cpp) names, grouped by the file that holds them.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/bridge/users.hpp"
#include "greenlight/serve/monitoring.hpp"
#include "greenlight/serve/rate_limit.hpp"
#include "greenlight/serve/routes.hpp"
#include "greenlight/serve/server.hpp"
#include "greenlight/serve/store.hpp"
#include "greenlight/web/http_server.hpp"

namespace greenlight::serve {

struct ServeServer::Impl {
    ServeOptions options;
    const util::Clock* clock = nullptr;
    std::unique_ptr<Store> store;
    std::unique_ptr<bridge::Authenticator> dashboard_users;
    std::unique_ptr<bridge::Server> bridge;
    std::unique_ptr<bridge::JobStore> bridge_jobs;  // the bridge's folder, read for the dashboard
    web::HttpHandlers bridge_handlers;
    std::unique_ptr<web::HttpServer> http;
    std::unique_ptr<AlertSender> sender;
    detail::RateLimiter limiter;
    detail::Metrics metrics;
    std::mutex log_mutex;

    std::thread watchdog;
    std::mutex watchdog_mutex;
    std::condition_variable watchdog_wake;
    bool stopping = false;
    bool started = false;
    bool wake_pending = false;

    explicit Impl(ServeOptions serve_options);

    // Asks for a watchdog round soon (a ping or a run arrived, a check changed), so a client sees the state
    // follow; rounds still run at most every k_min_round_gap, however many pings arrive.
    void wake_watchdog();
    void log(const std::string& message);
    WallTime now() const { return clock->now(); }

    // A store error: 503 when the database is away (the client may try again), 500 otherwise.
    void store_failed(const web::Request& request, web::Response& response, const util::Error& error);
    // The request's bearer token when it has the scope needed; otherwise answers 401 or 403 and gives nullopt.
    std::optional<TokenInfo> bearer(const web::Request& request, web::Response& response, TokenScope needed);
    // Basic auth for the dashboard and the read API, when a users file is configured.
    bool viewer_allowed(const web::Request& request, web::Response& response);

    // Every request but the bridge's: the rate limit, the query, then the route table.
    void handle(const web::Request& request, web::Response& response);
    void watchdog_loop();
    // Removes what the retention policy no longer keeps; false when more is due than one pass removed.
    bool prune_history();
    std::int64_t remove_orphaned_bundles(Duration older_than);
};

namespace detail {

using Impl = ServeServer::Impl;

void send_json(web::Response& response, int status, const nlohmann::json& document);
// A JSON problem: {"error": message, "status": status}.
void send_problem(web::Response& response, int status, std::string message);
// A dashboard page, with the content security policy every page is served with.
void send_page(web::Response& response, int status, std::string html);

// pings.cpp: /ping/<key>[/start|/fail|/log|/<exit code>], and the pings a stored run counts as.
void receive_ping(Impl& server, const Exchange& exchange);
void runs_counted_as_pings(Impl& server, const RunRecord& run);

// ingest.cpp: run reports and packed bundles sent by `greenlight push` and `run --report-to`.
void put_run(Impl& server, const Exchange& exchange);
void put_bundle(Impl& server, const Exchange& exchange);
// Uploads a killed server left behind, removed at start once an hour old.
void remove_abandoned_uploads(const std::filesystem::path& bundles, const std::function<void(const std::string&)>& log);

// api_runs.cpp: the run history's read API.
void api_list_runs(Impl& server, const Exchange& exchange);
void api_get_run(Impl& server, const Exchange& exchange);
void api_flaky_tests(Impl& server, const Exchange& exchange);
void api_duration_trend(Impl& server, const Exchange& exchange);

// api_checks.cpp: the watchdog's checks (admin writes, reads) and its alerts.
void api_put_check(Impl& server, const Exchange& exchange);
void api_delete_check(Impl& server, const Exchange& exchange);
void api_pause_check(Impl& server, const Exchange& exchange);
void api_resume_check(Impl& server, const Exchange& exchange);
void api_refuse_nameless_check_write(Impl& server, const Exchange& exchange);
void api_refuse_check_write(Impl& server, const Exchange& exchange);
void api_list_checks(Impl& server, const Exchange& exchange);
void api_get_check(Impl& server, const Exchange& exchange);
void api_list_alerts(Impl& server, const Exchange& exchange);

// api_promotions.cpp: promotion decisions and attempts (reads, ingest writes) and the /promotions page.
void api_list_promotions(Impl& server, const Exchange& exchange);
void api_list_promotion_attempts(Impl& server, const Exchange& exchange);
void api_list_promotion_decisions(Impl& server, const Exchange& exchange);
void api_post_promotion_decision(Impl& server, const Exchange& exchange);
void api_post_promotion_attempt(Impl& server, const Exchange& exchange);
void promotions_page(Impl& server, const Exchange& exchange);

// pages.cpp: the dashboard's pages, the files of a run's bundle, the stylesheet.
void runs_page(Impl& server, const Exchange& exchange);
void run_page(Impl& server, const Exchange& exchange);
void bundle_file(Impl& server, const Exchange& exchange);
void flaky_page(Impl& server, const Exchange& exchange);
void trends_page(Impl& server, const Exchange& exchange);
void checks_page(Impl& server, const Exchange& exchange);
void check_page(Impl& server, const Exchange& exchange);
void jobs_page(Impl& server, const Exchange& exchange);
void job_page(Impl& server, const Exchange& exchange);
void spool_page(Impl& server, const Exchange& exchange);
void incomplete_job_page(Impl& server, const Exchange& exchange);
void stylesheet(Impl& server, const Exchange& exchange);
void favicon(Impl& server, const Exchange& exchange);

// monitoring.cpp: /healthz and /metrics.
void healthz(Impl& server, const Exchange& exchange);
void metrics_page(Impl& server, const Exchange& exchange);

}  // namespace detail

}  // namespace greenlight::serve
