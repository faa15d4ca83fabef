// The bundle manifest: every file's path, size and sha256, as manifest.json and manifest-sha256.txt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::bundle {

inline constexpr const char* k_manifest_json = "manifest.json";
inline constexpr const char* k_manifest_sha256 = "manifest-sha256.txt";
inline constexpr const char* k_manifest_schema = "greenlight.manifest/v1";

struct ManifestEntry {
    std::string path;  // relative, '/'-separated, safe (no '..', not absolute)
    std::uint64_t size = 0;
    std::string sha256;  // lowercase hex
};

struct Manifest {
    std::vector<ManifestEntry> files;  // sorted by path (byte order)
};

// Hashes every regular file under `dir` except the two manifest files, with `jobs` threads.
// Symlinks and other special files are an error: a bundle holds plain files only.
util::Result<Manifest> build_manifest(const std::filesystem::path& dir, int jobs);

// manifest.json text: {"schema": "greenlight.manifest/v1", "files": [{path,size,sha256}...]}
std::string manifest_to_json(const Manifest& manifest);
// manifest-sha256.txt text: `<sha256>  <path>` lines, BagIt style.
std::string manifest_to_sha256_lines(const Manifest& manifest);

// Parses manifest.json; rejects unsafe paths (absolute, `..`), duplicates and malformed digests.
util::Result<Manifest> parse_manifest_json(std::string_view text);

// manifest.json read without stopping at the first fault, so that verify can name every bad entry.
struct ManifestReading {
    Manifest manifest;                   // the well-formed, safe entries, sorted by path
    std::vector<std::string> unsafe;     // "<path>: <reason>" for entries that must never be looked up
    std::vector<std::string> problems;   // malformed JSON, wrong schema, bad fields, duplicate paths
    std::set<std::string> listed_paths;  // every path string the file names, well-formed or not
    bool usable = false;                 // false when the file as a whole cannot be trusted (not JSON, wrong schema)
};
ManifestReading read_manifest_json(std::string_view text);

// Builds the manifest of `dir` and writes both manifest files atomically (the last files written).
util::Result<Manifest> write_manifest(const std::filesystem::path& dir, int jobs);

}  // namespace greenlight::bundle
