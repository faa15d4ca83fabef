#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "greenlight/diff/git.hpp"
#include "greenlight/diff/process.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::diff {
namespace {

namespace fs = std::filesystem;

// A repository built by the test: main with a base commit, and a branch `feature` that renames, deletes and
// edits files.
class GitTest : public ::testing::Test {
protected:
    void SetUp() override {
        // The user's and the system's git configuration must not change what the tests see.
        ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        ::setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
        ASSERT_FALSE(m_temporary.path().empty());
        m_repo = m_temporary.path() / "repo";
        fs::create_directories(m_repo);
        git({"init", "-q", "-b", "main"});
        write("a.txt", "one\ntwo\nthree\nfour\nfive\n");
        write("old.txt", "a file that will be renamed\nwith two lines\n");
        write("doomed.txt", "a file that will be deleted\n");
        write(".gitattributes", "gen/** linguist-generated\n*.txt text\n");
        write("gen/registry.txt", "generated\n");
        commit("base");
        git({"checkout", "-q", "-b", "feature"});
        git({"mv", "old.txt", "renamed.txt"});
        git({"rm", "-q", "doomed.txt"});
        write("a.txt", "one\ntwo\ninserted\nthree\nfour\nfive\nappended\n");
        commit("feature work");
    }

    void write(const std::string& relative, const std::string& content) {
        const fs::path path = m_repo / relative;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
    }

    std::string git(std::vector<std::string> arguments) {
        process::Arguments all = {"git", "-c",           "user.name=t", "-c", "user.email=t@example.invalid",
                                  "-C",  m_repo.string()};
        all.insert(all.end(), arguments.begin(), arguments.end());
        util::Result<process::PipelineOutcome> outcome = process::run_pipeline({all}, {}, {"LC_ALL=C"});
        if (!outcome) {
            ADD_FAILURE() << outcome.message();
            return {};
        }
        EXPECT_EQ(outcome->stages[0].exit_code, 0) << outcome->stages[0].standard_error;
        return outcome->standard_output;
    }

    void commit(const std::string& message) {
        git({"add", "-A"});
        git({"commit", "-q", "-m", message});
    }

    std::string value_of(const util::Result<std::string>& result) {
        if (!result) {
            ADD_FAILURE() << result.message();
            return {};
        }
        return *result;
    }

    util::TemporaryDirectory m_temporary{"greenlight-diff-test"};
    fs::path m_repo;
};

const FileDiff* find_file(const Diff& diff, std::string_view path) {
    for (const FileDiff& file : diff.files) {
        if (file.path() == path) return &file;
    }
    return nullptr;
}

TEST_F(GitTest, DiffFindsRenamesDeletionsAndAddedLines) {
    util::Result<Diff> diff = git_diff(m_repo, "main", "feature");
    ASSERT_TRUE(diff) << diff.message();
    ASSERT_EQ(diff->files.size(), 3u);
    const FileDiff* renamed = find_file(*diff, "renamed.txt");
    ASSERT_NE(renamed, nullptr);
    EXPECT_EQ(renamed->change, FileChange::renamed);
    EXPECT_EQ(renamed->old_path, "old.txt");
    EXPECT_EQ(renamed->similarity, 100);
    const FileDiff* deleted = find_file(*diff, "doomed.txt");
    ASSERT_NE(deleted, nullptr);
    EXPECT_EQ(deleted->change, FileChange::deleted);
    const FileDiff* edited = find_file(*diff, "a.txt");
    ASSERT_NE(edited, nullptr);
    ASSERT_EQ(edited->added.size(), 2u);
    EXPECT_EQ(edited->added[0].number, 3);
    EXPECT_EQ(edited->added[0].text, "inserted");
    EXPECT_EQ(edited->added[1].number, 7);
    EXPECT_EQ(edited->added[1].text, "appended");
}

TEST_F(GitTest, DiffUsesTheMergeBase) {
    // A commit on main after the branch point is not part of the change.
    git({"checkout", "-q", "main"});
    write("main_only.txt", "later on main\n");
    commit("main moves on");
    util::Result<Diff> diff = git_diff(m_repo, "main", "feature");
    ASSERT_TRUE(diff) << diff.message();
    EXPECT_EQ(find_file(*diff, "main_only.txt"), nullptr);
    EXPECT_EQ(diff->files.size(), 3u);
}

TEST_F(GitTest, RebaseKeepsThePatchIdAndChangesCommitAndTree) {
    const std::string commit_before = value_of(git_commit_id(m_repo, "feature"));
    const std::string tree_before = value_of(git_tree_id(m_repo, "feature"));
    const std::string patch_before = value_of(git_patch_id(m_repo, "main", "feature"));
    EXPECT_EQ(commit_before.size(), 40u);
    EXPECT_EQ(patch_before.size(), 40u);
    EXPECT_NE(commit_before, tree_before);

    git({"checkout", "-q", "main"});
    write("unrelated.txt", "a new base\n");
    commit("new base");
    git({"rebase", "-q", "main", "feature"});

    EXPECT_NE(value_of(git_commit_id(m_repo, "feature")), commit_before);
    EXPECT_NE(value_of(git_tree_id(m_repo, "feature")), tree_before);
    EXPECT_EQ(value_of(git_patch_id(m_repo, "main", "feature")), patch_before);

    // An edit is a different patch.
    git({"checkout", "-q", "feature"});
    write("a.txt", "one\ntwo\ninserted\nthree\nfour\nfive\nappended differently\n");
    commit("edit");
    EXPECT_NE(value_of(git_patch_id(m_repo, "main", "feature")), patch_before);
}

TEST_F(GitTest, AmendingTheMessageKeepsTheTree) {
    const std::string commit_before = value_of(git_commit_id(m_repo, "HEAD"));
    const std::string tree_before = value_of(git_tree_id(m_repo, "HEAD"));
    const std::string patch_before = value_of(git_patch_id(m_repo, "main", "HEAD"));
    git({"commit", "-q", "--amend", "-m", "a better message"});
    EXPECT_NE(value_of(git_commit_id(m_repo, "HEAD")), commit_before);
    EXPECT_EQ(value_of(git_tree_id(m_repo, "HEAD")), tree_before);
    EXPECT_EQ(value_of(git_patch_id(m_repo, "main", "HEAD")), patch_before);
}

TEST_F(GitTest, BinaryEditsHaveDifferentPatchIds) {
    write("blob.bin", std::string("\0\1\2first", 8));
    commit("binary one");
    const std::string first = value_of(git_patch_id(m_repo, "main", "feature"));
    write("blob.bin", std::string("\0\1\2second", 9));
    git({"add", "-A"});
    git({"commit", "-q", "--amend", "--no-edit"});
    EXPECT_NE(value_of(git_patch_id(m_repo, "main", "feature")), first);
}

TEST_F(GitTest, EmptyChangeHasAnEmptyPatchId) {
    util::Result<std::string> patch_id = git_patch_id(m_repo, "main", "main");
    ASSERT_TRUE(patch_id) << patch_id.message();
    EXPECT_EQ(*patch_id, "");
}

TEST_F(GitTest, UnknownRevisionNamesTheCommandAndGitsMessage) {
    util::Result<Diff> diff = git_diff(m_repo, "main", "no-such-branch");
    ASSERT_FALSE(diff);
    EXPECT_NE(diff.message().find("git -c core.quotepath=on -C"), std::string::npos) << diff.message();
    EXPECT_NE(diff.message().find("no-such-branch"), std::string::npos) << diff.message();
    EXPECT_NE(diff.message().find("fatal:"), std::string::npos) << diff.message();

    util::Result<std::string> commit = git_commit_id(m_repo, "no-such-branch");
    ASSERT_FALSE(commit);
    EXPECT_NE(commit.message().find("rev-parse"), std::string::npos) << commit.message();
}

TEST_F(GitTest, RevisionsThatLookLikeOptionsAreRefused) {
    EXPECT_FALSE(git_diff(m_repo, "--output=/tmp/x", "HEAD"));
    EXPECT_FALSE(git_commit_id(m_repo, "-h"));
    EXPECT_FALSE(git_patch_id(m_repo, "main", "--cached"));
}

TEST_F(GitTest, AttributesFromGitattributes) {
    util::Result<std::vector<bool>> set =
        git_attribute_set(m_repo, "linguist-generated", {"gen/registry.txt", "a.txt", "gen/deep/x.c", "-odd name"});
    ASSERT_TRUE(set) << set.message();
    EXPECT_EQ(*set, (std::vector<bool>{true, false, true, false}));
    util::Result<std::vector<bool>> text = git_attribute_set(m_repo, "text", {"a.txt", "gen/x.c"});
    ASSERT_TRUE(text) << text.message();
    EXPECT_EQ(*text, (std::vector<bool>{true, false}));
}

TEST_F(GitTest, AttributesForManyPathsGoThroughStandardInput) {
    std::vector<std::string> paths;
    for (int index = 0; index < 30000; ++index) {
        paths.push_back((index % 3 == 0 ? "gen/file_" : "src/file_") + std::to_string(index) + ".cpp");
    }
    util::Result<std::vector<bool>> set = git_attribute_set(m_repo, "linguist-generated", paths);
    ASSERT_TRUE(set) << set.message();
    ASSERT_EQ(set->size(), paths.size());
    for (size_t index = 0; index < paths.size(); ++index) EXPECT_EQ((*set)[index], index % 3 == 0) << paths[index];
}

TEST_F(GitTest, NoPathsNeedNoGit) {
    util::Result<std::vector<bool>> set = git_attribute_set(m_repo, "linguist-generated", {});
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->empty());
}

TEST(ProcessTest, MissingProgramIsAnError) {
    util::Result<process::PipelineOutcome> outcome =
        process::run_pipeline({{"greenlight-no-such-program-anywhere"}}, {}, {});
    ASSERT_FALSE(outcome);
    EXPECT_NE(outcome.message().find("greenlight-no-such-program-anywhere"), std::string::npos);
}

TEST(ProcessTest, PipelineFeedsInputAndReportsEachStage) {
    util::Result<process::PipelineOutcome> outcome =
        process::run_pipeline({{"cat"}, {"sh", "-c", "wc -l; echo oops >&2; exit 3"}}, "a\nb\nc\n", {});
    ASSERT_TRUE(outcome) << outcome.message();
    EXPECT_EQ(outcome->standard_output, "3\n");
    EXPECT_EQ(outcome->stages[0].exit_code, 0);
    EXPECT_EQ(outcome->stages[1].exit_code, 3);
    EXPECT_EQ(outcome->stages[1].standard_error, "oops\n");
}

TEST(ProcessTest, ChildThatStopsReadingDoesNotKillUs) {
    // `true` exits without reading: the write fails with EPIPE instead of raising SIGPIPE in this process.
    const std::string input(1 << 20, 'x');
    util::Result<process::PipelineOutcome> outcome = process::run_pipeline({{"true"}}, input, {});
    ASSERT_TRUE(outcome) << outcome.message();
    EXPECT_EQ(outcome->stages[0].exit_code, 0);
}

}  // namespace
}  // namespace greenlight::diff
