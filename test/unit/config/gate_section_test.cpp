// The `gate:` section of greenlight.yml: risk rules, gates per tier, gate modes, coverage thresholds.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"
#include "unit/config/sample_configs.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string k_gate_header = "version: 1\nproject: p\nsuites: { unit: { run: [x] } }\n";

std::vector<std::string> rule_names(const GateConfig& gate) {
    std::vector<std::string> names;
    for (const auto& rule : gate.rules) names.push_back(rule.name);
    return names;
}

TEST(GateSection, AbsentMeansTheRunbookDefaults) {
    Config config = load_valid(k_gate_header);
    GateConfig defaults = default_gate_config();
    EXPECT_FALSE(config.gate.from_file);
    EXPECT_EQ(rule_names(config.gate), rule_names(defaults));
    EXPECT_EQ(config.gate.docs_paths, defaults.docs_paths);
    EXPECT_EQ(config.gate.tier_gates, defaults.tier_gates);
    EXPECT_EQ(config.gate.gates.size(), defaults.gates.size());
    EXPECT_EQ(config.gate.patch_coverage_minimum, 50);
    EXPECT_EQ(config.gate.patch_coverage_threshold, 10);
    EXPECT_EQ(config.gate.project_coverage_max_drop, 5);
}

TEST(GateSection, EmptyMappingIsFromTheFileWithEveryDefault) {
    Config config = load_valid(k_gate_header + "gate: {}\n");
    EXPECT_TRUE(config.gate.from_file);
    EXPECT_EQ(rule_names(config.gate), rule_names(default_gate_config()));
    EXPECT_EQ(config.gate.tier_gates, default_gate_config().tier_gates);
}

TEST(GateSection, FullSectionLoadsWithEveryValue) {
    Config config = load_valid(test::k_full_config);
    const GateConfig& gate = config.gate;
    EXPECT_TRUE(gate.from_file);

    // The file's rules come after the default rules, which stay.
    const size_t defaults_count = default_gate_config().rules.size();
    ASSERT_EQ(gate.rules.size(), defaults_count + 3);
    EXPECT_EQ(rule_names(gate)[0], "code");
    const RiskRule& backend = gate.rules[defaults_count];
    EXPECT_EQ(backend.name, "services");
    EXPECT_EQ(backend.line, 43);
    EXPECT_THAT(backend.paths, ElementsAre("backend/**", "api/**"));
    EXPECT_THAT(backend.keywords, IsEmpty());
    EXPECT_EQ(backend.tier, RiskTier::r2_medium);
    EXPECT_THAT(backend.requires_gates, IsEmpty());
    EXPECT_EQ(backend.requires_from, RiskTier::r0_docs);  // file rules: always, unless told otherwise

    const RiskRule& secrets = gate.rules[defaults_count + 1];
    EXPECT_EQ(secrets.name, "secrets-in-code");
    EXPECT_THAT(secrets.paths, IsEmpty());
    EXPECT_THAT(secrets.keywords, ElementsAre("password", "api_key"));
    EXPECT_THAT(secrets.patterns, ElementsAre("(?i)secret\\s*=", "BEGIN [A-Z]+ PRIVATE KEY"));
    EXPECT_EQ(secrets.tier, RiskTier::r3_high);  // written `r3`
    EXPECT_THAT(secrets.requires_gates, ElementsAre("e2e-proof", "license-scan"));
    EXPECT_EQ(secrets.requires_from, RiskTier::r3_high);

    const RiskRule& everything = gate.rules[defaults_count + 2];
    EXPECT_EQ(everything.tier, RiskTier::r1_low);
    EXPECT_TRUE(everything.paths.empty() && everything.keywords.empty() && everything.patterns.empty());

    EXPECT_THAT(gate.docs_paths, ElementsAre("docs/**", "**/*.md"));

    // Tiers given replace their default list, by short or long name; the others keep theirs.
    GateConfig defaults = default_gate_config();
    EXPECT_EQ(gate.tier_gates.at(RiskTier::r0_docs), defaults.tier_gates.at(RiskTier::r0_docs));
    EXPECT_THAT(gate.tier_gates.at(RiskTier::r1_low), ElementsAre("ci"));
    EXPECT_THAT(gate.tier_gates.at(RiskTier::r2_medium), ElementsAre("patch-coverage", "automated-review"));
    EXPECT_EQ(gate.tier_gates.at(RiskTier::r3_high), defaults.tier_gates.at(RiskTier::r3_high));
    EXPECT_THAT(gate.tier_gates.at(RiskTier::r4_critical), ElementsAre("second-review", "license-scan"));

    // Gates from the file are merged into the defaults.
    EXPECT_EQ(gate.gates.size(), defaults.gates.size() + 1);
    EXPECT_EQ(gate.gates.at("ci").mode, GateMode::blocking);
    EXPECT_THAT(gate.gates.at("ci").checks, ElementsAre("CI / test", "greenlight"));
    EXPECT_EQ(gate.gates.at("semantic-review").mode, GateMode::advisory);
    EXPECT_THAT(gate.gates.at("semantic-review").checks, IsEmpty());
    EXPECT_EQ(gate.gates.at("license-scan").mode, GateMode::blocking);
    EXPECT_EQ(gate.gates.at("patch-coverage").mode, GateMode::blocking);

    EXPECT_EQ(gate.patch_coverage_minimum, 60);
    EXPECT_EQ(gate.patch_coverage_threshold, 5);
    EXPECT_EQ(gate.project_coverage_max_drop, 2);
}

TEST(GateSection, EveryGateNamedAnywhereIsDefined) {
    Config config = load_valid(test::k_full_config);
    for (const auto& [tier, gates] : config.gate.tier_gates) {
        for (const auto& name : gates) EXPECT_TRUE(config.gate.gates.count(name)) << name;
    }
    for (const auto& rule : config.gate.rules) {
        for (const auto& name : rule.requires_gates) EXPECT_TRUE(config.gate.gates.count(name)) << name;
    }
    GateConfig defaults = default_gate_config();
    for (const auto& [tier, gates] : defaults.tier_gates) {
        for (const auto& name : gates) EXPECT_TRUE(defaults.gates.count(name)) << name;
    }
    for (const auto& rule : defaults.rules) {
        for (const auto& name : rule.requires_gates) EXPECT_TRUE(defaults.gates.count(name)) << name;
    }
}

TEST(GateSection, ReportsEveryMistakeWithItsPositionAndKeyPath) {
    LoadOutcome outcome = load(k_gate_header + R"(gate:
  rules:
    - name: servers
      patchs: ["backend/**"]
      tier: R2-medum
    - name: secrets
      patterns: ['(?i)secret\s*=(', 'fine']
      tier: R3
  gates:
    ci: { mode: blockin }
  coverage:
    patch_minimum: 101
)");
    EXPECT_FALSE(outcome.config.has_value());
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre("greenlight.yml:7:7: gate.rules[0].patchs: unknown key; did you mean 'paths'?",
                    "greenlight.yml:8:13: gate.rules[0].tier: expected a risk tier, R0-docs, R1-low, R2-medium, "
                    "R3-high or R4-critical (or R0 to R4); found 'R2-medum'; did you mean 'R2-medium'?",
                    "greenlight.yml:10:18: gate.rules[1].patterns[0]: expected a regular expression (RE2 syntax); "
                    "found '(?i)secret\\s*=(': missing ): (?i)secret\\s*=(",
                    "greenlight.yml:13:17: gate.gates.ci.mode: expected blocking or advisory; found 'blockin'; did "
                    "you mean 'blocking'?",
                    "greenlight.yml:15:20: gate.coverage.patch_minimum: expected a whole number from 0 to 100; found "
                    "the number 101"));
}

TEST(GateSection, RulesNeedANameATierAndNoEmptyLists) {
    LoadOutcome outcome = load(k_gate_header + R"(gate:
  rules:
    - name: servers
      paths: []
      tier: R2
    - name: servers
      keywords: [password, ""]
      tier: R2
    - paths: ["api/**"]
    - name: outbound
      tier: high
      requires: [e2e-prof]
      requires_from: R9
)");
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre("greenlight.yml:7:14: gate.rules[0].paths: expected a non-empty list of path globs such as "
                    "backend/**; found an empty list (leave the key out instead)",
                    "greenlight.yml:9:13: gate.rules[1].name: duplicate rule name 'servers'; already used at line 6",
                    "greenlight.yml:10:28: gate.rules[1].keywords[1]: expected a keyword; found ''",
                    "greenlight.yml:12:7: gate.rules[2].name: missing key; expected the rule's name (letters, "
                    "digits, '.', '_' or '-', and not only dots)",
                    "greenlight.yml:12:7: gate.rules[2].tier: missing key; expected the lowest tier a matching "
                    "change gets, R0-docs, R1-low, R2-medium, R3-high or R4-critical",
                    "greenlight.yml:14:13: gate.rules[3].tier: expected a risk tier, R0-docs, R1-low, R2-medium, "
                    "R3-high or R4-critical (or R0 to R4); found 'high'",
                    "greenlight.yml:15:18: gate.rules[3].requires[0]: unknown gate 'e2e-prof'; did you mean "
                    "'e2e-proof'?",
                    "greenlight.yml:16:22: gate.rules[3].requires_from: expected a risk tier, R0-docs, R1-low, "
                    "R2-medium, R3-high or R4-critical (or R0 to R4); found 'R9'"));
}

TEST(GateSection, TiersAndGatesAreChecked) {
    LoadOutcome outcome = load(k_gate_header + R"(gate:
  tiers:
    R2: [patch-coverge, ci]
    r2-MEDIUM: [ci]
    R5-extreme: [ci]
    R3-high: [brand-new]
  gates:
    "bad name": {}
    ci: { checks: [] }
    extra: { mode: advisory, checks: "CI" }
  docs_paths: docs/**
)");
    EXPECT_THAT(
        error_lines(outcome),
        ElementsAre("greenlight.yml:6:10: gate.tiers.R2[0]: unknown gate 'patch-coverge'; did you mean "
                    "'patch-coverage'?",
                    "greenlight.yml:7:5: gate.tiers.r2-MEDIUM: duplicate tier; R2-medium is already set at line 6",
                    "greenlight.yml:8:5: gate.tiers.R5-extreme: expected a risk tier, R0-docs, R1-low, R2-medium, "
                    "R3-high or R4-critical (or R0 to R4); found 'R5-extreme'",
                    "greenlight.yml:9:15: gate.tiers.R3-high[0]: unknown gate 'brand-new'; declare it under "
                    "`gate.gates` (`brand-new: {}` is a blocking gate) or use one of automated-review, ci, "
                    "e2e-proof, patch-coverage, post-merge-verification, project-coverage, rollback-plan, "
                    "second-review, security-review, semantic-review or extra",
                    "greenlight.yml:11:5: gate.gates.bad name: expected a gate name of letters, digits, '-' or '_'; "
                    "found 'bad name'",
                    "greenlight.yml:12:19: gate.gates.ci.checks: expected a non-empty list of CI check or status "
                    "names; found an empty list (leave the key out instead)",
                    "greenlight.yml:13:38: gate.gates.extra.checks: expected a list of CI check or status names; "
                    "found 'CI'",
                    "greenlight.yml:14:15: gate.docs_paths: expected a list of path globs such as docs/**; found "
                    "'docs/**'"));
}

TEST(GateSection, NewGateDeclaredWithoutDetailsIsBlockingAndUsable) {
    Config config = load_valid(k_gate_header + R"(gate:
  tiers: { R1: [ci, license-scan], R0-DOCS: }
  rules: [{ name: all, tier: R1, requires: [license-scan] }]
  gates: { license-scan: }
  docs_paths: []
)");
    EXPECT_THAT(config.gate.tier_gates.at(RiskTier::r1_low), ElementsAre("ci", "license-scan"));
    EXPECT_THAT(config.gate.tier_gates.at(RiskTier::r0_docs), IsEmpty());
    EXPECT_EQ(config.gate.gates.at("license-scan").mode, GateMode::blocking);
    EXPECT_THAT(config.gate.gates.at("license-scan").checks, IsEmpty());
    EXPECT_THAT(config.gate.docs_paths, IsEmpty());
    EXPECT_EQ(rule_names(config.gate).back(), "all");  // after the default rules
}

TEST(GateSection, WrongShapesSayWhatWasExpected) {
    EXPECT_THAT(error_lines(load(k_gate_header + "gate:\n")),
                ElementsAre("greenlight.yml:4:1: gate: expected a mapping with any of rules, docs_paths, tiers, gates, "
                            "coverage and required_checks; found nothing"));
    EXPECT_THAT(error_lines(load(k_gate_header + "gate: { rules: [], coverage: 5, tier: R1 }\n")),
                ElementsAre("greenlight.yml:4:16: gate.rules: expected a list of at least one rule ({name, tier, "
                            "paths, keywords, patterns, ...}); found an empty list (leave `rules` out to keep the "
                            "default rules)",
                            "greenlight.yml:4:30: gate.coverage: expected a mapping with any of patch_minimum, "
                            "patch_threshold and project_max_drop; found the number 5",
                            "greenlight.yml:4:33: gate.tier: unknown key; did you mean 'tiers'?"));
    EXPECT_THAT(error_lines(load(k_gate_header + "gate: { coverage: { patch_threshold: 7.5 } }\nrequires_from: R3\n")),
                ElementsAre("greenlight.yml:4:38: gate.coverage.patch_threshold: expected a whole number from 0 to "
                            "100; found the number 7.5",
                            "greenlight.yml:5:1: requires_from: unknown key; it belongs in a rule under `gate.rules` "
                            "(check the indentation)"));
}

// The default rules hold the critical zones; a file's rules add to them unless it says it replaces them.
TEST(GateSection, RulesAddToTheDefaultsUnlessTheyReplaceThem) {
    const GateConfig defaults = default_gate_config();
    Config added =
        load_valid(k_gate_header + "gate:\n  rules: [{ name: billing, paths: [\"billing/**\"], tier: R3 }]\n");
    ASSERT_EQ(added.gate.rules.size(), defaults.rules.size() + 1);
    EXPECT_EQ(rule_names(added.gate).back(), "billing");
    EXPECT_FALSE(added.gate.replace_default_rules);

    Config replaced = load_valid(k_gate_header +
                                 "gate:\n  rules: [{ name: billing, paths: [\"billing/**\"], tier: R3 }]\n"
                                 "  replace_default_rules: true\n");
    EXPECT_THAT(rule_names(replaced.gate), ElementsAre("billing"));
    EXPECT_TRUE(replaced.gate.replace_default_rules);

    // A rule named like a default would silently lower a critical zone: refused, saying what to do.
    EXPECT_THAT(error_lines(load(k_gate_header + "gate:\n  rules: [{ name: secrets-and-auth, tier: R1 }]\n")),
                ElementsAre("greenlight.yml:5:19: gate.rules[0].name: 'secrets-and-auth' is the name of a default "
                            "rule, which stays; give this rule another name, or set "
                            "`gate.replace_default_rules: true` to replace every default rule"));
    load_valid(k_gate_header +
               "gate:\n  replace_default_rules: true\n  rules: [{ name: secrets-and-auth, tier: R1 }]\n");
    EXPECT_THAT(error_lines(load(k_gate_header + "gate:\n  replace_default_rules: sometimes\n")),
                ElementsAre(::testing::HasSubstr("gate.replace_default_rules: expected true or false")));
}

TEST(GateSection, SizeRulesCountLinesAndFiles) {
    Config config = load_valid(k_gate_header +
                               "gate:\n  rules:\n    - name: huge\n      size: { lines: 5000, files: 200 }\n"
                               "      tier: R4\n");
    const RiskRule& huge = config.gate.rules.back();
    EXPECT_EQ(huge.size_lines, 5000);
    EXPECT_EQ(huge.size_files, 200);
    const GateConfig defaults = default_gate_config();
    EXPECT_THAT(rule_names(defaults), ::testing::Contains("very-large-change"));

    EXPECT_THAT(error_lines(load(k_gate_header + "gate:\n  rules:\n    - name: huge\n      size: { line: 5 }\n"
                                                 "      tier: R4\n")),
                ElementsAre("greenlight.yml:7:15: gate.rules[0].size.line: unknown key 'line'; expected lines or "
                            "files; did you mean 'lines'?"));
    EXPECT_THAT(error_lines(load(k_gate_header + "gate:\n  rules:\n    - name: huge\n      size: { lines: 0 }\n"
                                                 "      tier: R4\n")),
                ElementsAre(::testing::HasSubstr("gate.rules[0].size.lines:")));
    EXPECT_THAT(error_lines(load(k_gate_header + "gate:\n  rules:\n    - name: huge\n      size: { lines: 9 }\n"
                                                 "      keywords: [x]\n      tier: R4\n")),
                ElementsAre(::testing::HasSubstr("a size rule matches the change as a whole")));
}

// How `greenlight gate` tells an edit of the judging sections from any other edit of the file.
TEST(JudgingSections, OnlyTheGateAndPromoteSectionsCount) {
    const std::string base = k_gate_header + "gate:\n  coverage: { patch_minimum: 60 }\n";
    EXPECT_EQ(judging_sections_text(base), judging_sections_text("# a comment\n" + k_gate_header +
                                                                 "artifacts: out\ngate:\n  coverage:\n"
                                                                 "    patch_minimum: 60\n"));
    EXPECT_NE(judging_sections_text(base),
              judging_sections_text(k_gate_header + "gate:\n  coverage: { patch_minimum: 6 }\n"));
    EXPECT_NE(judging_sections_text(base), judging_sections_text(k_gate_header));
    EXPECT_NE(judging_sections_text(k_gate_header), judging_sections_text(k_gate_header + "promote: {}\n"));
    EXPECT_EQ(judging_sections_text(""), judging_sections_text(k_gate_header));  // no file, no sections
}

TEST(JudgingSections, HostileTextReturnsAndCountsAsAnEdit) {
    // A stray comma at the top level, on which a multi-document read never ends, reads as no sections.
    EXPECT_EQ(judging_sections_text(",\n,\n"), "");
    // Nesting too deep to parse, and sections that are not YAML, count as an edit of anything.
    for (const std::string& text :
         {std::string("gate: ") + std::string(5000, '[') + std::string(5000, ']'), std::string("gate: [unclosed\n")}) {
        EXPECT_NE(judging_sections_text(text), judging_sections_text(k_gate_header)) << text.substr(0, 40);
    }
    // Aliases that would expand exponentially if written out.
    std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n";
    for (char name = 'b'; name <= 'z'; ++name) {
        laughs += fmt::format("{}: &{} [*{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}, *{}]\n", name, name, name - 1, name - 1,
                              name - 1, name - 1, name - 1, name - 1, name - 1, name - 1, name - 1);
    }
    laughs += "gate: *z\n";
    EXPECT_LT(judging_sections_text(laughs).size(), 100000U);  // the text itself: too large to write out
    EXPECT_NE(judging_sections_text(laughs), judging_sections_text(k_gate_header));
}

}  // namespace
}  // namespace greenlight::config
