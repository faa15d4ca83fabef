// Asking git about a change: the diff between two revisions, trees and patch ids (for staleness).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/diff/unified_diff.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::diff {

// Runs `git -C repo diff --no-color --no-ext-diff --find-renames -U0 base...head` (merge-base
// form, as a pull request shows it) and parses it. Errors name the git command and its stderr.
util::Result<Diff> git_diff(const std::filesystem::path& repo, const std::string& base, const std::string& head);

// The work tree (staged and unstaged changes to tracked files) against `base`: what a commit made now
// would change. Untracked files are not part of it.
util::Result<Diff> git_diff_work_tree(const std::filesystem::path& repo, const std::string& base = "HEAD");

// `git rev-parse <rev>^{commit}` / `^{tree}`.
util::Result<std::string> git_commit_id(const std::filesystem::path& repo, const std::string& revision);
util::Result<std::string> git_tree_id(const std::filesystem::path& repo, const std::string& revision);

// The stable patch id (`git patch-id --stable`) of the change base...revision: the same for a
// rebase that produced the same patch. Empty when the change is empty.
util::Result<std::string> git_patch_id(const std::filesystem::path& repo, const std::string& base,
                                       const std::string& revision);

// Attributes of paths (e.g. `linguist-generated`) as `git check-attr` reports them from the work tree's
// .gitattributes; true when the value is `set` or `true`. One result per path, in order.
util::Result<std::vector<bool>> git_attribute_set(const std::filesystem::path& repo, const std::string& attribute,
                                                  const std::vector<std::string>& paths);

// The content of `path` (relative to `repo`, as a shell in that folder names it) at `revision`, read from git's
// objects, never from the work tree; empty when the revision has no such file.
util::Result<std::optional<std::string>> git_file_at(const std::filesystem::path& repo, const std::string& revision,
                                                     const std::filesystem::path& path);

// Where `repo` sits inside its repository (`git rev-parse --show-prefix`): "" at the top, else "sub/dir/". Paths
// in a diff are relative to the top.
util::Result<std::string> git_prefix(const std::filesystem::path& repo);

enum class UntrackedFiles { exclude, include };

// Every tracked file, repository-relative (`git ls-files -z`); with UntrackedFiles::include also the
// untracked files .gitignore does not exclude (what a commit of the work tree would hold).
util::Result<std::vector<std::string>> git_ls_files(const std::filesystem::path& repo,
                                                    UntrackedFiles untracked = UntrackedFiles::exclude);

}  // namespace greenlight::diff
