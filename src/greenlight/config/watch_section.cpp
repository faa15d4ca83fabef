// `watch` of greenlight.yml: alert channels (webhooks, GitHub issues), the heartbeat, and the scheduled
// checks (period or cron with a time zone, grace, run times, failures, realert), each channel checked.
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/duration.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

// Five fields of digits, names (jan, mon), `*`, `,`, `-` and `/`. The watchdog parses the expression itself;
// this catches the shape early, with a line number.
bool looks_like_cron(std::string_view text) {
    static const RE2 pattern(R"(\s*[0-9A-Za-z*,/-]+(\s+[0-9A-Za-z*,/-]+){4}\s*)");
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

bool looks_like_time_zone(std::string_view text) {
    static const RE2 pattern(R"([A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)");
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

class WatchReader : public YamlReader {
public:
    WatchReader(const YamlReader& reader, WatchConfig& watch) : YamlReader(reader), m_watch(watch) {}

    void read_watch(const MapEntry& entry);

private:
    void read_watch_channels(const YAML::Node& node, const std::string& path);
    std::optional<AlertChannelConfig> read_watch_channel(const MapEntry& entry, const std::string& path);
    void read_watch_heartbeat(const YAML::Node& node, const std::string& path);
    void read_watch_checks(const YAML::Node& node, const std::string& path);
    std::optional<WatchCheckConfig> read_watch_check(const MapEntry& entry, const std::string& path);
    // Channel names in a check's or the heartbeat's `channels`, each checked against watch.channels later.
    std::optional<std::vector<std::string>> read_channel_references(const YAML::Node& node, const std::string& path);
    void check_channel_references();
    std::optional<std::string> read_environment_name(const YAML::Node& node, const std::string& path);
    std::optional<Milliseconds> read_duration_at_least(const YAML::Node& node, const std::string& path,
                                                       Milliseconds minimum, std::string_view minimum_text);

    WatchConfig& m_watch;
    // `watch.channels` keys, even of channels with errors, and the references to them to check at the end.
    struct ChannelReference {
        std::string name;
        YAML::Node node;
        std::string path;
    };
    std::vector<std::string> m_channel_names;
    bool m_channel_names_readable = true;
    std::vector<ChannelReference> m_channel_references;
};

std::optional<std::string> WatchReader::read_environment_name(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected =
        "an environment variable name (letters, digits and '_', not starting with a digit)";
    auto name = read_string(node, path, k_expected);
    if (name && !is_valid_environment_name(*name)) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    return name;
}

std::optional<Milliseconds> WatchReader::read_duration_at_least(const YAML::Node& node, const std::string& path,
                                                                Milliseconds minimum, std::string_view minimum_text) {
    auto duration = read_duration(node, path);
    if (duration && *duration < minimum) {
        add_error(node, path,
                  fmt::format("expected a duration of at least {}; found {}", minimum_text, describe(node)));
        return std::nullopt;
    }
    return duration;
}

void WatchReader::read_watch(const MapEntry& entry) {
    const std::string section = "watch";
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, section,
                  fmt::format("expected a mapping with any of {}; found {}",
                              word_list(allowed_keys(Section::watch), "and"), describe(entry.value)));
        return;
    }
    WatchConfig& watch = m_watch;
    watch.present = true;
    watch.line = position_of(entry.key_node).line;
    for (const auto& item : entries(entry.value, section, Section::watch)) {
        const std::string path = child_path(section, item.key);
        if (item.key == "channels") {
            read_watch_channels(item.value, path);
        } else if (item.key == "realert") {
            if (auto every = read_duration_at_least(item.value, path, std::chrono::minutes{1}, "1m")) {
                watch.realert = *every;
            }
        } else if (item.key == "heartbeat") {
            read_watch_heartbeat(item.value, path);
        } else if (item.key == "checks") {
            read_watch_checks(item.value, path);
        }
    }
    check_channel_references();
}

void WatchReader::read_watch_channels(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a mapping of channel names to channels ({{ type: discord, url_env: VARIABLE "
                              "}}); found {}",
                              describe(node)));
        m_channel_names_readable = false;
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        m_channel_names.push_back(item.key);
        if (!is_valid_watch_name(item.key)) {
            add_error(
                item.key_node, child_path(path, item.key),
                fmt::format("expected a channel name of {}; found '{}'", k_watch_name_rule, util::printable(item.key)));
            continue;
        }
        if (auto channel = read_watch_channel(item, child_path(path, item.key))) {
            m_watch.channels.push_back(std::move(*channel));
        }
    }
}

std::optional<AlertChannelConfig> WatchReader::read_watch_channel(const MapEntry& entry, const std::string& path) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with `type` and the type's keys; found {}", describe(entry.value)));
        return std::nullopt;
    }
    AlertChannelConfig channel;
    channel.name = entry.key;
    channel.line = position_of(entry.key_node).line;
    std::vector<MapEntry> items = entries(entry.value, path, Section::watch_channel);
    auto type_item = std::find_if(items.begin(), items.end(), [](const MapEntry& item) { return item.key == "type"; });
    if (type_item == items.end()) {
        if (!entry.value["type"].IsDefined()) {
            add_error(entry.key_node, child_path(path, "type"),
                      fmt::format("missing key; expected {}", word_list(alert_channel_type_names(), "or")));
        }
        return std::nullopt;
    }
    auto type_name = read_choice(type_item->value, child_path(path, "type"), alert_channel_type_names());
    if (!type_name) return std::nullopt;
    const auto& names = alert_channel_type_names();
    channel.type = static_cast<AlertChannelType>(std::find(names.begin(), names.end(), *type_name) - names.begin());
    const auto& keys = alert_channel_keys_for(channel.type);
    bool valid = true;
    bool has_url = false;
    bool has_repository = false;
    bool has_issue = false;
    for (const auto& item : items) {
        const std::string item_key_path = child_path(path, item.key);
        if (std::find(keys.begin(), keys.end(), item.key) == keys.end()) {
            add_error(item.key_node, item_key_path,
                      fmt::format("a {} channel does not take `{}`; it takes {}", *type_name, item.key,
                                  word_list(keys, "and")));
            valid = false;
            continue;
        }
        if (item.key == "url_env") {
            auto name = read_environment_name(item.value, item_key_path);
            if (!name) valid = false;
            if (name) channel.url_env = *name;
            has_url = true;
        } else if (item.key == "token_env") {
            auto name = read_environment_name(item.value, item_key_path);
            if (!name) valid = false;
            if (name) channel.token_env = *name;
        } else if (item.key == "repository") {
            static const RE2 k_repository(R"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)");
            auto repository = read_string(item.value, item_key_path, "a GitHub repository as owner/name");
            if (repository && !RE2::FullMatch(*repository, k_repository)) {
                add_error(item.value, item_key_path,
                          fmt::format("expected a GitHub repository as owner/name; found {}", describe(item.value)));
                repository.reset();
            }
            if (!repository) valid = false;
            if (repository) channel.repository = *repository;
            has_repository = true;
        } else if (item.key == "issue") {
            auto number = read_whole_number(item.value, item_key_path, 1, INT32_MAX);
            if (!number) valid = false;
            if (number) channel.issue = static_cast<int>(*number);
            has_issue = true;
        }
    }
    auto missing = [&](std::string_view key, std::string_view expected) {
        add_error(entry.key_node, child_path(path, key), fmt::format("missing key; expected {}", expected));
        valid = false;
    };
    if (channel.type == AlertChannelType::github) {
        if (!has_repository) missing("repository", "the GitHub repository as owner/name");
        if (!has_issue) missing("issue", "the number of the issue that receives the alerts");
    } else if (!has_url && !entry.value["url"].IsDefined()) {
        // A literal `url` already has its error, which says to use url_env.
        missing("url_env", "the name of the environment variable holding the webhook URL");
    }
    if (!valid) return std::nullopt;
    return channel;
}

std::optional<std::vector<std::string>> WatchReader::read_channel_references(const YAML::Node& node,
                                                                             const std::string& path) {
    auto names =
        read_string_list(node, path, "a channel name", "channel names from watch.channels", EmptyList::refused);
    if (!names) return std::nullopt;
    for (size_t index = 0; index < names->size(); ++index) {
        m_channel_references.push_back(ChannelReference{(*names)[index], node[index], item_path(path, index)});
    }
    return names;
}

void WatchReader::check_channel_references() {
    if (!m_channel_names_readable) return;
    for (const auto& reference : m_channel_references) {
        if (std::find(m_channel_names.begin(), m_channel_names.end(), reference.name) != m_channel_names.end()) {
            continue;
        }
        std::string message = fmt::format("unknown channel '{}'", util::printable(reference.name));
        if (m_channel_names.empty()) {
            message += "; watch.channels defines none";
        } else if (auto suggestion = util::did_you_mean(reference.name, m_channel_names)) {
            message += fmt::format("; did you mean '{}'?", *suggestion);
        } else {
            message += fmt::format("; watch.channels defines {}", word_list(m_channel_names, "and"));
        }
        add_error(reference.node, reference.path, std::move(message));
    }
}

void WatchReader::read_watch_heartbeat(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::watch_heartbeat);
    if (!items) return;
    WatchHeartbeatConfig& heartbeat = m_watch.heartbeat;
    heartbeat.present = true;
    heartbeat.line = position_of(node).line;
    bool has_channels = false;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "every") {
            if (auto every = read_duration_at_least(item.value, item_key_path, std::chrono::minutes{1}, "1m")) {
                heartbeat.every = *every;
            }
        } else if (item.key == "channels") {
            has_channels = true;
            if (auto names = read_channel_references(item.value, item_key_path)) heartbeat.channels = *names;
        }
    }
    if (!has_channels) {
        add_error(node, child_path(path, "channels"), "missing key; expected the channels the heartbeat goes to");
    }
}

void WatchReader::read_watch_checks(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        add_error(
            node, path,
            fmt::format("expected a mapping of check names to checks ({{ period: 6h }}); found {}", describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        if (!is_valid_watch_name(item.key)) {
            add_error(
                item.key_node, child_path(path, item.key),
                fmt::format("expected a check name of {}; found '{}'", k_watch_name_rule, util::printable(item.key)));
            continue;
        }
        if (auto check = read_watch_check(item, child_path(path, item.key))) {
            m_watch.checks.push_back(std::move(*check));
        }
    }
}

std::optional<WatchCheckConfig> WatchReader::read_watch_check(const MapEntry& entry, const std::string& path) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with `period` or `cron`, and any of {}; found {}",
                              word_list(allowed_keys(Section::watch_check), "and"), describe(entry.value)));
        return std::nullopt;
    }
    WatchCheckConfig check;
    check.name = entry.key;
    check.line = position_of(entry.key_node).line;
    bool valid = true;
    // Copies: the entries below do not outlive the loop.
    std::optional<YAML::Node> timezone_node;
    std::optional<YAML::Node> min_node;
    auto keep = [&](auto parsed, auto& field) {
        if (parsed) {
            field = *parsed;
        } else {
            valid = false;
        }
    };
    for (const auto& item : entries(entry.value, path, Section::watch_check)) {
        const std::string item_key_path = child_path(path, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "period") {
            keep(read_duration_at_least(value, item_key_path, std::chrono::minutes{1}, "1m"), check.period);
        } else if (item.key == "cron") {
            constexpr std::string_view k_expected =
                "a cron expression of five fields (minute hour day-of-month month day-of-week) such as \"0 2 * * *\"";
            auto text = read_string(value, item_key_path, k_expected);
            if (text && !looks_like_cron(*text)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_expected, describe(value)));
                text.reset();
            }
            keep(text, check.cron);
        } else if (item.key == "timezone") {
            constexpr std::string_view k_expected = "an IANA time zone such as Europe/Berlin or UTC";
            auto text = read_string(value, item_key_path, k_expected);
            if (text && !looks_like_time_zone(*text)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_expected, describe(value)));
                text.reset();
            }
            keep(text, check.timezone);
            timezone_node = item.value;
        } else if (item.key == "grace") {
            keep(read_duration(value, item_key_path), check.grace);
        } else if (item.key == "max_run_time") {
            keep(read_positive_duration(value, item_key_path), check.max_run_time);
        } else if (item.key == "min_run_time") {
            keep(read_positive_duration(value, item_key_path), check.min_run_time);
            min_node = item.value;
        } else if (item.key == "failures") {
            auto count = read_whole_number(value, item_key_path, 1, 100);
            if (count) check.failures = static_cast<int>(*count);
            if (!count) valid = false;
        } else if (item.key == "realert") {
            keep(read_duration_at_least(value, item_key_path, std::chrono::minutes{1}, "1m"), check.realert);
        } else if (item.key == "tier" || item.key == "project") {
            auto name = read_name(value, item_key_path, item.key == "tier" ? "a tier name" : "a project name");
            keep(name, item.key == "tier" ? check.tier : check.project);
        } else if (item.key == "channels") {
            keep(read_channel_references(value, item_key_path), check.channels);
        } else if (item.key == "paused") {
            auto choice = read_boolean(value, item_key_path);
            if (choice) check.paused = *choice;
            if (!choice) valid = false;
        } else if (item.key == "description") {
            // Shown as written: a number or boolean is text too, as the schema allows.
            if (is_string_number_or_boolean(value)) {
                check.description = value.Scalar();
            } else {
                add_error(value, item_key_path, fmt::format("expected a text; found {}", describe(value)));
                valid = false;
            }
        }
    }
    const bool has_period = entry.value["period"].IsDefined();
    const bool has_cron = entry.value["cron"].IsDefined();
    if (has_period == has_cron) {
        add_error(entry.key_node, path,
                  has_period ? "expected one of `period` and `cron`; found both (remove one)"
                             : "expected a schedule; found neither `period` (such as 6h) nor `cron` (such as \"0 2 * "
                               "* *\" with `timezone`)");
        valid = false;
    }
    if (timezone_node && has_period && !has_cron) {
        add_error(*timezone_node, child_path(path, "timezone"),
                  "expected `timezone` only with `cron`; a period does not depend on the time zone (remove it)");
        valid = false;
    }
    if (min_node && check.min_run_time && check.max_run_time && *check.min_run_time >= *check.max_run_time) {
        add_error(*min_node, child_path(path, "min_run_time"),
                  fmt::format("expected a min_run_time shorter than max_run_time ({}); found {}",
                              util::format_duration(*check.max_run_time), util::format_duration(*check.min_run_time)));
        valid = false;
    }
    if (!valid) return std::nullopt;
    return check;
}

}  // namespace

void read_watch_section(YamlReader& reader, const MapEntry& entry, WatchConfig& watch) {
    WatchReader(reader, watch).read_watch(entry);
}

}  // namespace greenlight::config::detail
