// Which suites a tier runs, and why; splitting them across shards.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::runner {

struct PlannedSuite {
    const config::SuiteConfig* suite = nullptr;
    std::vector<std::string> reasons;  // "named in tier pr-fast", "label:integration in tier merge-medium"
};

struct RunPlan {
    std::string tier;
    std::vector<PlannedSuite> suites;  // in the order the tier lists them
    std::optional<Shard> shard;
    std::vector<std::string> other_shards;  // suites of this tier that other shards run
    bool tier_is_empty = false;             // the tier lists no suites: the smoke guard is the run
};

// Suite durations (milliseconds) recorded in an earlier summary.json, to balance shards.
util::Result<std::map<std::string, double>> read_durations(const std::filesystem::path& summary_file);

// Parses `I/N` (1 <= I <= N).
util::Result<Shard> parse_shard(const std::string& text);

// Selects a tier's suites; with a shard, keeps the ones this shard runs. Balancing is greedy
// longest-first over recorded durations (unknown ones count as the mean), ties broken by name,
// so every shard of a matrix computes the same split.
util::Result<RunPlan> plan_run(const config::Config& config, const std::string& tier, std::optional<Shard> shard,
                               const std::map<std::string, double>& durations);

// `--list`: what would run and why.
std::string format_plan(const RunPlan& plan, bool smoke_first);

}  // namespace greenlight::runner
