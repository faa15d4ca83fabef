// The attempt verdict rules of PRODUCT.md, "Verdicts of a suite", one row at a time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>

#include "greenlight/verdict/verdict.hpp"

namespace greenlight::verdict {
namespace {

using ::testing::HasSubstr;
using Source = config::ResultsSpec::Source;

results::TestCounts counts(std::int64_t passed, std::int64_t failed, std::int64_t errored = 0,
                           std::int64_t skipped = 0) {
    results::TestCounts result;
    result.passed = passed;
    result.failed = failed;
    result.errored = errored;
    result.skipped = skipped;
    result.total = passed + failed + errored + skipped;
    return result;
}

AttemptFacts exited(int code) {
    AttemptFacts facts;
    facts.termination = Termination::exited;
    facts.exit_code = code;
    return facts;
}

AttemptFacts exited_with_results(int code, results::TestCounts results) {
    AttemptFacts facts = exited(code);
    facts.results_source = Source::file;
    facts.counts = results;
    return facts;
}

const Verdict k_all_verdicts[] = {Verdict::pass,    Verdict::flaky,    Verdict::skipped,
                                  Verdict::fail,    Verdict::no_tests, Verdict::inconsistent,
                                  Verdict::timeout, Verdict::crashed,  Verdict::error};

// ---- pass -------------------------------------------------------------------------------------

TEST(DecideAttempt, ExitZeroWithoutResultsIsPassAndCountsAsOneTest) {
    VerdictDecision decision = decide_attempt(exited(0));
    EXPECT_EQ(decision.verdict, Verdict::pass) << decision.reason;
    EXPECT_EQ(decision.counts.total, 1);
    EXPECT_EQ(decision.counts.passed, 1);
    EXPECT_EQ(decision.counts.failed, 0);
}

TEST(DecideAttempt, ExitZeroWithPassingResultsIsPass) {
    VerdictDecision decision = decide_attempt(exited_with_results(0, counts(12, 0, 0, 3)));
    EXPECT_EQ(decision.verdict, Verdict::pass) << decision.reason;
    EXPECT_EQ(decision.counts.passed, 12);
    EXPECT_EQ(decision.counts.skipped, 3);
}

TEST(DecideAttempt, ResultsReadFromOutputAreJudgedLikeAFile) {
    AttemptFacts facts = exited_with_results(0, counts(4, 0));
    facts.results_source = Source::output;
    EXPECT_EQ(decide_attempt(facts).verdict, Verdict::pass);
    facts.counts = counts(3, 1);
    EXPECT_EQ(decide_attempt(facts).verdict, Verdict::inconsistent);
}

// ---- fail -------------------------------------------------------------------------------------

TEST(DecideAttempt, NonZeroExitWithoutResultsIsFailAndCountsAsOneFailedTest) {
    VerdictDecision decision = decide_attempt(exited(1));
    EXPECT_EQ(decision.verdict, Verdict::fail) << decision.reason;
    EXPECT_EQ(decision.counts.total, 1);
    EXPECT_EQ(decision.counts.failed, 1);
    EXPECT_THAT(decision.reason, HasSubstr("1"));
}

TEST(DecideAttempt, NonZeroExitWithFailingTestsIsFail) {
    VerdictDecision decision = decide_attempt(exited_with_results(2, counts(5, 2)));
    EXPECT_EQ(decision.verdict, Verdict::fail) << decision.reason;
    EXPECT_EQ(decision.counts.failed, 2);
    EXPECT_THAT(decision.reason, HasSubstr("exit code 2"));
}

TEST(DecideAttempt, NonZeroExitWithErroredTestsIsFail) {
    EXPECT_EQ(decide_attempt(exited_with_results(1, counts(5, 0, 1))).verdict, Verdict::fail);
}

// ---- inconsistent -----------------------------------------------------------------------------

TEST(DecideAttempt, ExitZeroWithFailuresIsInconsistent) {
    VerdictDecision decision = decide_attempt(exited_with_results(0, counts(5, 1)));
    EXPECT_EQ(decision.verdict, Verdict::inconsistent) << decision.reason;
    EXPECT_THAT(decision.reason, HasSubstr("exit code 0"));
}

TEST(DecideAttempt, ExitZeroWithErrorsIsInconsistent) {
    EXPECT_EQ(decide_attempt(exited_with_results(0, counts(5, 0, 2))).verdict, Verdict::inconsistent);
}

TEST(DecideAttempt, NonZeroExitWithAllPassedIsInconsistent) {
    VerdictDecision decision = decide_attempt(exited_with_results(1, counts(7, 0)));
    EXPECT_EQ(decision.verdict, Verdict::inconsistent) << decision.reason;
    EXPECT_THAT(decision.reason, HasSubstr("exit code 1"));
}

// ---- no-tests ---------------------------------------------------------------------------------

TEST(DecideAttempt, ZeroExecutedWithOnlySkippedIsNoTests) {
    VerdictDecision decision = decide_attempt(exited_with_results(0, counts(0, 0, 0, 4)));
    EXPECT_EQ(decision.verdict, Verdict::no_tests) << decision.reason;
}

TEST(DecideAttempt, EmptyResultsAreNoTests) {
    EXPECT_EQ(decide_attempt(exited_with_results(0, counts(0, 0))).verdict, Verdict::no_tests);
}

TEST(DecideAttempt, FewerThanMinTestsIsNoTests) {
    AttemptFacts facts = exited_with_results(0, counts(2, 0, 0, 10));
    facts.min_tests = 3;
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_EQ(decision.verdict, Verdict::no_tests) << decision.reason;
    EXPECT_THAT(decision.reason, HasSubstr("3"));

    facts.counts = counts(3, 0);
    EXPECT_EQ(decide_attempt(facts).verdict, Verdict::pass);
}

TEST(DecideAttempt, ZeroExecutedWithNonZeroExitIsNeverPass) {
    VerdictDecision decision = decide_attempt(exited_with_results(1, counts(0, 0, 0, 2)));
    EXPECT_NE(decision.verdict, Verdict::pass) << decision.reason;
    EXPECT_FALSE(is_green(decision.verdict, config::Policy{}, "pr-fast"));
}

// ---- crashed ----------------------------------------------------------------------------------

TEST(DecideAttempt, SignaledIsCrashedAndNamesTheSignal) {
    AttemptFacts facts;
    facts.termination = Termination::signaled;
    facts.signal = SIGSEGV;
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_EQ(decision.verdict, Verdict::crashed);
    EXPECT_THAT(decision.reason, HasSubstr("SIGSEGV"));
}

TEST(DecideAttempt, SignaledIsCrashedEvenWithPassingResults) {
    AttemptFacts facts = exited_with_results(0, counts(10, 0));
    facts.termination = Termination::signaled;
    facts.signal = SIGABRT;
    EXPECT_EQ(decide_attempt(facts).verdict, Verdict::crashed);
}

// ---- timeout ----------------------------------------------------------------------------------

TEST(DecideAttempt, TimedOutIsTimeoutNeverPassEvenWithExitZeroData) {
    AttemptFacts facts = exited_with_results(0, counts(10, 0));
    facts.termination = Termination::timed_out;
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_EQ(decision.verdict, Verdict::timeout) << decision.reason;

    AttemptFacts without_results = exited(0);
    without_results.termination = Termination::timed_out;
    EXPECT_EQ(decide_attempt(without_results).verdict, Verdict::timeout);
}

// ---- error ------------------------------------------------------------------------------------

TEST(DecideAttempt, FailedToStartIsErrorWithTheStartError) {
    AttemptFacts facts;
    facts.termination = Termination::failed_to_start;
    facts.start_error = "command not found: `frobnicate`";
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_EQ(decision.verdict, Verdict::error);
    EXPECT_THAT(decision.reason, HasSubstr("command not found: `frobnicate`"));
}

TEST(DecideAttempt, UnreadableDeclaredResultsAreErrorWithTheParserMessage) {
    AttemptFacts facts = exited(0);
    facts.results_source = Source::file;
    facts.counts = std::nullopt;
    facts.results_error = "junit.xml:3:7: unexpected end of file";
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_EQ(decision.verdict, Verdict::error);
    EXPECT_THAT(decision.reason, HasSubstr("junit.xml:3:7: unexpected end of file"));
}

TEST(DecideAttempt, UnreadableResultsAreErrorWhateverTheExitCode) {
    AttemptFacts facts = exited(1);
    facts.results_source = Source::output;
    facts.results_error = "output.log: no summary line found";
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_EQ(decision.verdict, Verdict::error);
    EXPECT_THAT(decision.reason, HasSubstr("no summary line found"));
}

TEST(DecideAttempt, InterruptedIsNeverPass) {
    AttemptFacts facts = exited_with_results(0, counts(3, 0));
    facts.termination = Termination::interrupted;
    VerdictDecision decision = decide_attempt(facts);
    EXPECT_NE(decision.verdict, Verdict::pass);
    EXPECT_FALSE(is_green(decision.verdict, config::Policy{}, "pr-fast"));
}

TEST(DecideAttempt, EveryDecisionHasAReason) {
    std::vector<AttemptFacts> all = {exited(0), exited(1), exited_with_results(0, counts(1, 1)),
                                     exited_with_results(1, counts(1, 0)), exited_with_results(0, counts(0, 0))};
    for (const auto& facts : all) EXPECT_FALSE(decide_attempt(facts).reason.empty());
}

// ---- is_green -----------------------------------------------------------------------------------

config::Policy policy_with_flaky_tiers() {
    config::Policy policy;
    policy.flaky["smoke"] = config::FlakyPolicy::fail;
    policy.flaky["pr-fast"] = config::FlakyPolicy::pass;
    return policy;
}

TEST(IsGreen, PassIsGreenInEveryTier) {
    EXPECT_TRUE(is_green(Verdict::pass, config::Policy{}, "anything"));
    EXPECT_TRUE(is_green(Verdict::pass, policy_with_flaky_tiers(), "smoke"));
}

TEST(IsGreen, FlakyFollowsThePolicyOfItsTier) {
    config::Policy policy = policy_with_flaky_tiers();
    EXPECT_TRUE(is_green(Verdict::flaky, policy, "pr-fast"));
    EXPECT_FALSE(is_green(Verdict::flaky, policy, "smoke"));
}

TEST(IsGreen, FlakyInAnUnlistedTierFollowsTheDefault) {
    config::Policy policy = policy_with_flaky_tiers();
    EXPECT_EQ(policy.flaky_default, config::FlakyPolicy::fail);
    EXPECT_FALSE(is_green(Verdict::flaky, policy, "nightly"));
    policy.flaky_default = config::FlakyPolicy::pass;
    EXPECT_TRUE(is_green(Verdict::flaky, policy, "nightly"));
    EXPECT_FALSE(is_green(Verdict::flaky, policy, "smoke"));
}

TEST(IsGreen, SkippedFollowsTheMissingRequirementPolicy) {
    config::Policy policy;
    policy.missing_requirement = config::MissingRequirementPolicy::fail;
    EXPECT_FALSE(is_green(Verdict::skipped, policy, "pr-fast"));
    policy.missing_requirement = config::MissingRequirementPolicy::skip;
    EXPECT_TRUE(is_green(Verdict::skipped, policy, "pr-fast"));
}

TEST(IsGreen, RedVerdictsAreNeverGreenWhateverThePolicy) {
    config::Policy lenient;
    lenient.flaky_default = config::FlakyPolicy::pass;
    lenient.missing_requirement = config::MissingRequirementPolicy::skip;
    for (Verdict verdict : {Verdict::fail, Verdict::no_tests, Verdict::inconsistent, Verdict::timeout, Verdict::crashed,
                            Verdict::error}) {
        EXPECT_FALSE(is_green(verdict, lenient, "pr-fast")) << to_string(verdict);
    }
}

// ---- severity -----------------------------------------------------------------------------------

TEST(Severity, PassIsTheLeastSevere) {
    for (Verdict verdict : k_all_verdicts) {
        if (verdict != Verdict::pass) {
            EXPECT_GT(severity(verdict), severity(Verdict::pass)) << to_string(verdict);
        }
    }
}

TEST(Severity, EveryRedVerdictIsWorseThanEveryVerdictThatCanBeGreen) {
    for (Verdict red : {Verdict::fail, Verdict::no_tests, Verdict::inconsistent, Verdict::timeout, Verdict::crashed,
                        Verdict::error}) {
        for (Verdict maybe_green : {Verdict::pass, Verdict::flaky, Verdict::skipped}) {
            EXPECT_GT(severity(red), severity(maybe_green)) << to_string(red) << " vs " << to_string(maybe_green);
        }
    }
}

TEST(Severity, VerdictsHaveDistinctRanks) {
    for (Verdict a : k_all_verdicts) {
        for (Verdict b : k_all_verdicts) {
            if (a != b) {
                EXPECT_NE(severity(a), severity(b)) << to_string(a) << " vs " << to_string(b);
            }
        }
    }
}

TEST(Severity, CrashAndTimeoutOutrankAPlainFailure) {
    EXPECT_GT(severity(Verdict::crashed), severity(Verdict::fail));
    EXPECT_GT(severity(Verdict::timeout), severity(Verdict::fail));
    EXPECT_GT(severity(Verdict::inconsistent), severity(Verdict::fail));
}

// ---- names --------------------------------------------------------------------------------------

TEST(VerdictNames, MatchPRODUCT) {
    EXPECT_EQ(to_string(Verdict::pass), "pass");
    EXPECT_EQ(to_string(Verdict::flaky), "flaky");
    EXPECT_EQ(to_string(Verdict::skipped), "skipped");
    EXPECT_EQ(to_string(Verdict::fail), "fail");
    EXPECT_EQ(to_string(Verdict::no_tests), "no-tests");
    EXPECT_EQ(to_string(Verdict::inconsistent), "inconsistent");
    EXPECT_EQ(to_string(Verdict::timeout), "timeout");
    EXPECT_EQ(to_string(Verdict::crashed), "crashed");
    EXPECT_EQ(to_string(Verdict::error), "error");
}

TEST(VerdictNames, RoundTrip) {
    for (Verdict verdict : k_all_verdicts) {
        auto parsed = parse_verdict(to_string(verdict));
        ASSERT_TRUE(parsed.has_value()) << to_string(verdict);
        EXPECT_EQ(*parsed, verdict);
    }
}

TEST(VerdictNames, UnknownNamesDoNotParse) {
    EXPECT_FALSE(parse_verdict("no_tests").has_value());
    EXPECT_FALSE(parse_verdict("").has_value());
    EXPECT_FALSE(parse_verdict("passed").has_value());
    EXPECT_FALSE(parse_verdict("pass ").has_value());
}

// ---- retries ------------------------------------------------------------------------------------

TEST(IsRetryable, FailuresThatMayBeTransientAreRetried) {
    EXPECT_TRUE(is_retryable(Verdict::fail));
    EXPECT_TRUE(is_retryable(Verdict::timeout));
    EXPECT_TRUE(is_retryable(Verdict::crashed));
    EXPECT_TRUE(is_retryable(Verdict::inconsistent));
}

TEST(IsRetryable, DeterministicOutcomesAreNotRetried) {
    EXPECT_FALSE(is_retryable(Verdict::pass));
    EXPECT_FALSE(is_retryable(Verdict::error));
    EXPECT_FALSE(is_retryable(Verdict::no_tests));
    EXPECT_FALSE(is_retryable(Verdict::skipped));
    EXPECT_FALSE(is_retryable(Verdict::flaky));
}

}  // namespace
}  // namespace greenlight::verdict
