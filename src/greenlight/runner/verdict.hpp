// Suite verdicts and the rules that decide them (PRODUCT.md, "Verdicts of a suite").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenlight/config/config.hpp"
#include "greenlight/results/test_results.hpp"

namespace greenlight::runner {

enum class Verdict { pass, flaky, skipped, fail, no_tests, inconsistent, timeout, crashed, error };

std::string_view to_string(Verdict verdict);
std::optional<Verdict> parse_verdict(std::string_view text);

// Worse verdicts rank higher; the run's verdict is the worst of its suites.
int severity(Verdict verdict);

// Whether a verdict counts as green in a tier: flaky and skipped depend on the policy.
bool is_green(Verdict verdict, const config::Policy& policy, const std::string& tier);

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
    std::string results_error;                   // parser message and position, when they were not
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

}  // namespace greenlight::runner
