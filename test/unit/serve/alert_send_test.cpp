// Alert delivery: channels from the config and the environment, the message, each body shape, and what one
// attempt against a real receiver on loopback comes to.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "greenlight/serve/alert_send.hpp"
#include "support/http_peer.hpp"

namespace greenlight::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;
using Json = nlohmann::json;

WallTime at(std::int64_t seconds_since_epoch) {
    return WallTime{std::chrono::seconds{seconds_since_epoch}};
}

// 2026-11-21T10:00:00Z and 2026-11-21T03:58:12Z.
const WallTime k_down_since = at(1795255200);
const WallTime k_last_success = at(1795233492);

Alert down_alert() {
    Alert alert;
    alert.key = "nightly-mainframe-smoke/down/2026-11-21T10:00:00.000Z/ops";
    alert.kind = AlertKind::down;
    alert.check = "nightly-mainframe-smoke";
    alert.channel = "ops";
    alert.created = k_down_since + 1min;
    alert.down_since = k_down_since;
    alert.last_success = k_last_success;
    alert.reason = "no success within 6h and 30m of grace";
    alert.job_ids = {"JOB00012", "JOB00013"};
    return alert;
}

Environment environment_of(std::map<std::string, std::string> variables) {
    return [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
        auto found = variables.find(name);
        if (found == variables.end()) return std::nullopt;
        return found->second;
    };
}

struct Received {
    std::string path;
    std::string body;
    web::Headers headers;

    std::string header(std::string_view name) const {
        const std::string* value = web::find_header(headers, name);
        return value ? *value : std::string();
    }
};

// What the receiver answers to one request.
struct Answer {
    int status = 200;
    std::string body;
    web::Headers headers;
    bool hang = false;  // hold the answer until the test ends (a receiver slower than the sender's timeout)
};

// A webhook receiver (or a GitHub API) on 127.0.0.1 that records every request and answers from a script;
// after the script, 200.
class Receiver {
public:
    Receiver() {
        m_server.post(".*", [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
            Answer answer;
            {
                std::lock_guard lock(m_mutex);
                m_received.push_back({request.path, request.body, request.headers});
                if (!m_script.empty()) {
                    answer = m_script.front();
                    m_script.pop_front();
                }
            }
            if (answer.hang) {
                std::unique_lock lock(m_mutex);
                m_released.wait_for(lock, 5s, [this] { return m_release; });
            }
            response.status = answer.status;
            for (const auto& [name, value] : answer.headers) response.set_header(name, value);
            response.set_content(answer.body, "application/json");
        });
    }
    ~Receiver() {
        {
            std::lock_guard lock(m_mutex);
            m_release = true;
        }
        m_released.notify_all();
        m_server.stop();
    }
    std::string origin() const { return m_server.url(); }
    void answer(Answer next) {
        std::lock_guard lock(m_mutex);
        m_script.push_back(std::move(next));
    }
    std::vector<Received> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_released;
    bool m_release = false;
    std::deque<Answer> m_script;
    std::vector<Received> m_received;
    test_support::HttpPeer m_server;
};

// The secret part of a webhook URL, as Discord and Slack put it in the path.
constexpr std::string_view k_secret_path = "/api/webhooks/123/s3cr3t-webhook-token";

AlertChannel webhook_channel(const Receiver& receiver, AlertChannel::Type type) {
    AlertChannel channel;
    channel.name = "ops";
    channel.type = type;
    channel.url = receiver.origin() + std::string(k_secret_path);
    return channel;
}

AlertChannel github_channel(const Receiver& receiver) {
    AlertChannel channel;
    channel.name = "tracker";
    channel.type = AlertChannel::Type::github;
    channel.repository = "org/repo";
    channel.issue = 42;
    channel.token = "ghp_s3cr3tT0ken";
    channel.api_url = receiver.origin();
    return channel;
}

// ---- resolve_channels ----

config::WatchConfig watch_with_every_channel_type() {
    config::WatchConfig watch;
    watch.channels = {
        {"ops-discord", config::AlertChannelType::discord, "DISCORD_WEBHOOK_URL", "", 0, "GITHUB_TOKEN", 5},
        {"ops-slack", config::AlertChannelType::slack, "SLACK_WEBHOOK_URL", "", 0, "GITHUB_TOKEN", 6},
        {"hook", config::AlertChannelType::json, "ALERT_WEBHOOK_URL", "", 0, "GITHUB_TOKEN", 7},
        {"tracker", config::AlertChannelType::github, "", "org/repo", 42, "TRACKER_TOKEN", 8},
    };
    return watch;
}

TEST(ResolveChannels, ReadsUrlsAndTokensFromTheNamedVariables) {
    auto channels = resolve_channels(watch_with_every_channel_type(),
                                     environment_of({{"DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/a"},
                                                     {"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/c"},
                                                     {"ALERT_WEBHOOK_URL", "http://127.0.0.1:9/hook"},
                                                     {"TRACKER_TOKEN", "ghp_token"}}));
    ASSERT_TRUE(channels) << channels.message();
    ASSERT_EQ(channels->size(), 4u);
    EXPECT_EQ((*channels)[0].name, "ops-discord");
    EXPECT_EQ((*channels)[0].type, AlertChannel::Type::discord);
    EXPECT_EQ((*channels)[0].url, "https://discord.com/api/webhooks/1/a");
    EXPECT_EQ((*channels)[1].type, AlertChannel::Type::slack);
    EXPECT_EQ((*channels)[1].url, "https://hooks.slack.com/services/T/B/c");
    EXPECT_EQ((*channels)[2].type, AlertChannel::Type::json);
    EXPECT_EQ((*channels)[2].url, "http://127.0.0.1:9/hook");
    const AlertChannel& tracker = (*channels)[3];
    EXPECT_EQ(tracker.type, AlertChannel::Type::github);
    EXPECT_EQ(tracker.repository, "org/repo");
    EXPECT_EQ(tracker.issue, 42);
    EXPECT_EQ(tracker.token, "ghp_token");
    EXPECT_EQ(tracker.api_url, "https://api.github.com");
}

TEST(ResolveChannels, GithubApiUrlComesFromTheEnvironmentWhenSet) {
    config::WatchConfig watch;
    watch.channels = {{"tracker", config::AlertChannelType::github, "", "org/repo", 42, "GITHUB_TOKEN", 8}};
    auto channels = resolve_channels(
        watch, environment_of({{"GITHUB_TOKEN", "t"}, {"GITHUB_API_URL", "https://github.example/api/v3"}}));
    ASSERT_TRUE(channels) << channels.message();
    EXPECT_EQ((*channels)[0].api_url, "https://github.example/api/v3");
}

TEST(ResolveChannels, EveryUnsetOrBadVariableIsNamedButNoValueIsShown) {
    auto channels = resolve_channels(watch_with_every_channel_type(),
                                     environment_of({{"DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/1/a"},
                                                     {"SLACK_WEBHOOK_URL", "hooks.slack.com/services/T/B/s3cr3t"},
                                                     {"ALERT_WEBHOOK_URL", "https://user:pa55@example.com/hook"}}));
    ASSERT_FALSE(channels);
    const std::string& message = channels.message();
    EXPECT_THAT(message, HasSubstr("watch.channels.ops-slack (line 6): environment variable SLACK_WEBHOOK_URL does "
                                   "not hold an http(s) URL"));
    EXPECT_THAT(message, HasSubstr("watch.channels.hook (line 7): environment variable ALERT_WEBHOOK_URL"));
    EXPECT_THAT(message, HasSubstr("watch.channels.tracker (line 8): environment variable TRACKER_TOKEN is not set"));
    EXPECT_THAT(message, Not(HasSubstr("ops-discord")));
    EXPECT_THAT(message, Not(HasSubstr("s3cr3t")));
    EXPECT_THAT(message, Not(HasSubstr("pa55")));
}

// ---- alert_text ----

TEST(AlertText, DownSaysWhichCheckSinceWhenTheLastSuccessTheReasonAndTheJobs) {
    const std::string text = alert_text(down_alert(), "https://ci.example.com/");
    EXPECT_EQ(text,
              "greenlight: check nightly-mainframe-smoke is DOWN\n"
              "Down since: 2026-11-21T10:00:00.000Z\n"
              "Last success: 2026-11-21T03:58:12.000Z\n"
              "Reason: no success within 6h and 30m of grace\n"
              "Bridge jobs: JOB00012, JOB00013\n"
              "Dashboard: https://ci.example.com/checks/nightly-mainframe-smoke");
}

TEST(AlertText, ACheckThatNeverSucceededSaysNeverAndNoLinkWithoutAPublicUrl) {
    Alert alert = down_alert();
    alert.last_success.reset();
    alert.job_ids.clear();
    const std::string text = alert_text(alert, "");
    EXPECT_THAT(text, HasSubstr("\nLast success: never"));
    EXPECT_THAT(text, Not(HasSubstr("Bridge jobs")));
    EXPECT_THAT(text, Not(HasSubstr("Dashboard")));
}

TEST(AlertText, ReminderRecoveryAndHeartbeatSayWhatHappened) {
    Alert reminder = down_alert();
    reminder.kind = AlertKind::reminder;
    EXPECT_THAT(alert_text(reminder, ""), HasSubstr("check nightly-mainframe-smoke is STILL DOWN\nDown since: "
                                                    "2026-11-21T10:00:00.000Z"));
    Alert recovery = down_alert();
    recovery.kind = AlertKind::recovery;
    EXPECT_THAT(alert_text(recovery, ""), HasSubstr("check nightly-mainframe-smoke has RECOVERED\nWas down since: "
                                                    "2026-11-21T10:00:00.000Z"));
    Alert heartbeat;
    heartbeat.kind = AlertKind::heartbeat;
    heartbeat.created = k_down_since;
    EXPECT_EQ(alert_text(heartbeat, "https://ci.example.com"),
              "greenlight heartbeat: alerts reach this channel (2026-11-21T10:00:00.000Z)");
}

TEST(AlertText, PersonalDataIsRedacted) {
    Alert alert = down_alert();
    alert.reason = "job failed for jane.doe@example.com (ask bob at example dot org)";
    const std::string text = alert_text(alert, "");
    EXPECT_THAT(text, Not(HasSubstr("jane.doe")));
    EXPECT_THAT(text, Not(HasSubstr("bob at example")));
    EXPECT_THAT(text, HasSubstr("Reason: job failed for [redacted]"));
}

// ---- bodies and headers, delivered to a real receiver ----

TEST(HttpAlertSender, DiscordGetsContentWithoutMentions) {
    Receiver receiver;
    auto sender = make_http_alert_sender("https://ci.example.com", 2s);
    DeliveryResult result = sender->send(down_alert(), webhook_channel(receiver, AlertChannel::Type::discord));
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::sent) << result.error;
    auto received = receiver.received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].path, k_secret_path);
    Json body = Json::parse(received[0].body);
    EXPECT_EQ(body.at("content"), alert_text(down_alert(), "https://ci.example.com"));
    EXPECT_EQ(body.at("allowed_mentions"), Json({{"parse", Json::array()}}));
    EXPECT_FALSE(body.contains("text"));
}

TEST(HttpAlertSender, SlackGetsTextWithItsMarkupEscaped) {
    Receiver receiver;
    Alert alert = down_alert();
    alert.reason = "exit 1 <!channel> & more";
    auto sender = make_http_alert_sender("", 2s);
    DeliveryResult result = sender->send(alert, webhook_channel(receiver, AlertChannel::Type::slack));
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::sent) << result.error;
    auto received = receiver.received();
    ASSERT_EQ(received.size(), 1u);
    Json body = Json::parse(received[0].body);
    EXPECT_THAT(body.at("text").get<std::string>(), HasSubstr("Reason: exit 1 &lt;!channel&gt; &amp; more"));
    EXPECT_FALSE(body.contains("content"));
}

TEST(HttpAlertSender, JsonGetsTheAlertDocumentAndTheKeyAsIdempotencyKey) {
    Receiver receiver;
    auto sender = make_http_alert_sender("https://ci.example.com", 2s);
    DeliveryResult result = sender->send(down_alert(), webhook_channel(receiver, AlertChannel::Type::json));
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::sent) << result.error;
    auto received = receiver.received();
    ASSERT_EQ(received.size(), 1u);
    auto header = [&](const std::string& name) { return received[0].header(name); };
    EXPECT_EQ(header("Idempotency-Key"), "nightly-mainframe-smoke/down/2026-11-21T10:00:00.000Z/ops");
    EXPECT_EQ(header("Content-Type"), "application/json");
    EXPECT_EQ(header("User-Agent"), "greenlight");
    Json body = Json::parse(received[0].body);
    EXPECT_EQ(body.at("schema"), "greenlight.alert/v1");
    EXPECT_EQ(body.at("kind"), "down");
    EXPECT_EQ(body.at("check"), "nightly-mainframe-smoke");
    EXPECT_EQ(body.at("state"), "down");
    EXPECT_EQ(body.at("since"), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(body.at("last_success"), "2026-11-21T03:58:12.000Z");
    EXPECT_EQ(body.at("reason"), "no success within 6h and 30m of grace");
    EXPECT_EQ(body.at("job_ids"), Json({"JOB00012", "JOB00013"}));
    EXPECT_EQ(body.at("text"), alert_text(down_alert(), "https://ci.example.com"));
    EXPECT_EQ(body.at("key"), "nightly-mainframe-smoke/down/2026-11-21T10:00:00.000Z/ops");
    EXPECT_EQ(body.at("url"), "https://ci.example.com/checks/nightly-mainframe-smoke");
}

TEST(AlertBody, JsonOfARecoveryAndANeverSucceededCheck) {
    Alert alert = down_alert();
    alert.kind = AlertKind::recovery;
    alert.last_success.reset();
    Json body = Json::parse(alert_body(alert, AlertChannel::Type::json, ""));
    EXPECT_EQ(body.at("kind"), "recovery");
    EXPECT_EQ(body.at("state"), "up");
    EXPECT_TRUE(body.at("last_success").is_null());
    EXPECT_FALSE(body.contains("url"));
}

TEST(HttpAlertSender, AReceiverThatFailsGetsARetryAndThenTheSameAlertAgain) {
    Receiver receiver;
    receiver.answer({500, "oops", {}, false});
    auto sender = make_http_alert_sender("", 2s);
    const AlertChannel channel = webhook_channel(receiver, AlertChannel::Type::json);
    DeliveryResult first = sender->send(down_alert(), channel);
    EXPECT_EQ(first.outcome, DeliveryResult::Outcome::retry);
    EXPECT_THAT(first.error, HasSubstr("json channel ops: POST " + receiver.origin() + " answered 500: oops"));
    EXPECT_FALSE(first.retry_after.has_value());
    DeliveryResult second = sender->send(down_alert(), channel);
    EXPECT_EQ(second.outcome, DeliveryResult::Outcome::sent) << second.error;
    auto received = receiver.received();
    ASSERT_EQ(received.size(), 2u);
    // The same key both times: a receiver that did act on the first can drop the second.
    EXPECT_EQ(received[0].header("Idempotency-Key"), received[1].header("Idempotency-Key"));
    EXPECT_EQ(received[0].body, received[1].body);
}

TEST(HttpAlertSender, TooManyRequestsIsARetryAfterWhatTheReceiverAsked) {
    Receiver receiver;
    receiver.answer({429, R"({"message":"rate limited"})", {{"Retry-After", "7"}}, false});
    auto sender = make_http_alert_sender("", 2s);
    DeliveryResult result = sender->send(down_alert(), webhook_channel(receiver, AlertChannel::Type::discord));
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::retry);
    EXPECT_EQ(result.retry_after, 7s);
    EXPECT_EQ(retry_delay(1, result.retry_after, 99), 7s);
}

TEST(HttpAlertSender, RetryAfterMayBeAnHttpDate) {
    const std::time_t in_ten_minutes = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + 600s);
    std::tm parts{};
    gmtime_r(&in_ten_minutes, &parts);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    Receiver receiver;
    receiver.answer({503, "", {{"Retry-After", date}}, false});
    receiver.answer({503, "", {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}, false});
    auto sender = make_http_alert_sender("", 2s);
    const AlertChannel channel = webhook_channel(receiver, AlertChannel::Type::json);
    DeliveryResult later = sender->send(down_alert(), channel);
    EXPECT_EQ(later.outcome, DeliveryResult::Outcome::retry);
    ASSERT_TRUE(later.retry_after.has_value());
    EXPECT_GT(*later.retry_after, 580s);
    EXPECT_LE(*later.retry_after, 600s);
    DeliveryResult past = sender->send(down_alert(), channel);
    EXPECT_EQ(past.retry_after, Duration{0});
}

TEST(HttpAlertSender, NotFoundIsGiveUpAndTheErrorHoldsNoSecret) {
    Receiver receiver;
    // A receiver that echoes the URL it was called at must not leak it into the log either.
    receiver.answer(
        {404, std::string(R"({"message":"Unknown Webhook )") + std::string(k_secret_path) + "\"}", {}, false});
    auto sender = make_http_alert_sender("", 2s);
    DeliveryResult result = sender->send(down_alert(), webhook_channel(receiver, AlertChannel::Type::discord));
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::give_up);
    EXPECT_THAT(result.error, HasSubstr("discord channel ops: POST " + receiver.origin() + " answered 404"));
    EXPECT_THAT(result.error, HasSubstr("Unknown Webhook [redacted]"));
    EXPECT_THAT(result.error, Not(HasSubstr("s3cr3t")));
}

TEST(HttpAlertSender, AReceiverSlowerThanTheTimeoutIsARetry) {
    Receiver receiver;
    receiver.answer({200, "", {}, true});
    auto sender = make_http_alert_sender("", 300ms);
    const auto started = std::chrono::steady_clock::now();
    DeliveryResult result = sender->send(down_alert(), webhook_channel(receiver, AlertChannel::Type::json));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::retry);
    EXPECT_THAT(result.error, HasSubstr("no answer"));
    EXPECT_THAT(result.error, Not(HasSubstr("s3cr3t")));
}

TEST(HttpAlertSender, NoReceiverIsARetry) {
    const int free_port = test_support::unused_port();
    AlertChannel channel;
    channel.name = "ops";
    channel.type = AlertChannel::Type::json;
    channel.url = "http://127.0.0.1:" + std::to_string(free_port) + std::string(k_secret_path);
    DeliveryResult result = make_http_alert_sender("", 300ms)->send(down_alert(), channel);
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::retry);
    EXPECT_THAT(result.error, HasSubstr("no answer"));
    EXPECT_THAT(result.error, Not(HasSubstr("s3cr3t")));
}

// ---- GitHub issue comments ----

TEST(HttpAlertSender, GithubGetsACommentOnTheIssueWithTheToken) {
    Receiver github;
    github.answer({201, R"({"html_url":"https://github.example/org/repo/issues/42#issuecomment-1"})", {}, false});
    auto sender = make_http_alert_sender("https://ci.example.com", 2s);
    DeliveryResult result = sender->send(down_alert(), github_channel(github));
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::sent) << result.error;
    auto received = github.received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].path, "/repos/org/repo/issues/42/comments");
    EXPECT_EQ(received[0].header("Authorization"), "Bearer ghp_s3cr3tT0ken");
    EXPECT_EQ(Json::parse(received[0].body), Json({{"body", alert_text(down_alert(), "https://ci.example.com")}}));
}

TEST(HttpAlertSender, GithubRefusalsAreGiveUpAndOutagesAndRateLimitsAreRetry) {
    Receiver github;
    github.answer({404, R"({"message":"Not Found"})", {}, false});
    github.answer({502, R"({"message":"Bad gateway"})", {}, false});
    github.answer({403, R"({"message":"secondary rate limit"})", {{"Retry-After", "30"}}, false});
    github.answer({401, R"({"message":"Bad credentials ghp_s3cr3tT0ken"})", {}, false});
    auto sender = make_http_alert_sender("", 2s);
    const AlertChannel channel = github_channel(github);

    DeliveryResult missing = sender->send(down_alert(), channel);
    EXPECT_EQ(missing.outcome, DeliveryResult::Outcome::give_up);
    EXPECT_EQ(missing.error, "github channel tracker (org/repo#42): GitHub answered 404: Not Found");

    DeliveryResult outage = sender->send(down_alert(), channel);
    EXPECT_EQ(outage.outcome, DeliveryResult::Outcome::retry);

    DeliveryResult limited = sender->send(down_alert(), channel);
    EXPECT_EQ(limited.outcome, DeliveryResult::Outcome::retry);
    EXPECT_EQ(limited.retry_after, 30s);

    DeliveryResult refused = sender->send(down_alert(), channel);
    EXPECT_EQ(refused.outcome, DeliveryResult::Outcome::give_up);
    EXPECT_THAT(refused.error, HasSubstr("Bad credentials [redacted]"));
    EXPECT_THAT(refused.error, Not(HasSubstr("ghp_s3cr3tT0ken")));
}

// ---- retry_delay ----

TEST(RetryDelay, DoublesWithJitterAndStopsAtAnHour) {
    Duration previous_full{0};
    for (int attempts = 1; attempts <= 12; ++attempts) {
        const Duration full = std::min<Duration>(15s * (1 << (attempts - 1)), 1h);
        const Duration delay = retry_delay(attempts, std::nullopt, 42);
        EXPECT_GE(delay, full / 2) << attempts;
        EXPECT_LE(delay, full) << attempts;
        EXPECT_GE(full, previous_full);
        previous_full = full;
    }
    EXPECT_LE(retry_delay(1000, std::nullopt, 7), 1h);
    EXPECT_GE(retry_delay(1000, std::nullopt, 7), 30min);
}

TEST(RetryDelay, TheSameSeedGivesTheSameDelayAndSeedsSpreadThem) {
    EXPECT_EQ(retry_delay(3, std::nullopt, 5), retry_delay(3, std::nullopt, 5));
    std::set<Duration::rep> delays;
    for (std::uint64_t seed = 0; seed < 20; ++seed) delays.insert(retry_delay(3, std::nullopt, seed).count());
    EXPECT_GT(delays.size(), 10u);
}

TEST(RetryDelay, RetryAfterWinsButIsCapped) {
    EXPECT_EQ(retry_delay(5, 2s, 1), 2s);
    EXPECT_EQ(retry_delay(1, 5h, 1), 1h);
}

}  // namespace
}  // namespace greenlight::serve
