// The `serve:` and `watch:` sections of greenlight.yml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

// The one error a text gives, as the user reads it.
std::string only_error(std::string_view text) {
    LoadOutcome outcome = load(text);
    EXPECT_FALSE(outcome.config.has_value());
    EXPECT_EQ(outcome.errors.size(), 1u) << ::testing::PrintToString(error_lines(outcome));
    return outcome.errors.empty() ? "" : outcome.errors.front().to_string();
}

TEST(ServeSection, AbsentSectionsAreNotPresentAndNeedNoSuitesWhenGiven) {
    Config without = load_valid(k_header + "suites: { u: { run: [x] } }\n");
    EXPECT_FALSE(without.serve.present);
    EXPECT_FALSE(without.watch.present);

    // A server's own config holds no suites.
    Config server = load_valid(k_header + "serve:\n");
    EXPECT_TRUE(server.serve.present);
    EXPECT_EQ(server.serve.line, 3);
}

TEST(ServeSection, DefaultsAreLoopbackAndSqlite) {
    Config config = load_valid(k_header + "serve: {}\n");
    const ServeConfig& serve = config.serve;
    EXPECT_EQ(serve.listen, "127.0.0.1:8080");
    EXPECT_EQ(serve.db, "sqlite:.greenlight/serve.db");
    EXPECT_EQ(serve.bundles, ".greenlight/bundles");
    EXPECT_EQ(serve.url, "");
    EXPECT_EQ(serve.dashboard_users, "");
    EXPECT_EQ(serve.limits.max_body, 64ull << 20);
    EXPECT_EQ(serve.limits.requests_per_minute, 1200);
    EXPECT_EQ(serve.retention.runs, std::optional<std::chrono::milliseconds>(std::chrono::hours{24 * 90}));
    EXPECT_EQ(serve.retention.pings, std::optional<std::chrono::milliseconds>(std::chrono::hours{24 * 30}));
    EXPECT_EQ(serve.retention.alerts, std::optional<std::chrono::milliseconds>(std::chrono::hours{24 * 90}));
    EXPECT_FALSE(serve.bridge.present);
    EXPECT_EQ(serve.bridge.state, ".greenlight/bridge");
    EXPECT_EQ(serve.bridge.max_active, 4);
}

TEST(ServeSection, EveryKeyIsRead) {
    Config config = load_valid(k_header + R"(serve:
  listen: "[::1]:9090"
  db: postgresql://greenlight@db.internal:5432/history
  bundles: store/bundles
  url: https://ci.example.com/greenlight/
  dashboard_users: dashboard.users
  limits: { max_body: 8MiB, requests_per_minute: 60 }
  retention: { runs: 1d12h, pings: forever, alerts: 720h }
  bridge: { state: jobs, users: bridge.users, max_active: 2 }
)");
    const ServeConfig& serve = config.serve;
    EXPECT_EQ(serve.listen, "[::1]:9090");
    EXPECT_EQ(serve.db, "postgresql://greenlight@db.internal:5432/history");
    EXPECT_EQ(serve.bundles, "store/bundles");
    EXPECT_EQ(serve.url, "https://ci.example.com/greenlight");  // the trailing '/' dropped
    EXPECT_EQ(serve.dashboard_users, "dashboard.users");
    EXPECT_EQ(serve.limits.max_body, 8ull << 20);
    EXPECT_EQ(serve.limits.requests_per_minute, 60);
    EXPECT_EQ(serve.retention.runs, std::optional<std::chrono::milliseconds>(std::chrono::hours{36}));
    EXPECT_FALSE(serve.retention.pings.has_value()) << "forever";
    EXPECT_EQ(serve.retention.alerts, std::optional<std::chrono::milliseconds>(std::chrono::hours{720}));
    EXPECT_TRUE(serve.bridge.present);
    EXPECT_EQ(serve.bridge.state, "jobs");
    EXPECT_EQ(serve.bridge.users, "bridge.users");
    EXPECT_EQ(serve.bridge.max_active, 2);
}

TEST(ServeSection, BridgeAloneHostsTheJobsInterfaceWithDefaults) {
    Config config = load_valid(k_header + "serve:\n  bridge:\n");
    EXPECT_TRUE(config.serve.bridge.present);
    EXPECT_EQ(config.serve.bridge.state, ".greenlight/bridge");
}

TEST(ServeSection, EachMistakeNamesItsLineAndKey) {
    EXPECT_EQ(only_error(k_header + "serve:\n  lsten: 127.0.0.1:1\n"),
              "greenlight.yml:4:3: serve.lsten: unknown key; did you mean 'listen'?");
    EXPECT_THAT(only_error(k_header + "serve:\n  listen: localhost\n"),
                HasSubstr("greenlight.yml:4:11: serve.listen: expected host:port"));
    EXPECT_THAT(only_error(k_header + "serve:\n  listen: 127.0.0.1:70000\n"), HasSubstr("from 0 to 65535"));
    EXPECT_THAT(only_error(k_header + "serve:\n  listen: \"::1:80\"\n"), HasSubstr("IPv6 host goes in brackets"));
    EXPECT_THAT(only_error(k_header + "serve:\n  db: mysql://h/db\n"),
                HasSubstr("greenlight.yml:4:7: serve.db: expected sqlite:PATH or postgresql://"));
    EXPECT_THAT(only_error(k_header + "serve:\n  url: ftp://ci.example.com\n"),
                HasSubstr("greenlight.yml:4:8: serve.url: expected the public base URL"));
    EXPECT_THAT(only_error(k_header + "serve:\n  url: https://ci.example.com/?a=b\n"), HasSubstr("query or fragment"));
    EXPECT_THAT(only_error(k_header + "serve:\n  limits: { max_body: 0 }\n"),
                HasSubstr("greenlight.yml:4:23: serve.limits.max_body: expected a size greater than zero"));
    EXPECT_THAT(only_error(k_header + "serve:\n  limits: { requests_per_minute: 0 }\n"),
                HasSubstr("serve.limits.requests_per_minute: expected a whole number from 1 to 1000000"));
    EXPECT_THAT(only_error(k_header + "serve:\n  bridge: { max_active: 0 }\n"),
                HasSubstr("greenlight.yml:4:25: serve.bridge.max_active: expected a whole number from 1 to 64"));
    EXPECT_THAT(only_error(k_header + "serve:\n  bridge: { stat: x }\n"),
                HasSubstr("greenlight.yml:4:13: serve.bridge.stat: unknown key; did you mean 'state'?"));
    EXPECT_THAT(only_error(k_header + "serve: [a]\n"), HasSubstr("greenlight.yml:3:8: serve: expected a mapping"));
    EXPECT_EQ(only_error(k_header + "serve:\n  retention: { pings: 10m }\n"),
              "greenlight.yml:4:23: serve.retention.pings: expected a duration of at least 1h such as 90d or 720h, "
              "or forever; found '10m'");
    EXPECT_THAT(only_error(k_header + "serve:\n  retention: { runs: [90d] }\n"),
                HasSubstr("greenlight.yml:4:22: serve.retention.runs: expected a duration"));
    EXPECT_THAT(only_error(k_header + "serve:\n  retention: { run: 90d }\n"),
                HasSubstr("serve.retention.run: unknown key; did you mean 'runs'?"));
    EXPECT_THAT(only_error(k_header + "serve:\n  retention: 90d\n"),
                HasSubstr("greenlight.yml:4:14: serve.retention: expected a mapping with any of"));
}

TEST(ServeSection, ADatabasePasswordIsRefusedWithoutBeingQuoted) {
    std::string error = only_error(k_header + "serve:\n  db: postgresql://greenlight:hunter2@db:5432/history\n");
    EXPECT_THAT(error, HasSubstr("greenlight.yml:4:7: serve.db:"));
    EXPECT_THAT(error, HasSubstr("PGPASSWORD"));
    EXPECT_THAT(error, Not(HasSubstr("hunter2")));
    EXPECT_THAT(only_error(k_header + "serve:\n  db: \"postgresql://db/history?password=hunter2\"\n"),
                Not(HasSubstr("hunter2")));
}

constexpr std::string_view k_watch = R"(watch:
  channels:
    ops-discord: { type: discord, url_env: DISCORD_WEBHOOK_URL }
    ops-slack:   { type: slack,   url_env: SLACK_WEBHOOK_URL }
    hook:        { type: json,    url_env: ALERT_WEBHOOK_URL }
    tracker:     { type: github,  repository: org/repo, issue: 42, token_env: TRACKER_TOKEN }
  realert: 4h
  heartbeat: { every: 12h, channels: [ops-discord, hook] }
  checks:
    nightly-mainframe-smoke:
      period: 6h
      grace: 45m
      max_run_time: 1h
      min_run_time: 10s
      failures: 3
      realert: 2h
      tier: nightly
      project: billing
      channels: [ops-discord, tracker]
      paused: true
      description: "Nightly smoke; see the runbook"
    backup:
      cron: "0 2 * * 1-5"
      timezone: Europe/Berlin
)";

TEST(WatchSection, EveryKeyIsRead) {
    Config config = load_valid(k_header + std::string(k_watch));
    const WatchConfig& watch = config.watch;
    EXPECT_TRUE(watch.present);
    EXPECT_EQ(watch.line, 3);
    ASSERT_EQ(watch.channels.size(), 4u);
    EXPECT_EQ(watch.channels[0].name, "ops-discord");
    EXPECT_EQ(watch.channels[0].type, AlertChannelType::discord);
    EXPECT_EQ(watch.channels[0].url_env, "DISCORD_WEBHOOK_URL");
    EXPECT_EQ(watch.channels[0].line, 5);
    EXPECT_EQ(watch.channels[1].type, AlertChannelType::slack);
    EXPECT_EQ(watch.channels[1].url_env, "SLACK_WEBHOOK_URL");
    EXPECT_EQ(watch.channels[2].type, AlertChannelType::json);
    EXPECT_EQ(watch.channels[2].url_env, "ALERT_WEBHOOK_URL");
    const AlertChannelConfig* tracker = watch.find_channel("tracker");
    ASSERT_NE(tracker, nullptr);
    EXPECT_EQ(tracker->type, AlertChannelType::github);
    EXPECT_EQ(tracker->repository, "org/repo");
    EXPECT_EQ(tracker->issue, 42);
    EXPECT_EQ(tracker->token_env, "TRACKER_TOKEN");
    EXPECT_EQ(watch.find_channel("nowhere"), nullptr);

    EXPECT_EQ(watch.realert, 4h);
    EXPECT_TRUE(watch.heartbeat.present);
    EXPECT_EQ(watch.heartbeat.every, 12h);
    EXPECT_THAT(watch.heartbeat.channels, ElementsAre("ops-discord", "hook"));

    ASSERT_EQ(watch.checks.size(), 2u);
    const WatchCheckConfig& smoke = watch.checks[0];
    EXPECT_EQ(smoke.name, "nightly-mainframe-smoke");
    EXPECT_EQ(smoke.line, 12);
    EXPECT_EQ(smoke.period, 6h);
    EXPECT_EQ(smoke.cron, "");
    EXPECT_EQ(smoke.grace, 45min);
    EXPECT_EQ(smoke.max_run_time, 1h);
    EXPECT_EQ(smoke.min_run_time, 10s);
    EXPECT_EQ(smoke.failures, 3);
    EXPECT_EQ(smoke.realert, 2h);
    EXPECT_EQ(watch.realert_for(smoke), 2h);
    EXPECT_EQ(smoke.tier, "nightly");
    EXPECT_EQ(smoke.project, "billing");
    EXPECT_THAT(smoke.channels, ElementsAre("ops-discord", "tracker"));
    EXPECT_TRUE(smoke.paused);
    EXPECT_EQ(smoke.description, "Nightly smoke; see the runbook");

    const WatchCheckConfig& backup = watch.checks[1];
    EXPECT_EQ(backup.name, "backup");
    EXPECT_FALSE(backup.period.has_value());
    EXPECT_EQ(backup.cron, "0 2 * * 1-5");
    EXPECT_EQ(backup.timezone, "Europe/Berlin");
    EXPECT_EQ(watch.realert_for(backup), 4h);  // the section's interval
}

TEST(WatchSection, CheckDefaults) {
    Config config = load_valid(k_header + "watch:\n  checks:\n    daily: { period: 24h }\n");
    ASSERT_EQ(config.watch.checks.size(), 1u);
    const WatchCheckConfig& check = config.watch.checks[0];
    EXPECT_EQ(check.period, 24h);
    EXPECT_EQ(check.timezone, "UTC");
    EXPECT_EQ(check.grace, 30min);
    EXPECT_FALSE(check.max_run_time.has_value());
    EXPECT_FALSE(check.min_run_time.has_value());
    EXPECT_EQ(check.failures, 1);
    EXPECT_FALSE(config.watch.realert_for(check).has_value());  // no reminders unless asked for
    EXPECT_FALSE(check.tier.has_value());
    EXPECT_TRUE(check.channels.empty());
    EXPECT_FALSE(check.paused);
    EXPECT_FALSE(config.watch.heartbeat.present);
}

TEST(WatchSection, AGithubChannelReadsTheTokenFromGithubTokenByDefault) {
    Config config = load_valid(k_header + "watch:\n  channels:\n    t: { type: github, repository: o/r, issue: 7 }\n");
    ASSERT_EQ(config.watch.channels.size(), 1u);
    EXPECT_EQ(config.watch.channels[0].token_env, "GITHUB_TOKEN");
}

TEST(WatchSection, SecretsInTheFileAreRefusedWithTheWayToGiveThem) {
    std::string error = only_error(
        k_header + "watch:\n  channels:\n    c:\n      type: slack\n      url: https://hooks.slack.com/T/B/x\n");
    EXPECT_THAT(error,
                HasSubstr("greenlight.yml:7:7: watch.channels.c.url: unknown key; secrets stay out of this file"));
    EXPECT_THAT(error, HasSubstr("set `url_env` to the name of an environment variable"));
    EXPECT_THAT(error, Not(HasSubstr("hooks.slack.com")));
    EXPECT_THAT(
        only_error(k_header + "watch:\n  channels:\n    t: { type: github, repository: o/r, issue: 1, token: x }\n"),
        HasSubstr("watch.channels.t.token: unknown key; secrets stay out of this file: set `token_env`"));
}

TEST(WatchSection, ChannelMistakes) {
    const std::string channels = k_header + "watch:\n  channels:\n";
    EXPECT_EQ(only_error(channels + "    c: { type: teams, url_env: HOOK }\n"),
              "greenlight.yml:5:16: watch.channels.c.type: expected discord, slack, json or github; found 'teams'");
    EXPECT_EQ(only_error(channels + "    c: { url_env: HOOK }\n"),
              "greenlight.yml:5:5: watch.channels.c.type: missing key; expected discord, slack, json or github");
    EXPECT_EQ(only_error(channels + "    c: { type: json }\n"),
              "greenlight.yml:5:5: watch.channels.c.url_env: missing key; expected the name of the environment "
              "variable holding the webhook URL");
    EXPECT_THAT(only_error(channels + "    c: { type: github, issue: 3 }\n"),
                HasSubstr("greenlight.yml:5:5: watch.channels.c.repository: missing key"));
    EXPECT_THAT(only_error(channels + "    c: { type: github, repository: o/r }\n"),
                HasSubstr("greenlight.yml:5:5: watch.channels.c.issue: missing key"));
    EXPECT_THAT(only_error(channels + "    c: { type: github, repository: o/r, issue: 0 }\n"),
                HasSubstr("greenlight.yml:5:48: watch.channels.c.issue: expected a whole number from 1"));
    EXPECT_THAT(only_error(channels + "    c: { type: github, repository: nope, issue: 1 }\n"),
                HasSubstr("watch.channels.c.repository: expected a GitHub repository as owner/name"));
    EXPECT_EQ(only_error(channels + "    c: { type: slack, url_env: HOOK, issue: 1 }\n"),
              "greenlight.yml:5:38: watch.channels.c.issue: a slack channel does not take `issue`; it takes type and "
              "url_env");
    EXPECT_THAT(only_error(channels + "    c: { type: json, url_env: 1HOOK }\n"),
                HasSubstr("greenlight.yml:5:31: watch.channels.c.url_env: expected an environment variable name"));
    EXPECT_THAT(only_error(channels + "    Ops: { type: json, url_env: HOOK }\n"),
                HasSubstr("greenlight.yml:5:5: watch.channels.Ops: expected a channel name of 1 to 64 of lowercase"));
}

TEST(WatchSection, ReferencesToUnknownChannelsAreErrorsAtTheReference) {
    const std::string text = k_header + R"(watch:
  checks:
    nightly: { period: 6h, channels: [ops-discrd] }
  heartbeat: { channels: [nowhere] }
  channels:
    ops-discord: { type: discord, url_env: HOOK }
)";
    EXPECT_THAT(error_lines(load(text)),
                ElementsAre("greenlight.yml:5:39: watch.checks.nightly.channels[0]: unknown channel 'ops-discrd'; did "
                            "you mean 'ops-discord'?",
                            "greenlight.yml:6:27: watch.heartbeat.channels[0]: unknown channel 'nowhere'; "
                            "watch.channels defines ops-discord"));
    EXPECT_EQ(only_error(k_header + "watch:\n  checks:\n    n: { period: 6h, channels: [x] }\n"),
              "greenlight.yml:5:33: watch.checks.n.channels[0]: unknown channel 'x'; watch.channels defines none");
}

TEST(WatchSection, CheckMistakes) {
    const std::string checks = k_header + "watch:\n  checks:\n";
    EXPECT_EQ(only_error(checks + "    Nightly: { period: 6h }\n"),
              "greenlight.yml:5:5: watch.checks.Nightly: expected a check name of 1 to 64 of lowercase letters, "
              "digits, '.', '_' and '-', starting with a letter or digit; found 'Nightly'");
    EXPECT_THAT(only_error(checks + "    " + std::string(65, 'a') + ": { period: 6h }\n"),
                HasSubstr("expected a check name of 1 to 64"));
    EXPECT_EQ(only_error(checks + "    n: { grace: 5m }\n"),
              "greenlight.yml:5:5: watch.checks.n: expected a schedule; found neither `period` (such as 6h) nor "
              "`cron` (such as \"0 2 * * *\" with `timezone`)");
    EXPECT_EQ(only_error(checks + "    n: { period: 6h, cron: \"0 2 * * *\" }\n"),
              "greenlight.yml:5:5: watch.checks.n: expected one of `period` and `cron`; found both (remove one)");
    EXPECT_EQ(only_error(checks + "    n: { period: 30s }\n"),
              "greenlight.yml:5:18: watch.checks.n.period: expected a duration of at least 1m; found '30s'");
    EXPECT_THAT(only_error(checks + "    n: { period: soon }\n"),
                HasSubstr("greenlight.yml:5:18: watch.checks.n.period: expected a duration such as 90s"));
    EXPECT_THAT(only_error(checks + "    n: { cron: \"every night\" }\n"),
                HasSubstr("greenlight.yml:5:16: watch.checks.n.cron: expected a cron expression of five fields"));
    EXPECT_THAT(only_error(checks + "    n: { cron: \"0 2 * * *\", timezone: \"Europe Berlin\" }\n"),
                HasSubstr("greenlight.yml:5:39: watch.checks.n.timezone: expected an IANA time zone"));
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, timezone: UTC }\n"),
                HasSubstr("greenlight.yml:5:32: watch.checks.n.timezone: expected `timezone` only with `cron`"));
    EXPECT_EQ(only_error(checks + "    n: { period: 6h, max_run_time: 1m, min_run_time: 5m }\n"),
              "greenlight.yml:5:54: watch.checks.n.min_run_time: expected a min_run_time shorter than max_run_time "
              "(1m00s); found 5m00s");
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, max_run_time: 0s }\n"),
                HasSubstr("watch.checks.n.max_run_time: expected a duration greater than zero"));
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, failures: 0 }\n"),
                HasSubstr("greenlight.yml:5:32: watch.checks.n.failures: expected a whole number from 1 to 100"));
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, realert: 10s }\n"),
                HasSubstr("watch.checks.n.realert: expected a duration of at least 1m"));
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, paused: maybe }\n"),
                HasSubstr("watch.checks.n.paused: expected true or false"));
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, tier: \"a/b\" }\n"),
                HasSubstr("watch.checks.n.tier: expected a tier name"));
    EXPECT_THAT(only_error(checks + "    n: { period: 6h, channels: [] }\n"),
                HasSubstr("watch.checks.n.channels: expected a non-empty list"));
    EXPECT_EQ(only_error(checks + "    n: { period: 6h, grce: 5m }\n"),
              "greenlight.yml:5:22: watch.checks.n.grce: unknown key; did you mean 'grace'?");
}

TEST(WatchSection, SectionMistakes) {
    EXPECT_THAT(only_error(k_header + "watch:\n  realert: 5s\n"),
                HasSubstr("greenlight.yml:4:12: watch.realert: expected a duration of at least 1m"));
    EXPECT_EQ(
        only_error(k_header + "watch:\n  heartbeat: { every: 24h }\n"),
        "greenlight.yml:4:14: watch.heartbeat.channels: missing key; expected the channels the heartbeat goes to");
    EXPECT_THAT(only_error(k_header + "watch:\n  chekcs: {}\n"),
                HasSubstr("greenlight.yml:4:3: watch.chekcs: unknown key; did you mean 'checks'?"));
    EXPECT_THAT(only_error(k_header + "watch:\n"), HasSubstr("greenlight.yml:3:1: watch: expected a mapping"));
    EXPECT_THAT(only_error(k_header + "watch:\n  checks: [a]\n"),
                HasSubstr("greenlight.yml:4:11: watch.checks: expected a mapping of check names"));
}

TEST(WatchSection, EveryErrorInTheSectionIsReportedInOnePass) {
    LoadOutcome outcome = load(k_header + R"(watch:
  channels:
    a: { type: json }
  checks:
    one: { period: 1s }
    two: { cron: "x" }
)");
    EXPECT_EQ(outcome.errors.size(), 3u) << ::testing::PrintToString(error_lines(outcome));
}

TEST(WatchNames, OneRuleForChecksAndChannels) {
    for (std::string_view good : {"a", "0", "nightly", "db.backup_2-x", "9-lives"}) {
        EXPECT_TRUE(is_valid_watch_name(good)) << good;
    }
    EXPECT_TRUE(is_valid_watch_name(std::string(64, 'a')));
    for (std::string_view bad : {"", "Nightly", ".hidden", "-x", "_x", "a b", "a/b", "a%2f", "caf\xc3\xa9"}) {
        EXPECT_FALSE(is_valid_watch_name(bad)) << bad;
    }
    EXPECT_FALSE(is_valid_watch_name(std::string(65, 'a')));
}

}  // namespace
}  // namespace greenlight::config
