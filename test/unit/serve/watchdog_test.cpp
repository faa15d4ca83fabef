// The watchdog's states and alerts, step by step on a clock the test moves: each evaluation hands the previous
// status back in, the way the server's store does.
#include "greenlight/serve/watchdog.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;

WallTime utc(const std::string& text) {
    std::istringstream in(text);
    date::sys_seconds parsed;
    in >> date::parse("%FT%TZ", parsed);
    if (in.fail()) throw std::invalid_argument("bad time in test: " + text);
    return WallTime{parsed};
}

std::string show(const std::optional<WallTime>& time) {
    return time ? util::format_utc(*time) : "none";
}

struct PingOptions {
    std::optional<std::string> rid = std::nullopt;
    std::optional<int> exit_code = std::nullopt;
    std::string body = "";
    std::string source = "http";
};

std::vector<std::string> keys_of(const Evaluation& evaluation) {
    std::vector<std::string> keys;
    for (const Alert& alert : evaluation.alerts) keys.push_back(alert.key);
    return keys;
}

// One check over time: pings arrive, the clock moves, and each evaluation sees the status the last one left.
class WatchdogTest : public ::testing::Test {
protected:
    WatchdogTest() {
        m_spec.name = "nightly-smoke";
        m_spec.schedule.period = 6h;
        m_spec.grace = 30min;
        m_spec.channels = {"discord-main", "ops-webhook"};
    }

    void ping(PingKind kind, const std::string& at, const PingOptions& options = {}) {
        Ping ping;
        ping.check = m_spec.name;
        ping.kind = kind;
        ping.at = utc(at);
        ping.rid = options.rid;
        ping.exit_code = options.exit_code;
        ping.body = options.body;
        ping.source = options.source;
        m_pings.push_back(ping);
    }

    Evaluation evaluate_at(const std::string& now) {
        Evaluation evaluation = evaluate(m_spec, m_status, m_pings, utc(now));
        m_status = evaluation.status;
        return evaluation;
    }

    CheckState state() const { return m_status->state; }

    CheckSpec m_spec;
    std::vector<Ping> m_pings;
    std::optional<CheckStatus> m_status;
};

TEST_F(WatchdogTest, NewUntilTheFirstPingAndSilentMeanwhile) {
    Evaluation first = evaluate_at("2026-11-21T10:00:00Z");
    EXPECT_EQ(first.status.state, CheckState::new_check);
    EXPECT_TRUE(first.alerts.empty());
    Evaluation days_later = evaluate_at("2026-11-25T10:00:00Z");
    EXPECT_EQ(days_later.status.state, CheckState::new_check);
    EXPECT_EQ(show(days_later.status.since), "2026-11-21T10:00:00.000Z");
    EXPECT_TRUE(days_later.alerts.empty());

    // A log line is not a run: still new, but the dashboard sees it was heard from.
    ping(PingKind::log, "2026-11-25T11:00:00Z");
    Evaluation after_log = evaluate_at("2026-11-25T11:00:01Z");
    EXPECT_EQ(after_log.status.state, CheckState::new_check);
    EXPECT_EQ(show(after_log.status.last_ping), "2026-11-25T11:00:00.000Z");

    ping(PingKind::success, "2026-11-25T12:00:00Z");
    EXPECT_EQ(evaluate_at("2026-11-25T12:00:01Z").status.state, CheckState::up);
}

TEST_F(WatchdogTest, SuccessMakesItUpAndDueOnePeriodLater) {
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    const Evaluation evaluation = evaluate_at("2026-11-21T10:01:00Z");
    EXPECT_EQ(evaluation.status.state, CheckState::up);
    EXPECT_EQ(show(evaluation.status.since), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(show(evaluation.status.last_success), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(show(evaluation.status.next_due), "2026-11-21T16:00:00.000Z");
    EXPECT_TRUE(evaluation.alerts.empty());
}

TEST_F(WatchdogTest, LateAfterDueSilentlyThenDownAfterGraceWithOneAlertPerChannel) {
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    EXPECT_EQ(evaluate_at("2026-11-21T15:59:59Z").status.state, CheckState::up);

    const Evaluation late = evaluate_at("2026-11-21T16:00:00Z");
    EXPECT_EQ(late.status.state, CheckState::late);
    EXPECT_NE(late.status.reason.find("expected by 2026-11-21T16:00:00.000Z"), std::string::npos) << late.status.reason;
    EXPECT_TRUE(late.alerts.empty());
    EXPECT_EQ(evaluate_at("2026-11-21T16:29:59Z").status.state, CheckState::late);

    const Evaluation down = evaluate_at("2026-11-21T16:30:00Z");
    EXPECT_EQ(down.status.state, CheckState::down);
    EXPECT_EQ(show(down.status.since), "2026-11-21T16:30:00.000Z");
    const std::string reason = "no success since 2026-11-21T10:00:00.000Z (expected by 2026-11-21T16:00:00.000Z)";
    EXPECT_EQ(down.status.reason, reason);
    EXPECT_EQ(keys_of(down), (std::vector<std::string>{"nightly-smoke/down/2026-11-21T16:30:00.000Z/discord-main",
                                                       "nightly-smoke/down/2026-11-21T16:30:00.000Z/ops-webhook"}));
    for (const Alert& alert : down.alerts) {
        EXPECT_EQ(alert.kind, AlertKind::down);
        EXPECT_EQ(alert.check, "nightly-smoke");
        EXPECT_EQ(show(alert.down_since), "2026-11-21T16:30:00.000Z");
        EXPECT_EQ(show(alert.last_success), "2026-11-21T10:00:00.000Z");
        EXPECT_EQ(alert.reason, reason);
    }
    EXPECT_EQ(down.alerts[1].channel, "ops-webhook");

    // Still down a minute later: nothing new.
    EXPECT_TRUE(evaluate_at("2026-11-21T16:31:00Z").alerts.empty());
}

TEST_F(WatchdogTest, SuccessAfterDownRecoversOnceWithARecoveryAlert) {
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    ASSERT_EQ(evaluate_at("2026-11-21T16:30:00Z").status.state, CheckState::down);

    ping(PingKind::success, "2026-11-21T17:00:00Z");
    const Evaluation recovered = evaluate_at("2026-11-21T17:00:05Z");
    EXPECT_EQ(recovered.status.state, CheckState::up);
    EXPECT_EQ(show(recovered.status.since), "2026-11-21T17:00:00.000Z");
    EXPECT_EQ(show(recovered.status.next_due), "2026-11-21T23:00:00.000Z");
    EXPECT_EQ(keys_of(recovered),
              (std::vector<std::string>{"nightly-smoke/recovery/2026-11-21T16:30:00.000Z/discord-main",
                                        "nightly-smoke/recovery/2026-11-21T16:30:00.000Z/ops-webhook"}));
    EXPECT_EQ(recovered.alerts[0].kind, AlertKind::recovery);
    EXPECT_EQ(show(recovered.alerts[0].down_since), "2026-11-21T16:30:00.000Z");
    EXPECT_EQ(show(recovered.alerts[0].last_success), "2026-11-21T17:00:00.000Z");
    EXPECT_EQ(recovered.alerts[0].reason,
              "nightly-smoke is up again after being down since 2026-11-21T16:30:00.000Z; last success at "
              "2026-11-21T17:00:00.000Z");
    EXPECT_TRUE(evaluate_at("2026-11-21T17:01:00Z").alerts.empty());
}

TEST_F(WatchdogTest, FailuresBelowTheThresholdStayUpAndTheThresholdGoesDownNamingTheExitCode) {
    m_spec.failures_before_alert = 3;
    ping(PingKind::success, "2026-11-21T08:00:00Z");
    ping(PingKind::fail, "2026-11-21T09:00:00Z", {.exit_code = 1});
    ping(PingKind::fail, "2026-11-21T10:00:00Z");
    const Evaluation two = evaluate_at("2026-11-21T10:00:01Z");
    EXPECT_EQ(two.status.state, CheckState::up);
    EXPECT_EQ(two.status.consecutive_failures, 2);
    EXPECT_TRUE(two.alerts.empty());

    ping(PingKind::fail, "2026-11-21T11:00:00Z", {.exit_code = 3});
    const Evaluation three = evaluate_at("2026-11-21T11:00:01Z");
    EXPECT_EQ(three.status.state, CheckState::down);
    EXPECT_EQ(three.status.consecutive_failures, 3);
    EXPECT_EQ(show(three.status.since), "2026-11-21T11:00:00.000Z");
    EXPECT_EQ(three.status.reason, "3 failures in a row, the last at 2026-11-21T11:00:00.000Z: exit code 3");
    ASSERT_EQ(three.alerts.size(), 2U);
    EXPECT_EQ(three.alerts[0].key, "nightly-smoke/down/2026-11-21T11:00:00.000Z/discord-main");
    EXPECT_EQ(three.alerts[0].reason, three.status.reason);

    ping(PingKind::success, "2026-11-21T12:00:00Z");
    const Evaluation reset = evaluate_at("2026-11-21T12:00:01Z");
    EXPECT_EQ(reset.status.state, CheckState::up);
    EXPECT_EQ(reset.status.consecutive_failures, 0);
    EXPECT_EQ(keys_of(reset).front(), "nightly-smoke/recovery/2026-11-21T11:00:00.000Z/discord-main");
}

TEST_F(WatchdogTest, ExitCodeZeroIsASuccessAndAnyOtherAFailure) {
    ping(PingKind::success, "2026-11-21T10:00:00Z", {.exit_code = 0});
    EXPECT_EQ(evaluate_at("2026-11-21T10:00:01Z").status.state, CheckState::up);
    ping(PingKind::success, "2026-11-21T11:00:00Z", {.exit_code = 2});
    const Evaluation failed = evaluate_at("2026-11-21T11:00:01Z");
    EXPECT_EQ(failed.status.state, CheckState::down);
    EXPECT_EQ(failed.status.reason, "failed at 2026-11-21T11:00:00.000Z: exit code 2");
}

TEST_F(WatchdogTest, ConcurrentRunsDoNotHideAStuckOne) {
    m_spec.max_run_time = 1h;
    ping(PingKind::start, "2026-11-21T10:00:00Z", {.rid = "a"});
    ping(PingKind::start, "2026-11-21T10:05:00Z", {.rid = "b"});
    ping(PingKind::success, "2026-11-21T10:20:00Z", {.rid = "b"});
    ping(PingKind::start, "2026-11-21T10:30:00Z", {.rid = "c"});
    ping(PingKind::success, "2026-11-21T10:40:00Z", {.rid = "c"});
    EXPECT_EQ(evaluate_at("2026-11-21T10:59:59Z").status.state, CheckState::up);

    const Evaluation stuck = evaluate_at("2026-11-21T11:00:00Z");
    EXPECT_EQ(stuck.status.state, CheckState::down);
    EXPECT_EQ(stuck.status.reason, "run a started at 2026-11-21T10:00:00.000Z has not ended after 1 h");
    EXPECT_EQ(keys_of(stuck).front(), "nightly-smoke/down/2026-11-21T11:00:00.000Z/discord-main");
    EXPECT_EQ(show(stuck.alerts.front().last_success), "2026-11-21T10:40:00.000Z");

    // Another run succeeds meanwhile: run a is still stuck, the incident goes on, nothing is sent.
    ping(PingKind::start, "2026-11-21T11:02:00Z", {.rid = "d"});
    ping(PingKind::success, "2026-11-21T11:05:00Z", {.rid = "d"});
    const Evaluation still = evaluate_at("2026-11-21T11:06:00Z");
    EXPECT_EQ(still.status.state, CheckState::down);
    EXPECT_EQ(show(still.status.since), "2026-11-21T11:00:00.000Z");
    EXPECT_TRUE(still.alerts.empty());

    // Run a ends at last, too slow: a failure, so the check stays down.
    ping(PingKind::success, "2026-11-21T11:10:00Z", {.rid = "a"});
    const Evaluation slow = evaluate_at("2026-11-21T11:10:01Z");
    EXPECT_EQ(slow.status.state, CheckState::down);
    EXPECT_NE(slow.status.reason.find("ended after 1 h 10 min, slower than the maximum 1 h"), std::string::npos)
        << slow.status.reason;
    EXPECT_TRUE(slow.alerts.empty());

    ping(PingKind::start, "2026-11-21T11:20:00Z", {.rid = "e"});
    ping(PingKind::success, "2026-11-21T11:30:00Z", {.rid = "e"});
    const Evaluation recovered = evaluate_at("2026-11-21T11:30:01Z");
    EXPECT_EQ(recovered.status.state, CheckState::up);
    EXPECT_EQ(keys_of(recovered).front(), "nightly-smoke/recovery/2026-11-21T11:00:00.000Z/discord-main");
}

TEST_F(WatchdogTest, StartWithoutRidIsEndedOnlyByAnEndWithoutRid) {
    m_spec.max_run_time = 30min;
    ping(PingKind::start, "2026-11-21T10:00:00Z");
    ping(PingKind::success, "2026-11-21T10:10:00Z", {.rid = "x"});
    const Evaluation stuck = evaluate_at("2026-11-21T10:30:00Z");
    EXPECT_EQ(stuck.status.state, CheckState::down);
    EXPECT_EQ(stuck.status.reason, "run started at 2026-11-21T10:00:00.000Z has not ended after 30 min");

    m_pings.clear();
    m_status.reset();
    ping(PingKind::start, "2026-11-21T10:00:00Z");
    ping(PingKind::success, "2026-11-21T10:20:00Z");
    EXPECT_EQ(evaluate_at("2026-11-21T10:30:00Z").status.state, CheckState::up);
}

TEST_F(WatchdogTest, RunEndingFasterThanTheMinimumIsAFailure) {
    m_spec.min_run_time = 10s;
    ping(PingKind::start, "2026-11-21T10:00:00Z", {.rid = "r1"});
    ping(PingKind::success, "2026-11-21T10:00:02Z", {.rid = "r1"});
    const Evaluation fast = evaluate_at("2026-11-21T10:00:03Z");
    EXPECT_EQ(fast.status.state, CheckState::down);
    EXPECT_EQ(fast.status.reason, "failed at 2026-11-21T10:00:02.000Z: ended after 2 s, faster than the minimum 10 s");
    EXPECT_EQ(show(fast.status.last_success), "none");

    ping(PingKind::start, "2026-11-21T11:00:00Z", {.rid = "r2"});
    ping(PingKind::success, "2026-11-21T11:00:10Z", {.rid = "r2"});
    const Evaluation long_enough = evaluate_at("2026-11-21T11:00:11Z");
    EXPECT_EQ(long_enough.status.state, CheckState::up);
    EXPECT_EQ(show(long_enough.status.last_success), "2026-11-21T11:00:10.000Z");
}

TEST_F(WatchdogTest, RunStillGoingAfterTheMaximumIsDown) {
    m_spec.max_run_time = 2h;
    ping(PingKind::success, "2026-11-21T07:00:00Z");
    ping(PingKind::start, "2026-11-21T08:00:00Z");
    EXPECT_EQ(evaluate_at("2026-11-21T09:59:59Z").status.state, CheckState::up);
    const Evaluation slow = evaluate_at("2026-11-21T10:00:00Z");
    EXPECT_EQ(slow.status.state, CheckState::down);
    EXPECT_EQ(show(slow.status.since), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(slow.status.reason, "run started at 2026-11-21T08:00:00.000Z has not ended after 2 h");
    EXPECT_EQ(slow.alerts.size(), 2U);
}

TEST_F(WatchdogTest, PausedSendsNothingAndUnpausingFollowsThePings) {
    m_spec.paused = true;
    EXPECT_EQ(evaluate_at("2026-11-21T09:00:00Z").status.state, CheckState::paused);

    ping(PingKind::success, "2026-11-21T10:00:00Z");
    const Evaluation paused = evaluate_at("2026-11-21T20:00:00Z");
    EXPECT_EQ(paused.status.state, CheckState::paused);
    EXPECT_EQ(show(paused.status.since), "2026-11-21T09:00:00.000Z");
    EXPECT_EQ(show(paused.status.last_success), "2026-11-21T10:00:00.000Z");
    EXPECT_TRUE(paused.alerts.empty());

    m_spec.paused = false;
    const Evaluation unpaused = evaluate_at("2026-11-21T20:00:01Z");
    EXPECT_EQ(unpaused.status.state, CheckState::down);
    EXPECT_EQ(keys_of(unpaused).front(), "nightly-smoke/down/2026-11-21T16:30:00.000Z/discord-main");

    m_spec.paused = true;
    EXPECT_TRUE(evaluate_at("2026-11-21T20:01:00Z").alerts.empty());
    ping(PingKind::success, "2026-11-21T20:05:00Z");
    m_spec.paused = false;
    const Evaluation healthy = evaluate_at("2026-11-21T20:06:00Z");
    EXPECT_EQ(healthy.status.state, CheckState::up);
    EXPECT_TRUE(healthy.alerts.empty());  // a pause ends the incident without a recovery message
}

TEST_F(WatchdogTest, LogPingsChangeNothingButLastPing) {
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    ping(PingKind::log, "2026-11-21T15:00:00Z", {.body = "still copying"});
    const Evaluation evaluation = evaluate_at("2026-11-21T15:00:01Z");
    EXPECT_EQ(evaluation.status.state, CheckState::up);
    EXPECT_EQ(show(evaluation.status.last_ping), "2026-11-21T15:00:00.000Z");
    EXPECT_EQ(show(evaluation.status.last_success), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(show(evaluation.status.next_due), "2026-11-21T16:00:00.000Z");
    EXPECT_EQ(evaluate_at("2026-11-21T16:30:00Z").status.state, CheckState::down);
}

TEST_F(WatchdogTest, RemindersComeAtTheIntervalAndNotBefore) {
    m_spec.realert_every = 2h;
    m_spec.channels = {"discord-main"};
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    ASSERT_EQ(keys_of(evaluate_at("2026-11-21T16:30:00Z")).size(), 1U);

    EXPECT_TRUE(evaluate_at("2026-11-21T18:29:59Z").alerts.empty());
    const Evaluation first = evaluate_at("2026-11-21T18:30:00Z");
    EXPECT_EQ(keys_of(first),
              (std::vector<std::string>{"nightly-smoke/reminder/2026-11-21T16:30:00.000Z/1/discord-main"}));
    EXPECT_EQ(first.alerts[0].kind, AlertKind::reminder);
    EXPECT_EQ(show(first.alerts[0].down_since), "2026-11-21T16:30:00.000Z");
    EXPECT_EQ(show(first.alerts[0].last_success), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(show(first.status.last_alert), "2026-11-21T18:30:00.000Z");
    EXPECT_TRUE(evaluate_at("2026-11-21T18:31:00Z").alerts.empty());
    EXPECT_TRUE(evaluate_at("2026-11-21T20:29:00Z").alerts.empty());
    EXPECT_EQ(keys_of(evaluate_at("2026-11-21T20:30:00Z")),
              (std::vector<std::string>{"nightly-smoke/reminder/2026-11-21T16:30:00.000Z/2/discord-main"}));
}

TEST_F(WatchdogTest, CheckFoundDownLateSendsTheDownAlertAloneAndRemindsFromThere) {
    m_spec.realert_every = 2h;
    m_spec.channels = {"discord-main"};
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    // Nobody evaluated for hours: one down alert, not the two reminders that were due meanwhile.
    const Evaluation found = evaluate_at("2026-11-21T21:00:00Z");
    EXPECT_EQ(keys_of(found), (std::vector<std::string>{"nightly-smoke/down/2026-11-21T16:30:00.000Z/discord-main"}));
    EXPECT_TRUE(evaluate_at("2026-11-21T22:29:00Z").alerts.empty());
    EXPECT_EQ(keys_of(evaluate_at("2026-11-21T22:30:00Z")),
              (std::vector<std::string>{"nightly-smoke/reminder/2026-11-21T16:30:00.000Z/3/discord-main"}));
}

TEST_F(WatchdogTest, KeysAreTheSameOnReevaluationAndOnEveryServer) {
    m_spec.realert_every = 1h;
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    const std::optional<CheckStatus> late = evaluate_at("2026-11-21T16:10:00Z").status;
    ASSERT_EQ(late->state, CheckState::late);

    // Two servers see the same previous status and evaluate a few seconds apart.
    const Evaluation server_a = evaluate(m_spec, late, m_pings, utc("2026-11-21T16:30:01Z"));
    const Evaluation server_b = evaluate(m_spec, late, m_pings, utc("2026-11-21T16:30:07Z"));
    EXPECT_EQ(keys_of(server_a), keys_of(server_b));
    EXPECT_EQ(server_a.status.since, server_b.status.since);
    EXPECT_EQ(server_a.status.last_alert, server_b.status.last_alert);
    EXPECT_EQ(keys_of(evaluate(m_spec, late, m_pings, utc("2026-11-21T16:30:01Z"))), keys_of(server_a));

    // Whichever status the store kept, the next evaluation queues nothing new.
    EXPECT_TRUE(evaluate(m_spec, server_a.status, m_pings, utc("2026-11-21T16:30:07Z")).alerts.empty());
    EXPECT_TRUE(evaluate(m_spec, server_b.status, m_pings, utc("2026-11-21T16:30:09Z")).alerts.empty());

    // Reminders too: the same number from either server.
    const Evaluation reminder_a = evaluate(m_spec, server_a.status, m_pings, utc("2026-11-21T17:30:02Z"));
    const Evaluation reminder_b = evaluate(m_spec, server_b.status, m_pings, utc("2026-11-21T17:31:00Z"));
    EXPECT_EQ(keys_of(reminder_a), keys_of(reminder_b));
    EXPECT_EQ(keys_of(reminder_a).front(), "nightly-smoke/reminder/2026-11-21T16:30:00.000Z/1/discord-main");
}

TEST_F(WatchdogTest, RecoveryAndANewIncidentBetweenTwoEvaluationsAreBothSent) {
    m_spec.channels = {"discord-main"};
    ping(PingKind::fail, "2026-11-21T10:00:00Z", {.exit_code = 1});
    ASSERT_EQ(evaluate_at("2026-11-21T10:05:00Z").status.state, CheckState::down);
    ping(PingKind::success, "2026-11-21T10:10:00Z");
    ping(PingKind::fail, "2026-11-21T10:20:00Z", {.exit_code = 4});
    const Evaluation evaluation = evaluate_at("2026-11-21T10:25:00Z");
    EXPECT_EQ(evaluation.status.state, CheckState::down);
    EXPECT_EQ(keys_of(evaluation),
              (std::vector<std::string>{"nightly-smoke/recovery/2026-11-21T10:00:00.000Z/discord-main",
                                        "nightly-smoke/down/2026-11-21T10:20:00.000Z/discord-main"}));
}

TEST_F(WatchdogTest, LeavingDownForLateIsARecoveryToo) {
    m_spec.channels = {"discord-main"};
    ping(PingKind::fail, "2026-11-21T10:00:00Z", {.exit_code = 1});
    ASSERT_EQ(evaluate_at("2026-11-21T10:01:00Z").status.state, CheckState::down);
    // The success came, but nobody evaluated until it was due again.
    ping(PingKind::success, "2026-11-21T10:05:00Z");
    const Evaluation late = evaluate_at("2026-11-21T16:10:00Z");
    EXPECT_EQ(late.status.state, CheckState::late);
    ASSERT_EQ(late.alerts.size(), 1U);
    EXPECT_EQ(late.alerts[0].kind, AlertKind::recovery);
    EXPECT_EQ(late.alerts[0].reason,
              "nightly-smoke is no longer down (late now) after being down since 2026-11-21T10:00:00.000Z; last "
              "success at 2026-11-21T10:05:00.000Z");
}

TEST_F(WatchdogTest, PingsStampedAfterNowHaveNotHappenedYet) {
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    ping(PingKind::success, "2026-11-21T12:00:00Z");
    EXPECT_EQ(show(evaluate_at("2026-11-21T11:00:00Z").status.last_success), "2026-11-21T10:00:00.000Z");
}

class CronWatchdogTest : public WatchdogTest {
protected:
    CronWatchdogTest() {
        m_spec.schedule = Schedule{std::nullopt, "30 2 * * *", "Europe/Berlin"};
        m_spec.grace = 1h;
    }
};

TEST_F(CronWatchdogTest, SpringForwardDueRightAfterTheGap) {
    // 02:35 CET on Saturday; Sunday's 02:30 does not exist and is due at 03:00 CEST = 01:00Z.
    ping(PingKind::success, "2026-03-28T01:35:00Z");
    const Evaluation up = evaluate_at("2026-03-29T00:59:59Z");
    EXPECT_EQ(up.status.state, CheckState::up);
    EXPECT_EQ(show(up.status.next_due), "2026-03-29T01:00:00.000Z");
    EXPECT_EQ(evaluate_at("2026-03-29T01:00:00Z").status.state, CheckState::late);
    EXPECT_EQ(evaluate_at("2026-03-29T01:59:59Z").status.state, CheckState::late);
    const Evaluation down = evaluate_at("2026-03-29T02:00:00Z");
    EXPECT_EQ(down.status.state, CheckState::down);
    EXPECT_EQ(down.status.reason, "no success since 2026-03-28T01:35:00.000Z (expected by 2026-03-29T01:00:00.000Z)");

    // Sunday's run finally reports: next due Monday 02:30 CEST = 00:30Z.
    ping(PingKind::success, "2026-03-29T02:05:00Z");
    const Evaluation recovered = evaluate_at("2026-03-29T02:06:00Z");
    EXPECT_EQ(recovered.status.state, CheckState::up);
    EXPECT_EQ(show(recovered.status.next_due), "2026-03-30T00:30:00.000Z");
    EXPECT_EQ(recovered.alerts.front().kind, AlertKind::recovery);
}

TEST_F(CronWatchdogTest, FallBackDueAtTheFirst0230AndNotAgainAtTheSecond) {
    ping(PingKind::success, "2026-10-24T00:40:00Z");  // Saturday 02:40 CEST
    const Evaluation before = evaluate_at("2026-10-24T12:00:00Z");
    EXPECT_EQ(show(before.status.next_due), "2026-10-25T00:30:00.000Z");  // Sunday's first 02:30 (CEST)
    EXPECT_EQ(evaluate_at("2026-10-25T01:29:59Z").status.state, CheckState::late);
    // The repeated hour gives no extra grace: down at the first 02:30 plus one hour.
    EXPECT_EQ(evaluate_at("2026-10-25T01:30:00Z").status.state, CheckState::down);

    // A run that reports after the first 02:30 is not expected again at the second one.
    m_pings.clear();
    m_status.reset();
    ping(PingKind::success, "2026-10-25T00:35:00Z");
    const Evaluation after = evaluate_at("2026-10-25T01:45:00Z");
    EXPECT_EQ(after.status.state, CheckState::up);
    EXPECT_EQ(show(after.status.next_due), "2026-10-26T01:30:00.000Z");  // Monday 02:30 CET
}

TEST_F(CronWatchdogTest, WeekdayScheduleIsNotDueAtTheWeekend) {
    m_spec.schedule = Schedule{std::nullopt, "0 9 * * MON-FRI", "UTC"};
    ping(PingKind::success, "2026-11-20T09:04:00Z");  // Friday
    const Evaluation weekend = evaluate_at("2026-11-22T20:00:00Z");
    EXPECT_EQ(weekend.status.state, CheckState::up);
    EXPECT_EQ(show(weekend.status.next_due), "2026-11-23T09:00:00.000Z");
    EXPECT_EQ(evaluate_at("2026-11-23T09:30:00Z").status.state, CheckState::late);
    EXPECT_EQ(evaluate_at("2026-11-23T10:00:00Z").status.state, CheckState::down);
}

TEST_F(CronWatchdogTest, BrokenScheduleIsReportedNotGuessed) {
    m_spec.schedule.time_zone = "Mars/Olympus_Mons";
    ping(PingKind::success, "2026-11-21T10:00:00Z");
    const Evaluation evaluation = evaluate_at("2026-11-30T10:00:00Z");
    EXPECT_EQ(evaluation.status.state, CheckState::up);
    EXPECT_EQ(show(evaluation.status.next_due), "none");
    EXPECT_NE(evaluation.status.reason.find("unknown time zone \"Mars/Olympus_Mons\""), std::string::npos)
        << evaluation.status.reason;
}

TEST(HeartbeatTest, FirstIsDueAtOnceOnABoundaryThenEveryIntervalSinceTheLast) {
    const std::optional<Alert> first = heartbeat_due("discord-main", std::nullopt, 1h, utc("2026-11-21T10:17:00Z"));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->key, "heartbeat/discord-main/2026-11-21T10:00:00.000Z");
    EXPECT_EQ(first->kind, AlertKind::heartbeat);
    EXPECT_EQ(first->channel, "discord-main");
    EXPECT_EQ(show(first->created), "2026-11-21T10:17:00.000Z");
    EXPECT_NE(first->reason.find("discord-main"), std::string::npos);

    const std::optional<WallTime> last = utc("2026-11-21T10:17:00Z");
    EXPECT_FALSE(heartbeat_due("discord-main", last, 1h, utc("2026-11-21T11:16:59Z")));
    const std::optional<Alert> due = heartbeat_due("discord-main", last, 1h, utc("2026-11-21T11:17:00Z"));
    ASSERT_TRUE(due);
    EXPECT_EQ(due->key, "heartbeat/discord-main/2026-11-21T11:17:00.000Z");
    // Missed slots collapse into the latest one.
    EXPECT_EQ(heartbeat_due("discord-main", last, 1h, utc("2026-11-21T13:30:00Z"))->key,
              "heartbeat/discord-main/2026-11-21T13:17:00.000Z");
    EXPECT_FALSE(heartbeat_due("discord-main", std::nullopt, 0h, utc("2026-11-21T13:30:00Z")));
}

TEST_F(WatchdogTest, AlertsCarryTheJobIdsOfTheRecentPingsNewestFirst) {
    m_spec.channels = {"discord-main"};
    ping(PingKind::success, "2026-11-21T05:00:00Z", {.body = "JOB00001 ok"});
    ping(PingKind::log, "2026-11-21T06:00:00Z", {.body = "see JOB00001 again", .source = "run:J0100000"});
    ping(PingKind::log, "2026-11-21T07:00:00Z", {.body = "job=NIGHTLY(JOB00002) correlator=c-1"});
    ping(PingKind::log, "2026-11-21T08:00:00Z", {.body = "JOB00003, JOB00004; not xJOB00009 nor JOB000051"});
    ping(PingKind::log, "2026-11-21T09:00:00Z", {.body = "step SMOKE job=SMOKE(JOB00005) rc=0"});
    const Evaluation down = evaluate_at("2026-11-21T11:30:00Z");
    ASSERT_EQ(down.alerts.size(), 1U);
    EXPECT_EQ(down.alerts[0].job_ids,
              (std::vector<std::string>{"SMOKE(JOB00005)", "JOB00003", "JOB00004", "NIGHTLY(JOB00002)", "J0100000"}));
    EXPECT_EQ(collect_job_ids(m_pings, 10), (std::vector<std::string>{"SMOKE(JOB00005)", "JOB00003", "JOB00004",
                                                                      "NIGHTLY(JOB00002)", "J0100000", "JOB00001"}));
}

TEST(DescribeDurationTest, ReadsLikeAPerson) {
    EXPECT_EQ(describe_duration(2s), "2 s");
    EXPECT_EQ(describe_duration(250ms), "250 ms");
    EXPECT_EQ(describe_duration(2500ms), "2.5 s");
    EXPECT_EQ(describe_duration(90min), "1 h 30 min");
    EXPECT_EQ(describe_duration(std::chrono::hours{50}), "2 d 2 h");
}

}  // namespace
}  // namespace greenlight::serve
