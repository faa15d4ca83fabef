#include <gtest/gtest.h>

#include "greenlight/util/glob.hpp"

namespace greenlight::util {
namespace {

TEST(Glob, PatternWithoutSlashMatchesTheNameAnywhere) {
    EXPECT_TRUE(glob_match("*.md", "README.md"));
    EXPECT_TRUE(glob_match("*.md", "docs/guide/intro.md"));
    EXPECT_FALSE(glob_match("*.md", "docs/guide/intro.mdx"));
    EXPECT_TRUE(glob_match("webhook*", "src/webhooks"));
}

TEST(Glob, PatternWithSlashIsAnchored) {
    EXPECT_TRUE(glob_match("docs/*.md", "docs/a.md"));
    EXPECT_FALSE(glob_match("docs/*.md", "x/docs/a.md"));
    EXPECT_FALSE(glob_match("docs/*.md", "docs/sub/a.md"));  // `*` stays within one part
    EXPECT_TRUE(glob_match("/backend/**", "backend/app/x.py"));
}

TEST(Glob, DoubleStarCrossesParts) {
    EXPECT_TRUE(glob_match("backend/**", "backend/a/b/c.go"));
    EXPECT_FALSE(glob_match("backend/**", "frontend/backend.go"));
    EXPECT_TRUE(glob_match("**/migrations/**", "migrations/001.sql"));
    EXPECT_TRUE(glob_match("**/migrations/**", "svc/db/migrations/001.sql"));
    EXPECT_TRUE(glob_match("a/**/z.txt", "a/z.txt"));
    EXPECT_TRUE(glob_match("a/**/z.txt", "a/b/c/z.txt"));
    EXPECT_FALSE(glob_match("a/**/z.txt", "a/b/c/y.txt"));
}

TEST(Glob, TrailingSlashMeansEverythingUnderTheFolder) {
    EXPECT_TRUE(glob_match("vendor/", "vendor/lib/x.c"));
    EXPECT_TRUE(glob_match("generated/", "src/generated/api.ts"));
}

TEST(Glob, ClassesAndQuestionMarks) {
    EXPECT_TRUE(glob_match("file?.txt", "file1.txt"));
    EXPECT_FALSE(glob_match("file?.txt", "file10.txt"));
    EXPECT_TRUE(glob_match("[abc].c", "b.c"));
    EXPECT_FALSE(glob_match("[!abc].c", "b.c"));
    EXPECT_TRUE(glob_match("v[0-9].go", "v7.go"));
}

TEST(Glob, EmptyPatternMatchesNothing) {
    EXPECT_FALSE(glob_match("", "a"));
}

}  // namespace
}  // namespace greenlight::util
