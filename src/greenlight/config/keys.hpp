// The vocabulary of greenlight.yml: which keys each section allows and which words a value may take.
// One table drives both the loader's unknown-key checks and the test proving that the JSON Schema
// describes exactly the same keys, so the two cannot drift apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/config/serve_config.hpp"

namespace greenlight::config {

// A mapping in greenlight.yml whose keys are fixed (as opposed to suite, tier or env names).
enum class Section {
    top,
    defaults,
    suite,
    results,
    policy,
    gate,
    gate_rule,
    gate_definition,
    gate_coverage,
    check,
    proof,
    proof_criterion,
    bridge,
    bridge_poll,
    bridge_stall,
    bridge_assertions,
    bridge_notify,
    serve,
    serve_limits,
    serve_retention,
    serve_bridge,
    watch,
    watch_channel,
    watch_heartbeat,
    watch_check,
    promote,
    promote_environment
};

// Every section, in the order the reference documents them.
const std::vector<Section>& all_sections();

// How a section is named in key paths and messages: "" (top), "defaults", "suites.<name>", ...
std::string_view section_name(Section section);

// The keys a section allows, in the order the reference documents them.
const std::vector<std::string>& allowed_keys(Section section);

// `results: { format: NAME }` values: runners whose output greenlight reads for counts.
const std::vector<std::string>& output_format_names();

// `requires:` entries are `docker` or one of these kinds followed by `:` and a name or path.
const std::vector<std::string>& requirement_kinds_with_argument();

// `policy.flaky` values and `policy.missing_requirement` values.
const std::vector<std::string>& flaky_policy_names();
const std::vector<std::string>& missing_requirement_policy_names();

// `gate.gates.<name>.mode` values.
const std::vector<std::string>& gate_mode_names();

// `checks.<name>.type`, `.mode` and `.scope` values.
const std::vector<std::string>& check_type_names();
const std::vector<std::string>& check_mode_names();
const std::vector<std::string>& check_scope_names();
// The keys of `checks.<name>` a check of this type takes (a subset of allowed_keys(Section::check)).
const std::vector<std::string>& check_keys_for(CheckType type);
// `proof.fingerprint` values and the conditions a `proof.strong`/`proof.weak` criterion may use.
const std::vector<std::string>& proof_fingerprint_names();
const std::vector<std::string>& proof_condition_names();

// `bridge.notify.webhook_format` values.
const std::vector<std::string>& webhook_format_names();

// `watch.channels.<name>.type` values, and the keys a channel of each type takes (a subset of
// allowed_keys(Section::watch_channel)).
const std::vector<std::string>& alert_channel_type_names();
const std::vector<std::string>& alert_channel_keys_for(AlertChannelType type);

// `promote.environments.<name>.evidence` items and `.proof` values.
const std::vector<std::string>& promote_evidence_names();
const std::vector<std::string>& promote_proof_level_names();

// Environment names greenlight sets for every suite (GREENLIGHT_*, TMPDIR, TZ), which `env` may not set.
bool is_reserved_environment_name(std::string_view name);

// Placeholders expanded in run, cwd, env values and results paths.
const std::vector<std::string>& placeholder_names();

}  // namespace greenlight::config
