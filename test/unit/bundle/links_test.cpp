#include "greenlight/bundle/links.hpp"

#include <gtest/gtest.h>

namespace greenlight::bundle {
namespace {

std::string verdict(const LinkTable& links, std::string_view path) {
    auto inside = check_link_stays_inside(links, path);
    return inside ? "inside" : inside.message();
}

TEST(Links, RelativeTargetsInsideTheBundleStay) {
    LinkTable links = {{"suites/unit/outputs/latest", "run-3/report.html"},
                       {"suites/unit/outputs/summary", "../../../summary.json"},
                       {"suites/unit/outputs/here", "."},
                       {"suites/unit/outputs/up", ".."},
                       {"top", "suites/unit/outputs/./here/../outputs"}};
    for (const auto& [path, target] : links) EXPECT_EQ(verdict(links, path), "inside") << path;
}

TEST(Links, AbsoluteAndClimbingTargetsLeave) {
    LinkTable links = {{"suites/a", "/etc/passwd"}, {"suites/b", "../../x"}, {"c", ".."}, {"d", "x/../../y"}};
    EXPECT_EQ(verdict(links, "suites/a"), "a link to the absolute path /etc/passwd");
    EXPECT_EQ(verdict(links, "suites/b"), "a link to ../../x, which leads out of the bundle");
    EXPECT_EQ(verdict(links, "c"), "a link to .., which leads out of the bundle");
    EXPECT_EQ(verdict(links, "d"), "a link to x/../../y, which leads out of the bundle");
}

// Lexically `here/../..` stays at the root, but `here` is itself a link to `..`: the kernel leaves.
TEST(Links, ALinkThroughAnotherLinkIsFollowedAsTheKernelWould) {
    LinkTable links = {{"suites/escape", "here/../.."}, {"suites/here", ".."}};
    EXPECT_EQ(verdict(links, "suites/escape"), "a link to here/../.., which leads out of the bundle");
    EXPECT_EQ(verdict(links, "suites/here"), "inside");
    LinkTable through_absolute = {{"a", "b/file"}, {"b", "/tmp"}};
    EXPECT_EQ(verdict(through_absolute, "a"), "a link to b/file, which leads out of the bundle");
}

TEST(Links, LoopsNeverEnd) {
    LinkTable links = {{"self", "self"}, {"a", "b"}, {"b", "a"}, {"deep", "deep/x"}};
    for (const char* path : {"self", "a", "b", "deep"}) {
        EXPECT_NE(verdict(links, path).find("never ends (a loop of links)"), std::string::npos) << path;
    }
}

TEST(Links, DanglingTargetsInsideAreKept) {
    LinkTable links = {{"outputs/next", "not-yet-written.txt"}};
    EXPECT_EQ(verdict(links, "outputs/next"), "inside");
}

TEST(Links, EmptyTargetIsRefused) {
    LinkTable links = {{"x", ""}};
    EXPECT_EQ(verdict(links, "x"), "a link with an empty target");
}

}  // namespace
}  // namespace greenlight::bundle
