// The `required-files` check: the files every checkout must carry (LICENSE, SECURITY.md, a CODEOWNERS, the
// docs a process links to) exist and say something.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <system_error>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/glob.hpp"
#include "greenlight/util/result.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

namespace fs = std::filesystem;

// A file larger than this is not read to see whether it holds only whitespace.
constexpr std::uintmax_t k_whitespace_probe_limit = 64 * 1024;

struct RequiredEntry {
    std::string pattern;      // as written, less a leading "./"
    std::string origin;       // "MANIFEST line N" or "the check's `files`"
    std::string origin_path;  // the manifest, for findings about the entry itself; empty for inline entries
    int origin_line = 0;
};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string normalized_entry(std::string_view text) {
    text = util::trim(text);
    while (text.substr(0, 2) == "./") text.remove_prefix(2);
    while (!text.empty() && text.front() == '/') text.remove_prefix(1);
    return std::string(text);
}

bool is_glob(std::string_view pattern) {
    return pattern.find_first_of("*?[") != std::string_view::npos;
}

int line_of_offset(std::string_view text, size_t offset) {
    return util::text_position(text, static_cast<std::ptrdiff_t>(std::min(offset, text.size()))).line;
}

// The list itself, or the `files:` / `required:` list of a mapping (const access adds no key).
YAML::Node listed_paths(const YAML::Node& document) {
    if (!document.IsMap()) return document;
    if (document["files"]) return document["files"];
    return document["required"];
}

util::Result<std::vector<RequiredEntry>> parse_yaml_manifest(const std::string& manifest, const std::string& text) {
    YAML::Node document;
    try {
        document = YAML::Load(text);
    } catch (const YAML::ParserException& error) {
        return util::make_error(
            fmt::format("{} line {}: not valid YAML: {}", manifest, error.mark.line + 1, error.msg));
    }
    const YAML::Node list = listed_paths(document);
    if (!list) {
        return util::make_error(
            fmt::format("{} line {}: expected a list of paths, or a mapping with a `files:` or `required:` list",
                        manifest, document.Mark().line + 1));
    }
    if (!list.IsSequence()) {
        return util::make_error(fmt::format("{} line {}: expected a list of paths and globs, found {}", manifest,
                                            list.Mark().line + 1, list.IsNull() ? "nothing" : "a single value"));
    }
    std::vector<RequiredEntry> entries;
    for (const YAML::Node& item : list) {
        const int line = item.Mark().line + 1;
        if (!item.IsScalar() || util::trim(item.Scalar()).empty()) {
            return util::make_error(fmt::format("{} line {}: expected a path or glob (a string), found {}", manifest,
                                                line,
                                                item.IsScalar() ? "an empty string"
                                                : item.IsMap()  ? "a mapping"
                                                                : "a list"));
        }
        entries.push_back({normalized_entry(item.Scalar()), fmt::format("{} line {}", manifest, line), manifest, line});
    }
    return entries;
}

util::Result<std::vector<RequiredEntry>> parse_json_manifest(const std::string& manifest, const std::string& text) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        return util::make_error(fmt::format("{} line {}: not valid JSON: {}", manifest,
                                            line_of_offset(text, error.byte > 0 ? error.byte - 1 : 0), error.what()));
    }
    const nlohmann::json* list = &document;
    if (document.is_object()) {
        const char* key = document.contains("files") ? "files" : "required";
        if (!document.contains(key)) {
            return util::make_error(fmt::format(
                "{} line 1: expected a list of paths, or an object with a \"files\" or \"required\" list", manifest));
        }
        list = &document.at(key);
    }
    if (!list->is_array()) {
        return util::make_error(
            fmt::format("{} line 1: expected a list of paths and globs, found a {}", manifest, list->type_name()));
    }
    std::vector<RequiredEntry> entries;
    size_t search_from = 0;
    for (const nlohmann::json& item : *list) {
        if (!item.is_string() || util::trim(item.get_ref<const std::string&>()).empty()) {
            return util::make_error(fmt::format("{}: expected every entry to be a path or glob (a string), found {}",
                                                manifest, item.dump()));
        }
        // JSON values carry no position: the entry's line is where its quoted text next appears.
        const std::string quoted = nlohmann::json(item).dump();
        const size_t found = text.find(quoted, search_from);
        const int line = found == std::string::npos ? 0 : line_of_offset(text, found);
        if (found != std::string::npos) search_from = found + quoted.size();
        entries.push_back({normalized_entry(item.get<std::string>()),
                           line > 0 ? fmt::format("{} line {}", manifest, line) : manifest, manifest, line});
    }
    return entries;
}

// One path or glob per line; `#` starts a comment at the start of a line or after a space.
std::vector<RequiredEntry> parse_plain_manifest(const std::string& manifest, const std::string& text) {
    std::vector<RequiredEntry> entries;
    int line = 0;
    for (std::string_view row : util::split_lines(text)) {
        ++line;
        for (size_t hash = row.find('#'); hash != std::string_view::npos; hash = row.find('#', hash + 1)) {
            if (hash == 0 || row[hash - 1] == ' ' || row[hash - 1] == '\t') {
                row = row.substr(0, hash);
                break;
            }
        }
        if (util::trim(row).empty()) continue;
        entries.push_back({normalized_entry(row), fmt::format("{} line {}", manifest, line), manifest, line});
    }
    return entries;
}

util::Result<std::vector<RequiredEntry>> read_manifest(const config::CheckConfig& check, const CheckContext& context) {
    const std::string& manifest = check.manifest;
    std::error_code error;
    if (!fs::is_regular_file(context.root / manifest, error)) {
        return util::make_error(fmt::format(
            "check `{}` (line {}): its manifest {} does not exist; create it, or fix the check's `manifest`",
            check.name, check.line, manifest));
    }
    util::Result<std::string> text = util::read_file(context.root / manifest);
    if (!text) return util::make_error(text.message());
    const std::string lowered = util::lowercase(manifest);
    if (ends_with(lowered, ".json")) return parse_json_manifest(manifest, *text);
    if (ends_with(lowered, ".yml") || ends_with(lowered, ".yaml")) return parse_yaml_manifest(manifest, *text);
    return parse_plain_manifest(manifest, *text);
}

// Whether a file says something; the error says how it says nothing: empty, or (when small enough to read)
// only whitespace.
util::Status check_has_content(const fs::path& file) {
    std::error_code error;
    const std::uintmax_t size = fs::file_size(file, error);
    if (error) return {};
    if (size == 0) return util::make_error("is empty");
    if (size > k_whitespace_probe_limit) return {};
    util::Result<std::string> text = util::read_file(file);
    if (text && util::trim(*text).empty()) return util::make_error("holds only whitespace");
    return {};
}

// A likely intended file: a near-miss of the whole path, else a file of the same name without its
// extension (LICENSE for LICENSE.md), anywhere.
std::optional<std::string> suggestion_for(const std::string& wanted, const std::vector<std::string>& files) {
    if (std::optional<std::string> close = util::did_you_mean(wanted, files)) return close;
    const auto stem = [](std::string_view path) {
        path = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
        return util::lowercase(path.substr(0, path.find('.')));
    };
    const std::string wanted_stem = stem(wanted);
    if (wanted_stem.empty()) return std::nullopt;
    for (const std::string& file : files) {
        if (stem(file) == wanted_stem) return file;
    }
    return std::nullopt;
}

void check_path(const RequiredEntry& entry, const CheckContext& context, const std::set<std::string>& known,
                CheckOutcome& outcome) {
    std::string path = entry.pattern;
    const bool folder = ends_with(path, "/");
    while (ends_with(path, "/")) path.pop_back();
    if (known.count(path)) {
        if (auto content = check_has_content(context.root / path); !content) {
            outcome.findings.push_back(
                {"empty-required-file",
                 fmt::format("{} is required ({}) but {}; give it its content", path, entry.origin, content.message()),
                 path, 0, 0, ""});
        }
        return;
    }
    // A folder counts as present when it holds at least one file.
    const std::string prefix = path + "/";
    const auto in_folder = known.lower_bound(prefix);
    if (in_folder != known.end() && in_folder->compare(0, prefix.size(), prefix) == 0) return;

    std::error_code error;
    std::string message;
    if (!folder && fs::is_regular_file(context.root / path, error)) {
        message = fmt::format(
            "{} is required ({}) and exists here, but git ignores it, so a fresh checkout will not have it; "
            "commit it (and take it out of .gitignore)",
            path, entry.origin);
    } else {
        message = fmt::format("{} {} is required ({}) but does not exist; add it, or fix the entry",
                              folder ? "folder" : "file", path, entry.origin);
    }
    const std::optional<std::string> suggestion = suggestion_for(path, context.files);
    if (suggestion) message += fmt::format(" (did you mean {}?)", *suggestion);
    outcome.findings.push_back({"missing-required-file", message, path, 0, 0, suggestion.value_or("")});
}

void check_glob(const RequiredEntry& entry, const CheckContext& context, CheckOutcome& outcome) {
    std::vector<std::string> matches;
    for (const std::string& file : context.files) {
        if (util::glob_match(entry.pattern, file)) matches.push_back(file);
    }
    if (matches.empty()) {
        outcome.findings.push_back({"glob-matches-nothing",
                                    fmt::format("`{}` is required ({}) but matches no file in the repository; add "
                                                "the files, or fix the glob",
                                                entry.pattern, entry.origin),
                                    entry.origin_path, entry.origin_line, 0, ""});
        return;
    }
    for (const std::string& match : matches) {
        if (auto content = check_has_content(context.root / match); !content) {
            outcome.findings.push_back({"empty-required-file",
                                        fmt::format("{} is required (`{}`, {}) but {}; give it its content", match,
                                                    entry.pattern, entry.origin, content.message()),
                                        match, 0, 0, ""});
        }
    }
}

}  // namespace

CheckOutcome run_required_files_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "paths";
    std::vector<RequiredEntry> entries;
    if (!check.manifest.empty()) {
        util::Result<std::vector<RequiredEntry>> listed = read_manifest(check, context);
        if (!listed) {
            outcome.error = listed.message();
            return outcome;
        }
        entries = std::move(*listed);
    }
    for (const std::string& file : check.files) {
        entries.push_back({normalized_entry(file), "the check's `files`", "", 0});
    }

    const std::set<std::string> known(context.files.begin(), context.files.end());
    std::set<std::string> seen;
    for (const RequiredEntry& entry : entries) {
        if (entry.pattern.empty() || !seen.insert(entry.pattern).second) continue;
        ++outcome.examined;
        if (is_glob(entry.pattern))
            check_glob(entry, context, outcome);
        else
            check_path(entry, context, known, outcome);
    }
    return outcome;
}

}  // namespace greenlight::hygiene
