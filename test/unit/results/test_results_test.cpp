#include <gtest/gtest.h>

#include <fstream>

#include "unit/results/results_test_support.hpp"

namespace greenlight::results {
namespace {

using testing::data_path;
using testing::expect_counts;
using testing::expect_failure;
using testing::expect_parsed;

TEST(ResultsFormatTest, NamesRoundTrip) {
    for (ResultsFormat format :
         {ResultsFormat::junit, ResultsFormat::tap, ResultsFormat::pytest, ResultsFormat::go, ResultsFormat::ctest,
          ResultsFormat::cargo, ResultsFormat::node, ResultsFormat::plain}) {
        EXPECT_EQ(parse_results_format(to_string(format)), format) << to_string(format);
    }
    EXPECT_EQ(to_string(ResultsFormat::pytest), "pytest");
    EXPECT_FALSE(parse_results_format("JUnit").has_value());
    EXPECT_FALSE(parse_results_format("xunit").has_value());
    EXPECT_FALSE(parse_results_format("").has_value());
}

TEST(TestOutcomeTest, Names) {
    EXPECT_EQ(to_string(TestOutcome::passed), "passed");
    EXPECT_EQ(to_string(TestOutcome::failed), "failed");
    EXPECT_EQ(to_string(TestOutcome::errored), "errored");
    EXPECT_EQ(to_string(TestOutcome::skipped), "skipped");
}

TEST(ParseFailureTest, ToStringShowsWhatIsKnown) {
    EXPECT_EQ((ParseFailure{"junit.xml", 12, 5, "unexpected end of file"}).to_string(),
              "junit.xml:12:5: unexpected end of file");
    EXPECT_EQ((ParseFailure{"results.tap", 7, 0, "bad"}).to_string(), "results.tap:7: bad");
    EXPECT_EQ((ParseFailure{"output", 0, 0, "no summary"}).to_string(), "output: no summary");
}

TEST(ParseResultsFileTest, MissingFileNamesThePath) {
    const std::filesystem::path missing = data_path("junit/does-not-exist.xml");
    const ParseFailure failure = expect_failure(parse_results_file(ResultsFormat::junit, missing));
    EXPECT_EQ(failure.message,
              "results file not found: " + missing.string() + " (the suite declared it; did the command write it?)");
    // The message names the path already; the full text does not repeat it.
    EXPECT_EQ(failure.to_string(), failure.message);
}

TEST(ParseResultsFileTest, DirectoryIsAFailure) {
    const ParseFailure failure = expect_failure(parse_results_file(ResultsFormat::tap, data_path("tap")));
    EXPECT_NE(failure.message.find("directory"), std::string::npos);
}

TEST(ParseResultsFileTest, DispatchesByFormat) {
    expect_counts(expect_parsed(parse_results_file(ResultsFormat::junit, data_path("junit/ctest_pass.xml"))).counts,
                  {4, 4, 0, 0, 0});
    expect_counts(expect_parsed(parse_results_file(ResultsFormat::tap, data_path("tap/prove_pass.tap"))).counts,
                  {3, 3, 0, 0, 0});
    expect_counts(
        expect_parsed(parse_results_file(ResultsFormat::cargo, data_path("output/cargo_test_pass.txt"))).counts,
        {8, 7, 0, 0, 1});
}

TEST(ParseResultsFileTest, FailuresCarryTheFilePath) {
    const std::filesystem::path truncated = data_path("junit/pytest_xunit2_truncated.xml");
    const ParseFailure failure = expect_failure(parse_results_file(ResultsFormat::junit, truncated));
    EXPECT_EQ(failure.source, truncated.string());
    EXPECT_GT(failure.line, 0);
    EXPECT_TRUE(failure.to_string().starts_with(truncated.string() + ":")) << failure.to_string();

    const ParseFailure empty = expect_failure(parse_results_file(ResultsFormat::junit, data_path("junit/empty.xml")));
    EXPECT_NE(empty.message.find("empty file"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::results
