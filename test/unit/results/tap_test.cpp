#include <gtest/gtest.h>

#include "unit/results/results_test_support.hpp"

namespace greenlight::results {
namespace {

using testing::expect_counts;
using testing::expect_failure;
using testing::expect_parsed;
using testing::find_case;
using testing::read_data;

ParsedResults parse_tap_data(std::string_view name) {
    const std::string relative = std::string("tap/") + std::string(name);
    return expect_parsed(parse_tap(read_data(relative), name));
}

bool is_green(const TestCounts& counts) {
    return counts.not_passed() == 0 && counts.executed() > 0;
}

TEST(TapTest, PerlMixedOutcomesWithSubtests) {
    const ParsedResults results = parse_tap_data("prove_mixed.tap");
    EXPECT_EQ(results.format, ResultsFormat::tap);
    // Leaf tests only: the parents of the two subtests stand for their children.
    expect_counts(results.counts, {9, 5, 2, 0, 2});
    EXPECT_EQ(find_case(results, "arithmetic is wrong")->outcome, TestOutcome::failed);
    const TestCase* skipped = find_case(results, "test 3");
    ASSERT_NE(skipped, nullptr);
    EXPECT_EQ(skipped->outcome, TestOutcome::skipped);
    EXPECT_EQ(skipped->message, "no database configured");
    // A failing TODO is an expected failure: not a failure, and not a pass either.
    EXPECT_EQ(find_case(results, "parses nested input")->outcome, TestOutcome::skipped);
    EXPECT_EQ(find_case(results, "parses nested input")->message, "TODO: parser not finished");
    EXPECT_EQ(find_case(results, "unexpectedly works")->outcome, TestOutcome::passed);
    const TestCase* inner = find_case(results, "inner broken");
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(inner->outcome, TestOutcome::failed);
    EXPECT_EQ(inner->suite, "grouped with failure");
    EXPECT_EQ(find_case(results, "inner one")->suite, "grouped checks");
    EXPECT_EQ(find_case(results, "grouped checks"), nullptr);
}

TEST(TapTest, DiagnosticsOnStderrMixedInChangeNothing) {
    expect_counts(parse_tap_data("prove_mixed_with_stderr.tap").counts, {9, 5, 2, 0, 2});
}

TEST(TapTest, PlanAtTheEnd) {
    expect_counts(parse_tap_data("prove_pass.tap").counts, {3, 3, 0, 0, 0});
}

TEST(TapTest, SkipAllPlanIsZeroTests) {
    const ParsedResults results = parse_tap_data("prove_skip_all.tap");
    expect_counts(results.counts, {0, 0, 0, 0, 0});
    EXPECT_FALSE(is_green(results.counts));
}

TEST(TapTest, BailOutCountsTheTestsItPrevented) {
    const ParsedResults results = parse_tap_data("prove_bail.tap");
    expect_counts(results.counts, {4, 1, 0, 3, 0});
    // Each test the bail-out prevented is listed, so a report shows all of them.
    for (const char* name : {"test 2", "test 3", "test 4"}) {
        const TestCase* missing = find_case(results, name);
        ASSERT_NE(missing, nullptr) << name;
        EXPECT_EQ(missing->outcome, TestOutcome::errored);
        EXPECT_EQ(missing->message, "not run: Bail out! database went away");
    }
    EXPECT_EQ(results.cases.size(), 4u);
}

TEST(TapTest, BailOutAfterAllPlannedTestsStillErrors) {
    const ParsedResults results = expect_parsed(parse_tap("1..1\nok 1\nBail out! disk full\n", "out"));
    expect_counts(results.counts, {2, 1, 0, 1, 0});
    EXPECT_EQ(find_case(results, "Bail out!")->message, "Bail out! disk full");
}

TEST(TapTest, WriterThatDiedBeforeAllPlannedTestsIsNeverGreen) {
    const ParsedResults results = parse_tap_data("prove_dies.tap");
    expect_counts(results.counts, {5, 3, 0, 2, 0});
    EXPECT_FALSE(is_green(results.counts));
    ASSERT_NE(find_case(results, "test 4"), nullptr);
    const TestCase* missing = find_case(results, "test 5");
    ASSERT_NE(missing, nullptr);
    EXPECT_NE(missing->message.find("planned 1..5 but only 3 ran"), std::string::npos) << missing->message;
}

TEST(TapTest, WriterThatDiedBeforeTheTrailingPlanIsNeverGreen) {
    const ParsedResults results = parse_tap_data("node_tap_no_plan_truncated.tap");
    expect_counts(results.counts, {3, 2, 0, 1, 0});
    EXPECT_NE(find_case(results, "plan")->message.find("no plan"), std::string::npos);
}

TEST(TapTest, CutInsideAYamlBlockIsNeverGreen) {
    const ParsedResults results = parse_tap_data("node_tap_truncated.tap");
    expect_counts(results.counts, {3, 1, 1, 1, 0});
    EXPECT_NE(find_case(results, "compares objects")->details.find("testCodeFailure"), std::string::npos);
}

TEST(TapTest, NodeTestRunnerSubtestsAndYaml) {
    const ParsedResults results = parse_tap_data("node_tap_mixed.tap");
    // node itself reports: tests 6, pass 2, fail 2, skipped 1, todo 1.
    expect_counts(results.counts, {6, 2, 2, 0, 2});
    const TestCase* inner = find_case(results, "inner fails");
    ASSERT_NE(inner, nullptr);
    EXPECT_EQ(inner->suite, "group");
    EXPECT_EQ(inner->outcome, TestOutcome::failed);
    EXPECT_EQ(inner->message, "inner <broken> & \"quoted\"");
    EXPECT_NE(inner->details.find("duration_ms:"), std::string::npos);
    EXPECT_TRUE(inner->details.starts_with("duration_ms:")) << inner->details;
    const TestCase* compares = find_case(results, "compares objects");
    ASSERT_NE(compares, nullptr);
    EXPECT_EQ(compares->message, "Expected values to be strictly deep-equal:");
    EXPECT_EQ(find_case(results, "todo test")->outcome, TestOutcome::skipped);
    EXPECT_EQ(find_case(results, "skipped test")->message, "no network here");
    expect_counts(parse_tap_data("node_tap_pass.tap").counts, {2, 2, 0, 0, 0});
}

TEST(TapTest, Tap14NestedSubtestsAndEscapedHash) {
    const ParsedResults results = parse_tap_data("tap14_subtests.tap");
    expect_counts(results.counts, {5, 3, 1, 0, 1});
    const TestCase* resolves = find_case(results, "resolves ::1");
    ASSERT_NE(resolves, nullptr);
    EXPECT_EQ(resolves->suite, "network > ipv6");
    EXPECT_EQ(resolves->outcome, TestOutcome::failed);
    EXPECT_EQ(resolves->message, "address family not supported");
    EXPECT_EQ(find_case(results, "connects")->suite, "network > ipv4");
    EXPECT_EQ(find_case(results, "connects")->outcome, TestOutcome::skipped);
    const TestCase* escaped = find_case(results, "the # is escaped, so this is not a directive");
    ASSERT_NE(escaped, nullptr);
    EXPECT_EQ(escaped->outcome, TestOutcome::passed);
    EXPECT_EQ(escaped->message, "TODO: finish the escaping rules");
}

TEST(TapTest, FailingTestsAreLocatedFromTheirYamlBlock) {
    // node's `location:` (path:line:column) and node-tap's `at: {file, line}`.
    const ParsedResults node = parse_tap_data("node_tap_mixed.tap");
    EXPECT_EQ(find_case(node, "inner fails")->file, "/home/ci/project/sample.test.mjs");
    EXPECT_EQ(find_case(node, "inner fails")->line, 20);
    EXPECT_EQ(find_case(node, "compares objects")->line, 8);
    const ParsedResults tap14 = parse_tap_data("tap14_subtests.tap");
    EXPECT_EQ(find_case(tap14, "resolves ::1")->file, "test/network.js");
    EXPECT_EQ(find_case(tap14, "resolves ::1")->line, 41);
    // A failure without a YAML block has no location.
    const ParsedResults bare = expect_parsed(parse_tap("1..1\nnot ok 1 - bare\n", "t.tap"));
    EXPECT_EQ(bare.cases.at(0).file, "");
    EXPECT_EQ(bare.cases.at(0).line, 0);
}

TEST(TapTest, DirectivesAreCaseInsensitive) {
    const char* tap =
        "1..5\n"
        "not ok 1 - later # todo not written\n"
        "ok 2 - somewhere else # Skip: no gpu\n"
        "ok 3 # SKIPPED\n"
        "not ok 4 - skip does not excuse a failure # SKIP\n"
        "ok 5 - a hash # that is only a comment\n";
    const ParsedResults results = expect_parsed(parse_tap(tap, "out"));
    expect_counts(results.counts, {5, 1, 1, 0, 3});
    EXPECT_EQ(find_case(results, "later")->outcome, TestOutcome::skipped);
    EXPECT_EQ(find_case(results, "somewhere else")->message, "no gpu");
    EXPECT_EQ(find_case(results, "skip does not excuse a failure")->outcome, TestOutcome::failed);
    EXPECT_NE(find_case(results, "a hash # that is only a comment"), nullptr);
}

TEST(TapTest, GarbageLinesAreIgnored) {
    const char* tap =
        "compiling...\n"
        "okay, starting\n"
        "1..2\n"
        "warning: something\n"
        "ok 1 - first\n"
        "  some indented log line\n"
        "ok 2 - second\n";
    expect_counts(expect_parsed(parse_tap(tap, "out")).counts, {2, 2, 0, 0, 0});
}

TEST(TapTest, NumbersAreOptional) {
    expect_counts(expect_parsed(parse_tap("ok\nok - named\nnot ok\n1..3\n", "out")).counts, {3, 2, 1, 0, 0});
}

TEST(TapTest, NoPlanAndNoTestsIsAParseFailure) {
    const ParseFailure failure = expect_failure(parse_tap("hello\nworld\n", "output"));
    EXPECT_EQ(failure.message, "no TAP plan or test lines found");
    EXPECT_EQ(failure.to_string(), "output: no TAP plan or test lines found");
    expect_failure(parse_tap("", "output"));
    expect_failure(parse_tap("TAP version 14\n", "output"));
}

TEST(TapTest, MoreTestsThanPlannedIsAnError) {
    const ParsedResults results = expect_parsed(parse_tap("1..2\nok 1\nok 2\nok 3\n", "out"));
    expect_counts(results.counts, {4, 3, 0, 1, 0});
}

TEST(TapTest, OutOfSequenceNumbersAreErrors) {
    const ParsedResults results = expect_parsed(parse_tap("1..3\nok 1\nok 1\nok 3\n", "out"));
    EXPECT_EQ(results.counts.errored, 1);
    EXPECT_EQ(results.counts.passed, 3);
}

TEST(TapTest, TestsAfterAZeroPlanAreErrors) {
    EXPECT_EQ(expect_parsed(parse_tap("1..0 # SKIP nothing\nok 1\n", "out")).counts.errored, 1);
}

TEST(TapTest, HugeMissingRangeIsOneCaseButEveryTestCounts) {
    const ParsedResults results = expect_parsed(parse_tap("1..1000000\nok 1\n", "out"));
    expect_counts(results.counts, {1000000, 1, 0, 999999, 0});
    EXPECT_EQ(results.cases.size(), 2u);
    ASSERT_NE(find_case(results, "tests 2..1000000"), nullptr);
}

TEST(TapTest, UnnamedSubtestTakesItsParentsDescription) {
    const char* tap =
        "1..1\n"
        "    1..2\n"
        "    ok 1 - inner a\n"
        "    ok 2 - inner b\n"
        "ok 1 - outer\n";
    const ParsedResults results = expect_parsed(parse_tap(tap, "out"));
    expect_counts(results.counts, {2, 2, 0, 0, 0});
    EXPECT_EQ(find_case(results, "inner a")->suite, "outer");
}

TEST(TapTest, FailedParentWithPassingChildrenCountsAsFailed) {
    const char* tap =
        "1..1\n"
        "# Subtest: group\n"
        "    1..1\n"
        "    ok 1 - fine\n"
        "not ok 1 - group\n";
    const ParsedResults results = expect_parsed(parse_tap(tap, "out"));
    expect_counts(results.counts, {2, 1, 1, 0, 0});
}

TEST(TapTest, SubtestWithoutItsClosingLineIsAnError) {
    const char* tap =
        "1..1\n"
        "# Subtest: group\n"
        "    1..2\n"
        "    ok 1 - fine\n"
        "    ok 2 - fine too\n";
    const ParsedResults results = expect_parsed(parse_tap(tap, "out"));
    EXPECT_GT(results.counts.errored, 0);
}

TEST(TapTest, BailOutInsideASubtestStopsEverything) {
    const char* tap =
        "1..2\n"
        "# Subtest: first\n"
        "    1..2\n"
        "    ok 1\n"
        "    Bail out! lost the database\n"
        "ok 1 - first\n"
        "ok 2 - second\n";
    const ParsedResults results = expect_parsed(parse_tap(tap, "out"));
    EXPECT_EQ(results.counts.passed, 1);
    EXPECT_GT(results.counts.errored, 0);
}

TEST(TapTest, TooDeepSubtestsAreAFailureWithALine) {
    std::string tap = "1..1\n";
    for (int depth = 1; depth <= 100; ++depth) tap += std::string(static_cast<size_t>(depth) * 4, ' ') + "ok 1\n";
    const ParseFailure failure = expect_failure(parse_tap(tap, "deep.tap"));
    EXPECT_NE(failure.message.find("nested"), std::string::npos);
    EXPECT_GT(failure.line, 60);
}

TEST(TapTest, YamlDetailsAreCapped) {
    std::string tap = "1..1\nnot ok 1 - big\n  ---\n";
    for (int i = 0; i < 2000; ++i) tap += "  line: " + std::to_string(i) + " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n";
    tap += "  ...\n";
    const ParsedResults results = expect_parsed(parse_tap(tap, "out"));
    EXPECT_LE(results.cases.at(0).details.size(), 4096u + 64u);
    EXPECT_TRUE(results.cases.at(0).details.ends_with("bytes cut]"));
}

}  // namespace
}  // namespace greenlight::results
