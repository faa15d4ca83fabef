// `greenlight bridge run`: the remote smoke flow. Load the config, verify the payload, render the JCL,
// drive the job on the host, write and pack the result bundle, announce a failure, exit by verdict.
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "greenlight/bridge/evidence.hpp"
#include "greenlight/bridge/jcl_template.hpp"
#include "greenlight/bridge/notify.hpp"
#include "greenlight/bridge/payload.hpp"
#include "greenlight/bridge/smoke_flow.hpp"
#include "greenlight/cli/commands.hpp"
#include "greenlight/github/issue_comments.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

struct BridgeRunOptions {
    std::string config_file = "greenlight.yml";
    std::string payload;
    std::string run_id;
    std::string url;
    std::string output_dir;
    std::string output;
    int issue = 0;
    std::string log_level = "info";
    bool json = false;
};

// The bound of a submit, cancel or spool download (polls have poll.timeout): long enough for a large
// spool file, short enough that a dead connection does not hold the flow.
constexpr std::chrono::milliseconds k_transfer_timeout{30'000};

// The real clock, whose waits end at once on SIGINT/SIGTERM.
class InterruptibleTimer final : public bridge::FlowTimer {
public:
    std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
    void sleep_for(std::chrono::milliseconds duration) override {
        const auto until = now() + duration;
        while (!interrupted()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now()).count();
            if (left <= 0) return;
            pollfd wake{runner::interrupt_fd(), POLLIN, 0};
            ::poll(&wake, 1, static_cast<int>(std::min<long long>(left, 60'000)));
        }
    }
    bool interrupted() const override { return runner::interrupted(); }
};

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

ExitCode exit_code_for(bridge::FlowVerdict verdict) {
    switch (verdict) {
        case bridge::FlowVerdict::passed:
            return ExitCode::green;
        case bridge::FlowVerdict::failed:
            return ExitCode::red;
        case bridge::FlowVerdict::escalated:
            return ExitCode::escalated;
        case bridge::FlowVerdict::unreachable:
            return ExitCode::infrastructure;
        case bridge::FlowVerdict::template_error:
            return ExitCode::usage;
        case bridge::FlowVerdict::interrupted:
            return ExitCode::interrupted;
    }
    return ExitCode::red;
}

// The JCL template: a file relative to the config's folder. Returns its text and the name messages use.
util::Result<std::pair<std::string, std::string>> read_template(const config::Config& config) {
    const std::string& value = config.bridge.jcl_template;
    if (value.empty()) {
        return util::make_error(
            fmt::format("{}: bridge.jcl_template is not set; name the JCL template to submit "
                        "(docs/BRIDGE.md, \"The JCL template\")",
                        config.file.string()));
    }
    const fs::path path = config.root / value;
    auto text = util::read_file(path);
    if (!text) return util::make_error(fmt::format("bridge.jcl_template: {}", text.message()));
    return std::pair{std::move(*text), value};
}

// Sends the failure notices; each failure is logged and changes nothing else.
void notify_failure(const config::Config& config, const BridgeRunOptions& options,
                    const bridge::FailureSummary& summary) {
    const std::string text = bridge::failure_text(summary);
    const auto& notify = config.bridge.notify;
    if (const std::string webhook = environment(notify.webhook_env.c_str()); webhook.empty()) {
        std::cerr << fmt::format("greenlight: bridge run: no chat notice: ${} is not set\n", notify.webhook_env);
    } else {
        const auto format = bridge::chat_format_for(webhook, notify.webhook_format);
        if (auto sent = bridge::post_chat_webhook(webhook, text, format); !sent) {
            std::cerr << fmt::format("greenlight: bridge run: the chat notice failed: {}\n", sent.message());
        } else {
            std::cerr << "greenlight: bridge run: chat notice sent\n";
        }
    }
    if (options.issue <= 0) return;
    github::Repository repository;
    if (std::string api = environment("GITHUB_API_URL"); !api.empty()) repository.api_url = api;
    repository.name = notify.github_repository.empty() ? environment("GITHUB_REPOSITORY") : notify.github_repository;
    repository.token = environment("GITHUB_TOKEN");
    if (repository.name.find('/') == std::string::npos || repository.token.empty()) {
        std::cerr << fmt::format("greenlight: bridge run: no comment on issue #{}: {}\n", options.issue,
                                 repository.token.empty() ? "GITHUB_TOKEN is not set"
                                                          : "no repository (bridge.notify.github_repository or "
                                                            "GITHUB_REPOSITORY as owner/name)");
        return;
    }
    if (auto posted = github::post_issue_comment(repository, options.issue, text); !posted) {
        std::cerr << fmt::format("greenlight: bridge run: the comment on issue #{} failed: {}\n", options.issue,
                                 posted.message());
    } else {
        std::cerr << fmt::format("greenlight: bridge run: commented on issue #{}\n", options.issue);
    }
}

// Writes and packs the bundle; on failure says why and sets `code` to infrastructure. The archive's path,
// or empty.
std::string write_bundle(const fs::path& folder, const fs::path& archive, const bridge::Evidence& evidence,
                         ExitCode& code) {
    if (auto written = bridge::write_evidence_folder(folder, evidence); !written) {
        print_error(fmt::format("cannot write the result bundle: {}", written.message()));
        code = ExitCode::infrastructure;
        return {};
    }
    if (auto packed = bridge::pack_evidence(folder, archive); !packed) {
        print_error(fmt::format("cannot pack the result bundle: {}", packed.message()));
        code = ExitCode::infrastructure;
        return {};
    }
    return archive.string();
}

void print_outcome(const BridgeRunOptions& options, const nlohmann::json& delta, ExitCode code,
                   const std::string& folder, const std::string& archive) {
    if (options.json) {
        nlohmann::json out = delta;
        out["exit_code"] = to_int(code);
        out["bundle"] = folder.empty() ? nlohmann::json() : nlohmann::json(folder);
        out["archive"] = archive.empty() ? nlohmann::json() : nlohmann::json(archive);
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << fmt::format("bridge run {}: {}\n", delta.value("run_id", ""), delta.value("verdict", ""));
    if (const std::string message = delta.value("message", ""); !message.empty()) std::cout << "  " << message << "\n";
    for (const auto& assertion : delta["assertions"]) {
        if (assertion["pass"].get<bool>()) continue;
        std::cout << fmt::format("  FAIL {}: expected {}, found {}\n", assertion["name"].get<std::string>(),
                                 assertion["expected"].dump(), assertion["actual"].dump());
    }
    if (!archive.empty()) std::cout << fmt::format("  bundle: {} ({})\n", archive, folder);
}

// A payload that does not match its manifest: every problem printed, a bundle that says so, the notices.
ExitCode report_payload_mismatch(const config::Config& config, const BridgeRunOptions& options,
                                 const std::string& run_id, const std::vector<std::string>& problems,
                                 const fs::path& folder, const fs::path& archive) {
    print_error(fmt::format("the payload in {} does not match its manifest; nothing was submitted:", options.payload));
    for (const auto& problem : problems) std::cerr << "  " << problem << "\n";
    // The bundle says why nothing ran, so the uploaded evidence is never missing.
    const nlohmann::json delta = {{"schema", "greenlight.bridge-delta/v1"},
                                  {"run_id", run_id},
                                  {"verdict", "payload-mismatch"},
                                  {"message", "the payload does not match its manifest; nothing was submitted"},
                                  {"payload_problems", problems},
                                  {"job", nullptr},
                                  {"attempts", nlohmann::json::array()},
                                  {"assertions", nlohmann::json::array()}};
    ExitCode code = ExitCode::red;
    const std::string written_archive =
        write_bundle(folder, archive, bridge::Evidence{{}, {}, {}, delta, bridge::metrics_json({})}, code);
    bridge::FailureSummary summary;
    summary.verdict = "payload-mismatch";
    summary.run_id = run_id;
    summary.reason =
        fmt::format("{} payload problem{}, nothing submitted", problems.size(), problems.size() == 1 ? "" : "s");
    summary.bundle = written_archive.empty() ? "" : fs::path(written_archive).filename().string();
    notify_failure(config, options, summary);
    if (options.json) {
        print_outcome(options, delta, code, written_archive.empty() ? "" : folder.string(), written_archive);
    }
    return code;
}

ExitCode run_bridge_flow(const BridgeRunOptions& options) {
    // 1. Configuration, flags and credentials.
    if (options.log_level != "info" && options.log_level != "debug") {
        print_error(fmt::format("--log-level: expected info or debug, found '{}'", options.log_level));
        return ExitCode::usage;
    }
    const std::string run_id = flag_or_environment(options.run_id, "GREENLIGHT_RUN_ID", default_run_id());
    if (!valid_run_id(run_id)) {
        print_error(
            fmt::format("run id '{}' is not valid: use letters, digits, '.', '_' and '-' (at most 128)", run_id));
        return ExitCode::usage;
    }
    auto config = load_required_config(options.config_file,
                                       "`greenlight bridge run` reads its `bridge:` section (docs/BRIDGE.md)");
    if (!config) return ExitCode::usage;
    const config::BridgeConfig& bridge_config = config->bridge;
    if (!bridge_config.present) {
        print_error(fmt::format("{} has no `bridge:` section; add one (docs/BRIDGE.md, \"The smoke flow\")",
                                options.config_file));
        return ExitCode::usage;
    }
    const std::string url =
        !options.url.empty() ? options.url : flag_or_environment("", "GREENLIGHT_BRIDGE_URL", bridge_config.url);
    if (url.empty()) {
        print_error("no host: set bridge.url, GREENLIGHT_BRIDGE_URL or --url (scheme://host:port)");
        return ExitCode::usage;
    }
    std::optional<fs::path> credentials_file;
    if (!bridge_config.credentials_file.empty()) credentials_file = config->root / bridge_config.credentials_file;
    auto credentials = bridge::load_credentials(credentials_file);
    if (!credentials) {
        print_error(credentials.message());
        return ExitCode::usage;
    }
    auto template_source = read_template(*config);
    if (!template_source) {
        print_error(template_source.message());
        return ExitCode::usage;
    }

    // 2. The payload: every problem listed, nothing submitted.
    bridge::PayloadVerification verification = bridge::verify_payload(options.payload, bridge_config.manifest);
    const fs::path folder = !options.output_dir.empty() ? fs::path(options.output_dir)
                                                        : config->root / config->artifacts / "bridge" / run_id;
    const fs::path archive = !options.output.empty() ? fs::path(options.output)
                             : fs::path(bridge_config.output).has_parent_path()
                                 ? config->root / bridge_config.output
                                 : folder.parent_path() / bridge_config.output;
    // A bundle is never overwritten; say so before anything is submitted.
    if (std::error_code error; fs::exists(folder, error) && !fs::is_empty(folder, error)) {
        print_error(fmt::format("the bundle folder {} already holds files; choose another --run-id or --output-dir",
                                folder.string()));
        return ExitCode::usage;
    }
    if (!verification.payload) {
        std::error_code error;
        if (!fs::is_directory(options.payload, error)) {
            print_error(fmt::format("--payload {}: not a folder", options.payload));
            return ExitCode::usage;
        }
        return report_payload_mismatch(*config, options, run_id, verification.problems, folder, archive);
    }
    const bridge::Payload& payload = *verification.payload;

    // 3. The template must render before anything is sent.
    bridge::FlowSettings settings;
    settings.run_id = run_id;
    settings.template_text = template_source->first;
    settings.template_name = template_source->second;
    settings.payload = &payload;
    settings.poll = bridge_config.poll;
    settings.stall = bridge_config.stall;
    settings.assertions = bridge_config.assertions;
    auto first_render = bridge::render_jcl_template(
        settings.template_text,
        bridge::TemplateValues{run_id, bridge::make_user_correlator(run_id, payload.manifest_sha256, 1),
                               payload.manifest_sha256, 1, &payload},
        settings.template_name);
    if (!first_render) {
        print_error(first_render.message());
        return ExitCode::usage;
    }

    // 4. The flow against the host.
    bridge::ClientOptions client_options;
    client_options.url = url;
    client_options.credentials = std::move(*credentials);
    if (!bridge_config.ca_file.empty()) client_options.ca_file = config->root / bridge_config.ca_file;
    client_options.insecure = bridge_config.insecure;
    client_options.request_timeout = bridge_config.poll.timeout;
    bridge::ClientOptions transfer_options = client_options;
    transfer_options.request_timeout = std::max(bridge_config.poll.timeout, k_transfer_timeout);
    auto poll_client = bridge::ZosmfClient::create(std::move(client_options));
    auto transfer_client = bridge::ZosmfClient::create(std::move(transfer_options));
    if (!poll_client || !transfer_client) {
        print_error(fmt::format("host {}: {}", url, (!poll_client ? poll_client : transfer_client).message()));
        return ExitCode::usage;
    }
    bridge::ZosmfJobHost host(*poll_client, *transfer_client);
    runner::install_interrupt_handlers();
    InterruptibleTimer timer;
    bridge::FlowLog log;
    log.level = options.log_level == "debug" ? bridge::FlowLogLevel::debug : bridge::FlowLogLevel::info;
    log.write = [](std::string_view line) { std::cerr << line << "\n" << std::flush; };
    bridge::FlowResult result = bridge::run_smoke_flow(host, settings, timer, log);
    ExitCode code = exit_code_for(result.verdict);
    if (result.verdict == bridge::FlowVerdict::template_error) {
        print_error(result.message);
        return code;
    }

    // 5. The bundle, on failure and escalation too.
    const nlohmann::json delta = bridge::delta_json(result, run_id);
    bridge::Evidence evidence{result.jcl, result.spool, result.final_script, delta,
                              bridge::metrics_json(result.metrics)};
    const std::string written_archive = write_bundle(folder, archive, evidence, code);

    // 6. Notices on failure (an interrupt is the operator's doing, not a failure), then the outcome.
    if (result.verdict != bridge::FlowVerdict::interrupted &&
        (result.verdict != bridge::FlowVerdict::passed || code != ExitCode::green)) {
        const bridge::FlowAttempt* last = result.last_attempt();
        bridge::FailureSummary summary;
        summary.verdict = std::string(bridge::to_string(result.verdict));
        summary.run_id = run_id;
        if (last && last->job) {
            summary.job = fmt::format("{}({})", last->job->jobname, last->job->jobid);
            summary.retcode = last->job->retcode.value_or("");
        }
        summary.attempts = static_cast<int>(result.attempts.size());
        summary.failed_assertions = result.failed_assertions();
        summary.reason = result.message;
        summary.bundle = written_archive.empty() ? "" : fs::path(written_archive).filename().string();
        notify_failure(*config, options, summary);
    }
    print_outcome(options, delta, code, written_archive.empty() ? "" : folder.string(), written_archive);
    return code;
}

}  // namespace

void add_bridge_run_command(CLI::App& bridge, ExitCode& exit_code) {
    auto options = std::make_shared<BridgeRunOptions>();
    CLI::App* command = bridge.add_subcommand(
        "run", "The remote smoke flow: verify the payload, submit its job, poll, check the spool, bundle the evidence");
    command->footer(
        "Reads the `bridge:` section of the config (docs/BRIDGE.md, \"The smoke flow\").\n"
        "Payload: the folder's manifest (bridge.manifest; greenlight's manifest.json, {\"files\": {NAME: SHA256}} or\n"
        "{NAME: SHA256}) must list every file with its sha256, no more and no fewer; else nothing is submitted.\n"
        "JCL template placeholders: ${run_id} ${correlator} ${manifest_sha256} ${attempt} ${payload_path:NAME}\n"
        "${instream:NAME} ${base64:NAME} ($${ for a literal ${).\n"
        "A job without retcode after bridge.stall.running_timeout (or still INPUT after input_timeout), or ending\n"
        "SYS FAIL, is cancelled and submitted again bridge.stall.retries times, then escalated.\n"
        "Bundle: job.jcl, spool.log, spool/, delta.json, final-script.json, metrics.json, manifest; packed as\n"
        "bridge.output (default mainframe-smoke-results.tar.gz beside the bundle folder).\n"
        "On failure: a chat notice to the webhook in $GREENLIGHT_CHAT_WEBHOOK (bridge.notify.webhook_env) and, with\n"
        "--issue N, a comment on issue N (GITHUB_TOKEN); a failed notice is logged and changes no exit code.\n"
        "Credentials: GREENLIGHT_BRIDGE_USER and GREENLIGHT_BRIDGE_PASSWORD, or bridge.credentials_file.\n"
        "Exit: 0 pass, 1 payload mismatch, job failed or an assertion failed, 2 usage or config error,\n"
        "3 host unreachable or bundle not written, 4 escalated, 130 interrupted (the job is cancelled).");
    command->add_option("-c,--config", options->config_file, "Config file")->type_name("FILE")->capture_default_str();
    command->add_option("--payload", options->payload, "The payload folder (with its manifest)")
        ->type_name("DIR")
        ->required();
    command
        ->add_option("--run-id", options->run_id,
                     "Run id (default: $GREENLIGHT_RUN_ID, $GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT, else a UTC timestamp)")
        ->envname("GREENLIGHT_RUN_ID");
    command
        ->add_option("--url", options->url,
                     "The host, scheme://host:port (beats bridge.url and $GREENLIGHT_BRIDGE_URL)")
        ->envname("GREENLIGHT_BRIDGE_URL");
    command
        ->add_option("--output-dir", options->output_dir,
                     "The bundle folder (default: <artifacts>/bridge/<run-id> beside the config)")
        ->type_name("DIR");
    command->add_option("-o,--output", options->output, "The packed bundle (default: bridge.output)")
        ->type_name("FILE");
    command->add_option("--issue", options->issue, "On failure, comment on this GitHub issue (needs GITHUB_TOKEN)")
        ->check(CLI::PositiveNumber);
    command
        ->add_option("--log-level", options->log_level,
                     "info: progress lines; debug: every request, each line with job=NAME(JOBID) correlator=C")
        ->capture_default_str();
    command->add_flag("--json", options->json,
                      "Print the outcome (delta.json plus exit_code, bundle, archive) as JSON");
    command->callback([options, &exit_code] { exit_code = run_bridge_flow(*options); });
}

}  // namespace greenlight::cli
