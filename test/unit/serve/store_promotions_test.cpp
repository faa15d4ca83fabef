// The store's promotions on each database: decisions and attempts stored with the server's time and an id,
// read back newest first, filtered by environment and commit; and the POST bodies the API reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenlight/serve/promotions.hpp"
#include "greenlight/serve/store.hpp"
#include "unit/serve/store_fixture.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;

class StorePromotionsTest : public test_support::StoreOnEachDatabase {};

const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";
const std::string k_other = "fedcba9876543210fedcba9876543210fedcba98";

PromotionDecision decision(std::string environment, std::string commit, PromotionVerdict verdict, std::string reason) {
    PromotionDecision made;
    made.environment = std::move(environment);
    made.commit = std::move(commit);
    made.decision = verdict;
    made.reason = std::move(reason);
    made.by = "octocat";
    made.token = "ci";
    return made;
}

TEST_P(StorePromotionsTest, DecisionsReadBackNewestFirstWithTheServersTimeAndFilters) {
    auto first = m_store->add_promotion_decision(decision("production", k_commit, PromotionVerdict::no_go, "wait"));
    ASSERT_TRUE(first) << first.message();
    EXPECT_EQ(first->at, test_support::StillClock::k_start);
    m_clock.advance(1min);
    auto second = m_store->add_promotion_decision(decision("production", k_commit, PromotionVerdict::go, "ready"));
    ASSERT_TRUE(second) << second.message();
    // The same millisecond: the id orders them.
    auto third = m_store->add_promotion_decision(decision("staging", k_other, PromotionVerdict::go, "fine"));
    ASSERT_TRUE(third) << third.message();
    EXPECT_GT(second->id, first->id);
    EXPECT_GT(third->id, second->id);

    PromotionFilter filter;
    filter.environment = "production";
    filter.commit = k_commit;
    auto decisions = m_store->promotion_decisions(filter);
    ASSERT_TRUE(decisions) << decisions.message();
    ASSERT_EQ(decisions->size(), 2u);
    EXPECT_EQ(decisions->at(0).decision, PromotionVerdict::go);
    EXPECT_EQ(decisions->at(0).reason, "ready");
    EXPECT_EQ(decisions->at(0).by, "octocat");
    EXPECT_EQ(decisions->at(0).token, "ci");
    EXPECT_EQ(decisions->at(0).at, test_support::StillClock::k_start + 1min);
    EXPECT_EQ(decisions->at(1).decision, PromotionVerdict::no_go);

    auto all = m_store->promotion_decisions(PromotionFilter{});
    ASSERT_TRUE(all) << all.message();
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ(all->at(0).environment, "staging") << "the newest (same time, higher id) first";
    PromotionFilter one;
    one.limit = 1;
    EXPECT_EQ(m_store->promotion_decisions(one).value_or(std::vector<PromotionDecision>{}).size(), 1u);
}

TEST_P(StorePromotionsTest, AttemptsKeepEveryReasonAndTheEvidence) {
    PromotionAttempt attempt;
    attempt.environment = "production";
    attempt.commit = k_commit;
    attempt.verdict = PromotionVerdict::no_go;
    attempt.reasons = {"decision: no go decision is recorded", "gate rollback-plan: missing", "ünïcode reason"};
    attempt.evidence = {"evidence: run r1 (serve) is green"};
    attempt.by = "deployer";
    attempt.token = "ci";
    auto stored = m_store->add_promotion_attempt(attempt);
    ASSERT_TRUE(stored) << stored.message();
    m_clock.advance(5s);
    attempt.verdict = PromotionVerdict::go;
    attempt.reasons.clear();
    attempt.commit = k_other;
    ASSERT_TRUE(m_store->add_promotion_attempt(attempt));

    PromotionFilter filter;
    filter.commit = k_commit;
    auto attempts = m_store->promotion_attempts(filter);
    ASSERT_TRUE(attempts) << attempts.message();
    ASSERT_EQ(attempts->size(), 1u);
    EXPECT_EQ(attempts->at(0).verdict, PromotionVerdict::no_go);
    EXPECT_EQ(attempts->at(0).reasons, (std::vector<std::string>{"decision: no go decision is recorded",
                                                                 "gate rollback-plan: missing", "ünïcode reason"}));
    EXPECT_EQ(attempts->at(0).evidence, (std::vector<std::string>{"evidence: run r1 (serve) is green"}));
    EXPECT_EQ(attempts->at(0).by, "deployer");

    auto all = m_store->promotion_attempts(PromotionFilter{});
    ASSERT_TRUE(all) << all.message();
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ(all->at(0).verdict, PromotionVerdict::go);
    EXPECT_EQ(all->at(0).at, test_support::StillClock::k_start + 5s);
}

INSTANTIATE_TEST_SUITE_P(Databases, StorePromotionsTest,
                         ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         test_support::database_label);

TEST(PromotionBodiesTest, ADecisionNeedsAKnownWordACommitAndAReason) {
    auto read = parse_promotion_decision(
        R"({"environment": "production", "commit": "0123456789ABCDEF0123456789abcdef01234567", "decision": "no-go",)"
        R"( "reason": "incident open", "by": "octocat"})");
    ASSERT_TRUE(read) << read.message();
    EXPECT_EQ(read->commit, k_commit) << "commits are kept in lower case";
    EXPECT_EQ(read->decision, PromotionVerdict::no_go);
    EXPECT_EQ(read->by, "octocat");

    auto wrong_word = parse_promotion_decision(
        R"({"environment": "production", "commit": "abcd1234", "decision": "maybe", "reason": "x"})");
    ASSERT_FALSE(wrong_word);
    EXPECT_EQ(wrong_word.message(), "/decision: expected go or no-go; found \"maybe\"");
    auto no_reason = parse_promotion_decision(
        R"({"environment": "production", "commit": "abcd1234", "decision": "go", "reason": "  "})");
    ASSERT_FALSE(no_reason);
    EXPECT_NE(no_reason.message().find("/reason"), std::string::npos);
    auto bad_commit =
        parse_promotion_decision(R"({"environment": "production", "commit": "main", "decision": "go", "reason": "x"})");
    ASSERT_FALSE(bad_commit);
    EXPECT_NE(bad_commit.message().find("/commit"), std::string::npos);
    auto unknown = parse_promotion_decision(
        R"({"environment": "production", "commit": "abcd1234", "decision": "go", "reason": "x", "at": 1})");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.message().find("/at: unknown field"), std::string::npos);
}

TEST(PromotionBodiesTest, ANoGoAttemptNamesItsReasonsAndAGoHasNone) {
    EXPECT_TRUE(parse_promotion_attempt(
        R"({"environment": "production", "commit": "abcd1234", "verdict": "no-go", "reasons": ["stale"]})"));
    EXPECT_TRUE(parse_promotion_attempt(R"({"environment": "production", "commit": "abcd1234", "verdict": "go"})"));
    EXPECT_FALSE(parse_promotion_attempt(R"({"environment": "production", "commit": "abcd1234", "verdict": "no-go"})"));
    EXPECT_FALSE(parse_promotion_attempt(
        R"({"environment": "production", "commit": "abcd1234", "verdict": "go", "reasons": ["x"]})"));
    EXPECT_FALSE(parse_promotion_attempt(R"({"environment": "..", "commit": "abcd1234", "verdict": "go"})"));
}

}  // namespace
}  // namespace greenlight::serve
