// `gate.required_checks` of greenlight.yml: the checks `greenlight gate --wait` waits for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string k_header = "version: 1\nproject: p\nsuites: { unit: { run: [x] } }\n";

TEST(GateRequiredChecks, AbsentMeansTheBranchProtectionDecides) {
    EXPECT_THAT(load_valid(k_header).gate.required_checks, IsEmpty());
    EXPECT_THAT(load_valid(k_header + "gate: { docs_paths: [] }\n").gate.required_checks, IsEmpty());
}

TEST(GateRequiredChecks, NamesAreKeptInOrder) {
    Config config = load_valid(k_header + "gate:\n  required_checks: [\"CI / test\", lint]\n");
    EXPECT_THAT(config.gate.required_checks, ElementsAre("CI / test", "lint"));
}

TEST(GateRequiredChecks, AnEmptyListOrAWrongShapeIsAnError) {
    EXPECT_THAT(error_lines(load(k_header + "gate: { required_checks: [] }\n")),
                ElementsAre(::testing::HasSubstr("gate.required_checks: expected")));
    EXPECT_THAT(error_lines(load(k_header + "gate: { required_checks: 5 }\n")),
                ElementsAre(::testing::HasSubstr("gate.required_checks: expected")));
}

}  // namespace
}  // namespace greenlight::config
