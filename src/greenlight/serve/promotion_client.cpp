// The promotion client: GETs of runs and decisions, POSTs of decisions and attempts, each retried on connection
// errors, 5xx and 429 within the budget, and the server's JSON read back into model values.
#include "greenlight/serve/promotion_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "greenlight/bridge/client.hpp"
#include "greenlight/serve/html.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::serve {

namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::size_t k_max_message_bytes = 500;

std::string string_of(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

WallTime time_of(const json& object, const char* key) {
    auto parsed = parse_utc_time(string_of(object, key));
    return parsed ? *parsed : WallTime{};
}

std::vector<std::string> strings_of(const json& object, const char* key) {
    std::vector<std::string> items;
    auto found = object.find(key);
    if (found == object.end() || !found->is_array()) return items;
    for (const auto& item : *found) {
        if (item.is_string()) items.push_back(item.get<std::string>());
    }
    return items;
}

RunSummary run_from_json(const json& object) {
    RunSummary run;
    run.run_id = string_of(object, "run_id");
    run.project = string_of(object, "project");
    run.tier = string_of(object, "tier");
    // A verdict this client does not know counts as an error: never as evidence that something passed.
    run.verdict = verdict::parse_verdict(string_of(object, "verdict")).value_or(verdict::Verdict::error);
    run.started = time_of(object, "started");
    if (auto found = object.find("duration_seconds"); found != object.end() && found->is_number())
        run.duration_seconds = found->get<double>();
    run.git_sha = string_of(object, "git_sha");
    run.branch = string_of(object, "branch");
    return run;
}

PromotionDecision decision_from_json(const json& object) {
    PromotionDecision decision;
    if (auto found = object.find("id"); found != object.end() && found->is_number_integer())
        decision.id = found->get<std::int64_t>();
    decision.environment = string_of(object, "environment");
    decision.commit = string_of(object, "commit");
    decision.decision = parse_promotion_verdict(string_of(object, "decision")).value_or(PromotionVerdict::no_go);
    decision.reason = string_of(object, "reason");
    decision.by = string_of(object, "by");
    decision.token = string_of(object, "token");
    decision.at = time_of(object, "at");
    return decision;
}

PromotionAttempt attempt_from_json(const json& object) {
    PromotionAttempt attempt;
    if (auto found = object.find("id"); found != object.end() && found->is_number_integer())
        attempt.id = found->get<std::int64_t>();
    attempt.environment = string_of(object, "environment");
    attempt.commit = string_of(object, "commit");
    attempt.verdict = parse_promotion_verdict(string_of(object, "verdict")).value_or(PromotionVerdict::no_go);
    attempt.reasons = strings_of(object, "reasons");
    attempt.evidence = strings_of(object, "evidence");
    attempt.by = string_of(object, "by");
    attempt.token = string_of(object, "token");
    attempt.at = time_of(object, "at");
    return attempt;
}

}  // namespace

struct PromotionClient::Impl {
    PromotionClientOptions options;
    ServerAddress address;
    const util::Clock* clock = nullptr;
    Sleep sleep;
    web::HttpClient http;

    std::string scrub(std::string text) const {
        if (!options.token.empty()) util::replace_all(text, options.token, "<token>");
        return text;
    }

    std::string server_message(const web::HttpResponse& response) const {
        std::string message;
        const auto body = json::parse(response.body, nullptr, false);
        if (body.is_object()) message = string_of(body, "error");
        if (message.empty()) message = std::string(util::trim(response.body));
        if (message.size() > k_max_message_bytes) message = util::cap_head_and_tail(message, k_max_message_bytes);
        return scrub(util::printable(message));
    }

    // One request (GET without a body, POST with one), retried while the server is away; the JSON answer.
    ServerAnswer<json> exchange(const std::string& method, const std::string& path, const std::string& body) {
        const std::string where = fmt::format("{} {}{}", method, options.url, path);
        web::Headers headers = {{"Accept", "application/json"}, {"User-Agent", "greenlight"}};
        if (method == "POST") headers.push_back({"Authorization", "Bearer " + options.token});
        const auto deadline = clock->steady_now() + options.retry_budget;
        milliseconds backoff{500};
        ServerAnswer<json> answer;
        for (int attempt = 1;; ++attempt) {
            const std::string url = address.origin + address.path_prefix + path;
            web::HttpResult result =
                method == "POST" ? http.post(url, headers, body, "application/json") : http.get(url, headers);
            SendFailure failure;
            milliseconds wait = backoff;
            if (!result) {
                failure.message = fmt::format("{}: {}", where, bridge::describe_transport_error(result.failure()));
                if (result.error() == web::HttpError::server_verification ||
                    result.error() == web::HttpError::loading_certificates) {
                    failure.kind = SendFailure::Kind::rejected;
                    answer.failure = std::move(failure);
                    return answer;
                }
            } else if (result->status >= 200 && result->status < 300) {
                json document = json::parse(result->body, nullptr, false);
                if (!document.is_object()) {
                    answer.failure = SendFailure{SendFailure::Kind::rejected, result->status,
                                                 fmt::format("{}: the answer is not a JSON object", where)};
                    return answer;
                }
                answer.value = std::move(document);
                return answer;
            } else {
                failure.http_status = result->status;
                failure.message = fmt::format("{}: HTTP {}: {}", where, result->status, server_message(*result));
                if (result->status != 429 && result->status < 500) {
                    failure.kind = SendFailure::Kind::rejected;
                    answer.failure = std::move(failure);
                    return answer;
                }
                if (result->has_header("Retry-After")) {
                    if (auto asked = bridge::parse_retry_after(result->get_header_value("Retry-After"),
                                                               std::chrono::system_clock::now())) {
                        wait = *asked;
                    }
                }
            }
            if (clock->steady_now() + wait > deadline) {
                failure.kind = SendFailure::Kind::unreachable;
                failure.message += fmt::format(" (gave up after {} attempt{})", attempt, attempt == 1 ? "" : "s");
                answer.failure = std::move(failure);
                return answer;
            }
            sleep(wait);
            backoff = std::min(backoff * 2, milliseconds{5000});
        }
    }

    template <class T, class Read>
    ServerAnswer<T> read(ServerAnswer<json> answer, Read&& reader) {
        ServerAnswer<T> result;
        result.failure = std::move(answer.failure);
        if (answer.value) result.value = reader(*answer.value);
        return result;
    }
};

util::Result<PromotionClient> PromotionClient::create(PromotionClientOptions options, const util::Clock& clock,
                                                      Sleep sleep) {
    auto address = parse_server_url(options.url);
    if (!address) return address.error();
    while (!options.url.empty() && options.url.back() == '/') options.url.pop_back();
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->address = std::move(*address);
    impl->clock = &clock;
    impl->sleep = std::move(sleep);
    web::HttpClientOptions http;
    http.connect_timeout = http.read_timeout = http.write_timeout = impl->options.request_timeout;
    http.redirects = web::FollowRedirects::no;
    http.ca_file = impl->options.ca_file;
    http.tls = impl->options.tls == TlsVerification::verify ? web::TlsVerification::verify : web::TlsVerification::skip;
    impl->http = web::HttpClient(std::move(http));
    return PromotionClient(std::move(impl));
}

PromotionClient::PromotionClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
PromotionClient::~PromotionClient() = default;
PromotionClient::PromotionClient(PromotionClient&&) noexcept = default;
PromotionClient& PromotionClient::operator=(PromotionClient&&) noexcept = default;

ServerAnswer<std::vector<RunSummary>> PromotionClient::runs_of_commit(const std::string& commit,
                                                                      const std::string& tier,
                                                                      const std::string& project) {
    std::vector<std::pair<std::string, std::string>> query = {{"commit", commit}, {"tier", tier}, {"limit", "50"}};
    if (!project.empty()) query.push_back({"project", project});
    std::string path = "/api/v1/runs?";
    for (std::size_t index = 0; index < query.size(); ++index) {
        if (index > 0) path += '&';
        path += query[index].first + "=" + html::percent_encode(query[index].second);
    }
    return m_impl->read<std::vector<RunSummary>>(m_impl->exchange("GET", path, ""), [](const json& document) {
        std::vector<RunSummary> runs;
        if (auto found = document.find("runs"); found != document.end() && found->is_array()) {
            for (const auto& item : *found) {
                if (item.is_object()) runs.push_back(run_from_json(item));
            }
        }
        return runs;
    });
}

ServerAnswer<std::vector<PromotionDecision>> PromotionClient::decisions(const std::string& environment,
                                                                        const std::string& commit) {
    const std::string path = "/api/v1/promotions/decisions?environment=" + html::percent_encode(environment) +
                             "&commit=" + html::percent_encode(commit) + "&limit=500";
    return m_impl->read<std::vector<PromotionDecision>>(m_impl->exchange("GET", path, ""), [](const json& document) {
        std::vector<PromotionDecision> decisions;
        if (auto found = document.find("decisions"); found != document.end() && found->is_array()) {
            for (const auto& item : *found) {
                if (item.is_object()) decisions.push_back(decision_from_json(item));
            }
        }
        return decisions;
    });
}

ServerAnswer<PromotionDecision> PromotionClient::record_decision(const PromotionDecision& decision) {
    json body{{"environment", decision.environment},
              {"commit", decision.commit},
              {"decision", to_string(decision.decision)},
              {"reason", decision.reason}};
    if (!decision.by.empty()) body["by"] = decision.by;
    return m_impl->read<PromotionDecision>(m_impl->exchange("POST", "/api/v1/promotions/decisions",
                                                            body.dump(-1, ' ', false, json::error_handler_t::replace)),
                                           decision_from_json);
}

ServerAnswer<PromotionAttempt> PromotionClient::record_attempt(const PromotionAttempt& attempt) {
    json body{{"environment", attempt.environment},
              {"commit", attempt.commit},
              {"verdict", to_string(attempt.verdict)},
              {"reasons", attempt.reasons},
              {"evidence", attempt.evidence}};
    if (!attempt.by.empty()) body["by"] = attempt.by;
    return m_impl->read<PromotionAttempt>(m_impl->exchange("POST", "/api/v1/promotions/attempts",
                                                           body.dump(-1, ' ', false, json::error_handler_t::replace)),
                                          attempt_from_json);
}

}  // namespace greenlight::serve
