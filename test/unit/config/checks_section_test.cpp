// The `checks:` and `proof:` sections of greenlight.yml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ChecksSection, EveryTypeWithItsKeysInFileOrder) {
    Config config = load_valid(k_header + R"(checks:
  docs-links: { type: links, paths: [docs/**/*.md], exclude: [docs/old/**] }
  placeholders: { indexes: [docs/INDEX.md], patterns: ['\bWIP\b'], mode: advisory }
  required: { type: required-files, manifest: required.txt, files: [README.md] }
  registry: { type: registry, file: docs/registry.json, command: ./gen.sh, output: stdout, timeout: 30s }
  protected: { type: protected-paths, paths: [migrations/**] }
  lint: { type: command, command: [make, lint] }
  secrets: { scope: changed, baseline: .secrets-baseline.json }
)");
    ASSERT_EQ(config.checks.size(), 7u);
    EXPECT_EQ(config.checks[0].name, "docs-links");
    EXPECT_EQ(config.checks[0].type, CheckType::links);
    EXPECT_THAT(config.checks[0].exclude, ElementsAre("docs/old/**"));
    EXPECT_EQ(config.checks[1].type, CheckType::placeholders);  // named after its type
    EXPECT_EQ(config.checks[1].mode, CheckMode::advisory);
    EXPECT_EQ(config.checks[2].type, CheckType::required_files);
    EXPECT_EQ(config.checks[2].manifest, "required.txt");
    EXPECT_THAT(config.checks[3].command, ElementsAre("/bin/sh", "-c", "./gen.sh"));
    EXPECT_EQ(config.checks[3].timeout, std::chrono::seconds(30));
    EXPECT_EQ(config.checks[3].line, 7);
    EXPECT_THAT(config.checks[5].command, ElementsAre("make", "lint"));
    EXPECT_EQ(config.checks[6].scope, CheckScope::changed);
    EXPECT_EQ(config.checks[6].mode, CheckMode::blocking);
    EXPECT_TRUE(config.suites.empty());  // a file for checks alone needs no suites
}

TEST(ChecksSection, BareTypeNameIsACheckWithDefaults) {
    Config config = load_valid(k_header + "checks:\n  links:\n  secrets:\n");
    ASSERT_EQ(config.checks.size(), 2u);
    EXPECT_EQ(config.checks[0].type, CheckType::links);
    EXPECT_TRUE(config.checks[0].paths.empty());
    EXPECT_EQ(config.checks[1].type, CheckType::secrets);
}

TEST(ChecksSection, KeysOfAnotherTypeAreNamedWithWhatTheTypeTakes) {
    LoadOutcome outcome = load(k_header + "checks:\n  docs: { type: links, manifest: x.txt }\n");
    EXPECT_THAT(error_lines(outcome),
                ElementsAre("greenlight.yml:4:24: checks.docs.manifest: `manifest` does not apply to a links check; a "
                            "links check takes type, mode, paths and exclude"));
}

TEST(ChecksSection, MissingTypeAndMissingRequiredKeysAreErrors) {
    LoadOutcome outcome = load(k_header + R"(checks:
  docs: { paths: [a] }
  gen: { type: registry, file: x.json }
  keep: { type: protected-paths }
  typo: { type: link }
)");
    auto lines = error_lines(outcome);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_THAT(lines[0], HasSubstr("4:3: checks.docs.type: missing key; expected the check's type: links,"));
    EXPECT_THAT(lines[1], HasSubstr("5:3: checks.gen.command: missing key; a registry check needs `command`"));
    EXPECT_THAT(lines[2], HasSubstr("6:3: checks.keep.paths: missing key"));
    EXPECT_THAT(lines[3], HasSubstr("7:17: checks.typo.type: expected links,"));
    EXPECT_THAT(lines[3], HasSubstr("did you mean 'links'?"));
}

TEST(ChecksSection, PathsMustStayInTheRepositoryAndPatternsMustCompile) {
    LoadOutcome outcome = load(k_header + R"(checks:
  required: { type: required-files, manifest: ../outside.txt }
  placeholders: { paths: [docs/**], patterns: ['(unclosed'] }
)");
    auto lines = error_lines(outcome);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_THAT(lines[0], HasSubstr("checks.required.manifest: expected a path inside the repository"));
    EXPECT_THAT(lines[1], HasSubstr("checks.placeholders.patterns[0]: expected a regular expression"));
}

TEST(ChecksSection, WithoutChecksProofOrGateSuitesAreStillRequired) {
    LoadOutcome outcome = load(k_header);
    EXPECT_THAT(error_lines(outcome), ElementsAre(HasSubstr("suites: missing key")));
}

TEST(ProofSection, DefaultsWhenAbsent) {
    Config config = load_valid(k_header + "checks: { links: }\n");
    EXPECT_FALSE(config.proof.from_file);
    EXPECT_EQ(config.proof.fingerprint, ProofConfig::Fingerprint::hmac_sha256);
    EXPECT_EQ(config.proof.fingerprint_length, 12);
    EXPECT_THAT(config.proof.forbidden, ElementsAre("@", "%40", "mail.", "%3C", "%3E"));
}

TEST(ProofSection, EveryKeyAndCriteriaWithTypedComparands) {
    Config config = load_valid(k_header + R"(proof:
  ids: [/tickets/*/id, ticket_id]
  fingerprint: sha256
  fingerprint_length: 16
  key_env: PROOF_KEY
  redact_paths: ["/v1/tickets/{id}/add-tags"]
  forbidden: ['@']
  personal_data: false
  classification_field: verdict
  strong:
    - { name: http ok, path: /response/status, equals: 200 }
    - { path: /tags/*, matches: '^[a-z-]+$' }
  weak:
    - { path: /response/status, equals: "200" }
    - { path: /attempts, at_most: 3 }
    - { path: /trace, exists: true }
)");
    const ProofConfig& proof = config.proof;
    EXPECT_TRUE(proof.from_file);
    EXPECT_THAT(proof.id_fields, ElementsAre("/tickets/*/id", "ticket_id"));
    EXPECT_EQ(proof.fingerprint, ProofConfig::Fingerprint::sha256);
    EXPECT_EQ(proof.fingerprint_length, 16);
    EXPECT_EQ(proof.key_env, "PROOF_KEY");
    EXPECT_FALSE(proof.scan_personal_data);
    EXPECT_EQ(proof.classification_field, "verdict");
    ASSERT_EQ(proof.strong.size(), 2u);
    EXPECT_EQ(proof.strong[0].name, "http ok");
    EXPECT_EQ(proof.strong[0].condition, ProofCriterion::Condition::equals);
    EXPECT_EQ(nlohmann::json::parse(proof.strong[0].value_json), nlohmann::json(200));
    EXPECT_EQ(proof.strong[1].name, "/tags/*");
    EXPECT_EQ(proof.strong[1].value_json, "^[a-z-]+$");
    ASSERT_EQ(proof.weak.size(), 3u);
    EXPECT_EQ(nlohmann::json::parse(proof.weak[0].value_json), nlohmann::json("200"));
    EXPECT_EQ(proof.weak[1].condition, ProofCriterion::Condition::at_most);
    EXPECT_EQ(nlohmann::json::parse(proof.weak[1].value_json), nlohmann::json(3.0));
    EXPECT_EQ(proof.weak[2].condition, ProofCriterion::Condition::exists);
}

TEST(ProofSection, CriteriaNeedAPathAndExactlyOneCondition) {
    LoadOutcome outcome = load(k_header + R"(proof:
  strong:
    - { path: status, equals: ok }
    - { path: /a, equals: 1, at_least: 2 }
    - { equals: 1 }
  redact_paths: [/v1/tickets/add-tags]
  fingerprint_length: 4
)");
    auto lines = error_lines(outcome);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_THAT(lines[0], HasSubstr("proof.strong[0].path: expected a JSON Pointer starting with '/'"));
    EXPECT_THAT(lines[1], HasSubstr("proof.strong[1]: expected exactly one condition"));
    EXPECT_THAT(lines[2], HasSubstr("proof.strong[2].path: missing key"));
    EXPECT_THAT(lines[3], HasSubstr("proof.redact_paths[0]: expected a path starting with '/' with at least one"));
    EXPECT_THAT(lines[4], HasSubstr("proof.fingerprint_length: expected"));
}

}  // namespace
}  // namespace greenlight::config
