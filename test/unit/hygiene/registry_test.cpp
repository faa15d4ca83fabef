#include <gtest/gtest.h>

#include <fstream>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/process.hpp"
#include "greenlight/util/fs.hpp"
#include "support/test_support.hpp"
#include "unit/hygiene/hygiene_fixtures.hpp"

namespace greenlight::hygiene {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Lists docs/*.md, one "- path" line each: the docs index generator of the repository under test.
constexpr const char* k_generator = "#!/bin/sh\nfor f in docs/*.md; do echo \"- $f\"; done\n";

class RegistryTest : public testing::GitRepositoryTest {
protected:
    RegistryTest() : GitRepositoryTest("greenlight-registry") {}

    void SetUp() override {
        git({"init", "-q", "-b", "main"});
        write("docs/a.md", "# A\n");
        write("docs/b.md", "# B\n");
        write("scripts/gen-index.sh", k_generator);
        fs::permissions(m_repo.path() / "scripts/gen-index.sh", fs::perms::owner_exec, fs::perm_options::add);
        write("docs/INDEX.txt", "- docs/a.md\n- docs/b.md\n");
        commit("base");
    }

    CheckContext context() { return context_with_files(); }

    static config::CheckConfig registry(
        std::vector<std::string> command,
        config::CheckConfig::RegistryOutput output = config::CheckConfig::RegistryOutput::stdout_) {
        config::CheckConfig check;
        check.name = "docs-index";
        check.type = config::CheckType::registry;
        check.file = "docs/INDEX.txt";
        check.command = std::move(command);
        check.output = output;
        check.timeout = 30s;
        return check;
    }

    std::string read(const std::string& relative) { return util::read_file(m_repo.path() / relative).value_or(""); }
};

TEST_F(RegistryTest, FreshRegistryPasses) {
    const CheckOutcome outcome = run_registry_check(registry({"./scripts/gen-index.sh"}), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 1u);
    EXPECT_EQ(outcome.examined_unit, "files");
    EXPECT_TRUE(outcome.findings.empty());
}

TEST_F(RegistryTest, StaleRegistryIsAFindingWithADiffAndTheCommandToRun) {
    write("docs/c.md", "# C\n");  // a new doc the committed index does not list yet
    const CheckOutcome outcome = run_registry_check(registry({"./scripts/gen-index.sh"}), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    ASSERT_EQ(outcome.findings.size(), 1u);
    const Finding& finding = outcome.findings[0];
    EXPECT_EQ(finding.rule, "stale-registry");
    EXPECT_EQ(finding.path, "docs/INDEX.txt");
    EXPECT_EQ(finding.line, 3);
    EXPECT_NE(finding.message.find("run `./scripts/gen-index.sh > docs/INDEX.txt`"), std::string::npos)
        << finding.message;
    EXPECT_NE(outcome.details.find("--- docs/INDEX.txt (committed)\n"), std::string::npos) << outcome.details;
    EXPECT_NE(outcome.details.find("@@ -1,2 +1,3 @@\n - docs/a.md\n - docs/b.md\n+- docs/c.md\n"), std::string::npos)
        << outcome.details;
}

TEST_F(RegistryTest, ALongDiffIsCutWithANote) {
    for (int index = 0; index < 40; ++index) write("docs/new-" + std::to_string(100 + index) + ".md", "# New\n");
    const CheckOutcome outcome = run_registry_check(registry({"./scripts/gen-index.sh"}), context());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_NE(outcome.details.find("… 23 more lines"), std::string::npos) << outcome.details;
    EXPECT_LE(std::count(outcome.details.begin(), outcome.details.end(), '\n'), 23);
}

TEST_F(RegistryTest, RemovedEntriesShowAsRemovedLines) {
    git({"rm", "-q", "docs/a.md"});
    const CheckOutcome outcome = run_registry_check(registry({"./scripts/gen-index.sh"}), context());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].line, 1);
    EXPECT_NE(outcome.details.find("@@ -1,2 +1,1 @@\n-- docs/a.md\n - docs/b.md\n"), std::string::npos)
        << outcome.details;
}

TEST_F(RegistryTest, FileOutputIsReadFromTheCopyAndTheWorkTreeIsLeftAlone) {
    write("scripts/write-index.sh", "#!/bin/sh\nfor f in docs/*.md; do echo \"- $f\"; done > docs/INDEX.txt\n");
    write("docs/c.md", "# C\n");
    const CheckOutcome outcome = run_registry_check(
        registry({"/bin/sh", "-c", "sh scripts/write-index.sh"}, config::CheckConfig::RegistryOutput::file), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_NE(outcome.findings[0].message.find("run `sh scripts/write-index.sh` in the repository root"),
              std::string::npos)
        << outcome.findings[0].message;
    EXPECT_EQ(read("docs/INDEX.txt"), "- docs/a.md\n- docs/b.md\n");
}

TEST_F(RegistryTest, AFailingGeneratorIsAnErrorWithItsStandardError) {
    const CheckOutcome outcome = run_registry_check(
        registry({"/bin/sh", "-c", "echo partial; echo 'boom: docs/ not found' >&2; exit 4"}), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("exited with code 4"), std::string::npos) << *outcome.error;
    EXPECT_NE(outcome.error->find("boom: docs/ not found"), std::string::npos) << *outcome.error;
    EXPECT_TRUE(outcome.findings.empty());
}

TEST_F(RegistryTest, AGeneratorPastItsTimeoutIsAnError) {
    config::CheckConfig check = registry({"/bin/sh", "-c", "sleep 30"});
    check.timeout = 200ms;
    const CheckOutcome outcome = run_registry_check(check, context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("timed out"), std::string::npos) << *outcome.error;
}

TEST_F(RegistryTest, AMissingGeneratorIsAnError) {
    const CheckOutcome outcome = run_registry_check(registry({"./scripts/no-such-generator.sh"}), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("not found"), std::string::npos) << *outcome.error;
}

TEST_F(RegistryTest, AnUncommittedRegistryIsAFinding) {
    git({"rm", "-q", "docs/INDEX.txt"});
    const CheckOutcome outcome = run_registry_check(registry({"./scripts/gen-index.sh"}), context());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "stale-registry");
    EXPECT_NE(outcome.findings[0].message.find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::hygiene
