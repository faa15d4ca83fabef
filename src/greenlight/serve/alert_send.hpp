// Delivering watchdog alerts: the channels resolved from `watch.channels` and the environment, the message
// in words, the body each channel type gets, one delivery attempt over HTTP, and when to try again.
// Queueing, deduplication across replicas and the attempt bookkeeping live in the store and the watchdog;
// this file only says what one attempt did.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/serve_config.hpp"
#include "greenlight/serve/model.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// Looks up an environment variable; the process's in production, a map in tests.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// The process's environment (an empty value counts as unset).
Environment process_environment();

// What a channel is, resolved from the config and the environment (URLs and tokens read from *_env variables).
struct AlertChannel {
    std::string name;
    enum class Type { discord, slack, json, github } type = Type::json;
    std::string url;         // discord, slack, json: the webhook URL (a secret)
    std::string repository;  // github: owner/name
    int issue = 0;           // github
    std::string token;       // github (a secret)
    std::string api_url;     // github: GITHUB_API_URL, else https://api.github.com
};

std::string_view to_string(AlertChannel::Type type);

// Every channel of `watch.channels`, or one error naming each channel whose variable is unset or not an
// http(s) URL (the message names the variable, never its value).
util::Result<std::vector<AlertChannel>> resolve_channels(const config::WatchConfig& watch,
                                                         const Environment& environment);

// The message in words: which check, what happened (down, still down, recovered, heartbeat), since when, the
// last success ("never" when there was none), the reason, the bridge job ids, and a link to the check on the
// dashboard when `dashboard_url` (the public base URL) is not empty. Personal data is redacted.
std::string alert_text(const Alert& alert, std::string_view dashboard_url);

// The request body a channel of this type gets: Discord {"content"}, Slack {"text"}, JSON
// {"schema": "greenlight.alert/v1", kind, check, state, since, last_success, reason, job_ids, text, key, url},
// GitHub the comment's Markdown text.
std::string alert_body(const Alert& alert, AlertChannel::Type type, std::string_view dashboard_url);

// What one delivery attempt came to.
struct DeliveryResult {
    enum class Outcome { sent, retry, give_up } outcome = Outcome::give_up;
    std::string error;                    // why it was not sent; never holds a webhook URL's path or a token
    std::optional<Duration> retry_after;  // the receiver asked to wait this long (Retry-After)
};

// Sends one alert to one channel, once.
class AlertSender {
public:
    virtual ~AlertSender() = default;
    virtual DeliveryResult send(const Alert& alert, const AlertChannel& channel) = 0;
};

// Over HTTP(S) with web::HttpClient: 2xx is sent; 5xx, 408, 429, timeouts and connection errors are retry;
// other answers are give_up. Each step (connect, write, read) is bounded by `timeout`. Webhook requests
// carry the alert's key in an `Idempotency-Key` header so a receiver can drop a duplicate after a lost answer.
std::unique_ptr<AlertSender> make_http_alert_sender(std::string dashboard_url, Duration timeout);

// When to try again after `attempts` failed attempts: 15 s doubling each time, with jitter (between half and
// all of it, drawn from `jitter_seed`), capped at 1 h. A Retry-After the receiver sent wins (also capped).
Duration retry_delay(int attempts, std::optional<Duration> retry_after, std::uint64_t jitter_seed);

}  // namespace greenlight::serve
