#include "greenlight/serve/server.hpp"
#include "greenlight/config/serve_config.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "greenlight/bridge/http_input.hpp"
#include "greenlight/bridge/job_store.hpp"
#include "greenlight/bridge/users.hpp"
#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/bundle/run_id.hpp"
#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/database.hpp"
#include "greenlight/serve/html.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/serve/store.hpp"
#include "greenlight/serve/watchdog.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/web/http_server.hpp"

namespace greenlight::serve {

namespace {

using nlohmann::json;
using util::make_error;
using util::Result;
using util::Status;

constexpr std::size_t k_max_ping_body = 10 * 1024;
// Rounds woken by pings come at most this often: a round evaluates every check.
constexpr std::chrono::milliseconds k_min_round_gap{250};
constexpr std::string_view k_content_security_policy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

const util::SystemClock& system_clock() {
    static const util::SystemClock clock;
    return clock;
}

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        if (slash > start) {
            auto decoded = bridge::percent_decode(path.substr(start, slash - start));
            segments.push_back(decoded ? *decoded : std::string(path.substr(start, slash - start)));
        }
        start = slash + 1;
    }
    return segments;
}

std::optional<std::string> query_value(const std::vector<std::pair<std::string, std::string>>& query,
                                       std::string_view name) {
    for (const auto& [key, value] : query) {
        if (key == name && !value.empty()) return value;
    }
    return std::nullopt;
}

void send_json(web::Response& response, int status, const json& document) {
    response.status = status;
    response.set_content(document.dump(), "application/json");
}

void send_problem(web::Response& response, int status, std::string message) {
    send_json(response, status, json{{"error", std::move(message)}, {"status", status}});
}

void send_page(web::Response& response, int status, std::string html) {
    response.status = status;
    response.set_header("Content-Security-Policy", std::string(k_content_security_policy));
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_content(std::move(html), "text/html; charset=utf-8");
}

bool wants_html(const web::Request& request) {
    return !request.path().starts_with("/api/") && !request.path().starts_with("/ping/");
}

std::string iso(WallTime time) {
    return util::format_utc(time);
}

json optional_time(const std::optional<WallTime>& time) {
    return time ? json(iso(*time)) : json(nullptr);
}

json run_summary_json(const RunSummary& run) {
    return json{{"run_id", run.run_id},   {"project", run.project},      {"tier", run.tier},
                {"verdict", run.verdict}, {"started", iso(run.started)}, {"duration_seconds", run.duration_seconds},
                {"git_sha", run.git_sha}, {"branch", run.branch},        {"has_bundle", run.has_bundle}};
}

json schedule_json(const Schedule& schedule) {
    json document = json::object();
    if (schedule.period) document["period_seconds"] = schedule.period->count() / 1000;
    if (!schedule.cron.empty()) {
        document["cron"] = schedule.cron;
        document["time_zone"] = schedule.time_zone.empty() ? "UTC" : schedule.time_zone;
    }
    return document;
}

json check_json(const CheckSpec& spec, const std::optional<CheckStatus>& status, bool with_key) {
    json document{{"name", spec.name},
                  {"schedule", schedule_json(spec.schedule)},
                  {"grace_seconds", spec.grace.count() / 1000},
                  {"failures_before_alert", spec.failures_before_alert},
                  {"channels", spec.channels},
                  {"paused", spec.paused},
                  {"description", spec.description}};
    if (spec.max_run_time) document["max_run_time_seconds"] = spec.max_run_time->count() / 1000;
    if (spec.min_run_time) document["min_run_time_seconds"] = spec.min_run_time->count() / 1000;
    if (spec.realert_every) document["realert_seconds"] = spec.realert_every->count() / 1000;
    if (spec.tier) document["tier"] = *spec.tier;
    if (spec.project) document["project"] = *spec.project;
    if (with_key) document["ping_url_path"] = "/ping/" + spec.ping_key;
    const CheckStatus current = status.value_or(CheckStatus{});
    document["state"] = std::string(to_string(spec.paused ? CheckState::paused : current.state));
    document["since"] = status ? json(iso(current.since)) : json(nullptr);
    document["last_ping"] = optional_time(current.last_ping);
    document["last_success"] = optional_time(current.last_success);
    document["next_due"] = optional_time(current.next_due);
    document["consecutive_failures"] = current.consecutive_failures;
    document["reason"] = current.reason;
    return document;
}

json ping_json(const Ping& ping) {
    json document{{"kind", std::string(to_string(ping.kind))}, {"at", iso(ping.at)}, {"source", ping.source}};
    document["exit_code"] = ping.exit_code ? json(*ping.exit_code) : json(nullptr);
    document["rid"] = ping.rid ? json(*ping.rid) : json(nullptr);
    return document;
}

json alert_json(const Alert& alert) {
    return json{{"key", alert.key},
                {"kind", std::string(to_string(alert.kind))},
                {"check", alert.check},
                {"channel", alert.channel},
                {"created", iso(alert.created)},
                {"attempts", alert.attempts},
                {"sent", optional_time(alert.sent)},
                {"last_error", alert.last_error}};
}

// Seconds (or a duration like 6h, 30m, 10s) from a JSON field of a check definition.
std::optional<Duration> seconds_field(const json& document, std::string_view key) {
    auto found = document.find(key);
    if (found == document.end() || found->is_null()) return std::nullopt;
    if (!found->is_number_integer() || found->get<std::int64_t>() < 0) return Duration{-1};
    return Duration{found->get<std::int64_t>() * 1000};
}

// A check from the API's JSON (PUT /api/v1/checks/<name>); an error names the field.
Result<CheckSpec> check_from_json(std::string_view name, std::string_view body) {
    json document = json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return make_error("the body is not a JSON object");
    static const std::vector<std::string> k_known = {"period_seconds",
                                                     "cron",
                                                     "time_zone",
                                                     "grace_seconds",
                                                     "max_run_time_seconds",
                                                     "min_run_time_seconds",
                                                     "failures_before_alert",
                                                     "realert_seconds",
                                                     "tier",
                                                     "project",
                                                     "channels",
                                                     "paused",
                                                     "description"};
    for (const auto& [key, value] : document.items()) {
        if (std::find(k_known.begin(), k_known.end(), key) == k_known.end()) {
            return make_error(
                fmt::format("/{}: unknown field (known: period_seconds, cron, time_zone, "
                            "grace_seconds, max_run_time_seconds, min_run_time_seconds, "
                            "failures_before_alert, realert_seconds, tier, project, channels, paused, "
                            "description)",
                            key));
        }
    }
    CheckSpec spec;
    spec.name = std::string(name);
    auto period = seconds_field(document, "period_seconds");
    if (period && period->count() < 60'000) return make_error("/period_seconds: expected an integer of at least 60");
    spec.schedule.period = period;
    if (auto cron = document.find("cron"); cron != document.end()) {
        if (!cron->is_string()) return make_error("/cron: expected a string");
        spec.schedule.cron = cron->get<std::string>();
    }
    if (auto zone = document.find("time_zone"); zone != document.end()) {
        if (!zone->is_string()) return make_error("/time_zone: expected a string");
        spec.schedule.time_zone = zone->get<std::string>();
    }
    if (spec.schedule.period.has_value() == !spec.schedule.cron.empty()) {
        return make_error("/period_seconds, /cron: give exactly one of them");
    }
    if (auto grace = seconds_field(document, "grace_seconds")) {
        if (grace->count() < 0) return make_error("/grace_seconds: expected a non-negative integer");
        spec.grace = *grace;
    }
    for (auto [key, target] :
         {std::pair{"max_run_time_seconds", &spec.max_run_time}, std::pair{"min_run_time_seconds", &spec.min_run_time},
          std::pair{"realert_seconds", &spec.realert_every}}) {
        auto value = seconds_field(document, key);
        if (value && value->count() < 0) return make_error(fmt::format("/{}: expected a non-negative integer", key));
        *target = value;
    }
    if (auto failures = document.find("failures_before_alert"); failures != document.end()) {
        if (!failures->is_number_integer() || failures->get<int>() < 1 || failures->get<int>() > 1000) {
            return make_error("/failures_before_alert: expected an integer from 1 to 1000");
        }
        spec.failures_before_alert = failures->get<int>();
    }
    for (auto [key, target] : {std::pair{"tier", &spec.tier}, std::pair{"project", &spec.project}}) {
        if (auto found = document.find(key); found != document.end() && !found->is_null()) {
            if (!found->is_string()) return make_error(fmt::format("/{}: expected a string", key));
            *target = found->get<std::string>();
        }
    }
    if (auto channels = document.find("channels"); channels != document.end()) {
        if (!channels->is_array()) return make_error("/channels: expected an array of channel names");
        for (std::size_t i = 0; i < channels->size(); ++i) {
            if (!(*channels)[i].is_string()) return make_error(fmt::format("/channels/{}: expected a string", i));
            spec.channels.push_back((*channels)[i].get<std::string>());
        }
    }
    if (auto paused = document.find("paused"); paused != document.end()) {
        if (!paused->is_boolean()) return make_error("/paused: expected true or false");
        spec.paused = paused->get<bool>();
    }
    if (auto description = document.find("description"); description != document.end()) {
        if (!description->is_string()) return make_error("/description: expected a string");
        spec.description = description->get<std::string>();
    }
    return spec;
}

// A fixed window per client address: at most `limit` requests a minute.
class RateLimiter {
public:
    explicit RateLimiter(int per_minute) : m_limit(per_minute) {}

    // Seconds to wait when over the limit; nullopt when the request may go on.
    std::optional<int> check(const std::string& address, std::chrono::steady_clock::time_point now) {
        if (m_limit <= 0) return std::nullopt;
        std::lock_guard lock(m_mutex);
        const auto minute = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
        if (minute != m_minute) {
            m_counts.clear();
            m_minute = minute;
        }
        int& count = m_counts[address];
        if (count >= m_limit) {
            auto next = std::chrono::minutes{minute + 1} - now.time_since_epoch();
            return static_cast<int>(
                std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(next).count() + 1));
        }
        ++count;
        return std::nullopt;
    }

private:
    int m_limit;
    std::mutex m_mutex;
    std::int64_t m_minute = -1;
    std::unordered_map<std::string, int> m_counts;
};

// Counters for /metrics.
struct Metrics {
    std::mutex mutex;
    std::map<std::pair<std::string, int>, std::uint64_t> requests;        // (route, status)
    std::map<std::string, std::uint64_t> pings;                           // by kind
    std::map<std::string, std::uint64_t> ingested;                        // stored, already_stored, bundle, refused
    std::map<std::pair<std::string, std::string>, std::uint64_t> alerts;  // (channel, outcome)
    std::map<std::string, std::uint64_t> pruned;                          // runs, bundles, pings, alerts

    void count_request(std::string route, int status) {
        std::lock_guard lock(mutex);
        ++requests[{std::move(route), status}];
    }
    void count(std::map<std::string, std::uint64_t>& counters, const std::string& key) {
        std::lock_guard lock(mutex);
        ++counters[key];
    }
    void count_alert(const std::string& channel, const std::string& outcome) {
        std::lock_guard lock(mutex);
        ++alerts[{channel, outcome}];
    }
    void count_pruned(const std::string& what, std::int64_t count) {
        std::lock_guard lock(mutex);
        pruned[what] += static_cast<std::uint64_t>(count);
    }
};

// The route family a path belongs to, for metrics labels (bounded: never the raw path).
std::string route_of(std::string_view path) {
    if (path.starts_with("/ping/")) return "ping";
    if (path.starts_with("/api/v1/runs")) return "api_runs";
    if (path.starts_with("/api/v1/checks")) return "api_checks";
    if (path.starts_with("/api/")) return "api_other";
    if (path.starts_with("/zosmf/")) return "bridge";
    if (path == "/healthz") return "healthz";
    if (path == "/metrics") return "metrics";
    if (path.starts_with("/assets/")) return "assets";
    return "dashboard";
}

std::string escape_label(std::string_view value) {
    std::string escaped;
    for (char c : value) {
        if (c == '\\' || c == '"') escaped += '\\';
        if (c == '\n') {
            escaped += "\\n";
            continue;
        }
        escaped += c;
    }
    return escaped;
}

// Uploads a killed server left behind (.<run id>.upload-N.tar.gz, .<run id>.unpack-N): removed at start once an
// hour old, so that an upload in progress on a replica sharing the folder is left alone.
void remove_abandoned_uploads(const std::filesystem::path& bundles,
                              const std::function<void(const std::string&)>& log) {
    std::error_code error;
    const auto cutoff = std::filesystem::file_time_type::clock::now() - std::chrono::hours{1};
    std::size_t removed = 0;
    for (std::filesystem::directory_iterator entry(bundles, error), end; !error && entry != end;
         entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        if (!name.starts_with(".") ||
            (name.find(".upload-") == std::string::npos && name.find(".unpack-") == std::string::npos)) {
            continue;
        }
        std::error_code stat_error;
        if (std::filesystem::last_write_time(entry->path(), stat_error) > cutoff || stat_error) continue;
        std::error_code remove_error;
        std::filesystem::remove_all(entry->path(), remove_error);
        if (!remove_error) ++removed;
    }
    if (removed > 0)
        log(fmt::format("removed {} upload{} a stopped server left in {}", removed, removed == 1 ? "" : "s",
                        bundles.string()));
}

}  // namespace

Result<WatchRound> run_watch_round(Store& store, const std::vector<AlertChannel>& channels,
                                   const std::optional<HeartbeatOptions>& heartbeat, AlertSender& sender,
                                   WallTime now) {
    WatchRound round;
    auto checks = store.checks();
    if (!checks) return checks.error();
    for (const CheckSpec& spec : *checks) {
        auto evaluated = store.evaluate_check(spec.name, now,
                                              [](const CheckSpec& check, const std::optional<CheckStatus>& previous,
                                                 const std::vector<Ping>& pings, WallTime at) {
                                                  Evaluation evaluation = evaluate(check, previous, pings, at);
                                                  return evaluation;
                                              });
        if (!evaluated) return evaluated.error();
        if (*evaluated) {
            round.alerts_queued += static_cast<int>((*evaluated)->alerts.size());
            round.checks.emplace_back(spec, (*evaluated)->status);
        } else if (auto status = store.status(spec.name); status && *status) {
            round.checks.emplace_back(spec, **status);  // another server holds it right now
        }
    }
    if (heartbeat) {
        for (const std::string& channel : heartbeat->channels) {
            auto last = store.last_alert_of_kind(AlertKind::heartbeat, channel);
            if (!last) return last.error();
            if (auto due = heartbeat_due(channel, *last, heartbeat->every, now)) {
                auto queued = store.queue_alert(*due);
                if (!queued) return queued.error();
                if (*queued) ++round.alerts_queued;
            }
        }
    }
    auto claimed = store.claim_alerts(now, 50, std::chrono::minutes{2});
    if (!claimed) return claimed.error();
    for (const Alert& alert : *claimed) {
        auto channel = std::find_if(channels.begin(), channels.end(),
                                    [&](const AlertChannel& candidate) { return candidate.name == alert.channel; });
        if (channel == channels.end()) {
            (void)store.alert_failed(alert.key, fmt::format("no channel named {} is configured", alert.channel),
                                     now + std::chrono::hours{1});
            ++round.alerts_failed;
            continue;
        }
        DeliveryResult result = sender.send(alert, *channel);
        round.deliveries.push_back(WatchRound::Delivery{alert.channel,
                                                        result.outcome == DeliveryResult::Outcome::sent    ? "sent"
                                                        : result.outcome == DeliveryResult::Outcome::retry ? "retry"
                                                                                                           : "give_up",
                                                        result.error});
        if (result.outcome == DeliveryResult::Outcome::sent) {
            if (Status marked = store.alert_sent(alert.key, now); !marked) return marked.error();
            ++round.alerts_sent;
            continue;
        }
        ++round.alerts_failed;
        // A receiver that refuses outright is asked again much later; nothing is dropped.
        Duration delay = result.outcome == DeliveryResult::Outcome::retry
                             ? retry_delay(alert.attempts + 1, result.retry_after, std::hash<std::string>{}(alert.key))
                             : Duration{std::chrono::hours{6}};
        if (Status marked = store.alert_failed(alert.key, result.error, now + delay); !marked) return marked.error();
    }
    return round;
}

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
    RateLimiter limiter;
    Metrics metrics;
    std::mutex log_mutex;

    std::thread watchdog;
    std::mutex watchdog_mutex;
    std::condition_variable watchdog_wake;
    bool stopping = false;
    bool started = false;
    bool wake_pending = false;

    // Asks for a watchdog round soon (a ping or a run arrived, a check changed), so a client sees the state
    // follow; rounds still run at most every k_min_round_gap, however many pings arrive.
    void wake_watchdog() {
        {
            std::lock_guard lock(watchdog_mutex);
            wake_pending = true;
        }
        watchdog_wake.notify_one();
    }

    explicit Impl(ServeOptions serve_options)
        : options(std::move(serve_options)), limiter(options.requests_per_minute) {}

    void log(const std::string& message) {
        std::string line = "greenlight serve: " + message;
        std::lock_guard lock(log_mutex);
        if (options.log_sink) {
            options.log_sink(line);
        } else {
            std::cerr << line << '\n' << std::flush;
        }
    }

    WallTime now() const { return clock->now(); }

    // A store error: 503 when the database is away (the client may try again), 500 otherwise.
    void store_failed(const web::Request& request, web::Response& response, const util::Error& error) {
        const bool away = is_unavailable(error);
        log(fmt::format("{} {}: {}", away ? "database unavailable" : "store error", util::printable(request.path()),
                        error.message));
        if (away) response.set_header("Retry-After", "5");
        const int status = away ? 503 : 500;
        const std::string message = away ? "the database is unavailable; try again shortly" : "the store failed";
        if (wants_html(request)) {
            send_page(response, status, render_error_page(status, message));
        } else {
            send_problem(response, status, message);
        }
    }

    std::optional<TokenInfo> bearer(const web::Request& request, web::Response& response, TokenScope needed) {
        std::string header = request.get_header_value("Authorization");
        constexpr std::string_view k_prefix = "Bearer ";
        if (!header.starts_with(k_prefix)) {
            response.set_header("WWW-Authenticate", "Bearer realm=\"greenlight serve\"");
            send_problem(response, 401,
                         "a token is required: Authorization: Bearer <token> "
                         "(create one with `greenlight serve token create`)");
            return std::nullopt;
        }
        auto token = store->verify_token(std::string_view(header).substr(k_prefix.size()));
        if (!token) {
            store_failed(request, response, token.error());
            return std::nullopt;
        }
        if (!*token) {
            response.set_header("WWW-Authenticate", "Bearer realm=\"greenlight serve\", error=\"invalid_token\"");
            send_problem(response, 401, "the token is not known or was revoked");
            return std::nullopt;
        }
        if (needed == TokenScope::admin && (*token)->scope != TokenScope::admin) {
            send_problem(response, 403, "this token may ingest runs; this request needs an admin token");
            return std::nullopt;
        }
        return **token;
    }

    // Basic auth for the dashboard and the read API, when a users file is configured.
    bool viewer_allowed(const web::Request& request, web::Response& response) {
        if (!dashboard_users) return true;
        if (auto credentials = bridge::parse_basic_authorization(request.get_header_value("Authorization"))) {
            if (dashboard_users->authenticate(credentials->user, credentials->password)) return true;
        }
        response.set_header("WWW-Authenticate", "Basic realm=\"greenlight dashboard\"");
        if (wants_html(request)) {
            send_page(response, 401, render_error_page(401, "Sign in with a dashboard user."));
        } else {
            send_problem(response, 401, "basic authentication with a dashboard user is required");
        }
        return false;
    }

    void handle(const web::Request& request, web::Response& response);
    void handle_ping(const web::Request& request, web::Response& response, const std::vector<std::string>& segments,
                     const std::vector<std::pair<std::string, std::string>>& query);
    void handle_api(const web::Request& request, web::Response& response, const std::vector<std::string>& segments,
                    const std::vector<std::pair<std::string, std::string>>& query);
    void put_run(const web::Request& request, web::Response& response, const std::string& run_id);
    void put_bundle(const web::Request& request, web::Response& response, const std::string& run_id);
    void handle_dashboard(const web::Request& request, web::Response& response,
                          const std::vector<std::string>& segments,
                          const std::vector<std::pair<std::string, std::string>>& query);
    void serve_bundle_file(const web::Request& request, web::Response& response, const std::string& run_id,
                           const std::string& relative);
    void healthz(const web::Request& request, web::Response& response);
    void metrics_page(const web::Request& request, web::Response& response);
    void runs_counted_as_pings(const RunRecord& run);
    void watchdog_loop();
    // Removes what the retention policy no longer keeps; false when more is due than one pass removed.
    bool prune_history();
    std::int64_t remove_orphaned_bundles(Duration older_than);
};

void ServeServer::Impl::handle(const web::Request& request, web::Response& response) {
    const std::string_view path = request.path();
    if (auto wait = limiter.check(request.remote_address, std::chrono::steady_clock::now())) {
        response.set_header("Retry-After", std::to_string(*wait));
        send_problem(response, 429, "too many requests from this address; slow down");
        metrics.count_request(route_of(path), response.status);
        return;
    }
    if (path.starts_with("/zosmf/")) {
        if (!bridge) {
            send_problem(response, 404, "this server does not host the bridge (serve.bridge in greenlight.yml)");
        } else {
            bridge_handlers.handle(request, response);
        }
        metrics.count_request("bridge", response.status);
        return;
    }
    auto query = bridge::parse_query(request.query());
    if (!query) {
        send_problem(response, 400, "the query string is malformed or has too many parameters");
        metrics.count_request(route_of(path), response.status);
        return;
    }
    const std::vector<std::string> segments = split_path(path);
    if (!segments.empty() && segments[0] == "ping") {
        handle_ping(request, response, segments, *query);
    } else if (path == "/healthz") {
        healthz(request, response);
    } else if (path == "/metrics") {
        metrics_page(request, response);
    } else if (!segments.empty() && segments[0] == "api") {
        handle_api(request, response, segments, *query);
    } else if (path == k_dashboard_stylesheet_path) {
        response.set_header("Cache-Control", "max-age=300");
        response.set_content(std::string(dashboard_stylesheet()), "text/css; charset=utf-8");
    } else if (path == "/favicon.ico") {
        response.status = 204;
    } else {
        handle_dashboard(request, response, segments, *query);
    }
    metrics.count_request(route_of(path), response.status);
}

// /ping/<key>[/start|/fail|/log|/<exit code>][?rid=...]: GET, HEAD and POST (a POST body is kept, capped).
void ServeServer::Impl::handle_ping(const web::Request& request, web::Response& response,
                                    const std::vector<std::string>& segments,
                                    const std::vector<std::pair<std::string, std::string>>& query) {
    if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
        send_problem(response, 405, "pings are GET, HEAD or POST");
        return;
    }
    if (segments.size() < 2 || segments.size() > 3) {
        send_problem(response, 404,
                     "a ping is /ping/<key>, /ping/<key>/start, /ping/<key>/fail, "
                     "/ping/<key>/log or /ping/<key>/<exit code>");
        return;
    }
    Ping ping;
    ping.at = now();
    ping.source = "http";
    ping.kind = PingKind::success;
    if (segments.size() == 3) {
        const std::string& what = segments[2];
        int code = 0;
        auto [end, error] = std::from_chars(what.data(), what.data() + what.size(), code);
        if (what == "start") {
            ping.kind = PingKind::start;
        } else if (what == "fail") {
            ping.kind = PingKind::fail;
        } else if (what == "log") {
            ping.kind = PingKind::log;
        } else if (error == std::errc() && end == what.data() + what.size() && code >= 0 && code <= 255) {
            ping.exit_code = code;
            ping.kind = code == 0 ? PingKind::success : PingKind::fail;
        } else {
            send_problem(response, 404,
                         fmt::format("'{}' is not start, fail, log or an exit code from 0 to 255",
                                     util::printable(what.substr(0, 40))));
            return;
        }
    }
    if (auto rid = query_value(query, "rid")) {
        if (rid->size() > 128) {
            send_problem(response, 400, "rid is longer than 128 characters");
            return;
        }
        ping.rid = *rid;
    }
    ping.body = request.body.substr(0, k_max_ping_body);
    auto check = store->add_ping_by_key(segments[1], ping);
    if (!check) return store_failed(request, response, check.error());
    if (!*check) {
        send_problem(response, 404, "no check has this ping key");
        return;
    }
    metrics.count(metrics.pings, std::string(to_string(ping.kind)));
    response.set_content("OK\n", "text/plain; charset=utf-8");
    wake_watchdog();
}

void ServeServer::Impl::runs_counted_as_pings(const RunRecord& run) {
    auto checks = store->checks();
    if (!checks) return;
    for (const CheckSpec& spec : *checks) {
        if (!spec.tier || *spec.tier != run.tier) continue;
        if (spec.project && *spec.project != run.project) continue;
        Ping start;
        start.check = spec.name;
        start.kind = PingKind::start;
        start.rid = run.run_id;
        start.at = run.started;
        start.source = "run:" + run.run_id;
        Ping end = start;
        // A flaky pass is green by tier policy; the run's own verdict already applied it.
        end.kind = run.verdict == "pass" || run.verdict == "flaky" ? PingKind::success : PingKind::fail;
        end.at = run.ended;
        end.body = fmt::format("run {} ({} {}): {}", run.run_id, run.project, run.tier, run.verdict);
        (void)store->add_ping(start);
        (void)store->add_ping(end);
    }
    wake_watchdog();
}

namespace {

// A run id names a folder: checked before anything is built from it.
bool refuse_bad_run_id(web::Response& response, const std::string& run_id) {
    if (bundle::valid_run_id(run_id)) return false;
    send_problem(response, 400,
                 "a run id is letters, digits, '.', '_' and '-', starting with a letter or digit, "
                 "without '..'");
    return true;
}

}  // namespace

void ServeServer::Impl::put_run(const web::Request& request, web::Response& response, const std::string& run_id) {
    if (refuse_bad_run_id(response, run_id)) return;
    if (!bearer(request, response, TokenScope::ingest)) return;
    auto record = parse_run_report(request.body);
    if (!record) {
        metrics.count(metrics.ingested, "refused");
        send_problem(response, 422, record.message());
        return;
    }
    if (record->run_id != run_id) {
        metrics.count(metrics.ingested, "refused");
        send_problem(response, 422,
                     fmt::format("the report is of run {}, not of run {} named in the path", record->run_id, run_id));
        return;
    }
    record->received = now();
    auto stored = store->put_run(*record);
    if (!stored) return store_failed(request, response, stored.error());
    metrics.count(metrics.ingested, *stored ? "stored" : "already_stored");
    if (*stored) runs_counted_as_pings(*record);
    send_json(response, *stored ? 201 : 200,
              json{{"run_id", run_id}, {"stored", *stored}, {"url", "/runs/" + html::percent_encode(run_id)}});
}

// The packed bundle: written to a temporary file, verified against its manifest, unpacked next to the others.
void ServeServer::Impl::put_bundle(const web::Request& request, web::Response& response, const std::string& run_id) {
    if (refuse_bad_run_id(response, run_id)) return;
    if (!bearer(request, response, TokenScope::ingest)) return;
    std::error_code error;
    std::filesystem::create_directories(options.bundles_dir, error);
    const std::filesystem::path final_folder = options.bundles_dir / run_id;
    const std::filesystem::path archive =
        options.bundles_dir / fmt::format(".{}.upload-{}.tar.gz", run_id, std::random_device{}());
    if (Status written = util::write_file_atomic(archive, request.body); !written) {
        send_problem(response, 500, fmt::format("cannot keep the bundle: {}", written.message()));
        return;
    }
    auto record = read_run_from_packed_bundle(archive);
    if (!record) {
        std::filesystem::remove(archive, error);
        metrics.count(metrics.ingested, "refused");
        send_problem(response, 422, record.message());
        return;
    }
    if (record->run_id != run_id) {
        std::filesystem::remove(archive, error);
        send_problem(response, 422,
                     fmt::format("the bundle is of run {}, not of run {} named in the path", record->run_id, run_id));
        return;
    }
    const std::filesystem::path unpacked =
        options.bundles_dir / fmt::format(".{}.unpack-{}", run_id, std::random_device{}());
    if (Status opened = bundle::unpack_bundle(archive, unpacked); !opened) {
        std::filesystem::remove(archive, error);
        std::filesystem::remove_all(unpacked, error);
        send_problem(response, 422, opened.message());
        return;
    }
    std::filesystem::remove(archive, error);
    // A bundle kept before is the same verified bundle (its run id is its name): it stays, so its files are never
    // missing for a moment. The new copy appears whole, by one rename, or not at all.
    std::filesystem::rename(unpacked, final_folder, error);
    if (error) {
        std::filesystem::remove_all(unpacked, error);
        if (!std::filesystem::is_directory(final_folder, error)) {
            send_problem(response, 500, "cannot keep the bundle");
            return;
        }
    }
    record->received = now();
    record->has_bundle = true;
    auto stored = store->put_run(*record);
    if (!stored) return store_failed(request, response, stored.error());
    if (!*stored) {
        if (Status marked = store->set_bundle_stored(run_id); !marked) {
            return store_failed(request, response, marked.error());
        }
    } else {
        runs_counted_as_pings(*record);
    }
    metrics.count(metrics.ingested, "bundle");
    send_json(response, 201, json{{"run_id", run_id}, {"bundle", true}, {"stored", *stored}});
}

void ServeServer::Impl::handle_api(const web::Request& request, web::Response& response,
                                   const std::vector<std::string>& segments,
                                   const std::vector<std::pair<std::string, std::string>>& query) {
    const std::string& method = request.method;
    const bool read = method == "GET" || method == "HEAD";
    if (segments.size() < 3 || segments[1] != "v1") {
        send_problem(response, 404, "the API lives under /api/v1 (docs/API.md)");
        return;
    }
    const std::string& collection = segments[2];
    // Writes: ingestion (ingest token), checks (admin token).
    if (collection == "runs" && method == "PUT" && segments.size() == 4) return put_run(request, response, segments[3]);
    if (collection == "runs" && method == "PUT" && segments.size() == 5 && segments[4] == "bundle") {
        return put_bundle(request, response, segments[3]);
    }
    if (collection == "checks" && !read) {
        if (segments.size() < 4 || !config::is_valid_watch_name(segments[3])) {
            send_problem(response, 400, fmt::format("a check name is {}", config::k_watch_name_rule));
            return;
        }
        if (!bearer(request, response, TokenScope::admin)) return;
        const std::string& name = segments[3];
        if (method == "PUT" && segments.size() == 4) {
            auto spec = check_from_json(name, request.body);
            if (!spec) return send_problem(response, 422, spec.message());
            for (const std::string& channel : spec->channels) {
                if (std::none_of(options.channels.begin(), options.channels.end(),
                                 [&](const AlertChannel& known) { return known.name == channel; })) {
                    return send_problem(response, 422,
                                        fmt::format("/channels: no channel named {} is configured "
                                                    "(watch.channels in greenlight.yml)",
                                                    channel));
                }
            }
            auto existing = store->check(name);
            if (!existing) return store_failed(request, response, existing.error());
            if (*existing) spec->ping_key = (*existing)->ping_key;
            auto saved = store->put_check(*spec);
            if (!saved) return store_failed(request, response, saved.error());
            send_json(response, *existing ? 200 : 201, check_json(*saved, std::nullopt, true));
            wake_watchdog();
            return;
        }
        if (method == "DELETE" && segments.size() == 4) {
            if (Status deleted = store->delete_check(name); !deleted)
                return send_problem(response, 404, deleted.message());
            response.status = 204;
            return;
        }
        if (method == "POST" && segments.size() == 5 && (segments[4] == "pause" || segments[4] == "resume")) {
            Status changed = store->set_paused(name, segments[4] == "pause" ? Pause::paused : Pause::running);
            if (!changed) return send_problem(response, 404, changed.message());
            wake_watchdog();
            send_json(response, 200, json{{"check", name}, {"paused", segments[4] == "pause"}});
            return;
        }
        send_problem(response, 405, "checks take PUT, DELETE, and POST .../pause or .../resume");
        return;
    }
    if (!read) {
        send_problem(response, 405, fmt::format("{} is not a method of /api/v1/{}", method, collection));
        return;
    }
    if (!viewer_allowed(request, response)) return;
    if (collection == "runs" && segments.size() == 3) {
        RunFilter filter;
        filter.project = query_value(query, "project");
        filter.tier = query_value(query, "tier");
        filter.verdict = query_value(query, "verdict");
        filter.branch = query_value(query, "branch");
        filter.before_run_id = query_value(query, "before");
        if (auto limit = query_value(query, "limit")) {
            std::size_t parsed = 0;
            auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), parsed);
            if (error != std::errc() || end != limit->data() + limit->size() || parsed == 0 || parsed > 500) {
                return send_problem(response, 400, "limit: expected an integer from 1 to 500");
            }
            filter.limit = parsed;
        }
        auto runs = store->runs(filter);
        if (!runs) return store_failed(request, response, runs.error());
        json documents = json::array();
        for (const RunSummary& run : *runs) documents.push_back(run_summary_json(run));
        send_json(response, 200, json{{"runs", documents}});
        return;
    }
    if (collection == "runs" && segments.size() == 4) {
        auto run = store->run(segments[3]);
        if (!run) return store_failed(request, response, run.error());
        if (!*run) return send_problem(response, 404, fmt::format("no run {}", util::printable(segments[3])));
        send_json(response, 200, run_report_json(**run));
        return;
    }
    if (collection == "flaky" && segments.size() == 3) {
        int window = 20;
        if (auto runs = query_value(query, "runs")) {
            auto [end, error] = std::from_chars(runs->data(), runs->data() + runs->size(), window);
            if (error != std::errc() || end != runs->data() + runs->size() || window < 2 || window > 500) {
                return send_problem(response, 400, "runs: expected an integer from 2 to 500");
            }
        }
        auto flaky = store->flaky_tests(query_value(query, "tier"), window, 100);
        if (!flaky) return store_failed(request, response, flaky.error());
        json documents = json::array();
        for (const FlakyTest& test : *flaky) {
            documents.push_back(json{{"tier", test.tier},
                                     {"suite", test.suite},
                                     {"classname", test.classname},
                                     {"name", test.name},
                                     {"runs", test.runs},
                                     {"failures", test.failures},
                                     {"last_failed_run_id", test.last_failed_run_id}});
        }
        send_json(response, 200, json{{"window_runs", window}, {"tests", documents}});
        return;
    }
    if (collection == "trends" && segments.size() == 3) {
        auto tier = query_value(query, "tier");
        if (!tier) return send_problem(response, 400, "tier: required (e.g. ?tier=nightly)");
        auto runs = store->duration_trend(*tier, 100);
        if (!runs) return store_failed(request, response, runs.error());
        json documents = json::array();
        for (const RunSummary& run : *runs) documents.push_back(run_summary_json(run));
        send_json(response, 200, json{{"tier", *tier}, {"runs", documents}});
        return;
    }
    if (collection == "checks" && segments.size() == 3) {
        auto checks = store->checks_with_status();
        if (!checks) return store_failed(request, response, checks.error());
        json documents = json::array();
        for (const auto& [spec, status] : *checks) documents.push_back(check_json(spec, status, false));
        send_json(response, 200, json{{"now", iso(now())}, {"checks", documents}});
        return;
    }
    if (collection == "checks" && segments.size() == 4) {
        auto check = store->check(segments[3]);
        if (!check) return store_failed(request, response, check.error());
        if (!*check) return send_problem(response, 404, fmt::format("no check {}", util::printable(segments[3])));
        auto status = store->status(segments[3]);
        if (!status) return store_failed(request, response, status.error());
        auto pings = store->recent_pings(segments[3], 50);
        if (!pings) return store_failed(request, response, pings.error());
        json document = check_json(**check, *status, false);
        json ping_documents = json::array();
        for (auto ping = pings->rbegin(); ping != pings->rend(); ++ping) ping_documents.push_back(ping_json(*ping));
        document["pings"] = ping_documents;
        send_json(response, 200, document);
        return;
    }
    if (collection == "alerts" && segments.size() == 3) {
        auto alerts = store->alerts(100);
        if (!alerts) return store_failed(request, response, alerts.error());
        json documents = json::array();
        for (const Alert& alert : *alerts) documents.push_back(alert_json(alert));
        send_json(response, 200, json{{"alerts", documents}});
        return;
    }
    send_problem(response, 404, fmt::format("no such resource: {}", util::printable(request.path().substr(0, 200))));
}

void ServeServer::Impl::serve_bundle_file(const web::Request& request, web::Response& response,
                                          const std::string& run_id, const std::string& relative) {
    // Only files the bundle's manifest lists: nothing outside the bundle, whatever the path says.
    if (!bundle::valid_run_id(run_id)) {
        send_page(response, 404, render_error_page(404, "No such run."));
        return;
    }
    const std::filesystem::path folder = options.bundles_dir / run_id;
    std::ifstream manifest_stream(folder / "manifest.json", std::ios::binary);
    std::string manifest_text((std::istreambuf_iterator<char>(manifest_stream)), std::istreambuf_iterator<char>());
    auto manifest = bundle::parse_manifest_json(manifest_text);
    bool listed = relative == "manifest.json";
    if (manifest) {
        listed = listed || std::any_of(manifest->files.begin(), manifest->files.end(),
                                       [&](const auto& file) { return file.path == relative; });
    }
    if (!listed) {
        send_page(response, 404, render_error_page(404, "No such file in this run's bundle."));
        return;
    }
    std::ifstream file(folder / relative, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file.good() && !file.eof()) {
        send_page(response, 404, render_error_page(404, "The file cannot be read."));
        return;
    }
    (void)request;
    // Served as text or bytes, never as a page of this site.
    const bool text = relative.ends_with(".json") || relative.ends_with(".log") || relative.ends_with(".md") ||
                      relative.ends_with(".txt") || relative.ends_with(".xml");
    response.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_content(std::move(content), text ? "text/plain; charset=utf-8" : "application/octet-stream");
}

void ServeServer::Impl::handle_dashboard(const web::Request& request, web::Response& response,
                                         const std::vector<std::string>& segments,
                                         const std::vector<std::pair<std::string, std::string>>& query) {
    if (request.method != "GET" && request.method != "HEAD") {
        send_page(response, 405, render_error_page(405, "The dashboard is read-only."));
        return;
    }
    if (!viewer_allowed(request, response)) return;
    const std::string section = segments.empty() ? "runs" : segments[0];
    if (section == "runs" && segments.size() <= 1) {
        RunsPage page;
        page.filter.project = query_value(query, "project");
        page.filter.tier = query_value(query, "tier");
        page.filter.verdict = query_value(query, "verdict");
        page.filter.branch = query_value(query, "branch");
        page.filter.before_run_id = query_value(query, "before");
        page.filter.limit = 51;
        auto runs = store->runs(page.filter);
        if (!runs) return store_failed(request, response, runs.error());
        page.filter.limit = 50;
        page.has_older = runs->size() > 50;
        if (page.has_older) runs->resize(50);
        page.runs = std::move(*runs);
        for (const RunSummary& run : page.runs) {
            for (auto [list, value] :
                 {std::pair{&page.known_tiers, &run.tier}, std::pair{&page.known_projects, &run.project},
                  std::pair{&page.known_branches, &run.branch}}) {
                if (!value->empty() && std::find(list->begin(), list->end(), *value) == list->end()) {
                    list->push_back(*value);
                }
            }
        }
        return send_page(response, 200, render_runs_page(page));
    }
    if (section == "runs" && segments.size() >= 2) {
        auto run = store->run(segments[1]);
        if (!run) return store_failed(request, response, run.error());
        if (!*run) return send_page(response, 404, render_error_page(404, "No run has this id."));
        if (segments.size() >= 4 && segments[2] == "bundle") {
            std::string relative;
            for (std::size_t i = 3; i < segments.size(); ++i) relative += (i > 3 ? "/" : "") + segments[i];
            return serve_bundle_file(request, response, segments[1], relative);
        }
        RunPage page;
        page.run = std::move(**run);
        if (page.run.has_bundle) {
            std::ifstream manifest_stream(options.bundles_dir / page.run.run_id / "manifest.json", std::ios::binary);
            std::string text((std::istreambuf_iterator<char>(manifest_stream)), std::istreambuf_iterator<char>());
            if (auto manifest = bundle::parse_manifest_json(text)) {
                for (const auto& file : manifest->files) page.bundle_files.push_back(file.path);
            }
        }
        return send_page(response, 200, render_run_page(page));
    }
    if (section == "flaky") {
        FlakyPage page;
        page.tier = query_value(query, "tier");
        page.window_runs = 20;
        auto flaky = store->flaky_tests(page.tier, page.window_runs, 100);
        if (!flaky) return store_failed(request, response, flaky.error());
        page.tests = std::move(*flaky);
        return send_page(response, 200, render_flaky_page(page));
    }
    if (section == "trends") {
        TrendsPage page;
        page.tier = query_value(query, "tier");
        RunFilter recent;
        recent.limit = 200;
        auto runs = store->runs(recent);
        if (!runs) return store_failed(request, response, runs.error());
        for (const RunSummary& run : *runs) {
            if (std::find(page.known_tiers.begin(), page.known_tiers.end(), run.tier) == page.known_tiers.end()) {
                page.known_tiers.push_back(run.tier);
            }
        }
        std::sort(page.known_tiers.begin(), page.known_tiers.end());
        for (const std::string& tier : page.known_tiers) {
            if (page.tier && *page.tier != tier) continue;
            auto trend = store->duration_trend(tier, 100);
            if (!trend) return store_failed(request, response, trend.error());
            page.trends.push_back(TierTrend{tier, std::move(*trend)});
        }
        return send_page(response, 200, render_trends_page(page));
    }
    if (section == "checks") {
        const PingKeyVisibility keys = dashboard_users ? PingKeyVisibility::shown : PingKeyVisibility::hidden;
        if (segments.size() == 1) {
            auto checks = store->checks_with_status();
            if (!checks) return store_failed(request, response, checks.error());
            ChecksPage page;
            page.now = now();
            page.ping_keys = keys;
            page.public_url = options.public_url;
            for (auto& [spec, status] : *checks) page.checks.push_back(CheckView{spec, status.value_or(CheckStatus{})});
            return send_page(response, 200, render_checks_page(page));
        }
        auto check = store->check(segments[1]);
        if (!check) return store_failed(request, response, check.error());
        if (!*check) return send_page(response, 404, render_error_page(404, "No check has this name."));
        auto status = store->status(segments[1]);
        if (!status) return store_failed(request, response, status.error());
        auto pings = store->recent_pings(segments[1], 50);
        if (!pings) return store_failed(request, response, pings.error());
        auto alerts = store->alerts(200);
        if (!alerts) return store_failed(request, response, alerts.error());
        CheckPage page;
        page.check = CheckView{**check, status->value_or(CheckStatus{})};
        page.pings.assign(pings->rbegin(), pings->rend());
        for (const Alert& alert : *alerts) {
            if (alert.check == segments[1]) page.alerts.push_back(alert);
        }
        page.now = now();
        page.ping_keys = keys;
        page.public_url = options.public_url;
        return send_page(response, 200, render_check_page(page));
    }
    if (section == "jobs") {
        if (!bridge_jobs) {
            return send_page(response, 200, render_jobs_page(JobsPage{{}, BridgeAvailability::disabled}));
        }
        if (segments.size() == 1) {
            bridge::ListFilter filter;
            filter.max_jobs = 200;
            auto jobs = bridge_jobs->list(filter);
            if (!jobs) return send_page(response, 500, render_error_page(500, jobs.message()));
            return send_page(response, 200, render_jobs_page(JobsPage{std::move(*jobs), BridgeAvailability::enabled}));
        }
        if (segments.size() < 3) return send_page(response, 404, render_error_page(404, "A job is /jobs/<name>/<id>."));
        auto job = bridge_jobs->find(segments[1], segments[2]);
        if (!job) return send_page(response, 500, render_error_page(500, job.message()));
        if (!*job) return send_page(response, 404, render_error_page(404, "No such job."));
        auto files = bridge_jobs->spool_files((*job)->jobid);
        if (!files) return send_page(response, 500, render_error_page(500, files.message()));
        if (segments.size() == 5 && segments[3] == "files") {
            int id = 0;
            auto [end, error] = std::from_chars(segments[4].data(), segments[4].data() + segments[4].size(), id);
            if (error != std::errc() || end != segments[4].data() + segments[4].size()) {
                return send_page(response, 404, render_error_page(404, "A spool file is named by its number."));
            }
            auto records = bridge_jobs->read_records((*job)->jobid, id);
            if (!records) return send_page(response, 404, render_error_page(404, "No such spool file."));
            return send_page(response, 200,
                             render_spool_page(SpoolPage{**job, std::move(*files), id, std::move(*records)}));
        }
        return send_page(response, 200, render_job_page(JobPage{**job, std::move(*files)}));
    }
    send_page(response, 404, render_error_page(404, "No such page."));
}

void ServeServer::Impl::healthz(const web::Request& request, web::Response& response) {
    (void)request;
    if (Status available = store->check_available(); !available) {
        response.set_header("Retry-After", "5");
        send_json(response, 503, json{{"status", "unavailable"}, {"database", "unavailable"}});
        return;
    }
    send_json(response, 200, json{{"status", "ok"}, {"database", "ok"}, {"bridge", bridge != nullptr}});
}

void ServeServer::Impl::metrics_page(const web::Request& request, web::Response& response) {
    if (!viewer_allowed(request, response)) return;
    std::string text;
    {
        std::lock_guard lock(metrics.mutex);
        text += "# HELP greenlight_http_requests_total HTTP requests answered, by route family and status.\n";
        text += "# TYPE greenlight_http_requests_total counter\n";
        for (const auto& [key, count] : metrics.requests) {
            text += fmt::format("greenlight_http_requests_total{{route=\"{}\",code=\"{}\"}} {}\n", key.first,
                                key.second, count);
        }
        text += "# HELP greenlight_pings_total Pings received, by kind.\n# TYPE greenlight_pings_total counter\n";
        for (const auto& [kind, count] : metrics.pings) {
            text += fmt::format("greenlight_pings_total{{kind=\"{}\"}} {}\n", kind, count);
        }
        text +=
            "# HELP greenlight_ingestions_total Run reports and bundles received, by outcome.\n"
            "# TYPE greenlight_ingestions_total counter\n";
        for (const auto& [outcome, count] : metrics.ingested) {
            text += fmt::format("greenlight_ingestions_total{{outcome=\"{}\"}} {}\n", outcome, count);
        }
        text +=
            "# HELP greenlight_alert_sends_total Alert deliveries, by channel and outcome.\n"
            "# TYPE greenlight_alert_sends_total counter\n";
        for (const auto& [key, count] : metrics.alerts) {
            text += fmt::format("greenlight_alert_sends_total{{channel=\"{}\",outcome=\"{}\"}} {}\n",
                                escape_label(key.first), key.second, count);
        }
        text +=
            "# HELP greenlight_retention_removed_total History removed by the retention policy, by kind.\n"
            "# TYPE greenlight_retention_removed_total counter\n";
        for (const char* what : {"runs", "bundles", "pings", "alerts"}) {
            auto found = metrics.pruned.find(what);
            text += fmt::format("greenlight_retention_removed_total{{what=\"{}\"}} {}\n", what,
                                found == metrics.pruned.end() ? 0 : found->second);
        }
    }
    auto states = store->check_state_counts();
    if (!states) return store_failed(request, response, states.error());
    text += "# HELP greenlight_checks Watchdog checks, by state.\n# TYPE greenlight_checks gauge\n";
    for (CheckState state :
         {CheckState::new_check, CheckState::up, CheckState::late, CheckState::down, CheckState::paused}) {
        auto found = states->find(state);
        text += fmt::format("greenlight_checks{{state=\"{}\"}} {}\n", to_string(state),
                            found == states->end() ? 0 : found->second);
    }
    text += fmt::format(
        "# HELP greenlight_up Whether the database answers.\n# TYPE greenlight_up gauge\n"
        "greenlight_up {}\n",
        store->check_available() ? 1 : 0);
    response.set_content(std::move(text), "text/plain; version=0.0.4; charset=utf-8");
}

bool ServeServer::Impl::prune_history() {
    const Retention& retention = options.retention;
    if (!retention.runs && !retention.pings && !retention.alerts) return true;
    const WallTime at = now();
    auto pruned = store->prune(retention, at);
    if (!pruned) {
        log(fmt::format("retention: pruning failed: {}", pruned.message()));
        return true;  // tried again at the next interval
    }
    std::int64_t bundles = 0;
    for (const std::string& run_id : pruned->runs_with_bundles) {
        // Run ids were checked to be plain folder names when the run was stored.
        std::error_code error;
        if (bundle::valid_run_id(run_id) && std::filesystem::remove_all(options.bundles_dir / run_id, error) > 0) {
            ++bundles;
        }
    }
    if (retention.runs) bundles += remove_orphaned_bundles(*retention.runs);
    metrics.count_pruned("runs", pruned->runs);
    metrics.count_pruned("bundles", bundles);
    metrics.count_pruned("pings", pruned->pings);
    metrics.count_pruned("alerts", pruned->alerts);
    if (pruned->runs + bundles + pruned->pings + pruned->alerts > 0) {
        log(fmt::format("retention: removed {} run{}, {} bundle folder{}, {} ping{} and {} sent alert{}", pruned->runs,
                        pruned->runs == 1 ? "" : "s", bundles, bundles == 1 ? "" : "s", pruned->pings,
                        pruned->pings == 1 ? "" : "s", pruned->alerts, pruned->alerts == 1 ? "" : "s"));
    }
    return pruned->complete;
}

// Bundle folders whose run is gone, last written longer ago than the runs' retention: left by a server
// stopped between deleting a run and its folder, or by a replica sharing the folder. Newer folders are never
// touched: an upload may still be on its way to its run.
std::int64_t ServeServer::Impl::remove_orphaned_bundles(Duration older_than) {
    std::int64_t removed = 0;
    const auto file_cutoff = std::chrono::file_clock::now() - older_than;
    std::error_code error;
    for (std::filesystem::directory_iterator entry(options.bundles_dir, error), end; !error && entry != end;
         entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        if (name.starts_with(".") || !bundle::valid_run_id(name) || !entry->is_directory()) continue;
        std::error_code stat_error;
        if (std::filesystem::last_write_time(entry->path(), stat_error) > file_cutoff || stat_error) continue;
        auto run = store->run(name);
        if (!run || *run) continue;
        std::error_code remove_error;
        if (std::filesystem::remove_all(entry->path(), remove_error) > 0 && !remove_error) ++removed;
    }
    return removed;
}

void ServeServer::Impl::watchdog_loop() {
    std::unique_lock lock(watchdog_mutex);
    bool reported_failure = false;
    auto next_prune = std::chrono::steady_clock::now();
    while (!stopping) {
        lock.unlock();
        if (std::chrono::steady_clock::now() >= next_prune) {
            const bool complete = prune_history();
            // More due than one pass removes: the next pass comes with the next round.
            next_prune = std::chrono::steady_clock::now() + (complete ? options.retention_interval : Duration{0});
        }
        auto round = run_watch_round(*store, options.channels, options.heartbeat, *sender, now());
        if (!round) {
            if (!reported_failure) log(fmt::format("watchdog round failed: {}", round.message()));
            reported_failure = true;
        } else {
            if (reported_failure) log("watchdog rounds succeed again");
            reported_failure = false;
            for (const WatchRound::Delivery& delivery : round->deliveries) {
                metrics.count_alert(delivery.channel, delivery.outcome);
                if (delivery.outcome != "sent") {
                    log(fmt::format("alert to {} not delivered ({}): {}", delivery.channel, delivery.outcome,
                                    delivery.error));
                }
            }
        }
        lock.lock();
        const auto round_ended = std::chrono::steady_clock::now();
        watchdog_wake.wait_for(lock, options.watchdog_interval, [this] { return stopping || wake_pending; });
        if (wake_pending && !stopping) {
            // Woken early: not sooner than the minimum gap after the last round.
            const auto earliest =
                round_ended + std::min<std::chrono::steady_clock::duration>(k_min_round_gap, options.watchdog_interval);
            watchdog_wake.wait_until(lock, earliest, [this] { return stopping; });
        }
        wake_pending = false;
    }
}

ServeServer::ServeServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ServeServer::~ServeServer() {
    stop();
}

Result<std::unique_ptr<ServeServer>> ServeServer::open(ServeOptions options) {
    auto impl = std::make_unique<Impl>(std::move(options));
    Impl& self = *impl;
    self.clock = self.options.clock ? self.options.clock : &system_clock();
    auto store = Store::open(self.options.database_url, *self.clock);
    if (!store) return store.error();
    self.store = std::move(*store);
    if (Status synced = self.store->sync_checks_from_config(self.options.config_checks); !synced) {
        return synced.error();
    }
    if (self.options.dashboard_users) {
        auto users = bridge::Authenticator::create(*self.options.dashboard_users,
                                                   [&self](const std::string& line) { self.log(line); });
        if (!users) return users.error();
        self.dashboard_users = std::move(*users);
    }
    if (self.options.bridge) {
        bridge::ServerOptions bridge_options = *self.options.bridge;
        bridge_options.listen = bridge::Listen::no;
        bridge_options.host = self.options.host;
        bridge_options.port = self.options.port;
        auto bridge_server = bridge::Server::open(std::move(bridge_options));
        if (!bridge_server) return make_error(fmt::format("bridge: {}", bridge_server.message()));
        self.bridge = std::move(*bridge_server);
        self.bridge_handlers = self.bridge->handlers();
        auto jobs = bridge::JobStore::open(self.options.bridge->state_dir,
                                           bridge::OpenOptions{bridge::Recovery::skip, nullptr});
        if (!jobs) return make_error(fmt::format("bridge: {}", jobs.message()));
        self.bridge_jobs = std::make_unique<bridge::JobStore>(std::move(*jobs));
    }
    remove_abandoned_uploads(self.options.bundles_dir, [&self](const std::string& line) { self.log(line); });
    self.sender = self.options.sender ? std::move(self.options.sender)
                                      : make_http_alert_sender(self.options.public_url, std::chrono::seconds{10});

    web::HttpServerOptions http_options;
    http_options.host = self.options.host;
    http_options.port = self.options.port;
    http_options.tls_certificate = self.options.tls_certificate;
    http_options.tls_key = self.options.tls_key;
    http_options.max_body_bytes = self.options.max_body_bytes;
    // On PostgreSQL a ping waits on the worker pool while the batch before it is written: the more pings may
    // wait, the more one commit carries when the disk is slow to sync. SQLite's pings queue for its one writer
    // instead, where more threads only add switching.
    http_options.worker_threads = self.store->kind() == DatabaseKind::postgresql ? 64 : 16;
    web::HttpHandlers handlers;
    handlers.handle = [&self](const web::Request& request, web::Response& response) { self.handle(request, response); };
    // Every request may touch the database, so all run on the worker pool; the bridge's status polls are
    // answered from its cache on the event loop.
    handlers.may_block = [&self](const web::Request& request) {
        if (self.bridge && request.path().starts_with("/zosmf/") && self.bridge_handlers.may_block) {
            return self.bridge_handlers.may_block(request);
        }
        if (self.bridge && request.path().starts_with("/zosmf/")) {
            return request.method != "GET" && request.method != "HEAD";
        }
        return request.path() != "/assets/dashboard.css";
    };
    handlers.fill_error = [](web::Response& response) {
        send_problem(response, response.status,
                     response.status == 413   ? "the request body is too large"
                     : response.status == 431 ? "the request headers are too large"
                     : response.status == 414
                         ? "the request target is too long"
                         : fmt::format("the request could not be served (HTTP {})", response.status));
    };
    handlers.failed = [&self](const std::string& what) { self.log(fmt::format("request failed: {}", what)); };
    if (self.options.debug) {
        handlers.answered = [&self](std::string_view method, std::string_view target, const web::Response& response,
                                    std::chrono::microseconds elapsed) {
            // Ping keys are secrets: the log shows only the route family of a ping.
            std::string_view shown = target.starts_with("/ping/") ? "/ping/..." : target.substr(0, 200);
            self.log(fmt::format("debug: {} {} {} {:.1f}ms", util::printable(method), util::printable(shown),
                                 response.status, static_cast<double>(elapsed.count()) / 1000.0));
        };
    }
    auto http = web::HttpServer::create(std::move(http_options), std::move(handlers));
    if (!http) return http.error();
    self.http = std::move(*http);
    return std::unique_ptr<ServeServer>(new ServeServer(std::move(impl)));
}

Status ServeServer::start() {
    Impl& impl = *m_impl;
    if (impl.started) return make_error("the server was started already");
    if (Status listening = impl.http->start(); !listening) return listening;
    if (impl.bridge) {
        if (Status started = impl.bridge->start(); !started) {
            impl.http->stop();
            return make_error(fmt::format("bridge: {}", started.message()));
        }
    }
    impl.started = true;
    impl.watchdog = std::thread([&impl] { impl.watchdog_loop(); });
    return {};
}

int ServeServer::port() const {
    return m_impl->http->port();
}

std::string ServeServer::url() const {
    const std::string& host = m_impl->options.host;
    return fmt::format("{}://{}:{}", m_impl->http->tls() ? "https" : "http",
                       host.find(':') != std::string::npos ? "[" + host + "]" : host, port());
}

void ServeServer::stop() {
    if (!m_impl || !m_impl->started) return;
    Impl& impl = *m_impl;
    {
        std::lock_guard lock(impl.watchdog_mutex);
        if (impl.stopping) return;
        impl.stopping = true;
    }
    impl.watchdog_wake.notify_all();
    impl.http->stop();
    if (impl.watchdog.joinable()) impl.watchdog.join();
    if (impl.bridge) impl.bridge->stop();
}

}  // namespace greenlight::serve
