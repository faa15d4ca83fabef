// The steps of `greenlight bridge run` around the smoke flow, in the order the command takes them: the JCL
// template and the credentials from the config, where the bundle goes, the flow's settings (the first attempt
// rendered before anything is sent), the host's two clients; after the flow, the failure summary the notices
// carry. A payload that does not match its manifest gets its own delta and summary: nothing was submitted.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/bridge/client.hpp"
#include "greenlight/bridge/notify.hpp"
#include "greenlight/bridge/payload.hpp"
#include "greenlight/bridge/smoke_flow.hpp"
#include "greenlight/config/config.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// The bound of a submit, cancel or spool download (polls have poll.timeout): long enough for a large spool
// file, short enough that a dead connection does not hold the flow.
inline constexpr std::chrono::milliseconds k_transfer_timeout{30'000};

struct JclTemplate {
    std::string text;
    std::string name;  // as bridge.jcl_template names it, for messages
};

// bridge.jcl_template, a file relative to the config's folder. The error says what to set or why it could not
// be read.
util::Result<JclTemplate> read_jcl_template(const config::Config& config);

// The credentials the config names (bridge.credentials_file, relative to the config's folder) or the
// environment's (GREENLIGHT_BRIDGE_USER, GREENLIGHT_BRIDGE_PASSWORD).
util::Result<Credentials> credentials_for(const config::Config& config);

// Where the bundle goes: the folder (--output-dir, else <artifacts>/bridge/<run id>) and the archive
// (--output, else bridge.output: beside the folder when it is a bare name, else relative to the config's folder).
struct BundlePlaces {
    std::filesystem::path folder;
    std::filesystem::path archive;
};
BundlePlaces bundle_places(const config::Config& config, std::string_view run_id, const std::string& output_dir,
                           const std::string& output);

// The flow's settings from the `bridge:` section. The template is rendered for attempt 1 first: an error
// (an unknown placeholder, a payload file it names that is missing) means nothing may be sent.
util::Result<FlowSettings> flow_settings(const config::BridgeConfig& bridge, std::string_view run_id,
                                         JclTemplate jcl_template, const Payload& payload);

// The host's two clients: polls bounded by poll.timeout, transfers by the longer of it and k_transfer_timeout.
struct FlowClients {
    ZosmfClient polls;
    ZosmfClient transfers;
};
util::Result<FlowClients> make_flow_clients(const config::Config& config, const std::string& url,
                                            Credentials credentials);

// delta.json of a run whose payload did not match its manifest: every problem, no job, no assertions.
nlohmann::json payload_mismatch_delta(std::string_view run_id, const std::vector<std::string>& problems);

// What the failure notices say about a finished flow, and about a payload that did not match.
// `bundle` is the archive's file name, or empty when none was written.
FailureSummary failure_summary(const FlowResult& result, std::string_view run_id, std::string bundle);
FailureSummary payload_mismatch_summary(std::string_view run_id, std::size_t problems, std::string bundle);

}  // namespace greenlight::bridge
