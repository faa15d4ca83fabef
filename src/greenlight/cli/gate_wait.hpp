// `greenlight gate --wait`: its flags, the wait for the head's required checks (github::wait_for_checks), and
// what the wait found as the gate's observations and as lines of the report.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greenlight/exit_code.hpp"
#include "greenlight/gate/judge.hpp"
#include "greenlight/github/check_wait.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::cli {

struct GateWaitOptions {
    bool enabled = false;
    std::string timeout = "60m";
    std::string interval = "120s-240s";
    std::string branch;  // without a pull request; default $GITHUB_REF_NAME
};

// --wait, --timeout, --interval and --branch on `greenlight gate`.
void add_gate_wait_options(CLI::App& command, GateWaitOptions& options);

struct WaitedChecks {
    github::WaitOutcome outcome;
    std::vector<gate::GateObservation> observations;  // the polled check runs and statuses, as --checks gives them
};

// Waits for the required checks of the commit `request` is judged at (or, when that is unknown, the head when
// the wait starts), printing a line per round to stderr. When there is nothing to judge, says why and gives the
// exit code: usage for bad flags or nothing to wait for, red when the head moved on (stale), infrastructure
// when GitHub could not be reached or read.
util::Result<WaitedChecks, ExitCode> wait_for_required_checks(const GateWaitOptions& options,
                                                              const gate::GateRequest& request, int pull_number);

// The wait in each form of the report: a block after the text, a section after the Markdown, a `wait` member.
std::string wait_text(const WaitedChecks& waited);
std::string wait_markdown(const WaitedChecks& waited);
nlohmann::json wait_json(const WaitedChecks& waited);

}  // namespace greenlight::cli
