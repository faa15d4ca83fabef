// The store's alert outbox as the sender and the dashboard see it: which alerts a claim hands out and in what
// order, how long a lease holds, alerts queued for later, what is kept of each alert, and errors about keys.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenlight/serve/store.hpp"
#include "unit/serve/store_fixture.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;
using test_support::StillClock;

const WallTime k_noon = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{12};

Alert make_alert(std::string key, WallTime created) {
    Alert alert;
    alert.key = std::move(key);
    alert.kind = AlertKind::down;
    alert.check = "nightly-smoke";
    alert.channel = "discord-main";
    alert.created = created;
    alert.down_since = created - 1h;
    alert.last_success = created - 7h;
    alert.reason = "no success for 7 h (period 6 h, grace 30 min)";
    alert.job_ids = {"JOB00042", "JOB00043"};
    return alert;
}

std::vector<std::string> keys_of(const std::vector<Alert>& alerts) {
    std::vector<std::string> keys;
    for (const Alert& alert : alerts) keys.push_back(alert.key);
    return keys;
}

class StoreAlertsTest : public test_support::StoreOnEachDatabase {};

TEST_P(StoreAlertsTest, AClaimHandsOutTheDueAlertsOldestFirstAndNoMoreThanAsked) {
    // Queued out of order: the claim orders them by when they are due.
    for (int minute : {3, 1, 4, 2, 5}) {
        ASSERT_TRUE(
            m_store->queue_alert(make_alert("alert-" + std::to_string(minute), k_noon + std::chrono::minutes(minute)))
                .value_or(false));
    }
    auto first = m_store->claim_alerts(k_noon + 10min, 2, 5min);
    ASSERT_TRUE(first) << first.message();
    EXPECT_EQ(keys_of(*first), (std::vector<std::string>{"alert-1", "alert-2"}));
    auto second = m_store->claim_alerts(k_noon + 10min, 2, 5min);
    ASSERT_TRUE(second) << second.message();
    EXPECT_EQ(keys_of(*second), (std::vector<std::string>{"alert-3", "alert-4"}));
    auto rest = m_store->claim_alerts(k_noon + 10min, 2, 5min);
    ASSERT_TRUE(rest) << rest.message();
    EXPECT_EQ(keys_of(*rest), (std::vector<std::string>{"alert-5"}));
    EXPECT_TRUE(m_store->claim_alerts(k_noon + 10min, 2, 5min).value_or(std::vector<Alert>{Alert{}}).empty());
}

TEST_P(StoreAlertsTest, AnAlertIsNotHandedOutBeforeItIsCreated) {
    ASSERT_TRUE(m_store->queue_alert(make_alert("later", k_noon + 1h)).value_or(false));
    EXPECT_TRUE(m_store->claim_alerts(k_noon, 10, 5min).value_or(std::vector<Alert>{Alert{}}).empty());
    EXPECT_EQ(keys_of(m_store->claim_alerts(k_noon + 1h, 10, 5min).value_or(std::vector<Alert>{})),
              std::vector<std::string>{"later"});
}

TEST_P(StoreAlertsTest, AnAlertQueuedForLaterWaitsForItsTime) {
    Alert reminder = make_alert("reminder", k_noon);
    reminder.kind = AlertKind::reminder;
    reminder.next_attempt = k_noon + 30min;
    ASSERT_TRUE(m_store->queue_alert(reminder).value_or(false));
    EXPECT_TRUE(m_store->claim_alerts(k_noon + 29min, 10, 5min).value_or(std::vector<Alert>{Alert{}}).empty());
    auto due = m_store->claim_alerts(k_noon + 30min, 10, 5min);
    ASSERT_TRUE(due) << due.message();
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].kind, AlertKind::reminder);
    EXPECT_EQ((*due)[0].created, k_noon);
}

TEST_P(StoreAlertsTest, ALeaseHoldsUntilItsEndAndNoLonger) {
    ASSERT_TRUE(m_store->queue_alert(make_alert("down-1", k_noon)).value_or(false));
    auto claimed = m_store->claim_alerts(k_noon, 10, 5min);
    ASSERT_TRUE(claimed) << claimed.message();
    ASSERT_EQ(claimed->size(), 1u);
    EXPECT_EQ((*claimed)[0].attempts, 1);
    EXPECT_EQ((*claimed)[0].next_attempt, std::optional<WallTime>(k_noon + 5min)) << "the lease's end";

    EXPECT_TRUE(m_store->claim_alerts(k_noon + 5min - 1ms, 10, 5min).value_or(std::vector<Alert>{Alert{}}).empty())
        << "handed out again while leased";
    auto again = m_store->claim_alerts(k_noon + 5min, 10, 5min);
    ASSERT_TRUE(again) << again.message();
    ASSERT_EQ(again->size(), 1u) << "not handed out again once its lease ended";
    EXPECT_EQ((*again)[0].attempts, 2);
}

TEST_P(StoreAlertsTest, EverythingQueuedIsListedBackNewestFirst) {
    Alert older = make_alert("older", k_noon);
    Alert newer = make_alert("newer", k_noon + 1min);
    newer.kind = AlertKind::recovery;
    newer.channel = "ops-webhook";
    newer.down_since.reset();
    newer.job_ids.clear();
    ASSERT_TRUE(m_store->queue_alert(older).value_or(false));
    ASSERT_TRUE(m_store->queue_alert(newer).value_or(false));
    ASSERT_TRUE(m_store->queue_alert(make_alert("newest", k_noon + 2min)).value_or(false));

    auto two = m_store->alerts(2);
    ASSERT_TRUE(two) << two.message();
    EXPECT_EQ(keys_of(*two), (std::vector<std::string>{"newest", "newer"}));
    const Alert& listed = (*two)[1];
    EXPECT_EQ(listed.kind, AlertKind::recovery);
    EXPECT_EQ(listed.check, "nightly-smoke");
    EXPECT_EQ(listed.channel, "ops-webhook");
    EXPECT_FALSE(listed.down_since.has_value());
    EXPECT_EQ(listed.last_success, std::optional<WallTime>(k_noon + 1min - 7h));
    EXPECT_EQ(listed.reason, "no success for 7 h (period 6 h, grace 30 min)");
    EXPECT_TRUE(listed.job_ids.empty());
    EXPECT_EQ(listed.attempts, 0);
    EXPECT_FALSE(listed.sent.has_value());

    auto all = m_store->alerts(10);
    ASSERT_TRUE(all) << all.message();
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[2].job_ids, (std::vector<std::string>{"JOB00042", "JOB00043"}));
    EXPECT_EQ((*all)[2].down_since, std::optional<WallTime>(k_noon - 1h));
}

TEST_P(StoreAlertsTest, AnAlertWithoutACreationTimeIsCreatedNow) {
    Alert alert = make_alert("undated", WallTime{});
    ASSERT_TRUE(m_store->queue_alert(alert).value_or(false));
    auto listed = m_store->alerts(1);
    ASSERT_TRUE(listed && listed->size() == 1u);
    EXPECT_EQ((*listed)[0].created, StillClock::k_start);
    EXPECT_EQ(keys_of(m_store->claim_alerts(StillClock::k_start, 10, 1min).value_or(std::vector<Alert>{})),
              std::vector<std::string>{"undated"});
}

TEST_P(StoreAlertsTest, ReportingOnAnAlertThatWasNeverQueuedSaysWhichKey) {
    auto sent = m_store->alert_sent("smoke/down/missing", k_noon);
    ASSERT_FALSE(sent);
    EXPECT_NE(sent.message().find("no queued alert with key 'smoke/down/missing'"), std::string::npos)
        << sent.message();
    auto failed = m_store->alert_failed("smoke/down/missing", "HTTP 500", k_noon + 1min);
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.message().find("no queued alert with key 'smoke/down/missing'"), std::string::npos)
        << failed.message();

    auto unkeyed = m_store->queue_alert(make_alert("", k_noon));
    ASSERT_FALSE(unkeyed);
    EXPECT_NE(unkeyed.message().find("needs a key"), std::string::npos) << unkeyed.message();
    EXPECT_TRUE(m_store->alerts(10).value_or(std::vector<Alert>{Alert{}}).empty());
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreAlertsTest, ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         test_support::database_label);

}  // namespace
}  // namespace greenlight::serve
