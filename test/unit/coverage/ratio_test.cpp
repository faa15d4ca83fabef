// Exact percentages: the gate decides on integers, never on a rounded double.
#include <gtest/gtest.h>

#include <limits>

#include "greenlight/coverage/coverage.hpp"

namespace greenlight::coverage {
namespace {

TEST(RatioTest, PercentTextRoundsHalfUpToTwoDecimals) {
    EXPECT_EQ((Ratio{2, 3}.percent_text()), "66.67%");
    EXPECT_EQ((Ratio{1, 8}.percent_text()), "12.50%");
    EXPECT_EQ((Ratio{1, 3}.percent_text()), "33.33%");
    EXPECT_EQ((Ratio{5, 6}.percent_text()), "83.33%");
    EXPECT_EQ((Ratio{1, 80000}.percent_text()), "0.00%");  // 0.00125% rounds down
    EXPECT_EQ((Ratio{1, 20000}.percent_text()), "0.01%");  // 0.005% is exactly half a hundredth: up
    EXPECT_EQ((Ratio{3, 3}.percent_text()), "100.00%");
    EXPECT_EQ((Ratio{0, 7}.percent_text()), "0.00%");
    EXPECT_EQ((Ratio{1999, 2000}.percent_text()), "99.95%");
    EXPECT_EQ((Ratio{19999, 20000}.percent_text()), "100.00%");    // 99.995 is half: up
    EXPECT_EQ((Ratio{199999, 200000}.percent_text()), "100.00%");  // 99.9995 rounds up
}

TEST(RatioTest, NothingMeasuredIsNotApplicableAndPasses) {
    const Ratio nothing{0, 0};
    EXPECT_FALSE(nothing.measurable());
    EXPECT_EQ(nothing.percent_text(), "n/a");
    EXPECT_TRUE(nothing.at_least(50));
}

TEST(RatioTest, AtLeastIsExact) {
    EXPECT_TRUE((Ratio{1, 2}.at_least(50)));
    EXPECT_FALSE((Ratio{49999, 100000}.at_least(50)));  // 49.999% would print as 50.00% but is below
    EXPECT_TRUE((Ratio{2, 3}.at_least(66)));
    EXPECT_FALSE((Ratio{2, 3}.at_least(67)));
    EXPECT_TRUE((Ratio{0, 3}.at_least(0)));
    EXPECT_TRUE((Ratio{3, 3}.at_least(100)));
}

TEST(RatioTest, HugeCountsDoNotOverflow) {
    constexpr std::int64_t k_max = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ((Ratio{k_max, k_max}.percent_text()), "100.00%");
    EXPECT_EQ((Ratio{k_max / 2, k_max}.percent_text()), "50.00%");
    EXPECT_TRUE((Ratio{k_max, k_max}.at_least(100)));
    EXPECT_FALSE((Ratio{k_max - 1, k_max}.at_least(100)));
}

TEST(RatioTest, ProjectRatioCountsMeasuredAndCoveredLines) {
    Coverage coverage;
    coverage.files["a"].lines = {{1, 1}, {2, 0}, {3, 5}};
    coverage.files["b"].lines = {{1, 0}};
    const Ratio ratio = project_ratio(coverage);
    EXPECT_EQ(ratio.covered, 2);
    EXPECT_EQ(ratio.measured, 4);
}

}  // namespace
}  // namespace greenlight::coverage
