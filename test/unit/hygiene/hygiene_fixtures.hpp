// Folders and git repositories hygiene tests build in a temporary folder: write files, run git, commit,
// and the check context of the files.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/process.hpp"
#include "support/test_support.hpp"

namespace greenlight::hygiene::testing {

// A folder of files written by the test, and the context the framework would prepare for it.
class FolderTest : public ::testing::Test {
protected:
    explicit FolderTest(const char* name) : m_repo(name) {}

    void write(const std::string& relative, const std::string& content) {
        const std::filesystem::path path = m_repo.path() / relative;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
    }

    // The root and the repository's files (no change).
    CheckContext context_with_files() {
        CheckContext context;
        context.root = m_repo.path();
        util::Result<std::vector<std::string>> files = repository_files(m_repo.path());
        EXPECT_TRUE(files) << files.message();
        if (files) context.files = *files;
        return context;
    }

    test_support::TempDir m_repo;
};

// A git repository in that folder; system and global git configuration are kept out.
class GitRepositoryTest : public FolderTest {
protected:
    explicit GitRepositoryTest(const char* name) : FolderTest(name) {}

    void git(std::vector<std::string> arguments) {
        process::CommandRequest request;
        request.argv = {"git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"};
        request.argv.insert(request.argv.end(), arguments.begin(), arguments.end());
        request.cwd = m_repo.path();
        const process::CommandOutcome outcome = process::run_command(request);
        ASSERT_TRUE(outcome.succeeded()) << outcome.standard_error << outcome.start_error;
    }

    void commit(const std::string& message) {
        git({"add", "-A"});
        git({"commit", "-q", "-m", message});
    }

    test_support::ScopedEnvironment m_no_system_config{"GIT_CONFIG_NOSYSTEM", "1"};
    test_support::ScopedEnvironment m_no_global_config{"GIT_CONFIG_GLOBAL", "/dev/null"};
};

}  // namespace greenlight::hygiene::testing
