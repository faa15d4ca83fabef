#include <gtest/gtest.h>

#include <fstream>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "support/test_support.hpp"
#include "unit/hygiene/hygiene_fixtures.hpp"

namespace greenlight::hygiene {
namespace {

namespace fs = std::filesystem;

class RequiredFilesTest : public testing::FolderTest {
protected:
    RequiredFilesTest() : FolderTest("greenlight-required-files") {}

    void SetUp() override {
        write("README.md", "# Project\n");
        write("LICENSE", "");
        write("SECURTY.md", "Report issues privately.\n");
        write("docs/a.md", "# A\n");
        write("docs/b.md", "  \n\n");
        write("CONTRIBUTING.md", "How to help.\n");
    }

    CheckContext context() { return context_with_files(); }

    static config::CheckConfig with_manifest(const std::string& manifest) {
        config::CheckConfig check;
        check.name = "required";
        check.type = config::CheckType::required_files;
        check.line = 12;
        check.manifest = manifest;
        return check;
    }
};

std::vector<std::string> rules_and_paths(const CheckOutcome& outcome) {
    std::vector<std::string> found;
    for (const Finding& finding : outcome.findings) found.push_back(finding.rule + " " + finding.path);
    return found;
}

TEST_F(RequiredFilesTest, PlainManifestReportsMissingEmptyAndUnmatched) {
    write(".github/required-files.txt",
          "# what every checkout must carry\n"
          "README.md\n"
          "LICENSE          # legal asked for this\n"
          "\n"
          "SECURITY.md\n"
          "docs/*.md\n"
          "src/**/*.rs\n"
          "./CONTRIBUTING.md\n");
    const CheckOutcome outcome = run_required_files_check(with_manifest(".github/required-files.txt"), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 6u);
    EXPECT_EQ(outcome.examined_unit, "paths");
    EXPECT_EQ(rules_and_paths(outcome), (std::vector<std::string>{
                                            "empty-required-file LICENSE",
                                            "missing-required-file SECURITY.md",
                                            "empty-required-file docs/b.md",
                                            "glob-matches-nothing .github/required-files.txt",
                                        }));
    EXPECT_EQ(outcome.findings[1].suggestion, "SECURTY.md");
    EXPECT_NE(outcome.findings[1].message.find(".github/required-files.txt line 5"), std::string::npos)
        << outcome.findings[1].message;
    EXPECT_NE(outcome.findings[2].message.find("only whitespace"), std::string::npos);
    EXPECT_EQ(outcome.findings[3].line, 7);
    EXPECT_NE(outcome.findings[3].message.find("`src/**/*.rs`"), std::string::npos);
}

TEST_F(RequiredFilesTest, YamlManifestUnderFilesKey) {
    write("required.yml", "files:\n  - README.md\n  - CHANGELOG.md\n");
    const CheckOutcome outcome = run_required_files_check(with_manifest("required.yml"), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 2u);
    EXPECT_EQ(rules_and_paths(outcome), (std::vector<std::string>{"missing-required-file CHANGELOG.md"}));
    EXPECT_NE(outcome.findings[0].message.find("required.yml line 3"), std::string::npos);
}

TEST_F(RequiredFilesTest, JsonManifestAsAListOrUnderRequired) {
    write("required.json", "[\n  \"README.md\",\n  \"docs/a.md\"\n]\n");
    CheckOutcome outcome = run_required_files_check(with_manifest("required.json"), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 2u);
    EXPECT_TRUE(outcome.findings.empty());

    write("required.json", "{\"required\": [\"README.md\",\n \"NOTICE\"]}\n");
    outcome = run_required_files_check(with_manifest("required.json"), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(rules_and_paths(outcome), (std::vector<std::string>{"missing-required-file NOTICE"}));
    EXPECT_NE(outcome.findings[0].message.find("required.json line 2"), std::string::npos);
}

TEST_F(RequiredFilesTest, InlineFilesAddToTheManifest) {
    write("required.txt", "README.md\n");
    config::CheckConfig check = with_manifest("required.txt");
    check.files = {"docs/", "LICENCE", "README.md"};
    const CheckOutcome outcome = run_required_files_check(check, context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 3u);  // README.md is listed twice: one path
    ASSERT_EQ(rules_and_paths(outcome), (std::vector<std::string>{"missing-required-file LICENCE"}));
    EXPECT_EQ(outcome.findings[0].suggestion, "LICENSE");
    EXPECT_NE(outcome.findings[0].message.find("the check's `files`"), std::string::npos);
}

TEST_F(RequiredFilesTest, SameNameWithAnExtensionIsSuggested) {
    write("COPYING.txt", "GPL\n");
    config::CheckConfig check;
    check.name = "required";
    check.files = {"COPYING"};
    const CheckOutcome outcome = run_required_files_check(check, context());
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].suggestion, "COPYING.txt");
}

TEST_F(RequiredFilesTest, AMissingManifestIsAnErrorNamingIt) {
    const CheckOutcome outcome = run_required_files_check(with_manifest("ci/required.txt"), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("ci/required.txt does not exist"), std::string::npos) << *outcome.error;
    EXPECT_NE(outcome.error->find("line 12"), std::string::npos) << *outcome.error;
}

TEST_F(RequiredFilesTest, AMalformedManifestIsAnErrorWithItsLine) {
    write("required.yml", "files:\n  - README.md\n  - [unclosed\n");
    CheckOutcome outcome = run_required_files_check(with_manifest("required.yml"), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("required.yml line"), std::string::npos) << *outcome.error;

    write("required.yml", "files:\n  - README.md\n  - {path: LICENSE}\n");
    outcome = run_required_files_check(with_manifest("required.yml"), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("required.yml line 3: expected a path or glob"), std::string::npos) << *outcome.error;

    write("required.json", "[\"README.md\",\n \"LICENSE\"\n");
    outcome = run_required_files_check(with_manifest("required.json"), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("required.json line 3"), std::string::npos) << *outcome.error;

    write("required.yml", "owners: [a, b]\n");
    outcome = run_required_files_check(with_manifest("required.yml"), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("`files:` or `required:`"), std::string::npos) << *outcome.error;
}

TEST_F(RequiredFilesTest, AnEmptyManifestExaminesNothing) {
    write("required.txt", "# nothing yet\n");
    const CheckOutcome outcome = run_required_files_check(with_manifest("required.txt"), context());
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.examined, 0u);
}

}  // namespace
}  // namespace greenlight::hygiene
