// The route table's matching: how a pattern meets a path's segments (captures, the rest, trailing segments),
// exact paths, methods, and the table's shape: every request finds a route, each family ends in a catch-all.
#include "greenlight/serve/routes.hpp"

#include <gtest/gtest.h>

namespace greenlight::serve::detail {
namespace {

struct Matched {
    bool matched = false;
    Captures captures;
};

Matched match(const RoutePath& route_path, std::string_view path) {
    Matched result;
    result.matched = match_path(route_path, path, split_path(path), result.captures);
    return result;
}

TEST(RoutesTest, SegmentsAreDecodedAndEmptyOnesSkipped) {
    EXPECT_EQ(split_path("/api//v1/runs/"), (std::vector<std::string>{"api", "v1", "runs"}));
    EXPECT_EQ(split_path("/runs/a%2Fb"), (std::vector<std::string>{"runs", "a/b"}));
    EXPECT_EQ(split_path("/runs/%zz"), (std::vector<std::string>{"runs", "%zz"})) << "kept as it is";
    EXPECT_TRUE(split_path("/").empty());
}

TEST(RoutesTest, LiteralsAndCapturesMatchOneSegmentEachAndNothingTrails) {
    EXPECT_TRUE(match("/api/v1/runs", "/api/v1/runs").matched);
    EXPECT_TRUE(match("/api/v1/runs", "/api//v1/runs/").matched);
    EXPECT_FALSE(match("/api/v1/runs", "/api/v1/runs/x").matched) << "a trailing segment is another path";
    EXPECT_FALSE(match("/api/v1/runs", "/api/v1").matched);
    auto run = match("/api/v1/runs/{run_id}/bundle", "/api/v1/runs/nightly-7/bundle");
    ASSERT_TRUE(run.matched);
    ASSERT_EQ(run.captures.size(), 1u);
    EXPECT_EQ(run.captures[0].first, "run_id");
    EXPECT_EQ(run.captures[0].second, "nightly-7");
    EXPECT_FALSE(match("/api/v1/runs/{run_id}/bundle", "/api/v1/runs/nightly-7").matched);
    EXPECT_TRUE(match("/", "/").matched);
    EXPECT_TRUE(match("/", "").matched);
    EXPECT_FALSE(match("/", "/runs").matched);
}

TEST(RoutesTest, TheRestMatchesZeroOrMoreAndACapturedRestOneOrMore) {
    EXPECT_TRUE(match("/ping/**", "/ping").matched);
    EXPECT_TRUE(match("/ping/**", "/ping/a/b/c").matched);
    EXPECT_FALSE(match("/ping/**", "/pings").matched);
    auto file = match("/runs/{run_id}/bundle/{file...}", "/runs/r1/bundle/logs/unit.txt");
    ASSERT_TRUE(file.matched);
    ASSERT_EQ(file.captures.size(), 2u);
    EXPECT_EQ(file.captures[1].first, "file");
    EXPECT_EQ(file.captures[1].second, "logs/unit.txt");
    EXPECT_FALSE(match("/runs/{run_id}/bundle/{file...}", "/runs/r1/bundle").matched);
}

TEST(RoutesTest, AnExactPathIsComparedByteForByte) {
    EXPECT_TRUE(match(exact("/healthz"), "/healthz").matched);
    EXPECT_FALSE(match(exact("/healthz"), "/healthz/").matched);
    EXPECT_FALSE(match(exact("/healthz"), "//healthz").matched);
    EXPECT_FALSE(match(exact("/healthz"), "/h%65althz").matched);
}

TEST(RoutesTest, MethodSets) {
    EXPECT_TRUE(allows(Methods::read, "HEAD"));
    EXPECT_FALSE(allows(Methods::read, "POST"));
    EXPECT_TRUE(allows(Methods::read_or_post, "POST"));
    EXPECT_FALSE(allows(Methods::read_or_post, "PUT"));
    EXPECT_TRUE(allows(Methods::write, "PATCH"));
    EXPECT_FALSE(allows(Methods::write, "GET"));
    EXPECT_TRUE(allows(Methods::delete_, "DELETE"));
    EXPECT_FALSE(allows(Methods::put, "put")) << "methods are case-sensitive";
    EXPECT_TRUE(allows(Methods::any, "OPTIONS"));
}

// The first route that matches a method and path, as dispatch finds it; its pattern, or "" when none does.
std::string_view route_for(std::string_view method, std::string_view path) {
    const std::vector<std::string> segments = split_path(path);
    Captures captures;
    for (const Route& route : serve_routes()) {
        if (allows(route.methods, method) && match_path(route.path, path, segments, captures)) return route.path.text;
    }
    return "";
}

TEST(RoutesTest, EveryRequestFindsARouteAndFamiliesDoNotLeakIntoEachOther) {
    const auto routes = serve_routes();
    ASSERT_FALSE(routes.empty());
    EXPECT_EQ(routes.back().methods, Methods::any);
    EXPECT_EQ(routes.back().path.text, "/**") << "the last route answers whatever is left";
    for (std::string_view method : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}) {
        for (std::string_view path : {"/", "/x", "/ping", "/api", "/api/v1/x/y/z", "/runs/a/b/c", "/jobs/a"}) {
            EXPECT_NE(route_for(method, path), "") << method << " " << path;
        }
    }
    // A method a path does not take ends in its family's catch-all, never in the dashboard's.
    EXPECT_EQ(route_for("DELETE", "/ping/key"), "/ping/**");
    EXPECT_EQ(route_for("PATCH", "/api/v1/runs/r1"), "/api/v1/{collection}/**");
    EXPECT_EQ(route_for("PATCH", "/api/v1/checks/c"), "/api/v1/checks/{name}/**");
    EXPECT_EQ(route_for("GET", "/api/v2/runs"), "/api/**");
    EXPECT_EQ(route_for("POST", "/runs"), "/**");
    // Precedence among routes that both match.
    EXPECT_EQ(route_for("GET", "/runs/r1/bundle/logs/unit.txt"), "/runs/{run_id}/bundle/{file...}");
    EXPECT_EQ(route_for("GET", "/runs/r1/bundle"), "/runs/{run_id}/**");
    EXPECT_EQ(route_for("GET", "/jobs/J/JOB1/files/2"), "/jobs/{name}/{id}/files/{number}");
    EXPECT_EQ(route_for("GET", "/jobs/J/JOB1/files"), "/jobs/{name}/{id}/**");
    EXPECT_EQ(route_for("GET", "/jobs/J"), "/jobs/**");
    EXPECT_EQ(route_for("POST", "/api/v1/checks/c/pause"), "/api/v1/checks/{name}/pause");
    EXPECT_EQ(route_for("POST", "/healthz"), "/healthz");
    EXPECT_EQ(route_for("GET", "/healthz/"), "/**");
}

}  // namespace
}  // namespace greenlight::serve::detail
