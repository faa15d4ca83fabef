// The `defaults:` section of greenlight.yml, read with `suites:` (each suite falls back to it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using namespace std::chrono_literals;

TEST(DefaultsSection, EveryKeyReachesASuiteThatSetsNone) {
    Config config = load_valid(k_header + R"(defaults:
  timeout: 2m
  grace: 1s
  retries: 2
  min_tests: 0
  output_cap: 1MiB
suites:
  unit: { run: [true] }
  lint: { run: [true], retries: 0 }
)");
    const SuiteConfig& unit = config.suites.at(0);
    EXPECT_EQ(unit.timeout, 2min);
    EXPECT_EQ(unit.grace, 1s);
    EXPECT_EQ(unit.retries, 2);
    EXPECT_EQ(unit.min_tests, 0);
    EXPECT_EQ(unit.output_cap, 1u << 20);
    EXPECT_EQ(config.suites.at(1).retries, 0);
}

TEST(DefaultsSection, ValuesAreCheckedAsInASuite) {
    LoadOutcome outcome = load(k_header + R"(defaults:
  timeout: 0s
  retries: 101
  output_cap: 0
  timout: 5m
suites:
  unit: { run: [true] }
)");
    EXPECT_FALSE(outcome.config.has_value());
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:4:12: defaults.timeout: expected a duration greater than zero; found 0",
                            "greenlight.yml:5:12: defaults.retries: expected a whole number from 0 to 100; found the "
                            "number 101",
                            "greenlight.yml:6:15: defaults.output_cap: expected a size greater than zero such as "
                            "8MiB, 512KiB or 1000000; found the number 0",
                            "greenlight.yml:7:3: defaults.timout: unknown key; did you mean 'timeout'?"));
}

TEST(DefaultsSection, MustBeAMapping) {
    EXPECT_THAT(error_lines(load(k_header + "defaults: [timeout]\nsuites:\n  unit: { run: [true] }\n")),
                ElementsAre("greenlight.yml:3:11: defaults: expected a mapping of suite defaults (timeout, retries, "
                            "...); found a list"));
}

}  // namespace
}  // namespace greenlight::config
