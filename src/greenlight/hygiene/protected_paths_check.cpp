// The `protected-paths` check: files others link to or depend on (docs, schemas, public headers) must not
// be deleted or renamed by a change without someone noticing.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/util/glob.hpp"

namespace greenlight::hygiene {

namespace {

bool is_protected(const std::string& path, const config::CheckConfig& check) {
    const auto matches = [&](const std::string& pattern) { return util::glob_match(pattern, path); };
    return std::any_of(check.paths.begin(), check.paths.end(), matches) &&
           std::none_of(check.exclude.begin(), check.exclude.end(), matches);
}

}  // namespace

CheckOutcome run_protected_paths_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "paths";
    if (check.paths.empty()) {
        outcome.error = fmt::format("check `{}` (line {}): `paths` is empty; list the globs of the files to protect",
                                    check.name, check.line);
        return outcome;
    }
    if (!context.change) {
        outcome.error = fmt::format(
            "check `{}` needs a change to look at, and there is no git history here: run it in a git work tree "
            "with at least one commit, or give --from-ref and --to-ref (in CI, fetch enough history for both)",
            check.name);
        return outcome;
    }

    std::set<std::string> considered;
    for (const std::string& file : select_files(context.files, check.paths, check.exclude)) considered.insert(file);
    for (const diff::FileDiff& file : context.change->files) {
        if (file.change != diff::FileChange::deleted && file.change != diff::FileChange::renamed) continue;
        if (!is_protected(file.old_path, check)) continue;
        considered.insert(file.old_path);
        Finding finding;
        finding.path = file.old_path;
        if (file.change == diff::FileChange::deleted) {
            finding.rule = "protected-path-deleted";
            finding.message = fmt::format(
                "{} is protected (check `{}`) and this change deletes it; restore it, or, if the deletion is "
                "intended, remove it from the check's `paths` in the same change so a reviewer sees it",
                file.old_path, check.name);
        } else {
            finding.rule = "protected-path-renamed";
            finding.message = fmt::format(
                "{} is protected (check `{}`) and this change renames it to {}; links and tools that use the old "
                "path break: keep the old path, or update the check's `paths` in the same change so a reviewer "
                "sees it",
                file.old_path, check.name, file.new_path);
        }
        outcome.findings.push_back(std::move(finding));
    }
    outcome.examined = considered.size();
    return outcome;
}

}  // namespace greenlight::hygiene
