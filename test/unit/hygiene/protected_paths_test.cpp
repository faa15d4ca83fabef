#include <gtest/gtest.h>

#include <fstream>

#include "greenlight/diff/git.hpp"
#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/process.hpp"
#include "support/test_support.hpp"
#include "unit/hygiene/hygiene_fixtures.hpp"

namespace greenlight::hygiene {
namespace {

namespace fs = std::filesystem;

// A repository built by the test: `main` holds the base, `feature` the change under review.
class ProtectedPathsTest : public testing::GitRepositoryTest {
protected:
    ProtectedPathsTest() : GitRepositoryTest("greenlight-protected-paths") {}

    void SetUp() override {
        git({"init", "-q", "-b", "main"});
        write("docs/api.md", "# API\n");
        write("docs/guide.md", "# Guide\n");
        write("schemas/v1.json", "{\"version\": 1, \"fields\": [\"a\", \"b\", \"c\"]}\n");
        write("src/main.c", "int main(void) { return 0; }\n");
        commit("base");
        git({"checkout", "-q", "-b", "feature"});
    }

    CheckContext context_of_change() {
        CheckContext context = context_with_files();
        util::Result<diff::Diff> change = diff::git_diff(m_repo.path(), "main", "feature");
        EXPECT_TRUE(change) << change.message();
        if (change) context.change = *change;
        return context;
    }

    static config::CheckConfig protect(std::vector<std::string> paths, std::vector<std::string> exclude = {}) {
        config::CheckConfig check;
        check.name = "protected";
        check.type = config::CheckType::protected_paths;
        check.paths = std::move(paths);
        check.exclude = std::move(exclude);
        return check;
    }
};

const Finding* finding_for(const CheckOutcome& outcome, const std::string& path) {
    for (const Finding& finding : outcome.findings) {
        if (finding.path == path) return &finding;
    }
    return nullptr;
}

TEST_F(ProtectedPathsTest, DeletionAndRenameOfProtectedFilesAreViolations) {
    git({"rm", "-q", "docs/api.md"});
    git({"mv", "schemas/v1.json", "schemas/v2.json"});
    git({"rm", "-q", "src/main.c"});
    commit("feature");

    const CheckOutcome outcome = run_protected_paths_check(protect({"docs/**", "schemas/*.json"}), context_of_change());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    ASSERT_EQ(outcome.findings.size(), 2u);
    const Finding* deleted = finding_for(outcome, "docs/api.md");
    ASSERT_NE(deleted, nullptr);
    EXPECT_EQ(deleted->rule, "protected-path-deleted");
    const Finding* renamed = finding_for(outcome, "schemas/v1.json");
    ASSERT_NE(renamed, nullptr);
    EXPECT_EQ(renamed->rule, "protected-path-renamed");
    EXPECT_NE(renamed->message.find("schemas/v1.json"), std::string::npos);
    EXPECT_NE(renamed->message.find("schemas/v2.json"), std::string::npos);
    // Protected now: docs/guide.md and schemas/v2.json; plus the deleted and the renamed-away paths.
    EXPECT_EQ(outcome.examined, 4u);
    EXPECT_EQ(outcome.examined_unit, "paths");
}

TEST_F(ProtectedPathsTest, EditsAndAdditionsAreNotViolations) {
    write("docs/api.md", "# API\n\nMore text.\n");
    write("docs/new.md", "# New\n");
    commit("feature");
    const CheckOutcome outcome = run_protected_paths_check(protect({"docs/**"}), context_of_change());
    EXPECT_FALSE(outcome.error);
    EXPECT_TRUE(outcome.findings.empty());
    EXPECT_EQ(outcome.examined, 3u);
}

TEST_F(ProtectedPathsTest, ExcludedFilesMayGo) {
    git({"rm", "-q", "docs/api.md"});
    git({"rm", "-q", "docs/guide.md"});
    commit("feature");
    const CheckOutcome outcome =
        run_protected_paths_check(protect({"docs/**"}, {"docs/guide.md"}), context_of_change());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].path, "docs/api.md");
    EXPECT_EQ(outcome.examined, 1u);
}

TEST_F(ProtectedPathsTest, ARenameIntoTheProtectedAreaIsNotAViolation) {
    git({"mv", "src/main.c", "docs/main.c"});
    commit("feature");
    const CheckOutcome outcome = run_protected_paths_check(protect({"docs/**"}), context_of_change());
    EXPECT_TRUE(outcome.findings.empty());
}

TEST_F(ProtectedPathsTest, GlobsMatchingNothingExamineNothing) {
    const CheckOutcome outcome = run_protected_paths_check(protect({"nothing/**"}), context_of_change());
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.examined, 0u);
}

TEST_F(ProtectedPathsTest, WithoutGitHistoryTheCheckCannotRun) {
    CheckContext context;
    context.root = m_repo.path();
    context.files = {"docs/api.md"};
    const CheckOutcome outcome = run_protected_paths_check(protect({"docs/**"}), context);
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("git"), std::string::npos) << *outcome.error;
    EXPECT_NE(outcome.error->find("--from-ref"), std::string::npos) << *outcome.error;
}

}  // namespace
}  // namespace greenlight::hygiene
