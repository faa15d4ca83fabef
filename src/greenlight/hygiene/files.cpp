#include "greenlight/hygiene/files.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <system_error>

#include "greenlight/diff/git.hpp"
#include "greenlight/util/glob.hpp"

namespace greenlight::hygiene {

namespace fs = std::filesystem;

namespace {

bool is_git_work_tree(const fs::path& root) {
    std::error_code error;
    for (fs::path folder = fs::absolute(root, error); !folder.empty(); folder = folder.parent_path()) {
        if (fs::exists(folder / ".git", error)) return true;
        if (folder == folder.root_path()) break;
    }
    return false;
}

util::Result<std::vector<std::string>> walk(const fs::path& root) {
    std::vector<std::string> files;
    std::error_code error;
    fs::recursive_directory_iterator it(root, fs::directory_options::none, error);
    if (error) return util::make_error(fmt::format("{}: cannot list files: {}", root.string(), error.message()));
    for (; it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (error) return util::make_error(fmt::format("{}: cannot list files: {}", root.string(), error.message()));
        if (it->is_directory(error) && it->path().filename() == ".git") {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file(error)) files.push_back(it->path().lexically_relative(root).generic_string());
    }
    return files;
}

}  // namespace

util::Result<std::vector<std::string>> repository_files(const fs::path& root) {
    util::Result<std::vector<std::string>> files =
        is_git_work_tree(root) ? diff::git_ls_files(root, diff::UntrackedFiles::include) : walk(root);
    if (!files) return files;
    std::vector<std::string> present;
    present.reserve(files->size());
    std::error_code error;
    for (std::string& file : *files) {
        // ls-files also lists tracked files deleted in the work tree, and submodules (folders).
        if (fs::is_regular_file(root / file, error)) present.push_back(std::move(file));
    }
    std::sort(present.begin(), present.end());
    return present;
}

std::vector<std::string> select_files(const std::vector<std::string>& files, const std::vector<std::string>& paths,
                                      const std::vector<std::string>& exclude) {
    std::vector<std::string> selected;
    for (const std::string& file : files) {
        const auto matches = [&](const std::string& pattern) { return util::glob_match(pattern, file); };
        if (!paths.empty() && std::none_of(paths.begin(), paths.end(), matches)) continue;
        if (std::any_of(exclude.begin(), exclude.end(), matches)) continue;
        selected.push_back(file);
    }
    return selected;
}

}  // namespace greenlight::hygiene
