// Which suites a tier runs and why, and how they split across shards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "greenlight/runner/plan.hpp"
#include "unit/runner/fakes.hpp"

namespace greenlight::runner {
namespace {

using namespace testing;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr std::string_view k_config = R"(version: 1
project: billing
suites:
  unit:
    run: [make, unit]
    labels: [fast]
  lint:
    run: [make, lint]
    labels: [fast, static]
  integration:
    run: [make, integration]
    labels: [integration]
  e2e:
    run: [make, e2e]
    labels: [integration, slow]
  docs:
    run: [make, docs]
  bench:
    run: [make, bench]
tiers:
  smoke: []
  pr-fast: [unit, lint]
  merge-medium: [unit, "label:fast", "label:integration"]
  by-label: ["label:integration"]
  nightly: [unit, lint, integration, e2e, docs, bench]
  reversed: [bench, docs, e2e]
)";

class PlanTest : public ::testing::Test {
protected:
    TempDir m_dir;
    config::Config m_config = load_config_in(m_dir.path(), k_config);

    RunPlan plan(const std::string& tier, std::optional<Shard> shard = std::nullopt,
                 const std::map<std::string, double>& durations = {}) {
        auto planned = plan_run(m_config, tier, shard, durations);
        if (!planned) {
            ADD_FAILURE() << planned.message();
            return {};
        }
        return *planned;
    }
};

std::vector<std::string> names(const RunPlan& plan) {
    std::vector<std::string> out;
    for (const auto& planned : plan.suites) out.push_back(planned.suite->name);
    return out;
}

TEST_F(PlanTest, TierByNameKeepsTheTierOrder) {
    RunPlan planned = plan("pr-fast");
    EXPECT_EQ(planned.tier, "pr-fast");
    EXPECT_THAT(names(planned), ElementsAre("unit", "lint"));
    EXPECT_THAT(planned.suites[0].reasons, ElementsAre("named in tier pr-fast"));
    EXPECT_FALSE(planned.tier_is_empty);
    EXPECT_FALSE(planned.shard.has_value());
    EXPECT_TRUE(planned.other_shards.empty());

    EXPECT_THAT(names(plan("reversed")), ElementsAre("bench", "docs", "e2e"));
}

TEST_F(PlanTest, LabelEntrySelectsEverySuiteWithTheLabel) {
    RunPlan planned = plan("by-label");
    EXPECT_THAT(names(planned), ElementsAre("integration", "e2e"));
    EXPECT_THAT(planned.suites[0].reasons, ElementsAre("label:integration in tier by-label"));
}

TEST_F(PlanTest, DuplicatesAreMergedWithBothReasons) {
    RunPlan planned = plan("merge-medium");
    EXPECT_THAT(names(planned), ElementsAre("unit", "lint", "integration", "e2e"));
    EXPECT_THAT(planned.suites[0].reasons,
                ElementsAre("named in tier merge-medium", "label:fast in tier merge-medium"));
    EXPECT_THAT(planned.suites[1].reasons, ElementsAre("label:fast in tier merge-medium"));
}

TEST_F(PlanTest, EmptyTierIsMarked) {
    RunPlan planned = plan("smoke");
    EXPECT_TRUE(planned.suites.empty());
    EXPECT_TRUE(planned.tier_is_empty);
}

TEST_F(PlanTest, UnknownTierIsAnErrorWithDidYouMean) {
    auto planned = plan_run(m_config, "pr-fsat", std::nullopt, {});
    ASSERT_FALSE(planned.ok());
    EXPECT_THAT(planned.message(), HasSubstr("pr-fsat"));
    EXPECT_THAT(planned.message(), HasSubstr("did you mean `pr-fast`"));
}

TEST_F(PlanTest, UnknownTierFarFromAnyNameListsTheTiers) {
    auto planned = plan_run(m_config, "zzzzzzzzzz", std::nullopt, {});
    ASSERT_FALSE(planned.ok());
    EXPECT_THAT(planned.message(), HasSubstr("zzzzzzzzzz"));
    EXPECT_THAT(planned.message(), HasSubstr("nightly"));
}

TEST_F(PlanTest, OneShardOfOneRunsEverything) {
    RunPlan planned = plan("nightly", Shard{1, 1});
    EXPECT_THAT(names(planned), ElementsAre("unit", "lint", "integration", "e2e", "docs", "bench"));
    EXPECT_TRUE(planned.other_shards.empty());
}

TEST_F(PlanTest, EverySuiteLandsInExactlyOneShard) {
    const std::map<std::string, double> durations = {{"unit", 30}, {"lint", 5}, {"integration", 120}, {"e2e", 300}};
    for (const auto& known : {std::map<std::string, double>{}, durations}) {
        for (int count = 1; count <= 6; ++count) {
            std::map<std::string, int> seen;
            for (int index = 1; index <= count; ++index) {
                RunPlan planned = plan("nightly", Shard{index, count}, known);
                ASSERT_TRUE(planned.shard.has_value());
                EXPECT_EQ(planned.shard->index, index);
                for (const auto& name : names(planned)) ++seen[name];
                // What this shard does not run, other shards do.
                EXPECT_EQ(planned.suites.size() + planned.other_shards.size(), 6u) << index << "/" << count;
                if (count == 6) {
                    EXPECT_EQ(planned.suites.size(), 1u) << index << "/6";
                }
            }
            EXPECT_EQ(seen.size(), 6u) << "shards: " << count;
            for (const auto& [name, times] : seen) EXPECT_EQ(times, 1) << name << " over " << count << " shards";
        }
    }
}

TEST_F(PlanTest, ShardingIsDeterministic) {
    const std::map<std::string, double> durations = {{"unit", 30}, {"lint", 30}, {"integration", 30}};
    for (int count = 2; count <= 4; ++count) {
        for (int index = 1; index <= count; ++index) {
            EXPECT_EQ(names(plan("nightly", Shard{index, count}, durations)),
                      names(plan("nightly", Shard{index, count}, durations)));
            EXPECT_EQ(plan("nightly", Shard{index, count}, durations).other_shards,
                      plan("nightly", Shard{index, count}, durations).other_shards);
        }
    }
}

TEST_F(PlanTest, WithoutDurationsShardsGetEqualCounts) {
    std::vector<size_t> sizes;
    for (int index = 1; index <= 4; ++index) sizes.push_back(plan("nightly", Shard{index, 4}).suites.size());
    EXPECT_THAT(sizes, UnorderedElementsAre(2u, 2u, 1u, 1u));
}

TEST_F(PlanTest, ALongSuiteGetsAShardToItself) {
    // merge-medium: unit, lint, integration, e2e.
    const std::map<std::string, double> durations = {{"e2e", 100}, {"unit", 1}, {"lint", 1}, {"integration", 1}};
    std::vector<std::vector<std::string>> shards = {names(plan("merge-medium", Shard{1, 2}, durations)),
                                                    names(plan("merge-medium", Shard{2, 2}, durations))};
    EXPECT_THAT(shards, UnorderedElementsAre(ElementsAre("e2e"), UnorderedElementsAre("unit", "lint", "integration")));
}

TEST_F(PlanTest, UnknownDurationsCountAsTheMean) {
    // merge-medium runs unit, lint, integration and e2e; e2e has no recorded duration, so it counts
    // as the mean of the others (43.3). LPT over 3 shards: unit | e2e | lint + integration.
    // Were e2e counted as ~0 it would go last and pair with integration instead.
    const std::map<std::string, double> durations = {{"unit", 60}, {"lint", 40}, {"integration", 30}};
    std::vector<std::vector<std::string>> shards;
    for (int index = 1; index <= 3; ++index) shards.push_back(names(plan("merge-medium", Shard{index, 3}, durations)));
    EXPECT_THAT(shards, UnorderedElementsAre(ElementsAre("unit"), ElementsAre("e2e"),
                                             UnorderedElementsAre("lint", "integration")));
}

TEST_F(PlanTest, ShardLoadsAreBalancedByDuration) {
    const std::map<std::string, double> durations = {{"unit", 50}, {"lint", 40}, {"integration", 30},
                                                     {"e2e", 20},  {"docs", 10}, {"bench", 10}};
    // LPT: unit(50) | lint(40) ; integration(30)->lint ; e2e(20)->unit ; docs(10)->either ; bench(10)->other.
    double loads[2] = {0, 0};
    for (int index = 1; index <= 2; ++index) {
        for (const auto& name : names(plan("nightly", Shard{index, 2}, durations)))
            loads[index - 1] += durations.at(name);
    }
    EXPECT_DOUBLE_EQ(loads[0] + loads[1], 160);
    EXPECT_LE(std::abs(loads[0] - loads[1]), 10.0) << loads[0] << " vs " << loads[1];
}

TEST_F(PlanTest, ShardWithMoreShardsThanSuitesMayBeEmpty) {
    RunPlan planned = plan("pr-fast", Shard{3, 3});
    EXPECT_TRUE(planned.suites.empty());
    EXPECT_THAT(planned.other_shards, UnorderedElementsAre("unit", "lint"));
    EXPECT_FALSE(planned.tier_is_empty);
}

TEST_F(PlanTest, FormatPlanSaysWhatRunsAndWhy) {
    std::string text = format_plan(plan("merge-medium"), true);
    EXPECT_THAT(text, HasSubstr("tier merge-medium"));
    EXPECT_THAT(text, HasSubstr("smoke guard"));
    EXPECT_THAT(text, HasSubstr("named in tier merge-medium, label:fast in tier merge-medium"));
    EXPECT_THAT(text, HasSubstr("e2e"));
    EXPECT_THAT(text, HasSubstr("labels integration, slow"));

    std::string sharded = format_plan(plan("nightly", Shard{1, 2}), false);
    EXPECT_THAT(sharded, HasSubstr("shard 1/2"));
    EXPECT_THAT(sharded, HasSubstr("other shards run:"));
    EXPECT_THAT(sharded, Not(HasSubstr("smoke guard")));
}

TEST_F(PlanTest, FormatPlanOfALabelMatchingNothingSaysNoTests) {
    RunPlan empty;
    empty.tier = "x";
    EXPECT_THAT(format_plan(empty, false), HasSubstr("no-tests"));
}

// ---- parse_shard ----------------------------------------------------------------------------------

TEST(ParseShard, AcceptsValidShards) {
    auto one = parse_shard("1/1");
    ASSERT_TRUE(one.ok()) << one.message();
    EXPECT_EQ(one->index, 1);
    EXPECT_EQ(one->count, 1);
    auto two = parse_shard("2/4");
    ASSERT_TRUE(two.ok()) << two.message();
    EXPECT_EQ(two->index, 2);
    EXPECT_EQ(two->count, 4);
    auto last = parse_shard("12/12");
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last->index, 12);
}

TEST(ParseShard, RejectsInvalidShards) {
    for (const char* text : {"0/2", "3/2", "2", "a/b", "1/0", "1/2x", "", "/", "/2", "1/", "-1/2", "1/-2", "x1/2",
                             "1//2", " 1/2", "1 /2"}) {
        auto parsed = parse_shard(text);
        EXPECT_FALSE(parsed.ok()) << "`" << text << "` was accepted";
        if (!parsed.ok()) {
            EXPECT_THAT(parsed.message(), HasSubstr("I/N")) << text;
        }
    }
}

// ---- read_durations --------------------------------------------------------------------------------

TEST(ReadDurations, ReadsDurationsFromASummary) {
    TempDir dir;
    write_text(dir.path() / "summary.json", R"({"schema": "greenlight.summary/v1", "suites": [
        {"name": "unit", "duration_ms": 1500},
        {"name": "lint", "duration_ms": 20.5},
        {"name": "broken", "duration_ms": "long"},
        {"duration_ms": 3}
    ]})");
    auto durations = read_durations(dir.path() / "summary.json");
    ASSERT_TRUE(durations.ok()) << durations.message();
    EXPECT_EQ(durations->size(), 2u);
    EXPECT_DOUBLE_EQ(durations->at("unit"), 1500);
    EXPECT_DOUBLE_EQ(durations->at("lint"), 20.5);
}

TEST(ReadDurations, RejectsWhatIsNotASummary) {
    TempDir dir;
    write_text(dir.path() / "bad.json", "{not json");
    write_text(dir.path() / "list.json", "[1, 2]");
    write_text(dir.path() / "nosuites.json", R"({"suites": 3})");
    for (const char* name : {"bad.json", "list.json", "nosuites.json"}) {
        auto durations = read_durations(dir.path() / name);
        EXPECT_FALSE(durations.ok()) << name;
        if (!durations.ok()) {
            EXPECT_THAT(durations.message(), HasSubstr(name));
        }
    }
    auto missing = read_durations(dir.path() / "missing.json");
    EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace greenlight::runner
