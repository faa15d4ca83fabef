// The gate's rules from the base commit's greenlight.yml, and whether the change edits how it is judged.
#include "greenlight/gate/rules_source.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "greenlight/diff/git.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::gate {

namespace fs = std::filesystem;

namespace {

// A config's errors as one message, each on its own line with its position.
util::Error config_errors(const config::LoadOutcome& loaded, const std::string& what) {
    std::string message;
    for (const auto& error : loaded.errors) message += error.to_string() + "\n";
    message += fmt::format("{}: {} error{} in the config; fix {} and run again", what, loaded.errors.size(),
                           loaded.errors.size() == 1 ? "" : "s", loaded.errors.size() == 1 ? "it" : "them");
    return util::make_error(message);
}

// The config file relative to the checkout folder, or empty when it lies outside (then no commit holds it).
fs::path inside_checkout(const fs::path& config_file, const fs::path& repo) {
    std::error_code error;
    const fs::path file = fs::weakly_canonical(fs::absolute(config_file), error);
    const fs::path root = fs::weakly_canonical(fs::absolute(repo), error);
    const fs::path relative = file.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..") return {};
    return relative;
}

void note_replaced_defaults(GateRules& rules) {
    if (rules.config.replace_default_rules) {
        rules.notes.push_back(
            "gate.replace_default_rules is true: the default rules, critical zones included, are replaced by the "
            "file's");
    }
}

// The rules of the file on disk: for a saved diff (no base commit to read), a config outside the checkout,
// or --rules-from work-tree.
util::Result<GateRules> rules_from_disk(const RulesRequest& request, std::string origin) {
    GateRules rules;
    std::error_code error;
    if (!fs::exists(request.config_file, error)) {
        if (request.config_named)
            return util::make_error(fmt::format("{} does not exist", request.config_file.string()));
        rules.config = config::default_gate_config();
        rules.origin = fmt::format("the defaults (no {})", request.config_file.string());
        return rules;
    }
    config::LoadOutcome loaded = config::load_config(request.config_file);
    if (!loaded.config) return config_errors(loaded, request.config_file.string());
    rules.config = loaded.config->gate;
    rules.origin = std::move(origin);
    note_replaced_defaults(rules);
    return rules;
}

// Whether the change edits the judging sections of the config at `path_in_repo` (relative to the top).
util::Result<std::optional<RiskReason>> config_change(const RulesRequest& request, const diff::Diff& change,
                                                      const fs::path& in_checkout, const std::string& path_in_repo) {
    const auto touched = std::find_if(change.files.begin(), change.files.end(), [&](const diff::FileDiff& file) {
        return file.new_path == path_in_repo || file.old_path == path_in_repo;
    });
    if (touched == change.files.end()) return std::optional<RiskReason>();
    RiskReason reason{k_gate_config_rule, k_gate_config_tier, path_in_repo, 0, ""};
    if (!request.change.diff_file.empty()) {
        // A saved diff shows the added lines only, not which section they sit in.
        reason.matched = "the config changed (a saved diff cannot show whether its gate: section did)";
        return std::optional<RiskReason>(reason);
    }
    auto before = diff::git_file_at(request.change.repo, request.change.base, in_checkout);
    if (!before) return before.error();
    auto after = diff::git_file_at(request.change.repo, request.change.head, in_checkout);
    if (!after) return after.error();
    const std::string before_text = config::judging_sections_text(before->value_or(""));
    const std::string after_text = config::judging_sections_text(after->value_or(""));
    if (before_text == after_text) return std::optional<RiskReason>();
    reason.matched = "the change edits the gate: or promote: section, which decides how changes are judged";
    if (!touched->added.empty()) reason.line = touched->added.front().number;
    return std::optional<RiskReason>(reason);
}

}  // namespace

util::Result<GateRules> read_gate_rules(const RulesRequest& request) {
    const fs::path in_checkout = inside_checkout(request.config_file, request.change.repo);
    const bool saved_diff = !request.change.diff_file.empty();

    if (request.from == RulesFrom::work_tree) {
        return rules_from_disk(
            request, fmt::format("{} in the work tree (--rules-from work-tree)", request.config_file.string()));
    }
    if (saved_diff) {
        return rules_from_disk(request, fmt::format("{} in the work tree (a saved diff names no base commit)",
                                                    request.config_file.string()));
    }
    if (in_checkout.empty()) {
        return rules_from_disk(
            request, fmt::format("{} (outside the checkout, so no change edits it)", request.config_file.string()));
    }
    if (request.change.base.empty())
        return util::make_error("give --base REV (with --head, default HEAD) or --diff-file FILE");
    if (std::error_code error; request.config_named && !fs::exists(request.config_file, error)) {
        return util::make_error(fmt::format("{} does not exist", request.config_file.string()));
    }
    auto commit = diff::git_commit_id(request.change.repo, request.change.base);
    if (!commit) return commit.error();
    const std::string at_base = fmt::format("at base {}", commit->substr(0, 12));
    auto text = diff::git_file_at(request.change.repo, *commit, in_checkout);
    if (!text) return text.error();
    GateRules read;
    if (!*text) {
        read.config = config::default_gate_config();
        read.origin = fmt::format("the defaults (no {} {})", in_checkout.generic_string(), at_base);
        return read;
    }
    config::LoadOutcome loaded = config::load_config_text(**text, request.config_file);
    if (!loaded.config) {
        // The change cannot have written the base's errors, and must still be judgeable (it may be the fix):
        // the defaults, which fail closed, with the reason shown.
        read.config = config::default_gate_config();
        read.origin = fmt::format("the defaults ({} {} has errors)", in_checkout.generic_string(), at_base);
        read.notes.push_back(fmt::format("{} {} has {} error{}, the first: {}", in_checkout.generic_string(), at_base,
                                         loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s",
                                         loaded.errors.front().to_string()));
        return read;
    }
    read.config = loaded.config->gate;
    read.origin = fmt::format("{} {}", in_checkout.generic_string(), at_base);
    note_replaced_defaults(read);
    return read;
}

util::Result<std::vector<RiskReason>> gate_config_changes(const RulesRequest& request, const diff::Diff& change) {
    std::vector<RiskReason> reasons;
    if (const fs::path in_checkout = inside_checkout(request.config_file, request.change.repo); !in_checkout.empty()) {
        std::string prefix;
        if (request.change.diff_file.empty()) {
            auto found = diff::git_prefix(request.change.repo);
            if (!found) return found.error();
            prefix = *found;
        }
        auto edit = config_change(request, change, in_checkout, prefix + in_checkout.generic_string());
        if (!edit) return edit.error();
        if (*edit) reasons.push_back(std::move(**edit));
    }
    // `linguist-generated` in .gitattributes makes files count as generated, and a change of generated files
    // only is R0: marking what it touches as generated would be a change lowering its own risk.
    for (const auto& file : change.files) {
        if (fs::path(file.path()).filename() != ".gitattributes") continue;
        for (const auto& added : file.added) {
            if (added.text.find("linguist-generated") == std::string::npos) continue;
            reasons.push_back({k_gate_config_rule, k_gate_config_tier, file.path(), added.number,
                               "the change marks files as linguist-generated, which decides what counts as generated"});
            break;
        }
    }
    return reasons;
}

}  // namespace greenlight::gate
