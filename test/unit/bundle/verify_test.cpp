#include "greenlight/bundle/verify.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "greenlight/bundle/manifest.hpp"
#include "unit/bundle/bundle_test_support.hpp"

namespace greenlight::bundle {
namespace {

using testing::make_sample_bundle;
using testing::read_text;
using testing::TempDir;
using testing::write_text;
namespace fs = std::filesystem;

using Lines = std::vector<std::string>;

// A sample bundle with its manifest, ready to be damaged by a test.
class VerifyFolder : public ::testing::Test {
protected:
    void SetUp() override {
        m_root = m_scratch.path() / "run-42";
        make_sample_bundle(m_root);
        auto written = write_manifest(m_root, 2);
        ASSERT_TRUE(written) << written.message();
        m_file_count = written->files.size();
    }

    VerifyReport verify() { return verify_bundle(m_root, 2); }
    std::string report_text() { return format_verify_report(verify(), m_root); }

    TempDir m_scratch;
    fs::path m_root;
    std::size_t m_file_count = 0;
};

TEST_F(VerifyFolder, IntactBundleIsOk) {
    VerifyReport report = verify();
    EXPECT_TRUE(report.ok()) << format_verify_report(report, m_root);
    EXPECT_EQ(report.files_checked, m_file_count);
    EXPECT_EQ(format_verify_report(report, m_root),
              "OK: verified " + std::to_string(m_file_count) + " files in " + m_root.string() + "\n");
}

TEST_F(VerifyFolder, FlippedByteIsModified) {
    fs::path target = m_root / "suites/unit/output.log";
    std::string content = read_text(target);
    content[500] ^= 0x01;
    write_text(target, content);
    VerifyReport report = verify();
    EXPECT_EQ(report.modified, Lines{"suites/unit/output.log (sha256 differs)"});
    EXPECT_TRUE(report.missing.empty() && report.extra.empty() && report.unsafe.empty() && report.problems.empty());
    EXPECT_EQ(format_verify_report(report, m_root),
              "modified: suites/unit/output.log (sha256 differs)\nFAILED: 1 problem in " + m_root.string() + "\n");
}

TEST_F(VerifyFolder, ChangedSizeIsModifiedWithBothSizes) {
    write_text(m_root / "suites/unit/result.json", "{}");
    VerifyReport report = verify();
    ASSERT_EQ(report.modified.size(), 1u);
    EXPECT_EQ(report.modified[0], "suites/unit/result.json (size 2, manifest says 32)");
}

TEST_F(VerifyFolder, DeletedFileIsMissing) {
    fs::remove(m_root / "suites/unit/result.json");
    VerifyReport report = verify();
    EXPECT_EQ(report.missing, Lines{"suites/unit/result.json"});
    EXPECT_FALSE(report.ok());
    EXPECT_NE(format_verify_report(report, m_root).find("missing: suites/unit/result.json\n"), std::string::npos);
}

TEST_F(VerifyFolder, UnlistedFileIsExtra) {
    write_text(m_root / "suites/unit/outputs/late.txt", "written after the manifest");
    VerifyReport report = verify();
    EXPECT_EQ(report.extra, Lines{"suites/unit/outputs/late.txt"});
    EXPECT_TRUE(report.missing.empty() && report.modified.empty());
    EXPECT_NE(report_text().find("extra: suites/unit/outputs/late.txt\n"), std::string::npos);
}

TEST_F(VerifyFolder, ManifestEntriesOutsideTheBundleAreUnsafeAndNeverRead) {
    std::string hello_sha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
    write_text(m_scratch.path() / "secret.txt", "hello\n");
    std::string json = read_text(m_root / k_manifest_json);
    auto document = nlohmann::json::parse(json);
    document.erase("file_count");
    document.erase("total_bytes");
    document["files"].push_back({{"path", "../secret.txt"}, {"size", 6}, {"sha256", hello_sha256}});
    document["files"].push_back({{"path", "/etc/passwd"}, {"size", 6}, {"sha256", hello_sha256}});
    write_text(m_root / k_manifest_json, document.dump(2));
    write_text(m_root / k_manifest_sha256, read_text(m_root / k_manifest_sha256) + hello_sha256 + "  ../secret.txt\n" +
                                               hello_sha256 + "  /etc/passwd\n");
    VerifyReport report = verify();
    ASSERT_EQ(report.unsafe.size(), 2u) << format_verify_report(report, m_root);
    EXPECT_EQ(report.unsafe[0].rfind("../secret.txt: ", 0), 0u) << report.unsafe[0];
    EXPECT_EQ(report.unsafe[1].rfind("/etc/passwd: ", 0), 0u) << report.unsafe[1];
    EXPECT_TRUE(report.problems.empty()) << format_verify_report(report, m_root);
    EXPECT_TRUE(report.missing.empty());
    EXPECT_EQ(report.files_checked, m_file_count) << "../secret.txt matched, but must not count as checked";
}

TEST_F(VerifyFolder, SymlinkLeavingTheBundleIsUnsafe) {
    fs::create_symlink("/etc/passwd", m_root / "suites/unit/outputs/passwd");
    fs::create_symlink("../../../..", m_root / "suites/unit/outputs/up");
    VerifyReport report = verify();
    ASSERT_EQ(report.unsafe.size(), 2u) << format_verify_report(report, m_root);
    EXPECT_EQ(report.unsafe[0], "suites/unit/outputs/passwd: symlink to /etc/passwd leaves the bundle");
    EXPECT_EQ(report.unsafe[1], "suites/unit/outputs/up: symlink to ../../../.. leaves the bundle");
}

TEST_F(VerifyFolder, ListedFileReplacedBySymlinkIsUnsafe) {
    fs::remove(m_root / "summary.md");
    fs::create_symlink("summary.json", m_root / "summary.md");
    VerifyReport report = verify();
    EXPECT_EQ(report.unsafe, Lines{"summary.md: listed as a file but is a symlink (to summary.json)"});
    EXPECT_TRUE(report.missing.empty()) << "reported once, as unsafe";
}

TEST_F(VerifyFolder, UnlistedSymlinkInsideIsExtra) {
    fs::create_symlink("summary.json", m_root / "alias.json");
    VerifyReport report = verify();
    EXPECT_EQ(report.extra, Lines{"alias.json"});
    EXPECT_TRUE(report.unsafe.empty());
}

// A bundle whose manifest records links: they verify while they point where it says.
class VerifyLinks : public ::testing::Test {
protected:
    void SetUp() override {
        m_root = m_scratch.path() / "run-7";
        make_sample_bundle(m_root);
        fs::create_symlink("../../lint/result.json", m_root / "suites/unit/outputs/lint-result");
        fs::create_symlink("../../lint", m_root / "suites/unit/outputs/lint-folder");
        auto written = write_manifest(m_root, 1);
        ASSERT_TRUE(written) << written.message();
        ASSERT_EQ(written->links.size(), 2u);
    }
    VerifyReport verify() { return verify_bundle(m_root, 2); }
    TempDir m_scratch;
    fs::path m_root;
};

TEST_F(VerifyLinks, LinksInsideVerify) {
    VerifyReport report = verify();
    EXPECT_TRUE(report.ok()) << format_verify_report(report, m_root);
    EXPECT_EQ(report.links_checked, 2u);
    EXPECT_NE(format_verify_report(report, m_root).find(" and 2 links in "), std::string::npos);
}

TEST_F(VerifyLinks, RetargetedLinkIsModified) {
    fs::remove(m_root / "suites/unit/outputs/lint-result");
    fs::create_symlink("../../lint/outputs/rerun.sh", m_root / "suites/unit/outputs/lint-result");
    VerifyReport report = verify();
    EXPECT_EQ(report.modified, Lines{"suites/unit/outputs/lint-result (symlink to ../../lint/outputs/rerun.sh, "
                                     "manifest says to ../../lint/result.json)"});
}

TEST_F(VerifyLinks, RemovedLinkIsMissingAndALinkReplacedByAFileIsModified) {
    fs::remove(m_root / "suites/unit/outputs/lint-folder");
    fs::remove(m_root / "suites/unit/outputs/lint-result");
    write_text(m_root / "suites/unit/outputs/lint-result", "forged\n");
    VerifyReport report = verify();
    EXPECT_EQ(report.missing, Lines{"suites/unit/outputs/lint-folder"});
    EXPECT_EQ(report.modified, Lines{"suites/unit/outputs/lint-result (a plain file, manifest says a symlink to "
                                     "../../lint/result.json)"});
}

TEST_F(VerifyLinks, ListedLinkRetargetedOutOfTheBundleIsUnsafe) {
    fs::remove(m_root / "suites/unit/outputs/lint-folder");
    fs::create_symlink("/etc", m_root / "suites/unit/outputs/lint-folder");
    VerifyReport report = verify();
    EXPECT_EQ(report.unsafe, Lines{"suites/unit/outputs/lint-folder: symlink to /etc leaves the bundle"});
    EXPECT_FALSE(report.ok());
}

// Rewriting the manifest to bless a link that leaves does not help: the manifest entry itself is unsafe.
TEST_F(VerifyLinks, ManifestListingALinkThatLeavesIsUnsafe) {
    auto manifest = parse_manifest_json(read_text(m_root / k_manifest_json));
    ASSERT_TRUE(manifest) << manifest.message();
    manifest->links.push_back({"suites/unit/outputs/passwd", "../../../../../etc/passwd"});
    write_text(m_root / k_manifest_json, manifest_to_json(*manifest));
    fs::create_symlink("../../../../../etc/passwd", m_root / "suites/unit/outputs/passwd");
    VerifyReport report = verify();
    EXPECT_EQ(report.unsafe,
              (Lines{"suites/unit/outputs/passwd: manifest lists a link to ../../../../../etc/passwd, which leads out "
                     "of the bundle",
                     "suites/unit/outputs/passwd: symlink to ../../../../../etc/passwd leaves the bundle"}))
        << format_verify_report(report, m_root);
}

TEST_F(VerifyLinks, Sha256LineForALinkIsAProblem) {
    std::string lines = read_text(m_root / k_manifest_sha256);
    lines += std::string(64, 'a') + "  suites/unit/outputs/lint-result\n";
    write_text(m_root / k_manifest_sha256, lines);
    VerifyReport report = verify();
    EXPECT_EQ(report.problems, Lines{"manifest-sha256.txt gives a sha256 for suites/unit/outputs/lint-result, which "
                                     "manifest.json lists as a link"});
}

TEST_F(VerifyFolder, FifoIsUnsafe) {
    ASSERT_EQ(::mkfifo((m_root / "suites/pipe").c_str(), 0600), 0);
    VerifyReport report = verify();
    EXPECT_EQ(report.unsafe, Lines{"suites/pipe: fifo in a bundle of files, folders and links"});
}

TEST_F(VerifyFolder, TamperedSha256FileIsAProblem) {
    std::string lines = read_text(m_root / k_manifest_sha256);
    std::size_t where = lines.find("  summary.json\n") - 1;
    lines[where] = lines[where] == '0' ? '1' : '0';
    write_text(m_root / k_manifest_sha256, lines);
    VerifyReport report = verify();
    EXPECT_EQ(report.problems, Lines{"manifest-sha256.txt disagrees with manifest.json on the sha256 of summary.json"});
    EXPECT_TRUE(report.modified.empty()) << "the file itself still matches manifest.json";
    EXPECT_NE(report_text().find("problem: manifest-sha256.txt disagrees"), std::string::npos);
}

TEST_F(VerifyFolder, Sha256FileMissingALineIsAProblem) {
    std::string lines = read_text(m_root / k_manifest_sha256);
    lines.erase(0, lines.find('\n') + 1);
    write_text(m_root / k_manifest_sha256, lines + "not a digest line\n");
    VerifyReport report = verify();
    ASSERT_EQ(report.problems.size(), 2u) << format_verify_report(report, m_root);
    EXPECT_NE(report.problems[0].find("line " + std::to_string(m_file_count) + ": expected"), std::string::npos)
        << report.problems[0];
    EXPECT_NE(report.problems[1].find("manifest-sha256.txt does not list"), std::string::npos) << report.problems[1];
}

TEST_F(VerifyFolder, NoManifestIsAProblem) {
    fs::remove(m_root / k_manifest_json);
    VerifyReport report = verify();
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_NE(report.problems[0].find("no manifest.json"), std::string::npos);
    EXPECT_TRUE(report.extra.empty()) << "without a manifest, files are not each reported";
    EXPECT_EQ(report.files_checked, 0u);
}

TEST_F(VerifyFolder, NoSha256FileIsAProblem) {
    fs::remove(m_root / k_manifest_sha256);
    VerifyReport report = verify();
    EXPECT_EQ(report.problems, Lines{"no manifest-sha256.txt at the bundle root beside manifest.json"});
}

TEST_F(VerifyFolder, MalformedJsonAndWrongSchemaAreProblems) {
    write_text(m_root / k_manifest_json, "{\"schema\": \"greenlight.manifest/v1\", \"files\": [");
    VerifyReport broken = verify();
    ASSERT_EQ(broken.problems.size(), 1u);
    EXPECT_NE(broken.problems[0].find("manifest.json is not valid JSON"), std::string::npos) << broken.problems[0];

    write_text(m_root / k_manifest_json, "{\"schema\": \"greenlight.manifest/v2\", \"files\": []}");
    VerifyReport wrong = verify();
    ASSERT_EQ(wrong.problems.size(), 1u);
    EXPECT_NE(wrong.problems[0].find("expected \"schema\": \"greenlight.manifest/v1\""), std::string::npos);
}

TEST_F(VerifyFolder, DuplicatePathIsAProblem) {
    auto document = nlohmann::json::parse(read_text(m_root / k_manifest_json));
    document["files"].push_back(document["files"][0]);
    document.erase("file_count");
    write_text(m_root / k_manifest_json, document.dump(2));
    VerifyReport report = verify();
    ASSERT_FALSE(report.problems.empty());
    EXPECT_NE(report.problems[0].find("is listed more than once"), std::string::npos) << report.problems[0];
}

TEST(Verify, PathThatDoesNotExistIsAProblem) {
    TempDir scratch;
    VerifyReport report = verify_bundle(scratch.path() / "nothing-here", 1);
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_NE(report.problems[0].find("does not exist"), std::string::npos);
    EXPECT_NE(format_verify_report(report, scratch.path() / "nothing-here").find("FAILED: 1 problem in "),
              std::string::npos);
}

TEST(Verify, FileThatIsNotAnArchiveIsAProblem) {
    TempDir scratch;
    write_text(scratch.path() / "bundle.tar.gz", "this is not gzip");
    VerifyReport report = verify_bundle(scratch.path() / "bundle.tar.gz", 1);
    EXPECT_FALSE(report.ok());
    EXPECT_FALSE(report.problems.empty());
}

}  // namespace
}  // namespace greenlight::bundle
