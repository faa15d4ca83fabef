// The verdict rules, in one place: how an attempt, a suite and a whole run are judged, and whether
// that is green (PRODUCT.md, "Verdicts of a suite"). Plain data in, a decision (verdict, green,
// reason) out; `greenlight run`, the smoke guard, `greenlight merge` and `greenlight serve` all ask here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/results/test_results.hpp"

namespace greenlight::verdict {

// ---- verdicts ---------------------------------------------------------------------------------

enum class Verdict { pass, flaky, skipped, fail, no_tests, inconsistent, timeout, crashed, error };

std::string_view to_string(Verdict verdict);
std::optional<Verdict> parse_verdict(std::string_view text);

// Worse verdicts rank higher; the run's verdict is the worst of its suites.
int severity(Verdict verdict);

// Whether a verdict can count as green at all: pass always does, flaky and skipped only when the
// policy allows them, every other verdict never does.
enum class GreenRange { always, by_policy, never };
GreenRange green_range(Verdict verdict);

// Whether a verdict counts as green in a tier: flaky and skipped depend on the policy.
bool is_green(Verdict verdict, const config::Policy& policy, const std::string& tier);

// ---- one attempt ------------------------------------------------------------------------------

// How one attempt of a suite ended, as the supervisor saw it.
enum class Termination { exited, signaled, timed_out, interrupted, failed_to_start };

// Everything the verdict of one attempt depends on; deliberately plain data so the rules are testable.
struct AttemptFacts {
    Termination termination = Termination::exited;
    int exit_code = 0;
    int signal = 0;
    std::string start_error;  // for failed_to_start
    config::ResultsSpec::Source results_source = config::ResultsSpec::Source::none;
    std::optional<results::TestCounts> counts;  // parsed results, when the results were readable
    std::string results_error;                  // parser message and position, when they were not
    std::int64_t min_tests = 1;
};

struct VerdictDecision {
    Verdict verdict = Verdict::error;
    std::string reason;          // one sentence a user can act on
    results::TestCounts counts;  // the counts the verdict was judged on
};

// The verdict of one attempt. Never `pass` after a timeout, a signal, or unreadable declared results.
VerdictDecision decide_attempt(const AttemptFacts& facts);

// Whether an attempt with this verdict is worth retrying (a deterministic error or no-tests is not).
bool is_retryable(Verdict verdict);

// Whether a suite gets another attempt: the last one was retryable, retries are left, and it was
// not interrupted (an interrupted run starts nothing new).
enum class Interruption { none, requested };
bool should_retry(const VerdictDecision& last, int attempts_made, int retries, Interruption interruption);

// ---- one suite --------------------------------------------------------------------------------

// Everything a suite's verdict depends on.
struct SuiteFacts {
    std::string tier;
    std::optional<std::string> unmet_requirement;    // "requirement `docker` not met: ..."; then nothing ran
    std::vector<VerdictDecision> attempts;           // in order; empty when a requirement was not met
    Interruption interruption = Interruption::none;  // the last attempt was cut short by an interrupt
};

struct SuiteDecision {
    Verdict verdict = Verdict::error;
    bool green = false;
    bool complete = true;  // false when the run was interrupted while the suite ran
    std::string reason;
    results::TestCounts counts;  // of the last attempt
};

// The suite's verdict from its attempts: skipped for an unmet requirement; flaky when the last attempt
// passed after an earlier one failed; else the last attempt's verdict. Green by the tier's policy, and
// never when interrupted.
SuiteDecision decide_suite(const SuiteFacts& facts, const config::Policy& policy);

// ---- the run ----------------------------------------------------------------------------------

// One shard of a tier's suites, 1-based.
struct Shard {
    int index = 1;
    int count = 1;
};

// What the run judges of each suite (as summary.json records it).
struct SuiteSummary {
    std::string name;
    Verdict verdict = Verdict::error;
    bool green = false;
    bool executed = false;  // at least one attempt ran (a suite skipped for a requirement did not)
    std::string reason;
};

struct SmokeSummary {
    bool green = false;
    std::string reason;
};

// What the run is of: a tier's suites, or the smoke guard alone (`--smoke-only`, or a tier listing no suites).
enum class RunScope { tier, smoke_guard };
std::string_view to_string(RunScope scope);
std::optional<RunScope> parse_run_scope(std::string_view text);

// A merge that lacks shards: red (`error`) by default; `--allow-partial` keeps the verdict of the shards it
// has and marks the run incomplete. Neither is ever green.
enum class MissingShards { red, allow_partial };

// Everything the run's verdict depends on.
struct RunFacts {
    std::string tier;
    RunScope scope = RunScope::tier;
    std::optional<SmokeSummary> smoke;  // the smoke guard, when it ran first
    std::vector<SuiteSummary> suites;
    std::vector<std::string> not_run;  // planned, never started
    Interruption interruption = Interruption::none;
    std::optional<Shard> shard;               // this run is one shard of the tier
    std::size_t suites_in_other_shards = 0;   // with `shard`: how many of the tier's suites other shards run
    std::vector<Shard> missing_shards;        // a merged run: shards no input brought
    std::vector<std::string> missing_suites;  // the suites those shards would have run, when known
    MissingShards missing_shards_policy = MissingShards::red;
};

enum class RunStatus { complete, incomplete };
std::string_view to_string(RunStatus status);

struct RunDecision {
    Verdict verdict = Verdict::no_tests;
    bool green = false;
    RunStatus status = RunStatus::complete;
    std::string reason;
};

// The run's verdict: a failed smoke guard is `error`; a smoke-guard run is `pass` when the guard held;
// otherwise the worst suite verdict, `no-tests` when no suite executed (an empty shard says so). Missing
// shards make it `error` (or incomplete, when allowed); an interrupted run or suites left unstarted are
// incomplete. Green only when every suite is green and the run is complete.
RunDecision decide_run(const RunFacts& facts);

// "2/3", as `--shard` takes it.
std::string shard_name(const Shard& shard);

}  // namespace greenlight::verdict
