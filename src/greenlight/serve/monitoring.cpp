// /healthz and /metrics: whether the database answers, and the server's counters in Prometheus' text format.
#include "greenlight/serve/monitoring.hpp"

#include <fmt/format.h>

#include "greenlight/serve/server_internal.hpp"

namespace greenlight::serve::detail {

namespace {

using nlohmann::json;
using util::Status;

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

}  // namespace

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

void healthz(Impl& server, const Exchange& exchange) {
    web::Response& response = exchange.response;
    if (Status available = server.store->check_available(); !available) {
        response.set_header("Retry-After", "5");
        send_json(response, 503, json{{"status", "unavailable"}, {"database", "unavailable"}});
        return;
    }
    send_json(response, 200, json{{"status", "ok"}, {"database", "ok"}, {"bridge", server.bridge != nullptr}});
}

void metrics_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    Metrics& metrics = server.metrics;
    if (!server.viewer_allowed(request, response)) return;
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
            "# HELP greenlight_watchdog_rounds_total Watchdog rounds this server finished, by outcome.\n"
            "# TYPE greenlight_watchdog_rounds_total counter\n";
        for (const char* outcome : {"ok", "failed"}) {
            auto found = metrics.watchdog_rounds.find(outcome);
            text += fmt::format("greenlight_watchdog_rounds_total{{outcome=\"{}\"}} {}\n", outcome,
                                found == metrics.watchdog_rounds.end() ? 0 : found->second);
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
    auto states = server.store->check_state_counts();
    if (!states) return server.store_failed(request, response, states.error());
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
        server.store->check_available() ? 1 : 0);
    response.set_content(std::move(text), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace greenlight::serve::detail
