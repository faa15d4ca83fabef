// A suite's verdict from its attempts: skipped for an unmet requirement, flaky after a retry, green by policy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greenlight/verdict/verdict.hpp"

namespace greenlight::verdict {
namespace {

using ::testing::HasSubstr;

VerdictDecision attempt(Verdict verdict, std::string reason, std::int64_t passed = 0, std::int64_t failed = 0) {
    VerdictDecision decision;
    decision.verdict = verdict;
    decision.reason = std::move(reason);
    decision.counts.passed = passed;
    decision.counts.failed = failed;
    decision.counts.total = passed + failed;
    return decision;
}

SuiteFacts attempts_of(std::vector<VerdictDecision> attempts, std::string tier = "pr-fast") {
    SuiteFacts facts;
    facts.tier = std::move(tier);
    facts.attempts = std::move(attempts);
    return facts;
}

config::Policy flaky_passes_in(const std::string& tier) {
    config::Policy policy;
    policy.flaky[tier] = config::FlakyPolicy::pass;
    return policy;
}

TEST(DecideSuite, OnePassingAttemptIsAGreenPass) {
    SuiteDecision decision = decide_suite(attempts_of({attempt(Verdict::pass, "exit code 0", 3)}), config::Policy{});
    EXPECT_EQ(decision.verdict, Verdict::pass);
    EXPECT_TRUE(decision.green);
    EXPECT_TRUE(decision.complete);
    EXPECT_EQ(decision.reason, "exit code 0");
    EXPECT_EQ(decision.counts.passed, 3);
}

TEST(DecideSuite, APassAfterAFailureIsFlakyAndNamesTheFirstFailure) {
    SuiteFacts facts = attempts_of(
        {attempt(Verdict::fail, "exit code 1 with failing tests", 2, 1), attempt(Verdict::pass, "exit code 0", 3)});
    SuiteDecision decision = decide_suite(facts, config::Policy{});
    EXPECT_EQ(decision.verdict, Verdict::flaky);
    EXPECT_THAT(decision.reason, HasSubstr("attempt 2"));
    EXPECT_THAT(decision.reason, HasSubstr("exit code 1 with failing tests"));
    EXPECT_EQ(decision.counts.passed, 3) << "the counts are the last attempt's";
}

TEST(DecideSuite, FlakyIsGreenOnlyWhereTheTierPolicyAllowsIt) {
    SuiteFacts facts = attempts_of({attempt(Verdict::timeout, "ran past its timeout"), attempt(Verdict::pass, "ok")});
    EXPECT_TRUE(decide_suite(facts, flaky_passes_in("pr-fast")).green);
    EXPECT_FALSE(decide_suite(facts, flaky_passes_in("nightly")).green);
    EXPECT_FALSE(decide_suite(facts, config::Policy{}).green) << "the default flaky policy is fail";
}

TEST(DecideSuite, FailingEveryAttemptKeepsTheLastVerdict) {
    SuiteFacts facts = attempts_of({attempt(Verdict::fail, "first"), attempt(Verdict::crashed, "ended by SIGSEGV")});
    SuiteDecision decision = decide_suite(facts, flaky_passes_in("pr-fast"));
    EXPECT_EQ(decision.verdict, Verdict::crashed);
    EXPECT_EQ(decision.reason, "ended by SIGSEGV");
    EXPECT_FALSE(decision.green);
}

TEST(DecideSuite, AnUnmetRequirementIsSkippedAndGreenOnlyWhenThePolicySaysSkip) {
    SuiteFacts facts;
    facts.tier = "pr-fast";
    facts.unmet_requirement = "requirement `docker` not met: no daemon";
    config::Policy policy;
    policy.missing_requirement = config::MissingRequirementPolicy::fail;
    SuiteDecision decision = decide_suite(facts, policy);
    EXPECT_EQ(decision.verdict, Verdict::skipped);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.reason, "requirement `docker` not met: no daemon");
    policy.missing_requirement = config::MissingRequirementPolicy::skip;
    EXPECT_TRUE(decide_suite(facts, policy).green);
}

TEST(DecideSuite, AnInterruptedSuiteIsIncompleteAndNeverGreen) {
    SuiteFacts facts = attempts_of({attempt(Verdict::pass, "ok")});
    facts.interruption = Interruption::requested;
    SuiteDecision decision = decide_suite(facts, config::Policy{});
    EXPECT_FALSE(decision.complete);
    EXPECT_FALSE(decision.green);
}

TEST(DecideSuite, NoAttemptAndNoUnmetRequirementIsAnError) {
    SuiteDecision decision = decide_suite(attempts_of({}), config::Policy{});
    EXPECT_EQ(decision.verdict, Verdict::error);
    EXPECT_FALSE(decision.green);
}

TEST(ShouldRetry, RetriesARetryableVerdictWhileRetriesAreLeft) {
    VerdictDecision failed = attempt(Verdict::fail, "exit code 1");
    EXPECT_TRUE(should_retry(failed, 1, 2, Interruption::none));
    EXPECT_TRUE(should_retry(failed, 2, 2, Interruption::none));
    EXPECT_FALSE(should_retry(failed, 3, 2, Interruption::none)) << "1 attempt + 2 retries made";
    EXPECT_FALSE(should_retry(failed, 1, 0, Interruption::none));
}

TEST(ShouldRetry, NeverRetriesAPassADeterministicErrorOrAnInterruptedRun) {
    EXPECT_FALSE(should_retry(attempt(Verdict::pass, "ok"), 1, 3, Interruption::none));
    EXPECT_FALSE(should_retry(attempt(Verdict::error, "could not start"), 1, 3, Interruption::none));
    EXPECT_FALSE(should_retry(attempt(Verdict::no_tests, "0 tests"), 1, 3, Interruption::none));
    EXPECT_FALSE(should_retry(attempt(Verdict::fail, "exit code 1"), 1, 3, Interruption::requested));
}

TEST(GreenRange, MatchesWhatIsGreenUnderTheMostAndLeastLenientPolicies) {
    config::Policy lenient;
    lenient.flaky_default = config::FlakyPolicy::pass;
    lenient.missing_requirement = config::MissingRequirementPolicy::skip;
    const config::Policy strict;
    for (Verdict verdict : {Verdict::pass, Verdict::flaky, Verdict::skipped, Verdict::fail, Verdict::no_tests,
                            Verdict::inconsistent, Verdict::timeout, Verdict::crashed, Verdict::error}) {
        const GreenRange range = green_range(verdict);
        EXPECT_EQ(is_green(verdict, lenient, "t"), range != GreenRange::never) << to_string(verdict);
        EXPECT_EQ(is_green(verdict, strict, "t"), range == GreenRange::always) << to_string(verdict);
    }
}

}  // namespace
}  // namespace greenlight::verdict
