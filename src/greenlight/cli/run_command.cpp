// `greenlight run`: load config, plan the tier, run (smoke guard first), write the bundle, report.
#include <fmt/format.h>

#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/progress.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/smoke/smoke.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

// Processes a greenlight that was killed outright had left running, stopped at this start: said, not hidden.
void report_swept_processes(const process::Containment& containment) {
    for (const auto& session : containment.swept()) {
        std::cerr << fmt::format(
            "greenlight: stopped {} process{} that an earlier greenlight (pid {}, killed before it "
            "could stop them) left running:\n",
            session.processes.size(), session.processes.size() == 1 ? "" : "es", session.owner_pid);
        for (const auto& process : session.processes) {
            std::cerr << fmt::format("  pid {}: {}\n", process.pid, process.command);
        }
    }
}

struct RunOptions {
    std::string config_file = "greenlight.yml";
    std::string tier;
    std::string run_id;
    std::string artifact_dir;
    int jobs = 1;
    std::string shard;
    std::string durations_from;
    bool smoke_only = false;
    bool no_smoke = false;
    bool list = false;
    bool force = false;
    bool quiet = false;
    bool json = false;
    std::string report_to;
    bool report_bundle = false;
    bool report_required = false;
    std::string report_ca_file;
    bool report_insecure = false;
};

// Pushes the written and verified bundle. A report that does not arrive leaves the verdict as it is: it is a
// warning, unless --report-required asks that a green run also be on the server.
ExitCode report_run(const RunOptions& options, const fs::path& bundle_dir, ExitCode verdict_exit) {
    PushRequest request;
    request.bundle = bundle_dir;
    request.url = options.report_to;
    request.upload = options.report_bundle ? BundleUpload::send : BundleUpload::skip;
    request.ca_file = options.report_ca_file;
    request.tls = options.report_insecure ? serve::TlsVerification::skip : serve::TlsVerification::verify;
    if (push_run(request) == ExitCode::green) return verdict_exit;
    if (options.report_required && verdict_exit == ExitCode::green) {
        std::cerr << "greenlight: the run is green but its report did not reach the server, and --report-required "
                     "was given: exit 3\n";
        return ExitCode::infrastructure;
    }
    std::cerr << fmt::format(
        "greenlight: warning: the run's report did not reach {}; the exit code is the run's "
        "verdict. Send it later with `greenlight push {} --to {}`\n",
        options.report_to, bundle_dir.string(), options.report_to);
    return verdict_exit;
}

ExitCode run(const RunOptions& options) {
    auto config = load_config_or_report(options.config_file);
    if (!config) return ExitCode::usage;

    const std::string tier = flag_or_environment(options.tier, "GREENLIGHT_TIER", "");
    const std::string run_id = flag_or_environment(options.run_id, "GREENLIGHT_RUN_ID", default_run_id());
    const std::string artifact_root = flag_or_environment(options.artifact_dir, "GREENLIGHT_ARTIFACT_DIR", "");
    if (tier.empty() && !options.smoke_only) {
        print_error("no tier given: pass --tier T (or set GREENLIGHT_TIER); tiers in " + options.config_file + ": " +
                    util::join(config->tier_order, ", "));
        return ExitCode::usage;
    }
    if (!valid_run_id(run_id)) {
        print_error(
            fmt::format("run id `{}` is not usable as a folder name: use letters, digits, `.`, `_` and `-`", run_id));
        return ExitCode::usage;
    }
    std::optional<runner::Shard> shard;
    if (!options.shard.empty()) {
        auto parsed = runner::parse_shard(options.shard);
        if (!parsed) {
            print_error(parsed.message());
            return ExitCode::usage;
        }
        shard = *parsed;
    }
    std::map<std::string, double> durations;
    if (!options.durations_from.empty()) {
        auto read = runner::read_durations(options.durations_from);
        if (!read) {
            print_error(read.message());
            return ExitCode::usage;
        }
        durations = std::move(*read);
    }

    runner::RunPlan plan;
    if (options.smoke_only) {
        // The tier only names the run here, but a tier the config does not have is as wrong as in a full run.
        if (!tier.empty()) {
            auto planned = runner::plan_run(*config, tier, shard, durations);
            if (!planned) {
                print_error(planned.message());
                return ExitCode::usage;
            }
        }
        plan.tier = tier.empty() ? "smoke" : tier;
    } else {
        auto planned = runner::plan_run(*config, tier, shard, durations);
        if (!planned) {
            print_error(planned.message());
            return ExitCode::usage;
        }
        plan = std::move(*planned);
    }
    if (options.list) {
        std::cout << runner::format_plan(plan, !options.no_smoke);
        return ExitCode::green;
    }

    fs::path root = artifact_root.empty() ? config->root / config->artifacts : fs::absolute(artifact_root);
    fs::path bundle_dir = root / config->project / run_id;
    if (runner::bundle_exists(bundle_dir)) {
        if (!options.force) {
            print_error(
                fmt::format("{} already holds a bundle for run {}; refusing to overwrite it (use another "
                            "--run-id, or --force to replace it)",
                            bundle_dir.string(), run_id));
            return ExitCode::usage;
        }
        std::error_code error;
        fs::remove_all(bundle_dir, error);
        if (error) {
            print_error(fmt::format("cannot remove the old bundle {}: {}", bundle_dir.string(), error.message()));
            return ExitCode::infrastructure;
        }
    }

    runner::install_interrupt_handlers();
    runner::PosixProcessSupervisor supervisor;
    report_swept_processes(process::Containment::instance());
    runner::SystemRequirementChecker requirements;
    util::SystemClock clock;
    auto progress = make_progress(choose_progress_style(options.quiet || options.json));

    runner::RunRequest request;
    request.config = &*config;
    request.plan = plan;
    request.run_id = run_id;
    request.bundle_dir = bundle_dir;
    request.jobs = std::max(1, options.jobs);
    request.smoke_only = options.smoke_only;
    if (!options.no_smoke) {
        request.preflight = [&](const fs::path& dir) { return smoke::run_smoke_preflight(dir, supervisor, clock); };
    }
    request.observer = progress.get();
    request.supervisor = &supervisor;
    request.requirements = &requirements;
    request.clock = &clock;
    // Runs the smoke guard and the suites and writes the bundle. Every verdict in it (attempt, suite, run) is
    // decided by the rules in verdict/verdict.hpp: decide_attempt, decide_suite, decide_run.
    runner::RunResult result = runner::execute_run(request);

    std::error_code missing;
    if (!fs::exists(bundle_dir / "summary.json", missing)) {
        print_error(result.infrastructure_error.empty() ? "the bundle was not written" : result.infrastructure_error);
        return ExitCode::infrastructure;
    }
    if (options.json) {
        std::cout << result.summary.dump(2) << "\n";
    } else if (!options.quiet) {
        std::cout << "\n" << verdict_table(result.record) << "\n";
    }
    if (!options.json) {
        std::cout << fmt::format("verdict: {}{} — {}\nbundle: {}\n", verdict::to_string(result.record.verdict),
                                 result.record.green ? " (green)" : " (red)", result.record.reason,
                                 bundle_dir.string());
    }
    report_on_github(result.summary);

    if (!result.infrastructure_error.empty()) {
        print_error(result.infrastructure_error);
        return ExitCode::infrastructure;
    }
    if (runner::interrupted()) return ExitCode::interrupted;
    const ExitCode verdict_exit = result.record.green ? ExitCode::green : ExitCode::red;
    if (options.report_to.empty()) return verdict_exit;
    return report_run(options, bundle_dir, verdict_exit);
}

}  // namespace

void add_run_command(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* command = app.add_subcommand("run", "Run a tier's suites, write the bundle, exit by verdict");
    command->footer(
        "The smoke guard runs first unless --no-smoke. The bundle goes to <artifacts>/<project>/<run-id>/.\n"
        "Environment: GREENLIGHT_TIER, GREENLIGHT_RUN_ID, GREENLIGHT_ARTIFACT_DIR (flags win over them).\n"
        "--report-to URL sends the verified bundle's report to greenlight serve (token from GREENLIGHT_SERVE_TOKEN;\n"
        "see `greenlight push --help`); a report that does not arrive is a warning and leaves the exit code alone,\n"
        "unless --report-required makes a green run exit 3.\n"
        "Containment: each suite attempt runs in a cgroup of its own where one can be made (else its own session\n"
        "with greenlight as child subreaper); nothing it starts outlives it, and nothing outlives greenlight.\n"
        "GREENLIGHT_CONTAINMENT=process-group forces the fallback. See docs/RUNNING.md.\n"
        "Exit: 0 green, 1 red, 2 usage/config error, 3 artifacts could not be written, 130 interrupted.");
    command->add_option("-c,--config", options->config_file, "Config file")->type_name("FILE")->capture_default_str();
    command->add_option("-t,--tier", options->tier, "Tier to run (from `tiers:` in the config)")
        ->envname("GREENLIGHT_TIER");
    command
        ->add_option(
            "--run-id", options->run_id,
            "Run id; names the bundle folder (default: $GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT, else a UTC timestamp)")
        ->envname("GREENLIGHT_RUN_ID");
    command->add_option("--artifact-dir", options->artifact_dir, "Bundle root (default: `artifacts` from the config)")
        ->type_name("DIR")
        ->envname("GREENLIGHT_ARTIFACT_DIR");
    command->add_option("-j,--jobs", options->jobs, "Suites to run in parallel")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    command->add_option("--shard", options->shard, "Run shard I of N of the tier's suites (I/N, 1-based)");
    command
        ->add_option("--durations-from", options->durations_from,
                     "An earlier summary.json whose suite durations balance the shards")
        ->type_name("FILE");
    command->add_flag("--smoke-only", options->smoke_only, "Run just the smoke guard");
    command->add_flag("--no-smoke", options->no_smoke, "Do not run the smoke guard first");
    command->add_flag("--list", options->list, "Show what the tier would run and why, then exit");
    command->add_flag("--force", options->force, "Replace an existing bundle with the same run id");
    command->add_flag("-q,--quiet", options->quiet, "No progress and no table; just the verdict and bundle lines");
    command->add_flag("--json", options->json, "Print summary.json to stdout instead of the table");
    command->add_option("--report-to", options->report_to,
                        "After the run, send its report to this greenlight serve URL (http(s)://host[:port][/path])");
    command->add_flag("--report-bundle", options->report_bundle, "With --report-to: send the packed bundle too");
    command->add_flag("--report-required", options->report_required,
                      "With --report-to: a green run whose report is not stored exits 3");
    command
        ->add_option("--report-ca-file", options->report_ca_file,
                     "With --report-to: PEM bundle to verify the server's certificate with (https)")
        ->type_name("FILE");
    command->add_flag("--report-insecure", options->report_insecure,
                      "With --report-to: https without verifying the certificate (test servers only)");
    command->callback([options, &exit_code] {
        if (options->report_to.empty() && (options->report_bundle || options->report_required ||
                                           !options->report_ca_file.empty() || options->report_insecure)) {
            throw CLI::ValidationError(
                "--report-bundle, --report-required, --report-ca-file and --report-insecure "
                "need --report-to URL");
        }
        if (options->smoke_only && options->no_smoke)
            throw CLI::ValidationError("--smoke-only and --no-smoke exclude each other");
        exit_code = run(*options);
    });
}

}  // namespace greenlight::cli
