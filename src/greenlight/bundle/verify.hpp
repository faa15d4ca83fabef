// `greenlight verify`: a bundle (folder or .tar.gz) is complete and unchanged against its manifest.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace greenlight::bundle {

struct VerifyReport {
    std::vector<std::string> missing;   // listed in the manifest, not in the bundle
    std::vector<std::string> extra;     // in the bundle, not listed
    std::vector<std::string> modified;  // size or sha256 differs
    std::vector<std::string> unsafe;  // absolute / `..` entries, links leaving the bundle (or listed so), special files
    std::vector<std::string> problems;  // manifest missing or malformed, the two manifests disagree, unreadable
    std::size_t files_checked = 0;
    std::size_t links_checked = 0;  // links found where the manifest lists them, pointing where it says

    bool ok() const {
        return missing.empty() && extra.empty() && modified.empty() && unsafe.empty() && problems.empty();
    }
};

// Verifies a bundle folder, or a .tar.gz (/.tgz) written by `greenlight pack` (read as a stream,
// never extracted). `jobs` threads hash files of a folder.
VerifyReport verify_bundle(const std::filesystem::path& path, int jobs = 1);

// Human-readable lines: one per problem, then a closing `verified N files` or `N problems` line.
std::string format_verify_report(const VerifyReport& report, const std::filesystem::path& path);

}  // namespace greenlight::bundle
