// summary.md as GitHub renders it: read back with cmark-gfm, the parser GitHub renders Markdown with, so a line
// that would join the table (or break it) fails here as it would on a pull request.
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
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

// The text a node shows, a line break read as a space.
std::string text_of(cmark_node* node) {
    std::string text;
    cmark_iter* iterator = cmark_iter_new(node);
    while (cmark_iter_next(iterator) != CMARK_EVENT_DONE) {
        cmark_node* descendant = cmark_iter_get_node(iterator);
        const cmark_node_type type = cmark_node_get_type(descendant);
        if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_HTML_INLINE) {
            text += cmark_node_get_literal(descendant);
        } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
            text += ' ';
        }
    }
    cmark_iter_free(iterator);
    return text;
}

bool inside_list_item(cmark_node* node) {
    for (cmark_node* parent = cmark_node_parent(node); parent != nullptr; parent = cmark_node_parent(parent)) {
        if (cmark_node_get_type(parent) == CMARK_NODE_ITEM) return true;
    }
    return false;
}

// A table body row as its cells' text joined by " | ".
std::string row_text(cmark_node* row) {
    std::string text;
    for (cmark_node* cell = cmark_node_first_child(row); cell != nullptr; cell = cmark_node_next(cell)) {
        if (!text.empty()) text += " | ";
        text += text_of(cell);
    }
    return text;
}

Rendered render(const std::string& markdown) {
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser* parser = cmark_parser_new(CMARK_OPT_DEFAULT);
    for (const char* name : {"table", "tasklist", "strikethrough", "autolink"}) {
        cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(name));
    }
    cmark_parser_feed(parser, markdown.data(), markdown.size());
    cmark_node* document = cmark_parser_finish(parser);
    cmark_parser_free(parser);

    Rendered rendered;
    cmark_iter* iterator = cmark_iter_new(document);
    while (cmark_iter_next(iterator) != CMARK_EVENT_DONE) {
        if (cmark_iter_get_event_type(iterator) != CMARK_EVENT_ENTER) continue;
        cmark_node* node = cmark_iter_get_node(iterator);
        const std::string_view type_name = cmark_node_get_type_string(node);
        if (type_name == "table_row") rendered.table_rows.push_back(row_text(node));
        if (cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH && !inside_list_item(node)) {
            rendered.paragraphs.push_back(text_of(node));
        }
        if (cmark_node_get_type(node) == CMARK_NODE_ITEM) rendered.list_items.push_back(text_of(node));
    }
    cmark_iter_free(iterator);
    cmark_node_free(document);
    return rendered;
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

RunOutcome run_with(const std::string& sha, std::vector<std::string> not_run = {}) {
    RunOutcome run;
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
