// Each format read from what the real tool wrote (see test/data/coverage/README.md), with the figures the
// tool itself printed for the same run.
#include <gtest/gtest.h>

#include "greenlight/coverage/report_parsers.hpp"
#include "unit/coverage/coverage_test_support.hpp"

namespace greenlight::coverage {
namespace {

using testing::counts;
using testing::parse_error;
using testing::parse_ok;
using testing::read_data;
using Pair = std::pair<int, int>;

Ratio ratio_of(const Report& report) {
    Coverage coverage;
    coverage.files = report.files;
    return project_ratio(coverage);
}

TEST(CoberturaTest, CoveragePyReportMatchesItsOwnSummary) {
    const std::string text = read_data("coveragepy.xml");
    ASSERT_EQ(detect_format(text), ReportFormat::cobertura);
    const Report report = parse_ok(text);
    EXPECT_EQ(report.format, ReportFormat::cobertura);
    ASSERT_EQ(report.source_roots.size(), 1u);
    EXPECT_EQ(report.source_roots[0], "/home/ci/project/pyproj");  // coverage.py writes the absolute source dir
    // `coverage report`: ops.py 17 statements, 6 missed; text.py 4, 1 missed; total 67%.
    EXPECT_EQ(counts(report.files, "calc/ops.py"), Pair(17, 11));
    EXPECT_EQ(counts(report.files, "calc/text.py"), Pair(4, 3));
    EXPECT_EQ(counts(report.files, "calc/__init__.py"), Pair(0, 0));
    EXPECT_EQ(report.files.at("calc/ops.py").lines.at(7), 0);
    EXPECT_EQ(report.files.at("calc/ops.py").lines.at(8), 1);
    const Ratio total = ratio_of(report);
    EXPECT_EQ(total.covered, 14);
    EXPECT_EQ(total.measured, 21);
    EXPECT_EQ(total.percent_text(), "66.67%");  // line-rate="0.6667"
}

TEST(CoberturaTest, GcovrReportMatchesItsOwnSummary) {
    const Report report = parse_ok(read_data("gcovr.xml"));
    ASSERT_EQ(report.source_roots, std::vector<std::string>{"."});
    // gcovr's text report: main.c 6 lines, 5 executed; mathx.c 15 lines, 6 executed; total 52%.
    EXPECT_EQ(counts(report.files, "src/main.c"), Pair(6, 5));
    EXPECT_EQ(counts(report.files, "src/mathx.c"), Pair(15, 6));
    EXPECT_EQ(ratio_of(report).percent_text(), "52.38%");
}

TEST(CoberturaTest, SameFileInSeveralClassesAndPackagesMerges) {
    const Report report = parse_ok(R"(<coverage><packages>
        <package name="a"><classes>
          <class name="A" filename="src/A.java"><lines><line number="1" hits="0"/><line number="2" hits="3"/></lines></class>
          <class name="A$Inner" filename="src/A.java"><lines><line number="1" hits="2"/><line number="5" hits="0"/></lines></class>
        </classes></package>
        <package name="b"><classes>
          <class name="A2" filename="src/A.java"><methods><method name="m"><lines><line number="9" hits="1"/></lines></method></methods>
            <lines><line number="2" hits="1"/></lines></class>
        </classes></package></packages></coverage>)");
    ASSERT_EQ(report.files.size(), 1u);
    const FileCoverage& file = report.files.at("src/A.java");
    EXPECT_EQ(file.lines, (LineHits{{1, 2}, {2, 4}, {5, 0}}));  // method lines not read twice
}

// Large reports are parsed in slices on several threads; the result must be what one parse gives.
TEST(CoberturaTest, SlicedParseEqualsTheWholeDocumentParse) {
    std::string text = "<?xml version=\"1.0\" ?>\n<coverage><sources><source>/src</source></sources><packages>\n";
    for (int package = 0; package < 40; ++package) {
        text += "<package name=\"p\"><classes>";
        for (int file = 0; file < 30; ++file) {
            // Every package also reports shared.c, so its hits must add up across slices.
            const std::string name =
                file == 0 ? "shared.c" : "p" + std::to_string(package) + "/f" + std::to_string(file) + ".c";
            text += "<class name=\"c\" filename=\"" + name + "\"><lines>";
            for (int line = 1; line <= 20; ++line) {
                text += "<line number=\"" + std::to_string(line) + "\" hits=\"" + std::to_string((line + file) % 3) +
                        "\"/>";
            }
            text += "</lines></class>";
        }
        text += "</classes></package>\n";
    }
    text += "</packages></coverage>\n";
    const Report whole = parse_ok(text);
    const std::optional<Report> sliced = detail::parse_cobertura_in_slices(text, "coverage.xml");
    ASSERT_TRUE(sliced.has_value());
    EXPECT_EQ(sliced->source_roots, whole.source_roots);
    ASSERT_EQ(sliced->files.size(), whole.files.size());
    for (const auto& [path, file] : whole.files) EXPECT_EQ(sliced->files.at(path).lines, file.lines) << path;
    EXPECT_EQ(whole.files.at("shared.c").lines.at(1), 40);  // (1 + 0) % 3 hits in each of 40 packages
}

// A "<package" inside a comment must not cut the document: the sliced path gives up, one parse reads it.
TEST(CoberturaTest, SlicingGivesUpWhereACutWouldBreakTheDocument) {
    std::string text = "<coverage><packages>";
    text +=
        "<package name=\"a\"><classes><class filename=\"a.c\"><lines><line number=\"1\" "
        "hits=\"1\"/></lines></class></classes></package>";
    text += "<!-- " + std::string(200, 'x') +
            "<package name=\"ghost\"><classes><class filename=\"ghost.c\"><lines><line number=\"1\" "
            "hits=\"1\"/></lines></class></classes></package> -->";
    text += "</packages></coverage>";
    EXPECT_FALSE(detail::parse_cobertura_in_slices(text, "coverage.xml").has_value());
    const Report whole = parse_ok(text);
    EXPECT_EQ(whole.files.count("ghost.c"), 0u);
    EXPECT_EQ(whole.files.count("a.c"), 1u);
}

TEST(CoberturaTest, MalformedXmlGivesLineAndColumn) {
    const ReportParseError error = parse_error("<coverage>\n  <packages>\n    <package name=\"x\"<classes/>\n");
    EXPECT_EQ(error.source, "bad");
    EXPECT_EQ(error.line, 3);
    EXPECT_GT(error.column, 1);
    EXPECT_NE(error.message.find("malformed XML"), std::string::npos);
}

TEST(CoberturaTest, TruncatedFileSaysSo) {
    const std::string text = read_data("coveragepy.xml");
    const ReportParseError error = parse_error(std::string_view(text).substr(0, text.size() / 2));
    EXPECT_GT(error.line, 5);
    EXPECT_NE(error.message.find("ends early"), std::string::npos) << error.message;
}

TEST(CoberturaTest, BadLineNumberPointsAtTheAttribute) {
    const ReportParseError error = parse_error(
        "<coverage><packages><package><classes>\n<class filename=\"a.py\"><lines>\n"
        "  <line number=\"x1\" hits=\"1\"/>\n</lines></class></classes></package></packages></coverage>");
    EXPECT_EQ(error.line, 3);
    EXPECT_EQ(error.column, 9);  // at number=
    EXPECT_NE(error.message.find("number=\"x1\""), std::string::npos) << error.message;
    EXPECT_EQ(error.to_string().substr(0, 8), "bad:3:9:");
}

TEST(CoberturaTest, MissingFilenameAndWrongRootAreErrors) {
    EXPECT_NE(parse_error("<coverage><packages><package><classes><class/></classes></package></packages></coverage>",
                          ReportFormat::cobertura)
                  .message.find("filename"),
              std::string::npos);
    const ReportParseError error = parse_error("<?xml version=\"1.0\"?>\n<testsuites/>", ReportFormat::cobertura);
    EXPECT_EQ(error.line, 2);
    EXPECT_NE(error.message.find("<testsuites>"), std::string::npos);
}

TEST(CoberturaTest, ExternalEntitiesAreNeverLoaded) {
    const Report report = parse_ok(R"(<?xml version="1.0"?>
<!DOCTYPE coverage [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lollollollollollollollol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<coverage><sources><source>&secret;</source></sources><packages><package><classes>
<class filename="&secret;&lol2;.py"><lines><line number="1" hits="1"/></lines></class>
</classes></package></packages></coverage>)",
                                   ReportFormat::cobertura);
    ASSERT_EQ(report.files.size(), 1u);
    const std::string& name = report.files.begin()->first;
    EXPECT_EQ(name.find("root:"), std::string::npos);
    EXPECT_LT(name.size(), 40u) << name;  // neither the file nor the expansion came in
    ASSERT_EQ(report.source_roots.size(), 1u);
    EXPECT_EQ(report.source_roots[0].find("root:"), std::string::npos);
}

TEST(LcovTest, CoveragePyLcovAgreesWithItsXml) {
    const std::string text = read_data("coveragepy.lcov");
    ASSERT_EQ(detect_format(text), ReportFormat::lcov);
    const Report report = parse_ok(text);
    EXPECT_EQ(counts(report.files, "calc/ops.py"), Pair(17, 11));
    EXPECT_EQ(counts(report.files, "calc/text.py"), Pair(4, 3));
    EXPECT_EQ(counts(report.files, "calc/__init__.py"), Pair(0, 0));  // its DA:0 names no source line
}

TEST(LcovTest, LcovCaptureMatchesGcovr) {
    const Report report = parse_ok(read_data("lcov_one_arg.info"));
    EXPECT_EQ(counts(report.files, "/home/ci/project/cproj/src/main.c"), Pair(6, 5));
    EXPECT_EQ(counts(report.files, "/home/ci/project/cproj/src/mathx.c"), Pair(15, 6));
}

TEST(LcovTest, RecordsForOneFileMergeLikeLcovAdd) {
    // `lcov -a lcov_one_arg.info -a lcov_many_args.info` reports 12 of 21 lines (57.1%).
    const Report report = parse_ok(read_data("lcov_one_arg.info") + read_data("lcov_many_args.info"));
    EXPECT_EQ(counts(report.files, "/home/ci/project/cproj/src/main.c"), Pair(6, 6));
    EXPECT_EQ(counts(report.files, "/home/ci/project/cproj/src/mathx.c"), Pair(15, 6));
    EXPECT_EQ(report.files.at("/home/ci/project/cproj/src/main.c").lines.at(6), 2);  // hits add up
    EXPECT_EQ(ratio_of(report).percent_text(), "57.14%");
}

TEST(LcovTest, MalformedRecordsGiveLineAndColumn) {
    ReportParseError error = parse_error("TN:\nSF:a.c\nDA:3,x\nend_of_record\n", ReportFormat::lcov);
    EXPECT_EQ(error.line, 3);
    EXPECT_EQ(error.column, 6);
    error = parse_error("TN:\nDA:3,1\n", ReportFormat::lcov);
    EXPECT_EQ(error.line, 2);
    EXPECT_NE(error.message.find("SF:"), std::string::npos);
    error = parse_error("SF:a.c\r\nDA:1,1\r\nthis is not lcov\r\n", ReportFormat::lcov);
    EXPECT_EQ(error.line, 3);
    EXPECT_EQ(error.column, 1);
    error = parse_error("SF:a.c\nDA:7\n", ReportFormat::lcov);
    EXPECT_EQ(error.line, 2);
    EXPECT_EQ(parse_error("", ReportFormat::lcov).line, 0);
}

// A tracefile cut before its last end_of_record would report the lines it kept as the whole truth: 10 of 13
// covered where the full record says 19 of 27.
TEST(LcovTest, ATracefileCutInsideARecordIsAnError) {
    ReportParseError error =
        parse_error("TN:\nSF:a.c\nDA:1,1\nend_of_record\nSF:b.c\nDA:1,1\nDA:2,1\n", ReportFormat::lcov);
    EXPECT_EQ(error.line, 7);
    EXPECT_NE(error.message.find("end_of_record"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("b.c"), std::string::npos) << error.message;
    // Cut inside a line, and with Windows line ends.
    EXPECT_EQ(parse_error("SF:a.c\r\nDA:1,1\r\nDA:2,", ReportFormat::lcov).line, 3);
    EXPECT_EQ(parse_error("SF:a.c\r\nDA:1,1\r\nend_of_rec", ReportFormat::lcov).line, 3);
    // Every real writer closes its records; the last one without a final newline is still whole.
    EXPECT_EQ(parse_ok("SF:a.c\nDA:1,1\nend_of_record").files.at("a.c").lines.size(), 1U);
}

TEST(LcovTest, ChecksumsBranchesAndHugeCountsAreHandled) {
    const Report report = parse_ok(
        "TN:t\nSF:x.c\nFN:1,f\nFNDA:1,f\nBRDA:2,0,0,-\nDA:1,99999999999999999999999\nDA:2,0,abc\nDA:3,-1\n"
        "LF:3\nLH:1\nend_of_record\n");
    const FileCoverage& file = report.files.at("x.c");
    EXPECT_EQ(file.lines.at(1), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(file.lines.at(2), 0);
    EXPECT_EQ(file.lines.at(3), 0);  // gcov's negative counts mean "not hit"
}

TEST(GoProfileTest, GoTestCoverprofileExpandsBlocksToLines) {
    const std::string text = read_data("go_count.out");
    ASSERT_EQ(detect_format(text), ReportFormat::go);
    const Report report = parse_ok(text);
    const FileCoverage& shapes = report.files.at("example.com/geometry/shapes/shapes.go");
    // Area: lines 6-7 and 10 ran, the error branch 7-9 did not; line 7 is shared and so covered.
    // Describe: 13-18 ran, the default case 19-20 did not. Empty() has no statements: line 24 unmeasured.
    EXPECT_EQ(counts(shapes), Pair(13, 9));
    EXPECT_EQ(shapes.lines.at(7), 1);
    EXPECT_EQ(shapes.lines.at(8), 0);
    EXPECT_EQ(shapes.lines.at(14), 2);
    EXPECT_FALSE(shapes.lines.contains(24));
    EXPECT_EQ(counts(report.files, "example.com/geometry/util/strings.go"), Pair(6, 6));
}

TEST(GoProfileTest, RepeatedBlocksAndModeLinesFromMergedProfiles) {
    const Report report =
        parse_ok("mode: set\na/b.go:1.1,2.2 1 0\nmode: set\na/b.go:1.1,2.2 1 1\nC:/w/c.go:3.1,3.9 1 0\n");
    EXPECT_EQ(report.files.at("a/b.go").lines, (LineHits{{1, 1}, {2, 1}}));
    EXPECT_TRUE(report.files.contains("C:/w/c.go"));
}

TEST(GoProfileTest, MalformedProfilesGivePositions) {
    ReportParseError error = parse_error("mode: sometimes\n", ReportFormat::go);
    EXPECT_EQ(error.line, 1);
    error = parse_error("mode: set\na.go:1.1,2.2 1 1\na.go:5.1,3.1 1 1\n", ReportFormat::go);
    EXPECT_EQ(error.line, 3);
    EXPECT_EQ(error.column, 6);
    error = parse_error("mode: set\na.go 1 1\n", ReportFormat::go);
    EXPECT_EQ(error.line, 2);
    error = parse_error("mode: set\na.go:1.1,2.2 1 many\n", ReportFormat::go);
    EXPECT_EQ(error.column, 16);
    error = parse_error("a.go:1.1,2.2 1 1\n", ReportFormat::go);
    EXPECT_NE(error.message.find("mode:"), std::string::npos);
    // A block claiming a billion lines cannot come from a profile this small.
    error = parse_error("mode: set\na.go:1.1,1000000000.2 1 1\n", ReportFormat::go);
    EXPECT_EQ(error.line, 2);
    // An end line beyond int64 saturates; the running total must not overflow (found by the fuzzer).
    error = parse_error("mode: set\na.go:1.1,5.2 1 1\nb.go:3.1,99999999999999999999999.5 1 1\n", ReportFormat::go);
    EXPECT_EQ(error.line, 3);
}

// A profile whose last line was cut can still read as numbers ("12" cut to "1"), so a last line without the
// newline `go test` always writes is refused.
TEST(GoProfileTest, AProfileWithoutItsFinalNewlineIsCutShort) {
    ReportParseError error = parse_error("mode: count\na.go:1.1,2.2 1 12\nb.go:1.1,4.2 3 1", ReportFormat::go);
    EXPECT_EQ(error.line, 3);
    EXPECT_NE(error.message.find("cut short"), std::string::npos) << error.message;
    EXPECT_EQ(parse_ok("mode: count\na.go:1.1,2.2 1 12\n").files.at("a.go").lines.size(), 2U);
}

TEST(JacocoTest, JacocoReportMatchesItsLineCounters) {
    const std::string text = read_data("jacoco.xml");
    ASSERT_EQ(detect_format(text), ReportFormat::jacoco);
    const Report report = parse_ok(text);
    // The sourcefile LINE counters JaCoCo wrote: Main.java missed 1 covered 5, Cart.java missed 2 covered 5.
    EXPECT_EQ(counts(report.files, "com/example/shop/Main.java"), Pair(6, 5));
    EXPECT_EQ(counts(report.files, "com/example/shop/Cart.java"), Pair(7, 5));
    EXPECT_EQ(report.files.at("com/example/shop/Cart.java").lines.at(8), 0);
}

TEST(JacocoTest, GroupsDefaultPackageAndBadAttributes) {
    const Report report = parse_ok(R"(<report name="r"><group name="g"><group name="h"><package name="">
        <sourcefile name="A.java"><line nr="2" mi="1" ci="0"/><line nr="3" mi="0" ci="4" mb="0" cb="0"/></sourcefile>
        </package></group></group></report>)");
    EXPECT_EQ(counts(report.files, "A.java"), Pair(2, 1));
    const ReportParseError error = parse_error(
        "<report>\n<package name=\"p\"><sourcefile name=\"A.java\">\n<line nr=\"2\" mi=\"1\" ci=\"x\"/>"
        "</sourcefile></package></report>");
    EXPECT_EQ(error.line, 3);
    EXPECT_NE(error.message.find("ci"), std::string::npos);
}

TEST(CloverTest, StatementsAndConditionsAreMeasured) {
    const std::string text = read_data("clover.xml");
    ASSERT_EQ(detect_format(text), ReportFormat::clover);
    const Report report = parse_ok(text);
    const std::string cart = "/home/ci/project/javaproj/src/main/java/com/example/shop/Cart.java";
    // Cart: stmt 8, 10, 14, 18 and cond 7 (evaluated twice, false both times: covered); method lines not counted.
    EXPECT_EQ(counts(report.files, cart), Pair(5, 3));
    EXPECT_FALSE(report.files.at(cart).lines.contains(6));
    EXPECT_EQ(report.files.at(cart).lines.at(7), 2);
    EXPECT_EQ(counts(report.files, "/home/ci/project/javaproj/src/main/java/com/example/shop/Main.java"), Pair(3, 2));
}

TEST(CloverTest, PhpUnitStyleFilesDirectlyUnderTheProject) {
    const Report report = parse_ok(R"(<?xml version="1.0" encoding="UTF-8"?>
<coverage generated="1"><project timestamp="1"><file name="/app/src/A.php">
<line num="3" type="method" name="run" count="1"/><line num="4" type="stmt" count="1"/><line num="5" type="stmt" count="0"/>
</file></project></coverage>)");
    EXPECT_EQ(report.format, ReportFormat::clover);
    EXPECT_EQ(counts(report.files, "/app/src/A.php"), Pair(2, 1));
}

TEST(DetectFormatTest, RecognisesEachFormatAndRefusesOthers) {
    EXPECT_EQ(detect_format("\xEF\xBB\xBF<?xml version='1.0'?><!-- c --><!DOCTYPE coverage SYSTEM 'x'><coverage>"
                            "<sources/></coverage>"),
              ReportFormat::cobertura);
    EXPECT_EQ(detect_format("<coverage clover=\"4\">\n  <project/>"), ReportFormat::clover);
    EXPECT_EQ(detect_format("<!DOCTYPE report [<!ELEMENT report ANY>]><report name='x'/>"), ReportFormat::jacoco);
    EXPECT_EQ(detect_format("\n\nSF:a.c\nDA:1,1\n"), ReportFormat::lcov);
    EXPECT_EQ(detect_format("mode: atomic\n"), ReportFormat::go);
    EXPECT_EQ(detect_format("<testsuites/>"), std::nullopt);
    EXPECT_EQ(detect_format("hello"), std::nullopt);
    EXPECT_EQ(detect_format(""), std::nullopt);
    const ReportParseError error = parse_error("{\"json\": true}");
    EXPECT_NE(error.message.find("unrecognised"), std::string::npos);
}

TEST(ParseReportFileTest, MissingFileNamesThePath) {
    const ReportOutcome outcome = parse_report_file("/nonexistent/coverage.xml");
    ASSERT_FALSE(outcome.ok());
    EXPECT_NE(outcome.error().to_string().find("/nonexistent/coverage.xml"), std::string::npos);
    const ReportOutcome real = parse_report_file(testing::data_path("gcovr.xml"));
    EXPECT_TRUE(real.ok());
}

}  // namespace
}  // namespace greenlight::coverage
