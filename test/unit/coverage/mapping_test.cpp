// Report paths to repository paths, and the merge over several reports.
#include <gtest/gtest.h>

#include <chrono>

#include "unit/coverage/coverage_test_support.hpp"

namespace greenlight::coverage {
namespace {

using testing::counts;
using testing::parse_ok;
using testing::read_data;
using Pair = std::pair<int, int>;

Report report_with(ReportFormat format, std::vector<std::string> paths, std::vector<std::string> source_roots = {}) {
    Report report;
    report.format = format;
    report.source_roots = std::move(source_roots);
    for (std::string& path : paths) report.files[std::move(path)].lines = {{1, 1}, {2, 0}};
    return report;
}

TEST(MappingTest, ExactPathsAndAbsoluteSourceRootOfCoveragePy) {
    const Report report = parse_ok(read_data("coveragepy.xml"));
    // The repository is the folder coverage.py ran in: relative class paths match exactly.
    Coverage coverage =
        map_to_repository({report}, {"calc/ops.py", "calc/text.py", "calc/__init__.py"}, "/home/ci/project/pyproj");
    EXPECT_EQ(counts(coverage.files, "calc/ops.py"), Pair(17, 11));
    EXPECT_TRUE(coverage.unmapped.empty());

    // The Python project is a subfolder of the repository: the absolute <source> minus the root gives it.
    coverage = map_to_repository({report}, {"pyproj/calc/ops.py", "pyproj/calc/text.py", "calc/ops.py.orig"},
                                 "/home/ci/project");
    EXPECT_EQ(counts(coverage.files, "pyproj/calc/ops.py"), Pair(17, 11));
    EXPECT_EQ(counts(coverage.files, "pyproj/calc/text.py"), Pair(4, 3));
    EXPECT_EQ(coverage.unmapped, std::vector<std::string>{"calc/__init__.py"});
}

TEST(MappingTest, RelativeSourceRootOfGcovr) {
    Report report = parse_ok(read_data("gcovr.xml"));
    report.source_roots = {"cproj"};  // as gcovr writes with -r pointing above the sources
    const Coverage coverage = map_to_repository({report}, {"cproj/src/main.c", "cproj/src/mathx.c"}, "/somewhere");
    EXPECT_EQ(counts(coverage.files, "cproj/src/main.c"), Pair(6, 5));
    EXPECT_EQ(counts(coverage.files, "cproj/src/mathx.c"), Pair(15, 6));
}

TEST(MappingTest, AbsoluteLcovPathsUnderTheRootBecomeRelative) {
    const Report report = parse_ok(read_data("lcov_one_arg.info"));
    const Coverage coverage =
        map_to_repository({report}, {"src/main.c", "src/mathx.c", "src/mathx.h"}, "/home/ci/project/cproj/");
    EXPECT_EQ(counts(coverage.files, "src/main.c"), Pair(6, 5));
    EXPECT_EQ(counts(coverage.files, "src/mathx.c"), Pair(15, 6));
    EXPECT_FALSE(coverage.files.contains("src/mathx.h"));  // never measured: the caller sees it missing
}

TEST(MappingTest, AbsolutePathsFromAnotherMachineFallBackToTheSuffix) {
    const Report report = parse_ok(read_data("lcov_one_arg.info"));
    const Coverage coverage = map_to_repository({report}, {"src/main.c", "src/mathx.c"}, "/srv/checkout");
    EXPECT_EQ(counts(coverage.files, "src/main.c"), Pair(6, 5));
    EXPECT_TRUE(coverage.unmapped.empty());
}

TEST(MappingTest, GoModulePrefixFromGoMod) {
    const Report report = parse_ok(read_data("go_count.out"));
    // test/data/coverage/go_module holds the go.mod of the module the profile came from.
    const Coverage coverage =
        map_to_repository({report}, {"go.mod", "shapes/shapes.go", "util/strings.go", "vendor/x/util/strings.go"},
                          testing::data_path("go_module"));
    EXPECT_EQ(counts(coverage.files, "shapes/shapes.go"), Pair(13, 9));
    EXPECT_EQ(counts(coverage.files, "util/strings.go"), Pair(6, 6));  // the module prefix, not the vendored copy
    EXPECT_TRUE(coverage.unmapped.empty());
}

TEST(MappingTest, GoPathsWithoutGoModUseTheUnambiguousTail) {
    const Report report = parse_ok(read_data("go_count.out"));
    Coverage coverage = map_to_repository({report}, {"backend/shapes/shapes.go", "backend/util/strings.go"}, "");
    EXPECT_EQ(counts(coverage.files, "backend/shapes/shapes.go"), Pair(13, 9));
    EXPECT_EQ(counts(coverage.files, "backend/util/strings.go"), Pair(6, 6));
    // Two modules both holding util/strings.go: the tail is ambiguous, so it stays unmapped.
    coverage = map_to_repository({report}, {"a/util/strings.go", "b/util/strings.go", "a/shapes/shapes.go"}, "");
    EXPECT_EQ(coverage.unmapped, std::vector<std::string>{"example.com/geometry/util/strings.go"});
    EXPECT_TRUE(coverage.files.contains("a/shapes/shapes.go"));
}

TEST(MappingTest, JacocoPackagePathsMatchBelowTheSourceFolder) {
    const Report report = parse_ok(read_data("jacoco.xml"));
    const Coverage coverage = map_to_repository(
        {report}, {"shop/src/main/java/com/example/shop/Cart.java", "shop/src/main/java/com/example/shop/Main.java"},
        "/repo");
    EXPECT_EQ(counts(coverage.files, "shop/src/main/java/com/example/shop/Cart.java"), Pair(7, 5));
    EXPECT_EQ(counts(coverage.files, "shop/src/main/java/com/example/shop/Main.java"), Pair(6, 5));
}

TEST(MappingTest, AmbiguousSuffixIsUnmappedNotGuessed) {
    const Report report = report_with(ReportFormat::lcov, {"util.py", "lib/util.py", "x/y/missing.py"});
    const Coverage coverage = map_to_repository({report}, {"a/util.py", "b/util.py", "b/lib/util.py"}, "/repo");
    // "util.py" fits a/util.py, b/util.py and b/lib/util.py equally; "lib/util.py" fits only b/lib/util.py.
    EXPECT_TRUE(coverage.files.contains("b/lib/util.py"));
    EXPECT_FALSE(coverage.files.contains("a/util.py"));
    EXPECT_EQ(coverage.unmapped, (std::vector<std::string>{"util.py", "x/y/missing.py"}));
}

TEST(MappingTest, SuffixMatchesWholeComponentsOnly) {
    const Report report = report_with(ReportFormat::lcov, {"/build/xsrc/a.c", "/build/b/src/a.c"});
    const Coverage coverage = map_to_repository({report}, {"src/a.c"}, "/repo");
    // "xsrc" is not "src": only the second path ends with the whole of src/a.c.
    EXPECT_TRUE(coverage.files.contains("src/a.c"));
    EXPECT_EQ(coverage.unmapped, std::vector<std::string>{"/build/xsrc/a.c"});
    const Report deeper = report_with(ReportFormat::lcov, {"other/src/a.c"});
    EXPECT_EQ(map_to_repository({deeper}, {"lib/src/a.c"}, "/repo").unmapped,
              std::vector<std::string>{"other/src/a.c"});
}

TEST(MappingTest, WindowsSeparatorsAndDotPartsAreNormalised) {
    const Report report = report_with(ReportFormat::cobertura, {"src\\app\\main.py", "./lib/../lib/x.py"});
    const Coverage coverage = map_to_repository({report}, {"src/app/main.py", "lib/x.py"}, "/repo");
    EXPECT_TRUE(coverage.files.contains("src/app/main.py"));
    EXPECT_TRUE(coverage.files.contains("lib/x.py"));
}

TEST(MappingTest, ALineCoveredInAnyReportIsCovered) {
    const Report python_xml = parse_ok(read_data("coveragepy.xml"));
    Report other_run;
    other_run.format = ReportFormat::lcov;
    other_run.files["calc/ops.py"].lines = {{7, 1}, {20, 0}, {99, 0}};
    const Coverage coverage = map_to_repository({python_xml, other_run}, {"calc/ops.py", "calc/text.py"}, "/x");
    EXPECT_EQ(counts(coverage.files, "calc/ops.py"), Pair(18, 12));  // line 7 now covered, 99 newly measured

    const Report one_arg = parse_ok(read_data("lcov_one_arg.info"));
    const Report many_args = parse_ok(read_data("lcov_many_args.info"));
    const Coverage merged =
        map_to_repository({one_arg, many_args}, {"src/main.c", "src/mathx.c"}, "/home/ci/project/cproj");
    EXPECT_EQ(project_ratio(merged).percent_text(), "57.14%");  // lcov -a: 12 of 21
}

TEST(MappingTest, TwentyThousandFilesMapQuickly) {
    std::vector<std::string> repository_files;
    Report report;
    for (int i = 0; i < 20000; ++i) {
        repository_files.push_back("services/s" + std::to_string(i % 50) + "/pkg" + std::to_string(i) + "/__init__.py");
        report.files["/ci/build/services/s" + std::to_string(i % 50) + "/pkg" + std::to_string(i) + "/__init__.py"]
            .lines = {{1, 1}};
    }
    const auto start = std::chrono::steady_clock::now();
    const Coverage coverage = map_to_repository({report}, repository_files, "/repo");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(coverage.files.size(), 20000u);
    EXPECT_TRUE(coverage.unmapped.empty());
    // 20,000 files all named __init__.py is the worst case for a basename index; seconds would mean quadratic work.
    EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 3000);
}

}  // namespace
}  // namespace greenlight::coverage
