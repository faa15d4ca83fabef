// Reading YAML the way every section of greenlight.yml is read (internal to config/): where a node is, how a
// value looks in a message, key paths, and YamlReader, which reads mappings, scalars and lists and records an
// error with line and column for each value that is not what the file's reference says.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/config/keys.hpp"

namespace greenlight::config::detail {

struct Position {
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based; 0 when unknown
};

Position position_of(const YAML::Mark& mark);
Position position_of(const YAML::Node& node);

// `parent.key` and `parent[index]`, the key paths messages name; keys are escaped for the terminal.
std::string child_path(std::string_view parent, std::string_view key);
std::string item_path(std::string_view parent, size_t index);

// The JSON type a YAML scalar has under the YAML 1.2 core schema: what the JSON Schema of this file,
// and the editors that check a file against it, see. Quoted scalars are strings; plain ones are null,
// booleans or numbers when they are spelt as such (`yes` and `on` are strings, as in YAML 1.2).
enum class ScalarType { string, integer, number, boolean, null };

ScalarType scalar_type(const YAML::Node& node);
bool is_string(const YAML::Node& node);
// Values passed on as written (env values, argv items, descriptions): any scalar but null.
bool is_string_number_or_boolean(const YAML::Node& node);

// Names that become folder names in the bundle: no separators, and never `.` or `..`.
bool is_valid_name(std::string_view name);
inline constexpr std::string_view k_name_rule = "letters, digits, '.', '_' or '-', and not only dots";

// Letters, digits and '_', not starting with a digit.
bool is_valid_environment_name(std::string_view name);

// How a value looks to the user, for the "found ..." half of a message; a number or boolean says so,
// since `found '42'` would not tell why a string was refused.
std::string describe(const YAML::Node& node);

// "a, b or c" (or "a, b and c"), for the lists of what a message expects.
std::string word_list(const std::vector<std::string>& words, std::string_view last_joiner);

std::optional<std::int64_t> parse_whole_number(std::string_view text);

struct MapEntry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
};

// Reads values and adds an error to one shared list for each that is wrong. A copy adds to the same list,
// so each section's reader derives from it and the errors stay in the order they were found.
class YamlReader {
public:
    YamlReader(std::string file_for_messages, std::vector<ConfigError>& errors);

    void add_error(Position position, std::string key_path, std::string message);
    void add_error(const YAML::Node& at, std::string key_path, std::string message);

    // The entries of a mapping in file order, minus (and reporting) non-scalar, duplicate and, for a
    // section with fixed keys, unknown keys.
    std::vector<MapEntry> entries(const YAML::Node& map, const std::string& path, std::optional<Section> section);
    // A nested mapping with fixed keys (bridge.poll, serve.limits, ...); nullopt (reported) when not a mapping.
    std::optional<std::vector<MapEntry>> read_subsection(const YAML::Node& node, const std::string& path,
                                                         Section section);

    std::optional<std::string> read_string(const YAML::Node& node, const std::string& path, std::string_view expected);
    std::optional<std::string> read_name(const YAML::Node& node, const std::string& path, std::string_view what);
    std::optional<Milliseconds> read_duration(const YAML::Node& node, const std::string& path);
    std::optional<Milliseconds> read_positive_duration(const YAML::Node& node, const std::string& path);
    std::optional<std::int64_t> read_whole_number(const YAML::Node& node, const std::string& path, std::int64_t minimum,
                                                  std::int64_t maximum);
    std::optional<std::uint64_t> read_size(const YAML::Node& node, const std::string& path);
    std::optional<std::string> read_choice(const YAML::Node& node, const std::string& path,
                                           const std::vector<std::string>& choices);
    std::optional<bool> read_boolean(const YAML::Node& node, const std::string& path);

    // Whether an empty list is a legitimate value or a mistake (an explicit `paths: []`).
    enum class EmptyList { allowed, refused };
    // `item` names one entry ("a keyword"), `items` the list's content ("keywords").
    std::optional<std::vector<std::string>> read_string_list(const YAML::Node& node, const std::string& path,
                                                             std::string_view item, std::string_view items,
                                                             EmptyList empty);
    // A non-empty list of regular expressions, each compiled by RE2 to prove it is one.
    std::optional<std::vector<std::string>> read_patterns(const YAML::Node& node, const std::string& path);

private:
    std::string m_file_for_messages;
    std::vector<ConfigError>* m_errors;
};

}  // namespace greenlight::config::detail
