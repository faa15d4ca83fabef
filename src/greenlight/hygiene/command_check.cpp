// The `command` check: any command a repository already uses as a hygiene check (a linter, a script),
// passing on exit code 0, with the end of its output when it fails.
#include <fmt/format.h>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/process.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

constexpr size_t k_output_lines_shown = 20;

}  // namespace

CheckOutcome run_command_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "commands";
    if (check.command.empty()) {
        outcome.error =
            fmt::format("check `{}` (line {}): `command` is empty; give the command to run", check.name, check.line);
        return outcome;
    }
    const std::string shown = process::display_command(check.command);
    process::CommandRequest request;
    request.argv = check.command;
    request.cwd = context.root;
    request.timeout = check.timeout;
    request.standard_error = process::StandardError::merged;
    const process::CommandOutcome result = process::run_command(request);
    outcome.examined = 1;
    if (result.succeeded()) return outcome;

    Finding finding;
    if (result.end == process::CommandOutcome::End::not_started) {
        finding.rule = "command-not-found";
        finding.message = fmt::format("`{}` {}; install it or fix the check's `command`", shown,
                                      process::describe_end(result, check.timeout));
    } else {
        finding.rule = "command-failed";
        const std::string tail = process::last_lines(result.standard_output, k_output_lines_shown);
        finding.message =
            fmt::format("`{}` {}{}; run it in the repository root to see and fix what it reports", shown,
                        process::describe_end(result, check.timeout), tail.empty() ? " and printed nothing" : "");
        if (!tail.empty()) {
            const size_t total = util::split_lines(result.standard_output).size();
            outcome.details = total > k_output_lines_shown
                                  ? fmt::format("… {} earlier lines\n{}", total - k_output_lines_shown, tail)
                                  : tail;
        }
    }
    outcome.findings.push_back(std::move(finding));
    return outcome;
}

}  // namespace greenlight::hygiene
