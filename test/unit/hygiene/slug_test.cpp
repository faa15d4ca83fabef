#include "greenlight/hygiene/slug.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "greenlight/hygiene/markdown.hpp"

using namespace greenlight::hygiene;

namespace {

// github-slugger's own fixtures, produced by rendering each heading on GitHub (see the README beside them).
nlohmann::json load_fixtures() {
    std::ifstream file(GREENLIGHT_TEST_DATA "/github-slugger/github-slugger-fixtures.json");
    if (!file) throw std::runtime_error("cannot open github-slugger-fixtures.json");
    std::stringstream text;
    text << file.rdbuf();
    return nlohmann::json::parse(text.str());
}

// The fixture's plain text as Markdown that renders to exactly that text: ASCII punctuation escaped.
std::string as_markdown_heading(const nlohmann::json& fixture) {
    if (fixture.contains("markdownOverwrite")) return fixture["markdownOverwrite"].get<std::string>();
    std::string heading = "# ";
    for (const char character : fixture["input"].get<std::string>()) {
        if (std::ispunct(static_cast<unsigned char>(character))) heading += '\\';
        heading += character;
    }
    return heading;
}

}  // namespace

TEST(GithubSlugger, AllFixturesInOrderAgainstOneSlugger) {
    const nlohmann::json fixtures = load_fixtures();
    ASSERT_EQ(fixtures.size(), 78u);
    Slugger slugger;
    int passed = 0;
    for (const nlohmann::json& fixture : fixtures) {
        const std::string actual = slugger.slug(fixture["input"].get<std::string>());
        const std::string expected = fixture["expected"].get<std::string>();
        EXPECT_EQ(actual, expected) << fixture["name"].get<std::string>();
        if (actual == expected) ++passed;
    }
    EXPECT_EQ(passed, 78);
}

TEST(GithubSlugger, MarkdownOverwriteFixturesThroughScanMarkdown) {
    int checked = 0;
    for (const nlohmann::json& fixture : load_fixtures()) {
        if (!fixture.contains("markdownOverwrite")) continue;
        const MarkdownDocument document = scan_markdown(fixture["markdownOverwrite"].get<std::string>());
        ASSERT_EQ(document.anchors.size(), 1u) << fixture["name"].get<std::string>();
        EXPECT_EQ(document.anchors[0], fixture["expected"].get<std::string>()) << fixture["name"].get<std::string>();
        ++checked;
    }
    EXPECT_EQ(checked, 4);
}

TEST(GithubSlugger, AllFixturesAsHeadingsOfOneDocument) {
    const nlohmann::json fixtures = load_fixtures();
    std::string document_text;
    for (const nlohmann::json& fixture : fixtures) document_text += as_markdown_heading(fixture) + "\n\n";
    const MarkdownDocument document = scan_markdown(document_text);
    ASSERT_EQ(document.anchors.size(), fixtures.size());
    for (size_t index = 0; index < fixtures.size(); ++index) {
        EXPECT_EQ(document.anchors[index], fixtures[index]["expected"].get<std::string>())
            << fixtures[index]["name"].get<std::string>();
    }
}

TEST(GithubSlug, SpacesBecomeDashesWithoutCollapsing) {
    EXPECT_EQ(github_slug("a  b"), "a--b");
    EXPECT_EQ(github_slug("Hello, World!"), "hello-world");
    EXPECT_EQ(github_slug("C++ & Rust"), "c--rust");
    EXPECT_EQ(github_slug("snake_case-and-kebab"), "snake_case-and-kebab");
}

TEST(GithubSlug, NonAsciiIsLowercasedAndKept) {
    EXPECT_EQ(github_slug("Ärger ÜBER Straße"), "ärger-über-straße");
    EXPECT_EQ(github_slug("ΟΔΟΣ"), "οδος");  // a capital sigma ending a word is a final sigma
}

TEST(GithubSlug, InvalidUtf8IsDroppedNotFatal) {
    EXPECT_EQ(github_slug(std::string("a\xff\xfe b\xc3")), "a-b");
}

TEST(GithubSlugger, RepeatedSlugsGetSuffixes) {
    Slugger slugger;
    EXPECT_EQ(slugger.slug("echo"), "echo");
    EXPECT_EQ(slugger.slug("echo"), "echo-1");
    EXPECT_EQ(slugger.slug("echo 1"), "echo-1-1");
    EXPECT_EQ(slugger.slug("Echo"), "echo-2");
}
