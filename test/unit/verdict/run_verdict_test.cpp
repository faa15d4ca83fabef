// The run's verdict: worst suite, no-tests, smoke guard, smoke-guard runs, empty shards, missing shards,
// interrupted runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greenlight/verdict/verdict.hpp"

namespace greenlight::verdict {
namespace {

using ::testing::HasSubstr;

SuiteSummary suite(const std::string& name, Verdict verdict, bool green, bool executed = true) {
    return {name, verdict, green, executed, name + " ended " + std::string(to_string(verdict))};
}

RunFacts run_of(std::vector<SuiteSummary> suites) {
    RunFacts facts;
    facts.tier = "pr-fast";
    facts.suites = std::move(suites);
    return facts;
}

TEST(DecideRun, AllPassIsGreenPass) {
    RunDecision decision = decide_run(run_of({suite("a", Verdict::pass, true), suite("b", Verdict::pass, true)}));
    EXPECT_EQ(decision.verdict, Verdict::pass);
    EXPECT_TRUE(decision.green);
    EXPECT_EQ(decision.status, RunStatus::complete);
    EXPECT_FALSE(decision.reason.empty());
}

TEST(DecideRun, WorstVerdictWinsAndNamesItsSuite) {
    RunDecision decision = decide_run(run_of({suite("a", Verdict::pass, true), suite("b", Verdict::crashed, false),
                                              suite("c", Verdict::fail, false), suite("d", Verdict::flaky, true)}));
    EXPECT_EQ(decision.verdict, Verdict::crashed);
    EXPECT_FALSE(decision.green);
    EXPECT_THAT(decision.reason, HasSubstr("b ended crashed"));
}

TEST(DecideRun, WorstVerdictWinsWhateverTheOrder) {
    std::vector<Verdict> verdicts = {Verdict::fail, Verdict::error, Verdict::timeout, Verdict::no_tests,
                                     Verdict::inconsistent};
    for (size_t rotation = 0; rotation < verdicts.size(); ++rotation) {
        std::vector<SuiteSummary> suites;
        for (size_t i = 0; i < verdicts.size(); ++i) {
            suites.push_back(suite("s" + std::to_string(i), verdicts[(i + rotation) % verdicts.size()], false));
        }
        EXPECT_EQ(decide_run(run_of(suites)).verdict, Verdict::error) << rotation;
    }
}

TEST(DecideRun, AGreenFlakySuiteKeepsTheRunGreenAndSaysSo) {
    RunDecision decision = decide_run(run_of({suite("a", Verdict::pass, true), suite("b", Verdict::flaky, true)}));
    EXPECT_EQ(decision.verdict, Verdict::flaky);
    EXPECT_TRUE(decision.green);
    EXPECT_THAT(decision.reason, HasSubstr("1 flaky"));
}

TEST(DecideRun, AFlakySuiteThatIsNotGreenMakesTheRunRed) {
    RunDecision decision = decide_run(run_of({suite("a", Verdict::pass, true), suite("b", Verdict::flaky, false)}));
    EXPECT_EQ(decision.verdict, Verdict::flaky);
    EXPECT_FALSE(decision.green);
}

TEST(DecideRun, AllSkippedIsNoTestsEvenWhenThePolicyMakesThemGreen) {
    RunDecision decision =
        decide_run(run_of({suite("a", Verdict::skipped, true, false), suite("b", Verdict::skipped, true, false)}));
    EXPECT_EQ(decision.verdict, Verdict::no_tests);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.reason, "no suite executed");
}

TEST(DecideRun, NoSuitesIsNoTests) {
    RunDecision decision = decide_run(run_of({}));
    EXPECT_EQ(decision.verdict, Verdict::no_tests);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.reason, "no suite was selected");
}

TEST(DecideRun, AnEmptyShardIsNoTestsAndSaysToUseFewerShards) {
    RunFacts facts = run_of({});
    facts.shard = Shard{3, 3};
    facts.suites_in_other_shards = 2;
    RunDecision decision = decide_run(facts);
    EXPECT_EQ(decision.verdict, Verdict::no_tests);
    EXPECT_FALSE(decision.green);
    EXPECT_THAT(decision.reason, HasSubstr("shard 3/3 got no suites (2 suites in tier pr-fast went to other shards)"));
    EXPECT_THAT(decision.reason, HasSubstr("fewer shards"));
}

TEST(DecideRun, AnInterruptedRunIsIncompleteAndNeverGreen) {
    RunFacts facts = run_of({suite("a", Verdict::pass, true)});
    facts.interruption = Interruption::requested;
    facts.not_run = {"b"};
    RunDecision decision = decide_run(facts);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.status, RunStatus::incomplete);
    EXPECT_THAT(decision.reason, HasSubstr("interrupted"));
}

TEST(DecideRun, PlannedSuitesThatNeverStartedKeepTheRunFromGreen) {
    RunFacts facts = run_of({suite("a", Verdict::pass, true)});
    facts.not_run = {"b", "c"};
    RunDecision decision = decide_run(facts);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.status, RunStatus::incomplete);
    EXPECT_THAT(decision.reason, HasSubstr("2 planned suites never started (b, c)"));
}

TEST(DecideRun, AFailedSmokeGuardIsAnErrorWhateverTheSuites) {
    RunFacts facts = run_of({suite("a", Verdict::pass, true)});
    facts.smoke = SmokeSummary{false, "probe `timeout` did not time out"};
    facts.not_run = {"b"};
    RunDecision decision = decide_run(facts);
    EXPECT_EQ(decision.verdict, Verdict::error);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.status, RunStatus::complete) << "the run finished: it refused to trust the suites";
    EXPECT_THAT(decision.reason, HasSubstr("probe `timeout` did not time out"));
}

TEST(DecideRun, AGreenSmokeGuardDoesNotChangeTheSuitesVerdict) {
    RunFacts facts = run_of({suite("a", Verdict::fail, false)});
    facts.smoke = SmokeSummary{true, "all probes held"};
    EXPECT_EQ(decide_run(facts).verdict, Verdict::fail);
}

TEST(DecideRun, ASmokeGuardRunIsAGreenPassWhenTheGuardHeld) {
    RunFacts facts = run_of({});
    facts.scope = RunScope::smoke_guard;
    facts.smoke = SmokeSummary{true, "31 checks hold"};
    RunDecision decision = decide_run(facts);
    EXPECT_EQ(decision.verdict, Verdict::pass);
    EXPECT_TRUE(decision.green);
    EXPECT_THAT(decision.reason, HasSubstr("31 checks hold"));
}

TEST(DecideRun, ASmokeGuardRunWithoutTheGuardIsNoTests) {
    RunFacts facts = run_of({});
    facts.scope = RunScope::smoke_guard;
    RunDecision decision = decide_run(facts);
    EXPECT_EQ(decision.verdict, Verdict::no_tests);
    EXPECT_FALSE(decision.green);
}

TEST(DecideRun, AnInterruptedSmokeGuardRunIsNotGreen) {
    RunFacts facts = run_of({});
    facts.scope = RunScope::smoke_guard;
    facts.smoke = SmokeSummary{true, "31 checks hold"};
    facts.interruption = Interruption::requested;
    EXPECT_FALSE(decide_run(facts).green);
}

TEST(DecideRun, AMergedRunMissingAShardIsRedAndNamesTheShardAndItsSuites) {
    RunFacts facts = run_of({suite("a", Verdict::pass, true)});
    facts.missing_shards = {Shard{2, 2}};
    facts.missing_suites = {"b", "c"};
    RunDecision decision = decide_run(facts);
    EXPECT_EQ(decision.verdict, Verdict::error);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.status, RunStatus::incomplete);
    EXPECT_THAT(decision.reason, HasSubstr("shard 2/2 missing"));
    EXPECT_THAT(decision.reason, HasSubstr("b, c"));
}

TEST(DecideRun, SeveralMissingShardsAreAllNamed) {
    RunFacts facts = run_of({suite("a", Verdict::pass, true)});
    facts.missing_shards = {Shard{2, 4}, Shard{4, 4}};
    RunDecision decision = decide_run(facts);
    EXPECT_THAT(decision.reason, HasSubstr("shards 2/4, 4/4 missing"));
}

TEST(DecideRun, APartialMergeKeepsTheVerdictOfTheShardsPresentButIsIncompleteAndNeverGreen) {
    RunFacts facts = run_of({suite("a", Verdict::pass, true)});
    facts.missing_shards = {Shard{2, 2}};
    facts.missing_shards_policy = MissingShards::allow_partial;
    RunDecision decision = decide_run(facts);
    EXPECT_EQ(decision.verdict, Verdict::pass);
    EXPECT_FALSE(decision.green);
    EXPECT_EQ(decision.status, RunStatus::incomplete);
    EXPECT_THAT(decision.reason, HasSubstr("partial merge"));
    EXPECT_THAT(decision.reason, HasSubstr("shard 2/2 missing"));
}

TEST(DecideRun, APartialMergeWithARedShardKeepsTheRedVerdict) {
    RunFacts facts = run_of({suite("a", Verdict::timeout, false)});
    facts.missing_shards = {Shard{1, 2}};
    facts.missing_shards_policy = MissingShards::allow_partial;
    EXPECT_EQ(decide_run(facts).verdict, Verdict::timeout);
}

TEST(RunScopeNames, RoundTrip) {
    for (RunScope scope : {RunScope::tier, RunScope::smoke_guard}) {
        EXPECT_EQ(parse_run_scope(to_string(scope)), scope);
    }
    EXPECT_FALSE(parse_run_scope("everything").has_value());
}

}  // namespace
}  // namespace greenlight::verdict
