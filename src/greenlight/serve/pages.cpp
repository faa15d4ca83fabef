// The dashboard's routes: the pages of runs, flaky tests, trends, checks and the bridge's jobs (read-only, for
// dashboard users when a users file is configured), the files of a run's bundle, the stylesheet and the favicon.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <fstream>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/run_id.hpp"
#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/server_internal.hpp"

namespace greenlight::serve::detail {

namespace {

void serve_bundle_file(Impl& server, const web::Request& request, web::Response& response, const std::string& run_id,
                       const std::string& relative) {
    // Only files the bundle's manifest lists: nothing outside the bundle, whatever the path says.
    if (!bundle::valid_run_id(run_id)) {
        send_page(response, 404, render_error_page(404, "No such run."));
        return;
    }
    const std::filesystem::path folder = server.options.bundles_dir / run_id;
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

// The run a /runs/<id>/... page is of; nullopt when the request was answered (no such run, a store failure).
std::optional<RunRecord> find_run(Impl& server, const Exchange& exchange) {
    auto run = server.store->run(exchange.param("run_id"));
    if (!run) {
        server.store_failed(exchange.request, exchange.response, run.error());
        return std::nullopt;
    }
    if (!*run) {
        send_page(exchange.response, 404, render_error_page(404, "No run has this id."));
        return std::nullopt;
    }
    return std::move(**run);
}

// The bridge's job a /jobs/<name>/<id>/... page is of, with its spool files; nullopt when the request was
// answered.
std::optional<std::pair<bridge::Job, std::vector<bridge::SpoolFile>>> find_job(Impl& server, const Exchange& exchange) {
    web::Response& response = exchange.response;
    auto job = server.bridge_jobs->find(exchange.param("name"), exchange.param("id"));
    if (!job) {
        send_page(response, 500, render_error_page(500, job.message()));
        return std::nullopt;
    }
    if (!*job) {
        send_page(response, 404, render_error_page(404, "No such job."));
        return std::nullopt;
    }
    auto files = server.bridge_jobs->spool_files((*job)->jobid);
    if (!files) {
        send_page(response, 500, render_error_page(500, files.message()));
        return std::nullopt;
    }
    return std::pair{std::move(**job), std::move(*files)};
}

// Without the bridge there are no jobs: every /jobs page says so. True when the request was answered.
bool answered_without_bridge(Impl& server, const Exchange& exchange) {
    if (server.bridge_jobs) return false;
    send_page(exchange.response, 200, render_jobs_page(JobsPage{{}, BridgeAvailability::disabled}));
    return true;
}

}  // namespace

void runs_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    RunsPage page;
    page.filter.project = exchange.query_value("project");
    page.filter.tier = exchange.query_value("tier");
    page.filter.verdict = exchange.query_value("verdict");
    page.filter.branch = exchange.query_value("branch");
    page.filter.before_run_id = exchange.query_value("before");
    page.filter.limit = 51;
    auto runs = server.store->runs(page.filter);
    if (!runs) return server.store_failed(request, response, runs.error());
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
    send_page(response, 200, render_runs_page(page));
}

void run_page(Impl& server, const Exchange& exchange) {
    if (!server.viewer_allowed(exchange.request, exchange.response)) return;
    auto run = find_run(server, exchange);
    if (!run) return;
    RunPage page;
    page.run = std::move(*run);
    if (page.run.has_bundle) {
        std::ifstream manifest_stream(server.options.bundles_dir / page.run.run_id / "manifest.json", std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(manifest_stream)), std::istreambuf_iterator<char>());
        if (auto manifest = bundle::parse_manifest_json(text)) {
            for (const auto& file : manifest->files) page.bundle_files.push_back(file.path);
        }
    }
    send_page(exchange.response, 200, render_run_page(page));
}

void bundle_file(Impl& server, const Exchange& exchange) {
    if (!server.viewer_allowed(exchange.request, exchange.response)) return;
    if (!find_run(server, exchange)) return;
    serve_bundle_file(server, exchange.request, exchange.response, exchange.param("run_id"), exchange.param("file"));
}

void flaky_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    FlakyPage page;
    page.tier = exchange.query_value("tier");
    page.window_runs = 20;
    auto flaky = server.store->flaky_tests(page.tier, page.window_runs, 100);
    if (!flaky) return server.store_failed(request, response, flaky.error());
    page.tests = std::move(*flaky);
    send_page(response, 200, render_flaky_page(page));
}

void trends_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    TrendsPage page;
    page.tier = exchange.query_value("tier");
    RunFilter recent;
    recent.limit = 200;
    auto runs = server.store->runs(recent);
    if (!runs) return server.store_failed(request, response, runs.error());
    for (const RunSummary& run : *runs) {
        if (std::find(page.known_tiers.begin(), page.known_tiers.end(), run.tier) == page.known_tiers.end()) {
            page.known_tiers.push_back(run.tier);
        }
    }
    std::sort(page.known_tiers.begin(), page.known_tiers.end());
    for (const std::string& tier : page.known_tiers) {
        if (page.tier && *page.tier != tier) continue;
        auto trend = server.store->duration_trend(tier, 100);
        if (!trend) return server.store_failed(request, response, trend.error());
        page.trends.push_back(TierTrend{tier, std::move(*trend)});
    }
    send_page(response, 200, render_trends_page(page));
}

void checks_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    auto checks = server.store->checks_with_status();
    if (!checks) return server.store_failed(request, response, checks.error());
    ChecksPage page;
    page.now = server.now();
    page.ping_keys = server.dashboard_users ? PingKeyVisibility::shown : PingKeyVisibility::hidden;
    page.public_url = server.options.public_url;
    for (auto& [spec, status] : *checks) page.checks.push_back(CheckView{spec, status.value_or(CheckStatus{})});
    send_page(response, 200, render_checks_page(page));
}

void check_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    const std::string& name = exchange.param("name");
    auto check = server.store->check(name);
    if (!check) return server.store_failed(request, response, check.error());
    if (!*check) return send_page(response, 404, render_error_page(404, "No check has this name."));
    auto status = server.store->status(name);
    if (!status) return server.store_failed(request, response, status.error());
    auto pings = server.store->recent_pings(name, 50);
    if (!pings) return server.store_failed(request, response, pings.error());
    auto alerts = server.store->alerts(200);
    if (!alerts) return server.store_failed(request, response, alerts.error());
    CheckPage page;
    page.check = CheckView{**check, status->value_or(CheckStatus{})};
    page.pings.assign(pings->rbegin(), pings->rend());
    for (const Alert& alert : *alerts) {
        if (alert.check == name) page.alerts.push_back(alert);
    }
    page.now = server.now();
    page.ping_keys = server.dashboard_users ? PingKeyVisibility::shown : PingKeyVisibility::hidden;
    page.public_url = server.options.public_url;
    send_page(response, 200, render_check_page(page));
}

void jobs_page(Impl& server, const Exchange& exchange) {
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(exchange.request, response)) return;
    if (answered_without_bridge(server, exchange)) return;
    bridge::ListFilter filter;
    filter.max_jobs = 200;
    auto jobs = server.bridge_jobs->list(filter);
    if (!jobs) return send_page(response, 500, render_error_page(500, jobs.message()));
    send_page(response, 200, render_jobs_page(JobsPage{std::move(*jobs), BridgeAvailability::enabled}));
}

void job_page(Impl& server, const Exchange& exchange) {
    if (!server.viewer_allowed(exchange.request, exchange.response)) return;
    if (answered_without_bridge(server, exchange)) return;
    auto job = find_job(server, exchange);
    if (!job) return;
    send_page(exchange.response, 200, render_job_page(JobPage{std::move(job->first), std::move(job->second)}));
}

void spool_page(Impl& server, const Exchange& exchange) {
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(exchange.request, response)) return;
    if (answered_without_bridge(server, exchange)) return;
    auto job = find_job(server, exchange);
    if (!job) return;
    const std::string& number = exchange.param("number");
    int id = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), id);
    if (error != std::errc() || end != number.data() + number.size()) {
        return send_page(response, 404, render_error_page(404, "A spool file is named by its number."));
    }
    auto records = server.bridge_jobs->read_records(job->first.jobid, id);
    if (!records) return send_page(response, 404, render_error_page(404, "No such spool file."));
    send_page(response, 200,
              render_spool_page(SpoolPage{std::move(job->first), std::move(job->second), id, std::move(*records)}));
}

void incomplete_job_page(Impl& server, const Exchange& exchange) {
    if (!server.viewer_allowed(exchange.request, exchange.response)) return;
    if (answered_without_bridge(server, exchange)) return;
    send_page(exchange.response, 404, render_error_page(404, "A job is /jobs/<name>/<id>."));
}

void stylesheet(Impl& server, const Exchange& exchange) {
    (void)server;
    exchange.response.set_header("Cache-Control", "max-age=300");
    exchange.response.set_content(std::string(dashboard_stylesheet()), "text/css; charset=utf-8");
}

void favicon(Impl& server, const Exchange& exchange) {
    (void)server;
    exchange.response.status = 204;
}

}  // namespace greenlight::serve::detail
