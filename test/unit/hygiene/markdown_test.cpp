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
    // The destination is written with an escape and a character reference; its place is where it is written.
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

namespace {

// Each link as "destination@line:column", to compare places at a glance.
std::vector<std::string> places(const MarkdownDocument& document) {
    std::vector<std::string> found;
    for (const MarkdownLink& link : document.links) {
        found.push_back(link.destination + "@" + std::to_string(link.line) + ":" + std::to_string(link.column));
    }
    return found;
}

}  // namespace

TEST(ScanMarkdown, PlacesSurviveIndentedLazyAndBrokenLines) {
    // An indented continuation line, a lazy line of a quote, a backslash line break, a link across lines.
    const MarkdownDocument document = scan_markdown(
        "Intro [a](a.md)\n   more [b](b.md)\n\n> quoted [c](c.md)\nlazy [d](d.md)\n\n"
        "first\\\nsecond [e](e.md)\n\n[split\ntext](f.md \"title\") [g](g.md)\n");
    EXPECT_EQ(places(document), (std::vector<std::string>{"a.md@1:11", "b.md@2:13", "c.md@4:14", "d.md@5:10",
                                                          "e.md@8:12", "f.md@11:7", "g.md@11:25"}));
}

TEST(ScanMarkdown, BracketsAndCodeBeforeALinkAreNotIt) {
    const MarkdownDocument document =
        scan_markdown("Use `[x](y.md)` or array[0] then [the doc](doc.md) and [[nested](n.md)](outer.md)\n");
    EXPECT_EQ(places(document), (std::vector<std::string>{"doc.md@1:44", "n.md@1:66"}));
}

TEST(ScanMarkdown, RawHtmlAcrossLinesInContainers) {
    const MarkdownDocument document = scan_markdown("> <a\n>   href=\"q.md\">q</a>\n\n- item <img\n  src=\"i.png\">\n");
    EXPECT_EQ(places(document), (std::vector<std::string>{"q.md@2:11", "i.png@5:8"}));
}

TEST(ScanMarkdown, FootnotesAreNotLinksButTheirLinksAre) {
    // GitHub renders footnotes; a footnote reference is no link to the definition's first word.
    const MarkdownDocument document = scan_markdown(
        "Claim[^1] and [x](x.md).\n\n[^1]: See [the source](source.md).\n\nAfter [y](y.md)\n\n"
        "# Noted[^n]\n\n[^n]: The second note, shown as 2.\n");
    EXPECT_EQ(places(document), (std::vector<std::string>{"x.md@1:19", "source.md@3:24", "y.md@5:11"}));
    EXPECT_EQ(document.anchors, std::vector<std::string>{"noted2"});
}

TEST(ScanMarkdown, AutolinksOfEveryKindInAQuote) {
    const MarkdownDocument document =
        scan_markdown("> Go to https://example.com/a, <https://example.com/b>\n> or www.example.org.\n");
    EXPECT_EQ(places(document), (std::vector<std::string>{"https://example.com/a@1:9", "https://example.com/b@1:33",
                                                          "http://www.example.org@2:6"}));
    for (const MarkdownLink& link : document.links) EXPECT_EQ(link.kind, Kind::autolink);
}

TEST(ScanMarkdown, WindowsLineEndingsAndTabs) {
    const MarkdownDocument document =
        scan_markdown("# Title\r\n\r\n-\t[a](a.md)\r\n>\t[b](b.md)\r\n\r\n<p id=\"z\">\r\n");
    EXPECT_EQ(places(document), (std::vector<std::string>{"a.md@3:7", "b.md@4:7"}));
    EXPECT_EQ(document.anchors, (std::vector<std::string>{"title", "z"}));
}

TEST(ScanMarkdown, HeadingsDecodeEveryCharacterReference) {
    // GitHub decodes HTML5's named references too.
    const MarkdownDocument document = scan_markdown("# Caf&eacute; &rightarrow; &check;\n");
    EXPECT_EQ(document.anchors, std::vector<std::string>{"café--"});
}
