// `greenlight smoke`: the self-test of the runner's semantics, outputs kept in a folder.
#include <fmt/format.h>

#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/smoke/smoke.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

struct SmokeOptions {
    std::string output_dir;
    bool force = false;
    bool json = false;
};

ExitCode smoke_command(const SmokeOptions& options) {
    std::string dir = flag_or_environment(options.output_dir, "GREENLIGHT_SMOKE_OUTPUT_DIR", "");
    if (dir.empty()) {
        dir = (fs::path("greenlight-smoke") / util::format_utc_compact(std::chrono::system_clock::now())).string();
    }
    std::error_code error;
    if (fs::exists(dir, error) && !fs::is_empty(dir, error)) {
        if (!options.force) {
            print_error(
                fmt::format("{} is not empty; the smoke guard keeps its outputs, so give it a new folder "
                            "(or --force to replace this one)",
                            dir));
            return ExitCode::usage;
        }
        fs::remove_all(dir, error);
    }
    runner::install_interrupt_handlers();
    runner::PosixProcessSupervisor supervisor;
    util::SystemClock clock;
    smoke::SmokeReport report = smoke::run_smoke(fs::absolute(dir), supervisor, clock);
    if (options.json) {
        std::cout << smoke::smoke_report_json(report).dump(2) << "\n";
    } else {
        for (const auto& check : report.checks) {
            std::cout << fmt::format("{} {}", check.ok ? "ok  " : "FAIL", check.name);
            if (!check.ok)
                std::cout << fmt::format("\n       expected: {}\n       actual:   {}", check.expected, check.actual);
            std::cout << "\n";
        }
        std::cout << fmt::format("smoke guard: {} of {} checks hold in {} (containment: {}); outputs kept in {}\n",
                                 report.checks.size() - report.failures(), report.checks.size(),
                                 util::format_duration(report.duration),
                                 process::to_string(process::Containment::instance().mode()), dir);
    }
    if (!report.error.empty()) {
        print_error(report.error);
        return ExitCode::infrastructure;
    }
    if (runner::interrupted()) return ExitCode::interrupted;
    return report.ok() ? ExitCode::green : ExitCode::red;
}

}  // namespace

void add_smoke_command(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<SmokeOptions>();
    CLI::App* command = app.add_subcommand("smoke", "Prove the runner's own semantics on fixture suites");
    command->footer(
        "Runs a known pass, a fail, a crash, a timeout whose grandchild holds stdout, zero tests, a report that\n"
        "disagrees with the exit code, a missing results file, output past the cap, a flaky suite and an unmet\n"
        "requirement, then probes bundle integrity. Outputs and smoke-report.{json,md} stay in the folder.\n"
        "Environment: GREENLIGHT_SMOKE_OUTPUT_DIR. Exit 0 only if every check holds.");
    command
        ->add_option("-o,--output-dir", options->output_dir,
                     "Folder for fixtures, outputs and the report (default: greenlight-smoke/<timestamp>)")
        ->type_name("DIR")
        ->envname("GREENLIGHT_SMOKE_OUTPUT_DIR");
    command->add_flag("--force", options->force, "Replace a non-empty output folder");
    command->add_flag("--json", options->json, "Print smoke-report.json instead of the check list");
    command->callback([options, &exit_code] { exit_code = smoke_command(*options); });
}

}  // namespace greenlight::cli
