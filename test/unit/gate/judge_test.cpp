// gate::judge: the decision `greenlight gate` prints, from the files a user names.
#include "greenlight/gate/judge.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"

namespace greenlight::gate {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_change = R"(diff --git a/src/app.py b/src/app.py
--- a/src/app.py
+++ b/src/app.py
@@ -1,1 +1,3 @@
 import os
+x = 1
+y = 2
)";

class JudgeTest : public ::testing::Test {
protected:
    fs::path write(const std::string& name, std::string_view text) {
        const fs::path path = m_folder.path() / name;
        std::ofstream(path) << text;
        return path;
    }

    GateRequest request_for(std::string_view diff_text) {
        GateRequest request;
        request.config = config::default_gate_config();
        request.change.repo = m_folder.path();
        request.change.diff_file = write("change.diff", diff_text).string();
        request.event_head_sha = "abc123";
        return request;
    }

    const GateResult* gate_named(const GateReport& report, std::string_view name) {
        for (const auto& gate : report.evaluation.gates) {
            if (gate.name == name) return &gate;
        }
        return nullptr;
    }

    test_support::TempDir m_folder{"greenlight-judge"};
};

TEST_F(JudgeTest, ASavedDiffWithAPassedCiCheckAtHeadPasses) {
    GateRequest request = request_for(k_change);
    request.checks.push_back(write("checks.json", R"([{"gate": "ci", "state": "passed", "sha": "abc123"}])"));
    request.labels = {"R1-low"};  // exactly one risk label, as the runbook asks
    auto report = judge(request);
    ASSERT_TRUE(report) << report.message();
    EXPECT_EQ(report->head_sha, "abc123");
    EXPECT_EQ(report->evaluation.effective_tier, config::RiskTier::r1_low);
    const GateResult* ci = gate_named(*report, "ci");
    ASSERT_NE(ci, nullptr);
    EXPECT_EQ(ci->state, GateState::passed);
    EXPECT_TRUE(report->evaluation.passed);
}

TEST_F(JudgeTest, ACheckAtAnotherCommitIsStaleAndTheGateFails) {
    GateRequest request = request_for(k_change);
    request.checks.push_back(write("checks.json", R"([{"gate": "ci", "state": "passed", "sha": "old999"}])"));
    auto report = judge(request);
    ASSERT_TRUE(report) << report.message();
    const GateResult* ci = gate_named(*report, "ci");
    ASSERT_NE(ci, nullptr);
    EXPECT_EQ(ci->state, GateState::stale);
    EXPECT_FALSE(report->evaluation.passed);
}

TEST_F(JudgeTest, CoverageOfTheAddedLinesBecomesThePatchCoverageGate) {
    GateRequest request = request_for(k_change);
    // Line 2 covered, line 3 not: 1 of 2 added lines.
    request.coverage.push_back(write("lcov.info", "SF:src/app.py\nDA:1,1\nDA:2,1\nDA:3,0\nend_of_record\n"));
    request.labels = {"R2-medium"};  // a tier that requires patch coverage
    auto report = judge(request);
    ASSERT_TRUE(report) << report.message();
    ASSERT_TRUE(report->patch.has_value());
    EXPECT_EQ(report->patch->ratio.covered, 1);
    EXPECT_EQ(report->patch->ratio.measured, 2);
    const GateResult* patch = gate_named(*report, "patch-coverage");
    ASSERT_NE(patch, nullptr);
    EXPECT_EQ(patch->state, GateState::passed);  // 50% meets the default minimum of 50%
    EXPECT_NE(patch->detail.find("50"), std::string::npos) << patch->detail;
}

TEST_F(JudgeTest, ADiffThatDoesNotParseIsAnErrorNamingTheFileAndLine) {
    auto report = judge(request_for("diff --git a/x b/x\n@@ this is not a hunk header\n"));
    ASSERT_FALSE(report);
    EXPECT_NE(report.message().find("change.diff:"), std::string::npos) << report.message();
}

TEST_F(JudgeTest, NoChangeNamedSaysHowToNameOne) {
    GateRequest request;
    request.config = config::default_gate_config();
    auto report = judge(request);
    ASSERT_FALSE(report);
    EXPECT_NE(report.message().find("--base"), std::string::npos);
    EXPECT_NE(report.message().find("--diff-file"), std::string::npos);
}

TEST_F(JudgeTest, AMissingChecksFileIsAnErrorNamingIt) {
    GateRequest request = request_for(k_change);
    request.checks.push_back(m_folder.path() / "no-such-checks.json");
    auto report = judge(request);
    ASSERT_FALSE(report);
    EXPECT_NE(report.message().find("no-such-checks.json"), std::string::npos) << report.message();
}

TEST_F(JudgeTest, AnUnreadableCoverageReportIsAnErrorNamingIt) {
    GateRequest request = request_for(k_change);
    request.coverage.push_back(write("coverage.txt", "this is not a coverage report\n"));
    auto report = judge(request);
    ASSERT_FALSE(report);
    EXPECT_NE(report.message().find("coverage.txt"), std::string::npos) << report.message();
}

TEST_F(JudgeTest, DeclaredLabelsAreJudged) {
    GateRequest request = request_for(k_change);
    request.labels = {"R3-high"};
    auto report = judge(request);
    ASSERT_TRUE(report) << report.message();
    EXPECT_EQ(report->evaluation.effective_tier, config::RiskTier::r3_high);
}

// The text report cuts long lists of reasons, and always says how many it left out.
TEST(GateReportText, EveryReasonIsShownOrCounted) {
    GateReport report;
    report.evaluation.risk.tier = config::RiskTier::r2_medium;
    for (int index = 0; index < 8; ++index) {
        report.evaluation.risk.reasons.push_back(
            {"backend", config::RiskTier::r2_medium, "backend/f" + std::to_string(index) + ".py", 0, "backend/**"});
    }
    for (int index = 0; index < 4; ++index) {
        report.evaluation.risk.reasons.push_back(
            {"code", config::RiskTier::r1_low, "src/f" + std::to_string(index) + ".py", 0, "any change"});
    }
    std::string text = report_text(report);
    EXPECT_NE(text.find("backend/f7.py"), std::string::npos) << text;  // every top-tier reason
    EXPECT_EQ(text.find("src/f0.py"), std::string::npos) << text;
    EXPECT_NE(text.find("... and 4 more (see --json)"), std::string::npos) << text;

    report.evaluation.risk.reasons.resize(3);
    text = report_text(report);
    EXPECT_EQ(text.find("more (see --json)"), std::string::npos) << text;
}

TEST(GateReportText, TheRulesOriginAndAWarningAreShown) {
    GateReport report;
    report.rules_origin = "greenlight.yml at base 0123456789ab";
    GateResult patch;
    patch.name = "patch-coverage";
    patch.state = GateState::passed;
    patch.warning = "patch coverage 45.00% is below the 50% minimum";
    report.evaluation.gates.push_back(patch);
    const std::string text = report_text(report);
    EXPECT_NE(text.find("rules: greenlight.yml at base 0123456789ab"), std::string::npos) << text;
    EXPECT_NE(text.find("warning: patch coverage 45.00%"), std::string::npos) << text;
    EXPECT_EQ(report_json(report)["gates"][0]["warning"], patch.warning);
    EXPECT_EQ(report_json(report)["rules"]["origin"], report.rules_origin);
    EXPECT_NE(uncovered_annotations(report).at(0).find("::warning title=greenlight gate patch-coverage::"),
              std::string::npos);
}

TEST_F(JudgeTest, ACoverageFormatNamedExplicitlyIsUsed) {
    GateRequest request = request_for(k_change);
    // Detection would take this for LCOV; named as Go it must parse as a Go profile and fail there.
    request.coverage.push_back(write("odd.out", "SF:src/app.py\nDA:2,1\nend_of_record\n"));
    request.coverage_format = coverage::ReportFormat::go;
    auto report = judge(request);
    ASSERT_FALSE(report);
    EXPECT_NE(report.message().find("mode:"), std::string::npos) << report.message();
    request.coverage_format = coverage::ReportFormat::lcov;
    EXPECT_TRUE(judge(request)) << judge(request).message();
}

TEST_F(JudgeTest, ACutLcovReportIsAnErrorNamingItsLastLine) {
    GateRequest request = request_for(k_change);
    request.coverage.push_back(write("cut.info", "TN:\nSF:src/app.py\nDA:1,1\nDA:2,1\n"));
    auto report = judge(request);
    ASSERT_FALSE(report);
    EXPECT_NE(report.message().find("cut.info:4:"), std::string::npos) << report.message();
}

}  // namespace
}  // namespace greenlight::gate
