// The payload of the remote smoke flow: a folder of files (scenario.json, script.json, ...) and the
// manifest that lists each with its sha256. The flow submits nothing unless the folder and the manifest
// agree exactly. See docs/BRIDGE.md ("The payload").
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::bridge {

// One payload file the manifest lists and the folder holds with the listed digest.
struct PayloadFile {
    std::string name;            // relative to the payload folder, '/'-separated
    std::filesystem::path path;  // absolute
    std::string sha256;          // lowercase hex
    std::uint64_t size = 0;
};

// A verified payload.
struct Payload {
    std::filesystem::path folder;    // absolute
    std::filesystem::path manifest;  // absolute path of the manifest file
    std::string manifest_sha256;     // of the manifest file's bytes: names this exact payload
    std::vector<PayloadFile> files;  // sorted by name

    const PayloadFile* find(std::string_view name) const;
};

// What verify_payload found: a payload, or every problem (never just the first).
struct PayloadVerification {
    std::optional<Payload> payload;     // set when problems is empty
    std::vector<std::string> problems;  // "missing: NAME ...", "mismatch: NAME ...", "extra: NAME ...", ...
};

// Reads `folder / manifest_name` and checks every file against it. The manifest may be greenlight's own
// (schema greenlight.manifest/v1, path/size/sha256 entries), {"files": {"NAME": "<sha256>"}} or the flat
// {"NAME": "<sha256>"}. A file listed but absent is missing, a digest (or size) that differs is a
// mismatch, and a regular file in the folder that is not listed (other than the manifest itself and,
// for greenlight's format, manifest-sha256.txt) is extra. Links and special files are problems too.
PayloadVerification verify_payload(const std::filesystem::path& folder, std::string_view manifest_name);

}  // namespace greenlight::bridge
