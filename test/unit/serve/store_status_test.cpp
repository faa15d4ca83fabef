// The store's check statuses as the watchdog and the dashboard see them: what a check never evaluated shows,
// which pings an evaluation is handed, how paused checks are counted, and the error for an unknown check.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenlight/serve/store.hpp"
#include "unit/serve/store_fixture.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;

const WallTime k_noon = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{12};

CheckSpec make_check(std::string name) {
    CheckSpec spec;
    spec.name = std::move(name);
    spec.schedule.period = 6h;
    return spec;
}

Ping make_ping(std::string check, WallTime at, std::string body) {
    Ping ping;
    ping.check = std::move(check);
    ping.kind = PingKind::success;
    ping.at = at;
    ping.source = "http";
    ping.body = std::move(body);
    return ping;
}

// Marks the check down, queuing nothing.
Evaluation down_at(WallTime now) {
    Evaluation evaluation;
    evaluation.status.state = CheckState::down;
    evaluation.status.since = now;
    evaluation.status.reason = "late by 1 h";
    return evaluation;
}

class StoreStatusTest : public test_support::StoreOnEachDatabase {};

TEST_P(StoreStatusTest, ACheckNeverEvaluatedHasNoStatusAndCountsAsNew) {
    ASSERT_TRUE(m_store->put_check(make_check("fresh")));
    auto status = m_store->status("fresh");
    ASSERT_TRUE(status) << status.message();
    EXPECT_FALSE(status->has_value());
    EXPECT_FALSE(m_store->status("missing").value_or(CheckStatus{}).has_value());

    auto listing = m_store->checks_with_status();
    ASSERT_TRUE(listing) << listing.message();
    ASSERT_EQ(listing->size(), 1u);
    EXPECT_EQ((*listing)[0].first.name, "fresh");
    EXPECT_EQ((*listing)[0].first.schedule.period, Duration(6h));
    EXPECT_FALSE((*listing)[0].second.has_value());

    auto counts = m_store->check_state_counts();
    ASSERT_TRUE(counts) << counts.message();
    EXPECT_EQ((*counts)[CheckState::new_check], 1);
    EXPECT_EQ(counts->size(), 5u) << "every state is present, with 0 where no check is in it";
}

TEST_P(StoreStatusTest, AnEvaluationSeesTheNewestPingsOldestFirst) {
    ASSERT_TRUE(m_store->put_check(make_check("chatty")));
    const int count = static_cast<int>(k_evaluation_pings) + 20;
    for (int i = 0; i < count; ++i) {
        ASSERT_TRUE(m_store->add_ping(make_ping("chatty", k_noon + std::chrono::seconds(i), std::to_string(i))));
    }
    std::vector<Ping> seen;
    auto evaluated = m_store->evaluate_check(
        "chatty", k_noon + 1h,
        [&](const CheckSpec&, const std::optional<CheckStatus>&, const std::vector<Ping>& pings, WallTime now) {
            seen = pings;
            return down_at(now);
        });
    ASSERT_TRUE(evaluated) << evaluated.message();
    ASSERT_EQ(seen.size(), k_evaluation_pings);
    EXPECT_EQ(seen.front().body, "20");
    EXPECT_EQ(seen.back().body, std::to_string(count - 1));
}

TEST_P(StoreStatusTest, APausedCheckCountsAsPausedWhateverItsLastState) {
    ASSERT_TRUE(m_store->put_check(make_check("resting")));
    ASSERT_TRUE(m_store->put_check(make_check("broken")));
    for (const char* name : {"resting", "broken"}) {
        auto evaluated = m_store->evaluate_check(name, k_noon,
                                                 [](const CheckSpec&, const std::optional<CheckStatus>&,
                                                    const std::vector<Ping>&, WallTime now) { return down_at(now); });
        ASSERT_TRUE(evaluated && evaluated->has_value()) << name;
    }
    ASSERT_TRUE(m_store->set_paused("resting", Pause::paused));
    auto counts = m_store->check_state_counts();
    ASSERT_TRUE(counts) << counts.message();
    EXPECT_EQ((*counts)[CheckState::paused], 1);
    EXPECT_EQ((*counts)[CheckState::down], 1);
    EXPECT_EQ(m_store->status("resting").value_or(std::nullopt).value_or(CheckStatus{}).state, CheckState::down)
        << "pausing keeps the stored status";
}

TEST_P(StoreStatusTest, EvaluatingAnUnknownCheckSaysWhereTheChecksAreListed) {
    bool called = false;
    auto evaluated = m_store->evaluate_check(
        "ghost", k_noon,
        [&](const CheckSpec&, const std::optional<CheckStatus>&, const std::vector<Ping>&, WallTime now) {
            called = true;
            return down_at(now);
        });
    ASSERT_FALSE(evaluated);
    EXPECT_NE(evaluated.message().find("no check named 'ghost'"), std::string::npos) << evaluated.message();
    EXPECT_NE(evaluated.message().find("GET /api/checks"), std::string::npos) << evaluated.message();
    EXPECT_FALSE(called);
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreStatusTest, ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         test_support::database_label);

}  // namespace
}  // namespace greenlight::serve
