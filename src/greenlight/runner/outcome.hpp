// What running a suite produced: its attempts, its verdict and the evidence in the bundle.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/results/test_results.hpp"
#include "greenlight/runner/process.hpp"
#include "greenlight/runner/verdict.hpp"

namespace greenlight::runner {

struct AttemptRecord {
    int number = 1;
    VerdictDecision decision;
    ProcessExit exit;
    std::string started_at;
    std::string output_log;                // bundle-relative
    std::string outputs_dir;               // bundle-relative
    std::string results_file;              // bundle-relative copy (or original path) of the declared results, if any
    std::vector<results::TestCase> cases;  // from JUnit/TAP results
};

struct SuiteOutcome {
    std::string name;
    Verdict verdict = Verdict::error;
    bool green = false;
    std::string reason;
    results::TestCounts counts;
    std::vector<AttemptRecord> attempts;
    std::vector<std::string> labels;
    std::vector<std::string> command;
    std::string started_at;
    std::string finished_at;
    std::chrono::milliseconds duration{0};
    bool complete = false;    // false when the run was interrupted while this suite ran
    std::string write_error;  // set when the suite's files could not be written to the bundle
};

}  // namespace greenlight::runner
