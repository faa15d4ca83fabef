// The steps of `greenlight bridge run` around the smoke flow.
#include "greenlight/bridge/run_steps.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "greenlight/bridge/jcl_template.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bridge {

namespace fs = std::filesystem;

util::Result<JclTemplate> read_jcl_template(const config::Config& config) {
    const std::string& value = config.bridge.jcl_template;
    if (value.empty()) {
        return util::make_error(
            fmt::format("{}: bridge.jcl_template is not set; name the JCL template to submit "
                        "(docs/BRIDGE.md, \"The JCL template\")",
                        config.file.string()));
    }
    auto text = util::read_file(config.root / value);
    if (!text) return util::make_error(fmt::format("bridge.jcl_template: {}", text.message()));
    return JclTemplate{std::move(*text), value};
}

util::Result<Credentials> credentials_for(const config::Config& config) {
    std::optional<fs::path> file;
    if (!config.bridge.credentials_file.empty()) file = config.root / config.bridge.credentials_file;
    return load_credentials(file);
}

BundlePlaces bundle_places(const config::Config& config, std::string_view run_id, const std::string& output_dir,
                           const std::string& output) {
    BundlePlaces places;
    places.folder =
        !output_dir.empty() ? fs::path(output_dir) : config.root / config.artifacts / "bridge" / std::string(run_id);
    if (!output.empty()) {
        places.archive = output;
    } else if (fs::path(config.bridge.output).has_parent_path()) {
        places.archive = config.root / config.bridge.output;
    } else {
        places.archive = places.folder.parent_path() / config.bridge.output;
    }
    return places;
}

util::Result<FlowSettings> flow_settings(const config::BridgeConfig& bridge, std::string_view run_id,
                                         JclTemplate jcl_template, const Payload& payload) {
    FlowSettings settings;
    settings.run_id = std::string(run_id);
    settings.template_text = std::move(jcl_template.text);
    settings.template_name = std::move(jcl_template.name);
    settings.payload = &payload;
    settings.poll = bridge.poll;
    settings.stall = bridge.stall;
    settings.assertions = bridge.assertions;
    auto first_render =
        render_jcl_template(settings.template_text,
                            TemplateValues{settings.run_id, make_user_correlator(run_id, payload.manifest_sha256, 1),
                                           payload.manifest_sha256, 1, &payload},
                            settings.template_name);
    if (!first_render) return first_render.error();
    return settings;
}

util::Result<FlowClients> make_flow_clients(const config::Config& config, const std::string& url,
                                            Credentials credentials) {
    const config::BridgeConfig& bridge = config.bridge;
    ClientOptions poll_options;
    poll_options.url = url;
    poll_options.credentials = std::move(credentials);
    if (!bridge.ca_file.empty()) poll_options.ca_file = config.root / bridge.ca_file;
    poll_options.insecure = bridge.insecure;
    poll_options.request_timeout = bridge.poll.timeout;
    ClientOptions transfer_options = poll_options;
    transfer_options.request_timeout = std::max(bridge.poll.timeout, k_transfer_timeout);
    auto polls = ZosmfClient::create(std::move(poll_options));
    if (!polls) return util::make_error(fmt::format("host {}: {}", url, polls.message()));
    auto transfers = ZosmfClient::create(std::move(transfer_options));
    if (!transfers) return util::make_error(fmt::format("host {}: {}", url, transfers.message()));
    return FlowClients{std::move(*polls), std::move(*transfers)};
}

nlohmann::json payload_mismatch_delta(std::string_view run_id, const std::vector<std::string>& problems) {
    return {{"schema", "greenlight.bridge-delta/v1"},
            {"run_id", run_id},
            {"verdict", "payload-mismatch"},
            {"message", "the payload does not match its manifest; nothing was submitted"},
            {"payload_problems", problems},
            {"job", nullptr},
            {"attempts", nlohmann::json::array()},
            {"assertions", nlohmann::json::array()}};
}

FailureSummary failure_summary(const FlowResult& result, std::string_view run_id, std::string bundle) {
    FailureSummary summary;
    summary.verdict = std::string(to_string(result.verdict));
    summary.run_id = std::string(run_id);
    if (const FlowAttempt* last = result.last_attempt(); last && last->job) {
        summary.job = fmt::format("{}({})", last->job->jobname, last->job->jobid);
        summary.retcode = last->job->retcode.value_or("");
    }
    summary.attempts = static_cast<int>(result.attempts.size());
    summary.failed_assertions = result.failed_assertions();
    summary.reason = result.message;
    summary.bundle = std::move(bundle);
    return summary;
}

FailureSummary payload_mismatch_summary(std::string_view run_id, std::size_t problems, std::string bundle) {
    FailureSummary summary;
    summary.verdict = "payload-mismatch";
    summary.run_id = std::string(run_id);
    summary.reason = fmt::format("{} payload problem{}, nothing submitted", problems, problems == 1 ? "" : "s");
    summary.bundle = std::move(bundle);
    return summary;
}

}  // namespace greenlight::bridge
