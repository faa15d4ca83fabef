// Pings: /ping/<key> and its kinds (start, fail, log, an exit code) as jobs send them, and the pings a stored run
// of a check's tier counts as.
#include <fmt/format.h>

#include <charconv>

#include "greenlight/serve/server_internal.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::serve::detail {

namespace {

constexpr std::size_t k_max_ping_body = 10 * 1024;

}  // namespace

// /ping/<key>[/start|/fail|/log|/<exit code>][?rid=...]: GET, HEAD and POST (a POST body is kept, capped).
void receive_ping(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    Ping ping;
    ping.at = server.now();
    ping.source = "http";
    ping.kind = PingKind::success;
    if (exchange.has_param("what")) {
        const std::string& what = exchange.param("what");
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
    if (auto rid = exchange.query_value("rid")) {
        if (rid->size() > 128) {
            send_problem(response, 400, "rid is longer than 128 characters");
            return;
        }
        ping.rid = *rid;
    }
    ping.body = request.body.substr(0, k_max_ping_body);
    auto check = server.store->add_ping_by_key(exchange.param("key"), ping);
    if (!check) return server.store_failed(request, response, check.error());
    if (!*check) {
        send_problem(response, 404, "no check has this ping key");
        return;
    }
    server.metrics.count(server.metrics.pings, std::string(to_string(ping.kind)));
    response.set_content("OK\n", "text/plain; charset=utf-8");
    server.wake_watchdog();
}

void runs_counted_as_pings(Impl& server, const RunRecord& run) {
    auto checks = server.store->checks();
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
        end.kind = run.verdict == verdict::Verdict::pass || run.verdict == verdict::Verdict::flaky ? PingKind::success
                                                                                                   : PingKind::fail;
        end.at = run.ended;
        end.body =
            fmt::format("run {} ({} {}): {}", run.run_id, run.project, run.tier, verdict::to_string(run.verdict));
        (void)server.store->add_ping(start);
        (void)server.store->add_ping(end);
    }
    server.wake_watchdog();
}

}  // namespace greenlight::serve::detail
