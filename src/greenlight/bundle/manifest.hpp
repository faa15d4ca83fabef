// The bundle manifest: every file's path, size and sha256, as manifest.json and manifest-sha256.txt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bundle {

inline constexpr const char* k_manifest_json = "manifest.json";
inline constexpr const char* k_manifest_sha256 = "manifest-sha256.txt";
inline constexpr const char* k_manifest_schema = "greenlight.manifest/v1";
// The `type` of every entry of manifest.json's `links`; the field leaves room for other kinds.
inline constexpr const char* k_link_type_symlink = "symlink";

struct ManifestEntry {
    std::string path;  // relative, '/'-separated, safe (no '..', not absolute)
    std::uint64_t size = 0;
    std::string sha256;  // lowercase hex
};

// A symbolic link kept in the bundle as a link: where it stands and what it points to, as written.
struct ManifestLink {
    std::string path;    // relative, '/'-separated, safe
    std::string target;  // relative, and leading to a place inside the bundle (see links.hpp)
};

struct Manifest {
    std::vector<ManifestEntry> files;  // sorted by path (byte order)
    std::vector<ManifestLink> links;   // sorted by path; only in manifest.json (sha256sum knows no links)
};

// Hashes every regular file under `dir` except the two manifest files, with `jobs` threads, and
// records every symlink whose target stays inside `dir`. A link leading out of the bundle (absolute,
// climbing out, a loop) and any fifo, socket or device is an error: settle_bundle_contents() turns
// those into notes first. `changing` says what to do with a file still being written.
util::Result<Manifest> build_manifest(const std::filesystem::path& dir, int jobs,
                                      ChangingFiles changing = ChangingFiles::report);

// manifest.json text: {"schema": "greenlight.manifest/v1", "files": [{path,size,sha256}...]}, and
// "links": [{path,type,target}...] when the bundle holds links.
std::string manifest_to_json(const Manifest& manifest);
// manifest-sha256.txt text: `<sha256>  <path>` lines, BagIt style.
std::string manifest_to_sha256_lines(const Manifest& manifest);

// Parses manifest.json; rejects unsafe paths (absolute, `..`), duplicates and malformed digests.
util::Result<Manifest> parse_manifest_json(std::string_view text);

// manifest.json read without stopping at the first fault, so that verify can name every bad entry.
struct ManifestReading {
    Manifest manifest;                   // the well-formed, safe entries, sorted by path
    std::vector<std::string> unsafe;     // "<path>: <reason>" for entries that must never be looked up,
                                         // and links whose target leaves the bundle
    std::vector<std::string> problems;   // malformed JSON, wrong schema, bad fields, duplicate paths
    std::set<std::string> listed_paths;  // every path string the file names (files and links), well-formed or not
    bool usable = false;                 // false when the file as a whole cannot be trusted (not JSON, wrong schema)
};
ManifestReading read_manifest_json(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::string_view text);
// Success when a bundle-relative path can go into both manifest files unchanged (JSON and a `sha256sum -c`
// line), else an error saying what in it cannot.
util::Status check_name_can_be_listed(std::string_view path);

// Builds the manifest of `dir` and writes both manifest files atomically (the last files written).
// A file that changes while it is hashed is replaced by a settled copy (ChangingFiles::snapshot).
util::Result<Manifest> write_manifest(const std::filesystem::path& dir, int jobs);

}  // namespace greenlight::bundle
