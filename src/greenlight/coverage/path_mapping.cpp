// From the paths a report names to the paths of the repository, merged over several reports.
//
// Reports name files in whatever way their tool saw them: relative to a source root (coverage.py,
// gcovr), absolute on the build machine (lcov, coverage.py's <source>), as Go import paths, or as a Java
// package path without the source folder (JaCoCo). Each way is tried in turn, cheapest and most certain first.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "greenlight/coverage/coverage.hpp"
#include "greenlight/coverage/report_parsers.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::coverage {

namespace {

bool is_absolute(std::string_view path) {
    // A Windows drive ("C:/...") is absolute too: reports from Windows runners use it.
    return path.starts_with('/') || (path.size() >= 3 && path[1] == ':' && path[2] == '/');
}

// Forward slashes, no "." parts, ".." resolved where it can be, no doubled or trailing slashes.
std::string normalise(std::string_view path) {
    std::string slashed(path);
    std::replace(slashed.begin(), slashed.end(), '\\', '/');
    const bool absolute = is_absolute(slashed);
    std::vector<std::string_view> parts;
    std::string_view rest = slashed;
    while (!rest.empty()) {
        const size_t slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        if (part == ".." && !parts.empty() && parts.back() != "..") {
            parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string result = absolute && slashed.starts_with('/') ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) result += '/';
        result += parts[i];
    }
    return result;
}

std::string join(std::string_view root, std::string_view path) {
    if (root.empty()) return std::string(path);
    if (path.empty()) return std::string(root);
    return normalise(std::string(root) + "/" + std::string(path));
}

std::string_view basename(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The path without its first component ("a/b/c" -> "b/c", "c" -> "").
std::string_view drop_first_component(std::string_view path) {
    const size_t slash = path.find('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
}

// The module path a go.mod declares ("module example.com/mod"), possibly quoted.
std::string go_module_path(std::string_view go_mod) {
    for (std::string_view line : util::split_lines(go_mod)) {
        line = util::trim(line);
        if (!line.starts_with("module")) continue;
        std::string_view name = util::trim(line.substr(6));
        if (const size_t comment = name.find("//"); comment != std::string_view::npos) {
            name = util::trim(name.substr(0, comment));
        }
        if (name.size() >= 2 && (name.front() == '"' || name.front() == '`')) name = name.substr(1, name.size() - 2);
        return std::string(name);
    }
    return {};
}

struct GoModule {
    std::string module_path;  // "example.com/mod"
    std::string directory;    // where its go.mod lies in the repository, "" for the top
};

class RepositoryIndex {
public:
    RepositoryIndex(const std::vector<std::string>& repository_files, const std::filesystem::path& repository_root) {
        m_files.reserve(repository_files.size());
        for (const std::string& file : repository_files) m_files.push_back(normalise(file));
        m_exact.reserve(m_files.size());
        // Every whole-component tail of every file, pointing at its file (or marked ambiguous): a path is then
        // matched in as many look-ups as it has components, whatever the size of the repository.
        for (size_t i = 0; i < m_files.size(); ++i) {
            m_exact.insert(m_files[i]);
            for (std::string_view tail = m_files[i]; !tail.empty(); tail = drop_first_component(tail)) {
                auto [entry, inserted] = m_by_suffix.try_emplace(tail, i);
                if (!inserted && entry->second != i) entry->second = k_ambiguous;
            }
        }
        if (!repository_root.empty()) {
            m_roots.push_back(normalise(repository_root.lexically_normal().generic_string()));
            // The report may name the real directory while the caller passed a symbolic link, or the reverse.
            std::error_code ignored;
            const std::filesystem::path canonical = std::filesystem::weakly_canonical(repository_root, ignored);
            if (!ignored && !canonical.empty()) {
                std::string canonical_text = normalise(canonical.generic_string());
                if (canonical_text != m_roots.front()) m_roots.push_back(std::move(canonical_text));
            }
        }
        load_go_modules(repository_root);
    }

    // The path relative to the repository when it is absolute and under the repository root.
    std::string relative_to_root(std::string_view path) const {
        for (const std::string& root : m_roots) {
            if (root == "/" && path.starts_with('/')) return std::string(path.substr(1));
            if (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/') {
                return std::string(path.substr(root.size() + 1));
            }
            if (path == root) return {};
        }
        return std::string(path);
    }

    bool contains(const std::string& path) const { return m_exact.contains(path); }

    const std::vector<GoModule>& go_modules() const { return m_go_modules; }

    // The repository file whose whole trailing components `path` names, when exactly one does; or else the
    // longest repository file that `path` ends with (a report written with a longer, foreign prefix).
    std::optional<std::string> unique_suffix_match(std::string_view path) const {
        if (path.starts_with('/')) path.remove_prefix(1);
        if (path.empty()) return std::nullopt;
        if (const auto found = m_by_suffix.find(path); found != m_by_suffix.end()) {
            if (found->second == k_ambiguous) return std::nullopt;
            return m_files[found->second];
        }
        for (std::string_view tail = path; !tail.empty(); tail = drop_first_component(tail)) {
            if (m_exact.contains(std::string(tail))) return std::string(tail);
        }
        return std::nullopt;
    }

    // For Go import paths, whose module prefix is unknown without a go.mod: the longest tail of `path` that
    // ends exactly one repository file. A tail ending several files is ambiguous and stops the search.
    std::optional<std::string> unique_tail_match(std::string_view path) const {
        for (std::string_view tail = path; !tail.empty(); tail = drop_first_component(tail)) {
            if (const auto found = m_by_suffix.find(tail); found != m_by_suffix.end()) {
                if (found->second == k_ambiguous) return std::nullopt;
                return m_files[found->second];
            }
        }
        return std::nullopt;
    }

private:
    void load_go_modules(const std::filesystem::path& repository_root) {
        for (const std::string& file : m_files) {
            if (basename(file) != "go.mod") continue;
            const std::string directory(file.size() > 6 ? std::string_view(file).substr(0, file.size() - 7) : "");
            util::Result<std::string> content = util::read_file(repository_root / file);
            if (!content) continue;
            std::string module_path = go_module_path(*content);
            if (!module_path.empty()) m_go_modules.push_back({std::move(module_path), directory});
        }
        // The longest module path first: a nested module owns its subtree.
        std::sort(m_go_modules.begin(), m_go_modules.end(),
                  [](const GoModule& a, const GoModule& b) { return a.module_path.size() > b.module_path.size(); });
    }

    std::vector<std::string> m_files;
    std::unordered_set<std::string> m_exact;
    static constexpr size_t k_ambiguous = static_cast<size_t>(-1);
    std::unordered_map<std::string_view, size_t> m_by_suffix;  // views into m_files, which no longer changes
    std::vector<std::string> m_roots;
    std::vector<GoModule> m_go_modules;
};

// The repository path for one report path, or empty.
std::optional<std::string> map_path(const RepositoryIndex& index, const Report& report, std::string_view report_path) {
    const std::string path = index.relative_to_root(normalise(report_path));
    if (path.empty()) return std::nullopt;

    // Every reading of the path, in order of certainty; the first exact hit wins.
    std::vector<std::string> readings{path};
    if (!is_absolute(path)) {
        for (const std::string& source_root : report.source_roots) {
            readings.push_back(index.relative_to_root(join(normalise(source_root), path)));
        }
    }
    for (const GoModule& module : index.go_modules()) {
        if (path.size() > module.module_path.size() && path.starts_with(module.module_path) &&
            path[module.module_path.size()] == '/') {
            readings.push_back(join(module.directory, std::string_view(path).substr(module.module_path.size() + 1)));
            break;
        }
    }
    for (const std::string& reading : readings) {
        if (!reading.empty() && index.contains(reading)) return reading;
    }
    // No reading is a repository path: fall back to the unambiguous suffix, which must agree across readings.
    std::optional<std::string> matched;
    for (const std::string& reading : readings) {
        if (reading.empty()) continue;
        std::optional<std::string> candidate =
            report.format == ReportFormat::go ? index.unique_tail_match(reading) : index.unique_suffix_match(reading);
        if (!candidate) continue;
        if (matched && *matched != *candidate) return std::nullopt;
        matched = std::move(candidate);
    }
    return matched;
}

void merge_into(FileCoverage& target, const FileCoverage& source) {
    // The common case, one report per file: a copy of the whole tree is far cheaper than inserting line by line.
    if (target.lines.empty()) {
        target.lines = source.lines;
        return;
    }
    for (const auto& [line, hits] : source.lines) {
        auto [entry, inserted] = target.lines.try_emplace(line, hits);
        if (!inserted) entry->second = detail::add_hits(entry->second, hits);
    }
}

// The same, taking the source's lines when the target has none: no copy of a report's millions of lines.
void merge_into(FileCoverage& target, FileCoverage&& source) {
    if (target.lines.empty()) {
        target.lines = std::move(source.lines);
        return;
    }
    merge_into(target, static_cast<const FileCoverage&>(source));
}

// Reports given as const are copied from, reports given as rvalues are moved from.
template <typename Reports>
Coverage map_reports(Reports&& reports, const std::vector<std::string>& repository_files,
                     const std::filesystem::path& repository_root) {
    const RepositoryIndex index(repository_files, repository_root);
    Coverage coverage;
    std::set<std::string> unmapped;
    for (auto& report : reports) {
        for (auto& [report_path, file] : report.files) {
            if (std::optional<std::string> repository_path = map_path(index, report, report_path)) {
                if constexpr (std::is_const_v<std::remove_reference_t<decltype(file)>>) {
                    merge_into(coverage.files[*repository_path], file);
                } else {
                    merge_into(coverage.files[*repository_path], std::move(file));
                }
            } else {
                unmapped.insert(report_path);
            }
        }
    }
    coverage.unmapped.assign(unmapped.begin(), unmapped.end());
    return coverage;
}

}  // namespace

Coverage map_to_repository(const std::vector<Report>& reports, const std::vector<std::string>& repository_files,
                           const std::filesystem::path& repository_root) {
    return map_reports(reports, repository_files, repository_root);
}

Coverage map_to_repository(std::vector<Report>&& reports, const std::vector<std::string>& repository_files,
                           const std::filesystem::path& repository_root) {
    return map_reports(std::move(reports), repository_files, repository_root);
}

}  // namespace greenlight::coverage
