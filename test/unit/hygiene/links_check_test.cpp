#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/util/fs.hpp"
#include "support/http_peer.hpp"
#include "support/test_support.hpp"

using namespace greenlight;
using namespace greenlight::hygiene;
using greenlight::test_support::TempDir;

namespace {

void write(const std::filesystem::path& root, const std::string& path, const std::string& text) {
    std::filesystem::create_directories((root / path).parent_path());
    std::ofstream(root / path, std::ios::binary) << text;
}

CheckOutcome run_links(const std::filesystem::path& root, config::CheckConfig check = {}) {
    check.type = config::CheckType::links;
    check.name = "links";
    CheckContext context;
    context.root = root;
    context.files = repository_files(root).value();
    return run_links_check(check, context);
}

std::uint64_t count_of(const CheckOutcome& outcome, const std::string& name) {
    for (const auto& [key, value] : outcome.counts) {
        if (key == name) return value;
    }
    return 0;
}

std::string describe(const CheckOutcome& outcome) {
    std::string text;
    for (const Finding& finding : outcome.findings) {
        text += finding.rule + " " + finding.path + ":" + std::to_string(finding.line) + ":" +
                std::to_string(finding.column) + " " + finding.message + " [" + finding.suggestion + "]\n";
    }
    return text;
}

}  // namespace

TEST(LinksCheck, CleanTreePassesWithCounts) {
    TempDir root;
    write(root.path(), "README.md",
          "# Project\n\nSee [guide](docs/guide.md#install-it) and [docs](docs/).\n"
          "![logo](assets/logo.png)\n[top](#project)\n");
    write(root.path(), "docs/guide.md",
          "# Guide\n\n## Install it\n\nBack to [readme](../README.md#project).\n"
          "Absolute: [root](/README.md).\n");
    write(root.path(), "assets/logo.png", "png");
    const CheckOutcome outcome = run_links(root.path());
    EXPECT_TRUE(outcome.findings.empty()) << describe(outcome);
    EXPECT_EQ(outcome.examined, 6u);
    EXPECT_EQ(outcome.examined_unit, "links");
    EXPECT_EQ(count_of(outcome, "files"), 2u);
    EXPECT_EQ(count_of(outcome, "anchors"), 3u);
}

TEST(LinksCheck, BrokenFileWithDidYouMean) {
    TempDir root;
    write(root.path(), "docs/installation.md", "# Installation\n");
    write(root.path(), "README.md", "Intro\n\nRead [install](docs/instalation.md) first.\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 1u) << describe(outcome);
    const Finding& finding = outcome.findings[0];
    EXPECT_EQ(finding.rule, "broken-link");
    EXPECT_EQ(finding.path, "README.md");
    EXPECT_EQ(finding.line, 3);
    EXPECT_EQ(finding.column, 16);
    EXPECT_NE(finding.message.find("docs/instalation.md"), std::string::npos);
    EXPECT_EQ(finding.suggestion, "docs/installation.md");
}

TEST(LinksCheck, SameNameInAnotherFolderIsSuggestedRelativeToTheLinkingFile) {
    TempDir root;
    write(root.path(), "guides/setup/ci.md", "# CI\n");
    write(root.path(), "docs/a/index.md", "[ci](ci.md#ci)\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 1u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].suggestion, "../../guides/setup/ci.md#ci");
}

TEST(LinksCheck, CrossFileAndSameFileAnchors) {
    TempDir root;
    write(root.path(), "a.md",
          "# Alpha\n\n## Usage\n## Usage\n\n[ok](b.md#beta-section) [bad](b.md#beta-sectoin)\n"
          "[dup](#usage-1) [missing](#usage-2) [case](#Usage) [case too](b.md#Beta-Section)\n");
    write(root.path(), "b.md", "# Beta section\n");
    const CheckOutcome outcome = run_links(root.path());
    // GitHub resolves a heading's fragment whatever its case: `#Usage` and `#Beta-Section` reach their headings.
    ASSERT_EQ(outcome.findings.size(), 2u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "missing-anchor");
    EXPECT_EQ(outcome.findings[0].line, 6);
    EXPECT_EQ(outcome.findings[0].suggestion, "b.md#beta-section");
    EXPECT_EQ(outcome.findings[1].line, 7);
    EXPECT_EQ(outcome.findings[1].suggestion, "#usage-1");
}

TEST(LinksCheck, ReferenceLinksAreReportedAtTheirUse) {
    TempDir root;
    write(root.path(), "a.md",
          "# A\n\nFirst [one][gone] here.\n\nSecond [two][ok].\n\n[gone]: missing.md\n[ok]: a.md#a\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 1u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "broken-link");
    EXPECT_EQ(outcome.findings[0].line, 3);
    EXPECT_EQ(outcome.findings[0].column, 7);
    EXPECT_EQ(outcome.examined, 2u);
}

TEST(LinksCheck, HtmlLinksImagesAndIds) {
    TempDir root;
    write(root.path(), "img/ok.svg", "<svg/>");
    write(root.path(), "a.md",
          "<p align=\"center\">\n  <img src=\"img/ok.svg\">\n  <img src=\"img/okk.svg\">\n</p>\n\n"
          "<a id=\"custom\"></a>\n\n[to custom](#custom) <a href=\"#custom\">x</a> <a href=\"#nowhere\">y</a>\n"
          "<a name=\"old-name\"></a> [old](a.md#old-name)\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 2u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "broken-link");
    EXPECT_EQ(outcome.findings[0].line, 3);
    EXPECT_EQ(outcome.findings[0].column, 13);
    EXPECT_EQ(outcome.findings[0].suggestion, "img/ok.svg");
    EXPECT_EQ(outcome.findings[1].rule, "missing-anchor");
    EXPECT_EQ(outcome.findings[1].line, 8);
}

TEST(LinksCheck, EscapingTheRepositoryIsAnError) {
    TempDir root;
    write(root.path(), "docs/a.md", "[up](../README.md) [out](../../outside.md) [abs](/../x.md)\n");
    write(root.path(), "README.md", "# Readme\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 2u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "link-escapes-repository");
    EXPECT_EQ(outcome.findings[0].column, 26);
    EXPECT_EQ(outcome.findings[1].rule, "link-escapes-repository");
}

TEST(LinksCheck, LineAnchors) {
    TempDir root;
    write(root.path(), "src/main.c", "int main(void)\n{\n    return 0;\n}\n");
    write(root.path(), "a.md",
          "[ok](src/main.c#L2) [range](src/main.c#L1-L4) [cols](src/main.c#L1C2-L2C1)\n"
          "[past](src/main.c#L5) [reversed](src/main.c#L3-L2) [self](#L1)\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 2u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "bad-line-anchor");
    EXPECT_NE(outcome.findings[0].message.find("lines 1 to 4"), std::string::npos);
    EXPECT_EQ(outcome.findings[1].rule, "bad-line-anchor");
}

TEST(LinksCheck, PercentEncodedPathsAndQueries) {
    TempDir root;
    write(root.path(), "docs/my guide.md", "# Über uns\n");
    write(root.path(), "a.md",
          "[a](docs/my%20guide.md) [b](<docs/my guide.md>) [c](docs/my%20guide.md?plain=1#%C3%BCber-uns)\n");
    const CheckOutcome outcome = run_links(root.path());
    EXPECT_TRUE(outcome.findings.empty()) << describe(outcome);
    EXPECT_EQ(outcome.examined, 3u);
}

TEST(LinksCheck, LinksInCodeAndExternalLinksAreNotChecked) {
    TempDir root;
    write(root.path(), "a.md",
          "`[x](gone.md)`\n\n```\n[y](gone.md)\n```\n\n[web](https://example.com/gone) [mail](mailto:a@b) "
          "<https://example.org> [proto](//cdn.example.com/x.js)\n");
    const CheckOutcome outcome = run_links(root.path());
    EXPECT_TRUE(outcome.findings.empty()) << describe(outcome);
    EXPECT_EQ(outcome.examined, 0u);
}

TEST(LinksCheck, LinksToTheRepositoryOnItsHostAreCheckedAsFiles) {
    TempDir root;
    write(root.path(), ".git/config",
          "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = git@github.com:Example/Shop.git\n"
          "\tfetch = +refs/heads/*:refs/remotes/origin/*\n");
    write(root.path(), "docs/guide.md", "# Guide\n");
    write(root.path(), "README.md",
          "[ok](https://github.com/example/shop/blob/main/docs/guide.md#guide)\n"
          "[gone](https://github.com/example/shop/blob/main/docs/gide.md)\n"
          "[anchor](https://github.com/example/shop/tree/v1/docs/guide.md#nope)\n"
          "[other repository](https://github.com/example/other/blob/main/docs/gone.md)\n");
    CheckContext context;
    context.root = root.path();
    context.files = {"README.md", "docs/guide.md"};  // a fake .git: git itself would not list it
    config::CheckConfig check;
    check.type = config::CheckType::links;
    const CheckOutcome outcome = run_links_check(check, context);
    ASSERT_EQ(outcome.findings.size(), 2u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "broken-link");
    EXPECT_EQ(outcome.findings[0].line, 2);
    EXPECT_NE(outcome.findings[0].message.find("resolved to `docs/gide.md`"), std::string::npos);
    EXPECT_EQ(outcome.findings[0].suggestion, "docs/guide.md");
    EXPECT_EQ(outcome.findings[1].rule, "missing-anchor");
    EXPECT_EQ(outcome.examined, 3u);
}

TEST(LinksCheck, FolderFragmentsUseTheFoldersReadme) {
    TempDir root;
    write(root.path(), "docs/README.md", "# Docs home\n");
    write(root.path(), "a.md", "[ok](docs/#docs-home) [bad](docs#nope)\n");
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 1u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "missing-anchor");
}

TEST(LinksCheck, PathsAndExcludeSelectFilesButTargetsStillResolve) {
    TempDir root;
    write(root.path(), "docs/a.md", "[b](../notes/b.md#beta)\n");
    write(root.path(), "notes/b.md", "# Beta\n[gone](gone.md)\n");
    config::CheckConfig check;
    check.paths = {"docs/**/*.md"};
    const CheckOutcome outcome = run_links(root.path(), check);
    EXPECT_TRUE(outcome.findings.empty()) << describe(outcome);
    EXPECT_EQ(count_of(outcome, "files"), 1u);
    check.paths = {};
    check.exclude = {"docs/**"};
    const CheckOutcome excluded = run_links(root.path(), check);
    ASSERT_EQ(excluded.findings.size(), 1u) << describe(excluded);
    EXPECT_EQ(excluded.findings[0].path, "notes/b.md");
}

TEST(LinksCheck, ManyFilesInParallelGiveSortedDeterministicFindings) {
    TempDir root;
    for (int index = 0; index < 200; ++index) {
        write(root.path(), "docs/page" + std::to_string(index) + ".md",
              "# Page " + std::to_string(index) + "\n\n[next](page" + std::to_string(index + 1) + ".md#page-" +
                  std::to_string(index + 1) + ")\n");
    }
    const CheckOutcome outcome = run_links(root.path());
    ASSERT_EQ(outcome.findings.size(), 1u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].path, "docs/page199.md");
    EXPECT_EQ(outcome.examined, 200u);
}

// --online against a local server: one page, one missing page, one that is rate-limited once.
TEST(LinksCheck, OnlineChecksHttpLinksAndCachesAnswers) {
    test_support::HttpPeer server;
    std::atomic<int> hits{0};
    std::atomic<int> limited_hits{0};
    server.get("/ok", [&](const test_support::PeerRequest&, test_support::PeerResponse& response) {
        ++hits;
        response.set_content("ok", "text/plain");
    });
    server.get("/missing", [&](const test_support::PeerRequest&, test_support::PeerResponse& response) {
        ++hits;
        response.status = 404;
    });
    server.get("/limited", [&](const test_support::PeerRequest&, test_support::PeerResponse& response) {
        ++hits;
        if (limited_hits++ == 0) {
            response.status = 429;
            response.set_header("Retry-After", "1");
            return;
        }
        response.set_content("finally", "text/plain");
    });
    const int port = server.port();

    TempDir root;
    TempDir cache;
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    write(root.path(), "a.md",
          "[ok](" + base + "/ok#section) [missing](" + base + "/missing)\n[limited](" + base + "/limited) [again](" +
              base + "/ok)\n[refused](http://127.0.0.1:1/x)\n");
    CheckContext context;
    context.root = root.path();
    context.files = repository_files(root.path()).value();
    context.online = true;
    context.cache_directory = cache.path();
    config::CheckConfig check;
    check.type = config::CheckType::links;

    const auto started = std::chrono::steady_clock::now();
    const CheckOutcome outcome = run_links_check(check, context);
    const auto elapsed = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(outcome.findings.size(), 2u) << describe(outcome);
    EXPECT_EQ(outcome.findings[0].rule, "dead-link");
    EXPECT_EQ(outcome.findings[0].line, 1);
    EXPECT_NE(outcome.findings[0].message.find("404"), std::string::npos);
    EXPECT_EQ(outcome.findings[1].line, 3);
    EXPECT_EQ(outcome.examined, 5u);
    EXPECT_EQ(limited_hits.load(), 2);  // asked again after Retry-After
    EXPECT_GE(elapsed, std::chrono::milliseconds(900));

    const nlohmann::json cached =
        nlohmann::json::parse(util::read_file(cache.path() / "links-online.json").value())["urls"];
    EXPECT_TRUE(cached.contains(base + "/ok"));
    EXPECT_TRUE(cached.contains(base + "/limited"));
    EXPECT_FALSE(cached.contains(base + "/missing"));  // failures are asked again next time

    // Second run: the pages that were there come from the cache; only the missing one is asked again.
    const int hits_before = hits.load();
    const CheckOutcome again = run_links_check(check, context);
    EXPECT_EQ(again.findings.size(), 2u) << describe(again);
    EXPECT_EQ(hits.load() - hits_before, 1);

    server.stop();
}
