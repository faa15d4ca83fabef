#include "greenlight/config/keys.hpp"

namespace greenlight::config {

const std::vector<Section>& all_sections() {
    static const std::vector<Section> sections = {Section::top,
                                                  Section::defaults,
                                                  Section::suite,
                                                  Section::results,
                                                  Section::policy,
                                                  Section::gate,
                                                  Section::gate_rule,
                                                  Section::gate_definition,
                                                  Section::gate_coverage,
                                                  Section::check,
                                                  Section::proof,
                                                  Section::proof_criterion,
                                                  Section::bridge,
                                                  Section::bridge_poll,
                                                  Section::bridge_stall,
                                                  Section::bridge_assertions,
                                                  Section::bridge_notify,
                                                  Section::serve,
                                                  Section::serve_limits,
                                                  Section::serve_retention,
                                                  Section::serve_bridge,
                                                  Section::watch,
                                                  Section::watch_channel,
                                                  Section::watch_heartbeat,
                                                  Section::watch_check,
                                                  Section::promote,
                                                  Section::promote_environment};
    return sections;
}

std::string_view section_name(Section section) {
    switch (section) {
        case Section::top:
            return "";
        case Section::defaults:
            return "defaults";
        case Section::suite:
            return "suites.<name>";
        case Section::results:
            return "suites.<name>.results";
        case Section::policy:
            return "policy";
        case Section::gate:
            return "gate";
        case Section::gate_rule:
            return "gate.rules[]";
        case Section::gate_definition:
            return "gate.gates.<name>";
        case Section::gate_coverage:
            return "gate.coverage";
        case Section::check:
            return "checks.<name>";
        case Section::proof:
            return "proof";
        case Section::proof_criterion:
            return "proof.strong[]";
        case Section::bridge:
            return "bridge";
        case Section::bridge_poll:
            return "bridge.poll";
        case Section::bridge_stall:
            return "bridge.stall";
        case Section::bridge_assertions:
            return "bridge.assertions";
        case Section::bridge_notify:
            return "bridge.notify";
        case Section::serve:
            return "serve";
        case Section::serve_limits:
            return "serve.limits";
        case Section::serve_retention:
            return "serve.retention";
        case Section::serve_bridge:
            return "serve.bridge";
        case Section::watch:
            return "watch";
        case Section::watch_channel:
            return "watch.channels.<name>";
        case Section::watch_heartbeat:
            return "watch.heartbeat";
        case Section::watch_check:
            return "watch.checks.<name>";
        case Section::promote:
            return "promote";
        case Section::promote_environment:
            return "promote.environments.<name>";
    }
    return "";
}

const std::vector<std::string>& allowed_keys(Section section) {
    static const std::vector<std::string> top = {"version", "project", "artifacts", "defaults", "suites",
                                                 "tiers",   "policy",  "gate",      "checks",   "proof",
                                                 "bridge",  "serve",   "watch",     "promote"};
    static const std::vector<std::string> defaults = {"timeout", "grace", "retries", "min_tests", "output_cap"};
    static const std::vector<std::string> suite = {"run",       "cwd",        "env",     "timeout",  "grace", "retries",
                                                   "min_tests", "output_cap", "results", "requires", "labels"};
    static const std::vector<std::string> results = {"junit", "tap", "format"};
    static const std::vector<std::string> policy = {"flaky", "missing_requirement"};
    static const std::vector<std::string> gate = {"rules",    "replace_default_rules", "docs_paths", "tiers", "gates",
                                                  "coverage", "required_checks"};
    static const std::vector<std::string> gate_rule = {"name", "paths",    "keywords",      "patterns",
                                                       "tier", "requires", "requires_from", "size"};
    static const std::vector<std::string> gate_definition = {"mode", "checks"};
    static const std::vector<std::string> gate_coverage = {"patch_minimum", "patch_threshold", "project_max_drop"};
    static const std::vector<std::string> check = {"type",     "mode",     "paths", "exclude", "indexes",
                                                   "patterns", "manifest", "files", "file",    "command",
                                                   "output",   "timeout",  "scope", "baseline"};
    static const std::vector<std::string> proof = {
        "ids",    "fingerprint", "fingerprint_length",  "key_env", "redact_paths", "forbidden", "personal_data",
        "strong", "weak",        "classification_field"};
    static const std::vector<std::string> proof_criterion = {"name",       "path",     "exists",  "equals",
                                                             "not_equals", "at_least", "at_most", "matches"};
    static const std::vector<std::string> bridge = {"url",          "credentials_file", "ca_file", "insecure",
                                                    "jcl_template", "manifest",         "output",  "poll",
                                                    "stall",        "assertions",       "notify"};
    static const std::vector<std::string> bridge_poll = {"interval", "slow_after", "slow_interval", "timeout"};
    static const std::vector<std::string> bridge_stall = {"running_timeout", "input_timeout", "retries"};
    static const std::vector<std::string> bridge_assertions = {
        "retcode",          "required_dds",   "log_dds",
        "min_log_segments", "min_snippets",   "min_words_per_snippet",
        "final_script_dd",  "frames_pointer", "min_final_script_frames"};
    static const std::vector<std::string> bridge_notify = {"webhook_env", "webhook_format", "github_repository"};
    static const std::vector<std::string> serve = {"listen",          "db",     "bundles",   "url",
                                                   "dashboard_users", "limits", "retention", "bridge"};
    static const std::vector<std::string> serve_limits = {"max_body", "requests_per_minute"};
    static const std::vector<std::string> serve_retention = {"runs", "pings", "alerts"};
    static const std::vector<std::string> serve_bridge = {"state", "users", "max_active"};
    static const std::vector<std::string> watch = {"channels", "realert", "heartbeat", "checks"};
    static const std::vector<std::string> watch_channel = {"type", "url_env", "repository", "issue", "token_env"};
    static const std::vector<std::string> watch_heartbeat = {"every", "channels"};
    static const std::vector<std::string> watch_check = {
        "period",  "cron", "timezone", "grace",    "max_run_time", "min_run_time", "failures",
        "realert", "tier", "project",  "channels", "paused",       "description"};
    static const std::vector<std::string> promote = {"max_age", "environments"};
    static const std::vector<std::string> promote_environment = {"tier",     "needs", "max_age",
                                                                 "evidence", "proof", "gates"};
    switch (section) {
        case Section::promote:
            return promote;
        case Section::promote_environment:
            return promote_environment;
        case Section::serve:
            return serve;
        case Section::serve_limits:
            return serve_limits;
        case Section::serve_retention:
            return serve_retention;
        case Section::serve_bridge:
            return serve_bridge;
        case Section::watch:
            return watch;
        case Section::watch_channel:
            return watch_channel;
        case Section::watch_heartbeat:
            return watch_heartbeat;
        case Section::watch_check:
            return watch_check;
        case Section::bridge:
            return bridge;
        case Section::bridge_poll:
            return bridge_poll;
        case Section::bridge_stall:
            return bridge_stall;
        case Section::bridge_assertions:
            return bridge_assertions;
        case Section::bridge_notify:
            return bridge_notify;
        case Section::check:
            return check;
        case Section::proof:
            return proof;
        case Section::proof_criterion:
            return proof_criterion;
        case Section::top:
            return top;
        case Section::defaults:
            return defaults;
        case Section::suite:
            return suite;
        case Section::results:
            return results;
        case Section::policy:
            return policy;
        case Section::gate:
            return gate;
        case Section::gate_rule:
            return gate_rule;
        case Section::gate_definition:
            return gate_definition;
        case Section::gate_coverage:
            return gate_coverage;
    }
    return top;
}

const std::vector<std::string>& promote_evidence_names() {
    static const std::vector<std::string> names = {"run", "bundle"};
    return names;
}

const std::vector<std::string>& promote_proof_level_names() {
    static const std::vector<std::string> names = {"PASS_STRONG", "PASS_WEAK"};
    return names;
}

const std::vector<std::string>& check_type_names() {
    static const std::vector<std::string> names = {"links",           "placeholders", "required-files", "registry",
                                                   "protected-paths", "command",      "secrets"};
    return names;
}

const std::vector<std::string>& check_mode_names() {
    static const std::vector<std::string> names = {"blocking", "advisory"};
    return names;
}

const std::vector<std::string>& check_scope_names() {
    static const std::vector<std::string> names = {"all", "changed"};
    return names;
}

const std::vector<std::string>& check_keys_for(CheckType type) {
    static const std::vector<std::string> links = {"type", "mode", "paths", "exclude"};
    static const std::vector<std::string> placeholders = {"type", "mode", "paths", "exclude", "indexes", "patterns"};
    static const std::vector<std::string> required_files = {"type", "mode", "manifest", "files"};
    static const std::vector<std::string> registry = {"type", "mode", "file", "command", "output", "timeout"};
    static const std::vector<std::string> protected_paths = {"type", "mode", "paths", "exclude"};
    static const std::vector<std::string> command = {"type", "mode", "command", "timeout"};
    static const std::vector<std::string> secrets = {"type", "mode", "paths", "exclude", "scope", "baseline"};
    switch (type) {
        case CheckType::links:
            return links;
        case CheckType::placeholders:
            return placeholders;
        case CheckType::required_files:
            return required_files;
        case CheckType::registry:
            return registry;
        case CheckType::protected_paths:
            return protected_paths;
        case CheckType::command:
            return command;
        case CheckType::secrets:
            return secrets;
    }
    return command;
}

const std::vector<std::string>& proof_fingerprint_names() {
    static const std::vector<std::string> names = {"hmac-sha256", "sha256"};
    return names;
}

const std::vector<std::string>& proof_condition_names() {
    static const std::vector<std::string> names = {"exists", "equals", "not_equals", "at_least", "at_most", "matches"};
    return names;
}

const std::vector<std::string>& output_format_names() {
    static const std::vector<std::string> names = {"pytest", "go", "ctest", "cargo", "node", "plain"};
    return names;
}

const std::vector<std::string>& requirement_kinds_with_argument() {
    static const std::vector<std::string> kinds = {"command", "env", "file"};
    return kinds;
}

const std::vector<std::string>& flaky_policy_names() {
    static const std::vector<std::string> names = {"pass", "fail"};
    return names;
}

const std::vector<std::string>& missing_requirement_policy_names() {
    static const std::vector<std::string> names = {"fail", "skip"};
    return names;
}

const std::vector<std::string>& gate_mode_names() {
    static const std::vector<std::string> names = {"blocking", "advisory"};
    return names;
}

const std::vector<std::string>& webhook_format_names() {
    static const std::vector<std::string> names = {"discord", "slack", "auto"};
    return names;
}

const std::vector<std::string>& alert_channel_type_names() {
    static const std::vector<std::string> names = {"discord", "slack", "json", "github"};
    return names;
}

const std::vector<std::string>& alert_channel_keys_for(AlertChannelType type) {
    static const std::vector<std::string> webhook = {"type", "url_env"};
    static const std::vector<std::string> github = {"type", "repository", "issue", "token_env"};
    return type == AlertChannelType::github ? github : webhook;
}

bool is_reserved_environment_name(std::string_view name) {
    return name.rfind("GREENLIGHT_", 0) == 0 || name == "TMPDIR" || name == "TZ";
}

const std::vector<std::string>& placeholder_names() {
    static const std::vector<std::string> names = {"outputs", "run_id", "tier", "suite"};
    return names;
}

}  // namespace greenlight::config
