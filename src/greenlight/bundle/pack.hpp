// `greenlight pack`: a deterministic .tar.gz of a bundle (the same bundle gives the same bytes).
#pragma once

#include <filesystem>

#include "greenlight/util/result.hpp"

namespace greenlight::bundle {

// Writes `dir` as a gzip-compressed tar: entries sorted by path, mtime fixed (SOURCE_DATE_EPOCH or 0),
// owner 0/0 with empty names, modes normalised to 0644/0755 (0777 for symlinks, which are kept as
// symlinks; one leading out of the bundle is refused), no gzip timestamp. The archive's
// top-level folder is the bundle folder's name. Written to a temp file and renamed.
util::Status pack_bundle(const std::filesystem::path& dir, const std::filesystem::path& output);

// Extracts an archive written by pack_bundle so that `destination` becomes the bundle folder (the
// archive's single top folder is stripped). `destination` must be new or empty; absolute names, `..`,
// hard links, special files and symlinks leading out of the bundle are refused, and a refused archive
// leaves `destination` empty.
util::Status unpack_bundle(const std::filesystem::path& archive, const std::filesystem::path& destination);

}  // namespace greenlight::bundle
