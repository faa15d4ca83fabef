// The store's retention as an operator sees it after a prune: only the kinds of history given a limit shrink,
// the limit's edge is kept, recent pings stay however many, and each channel keeps its newest heartbeat.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "greenlight/serve/store.hpp"
#include "unit/serve/store_fixture.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;
using days = std::chrono::days;

const WallTime k_noon = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{12};

Duration of_days(int count) {
    return std::chrono::duration_cast<Duration>(days(count));
}

RunRecord make_run(std::string run_id, WallTime started) {
    RunRecord run;
    run.run_id = std::move(run_id);
    run.project = "shop";
    run.tier = "nightly";
    run.verdict = verdict::Verdict::pass;
    run.started = started;
    run.ended = started + 90s;
    run.duration_seconds = 90;
    return run;
}

CheckSpec make_check(std::string name) {
    CheckSpec spec;
    spec.name = std::move(name);
    spec.schedule.period = 6h;
    return spec;
}

Ping make_ping(std::string check, WallTime at) {
    Ping ping;
    ping.check = std::move(check);
    ping.kind = PingKind::success;
    ping.at = at;
    ping.source = "http";
    return ping;
}

Alert make_heartbeat(std::string channel, WallTime created) {
    Alert alert;
    alert.key = "heartbeat/" + channel + "/" + std::to_string(created.time_since_epoch().count());
    alert.kind = AlertKind::heartbeat;
    alert.channel = std::move(channel);
    alert.created = created;
    alert.reason = "the alert path works";
    return alert;
}

std::set<std::string> alert_keys(Store& store) {
    std::set<std::string> keys;
    for (const Alert& alert : store.alerts(100).value_or(std::vector<Alert>{})) keys.insert(alert.key);
    return keys;
}

class StoreRetentionTest : public test_support::StoreOnEachDatabase {
protected:
    void queue_sent(const Alert& alert) {
        ASSERT_TRUE(m_store->queue_alert(alert).value_or(false)) << alert.key;
        ASSERT_TRUE(m_store->alert_sent(alert.key, alert.created)) << alert.key;
    }
};

TEST_P(StoreRetentionTest, OnlyTheKindsOfHistoryGivenALimitArePruned) {
    ASSERT_TRUE(m_store->put_run(make_run("old-run", k_noon - days(400))));
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    ASSERT_TRUE(m_store->add_ping(make_ping("smoke", k_noon - days(400))));
    queue_sent(make_heartbeat("discord-main", k_noon - days(400)));
    queue_sent(make_heartbeat("discord-main", k_noon - days(300)));

    Retention runs_only;
    runs_only.runs = of_days(90);
    auto pruned = m_store->prune(runs_only, k_noon);
    ASSERT_TRUE(pruned) << pruned.message();
    EXPECT_EQ(pruned->runs, 1);
    EXPECT_EQ(pruned->pings, 0);
    EXPECT_EQ(pruned->alerts, 0);
    EXPECT_TRUE(pruned->complete);
    EXPECT_EQ(m_store->run_count().value_or(-1), 0);
    EXPECT_EQ(m_store->recent_pings("smoke", 10).value_or(std::vector<Ping>{}).size(), 1u);
    EXPECT_EQ(alert_keys(*m_store).size(), 2u);

    Retention alerts_only;
    alerts_only.alerts = of_days(90);
    pruned = m_store->prune(alerts_only, k_noon);
    ASSERT_TRUE(pruned) << pruned.message();
    EXPECT_EQ(pruned->alerts, 1) << "the older heartbeat; the newest stays";
    EXPECT_EQ(pruned->pings, 0);
    EXPECT_EQ(m_store->recent_pings("smoke", 10).value_or(std::vector<Ping>{}).size(), 1u);
}

TEST_P(StoreRetentionTest, ARunStartedExactlyAtTheLimitIsKept) {
    ASSERT_TRUE(m_store->put_run(make_run("at-the-limit", k_noon - days(90))));
    ASSERT_TRUE(m_store->put_run(make_run("just-older", k_noon - days(90) - 1ms)));
    Retention retention;
    retention.runs = of_days(90);
    auto pruned = m_store->prune(retention, k_noon);
    ASSERT_TRUE(pruned) << pruned.message();
    EXPECT_EQ(pruned->runs, 1);
    EXPECT_TRUE(pruned->runs_with_bundles.empty()) << "neither run had a bundle";
    EXPECT_TRUE(m_store->run("at-the-limit").value_or(std::nullopt).has_value());
    EXPECT_FALSE(m_store->run("just-older").value_or(RunRecord{}).has_value());
}

TEST_P(StoreRetentionTest, RecentPingsStayHoweverManyThereAre) {
    ASSERT_TRUE(m_store->put_check(make_check("chatty")));
    const int count = static_cast<int>(k_evaluation_pings) + 100;
    for (int i = 0; i < count; ++i) {
        ASSERT_TRUE(m_store->add_ping(make_ping("chatty", k_noon - 1h + std::chrono::seconds(i))));
    }
    Retention retention;
    retention.pings = of_days(30);
    auto pruned = m_store->prune(retention, k_noon);
    ASSERT_TRUE(pruned) << pruned.message();
    EXPECT_EQ(pruned->pings, 0);
    EXPECT_EQ(m_store->recent_pings("chatty", 1000).value_or(std::vector<Ping>{}).size(),
              static_cast<std::size_t>(count));
}

TEST_P(StoreRetentionTest, EachChannelKeepsItsNewestHeartbeat) {
    queue_sent(make_heartbeat("discord-main", k_noon - days(200)));
    queue_sent(make_heartbeat("discord-main", k_noon - days(150)));
    queue_sent(make_heartbeat("ops-webhook", k_noon - days(300)));
    queue_sent(make_heartbeat("ops-webhook", k_noon - days(100)));
    Retention retention;
    retention.alerts = of_days(90);
    auto pruned = m_store->prune(retention, k_noon);
    ASSERT_TRUE(pruned) << pruned.message();
    EXPECT_EQ(pruned->alerts, 2);
    EXPECT_EQ(alert_keys(*m_store), (std::set<std::string>{make_heartbeat("discord-main", k_noon - days(150)).key,
                                                           make_heartbeat("ops-webhook", k_noon - days(100)).key}));
    EXPECT_EQ(m_store->last_alert_of_kind(AlertKind::heartbeat, "discord-main").value_or(std::nullopt),
              std::optional<WallTime>(k_noon - days(150)));
    EXPECT_EQ(m_store->last_alert_of_kind(AlertKind::heartbeat, "ops-webhook").value_or(std::nullopt),
              std::optional<WallTime>(k_noon - days(100)));
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreRetentionTest,
                         ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         test_support::database_label);

}  // namespace
}  // namespace greenlight::serve
