// The reader of each top-level section of greenlight.yml (internal to config/), as the loader calls them:
// each validates its section, adds its errors through the YamlReader it is given, and fills its part of
// the Config. What one section hands to a later one (suite names to `tiers`, tiers to `policy`) is explicit.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/config/yaml_reading.hpp"

namespace greenlight::config::detail {

// What `suites` names, even where a suite had errors, so that a tier naming it does not add a second,
// misleading error.
struct KnownSuites {
    bool readable = false;  // false: `suites` is missing or unreadable, so tier entries are not checked
    std::vector<std::string> names;
    std::vector<std::string> labels;
};

// Tier references in `policy.flaky` are only checked against a `tiers` section that could be read.
enum class TiersState { absent, unreadable, readable };

// `defaults`: what suites fall back to.
void read_defaults_section(YamlReader& reader, const MapEntry& entry, Defaults& defaults);
// `suites`; `entry` is nullopt when the file has none, an error placed at `root`.
KnownSuites read_suites_section(YamlReader& reader, const std::optional<MapEntry>& entry, const YAML::Node& root,
                                const Defaults& defaults, std::vector<SuiteConfig>& suites);
// `tiers`, into config.tiers and config.tier_order.
TiersState read_tiers_section(YamlReader& reader, const MapEntry& entry, const KnownSuites& suites, Config& config);
// `policy`, into config.policy; `policy.flaky` names tiers from config.tiers.
void read_policy_section(YamlReader& reader, const MapEntry& entry, TiersState tiers_state, Config& config);
// `gate`: risk rules, tiers, gates and coverage, starting from the runbook defaults.
void read_gate_section(YamlReader& reader, const MapEntry& entry, GateConfig& gate);
// `checks`: the hygiene checks.
void read_checks_section(YamlReader& reader, const MapEntry& entry, std::vector<CheckConfig>& checks);
// `proof`: the proof file's ids, redaction and criteria.
void read_proof_section(YamlReader& reader, const MapEntry& entry, ProofConfig& proof);
// `bridge`: the job host, the JCL template, polling, stalls, assertions and notifications.
void read_bridge_section(YamlReader& reader, const MapEntry& entry, BridgeConfig& bridge);
// `serve`: the server's address, database, limits, retention and hosted bridge.
void read_serve_section(YamlReader& reader, const MapEntry& entry, ServeConfig& serve);
// `watch`: alert channels, the heartbeat and the scheduled checks.
void read_watch_section(YamlReader& reader, const MapEntry& entry, WatchConfig& watch);
// `promote`: the environments of a promotion and what each needs; gates are checked against `gate`'s.
void read_promote_section(YamlReader& reader, const MapEntry& entry, const GateConfig& gate, PromoteConfig& promote);

}  // namespace greenlight::config::detail
