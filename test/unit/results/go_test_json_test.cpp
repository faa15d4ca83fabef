// `go test -json` read by format `go`: counts, the cases of failing tests, and packages that fail without one.
#include <gtest/gtest.h>

#include "greenlight/results/parse_support.hpp"
#include "unit/results/results_test_support.hpp"

namespace greenlight::results {
namespace {

using testing::expect_counts;
using testing::expect_failure;
using testing::expect_parsed;
using testing::find_case;
using testing::read_data;

constexpr std::string_view k_calc = "example.com/sample/calc";

ParsedResults parse_go(std::string_view output) {
    ParsedResults results = expect_parsed(parse_runner_output(ResultsFormat::go, output, "output.log"));
    EXPECT_EQ(results.format, ResultsFormat::go);
    return results;
}

ParsedResults parse_go_data(std::string_view name) {
    return parse_go(read_data(std::string("output/") + std::string(name)));
}

// The first `count` lines of `text`, as an output cut off there leaves them.
std::string first_lines(std::string_view text, size_t count) {
    size_t end = 0;
    for (size_t line = 0; line < count && end != std::string_view::npos; ++line) {
        end = text.find('\n', end);
        if (end != std::string_view::npos) ++end;
    }
    return std::string(text.substr(0, end));
}

TEST(GoTestJsonTest, CountsEveryTestAndSubtestLikeTheTextForm) {
    // calc: TestAdd, TestTable/small pass; TestAddWrong, TestTable/wrong, its parent TestTable and TestPanics
    // fail; TestSkipped skips; TestParallelA and B were paused when TestPanics took the binary down (errored).
    // strs: 2 pass. empty: no test files. broken: does not build (a text line, even with -json). exitmain: its
    // one test passes, then TestMain exits 3 (errored package).
    const ParsedResults results = parse_go_data("go_test_json_mixed.txt");
    expect_counts(results.counts, {14, 5, 4, 4, 1});
    EXPECT_EQ(results.cases.size(), 8u);  // every failed and errored test or package, no passing one
}

TEST(GoTestJsonTest, FailingTestsCarryTheirPackageAndWhatTheyPrinted) {
    const ParsedResults results = parse_go_data("go_test_json_mixed.txt");
    const TestCase* wrong = find_case(results, "TestAddWrong");
    ASSERT_NE(wrong, nullptr);
    EXPECT_EQ(wrong->outcome, TestOutcome::failed);
    EXPECT_EQ(wrong->suite, k_calc);
    // t.Errorf's line, not the test's earlier print, and none of go's `=== RUN` / `--- FAIL` framing.
    EXPECT_EQ(wrong->message, "calc_test.go:17: Add(2, 2) = 4, want 5");
    EXPECT_EQ(wrong->file, "calc_test.go");
    EXPECT_EQ(wrong->line, 17);
    EXPECT_NE(wrong->details.find("printing <tag> & \"quotes\""), std::string::npos) << wrong->details;
    EXPECT_EQ(wrong->details.find("=== RUN"), std::string::npos) << wrong->details;

    const TestCase* parent = find_case(results, "TestTable");
    ASSERT_NE(parent, nullptr);
    EXPECT_EQ(parent->message, "subtest TestTable/wrong failed");
    const TestCase* subtest = find_case(results, "TestTable/wrong");
    ASSERT_NE(subtest, nullptr);
    EXPECT_EQ(subtest->message, "calc_test.go:25: got 5, want 6");

    const TestCase* panics = find_case(results, "TestPanics");
    ASSERT_NE(panics, nullptr);
    EXPECT_EQ(panics->message, "panic: assignment to entry in nil map [recovered]");
    EXPECT_NE(panics->details.find("goroutine"), std::string::npos);
    EXPECT_LE(panics->details.size(), support::k_details_limit + 64);

    const TestCase* paused = find_case(results, "TestParallelA");
    ASSERT_NE(paused, nullptr);
    EXPECT_EQ(paused->outcome, TestOutcome::errored);
    EXPECT_NE(paused->message.find("did not finish"), std::string::npos) << paused->message;
}

TEST(GoTestJsonTest, PackageThatFailsWithoutAFailingTestIsErrored) {
    const ParsedResults results = parse_go_data("go_test_json_mixed.txt");
    std::vector<const TestCase*> packages;
    for (const TestCase& test_case : results.cases) {
        if (test_case.name == "(package)") packages.push_back(&test_case);
    }
    ASSERT_EQ(packages.size(), 2u);
    // go 1.19 prints the build failure as text, the compiler's message before it.
    EXPECT_EQ(packages[0]->suite, "example.com/sample/broken");
    EXPECT_EQ(packages[0]->outcome, TestOutcome::errored);
    EXPECT_NE(packages[0]->message.find("[build failed]"), std::string::npos) << packages[0]->message;
    EXPECT_NE(packages[0]->details.find("cannot use \"no\""), std::string::npos) << packages[0]->details;
    // TestMain's os.Exit(3) after every test passed.
    EXPECT_EQ(packages[1]->suite, "example.com/sample/exitmain");
    EXPECT_NE(packages[1]->message.find("none of its tests did"), std::string::npos) << packages[1]->message;
    EXPECT_NE(packages[1]->details.find("FAIL\texample.com/sample/exitmain"), std::string::npos);
}

TEST(GoTestJsonTest, MessageIsAPanicOrTheLastLogLine) {
    auto message_of = [](std::initializer_list<std::string_view> printed) {
        std::string output = R"({"Action":"run","Package":"p","Test":"TestX"})"
                             "\n";
        for (std::string_view line : printed) {
            output += R"({"Action":"output","Package":"p","Test":"TestX","Output":")" + std::string(line) +
                      R"(\n"})"
                      "\n";
        }
        output += R"({"Action":"fail","Package":"p","Test":"TestX"})"
                  "\n";
        const ParsedResults results = parse_go(output);
        return results.cases.empty() ? std::string() : results.cases[0].message;
    };
    // t.Log before t.Errorf prints the same `file:line:` shape; the failure comes last.
    EXPECT_EQ(message_of({"    x_test.go:8: about to compare", "    x_test.go:10: 2 + 2 = 4, want 5"}),
              "x_test.go:10: 2 + 2 = 4, want 5");
    EXPECT_EQ(message_of({"    x_test.go:8: setup done", "panic: boom [recovered]", "\tpanic: boom"}),
              "panic: boom [recovered]");
    EXPECT_EQ(message_of({"plain print", "another"}), "plain print");
}

TEST(GoTestJsonTest, TimedOutTestIsErroredWithThePanic) {
    // go test -timeout 1s: TestHangs never ends; its package fails.
    const ParsedResults results = parse_go_data("go_test_json_timeout.txt");
    expect_counts(results.counts, {2, 1, 0, 1, 0});
    ASSERT_EQ(results.cases.size(), 1u);
    EXPECT_EQ(results.cases[0].name, "TestHangs");
    EXPECT_EQ(results.cases[0].outcome, TestOutcome::errored);
    EXPECT_NE(results.cases[0].message.find("panic: test timed out after 1s"), std::string::npos)
        << results.cases[0].message;
}

TEST(GoTestJsonTest, PassingRunHasNoCases) {
    const ParsedResults results = parse_go_data("go_test_json_pass.txt");
    expect_counts(results.counts, {2, 2, 0, 0, 0});
    EXPECT_TRUE(results.cases.empty());
}

TEST(GoTestJsonTest, OutputEndingInsideAPackageIsErrored) {
    // The package's closing `pass` event is missing: greenlight stopped the run, or the output was cut.
    const std::string output = read_data("output/go_test_json_pass.txt");
    const ParsedResults results = parse_go(first_lines(output, 9));
    expect_counts(results.counts, {3, 2, 0, 1, 0});
    ASSERT_EQ(results.cases.size(), 1u);
    EXPECT_EQ(results.cases[0].name, "(package)");
    EXPECT_NE(results.cases[0].message.find("did not finish"), std::string::npos);
}

TEST(GoTestJsonTest, TestStillRunningWhenTheOutputEndsIsErrored) {
    const char* output = R"({"Action":"run","Package":"p","Test":"TestA"})"
                         "\n"
                         R"({"Action":"output","Package":"p","Test":"TestA","Output":"working\n"})"
                         "\n";
    const ParsedResults results = parse_go(output);
    expect_counts(results.counts, {1, 0, 0, 1, 0});
    ASSERT_EQ(results.cases.size(), 1u);
    EXPECT_EQ(results.cases[0].name, "TestA");
    EXPECT_NE(results.cases[0].message.find("working"), std::string::npos) << results.cases[0].message;
}

TEST(GoTestJsonTest, PackageWhoseEndWasCutOutIsNotAFailure) {
    // A capped output.log keeps the head and the tail: a package can lose its end in the cut, and the next
    // package's events follow. The tests seen count; the exit code says whether the run passed.
    const std::string output = first_lines(read_data("output/go_test_json_pass.txt"), 6) +
                               "[greenlight: output cut here: 1000 bytes omitted]\n" +
                               R"({"Action":"run","Package":"q","Test":"TestB"})" + "\n" +
                               R"({"Action":"pass","Package":"q","Test":"TestB","Elapsed":0.5})" + "\n" +
                               R"({"Action":"pass","Package":"q","Elapsed":0.6})" + "\n";
    const ParsedResults results = parse_go(output);
    expect_counts(results.counts, {2, 2, 0, 0, 0});
    EXPECT_TRUE(results.cases.empty());
}

TEST(GoTestJsonTest, FailedPackageWithNoEventsButItsEndIsErrored) {
    const char* output = R"({"Action":"output","Package":"p","Output":"panic: init failed\n"})"
                         "\n"
                         R"({"Action":"fail","Package":"p","Elapsed":0.01})"
                         "\n";
    const ParsedResults results = parse_go(output);
    expect_counts(results.counts, {1, 0, 0, 1, 0});
    ASSERT_EQ(results.cases.size(), 1u);
    EXPECT_EQ(results.cases[0].suite, "p");
    EXPECT_NE(results.cases[0].details.find("panic: init failed"), std::string::npos);
}

TEST(GoTestJsonTest, TestOutputIsCappedHeadAndTail) {
    std::string output = R"({"Action":"run","Package":"p","Test":"TestLoud"})"
                         "\n";
    for (int i = 0; i < 5000; ++i) {
        output += R"({"Action":"output","Package":"p","Test":"TestLoud","Output":"line )" + std::to_string(i) +
                  R"(\n"})"
                  "\n";
    }
    output += R"({"Action":"output","Package":"p","Test":"TestLoud","Output":"    loud_test.go:9: the end\n"})"
              "\n";
    output += R"({"Action":"fail","Package":"p","Test":"TestLoud","Elapsed":1.5})"
              "\n";
    output += R"({"Action":"fail","Package":"p","Elapsed":1.6})"
              "\n";
    const ParsedResults results = parse_go(output);
    expect_counts(results.counts, {1, 0, 1, 0, 0});
    ASSERT_EQ(results.cases.size(), 1u);
    const TestCase& loud = results.cases[0];
    EXPECT_LE(loud.details.size(), support::k_details_limit + 64);
    EXPECT_NE(loud.details.find("line 0\n"), std::string::npos);
    EXPECT_NE(loud.details.find("bytes cut"), std::string::npos);
    EXPECT_NE(loud.details.find("loud_test.go:9: the end"), std::string::npos);
    EXPECT_DOUBLE_EQ(loud.seconds, 1.5);
}

TEST(GoTestJsonTest, ManyFailuresAreCountedButListedUpToALimit) {
    std::string output;
    for (int i = 0; i < 3000; ++i) {
        output += R"({"Action":"fail","Package":"p","Test":"Test)" + std::to_string(i) +
                  R"("})"
                  "\n";
    }
    output += R"({"Action":"fail","Package":"p"})"
              "\n";
    const ParsedResults results = parse_go(output);
    expect_counts(results.counts, {3000, 0, 3000, 0, 0});
    EXPECT_EQ(results.cases.size(), 1000u);
}

TEST(GoTestJsonTest, JsonThatIsNotAnEventIsText) {
    // A program's own JSON log lines are not test2json events: no summary here.
    const ParseFailure failure = expect_failure(parse_runner_output(
        ResultsFormat::go, "{\"level\":\"info\",\"msg\":\"hi\"}\n[1,2]\n{\"Action\":\n{\"Action\":7}\n", "output"));
    EXPECT_NE(failure.message.find("go test -json"), std::string::npos) << failure.message;
}

TEST(GoTestJsonTest, PlainTextFormStillCountsWithoutCases) {
    // The text form is unchanged: counts only.
    const ParsedResults results = parse_go_data("go_test_verbose_mixed.txt");
    expect_counts(results.counts, {10, 5, 4, 0, 1});
    EXPECT_TRUE(results.cases.empty());
}

}  // namespace
}  // namespace greenlight::results
