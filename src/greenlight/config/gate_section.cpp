// `gate` of greenlight.yml: risk rules (paths, keywords, patterns), docs paths, the gates each risk tier
// requires, gate definitions and coverage thresholds, starting from the runbook defaults.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

// Gate names appear in labels and check names, so they are kept to a conservative alphabet.
bool is_valid_gate_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

constexpr std::string_view k_gate_name_rule = "letters, digits, '-' or '_'";

const std::vector<std::string>& risk_tier_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (RiskTier tier :
             {RiskTier::r0_docs, RiskTier::r1_low, RiskTier::r2_medium, RiskTier::r3_high, RiskTier::r4_critical}) {
            all.emplace_back(to_string(tier));
        }
        return all;
    }();
    return names;
}

class GateReader : public YamlReader {
public:
    GateReader(const YamlReader& reader, GateConfig& gate) : YamlReader(reader), m_gate(gate) {}

    void read_gate(const MapEntry& entry);

private:
    std::optional<RiskTier> read_risk_tier(const YAML::Node& node, const std::string& path);
    std::optional<std::string> read_gate_reference(const YAML::Node& node, const std::string& path);
    void read_gate_definitions(const YAML::Node& node, const std::string& path);
    void read_gate_tiers(const YAML::Node& node, const std::string& path);
    void read_gate_rules(const YAML::Node& node, const std::string& path);
    void read_gate_rule(const YAML::Node& node, const std::string& path, std::map<std::string, int>& rule_lines);
    void read_gate_patterns(const YAML::Node& node, const std::string& path, RiskRule& rule);
    void read_gate_rule_size(const YAML::Node& node, const std::string& path, RiskRule& rule);
    void read_gate_coverage(const YAML::Node& node, const std::string& path);

    GateConfig& m_gate;
    // Gates a tier or rule may name: the defaults plus every key under `gate.gates`, even one whose
    // definition had errors. Without a readable `gate.gates`, references are not checked.
    std::vector<std::string> m_gate_names;
    bool m_gate_names_readable = true;
    std::vector<std::string> m_default_rule_names;  // names a file's rule may not take (they stay)
};

std::optional<RiskTier> GateReader::read_risk_tier(const YAML::Node& node, const std::string& path) {
    if (is_string(node)) {
        if (auto tier = parse_risk_tier(node.Scalar())) return tier;
    }
    std::string message = fmt::format("expected a risk tier, {} (or R0 to R4); found {}",
                                      word_list(risk_tier_names(), "or"), describe(node));
    if (node.IsScalar()) {
        if (auto suggestion = util::did_you_mean(node.Scalar(), risk_tier_names())) {
            message += fmt::format("; did you mean '{}'?", *suggestion);
        }
    }
    add_error(node, path, std::move(message));
    return std::nullopt;
}

std::optional<std::string> GateReader::read_gate_reference(const YAML::Node& node, const std::string& path) {
    if (!is_string(node) || !is_valid_gate_name(node.Scalar())) {
        add_error(node, path, fmt::format("expected a gate name ({}); found {}", k_gate_name_rule, describe(node)));
        return std::nullopt;
    }
    const std::string& name = node.Scalar();
    if (!m_gate_names_readable || std::find(m_gate_names.begin(), m_gate_names.end(), name) != m_gate_names.end()) {
        return name;
    }
    // A misspelled gate would be required forever and never reported, so it is refused here.
    std::string message = fmt::format("unknown gate '{}'", util::printable(name));
    if (auto suggestion = util::did_you_mean(name, m_gate_names)) {
        message += fmt::format("; did you mean '{}'?", *suggestion);
    } else {
        message += fmt::format("; declare it under `gate.gates` (`{}: {{}}` is a blocking gate) or use one of {}",
                               util::printable(name), word_list(m_gate_names, "or"));
    }
    add_error(node, path, std::move(message));
    return std::nullopt;
}

void GateReader::read_gate(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, "gate",
                  fmt::format("expected a mapping with any of rules, docs_paths, tiers, gates, coverage and "
                              "required_checks; found {}",
                              describe(entry.value)));
        return;
    }
    m_gate = default_gate_config();
    m_gate.from_file = true;
    for (const auto& [name, definition] : m_gate.gates) m_gate_names.push_back(name);
    std::map<std::string, MapEntry> found;
    for (auto& item : entries(entry.value, "gate", Section::gate)) {
        std::string key = item.key;
        found.emplace(std::move(key), std::move(item));
    }
    // Gates first, wherever they are in the file: tiers and rules refer to them; whether rules replace the
    // defaults before the rules.
    for (const char* key :
         {"gates", "replace_default_rules", "tiers", "rules", "docs_paths", "coverage", "required_checks"}) {
        auto item = found.find(key);
        if (item == found.end()) continue;
        std::string path = child_path("gate", key);
        const YAML::Node& value = item->second.value;
        if (item->first == "gates") {
            read_gate_definitions(value, path);
        } else if (item->first == "tiers") {
            read_gate_tiers(value, path);
        } else if (item->first == "replace_default_rules") {
            if (auto replace = read_boolean(value, path)) m_gate.replace_default_rules = *replace;
        } else if (item->first == "rules") {
            read_gate_rules(value, path);
        } else if (item->first == "docs_paths") {
            // An empty list is a choice: no change counts as docs-only.
            if (auto globs = read_string_list(value, path, "a path glob such as docs/**", "path globs such as docs/**",
                                              EmptyList::allowed)) {
                m_gate.docs_paths = std::move(*globs);
            }
        } else if (item->first == "coverage") {
            read_gate_coverage(value, path);
        } else if (item->first == "required_checks") {
            if (auto names = read_string_list(value, path, "a check name", "check names", EmptyList::refused)) {
                m_gate.required_checks = std::move(*names);
            }
        }
    }
}

void GateReader::read_gate_definitions(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        m_gate_names_readable = false;
        add_error(node, path,
                  fmt::format("expected a mapping of gate names to {{ mode, checks }}; found {}", describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        std::string gate_path = child_path(path, item.key);
        if (!is_valid_gate_name(item.key)) {
            add_error(
                item.key_node, gate_path,
                fmt::format("expected a gate name of {}; found '{}'", k_gate_name_rule, util::printable(item.key)));
            continue;
        }
        // Known even when its definition has errors, so that tiers naming it get no second error.
        if (std::find(m_gate_names.begin(), m_gate_names.end(), item.key) == m_gate_names.end()) {
            m_gate_names.push_back(item.key);
        }
        // A default gate keeps what the file does not override; a new one starts blocking.
        GateDefinition definition = m_gate.gates[item.key];
        if (!item.value.IsNull()) {
            if (!item.value.IsMap()) {
                add_error(item.value, gate_path,
                          fmt::format("expected a mapping with mode and checks, or nothing for a blocking gate "
                                      "reported under its own name; found {}",
                                      describe(item.value)));
                continue;
            }
            for (const auto& field : entries(item.value, gate_path, Section::gate_definition)) {
                std::string field_path = child_path(gate_path, field.key);
                if (field.key == "mode") {
                    if (auto mode = read_choice(field.value, field_path, gate_mode_names())) {
                        definition.mode = *mode == "advisory" ? GateMode::advisory : GateMode::blocking;
                    }
                } else if (field.key == "checks") {
                    if (auto checks = read_string_list(field.value, field_path, "a CI check or status name",
                                                       "CI check or status names", EmptyList::refused)) {
                        definition.checks = std::move(*checks);
                    }
                }
            }
        }
        m_gate.gates[item.key] = std::move(definition);
    }
}

void GateReader::read_gate_tiers(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a mapping of risk tiers to the gates each adds to the tier below; found {}",
                              describe(node)));
        return;
    }
    // `R2` and `R2-medium` are different keys to YAML but the same tier.
    std::map<RiskTier, int> first_line;
    for (const auto& item : entries(node, path, std::nullopt)) {
        std::string tier_path = child_path(path, item.key);
        // A plain value and a flag rather than an optional: GCC 12 at -O3 misreads the optional as uninitialised.
        const std::optional<RiskTier> parsed = read_risk_tier(item.key_node, tier_path);
        bool usable = parsed.has_value();
        const RiskTier tier = parsed.value_or(RiskTier::r0_docs);
        if (usable) {
            auto [seen, inserted] = first_line.emplace(tier, position_of(item.key_node).line);
            if (!inserted) {
                add_error(item.key_node, tier_path,
                          fmt::format("duplicate tier; {} is already set at line {}", to_string(tier), seen->second));
                usable = false;
            }
        }
        std::vector<std::string> gates;
        // `R0-docs:` with nothing after it reads as a tier adding no gate, like `R0-docs: []`.
        if (!item.value.IsNull()) {
            if (!item.value.IsSequence()) {
                add_error(item.value, tier_path,
                          fmt::format("expected a list of gate names; found {}", describe(item.value)));
                continue;
            }
            size_t index = 0;
            for (const auto& gate_node : item.value) {
                auto name = read_gate_reference(gate_node, item_path(tier_path, index++));
                if (name && std::find(gates.begin(), gates.end(), *name) == gates.end()) gates.push_back(*name);
            }
        }
        if (usable) m_gate.tier_gates[tier] = std::move(gates);
    }
}

void GateReader::read_gate_rules(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence() || node.size() == 0) {
        // No rules at all would make every change R0-docs: a gate that silently requires nothing.
        add_error(node, path,
                  fmt::format("expected a list of at least one rule ({{name, tier, paths, keywords, patterns, ...}}); "
                              "found {} (leave `rules` out to keep the default rules)",
                              node.IsSequence() ? "an empty list" : describe(node)));
        return;
    }
    // The default rules hold the critical zones (auth, secrets, persistence, outbound requests): a file's
    // rules add to them, so a list written for one concern does not silently drop the others, unless the file
    // says in so many words that it replaces them.
    m_default_rule_names.clear();
    if (m_gate.replace_default_rules) {
        m_gate.rules.clear();
    } else {
        for (const auto& rule : m_gate.rules) m_default_rule_names.push_back(rule.name);
    }
    std::map<std::string, int> rule_lines;
    size_t index = 0;
    for (const auto& rule : node) read_gate_rule(rule, item_path(path, index++), rule_lines);
}

void GateReader::read_gate_rule(const YAML::Node& node, const std::string& path,
                                std::map<std::string, int>& rule_lines) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a rule: a mapping with name, tier and any of paths, keywords, patterns, "
                              "requires and requires_from; found {}",
                              describe(node)));
        return;
    }
    RiskRule rule;
    rule.line = position_of(node).line;
    // Rules from the file add their gates whatever the tier, unless they say otherwise.
    rule.requires_from = RiskTier::r0_docs;
    bool has_name = false;
    bool has_tier = false;
    for (const auto& item : entries(node, path, Section::gate_rule)) {
        std::string item_key_path = child_path(path, item.key);
        if (item.key == "name") {
            has_name = true;
            auto name = read_name(item.value, item_key_path, "a rule name");
            if (!name) continue;
            if (std::find(m_default_rule_names.begin(), m_default_rule_names.end(), *name) !=
                m_default_rule_names.end()) {
                add_error(item.value, item_key_path,
                          fmt::format("'{}' is the name of a default rule, which stays; give this rule another "
                                      "name, or set `gate.replace_default_rules: true` to replace every default "
                                      "rule",
                                      util::printable(*name)));
                continue;
            }
            auto [seen, inserted] = rule_lines.emplace(*name, position_of(item.value).line);
            if (!inserted) {
                add_error(item.value, item_key_path,
                          fmt::format("duplicate rule name '{}'; already used at line {}", util::printable(*name),
                                      seen->second));
                continue;
            }
            rule.name = *name;
        } else if (item.key == "paths") {
            if (auto globs = read_string_list(item.value, item_key_path, "a path glob such as backend/**",
                                              "path globs such as backend/**", EmptyList::refused)) {
                rule.paths = std::move(*globs);
            }
        } else if (item.key == "keywords") {
            if (auto keywords =
                    read_string_list(item.value, item_key_path, "a keyword", "keywords", EmptyList::refused)) {
                rule.keywords = std::move(*keywords);
            }
        } else if (item.key == "patterns") {
            read_gate_patterns(item.value, item_key_path, rule);
        } else if (item.key == "tier") {
            has_tier = true;
            if (auto tier = read_risk_tier(item.value, item_key_path)) rule.tier = *tier;
        } else if (item.key == "requires") {
            if (!item.value.IsSequence() || item.value.size() == 0) {
                add_error(item.value, item_key_path,
                          fmt::format("expected a list of at least one gate name; found {}",
                                      item.value.IsSequence() ? "an empty list (leave the key out instead)"
                                                              : describe(item.value)));
                continue;
            }
            size_t index = 0;
            for (const auto& gate_node : item.value) {
                auto name = read_gate_reference(gate_node, item_path(item_key_path, index++));
                if (name && std::find(rule.requires_gates.begin(), rule.requires_gates.end(), *name) ==
                                rule.requires_gates.end()) {
                    rule.requires_gates.push_back(*name);
                }
            }
        } else if (item.key == "requires_from") {
            if (auto tier = read_risk_tier(item.value, item_key_path)) rule.requires_from = *tier;
        } else if (item.key == "size") {
            read_gate_rule_size(item.value, item_key_path, rule);
        }
    }
    if ((rule.size_lines > 0 || rule.size_files > 0) && (!rule.keywords.empty() || !rule.patterns.empty())) {
        add_error(node, path,
                  "a size rule matches the change as a whole, so it takes `paths` but not `keywords` or "
                  "`patterns`; make those a rule of their own");
    }
    if (!has_name) {
        add_error(node, child_path(path, "name"),
                  fmt::format("missing key; expected the rule's name ({})", k_name_rule));
    }
    if (!has_tier) {
        add_error(node, child_path(path, "tier"),
                  fmt::format("missing key; expected the lowest tier a matching change gets, {}",
                              word_list(risk_tier_names(), "or")));
    }
    m_gate.rules.push_back(std::move(rule));
}

void GateReader::read_gate_rule_size(const YAML::Node& node, const std::string& path, RiskRule& rule) {
    static const std::vector<std::string> keys = {"lines", "files"};
    if (!node.IsMap() || node.size() == 0) {
        add_error(node, path,
                  fmt::format("expected a mapping with lines and/or files (the change matches when it changes at "
                              "least that many); found {}",
                              describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        std::string item_key_path = child_path(path, item.key);
        if (std::find(keys.begin(), keys.end(), item.key) == keys.end()) {
            std::string message = fmt::format("unknown key '{}'; expected lines or files", util::printable(item.key));
            if (auto suggestion = util::did_you_mean(item.key, keys)) {
                message += fmt::format("; did you mean '{}'?", *suggestion);
            }
            add_error(item.key_node, item_key_path, std::move(message));
            continue;
        }
        auto count = read_whole_number(item.value, item_key_path, 1, 1'000'000'000);
        if (!count) continue;
        (item.key == "lines" ? rule.size_lines : rule.size_files) = *count;
    }
}

void GateReader::read_gate_patterns(const YAML::Node& node, const std::string& path, RiskRule& rule) {
    if (auto patterns = read_patterns(node, path)) rule.patterns = std::move(*patterns);
}

void GateReader::read_gate_coverage(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a mapping with any of patch_minimum, patch_threshold and project_max_drop; "
                              "found {}",
                              describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, Section::gate_coverage)) {
        std::string item_key_path = child_path(path, item.key);
        auto value = read_whole_number(item.value, item_key_path, 0, 100);
        if (!value) continue;
        if (item.key == "patch_minimum") {
            m_gate.patch_coverage_minimum = *value;
        } else if (item.key == "patch_threshold") {
            m_gate.patch_coverage_threshold = *value;
        } else if (item.key == "project_max_drop") {
            m_gate.project_coverage_max_drop = *value;
        }
    }
}

}  // namespace

void read_gate_section(YamlReader& reader, const MapEntry& entry, GateConfig& gate) {
    GateReader(reader, gate).read_gate(entry);
}

}  // namespace greenlight::config::detail
