// The run's verdict (declared in verdict.hpp): the rule `run`, `merge` and `serve` share.
#include <fmt/format.h>

#include "greenlight/util/strings.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::verdict {

namespace {

std::string missing_shards_text(const RunFacts& facts) {
    std::vector<std::string> names;
    for (const auto& shard : facts.missing_shards) names.push_back(shard_name(shard));
    std::string text =
        fmt::format("{} {} missing", facts.missing_shards.size() == 1 ? "shard" : "shards", util::join(names, ", "));
    if (!facts.missing_suites.empty()) {
        text += fmt::format(" (suites never run: {})", util::join(facts.missing_suites, ", "));
    }
    return text;
}

// The verdict of the suites themselves: the worst of them, or no-tests when none executed.
RunDecision judge_suites(const RunFacts& facts) {
    RunDecision decision;
    const SuiteSummary* worst = nullptr;
    bool any_executed = false;
    bool all_green = true;
    std::size_t flaky = 0;
    std::size_t skipped = 0;
    for (const auto& suite : facts.suites) {
        any_executed = any_executed || suite.executed;
        if (!worst || severity(suite.verdict) > severity(worst->verdict)) worst = &suite;
        all_green = all_green && suite.green;
        flaky += suite.verdict == Verdict::flaky;
        skipped += suite.verdict == Verdict::skipped;
    }
    if (!any_executed) {
        decision.verdict = Verdict::no_tests;
        if (facts.shard && facts.suites.empty() && facts.not_run.empty()) {
            decision.reason = fmt::format(
                "shard {} got no suites ({} suites in tier {} went to other shards); use "
                "fewer shards",
                shard_name(*facts.shard), facts.suites_in_other_shards, facts.tier);
        } else if (facts.suites.empty() && facts.not_run.empty()) {
            decision.reason = "no suite was selected";
        } else {
            decision.reason = "no suite executed";
        }
        return decision;
    }
    decision.verdict = worst->verdict;
    decision.green = all_green;
    if (!all_green) {
        decision.reason = fmt::format("{}: {}", worst->name, worst->reason);
    } else {
        decision.reason = "every suite is green";
        if (flaky + skipped > 0) {
            decision.reason += fmt::format(" ({} flaky, {} skipped; allowed by the tier's policy)", flaky, skipped);
        }
    }
    return decision;
}

}  // namespace

std::string shard_name(const Shard& shard) {
    return fmt::format("{}/{}", shard.index, shard.count);
}

std::string_view to_string(RunScope scope) {
    return scope == RunScope::smoke_guard ? "smoke" : "tier";
}

std::optional<RunScope> parse_run_scope(std::string_view text) {
    if (text == "tier") return RunScope::tier;
    if (text == "smoke") return RunScope::smoke_guard;
    return std::nullopt;
}

std::string_view to_string(RunStatus status) {
    return status == RunStatus::complete ? "complete" : "incomplete";
}

RunDecision decide_run(const RunFacts& facts) {
    RunDecision decision;
    if (facts.smoke && !facts.smoke->green) {
        // Suites judged by a runner whose own semantics failed prove nothing, so none were trusted to run.
        decision.verdict = Verdict::error;
        decision.reason = fmt::format(
            "the smoke guard failed ({}): the runner's own semantics are not proven, so "
            "no suite was trusted to run",
            facts.smoke->reason);
    } else if (facts.scope == RunScope::smoke_guard && facts.smoke && facts.suites.empty()) {
        decision.verdict = Verdict::pass;
        decision.green = true;
        decision.reason =
            fmt::format("the smoke guard is the run (tier {}), and it passed: {}", facts.tier, facts.smoke->reason);
    } else {
        decision = judge_suites(facts);
    }

    if (!facts.missing_shards.empty()) {
        const std::string missing = missing_shards_text(facts);
        decision.green = false;
        decision.status = RunStatus::incomplete;
        if (facts.missing_shards_policy == MissingShards::red) {
            decision.reason = fmt::format("{}: the merged run lacks their results; of the shards present: {}", missing,
                                          decision.reason);
            decision.verdict = Verdict::error;
        } else {
            decision.reason =
                fmt::format("partial merge, never green: {}; of the shards present: {}", missing, decision.reason);
        }
    }
    if (!facts.not_run.empty() && !(facts.smoke && !facts.smoke->green)) {
        // Planned suites that never started: what they would have said is unknown, so the run cannot be green.
        decision.green = false;
        decision.status = RunStatus::incomplete;
        if (facts.interruption == Interruption::none) {
            decision.reason = fmt::format("{} planned suites never started ({}); {}", facts.not_run.size(),
                                          util::join(facts.not_run, ", "), decision.reason);
        }
    }
    if (facts.interruption == Interruption::requested) {
        decision.green = false;
        decision.status = RunStatus::incomplete;
        decision.reason = "interrupted: the run did not finish; " + decision.reason;
    }
    return decision;
}

}  // namespace greenlight::verdict
