// `checks` of greenlight.yml: the hygiene checks, each with its type and the keys that type takes.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config::detail {
namespace {

class ChecksReader : public YamlReader {
public:
    ChecksReader(const YamlReader& reader, std::vector<CheckConfig>& checks) : YamlReader(reader), m_checks(checks) {}

    void read_checks(const MapEntry& entry);

private:
    std::optional<CheckConfig> read_check(const MapEntry& entry);
    void read_check_command(const YAML::Node& node, const std::string& path, CheckConfig& check);

    std::vector<CheckConfig>& m_checks;
};

void ChecksReader::read_checks(const MapEntry& entry) {
    const YAML::Node& node = entry.value;
    if (!node.IsMap() || node.size() == 0) {
        add_error(node.IsMap() || node.IsNull() ? entry.key_node : node, "checks",
                  fmt::format("expected a mapping of check names to checks, with at least one check; found {}",
                              node.IsMap() ? "an empty mapping" : describe(node)));
        return;
    }
    for (const auto& item : entries(node, "checks", std::nullopt)) {
        if (!is_valid_name(item.key)) {
            add_error(item.key_node, child_path("checks", item.key),
                      fmt::format("expected a check name of {}; found '{}'", k_name_rule, util::printable(item.key)));
            continue;
        }
        if (auto check = read_check(item)) m_checks.push_back(std::move(*check));
    }
}

std::optional<CheckConfig> ChecksReader::read_check(const MapEntry& entry) {
    const std::string path = child_path("checks", entry.key);
    const std::vector<std::string>& types = check_type_names();
    CheckConfig check;
    check.name = entry.key;
    check.line = position_of(entry.key_node).line;
    // A check named after its type (`links:`) needs nothing more to be a links check.
    const bool named_after_type = std::find(types.begin(), types.end(), entry.key) != types.end();
    const bool bare = named_after_type && (!entry.value.IsDefined() || entry.value.IsNull());
    if (!bare && !entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with `type` and the type's keys; found {}", describe(entry.value)));
        return std::nullopt;
    }
    std::vector<MapEntry> items = bare ? std::vector<MapEntry>{} : entries(entry.value, path, Section::check);
    std::string type_name = named_after_type ? entry.key : "";
    for (const auto& item : items) {
        if (item.key != "type") continue;
        auto chosen = read_choice(item.value, child_path(path, "type"), types);
        if (!chosen) return std::nullopt;
        type_name = *chosen;
    }
    if (type_name.empty()) {
        add_error(entry.key_node, child_path(path, "type"),
                  fmt::format("missing key; expected the check's type: {}", word_list(types, "or")));
        return std::nullopt;
    }
    check.type = static_cast<CheckType>(std::find(types.begin(), types.end(), type_name) - types.begin());
    const std::vector<std::string>& allowed = check_keys_for(check.type);

    bool valid = true;
    std::vector<std::string> present;
    for (const auto& item : items) {
        const std::string item_path = child_path(path, item.key);
        present.push_back(item.key);
        if (std::find(allowed.begin(), allowed.end(), item.key) == allowed.end()) {
            add_error(item.key_node, item_path,
                      fmt::format("`{}` does not apply to a {} check; a {} check takes {}", item.key, type_name,
                                  type_name, word_list(allowed, "and")));
            valid = false;
            continue;
        }
        const YAML::Node& value = item.value;
        if (item.key == "mode") {
            if (auto mode = read_choice(value, item_path, check_mode_names())) {
                check.mode = *mode == "advisory" ? CheckMode::advisory : CheckMode::blocking;
            }
        } else if (item.key == "paths" || item.key == "exclude" || item.key == "files") {
            auto globs = read_string_list(value, item_path, "a path glob such as docs/**/*.md",
                                          "path globs such as docs/**/*.md", EmptyList::refused);
            if (!globs) {
                valid = false;
            } else if (item.key == "paths") {
                check.paths = std::move(*globs);
            } else if (item.key == "exclude") {
                check.exclude = std::move(*globs);
            } else {
                check.files = std::move(*globs);
            }
        } else if (item.key == "indexes") {
            if (auto files = read_string_list(value, item_path, "a docs index or registry file",
                                              "docs index or registry files", EmptyList::refused)) {
                check.indexes = std::move(*files);
            }
        } else if (item.key == "patterns") {
            if (auto patterns = read_patterns(value, item_path)) check.patterns = std::move(*patterns);
        } else if (item.key == "manifest" || item.key == "file" || item.key == "baseline") {
            auto file = read_string(value, item_path, "a file path, relative to greenlight.yml");
            if (!file) continue;
            if (!util::is_safe_relative_path(*file)) {
                add_error(value, item_path,
                          fmt::format("expected a path inside the repository (relative, no `..`); found '{}'",
                                      util::printable(*file)));
                continue;
            }
            (item.key == "manifest" ? check.manifest : item.key == "file" ? check.file : check.baseline) = *file;
        } else if (item.key == "command") {
            read_check_command(value, item_path, check);
        } else if (item.key == "output") {
            if (auto output = read_choice(value, item_path, {"stdout", "file"})) {
                check.output =
                    *output == "file" ? CheckConfig::RegistryOutput::file : CheckConfig::RegistryOutput::stdout_;
            }
        } else if (item.key == "timeout") {
            if (auto timeout = read_duration(value, item_path)) {
                if (timeout->count() == 0) {
                    add_error(value, item_path, "expected a duration greater than zero; found 0");
                } else {
                    check.timeout = *timeout;
                }
            }
        } else if (item.key == "scope") {
            if (auto scope = read_choice(value, item_path, check_scope_names())) {
                check.scope = *scope == "changed" ? CheckScope::changed : CheckScope::all;
            }
        }
    }
    const auto has = [&](std::string_view key) {
        return std::find(present.begin(), present.end(), key) != present.end();
    };
    const auto require = [&](std::string_view key, std::string_view what) {
        if (has(key)) return;
        add_error(entry.key_node, child_path(path, std::string(key)),
                  fmt::format("missing key; a {} check needs `{}`: {}", type_name, key, what));
        valid = false;
    };
    switch (check.type) {
        case CheckType::placeholders:
            if (!has("paths") && !has("indexes")) {
                add_error(entry.key_node, path,
                          "missing key; a placeholders check needs `indexes` (docs indexes or registries whose files "
                          "it reads), `paths` (globs), or both");
                valid = false;
            }
            break;
        case CheckType::required_files:
            if (!has("manifest") && !has("files")) {
                add_error(entry.key_node, path,
                          "a required-files check needs `manifest` (a file listing required paths), `files` "
                          "(an inline list), or both");
                valid = false;
            }
            break;
        case CheckType::registry:
            require("file", "the generated file that is committed");
            require("command", "the generator, as a list (argv) or a string (run by /bin/sh -c)");
            break;
        case CheckType::protected_paths:
            require("paths", "globs of the files that may not be deleted or renamed");
            break;
        case CheckType::command:
            require("command", "the command to run, as a list (argv) or a string (run by /bin/sh -c)");
            break;
        case CheckType::links:
        case CheckType::secrets:
            break;
    }
    if (!valid) return std::nullopt;
    return check;
}

void ChecksReader::read_check_command(const YAML::Node& node, const std::string& path, CheckConfig& check) {
    if (is_string(node) && !node.Scalar().empty()) {
        check.command = {"/bin/sh", "-c", node.Scalar()};
        return;
    }
    if (auto argv =
            read_string_list(node, path, "a command-line argument",
                             "command-line arguments (argv), or a string run by /bin/sh -c", EmptyList::refused)) {
        check.command = std::move(*argv);
    }
}

}  // namespace

void read_checks_section(YamlReader& reader, const MapEntry& entry, std::vector<CheckConfig>& checks) {
    ChecksReader(reader, checks).read_checks(entry);
}

}  // namespace greenlight::config::detail
