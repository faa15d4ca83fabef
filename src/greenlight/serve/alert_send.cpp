#include "greenlight/serve/alert_send.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "greenlight/bridge/notify.hpp"
#include "greenlight/github/issue_comments.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::serve {
namespace {

constexpr std::string_view k_default_github_api = "https://api.github.com";
constexpr Duration k_first_retry = std::chrono::seconds{15};
constexpr Duration k_longest_retry = std::chrono::hours{1};
// Enough of a receiver's answer to say why it refused, short enough for a log line.
constexpr std::size_t k_answer_excerpt = 200;

// A webhook URL split into the server to connect to and the path to request. Only the origin may be shown:
// the path of a Discord or Slack webhook is its secret.
struct WebhookTarget {
    std::string origin;  // scheme://host[:port]
    std::string path;    // with the query, if any
};

std::optional<WebhookTarget> split_webhook_url(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    const std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return std::nullopt;
    const auto path_start = url.find_first_of("/?", scheme_end + 3);
    const std::string_view authority =
        url.substr(scheme_end + 3, path_start == std::string_view::npos ? url.npos : path_start - scheme_end - 3);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    WebhookTarget target;
    target.origin = std::string(url.substr(0, path_start));
    target.path = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
    if (target.path.front() == '?') target.path.insert(0, "/");
    return target;
}

// The channel's secrets replaced wherever they appear (a receiver may echo the URL it was called at).
std::string without_secrets(std::string text, const AlertChannel& channel) {
    std::vector<std::string> secrets;
    if (!channel.url.empty()) {
        secrets.push_back(channel.url);
        if (auto target = split_webhook_url(channel.url); target && target->path.size() > 1) {
            secrets.push_back(target->path);
        }
    }
    if (!channel.token.empty()) secrets.push_back(channel.token);
    for (const auto& secret : secrets) {
        for (auto found = text.find(secret); found != std::string::npos; found = text.find(secret, found)) {
            text.replace(found, secret.size(), "[redacted]");
        }
    }
    return text;
}

std::string_view headline(AlertKind kind) {
    switch (kind) {
        case AlertKind::down:
            return "is DOWN";
        case AlertKind::reminder:
            return "is STILL DOWN";
        case AlertKind::recovery:
            return "has RECOVERED";
        case AlertKind::heartbeat:
            return "";
    }
    return "";
}

// The state the check is in when this alert is sent, for receivers that route on it.
nlohmann::json state_of(AlertKind kind) {
    switch (kind) {
        case AlertKind::down:
        case AlertKind::reminder:
            return "down";
        case AlertKind::recovery:
            return "up";
        case AlertKind::heartbeat:
            return nullptr;
    }
    return nullptr;
}

nlohmann::json time_or_null(const std::optional<WallTime>& time) {
    if (!time) return nullptr;
    return util::format_utc(*time);
}

std::string check_link(const Alert& alert, std::string_view dashboard_url) {
    if (dashboard_url.empty() || alert.check.empty()) return "";
    std::string base(dashboard_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    // Check names are [a-z0-9._-], which need no escaping in a path.
    return fmt::format("{}/checks/{}", base, alert.check);
}

// Slack reads <...> as links and mentions (<!channel>); its escapes keep the text literal.
std::string slack_escaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '&') {
            out += "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else {
            out += c;
        }
    }
    return out;
}

// Retry-After is either seconds or an HTTP date (RFC 9110, section 10.2.3).
std::optional<Duration> parse_retry_after(const std::string& value) {
    if (value.empty()) return std::nullopt;
    char* end = nullptr;
    const double seconds = std::strtod(value.c_str(), &end);
    if (end != value.c_str() && *end == '\0') {
        if (seconds < 0) return Duration{0};
        return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::min(seconds, 86400.0)));
    }
    std::tm parts{};
    std::istringstream stream(value);
    stream.imbue(std::locale::classic());
    stream >> std::get_time(&parts, "%a, %d %b %Y %H:%M:%S");
    if (stream.fail()) return std::nullopt;
    const auto at = std::chrono::system_clock::from_time_t(timegm(&parts));
    const auto wait = std::chrono::duration_cast<Duration>(at - std::chrono::system_clock::now());
    return std::max(wait, Duration{0});
}

bool is_retryable_status(int status) {
    return status >= 500 || status == 429 || status == 408;
}

DeliveryResult outcome_of_status(int status, std::optional<Duration> retry_after, std::string error) {
    if (status >= 200 && status < 300) return DeliveryResult{DeliveryResult::Outcome::sent, "", std::nullopt};
    const auto outcome =
        is_retryable_status(status) ? DeliveryResult::Outcome::retry : DeliveryResult::Outcome::give_up;
    return DeliveryResult{outcome, std::move(error),
                          outcome == DeliveryResult::Outcome::retry ? retry_after : std::nullopt};
}

class HttpAlertSender final : public AlertSender {
public:
    HttpAlertSender(std::string dashboard_url, Duration timeout)
        : m_dashboard_url(std::move(dashboard_url)), m_timeout(timeout) {}

    DeliveryResult send(const Alert& alert, const AlertChannel& channel) override {
        DeliveryResult result =
            channel.type == AlertChannel::Type::github ? send_comment(alert, channel) : send_webhook(alert, channel);
        result.error = without_secrets(std::move(result.error), channel);
        return result;
    }

private:
    DeliveryResult send_webhook(const Alert& alert, const AlertChannel& channel) const {
        const std::string where = fmt::format("{} channel {}", to_string(channel.type), channel.name);
        const auto target = split_webhook_url(channel.url);
        if (!target) {
            return {DeliveryResult::Outcome::give_up,
                    fmt::format("{}: the webhook URL is not an http(s) URL without user info", where), std::nullopt};
        }
        web::HttpClient client(web::HttpClientOptions::single_request(m_timeout));
        const web::Headers headers = {{"User-Agent", "greenlight"}, {"Idempotency-Key", alert.key}};
        web::HttpResult response = client.post(target->origin + target->path, headers,
                                               alert_body(alert, channel.type, m_dashboard_url), "application/json");
        if (!response) {
            return {DeliveryResult::Outcome::retry,
                    fmt::format("{}: POST {}: no answer: {}", where, target->origin, web::describe(response.failure())),
                    std::nullopt};
        }
        std::optional<Duration> retry_after;
        if (response->has_header("Retry-After"))
            retry_after = parse_retry_after(response->get_header_value("Retry-After"));
        return outcome_of_status(response->status, retry_after,
                                 fmt::format("{}: POST {} answered {}: {}", where, target->origin, response->status,
                                             util::printable(response->body.substr(0, k_answer_excerpt))));
    }

    DeliveryResult send_comment(const Alert& alert, const AlertChannel& channel) const {
        const std::string where =
            fmt::format("github channel {} ({}#{})", channel.name, channel.repository, channel.issue);
        github::Repository repository;
        repository.api_url = channel.api_url.empty() ? std::string(k_default_github_api) : channel.api_url;
        repository.name = channel.repository;
        repository.token = channel.token;
        github::CommentAttempt attempt = github::try_post_issue_comment(
            repository, channel.issue, alert_body(alert, AlertChannel::Type::github, m_dashboard_url), m_timeout);
        if (attempt.status == 0) {
            return {DeliveryResult::Outcome::retry, fmt::format("{}: no answer: {}", where, attempt.message),
                    std::nullopt};
        }
        std::optional<Duration> retry_after;
        if (attempt.retry_after) retry_after = std::chrono::duration_cast<Duration>(*attempt.retry_after);
        // GitHub's secondary rate limit answers 403 with a Retry-After: waiting helps, so it is a retry.
        const int status = attempt.status == 403 && retry_after ? 429 : attempt.status;
        return outcome_of_status(status, retry_after,
                                 fmt::format("{}: GitHub answered {}: {}", where, attempt.status,
                                             util::printable(attempt.message.substr(0, k_answer_excerpt))));
    }

    std::string m_dashboard_url;
    Duration m_timeout;
};

// SplitMix64: a well-mixed number from any seed, so consecutive seeds give unrelated jitter.
std::uint64_t mix(std::uint64_t seed) {
    seed += 0x9e3779b97f4a7c15ULL;
    seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ULL;
    seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebULL;
    return seed ^ (seed >> 31);
}

}  // namespace

Environment process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (!value || !*value) return std::nullopt;
        return std::string(value);
    };
}

std::string_view to_string(AlertChannel::Type type) {
    switch (type) {
        case AlertChannel::Type::discord:
            return "discord";
        case AlertChannel::Type::slack:
            return "slack";
        case AlertChannel::Type::json:
            return "json";
        case AlertChannel::Type::github:
            return "github";
    }
    return "json";
}

util::Result<std::vector<AlertChannel>> resolve_channels(const config::WatchConfig& watch,
                                                         const Environment& environment) {
    std::vector<AlertChannel> channels;
    std::vector<std::string> problems;
    const std::string api_url = environment("GITHUB_API_URL").value_or(std::string(k_default_github_api));
    for (const auto& configured : watch.channels) {
        AlertChannel channel;
        channel.name = configured.name;
        const std::string where = fmt::format("watch.channels.{} (line {})", configured.name, configured.line);
        switch (configured.type) {
            case config::AlertChannelType::discord:
                channel.type = AlertChannel::Type::discord;
                break;
            case config::AlertChannelType::slack:
                channel.type = AlertChannel::Type::slack;
                break;
            case config::AlertChannelType::json:
                channel.type = AlertChannel::Type::json;
                break;
            case config::AlertChannelType::github:
                channel.type = AlertChannel::Type::github;
                break;
        }
        if (channel.type == AlertChannel::Type::github) {
            channel.repository = configured.repository;
            channel.issue = configured.issue;
            channel.api_url = api_url;
            auto token = environment(configured.token_env);
            if (!token) {
                problems.push_back(
                    fmt::format("{}: environment variable {} is not set; set it to a GitHub token "
                                "that may comment on {}",
                                where, configured.token_env, configured.repository));
                continue;
            }
            channel.token = *token;
        } else {
            auto url = environment(configured.url_env);
            if (!url) {
                problems.push_back(fmt::format("{}: environment variable {} is not set; set it to the {} webhook URL",
                                               where, configured.url_env, to_string(channel.type)));
                continue;
            }
            // The value is a secret: the message names the variable, not what it holds.
            if (!split_webhook_url(*url)) {
                problems.push_back(
                    fmt::format("{}: environment variable {} does not hold an http(s) URL without user "
                                "info; set it to the {} webhook URL",
                                where, configured.url_env, to_string(channel.type)));
                continue;
            }
            channel.url = *url;
        }
        channels.push_back(std::move(channel));
    }
    if (!problems.empty()) return util::make_error(util::join(problems, "\n"));
    return channels;
}

std::string alert_text(const Alert& alert, std::string_view dashboard_url) {
    std::string text;
    if (alert.kind == AlertKind::heartbeat) {
        text = fmt::format("greenlight heartbeat: alerts reach this channel ({})", util::format_utc(alert.created));
    } else {
        text = fmt::format("greenlight: check {} {}", alert.check, headline(alert.kind));
        const WallTime since = alert.down_since.value_or(alert.created);
        text += fmt::format("\n{}: {}", alert.kind == AlertKind::recovery ? "Was down since" : "Down since",
                            util::format_utc(since));
        text += fmt::format("\nLast success: {}", alert.last_success ? util::format_utc(*alert.last_success) : "never");
        if (!alert.reason.empty()) text += fmt::format("\nReason: {}", alert.reason);
        if (!alert.job_ids.empty()) text += fmt::format("\nBridge jobs: {}", util::join(alert.job_ids, ", "));
    }
    if (std::string link = check_link(alert, dashboard_url); !link.empty())
        text += fmt::format("\nDashboard: {}", link);
    return bridge::redact_personal_data(text);
}

std::string alert_body(const Alert& alert, AlertChannel::Type type, std::string_view dashboard_url) {
    std::string text = alert_text(alert, dashboard_url);
    switch (type) {
        case AlertChannel::Type::discord:
            // No @everyone or role pings from text a check's pinger wrote.
            return nlohmann::json{{"content", text}, {"allowed_mentions", {{"parse", nlohmann::json::array()}}}}.dump();
        case AlertChannel::Type::slack:
            return nlohmann::json{{"text", slack_escaped(text)}}.dump();
        case AlertChannel::Type::github:
            return text;
        case AlertChannel::Type::json:
            break;
    }
    nlohmann::json job_ids = nlohmann::json::array();
    for (const auto& id : alert.job_ids) job_ids.push_back(id);
    nlohmann::json body = {
        {"schema", "greenlight.alert/v1"},
        {"kind", std::string(to_string(alert.kind))},
        {"check", alert.check.empty() ? nlohmann::json(nullptr) : nlohmann::json(alert.check)},
        {"state", state_of(alert.kind)},
        {"since", time_or_null(alert.kind == AlertKind::heartbeat ? std::nullopt : alert.down_since)},
        {"last_success", time_or_null(alert.last_success)},
        {"reason", bridge::redact_personal_data(alert.reason)},
        {"job_ids", std::move(job_ids)},
        {"text", text},
        {"key", alert.key},
        {"created", util::format_utc(alert.created)},
    };
    if (std::string link = check_link(alert, dashboard_url); !link.empty()) body["url"] = link;
    return body.dump();
}

std::unique_ptr<AlertSender> make_http_alert_sender(std::string dashboard_url, Duration timeout) {
    return std::make_unique<HttpAlertSender>(std::move(dashboard_url), timeout);
}

Duration retry_delay(int attempts, std::optional<Duration> retry_after, std::uint64_t jitter_seed) {
    if (retry_after) return std::clamp(*retry_after, Duration{0}, k_longest_retry);
    // 15 s · 2^(attempts-1) passes the hour at the ninth attempt; stop doubling well before overflow.
    const int doublings = std::clamp(attempts - 1, 0, 16);
    const Duration full = std::min(k_first_retry * (std::int64_t{1} << doublings), k_longest_retry);
    // Between half and all of it, so replicas and channels that failed together do not retry together.
    const double fraction = 0.5 + 0.5 * static_cast<double>(mix(jitter_seed) >> 11) / static_cast<double>(1ULL << 53);
    return std::chrono::duration_cast<Duration>(full * fraction);
}

}  // namespace greenlight::serve
