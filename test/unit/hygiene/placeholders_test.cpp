#include <gtest/gtest.h>

#include <fstream>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "support/test_support.hpp"
#include "unit/hygiene/hygiene_fixtures.hpp"

namespace greenlight::hygiene {
namespace {

namespace fs = std::filesystem;

class PlaceholdersTest : public testing::FolderTest {
protected:
    PlaceholdersTest() : FolderTest("greenlight-placeholders") {}

    CheckContext context() { return context_with_files(); }

    static config::CheckConfig check_of(std::vector<std::string> paths, std::vector<std::string> indexes = {}) {
        config::CheckConfig check;
        check.name = "placeholders";
        check.type = config::CheckType::placeholders;
        check.line = 7;
        check.paths = std::move(paths);
        check.indexes = std::move(indexes);
        return check;
    }

    // "path:line:column word" for each finding, the word taken from the message's first `...`.
    static std::vector<std::string> places(const CheckOutcome& outcome) {
        std::vector<std::string> found;
        for (const Finding& finding : outcome.findings) {
            const size_t open = finding.message.find('`');
            const size_t close = finding.message.find('`', open + 1);
            found.push_back(finding.path + ":" + std::to_string(finding.line) + ":" + std::to_string(finding.column) +
                            " " + finding.message.substr(open + 1, close - open - 1));
        }
        return found;
    }
};

TEST_F(PlaceholdersTest, DefaultPatternsFindLeftoversByWholeWord) {
    write("docs/guide.md",
          "# Guide\n"                                          // 1
          "TODO: write the intro.\n"                           // 2
          "Our TODOS in prose and todo lists are fine.\n"      // 3
          "Colour 0xxxx and xxx are not XXX.\n"                // 4
          "Lorem  ipsum dolor sit amet.\n"                     // 5
          "Signed, <your-name-here> on <TBD>.\n"               // 6
          "- [TODO] review, then PLACEHOLDER.\n"               // 7
          "A placeholder in prose is fine; FIXME is not.\n"    // 8
          "Todo: later. TBD_VALUE and MY_TODO are names.\n");  // 9
    const CheckOutcome outcome = run_placeholders_check(check_of({"docs/**"}), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 1u);
    EXPECT_EQ(outcome.examined_unit, "files");
    EXPECT_EQ(places(outcome), (std::vector<std::string>{
                                   "docs/guide.md:2:1 TODO",
                                   "docs/guide.md:4:30 XXX",
                                   "docs/guide.md:5:1 Lorem  ipsum",
                                   "docs/guide.md:6:9 <your-name-here>",
                                   "docs/guide.md:6:29 <TBD>",
                                   "docs/guide.md:7:3 [TODO]",
                                   "docs/guide.md:7:23 PLACEHOLDER",
                                   "docs/guide.md:8:33 FIXME",
                                   "docs/guide.md:9:1 Todo",
                               }));
    for (const Finding& finding : outcome.findings) EXPECT_EQ(finding.rule, "placeholder");
}

TEST_F(PlaceholdersTest, TemplateSyntaxIsNotAPlaceholder) {
    write("docs/deploy.md",
          "Set ${TODO} and ${{ secrets.TODO }} and {{ TODO }} and {% TODO %}.\n"
          "On Windows %TODO% and in sh $TODO work.\n"
          "But a bare TODO is one.\n");
    const CheckOutcome outcome = run_placeholders_check(check_of({"docs/*.md"}), context());
    EXPECT_EQ(places(outcome), (std::vector<std::string>{"docs/deploy.md:3:12 TODO"}));
}

TEST_F(PlaceholdersTest, AnAllowCommentExcusesExactlyOneOccurrence) {
    write("docs/style.md",
          "Write <!-- greenlight-allow: placeholder --> TODO when unsure, not FIXME.\n"  // 1: FIXME reported
          "TODO <!-- greenlight-allow: placeholder --> TBD\n"                            // 2: TODO reported
          "<!-- greenlight-allow: placeholder -->\n"                                     // 3
          "Lorem ipsum, then TBD.\n"                                                     // 4: TBD reported
          "<!-- greenlight-allow: placeholder -->\n"                                     // 5
          "\n"                                                                           // 6
          "XXX\n");                                                                      // 7: reported
    const CheckOutcome outcome = run_placeholders_check(check_of({"docs/*.md"}), context());
    EXPECT_EQ(places(outcome), (std::vector<std::string>{
                                   "docs/style.md:1:68 FIXME",
                                   "docs/style.md:2:1 TODO",
                                   "docs/style.md:4:19 TBD",
                                   "docs/style.md:7:1 XXX",
                               }));
}

TEST_F(PlaceholdersTest, MarkdownIndexListsTheDocsToExamine) {
    write("docs/README.md",
          "# Docs\n"
          "- [Guide](guide.md#setup)\n"
          "- [Contributing](../CONTRIBUTING.md)\n"
          "- [Reference](reference/)\n"
          "- [Gone](old%20notes.md)\n"
          "- [Site](https://example.com/TODO) and [top](#docs); see TODO.md\n"
          "![diagram](diagram.png)\n");
    write("docs/guide.md", "Install TBD.\n");
    write("docs/reference/api.md", "TODO but not listed.\n");
    write("docs/unlisted.md", "TODO but not listed.\n");
    write("CONTRIBUTING.md", "Fine text.\n");
    const CheckOutcome outcome = run_placeholders_check(check_of({}, {"docs/README.md"}), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 3u);  // the index, guide.md, CONTRIBUTING.md
    EXPECT_EQ(outcome.counts, (std::vector<std::pair<std::string, std::uint64_t>>{{"indexed", 2}}));
    ASSERT_EQ(outcome.findings.size(), 2u);
    EXPECT_EQ(outcome.findings[0].rule, "missing-indexed-file");
    EXPECT_EQ(outcome.findings[0].path, "docs/README.md");
    EXPECT_EQ(outcome.findings[0].line, 5);
    EXPECT_NE(outcome.findings[0].message.find("docs/old notes.md"), std::string::npos) << outcome.findings[0].message;
    EXPECT_EQ(places(outcome)[1], "docs/guide.md:1:9 TBD");
}

TEST_F(PlaceholdersTest, JsonRegistryStringsThatNameFilesAreExamined) {
    write("registry/docs.json",
          "{\n"
          "  \"type\": \"text/plain\",\n"
          "  \"docs\": [\n"
          "    {\"title\": \"Guide TODO\", \"path\": \"docs/guide.md\"},\n"
          "    {\"title\": \"Beside\", \"path\": \"notes.md\"},\n"
          "    {\"title\": \"Gone\", \"path\": \"docs/gone.md\"}\n"
          "  ]\n"
          "}\n");
    write("registry/notes.md", "FIXME\n");
    write("docs/guide.md", "lorem ipsum\n");
    const CheckOutcome outcome = run_placeholders_check(check_of({}, {"registry/docs.json"}), context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 2u);  // a registry itself is data, not a page
    EXPECT_EQ(outcome.counts[0].second, 2u);
    ASSERT_EQ(outcome.findings.size(), 3u);
    EXPECT_EQ(outcome.findings[0].rule, "missing-indexed-file");
    EXPECT_EQ(outcome.findings[0].path, "registry/docs.json");
    EXPECT_EQ(outcome.findings[0].line, 6);
    EXPECT_EQ(outcome.findings[0].column, 32);
    EXPECT_NE(outcome.findings[0].message.find("docs/gone.md, which exists neither beside it (registry/docs/gone.md)"),
              std::string::npos)
        << outcome.findings[0].message;
    EXPECT_EQ(outcome.findings[0].suggestion, "docs/guide.md");
    EXPECT_EQ(places(outcome)[1], "docs/guide.md:1:1 lorem ipsum");
    EXPECT_EQ(places(outcome)[2], "registry/notes.md:1:1 FIXME");
}

TEST_F(PlaceholdersTest, YamlRegistryAndPathsTogether) {
    write("catalog.yml", "pages:\n  - title: Home\n    file: site/index.md\n  - site/missing.md\n");
    write("site/index.md", "Hello <insert-company-name>.\n");
    write("site/extra.md", "XXX\n");
    write("site/skip.md", "XXX\n");
    config::CheckConfig check = check_of({"site/*.md"}, {"catalog.yml"});
    check.exclude = {"site/skip.md"};
    const CheckOutcome outcome = run_placeholders_check(check, context());
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 2u);
    ASSERT_EQ(outcome.findings.size(), 3u);
    EXPECT_EQ(outcome.findings[0].rule, "missing-indexed-file");
    EXPECT_EQ(outcome.findings[0].line, 4);
    EXPECT_EQ(outcome.findings[0].column, 5);
    EXPECT_NE(outcome.findings[0].message.find("site/missing.md"), std::string::npos);
    EXPECT_EQ(places(outcome)[1], "site/extra.md:1:1 XXX");
    EXPECT_EQ(places(outcome)[2], "site/index.md:1:7 <insert-company-name>");
}

TEST_F(PlaceholdersTest, ConfiguredPatternsReplaceTheDefaultsCaseInsensitively) {
    write("docs/a.md", "Status: wip. TODO stays.\n");
    config::CheckConfig check = check_of({"docs/*.md"});
    check.patterns = {R"(\bWIP\b)", R"(\bdraft\b)"};
    const CheckOutcome outcome = run_placeholders_check(check, context());
    EXPECT_EQ(places(outcome), (std::vector<std::string>{"docs/a.md:1:9 wip"}));
}

TEST_F(PlaceholdersTest, BinaryFilesAreSkipped) {
    write("docs/a.md", "Fine.\n");
    write("docs/logo.md", std::string("TODO\0binary", 11));
    const CheckOutcome outcome = run_placeholders_check(check_of({"docs/*"}), context());
    EXPECT_EQ(outcome.examined, 1u);
    EXPECT_TRUE(outcome.findings.empty());
}

TEST_F(PlaceholdersTest, BadIndexesAreErrors) {
    CheckOutcome outcome = run_placeholders_check(check_of({}, {"docs/index.md"}), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("docs/index.md does not exist"), std::string::npos) << *outcome.error;

    write("index.json", "{\n  \"docs\": [\"a.md\",\n}\n");
    outcome = run_placeholders_check(check_of({}, {"index.json"}), context());
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("index.json line 3"), std::string::npos) << *outcome.error;

    write("index.toml", "docs = []\n");
    outcome = run_placeholders_check(check_of({}, {"index.toml"}), context());
    ASSERT_TRUE(outcome.error);
}

TEST_F(PlaceholdersTest, NothingSelectedExaminesNothing) {
    write("docs/a.md", "TODO\n");
    const CheckOutcome outcome = run_placeholders_check(check_of({"manual/**"}), context());
    EXPECT_FALSE(outcome.error);
    EXPECT_EQ(outcome.examined, 0u);
}

}  // namespace
}  // namespace greenlight::hygiene
