// The `links` check: every relative link and image in the selected Markdown files must reach a file or
// folder of the repository, and every fragment an anchor of its target (see docs/CHECK.md, "Links").
#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/markdown.hpp"
#include "greenlight/hygiene/online_links.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/parallel.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_default_paths = "**/*.md";
constexpr std::string_view k_online_cache_name = "links-online.json";

bool is_markdown(std::string_view path) {
    const size_t dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos) return false;
    const std::string extension = util::lowercase(path.substr(dot));
    return extension == ".md" || extension == ".markdown" || extension == ".mdown" || extension == ".mkd";
}

std::string_view parent_of(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string_view name_of(std::string_view path) {
    const size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// A URI scheme (`https:`, `mailto:`, `data:`...) marks a link that is not a path in the repository.
bool has_scheme(std::string_view destination) {
    if (destination.empty() || !std::isalpha(static_cast<unsigned char>(destination[0]))) return false;
    for (size_t index = 1; index < destination.size(); ++index) {
        const char character = destination[index];
        if (character == ':') return true;
        if (!std::isalnum(static_cast<unsigned char>(character)) && character != '+' && character != '-' &&
            character != '.') {
            return false;
        }
    }
    return false;
}

bool is_http(std::string_view destination) {
    const std::string lowered = util::lowercase(destination.substr(0, 8));
    return lowered.starts_with("http://") || lowered.starts_with("https://");
}

int hex_value(char character) {
    if (character >= '0' && character <= '9') return character - '0';
    if (character >= 'a' && character <= 'f') return character - 'a' + 10;
    if (character >= 'A' && character <= 'F') return character - 'A' + 10;
    return -1;
}

// `%20` to a space; a `%` not followed by two hex digits stays as written (as browsers do).
std::string percent_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (size_t index = 0; index < text.size(); ++index) {
        if (text[index] == '%' && index + 2 < text.size()) {
            const int high = hex_value(text[index + 1]);
            const int low = hex_value(text[index + 2]);
            if (high >= 0 && low >= 0) {
                decoded += static_cast<char>(high * 16 + low);
                index += 2;
                continue;
            }
        }
        decoded += text[index];
    }
    return decoded;
}

// The repository-relative path a link path names from `folder`; nullopt when `..` climbs above the root.
std::optional<std::string> resolve(std::string_view folder, std::string_view link_path) {
    std::vector<std::string_view> parts;
    auto push_parts = [&](std::string_view path) {
        size_t begin = 0;
        while (begin <= path.size()) {
            size_t end = path.find('/', begin);
            if (end == std::string_view::npos) end = path.size();
            const std::string_view part = path.substr(begin, end - begin);
            begin = end + 1;
            if (part.empty() || part == ".") continue;
            if (part == "..") {
                if (parts.empty()) return false;
                parts.pop_back();
                continue;
            }
            parts.push_back(part);
        }
        return true;
    };
    // A leading `/` is the repository root, as GitHub renders it.
    if (!link_path.starts_with('/') && !push_parts(folder)) return std::nullopt;
    if (!push_parts(link_path)) return std::nullopt;
    std::string resolved;
    for (const std::string_view part : parts) {
        if (!resolved.empty()) resolved += '/';
        resolved += part;
    }
    return resolved;
}

// `host/owner/name` (lowercased) of the work tree's `origin` remote, from `.git/config`; links to that
// repository's files on its host (`https://github.com/owner/name/blob/main/docs/x.md`) are checked here.
std::optional<std::string> origin_repository(const fs::path& root) {
    util::Result<std::string> config = util::read_file(root / ".git" / "config");
    if (!config) return std::nullopt;
    bool in_origin = false;
    for (const std::string_view raw_line : util::split_lines(*config)) {
        const std::string_view line = util::trim(raw_line);
        if (line.starts_with('[')) {
            in_origin = line == "[remote \"origin\"]";
            continue;
        }
        if (!in_origin || !line.starts_with("url")) continue;
        const size_t equals = line.find('=');
        if (equals == std::string_view::npos) continue;
        std::string_view url = util::trim(line.substr(equals + 1));
        if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) {
            url.remove_prefix(scheme + 3);
            if (const size_t at = url.find('@'); at != std::string_view::npos && at < url.find('/'))
                url.remove_prefix(at + 1);
        } else if (const size_t at = url.find('@'); at != std::string_view::npos) {
            url.remove_prefix(at + 1);  // scp-like: git@github.com:owner/name.git
        }
        std::string repository(url);
        if (const size_t colon = repository.find(':'); colon != std::string::npos) {
            // host:owner/name, or host:port/owner/name
            const size_t slash = repository.find('/', colon);
            const std::string_view after = std::string_view(repository).substr(colon + 1, slash - colon - 1);
            const bool port = !after.empty() && std::all_of(after.begin(), after.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            });
            repository = port && slash != std::string::npos
                             ? repository.substr(0, colon) + repository.substr(slash)
                             : repository.substr(0, colon) + "/" + repository.substr(colon + 1);
        }
        while (repository.ends_with('/')) repository.pop_back();
        if (repository.ends_with(".git")) repository.resize(repository.size() - 4);
        if (std::count(repository.begin(), repository.end(), '/') < 2) return std::nullopt;
        return util::lowercase(repository);
    }
    return std::nullopt;
}

// `https://host/owner/name/blob/REF/path#fragment` (or tree/, raw/) of the origin repository as the
// root-relative link `/path#fragment`; nullopt for every other URL.
std::optional<std::string> as_repository_link(std::string_view url, const std::optional<std::string>& origin) {
    if (!origin) return std::nullopt;
    std::string_view rest = url.substr(url.find("://") + 3);
    if (rest.size() <= origin->size() || util::lowercase(rest.substr(0, origin->size())) != *origin ||
        rest[origin->size()] != '/') {
        return std::nullopt;
    }
    rest.remove_prefix(origin->size() + 1);
    for (const std::string_view view : {"blob/", "tree/", "raw/"}) {
        if (!rest.starts_with(view)) continue;
        rest.remove_prefix(view.size());
        const size_t ref_end = rest.find_first_of("/?#");
        if (ref_end == std::string_view::npos) return std::string("/");
        rest.remove_prefix(ref_end);
        return rest.starts_with('/') ? std::string(rest) : "/" + std::string(rest);
    }
    return std::nullopt;
}

// How `target` is written from a file in `folder`: what a did-you-mean should propose.
std::string relative_link(std::string_view folder, std::string_view target) {
    const std::string relative = fs::path(std::string(target))
                                     .lexically_relative(fs::path(folder.empty() ? "." : std::string(folder)))
                                     .generic_string();
    return relative.empty() ? std::string(target) : relative;
}

struct LineRange {
    long first = 0;
    long last = 0;
};

// GitHub's line anchors: `L10`, `L10-L20`, and the same with columns (`L10C2-L12C5`).
std::optional<LineRange> parse_line_anchor(std::string_view fragment) {
    auto parse_one = [](std::string_view& text) -> std::optional<long> {
        if (!text.starts_with('L')) return std::nullopt;
        text.remove_prefix(1);
        long value = 0;
        size_t digits = 0;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits])) && digits < 9) {
            value = value * 10 + (text[digits] - '0');
            ++digits;
        }
        if (digits == 0) return std::nullopt;
        text.remove_prefix(digits);
        if (text.starts_with('C')) {
            size_t column_digits = 1;
            while (column_digits < text.size() && std::isdigit(static_cast<unsigned char>(text[column_digits]))) {
                ++column_digits;
            }
            if (column_digits == 1) return std::nullopt;
            text.remove_prefix(column_digits);
        }
        return value;
    };
    std::string_view rest = fragment;
    const std::optional<long> first = parse_one(rest);
    if (!first) return std::nullopt;
    LineRange range{*first, *first};
    if (rest.starts_with('-')) {
        rest.remove_prefix(1);
        const std::optional<long> last = parse_one(rest);
        if (!last) return std::nullopt;
        range.last = *last;
    }
    if (!rest.empty()) return std::nullopt;
    return range;
}

long count_lines(std::string_view text) {
    if (text.empty()) return 0;
    const long newlines = static_cast<long>(std::count(text.begin(), text.end(), '\n'));
    return text.back() == '\n' ? newlines : newlines + 1;
}

// What a fragment can point at in one file.
struct TargetAnchors {
    std::vector<std::string> anchors;  // in document order, for did-you-mean
    std::unordered_set<std::string> lookup;
    long lines = 0;
    bool readable = true;
};

std::shared_ptr<const TargetAnchors> make_target(std::string_view text, std::vector<std::string> anchors) {
    auto target = std::make_shared<TargetAnchors>();
    target->lines = count_lines(text);
    target->anchors = std::move(anchors);
    target->lookup.insert(target->anchors.begin(), target->anchors.end());
    return target;
}

// One Markdown file of the check, read and scanned once.
struct ScannedFile {
    std::string path;
    MarkdownDocument document;
    std::shared_ptr<const TargetAnchors> target;
    std::optional<std::string> read_error;
};

// The repository as links see it: its files, the folders they are in, and the anchors of each target,
// computed once per target and shared by the threads.
class Repository {
public:
    Repository(fs::path root, const std::vector<std::string>& files)
        : m_root(std::move(root)), m_origin(origin_repository(m_root)) {
        m_files.insert(files.begin(), files.end());
        m_folders.insert("");
        for (const std::string& file : files) {
            std::string_view child = file;
            for (std::string_view folder = parent_of(child);; folder = parent_of(folder)) {
                m_children[std::string(folder)].emplace_back(name_of(child));
                if (!m_folders.insert(std::string(folder)).second || folder.empty()) break;
                child = folder;
            }
            m_files_by_name[std::string(name_of(file))].push_back(file);
        }
    }

    const std::optional<std::string>& origin() const { return m_origin; }
    bool is_file(const std::string& path) const { return m_files.contains(path); }
    bool is_folder(const std::string& path) const { return m_folders.contains(path); }

    void add_scanned(const ScannedFile& file) {
        if (file.target) m_targets.emplace(file.path, file.target);
    }

    // The anchors and line count of a file, read on first use when it was not one of the scanned files.
    std::shared_ptr<const TargetAnchors> target(const std::string& path) {
        std::lock_guard lock(m_mutex);
        if (const auto found = m_targets.find(path); found != m_targets.end()) return found->second;
        std::shared_ptr<const TargetAnchors> target;
        util::Result<std::string> text = util::read_file(m_root / path);
        if (!text) {
            auto unreadable = std::make_shared<TargetAnchors>();
            unreadable->readable = false;
            target = unreadable;
        } else {
            target = make_target(*text, is_markdown(path) ? scan_markdown(*text).anchors : std::vector<std::string>{});
        }
        m_targets.emplace(path, target);
        return target;
    }

    // The nearest existing path to a missing one: a near name in the same folder, the same name in a
    // near folder, or the same name anywhere.
    std::optional<std::string> nearest(const std::string& missing) const {
        const std::string folder(parent_of(missing));
        const std::string name(name_of(missing));
        if (const auto children = m_children.find(folder); children != m_children.end()) {
            if (const auto near = util::did_you_mean(name, children->second)) return join(folder, *near);
        }
        if (!m_folders.contains(folder)) {
            std::vector<std::string> folders(m_folders.begin(), m_folders.end());
            if (const auto near_folder = util::did_you_mean(folder, folders)) {
                const std::string candidate = join(*near_folder, name);
                if (m_files.contains(candidate) || m_folders.contains(candidate)) return candidate;
            }
        }
        if (const auto same_name = m_files_by_name.find(name); same_name != m_files_by_name.end()) {
            return same_name->second.front();
        }
        return std::nullopt;
    }

    bool exists_on_disk(const std::string& path) const {
        std::error_code error;
        return fs::exists(m_root / path, error);
    }

private:
    static std::string join(const std::string& folder, const std::string& name) {
        return folder.empty() ? name : folder + "/" + name;
    }

    fs::path m_root;
    std::optional<std::string> m_origin;
    std::unordered_set<std::string> m_files;
    std::unordered_set<std::string> m_folders;
    std::unordered_map<std::string, std::vector<std::string>> m_children;
    std::unordered_map<std::string, std::vector<std::string>> m_files_by_name;
    std::mutex m_mutex;
    std::unordered_map<std::string, std::shared_ptr<const TargetAnchors>> m_targets;
};

// What checking one file's links found.
struct FileResult {
    std::vector<Finding> findings;
    std::vector<ExternalLink> external;
    std::uint64_t checked = 0;
};

Finding make_finding(std::string rule, const ScannedFile& file, const MarkdownLink& link, std::string message) {
    Finding finding;
    finding.rule = std::move(rule);
    finding.path = file.path;
    finding.line = link.line;
    finding.column = link.column;
    finding.message = std::move(message);
    return finding;
}

void check_fragment(const ScannedFile& file, const MarkdownLink& link, const std::string& target_path,
                    const std::string& fragment, Repository& repository, FileResult& result) {
    // `#` alone and `#top` scroll to the top of the page in every browser.
    if (fragment.empty() || fragment == "top") return;
    const std::shared_ptr<const TargetAnchors> target =
        target_path == file.path && file.target ? file.target : repository.target(target_path);
    if (!target->readable) return;
    const bool self = target_path == file.path;
    const std::string where = self ? "this file" : fmt::format("`{}`", target_path);
    if (const std::optional<LineRange> range = parse_line_anchor(fragment)) {
        if (range->first >= 1 && range->last >= range->first && range->last <= target->lines) return;
        result.findings.push_back(make_finding(
            "bad-line-anchor", file, link,
            fmt::format("line anchor `#{}` points past the end of {}: expected lines 1 to {} (L<first>-L<last>, "
                        "first <= last), found {}",
                        fragment, where, target->lines,
                        range->first == range->last ? fmt::format("line {}", range->first)
                                                    : fmt::format("lines {} to {}", range->first, range->last))));
        return;
    }
    // Only Markdown has anchors greenlight can know; other files' fragments are left to the browser.
    if (!is_markdown(target_path)) return;
    // GitHub finds a heading whatever the case of the fragment (`#Foo-Bar` reaches `## Foo Bar`), and heading
    // anchors are lowercase: a fragment counts when it or its lowercase form is an anchor.
    if (target->lookup.contains(fragment) || target->lookup.contains(util::lowercase(fragment))) return;
    Finding finding = make_finding(
        "missing-anchor", file, link,
        fmt::format("no heading or HTML id in {} has the anchor `#{}` (GitHub's anchor of a heading is its text "
                    "lowercased, punctuation removed, spaces as `-`)",
                    where, fragment));
    if (const auto near = util::did_you_mean(fragment, target->anchors)) {
        finding.suggestion = (self ? "#" : relative_link(parent_of(file.path), target_path) + "#") + *near;
    }
    result.findings.push_back(std::move(finding));
}

// Whether http(s) links are gathered for the online check or left alone.
enum class HttpLinks { skip, collect };

void check_link(const ScannedFile& file, const MarkdownLink& link, HttpLinks http_links, Repository& repository,
                FileResult& result) {
    if (link.destination.empty()) return;
    std::string destination = link.destination;
    if (has_scheme(destination) || destination.starts_with("//")) {
        if (!is_http(destination)) return;
        std::optional<std::string> local = as_repository_link(destination, repository.origin());
        if (!local) {
            if (http_links == HttpLinks::collect)
                result.external.push_back({destination, file.path, link.line, link.column});
            return;
        }
        destination = std::move(*local);
    }
    ++result.checked;
    const size_t hash = destination.find('#');
    const std::string fragment =
        hash == std::string::npos ? std::string() : percent_decode(destination.substr(hash + 1));
    std::string_view path_part = std::string_view(destination).substr(0, hash);
    if (const size_t query = path_part.find('?'); query != std::string_view::npos)
        path_part = path_part.substr(0, query);
    if (path_part.empty()) {
        check_fragment(file, link, file.path, fragment, repository, result);
        return;
    }
    const std::string decoded = percent_decode(path_part);
    const std::optional<std::string> target = resolve(parent_of(file.path), decoded);
    if (!target) {
        result.findings.push_back(make_finding(
            "link-escapes-repository", file, link,
            fmt::format("link `{}` leaves the repository: expected a path inside it (GitHub shows such links as "
                        "broken); link to the file's URL instead, or move the file into the repository",
                        link.destination)));
        return;
    }
    if (repository.is_file(*target)) {
        check_fragment(file, link, *target, fragment, repository, result);
        return;
    }
    if (repository.is_folder(*target)) {
        // GitHub shows a folder's README under its listing, so a folder's fragment is the README's.
        const std::string readme = target->empty() ? "README.md" : *target + "/README.md";
        if (!fragment.empty() && repository.is_file(readme))
            check_fragment(file, link, readme, fragment, repository, result);
        return;
    }
    const bool on_disk = repository.exists_on_disk(*target);
    Finding finding = make_finding(
        "broken-link", file, link,
        fmt::format("link `{}`{}: expected a file or folder of the repository, found {}", link.destination,
                    *target == decoded && destination == link.destination ? std::string()
                                                                          : fmt::format(" (resolved to `{}`)", *target),
                    on_disk ? "a path that exists on disk but is not part of the repository (ignored by git?)"
                            : "nothing at that path"));
    if (const std::optional<std::string> near = repository.nearest(*target)) {
        finding.suggestion = relative_link(parent_of(file.path), *near);
        if (!fragment.empty()) finding.suggestion += "#" + fragment;
    }
    result.findings.push_back(std::move(finding));
}

}  // namespace

CheckOutcome run_links_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "links";
    std::vector<std::string> repository_file_list = context.files;
    if (repository_file_list.empty()) {
        util::Result<std::vector<std::string>> listed = repository_files(context.root);
        if (!listed) {
            outcome.error = listed.message();
            return outcome;
        }
        repository_file_list = std::move(*listed);
    }
    const std::vector<std::string> default_paths{std::string(k_default_paths)};
    const std::vector<std::string> selected =
        select_files(repository_file_list, check.paths.empty() ? default_paths : check.paths, check.exclude);

    std::vector<ScannedFile> scanned(selected.size());
    util::for_each_index_in_parallel(selected.size(), util::worker_threads(8), [&](size_t index) {
        ScannedFile& file = scanned[index];
        file.path = selected[index];
        util::Result<std::string> text = util::read_file(context.root / file.path);
        if (!text) {
            file.read_error = text.message();
            return;
        }
        file.document = scan_markdown(*text);
        file.target = make_target(*text, file.document.anchors);
    });

    Repository repository(context.root, repository_file_list);
    std::uint64_t anchors = 0;
    for (const ScannedFile& file : scanned) {
        repository.add_scanned(file);
        anchors += file.document.anchors.size();
    }

    std::vector<FileResult> results(scanned.size());
    util::for_each_index_in_parallel(scanned.size(), util::worker_threads(8), [&](size_t index) {
        const ScannedFile& file = scanned[index];
        if (file.read_error) {
            Finding finding;
            finding.rule = "unreadable-file";
            finding.path = file.path;
            finding.message = fmt::format("expected a readable Markdown file, found an error: {}", *file.read_error);
            results[index].findings.push_back(std::move(finding));
            return;
        }
        for (const MarkdownLink& link : file.document.links) {
            check_link(file, link, context.online ? HttpLinks::collect : HttpLinks::skip, repository, results[index]);
        }
    });

    std::vector<ExternalLink> external;
    for (FileResult& result : results) {
        outcome.examined += result.checked;
        std::move(result.findings.begin(), result.findings.end(), std::back_inserter(outcome.findings));
        std::move(result.external.begin(), result.external.end(), std::back_inserter(external));
    }
    if (context.online && !external.empty()) {
        OnlineOptions options;
        if (!context.cache_directory.empty()) options.cache_file = context.cache_directory / k_online_cache_name;
        OnlineOutcome online = check_online_links(external, options);
        outcome.examined += external.size();
        std::move(online.findings.begin(), online.findings.end(), std::back_inserter(outcome.findings));
        outcome.counts.emplace_back("urls", online.checked);
        if (online.unverified > 0) {
            outcome.details += fmt::format(
                "{} URL(s) could not be verified: the server kept answering 429 Too Many "
                "Requests; run again later\n",
                online.unverified);
        }
    }
    std::stable_sort(outcome.findings.begin(), outcome.findings.end(), [](const Finding& a, const Finding& b) {
        return std::tie(a.path, a.line, a.column) < std::tie(b.path, b.line, b.column);
    });
    outcome.counts.insert(outcome.counts.begin(), {{"files", scanned.size()}, {"anchors", anchors}});
    return outcome;
}

}  // namespace greenlight::hygiene
