// The promotion rule as a pure function: evidence, proof, decisions and gates at a given time give go or
// no-go, and a no-go names every reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/promote/decision.hpp"

namespace greenlight::promote {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";
const util::WallTime k_now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{12};

config::PromoteConfig two_environments() {
    config::PromoteConfig config;
    config.present = true;
    config.max_age = 24h;
    config::PromoteEnvironment staging;
    staging.name = "staging";
    staging.tier = "merge-medium";
    config::PromoteEnvironment production;
    production.name = "production";
    production.tier = "nightly";
    config.environments = {staging, production};
    return config;
}

Evidence green_run(util::WallTime finished = k_now - 1h) {
    Evidence evidence;
    evidence.kind = config::PromoteEvidenceKind::run;
    evidence.id = "r1";
    evidence.where = "serve";
    evidence.commit = k_commit;
    evidence.tier = "merge-medium";
    evidence.verdict = "pass";
    evidence.green = true;
    evidence.finished = finished;
    return evidence;
}

serve::PromotionDecision decided(serve::PromotionVerdict verdict, util::WallTime at, std::int64_t id = 1) {
    serve::PromotionDecision decision;
    decision.id = id;
    decision.environment = "production";
    decision.commit = k_commit;
    decision.decision = verdict;
    decision.reason = verdict == serve::PromotionVerdict::go ? "ready" : "incident open";
    decision.by = "octocat";
    decision.at = at;
    return decision;
}

PromotionInput ready_input() {
    PromotionInput input;
    input.environment = "production";
    input.commit = k_commit;
    input.now = k_now;
    input.evidence = {green_run()};
    input.decisions = {decided(serve::PromotionVerdict::go, k_now - 10min)};
    return input;
}

std::vector<std::string> reasons_of(const config::PromoteConfig& config, const PromotionInput& input) {
    auto outcome = decide(config, input);
    EXPECT_TRUE(outcome) << outcome.message();
    if (!outcome) return {};
    EXPECT_EQ(outcome->go(), outcome->reasons.empty());
    return outcome->reasons;
}

TEST(PromoteDecision, FreshGreenEvidenceAndAGoDecisionGiveGo) {
    auto outcome = decide(two_environments(), ready_input());
    ASSERT_TRUE(outcome) << outcome.message();
    EXPECT_TRUE(outcome->go());
    EXPECT_THAT(outcome->reasons, IsEmpty());
    EXPECT_THAT(outcome->held, Contains(HasSubstr("run r1 (serve) of staging (tier merge-medium) is green")));
    EXPECT_THAT(outcome->held, Contains(HasSubstr("decision: go by octocat")));
}

TEST(PromoteDecision, WithoutADecisionItIsNoGo) {
    PromotionInput input = ready_input();
    input.decisions.clear();
    EXPECT_THAT(reasons_of(two_environments(), input),
                Contains(HasSubstr("decision: no go decision is recorded for production")));
}

TEST(PromoteDecision, TheLatestDecisionCounts) {
    PromotionInput input = ready_input();
    input.decisions = {decided(serve::PromotionVerdict::go, k_now - 2h, 1),
                       decided(serve::PromotionVerdict::no_go, k_now - 1h, 2)};
    EXPECT_THAT(reasons_of(two_environments(), input),
                Contains(HasSubstr("decision: no-go by octocat at 2026-11-21T11:00:00.000Z: incident open")));
    // A later go lifts the no-go; decisions in one millisecond are ordered by id.
    input.decisions.push_back(decided(serve::PromotionVerdict::go, k_now - 1h, 3));
    EXPECT_THAT(reasons_of(two_environments(), input), IsEmpty());
    // Decisions of another commit or environment do not count.
    input.decisions = {decided(serve::PromotionVerdict::go, k_now - 1h)};
    input.decisions[0].environment = "staging";
    EXPECT_THAT(reasons_of(two_environments(), input), Contains(HasSubstr("no go decision is recorded")));
}

TEST(PromoteDecision, StaleEvidenceIsNoGoWithItsAge) {
    PromotionInput input = ready_input();
    input.evidence = {green_run(k_now - 26h)};
    auto reasons = reasons_of(two_environments(), input);
    EXPECT_THAT(reasons, Contains(HasSubstr("no fresh green evidence from staging (tier merge-medium): run r1 (serve) "
                                            "is stale: it finished 26 h ago, at 2026-11-20T10:00:00.000Z; max_age is "
                                            "24 h")));
    // Exactly max_age old still counts.
    input.evidence = {green_run(k_now - 24h)};
    EXPECT_THAT(reasons_of(two_environments(), input), IsEmpty());
}

TEST(PromoteDecision, AnEnvironmentsOwnMaxAgeWins) {
    config::PromoteConfig config = two_environments();
    config.environments[1].max_age = 30min;
    PromotionInput input = ready_input();
    EXPECT_THAT(reasons_of(config, input), Contains(HasSubstr("is stale")));
}

TEST(PromoteDecision, RedEvidenceIsNoGoEvenWhenFresh) {
    PromotionInput input = ready_input();
    input.evidence[0].green = false;
    input.evidence[0].verdict = "fail";
    EXPECT_THAT(reasons_of(two_environments(), input), Contains(HasSubstr("run r1 (serve) is red (verdict fail)")));
    // One green run among red ones is enough.
    input.evidence.push_back(green_run());
    input.evidence.back().id = "r2";
    EXPECT_THAT(reasons_of(two_environments(), input), IsEmpty());
}

TEST(PromoteDecision, EvidenceOfAnotherCommitTierOrKindDoesNotCount) {
    config::PromoteConfig config = two_environments();
    config.environments[1].evidence = {config::PromoteEvidenceKind::bundle};
    PromotionInput input = ready_input();
    auto reasons = reasons_of(config, input);
    EXPECT_THAT(reasons, Contains(HasSubstr("evidence of kind run does not count for production")));

    input = ready_input();
    input.evidence[0].tier = "pr-fast";
    EXPECT_THAT(reasons_of(two_environments(), input), Contains(HasSubstr("is of tier pr-fast, not merge-medium")));
    input = ready_input();
    input.evidence[0].commit = "fedcba9876543210fedcba9876543210fedcba98";
    EXPECT_THAT(reasons_of(two_environments(), input), Contains(HasSubstr("is of commit fedcba987654")));
    input.evidence.clear();
    EXPECT_THAT(reasons_of(two_environments(), input),
                Contains(HasSubstr("no evidence from staging (tier merge-medium) for commit 0123456789ab")));
}

TEST(PromoteDecision, TheFirstEnvironmentNeedsNoEvidence) {
    PromotionInput input = ready_input();
    input.environment = "staging";
    input.evidence.clear();
    input.decisions[0].environment = "staging";
    EXPECT_THAT(reasons_of(two_environments(), input), IsEmpty());
}

TEST(PromoteDecision, NeedsNamesTheEnvironmentWhoseEvidenceCounts) {
    config::PromoteConfig config = two_environments();
    config::PromoteEnvironment canary;
    canary.name = "canary";
    canary.tier = "smoke";
    canary.needs = "staging";
    config.environments.insert(config.environments.begin() + 1, canary);
    // production needs canary (listed before it), canary needs staging.
    PromotionInput input = ready_input();
    EXPECT_THAT(reasons_of(config, input), Contains(HasSubstr("is of tier merge-medium, not smoke (canary)")));
    input.environment = "canary";
    input.decisions[0].environment = "canary";
    EXPECT_THAT(reasons_of(config, input), IsEmpty());
}

TEST(PromoteDecision, AProofMustBeOfTheCommitAndClassifiedWellEnough) {
    config::PromoteConfig config = two_environments();
    config.environments[1].proof = config::PromoteProofLevel::pass_strong;
    PromotionInput input = ready_input();
    EXPECT_THAT(reasons_of(config, input), Contains(HasSubstr("needs a proof classified PASS_STRONG")));
    input.proof = ProofEvidence{"proof.json", "PASS_WEAK", k_commit};
    EXPECT_THAT(reasons_of(config, input), Contains(HasSubstr("proof proof.json is classified PASS_WEAK")));
    input.proof = ProofEvidence{"proof.json", "PASS_STRONG", ""};
    EXPECT_THAT(reasons_of(config, input), Contains(HasSubstr("names no commit")));
    input.proof = ProofEvidence{"proof.json", "PASS_STRONG", "fedcba98"};
    EXPECT_THAT(reasons_of(config, input), Contains(HasSubstr("is of commit fedcba98")));
    input.proof = ProofEvidence{"proof.json", "PASS_STRONG", k_commit};
    EXPECT_THAT(reasons_of(config, input), IsEmpty());
    config.environments[1].proof = config::PromoteProofLevel::pass_weak;
    input.proof->classification = "PASS_WEAK";
    EXPECT_THAT(reasons_of(config, input), IsEmpty());
}

gate::GateObservation observed(std::string gate, gate::GateState state, std::string sha) {
    gate::GateObservation observation;
    observation.gate = std::move(gate);
    observation.state = state;
    observation.sha = std::move(sha);
    observation.source = "checks.json";
    return observation;
}

TEST(PromoteDecision, EveryRequiredGateMustHavePassedAtTheCommit) {
    config::PromoteConfig config = two_environments();
    config.environments[1].gates = {"rollback-plan", "post-merge-verification"};
    PromotionInput input = ready_input();
    auto reasons = reasons_of(config, input);
    EXPECT_THAT(reasons, Contains(HasSubstr("gate rollback-plan: missing")));
    EXPECT_THAT(reasons, Contains(HasSubstr("gate post-merge-verification: missing")));

    input.gates = {observed("rollback-plan", gate::GateState::passed, "fedcba98"),
                   observed("post-merge-verification", gate::GateState::passed, k_commit),
                   observed("post-merge-verification", gate::GateState::failed, k_commit)};
    reasons = reasons_of(config, input);
    EXPECT_THAT(reasons, Contains(HasSubstr("gate rollback-plan: not observed at commit 0123456789ab; only at "
                                            "fedcba98 (checks.json): stale")));
    EXPECT_THAT(reasons, Contains(HasSubstr("gate post-merge-verification: failed at commit")));

    input.gates = {observed("rollback-plan", gate::GateState::passed, k_commit),
                   observed("post-merge-verification", gate::GateState::passed, k_commit)};
    EXPECT_THAT(reasons_of(config, input), IsEmpty());
}

TEST(PromoteDecision, EveryReasonIsListedAtOnce) {
    config::PromoteConfig config = two_environments();
    config.environments[1].gates = {"rollback-plan"};
    PromotionInput input = ready_input();
    input.evidence = {green_run(k_now - 48h)};
    input.evidence[0].green = false;
    input.evidence[0].verdict = "fail";
    input.decisions.clear();
    input.unusable = {"bundle b cannot count: manifest.json: suites/unit/output.log changed"};
    auto reasons = reasons_of(config, input);
    EXPECT_THAT(reasons, Contains(HasSubstr("bundle b cannot count")));
    EXPECT_THAT(reasons, Contains(HasSubstr("is red")));
    EXPECT_THAT(reasons, Contains(HasSubstr("is stale")));
    EXPECT_THAT(reasons, Contains(HasSubstr("no go decision")));
    EXPECT_THAT(reasons, Contains(HasSubstr("gate rollback-plan: missing")));
}

TEST(PromoteDecision, AnUnknownEnvironmentIsAnError) {
    PromotionInput input = ready_input();
    input.environment = "prod";
    auto outcome = decide(two_environments(), input);
    ASSERT_FALSE(outcome);
    EXPECT_THAT(outcome.message(), HasSubstr("no environment 'prod' under promote.environments (there are: staging, "
                                             "production)"));
}

}  // namespace
}  // namespace greenlight::promote
