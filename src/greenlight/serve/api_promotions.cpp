// The promotions API: GET /api/v1/promotions (attempts and decisions), /api/v1/promotions/attempts and
// /api/v1/promotions/decisions, filtered by environment and commit; POST of a decision or an attempt with an
// ingest token (what `greenlight promote decide` and `greenlight promote` send).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/promotions.hpp"
#include "greenlight/serve/server_internal.hpp"

namespace greenlight::serve::detail {

namespace {

using nlohmann::json;

// The filter from ?environment=&commit=&limit=; false (answered 400) when a value is malformed.
bool read_filter(const Exchange& exchange, PromotionFilter& filter) {
    web::Response& response = exchange.response;
    filter.environment = exchange.query_value("environment");
    if (filter.environment && !is_valid_environment(*filter.environment)) {
        send_problem(response, 400, "environment: expected an environment name");
        return false;
    }
    filter.commit = exchange.query_value("commit");
    if (filter.commit) {
        if (!is_valid_commit(*filter.commit)) {
            send_problem(response, 400, "commit: expected 4 to 64 hex digits");
            return false;
        }
        std::transform(filter.commit->begin(), filter.commit->end(), filter.commit->begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    if (auto limit = exchange.query_value("limit")) {
        std::size_t parsed = 0;
        auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), parsed);
        if (error != std::errc() || end != limit->data() + limit->size() || parsed == 0 || parsed > 500) {
            send_problem(response, 400, "limit: expected an integer from 1 to 500");
            return false;
        }
        filter.limit = parsed;
    }
    return true;
}

json decisions_json(const std::vector<PromotionDecision>& decisions) {
    json list = json::array();
    for (const auto& decision : decisions) list.push_back(promotion_decision_json(decision));
    return list;
}

json attempts_json(const std::vector<PromotionAttempt>& attempts) {
    json list = json::array();
    for (const auto& attempt : attempts) list.push_back(promotion_attempt_json(attempt));
    return list;
}

}  // namespace

void api_list_promotions(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    PromotionFilter filter;
    if (!read_filter(exchange, filter)) return;
    auto attempts = server.store->promotion_attempts(filter);
    if (!attempts) return server.store_failed(request, response, attempts.error());
    auto decisions = server.store->promotion_decisions(filter);
    if (!decisions) return server.store_failed(request, response, decisions.error());
    send_json(response, 200, json{{"attempts", attempts_json(*attempts)}, {"decisions", decisions_json(*decisions)}});
}

void api_list_promotion_attempts(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    PromotionFilter filter;
    if (!read_filter(exchange, filter)) return;
    auto attempts = server.store->promotion_attempts(filter);
    if (!attempts) return server.store_failed(request, response, attempts.error());
    send_json(response, 200, json{{"attempts", attempts_json(*attempts)}});
}

void api_list_promotion_decisions(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    PromotionFilter filter;
    if (!read_filter(exchange, filter)) return;
    auto decisions = server.store->promotion_decisions(filter);
    if (!decisions) return server.store_failed(request, response, decisions.error());
    send_json(response, 200, json{{"decisions", decisions_json(*decisions)}});
}

void api_post_promotion_decision(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    auto token = server.bearer(request, response, TokenScope::ingest);
    if (!token) return;
    auto decision = parse_promotion_decision(request.body);
    if (!decision) return send_problem(response, 422, decision.message());
    decision->token = token->name;
    if (decision->by.empty()) decision->by = token->name;
    auto stored = server.store->add_promotion_decision(std::move(*decision));
    if (!stored) return server.store_failed(request, response, stored.error());
    server.log(fmt::format("promotion decision: {} for {} at {} by {}", to_string(stored->decision),
                           stored->environment, stored->commit, stored->by));
    send_json(response, 201, promotion_decision_json(*stored));
}

void api_post_promotion_attempt(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    auto token = server.bearer(request, response, TokenScope::ingest);
    if (!token) return;
    auto attempt = parse_promotion_attempt(request.body);
    if (!attempt) return send_problem(response, 422, attempt.message());
    attempt->token = token->name;
    if (attempt->by.empty()) attempt->by = token->name;
    auto stored = server.store->add_promotion_attempt(std::move(*attempt));
    if (!stored) return server.store_failed(request, response, stored.error());
    send_json(response, 201, promotion_attempt_json(*stored));
}

void promotions_page(Impl& server, const Exchange& exchange) {
    const web::Request& request = exchange.request;
    web::Response& response = exchange.response;
    if (!server.viewer_allowed(request, response)) return;
    PromotionsPage page;
    if (!read_filter(exchange, page.filter)) return;
    page.filter.limit = 100;
    auto attempts = server.store->promotion_attempts(page.filter);
    if (!attempts) return server.store_failed(request, response, attempts.error());
    auto decisions = server.store->promotion_decisions(page.filter);
    if (!decisions) return server.store_failed(request, response, decisions.error());
    page.attempts = std::move(*attempts);
    page.decisions = std::move(*decisions);
    send_page(response, 200, render_promotions_page(page));
}

}  // namespace greenlight::serve::detail
