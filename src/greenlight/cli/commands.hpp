// One function per subcommand; each registers itself on the app and stores its exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "greenlight/config/config.hpp"
#include "greenlight/exit_code.hpp"
#include "greenlight/serve/report_client.hpp"

namespace greenlight::cli {

void add_run_command(CLI::App& app, ExitCode& exit_code);
void add_smoke_command(CLI::App& app, ExitCode& exit_code);
void add_verify_command(CLI::App& app, ExitCode& exit_code);
void add_pack_command(CLI::App& app, ExitCode& exit_code);
void add_merge_command(CLI::App& app, ExitCode& exit_code);
void add_manifest_command(CLI::App& app, ExitCode& exit_code);
void add_config_command(CLI::App& app, ExitCode& exit_code);
void add_gate_command(CLI::App& app, ExitCode& exit_code);
void add_check_command(CLI::App& app, ExitCode& exit_code);
void add_proof_command(CLI::App& app, ExitCode& exit_code);
void add_bridge_command(CLI::App& app, ExitCode& exit_code);
void add_push_command(CLI::App& app, ExitCode& exit_code);
void add_promote_command(CLI::App& app, ExitCode& exit_code);  // promote, promote decide
// The subcommands of `greenlight bridge`, each file registering its own on the `bridge` app.
void add_bridge_serve_commands(CLI::App& bridge, ExitCode& exit_code);   // serve, user
void add_bridge_client_commands(CLI::App& bridge, ExitCode& exit_code);  // submit, status, spool, cancel
void add_bridge_run_command(CLI::App& bridge, ExitCode& exit_code);      // run
void add_serve_command(CLI::App& app, ExitCode& exit_code);              // serve, serve token
void add_watch_command(CLI::App& app, ExitCode& exit_code);
// `greenlight completion SHELL` and the hidden `greenlight man-pages -o DIR`, both rendered from `app`'s tree.
void add_completion_commands(CLI::App& app, ExitCode& exit_code);

// The whole command line: every command registered on one app, whose tree --help, the man pages and the shell
// completions all read. Each command's callback stores its exit code in `exit_code`.
std::unique_ptr<CLI::App> make_command_line(ExitCode& exit_code);
// What --version prints: "greenlight 0.2.0 (commit 0123456789ab, built 2026-01-31)".
std::string version_line();

// Shared by the commands.

enum class BundleUpload { send, skip };
struct PushRequest {
    std::filesystem::path bundle;  // a run bundle folder or a .tar.gz from `greenlight pack`
    std::string url;
    BundleUpload upload = BundleUpload::send;
    std::filesystem::path ca_file;
    serve::TlsVerification tls = serve::TlsVerification::verify;
    std::optional<std::chrono::milliseconds> retry_budget;  // the client's default when empty
};
// Sends a run bundle's report (and the packed bundle) to greenlight serve, printing what happened:
// green when stored, red when the bundle does not verify, usage on bad input or a refusal, infrastructure
// when the server stays unreachable. `greenlight push` and `greenlight run --report-to` share it.
ExitCode push_run(const PushRequest& request);
void print_error(const std::string& message);
bool running_in_ci();
// On GitHub Actions: `::error` annotations for a run's red suites and failing tests (on stdout), and
// summary.md appended to $GITHUB_STEP_SUMMARY. `run` and `merge` report alike, from summary.json.
void report_on_github(const nlohmann::json& summary);
enum class OutputStream { standard_output, standard_error };
enum class CiFlag { absent, given };
// Whether `stream` may carry colour and cursor control (a live view): it is a terminal, TERM is set and not
// `dumb`, NO_COLOR is unset or empty (no-color.org), CI is not set and the command's --ci was not given.
// Every command asks here before it writes an escape code.
bool use_terminal_styling(OutputStream stream, CiFlag ci = CiFlag::absent);
// The config file a command reads unless --config names another.
inline constexpr std::string_view k_default_config_file = "greenlight.yml";
// Loads the config, printing every error; empty when it did not load.
std::optional<config::Config> load_config_or_report(const std::filesystem::path& file);
// greenlight.yml for a command that cannot work without it. A missing file is reported with what the command
// reads it for (`reads`, e.g. "`greenlight check` runs the checks of its `checks:` section (docs/CHECK.md)").
// Empty after printing why there is no config.
std::optional<config::Config> load_required_config(const std::string& file, std::string_view reads);
// greenlight.yml for a command whose every setting has a default: a missing default file gives the defaults (a
// Config rooted at "."), while a file named on the command line (`named`) must exist. Empty after printing why.
std::optional<config::Config> load_optional_config(const std::string& file, bool named);
// The values of a repeatable, comma-separated flag (declared with CLI11's ->delimiter(',')): trimmed, blanks
// dropped, so `--only 'a, b' --only c,` gives a, b, c.
std::vector<std::string> list_values(const std::vector<std::string>& values);
// The run id when none is given: GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT on GitHub Actions, else a UTC timestamp.
std::string default_run_id();
// A run id names folders: letters, digits, '.', '_' and '-', starting with a letter or digit, no "..".
bool valid_run_id(const std::string& run_id);
// A flag's value, else the environment variable's, else the fallback.
std::string flag_or_environment(const std::string& flag_value, const char* variable, const std::string& fallback);

}  // namespace greenlight::cli
