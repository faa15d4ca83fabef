// Where the gate's rules come from. A change must not judge itself: in a git checkout the rules are those of
// greenlight.yml at the base commit, read from git's objects (a pull request can edit the work tree's copy,
// not the base's), as CI systems read protected settings; and a change that edits how changes are judged (the
// `gate:` or `promote:` section) is itself critical.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/diff/unified_diff.hpp"
#include "greenlight/gate/risk.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::gate {

// Where the change comes from: base...head in a git checkout, or a saved unified diff.
struct ChangeSource {
    std::filesystem::path repo = ".";
    std::string base;
    std::string head = "HEAD";
    std::string diff_file;  // when set, base/head are not asked
};

enum class RulesFrom {
    base,       // greenlight.yml at the base commit (the default); the work tree's with a saved diff
    work_tree,  // the file on disk, for trying rules out locally
};

struct RulesRequest {
    ChangeSource change;
    std::filesystem::path config_file;  // as the user named it, or <repo>/greenlight.yml
    bool config_named = false;          // named on the command line: it must exist in the work tree
    RulesFrom from = RulesFrom::base;
};

// A change that edits the judging sections of the config is at least this tier.
inline constexpr config::RiskTier k_gate_config_tier = config::RiskTier::r3_high;
inline constexpr const char* k_gate_config_rule = "gate-config";

struct GateRules {
    config::GateConfig config;
    std::string origin;  // "greenlight.yml at base 1a2b3c4d5e6f", "the defaults (no greenlight.yml at base ...)"
    std::vector<std::string> notes;           // what a reader must know: defaults replaced, a base config with errors
    std::optional<RiskReason> config_change;  // set when the change edits the `gate:` or `promote:` section
};

// The rules to judge the change by. An error is bad input: a config named on the command line that does not
// exist or, read from the work tree, has errors (each named with its line); a base revision git does not know.
util::Result<GateRules> read_gate_rules(const RulesRequest& request);

// Why the change is critical for editing how changes are judged: the `gate:` or `promote:` section of the
// config (compared at base and head, so comments and other sections do not count; with a saved diff, any change
// of the file), or a `linguist-generated` mark added in a .gitattributes. Empty when it edits neither.
util::Result<std::vector<RiskReason>> gate_config_changes(const RulesRequest& request, const diff::Diff& change);

}  // namespace greenlight::gate
