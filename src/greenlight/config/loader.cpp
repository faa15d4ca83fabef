// Reads greenlight.yml into a Config, collecting every problem in the file in one pass so that a
// user fixes them all at once instead of meeting them one run at a time.
#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <unordered_map>

#include "greenlight/config/config.hpp"
#include "greenlight/config/keys.hpp"
#include "greenlight/util/duration.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::config {
namespace {

// Deeper nesting than this has no meaning in greenlight.yml, and refusing it before yaml-cpp sees
// it keeps hostile input from exhausting the stack in the parser's recursion.
constexpr int k_max_nesting = 64;

// Generous, yet small enough that a typo such as `retries: 1000` is caught.
constexpr std::int64_t k_max_retries = 100;

struct Position {
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based; 0 when unknown
};

Position position_of(const YAML::Mark& mark) {
    if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
    return {mark.line + 1, mark.column + 1};
}

Position position_of(const YAML::Node& node) {
    return position_of(node.Mark());
}

// Keys come from the file, so control characters are escaped before they reach a terminal.
std::string child_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return util::printable(key);
    return fmt::format("{}.{}", parent, util::printable(key));
}

std::string item_path(std::string_view parent, size_t index) {
    return fmt::format("{}[{}]", parent, index);
}

// The JSON type a YAML scalar has under the YAML 1.2 core schema: what the JSON Schema of this file,
// and the editors that check a file against it, see. Quoted scalars are strings; plain ones are null,
// booleans or numbers when they are spelt as such (`yes` and `on` are strings, as in YAML 1.2).
enum class ScalarType { string, integer, number, boolean, null };

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

// Durations, sizes and environment values may be written as numbers as well as strings.
bool is_string_or_number(const YAML::Node& node) {
    if (!node.IsScalar()) return false;
    ScalarType type = scalar_type(node);
    return type == ScalarType::string || type == ScalarType::integer || type == ScalarType::number;
}

// Values passed on as written (env values, argv items, descriptions): any scalar but null.
bool is_string_number_or_boolean(const YAML::Node& node) {
    return is_string_or_number(node) || (node.IsScalar() && scalar_type(node) == ScalarType::boolean);
}

// Names that become folder names in the bundle: no separators, and never `.` or `..`.
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

constexpr std::string_view k_name_rule = "letters, digits, '.', '_' or '-', and not only dots";

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

// How a value looks to the user, for the "found ..." half of a message; a number or boolean says so,
// since `found '42'` would not tell why a string was refused.
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
        }
    }
    return std::nullopt;
}

// JES names (job, step, DD): 1 to 8 of A-Z 0-9 @ # $, not starting with a digit. The bridge layer has the
// same rule (bridge::is_valid_jcl_name); config sits below it and keeps its own copy.
bool is_valid_jcl_name(std::string_view name) {
    if (name.empty() || name.size() > 8) return false;
    const auto national_or_letter = [](char c) { return (c >= 'A' && c <= 'Z') || c == '@' || c == '#' || c == '$'; };
    if (!national_or_letter(name.front())) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return national_or_letter(c) || (c >= '0' && c <= '9'); });
}

// The retcodes z/OSMF reports for a finished job.
bool is_valid_retcode(std::string_view text) {
    static const RE2 pattern(R"(CC [0-9]{4}|ABEND S[0-9A-F]{3}|ABEND U[0-9]{4}|JCL ERROR|CANCELED|SYS FAIL|)"
                             R"(SEC ERROR|CONV ERROR)");
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

constexpr std::string_view k_retcode_forms =
    "a retcode such as CC 0000, ABEND S0C4, ABEND U0100, JCL ERROR, CANCELED, SYS FAIL, SEC ERROR or CONV ERROR";

// RFC 6901: empty (the whole document) or '/'-separated tokens in which '~' is only `~0` or `~1`.
bool is_valid_json_pointer(std::string_view text) {
    if (text.empty()) return true;
    if (text.front() != '/') return false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '~' && (i + 1 == text.size() || (text[i + 1] != '0' && text[i + 1] != '1'))) return false;
    }
    return true;
}

bool is_valid_environment_name(std::string_view name) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// What is wrong with a job host base URL (scheme://host[:port], nothing after), or nullopt when nothing is.
std::optional<std::string> base_url_problem(std::string_view url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return "it has no scheme";
    std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return "the scheme must be http or https";
    std::string_view rest = url.substr(scheme_end + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('@') != std::string_view::npos) {
        return "it holds user info; credentials come from GREENLIGHT_BRIDGE_USER/GREENLIGHT_BRIDGE_PASSWORD or "
               "credentials_file";
    }
    if (rest.find_first_of("/?#") != std::string_view::npos) return "it has a path, query or fragment";
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos) return "an IPv6 host without ']'";
        host = rest.substr(0, close + 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty() && after.front() != ':') return "unexpected text after the host";
        if (!after.empty()) port = after.substr(1);
        if (!after.empty() && port.empty()) return "an empty port";
    } else if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (port.empty()) return "an empty port";
    }
    if (host.empty()) return "it has no host";
    const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '[' || c == ']' || c == ':';
    });
    if (!host_ok) return "the host has characters a host name cannot have";
    if (!port.empty()) {
        auto number = parse_whole_number(port);
        if (!number || *number < 1 || *number > 65535) return "the port must be a number from 1 to 65535";
    }
    return std::nullopt;
}

struct MapEntry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
};

class Loader {
public:
    Loader(std::string file_for_messages, std::filesystem::path file, std::filesystem::path root)
        : m_file_for_messages(std::move(file_for_messages)) {
        m_config.file = std::move(file);
        m_config.root = std::move(root);
    }

    LoadOutcome load(std::string_view text);

private:
    void add_error(Position position, std::string key_path, std::string message) {
        m_errors.push_back(
            ConfigError{m_file_for_messages, position.line, position.column, std::move(key_path), std::move(message)});
    }
    void add_error(const YAML::Node& at, std::string key_path, std::string message) {
        add_error(position_of(at), std::move(key_path), std::move(message));
    }

    // The entries of a mapping in file order, minus (and reporting) non-scalar, duplicate and, for a
    // section with fixed keys, unknown keys.
    std::vector<MapEntry> entries(const YAML::Node& map, const std::string& path, std::optional<Section> section);
    std::optional<std::string> read_string(const YAML::Node& node, const std::string& path, std::string_view expected);
    std::optional<std::string> read_name(const YAML::Node& node, const std::string& path, std::string_view what);
    std::optional<Milliseconds> read_duration(const YAML::Node& node, const std::string& path);
    std::optional<std::int64_t> read_whole_number(const YAML::Node& node, const std::string& path, std::int64_t minimum,
                                                  std::int64_t maximum);
    std::optional<std::uint64_t> read_size(const YAML::Node& node, const std::string& path);
    std::optional<std::string> read_choice(const YAML::Node& node, const std::string& path,
                                           const std::vector<std::string>& choices);
    std::optional<bool> read_boolean(const YAML::Node& node, const std::string& path);

    bool check_document_count(std::string_view text);
    void read_top(const YAML::Node& root);
    void read_version(const std::optional<MapEntry>& entry, const YAML::Node& root);
    void read_project(const std::optional<MapEntry>& entry, const YAML::Node& root);
    void read_artifacts(const MapEntry& entry);
    void read_defaults(const MapEntry& entry);
    void read_suites(const std::optional<MapEntry>& entry, const YAML::Node& root);
    std::optional<SuiteConfig> read_suite(const MapEntry& entry);
    void read_run(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_env(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_results(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_requires(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_labels(const YAML::Node& node, const std::string& path, SuiteConfig& suite);
    void read_tiers(const MapEntry& entry);
    void read_tier_entry(const YAML::Node& node, const std::string& path);
    void read_policy(const MapEntry& entry);
    void read_flaky(const YAML::Node& node, const std::string& path);

    // Whether an empty list is a legitimate value or a mistake (an explicit `paths: []`).
    enum class EmptyList { allowed, refused };
    // `item` names one entry ("a keyword"), `items` the list's content ("keywords").
    std::optional<std::vector<std::string>> read_string_list(const YAML::Node& node, const std::string& path,
                                                             std::string_view item, std::string_view items,
                                                             EmptyList empty);
    std::optional<RiskTier> read_risk_tier(const YAML::Node& node, const std::string& path);
    std::optional<std::string> read_gate_reference(const YAML::Node& node, const std::string& path);
    void read_gate(const MapEntry& entry);
    void read_gate_definitions(const YAML::Node& node, const std::string& path);
    void read_gate_tiers(const YAML::Node& node, const std::string& path);
    void read_gate_rules(const YAML::Node& node, const std::string& path);
    void read_gate_rule(const YAML::Node& node, const std::string& path, std::map<std::string, int>& rule_lines);
    void read_gate_patterns(const YAML::Node& node, const std::string& path, RiskRule& rule);
    void read_gate_coverage(const YAML::Node& node, const std::string& path);
    void read_checks(const MapEntry& entry);
    std::optional<CheckConfig> read_check(const MapEntry& entry);
    void read_check_command(const YAML::Node& node, const std::string& path, CheckConfig& check);
    std::optional<std::vector<std::string>> read_patterns(const YAML::Node& node, const std::string& path);
    void read_proof(const MapEntry& entry);
    void read_proof_criteria(const YAML::Node& node, const std::string& path, std::vector<ProofCriterion>& criteria);
    void read_bridge(const MapEntry& entry);
    // A nested mapping of `bridge` (poll, stall, assertions, notify); nullopt (reported) when not a mapping.
    std::optional<std::vector<MapEntry>> bridge_subsection(const YAML::Node& node, const std::string& path,
                                                           Section section);
    void read_bridge_poll(const YAML::Node& node, const std::string& path);
    void read_bridge_stall(const YAML::Node& node, const std::string& path);
    void read_bridge_assertions(const YAML::Node& node, const std::string& path);
    void read_bridge_notify(const YAML::Node& node, const std::string& path);
    std::optional<Milliseconds> read_positive_duration(const YAML::Node& node, const std::string& path);
    void read_serve(const MapEntry& entry);
    void read_serve_limits(const YAML::Node& node, const std::string& path);
    void read_serve_retention(const YAML::Node& node, const std::string& path);
    void read_serve_bridge(const YAML::Node& node, const std::string& path);
    std::optional<std::string> read_environment_name(const YAML::Node& node, const std::string& path);
    std::optional<Milliseconds> read_duration_at_least(const YAML::Node& node, const std::string& path,
                                                       Milliseconds minimum, std::string_view minimum_text);
    void read_watch(const MapEntry& entry);
    void read_watch_channels(const YAML::Node& node, const std::string& path);
    std::optional<AlertChannelConfig> read_watch_channel(const MapEntry& entry, const std::string& path);
    void read_watch_heartbeat(const YAML::Node& node, const std::string& path);
    void read_watch_checks(const YAML::Node& node, const std::string& path);
    std::optional<WatchCheckConfig> read_watch_check(const MapEntry& entry, const std::string& path);
    // Channel names in a check's or the heartbeat's `channels`, each checked against watch.channels later.
    std::optional<std::vector<std::string>> read_channel_references(const YAML::Node& node, const std::string& path);
    void check_channel_references();
    std::optional<std::vector<std::string>> read_dd_list(const YAML::Node& node, const std::string& path,
                                                         EmptyList empty);
    std::optional<std::string> read_dd_reference(const YAML::Node& node, const std::string& path);

    std::string m_file_for_messages;
    Config m_config;
    std::vector<ConfigError> m_errors;
    // Names seen under `suites` even when the suite itself had errors, so that a tier naming it
    // does not add a second, misleading error.
    std::vector<std::string> m_suite_names;
    std::vector<std::string> m_labels;
    bool m_suites_readable = false;
    // Tier references in `policy.flaky` are only checked against a `tiers` section that could be read.
    enum class TiersState { absent, unreadable, readable };
    TiersState m_tiers_state = TiersState::absent;
    // Gates a tier or rule may name: the defaults plus every key under `gate.gates`, even one whose
    // definition had errors. Without a readable `gate.gates`, references are not checked.
    std::vector<std::string> m_gate_names;
    bool m_gate_names_readable = true;
    // `watch.channels` keys, even of channels with errors, and the references to them to check at the end.
    struct ChannelReference {
        std::string name;
        YAML::Node node;
        std::string path;
    };
    std::vector<std::string> m_channel_names;
    bool m_channel_names_readable = true;
    std::vector<ChannelReference> m_channel_references;
};

std::vector<MapEntry> Loader::entries(const YAML::Node& map, const std::string& path, std::optional<Section> section) {
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

std::optional<std::string> Loader::read_string(const YAML::Node& node, const std::string& path,
                                               std::string_view expected) {
    if (!is_string(node) || node.Scalar().empty()) {
        add_error(node, path, fmt::format("expected {}; found {}", expected, describe(node)));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::string> Loader::read_name(const YAML::Node& node, const std::string& path, std::string_view what) {
    auto text = read_string(node, path, fmt::format("{} ({})", what, k_name_rule));
    if (!text) return std::nullopt;
    if (!is_valid_name(*text)) {
        add_error(node, path, fmt::format("expected {} ({}); found {}", what, k_name_rule, describe(node)));
        return std::nullopt;
    }
    return text;
}

std::optional<Milliseconds> Loader::read_duration(const YAML::Node& node, const std::string& path) {
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

std::optional<std::int64_t> Loader::read_whole_number(const YAML::Node& node, const std::string& path,
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

std::optional<std::uint64_t> Loader::read_size(const YAML::Node& node, const std::string& path) {
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

std::optional<bool> Loader::read_boolean(const YAML::Node& node, const std::string& path) {
    if (node.IsScalar() && scalar_type(node) == ScalarType::boolean) {
        const std::string& text = node.Scalar();
        return text == "true" || text == "True" || text == "TRUE";
    }
    add_error(node, path, fmt::format("expected true or false; found {}", describe(node)));
    return std::nullopt;
}

std::optional<std::string> Loader::read_choice(const YAML::Node& node, const std::string& path,
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

LoadOutcome Loader::load(std::string_view text) {
    if (nesting_depth(text) > k_max_nesting) {
        add_error(Position{1, 1}, "",
                  fmt::format("expected a config nested at most {} levels deep; found deeper nesting", k_max_nesting));
        return LoadOutcome{std::nullopt, std::move(m_errors)};
    }
    YAML::Node root;
    try {
        if (!check_document_count(text)) return LoadOutcome{std::nullopt, std::move(m_errors)};
        std::stringstream stream{std::string(text)};
        root = YAML::Load(stream);
    } catch (const YAML::Exception& error) {
        add_error(position_of(error.mark), "", fmt::format("invalid YAML: {}", error.msg));
        return LoadOutcome{std::nullopt, std::move(m_errors)};
    }
    if (!root.IsDefined() || root.IsNull()) {
        add_error(Position{1, 1}, "", "expected a mapping with version, project and suites; found an empty file");
    } else if (!root.IsMap()) {
        add_error(root, "",
                  fmt::format("expected a mapping with version, project and suites; found {}", describe(root)));
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
            add_error(position_of(stuck), "", fmt::format("invalid YAML: expected a document; found {}", found));
            return false;
        }
    }
    if (documents.starts().size() >= 2) {
        add_error(position_of(documents.starts()[1]), "",
                  "expected one YAML document; found a second one (remove the `---` line)");
    }
    return true;
}

void Loader::read_top(const YAML::Node& root) {
    std::map<std::string, MapEntry> found;
    for (auto& entry : entries(root, "", Section::top)) {
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
    if (auto entry = take("defaults")) read_defaults(*entry);
    // A file for `greenlight check`, `proof`, `gate` or `bridge` alone needs no suites.
    const bool suites_optional = found.count("checks") || found.count("proof") || found.count("gate") ||
                                 found.count("bridge") || found.count("serve") || found.count("watch");
    if (found.count("suites") || !suites_optional) read_suites(take("suites"), root);
    if (auto entry = take("tiers")) read_tiers(*entry);
    if (auto entry = take("policy")) read_policy(*entry);
    if (auto entry = take("gate")) read_gate(*entry);
    if (auto entry = take("checks")) read_checks(*entry);
    if (auto entry = take("proof")) read_proof(*entry);
    if (auto entry = take("bridge")) read_bridge(*entry);
    if (auto entry = take("serve")) read_serve(*entry);
    if (auto entry = take("watch")) read_watch(*entry);
}

void Loader::read_version(const std::optional<MapEntry>& entry, const YAML::Node& root) {
    if (!entry) {
        add_error(root, "version", "missing key; expected `version: 1` at the top of the file");
        return;
    }
    if (!entry->value.IsScalar() || scalar_type(entry->value) != ScalarType::integer ||
        parse_whole_number(entry->value.Scalar()) != 1) {
        add_error(entry->value, "version",
                  fmt::format("expected 1 (the only version this greenlight reads); found {}", describe(entry->value)));
        return;
    }
    m_config.version = 1;
}

void Loader::read_project(const std::optional<MapEntry>& entry, const YAML::Node& root) {
    if (!entry) {
        add_error(root, "project", fmt::format("missing key; expected the project's name ({})", k_name_rule));
        return;
    }
    if (auto name = read_name(entry->value, "project", "the project's name")) m_config.project = *name;
}

void Loader::read_artifacts(const MapEntry& entry) {
    if (auto folder = read_string(entry.value, "artifacts", "a folder for run bundles, such as artifacts")) {
        m_config.artifacts = *folder;
    }
}

void Loader::read_defaults(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(entry.value, "defaults",
                  fmt::format("expected a mapping of suite defaults (timeout, retries, ...); found {}",
                              describe(entry.value)));
        return;
    }
    Defaults& defaults = m_config.defaults;
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

void Loader::read_suites(const std::optional<MapEntry>& entry, const YAML::Node& root) {
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
    m_suites_readable = true;
    for (const auto& item : entries(node, "suites", std::nullopt)) {
        std::string path = child_path("suites", item.key);
        if (!is_valid_name(item.key)) {
            add_error(item.key_node, path,
                      fmt::format("expected a suite name of {} (it becomes a folder name); found '{}'", k_name_rule,
                                  util::printable(item.key)));
        }
        m_suite_names.push_back(item.key);
        if (auto suite = read_suite(item)) {
            for (const auto& label : suite->labels) {
                if (std::find(m_labels.begin(), m_labels.end(), label) == m_labels.end()) m_labels.push_back(label);
            }
            m_config.suites.push_back(std::move(*suite));
        }
    }
}

std::optional<SuiteConfig> Loader::read_suite(const MapEntry& entry) {
    std::string path = child_path("suites", entry.key);
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with at least `run`; found {}", describe(entry.value)));
        return std::nullopt;
    }
    SuiteConfig suite;
    suite.name = entry.key;
    suite.line = position_of(entry.key_node).line;
    suite.timeout = m_config.defaults.timeout;
    suite.grace = m_config.defaults.grace;
    suite.retries = m_config.defaults.retries;
    suite.min_tests = m_config.defaults.min_tests;
    suite.output_cap = m_config.defaults.output_cap;

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

void Loader::read_run(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
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

void Loader::read_env(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
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

void Loader::read_results(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
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

void Loader::read_requires(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
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

void Loader::read_labels(const YAML::Node& node, const std::string& path, SuiteConfig& suite) {
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

void Loader::read_tiers(const MapEntry& entry) {
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

void Loader::read_tier_entry(const YAML::Node& node, const std::string& path) {
    // Without a readable `suites` section every reference would look wrong; that error is enough.
    if (!m_suites_readable) return;
    const std::string& text = node.Scalar();
    constexpr std::string_view k_label_prefix = "label:";
    if (text.rfind(k_label_prefix, 0) == 0) {
        std::string label = text.substr(k_label_prefix.size());
        if (std::find(m_labels.begin(), m_labels.end(), label) != m_labels.end()) return;
        std::string message = fmt::format("no suite carries label '{}'", util::printable(label));
        if (auto suggestion = util::did_you_mean(label, m_labels)) {
            message += fmt::format("; did you mean 'label:{}'?", *suggestion);
        } else if (m_labels.empty()) {
            message += "; no suite has `labels`";
        } else {
            message += fmt::format("; labels in use: {}", word_list(m_labels, "and"));
        }
        add_error(node, path, std::move(message));
        return;
    }
    if (std::find(m_suite_names.begin(), m_suite_names.end(), text) != m_suite_names.end()) return;
    std::string message = fmt::format("unknown suite '{}'", util::printable(text));
    if (auto suggestion = util::did_you_mean(text, m_suite_names)) {
        message += fmt::format("; did you mean '{}'?", *suggestion);
    } else {
        message += fmt::format("; expected a suite name ({}) or label:NAME", word_list(m_suite_names, "or"));
    }
    add_error(node, path, std::move(message));
}

void Loader::read_policy(const MapEntry& entry) {
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

void Loader::read_flaky(const YAML::Node& node, const std::string& path) {
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

std::optional<std::vector<std::string>> Loader::read_string_list(const YAML::Node& node, const std::string& path,
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

std::optional<RiskTier> Loader::read_risk_tier(const YAML::Node& node, const std::string& path) {
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

std::optional<std::string> Loader::read_gate_reference(const YAML::Node& node, const std::string& path) {
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

void Loader::read_gate(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, "gate",
                  fmt::format("expected a mapping with any of rules, docs_paths, tiers, gates and coverage; found {}",
                              describe(entry.value)));
        return;
    }
    m_config.gate = default_gate_config();
    m_config.gate.from_file = true;
    for (const auto& [name, definition] : m_config.gate.gates) m_gate_names.push_back(name);
    std::map<std::string, MapEntry> found;
    for (auto& item : entries(entry.value, "gate", Section::gate)) {
        std::string key = item.key;
        found.emplace(std::move(key), std::move(item));
    }
    // Gates first, wherever they are in the file: tiers and rules refer to them.
    for (const char* key : {"gates", "tiers", "rules", "docs_paths", "coverage"}) {
        auto item = found.find(key);
        if (item == found.end()) continue;
        std::string path = child_path("gate", key);
        const YAML::Node& value = item->second.value;
        if (item->first == "gates") {
            read_gate_definitions(value, path);
        } else if (item->first == "tiers") {
            read_gate_tiers(value, path);
        } else if (item->first == "rules") {
            read_gate_rules(value, path);
        } else if (item->first == "docs_paths") {
            // An empty list is a choice: no change counts as docs-only.
            if (auto globs = read_string_list(value, path, "a path glob such as docs/**", "path globs such as docs/**",
                                              EmptyList::allowed)) {
                m_config.gate.docs_paths = std::move(*globs);
            }
        } else if (item->first == "coverage") {
            read_gate_coverage(value, path);
        }
    }
}

void Loader::read_gate_definitions(const YAML::Node& node, const std::string& path) {
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
        GateDefinition definition = m_config.gate.gates[item.key];
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
        m_config.gate.gates[item.key] = std::move(definition);
    }
}

void Loader::read_gate_tiers(const YAML::Node& node, const std::string& path) {
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
        if (usable) m_config.gate.tier_gates[tier] = std::move(gates);
    }
}

void Loader::read_gate_rules(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence() || node.size() == 0) {
        // No rules at all would make every change R0-docs: a gate that silently requires nothing.
        add_error(node, path,
                  fmt::format("expected a list of at least one rule ({{name, tier, paths, keywords, patterns, ...}}); "
                              "found {} (leave `rules` out to keep the default rules)",
                              node.IsSequence() ? "an empty list" : describe(node)));
        return;
    }
    m_config.gate.rules.clear();
    std::map<std::string, int> rule_lines;
    size_t index = 0;
    for (const auto& rule : node) read_gate_rule(rule, item_path(path, index++), rule_lines);
}

void Loader::read_gate_rule(const YAML::Node& node, const std::string& path, std::map<std::string, int>& rule_lines) {
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
        }
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
    m_config.gate.rules.push_back(std::move(rule));
}

void Loader::read_gate_patterns(const YAML::Node& node, const std::string& path, RiskRule& rule) {
    if (auto patterns = read_patterns(node, path)) rule.patterns = std::move(*patterns);
}

std::optional<std::vector<std::string>> Loader::read_patterns(const YAML::Node& node, const std::string& path) {
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

void Loader::read_gate_coverage(const YAML::Node& node, const std::string& path) {
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
            m_config.gate.patch_coverage_minimum = *value;
        } else if (item.key == "patch_threshold") {
            m_config.gate.patch_coverage_threshold = *value;
        } else if (item.key == "project_max_drop") {
            m_config.gate.project_coverage_max_drop = *value;
        }
    }
}

void Loader::read_checks(const MapEntry& entry) {
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
        if (auto check = read_check(item)) m_config.checks.push_back(std::move(*check));
    }
}

std::optional<CheckConfig> Loader::read_check(const MapEntry& entry) {
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

void Loader::read_check_command(const YAML::Node& node, const std::string& path, CheckConfig& check) {
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

void Loader::read_proof(const MapEntry& entry) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, "proof",
                  fmt::format("expected a mapping with any of {}; found {}",
                              word_list(allowed_keys(Section::proof), "and"), describe(entry.value)));
        return;
    }
    ProofConfig& proof = m_config.proof;
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

void Loader::read_proof_criteria(const YAML::Node& node, const std::string& path,
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

std::optional<Milliseconds> Loader::read_positive_duration(const YAML::Node& node, const std::string& path) {
    auto duration = read_duration(node, path);
    if (duration && duration->count() <= 0) {
        add_error(node, path, "expected a duration greater than zero such as 200ms or 5s; found 0");
        return std::nullopt;
    }
    return duration;
}

std::optional<std::string> Loader::read_dd_reference(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected =
        "a DD name such as STDOUT, or STEP.DDNAME (JCL names: 1 to 8 of A-Z 0-9 @ # $, not starting with a digit)";
    auto text = read_string(node, path, k_expected);
    if (!text) return std::nullopt;
    size_t dot = text->find('.');
    bool valid = dot == std::string::npos ? is_valid_jcl_name(*text)
                                          : is_valid_jcl_name(std::string_view(*text).substr(0, dot)) &&
                                                is_valid_jcl_name(std::string_view(*text).substr(dot + 1));
    if (!valid) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    return text;
}

std::optional<std::vector<std::string>> Loader::read_dd_list(const YAML::Node& node, const std::string& path,
                                                             EmptyList empty) {
    auto names = read_string_list(node, path, "a DD name such as STDOUT or STEP1.STDOUT",
                                  "DD names such as STDOUT or STEP1.STDOUT", empty);
    if (!names) return std::nullopt;
    bool valid = true;
    for (size_t index = 0; index < names->size(); ++index) {
        if (!read_dd_reference(node[index], item_path(path, index))) valid = false;
    }
    if (!valid) return std::nullopt;
    return names;
}

std::optional<std::vector<MapEntry>> Loader::bridge_subsection(const YAML::Node& node, const std::string& path,
                                                               Section section) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a mapping with any of {}; found {}", word_list(allowed_keys(section), "and"),
                              describe(node)));
        return std::nullopt;
    }
    return entries(node, path, section);
}

void Loader::read_bridge(const MapEntry& entry) {
    const std::string section = "bridge";
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, section,
                  fmt::format("expected a mapping with at least `jcl_template`, and any of {}; found {}",
                              word_list(allowed_keys(Section::bridge), "and"), describe(entry.value)));
        return;
    }
    BridgeConfig& bridge = m_config.bridge;
    bridge.present = true;
    bridge.line = position_of(entry.key_node).line;
    bool has_template = false;
    for (const auto& item : entries(entry.value, section, Section::bridge)) {
        const std::string path = child_path(section, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "url") {
            auto url =
                read_string(value, path, "the job host's URL, scheme://host[:port] such as https://zosmf.example:443");
            if (!url) continue;
            if (auto problem = base_url_problem(*url)) {
                add_error(value, path,
                          fmt::format("expected the job host's URL, scheme://host[:port] with no path, such as "
                                      "https://zosmf.example:443; found '{}': {}",
                                      util::printable(*url), *problem));
                continue;
            }
            bridge.url = *url;
            if (bridge.url.back() == '/') bridge.url.pop_back();
        } else if (item.key == "credentials_file" || item.key == "ca_file" || item.key == "jcl_template" ||
                   item.key == "output") {
            auto file = read_string(value, path, "a file path, relative to greenlight.yml");
            if (!file) continue;
            if (item.key == "credentials_file") bridge.credentials_file = *file;
            if (item.key == "ca_file") bridge.ca_file = *file;
            if (item.key == "jcl_template") {
                bridge.jcl_template = *file;
                has_template = true;
            }
            if (item.key == "output") bridge.output = *file;
        } else if (item.key == "manifest") {
            auto file = read_string(value, path, "the payload's manifest, relative to the payload folder");
            if (!file) continue;
            if (!util::is_safe_relative_path(*file)) {
                add_error(value, path,
                          fmt::format("expected a path inside the payload folder (relative, no `..`); found '{}'",
                                      util::printable(*file)));
                continue;
            }
            bridge.manifest = *file;
        } else if (item.key == "insecure") {
            if (auto choice = read_boolean(value, path)) bridge.insecure = *choice;
        } else if (item.key == "poll") {
            read_bridge_poll(value, path);
        } else if (item.key == "stall") {
            read_bridge_stall(value, path);
        } else if (item.key == "assertions") {
            read_bridge_assertions(value, path);
        } else if (item.key == "notify") {
            read_bridge_notify(value, path);
        }
    }
    if (!has_template) {
        // Only when the key is missing: a jcl_template with a bad value has its own error already.
        const bool mentioned = entry.value["jcl_template"].IsDefined();
        if (!mentioned) {
            add_error(entry.key_node, "bridge.jcl_template",
                      "missing key; expected the JCL job to submit, a file relative to greenlight.yml such as "
                      "smoke/job.jcl");
        }
    }
}

void Loader::read_bridge_poll(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::bridge_poll);
    if (!items) return;
    BridgePollConfig& poll = m_config.bridge.poll;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "slow_after") {
            if (auto count = read_whole_number(item.value, item_key_path, 0, INT64_MAX)) {
                poll.slow_after = static_cast<int>(std::min<std::int64_t>(*count, INT32_MAX));
            }
            continue;
        }
        auto duration = read_positive_duration(item.value, item_key_path);
        if (!duration) continue;
        if (item.key == "interval") poll.interval = *duration;
        if (item.key == "slow_interval") poll.slow_interval = *duration;
        if (item.key == "timeout") poll.timeout = *duration;
    }
}

void Loader::read_bridge_stall(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::bridge_stall);
    if (!items) return;
    BridgeStallConfig& stall = m_config.bridge.stall;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "retries") {
            if (auto count = read_whole_number(item.value, item_key_path, 0, 5))
                stall.retries = static_cast<int>(*count);
            continue;
        }
        auto duration = read_positive_duration(item.value, item_key_path);
        if (!duration) continue;
        if (item.key == "running_timeout") stall.running_timeout = *duration;
        if (item.key == "input_timeout") stall.input_timeout = *duration;
    }
}

void Loader::read_bridge_assertions(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::bridge_assertions);
    if (!items) return;
    BridgeAssertionsConfig& assertions = m_config.bridge.assertions;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "retcode") {
            auto retcode = read_string(value, item_key_path, k_retcode_forms);
            if (retcode && !is_valid_retcode(*retcode)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_retcode_forms, describe(value)));
            } else if (retcode) {
                assertions.retcode = *retcode;
            }
        } else if (item.key == "required_dds") {
            if (auto names = read_dd_list(value, item_key_path, EmptyList::allowed)) assertions.required_dds = *names;
        } else if (item.key == "log_dds") {
            if (auto names = read_dd_list(value, item_key_path, EmptyList::refused)) assertions.log_dds = *names;
        } else if (item.key == "final_script_dd") {
            if (auto name = read_dd_reference(value, item_key_path)) assertions.final_script_dd = *name;
        } else if (item.key == "frames_pointer") {
            constexpr std::string_view k_expected = "a JSON Pointer such as /frames";
            if (!is_string(value) || !is_valid_json_pointer(value.Scalar())) {
                add_error(value, item_key_path,
                          fmt::format("expected {} (empty, or '/'-separated, with '~' only as ~0 or ~1); found {}",
                                      k_expected, describe(value)));
            } else {
                assertions.frames_pointer = value.Scalar();
            }
        } else if (auto count = read_whole_number(value, item_key_path, 0, INT64_MAX)) {
            const int number = static_cast<int>(std::min<std::int64_t>(*count, INT32_MAX));
            if (item.key == "min_log_segments") assertions.min_log_segments = number;
            if (item.key == "min_snippets") assertions.min_snippets = number;
            if (item.key == "min_words_per_snippet") assertions.min_words_per_snippet = number;
            if (item.key == "min_final_script_frames") assertions.min_final_script_frames = number;
        }
    }
}

void Loader::read_bridge_notify(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::bridge_notify);
    if (!items) return;
    BridgeNotifyConfig& notify = m_config.bridge.notify;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "webhook_env") {
            constexpr std::string_view k_expected =
                "an environment variable name (letters, digits and '_', not starting with a digit)";
            auto name = read_string(value, item_key_path, k_expected);
            if (name && !is_valid_environment_name(*name)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_expected, describe(value)));
            } else if (name) {
                notify.webhook_env = *name;
            }
        } else if (item.key == "webhook_format") {
            if (auto format = read_choice(value, item_key_path, webhook_format_names()))
                notify.webhook_format = *format;
        } else if (item.key == "github_repository") {
            static const RE2 k_repository(R"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)");
            auto repository = read_string(value, item_key_path, "a GitHub repository as owner/name");
            if (repository && !RE2::FullMatch(*repository, k_repository)) {
                add_error(value, item_key_path,
                          fmt::format("expected a GitHub repository as owner/name; found {}", describe(value)));
            } else if (repository) {
                notify.github_repository = *repository;
            }
        }
    }
}

// What is wrong with `serve.listen` (host:port, an IPv6 host in brackets), or nullopt when nothing is.
std::optional<std::string> listen_address_problem(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find(']');
        if (close == std::string_view::npos) return "an IPv6 host without ']'";
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':') return "no ':' and port after the host";
        port = text.substr(close + 2);
        const bool host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        });
        if (!host_ok) return "the host is not an IPv6 address";
    } else {
        size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return "no ':' and port";
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.empty()) return "no host (write 127.0.0.1 for this machine only, 0.0.0.0 for every address)";
        const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        });
        if (!host_ok) return "the host has characters a host name cannot have (an IPv6 host goes in brackets)";
    }
    auto number = parse_whole_number(port);
    if (port.empty() || !number || *number < 0 || *number > 65535) return "the port must be a number from 0 to 65535";
    return std::nullopt;
}

// What is wrong with `serve.db`, or nullopt when nothing is.
std::optional<std::string> database_problem(std::string_view text) {
    constexpr std::string_view k_sqlite = "sqlite:";
    if (text.starts_with(k_sqlite)) {
        if (text.size() == k_sqlite.size()) return "no file after sqlite:";
        return std::nullopt;
    }
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (!text.starts_with(scheme)) continue;
        std::string_view rest = text.substr(scheme.size());
        std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
        size_t at = authority.rfind('@');
        if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
            return "it holds a password; give the password in PGPASSWORD (or ~/.pgpass) instead";
        }
        if (rest.find("password=") != std::string_view::npos) {
            return "it holds a password; give the password in PGPASSWORD (or ~/.pgpass) instead";
        }
        return std::nullopt;
    }
    return "it starts with neither sqlite: nor postgresql://";
}

// What is wrong with `serve.url` (http(s), a path allowed, no user info, query or fragment), or nullopt.
std::optional<std::string> public_url_problem(std::string_view url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return "it has no scheme";
    std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return "the scheme must be http or https";
    std::string_view rest = url.substr(scheme_end + 3);
    std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.empty()) return "it has no host";
    if (authority.find('@') != std::string_view::npos) return "it holds user info";
    if (rest.find_first_of("?#") != std::string_view::npos) return "it has a query or fragment";
    return std::nullopt;
}

// Five fields of digits, names (jan, mon), `*`, `,`, `-` and `/`. The watchdog parses the expression itself;
// this catches the shape early, with a line number.
bool looks_like_cron(std::string_view text) {
    static const RE2 pattern(R"(\s*[0-9A-Za-z*,/-]+(\s+[0-9A-Za-z*,/-]+){4}\s*)");
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

bool looks_like_time_zone(std::string_view text) {
    static const RE2 pattern(R"([A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)");
    return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), pattern);
}

std::optional<std::string> Loader::read_environment_name(const YAML::Node& node, const std::string& path) {
    constexpr std::string_view k_expected =
        "an environment variable name (letters, digits and '_', not starting with a digit)";
    auto name = read_string(node, path, k_expected);
    if (name && !is_valid_environment_name(*name)) {
        add_error(node, path, fmt::format("expected {}; found {}", k_expected, describe(node)));
        return std::nullopt;
    }
    return name;
}

std::optional<Milliseconds> Loader::read_duration_at_least(const YAML::Node& node, const std::string& path,
                                                           Milliseconds minimum, std::string_view minimum_text) {
    auto duration = read_duration(node, path);
    if (duration && *duration < minimum) {
        add_error(node, path,
                  fmt::format("expected a duration of at least {}; found {}", minimum_text, describe(node)));
        return std::nullopt;
    }
    return duration;
}

void Loader::read_serve(const MapEntry& entry) {
    const std::string section = "serve";
    ServeConfig& serve = m_config.serve;
    if (!entry.value.IsMap()) {
        // `serve:` with nothing after it takes every default.
        if (!entry.value.IsDefined() || entry.value.IsNull()) {
            serve.present = true;
            serve.line = position_of(entry.key_node).line;
            return;
        }
        add_error(entry.value, section,
                  fmt::format("expected a mapping with any of {}; found {}",
                              word_list(allowed_keys(Section::serve), "and"), describe(entry.value)));
        return;
    }
    serve.present = true;
    serve.line = position_of(entry.key_node).line;
    for (const auto& item : entries(entry.value, section, Section::serve)) {
        const std::string path = child_path(section, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "listen") {
            constexpr std::string_view k_expected = "host:port such as 127.0.0.1:8080 or [::1]:8080";
            auto text = read_string(value, path, k_expected);
            if (!text) continue;
            if (auto problem = listen_address_problem(*text)) {
                add_error(value, path, fmt::format("expected {}; found {}: {}", k_expected, describe(value), *problem));
                continue;
            }
            serve.listen = *text;
        } else if (item.key == "db") {
            constexpr std::string_view k_expected =
                "sqlite:PATH or postgresql://user@host:port/name (password in PGPASSWORD)";
            auto text = read_string(value, path, k_expected);
            if (!text) continue;
            // The value may hold a password, so the message says what is wrong without quoting it.
            if (auto problem = database_problem(*text)) {
                add_error(value, path, fmt::format("expected {}; {}", k_expected, *problem));
                continue;
            }
            serve.db = *text;
        } else if (item.key == "url") {
            constexpr std::string_view k_expected = "the public base URL, such as https://ci.example.com";
            auto text = read_string(value, path, k_expected);
            if (!text) continue;
            if (auto problem = public_url_problem(*text)) {
                add_error(value, path,
                          fmt::format("expected {}, without user info, query or fragment; found {}: {}", k_expected,
                                      describe(value), *problem));
                continue;
            }
            serve.url = *text;
            while (!serve.url.empty() && serve.url.back() == '/') serve.url.pop_back();
        } else if (item.key == "bundles") {
            if (auto folder = read_string(value, path, "a folder, relative to greenlight.yml")) serve.bundles = *folder;
        } else if (item.key == "dashboard_users") {
            if (auto file =
                    read_string(value, path, "a users file (greenlight bridge user add), relative to greenlight.yml")) {
                serve.dashboard_users = *file;
            }
        } else if (item.key == "limits") {
            read_serve_limits(value, path);
        } else if (item.key == "retention") {
            read_serve_retention(value, path);
        } else if (item.key == "bridge") {
            read_serve_bridge(value, path);
        }
    }
}

void Loader::read_serve_limits(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::serve_limits);
    if (!items) return;
    ServeLimitsConfig& limits = m_config.serve.limits;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "max_body") {
            if (auto size = read_size(item.value, item_key_path)) limits.max_body = *size;
        } else if (item.key == "requests_per_minute") {
            if (auto count = read_whole_number(item.value, item_key_path, 1, 1'000'000)) {
                limits.requests_per_minute = static_cast<int>(*count);
            }
        }
    }
}

void Loader::read_serve_retention(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::serve_retention);
    if (!items) return;
    ServeRetentionConfig& retention = m_config.serve.retention;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        std::optional<Milliseconds>* target = item.key == "runs"    ? &retention.runs
                                              : item.key == "pings" ? &retention.pings
                                                                    : &retention.alerts;
        if (is_string(item.value) && item.value.Scalar() == "forever") {
            target->reset();
            continue;
        }
        // Anything shorter than an hour is a mistake (a unit left out) rather than a policy.
        constexpr std::string_view k_expected = "a duration of at least 1h such as 90d or 720h, or forever";
        auto duration = is_string(item.value) ? util::parse_duration(item.value.Scalar()) : std::nullopt;
        if (!duration || *duration < std::chrono::hours{1}) {
            add_error(item.value, item_key_path,
                      fmt::format("expected {}; found {}", k_expected, describe(item.value)));
            continue;
        }
        *target = *duration;
    }
}

void Loader::read_serve_bridge(const YAML::Node& node, const std::string& path) {
    ServeBridgeConfig& bridge = m_config.serve.bridge;
    if (!node.IsDefined() || node.IsNull()) {
        bridge.present = true;  // `bridge:` alone: host the jobs interface with the defaults
        return;
    }
    auto items = bridge_subsection(node, path, Section::serve_bridge);
    if (!items) return;
    bridge.present = true;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "state") {
            if (auto folder = read_string(item.value, item_key_path, "a folder, relative to greenlight.yml")) {
                bridge.state = *folder;
            }
        } else if (item.key == "users") {
            if (auto file = read_string(item.value, item_key_path,
                                        "a users file (greenlight bridge user add), relative to greenlight.yml")) {
                bridge.users = *file;
            }
        } else if (item.key == "max_active") {
            if (auto count = read_whole_number(item.value, item_key_path, 1, 64)) {
                bridge.max_active = static_cast<int>(*count);
            }
        }
    }
}

void Loader::read_watch(const MapEntry& entry) {
    const std::string section = "watch";
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, section,
                  fmt::format("expected a mapping with any of {}; found {}",
                              word_list(allowed_keys(Section::watch), "and"), describe(entry.value)));
        return;
    }
    WatchConfig& watch = m_config.watch;
    watch.present = true;
    watch.line = position_of(entry.key_node).line;
    for (const auto& item : entries(entry.value, section, Section::watch)) {
        const std::string path = child_path(section, item.key);
        if (item.key == "channels") {
            read_watch_channels(item.value, path);
        } else if (item.key == "realert") {
            if (auto every = read_duration_at_least(item.value, path, std::chrono::minutes{1}, "1m")) {
                watch.realert = *every;
            }
        } else if (item.key == "heartbeat") {
            read_watch_heartbeat(item.value, path);
        } else if (item.key == "checks") {
            read_watch_checks(item.value, path);
        }
    }
    check_channel_references();
}

void Loader::read_watch_channels(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        add_error(node, path,
                  fmt::format("expected a mapping of channel names to channels ({{ type: discord, url_env: VARIABLE "
                              "}}); found {}",
                              describe(node)));
        m_channel_names_readable = false;
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        m_channel_names.push_back(item.key);
        if (!is_valid_watch_name(item.key)) {
            add_error(
                item.key_node, child_path(path, item.key),
                fmt::format("expected a channel name of {}; found '{}'", k_watch_name_rule, util::printable(item.key)));
            continue;
        }
        if (auto channel = read_watch_channel(item, child_path(path, item.key))) {
            m_config.watch.channels.push_back(std::move(*channel));
        }
    }
}

std::optional<AlertChannelConfig> Loader::read_watch_channel(const MapEntry& entry, const std::string& path) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with `type` and the type's keys; found {}", describe(entry.value)));
        return std::nullopt;
    }
    AlertChannelConfig channel;
    channel.name = entry.key;
    channel.line = position_of(entry.key_node).line;
    std::vector<MapEntry> items = entries(entry.value, path, Section::watch_channel);
    auto type_item = std::find_if(items.begin(), items.end(), [](const MapEntry& item) { return item.key == "type"; });
    if (type_item == items.end()) {
        if (!entry.value["type"].IsDefined()) {
            add_error(entry.key_node, child_path(path, "type"),
                      fmt::format("missing key; expected {}", word_list(alert_channel_type_names(), "or")));
        }
        return std::nullopt;
    }
    auto type_name = read_choice(type_item->value, child_path(path, "type"), alert_channel_type_names());
    if (!type_name) return std::nullopt;
    const auto& names = alert_channel_type_names();
    channel.type = static_cast<AlertChannelType>(std::find(names.begin(), names.end(), *type_name) - names.begin());
    const auto& keys = alert_channel_keys_for(channel.type);
    bool valid = true;
    bool has_url = false;
    bool has_repository = false;
    bool has_issue = false;
    for (const auto& item : items) {
        const std::string item_key_path = child_path(path, item.key);
        if (std::find(keys.begin(), keys.end(), item.key) == keys.end()) {
            add_error(item.key_node, item_key_path,
                      fmt::format("a {} channel does not take `{}`; it takes {}", *type_name, item.key,
                                  word_list(keys, "and")));
            valid = false;
            continue;
        }
        if (item.key == "url_env") {
            auto name = read_environment_name(item.value, item_key_path);
            if (!name) valid = false;
            if (name) channel.url_env = *name;
            has_url = true;
        } else if (item.key == "token_env") {
            auto name = read_environment_name(item.value, item_key_path);
            if (!name) valid = false;
            if (name) channel.token_env = *name;
        } else if (item.key == "repository") {
            static const RE2 k_repository(R"([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)");
            auto repository = read_string(item.value, item_key_path, "a GitHub repository as owner/name");
            if (repository && !RE2::FullMatch(*repository, k_repository)) {
                add_error(item.value, item_key_path,
                          fmt::format("expected a GitHub repository as owner/name; found {}", describe(item.value)));
                repository.reset();
            }
            if (!repository) valid = false;
            if (repository) channel.repository = *repository;
            has_repository = true;
        } else if (item.key == "issue") {
            auto number = read_whole_number(item.value, item_key_path, 1, INT32_MAX);
            if (!number) valid = false;
            if (number) channel.issue = static_cast<int>(*number);
            has_issue = true;
        }
    }
    auto missing = [&](std::string_view key, std::string_view expected) {
        add_error(entry.key_node, child_path(path, key), fmt::format("missing key; expected {}", expected));
        valid = false;
    };
    if (channel.type == AlertChannelType::github) {
        if (!has_repository) missing("repository", "the GitHub repository as owner/name");
        if (!has_issue) missing("issue", "the number of the issue that receives the alerts");
    } else if (!has_url && !entry.value["url"].IsDefined()) {
        // A literal `url` already has its error, which says to use url_env.
        missing("url_env", "the name of the environment variable holding the webhook URL");
    }
    if (!valid) return std::nullopt;
    return channel;
}

std::optional<std::vector<std::string>> Loader::read_channel_references(const YAML::Node& node,
                                                                        const std::string& path) {
    auto names =
        read_string_list(node, path, "a channel name", "channel names from watch.channels", EmptyList::refused);
    if (!names) return std::nullopt;
    for (size_t index = 0; index < names->size(); ++index) {
        m_channel_references.push_back(ChannelReference{(*names)[index], node[index], item_path(path, index)});
    }
    return names;
}

void Loader::check_channel_references() {
    if (!m_channel_names_readable) return;
    for (const auto& reference : m_channel_references) {
        if (std::find(m_channel_names.begin(), m_channel_names.end(), reference.name) != m_channel_names.end()) {
            continue;
        }
        std::string message = fmt::format("unknown channel '{}'", util::printable(reference.name));
        if (m_channel_names.empty()) {
            message += "; watch.channels defines none";
        } else if (auto suggestion = util::did_you_mean(reference.name, m_channel_names)) {
            message += fmt::format("; did you mean '{}'?", *suggestion);
        } else {
            message += fmt::format("; watch.channels defines {}", word_list(m_channel_names, "and"));
        }
        add_error(reference.node, reference.path, std::move(message));
    }
}

void Loader::read_watch_heartbeat(const YAML::Node& node, const std::string& path) {
    auto items = bridge_subsection(node, path, Section::watch_heartbeat);
    if (!items) return;
    WatchHeartbeatConfig& heartbeat = m_config.watch.heartbeat;
    heartbeat.present = true;
    heartbeat.line = position_of(node).line;
    bool has_channels = false;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "every") {
            if (auto every = read_duration_at_least(item.value, item_key_path, std::chrono::minutes{1}, "1m")) {
                heartbeat.every = *every;
            }
        } else if (item.key == "channels") {
            has_channels = true;
            if (auto names = read_channel_references(item.value, item_key_path)) heartbeat.channels = *names;
        }
    }
    if (!has_channels) {
        add_error(node, child_path(path, "channels"), "missing key; expected the channels the heartbeat goes to");
    }
}

void Loader::read_watch_checks(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
        add_error(
            node, path,
            fmt::format("expected a mapping of check names to checks ({{ period: 6h }}); found {}", describe(node)));
        return;
    }
    for (const auto& item : entries(node, path, std::nullopt)) {
        if (!is_valid_watch_name(item.key)) {
            add_error(
                item.key_node, child_path(path, item.key),
                fmt::format("expected a check name of {}; found '{}'", k_watch_name_rule, util::printable(item.key)));
            continue;
        }
        if (auto check = read_watch_check(item, child_path(path, item.key))) {
            m_config.watch.checks.push_back(std::move(*check));
        }
    }
}

std::optional<WatchCheckConfig> Loader::read_watch_check(const MapEntry& entry, const std::string& path) {
    if (!entry.value.IsMap()) {
        add_error(entry.value.IsDefined() && !entry.value.IsNull() ? entry.value : entry.key_node, path,
                  fmt::format("expected a mapping with `period` or `cron`, and any of {}; found {}",
                              word_list(allowed_keys(Section::watch_check), "and"), describe(entry.value)));
        return std::nullopt;
    }
    WatchCheckConfig check;
    check.name = entry.key;
    check.line = position_of(entry.key_node).line;
    bool valid = true;
    // Copies: the entries below do not outlive the loop.
    std::optional<YAML::Node> timezone_node;
    std::optional<YAML::Node> min_node;
    auto keep = [&](auto parsed, auto& field) {
        if (parsed) {
            field = *parsed;
        } else {
            valid = false;
        }
    };
    for (const auto& item : entries(entry.value, path, Section::watch_check)) {
        const std::string item_key_path = child_path(path, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "period") {
            keep(read_duration_at_least(value, item_key_path, std::chrono::minutes{1}, "1m"), check.period);
        } else if (item.key == "cron") {
            constexpr std::string_view k_expected =
                "a cron expression of five fields (minute hour day-of-month month day-of-week) such as \"0 2 * * *\"";
            auto text = read_string(value, item_key_path, k_expected);
            if (text && !looks_like_cron(*text)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_expected, describe(value)));
                text.reset();
            }
            keep(text, check.cron);
        } else if (item.key == "timezone") {
            constexpr std::string_view k_expected = "an IANA time zone such as Europe/Berlin or UTC";
            auto text = read_string(value, item_key_path, k_expected);
            if (text && !looks_like_time_zone(*text)) {
                add_error(value, item_key_path, fmt::format("expected {}; found {}", k_expected, describe(value)));
                text.reset();
            }
            keep(text, check.timezone);
            timezone_node = item.value;
        } else if (item.key == "grace") {
            keep(read_duration(value, item_key_path), check.grace);
        } else if (item.key == "max_run_time") {
            keep(read_positive_duration(value, item_key_path), check.max_run_time);
        } else if (item.key == "min_run_time") {
            keep(read_positive_duration(value, item_key_path), check.min_run_time);
            min_node = item.value;
        } else if (item.key == "failures") {
            auto count = read_whole_number(value, item_key_path, 1, 100);
            if (count) check.failures = static_cast<int>(*count);
            if (!count) valid = false;
        } else if (item.key == "realert") {
            keep(read_duration_at_least(value, item_key_path, std::chrono::minutes{1}, "1m"), check.realert);
        } else if (item.key == "tier" || item.key == "project") {
            auto name = read_name(value, item_key_path, item.key == "tier" ? "a tier name" : "a project name");
            keep(name, item.key == "tier" ? check.tier : check.project);
        } else if (item.key == "channels") {
            keep(read_channel_references(value, item_key_path), check.channels);
        } else if (item.key == "paused") {
            auto choice = read_boolean(value, item_key_path);
            if (choice) check.paused = *choice;
            if (!choice) valid = false;
        } else if (item.key == "description") {
            // Shown as written: a number or boolean is text too, as the schema allows.
            if (is_string_number_or_boolean(value)) {
                check.description = value.Scalar();
            } else {
                add_error(value, item_key_path, fmt::format("expected a text; found {}", describe(value)));
                valid = false;
            }
        }
    }
    const bool has_period = entry.value["period"].IsDefined();
    const bool has_cron = entry.value["cron"].IsDefined();
    if (has_period == has_cron) {
        add_error(entry.key_node, path,
                  has_period ? "expected one of `period` and `cron`; found both (remove one)"
                             : "expected a schedule; found neither `period` (such as 6h) nor `cron` (such as \"0 2 * "
                               "* *\" with `timezone`)");
        valid = false;
    }
    if (timezone_node && has_period && !has_cron) {
        add_error(*timezone_node, child_path(path, "timezone"),
                  "expected `timezone` only with `cron`; a period does not depend on the time zone (remove it)");
        valid = false;
    }
    if (min_node && check.min_run_time && check.max_run_time && *check.min_run_time >= *check.max_run_time) {
        add_error(*min_node, child_path(path, "min_run_time"),
                  fmt::format("expected a min_run_time shorter than max_run_time ({}); found {}",
                              util::format_duration(*check.max_run_time), util::format_duration(*check.min_run_time)));
        valid = false;
    }
    if (!valid) return std::nullopt;
    return check;
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

}  // namespace greenlight::config
