// The `policy:` section of greenlight.yml: flaky suites per tier and missing requirements.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;

const std::string k_suites = k_header + "suites:\n  unit: { run: [true] }\n";

TEST(PolicySection, FlakyPerTierAndMissingRequirementAreRead) {
    Config config = load_valid(k_suites + R"(tiers: { pr: [unit], nightly: [unit], smoke: [unit] }
policy:
  flaky: { pr: pass, nightly: fail }
  missing_requirement: skip
)");
    EXPECT_EQ(config.policy.flaky_for("pr"), FlakyPolicy::pass);
    EXPECT_EQ(config.policy.flaky_for("nightly"), FlakyPolicy::fail);
    EXPECT_EQ(config.policy.flaky_for("smoke"), FlakyPolicy::fail);  // not listed: the default
    EXPECT_EQ(config.policy.missing_requirement, MissingRequirementPolicy::skip);
}

TEST(PolicySection, TierNamesAreNotCheckedAgainstTiersThatCouldNotBeRead) {
    EXPECT_THAT(error_lines(load(k_suites + "tiers: [pr]\npolicy:\n  flaky: { pr: pass }\n")),
                ElementsAre("greenlight.yml:5:8: tiers: expected a mapping of tier names to lists of suites; found "
                            "a list"));
}

TEST(PolicySection, AnEmptyTiersSectionDefinesNoTierToName) {
    EXPECT_THAT(error_lines(load(k_suites + "tiers: {}\npolicy:\n  flaky: { pr: pass }\n")),
                ElementsAre("greenlight.yml:7:12: policy.flaky.pr: unknown tier; `tiers` defines none"));
}

TEST(PolicySection, WrongShapesSayWhatWasExpected) {
    EXPECT_THAT(error_lines(load(k_suites + "policy: [flaky]\n")),
                ElementsAre("greenlight.yml:5:9: policy: expected a mapping with flaky and missing_requirement; "
                            "found a list"));
    EXPECT_THAT(error_lines(load(k_suites + "policy:\n  flaky: [pass]\n  missing_requirements: skip\n")),
                ElementsAre("greenlight.yml:6:10: policy.flaky: expected pass, fail or a mapping of tier names to "
                            "pass or fail; found a list",
                            "greenlight.yml:7:3: policy.missing_requirements: unknown key; did you mean "
                            "'missing_requirement'?"));
}

}  // namespace
}  // namespace greenlight::config
