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

// What to do with a file that changes while it is being hashed (a process still writing to it).
enum class ChangingFiles {
    report,    // an error: the bytes read are no proof of anything (verification)
    snapshot,  // copy it to a new file beside it, hashing the copy, and rename the copy over it: the
               // bundle keeps a settled copy no writer holds open (manifest writing)
};

// Hashes one file of a bundle: never follows a link and never waits on a fifo or device (those are
// errors naming what stands there), and notices a file that changes under it.
util::Result<util::FileDigest> hash_bundle_file(const std::filesystem::path& path, ChangingFiles changing);

// Hashes `root / file.path` for every file with `jobs` threads (fewer than 1 means one per core).
// The answer at index i belongs to files[i].
std::vector<util::Result<util::FileDigest>> hash_files(const std::filesystem::path& root,
                                                       const std::vector<FileToHash>& files, int jobs,
                                                       ChangingFiles changing = ChangingFiles::report);

// Whether `text` is a sha256 digest as greenlight writes it: 64 lowercase hex digits.
bool is_sha256_hex(std::string_view text);

// "a fifo", "a socket", ... for a file type from stat(2), in words a message can use.
std::string describe_file_mode(unsigned mode);

}  // namespace greenlight::bundle
