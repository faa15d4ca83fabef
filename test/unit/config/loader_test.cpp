#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"
#include "unit/config/sample_configs.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// Loads a config that must be valid, failing the test with every error otherwise.
TEST(LoadConfig, FullConfigLoadsWithEveryValue) {
    Config config = load_valid(test::k_full_config);
    EXPECT_EQ(config.version, 1);
    EXPECT_EQ(config.project, "billing");
    EXPECT_EQ(config.artifacts, "out/bundles");
    EXPECT_EQ(config.file, "greenlight.yml");
    EXPECT_TRUE(config.root.is_absolute());
    EXPECT_EQ(config.root, std::filesystem::current_path().lexically_normal());
    EXPECT_EQ(config.defaults.timeout, 2min);
    EXPECT_EQ(config.defaults.grace, 3s);
    EXPECT_EQ(config.defaults.retries, 1);
    EXPECT_EQ(config.defaults.min_tests, 2);
    EXPECT_EQ(config.defaults.output_cap, 1u << 20);

    ASSERT_EQ(config.suites.size(), 4u);
    const SuiteConfig& unit = config.suites[0];
    EXPECT_EQ(unit.name, "unit");
    EXPECT_EQ(unit.line, 11);
    EXPECT_FALSE(unit.shell);
    EXPECT_THAT(unit.argv, ElementsAre("ctest", "--test-dir", "build", "--output-junit", "{outputs}/junit.xml"));
    EXPECT_EQ(unit.cwd, "sub");
    using Variable = std::pair<std::string, std::string>;
    EXPECT_THAT(unit.env, ElementsAre(Variable{"ZED", "last"}, Variable{"LOG_LEVEL", "debug"}, Variable{"COUNT", "3"},
                                      Variable{"ENABLED", "true"}, Variable{"VERSION", "1.10"}));
    EXPECT_EQ(unit.timeout, 5min);
    EXPECT_EQ(unit.grace, 3s);  // from defaults
    EXPECT_EQ(unit.retries, 2);
    EXPECT_EQ(unit.min_tests, 10);
    EXPECT_EQ(unit.output_cap, 1u << 20);  // from defaults
    EXPECT_EQ(unit.results.source, ResultsSpec::Source::file);
    EXPECT_EQ(unit.results.format, results::ResultsFormat::junit);
    EXPECT_EQ(unit.results.path, "{outputs}/junit.xml");
    EXPECT_THAT(unit.requires_, ElementsAre("docker", "command:ctest", "env:TOKEN", "file:build/CTestTestfile.cmake"));
    EXPECT_THAT(unit.labels, ElementsAre("fast"));

    const SuiteConfig& lint = config.suites[1];
    EXPECT_EQ(lint.name, "lint");
    EXPECT_TRUE(lint.shell);
    EXPECT_THAT(lint.argv, ElementsAre("/bin/sh", "-c", "./lint.sh --all | tee \"{outputs}/lint.txt\""));
    EXPECT_EQ(lint.cwd, ".");
    EXPECT_TRUE(lint.env.empty());
    EXPECT_EQ(lint.timeout, 2min);
    EXPECT_EQ(lint.retries, 1);
    EXPECT_EQ(lint.min_tests, 2);
    EXPECT_EQ(lint.results.source, ResultsSpec::Source::none);

    const SuiteConfig& integration = config.suites[2];
    EXPECT_EQ(integration.results.source, ResultsSpec::Source::output);
    EXPECT_EQ(integration.results.format, results::ResultsFormat::pytest);
    EXPECT_EQ(integration.grace, 0ms);
    EXPECT_EQ(integration.output_cap, 4096u);

    const SuiteConfig& tap = config.suites[3];
    EXPECT_EQ(tap.results.source, ResultsSpec::Source::file);
    EXPECT_EQ(tap.results.format, results::ResultsFormat::tap);
    EXPECT_EQ(tap.results.path, "{outputs}/prove.tap");

    EXPECT_THAT(config.tier_order, ElementsAre("smoke", "empty", "pr-fast", "merge-medium"));
    EXPECT_TRUE(config.tiers.at("smoke").empty());
    EXPECT_TRUE(config.tiers.at("empty").empty());
    ASSERT_EQ(config.tiers.at("merge-medium").size(), 3u);
    EXPECT_EQ(config.tiers.at("merge-medium")[2].text, "label:integration");
    EXPECT_EQ(config.tiers.at("merge-medium")[2].line, 37);

    EXPECT_EQ(config.policy.flaky_for("smoke"), FlakyPolicy::fail);
    EXPECT_EQ(config.policy.flaky_for("pr-fast"), FlakyPolicy::pass);
    EXPECT_EQ(config.policy.flaky_for("nightly"), FlakyPolicy::fail);
    EXPECT_EQ(config.policy.missing_requirement, MissingRequirementPolicy::skip);
}

TEST(LoadConfig, MinimalConfigGetsTheDocumentedDefaults) {
    Config config = load_valid("version: 1\nproject: p\nsuites:\n  unit:\n    run: [true]\n");
    EXPECT_EQ(config.artifacts, "artifacts");
    const SuiteConfig& unit = config.suites.at(0);
    EXPECT_EQ(unit.timeout, 10min);
    EXPECT_EQ(unit.grace, 5s);
    EXPECT_EQ(unit.retries, 0);
    EXPECT_EQ(unit.min_tests, 1);
    EXPECT_EQ(unit.output_cap, 8u << 20);
    EXPECT_EQ(unit.cwd, ".");
    EXPECT_EQ(unit.results.source, ResultsSpec::Source::none);
    EXPECT_TRUE(config.tiers.empty());
    EXPECT_EQ(config.policy.flaky_for("anything"), FlakyPolicy::fail);
    EXPECT_EQ(config.policy.missing_requirement, MissingRequirementPolicy::fail);
}

TEST(LoadConfig, DefaultsApplyWhereverTheyAppearInTheFile) {
    Config config = load_valid("suites:\n  unit:\n    run: [true]\ndefaults: { retries: 3 }\nversion: 1\nproject: p\n");
    EXPECT_EQ(config.suites.at(0).retries, 3);
}

TEST(LoadConfig, FlakyPolicyAsOneWordAppliesToEveryTier) {
    Config config = load_valid(
        "version: 1\nproject: p\nsuites: { unit: { run: [true] } }\ntiers: { a: [unit] }\npolicy: { flaky: pass }\n");
    EXPECT_EQ(config.policy.flaky_default, FlakyPolicy::pass);
    EXPECT_EQ(config.policy.flaky_for("a"), FlakyPolicy::pass);
}

TEST(LoadConfig, SuitesInTierFollowTheTierOrderWithoutRepeats) {
    Config config = load_valid(test::k_full_config);
    std::vector<std::string> names;
    for (const SuiteConfig* suite : config.suites_in_tier("merge-medium")) names.push_back(suite->name);
    EXPECT_THAT(names, ElementsAre("unit", "lint", "integration"));
    EXPECT_TRUE(config.suites_in_tier("smoke").empty());
    EXPECT_TRUE(config.suites_in_tier("no-such-tier").empty());
    ASSERT_NE(config.find_suite("tap"), nullptr);
    EXPECT_EQ(config.find_suite("missing"), nullptr);
}

TEST(LoadConfig, ReportsEveryMistakeWithItsPositionAndKeyPath) {
    constexpr std::string_view k_text = R"(version: 1
project: billing
suites:
  unit:
    run: [ctest]
    timout: 5m
    retries: -1
  lint:
    run: ./lint.sh
    results: { format: pytst }
tiers:
  pr-fast: [unit, lnt]
policy:
  missing_requirement: ignore
)";
    LoadOutcome outcome = load(k_text);
    EXPECT_FALSE(outcome.config.has_value());
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre(
            "greenlight.yml:6:5: suites.unit.timout: unknown key; did you mean 'timeout'?",
            "greenlight.yml:7:14: suites.unit.retries: expected a whole number from 0 to 100; found the number -1",
            "greenlight.yml:10:24: suites.lint.results.format: expected pytest, go, ctest, cargo, node "
            "or plain; found 'pytst'; did you mean 'pytest'?",
            "greenlight.yml:12:19: tiers.pr-fast[1]: unknown suite 'lnt'; did you mean 'lint'?",
            "greenlight.yml:14:24: policy.missing_requirement: expected fail or skip; found 'ignore'"));
}

TEST(LoadConfig, SuggestsTopLevelKey) {
    LoadOutcome outcome = load("version: 1\nproject: p\nsutes:\n  unit:\n    run: [true]\n");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:1:1: suites: missing key; expected a mapping of suite names to suites",
                            "greenlight.yml:3:1: sutes: unknown key; did you mean 'suites'?"));
}

TEST(LoadConfig, UnknownKeyWithoutCloseMatchListsTheAllowedKeys) {
    LoadOutcome outcome = load("version: 1\nproject: p\nsuites: { unit: { run: [true] } }\ndefaults: { banana: 1 }\n");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:4:13: defaults.banana: unknown key; expected one of timeout, grace, "
                            "retries, min_tests or output_cap"));
}

TEST(LoadConfig, MisplacedKeysSayWhereTheyBelong) {
    LoadOutcome outcome = load(R"(version: 1
project: p
timeout: 5m
suites:
  unit:
    run: [x]
    junit: out.xml
    tiers:
      pr: [unit]
defaults: { run: [y] }
)");
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre("greenlight.yml:3:1: timeout: unknown key; it belongs under `defaults` or in a suite (check the "
                    "indentation)",
                    "greenlight.yml:7:5: suites.unit.junit: unknown key; it belongs under `results` (check the "
                    "indentation)",
                    "greenlight.yml:8:5: suites.unit.tiers: unknown key; it belongs at the top level (check the "
                    "indentation)",
                    "greenlight.yml:10:13: defaults.run: unknown key; it belongs in a suite (check the indentation)"));
}

TEST(LoadConfig, DuplicateKeysAreErrorsAtEveryLevel) {
    LoadOutcome outcome = load(R"(version: 1
project: p
suites:
  unit:
    run: [true]
    timeout: 1m
    timeout: 2m
  unit:
    run: [false]
project: q
)");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:7:5: suites.unit.timeout: duplicate key; already set at line 6",
                            "greenlight.yml:8:3: suites.unit: duplicate key; already set at line 4",
                            "greenlight.yml:10:1: project: duplicate key; already set at line 2"));
}

TEST(LoadConfig, UnknownTierReferencesSuggestSuitesAndLabels) {
    LoadOutcome outcome = load(R"(version: 1
project: p
suites:
  unit: { run: [true], labels: [fast] }
  integration: { run: [true] }
tiers:
  pr: [unti, "label:fats", "label:slow", nothing-like-it]
policy:
  flaky: { pr: pass, nightyl: pass, pr2: maybe }
)");
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre("greenlight.yml:7:8: tiers.pr[0]: unknown suite 'unti'; did you mean 'unit'?",
                    "greenlight.yml:7:14: tiers.pr[1]: no suite carries label 'fats'; did you mean 'label:fast'?",
                    "greenlight.yml:7:28: tiers.pr[2]: no suite carries label 'slow'; labels in use: fast",
                    "greenlight.yml:7:42: tiers.pr[3]: unknown suite 'nothing-like-it'; expected a suite name (unit "
                    "or integration) or label:NAME",
                    "greenlight.yml:9:22: policy.flaky.nightyl: unknown tier; expected one of pr",
                    "greenlight.yml:9:37: policy.flaky.pr2: unknown tier; did you mean 'pr'?",
                    "greenlight.yml:9:42: policy.flaky.pr2: expected pass or fail; found 'maybe'"));
}

TEST(LoadConfig, YamlSyntaxErrorHasItsPosition) {
    LoadOutcome outcome = load("version: 1\nproject: p\nsuites:\n  unit:\n    run: [true\n  lint: {}\n");
    ASSERT_EQ(outcome.errors.size(), 1u);
    EXPECT_EQ(outcome.errors[0].line, 6);
    EXPECT_GT(outcome.errors[0].column, 0);
    EXPECT_THAT(outcome.errors[0].to_string(), HasSubstr("invalid YAML: "));

    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites: x: y\n")),
                ElementsAre("greenlight.yml:3:10: invalid YAML: illegal map value"));
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\n\tsuites: {}\n")),
                ElementsAre("greenlight.yml:3:1: invalid YAML: illegal tab when looking for indentation"));
}

TEST(LoadConfig, WrongTypesSayWhatWasExpectedAndFound) {
    LoadOutcome outcome = load(R"(version: 2
project: "my project"
artifacts: []
suites:
  "bad/name":
    run: []
  unit:
    timeout: [1]
    grace: soon
    retries: abc
    min_tests: -2
    output_cap: 8 MiB
    env: { A: [1], B: }
    results: { junit: a.xml, tap: b.tap }
    requires: [dockr, "cmd:node", "env:", 5]
    labels: [ok, "not ok"]
    cwd: ""
)");
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre(
            "greenlight.yml:1:10: version: expected 1 (the only version this greenlight reads); found the number 2",
            "greenlight.yml:2:10: project: expected the project's name (letters, digits, '.', '_' or '-', and not "
            "only dots); found 'my project'",
            "greenlight.yml:3:12: artifacts: expected a folder for run bundles, such as artifacts; found a list",
            "greenlight.yml:5:3: suites.bad/name: expected a suite name of letters, digits, '.', '_' or '-', and not "
            "only dots (it becomes a folder name); found 'bad/name'",
            "greenlight.yml:6:10: suites.bad/name.run: expected the command to run, as a non-empty list (argv) or a "
            "string (run by /bin/sh -c); found an empty list",
            "greenlight.yml:7:3: suites.unit.run: missing key; expected the command to run, as a list (argv) or a "
            "string (run by /bin/sh -c)",
            "greenlight.yml:8:14: suites.unit.timeout: expected a duration such as 90s, 10m, 1h30m or 500ms; found a "
            "list",
            "greenlight.yml:9:12: suites.unit.grace: expected a duration such as 90s, 10m, 1h30m or 500ms; found "
            "'soon'",
            "greenlight.yml:10:14: suites.unit.retries: expected a whole number from 0 to 100; found 'abc'",
            "greenlight.yml:11:16: suites.unit.min_tests: expected a whole number of 0 or more; found the number -2",
            "greenlight.yml:12:17: suites.unit.output_cap: expected a size greater than zero such as 8MiB, 512KiB or "
            "1000000; found '8 MiB'",
            "greenlight.yml:13:15: suites.unit.env.A: expected a string, number or boolean (write \"\" for an empty "
            "one); found a list",
            "greenlight.yml:13:23: suites.unit.env.B: expected a string, number or boolean (write \"\" for an empty "
            "one); found nothing",
            "greenlight.yml:14:30: suites.unit.results.tap: expected one of {junit: FILE}, {tap: FILE} or {format: "
            "NAME}; found both 'junit' and 'tap'",
            "greenlight.yml:15:16: suites.unit.requires[0]: unknown requirement 'dockr'; expected docker, "
            "command:NAME, env:NAME or file:PATH; did you mean 'docker'?",
            "greenlight.yml:15:23: suites.unit.requires[1]: unknown requirement 'cmd:node'; expected docker, "
            "command:NAME, env:NAME or file:PATH",
            "greenlight.yml:15:35: suites.unit.requires[2]: expected a name after 'env:'; found nothing",
            "greenlight.yml:15:43: suites.unit.requires[3]: expected docker, command:NAME, env:NAME or file:PATH; "
            "found the number 5",
            "greenlight.yml:16:18: suites.unit.labels[1]: expected a label (letters, digits, '.', '_' or '-', and "
            "not only dots); found 'not ok'",
            "greenlight.yml:17:10: suites.unit.cwd: expected a folder, relative to greenlight.yml; found ''"));
}

TEST(LoadConfig, RequirementKindSuggestionKeepsTheName) {
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites: { u: { run: [x], requires: [\"comand:node\"] } }\n")),
                ElementsAre("greenlight.yml:3:37: suites.u.requires[0]: unknown requirement 'comand:node'; expected "
                            "docker, command:NAME, env:NAME or file:PATH; did you mean 'command:node'?"));
}

TEST(LoadConfig, EnvMayNotSetWhatGreenlightSets) {
    LoadOutcome outcome = load(R"(version: 1
project: p
suites:
  u:
    run: [x]
    env: { TZ: Europe/Paris, GREENLIGHT_TIER: x, TMPDIR: /tmp, GREENLIGHTLY: fine, "A=B": no }
)");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:6:12: suites.u.env.TZ: reserved: greenlight sets GREENLIGHT_*, TMPDIR and "
                            "TZ for every suite; use another name",
                            "greenlight.yml:6:30: suites.u.env.GREENLIGHT_TIER: reserved: greenlight sets "
                            "GREENLIGHT_*, TMPDIR and TZ for every suite; use another name",
                            "greenlight.yml:6:50: suites.u.env.TMPDIR: reserved: greenlight sets GREENLIGHT_*, TMPDIR "
                            "and TZ for every suite; use another name",
                            "greenlight.yml:6:84: suites.u.env.A=B: expected an environment variable name without "
                            "'='; found 'A=B'"));
}

TEST(LoadConfig, MissingTopLevelKeysAreNamed) {
    LoadOutcome outcome = load("artifacts: out\n");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:1:1: version: missing key; expected `version: 1` at the top of the file",
                            "greenlight.yml:1:1: project: missing key; expected the project's name (letters, digits, "
                            "'.', '_' or '-', and not only dots)",
                            "greenlight.yml:1:1: suites: missing key; expected a mapping of suite names to suites"));
}

TEST(LoadConfig, EmptySuitesAndEmptyFile) {
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites: {}\n")),
                ElementsAre("greenlight.yml:3:1: suites: expected a mapping of suite names to suites, with at least "
                            "one suite; found an empty mapping"));
    EXPECT_THAT(error_lines(load("")),
                ElementsAre("greenlight.yml:1:1: expected a mapping with version, project and suites; found an "
                            "empty file"));
    EXPECT_THAT(error_lines(load("- a\n- b\n")),
                ElementsAre("greenlight.yml:1:1: expected a mapping with version, project and suites; found a list"));
}

TEST(LoadConfig, ProjectAndSuiteNamesMayNotBeOnlyDots) {
    LoadOutcome outcome = load("version: 1\nproject: ..\nsuites:\n  .:\n    run: [true]\n");
    ASSERT_EQ(outcome.errors.size(), 2u);
    EXPECT_EQ(outcome.errors[0].key_path, "project");
    EXPECT_EQ(outcome.errors[1].key_path, "suites..");
}

TEST(LoadConfig, FlakyPolicyWithoutTiersAndBadPolicyWord) {
    EXPECT_THAT(
        error_lines(load("version: 1\nproject: p\nsuites: { u: { run: [x] } }\npolicy: { flaky: { a: pass } }\n")),
        ElementsAre("greenlight.yml:4:20: policy.flaky.a: unknown tier; `tiers` defines none"));
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites: { u: { run: [x] } }\npolicy: { flaky: pas }\n")),
                ElementsAre("greenlight.yml:4:18: policy.flaky: expected pass or fail; found 'pas'; did you mean "
                            "'pass'?"));
}

TEST(LoadConfig, ZeroTimeoutIsRefused) {
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites: { u: { run: [x], timeout: 0s } }\n")),
                ElementsAre("greenlight.yml:3:35: suites.u.timeout: expected a duration greater than zero; found 0"));
}

TEST(LoadConfig, SecondDocumentIsAnError) {
    LoadOutcome outcome = load("version: 1\nproject: p\nsuites: { u: { run: [x] } }\n---\nversion: 1\n");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:4:1: expected one YAML document; found a second one (remove the `---` "
                            "line)"));
}

TEST(LoadConfig, TextYamlCppCannotStartADocumentOnIsAnError) {
    // yaml-cpp 0.7 makes no progress on a top-level `,`; the loader must notice instead of looping.
    EXPECT_THAT(error_lines(load(", version: 1\n")),
                ElementsAre("greenlight.yml:1:1: invalid YAML: expected a document; found ','"));
}

TEST(LoadConfig, MergeKeysGetAnExplanation) {
    LoadOutcome outcome =
        load("version: 1\nproject: p\nbase: &base { timeout: 1m }\nsuites:\n  u:\n    <<: *base\n    run: [x]\n");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:3:1: base: unknown key; expected one of version, project, artifacts, "
                            "defaults, suites, tiers, policy, gate, checks, proof, bridge, serve, watch or promote",
                            "greenlight.yml:6:5: suites.u.<<: unknown key; YAML merge keys are not supported, use "
                            "`defaults` for shared values"));
}

TEST(LoadConfig, DeepNestingIsRefusedBeforeParsing) {
    std::string deep = "version: 1\nproject: p\nsuites: " + std::string(200, '[') + std::string(200, ']') + "\n";
    LoadOutcome outcome = load(deep);
    ASSERT_EQ(outcome.errors.size(), 1u);
    EXPECT_THAT(outcome.errors[0].message, HasSubstr("nested at most 64 levels"));

    std::string dashes = "version: 1\n";
    for (int i = 0; i < 100; ++i) dashes += "- ";
    dashes += "x\n";
    EXPECT_THAT(load(dashes).errors.at(0).message, HasSubstr("nested at most 64 levels"));

    // Brackets inside quoted commands and comments do not count.
    std::string quoted = "version: 1\nproject: p\nsuites: { u: { run: \"" + std::string(100, '[') + "\" } }  # " +
                         std::string(100, '{') + "\n";
    EXPECT_TRUE(load(quoted).errors.empty());
}

TEST(LoadConfig, ErrorWithoutPositionOrKeyPath) {
    ConfigError error{"greenlight.yml", 0, 0, "", "cannot read the config file: No such file or directory"};
    EXPECT_EQ(error.to_string(), "greenlight.yml: cannot read the config file: No such file or directory");
}

class LoadConfigFile : public ::testing::Test {
protected:
    void SetUp() override {
        m_folder = std::filesystem::temp_directory_path() /
                   ("greenlight-config-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                    "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(m_folder);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(m_folder, ignored);
    }
    std::filesystem::path m_folder;
};

TEST_F(LoadConfigFile, RootIsTheAbsoluteFolderOfTheFile) {
    std::filesystem::path file = m_folder / "greenlight.yml";
    std::ofstream(file) << "version: 1\nproject: p\nsuites: { u: { run: [x] } }\n";
    LoadOutcome outcome = load_config(file);
    ASSERT_TRUE(outcome.config) << error_lines(outcome).at(0);
    EXPECT_EQ(outcome.config->root, m_folder.lexically_normal());
    EXPECT_EQ(outcome.config->file, file);
}

TEST_F(LoadConfigFile, MissingFileAndFolderAreErrors) {
    std::filesystem::path file = m_folder / "absent.yml";
    LoadOutcome missing = load_config(file);
    EXPECT_THAT(error_lines(missing),
                ElementsAre(file.string() + ": cannot read the config file: No such file or directory"));
    LoadOutcome folder = load_config(m_folder);
    EXPECT_THAT(error_lines(folder), ElementsAre(m_folder.string() + ": expected a config file; found a folder"));
}

}  // namespace
}  // namespace greenlight::config

namespace greenlight::config {
namespace {

// Each key takes the JSON types the schema gives it, read as YAML 1.2 reads them: `run: 42` is a number,
// not a command, and a quoted "2" is a string, not a count.
TEST(LoadConfig, ValuesOfTheWrongTypeAreRefusedWithTheTypeFound) {
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites:\n  unit:\n    run: 42\n")),
                ElementsAre("greenlight.yml:5:10: suites.unit.run: expected the command to run, as a non-empty list "
                            "(argv) or a string (run by /bin/sh -c); found the number 42"));
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites:\n  unit:\n    run: [sleep, [5]]\n")),
                ElementsAre("greenlight.yml:5:18: suites.unit.run[1]: expected a command argument; found a list"));
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites:\n  unit: { run: [x], retries: \"2\" }\n")),
                ElementsAre("greenlight.yml:4:30: suites.unit.retries: expected a whole number from 0 to 100; found "
                            "'2'"));
    EXPECT_THAT(error_lines(load("version: \"1\"\nproject: p\nsuites: { unit: { run: [x] } }\n")),
                ElementsAre("greenlight.yml:1:10: version: expected 1 (the only version this greenlight reads); "
                            "found '1'"));
    EXPECT_THAT(error_lines(load("version: 1\nproject: true\nsuites: { unit: { run: [x] } }\n")),
                ElementsAre(HasSubstr("greenlight.yml:2:10: project: expected the project's name")));
    EXPECT_THAT(error_lines(load("version: 1\nproject: p\nsuites: { unit: { run: [x] } }\nbridge: { jcl_template: "
                                 "j.jcl, insecure: yes }\n")),
                ElementsAre("greenlight.yml:4:42: bridge.insecure: expected true or false; found 'yes'"));
}

TEST(LoadConfig, QuotedNumbersAndYesAreStringsWhereStringsAreExpected) {
    Config config = load_valid(
        "version: 1\nproject: \"2024\"\nsuites:\n  unit:\n    run: [sleep, 5, true]\n    labels: [\"yes\", on]\n"
        "    env: { RATIO: 1.10, ON: true, NAME: x }\n    timeout: 30\n    output_cap: 4096\n");
    EXPECT_EQ(config.project, "2024");
    ASSERT_EQ(config.suites.size(), 1u);
    EXPECT_EQ(config.suites[0].labels, (std::vector<std::string>{"yes", "on"}));
    EXPECT_EQ(config.suites[0].argv, (std::vector<std::string>{"sleep", "5", "true"}));
    EXPECT_EQ(config.suites[0].env[0], (std::pair<std::string, std::string>{"RATIO", "1.10"}));
    EXPECT_EQ(config.suites[0].timeout, 30s);
}

}  // namespace
}  // namespace greenlight::config
