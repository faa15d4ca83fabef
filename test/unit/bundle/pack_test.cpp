#include "greenlight/bundle/pack.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <clocale>
#include <cstdlib>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/verify.hpp"
#include "unit/bundle/bundle_test_support.hpp"

namespace greenlight::bundle {
namespace {

using testing::make_sample_bundle;
using testing::read_test_archive;
using testing::read_text;
using testing::ScopedEnvironment;
using testing::TempDir;
using testing::TestEntry;
using testing::write_test_archive;
using testing::write_text;
namespace fs = std::filesystem;

using Lines = std::vector<std::string>;

class Pack : public ::testing::Test {
protected:
    void SetUp() override {
        m_root = m_scratch.path() / "run-42";
        make_sample_bundle(m_root);
        ASSERT_TRUE(write_manifest(m_root, 2));
        m_archive = m_scratch.path() / "run-42.tar.gz";
    }

    void pack_ok(const fs::path& dir, const fs::path& output) {
        auto packed = pack_bundle(dir, output);
        ASSERT_TRUE(packed) << packed.message();
    }

    // CI may export SOURCE_DATE_EPOCH; these tests decide it themselves.
    ScopedEnvironment m_no_epoch{"SOURCE_DATE_EPOCH", std::nullopt};
    TempDir m_scratch;
    fs::path m_root;
    fs::path m_archive;
};

TEST_F(Pack, SameBundleGivesTheSameBytes) {
    pack_ok(m_root, m_archive);
    fs::path second = m_scratch.path() / "second.tar.gz";
    pack_ok(m_root, second);
    EXPECT_EQ(read_text(m_archive), read_text(second));

    // A copy made later, with other timestamps and another umask's modes, still packs the same,
    // as long as the folder name is the same.
    fs::path copy_parent = m_scratch.path() / "elsewhere";
    fs::create_directories(copy_parent);
    fs::copy(m_root, copy_parent / "run-42", fs::copy_options::recursive);
    auto past = fs::file_time_type::clock::now() - std::chrono::hours(24 * 400);
    for (const auto& entry : fs::recursive_directory_iterator(copy_parent / "run-42")) {
        fs::last_write_time(entry.path(), past);
        if (entry.is_regular_file() && entry.path().filename() == "summary.md") {
            fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write);
        }
    }
    fs::path third = m_scratch.path() / "third.tar.gz";
    pack_ok(copy_parent / "run-42", third);
    EXPECT_EQ(read_text(m_archive), read_text(third));
}

TEST_F(Pack, SourceDateEpochSetsEveryTimestamp) {
    ScopedEnvironment epoch("SOURCE_DATE_EPOCH", "1700000000");
    pack_ok(m_root, m_archive);
    archive* reader = archive_read_new();
    archive_read_support_filter_gzip(reader);
    archive_read_support_format_tar(reader);
    ASSERT_EQ(archive_read_open_filename(reader, m_archive.c_str(), 65536), ARCHIVE_OK);
    archive_entry* entry = nullptr;
    int entries = 0;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        ++entries;
        EXPECT_EQ(archive_entry_mtime(entry), 1700000000) << archive_entry_pathname(entry);
    }
    archive_read_free(reader);
    EXPECT_GT(entries, 10);
}

TEST_F(Pack, MalformedSourceDateEpochIsAnError) {
    ScopedEnvironment epoch("SOURCE_DATE_EPOCH", "yesterday");
    auto packed = pack_bundle(m_root, m_archive);
    ASSERT_FALSE(packed);
    EXPECT_NE(packed.message().find("SOURCE_DATE_EPOCH"), std::string::npos);
    EXPECT_FALSE(fs::exists(m_archive));
}

TEST_F(Pack, EntriesAreSortedUnderOneTopFolderWithNormalisedOwnersAndModes) {
    pack_ok(m_root, m_archive);
    // The gzip header's mtime (bytes 4-7) is zero, so the bytes do not depend on when pack ran.
    std::string bytes = read_text(m_archive);
    ASSERT_GT(bytes.size(), 10u);
    EXPECT_EQ(bytes.substr(4, 4), std::string(4, '\0'));

    archive* reader = archive_read_new();
    archive_read_support_filter_gzip(reader);
    archive_read_support_format_tar(reader);
    ASSERT_EQ(archive_read_open_filename(reader, m_archive.c_str(), 65536), ARCHIVE_OK);
    archive_entry* entry = nullptr;
    Lines names;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        std::string name = archive_entry_pathname(entry);
        names.push_back(name);
        EXPECT_EQ(archive_entry_uid(entry), 0) << name;
        EXPECT_EQ(archive_entry_gid(entry), 0) << name;
        const char* owner_name = archive_entry_uname(entry);
        const char* group_name = archive_entry_gname(entry);
        EXPECT_STREQ(owner_name ? owner_name : "", "") << name;
        EXPECT_STREQ(group_name ? group_name : "", "") << name;
        EXPECT_EQ(archive_entry_mtime(entry), 0) << name;
        EXPECT_FALSE(archive_entry_atime_is_set(entry)) << name;
        EXPECT_FALSE(archive_entry_ctime_is_set(entry)) << name;
        bool executable = name.ends_with("/") || name.ends_with("rerun.sh");
        EXPECT_EQ(archive_entry_perm(entry), executable ? 0755 : 0644) << name;
    }
    archive_read_free(reader);
    ASSERT_FALSE(names.empty());
    EXPECT_EQ(names[0], "run-42/");
    EXPECT_TRUE(std::is_sorted(names.begin() + 1, names.end()));
    EXPECT_NE(std::find(names.begin(), names.end(), "run-42/manifest.json"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "run-42/suites/lint/outputs/empty-folder/"), names.end());
}

TEST_F(Pack, NonAsciiNamesPackTheSameInAnyLocale) {
    write_text(m_root / "suites/unit/outputs/r\xc3\xa9sum\xc3\xa9.txt", "accents\n");
    ASSERT_TRUE(write_manifest(m_root, 1));
    pack_ok(m_root, m_archive);
    fs::path utf8_archive = m_scratch.path() / "utf8.tar.gz";
    std::string previous = std::setlocale(LC_ALL, nullptr);
    if (!std::setlocale(LC_ALL, "C.UTF-8")) GTEST_SKIP() << "no C.UTF-8 locale here";
    pack_ok(m_root, utf8_archive);
    std::setlocale(LC_ALL, previous.c_str());
    EXPECT_EQ(read_text(m_archive), read_text(utf8_archive));
    VerifyReport report = verify_bundle(m_archive);
    EXPECT_TRUE(report.ok()) << format_verify_report(report, m_archive);
}

TEST_F(Pack, DotAndTrailingSlashNameTheFolderItself) {
    pack_ok(m_root.string() + "/", m_archive);
    EXPECT_EQ(read_test_archive(m_archive)[0].name, "run-42/");
}

TEST_F(Pack, ArchiveVerifiesWithoutExtracting) {
    pack_ok(m_root, m_archive);
    VerifyReport report = verify_bundle(m_archive);
    EXPECT_TRUE(report.ok()) << format_verify_report(report, m_archive);
    EXPECT_EQ(report.files_checked, build_manifest(m_root, 1)->files.size());
    EXPECT_EQ(format_verify_report(report, m_archive).rfind("OK: verified ", 0), 0u);
    fs::path tgz = m_scratch.path() / "run-42.tgz";
    fs::rename(m_archive, tgz);
    EXPECT_TRUE(verify_bundle(tgz).ok());
}

TEST_F(Pack, GnuTarExtractsWhatVerifies) {
    pack_ok(m_root, m_archive);
    fs::path out = m_scratch.path() / "gnu";
    fs::create_directories(out);
    std::string command = "tar -xzf '" + m_archive.string() + "' -C '" + out.string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0);
    VerifyReport report = verify_bundle(out / "run-42");
    EXPECT_TRUE(report.ok()) << format_verify_report(report, out / "run-42");
}

TEST_F(Pack, EntryContentChangedInArchiveIsModified) {
    pack_ok(m_root, m_archive);
    std::vector<TestEntry> entries = read_test_archive(m_archive);
    bool changed = false;
    for (TestEntry& entry : entries) {
        if (entry.name == "run-42/suites/unit/result.json") {
            entry.content.replace(entry.content.find("pass"), 4, "fail");
            changed = true;
        }
    }
    ASSERT_TRUE(changed);
    fs::path tampered = m_scratch.path() / "tampered.tar.gz";
    write_test_archive(tampered, entries);
    VerifyReport report = verify_bundle(tampered);
    EXPECT_EQ(report.modified, Lines{"suites/unit/result.json (sha256 differs)"});
    EXPECT_TRUE(report.missing.empty() && report.extra.empty() && report.unsafe.empty() && report.problems.empty())
        << format_verify_report(report, tampered);
}

TEST_F(Pack, EntryRemovedOrAddedInArchiveIsMissingOrExtra) {
    pack_ok(m_root, m_archive);
    std::vector<TestEntry> entries = read_test_archive(m_archive);
    std::erase_if(entries, [](const TestEntry& entry) { return entry.name == "run-42/summary.md"; });
    // The manifest may come anywhere in the stream: move it to the front.
    std::stable_partition(entries.begin(), entries.end(),
                          [](const TestEntry& entry) { return entry.name == "run-42/manifest.json"; });
    entries.push_back({"run-42/suites/unit/outputs/new.txt", AE_IFREG, "added", ""});
    fs::path changed = m_scratch.path() / "changed.tar.gz";
    write_test_archive(changed, entries);
    VerifyReport report = verify_bundle(changed);
    EXPECT_EQ(report.missing, Lines{"summary.md"});
    EXPECT_EQ(report.extra, Lines{"suites/unit/outputs/new.txt"});
    EXPECT_TRUE(report.modified.empty() && report.problems.empty()) << format_verify_report(report, changed);
}

TEST_F(Pack, TraversalAndLinkEntriesInArchiveAreUnsafe) {
    pack_ok(m_root, m_archive);
    std::vector<TestEntry> entries = read_test_archive(m_archive);
    entries.push_back({"run-42/../../etc/cron.d/evil", AE_IFREG, "* * * * * root true\n", ""});
    entries.push_back({"/etc/evil", AE_IFREG, "x", ""});
    entries.push_back({"run-42/suites/passwd", AE_IFLNK, "", "/etc/passwd"});
    entries.push_back({"run-42/suites/hard", AE_IFREG, "", "/etc/shadow"});
    entries.push_back({"run-42/suites/pipe", AE_IFIFO, "", ""});
    entries.push_back({"other-top/file.txt", AE_IFREG, "x", ""});
    fs::path hostile = m_scratch.path() / "hostile.tar.gz";
    write_test_archive(hostile, entries);

    VerifyReport report = verify_bundle(hostile);
    Lines expected = {
        "/etc/evil: absolute path in the archive",
        "other-top/file.txt: not inside the archive's single top folder run-42/",
        "run-42/../../etc/cron.d/evil: archive path is empty or has a '..', '.' or empty part",
        "run-42/suites/hard: hard link entry (to /etc/shadow); a bundle archive holds only files, folders and "
        "symlinks",
        "run-42/suites/pipe: fifo in a bundle archive",
        "suites/passwd: symlink to /etc/passwd leaves the bundle",
    };
    EXPECT_EQ(report.unsafe, expected) << format_verify_report(report, hostile);
    EXPECT_TRUE(report.modified.empty() && report.missing.empty() && report.extra.empty());
    std::string text = format_verify_report(report, hostile);
    EXPECT_NE(text.find("unsafe: run-42/../../etc/cron.d/evil: "), std::string::npos) << text;
    EXPECT_NE(text.find("FAILED: 6 problems in "), std::string::npos) << text;
}

TEST_F(Pack, TruncatedArchiveIsAProblem) {
    pack_ok(m_root, m_archive);
    std::string bytes = read_text(m_archive);
    write_text(m_archive, bytes.substr(0, bytes.size() / 2));
    VerifyReport report = verify_bundle(m_archive);
    EXPECT_FALSE(report.ok());
    EXPECT_FALSE(report.problems.empty());
}

TEST_F(Pack, RefusesSymlinksLeavingTheBundle) {
    fs::create_symlink("/etc/passwd", m_root / "passwd");
    auto packed = pack_bundle(m_root, m_archive);
    ASSERT_FALSE(packed);
    EXPECT_NE(packed.message().find("passwd is a link to the absolute path /etc/passwd"), std::string::npos)
        << packed.message();
    EXPECT_FALSE(fs::exists(m_archive));
}

// A link inside the bundle is packed as a link, verifies as one, and comes back as one when unpacked.
TEST_F(Pack, KeepsSymlinksInsideTheBundleAsLinks) {
    fs::create_symlink("../../lint/result.json", m_root / "suites/unit/outputs/lint-result.json");
    fs::create_symlink("../../lint", m_root / "suites/unit/outputs/lint-folder");
    ASSERT_TRUE(write_manifest(m_root, 1));
    pack_ok(m_root, m_archive);

    std::vector<TestEntry> entries = read_test_archive(m_archive);
    auto link = std::find_if(entries.begin(), entries.end(), [](const TestEntry& entry) {
        return entry.name == "run-42/suites/unit/outputs/lint-result.json";
    });
    ASSERT_NE(link, entries.end());
    EXPECT_EQ(link->type, static_cast<mode_t>(AE_IFLNK));
    EXPECT_EQ(link->link_target, "../../lint/result.json");

    VerifyReport report = verify_bundle(m_archive);
    EXPECT_TRUE(report.ok()) << format_verify_report(report, m_archive);
    EXPECT_EQ(report.links_checked, 2u);

    fs::path unpacked = m_scratch.path() / "unpacked";
    auto opened = unpack_bundle(m_archive, unpacked);
    ASSERT_TRUE(opened) << opened.message();
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(unpacked / "suites/unit/outputs/lint-folder")));
    EXPECT_EQ(fs::read_symlink(unpacked / "suites/unit/outputs/lint-result.json"), "../../lint/result.json");
    VerifyReport again = verify_bundle(unpacked);
    EXPECT_TRUE(again.ok()) << format_verify_report(again, unpacked);
}

// An archive whose links lead out only together (one link through another) is refused whole.
TEST_F(Pack, UnpackRefusesLinksThatLeaveTogether) {
    pack_ok(m_root, m_archive);
    std::vector<TestEntry> entries = read_test_archive(m_archive);
    entries.push_back({"run-42/suites/escape", AE_IFLNK, "", "here/../.."});
    entries.push_back({"run-42/suites/here", AE_IFLNK, "", ".."});
    fs::path hostile = m_scratch.path() / "chained.tar.gz";
    write_test_archive(hostile, entries);
    fs::path unpacked = m_scratch.path() / "unpacked";
    auto opened = unpack_bundle(hostile, unpacked);
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.message().find("suites/escape: a link to here/../.., which leads out of the bundle"),
              std::string::npos)
        << opened.message();
    EXPECT_TRUE(fs::is_empty(unpacked));
    VerifyReport report = verify_bundle(hostile);
    EXPECT_EQ(report.unsafe, Lines{"suites/escape: symlink to here/../.. leaves the bundle"})
        << format_verify_report(report, hostile);
}

TEST_F(Pack, RefusesOutputInsideTheBundle) {
    auto packed = pack_bundle(m_root, m_root / "self.tar.gz");
    ASSERT_FALSE(packed);
    EXPECT_NE(packed.message().find("inside the bundle"), std::string::npos);
}

TEST_F(Pack, LeavesNoTemporaryFileBehind) {
    pack_ok(m_root, m_archive);
    Lines names;
    for (const auto& entry : fs::directory_iterator(m_scratch.path())) names.push_back(entry.path().filename());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (Lines{"run-42", "run-42.tar.gz"}));
}

TEST_F(Pack, UnpackGivesBackTheBundle) {
    pack_ok(m_root, m_archive);
    fs::path destination = m_scratch.path() / "unpacked";
    auto unpacked = unpack_bundle(m_archive, destination);
    ASSERT_TRUE(unpacked) << unpacked.message();
    VerifyReport report = verify_bundle(destination);
    EXPECT_TRUE(report.ok()) << format_verify_report(report, destination);
    EXPECT_EQ(read_text(destination / "suites/unit/result.json"), read_text(m_root / "suites/unit/result.json"));
    EXPECT_TRUE(fs::is_directory(destination / "suites/lint/outputs/empty-folder"));
}

TEST_F(Pack, UnpackRefusesTraversalAndLeavesNothing) {
    fs::path hostile = m_scratch.path() / "hostile.tar.gz";
    write_test_archive(hostile, {{"run-42/", AE_IFDIR, "", ""},
                                 {"run-42/ok.txt", AE_IFREG, "fine", ""},
                                 {"run-42/../escaped.txt", AE_IFREG, "gotcha", ""}});
    fs::path destination = m_scratch.path() / "unpacked";
    auto unpacked = unpack_bundle(hostile, destination);
    ASSERT_FALSE(unpacked);
    EXPECT_NE(unpacked.message().find("run-42/../escaped.txt"), std::string::npos) << unpacked.message();
    EXPECT_FALSE(fs::exists(m_scratch.path() / "escaped.txt"));
    EXPECT_TRUE(fs::is_empty(destination));
}

TEST_F(Pack, UnpackRefusesLinks) {
    fs::path hostile = m_scratch.path() / "hostile.tar.gz";
    write_test_archive(hostile, {{"run-42/", AE_IFDIR, "", ""},
                                 {"run-42/up", AE_IFLNK, "", ".."},
                                 {"run-42/up/escaped.txt", AE_IFREG, "gotcha", ""}});
    fs::path destination = m_scratch.path() / "unpacked";
    ASSERT_FALSE(unpack_bundle(hostile, destination));
    EXPECT_FALSE(fs::exists(m_scratch.path() / "escaped.txt"));
    EXPECT_FALSE(fs::exists(destination / "up"));
}

TEST_F(Pack, UnpackRefusesAFolderThatIsNotEmpty) {
    pack_ok(m_root, m_archive);
    auto unpacked = unpack_bundle(m_archive, m_root);
    ASSERT_FALSE(unpacked);
    EXPECT_NE(unpacked.message().find("not empty"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::bundle
