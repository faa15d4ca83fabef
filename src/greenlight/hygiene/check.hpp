// What every hygiene check returns and gets: findings with places, how many items it examined, and the
// context of the run (repository root, the change, online or not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/diff/unified_diff.hpp"

namespace greenlight::hygiene {

// One problem a check found. `path` is relative to the repository root ("" when it is not about a file).
struct Finding {
    std::string rule;     // stable id for SARIF and baselines, e.g. "broken-link", "missing-anchor"
    std::string message;  // what was expected, what was found, what to do
    std::string path;
    int line = 0;            // 1-based; 0 when unknown
    int column = 0;          // 1-based; 0 when unknown
    std::string suggestion;  // a did-you-mean, when there is one
};

// What one check did. A check that examined nothing fails (a mistyped glob must not pass silently);
// the framework decides that from `examined`, not the check.
struct CheckOutcome {
    std::uint64_t examined = 0;
    std::string examined_unit;  // plural noun: "files", "links", "paths", "commands"
    // Further counts worth showing, e.g. {"anchors", 120}.
    std::vector<std::pair<std::string, std::uint64_t>> counts;
    std::vector<Finding> findings;
    std::string details;  // extra text shown under the check (e.g. a short diff of a stale registry)
    // Set when the check could not run at all (its own input is bad: a missing manifest, a failed
    // generator, a ref git does not know). Reported as a usage/config error, exit 2.
    std::optional<std::string> error;
    // A change-scoped check whose files exist in the repository but are not in the change: examining nothing
    // is then the right answer, not a mistyped glob, and passes.
    bool change_touches_none = false;
};

// The run's surroundings, shared by every check.
struct CheckContext {
    std::filesystem::path root;           // repository root; every path in findings is relative to it
    std::optional<std::string> from_ref;  // --from-ref/--to-ref: the change the change-aware checks look at
    std::optional<std::string> to_ref;
    bool online = false;                    // --online: links also fetches http(s) links
    std::filesystem::path cache_directory;  // for --online answers
    // Filled by the framework before any check runs:
    std::vector<std::string> files;  // repository_files(root): every file a check may examine, sorted
    // The change the change-aware checks look at: from_ref...to_ref when given, else the work tree
    // (staged and unstaged) against HEAD. Empty when there is no git history to compare with.
    std::optional<diff::Diff> change;
};

// The checks, one function each; the framework (runner.hpp) picks by CheckConfig::type.
CheckOutcome run_links_check(const config::CheckConfig& check, const CheckContext& context);
CheckOutcome run_placeholders_check(const config::CheckConfig& check, const CheckContext& context);
CheckOutcome run_required_files_check(const config::CheckConfig& check, const CheckContext& context);
CheckOutcome run_registry_check(const config::CheckConfig& check, const CheckContext& context);
CheckOutcome run_protected_paths_check(const config::CheckConfig& check, const CheckContext& context);
CheckOutcome run_command_check(const config::CheckConfig& check, const CheckContext& context);
CheckOutcome run_secrets_check(const config::CheckConfig& check, const CheckContext& context);

}  // namespace greenlight::hygiene
