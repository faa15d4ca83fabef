// The run history's read API: GET /api/v1/runs (filtered, paged), /api/v1/runs/<id>, /api/v1/flaky and
// /api/v1/trends. Each answers a dashboard user when a users file is configured.
#include <fmt/format.h>

#include <charconv>

#include "greenlight/serve/api_json.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/serve/server_internal.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::serve::detail {

using nlohmann::json;

void api_list_runs(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    RunFilter filter;
    filter.project = exchange.query_value("project");
    filter.tier = exchange.query_value("tier");
    filter.verdict = exchange.query_value("verdict");
    filter.branch = exchange.query_value("branch");
    filter.commit = exchange.query_value("commit");
    filter.before_run_id = exchange.query_value("before");
    if (auto limit = exchange.query_value("limit")) {
        std::size_t parsed = 0;
        auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), parsed);
        if (error != std::errc() || end != limit->data() + limit->size() || parsed == 0 || parsed > 500) {
            return send_problem(response, 400, "limit: expected an integer from 1 to 500");
        }
        filter.limit = parsed;
    }
    auto runs = server.store->runs(filter);
    if (!runs) return server.store_failed(request, response, runs.error());
    json documents = json::array();
    for (const RunSummary& run : *runs) documents.push_back(run_summary_json(run));
    send_json(response, 200, json{{"runs", documents}});
}

void api_get_run(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    const std::string& run_id = exchange.param("run_id");
    auto run = server.store->run(run_id);
    if (!run) return server.store_failed(request, response, run.error());
    if (!*run) return send_problem(response, 404, fmt::format("no run {}", util::printable(run_id)));
    send_json(response, 200, run_report_json(**run));
}

void api_flaky_tests(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    int window = 20;
    if (auto runs = exchange.query_value("runs")) {
        auto [end, error] = std::from_chars(runs->data(), runs->data() + runs->size(), window);
        if (error != std::errc() || end != runs->data() + runs->size() || window < 2 || window > 500) {
            return send_problem(response, 400, "runs: expected an integer from 2 to 500");
        }
    }
    auto flaky = server.store->flaky_tests(exchange.query_value("tier"), window, 100);
    if (!flaky) return server.store_failed(request, response, flaky.error());
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
}

void api_duration_trend(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    auto tier = exchange.query_value("tier");
    if (!tier) return send_problem(response, 400, "tier: required (e.g. ?tier=nightly)");
    auto runs = server.store->duration_trend(*tier, 100);
    if (!runs) return server.store_failed(request, response, runs.error());
    json documents = json::array();
    for (const RunSummary& run : *runs) documents.push_back(run_summary_json(run));
    send_json(response, 200, json{{"tier", *tier}, {"runs", documents}});
}

}  // namespace greenlight::serve::detail
