// `greenlight check`: load the config, pick the checks, run them, report (text, JSON, SARIF, annotations).
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "greenlight/cli/commands.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/report.hpp"
#include "greenlight/hygiene/runner.hpp"
#include "greenlight/hygiene/secrets.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/version.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

struct CheckOptions {
    std::string config_file = "greenlight.yml";
    std::vector<std::string> only;
    std::string from_ref;
    std::string to_ref;
    bool ci = false;
    bool json = false;
    std::string sarif_file;
    bool online = false;
    std::string cache_directory;
    bool list = false;
    bool write_baseline = false;
};

fs::path default_cache_directory() {
    if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache) return fs::path(cache) / "greenlight";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "greenlight";
    return fs::temp_directory_path() / "greenlight-cache";
}

bool github_actions() {
    const char* actions = std::getenv("GITHUB_ACTIONS");
    return actions && std::string_view(actions) == "true";
}

ExitCode list_checks(const config::Config& config) {
    for (const auto& check : config.checks) {
        std::cout << fmt::format("{}\t{}\t{}\n", check.name, config::to_string(check.type),
                                 check.mode == config::CheckMode::advisory ? "advisory" : "blocking");
    }
    return ExitCode::green;
}

// Writes the secrets baseline of every selected secrets check; the findings it accepts stop failing.
ExitCode write_baselines(const config::Config& config, const CheckOptions& options) {
    hygiene::CheckContext context;
    context.root = config.root;
    // --only narrows which baselines are written, as it narrows which checks run.
    auto files = hygiene::repository_files(config.root);
    if (!files) {
        print_error(files.message());
        return ExitCode::usage;
    }
    context.files = std::move(*files);
    size_t written = 0;
    for (const auto& check : config.checks) {
        if (check.type != config::CheckType::secrets) continue;
        if (!options.only.empty() &&
            std::find(options.only.begin(), options.only.end(), check.name) == options.only.end()) {
            continue;
        }
        if (check.baseline.empty()) {
            print_error(fmt::format("checks.{}: --write-baseline needs `baseline: FILE` in the check", check.name));
            return ExitCode::usage;
        }
        auto accepted = hygiene::write_secrets_baseline(check, context, config.root / check.baseline);
        if (!accepted) {
            print_error(accepted.message());
            return ExitCode::usage;
        }
        std::cerr << fmt::format("greenlight: {}: {} accepted finding{} written to {}\n", check.name, *accepted,
                                 *accepted == 1 ? "" : "s", check.baseline);
        ++written;
    }
    if (written == 0) {
        print_error("--write-baseline: no secrets check selected");
        return ExitCode::usage;
    }
    return ExitCode::green;
}

ExitCode run_check(CheckOptions options) {
    options.only = list_values(options.only);
    auto config = load_required_config(options.config_file,
                                       "`greenlight check` runs the checks of its `checks:` section (docs/CHECK.md)");
    if (!config) return ExitCode::usage;
    if (options.list) return list_checks(*config);
    if (config->checks.empty()) {
        print_error(fmt::format("{} has no `checks:` section; add one (docs/CHECK.md)", options.config_file));
        return ExitCode::usage;
    }
    if (options.write_baseline) return write_baselines(*config, options);

    hygiene::RunOptions run_options;
    run_options.only = options.only;
    if (!options.from_ref.empty()) run_options.from_ref = options.from_ref;
    if (!options.to_ref.empty()) run_options.to_ref = options.to_ref;
    run_options.online = options.online;
    run_options.cache_directory =
        options.cache_directory.empty() ? default_cache_directory() : fs::path(options.cache_directory);

    const CiFlag ci = options.ci ? CiFlag::given : CiFlag::absent;
    const bool show_progress = !options.json && use_terminal_styling(OutputStream::standard_error, ci);
    auto started = [&](const config::CheckConfig& check, size_t index, size_t count) {
        if (show_progress)
            std::cerr << fmt::format("\r\x1b[Kchecking {} ({}/{})...", check.name, index + 1, count) << std::flush;
    };
    auto run = hygiene::run_checks(config->checks, config->root, run_options, started);
    if (show_progress) std::cerr << "\r\x1b[K" << std::flush;
    if (!run) {
        print_error(run.message());
        return ExitCode::usage;
    }

    if (options.json) {
        std::cout << hygiene::json_report(*run);
    } else {
        const bool colour = use_terminal_styling(OutputStream::standard_output, ci);
        std::cout << hygiene::text_report(*run, colour ? hygiene::Colour::on : hygiene::Colour::off);
    }
    if (options.ci || github_actions()) std::cout << hygiene::workflow_annotations(*run) << std::flush;
    if (!options.sarif_file.empty()) {
        const std::string sarif = hygiene::sarif_report(
            *run, std::string(greenlight::version()), fs::relative(options.config_file, config->root).generic_string());
        if (auto written = util::write_file_atomic(options.sarif_file, sarif); !written) {
            print_error(fmt::format("--sarif {}: {}", options.sarif_file, written.message()));
            return ExitCode::infrastructure;
        }
    }
    switch (run->verdict) {
        case hygiene::ChecksVerdict::passed:
            return ExitCode::green;
        case hygiene::ChecksVerdict::failed:
            return ExitCode::red;
        case hygiene::ChecksVerdict::error:
            return ExitCode::usage;
    }
    return ExitCode::usage;
}

}  // namespace

void add_check_command(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<CheckOptions>();
    CLI::App* command = app.add_subcommand("check", "Run the repository's hygiene checks (the `checks:` section)");
    command->footer(
        "Checks: links, placeholders, required-files, registry, protected-paths, command, secrets (docs/CHECK.md).\n"
        "Each check reports how many items it examined; a check that examined none fails. A blocking check's\n"
        "findings fail the run; an advisory check's are reported only. The change-aware checks (protected-paths,\n"
        "secrets with scope: changed) look at --from-ref...--to-ref, or else at the work tree against HEAD.\n"
        "Exit: 0 every blocking check passed, 1 one failed, 2 bad config or a check that could not run.");
    command->add_option("-c,--config", options->config_file, "Config file; its folder is the repository root")
        ->type_name("FILE")
        ->capture_default_str();
    command->add_option("--only", options->only, "Run only these checks (repeatable, or comma-separated)")
        ->delimiter(',');
    command->add_option("--from-ref", options->from_ref, "Base of the change the change-aware checks examine");
    command->add_option("--to-ref", options->to_ref, "Head of the change the change-aware checks examine");
    command->add_flag("--ci", options->ci, "CI mode: no colours or progress, GitHub annotations on");
    command->add_flag("--json", options->json, "Print the results as JSON");
    command->add_option("--sarif", options->sarif_file, "Also write a SARIF 2.1.0 log (for GitHub code scanning)")
        ->type_name("FILE");
    command->add_flag("--online", options->online, "links: also fetch http(s) links (cached, rate-limited)");
    command
        ->add_option("--cache-dir", options->cache_directory,
                     "Where --online keeps answers (default: $XDG_CACHE_HOME/greenlight)")
        ->type_name("DIR");
    command->add_flag("--list", options->list, "List the configured checks and exit");
    command->add_flag("--write-baseline", options->write_baseline,
                      "secrets: accept every current finding into the check's baseline file, then exit");
    command->callback([options, &exit_code] { exit_code = run_check(*options); });
}

}  // namespace greenlight::cli
