// How an entry name in a bundle archive maps to a path in the bundle; shared by verify and unpack.
#pragma once

#include <string>
#include <string_view>

#include "greenlight/util/result.hpp"

namespace greenlight::bundle {

// An archive entry name split at its top folder: `run-1/suites/unit/result.json` is
// {top_folder "run-1", relative "suites/unit/result.json"}; the top folder's own entry has an empty relative.
struct ArchivePath {
    std::string top_folder;
    std::string relative;
};

// Only a folder entry's name may end with '/'.
enum class ArchiveEntryKind { folder, not_folder };

// Splits `name`; the error says why the name is unsafe (absolute, `..`, `.` or empty parts), in words a
// user reads after the name.
util::Result<ArchivePath> split_archive_path(std::string_view name, ArchiveEntryKind kind);

}  // namespace greenlight::bundle
