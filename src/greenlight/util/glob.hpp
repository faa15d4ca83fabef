// Path globs in the gitignore style: `*` and `?` within one path part, `**` across parts,
// `[abc]`/`[!a-z]` classes; a pattern without a `/` matches the last part of a path anywhere,
// one with a `/` (or a leading `/`) is anchored at the root.
#pragma once

#include <string_view>

namespace greenlight::util {

// `path` is repository-relative and '/'-separated, e.g. `src/app/main.c`.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace greenlight::util
