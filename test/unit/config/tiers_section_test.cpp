// The `tiers:` section of greenlight.yml: tier names, the shape of each tier, and what its entries may name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;

TEST(TiersSection, ATierWithNothingAfterItIsEmptyAndKeepsItsPlace) {
    Config config = load_valid(k_header + R"(suites:
  unit: { run: [true] }
tiers:
  pr: [unit]
  smoke:
  nightly: ["unit"]
)");
    EXPECT_THAT(config.tier_order, ElementsAre("pr", "smoke", "nightly"));
    EXPECT_TRUE(config.suites_in_tier("smoke").empty());
    ASSERT_EQ(config.tiers.at("nightly").size(), 1u);
    EXPECT_EQ(config.tiers.at("nightly").at(0).line, 8);
}

TEST(TiersSection, NamesAndEntriesOfTheWrongShapeAreNamedWithTheirPosition) {
    LoadOutcome outcome = load(k_header + R"(suites:
  unit: { run: [true] }
tiers:
  "a/b": [unit]
  smoke:
  pr: unit
  nightly: [unit, 5, ""]
)");
    EXPECT_FALSE(outcome.config.has_value());
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:6:3: tiers.a/b: expected a tier name of letters, digits, '.', '_' or "
                            "'-', and not only dots; found 'a/b'",
                            "greenlight.yml:8:7: tiers.pr: expected a list of suite names and label:NAME entries; "
                            "found 'unit'",
                            "greenlight.yml:9:19: tiers.nightly[1]: expected a suite name or label:NAME; found the "
                            "number 5",
                            "greenlight.yml:9:22: tiers.nightly[2]: expected a suite name or label:NAME; found ''"));
}

TEST(TiersSection, ALabelEntryWhenNoSuiteHasLabelsSaysSo) {
    EXPECT_THAT(error_lines(load(k_header + "suites:\n  unit: { run: [true] }\ntiers:\n  pr: [\"label:fast\"]\n")),
                ElementsAre("greenlight.yml:6:8: tiers.pr[0]: no suite carries label 'fast'; no suite has `labels`"));
}

TEST(TiersSection, EntriesAreNotCheckedAgainstSuitesThatCouldNotBeRead) {
    // The one error is the suites section's: every tier entry would otherwise look wrong too.
    EXPECT_THAT(error_lines(load(k_header + "suites: []\ntiers:\n  pr: [whatever]\n")),
                ElementsAre("greenlight.yml:3:9: suites: expected a mapping of suite names to suites, with at least "
                            "one suite; found a list"));
}

}  // namespace
}  // namespace greenlight::config
