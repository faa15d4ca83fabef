#include "greenlight/hygiene/markdown.hpp"

#include <gtest/gtest.h>

using namespace greenlight::hygiene;
using Kind = MarkdownLink::Kind;

namespace {

std::vector<std::string> destinations(const MarkdownDocument& document) {
    std::vector<std::string> found;
    for (const MarkdownLink& link : document.links) found.push_back(link.destination);
    return found;
}

}  // namespace

TEST(ScanMarkdown, InlineLinkAndImageWithPlaces) {
    const MarkdownDocument document = scan_markdown(
        "# Title\n\nSee [the guide](docs/guide.md#setup) and\n"
        "  ![logo](img/logo.png \"Logo\").\n");
    ASSERT_EQ(document.links.size(), 2u);
    EXPECT_EQ(document.links[0].kind, Kind::inline_link);
    EXPECT_EQ(document.links[0].destination, "docs/guide.md#setup");
    EXPECT_EQ(document.links[0].line, 3);
    EXPECT_EQ(document.links[0].column, 17);
    EXPECT_EQ(document.links[1].kind, Kind::image);
    EXPECT_EQ(document.links[1].destination, "img/logo.png");
    EXPECT_EQ(document.links[1].line, 4);
    EXPECT_EQ(document.links[1].column, 11);
    EXPECT_EQ(document.anchors, std::vector<std::string>{"title"});
}

TEST(ScanMarkdown, ReferenceLinkIsPlacedAtItsUse) {
    const MarkdownDocument document =
        scan_markdown("Intro.\n\nRead [the guide][guide] now.\n\n[guide]: docs/guide.md\n");
    ASSERT_EQ(document.links.size(), 1u);
    EXPECT_EQ(document.links[0].kind, Kind::reference);
    EXPECT_EQ(document.links[0].destination, "docs/guide.md");
    EXPECT_EQ(document.links[0].line, 3);
    EXPECT_EQ(document.links[0].column, 6);
}

TEST(ScanMarkdown, CollapsedAndShortcutReferences) {
    const MarkdownDocument document = scan_markdown("[Guide][] and [guide]\n\n[guide]: <docs/my guide.md>\n");
    ASSERT_EQ(document.links.size(), 2u);
    EXPECT_EQ(document.links[0].kind, Kind::reference);
    EXPECT_EQ(document.links[0].destination, "docs/my guide.md");
    EXPECT_EQ(document.links[1].line, 1);
    EXPECT_EQ(document.links[1].column, 15);
}

TEST(ScanMarkdown, AutolinksAreLinks) {
    const MarkdownDocument document = scan_markdown("Mail <mailto:someone@example.com> or <https://example.com/a>.\n");
    ASSERT_EQ(document.links.size(), 2u);
    EXPECT_EQ(document.links[0].kind, Kind::autolink);
    EXPECT_EQ(document.links[1].destination, "https://example.com/a");
    EXPECT_EQ(document.links[1].column, 39);
}

TEST(ScanMarkdown, BareWwwAndEmailAutolinksArePlacedAtTheirText) {
    const MarkdownDocument document =
        scan_markdown("Visit www.example.org or write to someone@example.com.\n\n[x](y.md)\n");
    ASSERT_EQ(document.links.size(), 3u);
    EXPECT_EQ(document.links[0].kind, Kind::autolink);
    EXPECT_EQ(document.links[0].destination, "http://www.example.org");
    EXPECT_EQ(document.links[0].column, 7);
    EXPECT_EQ(document.links[1].destination, "mailto:someone@example.com");
    EXPECT_EQ(document.links[1].column, 35);
}

TEST(ScanMarkdown, EscapesAndEntitiesAreResolvedButNotPercentEncoding) {
    const MarkdownDocument document = scan_markdown("Text [a](docs/a\\_b&amp;c%20d.md) and [b](<x&#41;.md>)\n");
    EXPECT_EQ(destinations(document), (std::vector<std::string>{"docs/a_b&c%20d.md", "x).md"}));
    // md4c copied the escaped destination; its place is still found after the link text.
    EXPECT_EQ(document.links[0].line, 1);
    EXPECT_EQ(document.links[0].column, 10);
}

TEST(ScanMarkdown, HtmlBlocksAndInlineHtml) {
    const MarkdownDocument document = scan_markdown(
        "<p align=\"center\">\n  <img src=\"img/banner.png\" alt=\"x\">\n  <a href='docs/x.md'>X</a>\n</p>\n\n"
        "Inline <a id=\"custom-anchor\"></a> and <A HREF=other.md>o</A>.\n\n<!-- <a href=\"commented.md\"> -->\n");
    EXPECT_EQ(destinations(document), (std::vector<std::string>{"img/banner.png", "docs/x.md", "other.md"}));
    EXPECT_EQ(document.links[0].kind, Kind::html_src);
    EXPECT_EQ(document.links[0].line, 2);
    EXPECT_EQ(document.links[0].column, 13);
    EXPECT_EQ(document.links[1].kind, Kind::html_href);
    EXPECT_EQ(document.links[1].line, 3);
    EXPECT_EQ(document.links[2].line, 6);
    EXPECT_EQ(document.anchors, std::vector<std::string>{"custom-anchor"});
}

TEST(ScanMarkdown, NamedAnchorsCount) {
    const MarkdownDocument document = scan_markdown("<a name=\"legacy\"></a>\n\n# Heading\n");
    EXPECT_EQ(document.anchors, (std::vector<std::string>{"legacy", "heading"}));
}

TEST(ScanMarkdown, LinksInCodeAreNotLinks) {
    const MarkdownDocument document = scan_markdown(
        "Use `[x](missing.md)` literally.\n\n```md\n[y](missing.md)\n<a href=\"missing.md\">\n```\n\n"
        "    [z](indented.md)\n");
    EXPECT_TRUE(document.links.empty());
}

TEST(ScanMarkdown, HeadingTextExcludesMarkupAndImages) {
    const MarkdownDocument document = scan_markdown(
        "# The `run` command\n\n## **Bold** and [linked](x.md) ![icon](i.png)\n\n"
        "Setext *heading*\n---\n\n# <a id=\"x\"></a>With anchor\n");
    EXPECT_EQ(document.anchors,
              (std::vector<std::string>{"the-run-command", "bold-and-linked-", "setext-heading", "x", "with-anchor"}));
}

TEST(ScanMarkdown, DuplicateHeadingsGetSuffixes) {
    const MarkdownDocument document = scan_markdown("# Usage\n## Usage\n### Usage 1\n");
    EXPECT_EQ(document.anchors, (std::vector<std::string>{"usage", "usage-1", "usage-1-1"}));
}

TEST(ScanMarkdown, NestedImageInLink) {
    const MarkdownDocument document = scan_markdown("[![badge](img/b.svg)](docs/ci.md)\n");
    ASSERT_EQ(document.links.size(), 2u);
    EXPECT_EQ(document.links[0].destination, "img/b.svg");
    EXPECT_EQ(document.links[0].column, 11);
    EXPECT_EQ(document.links[1].destination, "docs/ci.md");
    EXPECT_EQ(document.links[1].column, 23);
}

TEST(ScanMarkdown, LinksInTablesAndQuotesAndLists) {
    const MarkdownDocument document = scan_markdown("| a | b |\n|---|---|\n| [x](x.md) | y |\n\n> - [q](q.md)\n");
    EXPECT_EQ(destinations(document), (std::vector<std::string>{"x.md", "q.md"}));
    EXPECT_EQ(document.links[1].line, 5);
    EXPECT_EQ(document.links[1].column, 9);
}

TEST(ScanMarkdown, NeverFailsOnOddInput) {
    EXPECT_TRUE(scan_markdown("").links.empty());
    (void)scan_markdown(std::string("[a](\0b)\n<a href=\"", 16));
    (void)scan_markdown("<a href=unterminated");
    (void)scan_markdown("[x]: ");
}
