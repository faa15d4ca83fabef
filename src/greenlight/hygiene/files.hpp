// The files a check examines: the repository's files (tracked plus untracked-not-ignored, or a walk of the
// folder when it is not a git work tree) narrowed by a check's globs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::hygiene {

// Repository-relative, '/'-separated, sorted; only files that exist on disk now (a tracked file deleted
// in the work tree is left out). Outside git: every regular file under `root`, skipping `.git`.
util::Result<std::vector<std::string>> repository_files(const std::filesystem::path& root);

// The files matching any of `paths` (gitignore-style globs) and none of `exclude`; every file when
// `paths` is empty.
std::vector<std::string> select_files(const std::vector<std::string>& files, const std::vector<std::string>& paths,
                                      const std::vector<std::string>& exclude);

}  // namespace greenlight::hygiene
