// Unified diffs (git diff, diff -u): which files a change touches and which lines it adds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::diff {

enum class FileChange { added, modified, deleted, renamed, copied };

std::string_view to_string(FileChange change);

struct AddedLine {
    std::int64_t number = 0;  // line number in the new file, 1-based
    std::string text;         // without the leading '+' and without the newline
};

struct FileDiff {
    std::string old_path;  // empty for an added file (/dev/null)
    std::string new_path;  // empty for a deleted file (/dev/null)
    FileChange change = FileChange::modified;
    bool binary = false;
    int similarity = 0;                       // rename/copy similarity index in percent, when git gives one
    std::vector<AddedLine> added;             // in new-file order
    std::vector<std::int64_t> removed_lines;  // old-file line numbers

    // The path a rule should look at: new_path, or old_path for a deletion.
    const std::string& path() const { return new_path.empty() ? old_path : new_path; }
};

struct Diff {
    std::vector<FileDiff> files;  // in the order the diff lists them
};

struct DiffParseError {
    int line = 0;  // 1-based line of the diff text
    std::string message;
};

using DiffParseOutcome = util::Result<Diff, DiffParseError>;

// Parses `git diff` output (with or without --find-renames, -M, --binary, --no-prefix, a/ b/
// prefixes, quoted paths with octal escapes, `\ No newline at end of file`, mode changes, empty
// files) and plain `diff -u` output. Hunk line counts are checked: a hunk that ends early or
// runs long is an error with its line.
DiffParseOutcome parse_unified_diff(std::string_view text);

}  // namespace greenlight::diff
