#include <gtest/gtest.h>

#include "unit/results/results_test_support.hpp"

namespace greenlight::results {
namespace {

using testing::expect_counts;
using testing::expect_failure;
using testing::expect_parsed;
using testing::read_data;

ParsedResults parse_output_data(ResultsFormat format, std::string_view name) {
    const std::string relative = std::string("output/") + std::string(name);
    ParsedResults results = expect_parsed(parse_runner_output(format, read_data(relative), name));
    EXPECT_EQ(results.format, format);
    EXPECT_TRUE(results.cases.empty());
    return results;
}

TEST(RunnerOutputTest, PytestSummaryAgreesWithItsJunit) {
    // 6 passed + 1 xpassed, 2 failed, 1 error, 1 skipped + 1 xfailed; warnings are not tests.
    expect_counts(parse_output_data(ResultsFormat::pytest, "pytest_mixed.txt").counts, {12, 7, 2, 1, 2});
    expect_counts(parse_output_data(ResultsFormat::pytest, "pytest_mixed_quiet.txt").counts, {12, 7, 2, 1, 2});
    expect_counts(parse_output_data(ResultsFormat::pytest, "pytest_all_pass.txt").counts, {2, 2, 0, 0, 0});
}

TEST(RunnerOutputTest, PytestNothingRan) {
    expect_counts(parse_output_data(ResultsFormat::pytest, "pytest_deselected.txt").counts, {0, 0, 0, 0, 0});
    expect_counts(parse_output_data(ResultsFormat::pytest, "pytest_no_tests.txt").counts, {0, 0, 0, 0, 0});
    expect_counts(parse_output_data(ResultsFormat::pytest, "pytest_collection_error.txt").counts, {1, 0, 0, 1, 0});
}

TEST(RunnerOutputTest, PytestColouredAndLongRunSummaries) {
    const char* coloured =
        "\x1b[31m====== \x1b[31m\x1b[1m1 failed\x1b[0m, \x1b[32m2 passed\x1b[0m, "
        "\x1b[33m3 warnings\x1b[0m\x1b[31m in 0.10s\x1b[0m\x1b[31m ======\x1b[0m\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::pytest, coloured, "output")).counts,
                  {3, 2, 1, 0, 0});
    const char* long_run = "===== 40 passed, 2 errors in 75.31s (0:01:15) =====\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::pytest, long_run, "output")).counts,
                  {42, 40, 0, 2, 0});
}

TEST(RunnerOutputTest, PytestReadsTheLastSummary) {
    // A test that printed a summary-looking line does not decide the result: the closing line does.
    const char* output = "===== 5 passed in 0.01s =====\nmore output\n===== 1 failed in 0.02s =====\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::pytest, output, "output")).counts, {1, 0, 1, 0, 0});
}

TEST(RunnerOutputTest, GoVerboseCountsEveryTestAndSubtest) {
    // The same run gotestsum wrote as JUnit: 10 tests, 5 passed, 4 failed, 1 skipped.
    expect_counts(parse_output_data(ResultsFormat::go, "go_test_verbose_mixed.txt").counts, {10, 5, 4, 0, 1});
    expect_counts(parse_output_data(ResultsFormat::go, "go_test_verbose_pass.txt").counts, {2, 2, 0, 0, 0});
}

TEST(RunnerOutputTest, GoPlainCountsPassingPackagesAsOneTest) {
    // Failing tests are listed one by one; a passing package prints only `ok`, so it counts as one test.
    expect_counts(parse_output_data(ResultsFormat::go, "go_test_plain_mixed.txt").counts, {5, 1, 4, 0, 0});
    expect_counts(parse_output_data(ResultsFormat::go, "go_test_plain_pass.txt").counts, {1, 1, 0, 0, 0});
}

TEST(RunnerOutputTest, GoFailedPackageWithoutFailingTestIsErrored) {
    expect_counts(parse_output_data(ResultsFormat::go, "go_test_build_failed.txt").counts, {2, 1, 0, 1, 0});
    // A test that timed out prints no `--- FAIL` line; its package still fails.
    expect_counts(parse_output_data(ResultsFormat::go, "go_test_verbose_timeout.txt").counts, {2, 1, 0, 1, 0});
}

TEST(RunnerOutputTest, GoOutputCutBeforeThePackageLineIsErrored) {
    const char* output = "=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::go, output, "output")).counts, {2, 1, 0, 1, 0});
}

TEST(RunnerOutputTest, GoTestOutputThatLooksLikeAPackageLineIsNotOne) {
    const char* output = "ok everything is fine\nFAIL is a word too\nFAIL\texample.com/x\t0.010s\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::go, output, "output")).counts, {1, 0, 0, 1, 0});
}

TEST(RunnerOutputTest, GoNoTestsToRun) {
    const char* output = "testing: warning: no tests to run\nPASS\nok  \texample.com/x\t0.002s [no tests to run]\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::go, output, "output")).counts, {0, 0, 0, 0, 0});
}

TEST(RunnerOutputTest, CtestSummaryWithSkippedAndDisabled) {
    // "50% tests passed, 3 tests failed out of 6", one skipped among the "passed", one disabled outside the 6.
    expect_counts(parse_output_data(ResultsFormat::ctest, "ctest_mixed.txt").counts, {7, 2, 3, 0, 2});
    expect_counts(parse_output_data(ResultsFormat::ctest, "ctest_pass.txt").counts, {4, 4, 0, 0, 0});
    expect_counts(parse_output_data(ResultsFormat::ctest, "ctest_none.txt").counts, {0, 0, 0, 0, 0});
}

TEST(RunnerOutputTest, CargoSumsEveryBinaryAndTheDocTests) {
    expect_counts(parse_output_data(ResultsFormat::cargo, "cargo_test_fail.txt").counts, {8, 6, 1, 0, 1});
    expect_counts(parse_output_data(ResultsFormat::cargo, "cargo_test_pass.txt").counts, {8, 7, 0, 0, 1});
}

TEST(RunnerOutputTest, CargoBinaryKilledBySignalCountsItsTestsAsErrored) {
    expect_counts(parse_output_data(ResultsFormat::cargo, "cargo_test_abort.txt").counts, {9, 5, 0, 3, 1});
}

TEST(RunnerOutputTest, NodeSpecAndTapReporters) {
    // node: tests 6, pass 2, fail 2, cancelled 0, skipped 1, todo 1.
    expect_counts(parse_output_data(ResultsFormat::node, "node_spec_mixed.txt").counts, {6, 2, 2, 0, 2});
    expect_counts(parse_output_data(ResultsFormat::node, "node_tap_mixed.txt").counts, {6, 2, 2, 0, 2});
    expect_counts(parse_output_data(ResultsFormat::node, "node_default_pass.txt").counts, {2, 2, 0, 0, 0});
}

TEST(RunnerOutputTest, NodeCancelledAndUnplacedTestsAreErrored) {
    const char* output = "# tests 5\n# suites 0\n# pass 2\n# fail 0\n# cancelled 1\n# skipped 0\n# todo 0\n";
    expect_counts(expect_parsed(parse_runner_output(ResultsFormat::node, output, "output")).counts, {5, 2, 0, 3, 0});
}

TEST(RunnerOutputTest, PlainSummaryLines) {
    expect_counts(parse_output_data(ResultsFormat::plain, "plain_with_label.txt").counts, {12, 11, 1, 0, 0});
    expect_counts(parse_output_data(ResultsFormat::plain, "plain_pass.txt").counts, {5, 5, 0, 0, 0});
    EXPECT_FALSE(parse_runner_output(ResultsFormat::plain, "two words: 3 passed, 0 failed\n", "output").ok());
    EXPECT_FALSE(parse_runner_output(ResultsFormat::plain, "3 passed, 0 failed, 1 errored\n", "output").ok());
}

TEST(RunnerOutputTest, NoSummaryIsAFailureForEveryFormat) {
    const std::string output = read_data("output/no_summary.txt");
    for (ResultsFormat format : {ResultsFormat::pytest, ResultsFormat::go, ResultsFormat::ctest, ResultsFormat::cargo,
                                 ResultsFormat::node, ResultsFormat::plain}) {
        const ParseFailure failure = expect_failure(parse_runner_output(format, output, "output"));
        EXPECT_EQ(failure.source, "output");
        EXPECT_NE(failure.message.find("cut off"), std::string::npos) << failure.message;
    }
}

TEST(RunnerOutputTest, OneFormatsSummaryIsNotAnothers) {
    const std::string pytest = read_data("output/pytest_mixed.txt");
    expect_failure(parse_runner_output(ResultsFormat::cargo, pytest, "output"));
    expect_failure(parse_runner_output(ResultsFormat::ctest, pytest, "output"));
    expect_failure(parse_runner_output(ResultsFormat::node, pytest, "output"));
}

}  // namespace
}  // namespace greenlight::results
