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
#include "greenlight/bridge/notify.hpp"
#include "greenlight/bridge/payload.hpp"
#include "greenlight/bridge/run_steps.hpp"
#include "greenlight/bridge/smoke_flow.hpp"
#include "greenlight/cli/commands.hpp"
#include "greenlight/github/issue_comments.hpp"
#include "greenlight/github/labels.hpp"
#include "greenlight/runner/interrupt.hpp"

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
    auto repository = github::repository_from_environment(notify.github_repository);
    if (!repository) {
        std::cerr << fmt::format("greenlight: bridge run: no comment on issue #{}: {}\n", options.issue,
                                 repository.message());
        return;
    }
    if (auto posted = github::post_issue_comment(*repository, options.issue, text); !posted) {
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
    const nlohmann::json delta = bridge::payload_mismatch_delta(run_id, problems);
    ExitCode code = ExitCode::red;
    const std::string written_archive =
        write_bundle(folder, archive, bridge::Evidence{{}, {}, {}, delta, bridge::metrics_json({})}, code);
    const auto summary = bridge::payload_mismatch_summary(
        run_id, problems.size(), written_archive.empty() ? "" : fs::path(written_archive).filename().string());
    notify_failure(config, options, summary);
    if (options.json) {
        print_outcome(options, delta, code, written_archive.empty() ? "" : folder.string(), written_archive);
    }
    return code;
}

ExitCode run_bridge_flow(const BridgeRunOptions& options) {
    // Configuration, flags and credentials.
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
    if (!config->bridge.present) {
        print_error(fmt::format("{} has no `bridge:` section; add one (docs/BRIDGE.md, \"The smoke flow\")",
                                options.config_file));
        return ExitCode::usage;
    }
    const std::string url =
        !options.url.empty() ? options.url : flag_or_environment("", "GREENLIGHT_BRIDGE_URL", config->bridge.url);
    if (url.empty()) {
        print_error("no host: set bridge.url, GREENLIGHT_BRIDGE_URL or --url (scheme://host:port)");
        return ExitCode::usage;
    }
    auto credentials = bridge::credentials_for(*config);
    if (!credentials) {
        print_error(credentials.message());
        return ExitCode::usage;
    }
    auto jcl_template = bridge::read_jcl_template(*config);
    if (!jcl_template) {
        print_error(jcl_template.message());
        return ExitCode::usage;
    }

    // The payload: every problem listed, nothing submitted. A bundle is never overwritten: said before anything
    // is submitted.
    const bridge::PayloadVerification verification = bridge::verify_payload(options.payload, config->bridge.manifest);
    const bridge::BundlePlaces places = bridge::bundle_places(*config, run_id, options.output_dir, options.output);
    if (std::error_code error; fs::exists(places.folder, error) && !fs::is_empty(places.folder, error)) {
        print_error(fmt::format("the bundle folder {} already holds files; choose another --run-id or --output-dir",
                                places.folder.string()));
        return ExitCode::usage;
    }
    if (!verification.payload) {
        if (std::error_code error; !fs::is_directory(options.payload, error)) {
            print_error(fmt::format("--payload {}: not a folder", options.payload));
            return ExitCode::usage;
        }
        return report_payload_mismatch(*config, options, run_id, verification.problems, places.folder, places.archive);
    }

    // The template must render before anything is sent.
    auto settings = bridge::flow_settings(config->bridge, run_id, std::move(*jcl_template), *verification.payload);
    if (!settings) {
        print_error(settings.message());
        return ExitCode::usage;
    }

    // The flow against the host.
    auto clients = bridge::make_flow_clients(*config, url, std::move(*credentials));
    if (!clients) {
        print_error(clients.message());
        return ExitCode::usage;
    }
    bridge::ZosmfJobHost host(clients->polls, clients->transfers);
    runner::install_interrupt_handlers();
    InterruptibleTimer timer;
    bridge::FlowLog log;
    log.level = options.log_level == "debug" ? bridge::FlowLogLevel::debug : bridge::FlowLogLevel::info;
    log.write = [](std::string_view line) { std::cerr << line << "\n" << std::flush; };
    const bridge::FlowResult result = bridge::run_smoke_flow(host, *settings, timer, log);
    ExitCode code = exit_code_for(result.verdict);
    if (result.verdict == bridge::FlowVerdict::template_error) {
        print_error(result.message);
        return code;
    }

    // The bundle, on failure and escalation too.
    const nlohmann::json delta = bridge::delta_json(result, run_id);
    const bridge::Evidence evidence{result.jcl, result.spool, result.final_script, delta,
                                    bridge::metrics_json(result.metrics)};
    const std::string written_archive = write_bundle(places.folder, places.archive, evidence, code);
    const std::string folder = written_archive.empty() ? "" : places.folder.string();

    // Notices on failure (an interrupt is the operator's doing, not a failure), then the outcome.
    if (result.verdict != bridge::FlowVerdict::interrupted &&
        (result.verdict != bridge::FlowVerdict::passed || code != ExitCode::green)) {
        notify_failure(
            *config, options,
            bridge::failure_summary(result, run_id,
                                    written_archive.empty() ? "" : fs::path(written_archive).filename().string()));
    }
    print_outcome(options, delta, code, folder, written_archive);
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
