// Makes whatever suites left in a bundle fit for a manifest, so that nothing a suite leaves can stop
// the bundle from being proven.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::bundle {

// One thing settle_bundle_contents() changed: the bundle-relative path and what stood there.
struct SettledEntry {
    std::string path;  // where the note (or the renamed file) now is
    std::string what;  // "a fifo", "a symlink to /etc/passwd, which leads out of the bundle", ...
};

// Walks `dir` without following links and replaces every fifo, socket, device, file greenlight cannot
// read, and link that leads out of the bundle (absolute, climbing out, a loop) by a small note file
// at the same path that says what stood there; links that stay inside are left alone (the manifest
// records them as links). A name the manifest cannot carry (a control character, bytes that are not
// UTF-8) is renamed with those bytes written as %XX. The two manifest files at the root are skipped.
util::Result<std::vector<SettledEntry>> settle_bundle_contents(const std::filesystem::path& dir);

}  // namespace greenlight::bundle
