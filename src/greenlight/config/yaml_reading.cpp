// Reading YAML the way every section of greenlight.yml is read: the scalar types of the YAML 1.2 core
// schema, how a value looks in a message, and YamlReader's checks of mappings, scalars and lists.
#include "greenlight/config/yaml_reading.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "greenlight/util/duration.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

// Where a key that is unknown in `current` would be at home, for the common mistake of a key
// indented one level too deep or too shallow.
std::optional<std::string_view> section_of_misplaced_key(const std::string& key, Section current) {
    for (Section section : all_sections()) {
        if (section == current) continue;
        const auto& keys = allowed_keys(section);
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
        switch (section) {
            case Section::top:
                return "it belongs at the top level";
            case Section::defaults:
                return "it belongs under `defaults` or in a suite";
            case Section::suite:
                return "it belongs in a suite";
            case Section::results:
                return "it belongs under `results`";
            case Section::policy:
                return "it belongs under `policy`";
            case Section::gate:
                return "it belongs under `gate`";
            case Section::gate_rule:
                return "it belongs in a rule under `gate.rules`";
            case Section::gate_definition:
                return "it belongs in a gate under `gate.gates`";
            case Section::gate_coverage:
                return "it belongs under `gate.coverage`";
            case Section::check:
                return "it belongs in a check under `checks`";
            case Section::proof:
                return "it belongs under `proof`";
            case Section::proof_criterion:
                return "it belongs in a criterion under `proof.strong` or `proof.weak`";
            case Section::bridge:
                return "it belongs under `bridge`";
            case Section::bridge_poll:
                return "it belongs under `bridge.poll`";
            case Section::bridge_stall:
                return "it belongs under `bridge.stall`";
            case Section::bridge_assertions:
                return "it belongs under `bridge.assertions`";
            case Section::bridge_notify:
                return "it belongs under `bridge.notify`";
            case Section::serve:
                return "it belongs under `serve`";
            case Section::serve_limits:
                return "it belongs under `serve.limits`";
            case Section::serve_retention:
                return "it belongs under `serve.retention`";
            case Section::serve_bridge:
                return "it belongs under `serve.bridge`";
            case Section::watch:
                return "it belongs under `watch`";
            case Section::watch_channel:
                return "it belongs in a channel under `watch.channels`";
            case Section::watch_heartbeat:
                return "it belongs under `watch.heartbeat`";
            case Section::watch_check:
                return "it belongs in a check under `watch.checks`";
            case Section::promote:
                return "it belongs under `promote`";
            case Section::promote_environment:
                return "it belongs in an environment under `promote.environments`";
        }
    }
    return std::nullopt;
}

// Durations, sizes and environment values may be written as numbers as well as strings.
bool is_string_or_number(const YAML::Node& node) {
    if (!node.IsScalar()) return false;
    ScalarType type = scalar_type(node);
    return type == ScalarType::string || type == ScalarType::integer || type == ScalarType::number;
}

}  // namespace

Position position_of(const YAML::Mark& mark) {
    if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

Position position_of(const YAML::Node& node) {
    return position_of(node.Mark());
}

std::string child_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return util::printable(key);
    return fmt::format("{}.{}", parent, util::printable(key));
}

std::string item_path(std::string_view parent, size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

ScalarType scalar_type(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return ScalarType::null;
    const std::string& tag = node.Tag();
    if (tag == "!") return ScalarType::string;  // quoted
    if (tag == "tag:yaml.org,2002:str") return ScalarType::string;
    if (tag == "tag:yaml.org,2002:int") return ScalarType::integer;
    if (tag == "tag:yaml.org,2002:float") return ScalarType::number;
    if (tag == "tag:yaml.org,2002:bool") return ScalarType::boolean;
    if (tag == "tag:yaml.org,2002:null") return ScalarType::null;
    if (tag != "?" && !tag.empty()) return ScalarType::string;
    static const RE2 k_null("~|null|Null|NULL");
    static const RE2 k_boolean("true|True|TRUE|false|False|FALSE");
    static const RE2 k_integer("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
    static const RE2 k_number(
        "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    const std::string& text = node.Scalar();
    if (text.empty() || RE2::FullMatch(text, k_null)) return ScalarType::null;
    if (RE2::FullMatch(text, k_boolean)) return ScalarType::boolean;
    if (RE2::FullMatch(text, k_integer)) return ScalarType::integer;
    if (RE2::FullMatch(text, k_number)) return ScalarType::number;
    return ScalarType::string;
}

bool is_string(const YAML::Node& node) {
    return node.IsScalar() && scalar_type(node) == ScalarType::string;
}

bool is_string_number_or_boolean(const YAML::Node& node) {
    return is_string_or_number(node) || (node.IsScalar() && scalar_type(node) == ScalarType::boolean);
}

bool is_valid_name(std::string_view name) {
    if (name.empty()) return false;
    bool only_dots = true;
    for (char c : name) {
        bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
        if (!allowed) return false;
        if (c != '.') only_dots = false;
    }
    return !only_dots;
}

bool is_valid_environment_name(std::string_view name) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string describe(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "nothing";
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    std::string text = util::printable(node.Scalar());
    constexpr size_t k_shown = 60;
    if (text.size() > k_shown) text = text.substr(0, k_shown) + "...";
    switch (scalar_type(node)) {
        case ScalarType::null:
            return "nothing";
        case ScalarType::boolean:
            return fmt::format("the boolean {}", text);
        case ScalarType::integer:
        case ScalarType::number:
            return fmt::format("the number {}", text);
        case ScalarType::string:
            break;
    }
    return fmt::format("'{}'", text);
}

std::string word_list(const std::vector<std::string>& words, std::string_view last_joiner) {
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) {
        if (i > 0) out += (i + 1 == words.size()) ? fmt::format(" {} ", last_joiner) : ", ";
        out += words[i];
    }
    return out;
}

std::optional<std::int64_t> parse_whole_number(std::string_view text) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

YamlReader::YamlReader(std::string file_for_messages, std::vector<ConfigError>& errors)
    : m_file_for_messages(std::move(file_for_messages)), m_errors(&errors) {}

void YamlReader::add_error(Position position, std::string key_path, std::string message) {
    m_errors->push_back(
        ConfigError{m_file_for_messages, position.line, position.column, std::move(key_path), std::move(message)});
}

void YamlReader::add_error(const YAML::Node& at, std::string key_path, std::string message) {
    add_error(position_of(at), std::move(key_path), std::move(message));
}

std::vector<MapEntry> YamlReader::entries(const YAML::Node& map, const std::string& path,
                                          std::optional<Section> section) {
    const std::vector<std::string>* allowed = section ? &allowed_keys(*section) : nullptr;
    std::vector<MapEntry> out;
    std::unordered_map<std::string, int> first_line;
    for (const auto& pair : map) {
        // Copies, not references: yaml-cpp's iterator hands out proxies that die with the expression.
        YAML::Node key_node = pair.first;
        YAML::Node value = pair.second;
        if (!key_node.IsScalar()) {
            add_error(key_node, path, fmt::format("expected a key name; found {}", describe(key_node)));
            continue;
        }
        std::string key = key_node.Scalar();
        std::string key_path = child_path(path, key);
        auto [seen, inserted] = first_line.emplace(key, position_of(key_node).line);
        if (!inserted) {
            add_error(key_node, key_path, fmt::format("duplicate key; already set at line {}", seen->second));
            continue;
        }
        if (allowed && std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
            std::string message = "unknown key";
            const std::string secret_key = key + "_env";
            if (key == "<<") {
                message += "; YAML merge keys are not supported, use `defaults` for shared values";
            } else if (std::find(allowed->begin(), allowed->end(), secret_key) != allowed->end()) {
                // The file is committed; a webhook URL or token in it would be a leaked secret.
                message += fmt::format(
                    "; secrets stay out of this file: set `{}` to the name of an environment "
                    "variable that holds the value",
                    secret_key);
            } else if (auto suggestion = util::did_you_mean(key, *allowed)) {
                message += fmt::format("; did you mean '{}'?", *suggestion);
            } else if (auto home = section_of_misplaced_key(key, *section)) {
                message += fmt::format("; {} (check the indentation)", *home);
            } else {
                message += fmt::format("; expected one of {}", word_list(*allowed, "or"));
            }
            add_error(key_node, key_path, std::move(message));
            continue;
        }
        out.push_back(MapEntry{std::move(key), key_node, value});
    }
    return out;
}

std::optional<std::vector<MapEntry>> YamlReader::read_subsection(const YAML::Node& node, const std::string& path,
                                                                 Section section) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a mapping with any of {}; found {}", word_list(allowed_keys(section), "and"),
                              describe(node)));
        return std::nullopt;
    }
    return entries(node, path, section);
}

std::optional<std::string> YamlReader::read_string(const YAML::Node& node, const std::string& path,
                                                   std::string_view expected) {
    if (!is_string(node) || node.Scalar().empty()) {
        add_error(node, path, fmt::format("expected {}; found {}", expected, describe(node)));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::string> YamlReader::read_name(const YAML::Node& node, const std::string& path,
                                                 std::string_view what) {
    auto text = read_string(node, path, fmt::format("{} ({})", what, k_name_rule));
    if (!text) return std::nullopt;
    if (!is_valid_name(*text)) {
        add_error(node, path, fmt::format("expected {} ({}); found {}", what, k_name_rule, describe(node)));
        return std::nullopt;
    }
    return text;
}

std::optional<Milliseconds> YamlReader::read_duration(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected = "a duration such as 90s, 10m, 1h30m or 500ms";
    if (!is_string_or_number(node)) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    auto duration = util::parse_duration(node.Scalar());
    if (!duration) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    return duration;
}

std::optional<Milliseconds> YamlReader::read_positive_duration(const YAML::Node& node, const std::string& path) {
    auto duration = read_duration(node, path);
    if (duration && duration->count() <= 0) {
        add_error(node, path, "expected a duration greater than zero such as 200ms or 5s; found 0");
        return std::nullopt;
    }
    return duration;
}

std::optional<std::int64_t> YamlReader::read_whole_number(const YAML::Node& node, const std::string& path,
                                                          std::int64_t minimum, std::int64_t maximum) {
    std::string expected = maximum == INT64_MAX ? fmt::format("a whole number of {} or more", minimum)
                                                : fmt::format("a whole number from {} to {}", minimum, maximum);
    std::optional<std::int64_t> value;
    if (node.IsScalar() && scalar_type(node) == ScalarType::integer) value = parse_whole_number(node.Scalar());
    if (!value || *value < minimum || *value > maximum) {
        add_error(node, path, fmt::format("expected {}; found {}", expected, describe(node)));
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint64_t> YamlReader::read_size(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected = "a size greater than zero such as 8MiB, 512KiB or 1000000";
    std::optional<std::uint64_t> size;
    if (node.IsScalar() && (scalar_type(node) == ScalarType::string || scalar_type(node) == ScalarType::integer)) {
        size = util::parse_size(node.Scalar());
    }
    if (!size || *size == 0) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    return size;
}

std::optional<std::string> YamlReader::read_choice(const YAML::Node& node, const std::string& path,
                                                   const std::vector<std::string>& choices) {
    if (is_string(node) && std::find(choices.begin(), choices.end(), node.Scalar()) != choices.end()) {
        return node.Scalar();
    }
    std::string message = fmt::format("expected {}; found {}", word_list(choices, "or"), describe(node));
    if (node.IsScalar()) {
        if (auto suggestion = util::did_you_mean(node.Scalar(), choices)) {
            message += fmt::format("; did you mean '{}'?", *suggestion);
        }
    }
    add_error(node, path, std::move(message));
    return std::nullopt;
}

std::optional<bool> YamlReader::read_boolean(const YAML::Node& node, const std::string& path) {
    if (node.IsScalar() && scalar_type(node) == ScalarType::boolean) {
        const std::string& text = node.Scalar();
        return text == "true" || text == "True" || text == "TRUE";
    }
    add_error(node, path, fmt::format("expected true or false; found {}", describe(node)));
    return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::read_string_list(const YAML::Node& node, const std::string& path,
                                                                     std::string_view item, std::string_view items,
                                                                     EmptyList empty) {
    if (!node.IsSequence()) {
        add_error(node, path, fmt::format("expected a list of {}; found {}", items, describe(node)));
        return std::nullopt;
    }
    if (node.size() == 0 && empty == EmptyList::refused) {
        // An empty list reads as "nothing matches" to some and "everything matches" to others.
        add_error(
            node, path,
            fmt::format("expected a non-empty list of {}; found an empty list (leave the key out instead)", items));
        return std::nullopt;
    }
    std::vector<std::string> values;
    bool all_valid = true;
    size_t index = 0;
    for (const auto& entry : node) {
        std::string entry_path = item_path(path, index++);
        if (auto text = read_string(entry, entry_path, item)) {
            values.push_back(*text);
        } else {
            all_valid = false;
        }
    }
    if (!all_valid) return std::nullopt;
    return values;
}

std::optional<std::vector<std::string>> YamlReader::read_patterns(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected = "a regular expression (RE2 syntax)";
    auto patterns = read_string_list(node, path, k_expected, "regular expressions (RE2 syntax)", EmptyList::refused);
    if (!patterns) return std::nullopt;
    RE2::Options options;
    options.set_log_errors(false);  // the message goes into the error list, not to stderr
    bool all_valid = true;
    for (size_t index = 0; index < patterns->size(); ++index) {
        RE2 compiled((*patterns)[index], options);
        if (compiled.ok()) continue;
        all_valid = false;
        add_error(node[index], item_path(path, index),
                  fmt::format("expected {}; found {}: {}", k_expected, describe(node[index]),
                              util::printable(compiled.error())));
    }
    if (!all_valid) return std::nullopt;
    return patterns;
}

}  // namespace greenlight::config::detail
