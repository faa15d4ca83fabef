// `defaults` and `suites` of greenlight.yml: each suite's command, working folder, environment, limits,
// results, requirements and labels, with the defaults a suite falls back to.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

// Generous, yet small enough that a typo such as `retries: 1000` is caught.
constexpr std::int64_t k_max_retries = 100;

class DefaultsReader : public YamlReader {
public:
    DefaultsReader(const YamlReader& reader, Defaults& defaults) : YamlReader(reader), m_defaults(defaults) {}

    void read_defaults(const MapEntry& entry);

private:
    Defaults& m_defaults;
};

class SuitesReader : public YamlReader {
public:
    SuitesReader(const YamlReader& reader, const Defaults& defaults, std::vector<SuiteConfig>& suites)
        : YamlReader(reader), m_defaults(defaults), m_suites(suites) {}

    void read_suites(const std::optional<MapEntry>& entry, const YAML::Node& root);
    const KnownSuites& known() const { return m_known; }

private:
    std::optional<SuiteConfig> read_suite(const MapEntry& entry);
    void read_run(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_env(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_results(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_requires(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_labels(const YAML::Node& node, const std::string& path, SuiteConfig& suite);

    const Defaults& m_defaults;
    std::vector<SuiteConfig>& m_suites;
    KnownSuites m_known;
};

void DefaultsReader::read_defaults(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(entry.value, "defaults",
                  fmt::format("expected a mapping of suite defaults (timeout, retries, ...); found {}",
                              describe(entry.value)));
        return;
    }
    Defaults& defaults = m_defaults;
    for (const auto& item : entries(entry.value, "defaults", Section::defaults)) {
        std::string path = child_path("defaults", item.key);
        if (item.key == "timeout") {
            if (auto value = read_duration(item.value, path)) {
                if (value->count() == 0)
                    add_error(item.value, path, "expected a duration greater than zero; found 0");
                else
                    defaults.timeout = *value;
            }
        } else if (item.key == "grace") {
            if (auto value = read_duration(item.value, path)) defaults.grace = *value;
        } else if (item.key == "retries") {
            if (auto value = read_whole_number(item.value, path, 0, k_max_retries)) {
                defaults.retries = static_cast<int>(*value);
            }
        } else if (item.key == "min_tests") {
            if (auto value = read_whole_number(item.value, path, 0, INT64_MAX)) defaults.min_tests = *value;
        } else if (item.key == "output_cap") {
            if (auto value = read_size(item.value, path)) defaults.output_cap = *value;
        }
    }
}

void SuitesReader::read_suites(const std::optional<MapEntry>& entry, const YAML::Node& root) {
    if (!entry) {
        add_error(root, "suites", "missing key; expected a mapping of suite names to suites");
        return;
    }
    const YAML::Node& node = entry->value;
    if (!node.IsMap() || node.size() == 0) {
        std::string found = node.IsMap() ? "an empty mapping" : describe(node);
        add_error(node.IsMap() ? entry->key_node : node, "suites",
                  fmt::format("expected a mapping of suite names to suites, with at least one suite; found {}", found));
        return;
    }
    m_known.readable = true;
    for (const auto& item : entries(node, "suites", std::nullopt)) {
        std::string path = child_path("suites", item.key);
        if (!is_valid_name(item.key)) {
            add_error(item.key_node, path,
                      fmt::format("expected a suite name of {} (it becomes a folder name); found '{}'", k_name_rule,
                                  util::printable(item.key)));
        }
        m_known.names.push_back(item.key);
        if (auto suite = read_suite(item)) {
            for (const auto& label : suite->labels) {
                if (std::find(m_known.labels.begin(), m_known.labels.end(), label) == m_known.labels.end())
                    m_known.labels.push_back(label);
            }
            m_suites.push_back(std::move(*suite));
        }
    }
}

std::optional<SuiteConfig> SuitesReader::read_suite(const MapEntry& entry) {
    std::string path = child_path("suites", entry.key);
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with at least `run`; found {}", describe(entry.value)));
        return std::nullopt;
    }
    SuiteConfig suite;
    suite.name = entry.key;
    suite.line = position_of(entry.key_node).line;
    suite.timeout = m_defaults.timeout;
    suite.grace = m_defaults.grace;
    suite.retries = m_defaults.retries;
    suite.min_tests = m_defaults.min_tests;
    suite.output_cap = m_defaults.output_cap;

    bool has_run = false;
    for (const auto& item : entries(entry.value, path, Section::suite)) {
        std::string item_key_path = child_path(path, item.key);
        if (item.key == "run") {
            has_run = true;
            read_run(item.value, item_key_path, suite);
        } else if (item.key == "cwd") {
            if (auto cwd = read_string(item.value, item_key_path, "a folder, relative to greenlight.yml")) {
                suite.cwd = *cwd;
            }
        } else if (item.key == "env") {
            read_env(item.value, item_key_path, suite);
        } else if (item.key == "timeout") {
            if (auto value = read_duration(item.value, item_key_path)) {
                if (value->count() == 0) {
                    add_error(item.value, item_key_path, "expected a duration greater than zero; found 0");
                } else {
                    suite.timeout = *value;
                }
            }
        } else if (item.key == "grace") {
            if (auto value = read_duration(item.value, item_key_path)) suite.grace = *value;
        } else if (item.key == "retries") {
            if (auto value = read_whole_number(item.value, item_key_path, 0, k_max_retries)) {
                suite.retries = static_cast<int>(*value);
            }
        } else if (item.key == "min_tests") {
            if (auto value = read_whole_number(item.value, item_key_path, 0, INT64_MAX)) suite.min_tests = *value;
        } else if (item.key == "output_cap") {
            if (auto value = read_size(item.value, item_key_path)) suite.output_cap = *value;
        } else if (item.key == "results") {
            read_results(item.value, item_key_path, suite);
        } else if (item.key == "requires") {
            read_requires(item.value, item_key_path, suite);
        } else if (item.key == "labels") {
            read_labels(item.value, item_key_path, suite);
        }
    }
    if (!has_run) {
        add_error(entry.key_node, child_path(path, "run"),
                  "missing key; expected the command to run, as a list (argv) or a string (run by /bin/sh -c)");
    }
    return suite;
}

void SuitesReader::read_run(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
    constexpr std::string_view k_expected =
        "the command to run, as a non-empty list (argv) or a string (run by /bin/sh -c)";
    if (is_string(node) && !node.Scalar().empty()) {
        suite.shell = true;
        suite.argv = {"/bin/sh", "-c", node.Scalar()};
        return;
    }
    if (!node.IsSequence() || node.size() == 0) {
        add_error(
            node, path,
            fmt::format("expected {}; found {}", k_expected, node.IsSequence() ? "an empty list" : describe(node)));
        return;
    }
    suite.shell = false;
    suite.argv.clear();
    size_t index = 0;
    for (const auto& argument : node) {
        std::string argument_path = item_path(path, index++);
        // An empty argument is legitimate argv ("" passed to a program); only the program may not be empty.
        // `[sleep, 5]` and `[true]` mean what they say: numbers and booleans are passed as written.
        if (!is_string_number_or_boolean(argument) || (index == 1 && argument.Scalar().empty())) {
            add_error(argument, argument_path,
                      fmt::format("expected {}; found {}", index == 1 ? "the program to run" : "a command argument",
                                  describe(argument)));
            continue;
        }
        suite.argv.push_back(argument.Scalar());
    }
}

void SuitesReader::read_env(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
    if (!node.IsMap()) {
        add_error(node, path, fmt::format("expected a mapping of variable names to values; found {}", describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        std::string variable_path = child_path(path, item.key);
        if (item.key.empty() || item.key.find('=') != std::string::npos || item.key.find('\0') != std::string::npos) {
            add_error(item.key_node, variable_path,
                      fmt::format("expected an environment variable name without '='; found '{}'",
                                  util::printable(item.key)));
            continue;
        }
        if (is_reserved_environment_name(item.key)) {
            // The runner sets these for every suite; a config that tries to change them would be ignored.
            add_error(item.key_node, variable_path,
                      "reserved: greenlight sets GREENLIGHT_*, TMPDIR and TZ for every suite; use another name");
            continue;
        }
        // Numbers and booleans keep their spelling (`1.10` stays "1.10"): yaml-cpp hands back the text.
        if (!is_string_number_or_boolean(item.value)) {
            add_error(item.value, variable_path,
                      fmt::format("expected a string, number or boolean (write \"\" for an empty one); found {}",
                                  describe(item.value)));
            continue;
        }
        suite.env.emplace_back(item.key, item.value.Scalar());
    }
}

void SuitesReader::read_results(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
    constexpr std::string_view k_expected = "one of {junit: FILE}, {tap: FILE} or {format: NAME}";
    if (!node.IsMap()) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return;
    }
    auto items = entries(node, path, Section::results);
    if (items.empty()) {
        if (node.size() == 0) add_error(node, path, fmt::format("expected {}; found an empty mapping", k_expected));
        return;
    }
    if (items.size() > 1) {
        add_error(items[1].key_node, child_path(path, items[1].key),
                  fmt::format("expected {}; found both '{}' and '{}'", k_expected, items[0].key, items[1].key));
        return;
    }
    const MapEntry& item = items[0];
    std::string item_key_path = child_path(path, item.key);
    if (item.key == "junit" || item.key == "tap") {
        auto file = read_string(item.value, item_key_path, "a results file, such as \"{outputs}/results.xml\"");
        if (!file) return;
        suite.results.source = ResultsSpec::Source::file;
        suite.results.format = item.key == "junit" ? results::ResultsFormat::junit : results::ResultsFormat::tap;
        suite.results.path = *file;
        return;
    }
    auto name = read_choice(item.value, item_key_path, output_format_names());
    if (!name) return;
    // Spelled out here rather than borrowed from the results area, which config must not link.
    static const std::vector<std::pair<std::string_view, results::ResultsFormat>> k_formats = {
        {"pytest", results::ResultsFormat::pytest}, {"go", results::ResultsFormat::go},
        {"ctest", results::ResultsFormat::ctest},   {"cargo", results::ResultsFormat::cargo},
        {"node", results::ResultsFormat::node},     {"plain", results::ResultsFormat::plain},
    };
    for (const auto& [format_name, format] : k_formats) {
        if (format_name == *name) {
            suite.results.source = ResultsSpec::Source::output;
            suite.results.format = format;
            suite.results.path.clear();
        }
    }
}

void SuitesReader::read_requires(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
    constexpr std::string_view k_expected = "docker, command:NAME, env:NAME or file:PATH";
    if (!node.IsSequence()) {
        add_error(node, path,
                  fmt::format("expected a list of requirements ({}); found {}", k_expected, describe(node)));
        return;
    }
    size_t index = 0;
    for (const auto& requirement : node) {
        std::string requirement_path = item_path(path, index++);
        if (!is_string(requirement)) {
            add_error(requirement, requirement_path,
                      fmt::format("expected {}; found {}", k_expected, describe(requirement)));
            continue;
        }
        const std::string& text = requirement.Scalar();
        if (text == "docker") {
            suite.requires_.push_back(text);
            continue;
        }
        const auto& kinds = requirement_kinds_with_argument();
        size_t colon = text.find(':');
        std::string kind = text.substr(0, colon);
        bool known_kind = colon != std::string::npos && std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
        if (known_kind && colon + 1 < text.size()) {
            suite.requires_.push_back(text);
            continue;
        }
        std::string message;
        if (known_kind) {
            message = fmt::format("expected a name after '{}:'; found nothing", kind);
        } else {
            message = fmt::format("unknown requirement {}; expected {}", describe(requirement), k_expected);
            std::vector<std::string> candidates = {"docker"};
            candidates.insert(candidates.end(), kinds.begin(), kinds.end());
            if (auto suggestion = util::did_you_mean(kind, candidates)) {
                std::string corrected = *suggestion == "docker"      ? *suggestion
                                        : colon == std::string::npos ? *suggestion + ":NAME"
                                                                     : *suggestion + text.substr(colon);
                message += fmt::format("; did you mean '{}'?", corrected);
            }
        }
        add_error(requirement, requirement_path, std::move(message));
    }
}

void SuitesReader::read_labels(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
    if (!node.IsSequence()) {
        add_error(node, path, fmt::format("expected a list of labels; found {}", describe(node)));
        return;
    }
    size_t index = 0;
    for (const auto& label : node) {
        if (auto name = read_name(label, item_path(path, index++), "a label")) {
            if (std::find(suite.labels.begin(), suite.labels.end(), *name) == suite.labels.end()) {
                suite.labels.push_back(*name);
            }
        }
    }
}

}  // namespace

void read_defaults_section(YamlReader& reader, const MapEntry& entry, Defaults& defaults) {
    DefaultsReader(reader, defaults).read_defaults(entry);
}

KnownSuites read_suites_section(YamlReader& reader, const std::optional<MapEntry>& entry, const YAML::Node& root,
                                const Defaults& defaults, std::vector<SuiteConfig>& suites) {
    SuitesReader suites_reader(reader, defaults, suites);
    suites_reader.read_suites(entry, root);
    return suites_reader.known();
}

}  // namespace greenlight::config::detail
