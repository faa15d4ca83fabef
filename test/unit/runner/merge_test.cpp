// `greenlight merge` on small shard bundles written the way `greenlight run` writes them: green merges,
// missing shards (red, or incomplete with --allow-partial), refused inputs, tampered inputs, exit statuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/verify.hpp"
#include "greenlight/runner/merge.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/util/fs.hpp"
#include "unit/runner/fakes.hpp"

namespace greenlight::runner {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Status = MergeOutcome::Status;
namespace fs = std::filesystem;

// One shard bundle to write: which run it belongs to, and the suites it ran with their verdicts.
struct ShardBundle {
    std::string project = "billing";
    std::string run_id = "R";
    std::string tier = "wide";
    std::optional<Shard> shard;
    std::vector<std::pair<std::string, Verdict>> suites;
    std::vector<std::string> other_shards_suites;
    std::vector<std::string> not_run;
    bool interrupted = false;
};

SuiteOutcome suite_outcome(const std::string& name, Verdict verdict) {
    SuiteOutcome suite;
    suite.name = name;
    suite.verdict = verdict;
    suite.green = verdict == Verdict::pass;
    suite.complete = true;
    suite.reason = name + " ended " + std::string(to_string(verdict));
    suite.counts.total = 1;
    (verdict == Verdict::pass ? suite.counts.passed : suite.counts.failed) = 1;
    AttemptRecord attempt;
    attempt.decision.verdict = verdict;
    attempt.decision.counts = suite.counts;
    suite.attempts.push_back(attempt);
    return suite;
}

// Writes a bundle as `greenlight run` would: suites/<name>/result.json, the reports and the manifest.
fs::path write_bundle(const fs::path& folder, const ShardBundle& spec) {
    RunOutcome run;
    run.project = spec.project;
    run.run_id = spec.run_id;
    run.tier = spec.tier;
    run.started_at = "2026-01-02T03:04:00.000Z";
    run.finished_at = "2026-01-02T03:05:00.000Z";
    run.shard = spec.shard;
    run.other_shards_suites = spec.other_shards_suites;
    run.not_run = spec.not_run;
    run.complete = !spec.interrupted;
    for (const auto& [name, verdict] : spec.suites) {
        run.suites.push_back(suite_outcome(name, verdict));
        testing::write_text(folder / "suites" / name / "result.json",
                            suite_result_json(run.suites.back(), run.tier).dump(2));
    }
    settle_run_verdict(run);
    bundle::VerifyReport verification;
    nlohmann::json summary = summary_json(run);
    const std::string written = write_run_reports(folder, summary, merged_junit(run.suites, "run"), 1, verification);
    EXPECT_EQ(written, "") << folder;
    return folder;
}

// The two halves of a tier of four suites, a and c in shard 1, b and d in shard 2.
ShardBundle shard_one(Verdict c_verdict = Verdict::pass) {
    ShardBundle spec;
    spec.shard = Shard{1, 2};
    spec.suites = {{"a", Verdict::pass}, {"c", c_verdict}};
    spec.other_shards_suites = {"b", "d"};
    return spec;
}

ShardBundle shard_two() {
    ShardBundle spec;
    spec.shard = Shard{2, 2};
    spec.suites = {{"b", Verdict::pass}, {"d", Verdict::pass}};
    spec.other_shards_suites = {"a", "c"};
    return spec;
}

json read_summary(const fs::path& bundle) {
    return json::parse(util::read_file(bundle / "summary.json").value());
}

class Merge : public ::testing::Test {
protected:
    testing::TempDir m_temp;
    fs::path in(const std::string& name) const { return m_temp.path() / name; }
};

TEST_F(Merge, AllShardsGreenMergeIntoOneGreenRun) {
    const fs::path one = write_bundle(in("one"), shard_one());
    const fs::path two = write_bundle(in("two"), shard_two());
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    ASSERT_EQ(outcome.status, Status::merged) << outcome.message;
    json summary = read_summary(in("merged"));
    EXPECT_EQ(summary["verdict"], "pass");
    EXPECT_EQ(summary["green"], true);
    EXPECT_EQ(summary["status"], "complete");
    EXPECT_EQ(summary["suites"].size(), 4u);
    EXPECT_EQ(summary["counts"]["passed"], 4);
    EXPECT_TRUE(summary["shard"].is_null());
    EXPECT_EQ(summary["missing_shards"], json::array());
    EXPECT_TRUE(fs::exists(in("merged") / "suites" / "d" / "result.json"));
    EXPECT_TRUE(bundle::verify_bundle(in("merged"), 1).ok());
}

TEST_F(Merge, ARedShardMakesTheMergedRunRedWithItsVerdict) {
    const fs::path one = write_bundle(in("one"), shard_one(Verdict::crashed));
    const fs::path two = write_bundle(in("two"), shard_two());
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    ASSERT_EQ(outcome.status, Status::merged) << outcome.message;
    EXPECT_EQ(outcome.summary["verdict"], "crashed");
    EXPECT_EQ(outcome.summary["green"], false);
    EXPECT_THAT(outcome.summary["reason"].get<std::string>(), HasSubstr("c ended crashed"));
}

TEST_F(Merge, AMissingShardMakesTheMergedRunRedAndNamesTheShardAndItsSuites) {
    const fs::path one = write_bundle(in("one"), shard_one());
    MergeOutcome outcome = merge_bundles({one}, in("merged"), 1);
    ASSERT_EQ(outcome.status, Status::merged) << outcome.message;
    json summary = read_summary(in("merged"));
    EXPECT_EQ(summary["verdict"], "error");
    EXPECT_EQ(summary["green"], false);
    EXPECT_EQ(summary["status"], "incomplete");
    EXPECT_THAT(summary["reason"].get<std::string>(), AllOf(HasSubstr("shard 2/2 missing"), HasSubstr("b, d")));
    EXPECT_EQ(summary["missing_shards"], json::parse(R"([{"index": 2, "count": 2}])"));
    EXPECT_THAT(summary["missing_suites"].get<std::vector<std::string>>(), ElementsAre("b", "d"));
    EXPECT_EQ(summary["allow_partial"], false);
    EXPECT_TRUE(bundle::verify_bundle(in("merged"), 1).ok());
}

TEST_F(Merge, AllowPartialWritesAnIncompleteRunThatIsNeverGreen) {
    const fs::path two = write_bundle(in("two"), shard_two());
    MergeOutcome outcome = merge_bundles({two}, in("merged"), 1, verdict::MissingShards::allow_partial);
    ASSERT_EQ(outcome.status, Status::merged) << outcome.message;
    json summary = read_summary(in("merged"));
    EXPECT_EQ(summary["verdict"], "pass") << "the verdict of the shards present";
    EXPECT_EQ(summary["green"], false);
    EXPECT_EQ(summary["status"], "incomplete");
    EXPECT_EQ(summary["allow_partial"], true);
    EXPECT_THAT(summary["reason"].get<std::string>(), HasSubstr("shard 1/2 missing"));
}

TEST_F(Merge, AnInterruptedShardLeavesTheMergedRunIncomplete) {
    ShardBundle interrupted = shard_two();
    interrupted.suites = {{"b", Verdict::pass}};
    interrupted.not_run = {"d"};
    interrupted.interrupted = true;
    const fs::path one = write_bundle(in("one"), shard_one());
    const fs::path two = write_bundle(in("two"), interrupted);
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    ASSERT_EQ(outcome.status, Status::merged) << outcome.message;
    EXPECT_EQ(outcome.summary["green"], false);
    EXPECT_EQ(outcome.summary["status"], "incomplete");
    EXPECT_EQ(outcome.summary["missing_shards"], json::array()) << "every shard is there, one did not finish";
}

TEST_F(Merge, TheSameShardTwiceIsRefusedNamingBothInputs) {
    const fs::path one = write_bundle(in("one"), shard_one());
    ShardBundle again = shard_one();
    again.suites = {{"x", Verdict::pass}};  // not even the same suites: the index alone decides
    const fs::path copy = write_bundle(in("copy"), again);
    MergeOutcome outcome = merge_bundles({one, copy}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::refused);
    EXPECT_THAT(outcome.message, AllOf(HasSubstr(one.string()), HasSubstr(copy.string()), HasSubstr("shard 1/2")));
    EXPECT_FALSE(fs::exists(in("merged")));
}

TEST_F(Merge, ShardsOfAnotherRunTierOrProjectAreRefusedNamingTheField) {
    const fs::path one = write_bundle(in("one"), shard_one());
    for (const char* field : {"run_id", "tier", "project"}) {
        ShardBundle other = shard_two();
        if (std::string(field) == "run_id") other.run_id = "OTHER";
        if (std::string(field) == "tier") other.tier = "nightly";
        if (std::string(field) == "project") other.project = "shipping";
        const fs::path two = write_bundle(in(std::string("two-") + field), other);
        MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
        EXPECT_EQ(outcome.status, Status::refused) << field;
        EXPECT_THAT(outcome.message, AllOf(HasSubstr(field), HasSubstr(one.string()), HasSubstr(two.string())));
    }
}

TEST_F(Merge, ShardsWithAnotherShardCountAreRefused) {
    const fs::path one = write_bundle(in("one"), shard_one());
    ShardBundle of_three = shard_two();
    of_three.shard = Shard{2, 3};
    const fs::path two = write_bundle(in("two"), of_three);
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::refused);
    EXPECT_THAT(outcome.message, AllOf(HasSubstr("shard 1/2"), HasSubstr("shard 2/3"), HasSubstr(two.string())));
}

TEST_F(Merge, AShardMergedWithAnUnshardedRunIsRefused) {
    const fs::path one = write_bundle(in("one"), shard_one());
    ShardBundle whole = shard_two();
    whole.shard.reset();
    whole.other_shards_suites.clear();
    const fs::path all = write_bundle(in("whole"), whole);
    MergeOutcome outcome = merge_bundles({one, all}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::refused);
    EXPECT_THAT(outcome.message, AllOf(HasSubstr("not a shard"), HasSubstr(one.string()), HasSubstr(all.string())));
}

TEST_F(Merge, ShardsPlannedFromDifferentTiersOfSuitesAreRefused) {
    const fs::path one = write_bundle(in("one"), shard_one());
    ShardBundle replanned = shard_two();
    replanned.other_shards_suites = {"a", "c", "e"};
    const fs::path two = write_bundle(in("two"), replanned);
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::refused);
    EXPECT_THAT(outcome.message, HasSubstr("different"));
}

TEST_F(Merge, ASuiteInTwoInputsIsRefused) {
    ShardBundle overlapping = shard_two();
    overlapping.suites.push_back({"a", Verdict::pass});
    const fs::path one = write_bundle(in("one"), shard_one());
    const fs::path two = write_bundle(in("two"), overlapping);
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::refused);
    EXPECT_THAT(outcome.message, HasSubstr("suite `a`"));
}

TEST_F(Merge, AnUnshardedBundleAloneMergesAsItself) {
    ShardBundle whole;
    whole.suites = {{"a", Verdict::pass}, {"b", Verdict::pass}};
    const fs::path all = write_bundle(in("whole"), whole);
    MergeOutcome outcome = merge_bundles({all}, in("merged"), 1);
    ASSERT_EQ(outcome.status, Status::merged) << outcome.message;
    EXPECT_EQ(outcome.summary["green"], true);
    EXPECT_EQ(merge_bundles({all, all}, in("merged-twice"), 1).status, Status::refused);
}

TEST_F(Merge, ATamperedInputDoesNotVerifyAndIsNotMerged) {
    const fs::path one = write_bundle(in("one"), shard_one());
    const fs::path two = write_bundle(in("two"), shard_two());
    testing::write_text(two / "suites" / "b" / "result.json", "{}");
    MergeOutcome outcome = merge_bundles({one, two}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::invalid_input);
    EXPECT_THAT(outcome.message, AllOf(HasSubstr(two.string()), HasSubstr("modified")));
}

TEST_F(Merge, ASummaryWhoseSuiteNameLeavesTheBundleIsNotMerged) {
    const fs::path one = write_bundle(in("one"), shard_one());
    json summary = read_summary(one);
    summary["suites"][0]["name"] = "../../escape";
    testing::write_text(one / "summary.json", summary.dump(2));
    ASSERT_TRUE(bundle::write_manifest(one, 1));  // re-signed: the manifest alone does not catch it
    MergeOutcome outcome = merge_bundles({one}, in("merged"), 1, verdict::MissingShards::allow_partial);
    EXPECT_EQ(outcome.status, Status::invalid_input);
    EXPECT_THAT(outcome.message, HasSubstr("/suites/0/name"));
}

TEST_F(Merge, ASummaryClaimingAGreenFailIsNotMerged) {
    const fs::path one = write_bundle(in("one"), shard_one(Verdict::fail));
    json summary = read_summary(one);
    summary["suites"][1]["green"] = true;
    testing::write_text(one / "summary.json", summary.dump(2));
    ASSERT_TRUE(bundle::write_manifest(one, 1));
    MergeOutcome outcome = merge_bundles({one, write_bundle(in("two"), shard_two())}, in("merged"), 1);
    EXPECT_EQ(outcome.status, Status::invalid_input);
    EXPECT_THAT(outcome.message, HasSubstr("/suites/1/green"));
}

TEST_F(Merge, AnOutputFolderInUseIsRefused) {
    const fs::path one = write_bundle(in("one"), shard_one());
    testing::write_text(in("merged") / "keep.txt", "mine");
    EXPECT_EQ(merge_bundles({one}, in("merged"), 1).status, Status::refused);
}

TEST_F(Merge, AnOutputThatCannotBeWrittenIsAWriteError) {
    const fs::path one = write_bundle(in("one"), shard_one());
    const fs::path two = write_bundle(in("two"), shard_two());
    testing::write_text(in("file"), "not a folder");
    EXPECT_EQ(merge_bundles({one, two}, in("file") / "merged", 1).status, Status::write_error);
}

}  // namespace
}  // namespace greenlight::runner
