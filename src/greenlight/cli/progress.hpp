// How a run shows its progress: a live view on a terminal, timestamped lines in CI or logs, or nothing.
#pragma once

#include <memory>

#include "greenlight/runner/run.hpp"

namespace greenlight::cli {

enum class ProgressStyle { live, lines, quiet };

// live when stderr takes terminal styling (use_terminal_styling); lines otherwise; quiet on request.
ProgressStyle choose_progress_style(bool quiet);

std::unique_ptr<runner::RunObserver> make_progress(ProgressStyle style);

// The closing table: one row per suite with verdict, tests, attempts and duration.
std::string verdict_table(const runner::RunOutcome& run);

}  // namespace greenlight::cli
