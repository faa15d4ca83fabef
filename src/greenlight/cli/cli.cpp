#include "greenlight/cli/cli.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "greenlight/bundle/run_id.hpp"
#include "greenlight/cli/commands.hpp"
#include "greenlight/process/proc.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/version.hpp"

namespace greenlight::cli {

void print_error(const std::string& message) {
    std::cerr << "greenlight: error: " << message << "\n";
}

bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

bool use_terminal_styling(OutputStream stream, CiFlag ci) {
    if (ci == CiFlag::given || running_in_ci()) return false;
    if (const char* no_colour = std::getenv("NO_COLOR"); no_colour && *no_colour) return false;
    const char* terminal = std::getenv("TERM");
    if (!terminal || !*terminal || std::string_view(terminal) == "dumb") return false;
    return ::isatty(stream == OutputStream::standard_output ? STDOUT_FILENO : STDERR_FILENO) == 1;
}

void report_on_github(const nlohmann::json& summary) {
    if (const char* actions = std::getenv("GITHUB_ACTIONS"); actions && std::string_view(actions) == "true") {
        for (const auto& line : runner::github_annotations(summary)) std::cout << line << "\n";
    }
    if (const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY"); step_summary && *step_summary) {
        if (auto appended = util::append_file(step_summary, runner::summary_markdown(summary) + "\n"); !appended) {
            print_error(fmt::format("cannot append to $GITHUB_STEP_SUMMARY: {}", appended.message()));
        }
    }
    std::cout << std::flush;
}

std::optional<config::Config> load_config_or_report(const std::filesystem::path& file) {
    config::LoadOutcome loaded = config::load_config(file);
    for (const auto& error : loaded.errors) std::cerr << error.to_string() << "\n";
    if (!loaded.errors.empty()) {
        print_error(fmt::format("{}: {} error{} in the config; fix {} and run again", file.string(),
                                loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s",
                                loaded.errors.size() == 1 ? "it" : "them"));
    }
    return loaded.config;
}

std::optional<config::Config> load_required_config(const std::string& file, std::string_view reads) {
    std::error_code missing;
    if (!std::filesystem::exists(file, missing)) {
        print_error(fmt::format("{} does not exist; {}", file, reads));
        return std::nullopt;
    }
    return load_config_or_report(file);
}

std::optional<config::Config> load_optional_config(const std::string& file, bool named) {
    std::error_code missing;
    if (!std::filesystem::exists(file, missing)) {
        if (!named) {
            config::Config defaults;
            defaults.root = ".";
            return defaults;
        }
        print_error(fmt::format("{} does not exist", file));
        return std::nullopt;
    }
    return load_config_or_report(file);
}

std::vector<std::string> list_values(const std::vector<std::string>& values) {
    std::vector<std::string> tidy;
    for (const auto& value : values) {
        if (auto trimmed = util::trim(value); !trimmed.empty()) tidy.emplace_back(trimmed);
    }
    return tidy;
}

std::string default_run_id() {
    if (const char* github_run = std::getenv("GITHUB_RUN_ID"); github_run && *github_run) {
        const char* attempt = std::getenv("GITHUB_RUN_ATTEMPT");
        return fmt::format("{}-{}", github_run, attempt && *attempt ? attempt : "1");
    }
    return util::format_utc_compact(std::chrono::system_clock::now());
}

bool valid_run_id(const std::string& run_id) {
    return bundle::valid_run_id(run_id);
}

std::string flag_or_environment(const std::string& flag_value, const char* variable, const std::string& fallback) {
    if (!flag_value.empty()) return flag_value;
    if (const char* value = std::getenv(variable); value && *value) return value;
    return fallback;
}

std::string version_line() {
    return fmt::format("greenlight {} (commit {}, built {})", version(), build_commit(), build_date());
}

std::unique_ptr<CLI::App> make_command_line(ExitCode& exit_code) {
    auto app = std::make_unique<CLI::App>(
        "greenlight makes a CI green mean something: it runs a repository's test suites by tier with verdicts\n"
        "that cannot be fooled, and writes artifact bundles whose manifests prove nothing was lost.\n\n"
        "Exit codes: 0 green, 1 red, 2 usage or config error, 3 infrastructure error, 130 interrupted.",
        "greenlight");
    app->set_version_flag("--version", version_line());
    app->require_subcommand(1);
    add_run_command(*app, exit_code);
    add_smoke_command(*app, exit_code);
    add_verify_command(*app, exit_code);
    add_pack_command(*app, exit_code);
    add_merge_command(*app, exit_code);
    add_manifest_command(*app, exit_code);
    add_config_command(*app, exit_code);
    add_gate_command(*app, exit_code);
    add_promote_command(*app, exit_code);
    add_check_command(*app, exit_code);
    add_proof_command(*app, exit_code);
    add_bridge_command(*app, exit_code);
    add_push_command(*app, exit_code);
    add_serve_command(*app, exit_code);
    add_watch_command(*app, exit_code);
    add_completion_commands(*app, exit_code);
    return app;
}

int main(int argc, char** argv) {
    if (!process::proc_is_mounted()) {
        std::cerr << "greenlight: /proc is not mounted: a process a suite starts outside its session cannot be found "
                     "or stopped, and the smoke guard cannot prove containment (mount proc on /proc)\n";
    }
    ExitCode exit_code = ExitCode::green;
    std::unique_ptr<CLI::App> command_line = make_command_line(exit_code);
    CLI::App& app = *command_line;
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForAllHelp& help) {
        return app.exit(help);
    } catch (const CLI::CallForVersion& version) {
        return app.exit(version);
    } catch (const CLI::ParseError& error) {
        app.exit(error);
        return to_int(ExitCode::usage);
    } catch (const std::exception& error) {
        print_error(error.what());
        return to_int(ExitCode::infrastructure);
    }
    return to_int(exit_code);
}

}  // namespace greenlight::cli
