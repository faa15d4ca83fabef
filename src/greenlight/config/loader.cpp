// Reads greenlight.yml into a Config, collecting every problem in the file in one pass so that a
// user fixes them all at once instead of meeting them one run at a time. This file parses the YAML and
// hands each top-level section to its reader (section_readers.hpp); the readers share yaml_reading.hpp.
#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config {
namespace {

using namespace detail;

// Deeper nesting than this has no meaning in greenlight.yml, and refusing it before yaml-cpp sees
// it keeps hostile input from exhausting the stack in the parser's recursion.
constexpr int k_max_nesting = 64;

// The longest run of open brackets, counting YAML flow collections and block sequence dashes
// written on one line (`- - - x`). Quoted text and comments are skipped so that brackets inside
// commands do not count; the scan only needs to be good enough to bound yaml-cpp's recursion.
int nesting_depth(std::string_view text) {
    int depth = 0;
    int deepest = 0;
    size_t i = 0;
    bool line_start = true;
    int dashes_on_line = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == '\n') {
            line_start = true;
            dashes_on_line = 0;
            ++i;
            continue;
        }
        if (line_start && (c == ' ' || c == '\t')) {
            ++i;
            continue;
        }
        if (line_start && c == '-' && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\t')) {
            ++dashes_on_line;
            deepest = std::max(deepest, depth + dashes_on_line);
            ++i;
            continue;  // still at the start of the line's content: `- - -` nests
        }
        line_start = false;
        if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        if ((c == '"' || c == '\'') &&
            (i == 0 || std::string_view(" \t[{,:").find(text[i - 1]) != std::string_view::npos)) {
            // Quoted scalars end at the matching quote; stopping at the line end too keeps an
            // apostrophe in plain text from hiding the rest of the file.
            ++i;
            while (i < text.size() && text[i] != c && text[i] != '\n') {
                if (c == '"' && text[i] == '\\' && i + 1 < text.size()) ++i;
                ++i;
            }
            if (i < text.size() && text[i] == c) ++i;
            continue;
        }
        if (c == '[' || c == '{') {
            ++depth;
            deepest = std::max(deepest, depth + dashes_on_line);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        ++i;
    }
    return deepest;
}

// Records where each YAML document starts and ignores everything else.
class DocumentStarts : public YAML::EventHandler {
public:
    const std::vector<YAML::Mark>& starts() const { return m_starts; }

    void OnDocumentStart(const YAML::Mark& mark) override { m_starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}

private:
    std::vector<YAML::Mark> m_starts;
};

class Loader {
public:
    Loader(std::string file_for_messages, std::filesystem::path file, std::filesystem::path root)
        : m_reader(std::move(file_for_messages), m_errors) {
        m_config.file = std::move(file);
        m_config.root = std::move(root);
    }
    // m_reader adds to this Loader's own m_errors.
    Loader(const Loader&) = delete;
    Loader& operator=(const Loader&) = delete;

    LoadOutcome load(std::string_view text);

private:
    bool check_document_count(std::string_view text);
    void read_top(const YAML::Node& root);
    void read_version(const std::optional<MapEntry>& entry, const YAML::Node& root);
    void read_project(const std::optional<MapEntry>& entry, const YAML::Node& root);
    void read_artifacts(const MapEntry& entry);

    Config m_config;
    std::vector<ConfigError> m_errors;
    YamlReader m_reader;
};

LoadOutcome Loader::load(std::string_view text) {
    if (nesting_depth(text) > k_max_nesting) {
        m_reader.add_error(
            Position{1, 1}, "",
            fmt::format("expected a config nested at most {} levels deep; found deeper nesting", k_max_nesting));
        return LoadOutcome{std::nullopt, std::move(m_errors)};
    }
    YAML::Node root;
    try {
        if (!check_document_count(text)) return LoadOutcome{std::nullopt, std::move(m_errors)};
        std::stringstream stream{std::string(text)};
        root = YAML::Load(stream);
    } catch (const YAML::Exception& error) {
        m_reader.add_error(position_of(error.mark), "", fmt::format("invalid YAML: {}", error.msg));
        return LoadOutcome{std::nullopt, std::move(m_errors)};
    }
    if (!root.IsDefined() || root.IsNull()) {
        m_reader.add_error(Position{1, 1}, "",
                           "expected a mapping with version, project and suites; found an empty file");
    } else if (!root.IsMap()) {
        m_reader.add_error(
            root, "", fmt::format("expected a mapping with version, project and suites; found {}", describe(root)));
    } else {
        read_top(root);
    }
    std::stable_sort(m_errors.begin(), m_errors.end(), [](const ConfigError& a, const ConfigError& b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    if (!m_errors.empty()) return LoadOutcome{std::nullopt, std::move(m_errors)};
    return LoadOutcome{std::move(m_config), {}};
}

// A file holds one document. Counting them also catches input on which yaml-cpp 0.7 makes no
// progress (a stray `,` at the top level): it would report the same empty document forever, and
// YAML::LoadAll would never return.
bool Loader::check_document_count(std::string_view text) {
    std::stringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    DocumentStarts documents;
    constexpr int k_documents_to_look_at = 3;
    for (int i = 0; i < k_documents_to_look_at && parser.HandleNextDocument(documents); ++i) {
        const auto& starts = documents.starts();
        size_t count = starts.size();
        if (count >= 2 && starts[count - 1].pos == starts[count - 2].pos) {
            const YAML::Mark& stuck = starts[count - 1];
            std::string found = stuck.pos >= 0 && static_cast<size_t>(stuck.pos) < text.size()
                                    ? fmt::format("'{}'", util::printable(text.substr(stuck.pos, 1)))
                                    : "the end of the file";
            m_reader.add_error(position_of(stuck), "",
                               fmt::format("invalid YAML: expected a document; found {}", found));
            return false;
        }
    }
    if (documents.starts().size() >= 2) {
        m_reader.add_error(position_of(documents.starts()[1]), "",
                           "expected one YAML document; found a second one (remove the `---` line)");
    }
    return true;
}

void Loader::read_top(const YAML::Node& root) {
    std::map<std::string, MapEntry> found;
    for (auto& entry : m_reader.entries(root, "", Section::top)) {
        std::string key = entry.key;
        found.emplace(std::move(key), std::move(entry));
    }
    auto take = [&](const std::string& key) -> std::optional<MapEntry> {
        auto it = found.find(key);
        if (it == found.end()) return std::nullopt;
        return it->second;
    };
    read_version(take("version"), root);
    read_project(take("project"), root);
    if (auto entry = take("artifacts")) read_artifacts(*entry);
    // Suites fall back to defaults, so defaults are read first wherever they are in the file.
    if (auto entry = take("defaults")) read_defaults_section(m_reader, *entry, m_config.defaults);
    // A file for `greenlight check`, `proof`, `gate` or `bridge` alone needs no suites.
    const bool suites_optional = found.count("checks") || found.count("proof") || found.count("gate") ||
                                 found.count("bridge") || found.count("serve") || found.count("watch") ||
                                 found.count("promote");
    KnownSuites known_suites;
    if (found.count("suites") || !suites_optional) {
        known_suites = read_suites_section(m_reader, take("suites"), root, m_config.defaults, m_config.suites);
    }
    TiersState tiers_state = TiersState::absent;
    if (auto entry = take("tiers")) tiers_state = read_tiers_section(m_reader, *entry, known_suites, m_config);
    if (auto entry = take("policy")) read_policy_section(m_reader, *entry, tiers_state, m_config);
    if (auto entry = take("gate")) read_gate_section(m_reader, *entry, m_config.gate);
    if (auto entry = take("checks")) read_checks_section(m_reader, *entry, m_config.checks);
    if (auto entry = take("proof")) read_proof_section(m_reader, *entry, m_config.proof);
    if (auto entry = take("bridge")) read_bridge_section(m_reader, *entry, m_config.bridge);
    if (auto entry = take("serve")) read_serve_section(m_reader, *entry, m_config.serve);
    if (auto entry = take("watch")) read_watch_section(m_reader, *entry, m_config.watch);
    if (auto entry = take("promote")) read_promote_section(m_reader, *entry, m_config.gate, m_config.promote);
}

void Loader::read_version(const std::optional<MapEntry>& entry, const YAML::Node& root) {
    if (!entry) {
        m_reader.add_error(root, "version", "missing key; expected `version: 1` at the top of the file");
        return;
    }
    if (!entry->value.IsScalar() || scalar_type(entry->value) != ScalarType::integer ||
        parse_whole_number(entry->value.Scalar()) != 1) {
        m_reader.add_error(
            entry->value, "version",
            fmt::format("expected 1 (the only version this greenlight reads); found {}", describe(entry->value)));
        return;
    }
    m_config.version = 1;
}

void Loader::read_project(const std::optional<MapEntry>& entry, const YAML::Node& root) {
    if (!entry) {
        m_reader.add_error(root, "project", fmt::format("missing key; expected the project's name ({})", k_name_rule));
        return;
    }
    if (auto name = m_reader.read_name(entry->value, "project", "the project's name")) m_config.project = *name;
}

void Loader::read_artifacts(const MapEntry& entry) {
    if (auto folder = m_reader.read_string(entry.value, "artifacts", "a folder for run bundles, such as artifacts")) {
        m_config.artifacts = *folder;
    }
}

}  // namespace

LoadOutcome load_config_text(std::string_view text, const std::filesystem::path& file) {
    std::error_code error;
    std::filesystem::path absolute = std::filesystem::absolute(file, error);
    if (error) absolute = file;
    std::filesystem::path root = absolute.lexically_normal().parent_path();
    Loader loader(file.string(), file, root);
    try {
        return loader.load(text);
    } catch (const std::exception& unexpected) {
        // yaml-cpp reports some malformed input by throwing from accessors; the caller still
        // deserves an error naming the file rather than an exception.
        LoadOutcome outcome;
        outcome.errors.push_back(
            ConfigError{file.string(), 0, 0, "", fmt::format("could not read the config: {}", unexpected.what())});
        return outcome;
    }
}

namespace {

// A node as text that does not depend on how it was written (block or flow, quoting, comments): scalars
// quoted, mappings and sequences bracketed. False when the text would pass `budget` bytes (aliases can make a
// small file describe an exponentially large one).
bool canonical_text(const YAML::Node& node, std::string& out, size_t budget) {
    if (out.size() > budget) return false;
    switch (node.Type()) {
        case YAML::NodeType::Scalar:
            out += '"';
            out += node.Scalar();
            out += '"';
            return true;
        case YAML::NodeType::Sequence:
            out += '[';
            for (const auto& item : node) {
                if (!canonical_text(item, out, budget)) return false;
                out += ',';
            }
            out += ']';
            return true;
        case YAML::NodeType::Map:
            out += '{';
            for (const auto& item : node) {
                if (!canonical_text(item.first, out, budget)) return false;
                out += ':';
                if (!canonical_text(item.second, out, budget)) return false;
                out += ',';
            }
            out += '}';
            return true;
        default:
            out += '~';
            return true;
    }
}

}  // namespace

std::string judging_sections_text(std::string_view yaml_text) {
    // Too deep for the parser's recursion (as the loader refuses it): the text itself, which differs on any edit.
    if (nesting_depth(yaml_text) > k_max_nesting) return std::string(yaml_text);
    try {
        const YAML::Node document = YAML::Load(std::string(yaml_text));
        if (!document.IsDefined() || document.IsNull()) return "";
        if (!document.IsMap()) return std::string(yaml_text);
        std::string out;
        constexpr size_t k_budget = 4u << 20;
        for (const char* key : {"gate", "promote"}) {
            if (const YAML::Node section = document[key]; section.IsDefined()) {
                out += key;
                out += '=';
                if (!canonical_text(section, out, k_budget)) return std::string(yaml_text);
                out += '\n';
            }
        }
        return out;
    } catch (const YAML::Exception&) {
        return std::string(yaml_text);
    }
}

}  // namespace greenlight::config
