// The watchdog's API: checks defined, changed, paused and removed with an admin token (PUT, DELETE, POST
// .../pause and .../resume under /api/v1/checks/<name>), checks and their recent pings read, and the alerts.
#include <fmt/format.h>

#include <algorithm>

#include "greenlight/config/serve_config.hpp"
#include "greenlight/serve/api_json.hpp"
#include "greenlight/serve/server_internal.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::serve::detail {

namespace {

using nlohmann::json;
using util::Status;

void refuse_check_name(web::Response& response) {
    send_problem(response, 400, fmt::format("a check name is {}", config::k_watch_name_rule));
}

// A write to a check: its name is checked first, then the admin token. False when the request was answered.
bool check_write_allowed(Impl& server, const Exchange& exchange) {
    if (!config::is_valid_watch_name(exchange.param("name"))) {
        refuse_check_name(exchange.response);
        return false;
    }
    return server.bearer(exchange.request, exchange.response, TokenScope::admin).has_value();
}

void set_paused(Impl& server, const Exchange& exchange, Pause pause) {
    if (!check_write_allowed(server, exchange)) return;
    const std::string& name = exchange.param("name");
    web::Response& response = exchange.response;
    Status changed = server.store->set_paused(name, pause);
    if (!changed) return send_problem(response, 404, changed.message());
    server.wake_watchdog();
    send_json(response, 200, json{{"check", name}, {"paused", pause == Pause::paused}});
}

}  // namespace

void api_put_check(Impl& server, const Exchange& exchange) {
    if (!check_write_allowed(server, exchange)) return;
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    const std::string& name = exchange.param("name");
    auto spec = check_from_json(name, request.body);
    if (!spec) return send_problem(response, 422, spec.message());
    for (const std::string& channel : spec->channels) {
        if (std::none_of(server.options.channels.begin(), server.options.channels.end(),
                         [&](const AlertChannel& known) { return known.name == channel; })) {
            return send_problem(response, 422,
                                fmt::format("/channels: no channel named {} is configured "
                                            "(watch.channels in greenlight.yml)",
                                            channel));
        }
    }
    auto existing = server.store->check(name);
    if (!existing) return server.store_failed(request, response, existing.error());
    if (*existing) spec->ping_key = (*existing)->ping_key;
    auto saved = server.store->put_check(*spec);
    if (!saved) return server.store_failed(request, response, saved.error());
    send_json(response, *existing ? 200 : 201, check_json(*saved, std::nullopt, true));
    server.wake_watchdog();
}

void api_delete_check(Impl& server, const Exchange& exchange) {
    if (!check_write_allowed(server, exchange)) return;
    if (Status deleted = server.store->delete_check(exchange.param("name")); !deleted) {
        return send_problem(exchange.response, 404, deleted.message());
    }
    exchange.response.status = 204;
}

void api_pause_check(Impl& server, const Exchange& exchange) {
    set_paused(server, exchange, Pause::paused);
}

void api_resume_check(Impl& server, const Exchange& exchange) {
    set_paused(server, exchange, Pause::running);
}

void api_refuse_nameless_check_write(Impl& server, const Exchange& exchange) {
    (void)server;
    refuse_check_name(exchange.response);
}

void api_refuse_check_write(Impl& server, const Exchange& exchange) {
    if (!check_write_allowed(server, exchange)) return;
    send_problem(exchange.response, 405, "checks take PUT, DELETE, and POST .../pause or .../resume");
}

void api_list_checks(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    auto checks = server.store->checks_with_status();
    if (!checks) return server.store_failed(request, response, checks.error());
    json documents = json::array();
    for (const auto& [spec, status] : *checks) documents.push_back(check_json(spec, status, false));
    send_json(response, 200, json{{"now", iso(server.now())}, {"checks", documents}});
}

void api_get_check(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    const std::string& name = exchange.param("name");
    auto check = server.store->check(name);
    if (!check) return server.store_failed(request, response, check.error());
    if (!*check) return send_problem(response, 404, fmt::format("no check {}", util::printable(name)));
    auto status = server.store->status(name);
    if (!status) return server.store_failed(request, response, status.error());
    auto pings = server.store->recent_pings(name, 50);
    if (!pings) return server.store_failed(request, response, pings.error());
    json document = check_json(**check, *status, false);
    json ping_documents = json::array();
    for (auto ping = pings->rbegin(); ping != pings->rend(); ++ping) ping_documents.push_back(ping_json(*ping));
    document["pings"] = ping_documents;
    send_json(response, 200, document);
}

void api_list_alerts(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    auto alerts = server.store->alerts(100);
    if (!alerts) return server.store_failed(request, response, alerts.error());
    json documents = json::array();
    for (const Alert& alert : *alerts) documents.push_back(alert_json(alert));
    send_json(response, 200, json{{"alerts", documents}});
}

}  // namespace greenlight::serve::detail
