// The `promote:` section of greenlight.yml: environments in order, what each needs, and errors that name the
// file, line and key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;
using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string only_error(std::string_view text) {
    LoadOutcome outcome = load(text);
    EXPECT_FALSE(outcome.config.has_value());
    EXPECT_EQ(outcome.errors.size(), 1u) << ::testing::PrintToString(error_lines(outcome));
    return outcome.errors.empty() ? "" : outcome.errors.front().to_string();
}

TEST(PromoteSection, EnvironmentsKeepTheirOrderAndEachNeedsTheOneBefore) {
    Config config = load_valid(k_header +
                               "promote:\n"
                               "  max_age: 12h\n"
                               "  environments:\n"
                               "    staging: { tier: merge-medium }\n"
                               "    canary: { tier: smoke, max_age: 30m, evidence: [bundle] }\n"
                               "    production:\n"
                               "      tier: nightly\n"
                               "      needs: staging\n"
                               "      proof: PASS_STRONG\n"
                               "      gates: [rollback-plan, post-merge-verification]\n");
    const PromoteConfig& promote = config.promote;
    EXPECT_TRUE(promote.present);
    EXPECT_EQ(promote.max_age, 12h);
    ASSERT_EQ(promote.environments.size(), 3u);
    EXPECT_EQ(promote.environments[0].name, "staging");
    EXPECT_EQ(promote.environments[1].name, "canary");
    EXPECT_EQ(promote.environments[2].name, "production");
    EXPECT_EQ(promote.environments[2].line, 8);
    EXPECT_EQ(promote.needed(promote.environments[0]), nullptr);
    EXPECT_EQ(promote.needed(promote.environments[1])->name, "staging");
    EXPECT_EQ(promote.needed(promote.environments[2])->name, "staging");
    EXPECT_EQ(promote.max_age_of(promote.environments[0]), 12h);
    EXPECT_EQ(promote.max_age_of(promote.environments[1]), 30min);
    EXPECT_THAT(promote.environments[0].evidence, ElementsAre(PromoteEvidenceKind::run, PromoteEvidenceKind::bundle));
    EXPECT_THAT(promote.environments[1].evidence, ElementsAre(PromoteEvidenceKind::bundle));
    EXPECT_EQ(promote.environments[2].proof, PromoteProofLevel::pass_strong);
    EXPECT_THAT(promote.environments[2].gates, ElementsAre("rollback-plan", "post-merge-verification"));
    EXPECT_EQ(promote.environments[0].proof, PromoteProofLevel::none);
}

TEST(PromoteSection, AbsentItIsNotPresentAndItNeedsNoSuites) {
    EXPECT_FALSE(load_valid(k_header + "suites: { u: { run: [x] } }\n").promote.present);
    Config config = load_valid(k_header + "promote: { environments: { staging: { tier: t } } }\n");
    EXPECT_TRUE(config.promote.present);
    EXPECT_EQ(config.promote.max_age, 24h);
}

TEST(PromoteSection, ErrorsNameFileLineAndKey) {
    EXPECT_EQ(only_error(k_header + "promote:\n  max_age: 12h\n"),
              "greenlight.yml:3:1: promote.environments: required: the environments a commit is promoted through, in "
              "order, such as {staging: {tier: merge-medium}, production: {tier: nightly}}");
    EXPECT_THAT(
        error_lines(load(k_header + "promote:\n  environments:\n    staging: { tir: t }\n")),
        ElementsAre("greenlight.yml:5:5: promote.environments.staging.tier: required: the tier whose runs are "
                    "this environment's evidence, such as merge-medium",
                    "greenlight.yml:5:16: promote.environments.staging.tir: unknown key; did you mean 'tier'?"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments:\n    staging: { tier: t, max_age: soon }\n"),
                HasSubstr("greenlight.yml:5:34: promote.environments.staging.max_age: expected a duration"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments:\n    staging: { tier: t }\n"
                                      "    production: { tier: n, needs: stagin }\n"),
                HasSubstr("greenlight.yml:6:35: promote.environments.production.needs: expected an environment "
                          "listed before 'production'; found 'stagin'; did you mean 'staging'?"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments:\n    staging: { tier: t, needs: production }\n"
                                      "    production: { tier: n }\n"),
                HasSubstr("promote.environments.staging.needs: expected an environment listed before 'staging'"));
    EXPECT_THAT(
        only_error(k_header + "promote:\n  environments:\n    production: { tier: n, gates: [rollback-plans] }\n"),
        HasSubstr("promote.environments.production.gates[0]: unknown gate 'rollback-plans': a default gate or "
                  "one declared under gate.gates; did you mean 'rollback-plan'?"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments:\n    production: { tier: n, proof: strong }\n"),
                HasSubstr("promote.environments.production.proof: expected"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments:\n    production: { tier: n, evidence: [runs] }\n"),
                HasSubstr("promote.environments.production.evidence[0]: expected run or bundle; found 'runs'; did "
                          "you mean 'run'?"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments:\n    production: { max_age: 1h }\n"),
                HasSubstr("promote.environments.production.tier: required"));
    EXPECT_THAT(only_error(k_header + "promote:\n  environments: {}\n"),
                HasSubstr("promote.environments: expected a mapping of environment names"));
    EXPECT_THAT(only_error(k_header + "promote: [staging]\n"), HasSubstr("promote: expected a mapping"));
}

TEST(PromoteSection, GatesDeclaredUnderGateCount) {
    Config config = load_valid(k_header +
                               "gate:\n  gates:\n    change-freeze: { mode: blocking }\n"
                               "promote:\n  environments:\n    production: { tier: n, gates: [change-freeze] }\n");
    EXPECT_THAT(config.promote.environments[0].gates, ElementsAre("change-freeze"));
}

}  // namespace
}  // namespace greenlight::config
