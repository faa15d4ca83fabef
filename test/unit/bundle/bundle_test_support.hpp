// Temporary bundles and hand-made archives for the bundle tests.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>
#include "support/test_support.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace greenlight::bundle::testing {

namespace fs = std::filesystem;

using test_support::ScopedEnvironment;

// A temporary folder named for this area.
class TempDir : public test_support::TempDir {
public:
    TempDir() : test_support::TempDir("greenlight-bundle-test") {}
};

inline void write_text(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
}

inline std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// A bundle shaped like a real run: summary, per-suite results and logs, an output with a long path
// (longer than ustar's 100-byte name field) and an executable script.
inline void make_sample_bundle(const fs::path& root) {
    write_text(root / "summary.json", "{\"schema\": \"greenlight.summary/v1\", \"verdict\": \"pass\"}\n");
    write_text(root / "summary.md", "# billing: pass\n");
    write_text(root / "junit.xml", "<testsuites><testsuite name=\"unit\" tests=\"3\"/></testsuites>\n");
    write_text(root / "suites/unit/result.json", "{\"verdict\": \"pass\", \"tests\": 3}\n");
    write_text(root / "suites/unit/output.log", std::string(100000, 'x') + "\nall tests passed\n");
    write_text(root /
                   "suites/unit/outputs/a-rather-long-folder-name-for-reports/another-long-folder-name-inside-it/"
                   "coverage-report-with-a-long-name.xml",
               "<coverage line-rate=\"0.9\"/>\n");
    write_text(root / "suites/lint/result.json", "{\"verdict\": \"pass\", \"tests\": 1}\n");
    write_text(root / "suites/lint/outputs/rerun.sh", "#!/bin/sh\nexit 0\n");
    fs::permissions(root / "suites/lint/outputs/rerun.sh",
                    fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add);
    fs::create_directories(root / "suites/lint/outputs/empty-folder");
    write_text(root / "empty.txt", "");
}

// One entry of a hand-made archive.
struct TestEntry {
    std::string name;
    mode_t type = AE_IFREG;
    std::string content;      // for files
    std::string link_target;  // for symlinks and hard links
};

// Writes a .tar.gz holding exactly `entries`, the way an attacker or a foreign tool could.
inline void write_test_archive(const fs::path& output, const std::vector<TestEntry>& entries) {
    archive* writer = archive_write_new();
    archive_write_set_format_pax_restricted(writer);
    archive_write_add_filter_gzip(writer);
    ASSERT_EQ(archive_write_open_filename(writer, output.c_str()), ARCHIVE_OK);
    for (const TestEntry& item : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_copy_pathname(entry, item.name.c_str());
        archive_entry_set_perm(entry, 0644);
        if (item.type == AE_IFLNK && !item.link_target.empty()) {
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_copy_symlink(entry, item.link_target.c_str());
        } else if (item.type == AE_IFREG && !item.link_target.empty()) {
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_copy_hardlink(entry, item.link_target.c_str());
        } else {
            archive_entry_set_filetype(entry, item.type);
            archive_entry_set_size(entry, static_cast<la_int64_t>(item.content.size()));
        }
        ASSERT_GE(archive_write_header(writer, entry), ARCHIVE_WARN) << archive_error_string(writer);
        if (!item.content.empty()) archive_write_data(writer, item.content.data(), item.content.size());
        archive_entry_free(entry);
    }
    ASSERT_EQ(archive_write_close(writer), ARCHIVE_OK);
    archive_write_free(writer);
}

// Reads every entry of a .tar.gz: name, type and content.
inline std::vector<TestEntry> read_test_archive(const fs::path& input) {
    std::vector<TestEntry> entries;
    archive* reader = archive_read_new();
    archive_read_support_filter_gzip(reader);
    archive_read_support_format_tar(reader);
    EXPECT_EQ(archive_read_open_filename(reader, input.c_str(), 65536), ARCHIVE_OK);
    archive_entry* entry = nullptr;
    while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
        const char* link = archive_entry_symlink(entry);
        TestEntry item{archive_entry_pathname(entry), archive_entry_filetype(entry), "", link ? link : ""};
        char buffer[65536];
        la_ssize_t got = 0;
        while ((got = archive_read_data(reader, buffer, sizeof buffer)) > 0) item.content.append(buffer, got);
        entries.push_back(std::move(item));
    }
    archive_read_free(reader);
    return entries;
}

}  // namespace greenlight::bundle::testing
