// The `placeholders` check: docs that are published (listed by a docs index or a registry, or selected
// by globs) must not carry TODOs, lorem ipsum or `<your-name-here>` left over from a draft.
#include <fmt/format.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/markdown.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/glob.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

namespace fs = std::filesystem;

// The defaults, as one RE2 pattern. Upper-case words are placeholders only in capitals (`XXX`, not the
// `xxx` of a hex number; `PLACEHOLDER`, not the word in prose); `todo:` and friends in any case when a
// colon follows; bracketed markers and `<...-here>` forms in any case.
constexpr const char* k_default_pattern = R"((?i:\[\s*(?:todo|tbd|fixme|placeholder)\s*\]))"
                                          R"(|(?i:<\s*(?:todo|tbd|fixme|placeholder)\s*>))"
                                          R"(|(?i:<[a-z0-9_. -]*[-_ ]here\s*>))"
                                          R"(|(?i:<\s*(?:insert|replace|fill)[-_ ][a-z0-9_. -]*>))"
                                          R"(|\b(?:TODO|FIXME|TBD|XXX|PLACEHOLDER)\b)"
                                          R"(|(?i:\b(?:todo|fixme|tbd)\b:))"
                                          R"(|(?i:\blorem\s+ipsum\b))";

// Template syntax is filled in by a tool, not by a person: `${{ secrets.X }}`, `{{ x }}`, `{% x %}`,
// `${VAR}`, `%VAR%`, `$VAR`. A placeholder match inside one does not count.
constexpr const char* k_template_pattern =
    R"(\$\{\{.*?\}\}|\{\{.*?\}\}|\{%.*?%\}|\$\{[^}]*\}|%[A-Za-z_][A-Za-z0-9_]*%|\$[A-Za-z_][A-Za-z0-9_]*)";

// References are names, not text: URLs, Markdown link destinations and file names (a link to TODO.md is
// not a leftover TODO).
constexpr const char* k_reference_pattern =
    R"((?i:\b[a-z][a-z0-9+.-]*://[^\s<>()\[\]]*|\]\([^)\s]*|[\w.-]+\.(?:md|markdown|mdx|txt|rst|adoc|html?)\b))";

constexpr const char* k_allow_pattern = R"(<!--\s*greenlight-allow:\s*placeholders?\s*-->)";

// Strings in a JSON or YAML registry that end like a document are expected to name a file.
constexpr const char* k_document_extensions[] = {".md",   ".markdown", ".mdx",  ".rst", ".txt",
                                                 ".adoc", ".asciidoc", ".html", ".htm", ".org"};

// How much of a file is looked at to tell text from binary.
constexpr size_t k_binary_probe = 8000;

struct Span {
    size_t begin;
    size_t end;
};

struct Matchers {
    std::unique_ptr<RE2> placeholder;
    RE2 template_syntax{k_template_pattern};
    RE2 references{k_reference_pattern};
    RE2 allow{k_allow_pattern};
};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::vector<Span> find_all(const RE2& pattern, std::string_view line) {
    std::vector<Span> spans;
    size_t position = 0;
    re2::StringPiece match;
    while (position <= line.size() && pattern.Match(line, position, line.size(), RE2::UNANCHORED, &match, 1)) {
        const size_t begin = static_cast<size_t>(match.data() - line.data());
        const size_t end = begin + match.size();
        if (match.empty()) {
            position = begin + 1;
            continue;
        }
        spans.push_back({begin, end});
        position = end;
    }
    return spans;
}

bool overlaps(const Span& span, const std::vector<Span>& others) {
    return std::any_of(others.begin(), others.end(),
                       [&](const Span& other) { return span.begin < other.end && other.begin < span.end; });
}

// Finds the placeholders of one file, honouring `<!-- greenlight-allow: placeholder -->`: each such comment
// excuses the next placeholder on its line, or, alone on its line, the first one on the next line.
void scan_text(const std::string& path, std::string_view text, const Matchers& matchers, std::vector<Finding>& found) {
    size_t excused_from_previous_line = 0;
    int line_number = 0;
    for (std::string_view line : util::split_lines(text)) {
        ++line_number;
        const std::vector<Span> allowances = find_all(matchers.allow, line);
        std::vector<Span> not_text = find_all(matchers.template_syntax, line);
        for (const Span& reference : find_all(matchers.references, line)) not_text.push_back(reference);
        std::vector<Span> matches;
        for (const Span& span : find_all(*matchers.placeholder, line)) {
            if (!overlaps(span, not_text) && !overlaps(span, allowances)) matches.push_back(span);
        }
        std::vector<bool> excused(matches.size(), false);
        for (size_t index = 0; index < matches.size() && index < excused_from_previous_line; ++index) {
            excused[index] = true;
        }
        for (const Span& allowance : allowances) {
            for (size_t index = 0; index < matches.size(); ++index) {
                if (!excused[index] && matches[index].begin >= allowance.end) {
                    excused[index] = true;
                    break;
                }
            }
        }
        // A line holding nothing but allowances passes them on to the next line.
        std::string rest(line);
        for (auto allowance = allowances.rbegin(); allowance != allowances.rend(); ++allowance) {
            rest.erase(allowance->begin, allowance->end - allowance->begin);
        }
        excused_from_previous_line = !allowances.empty() && util::trim(rest).empty() ? allowances.size() : 0;

        for (size_t index = 0; index < matches.size(); ++index) {
            if (excused[index]) continue;
            std::string_view word = line.substr(matches[index].begin, matches[index].end - matches[index].begin);
            while (!word.empty() && (word.back() == ':' || word.back() == ' ')) word.remove_suffix(1);
            found.push_back({"placeholder",
                             fmt::format("placeholder `{}` left in the text; finish it, or mark a deliberate one "
                                         "with `<!-- greenlight-allow: placeholder -->` just before it",
                                         util::printable(word)),
                             path, line_number, static_cast<int>(matches[index].begin + 1), ""});
        }
    }
}

std::string percent_decoded(std::string_view text) {
    std::string decoded;
    for (size_t index = 0; index < text.size(); ++index) {
        if (text[index] == '%' && index + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[index + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[index + 2]))) {
            decoded += static_cast<char>(std::stoi(std::string(text.substr(index + 1, 2)), nullptr, 16));
            index += 2;
        } else {
            decoded += text[index];
        }
    }
    return decoded;
}

bool has_scheme(std::string_view text) {
    static const RE2 scheme(R"(^(?:[A-Za-z][A-Za-z0-9+.-]*:|//))");
    return RE2::PartialMatch(text, scheme);
}

// A repository-relative path for `reference` as written in a file of `folder` (a leading '/' means
// the root); nothing when it leaves the repository or is not a path.
std::optional<std::string> resolve(std::string_view reference, const std::string& folder) {
    if (reference.empty()) return std::nullopt;
    const fs::path base = reference.front() == '/' ? fs::path() : fs::path(folder);
    while (!reference.empty() && reference.front() == '/') reference.remove_prefix(1);
    std::string normal = (base / fs::path(reference)).lexically_normal().generic_string();
    while (ends_with(normal, "/")) normal.pop_back();
    if (normal.empty() || normal == "." || normal == ".." || normal.rfind("../", 0) == 0) return std::nullopt;
    return normal;
}

bool is_folder(const std::string& path, const std::set<std::string>& known) {
    const std::string prefix = path + "/";
    const auto next = known.lower_bound(prefix);
    return next != known.end() && next->compare(0, prefix.size(), prefix) == 0;
}

bool names_a_document(std::string_view text) {
    const std::string lowered = util::lowercase(text);
    return std::any_of(std::begin(k_document_extensions), std::end(k_document_extensions),
                       [&](const char* extension) { return ends_with(lowered, extension); });
}

// What one index lists: the files that exist, and a finding for each listed file that does not.
struct IndexListing {
    std::vector<std::string> files;
    std::vector<Finding> missing;
};

Finding missing_file(const std::string& index, int line, int column, const std::string& target,
                     const std::vector<std::string>& repository_files) {
    const std::optional<std::string> suggestion = util::did_you_mean(target, repository_files);
    return {"missing-indexed-file",
            fmt::format("{} lists {}, which does not exist; add the file or fix the entry{}", index, target,
                        suggestion ? fmt::format(" (did you mean {}?)", *suggestion) : std::string()),
            index,
            line,
            column,
            suggestion.value_or("")};
}

void list_markdown(const std::string& index, std::string_view text, const std::string& folder,
                   const std::set<std::string>& known, const std::vector<std::string>& repository_files,
                   IndexListing& listing) {
    for (const MarkdownLink& link : scan_markdown(text).links) {
        if (link.kind == MarkdownLink::Kind::image || link.kind == MarkdownLink::Kind::html_src) continue;
        std::string_view destination = link.destination;
        if (destination.empty() || destination.front() == '#' || has_scheme(destination)) continue;
        destination = destination.substr(0, destination.find_first_of("#?"));
        const std::optional<std::string> target = resolve(percent_decoded(destination), folder);
        if (!target || is_folder(*target, known)) continue;
        if (known.count(*target))
            listing.files.push_back(*target);
        else
            listing.missing.push_back(missing_file(index, link.line, link.column, *target, repository_files));
    }
}

// A string value of a registry: the file it names, if any; a finding when it looks like a document that
// is not there.
void list_value(const std::string& index, const std::string& value, int line, int column, const std::string& folder,
                const std::set<std::string>& known, const std::vector<std::string>& repository_files,
                IndexListing& listing) {
    if (value.empty() || value.size() > 1024 || has_scheme(value) ||
        value.find_first_of(" \t\r\n") != std::string::npos) {
        return;
    }
    const std::string reference = value.substr(0, value.find('#'));
    const std::optional<std::string> beside = resolve(reference, folder);
    const std::optional<std::string> from_root = resolve(reference, "");
    for (const std::optional<std::string>& candidate : {beside, from_root}) {
        if (candidate && known.count(*candidate)) {
            listing.files.push_back(*candidate);
            return;
        }
    }
    if (beside && from_root && !is_folder(*beside, known) && names_a_document(reference)) {
        Finding missing = missing_file(index, line, column, *from_root, repository_files);
        if (*beside != *from_root) {
            missing.message = fmt::format(
                "{} lists {}, which exists neither beside it ({}) nor from the repository root; add the file or fix "
                "the entry{}",
                index, reference, *beside,
                missing.suggestion.empty() ? "" : fmt::format(" (did you mean {}?)", missing.suggestion));
        }
        listing.missing.push_back(std::move(missing));
    }
}

void list_json(const std::string& index, const std::string& text, const nlohmann::json& value,
               const std::string& folder, const std::set<std::string>& known,
               const std::vector<std::string>& repository_files, IndexListing& listing) {
    if (value.is_string()) {
        // JSON values carry no position: the entry is placed where its quoted text first appears.
        const std::string& string_value = value.get_ref<const std::string&>();
        const size_t found = text.find(nlohmann::json(string_value).dump());
        const util::TextPosition position = found == std::string::npos
                                                ? util::TextPosition{0, 0}
                                                : util::text_position(text, static_cast<std::ptrdiff_t>(found) + 1);
        list_value(index, string_value, position.line, position.column, folder, known, repository_files, listing);
    } else if (value.is_structured()) {
        for (const nlohmann::json& item : value) list_json(index, text, item, folder, known, repository_files, listing);
    }
}

void list_yaml(const std::string& index, const YAML::Node& node, const std::string& folder,
               const std::set<std::string>& known, const std::vector<std::string>& repository_files,
               IndexListing& listing) {
    if (node.IsScalar()) {
        list_value(index, node.Scalar(), node.Mark().line + 1, node.Mark().column + 1, folder, known, repository_files,
                   listing);
    } else if (node.IsSequence()) {
        for (const YAML::Node& item : node) list_yaml(index, item, folder, known, repository_files, listing);
    } else if (node.IsMap()) {
        // Keys are names, not entries: only the values list files.
        for (const auto& member : node) list_yaml(index, member.second, folder, known, repository_files, listing);
    }
}

enum class IndexFormat { markdown, json, yaml };

std::optional<IndexFormat> format_of(const std::string& index) {
    const std::string lowered = util::lowercase(index);
    if (ends_with(lowered, ".md") || ends_with(lowered, ".markdown") || ends_with(lowered, ".mdx"))
        return IndexFormat::markdown;
    if (ends_with(lowered, ".json")) return IndexFormat::json;
    if (ends_with(lowered, ".yml") || ends_with(lowered, ".yaml")) return IndexFormat::yaml;
    return std::nullopt;
}

util::Result<IndexListing> read_index(const config::CheckConfig& check, const std::string& index,
                                      const CheckContext& context, const std::set<std::string>& known) {
    const std::optional<IndexFormat> format = format_of(index);
    if (!format) {
        return util::make_error(fmt::format(
            "check `{}` (line {}): index {} is neither Markdown (.md) nor a JSON or YAML registry (.json, .yml)",
            check.name, check.line, index));
    }
    if (!known.count(index)) {
        return util::make_error(fmt::format("check `{}` (line {}): index {} does not exist; fix the check's `indexes`",
                                            check.name, check.line, index));
    }
    util::Result<std::string> text = util::read_file(context.root / index);
    if (!text) return util::make_error(text.message());
    const std::string folder = fs::path(index).parent_path().generic_string();
    IndexListing listing;
    switch (*format) {
        case IndexFormat::markdown:
            list_markdown(index, *text, folder, known, context.files, listing);
            break;
        case IndexFormat::json:
            try {
                list_json(index, *text, nlohmann::json::parse(*text), folder, known, context.files, listing);
            } catch (const nlohmann::json::parse_error& error) {
                const util::TextPosition position =
                    util::text_position(*text, static_cast<std::ptrdiff_t>(error.byte > 0 ? error.byte - 1 : 0));
                return util::make_error(
                    fmt::format("{} line {}: not valid JSON: {}", index, position.line, error.what()));
            }
            break;
        case IndexFormat::yaml:
            try {
                list_yaml(index, YAML::Load(*text), folder, known, context.files, listing);
            } catch (const YAML::Exception& error) {
                return util::make_error(
                    fmt::format("{} line {}: not valid YAML: {}", index, error.mark.line + 1, error.msg));
            }
            break;
    }
    return listing;
}

bool is_excluded(const std::string& path, const std::vector<std::string>& exclude) {
    return std::any_of(exclude.begin(), exclude.end(),
                       [&](const std::string& pattern) { return util::glob_match(pattern, path); });
}

util::Result<std::unique_ptr<RE2>> placeholder_matcher(const config::CheckConfig& check) {
    RE2::Options options;
    options.set_log_errors(false);
    if (check.patterns.empty()) {
        auto matcher = std::make_unique<RE2>(k_default_pattern, options);
        if (!matcher->ok())
            return util::make_error("the default placeholder pattern does not compile: " + matcher->error());
        return matcher;
    }
    options.set_case_sensitive(false);
    std::string combined;
    for (const std::string& pattern : check.patterns) {
        RE2 alone(pattern, options);
        if (!alone.ok()) {
            return util::make_error(fmt::format("check `{}` (line {}): pattern `{}` is not valid RE2: {}", check.name,
                                                check.line, pattern, alone.error()));
        }
        combined += (combined.empty() ? "(?:" : "|(?:") + pattern + ")";
    }
    return std::make_unique<RE2>(combined, options);
}

}  // namespace

CheckOutcome run_placeholders_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "files";
    if (check.paths.empty() && check.indexes.empty()) {
        outcome.error = fmt::format(
            "check `{}` (line {}): nothing to examine; give `indexes` (docs indexes or "
            "registries) and/or `paths` (globs)",
            check.name, check.line);
        return outcome;
    }
    Matchers matchers;
    util::Result<std::unique_ptr<RE2>> placeholder = placeholder_matcher(check);
    if (!placeholder) {
        outcome.error = placeholder.message();
        return outcome;
    }
    matchers.placeholder = std::move(*placeholder);

    const std::set<std::string> known(context.files.begin(), context.files.end());
    std::set<std::string> examined;
    if (!check.paths.empty()) {
        for (std::string& file : select_files(context.files, check.paths, check.exclude))
            examined.insert(std::move(file));
    }
    std::set<std::string> indexed;
    for (const std::string& index : check.indexes) {
        util::Result<IndexListing> listing = read_index(check, index, context, known);
        if (!listing) {
            outcome.error = listing.message();
            return outcome;
        }
        // A Markdown index is a page readers see too.
        if (format_of(index) == IndexFormat::markdown && !is_excluded(index, check.exclude)) examined.insert(index);
        for (const std::string& file : listing->files) {
            if (is_excluded(file, check.exclude)) continue;
            indexed.insert(file);
            examined.insert(file);
        }
        for (Finding& missing : listing->missing) outcome.findings.push_back(std::move(missing));
    }
    outcome.counts.emplace_back("indexed", indexed.size());

    for (const std::string& file : examined) {
        util::Result<std::string> text = util::read_file(context.root / file);
        if (!text) {
            outcome.error = fmt::format("check `{}`: {}", check.name, text.message());
            return outcome;
        }
        const std::string_view probe = std::string_view(*text).substr(0, k_binary_probe);
        if (probe.find('\0') != std::string_view::npos) continue;
        ++outcome.examined;
        scan_text(file, *text, matchers, outcome.findings);
    }
    return outcome;
}

}  // namespace greenlight::hygiene
