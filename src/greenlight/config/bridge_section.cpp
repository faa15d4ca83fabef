// `bridge` of greenlight.yml: the z/OSMF job host and its credentials, the JCL template and payload manifest,
// polling, stall handling, the spool assertions (retcode, DD names, log segments) and notifications.
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

// JES names (job, step, DD): 1 to 8 of A-Z 0-9 @ # $, not starting with a digit. The bridge layer has the
// same rule (bridge::is_valid_jcl_name); config sits below it and keeps its own copy.
bool is_valid_jcl_name(std::string_view name) {
    if (name.empty() || name.size() > 8) return false;
    const auto national_or_letter = [](char c) { return (c >= 'A' && c <= 'Z') || c == '@' || c == '#' || c == '$'; };
    if (!national_or_letter(name.front())) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return national_or_letter(c) || (c >= '0' && c <= '9'); });
}

// The retcodes z/OSMF reports for a finished job.
bool is_valid_retcode(std::string_view text) {
    static const RE2 pattern(R"(CC [0-9]{4}|ABEND S[0-9A-F]{3}|ABEND U[0-9]{4}|JCL ERROR|CANCELED|SYS FAIL|)"
                             R"(SEC ERROR|CONV ERROR)");
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

constexpr std::string_view k_retcode_forms =
    "a retcode such as CC 0000, ABEND S0C4, ABEND U0100, JCL ERROR, CANCELED, SYS FAIL, SEC ERROR or CONV ERROR";

// RFC 6901: empty (the whole document) or '/'-separated tokens in which '~' is only `~0` or `~1`.
bool is_valid_json_pointer(std::string_view text) {
    if (text.empty()) return true;
    if (text.front() != '/') return false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '~' && (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1'))) return false;
    }
    return true;
}

// Whether a job host base URL is scheme://host[:port] with nothing after; the error says what is wrong.
util::Status check_base_url(std::string_view url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return util::make_error("it has no scheme");
    std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return util::make_error("the scheme must be http or https");
    std::string_view rest = url.substr(scheme_end + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('@') != std::string_view::npos) {
        return util::make_error(
            "it holds user info; credentials come from GREENLIGHT_BRIDGE_USER/GREENLIGHT_BRIDGE_PASSWORD or "
            "credentials_file");
    }
    if (rest.find_first_of("/?#") != std::string_view::npos)
        return util::make_error("it has a path, query or fragment");
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos) return util::make_error("an IPv6 host without ']'");
        host = rest.substr(0, close + 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty() && after.front() != ':') return util::make_error("unexpected text after the host");
        if (!after.empty()) port = after.substr(1);
        if (!after.empty() && port.empty()) return util::make_error("an empty port");
    } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (port.empty()) return util::make_error("an empty port");
    }
    if (host.empty()) return util::make_error("it has no host");
    const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '[' || c == ']' || c == ':';
    });
    if (!host_ok) return util::make_error("the host has characters a host name cannot have");
    if (!port.empty()) {
        auto number = parse_whole_number(port);
        if (!number || *number < 1 || *number > 65535)
            return util::make_error("the port must be a number from 1 to 65535");
    }
    return {};
}

class BridgeReader : public YamlReader {
public:
    BridgeReader(const YamlReader& reader, BridgeConfig& bridge) : YamlReader(reader), m_bridge(bridge) {}

    void read_bridge(const MapEntry& entry);

private:
    void read_bridge_poll(const YAML::Node& node, const std::string& path);
    void read_bridge_stall(const YAML::Node& node, const std::string& path);
    void read_bridge_assertions(const YAML::Node& node, const std::string& path);
    void read_bridge_notify(const YAML::Node& node, const std::string& path);
    std::optional<std::vector<std::string>> read_dd_list(const YAML::Node& node, const std::string& path,
                                                         EmptyList empty);
    std::optional<std::string> read_dd_reference(const YAML::Node& node, const std::string& path);

    BridgeConfig& m_bridge;
};

std::optional<std::string> BridgeReader::read_dd_reference(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected =
        "a DD name such as STDOUT, or STEP.DDNAME (JCL names: 1 to 8 of A-Z 0-9 @ # $, not starting with a digit)";
    auto text = read_string(node, path, k_expected);
    if (!text) return std::nullopt;
    size_t dot = text->find('.');
    bool valid = dot == std::string::npos ? is_valid_jcl_name(*text)
                                          : is_valid_jcl_name(std::string_view(*text).substr(0, dot)) &&
                                                is_valid_jcl_name(std::string_view(*text).substr(dot + 1));
    if (!valid) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    return text;
}

std::optional<std::vector<std::string>> BridgeReader::read_dd_list(const YAML::Node& node, const std::string& path,
                                                                   EmptyList empty) {
    auto names = read_string_list(node, path, "a DD name such as STDOUT or STEP1.STDOUT",
                                  "DD names such as STDOUT or STEP1.STDOUT", empty);
    if (!names) return std::nullopt;
    bool valid = true;
    for (size_t index = 0; index < names->size(); ++index) {
        if (!read_dd_reference(node[index], item_path(path, index))) valid = false;
    }
    if (!valid) return std::nullopt;
    return names;
}

void BridgeReader::read_bridge(const MapEntry& entry) {
    const std::string section = "bridge";
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, section,
                  fmt::format("expected a mapping with at least `jcl_template`, and any of {}; found {}",
                              word_list(allowed_keys(Section::bridge), "and"), describe(entry.value)));
        return;
    }
    BridgeConfig& bridge = m_bridge;
    bridge.present = true;
    bridge.line = position_of(entry.key_node).line;
    bool has_template = false;
    for (const auto& item : entries(entry.value, section, Section::bridge)) {
        const std::string path = child_path(section, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "url") {
            auto url =
                read_string(value, path, "the job host's URL, scheme://host[:port] such as https://zosmf.example:443");
            if (!url) continue;
            if (auto checked = check_base_url(*url); !checked) {
                add_error(value, path,
                          fmt::format("expected the job host's URL, scheme://host[:port] with no path, such as "
                                      "https://zosmf.example:443; found '{}': {}",
                                      util::printable(*url), checked.message()));
                continue;
            }
            bridge.url = *url;
            if (bridge.url.back() == '/') bridge.url.pop_back();
        } else if (item.key == "credentials_file" || item.key == "ca_file" || item.key == "jcl_template" ||
                   item.key == "output") {
            auto file = read_string(value, path, "a file path, relative to greenlight.yml");
            if (!file) continue;
            if (item.key == "credentials_file") bridge.credentials_file = *file;
            if (item.key == "ca_file") bridge.ca_file = *file;
            if (item.key == "jcl_template") {
                bridge.jcl_template = *file;
                has_template = true;
            }
            if (item.key == "output") bridge.output = *file;
        } else if (item.key == "manifest") {
            auto file = read_string(value, path, "the payload's manifest, relative to the payload folder");
            if (!file) continue;
            if (!util::is_safe_relative_path(*file)) {
                add_error(value, path,
                          fmt::format("expected a path inside the payload folder (relative, no `..`); found '{}'",
                                      util::printable(*file)));
                continue;
            }
            bridge.manifest = *file;
        } else if (item.key == "insecure") {
            if (auto choice = read_boolean(value, path)) bridge.insecure = *choice;
        } else if (item.key == "poll") {
            read_bridge_poll(value, path);
        } else if (item.key == "stall") {
            read_bridge_stall(value, path);
        } else if (item.key == "assertions") {
            read_bridge_assertions(value, path);
        } else if (item.key == "notify") {
            read_bridge_notify(value, path);
        }
    }
    if (!has_template) {
        // Only when the key is missing: a jcl_template with a bad value has its own error already.
        const bool mentioned = entry.value["jcl_template"].IsDefined();
        if (!mentioned) {
            add_error(entry.key_node, "bridge.jcl_template",
                      "missing key; expected the JCL job to submit, a file relative to greenlight.yml such as "
                      "smoke/job.jcl");
        }
    }
}

void BridgeReader::read_bridge_poll(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::bridge_poll);
    if (!items) return;
    BridgePollConfig& poll = m_bridge.poll;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "slow_after") {
            if (auto count = read_whole_number(item.value, item_key_path, 0, INT64_MAX)) {
                poll.slow_after = static_cast<int>(std::min<std::int64_t>(*count, INT32_MAX));
            }
            continue;
        }
        auto duration = read_positive_duration(item.value, item_key_path);
        if (!duration) continue;
        if (item.key == "interval") poll.interval = *duration;
        if (item.key == "slow_interval") poll.slow_interval = *duration;
        if (item.key == "timeout") poll.timeout = *duration;
    }
}

void BridgeReader::read_bridge_stall(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::bridge_stall);
    if (!items) return;
    BridgeStallConfig& stall = m_bridge.stall;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "retries") {
            if (auto count = read_whole_number(item.value, item_key_path, 0, 5))
                stall.retries = static_cast<int>(*count);
            continue;
        }
        auto duration = read_positive_duration(item.value, item_key_path);
        if (!duration) continue;
        if (item.key == "running_timeout") stall.running_timeout = *duration;
        if (item.key == "input_timeout") stall.input_timeout = *duration;
    }
}

void BridgeReader::read_bridge_assertions(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::bridge_assertions);
    if (!items) return;
    BridgeAssertionsConfig& assertions = m_bridge.assertions;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "retcode") {
            auto retcode = read_string(value, item_key_path, k_retcode_forms);
            if (retcode && !is_valid_retcode(*retcode)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_retcode_forms, describe(value)));
            } else if (retcode) {
                assertions.retcode = *retcode;
            }
        } else if (item.key == "required_dds") {
            if (auto names = read_dd_list(value, item_key_path, EmptyList::allowed)) assertions.required_dds = *names;
        } else if (item.key == "log_dds") {
            if (auto names = read_dd_list(value, item_key_path, EmptyList::refused)) assertions.log_dds = *names;
        } else if (item.key == "final_script_dd") {
            if (auto name = read_dd_reference(value, item_key_path)) assertions.final_script_dd = *name;
        } else if (item.key == "frames_pointer") {
            constexpr std::string_view k_expected = "a JSON Pointer such as /frames";
            if (!is_string(value) || !is_valid_json_pointer(value.Scalar())) {
                add_error(value, item_key_path,
                          fmt::format("expected {} (empty, or '/'-separated, with '~' only as ~0 or ~1); found {}",
                                      k_expected, describe(value)));
            } else {
                assertions.frames_pointer = value.Scalar();
            }
        } else if (auto count = read_whole_number(value, item_key_path, 0, INT64_MAX)) {
            const int number = static_cast<int>(std::min<std::int64_t>(*count, INT32_MAX));
            if (item.key == "min_log_segments") assertions.min_log_segments = number;
            if (item.key == "min_snippets") assertions.min_snippets = number;
            if (item.key == "min_words_per_snippet") assertions.min_words_per_snippet = number;
            if (item.key == "min_final_script_frames") assertions.min_final_script_frames = number;
        }
    }
}

void BridgeReader::read_bridge_notify(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::bridge_notify);
    if (!items) return;
    BridgeNotifyConfig& notify = m_bridge.notify;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "webhook_env") {
            constexpr std::string_view k_expected =
                "an environment variable name (letters, digits and '_', not starting with a digit)";
            auto name = read_string(value, item_key_path, k_expected);
            if (name && !is_valid_environment_name(*name)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_expected, describe(value)));
            } else if (name) {
                notify.webhook_env = *name;
            }
        } else if (item.key == "webhook_format") {
            if (auto format = read_choice(value, item_key_path, webhook_format_names()))
                notify.webhook_format = *format;
        } else if (item.key == "github_repository") {
            static const RE2 k_repository(R"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)");
            auto repository = read_string(value, item_key_path, "a GitHub repository as owner/name");
            if (repository && !RE2::FullMatch(*repository, k_repository)) {
                add_error(value, item_key_path,
                          fmt::format("expected a GitHub repository as owner/name; found {}", describe(value)));
            } else if (repository) {
                notify.github_repository = *repository;
            }
        }
    }
}

}  // namespace

void read_bridge_section(YamlReader& reader, const MapEntry& entry, BridgeConfig& bridge) {
    BridgeReader(reader, bridge).read_bridge(entry);
}

}  // namespace greenlight::config::detail
