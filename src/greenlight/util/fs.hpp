// Filesystem helpers: whole-file reads and crash-safe writes (temp file + fsync + rename).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "greenlight/util/result.hpp"

namespace greenlight::util {

// Reads a whole file; the error names the path and the reason.
Result<std::string> read_file(const std::filesystem::path& path);

// How far a write must survive: a crash of greenlight (rename is enough), or a crash of the machine (fsync first).
enum class Durability { process_crash, power_loss };

// Writes `content` to a temporary file beside `path`, then renames it over `path`, so a reader sees
// either the old file or the whole new one, never a half-written one.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content,
                         Durability durability = Durability::power_loss);

// Appends to a file (creating it); used for $GITHUB_STEP_SUMMARY, which others append to too.
Status append_file(const std::filesystem::path& path, std::string_view content);

// Creates a directory and its parents; the error names the path.
Status make_directories(const std::filesystem::path& path);

// A relative path in a bundle is safe when it is not absolute, not empty and has no `..` or `.` parts.
bool is_safe_relative_path(std::string_view path);

}  // namespace greenlight::util
