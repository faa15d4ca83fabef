// greenlight.yml, version 1: the runner's part (suites, tiers, policy) and the gate's (gate). See docs/CONFIG.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/bridge_config.hpp"
#include "greenlight/config/checks_config.hpp"
#include "greenlight/config/promote_config.hpp"
#include "greenlight/config/serve_config.hpp"
#include "greenlight/results/test_results.hpp"

namespace greenlight::config {

using Milliseconds = std::chrono::milliseconds;

// How a suite's results are read.
struct ResultsSpec {
    enum class Source { none, file, output };
    Source source = Source::none;
    results::ResultsFormat format = results::ResultsFormat::junit;
    std::string path;  // for Source::file; may hold placeholders such as {outputs}
};

enum class FlakyPolicy { pass, fail };
enum class MissingRequirementPolicy { fail, skip };

struct SuiteConfig {
    std::string name;
    // argv form; when `shell` is set, argv is {"/bin/sh", "-c", <string>}.
    std::vector<std::string> argv;
    bool shell = false;
    std::string cwd = ".";                                 // relative to the config file's folder
    std::vector<std::pair<std::string, std::string>> env;  // in file order
    Milliseconds timeout{600'000};
    Milliseconds grace{5'000};  // between SIGTERM and SIGKILL
    int retries = 0;
    std::int64_t min_tests = 1;
    std::uint64_t output_cap = 8ull << 20;  // bytes kept in output.log (half head, half tail)
    ResultsSpec results;
    std::vector<std::string> requires_;  // e.g. "docker", "command:node", "env:TOKEN", "file:path"
    std::vector<std::string> labels;
    int line = 0;  // where the suite is defined, for messages
};

struct Defaults {
    Milliseconds timeout{600'000};
    Milliseconds grace{5'000};
    int retries = 0;
    std::int64_t min_tests = 1;
    std::uint64_t output_cap = 8ull << 20;
};

struct Policy {
    std::map<std::string, FlakyPolicy> flaky;  // per tier; tiers not listed use `flaky_default`
    FlakyPolicy flaky_default = FlakyPolicy::fail;
    MissingRequirementPolicy missing_requirement = MissingRequirementPolicy::fail;

    FlakyPolicy flaky_for(const std::string& tier) const {
        auto found = flaky.find(tier);
        return found == flaky.end() ? flaky_default : found->second;
    }
};

// `gate:` — risk tiers and the gates each requires (docs/GATE.md). Absent: the runbook defaults.
enum class RiskTier { r0_docs = 0, r1_low = 1, r2_medium = 2, r3_high = 3, r4_critical = 4 };

// "R0-docs", "R1-low", "R2-medium", "R3-high", "R4-critical".
std::string_view to_string(RiskTier tier);
// Accepts the full name ("R2-medium") or the short one ("R2"), case-insensitive.
std::optional<RiskTier> parse_risk_tier(std::string_view text);

enum class GateMode { blocking, advisory };

// A risk rule: when it matches, the change is at least `tier`, and `requires` adds gates.
// It matches a file when `paths` is empty or a glob matches the file's path (old or new path of a
// rename); with `keywords`/`patterns` it additionally needs an added line of that file to contain a
// keyword (case-insensitive) or match a pattern (RE2 syntax). A rule with neither paths nor
// keywords/patterns matches every changed file.
struct RiskRule {
    std::string name;
    std::vector<std::string> paths;     // gitignore-style globs (`**`, `*`, `?`, `[abc]`, leading `/` anchors)
    std::vector<std::string> keywords;  // matched on added lines only
    std::vector<std::string> patterns;  // RE2 regular expressions, matched on added lines only
    // A size rule matches the change as a whole: at least this many lines changed (added plus removed) or
    // this many files, counting the files its `paths` select (every file without them) and never docs or
    // generated files. 0: no such condition.
    std::int64_t size_lines = 0;
    std::int64_t size_files = 0;
    RiskTier tier = RiskTier::r1_low;
    std::vector<std::string> requires_gates;     // extra gates when the rule matches (e.g. e2e-proof) ...
    RiskTier requires_from = RiskTier::r0_docs;  // ... and the change's tier is at least this
    int line = 0;
};

struct GateDefinition {
    GateMode mode = GateMode::blocking;
    std::vector<std::string> checks;  // names of CI checks/statuses that report this gate; empty: its own name
};

struct GateConfig {
    bool from_file = false;  // false: every value below is the runbook default
    // false: the file's rules are added to the default rules, whose critical zones stay; true: they replace them.
    bool replace_default_rules = false;
    std::vector<RiskRule> rules;
    std::vector<std::string> docs_paths;  // a change touching only these is R0-docs
    // The checks `gate --wait` waits for; empty: the ones the branch's protection and rulesets require.
    std::vector<std::string> required_checks;
    // Gates each tier requires, each tier listing only what it adds to the tier below.
    std::map<RiskTier, std::vector<std::string>> tier_gates;
    std::map<std::string, GateDefinition> gates;  // every gate named anywhere, with its mode
    std::int64_t patch_coverage_minimum = 50;     // percent
    std::int64_t patch_coverage_threshold = 10;   // percentage points below the minimum still pass
    std::int64_t project_coverage_max_drop = 5;   // percentage points
};

// The runbook's gate section, used when greenlight.yml has none.
GateConfig default_gate_config();

// A tier entry is a suite name or `label:<label>` (every suite carrying that label).
struct TierEntry {
    std::string text;
    int line = 0;
};

struct Config {
    std::filesystem::path file;  // the greenlight.yml read
    std::filesystem::path root;  // its folder; suite cwd and artifacts are relative to it
    int version = 1;
    std::string project;
    std::string artifacts = "artifacts";
    Defaults defaults;
    std::vector<SuiteConfig> suites;  // in file order
    std::map<std::string, std::vector<TierEntry>> tiers;
    std::vector<std::string> tier_order;  // tiers in file order
    Policy policy;
    GateConfig gate = default_gate_config();
    std::vector<CheckConfig> checks;  // in file order
    ProofConfig proof;
    BridgeConfig bridge;
    ServeConfig serve;
    WatchConfig watch;
    PromoteConfig promote;

    const SuiteConfig* find_suite(const std::string& name) const;
    // The suites a tier selects, in the tier's order, each once; empty for an unknown tier.
    std::vector<const SuiteConfig*> suites_in_tier(const std::string& tier) const;
};

// One problem found in a config file, with where it is.
struct ConfigError {
    std::string file;
    int line = 0;          // 1-based
    int column = 0;        // 1-based
    std::string key_path;  // e.g. suites.unit.timeout
    std::string message;   // what was expected, what was found, and a did-you-mean when there is one

    // "greenlight.yml:12:5: suites.unit.timout: unknown key; did you mean 'timeout'?"
    std::string to_string() const;
};

struct LoadOutcome {
    std::optional<Config> config;     // set when there were no errors
    std::vector<ConfigError> errors;  // every error in the file, in file order
};

// Loads and validates a config file, collecting every error rather than stopping at the first.
LoadOutcome load_config(const std::filesystem::path& file);
// Same, from text (for tests and fuzzing); `file` is used for messages and as the root.
LoadOutcome load_config_text(std::string_view text, const std::filesystem::path& file);

// The sections of greenlight.yml that decide how a change is judged (`gate:` and `promote:`) as one canonical
// text: two files give the same text exactly when those sections say the same (comments, spacing and the
// other sections aside). Text that is not YAML gives itself, so any edit of it counts.
std::string judging_sections_text(std::string_view yaml_text);

// The JSON Schema (draft 2020-12) of greenlight.yml, for editors.
std::string_view config_schema();

}  // namespace greenlight::config
