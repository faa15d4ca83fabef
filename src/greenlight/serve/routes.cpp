// The route table of `greenlight serve` and its matching: every path the server answers (the bridge's /zosmf/
// aside), the method each route takes, and the answers when no route fits: 404 for an unknown path, 405 for a
// method the path does not take.
#include "greenlight/serve/routes.hpp"

#include <fmt/format.h>

#include <array>

#include "greenlight/bridge/http_input.hpp"
#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/server_internal.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::serve::detail {

namespace {

bool is_read(std::string_view method) {
    return method == "GET" || method == "HEAD";
}

// What a route family answers when none of its routes fits.

void refuse_ping(Impl& server, const Exchange& exchange) {
    (void)server;
    if (!allows(Methods::read_or_post, exchange.request.method)) {
        send_problem(exchange.response, 405, "pings are GET, HEAD or POST");
        return;
    }
    send_problem(exchange.response, 404,
                 "a ping is /ping/<key>, /ping/<key>/start, /ping/<key>/fail, "
                 "/ping/<key>/log or /ping/<key>/<exit code>");
}

// Under /api/v1/<collection>: a write no route takes is 405; a read of no resource is 404 (to a viewer).
void refuse_api_request(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!is_read(request.method)) {
        send_problem(response, 405,
                     fmt::format("{} is not a method of /api/v1/{}", request.method, exchange.param("collection")));
        return;
    }
    if (!server.viewer_allowed(request, response)) return;
    send_problem(response, 404, fmt::format("no such resource: {}", util::printable(request.path().substr(0, 200))));
}

void refuse_outside_api_v1(Impl& server, const Exchange& exchange) {
    (void)server;
    send_problem(exchange.response, 404, "the API lives under /api/v1 (docs/API.md)");
}

// The dashboard is read-only; a read of no page is 404 (to a viewer).
void refuse_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!is_read(request.method)) {
        send_page(response, 405, render_error_page(405, "The dashboard is read-only."));
        return;
    }
    if (!server.viewer_allowed(request, response)) return;
    send_page(response, 404, render_error_page(404, "No such page."));
}

// The order is the precedence: the first route whose methods and path match answers. Each family ends in a route
// that takes any method under its prefix, so a request never falls through to the next family.
const auto k_routes = std::to_array<Route>({
    // Pings: open to anyone who knows a check's key.
    {Methods::read_or_post, "/ping/{key}", receive_ping},
    {Methods::read_or_post, "/ping/{key}/{what}", receive_ping},
    {Methods::any, "/ping/**", refuse_ping},

    // Monitoring: any method, the exact path only.
    {Methods::any, exact("/healthz"), healthz},
    {Methods::any, exact("/metrics"), metrics_page},

    // The API. Writes: ingestion (an ingest token), checks (an admin token, after the check's name).
    {Methods::put, "/api/v1/runs/{run_id}", put_run},
    {Methods::put, "/api/v1/runs/{run_id}/bundle", put_bundle},
    {Methods::put, "/api/v1/checks/{name}", api_put_check},
    {Methods::delete_, "/api/v1/checks/{name}", api_delete_check},
    {Methods::post, "/api/v1/checks/{name}/pause", api_pause_check},
    {Methods::post, "/api/v1/checks/{name}/resume", api_resume_check},
    {Methods::post, exact("/api/v1/promotions/decisions"), api_post_promotion_decision},
    {Methods::post, exact("/api/v1/promotions/attempts"), api_post_promotion_attempt},
    {Methods::write, "/api/v1/checks", api_refuse_nameless_check_write},
    {Methods::write, "/api/v1/checks/{name}/**", api_refuse_check_write},
    // Reads, for dashboard users when a users file is configured.
    {Methods::read, "/api/v1/runs", api_list_runs},
    {Methods::read, "/api/v1/runs/{run_id}", api_get_run},
    {Methods::read, "/api/v1/flaky", api_flaky_tests},
    {Methods::read, "/api/v1/trends", api_duration_trend},
    {Methods::read, "/api/v1/checks", api_list_checks},
    {Methods::read, "/api/v1/checks/{name}", api_get_check},
    {Methods::read, "/api/v1/alerts", api_list_alerts},
    {Methods::read, exact("/api/v1/promotions"), api_list_promotions},
    {Methods::read, exact("/api/v1/promotions/attempts"), api_list_promotion_attempts},
    {Methods::read, exact("/api/v1/promotions/decisions"), api_list_promotion_decisions},
    {Methods::any, "/api/v1/{collection}/**", refuse_api_request},
    {Methods::any, "/api/**", refuse_outside_api_v1},

    // Assets: any method, the exact path only.
    {Methods::any, exact(k_dashboard_stylesheet_path), stylesheet},
    {Methods::any, exact("/favicon.ico"), favicon},

    // The dashboard: read-only, for dashboard users when a users file is configured. Segments after a run's
    // id, a check's name, /flaky and /trends are ignored.
    {Methods::read, "/", runs_page},
    {Methods::read, "/runs", runs_page},
    {Methods::read, "/runs/{run_id}/bundle/{file...}", bundle_file},
    {Methods::read, "/runs/{run_id}/**", run_page},
    {Methods::read, "/flaky/**", flaky_page},
    {Methods::read, "/trends/**", trends_page},
    {Methods::read, "/checks", checks_page},
    {Methods::read, "/checks/{name}/**", check_page},
    {Methods::read, "/promotions", promotions_page},
    {Methods::read, "/jobs", jobs_page},
    {Methods::read, "/jobs/{name}/{id}/files/{number}", spool_page},
    {Methods::read, "/jobs/{name}/{id}/**", job_page},
    {Methods::read, "/jobs/**", incomplete_job_page},
    {Methods::any, "/**", refuse_page},
});

// The segments of a pattern: "/api/v1/runs" is api, v1, runs; "/" is none.
std::vector<std::string_view> pattern_segments(std::string_view pattern) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= pattern.size()) {
        std::size_t slash = pattern.find('/', start);
        if (slash == std::string_view::npos) slash = pattern.size();
        if (slash > start) parts.push_back(pattern.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

}  // namespace

bool allows(Methods methods, std::string_view method) {
    switch (methods) {
        case Methods::any:
            return true;
        case Methods::read:
            return is_read(method);
        case Methods::read_or_post:
            return is_read(method) || method == "POST";
        case Methods::put:
            return method == "PUT";
        case Methods::post:
            return method == "POST";
        case Methods::delete_:
            return method == "DELETE";
        case Methods::write:
            return !is_read(method);
    }
    return false;
}

bool match_path(const RoutePath& route_path, std::string_view raw_path, const std::vector<std::string>& segments,
                Captures& captures) {
    captures.clear();
    if (route_path.match == PathMatch::exact) return raw_path == route_path.text;
    std::size_t index = 0;
    for (std::string_view part : pattern_segments(route_path.text)) {
        if (part == "**") return true;  // the rest, however long
        const bool capture = part.starts_with('{') && part.ends_with('}');
        if (capture && part.ends_with("...}")) {
            if (index >= segments.size()) return false;
            std::string rest;
            for (std::size_t i = index; i < segments.size(); ++i) rest += (i > index ? "/" : "") + segments[i];
            captures.emplace_back(part.substr(1, part.size() - 5), std::move(rest));
            return true;
        }
        if (index >= segments.size()) return false;
        if (capture) {
            captures.emplace_back(part.substr(1, part.size() - 2), segments[index]);
        } else if (part != segments[index]) {
            return false;
        }
        ++index;
    }
    return index == segments.size();
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

const std::string& Exchange::param(std::string_view name) const {
    static const std::string k_none;
    for (const auto& [key, value] : captures) {
        if (key == name) return value;
    }
    return k_none;
}

bool Exchange::has_param(std::string_view name) const {
    return std::any_of(captures.begin(), captures.end(), [&](const auto& capture) { return capture.first == name; });
}

std::optional<std::string> Exchange::query_value(std::string_view name) const {
    for (const auto& [key, value] : query) {
        if (key == name && !value.empty()) return value;
    }
    return std::nullopt;
}

std::span<const Route> serve_routes() {
    return k_routes;
}

void dispatch(Impl& server, const web::Request& request, web::Response& response, const Query& query) {
    const std::string_view path = request.path();
    const std::vector<std::string> segments = split_path(path);
    Captures captures;
    for (const Route& route : k_routes) {
        if (!allows(route.methods, request.method) || !match_path(route.path, path, segments, captures)) continue;
        route.handler(server, Exchange{request, response, query, captures});
        return;
    }
}

}  // namespace greenlight::serve::detail
