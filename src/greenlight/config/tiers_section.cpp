// `tiers` of greenlight.yml: each tier's suites and label:NAME entries, checked against what `suites` names.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

class TiersReader : public YamlReader {
public:
    TiersReader(const YamlReader& reader, const KnownSuites& known, Config& config)
        : YamlReader(reader), m_known(known), m_config(config) {}

    void read_tiers(const MapEntry& entry);
    TiersState state() const { return m_tiers_state; }

private:
    void read_tier_entry(const YAML::Node& node, const std::string& path);

    const KnownSuites& m_known;
    Config& m_config;
    TiersState m_tiers_state = TiersState::absent;
};

void TiersReader::read_tiers(const MapEntry& entry) {
    m_tiers_state = TiersState::unreadable;
    if (!entry.value.IsMap()) {
        add_error(entry.value, "tiers",
                  fmt::format("expected a mapping of tier names to lists of suites; found {}", describe(entry.value)));
        return;
    }
    m_tiers_state = TiersState::readable;
    for (const auto& item : entries(entry.value, "tiers", std::nullopt)) {
        std::string path = child_path("tiers", item.key);
        if (!is_valid_name(item.key)) {
            add_error(item.key_node, path,
                      fmt::format("expected a tier name of {}; found '{}'", k_name_rule, util::printable(item.key)));
            continue;
        }
        m_config.tier_order.push_back(item.key);
        auto& tier_entries = m_config.tiers[item.key];
        // `smoke:` with nothing after it reads as an empty tier, like `smoke: []`.
        if (item.value.IsNull()) continue;
        if (!item.value.IsSequence()) {
            add_error(
                item.value, path,
                fmt::format("expected a list of suite names and label:NAME entries; found {}", describe(item.value)));
            continue;
        }
        size_t index = 0;
        for (const auto& tier_entry : item.value) {
            std::string entry_path = item_path(path, index++);
            if (!is_string(tier_entry) || tier_entry.Scalar().empty()) {
                add_error(tier_entry, entry_path,
                          fmt::format("expected a suite name or label:NAME; found {}", describe(tier_entry)));
                continue;
            }
            read_tier_entry(tier_entry, entry_path);
            tier_entries.push_back(TierEntry{tier_entry.Scalar(), position_of(tier_entry).line});
        }
    }
}

void TiersReader::read_tier_entry(const YAML::Node& node, const std::string& path) {
    // Without a readable `suites` section every reference would look wrong; that error is enough.
    if (!m_known.readable) return;
    const std::string& text = node.Scalar();
    constexpr std::string_view k_label_prefix = "label:";
    if (text.rfind(k_label_prefix, 0) == 0) {
        std::string label = text.substr(k_label_prefix.size());
        if (std::find(m_known.labels.begin(), m_known.labels.end(), label) != m_known.labels.end()) return;
        std::string message = fmt::format("no suite carries label '{}'", util::printable(label));
        if (auto suggestion = util::did_you_mean(label, m_known.labels)) {
            message += fmt::format("; did you mean 'label:{}'?", *suggestion);
        } else if (m_known.labels.empty()) {
            message += "; no suite has `labels`";
        } else {
            message += fmt::format("; labels in use: {}", word_list(m_known.labels, "and"));
        }
        add_error(node, path, std::move(message));
        return;
    }
    if (std::find(m_known.names.begin(), m_known.names.end(), text) != m_known.names.end()) return;
    std::string message = fmt::format("unknown suite '{}'", util::printable(text));
    if (auto suggestion = util::did_you_mean(text, m_known.names)) {
        message += fmt::format("; did you mean '{}'?", *suggestion);
    } else {
        message += fmt::format("; expected a suite name ({}) or label:NAME", word_list(m_known.names, "or"));
    }
    add_error(node, path, std::move(message));
}

}  // namespace

TiersState read_tiers_section(YamlReader& reader, const MapEntry& entry, const KnownSuites& suites, Config& config) {
    TiersReader tiers_reader(reader, suites, config);
    tiers_reader.read_tiers(entry);
    return tiers_reader.state();
}

}  // namespace greenlight::config::detail
