#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "greenlight/gate/gates.hpp"
#include "greenlight/gate/patch_coverage.hpp"
#include "greenlight/gate/risk.hpp"

namespace greenlight::gate {
namespace {

using config::RiskTier;

diff::FileDiff changed(std::string path, std::vector<std::string> added_lines = {"x = 1"}) {
    diff::FileDiff file;
    file.old_path = path;
    file.new_path = std::move(path);
    std::int64_t number = 1;
    for (auto& text : added_lines) file.added.push_back({number++, std::move(text)});
    return file;
}

diff::Diff change_of(std::vector<diff::FileDiff> files) {
    diff::Diff made;
    made.files = std::move(files);
    return made;
}

TEST(Risk, DocsOnlyChangeIsR0) {
    auto risk =
        assess_risk(change_of({changed("docs/guide.md", {"the password is in the vault"}), changed("README.md")}),
                    config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r0_docs);
    EXPECT_TRUE(risk.docs_only);
}

TEST(Risk, GeneratedOnlyChangeIsR0) {
    auto risk = assess_risk(change_of({changed("gen/api.py"), changed("gen/models.py")}), config::default_gate_config(),
                            {true, true});
    EXPECT_EQ(risk.tier, RiskTier::r0_docs);
    EXPECT_TRUE(risk.generated_only);
}

TEST(Risk, OrdinaryCodeIsR1) {
    auto risk = assess_risk(change_of({changed("src/util/strings.py")}), config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r1_low);
}

TEST(Risk, CriticalZoneRaisesAndNothingLowersIt) {
    // The critical file comes first: a later, lower match must not lower the tier.
    auto risk = assess_risk(change_of({changed("backend/billing.py"), changed("docs/x.md"), changed("src/a.py")}),
                            config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r2_medium);
    ASSERT_FALSE(risk.reasons.empty());
    EXPECT_EQ(risk.reasons.front().tier, RiskTier::r2_medium);
    EXPECT_EQ(risk.reasons.front().path, "backend/billing.py");
    EXPECT_EQ(risk.reasons.front().rule, "backend");
}

TEST(Risk, KeywordsMatchAddedLinesOnlyAndNameTheLine) {
    auto gate = config::default_gate_config();
    auto file = changed("src/app.py", {"import os", "token = os.environ['API_KEY']"});
    file.removed_lines = {3};  // a removed secret does not raise the tier: only added lines count
    auto risk = assess_risk(change_of({file}), gate, {});
    EXPECT_EQ(risk.tier, RiskTier::r2_medium);
    bool found = false;
    for (const auto& reason : risk.reasons) {
        if (reason.rule == "secret-or-auth-code") {
            found = true;
            EXPECT_EQ(reason.line, 2);
            EXPECT_EQ(reason.matched, "api_key");
        }
    }
    EXPECT_TRUE(found);
}

TEST(Risk, RenameCountsForTheOldPathToo) {
    auto file = changed("src/billing.py");
    file.old_path = "backend/billing.py";
    file.change = diff::FileChange::renamed;
    auto risk = assess_risk(change_of({file}), config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r2_medium);
}

TEST(Risk, DeletionCountsForThePathItRemoves) {
    diff::FileDiff file;
    file.old_path = "db/migrations/001_init.sql";
    file.change = diff::FileChange::deleted;
    auto risk = assess_risk(change_of({file}), config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r2_medium);
}

TEST(Risk, HighestRuleWinsAndRuleGatesApplyFromTheirTier) {
    config::GateConfig gate = config::default_gate_config();
    config::RiskRule payments;
    payments.name = "payments";
    payments.paths = {"payments/**"};
    payments.tier = RiskTier::r4_critical;
    gate.rules.push_back(payments);
    auto risk = assess_risk(change_of({changed("payments/refund.py"), changed("src/webhooks/github.py")}), gate, {});
    EXPECT_EQ(risk.tier, RiskTier::r4_critical);
    auto needs_proof = [](const Evaluation& evaluation) {
        return std::any_of(evaluation.gates.begin(), evaluation.gates.end(),
                           [](const GateResult& gate) { return gate.name == "e2e-proof"; });
    };
    // Webhooks at R3 or above need end-to-end proof ...
    EXPECT_TRUE(needs_proof(evaluate(risk, {"R4-critical"}, {}, gate, "h", {})));
    auto lower = assess_risk(change_of({changed("src/webhooks/github.py")}), config::default_gate_config(), {});
    EXPECT_EQ(lower.tier, RiskTier::r2_medium);
    // ... not below it, unless a declared label raises the tier.
    EXPECT_FALSE(needs_proof(evaluate(lower, {"R2-medium"}, {}, gate, "h", {})));
    EXPECT_TRUE(needs_proof(evaluate(lower, {"R3-high"}, {}, gate, "h", {})));
}

TEST(Labels, ExactlyOneRiskLabelNotBelowTheComputedTier) {
    EXPECT_EQ(check_declared_labels({"bug"}, RiskTier::r1_low).violations.size(), 1u);
    auto two = check_declared_labels({"R1-low", "risk:R2-medium"}, RiskTier::r1_low);
    ASSERT_EQ(two.violations.size(), 1u);
    EXPECT_NE(two.violations[0].find("2 risk labels"), std::string::npos);
    auto below = check_declared_labels({"risk:R1-low"}, RiskTier::r2_medium);
    ASSERT_EQ(below.violations.size(), 1u);
    EXPECT_NE(below.violations[0].find("below"), std::string::npos);
    auto fine = check_declared_labels({"R3-high"}, RiskTier::r2_medium);
    EXPECT_TRUE(fine.violations.empty());
    EXPECT_EQ(fine.tier, RiskTier::r3_high);
}

RiskAssessment risk_at(RiskTier tier) {
    RiskAssessment risk;
    risk.tier = tier;
    risk.files = 1;
    return risk;
}

std::vector<std::string> gate_names(const Evaluation& evaluation) {
    std::vector<std::string> names;
    for (const auto& gate : evaluation.gates) names.push_back(gate.name);
    return names;
}

TEST(Gates, EachTierRequiresItsOwnAndEverythingBelow) {
    auto gate = config::default_gate_config();
    EXPECT_TRUE(gate_names(evaluate(risk_at(RiskTier::r0_docs), {"R0-docs"}, {}, gate, "h", {})).empty());
    EXPECT_EQ(gate_names(evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, {}, gate, "h", {})),
              (std::vector<std::string>{"ci"}));
    EXPECT_EQ(gate_names(evaluate(risk_at(RiskTier::r2_medium), {"R2-medium"}, {}, gate, "h", {})),
              (std::vector<std::string>{"ci", "patch-coverage", "automated-review", "semantic-review"}));
    auto r4 = gate_names(evaluate(risk_at(RiskTier::r1_low), {"R4-critical"}, {}, gate, "h", {}));
    EXPECT_EQ(r4.size(), 9u);  // a declared tier above the computed one raises the requirements
}

TEST(Gates, PassesOnlyWhenEveryBlockingGateHoldsAtHead) {
    auto gate = config::default_gate_config();
    gate.gates["semantic-review"].mode = config::GateMode::advisory;
    std::vector<GateObservation> observations = {
        {"ci", GateState::passed, "head", "checks", "", ""},
        {"patch-coverage", GateState::passed, "head", "coverage", "", ""},
        {"automated-review", GateState::passed, "head", "checks", "", ""},
        {"semantic-review", GateState::failed, "head", "checks", "", ""},
    };
    auto evaluation = evaluate(risk_at(RiskTier::r2_medium), {"R2-medium"}, observations, gate, "head", {});
    EXPECT_TRUE(evaluation.passed);  // the failing gate is advisory
    EXPECT_EQ(evaluation.lifecycle, Lifecycle::passed);

    observations[2].state = GateState::running;
    evaluation = evaluate(risk_at(RiskTier::r2_medium), {"R2-medium"}, observations, gate, "head", {});
    EXPECT_FALSE(evaluation.passed);
    EXPECT_EQ(evaluation.lifecycle, Lifecycle::running);
}

TEST(Gates, PassedAtAnotherCommitIsStaleUnlessTheContentIsTheSame) {
    auto gate = config::default_gate_config();
    std::vector<GateObservation> observations = {{"ci", GateState::passed, "old", "checks", "", ""}};
    auto stale = evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, observations, gate, "new", {});
    ASSERT_EQ(stale.gates.size(), 1u);
    EXPECT_EQ(stale.gates[0].state, GateState::stale);
    EXPECT_EQ(stale.lifecycle, Lifecycle::stale);
    EXPECT_FALSE(stale.passed);

    auto same_tree = evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, observations, gate, "new",
                              [](const std::string& sha) { return sha == "old"; });
    EXPECT_EQ(same_tree.gates[0].state, GateState::passed);
    EXPECT_TRUE(same_tree.passed);
}

TEST(Gates, WithoutAKnownHeadNothingIsCalledStale) {
    auto gate = config::default_gate_config();
    std::vector<GateObservation> observations = {{"ci", GateState::passed, "old", "checks", "", ""}};
    auto evaluation = evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, observations, gate, "", {});
    EXPECT_EQ(evaluation.gates[0].state, GateState::passed);
}

TEST(Gates, ObservationsAtHeadWinAndFailuresWinAmongThem) {
    auto gate = config::default_gate_config();
    std::vector<GateObservation> observations = {{"ci", GateState::failed, "old", "a", "", ""},
                                                 {"ci", GateState::passed, "new", "b", "", ""},
                                                 {"ci", GateState::failed, "new", "c", "", ""}};
    auto evaluation = evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, observations, gate, "new", {});
    EXPECT_EQ(evaluation.gates[0].state, GateState::failed);
}

TEST(Proof, AProofFileIsTheEndToEndGate) {
    auto dir = std::filesystem::temp_directory_path() / ("greenlight-proof-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return dir / name;
    };
    auto passed = read_proof(write("pass.json", R"({"verdict": "pass", "sha": "abc"})"));
    ASSERT_TRUE(passed) << passed.message();
    EXPECT_EQ(passed->gate, "e2e-proof");
    EXPECT_EQ(passed->state, GateState::passed);
    EXPECT_EQ(passed->sha, "abc");
    auto failed = read_proof(write("fail.json", R"({"result": "failed", "git": {"sha": "def"}})"));
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->state, GateState::failed);
    EXPECT_EQ(failed->sha, "def");
    // The classification `greenlight proof` writes, under its default member or a configured one.
    auto strong = read_proof(write("strong.json", R"({"sha": "abc", "classification": {"verdict": "PASS_STRONG"}})"));
    ASSERT_TRUE(strong) << strong.message();
    EXPECT_EQ(strong->state, GateState::passed);
    auto weak = read_proof(write("weak.json", R"({"outcome": {"verdict": "PASS_WEAK"}})"));
    ASSERT_TRUE(weak) << weak.message();
    EXPECT_EQ(weak->state, GateState::passed);
    auto classified_fail =
        read_proof(write("classified-fail.json", R"({"status": "passed", "classification": {"verdict": "FAIL"}})"));
    ASSERT_TRUE(classified_fail);
    EXPECT_EQ(classified_fail->state, GateState::failed);
    EXPECT_FALSE(read_proof(write("unclear.json", R"({"verdict": "maybe"})")));
    EXPECT_FALSE(read_proof(write("list.json", "[]")));
    std::filesystem::remove_all(dir);
}

TEST(Lifecycle, LabelOperationsReachTheWantedSet) {
    auto gate = config::default_gate_config();
    auto evaluation = evaluate(risk_at(RiskTier::r1_low), {"gates:passed", "risk:R3-high", "bug"}, {}, gate, "h", {});
    EXPECT_EQ(evaluation.labels.wanted, (std::vector<std::string>{"risk:R3-high", "gates:ready"}));
    EXPECT_EQ(evaluation.labels.add, (std::vector<std::string>{"gates:ready"}));
    EXPECT_EQ(evaluation.labels.remove, (std::vector<std::string>{"gates:passed"}));
}

coverage::Coverage coverage_of(std::string path, coverage::LineHits lines) {
    coverage::Coverage made;
    made.files[std::move(path)].lines = std::move(lines);
    return made;
}

TEST(PatchCoverage, CountsMeasuredAddedLinesExactly) {
    auto diff = change_of({changed("src/a.py", {"a", "b", "c", "d"})});
    // line 1 covered, 2 not, 3 not measured, 4 not covered
    auto patch = compute_patch_coverage(diff, coverage_of("src/a.py", {{1, 3}, {2, 0}, {4, 0}}), {});
    EXPECT_EQ(patch.ratio.covered, 1);
    EXPECT_EQ(patch.ratio.measured, 3);
    ASSERT_EQ(patch.files.size(), 1u);
    ASSERT_EQ(patch.files[0].uncovered.size(), 2u);
    EXPECT_EQ(patch.files[0].uncovered[0].first, 2);
    EXPECT_EQ(patch.files[0].uncovered[1].first, 4);
}

TEST(PatchCoverage, GatePassesAtMinimumMinusThresholdAndSaysNa) {
    auto gate = config::default_gate_config();  // 50% minimum, 10 points threshold: passes at 40%
    PatchCoverage patch;
    patch.ratio = {2, 5};  // 40%
    EXPECT_EQ(patch_coverage_gate(patch, gate, "h").state, GateState::passed);
    patch.ratio = {39, 100};
    EXPECT_EQ(patch_coverage_gate(patch, gate, "h").state, GateState::failed);
    patch.ratio = {0, 0};
    auto na = patch_coverage_gate(patch, gate, "h");
    EXPECT_EQ(na.state, GateState::passed);
    EXPECT_NE(na.detail.find("n/a"), std::string::npos);
}

TEST(PatchCoverage, UnmeasuredCriticalSourceFileFailsTheGate) {
    auto diff = change_of({changed("backend/pay.py"), changed("docs/a.md")});
    auto risk = assess_risk(diff, config::default_gate_config(), {});
    auto patch = compute_patch_coverage(diff, coverage::Coverage{}, risk);
    EXPECT_EQ(patch.unmeasured_files, (std::vector<std::string>{"backend/pay.py"}));  // docs are not source
    EXPECT_EQ(patch.unmeasured_critical, (std::vector<std::string>{"backend/pay.py"}));
    EXPECT_EQ(patch_coverage_gate(patch, config::default_gate_config(), "h").state, GateState::failed);
}

TEST(PatchCoverage, TestFilesAndHeadersAreNotExpectedInReports) {
    auto diff = change_of({changed("auth/login_test.go"), changed("auth/test_login.py"),
                           changed("auth/tests/helpers.py"), changed("auth/session.h"), changed("auth/login.go")});
    auto risk = assess_risk(diff, config::default_gate_config(), {});
    auto patch = compute_patch_coverage(diff, coverage::Coverage{}, risk);
    EXPECT_EQ(patch.unmeasured_files, (std::vector<std::string>{"auth/login.go"}));
}

TEST(ProjectCoverage, DropIsComparedInExactPoints) {
    auto gate = config::default_gate_config();  // at most 5 points lower
    EXPECT_EQ(project_coverage_gate({75, 100}, {80, 100}, gate, "h").state, GateState::passed);  // exactly 5
    EXPECT_EQ(project_coverage_gate({7499, 10000}, {80, 100}, gate, "h").state, GateState::failed);
    EXPECT_EQ(project_coverage_gate({0, 0}, {80, 100}, gate, "h").state, GateState::missing);
}

// A change too large to read line by line is a risk whatever it touches: 301 files of ordinary code are not R1.
TEST(Risk, TheSizeOfAChangeRaisesItsTier) {
    std::vector<diff::FileDiff> many;
    for (int index = 0; index < 301; ++index) many.push_back(changed("src/module_" + std::to_string(index) + ".py"));
    auto risk = assess_risk(change_of(many), config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r3_high);
    ASSERT_FALSE(risk.reasons.empty());
    EXPECT_EQ(risk.reasons.front().rule, "very-large-change");
    EXPECT_EQ(risk.reasons.front().path, "");
    EXPECT_EQ(risk.reasons.front().matched, "301 files changed (at least 100)");

    std::vector<std::string> lines(600, "x = 1");
    risk = assess_risk(change_of({changed("src/big.py", lines)}), config::default_gate_config(), {});
    EXPECT_EQ(risk.tier, RiskTier::r2_medium);
    EXPECT_EQ(risk.reasons.front().rule, "large-change");
    EXPECT_EQ(risk.reasons.front().matched, "600 lines changed (at least 500)");

    // Docs and generated files do not count: a large documentation change is still R0.
    std::vector<diff::FileDiff> docs;
    for (int index = 0; index < 150; ++index) docs.push_back(changed("docs/page_" + std::to_string(index) + ".md"));
    EXPECT_EQ(assess_risk(change_of(docs), config::default_gate_config(), {}).tier, RiskTier::r0_docs);
    std::vector<diff::FileDiff> mixed = {changed("src/one.py")};
    std::vector<bool> generated = {false};
    for (int index = 0; index < 150; ++index) {
        mixed.push_back(changed("gen/api_" + std::to_string(index) + ".py"));
        generated.push_back(true);
    }
    EXPECT_EQ(assess_risk(change_of(mixed), config::default_gate_config(), generated).tier, RiskTier::r1_low);
}

TEST(Risk, ASizeRuleWithPathsCountsOnlyThoseFiles) {
    auto gate = config::default_gate_config();
    config::RiskRule rule;
    rule.name = "big-schema-change";
    rule.paths = {"schema/**"};
    rule.size_files = 3;
    rule.tier = RiskTier::r4_critical;
    gate.rules.push_back(rule);
    auto risk = assess_risk(
        change_of({changed("schema/a.sql.tmpl"), changed("schema/b.tmpl"), changed("src/c.py"), changed("src/d.py")}),
        gate, {});
    EXPECT_LT(risk.tier, RiskTier::r4_critical);
    risk = assess_risk(
        change_of({changed("schema/a.tmpl"), changed("schema/b.tmpl"), changed("schema/c.tmpl"), changed("src/d.py")}),
        gate, {});
    EXPECT_EQ(risk.tier, RiskTier::r4_critical);
}

// A check that does not say which commit it is for could be for any; it does not pass the gate at a known head.
TEST(Gates, ACheckWithoutAShaIsUnknownAtAKnownHead) {
    auto gate = config::default_gate_config();
    std::vector<GateObservation> observations = {{"ci", GateState::passed, "", "checks.json", "", ""}};
    auto evaluation = evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, observations, gate, "head", {});
    ASSERT_EQ(evaluation.gates.size(), 1u);
    EXPECT_EQ(evaluation.gates[0].state, GateState::unknown);
    EXPECT_NE(evaluation.gates[0].detail.find("without a commit sha"), std::string::npos);
    EXPECT_FALSE(evaluation.passed);
    // The same report at head counts; and without a known head there is nothing to compare with.
    observations.push_back({"ci", GateState::passed, "head", "checks.json", "", ""});
    EXPECT_TRUE(evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, observations, gate, "head", {}).passed);
    EXPECT_TRUE(evaluate(risk_at(RiskTier::r1_low), {"R1-low"}, {observations[0]}, gate, "", {}).passed);
}

TEST(Gates, AChecksFileMayNameItsCommitOnceForEveryEntry) {
    auto dir = std::filesystem::temp_directory_path() / ("greenlight-checks-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "checks.json") << R"({"sha": "head", "gates": [{"gate": "ci", "state": "passed"},
        {"gate": "automated-review", "state": "passed", "sha": "older"}]})";
    auto read = read_checks_file(dir / "checks.json", config::default_gate_config());
    std::filesystem::remove_all(dir);
    ASSERT_TRUE(read) << read.message();
    ASSERT_EQ(read->size(), 2u);
    EXPECT_EQ((*read)[0].sha, "head");
    EXPECT_EQ((*read)[1].sha, "older");
}

// A bare tier label counts, and goes when the canonical one is added: a second --apply changes nothing.
TEST(Labels, BareRiskLabelsConvergeToOneCanonicalLabel) {
    auto gate = config::default_gate_config();
    auto first = evaluate(risk_at(RiskTier::r3_high), {"R3-high", "bug"}, {}, gate, "h", {});
    EXPECT_TRUE(first.declared.violations.empty());
    EXPECT_EQ(first.labels.add, (std::vector<std::string>{"risk:R3-high", "gates:ready"}));
    EXPECT_EQ(first.labels.remove, (std::vector<std::string>{"R3-high"}));

    auto second = evaluate(risk_at(RiskTier::r3_high), {"risk:R3-high", "gates:ready", "bug"}, {}, gate, "h", {});
    EXPECT_TRUE(second.declared.violations.empty());
    EXPECT_TRUE(second.labels.add.empty());
    EXPECT_TRUE(second.labels.remove.empty());

    // Both forms of the same tier at once are one declaration, not two; GitHub's names ignore case.
    auto both = evaluate(risk_at(RiskTier::r3_high), {"R3-high", "risk:r3-high", "gates:READY"}, {}, gate, "h", {});
    EXPECT_TRUE(both.declared.violations.empty());
    EXPECT_TRUE(both.labels.add.empty());
    EXPECT_EQ(both.labels.remove, (std::vector<std::string>{"R3-high"}));
    // Two different tiers are still a violation.
    EXPECT_EQ(evaluate(risk_at(RiskTier::r1_low), {"R3-high", "risk:R2-medium"}, {}, gate, "h", {})
                  .declared.violations.size(),
              1u);
}

TEST(PatchCoverage, ANarrowPassCarriesAWarning) {
    auto gate = config::default_gate_config();  // 50% minimum, 10 points: passes at 40%, warns below 60%
    PatchCoverage patch;
    patch.ratio = {45, 100};
    auto below = patch_coverage_gate(patch, gate, "h");
    EXPECT_EQ(below.state, GateState::passed);
    EXPECT_NE(below.warning.find("below the 50% minimum"), std::string::npos) << below.warning;
    patch.ratio = {55, 100};
    auto above = patch_coverage_gate(patch, gate, "h");
    EXPECT_EQ(above.state, GateState::passed);
    EXPECT_NE(above.warning.find("within 10 points"), std::string::npos) << above.warning;
    patch.ratio = {60, 100};
    EXPECT_EQ(patch_coverage_gate(patch, gate, "h").warning, "");
    patch.ratio = {30, 100};
    EXPECT_EQ(patch_coverage_gate(patch, gate, "h").warning, "");  // failed: the state says it all
}

}  // namespace
}  // namespace greenlight::gate
