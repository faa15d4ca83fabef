#include "greenlight/bundle/manifest.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/bundle/verify.hpp"
#include "unit/bundle/bundle_test_support.hpp"

namespace greenlight::bundle {
namespace {

using testing::make_sample_bundle;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

// sha256 of "hello\n", as `printf 'hello\n' | sha256sum` prints it.
constexpr const char* k_hello_sha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

std::vector<std::string> paths_of(const Manifest& manifest) {
    std::vector<std::string> paths;
    for (const ManifestEntry& entry : manifest.files) paths.push_back(entry.path);
    return paths;
}

TEST(Manifest, ListsEveryFileSortedWithSizeAndDigest) {
    TempDir bundle;
    write_text(bundle.path() / "b.txt", "hello\n");
    write_text(bundle.path() / "a/z.txt", "");
    write_text(bundle.path() / "a.txt", "x");
    auto manifest = build_manifest(bundle.path(), 2);
    ASSERT_TRUE(manifest) << manifest.message();
    // Byte order: "a.txt" < "a/z.txt" because '.' sorts before '/'.
    EXPECT_EQ(paths_of(*manifest), (std::vector<std::string>{"a.txt", "a/z.txt", "b.txt"}));
    EXPECT_EQ(manifest->files[2].size, 6u);
    EXPECT_EQ(manifest->files[2].sha256, k_hello_sha256);
    EXPECT_EQ(manifest->files[1].sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Manifest, WriteThenParseGivesTheSameManifest) {
    TempDir bundle;
    make_sample_bundle(bundle.path());
    auto written = write_manifest(bundle.path(), 2);
    ASSERT_TRUE(written) << written.message();

    auto parsed = parse_manifest_json(read_text(bundle.path() / k_manifest_json));
    ASSERT_TRUE(parsed) << parsed.message();
    ASSERT_EQ(parsed->files.size(), written->files.size());
    for (std::size_t i = 0; i < parsed->files.size(); ++i) {
        EXPECT_EQ(parsed->files[i].path, written->files[i].path);
        EXPECT_EQ(parsed->files[i].size, written->files[i].size);
        EXPECT_EQ(parsed->files[i].sha256, written->files[i].sha256);
    }
    // The manifests never list themselves, and a second run sees the same bundle.
    for (const std::string& path : paths_of(*parsed)) {
        EXPECT_NE(path, k_manifest_json);
        EXPECT_NE(path, k_manifest_sha256);
    }
    auto again = build_manifest(bundle.path(), 1);
    ASSERT_TRUE(again);
    EXPECT_EQ(manifest_to_json(*again), read_text(bundle.path() / k_manifest_json));
}

TEST(Manifest, JsonCarriesSchemaAndTotals) {
    TempDir bundle;
    write_text(bundle.path() / "one.txt", "hello\n");
    write_text(bundle.path() / "two/three.txt", "abc");
    ASSERT_TRUE(write_manifest(bundle.path(), 1));
    auto document = nlohmann::json::parse(read_text(bundle.path() / k_manifest_json));
    EXPECT_EQ(document["schema"], "greenlight.manifest/v1");
    EXPECT_EQ(document["file_count"], 2);
    EXPECT_EQ(document["total_bytes"], 9);
    EXPECT_EQ(document["files"][0]["path"], "one.txt");
    EXPECT_EQ(document["files"][0]["size"], 6);
    EXPECT_EQ(document["files"][0]["sha256"], k_hello_sha256);
    EXPECT_EQ(read_text(bundle.path() / k_manifest_sha256),
              std::string(k_hello_sha256) + "  one.txt\n" +
                  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  two/three.txt\n");
}

TEST(Manifest, Sha256LinesPassSha256sumCheck) {
    TempDir bundle;
    make_sample_bundle(bundle.path());
    ASSERT_TRUE(write_manifest(bundle.path(), 2));
    std::string command = "cd '" + bundle.path().string() + "' && sha256sum --check --strict --quiet " +
                          k_manifest_sha256 + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);

    write_text(bundle.path() / "suites/unit/result.json", "{\"verdict\": \"fail\"}\n");
    EXPECT_NE(std::system(command.c_str()), 0) << "sha256sum must notice the change too";
}

TEST(Manifest, ManyJobsGiveTheSameManifestAsOne) {
    TempDir bundle;
    make_sample_bundle(bundle.path());
    for (int i = 0; i < 50; ++i) {
        write_text(bundle.path() / "many" / (std::to_string(i) + ".txt"), std::string(i * 1000, 'a' + i % 26));
    }
    auto one = build_manifest(bundle.path(), 1);
    auto four = build_manifest(bundle.path(), 4);
    auto automatic = build_manifest(bundle.path(), 0);
    ASSERT_TRUE(one && four && automatic);
    EXPECT_EQ(manifest_to_json(*one), manifest_to_json(*four));
    EXPECT_EQ(manifest_to_json(*one), manifest_to_json(*automatic));
}

TEST(Manifest, EmptyBundleHasAnEmptyList) {
    TempDir bundle;
    auto manifest = write_manifest(bundle.path(), 2);
    ASSERT_TRUE(manifest) << manifest.message();
    EXPECT_TRUE(manifest->files.empty());
    EXPECT_EQ(read_text(bundle.path() / k_manifest_sha256), "");
}

TEST(Manifest, OnlyRootManifestFilesAreSkipped) {
    TempDir bundle;
    write_text(bundle.path() / k_manifest_json, "old");
    write_text(bundle.path() / "smoke" / k_manifest_json, "{}");
    auto manifest = build_manifest(bundle.path(), 1);
    ASSERT_TRUE(manifest);
    EXPECT_EQ(paths_of(*manifest), (std::vector<std::string>{"smoke/manifest.json"}));
}

TEST(Manifest, SymlinkInsideIsRecordedAsALink) {
    TempDir bundle;
    write_text(bundle.path() / "real.txt", "x");
    write_text(bundle.path() / "reports/index.html", "<p>");
    std::filesystem::create_symlink("real.txt", bundle.path() / "link.txt");
    std::filesystem::create_symlink("../reports", bundle.path() / "reports/self");
    std::filesystem::create_symlink("not-there-yet.txt", bundle.path() / "dangling.txt");
    auto manifest = write_manifest(bundle.path(), 1);
    ASSERT_TRUE(manifest) << manifest.message();
    EXPECT_EQ(paths_of(*manifest), (std::vector<std::string>{"real.txt", "reports/index.html"}));
    ASSERT_EQ(manifest->links.size(), 3u);
    EXPECT_EQ(manifest->links[0].path, "dangling.txt");
    EXPECT_EQ(manifest->links[1].path, "link.txt");
    EXPECT_EQ(manifest->links[1].target, "real.txt");
    EXPECT_EQ(manifest->links[2].path, "reports/self");

    auto json = nlohmann::json::parse(read_text(bundle.path() / k_manifest_json));
    EXPECT_EQ(json["file_count"], 2);
    EXPECT_EQ(json["links"][1], (nlohmann::json{{"path", "link.txt"}, {"type", "symlink"}, {"target", "real.txt"}}));
    // sha256sum -c knows no links: the text file lists regular files only.
    EXPECT_EQ(read_text(bundle.path() / k_manifest_sha256).find("link.txt"), std::string::npos);
    auto parsed = parse_manifest_json(read_text(bundle.path() / k_manifest_json));
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(parsed->links.size(), 3u);
}

TEST(Manifest, SymlinkLeavingTheBundleIsAnError) {
    for (const char* target : {"/etc/passwd", "../outside", "a/../../outside", "loop"}) {
        SCOPED_TRACE(target);
        TempDir bundle;
        std::filesystem::create_directories(bundle.path() / "a");
        std::filesystem::create_symlink(target, bundle.path() / "loop");
        auto manifest = build_manifest(bundle.path(), 1);
        ASSERT_FALSE(manifest);
        EXPECT_NE(manifest.message().find("a bundle keeps only links that stay inside it"), std::string::npos)
            << manifest.message();
    }
}

TEST(Manifest, LinksThatLeaveTheBundleInAManifestAreUnsafe) {
    ManifestReading reading = read_manifest_json(R"({"schema": "greenlight.manifest/v1", "files": [], "links": [)"
                                                 R"({"path": "a", "type": "symlink", "target": "/etc/passwd"},)"
                                                 R"({"path": "d/b", "type": "symlink", "target": "../.."},)"
                                                 R"({"path": "d/c", "type": "symlink", "target": "../a"},)"
                                                 R"({"path": "d/e", "type": "hardlink", "target": "x"}]})");
    EXPECT_EQ(reading.unsafe,
              (std::vector<std::string>{"a: manifest lists a link to the absolute path /etc/passwd",
                                        "d/b: manifest lists a link to ../.., which leads out of the bundle",
                                        "d/c: manifest lists a link to ../a, which leads out of the bundle"}));
    EXPECT_EQ(reading.problems, (std::vector<std::string>{"manifest.json: link d/e needs \"type\": \"symlink\""}));
    EXPECT_TRUE(reading.manifest.links.empty());
}

// Hashing never waits on a fifo: the answer names what stands there.
TEST(Manifest, HashingAFifoDoesNotBlock) {
    TempDir bundle;
    ASSERT_EQ(::mkfifo((bundle.path() / "pipe").c_str(), 0600), 0);
    auto digest = hash_bundle_file(bundle.path() / "pipe", ChangingFiles::report);
    ASSERT_FALSE(digest);
    EXPECT_NE(digest.message().find("pipe is a fifo, not a regular file"), std::string::npos) << digest.message();
}

// A process still appending to a file while the manifest is written: the bundle keeps a settled copy
// the writer no longer reaches, so the bundle verifies afterwards however long the writer goes on.
TEST(Manifest, FileChangingWhileHashedIsSnapshotted) {
    TempDir bundle;
    const std::filesystem::path log = bundle.path() / "suites/daemon/outputs/daemon.log";
    write_text(log, std::string(32 << 20, 'x'));
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> writes{0};
    std::thread writer([&] {
        std::ofstream out(log, std::ios::binary | std::ios::app);
        while (!stop) {
            out << "still writing\n" << std::flush;
            ++writes;
            std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
    });
    // Until the writer has started, the hash could read a file no one writes to yet.
    while (writes == 0) std::this_thread::yield();
    auto manifest = write_manifest(bundle.path(), 1);
    // The writer goes on after the manifest: a hundred more lines before the bundle is verified.
    const std::uint64_t at_manifest = writes;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (writes < at_manifest + 100 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    EXPECT_GE(writes, at_manifest + 100);
    VerifyReport report = verify_bundle(bundle.path(), 1);
    stop = true;
    writer.join();
    ASSERT_TRUE(manifest) << manifest.message();
    EXPECT_TRUE(report.ok()) << format_verify_report(report, bundle.path());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(log.parent_path()), {}), 1)
        << "no snapshot file is left beside the log";
}

TEST(Manifest, FifoInsideIsAnErrorUntilSettled) {
    TempDir bundle;
    ASSERT_EQ(::mkfifo((bundle.path() / "pipe").c_str(), 0600), 0);
    auto manifest = build_manifest(bundle.path(), 1);
    ASSERT_FALSE(manifest);
    EXPECT_NE(manifest.message().find("fifo"), std::string::npos) << manifest.message();
}

TEST(Manifest, NameWithNewlineIsRefused) {
    TempDir bundle;
    write_text(bundle.path() / "two\nlines.txt", "x");
    auto manifest = build_manifest(bundle.path(), 1);
    ASSERT_FALSE(manifest);
    EXPECT_NE(manifest.message().find("control character"), std::string::npos) << manifest.message();
}

TEST(Manifest, MissingFolderIsAnError) {
    TempDir scratch;
    auto manifest = build_manifest(scratch.path() / "absent", 1);
    ASSERT_FALSE(manifest);
    EXPECT_NE(manifest.message().find("absent is not a folder"), std::string::npos) << manifest.message();
}

std::string manifest_with(const std::string& files_json) {
    return R"({"schema": "greenlight.manifest/v1", "files": [)" + files_json + "]}";
}

std::string entry_json(const std::string& path) {
    return R"({"path": ")" + path + R"(", "size": 6, "sha256": ")" + k_hello_sha256 + R"("})";
}

TEST(ManifestParse, RejectsUnsafePaths) {
    for (const std::string path : {"../etc/passwd", "/abs", "a//b", "a/./b", "", "a/../../b"}) {
        auto parsed = parse_manifest_json(manifest_with(entry_json(path)));
        EXPECT_FALSE(parsed) << "accepted " << path;
    }
    EXPECT_TRUE(parse_manifest_json(manifest_with(entry_json("suites/unit/result.json"))));
}

TEST(ManifestParse, ReadingNamesEveryUnsafeEntry) {
    ManifestReading reading = read_manifest_json(
        manifest_with(entry_json("../etc/passwd") + "," + entry_json("/abs") + "," + entry_json("ok.txt")));
    EXPECT_TRUE(reading.usable);
    EXPECT_TRUE(reading.problems.empty());
    ASSERT_EQ(reading.unsafe.size(), 2u);
    EXPECT_EQ(reading.unsafe[0].rfind("../etc/passwd: ", 0), 0u) << reading.unsafe[0];
    EXPECT_EQ(reading.unsafe[1].rfind("/abs: ", 0), 0u) << reading.unsafe[1];
    ASSERT_EQ(reading.manifest.files.size(), 1u);
    EXPECT_EQ(reading.manifest.files[0].path, "ok.txt");
}

TEST(ManifestParse, RejectsDuplicatesBadDigestsAndWrongSchema) {
    auto duplicate = parse_manifest_json(manifest_with(entry_json("a.txt") + "," + entry_json("a.txt")));
    ASSERT_FALSE(duplicate);
    EXPECT_NE(duplicate.message().find("a.txt is listed more than once"), std::string::npos);

    auto bad_digest = parse_manifest_json(manifest_with(R"({"path": "a.txt", "size": 1, "sha256": "ABC"})"));
    ASSERT_FALSE(bad_digest);
    EXPECT_NE(bad_digest.message().find("64 lowercase hex"), std::string::npos);

    auto negative_size = parse_manifest_json(
        manifest_with(R"({"path": "a.txt", "size": -1, "sha256": ")" + std::string(k_hello_sha256) + "\"}"));
    EXPECT_FALSE(negative_size);

    auto wrong_schema = parse_manifest_json(R"({"schema": "bagit", "files": []})");
    ASSERT_FALSE(wrong_schema);
    EXPECT_NE(wrong_schema.message().find("greenlight.manifest/v1"), std::string::npos);

    auto not_json = parse_manifest_json("{\"schema\": ");
    ASSERT_FALSE(not_json);
    EXPECT_NE(not_json.message().find("not valid JSON"), std::string::npos);

    auto wrong_count = parse_manifest_json(R"({"schema": "greenlight.manifest/v1", "file_count": 2, "files": [)" +
                                           entry_json("a.txt") + "]}");
    ASSERT_FALSE(wrong_count);
    EXPECT_NE(wrong_count.message().find("file_count"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::bundle
