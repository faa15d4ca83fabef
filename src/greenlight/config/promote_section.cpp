// `promote` of greenlight.yml: the environments a commit is promoted through (in file order), how old their
// evidence may be, which evidence counts, the proof classification and the gates each promotion needs.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

class PromoteReader : public YamlReader {
public:
    PromoteReader(const YamlReader& reader, const GateConfig& gate, PromoteConfig& promote)
        : YamlReader(reader), m_gate(gate), m_promote(promote) {}

    void read_promote(const MapEntry& entry);

private:
    void read_environments(const YAML::Node& node, const std::string& path);
    void read_environment(const MapEntry& item, const std::string& path);
    void read_evidence(const YAML::Node& node, const std::string& path, PromoteEnvironment& environment);
    void read_gates(const YAML::Node& node, const std::string& path, PromoteEnvironment& environment);

    const GateConfig& m_gate;
    PromoteConfig& m_promote;
};

void PromoteReader::read_promote(const MapEntry& entry) {
    m_promote.present = true;
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, "promote",
                  fmt::format("expected a mapping with {}; found {}", word_list(allowed_keys(Section::promote), "and"),
                              describe(entry.value)));
        return;
    }
    bool has_environments = false;
    for (const auto& item : entries(entry.value, "promote", Section::promote)) {
        const std::string path = child_path("promote", item.key);
        if (item.key == "max_age") {
            if (auto age = read_positive_duration(item.value, path)) m_promote.max_age = *age;
        } else if (item.key == "environments") {
            has_environments = true;
            read_environments(item.value, path);
        }
    }
    if (!has_environments) {
        add_error(entry.key_node, "promote.environments",
                  "required: the environments a commit is promoted through, in order, such as "
                  "{staging: {tier: merge-medium}, production: {tier: nightly}}");
    }
}

void PromoteReader::read_environments(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap() || node.size() == 0) {
        add_error(node, path,
                  fmt::format("expected a mapping of environment names to environments, in promotion order, such as "
                              "{{staging: {{tier: merge-medium}}}}; found {}",
                              node.IsMap() ? "an empty mapping" : describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        const std::string environment_path = child_path(path, item.key);
        if (!is_valid_name(item.key)) {
            add_error(
                item.key_node, environment_path,
                fmt::format("expected an environment name of {}; found '{}'", k_name_rule, util::printable(item.key)));
            continue;
        }
        read_environment(item, environment_path);
    }
}

void PromoteReader::read_environment(const MapEntry& item, const std::string& path) {
    PromoteEnvironment environment;
    environment.name = item.key;
    environment.line = position_of(item.key_node).line;
    if (!item.value.IsMap()) {
        add_error(item.value.IsDefined() && !item.value.IsNull() ? item.value : item.key_node, path,
                  fmt::format("expected a mapping with tier and any of {}; found {}",
                              word_list(allowed_keys(Section::promote_environment), "and"), describe(item.value)));
        m_promote.environments.push_back(std::move(environment));
        return;
    }
    bool has_tier = false;
    for (const auto& entry : entries(item.value, path, Section::promote_environment)) {
        const std::string entry_path = child_path(path, entry.key);
        if (entry.key == "tier") {
            has_tier = true;
            if (auto tier = read_name(entry.value, entry_path, "the tier whose runs are this environment's evidence"))
                environment.tier = *tier;
        } else if (entry.key == "needs") {
            auto needs = read_name(entry.value, entry_path, "the name of an environment listed before this one");
            if (!needs) continue;
            if (!m_promote.find(*needs)) {
                std::vector<std::string> before;
                for (const auto& earlier : m_promote.environments) before.push_back(earlier.name);
                std::string message = fmt::format("expected an environment listed before '{}'; found '{}'",
                                                  environment.name, util::printable(*needs));
                if (*needs == environment.name) {
                    message = fmt::format("an environment cannot need its own evidence; found '{}'", *needs);
                } else if (auto suggestion = util::did_you_mean(*needs, before)) {
                    message += fmt::format("; did you mean '{}'?", *suggestion);
                } else if (!before.empty()) {
                    message += fmt::format(" (listed before it: {})", word_list(before, "and"));
                }
                add_error(entry.value, entry_path, message);
                continue;
            }
            environment.needs = *needs;
        } else if (entry.key == "max_age") {
            if (auto age = read_positive_duration(entry.value, entry_path)) environment.max_age = *age;
        } else if (entry.key == "evidence") {
            read_evidence(entry.value, entry_path, environment);
        } else if (entry.key == "proof") {
            if (auto level = read_choice(entry.value, entry_path, promote_proof_level_names())) {
                environment.proof =
                    *level == "PASS_STRONG" ? PromoteProofLevel::pass_strong : PromoteProofLevel::pass_weak;
            }
        } else if (entry.key == "gates") {
            read_gates(entry.value, entry_path, environment);
        }
    }
    if (!has_tier) {
        add_error(item.key_node, child_path(path, "tier"),
                  "required: the tier whose runs are this environment's evidence, such as merge-medium");
    }
    m_promote.environments.push_back(std::move(environment));
}

void PromoteReader::read_evidence(const YAML::Node& node, const std::string& path, PromoteEnvironment& environment) {
    auto kinds = read_string_list(node, path, "run or bundle", "kinds of evidence", EmptyList::refused);
    if (!kinds) return;
    environment.evidence.clear();
    const auto& names = promote_evidence_names();
    for (std::size_t index = 0; index < kinds->size(); ++index) {
        const std::string& kind = (*kinds)[index];
        if (std::find(names.begin(), names.end(), kind) == names.end()) {
            std::string message = fmt::format("expected {}; found '{}'", word_list(names, "or"), util::printable(kind));
            if (auto suggestion = util::did_you_mean(kind, names))
                message += fmt::format("; did you mean '{}'?", *suggestion);
            add_error(node[index], item_path(path, index), message);
            continue;
        }
        auto parsed = kind == "run" ? PromoteEvidenceKind::run : PromoteEvidenceKind::bundle;
        if (std::find(environment.evidence.begin(), environment.evidence.end(), parsed) == environment.evidence.end())
            environment.evidence.push_back(parsed);
    }
}

void PromoteReader::read_gates(const YAML::Node& node, const std::string& path, PromoteEnvironment& environment) {
    auto gates = read_string_list(node, path, "a gate name such as rollback-plan", "gate names", EmptyList::allowed);
    if (!gates) return;
    std::vector<std::string> known;
    for (const auto& [name, definition] : m_gate.gates) known.push_back(name);
    for (std::size_t index = 0; index < gates->size(); ++index) {
        const std::string& gate = (*gates)[index];
        if (!m_gate.gates.count(gate)) {
            std::string message = fmt::format("unknown gate '{}': a default gate or one declared under gate.gates",
                                              util::printable(gate));
            if (auto suggestion = util::did_you_mean(gate, known))
                message += fmt::format("; did you mean '{}'?", *suggestion);
            add_error(node[index], item_path(path, index), message);
            continue;
        }
        environment.gates.push_back(gate);
    }
}

}  // namespace

void read_promote_section(YamlReader& reader, const MapEntry& entry, const GateConfig& gate, PromoteConfig& promote) {
    PromoteReader(reader, gate, promote).read_promote(entry);
}

}  // namespace greenlight::config::detail
