#include "greenlight/verdict/verdict.hpp"

#include <fmt/format.h>
#include <array>
#include <csignal>
#include <cstring>

namespace greenlight::verdict {

namespace {

struct VerdictName {
    Verdict verdict;
    std::string_view name;
    int severity;
};

constexpr std::array k_verdicts{
    VerdictName{Verdict::pass, "pass", 0},       VerdictName{Verdict::skipped, "skipped", 1},
    VerdictName{Verdict::flaky, "flaky", 2},     VerdictName{Verdict::no_tests, "no-tests", 3},
    VerdictName{Verdict::fail, "fail", 4},       VerdictName{Verdict::inconsistent, "inconsistent", 5},
    VerdictName{Verdict::timeout, "timeout", 6}, VerdictName{Verdict::crashed, "crashed", 7},
    VerdictName{Verdict::error, "error", 8},
};

std::string signal_name(int signal) {
    const char* abbreviation = sigabbrev_np(signal);
    return abbreviation ? fmt::format("SIG{}", abbreviation) : fmt::format("signal {}", signal);
}

std::string counts_text(const results::TestCounts& counts) {
    return fmt::format("{} passed, {} failed, {} errors, {} skipped", counts.passed, counts.failed, counts.errored,
                       counts.skipped);
}

}  // namespace

std::string_view to_string(Verdict verdict) {
    for (const auto& entry : k_verdicts) {
        if (entry.verdict == verdict) return entry.name;
    }
    return "error";
}

std::optional<Verdict> parse_verdict(std::string_view text) {
    for (const auto& entry : k_verdicts) {
        if (entry.name == text) return entry.verdict;
    }
    return std::nullopt;
}

int severity(Verdict verdict) {
    for (const auto& entry : k_verdicts) {
        if (entry.verdict == verdict) return entry.severity;
    }
    return 100;
}

GreenRange green_range(Verdict verdict) {
    switch (verdict) {
        case Verdict::pass:
            return GreenRange::always;
        case Verdict::flaky:
        case Verdict::skipped:
            return GreenRange::by_policy;
        default:
            return GreenRange::never;
    }
}

bool is_green(Verdict verdict, const config::Policy& policy, const std::string& tier) {
    switch (verdict) {
        case Verdict::pass:
            return true;
        case Verdict::flaky:
            return policy.flaky_for(tier) == config::FlakyPolicy::pass;
        case Verdict::skipped:
            return policy.missing_requirement == config::MissingRequirementPolicy::skip;
        default:
            return false;
    }
}

VerdictDecision decide_attempt(const AttemptFacts& facts) {
    VerdictDecision decision;
    switch (facts.termination) {
        case Termination::failed_to_start:
            decision.verdict = Verdict::error;
            decision.reason = fmt::format("could not start: {}", facts.start_error);
            return decision;
        case Termination::interrupted:
            decision.verdict = Verdict::error;
            decision.reason = "interrupted: greenlight was asked to stop while the suite ran";
            return decision;
        case Termination::timed_out:
            decision.verdict = Verdict::timeout;
            decision.reason = "ran past its timeout; its process group was stopped";
            return decision;
        case Termination::signaled:
            decision.verdict = Verdict::crashed;
            decision.reason = fmt::format("ended by {} ({})", signal_name(facts.signal),
                                          strsignal(facts.signal) ? strsignal(facts.signal) : "unknown");
            return decision;
        case Termination::exited:
            break;
    }

    const bool exited_zero = facts.exit_code == 0;
    if (facts.results_source == config::ResultsSpec::Source::none) {
        // No results declared: the command is one test, judged by its exit code (as a CTest test is).
        decision.counts.total = 1;
        (exited_zero ? decision.counts.passed : decision.counts.failed) = 1;
    } else if (!facts.counts) {
        decision.verdict = Verdict::error;
        decision.reason = fmt::format("results unreadable: {} (exit code {})", facts.results_error, facts.exit_code);
        return decision;
    } else {
        decision.counts = *facts.counts;
    }

    const results::TestCounts& counts = decision.counts;
    const bool any_failed = counts.not_passed() > 0;
    if (exited_zero && any_failed) {
        decision.verdict = Verdict::inconsistent;
        decision.reason = fmt::format("exit code 0 but the results report failures ({})", counts_text(counts));
    } else if (!exited_zero && any_failed) {
        decision.verdict = Verdict::fail;
        decision.reason = fmt::format("exit code {} with failing tests ({})", facts.exit_code, counts_text(counts));
    } else if (!exited_zero && counts.executed() > 0) {
        decision.verdict = Verdict::inconsistent;
        decision.reason = fmt::format("exit code {} but the results report every test passed ({})", facts.exit_code,
                                      counts_text(counts));
    } else if (counts.executed() < facts.min_tests) {
        decision.verdict = Verdict::no_tests;
        decision.reason = fmt::format("{} tests executed, at least {} required{}", counts.executed(), facts.min_tests,
                                      exited_zero ? "" : fmt::format(" (exit code {})", facts.exit_code));
    } else {
        decision.verdict = Verdict::pass;
        decision.reason = fmt::format("exit code 0, {}", counts_text(counts));
    }
    return decision;
}

bool is_retryable(Verdict verdict) {
    return verdict == Verdict::fail || verdict == Verdict::timeout || verdict == Verdict::crashed ||
           verdict == Verdict::inconsistent;
}

bool should_retry(const VerdictDecision& last, int attempts_made, int retries, Interruption interruption) {
    return interruption == Interruption::none && attempts_made <= retries && is_retryable(last.verdict);
}

SuiteDecision decide_suite(const SuiteFacts& facts, const config::Policy& policy) {
    SuiteDecision decision;
    if (facts.unmet_requirement) {
        // Nothing ran; whether that is green is the missing_requirement policy's call.
        decision.verdict = Verdict::skipped;
        decision.reason = *facts.unmet_requirement;
        decision.green = is_green(decision.verdict, policy, facts.tier);
        return decision;
    }
    if (facts.attempts.empty()) {
        decision.verdict = Verdict::error;
        decision.reason = "no attempt was made";
        return decision;
    }
    const VerdictDecision& first = facts.attempts.front();
    const VerdictDecision& last = facts.attempts.back();
    decision.counts = last.counts;
    if (last.verdict == Verdict::pass && facts.attempts.size() > 1) {
        decision.verdict = Verdict::flaky;
        decision.reason = fmt::format("passed on attempt {} after failing: {}", facts.attempts.size(), first.reason);
    } else {
        decision.verdict = last.verdict;
        decision.reason = last.reason;
    }
    decision.complete = facts.interruption == Interruption::none;
    decision.green = decision.complete && is_green(decision.verdict, policy, facts.tier);
    return decision;
}

}  // namespace greenlight::verdict
