// summary.md as GitHub renders it: read back with md4c, a GitHub-flavoured Markdown parser, so a line that
// would join the table (or break it) fails here as it would on a pull request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <md4c.h>

#include <algorithm>
#include <string>
#include <vector>

#include "greenlight/runner/report.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/version.hpp"

namespace greenlight::runner {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// What a reader sees: the text of each table row, paragraph and list item.
struct Rendered {
    std::vector<std::string> table_rows;  // body rows only
    std::vector<std::string> paragraphs;
    std::vector<std::string> list_items;
};

struct Walker {
    Rendered rendered;
    std::vector<MD_BLOCKTYPE> blocks;
    bool in_body = false;
    std::string text;
};

int enter_block(MD_BLOCKTYPE type, void*, void* data) {
    auto& walker = *static_cast<Walker*>(data);
    if (type == MD_BLOCK_TBODY) walker.in_body = true;
    if (type == MD_BLOCK_TR || type == MD_BLOCK_P || type == MD_BLOCK_LI) walker.text.clear();
    if (type == MD_BLOCK_TD && !walker.text.empty()) walker.text += " | ";
    walker.blocks.push_back(type);
    return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* data) {
    auto& walker = *static_cast<Walker*>(data);
    walker.blocks.pop_back();
    if (type == MD_BLOCK_TBODY) walker.in_body = false;
    if (type == MD_BLOCK_TR && walker.in_body) walker.rendered.table_rows.push_back(walker.text);
    const bool inside_item = std::find(walker.blocks.begin(), walker.blocks.end(), MD_BLOCK_LI) != walker.blocks.end();
    if (type == MD_BLOCK_P && !inside_item) walker.rendered.paragraphs.push_back(walker.text);
    if (type == MD_BLOCK_LI) walker.rendered.list_items.push_back(walker.text);
    return 0;
}

int enter_span(MD_SPANTYPE, void*, void*) { return 0; }
int leave_span(MD_SPANTYPE, void*, void*) { return 0; }

int text(MD_TEXTTYPE type, const MD_CHAR* characters, MD_SIZE size, void* data) {
    auto& walker = *static_cast<Walker*>(data);
    walker.text += type == MD_TEXT_SOFTBR || type == MD_TEXT_BR ? std::string(" ") : std::string(characters, size);
    return 0;
}

Rendered render(const std::string& markdown) {
    MD_PARSER parser{};
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = enter_block;
    parser.leave_block = leave_block;
    parser.enter_span = enter_span;
    parser.leave_span = leave_span;
    parser.text = text;
    Walker walker;
    EXPECT_EQ(md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, &walker), 0);
    return walker.rendered;
}

SuiteOutcome suite(const std::string& name, Verdict verdict, bool green, std::int64_t passed, std::int64_t failed) {
    SuiteOutcome outcome;
    outcome.name = name;
    outcome.verdict = verdict;
    outcome.green = green;
    outcome.complete = true;
    outcome.reason = name + " ended " + std::string(to_string(verdict));
    outcome.counts.passed = passed;
    outcome.counts.failed = failed;
    outcome.counts.total = passed + failed;
    AttemptRecord attempt;
    attempt.decision.verdict = verdict;
    attempt.decision.counts = outcome.counts;
    for (std::int64_t i = 1; i <= failed; ++i) {
        results::TestCase test;
        test.classname = "tests.test_x";
        test.name = "test_" + std::to_string(i);
        test.outcome = results::TestOutcome::failed;
        test.message = "assert <" + std::to_string(i) + "> | *bold* == 0\nmore";
        test.file = "tests/test_x.py";
        test.line = static_cast<int>(i);
        attempt.cases.push_back(test);
    }
    outcome.attempts.push_back(attempt);
    return outcome;
}

RunRecord run_with(const std::string& sha, std::vector<std::string> not_run = {}) {
    RunRecord run;
    run.project = "billing";
    run.run_id = "run-1";
    run.tier = "pr-fast";
    run.started_at = "2026-01-02T03:04:00.000Z";
    run.finished_at = "2026-01-02T03:05:00.000Z";
    run.git_sha = sha;
    run.suites = {suite("unit", Verdict::fail, false, 3, 12), suite("lint", Verdict::pass, true, 1, 0)};
    run.not_run = std::move(not_run);
    settle_run_verdict(run);
    return run;
}

TEST(SummaryMarkdownRendered, TheTableHasOneRowPerSuiteAndTheFooterIsAParagraph) {
    const std::string version = std::string("greenlight ") + std::string(greenlight::version());
    for (const std::string sha : {"0123456789abcdef0123456789abcdef01234567", ""}) {
        for (const std::vector<std::string>& not_run : {std::vector<std::string>{}, std::vector<std::string>{"e2e"}}) {
            const std::string markdown = summary_markdown(summary_json(run_with(sha, not_run)));
            const Rendered rendered = render(markdown);
            ASSERT_EQ(rendered.table_rows.size(), 2u) << markdown;
            EXPECT_THAT(rendered.table_rows[0], HasSubstr("unit"));
            EXPECT_THAT(rendered.table_rows[1], HasSubstr("lint"));
            ASSERT_FALSE(rendered.paragraphs.empty()) << markdown;
            EXPECT_THAT(rendered.paragraphs.back(), HasSubstr(version)) << markdown;
            if (!sha.empty()) {
                EXPECT_THAT(rendered.paragraphs.back(), HasSubstr(sha));
            }
            if (!not_run.empty()) {
                EXPECT_THAT(rendered.paragraphs, Contains("Not run: e2e")) << markdown;
            }
        }
    }
}

TEST(SummaryMarkdownRendered, FailingTestsReadAsWrittenWithTheirLocation) {
    const std::string markdown = summary_markdown(summary_json(run_with("")));
    const Rendered rendered = render(markdown);
    // The first 10 failing tests of the red suite, then "and 2 more"; Markdown in a message stays text.
    ASSERT_EQ(rendered.list_items.size(), 11u) << markdown;
    EXPECT_EQ(rendered.list_items[0], "tests.test_x.test_1 (tests/test_x.py:1): assert <1> | *bold* == 0");
    EXPECT_EQ(rendered.list_items[9], "tests.test_x.test_10 (tests/test_x.py:10): assert <10> | *bold* == 0");
    EXPECT_EQ(rendered.list_items[10], "and 2 more");
}

}  // namespace
}  // namespace greenlight::runner
