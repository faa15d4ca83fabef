#include "greenlight/config/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "greenlight/resources.hpp"

namespace greenlight::config {

const SuiteConfig* Config::find_suite(const std::string& name) const {
    auto found =
        std::find_if(suites.begin(), suites.end(), [&](const SuiteConfig& suite) { return suite.name == name; });
    return found == suites.end() ? nullptr : &*found;
}

std::vector<const SuiteConfig*> Config::suites_in_tier(const std::string& tier) const {
    std::vector<const SuiteConfig*> selected;
    auto found = tiers.find(tier);
    if (found == tiers.end()) return selected;
    auto add = [&](const SuiteConfig& suite) {
        if (std::find(selected.begin(), selected.end(), &suite) == selected.end()) selected.push_back(&suite);
    };
    constexpr std::string_view k_label_prefix = "label:";
    for (const auto& entry : found->second) {
        if (entry.text.rfind(k_label_prefix, 0) == 0) {
            std::string label = entry.text.substr(k_label_prefix.size());
            for (const auto& suite : suites) {
                if (std::find(suite.labels.begin(), suite.labels.end(), label) != suite.labels.end()) add(suite);
            }
        } else if (const SuiteConfig* suite = find_suite(entry.text)) {
            add(*suite);
        }
    }
    return selected;
}

std::string ConfigError::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += fmt::format(":{}", line);
        if (column > 0) out += fmt::format(":{}", column);
    }
    out += ": ";
    if (!key_path.empty()) out += key_path + ": ";
    out += message;
    return out;
}

LoadOutcome load_config(const std::filesystem::path& file) {
    auto fail = [&](std::string message) {
        LoadOutcome outcome;
        outcome.errors.push_back(ConfigError{file.string(), 0, 0, "", std::move(message)});
        return outcome;
    };
    std::error_code error;
    if (std::filesystem::is_directory(file, error)) {
        return fail("expected a config file; found a folder");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(fmt::format("cannot read the config file: {}", std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return fail("cannot read the config file: read error");
    return load_config_text(text.str(), file);
}

std::string_view to_string(CheckType type) {
    switch (type) {
        case CheckType::links:
            return "links";
        case CheckType::placeholders:
            return "placeholders";
        case CheckType::required_files:
            return "required-files";
        case CheckType::registry:
            return "registry";
        case CheckType::protected_paths:
            return "protected-paths";
        case CheckType::command:
            return "command";
        case CheckType::secrets:
            return "secrets";
    }
    return "command";
}

std::string_view config_schema() {
    return resources::k_config_schema;
}

}  // namespace greenlight::config
