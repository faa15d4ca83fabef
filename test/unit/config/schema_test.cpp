#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "greenlight/config/config.hpp"
#include "greenlight/config/keys.hpp"
#include "unit/config/sample_configs.hpp"

namespace greenlight::config {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;
using Json = nlohmann::json;

Json schema() {
    return Json::parse(config_schema());
}

// Where the schema describes each section's keys; a section missing here fails the test below.
std::vector<Json::json_pointer> schema_locations(Section section) {
    switch (section) {
        case Section::top:
            return {Json::json_pointer("/properties")};
        case Section::defaults:
            return {Json::json_pointer("/$defs/defaults/properties")};
        case Section::suite:
            return {Json::json_pointer("/$defs/suite/properties")};
        case Section::results:
            return {Json::json_pointer("/$defs/results/oneOf/0/properties"),
                    Json::json_pointer("/$defs/results/oneOf/1/properties"),
                    Json::json_pointer("/$defs/results/oneOf/2/properties")};
        case Section::policy:
            return {Json::json_pointer("/$defs/policy/properties")};
        case Section::gate:
            return {Json::json_pointer("/$defs/gate/properties")};
        case Section::gate_rule:
            return {Json::json_pointer("/$defs/gate_rule/properties")};
        case Section::gate_definition:
            return {Json::json_pointer("/$defs/gate_definition/properties")};
        case Section::gate_coverage:
            return {Json::json_pointer("/$defs/gate_coverage/properties")};
        case Section::check:
            return {Json::json_pointer("/$defs/check/properties")};
        case Section::proof:
            return {Json::json_pointer("/$defs/proof/properties")};
        case Section::proof_criterion:
            return {Json::json_pointer("/$defs/proof_criterion/properties")};
        case Section::bridge:
            return {Json::json_pointer("/$defs/bridge/properties")};
        case Section::bridge_poll:
            return {Json::json_pointer("/$defs/bridge_poll/properties")};
        case Section::bridge_stall:
            return {Json::json_pointer("/$defs/bridge_stall/properties")};
        case Section::bridge_assertions:
            return {Json::json_pointer("/$defs/bridge_assertions/properties")};
        case Section::bridge_notify:
            return {Json::json_pointer("/$defs/bridge_notify/properties")};
        case Section::serve:
            return {Json::json_pointer("/$defs/serve/properties")};
        case Section::serve_limits:
            return {Json::json_pointer("/$defs/serve_limits/properties")};
        case Section::serve_retention:
            return {Json::json_pointer("/$defs/serve_retention/properties")};
        case Section::serve_bridge:
            return {Json::json_pointer("/$defs/serve_bridge/properties")};
        case Section::watch:
            return {Json::json_pointer("/$defs/watch/properties")};
        case Section::watch_channel:
            return {Json::json_pointer("/$defs/watch_channel/properties")};
        case Section::watch_heartbeat:
            return {Json::json_pointer("/$defs/watch_heartbeat/properties")};
        case Section::watch_check:
            return {Json::json_pointer("/$defs/watch_check/properties")};
        case Section::promote:
            return {Json::json_pointer("/$defs/promote/properties")};
        case Section::promote_environment:
            return {Json::json_pointer("/$defs/promote_environment/properties")};
    }
    return {};
}

TEST(ConfigSchema, IsDraft202012Json) {
    Json document = schema();
    EXPECT_EQ(document.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
    EXPECT_EQ(document.at("type"), "object");
}

TEST(ConfigSchema, DescribesExactlyTheKeysTheLoaderAccepts) {
    Json document = schema();
    for (Section section : all_sections()) {
        SCOPED_TRACE(std::string(section_name(section)));
        auto locations = schema_locations(section);
        ASSERT_FALSE(locations.empty());
        std::vector<std::string> in_schema;
        for (const auto& location : locations) {
            ASSERT_TRUE(document.contains(location)) << location.to_string();
            for (const auto& [key, value] : document.at(location).items()) in_schema.push_back(key);
        }
        EXPECT_THAT(in_schema, UnorderedElementsAreArray(allowed_keys(section)));
    }
}

// The schema refuses a rule named like a default rule (unless the defaults are replaced), as the loader does:
// its list must be the defaults' names.
TEST(ConfigSchema, TheDefaultRuleNamesAreTheLoaders) {
    Json document = schema();
    const Json& names = document.at("$defs")
                            .at("gate")
                            .at("else")
                            .at("properties")
                            .at("rules")
                            .at("items")
                            .at("properties")
                            .at("name")
                            .at("not")
                            .at("enum");
    std::vector<std::string> in_schema;
    for (const auto& name : names) in_schema.push_back(name.get<std::string>());
    std::vector<std::string> defaults;
    for (const auto& rule : default_gate_config().rules) defaults.push_back(rule.name);
    EXPECT_THAT(in_schema, UnorderedElementsAreArray(defaults));
}

TEST(ConfigSchema, EnumsMatchTheLoader) {
    Json document = schema();
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/results/oneOf/2/properties/format/enum"))
                  .get<std::vector<std::string>>(),
              output_format_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/flaky_policy/enum")).get<std::vector<std::string>>(),
              flaky_policy_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/policy/properties/missing_requirement/enum"))
                  .get<std::vector<std::string>>(),
              missing_requirement_policy_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/gate_mode/enum")).get<std::vector<std::string>>(),
              gate_mode_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/check_type/enum")).get<std::vector<std::string>>(),
              check_type_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/check/properties/mode/enum")).get<std::vector<std::string>>(),
              check_mode_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/check/properties/scope/enum")).get<std::vector<std::string>>(),
              check_scope_names());
    EXPECT_EQ(
        document.at(Json::json_pointer("/$defs/proof/properties/fingerprint/enum")).get<std::vector<std::string>>(),
        proof_fingerprint_names());
    EXPECT_EQ(document.at(Json::json_pointer("/$defs/bridge_notify/properties/webhook_format/enum"))
                  .get<std::vector<std::string>>(),
              webhook_format_names());
    EXPECT_EQ(
        document.at(Json::json_pointer("/$defs/watch_channel/properties/type/enum")).get<std::vector<std::string>>(),
        alert_channel_type_names());
}

// The keys a channel of each type takes, in the schema's if/then/else, are the loader's.
TEST(ConfigSchema, AlertChannelTypesTakeTheSameKeysAsInTheLoader) {
    Json rule = schema().at(Json::json_pointer("/$defs/watch_channel/allOf/0"));
    EXPECT_EQ(rule.at(Json::json_pointer("/if/properties/type/const")), "github");
    EXPECT_EQ(rule.at(Json::json_pointer("/then/propertyNames/enum")).get<std::vector<std::string>>(),
              alert_channel_keys_for(AlertChannelType::github));
    for (AlertChannelType type : {AlertChannelType::discord, AlertChannelType::slack, AlertChannelType::json}) {
        EXPECT_EQ(rule.at(Json::json_pointer("/else/propertyNames/enum")).get<std::vector<std::string>>(),
                  alert_channel_keys_for(type));
    }
}

// Each check type's keys in the schema's if/then are the keys the loader lets that type take.
TEST(ConfigSchema, CheckTypesTakeTheSameKeysAsInTheLoader) {
    Json document = schema();
    const auto& types = check_type_names();
    const Json& rules = document.at(Json::json_pointer("/$defs/check/allOf"));
    ASSERT_EQ(rules.size(), types.size());
    for (size_t index = 0; index < types.size(); ++index) {
        SCOPED_TRACE(types[index]);
        EXPECT_EQ(rules[index].at(Json::json_pointer("/if/properties/type/const")), types[index]);
        EXPECT_EQ(rules[index].at(Json::json_pointer("/then/propertyNames/enum")).get<std::vector<std::string>>(),
                  check_keys_for(static_cast<greenlight::config::CheckType>(index)));
    }
}

// Editors show descriptions on hover, and a closed object is how the schema flags unknown keys.
void check_every_property(const Json& node, const std::string& where, std::vector<std::string>& problems) {
    if (node.is_array()) {
        for (size_t i = 0; i < node.size(); ++i)
            check_every_property(node[i], where + "/" + std::to_string(i), problems);
        return;
    }
    if (!node.is_object()) return;
    if (node.value("type", Json()) == "object" && !node.contains("additionalProperties")) {
        problems.push_back(where + ": object without additionalProperties");
    }
    if (node.contains("properties")) {
        for (const auto& [key, property] : node.at("properties").items()) {
            if (!property.contains("description"))
                problems.push_back(where + "/properties/" + key + ": no description");
        }
    }
    for (const auto& [key, child] : node.items()) {
        // An `if` only tests a value; its properties are described where they are defined.
        if (key != "if") check_every_property(child, where + "/" + key, problems);
    }
}

TEST(ConfigSchema, EveryPropertyHasADescriptionAndEveryObjectIsClosed) {
    std::vector<std::string> problems;
    check_every_property(schema(), "", problems);
    EXPECT_THAT(problems, ElementsAre());
}

class ConfigSchemaWithPython : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (std::filesystem::temp_directory_path() / "greenlight-schema-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        m_folder = pattern;
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(m_folder, ignored);
    }

    std::filesystem::path write(const std::string& name, std::string_view content) {
        std::filesystem::path path = m_folder / name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    // Validates each YAML file against the schema with the reference Python implementation and
    // returns one line per file: "valid" or "invalid: <first reason>".
    std::vector<std::string> validate(const std::vector<std::filesystem::path>& files) {
        write("validate.py", R"(import json, sys
import jsonschema, yaml
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    with open(path) as stream:
        document = yaml.safe_load(stream)
    errors = sorted(validator.iter_errors(document), key=lambda error: error.path)
    print("valid" if not errors else "invalid: " + errors[0].message.replace("\n", " "))
)");
        write("schema.json", config_schema());
        std::string command = "/usr/bin/python3 '" + (m_folder / "validate.py").string() + "' '" +
                              (m_folder / "schema.json").string() + "'";
        for (const auto& file : files) command += " '" + file.string() + "'";
        command += " 2>&1";
        std::string output;
        FILE* pipe = ::popen(command.c_str(), "r");
        if (!pipe) {
            ADD_FAILURE() << "cannot start /usr/bin/python3";
            return {};
        }
        std::array<char, 4096> buffer{};
        size_t count = 0;
        while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), count);
        int status = ::pclose(pipe);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << "the schema check needs /usr/bin/python3 with python3-jsonschema and python3-yaml "
               "(apt-get install python3-jsonschema python3-yaml):\n"
            << output;
        std::vector<std::string> lines;
        size_t start = 0;
        while (start < output.size()) {
            size_t end = output.find('\n', start);
            if (end == std::string::npos) end = output.size();
            lines.push_back(output.substr(start, end - start));
            start = end + 1;
        }
        return lines;
    }

    std::filesystem::path m_folder;
};

constexpr std::string_view k_minimal = "version: 1\nproject: p\nsuites:\n  unit:\n    run: make test\n";
// Short tier names, an empty `gate`, a gate declared with nothing after its name.
constexpr std::string_view k_small_gate = R"(version: 1
project: p
suites: { unit: { run: [x] } }
gate:
  tiers: { r1: [ci, extra], R0-DOCS: }
  gates: { extra: }
)";

// A file for the bridge alone, with every key of the section.
constexpr std::string_view k_bridge_only = R"(version: 1
project: p
bridge:
  url: https://zosmf.example:443
  credentials_file: .bridge-credentials
  ca_file: certs/zosmf.pem
  insecure: false
  jcl_template: smoke/job.jcl
  manifest: manifest.json
  output: mainframe-smoke-results.tar.gz
  poll: {interval: 200ms, slow_after: 3, slow_interval: 15s, timeout: 2s}
  stall: {running_timeout: 5m, input_timeout: 2m, retries: 1}
  assertions:
    retcode: CC 0000
    required_dds: [STDOUT, STEP1.SCRIPT]
    log_dds: [STDOUT]
    min_log_segments: 2
    min_snippets: 4
    min_words_per_snippet: 80
    final_script_dd: SCRIPT
    frames_pointer: /frames
    min_final_script_frames: 1
  notify: {webhook_env: GREENLIGHT_CHAT_WEBHOOK, webhook_format: auto, github_repository: owner/name}
)";

// A file for the server and watchdog alone, with every key of both sections.
constexpr std::string_view k_serve_only = R"(version: 1
project: p
serve:
  listen: 127.0.0.1:8080
  db: postgresql://greenlight@127.0.0.1:5432/greenlight
  bundles: .greenlight/bundles
  url: https://ci.example.com/greenlight
  dashboard_users: dashboard.users
  limits: { max_body: 64MiB, requests_per_minute: 1200 }
  retention: { runs: 90d, pings: forever, alerts: 2160h }
  bridge: { state: .greenlight/bridge, users: bridge.users, max_active: 4 }
watch:
  channels:
    ops-discord: { type: discord, url_env: DISCORD_WEBHOOK_URL }
    ops-slack: { type: slack, url_env: SLACK_WEBHOOK_URL }
    hook: { type: json, url_env: ALERT_WEBHOOK_URL }
    tracker: { type: github, repository: org/repo, issue: 42, token_env: GITHUB_TOKEN }
  realert: 4h
  heartbeat: { every: 24h, channels: [ops-discord] }
  checks:
    nightly-mainframe-smoke:
      period: 6h
      grace: 30m
      max_run_time: 1h
      min_run_time: 10s
      failures: 1
      realert: 2h
      tier: nightly
      project: billing
      channels: [ops-discord, tracker]
      paused: false
      description: "The nightly smoke on the mainframe"
    backup:
      cron: "0 2 * * *"
      timezone: Europe/Berlin
)";

struct InvalidCase {
    std::string name;
    std::string text;
};

std::vector<InvalidCase> invalid_cases() {
    std::string header = "version: 1\nproject: p\n";
    std::string suites = "suites: { u: { run: [x] } }\n";
    return {
        {"unknown-top-key", header + "suites: { u: { run: [x] } }\nsutes: {}\n"},
        {"unknown-suite-key", header + "suites: { u: { run: [x], timout: 1m } }\n"},
        {"unknown-defaults-key", header + "defaults: { retry: 1 }\nsuites: { u: { run: [x] } }\n"},
        {"two-results", header + "suites: { u: { run: [x], results: { junit: a.xml, tap: b.tap } } }\n"},
        {"unknown-format", header + "suites: { u: { run: [x], results: { format: pytst } } }\n"},
        {"unknown-requirement", header + "suites: { u: { run: [x], requires: [dockr] } }\n"},
        {"bad-suite-name", header + "suites: { \"a/b\": { run: [x] } }\n"},
        {"bad-duration", header + "suites: { u: { run: [x], timeout: soon } }\n"},
        {"negative-retries", header + "suites: { u: { run: [x], retries: -1 } }\n"},
        {"bad-policy", header + "suites: { u: { run: [x] } }\npolicy: { missing_requirement: ignore }\n"},
        {"no-run", header + "suites: { u: { cwd: . } }\n"},
        {"reserved-env", header + "suites: { u: { run: [x], env: { TZ: Europe/Paris } } }\n"},
        {"version-2", "version: 2\nproject: p\nsuites: { u: { run: [x] } }\n"},
        {"unknown-gate-key", header + suites + "gate: { rulez: [] }\n"},
        {"unknown-rule-key", header + suites + "gate: { rules: [{ name: b, tier: R2, patchs: [x] }] }\n"},
        {"unknown-gate-definition-key", header + suites + "gate: { gates: { ci: { mode: blocking, check: [x] } } }\n"},
        {"unknown-coverage-key", header + suites + "gate: { coverage: { patch_min: 50 } }\n"},
        {"unknown-risk-tier", header + suites + "gate: { rules: [{ name: b, tier: R2-high }] }\n"},
        {"unknown-tier-key", header + suites + "gate: { tiers: { R5: [ci] } }\n"},
        {"rule-without-tier", header + suites + "gate: { rules: [{ name: b, paths: [x] }] }\n"},
        {"empty-paths", header + suites + "gate: { rules: [{ name: b, tier: R1, paths: [] }] }\n"},
        {"bad-mode", header + suites + "gate: { gates: { ci: { mode: blockin } } }\n"},
        {"coverage-101", header + suites + "gate: { coverage: { patch_minimum: 101 } }\n"},
        {"bad-gate-name", header + suites + "gate: { gates: { \"a b\": {} } }\n"},
        {"bridge-without-template", header + "bridge: { url: \"http://h:1\" }\n"},
        {"bridge-url-with-path", header + "bridge: { jcl_template: j.jcl, url: \"https://h/zosmf\" }\n"},
        {"bridge-unknown-key", header + "bridge: { jcl_template: j.jcl, pol: {} }\n"},
        {"bridge-poll-zero", header + "bridge: { jcl_template: j.jcl, poll: { interval: 0s } }\n"},
        {"bridge-retries-6", header + "bridge: { jcl_template: j.jcl, stall: { retries: 6 } }\n"},
        {"bridge-bad-retcode", header + "bridge: { jcl_template: j.jcl, assertions: { retcode: OK } }\n"},
        {"bridge-bad-dd", header + "bridge: { jcl_template: j.jcl, assertions: { log_dds: [std-out] } }\n"},
        {"bridge-bad-pointer", header + "bridge: { jcl_template: j.jcl, assertions: { frames_pointer: frames } }\n"},
        {"bridge-bad-format", header + "bridge: { jcl_template: j.jcl, notify: { webhook_format: teams } }\n"},
        {"bridge-bad-env", header + "bridge: { jcl_template: j.jcl, notify: { webhook_env: 1HOOK } }\n"},
        {"serve-unknown-key", header + "serve: { lsten: 127.0.0.1:1 }\n"},
        {"serve-listen-without-port", header + "serve: { listen: localhost }\n"},
        {"serve-db-password", header + "serve: { db: \"postgresql://u:secret@h/db\" }\n"},
        {"serve-db-scheme", header + "serve: { db: mysql://h/db }\n"},
        {"serve-zero-rate", header + "serve: { limits: { requests_per_minute: 0 } }\n"},
        {"serve-retention-unknown-key", header + "serve: { retention: { run: 90d } }\n"},
        {"serve-retention-not-a-duration", header + "serve: { retention: { pings: always } }\n"},
        {"watch-literal-url",
         header + "watch: { channels: { c: { type: slack, url: \"https://hooks.slack.com/x\" } } }\n"},
        {"watch-unknown-type", header + "watch: { channels: { c: { type: teams, url_env: HOOK } } }\n"},
        {"watch-github-without-issue", header + "watch: { channels: { c: { type: github, repository: o/r } } }\n"},
        {"watch-bad-check-name", header + "watch: { checks: { Nightly: { period: 6h } } }\n"},
        {"watch-period-and-cron", header + "watch: { checks: { n: { period: 6h, cron: \"0 2 * * *\" } } }\n"},
        {"watch-no-schedule", header + "watch: { checks: { n: { grace: 5m } } }\n"},
        {"watch-bad-cron", header + "watch: { checks: { n: { cron: \"every night\" } } }\n"},
        {"watch-heartbeat-without-channels", header + "watch: { heartbeat: { every: 24h } }\n"},
    };
}

TEST_F(ConfigSchemaWithPython, ValidConfigsPassTheSchemaAndTheLoader) {
    ASSERT_TRUE(load_config_text(test::k_full_config, "greenlight.yml").config);
    ASSERT_TRUE(load_config_text(k_minimal, "greenlight.yml").config);
    ASSERT_TRUE(load_config_text(k_small_gate, "greenlight.yml").config);
    ASSERT_TRUE(load_config_text(k_bridge_only, "greenlight.yml").config);
    ASSERT_TRUE(load_config_text(k_serve_only, "greenlight.yml").config);
    EXPECT_THAT(validate({write("full.yml", test::k_full_config), write("minimal.yml", k_minimal),
                          write("small-gate.yml", k_small_gate), write("bridge-only.yml", k_bridge_only),
                          write("serve-only.yml", k_serve_only)}),
                ElementsAre("valid", "valid", "valid", "valid", "valid"));
}

TEST_F(ConfigSchemaWithPython, MistakesFailTheSchemaAndTheLoader) {
    std::vector<std::filesystem::path> files;
    for (const auto& invalid : invalid_cases()) {
        EXPECT_FALSE(load_config_text(invalid.text, "greenlight.yml").config) << invalid.name;
        files.push_back(write(invalid.name + ".yml", invalid.text));
    }
    std::vector<std::string> verdicts = validate(files);
    ASSERT_EQ(verdicts.size(), files.size());
    for (size_t i = 0; i < files.size(); ++i) {
        EXPECT_TRUE(verdicts[i].rfind("invalid: ", 0) == 0) << invalid_cases()[i].name << ": " << verdicts[i];
    }
}

}  // namespace
}  // namespace greenlight::config
