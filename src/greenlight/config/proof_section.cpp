// `proof` of greenlight.yml: which fields are ids and how they are fingerprinted, the URL paths to redact,
// forbidden markers, and the strong and weak criteria a proof file is judged by.
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

// A YAML value as JSON: plain scalars become null, booleans and numbers where they read as such; quoted
// scalars stay strings (`equals: "200"` compares with the string "200").
nlohmann::json yaml_to_json(const YAML::Node& node) {
    if (node.IsSequence()) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : node) array.push_back(yaml_to_json(item));
        return array;
    }
    if (node.IsMap()) {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& pair : node) object[pair.first.Scalar()] = yaml_to_json(pair.second);
        return object;
    }
    ScalarType type = node.IsScalar() ? scalar_type(node) : ScalarType::null;
    if (type == ScalarType::null) return nullptr;
    const std::string& text = node.Scalar();
    if (type == ScalarType::string) return text;
    if (type == ScalarType::boolean) return text == "true" || text == "True" || text == "TRUE";
    std::int64_t whole = 0;
    if (auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), whole);
        error == std::errc() && end == text.data() + text.size()) {
        return whole;
    }
    double number = 0;
    if (YAML::convert<double>::decode(node, number)) return number;
    return text;
}

class ProofReader : public YamlReader {
public:
    ProofReader(const YamlReader& reader, ProofConfig& proof) : YamlReader(reader), m_proof(proof) {}

    void read_proof(const MapEntry& entry);

private:
    void read_proof_criteria(const YAML::Node& node, const std::string& path, std::vector<ProofCriterion>& criteria);

    ProofConfig& m_proof;
};

void ProofReader::read_proof(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, "proof",
                  fmt::format("expected a mapping with any of {}; found {}",
                              word_list(allowed_keys(Section::proof), "and"), describe(entry.value)));
        return;
    }
    ProofConfig& proof = m_proof;
    proof.from_file = true;
    for (const auto& item : entries(entry.value, "proof", Section::proof)) {
        const std::string path = child_path("proof", item.key);
        const YAML::Node& value = item.value;
        if (item.key == "ids") {
            if (auto ids = read_string_list(value, path, "a JSON Pointer such as /tickets/*/id, or a member name",
                                            "JSON Pointers or member names", EmptyList::refused)) {
                proof.id_fields = std::move(*ids);
            }
        } else if (item.key == "fingerprint") {
            if (auto kind = read_choice(value, path, proof_fingerprint_names())) {
                proof.fingerprint =
                    *kind == "sha256" ? ProofConfig::Fingerprint::sha256 : ProofConfig::Fingerprint::hmac_sha256;
            }
        } else if (item.key == "fingerprint_length") {
            // Below 8 hex characters collisions within one file become likely; 64 is the whole digest.
            if (auto length = read_whole_number(value, path, 8, 64))
                proof.fingerprint_length = static_cast<int>(*length);
        } else if (item.key == "key_env") {
            if (auto name = read_string(value, path, "an environment variable name")) proof.key_env = *name;
        } else if (item.key == "redact_paths") {
            if (auto templates = read_string_list(value, path, "a URL path template such as /v1/tickets/{id}/add-tags",
                                                  "URL path templates", EmptyList::refused)) {
                for (size_t index = 0; index < templates->size(); ++index) {
                    const std::string& text = (*templates)[index];
                    if (text.front() != '/' || text.find('{') == std::string::npos) {
                        add_error(value[index], item_path(path, index),
                                  fmt::format("expected a path starting with '/' with at least one {{name}} segment "
                                              "to redact; found '{}'",
                                              util::printable(text)));
                    }
                }
                proof.redact_paths = std::move(*templates);
            }
        } else if (item.key == "forbidden") {
            if (auto markers = read_string_list(value, path, "a marker such as @", "markers", EmptyList::allowed)) {
                proof.forbidden = std::move(*markers);
            }
        } else if (item.key == "personal_data") {
            if (auto choice = read_boolean(value, path)) proof.scan_personal_data = *choice;
        } else if (item.key == "strong") {
            read_proof_criteria(value, path, proof.strong);
        } else if (item.key == "weak") {
            read_proof_criteria(value, path, proof.weak);
        } else if (item.key == "classification_field") {
            if (auto name = read_string(value, path, "a top-level member name")) proof.classification_field = *name;
        }
    }
}

void ProofReader::read_proof_criteria(const YAML::Node& node, const std::string& path,
                                      std::vector<ProofCriterion>& criteria) {
    if (!node.IsSequence() || node.size() == 0) {
        add_error(node, path,
                  fmt::format("expected a non-empty list of criteria such as {{path: /status, equals: ok}}; found {}",
                              node.IsSequence() ? "an empty list" : describe(node)));
        return;
    }
    const std::vector<std::string>& conditions = proof_condition_names();
    for (size_t index = 0; index < node.size(); ++index) {
        const YAML::Node& item = node[index];
        const std::string criterion_path = item_path(path, index);
        if (!item.IsMap()) {
            add_error(
                item, criterion_path,
                fmt::format("expected a mapping such as {{path: /status, equals: ok}}; found {}", describe(item)));
            continue;
        }
        ProofCriterion criterion;
        criterion.line = position_of(item).line;
        int condition_count = 0;
        bool valid = true;
        for (const auto& entry : entries(item, criterion_path, Section::proof_criterion)) {
            const std::string entry_path = child_path(criterion_path, entry.key);
            if (entry.key == "name") {
                if (auto name = read_string(entry.value, entry_path, "a name for the criterion"))
                    criterion.name = *name;
                continue;
            }
            if (entry.key == "path") {
                auto pointer = read_string(entry.value, entry_path, "a JSON Pointer such as /result/status");
                if (pointer && pointer->front() != '/') {
                    add_error(entry.value, entry_path,
                              fmt::format("expected a JSON Pointer starting with '/'; found '{}'",
                                          util::printable(*pointer)));
                    valid = false;
                } else if (pointer) {
                    criterion.path = *pointer;
                }
                continue;
            }
            ++condition_count;
            criterion.condition = static_cast<ProofCriterion::Condition>(
                std::find(conditions.begin(), conditions.end(), entry.key) - conditions.begin());
            const YAML::Node& value = entry.value;
            if (criterion.condition == ProofCriterion::Condition::exists) {
                if (!value.IsScalar() || scalar_type(value) != ScalarType::boolean || value.Scalar() != "true") {
                    add_error(value, entry_path, fmt::format("expected `exists: true`; found {}", describe(value)));
                    valid = false;
                }
            } else if (criterion.condition == ProofCriterion::Condition::at_least ||
                       criterion.condition == ProofCriterion::Condition::at_most) {
                double number = 0;
                if (!value.IsScalar() ||
                    (scalar_type(value) != ScalarType::integer && scalar_type(value) != ScalarType::number) ||
                    !YAML::convert<double>::decode(value, number)) {
                    add_error(value, entry_path, fmt::format("expected a number; found {}", describe(value)));
                    valid = false;
                } else {
                    criterion.value_json = nlohmann::json(number).dump();
                }
            } else if (criterion.condition == ProofCriterion::Condition::matches) {
                RE2::Options options;
                options.set_log_errors(false);
                if (!is_string(value) || !RE2(value.Scalar(), options).ok()) {
                    add_error(value, entry_path,
                              fmt::format("expected a regular expression (RE2 syntax); found {}", describe(value)));
                    valid = false;
                } else {
                    criterion.value_json = value.Scalar();
                }
            } else {
                criterion.value_json = yaml_to_json(value).dump();
            }
        }
        if (criterion.path.empty() && valid) {
            add_error(item, child_path(criterion_path, "path"), "missing key; expected a JSON Pointer such as /status");
            valid = false;
        }
        if (condition_count != 1) {
            add_error(item, criterion_path,
                      fmt::format("expected exactly one condition ({}); found {}", word_list(conditions, "or"),
                                  condition_count));
            valid = false;
        }
        if (criterion.name.empty()) criterion.name = criterion.path;
        if (valid) criteria.push_back(std::move(criterion));
    }
}

}  // namespace

void read_proof_section(YamlReader& reader, const MapEntry& entry, ProofConfig& proof) {
    ProofReader(reader, proof).read_proof(entry);
}

}  // namespace greenlight::config::detail
