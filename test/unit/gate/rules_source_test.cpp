// A change cannot judge itself: the gate's rules come from greenlight.yml at the base commit, and an edit of
// the gate config is itself critical.
#include "greenlight/gate/rules_source.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "greenlight/diff/git.hpp"
#include "greenlight/diff/process.hpp"
#include "greenlight/gate/judge.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::gate {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_plain_config = "version: 1\nproject: p\nsuites: { unit: { run: \"true\" } }\n";

// A repository with a base commit on main (an auth file and a plain greenlight.yml) and a branch per test.
class RulesSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        ::setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
        m_repo = m_temporary.path() / "repo";
        fs::create_directories(m_repo);
        git({"init", "-q", "-b", "main"});
        write("backend/auth/login.py", "def login(u):\n    return u\n");
        write("src/app.py", "x = 1\n");
        write("greenlight.yml", std::string(k_plain_config));
        commit("base");
        git({"checkout", "-q", "-b", "change"});
    }

    void write(const std::string& relative, const std::string& content) {
        const fs::path path = m_repo / relative;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
    }

    void git(std::vector<std::string> arguments) {
        diff::process::Arguments all = {"git", "-c",           "user.name=t", "-c", "user.email=t@example.invalid",
                                        "-C",  m_repo.string()};
        all.insert(all.end(), arguments.begin(), arguments.end());
        auto outcome = diff::process::run_pipeline({all}, {}, {"LC_ALL=C"});
        ASSERT_TRUE(outcome) << outcome.message();
        ASSERT_EQ(outcome->stages[0].exit_code, 0) << outcome->stages[0].standard_error;
    }

    void commit(const std::string& message) {
        git({"add", "-A"});
        git({"commit", "-q", "-m", message});
    }

    RulesRequest rules_request() const {
        RulesRequest request;
        request.change.repo = m_repo;
        request.change.base = "main";
        request.config_file = m_repo / "greenlight.yml";
        return request;
    }

    util::Result<GateReport> judge_change(RulesFrom from = RulesFrom::base) {
        GateRequest request;
        request.change = rules_request().change;
        request.rules = rules_request();
        request.rules->from = from;
        request.labels = {"R1-low"};
        return judge(request);
    }

    util::TemporaryDirectory m_temporary{"greenlight-rules-test"};
    fs::path m_repo;
};

const RiskReason* reason_of(const GateReport& report, std::string_view rule) {
    for (const auto& reason : report.evaluation.risk.reasons) {
        if (reason.rule == rule) return &reason;
    }
    return nullptr;
}

TEST_F(RulesSourceTest, AChangeThatLowersItsOwnRulesIsJudgedByTheBasesAndIsCritical) {
    write("greenlight.yml", std::string(k_plain_config) +
                                "gate:\n  replace_default_rules: true\n  rules:\n"
                                "    - name: everything-is-low\n      tier: R1-low\n");
    write("backend/auth/login.py", "def login(u, password):\n    return check(u, password)\n");
    commit("lower the rules and touch auth");

    auto report = judge_change();
    ASSERT_TRUE(report) << report.message();
    EXPECT_NE(report->rules_origin.find("greenlight.yml at base"), std::string::npos) << report->rules_origin;
    EXPECT_EQ(report->evaluation.risk.tier, config::RiskTier::r3_high);
    const RiskReason* edit = reason_of(*report, k_gate_config_rule);
    ASSERT_NE(edit, nullptr);
    EXPECT_EQ(edit->path, "greenlight.yml");
    EXPECT_EQ(edit->line, 4);  // the first added line
    // The base's rules (the defaults) still see the auth change.
    EXPECT_NE(reason_of(*report, "secrets-and-auth"), nullptr);
    EXPECT_EQ(reason_of(*report, "everything-is-low"), nullptr);

    // Read from the work tree, the change's own rules would have judged it: the one case the option is for.
    auto local = judge_change(RulesFrom::work_tree);
    ASSERT_TRUE(local) << local.message();
    EXPECT_NE(reason_of(*local, "everything-is-low"), nullptr);
    EXPECT_NE(local->rules_notes.size(), 0U);  // says that the defaults were replaced
}

TEST_F(RulesSourceTest, EditingOtherSectionsOrCommentsIsNotAGateConfigChange) {
    write("greenlight.yml", "# a comment\n" + std::string(k_plain_config) + "artifacts: out\n");
    commit("other sections");
    auto report = judge_change();
    ASSERT_TRUE(report) << report.message();
    EXPECT_EQ(reason_of(*report, k_gate_config_rule), nullptr);
    EXPECT_EQ(report->evaluation.risk.tier, config::RiskTier::r1_low);
}

TEST_F(RulesSourceTest, AddingAPromoteSectionIsAGateConfigChange) {
    write("greenlight.yml", std::string(k_plain_config) + "promote: {}\n");
    commit("promote");
    auto edits = gate_config_changes(rules_request(), *diff::git_diff(m_repo, "main", "HEAD"));
    ASSERT_TRUE(edits) << edits.message();
    EXPECT_EQ(edits->size(), 1U);
}

TEST_F(RulesSourceTest, ABaseWithoutAConfigGivesTheDefaultsAndSaysSo) {
    git({"rm", "-q", "greenlight.yml"});
    commit("no config");
    git({"checkout", "-q", "-b", "later"});
    write("greenlight.yml", std::string(k_plain_config));
    commit("config again");
    RulesRequest request = rules_request();
    request.change.base = "change";
    auto rules = read_gate_rules(request);
    ASSERT_TRUE(rules) << rules.message();
    EXPECT_NE(rules->origin.find("the defaults (no greenlight.yml at base"), std::string::npos) << rules->origin;
    EXPECT_FALSE(rules->config.from_file);
}

TEST_F(RulesSourceTest, ABaseConfigWithErrorsGivesTheDefaultsWithTheFirstError) {
    git({"checkout", "-q", "main"});
    write("greenlight.yml", std::string(k_plain_config) + "gate:\n  rules:\n    - name: x\n      tier: R9\n");
    commit("a broken base");
    git({"checkout", "-q", "-b", "fix"});
    auto rules = read_gate_rules(rules_request());
    ASSERT_TRUE(rules) << rules.message();
    EXPECT_NE(rules->origin.find("has errors"), std::string::npos) << rules->origin;
    ASSERT_EQ(rules->notes.size(), 1U);
    EXPECT_NE(rules->notes[0].find("gate.rules[0].tier"), std::string::npos) << rules->notes[0];
}

TEST_F(RulesSourceTest, AConfigNamedOnTheCommandLineMustExist) {
    RulesRequest request = rules_request();
    request.config_file = m_repo / "elsewhere.yml";
    request.config_named = true;
    auto rules = read_gate_rules(request);
    ASSERT_FALSE(rules);
    EXPECT_NE(rules.message().find("elsewhere.yml does not exist"), std::string::npos) << rules.message();
}

TEST_F(RulesSourceTest, AnUnknownBaseIsAnError) {
    RulesRequest request = rules_request();
    request.change.base = "no-such-branch";
    auto rules = read_gate_rules(request);
    ASSERT_FALSE(rules);
    EXPECT_NE(rules.message().find("no-such-branch"), std::string::npos) << rules.message();
}

TEST_F(RulesSourceTest, AConfigInASubfolderIsReadAtBaseAndItsEditIsSeen) {
    write("svc/greenlight.yml", std::string(k_plain_config));
    git({"checkout", "-q", "main"});
    commit("a service config");
    git({"checkout", "-q", "-b", "svc-change"});
    write("svc/greenlight.yml", std::string(k_plain_config) + "gate:\n  coverage: { patch_minimum: 1 }\n");
    commit("lower the service's coverage bar");
    RulesRequest request = rules_request();
    request.change.repo = m_repo / "svc";
    request.config_file = m_repo / "svc" / "greenlight.yml";
    auto rules = read_gate_rules(request);
    ASSERT_TRUE(rules) << rules.message();
    EXPECT_EQ(rules->config.patch_coverage_minimum, 50);  // the base's
    auto edits = gate_config_changes(request, *diff::git_diff(request.change.repo, "main", "HEAD"));
    ASSERT_TRUE(edits) << edits.message();
    ASSERT_EQ(edits->size(), 1U);
    EXPECT_EQ(edits->front().path, "svc/greenlight.yml");  // diff paths are from the top of the repository
}

TEST_F(RulesSourceTest, ASavedDiffTouchingTheConfigCountsAsAnEdit) {
    const fs::path saved = m_temporary.path() / "change.diff";
    std::ofstream(saved) << "diff --git a/greenlight.yml b/greenlight.yml\n--- a/greenlight.yml\n+++ "
                            "b/greenlight.yml\n@@ -3,0 +4,1 @@\n+artifacts: out\n";
    RulesRequest request = rules_request();
    request.change.base.clear();
    request.change.diff_file = saved.string();
    auto rules = read_gate_rules(request);
    ASSERT_TRUE(rules) << rules.message();
    EXPECT_NE(rules->origin.find("work tree"), std::string::npos) << rules->origin;
    auto change = read_change(request.change);
    ASSERT_TRUE(change) << change.message();
    auto edits = gate_config_changes(request, *change);
    ASSERT_TRUE(edits) << edits.message();
    EXPECT_EQ(edits->size(), 1U);
}

// Marking the files it touches as generated would make a change R0: the mark is an edit of how it is judged.
TEST_F(RulesSourceTest, MarkingFilesAsGeneratedIsAGateConfigChange) {
    write(".gitattributes", "* linguist-generated\n");  // itself included: every changed file is "generated"
    write("backend/auth/login.py", "def login(u, password):\n    return u\n");
    commit("hide the auth change");
    auto report = judge_change();
    ASSERT_TRUE(report) << report.message();
    EXPECT_FALSE(report->evaluation.risk.generated_only);
    EXPECT_EQ(report->evaluation.risk.tier, config::RiskTier::r3_high);
    const RiskReason* edit = reason_of(*report, k_gate_config_rule);
    ASSERT_NE(edit, nullptr);
    EXPECT_EQ(edit->path, ".gitattributes");
    EXPECT_EQ(edit->line, 1);
}

TEST_F(RulesSourceTest, AWorkTreeConfigWithErrorsListsThemInFileOrder) {
    write("greenlight.yml", std::string(k_plain_config) +
                                "gate:\n  rules:\n    - name: a\n      tier: R9\n"
                                "    - name: b\n      tier: R8\n");
    RulesRequest request = rules_request();
    request.from = RulesFrom::work_tree;
    auto rules = read_gate_rules(request);
    ASSERT_FALSE(rules);
    const std::string& message = rules.message();
    const size_t first = message.find("gate.rules[0].tier");
    const size_t second = message.find("gate.rules[1].tier");
    ASSERT_NE(first, std::string::npos) << message;
    ASSERT_NE(second, std::string::npos) << message;
    EXPECT_LT(first, second) << message;
    EXPECT_NE(message.find("2 errors in the config"), std::string::npos) << message;
}

}  // namespace
}  // namespace greenlight::gate
