#include "greenlight/hygiene/runner.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "greenlight/diff/git.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

CheckOutcome dispatch(const config::CheckConfig& check, const CheckContext& context) {
    switch (check.type) {
        case config::CheckType::links:
            return run_links_check(check, context);
        case config::CheckType::placeholders:
            return run_placeholders_check(check, context);
        case config::CheckType::required_files:
            return run_required_files_check(check, context);
        case config::CheckType::registry:
            return run_registry_check(check, context);
        case config::CheckType::protected_paths:
            return run_protected_paths_check(check, context);
        case config::CheckType::command:
            return run_command_check(check, context);
        case config::CheckType::secrets:
            return run_secrets_check(check, context);
    }
    return CheckOutcome{};
}

bool looks_at_the_change(const config::CheckConfig& check) {
    return check.type == config::CheckType::protected_paths ||
           (check.type == config::CheckType::secrets && check.scope == config::CheckScope::changed);
}

// The change the change-aware checks examine: the refs when given, else the work tree against HEAD.
// Without refs and without history (a fresh repository, or no git) there is no change: the checks say so.
util::Result<std::optional<diff::Diff>> change_to_examine(const std::filesystem::path& root,
                                                          const RunOptions& options) {
    if (options.from_ref || options.to_ref) {
        if (!options.from_ref || !options.to_ref) {
            return util::make_error("give both --from-ref and --to-ref (or neither, for the work tree against HEAD)");
        }
        auto change = diff::git_diff(root, *options.from_ref, *options.to_ref);
        if (!change) return change.error();
        return std::optional<diff::Diff>(std::move(*change));
    }
    if (!diff::git_commit_id(root, "HEAD")) return std::optional<diff::Diff>();
    auto change = diff::git_diff_work_tree(root, "HEAD");
    if (!change) return change.error();
    return std::optional<diff::Diff>(std::move(*change));
}

}  // namespace

std::string_view to_string(CheckStatus status) {
    switch (status) {
        case CheckStatus::passed:
            return "passed";
        case CheckStatus::failed:
            return "failed";
        case CheckStatus::warned:
            return "warned";
        case CheckStatus::error:
            return "error";
    }
    return "error";
}

std::string_view to_string(ChecksVerdict verdict) {
    switch (verdict) {
        case ChecksVerdict::passed:
            return "passed";
        case ChecksVerdict::failed:
            return "failed";
        case ChecksVerdict::error:
            return "error";
    }
    return "error";
}

CheckReport run_one_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckReport report;
    report.check = &check;
    const auto start = std::chrono::steady_clock::now();
    report.outcome = dispatch(check, context);
    report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (report.outcome.error) {
        report.status = CheckStatus::error;
        return report;
    }
    // A check that examined nothing proves nothing: a mistyped glob must not pass silently.
    report.examined_nothing = report.outcome.examined == 0 && !report.outcome.change_touches_none;
    const bool failed = report.examined_nothing || !report.outcome.findings.empty();
    if (!failed) {
        report.status = CheckStatus::passed;
    } else {
        report.status = check.mode == config::CheckMode::advisory ? CheckStatus::warned : CheckStatus::failed;
    }
    return report;
}

util::Result<ChecksRun> run_checks(const std::vector<config::CheckConfig>& checks, const std::filesystem::path& root,
                                   const RunOptions& options, const CheckStarted& started) {
    std::vector<std::string> names;
    for (const auto& check : checks) names.push_back(check.name);
    std::vector<const config::CheckConfig*> selected;
    for (const std::string& name : options.only) {
        auto found = std::find(names.begin(), names.end(), name);
        if (found == names.end()) {
            std::string message = fmt::format("--only {}: no check of that name in the config", name);
            if (auto suggestion = util::did_you_mean(name, names)) {
                message += fmt::format("; did you mean '{}'?", *suggestion);
            } else if (!names.empty()) {
                message += fmt::format(" (checks: {})", util::join(names, ", "));
            }
            return util::make_error(std::move(message));
        }
    }
    for (const auto& check : checks) {
        if (options.only.empty() ||
            std::find(options.only.begin(), options.only.end(), check.name) != options.only.end()) {
            selected.push_back(&check);
        }
    }

    CheckContext context;
    context.root = root;
    context.from_ref = options.from_ref;
    context.to_ref = options.to_ref;
    context.online = options.online;
    context.cache_directory = options.cache_directory;
    auto files = repository_files(root);
    if (!files) return files.error();
    context.files = std::move(*files);
    if (std::any_of(selected.begin(), selected.end(), [](const auto* check) { return looks_at_the_change(*check); }) ||
        options.from_ref || options.to_ref) {
        auto change = change_to_examine(root, options);
        if (!change) return change.error();
        context.change = std::move(*change);
    }

    ChecksRun run;
    for (size_t index = 0; index < selected.size(); ++index) {
        if (started) started(*selected[index], index, selected.size());
        run.reports.push_back(run_one_check(*selected[index], context));
    }
    for (const auto& report : run.reports) {
        if (report.status == CheckStatus::error) {
            run.verdict = ChecksVerdict::error;
            break;
        }
        if (report.status == CheckStatus::failed) run.verdict = ChecksVerdict::failed;
    }
    return run;
}

}  // namespace greenlight::hygiene
