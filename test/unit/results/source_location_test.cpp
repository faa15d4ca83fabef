// The `path:line:` a failure prints, as the annotations take it.
#include <gtest/gtest.h>

#include "greenlight/results/source_location.hpp"

namespace greenlight::results {
namespace {

void expect_location(std::string_view text, const std::string& file, int line) {
    const std::optional<SourceLocation> found = first_source_location(text);
    ASSERT_TRUE(found.has_value()) << text;
    EXPECT_EQ(found->file, file) << text;
    EXPECT_EQ(found->line, line) << text;
}

TEST(SourceLocation, PytestAndGoTestLines) {
    expect_location(
        "def test_fails():\n>       assert 1 == 2\nE       assert 1 == 2\n\n"
        "tests/test_x.py:5: AssertionError",
        "tests/test_x.py", 5);
    expect_location("=== RUN   TestAddWrong\n    calc_test.go:13: Add(2, 2) = 4, want 5\n", "calc_test.go", 13);
    expect_location("/home/ci/project/src/lib.rs:42:9: panicked", "/home/ci/project/src/lib.rs", 42);
    expect_location("at (tests/a.test.js:7:3) and later b.py:9:", "tests/a.test.js", 7);
}

TEST(SourceLocation, TheFirstLocationWins) {
    expect_location("tests/test_x.py:7: in test_a\n    helper()\nhelpers.py:3: AssertionError", "tests/test_x.py", 7);
}

TEST(SourceLocation, UrlsTimesAndVersionsAreNotPaths) {
    EXPECT_FALSE(first_source_location("see https://example.com:443/x and file:///a/b.py:3: too"));
    EXPECT_FALSE(first_source_location("started at 10:41:01, version 1.2:3: nothing"));
    EXPECT_FALSE(first_source_location("testing.go:1396 +0x24e"));  // a Go stack frame has no colon after the line
    EXPECT_FALSE(first_source_location("calc_test.go:0: line zero is no line"));
    EXPECT_FALSE(first_source_location("calc_test.go:99999999999: too large"));
    EXPECT_FALSE(first_source_location(""));
}

TEST(SourceLocation, AWholeValueWithColumn) {
    auto node = parse_source_location("/home/ci/project/sample.test.mjs:8:1");
    ASSERT_TRUE(node);
    EXPECT_EQ(node->file, "/home/ci/project/sample.test.mjs");
    EXPECT_EQ(node->line, 8);
    auto url = parse_source_location("file:///home/ci/project/a.mjs:15:9");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->file, "/home/ci/project/a.mjs");
    EXPECT_EQ(url->line, 15);
    auto plain = parse_source_location("test/network.js:41");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->line, 41);
    EXPECT_FALSE(parse_source_location("no location"));
    EXPECT_FALSE(parse_source_location(":12"));
}

}  // namespace
}  // namespace greenlight::results
