// Runs the configured hygiene checks and decides each one's status and the overall verdict.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/hygiene/check.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::hygiene {

// passed: examined something, found nothing. failed: findings, or nothing examined. error: could not run.
// A failed advisory check is `warned`: reported, not failing the verdict.
enum class CheckStatus { passed, failed, warned, error };
std::string_view to_string(CheckStatus status);

struct CheckReport {
    const config::CheckConfig* check = nullptr;
    CheckOutcome outcome;
    CheckStatus status = CheckStatus::passed;
    std::chrono::milliseconds duration{0};
    bool examined_nothing = false;  // failed (or warned) only because it examined no item
};

// The overall result: passed (exit 0), failed (a blocking check failed, exit 1), error (exit 2).
enum class ChecksVerdict { passed, failed, error };
std::string_view to_string(ChecksVerdict verdict);

struct ChecksRun {
    std::vector<CheckReport> reports;  // in config order
    ChecksVerdict verdict = ChecksVerdict::passed;
};

struct RunOptions {
    std::vector<std::string> only;  // check names; empty: every check
    std::optional<std::string> from_ref;
    std::optional<std::string> to_ref;
    bool online = false;
    std::filesystem::path cache_directory;
};

// Called before each check starts (for progress display).
using CheckStarted = std::function<void(const config::CheckConfig&, size_t index, size_t count)>;

// Picks the checks (`only` names must exist: an error names the unknown one with a did-you-mean),
// prepares the context (repository files; the change, when a selected check looks at one) and runs them.
// Errors here are usage errors (exit 2): an unknown check, a ref git does not know.
util::Result<ChecksRun> run_checks(const std::vector<config::CheckConfig>& checks, const std::filesystem::path& root,
                                   const RunOptions& options, const CheckStarted& started = {});

// Runs one check against a prepared context: dispatch by type, timing, status.
CheckReport run_one_check(const config::CheckConfig& check, const CheckContext& context);

}  // namespace greenlight::hygiene
