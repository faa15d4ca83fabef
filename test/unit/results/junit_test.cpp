#include <gtest/gtest.h>

#include "unit/results/results_test_support.hpp"

namespace greenlight::results {
namespace {

using testing::expect_counts;
using testing::expect_failure;
using testing::expect_parsed;
using testing::find_case;
using testing::read_data;

ParsedResults parse_junit_data(std::string_view name) {
    const std::string relative = std::string("junit/") + std::string(name);
    return expect_parsed(parse_junit(read_data(relative), name));
}

TEST(JunitTest, PytestXunit1CountsEveryOutcome) {
    const ParsedResults results = parse_junit_data("pytest_xunit1.xml");
    EXPECT_EQ(results.format, ResultsFormat::junit);
    // 7 passed (one of them an unexpected xpass), 2 failed, 1 setup error, 1 skip and 1 xfail as skipped.
    expect_counts(results.counts, {12, 7, 2, 1, 2});

    const TestCase* failed = find_case(results, "test_fails");
    ASSERT_NE(failed, nullptr);
    EXPECT_EQ(failed->outcome, TestOutcome::failed);
    EXPECT_EQ(failed->classname, "test_sample");
    EXPECT_EQ(failed->suite, "pytest");
    EXPECT_TRUE(failed->message.starts_with("AssertionError: lists differ")) << failed->message;
    EXPECT_NE(failed->details.find("test_sample.py:7: AssertionError"), std::string::npos);

    const TestCase* setup_error = find_case(results, "test_errors_in_setup");
    ASSERT_NE(setup_error, nullptr);
    EXPECT_EQ(setup_error->outcome, TestOutcome::errored);
    EXPECT_NE(setup_error->message.find("fixture setup exploded"), std::string::npos);

    const TestCase* skipped = find_case(results, "test_skipped");
    ASSERT_NE(skipped, nullptr);
    EXPECT_EQ(skipped->outcome, TestOutcome::skipped);
    EXPECT_EQ(skipped->message, "not on this platform");

    const TestCase* special = find_case(results, "test_output_with_special_chars");
    ASSERT_NE(special, nullptr);
    EXPECT_NE(special->details.find("print(\"stdout <tag> & \\\"quotes\\\"\")"), std::string::npos) << special->details;
}

TEST(JunitTest, FailingTestsAreLocatedAtTheLineThatFailed) {
    // xunit1: file attribute, and the traceback names the failing line in that file.
    const ParsedResults xunit1 = parse_junit_data("pytest_xunit1.xml");
    EXPECT_EQ(find_case(xunit1, "test_fails")->file, "test_sample.py");
    EXPECT_EQ(find_case(xunit1, "test_fails")->line, 7);
    EXPECT_EQ(find_case(xunit1, "test_errors_in_setup")->file, "test_sample.py");
    EXPECT_EQ(find_case(xunit1, "test_errors_in_setup")->line, 11);
    // A passing test keeps what the attributes say.
    EXPECT_EQ(find_case(xunit1, "test_passes")->file, "test_sample.py");
    // xunit2 has no attributes: the traceback alone.
    const ParsedResults xunit2 = parse_junit_data("pytest_xunit2.xml");
    EXPECT_EQ(find_case(xunit2, "test_fails")->file, "test_sample.py");
    EXPECT_EQ(find_case(xunit2, "test_fails")->line, 7);
    EXPECT_EQ(find_case(xunit2, "test_passes")->file, "");
    // go test through gotestsum: the `t.Errorf` line; a panic's stack frames are not `path:line:`.
    const ParsedResults go = parse_junit_data("gotestsum_mixed.xml");
    EXPECT_EQ(find_case(go, "TestAddWrong")->file, "calc_test.go");
    EXPECT_EQ(find_case(go, "TestAddWrong")->line, 13);
    EXPECT_EQ(find_case(go, "TestPanics")->file, "");
    EXPECT_EQ(find_case(go, "TestPanics")->line, 0);
}

TEST(JunitTest, AFailureInAnotherFileKeepsTheTestsOwnFile) {
    const ParsedResults results = expect_parsed(
        parse_junit(R"(<testsuite name="s"><testcase classname="c" name="t" file="tests/test_a.py" line="4">)"
                    R"(<failure message="boom">lib/helpers.py:12: ValueError</failure></testcase></testsuite>)",
                    "junit.xml"));
    ASSERT_EQ(results.cases.size(), 1u);
    EXPECT_EQ(results.cases[0].file, "tests/test_a.py");
    EXPECT_EQ(results.cases[0].line, 4);
}

TEST(JunitTest, PytestXunit2CountsLikeXunit1) {
    const ParsedResults results = parse_junit_data("pytest_xunit2.xml");
    expect_counts(results.counts, {12, 7, 2, 1, 2});
    ASSERT_NE(find_case(results, "test_param[2]"), nullptr);
    EXPECT_EQ(find_case(results, "test_param[2]")->outcome, TestOutcome::passed);
}

TEST(JunitTest, PytestCollectionErrorIsAnErroredTest) {
    const ParsedResults results = parse_junit_data("pytest_collection_error.xml");
    expect_counts(results.counts, {1, 0, 0, 1, 0});
    EXPECT_EQ(results.cases.at(0).message, "collection failure");
}

TEST(JunitTest, CtestStatusAttributesDecideSkipsAndNotRun) {
    const ParsedResults results = parse_junit_data("ctest_mixed.xml");
    expect_counts(results.counts, {7, 2, 2, 1, 2});
    EXPECT_EQ(results.cases.at(0).suite, "(empty)");
    EXPECT_EQ(find_case(results, "passes")->outcome, TestOutcome::passed);
    EXPECT_EQ(find_case(results, "fails")->outcome, TestOutcome::failed);
    EXPECT_EQ(find_case(results, "times_out")->outcome, TestOutcome::failed);
    // SKIP_RETURN_CODE is the test asking to be skipped; a missing executable is ctest failing to run it.
    EXPECT_EQ(find_case(results, "skipped_by_code")->outcome, TestOutcome::skipped);
    EXPECT_EQ(find_case(results, "skipped_by_code")->message, "SKIP_RETURN_CODE=77");
    EXPECT_EQ(find_case(results, "missing_exe")->outcome, TestOutcome::errored);
    EXPECT_EQ(find_case(results, "missing_exe")->message, "Unable to find executable");
    EXPECT_EQ(find_case(results, "disabled_test")->outcome, TestOutcome::skipped);
    EXPECT_EQ(find_case(results, "prints_xml_chars")->outcome, TestOutcome::passed);
    EXPECT_NEAR(find_case(results, "times_out")->seconds, 1.00283, 1e-9);
}

TEST(JunitTest, CtestAllPassAndNoTests) {
    expect_counts(parse_junit_data("ctest_pass.xml").counts, {4, 4, 0, 0, 0});
    // A file with no test cases parses; deciding that zero tests is not a pass is the runner's job.
    const ParsedResults none = parse_junit_data("ctest_none.xml");
    expect_counts(none.counts, {0, 0, 0, 0, 0});
    EXPECT_EQ(none.counts.executed(), 0);
}

TEST(JunitTest, GotestsumCountsSubtestsAndPanics) {
    const ParsedResults results = parse_junit_data("gotestsum_mixed.xml");
    expect_counts(results.counts, {10, 5, 4, 0, 1});
    const TestCase* panicked = find_case(results, "TestPanics");
    ASSERT_NE(panicked, nullptr);
    EXPECT_EQ(panicked->outcome, TestOutcome::failed);
    EXPECT_EQ(panicked->suite, "example.com/sample/crash");
    EXPECT_NE(panicked->details.find("assignment to entry in nil map"), std::string::npos);
    EXPECT_EQ(find_case(results, "TestTable/two")->outcome, TestOutcome::failed);
}

TEST(JunitTest, JestJunitTakesTheMessageFromTheBodyWhenItHasNoAttribute) {
    const ParsedResults results = parse_junit_data("jest_junit_mixed.xml");
    expect_counts(results.counts, {7, 4, 2, 0, 1});
    const TestCase* wrong = find_case(results, "math multiplies wrong");
    ASSERT_NE(wrong, nullptr);
    EXPECT_EQ(wrong->outcome, TestOutcome::failed);
    EXPECT_EQ(wrong->message, "Error: expect(received).toBe(expected) // Object.is equality");
    // jest-junit pads names of top-level tests with a space; names are trimmed.
    ASSERT_NE(find_case(results, "one"), nullptr);
    EXPECT_EQ(find_case(results, "one")->suite, "undefined");
    const TestCase* special = find_case(results, "top-level <special> & \"chars\"");
    ASSERT_NE(special, nullptr);
    EXPECT_EQ(special->message, "Error: thrown <error> & \"quoted\"");
}

TEST(JunitTest, SurefireRerunsCountOnceAndFlakyPassesStayPassed) {
    const ParsedResults results = parse_junit_data("TEST-sample.CalcTest.xml");
    // Surefire's own attributes say tests="10" (reruns counted); there are five test cases.
    expect_counts(results.counts, {5, 2, 1, 1, 1});
    const TestCase* flaky = find_case(results, "flakyPassesSecondTime");
    ASSERT_NE(flaky, nullptr);
    EXPECT_EQ(flaky->outcome, TestOutcome::passed);
    EXPECT_NE(flaky->message.find("passed on a rerun"), std::string::npos);
    EXPECT_NE(flaky->message.find("first attempt fails"), std::string::npos);
    const TestCase* wrong = find_case(results, "addsWrong");
    ASSERT_NE(wrong, nullptr);
    EXPECT_EQ(wrong->outcome, TestOutcome::failed);
    EXPECT_EQ(wrong->message, "sum expected:<5> but was:<4>");
    EXPECT_EQ(wrong->classname, "sample.CalcTest");
    EXPECT_EQ(find_case(results, "throwsUnexpected")->outcome, TestOutcome::errored);
    EXPECT_EQ(find_case(results, "ignored")->message, "waiting for fix");
}

TEST(JunitTest, NestedTestsuitesNameTheInnermostSuite) {
    const ParsedResults results = parse_junit_data("nested_testsuites.xml");
    expect_counts(results.counts, {4, 2, 1, 0, 1});
    const TestCase* rounding = find_case(results, "testRounding with data set #1");
    ASSERT_NE(rounding, nullptr);
    EXPECT_EQ(rounding->suite, "Billing\\InvoiceTest::testRounding");
    EXPECT_EQ(rounding->outcome, TestOutcome::failed);
    EXPECT_EQ(rounding->message, "Billing\\InvoiceTest::testRounding with data set #1");
    EXPECT_EQ(find_case(results, "testVat")->suite, "Billing\\TaxTest");
}

TEST(JunitTest, CountsComeFromTestCasesNotFromSuiteAttributes) {
    const char* xml = R"(<testsuite name="lies" tests="5" failures="0" errors="0">
  <testcase name="a"><failure message="boom"/></testcase>
  <testcase name="b"/>
</testsuite>)";
    const ParsedResults results = expect_parsed(parse_junit(xml, "lies.xml"));
    expect_counts(results.counts, {2, 1, 1, 0, 0});
    EXPECT_EQ(results.cases.at(0).suite, "lies");
}

TEST(JunitTest, ErrorAndFailureTogetherCountAsFailed) {
    const char* xml = R"(<testsuites><testsuite name="s">
  <testcase name="t"><failure message="assertion"/><error message="teardown"/></testcase>
</testsuite></testsuites>)";
    const ParsedResults results = expect_parsed(parse_junit(xml, "both.xml"));
    expect_counts(results.counts, {1, 0, 1, 0, 0});
}

TEST(JunitTest, TimesWithThousandsSeparatorsAndGarbage) {
    const char* xml = R"(<testsuite name="s">
  <testcase name="slow" time="1,234.5"/>
  <testcase name="odd" time="fast"/>
  <testcase name="negative" time="-3"/>
</testsuite>)";
    const ParsedResults results = expect_parsed(parse_junit(xml, "times.xml"));
    EXPECT_DOUBLE_EQ(find_case(results, "slow")->seconds, 1234.5);
    EXPECT_DOUBLE_EQ(find_case(results, "odd")->seconds, 0);
    EXPECT_DOUBLE_EQ(find_case(results, "negative")->seconds, 0);
}

TEST(JunitTest, TruncatedFileIsAFailureWithPosition) {
    const std::string xml = read_data("junit/pytest_xunit2_truncated.xml");
    const ParseFailure failure = expect_failure(parse_junit(xml, "junit.xml"));
    EXPECT_EQ(failure.source, "junit.xml");
    // pytest writes everything after the declaration on line 2; the file was cut on it.
    EXPECT_EQ(failure.line, 1 + static_cast<int>(std::count(xml.begin(), xml.end(), '\n')));
    EXPECT_GT(failure.column, 1);
    EXPECT_NE(failure.message.find("malformed XML"), std::string::npos) << failure.message;
    EXPECT_NE(failure.message.find("ends early"), std::string::npos) << failure.message;
    EXPECT_TRUE(failure.to_string().starts_with("junit.xml:" + std::to_string(failure.line) + ":"))
        << failure.to_string();
}

TEST(JunitTest, MismatchedTagGivesLineAndColumn) {
    const char* xml =
        "<testsuites>\n"
        "  <testsuite name=\"a\">\n"
        "    <testcase name=\"x\">\n"
        "  </testsuite>\n"
        "</testsuites>\n";
    const ParseFailure failure = expect_failure(parse_junit(xml, "bad.xml"));
    EXPECT_EQ(failure.line, 4);
    EXPECT_GE(failure.column, 3);
    EXPECT_NE(failure.message.find("mismatch"), std::string::npos) << failure.message;
}

TEST(JunitTest, BadCharacterOnALaterLine) {
    const char* xml =
        "<testsuite name=\"a\">\n<testcase name=\"x\"/>\n<testcase name=\"y\" time=\"1\" <oops/>\n"
        "</testsuite>\n";
    const ParseFailure failure = expect_failure(parse_junit(xml, "bad.xml"));
    EXPECT_EQ(failure.line, 3);
    EXPECT_GT(failure.column, 20);
    EXPECT_EQ(failure.message.find("ends early"), std::string::npos) << failure.message;
}

TEST(JunitTest, OtherXmlRootIsRefusedByName) {
    const ParseFailure failure =
        expect_failure(parse_junit(read_data("junit/ctest_dashboard_not_junit.xml"), "Test.xml"));
    EXPECT_NE(failure.message.find("<testsuites> or <testsuite>"), std::string::npos) << failure.message;
    EXPECT_NE(failure.message.find("found <Site>"), std::string::npos) << failure.message;
    EXPECT_EQ(failure.line, 2);
}

TEST(JunitTest, EmptyAndBlankFilesAreFailures) {
    EXPECT_NE(expect_failure(parse_junit(read_data("junit/empty.xml"), "empty.xml")).message.find("empty file"),
              std::string::npos);
    EXPECT_NE(expect_failure(parse_junit("  \n\t\n", "blank.xml")).message.find("empty file"), std::string::npos);
    // A declaration with no element is not empty, but has no root either.
    const ParseFailure no_root = expect_failure(parse_junit("<?xml version=\"1.0\"?>\n", "decl.xml"));
    EXPECT_FALSE(no_root.message.empty());
}

TEST(JunitTest, DetailsAreCapped) {
    const std::string body(100 * 1024, 'x');
    const std::string xml = "<testsuite name=\"s\"><testcase name=\"big\"><failure message=\"m\">" + body +
                            "</failure></testcase></testsuite>";
    const ParsedResults results = expect_parsed(parse_junit(xml, "big.xml"));
    const std::string& details = results.cases.at(0).details;
    EXPECT_LE(details.size(), 4096u + 64u);
    EXPECT_GE(details.size(), 4096u);
    EXPECT_TRUE(details.ends_with("bytes cut]")) << details.substr(details.size() - 40);
}

TEST(JunitTest, DeeplyNestedSuitesAreRefusedNotCrashed) {
    std::string xml;
    for (int i = 0; i < 1000; ++i) xml += "<testsuite>";
    xml += "<testcase name=\"deep\"/>";
    for (int i = 0; i < 1000; ++i) xml += "</testsuite>";
    const ParseFailure failure = expect_failure(parse_junit(xml, "deep.xml"));
    EXPECT_NE(failure.message.find("nested"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::results
