// `policy` of greenlight.yml: whether a flaky suite passes (per tier) and what a missing requirement means.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

class PolicyReader : public YamlReader {
public:
    PolicyReader(const YamlReader& reader, TiersState tiers_state, Config& config)
        : YamlReader(reader), m_tiers_state(tiers_state), m_config(config) {}

    void read_policy(const MapEntry& entry);

private:
    void read_flaky(const YAML::Node& node, const std::string& path);

    TiersState m_tiers_state;
    Config& m_config;
};

void PolicyReader::read_policy(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(
            entry.value, "policy",
            fmt::format("expected a mapping with flaky and missing_requirement; found {}", describe(entry.value)));
        return;
    }
    for (const auto& item : entries(entry.value, "policy", Section::policy)) {
        std::string path = child_path("policy", item.key);
        if (item.key == "flaky") {
            read_flaky(item.value, path);
        } else if (item.key == "missing_requirement") {
            if (auto choice = read_choice(item.value, path, missing_requirement_policy_names())) {
                m_config.policy.missing_requirement =
                    *choice == "skip" ? MissingRequirementPolicy::skip : MissingRequirementPolicy::fail;
            }
        }
    }
}

void PolicyReader::read_flaky(const YAML::Node& node, const std::string& path) {
    auto to_policy = [](const std::string& name) { return name == "pass" ? FlakyPolicy::pass : FlakyPolicy::fail; };
    if (node.IsScalar()) {
        if (auto choice = read_choice(node, path, flaky_policy_names()))
            m_config.policy.flaky_default = to_policy(*choice);
        return;
    }
    if (!node.IsMap()) {
        add_error(
            node, path,
            fmt::format("expected pass, fail or a mapping of tier names to pass or fail; found {}", describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        std::string tier_path = child_path(path, item.key);
        auto choice = read_choice(item.value, tier_path, flaky_policy_names());
        if (m_tiers_state == TiersState::absent) {
            add_error(item.key_node, tier_path, "unknown tier; `tiers` defines none");
            continue;
        }
        if (m_tiers_state == TiersState::readable && m_config.tiers.find(item.key) == m_config.tiers.end()) {
            std::string message = "unknown tier";
            if (auto suggestion = util::did_you_mean(item.key, m_config.tier_order)) {
                message += fmt::format("; did you mean '{}'?", *suggestion);
            } else if (m_config.tier_order.empty()) {
                message += "; `tiers` defines none";
            } else {
                message += fmt::format("; expected one of {}", word_list(m_config.tier_order, "or"));
            }
            add_error(item.key_node, tier_path, std::move(message));
            continue;
        }
        if (choice) m_config.policy.flaky[item.key] = to_policy(*choice);
    }
}

}  // namespace

void read_policy_section(YamlReader& reader, const MapEntry& entry, TiersState tiers_state, Config& config) {
    PolicyReader(reader, tiers_state, config).read_policy(entry);
}

}  // namespace greenlight::config::detail
