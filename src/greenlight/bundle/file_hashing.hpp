// Hashing many files at once on a few threads; shared by manifest building and folder verification.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/util/result.hpp"
#include "greenlight/util/sha256.hpp"

namespace greenlight::bundle {

// A file to hash: its bundle-relative path and the size seen when the folder was walked.
struct FileToHash {
    std::string path;
    std::uint64_t size = 0;
};

// Hashes `root / file.path` for every file with `jobs` threads (fewer than 1 means one per core).
// The answer at index i belongs to files[i].
std::vector<util::Result<util::FileDigest>> hash_files(const std::filesystem::path& root,
                                                       const std::vector<FileToHash>& files, int jobs);

// Whether `text` is a sha256 digest as greenlight writes it: 64 lowercase hex digits.
bool is_sha256_hex(std::string_view text);

}  // namespace greenlight::bundle
