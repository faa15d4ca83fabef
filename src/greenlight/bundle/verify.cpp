#include "greenlight/bundle/verify.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <system_error>
#include <vector>

#include "greenlight/bundle/archive_path.hpp"
#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/bundle/links.hpp"
#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/utf8_locale.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/sha256.hpp"

namespace greenlight::bundle {

namespace {

namespace fs = std::filesystem;

// A manifest bigger than this is not one greenlight wrote; refusing it keeps memory bounded.
constexpr std::uint64_t k_largest_manifest_bytes = 512ull << 20;

struct SeenFile {
    std::uint64_t size = 0;
    std::optional<std::string> sha256;  // empty while not (yet) hashed
};

// What a bundle holds, gathered from a folder or an archive, before it is held against its manifest.
struct BundleContents {
    std::optional<std::string> manifest_json;
    std::optional<std::string> manifest_sha256;
    std::map<std::string, SeenFile> files;  // plain files by bundle-relative path, manifests excluded
    std::set<std::string> not_plain;        // present but not a plain file (links, devices)
    LinkTable links;                        // symlinks by bundle-relative path, with their targets
};

bool is_manifest_file(std::string_view relative_path) {
    return relative_path == k_manifest_json || relative_path == k_manifest_sha256;
}

// Parses `<sha256>  <path>` lines into path -> digest; a malformed line is a problem, not skipped silently.
std::map<std::string, std::string> read_sha256_lines(std::string_view text, VerifyReport& report) {
    std::map<std::string, std::string> digests;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.size() < 67 || !is_sha256_hex(line.substr(0, 64)) || line.substr(64, 2) != "  ") {
            report.problems.push_back(fmt::format("{} line {}: expected `<64 hex digits>  <path>`, found `{}`",
                                                  k_manifest_sha256, line_number, line.substr(0, 120)));
            continue;
        }
        std::string path(line.substr(66));
        if (!digests.emplace(path, std::string(line.substr(0, 64))).second) {
            report.problems.push_back(fmt::format("{}: {} is listed more than once", k_manifest_sha256, path));
        }
    }
    return digests;
}

// Both manifest files must say the same thing: a tool that checks only one of them must not be fooled.
void compare_manifest_files(const ManifestReading& reading, std::string_view sha256_text, VerifyReport& report) {
    std::map<std::string, std::string> lines = read_sha256_lines(sha256_text, report);
    std::map<std::string_view, std::string_view> from_json;
    for (const ManifestEntry& entry : reading.manifest.files) from_json.emplace(entry.path, entry.sha256);
    std::set<std::string_view> links;
    for (const ManifestLink& link : reading.manifest.links) links.insert(link.path);

    for (const auto& [path, digest] : lines) {
        if (!reading.listed_paths.contains(path)) {
            report.problems.push_back(
                fmt::format("{} lists {}, {} does not", k_manifest_sha256, path, k_manifest_json));
            continue;
        }
        if (links.contains(path)) {
            report.problems.push_back(fmt::format("{} gives a sha256 for {}, which {} lists as a link",
                                                  k_manifest_sha256, path, k_manifest_json));
            continue;
        }
        auto listed = from_json.find(path);
        if (listed != from_json.end() && listed->second != digest) {
            report.problems.push_back(
                fmt::format("{} disagrees with {} on the sha256 of {}", k_manifest_sha256, k_manifest_json, path));
        }
    }
    for (const auto& [path, digest] : from_json) {
        if (!lines.contains(std::string(path))) {
            report.problems.push_back(
                fmt::format("{} does not list {}, {} does", k_manifest_sha256, path, k_manifest_json));
        }
    }
}

// Reads both manifest files of `contents`, recording their faults; the answer is empty when there is
// no manifest to hold the bundle against.
std::optional<ManifestReading> read_manifests(const BundleContents& contents, VerifyReport& report) {
    if (!contents.manifest_json) {
        report.problems.push_back(
            fmt::format("no {} at the bundle root: the bundle was not finished (`greenlight manifest DIR` writes one)",
                        k_manifest_json));
        return std::nullopt;
    }
    ManifestReading reading = read_manifest_json(*contents.manifest_json);
    report.problems.insert(report.problems.end(), reading.problems.begin(), reading.problems.end());
    report.unsafe.insert(report.unsafe.end(), reading.unsafe.begin(), reading.unsafe.end());
    if (!reading.usable) return std::nullopt;
    if (!contents.manifest_sha256) {
        report.problems.push_back(
            fmt::format("no {} at the bundle root beside {}", k_manifest_sha256, k_manifest_json));
    } else {
        compare_manifest_files(reading, *contents.manifest_sha256, report);
    }
    return reading;
}

// Holds every listed file against what was found; `contents.files` must carry digests for the
// listed files whose size matched.
void compare_with_manifest(const ManifestReading& reading, const BundleContents& contents, VerifyReport& report) {
    for (const ManifestEntry& entry : reading.manifest.files) {
        if (contents.not_plain.contains(entry.path)) continue;
        auto found = contents.files.find(entry.path);
        if (found == contents.files.end()) {
            report.missing.push_back(entry.path);
            continue;
        }
        const SeenFile& seen = found->second;
        if (seen.size != entry.size) {
            report.modified.push_back(fmt::format("{} (size {}, manifest says {})", entry.path, seen.size, entry.size));
        } else if (!seen.sha256) {
            continue;  // could not be read; the reason is already among the problems
        } else if (*seen.sha256 != entry.sha256) {
            report.modified.push_back(fmt::format("{} (sha256 differs)", entry.path));
        } else {
            ++report.files_checked;
        }
    }
    for (const auto& [path, seen] : contents.files) {
        if (!reading.listed_paths.contains(path)) report.extra.push_back(path);
    }
}

// Holds the links found against the links listed: a link is kept when it stays inside the bundle and
// points where the manifest says; one that leads out is unsafe whether listed or not.
void compare_links(const ManifestReading& reading, const BundleContents& contents, VerifyReport& report) {
    std::map<std::string_view, std::string_view> listed_links;
    for (const ManifestLink& link : reading.manifest.links) listed_links.emplace(link.path, link.target);
    for (const auto& [path, target] : contents.links) {
        auto listed = listed_links.find(path);
        if (!check_link_stays_inside(contents.links, path)) {
            report.unsafe.push_back(fmt::format("{}: symlink to {} leaves the bundle", path, target));
        } else if (listed != listed_links.end()) {
            if (listed->second == target) {
                ++report.links_checked;
            } else {
                report.modified.push_back(
                    fmt::format("{} (symlink to {}, manifest says to {})", path, target, listed->second));
            }
        } else if (reading.listed_paths.contains(path)) {
            report.unsafe.push_back(fmt::format("{}: listed as a file but is a symlink (to {})", path, target));
        } else {
            report.extra.push_back(path);
        }
    }
    for (const auto& [path, target] : listed_links) {
        if (contents.links.contains(path)) continue;
        if (contents.files.contains(std::string(path))) {
            report.modified.push_back(fmt::format("{} (a plain file, manifest says a symlink to {})", path, target));
        } else if (!contents.not_plain.contains(std::string(path))) {
            report.missing.push_back(std::string(path));
        }
    }
}

// ---- folders ----

std::string describe_special(fs::file_type type) {
    switch (type) {
        case fs::file_type::block:
            return "block device";
        case fs::file_type::character:
            return "character device";
        case fs::file_type::fifo:
            return "fifo";
        case fs::file_type::socket:
            return "socket";
        default:
            return "special file";
    }
}

// Walks a bundle folder without following links; links and devices are reported where they stand.
void walk_folder(const fs::path& root, BundleContents& contents, VerifyReport& report) {
    std::error_code error;
    fs::recursive_directory_iterator walker(root, fs::directory_options::none, error);
    for (; !error && walker != fs::recursive_directory_iterator(); walker.increment(error)) {
        const fs::directory_entry& entry = *walker;
        std::error_code status_error;
        fs::file_status status = entry.symlink_status(status_error);
        std::string relative = entry.path().lexically_relative(root).generic_string();
        if (status_error) {
            report.problems.push_back(fmt::format("cannot inspect {}: {}", relative, status_error.message()));
            continue;
        }
        if (fs::is_directory(status)) continue;
        if (is_manifest_file(relative)) continue;  // read and judged before the walk
        if (fs::is_symlink(status)) {
            // Judged once the whole folder is known: where a link leads can depend on other links.
            contents.not_plain.insert(relative);
            fs::path target = fs::read_symlink(entry.path(), status_error);
            contents.links.emplace(std::move(relative), status_error ? std::string() : target.string());
            continue;
        }
        if (!fs::is_regular_file(status)) {
            contents.not_plain.insert(relative);
            report.unsafe.push_back(fmt::format("{}: {} in a bundle of files, folders and links", relative,
                                                describe_special(status.type())));
            continue;
        }
        std::uint64_t size = entry.file_size(status_error);
        if (status_error) {
            report.problems.push_back(fmt::format("cannot inspect {}: {}", relative, status_error.message()));
            continue;
        }
        contents.files.emplace(std::move(relative), SeenFile{size, std::nullopt});
    }
    if (error) report.problems.push_back(fmt::format("cannot list {}: {}", root.string(), error.message()));
}

// Reads a manifest file at the bundle root; a link there is unsafe, not followed.
std::optional<std::string> read_root_manifest(const fs::path& root, const char* name, VerifyReport& report) {
    std::error_code error;
    fs::file_status status = fs::symlink_status(root / name, error);
    if (!fs::exists(status)) return std::nullopt;
    if (!fs::is_regular_file(status)) {
        report.unsafe.push_back(fmt::format("{}: not a plain file", name));
        return std::nullopt;
    }
    if (fs::file_size(root / name, error) > k_largest_manifest_bytes) {
        report.problems.push_back(fmt::format("{} is larger than {} bytes", name, k_largest_manifest_bytes));
        return std::nullopt;
    }
    auto text = util::read_file(root / name);
    if (!text) {
        report.problems.push_back(text.message());
        return std::nullopt;
    }
    return std::move(*text);
}

void verify_folder(const fs::path& folder, int jobs, VerifyReport& report) {
    std::error_code error;
    fs::path root = fs::canonical(folder, error);
    if (error) {
        report.problems.push_back(fmt::format("cannot open {}: {}", folder.string(), error.message()));
        return;
    }
    BundleContents contents;
    contents.manifest_json = read_root_manifest(root, k_manifest_json, report);
    contents.manifest_sha256 = read_root_manifest(root, k_manifest_sha256, report);
    std::optional<ManifestReading> reading = read_manifests(contents, report);
    if (!reading) return;

    walk_folder(root, contents, report);

    // Only listed files of the right size need hashing: any other answer is already known.
    std::vector<FileToHash> to_hash;
    for (const ManifestEntry& entry : reading->manifest.files) {
        auto found = contents.files.find(entry.path);
        if (found != contents.files.end() && found->second.size == entry.size) {
            to_hash.push_back({entry.path, entry.size});
        }
    }
    std::vector<util::Result<util::FileDigest>> digests = hash_files(root, to_hash, jobs);
    for (std::size_t i = 0; i < to_hash.size(); ++i) {
        SeenFile& seen = contents.files[to_hash[i].path];
        if (!digests[i]) {
            report.problems.push_back(digests[i].message());
            continue;
        }
        // The file may have changed between the walk and the read; the bytes hashed are what count.
        seen.size = digests[i]->size;
        seen.sha256 = digests[i]->sha256;
    }
    compare_with_manifest(*reading, contents, report);
    compare_links(*reading, contents, report);
}

// ---- archives ----

struct ArchiveReaderDeleter {
    void operator()(archive* reader) const { archive_read_free(reader); }
};

std::string archive_message(archive* reader) {
    const char* message = archive_error_string(reader);
    return message ? message : "unknown error";
}

std::string describe_entry_type(mode_t type) {
    switch (type) {
        case AE_IFCHR:
            return "character device";
        case AE_IFBLK:
            return "block device";
        case AE_IFIFO:
            return "fifo";
        case AE_IFSOCK:
            return "socket";
        default:
            return "entry of unknown type";
    }
}

// Streams the current entry's data into a hash; the answer is empty when the stream broke.
std::optional<SeenFile> hash_entry_data(archive* reader, VerifyReport& report, std::optional<std::string>* keep) {
    util::Sha256 hasher;
    SeenFile seen;
    std::string kept;
    while (true) {
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        int status = archive_read_data_block(reader, &block, &size, &offset);
        if (status == ARCHIVE_EOF) break;
        if (status < ARCHIVE_WARN) {
            report.problems.push_back(fmt::format("cannot read the archive: {}", archive_message(reader)));
            return std::nullopt;
        }
        // Sparse entries come with offsets; bundles have none, and holes would be hashed wrong.
        if (static_cast<std::uint64_t>(offset) != seen.size) {
            report.problems.push_back("the archive holds a sparse entry, which greenlight pack never writes");
            return std::nullopt;
        }
        hasher.update(block, size);
        seen.size += size;
        if (keep) {
            if (seen.size > k_largest_manifest_bytes) {
                report.problems.push_back(
                    fmt::format("a manifest in the archive is larger than {} bytes", k_largest_manifest_bytes));
                return std::nullopt;
            }
            kept.append(static_cast<const char*>(block), size);
        }
    }
    seen.sha256 = hasher.hex_digest();
    if (keep) *keep = std::move(kept);
    return seen;
}

// Reads a .tar.gz as a stream, never touching the disk; the manifest may come anywhere in it, so
// every file is hashed and held in memory as (size, sha256) until the end.
void verify_archive(const fs::path& path, VerifyReport& report) {
    ScopedUtf8Locale utf8_names;
    std::unique_ptr<archive, ArchiveReaderDeleter> reader(archive_read_new());
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_format_tar(reader.get());
    if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
        report.problems.push_back(
            fmt::format("cannot read {} as a .tar.gz: {}", path.string(), archive_message(reader.get())));
        return;
    }

    BundleContents contents;
    std::optional<std::string> top_folder;
    archive_entry* entry = nullptr;
    while (true) {
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status < ARCHIVE_WARN) {
            report.problems.push_back(fmt::format("cannot read {}: {}", path.string(), archive_message(reader.get())));
            break;
        }
        const char* raw_name = archive_entry_pathname(entry);
        if (!raw_name) raw_name = archive_entry_pathname_utf8(entry);
        if (!raw_name) {
            report.problems.push_back("the archive has an entry whose name cannot be read");
            continue;
        }
        std::string name = raw_name;
        mode_t type = archive_entry_filetype(entry);

        auto split =
            split_archive_path(name, type == AE_IFDIR ? ArchiveEntryKind::folder : ArchiveEntryKind::not_folder);
        if (!split) {
            report.unsafe.push_back(fmt::format("{}: {}", name, split.message()));
            continue;
        }
        const std::string& top = split->top_folder;
        const std::string& relative = split->relative;
        if (!top_folder) top_folder = top;
        if (top != *top_folder || (relative.empty() && type != AE_IFDIR)) {
            report.unsafe.push_back(
                fmt::format("{}: not inside the archive's single top folder {}/", name, *top_folder));
            continue;
        }

        // pack never writes hard links, so one is refused rather than reasoned about.
        if (const char* hardlink = archive_entry_hardlink(entry)) {
            contents.not_plain.insert(relative);
            report.unsafe.push_back(
                fmt::format("{}: hard link entry (to {}); a bundle archive holds only files, folders and symlinks",
                            name, hardlink));
            continue;
        }
        if (type == AE_IFLNK) {
            // Judged at the end, as in a folder: where a link leads can depend on links later in the archive.
            const char* target = archive_entry_symlink(entry);
            contents.not_plain.insert(relative);
            if (!contents.links.emplace(relative, target ? target : "").second) {
                report.problems.push_back(fmt::format("{} appears more than once in the archive", relative));
            }
            continue;
        }
        if (type == AE_IFDIR) continue;
        if (type != AE_IFREG) {
            contents.not_plain.insert(relative);
            report.unsafe.push_back(fmt::format("{}: {} in a bundle archive", name, describe_entry_type(type)));
            continue;
        }

        std::optional<std::string>* keep = nullptr;
        if (relative == k_manifest_json) keep = &contents.manifest_json;
        if (relative == k_manifest_sha256) keep = &contents.manifest_sha256;
        if (keep && *keep) {
            report.problems.push_back(fmt::format("{} appears more than once in the archive", relative));
            continue;
        }
        std::optional<SeenFile> seen = hash_entry_data(reader.get(), report, keep);
        if (!seen) break;
        if (keep) continue;
        if (!contents.files.emplace(relative, std::move(*seen)).second) {
            report.problems.push_back(fmt::format("{} appears more than once in the archive", relative));
        }
    }

    std::optional<ManifestReading> reading = read_manifests(contents, report);
    if (!reading) return;
    compare_with_manifest(*reading, contents, report);
    compare_links(*reading, contents, report);
}

std::size_t count_faults(const VerifyReport& report) {
    return report.missing.size() + report.extra.size() + report.modified.size() + report.unsafe.size() +
           report.problems.size();
}

}  // namespace

VerifyReport verify_bundle(const std::filesystem::path& path, int jobs) {
    VerifyReport report;
    std::error_code error;
    fs::file_status status = fs::status(path, error);
    if (fs::is_directory(status)) {
        verify_folder(path, jobs, report);
    } else if (fs::is_regular_file(status)) {
        verify_archive(path, report);
    } else if (!fs::exists(status)) {
        report.problems.push_back(
            fmt::format("{} does not exist: expected a bundle folder or a .tar.gz", path.string()));
    } else {
        report.problems.push_back(fmt::format("{} is neither a bundle folder nor a .tar.gz file", path.string()));
    }
    // Sorted so that the report reads the same whatever order the folder or archive listed things in.
    for (auto* list : {&report.missing, &report.extra, &report.modified, &report.unsafe}) {
        std::sort(list->begin(), list->end());
    }
    return report;
}

std::string format_verify_report(const VerifyReport& report, const std::filesystem::path& path) {
    std::string text;
    auto add_lines = [&](std::string_view label, const std::vector<std::string>& lines) {
        for (const std::string& line : lines) text += fmt::format("{}: {}\n", label, line);
    };
    add_lines("missing", report.missing);
    add_lines("extra", report.extra);
    add_lines("modified", report.modified);
    add_lines("unsafe", report.unsafe);
    add_lines("problem", report.problems);
    if (report.ok()) {
        std::string links = report.links_checked == 0 ? std::string()
                                                      : fmt::format(" and {} link{}", report.links_checked,
                                                                    report.links_checked == 1 ? "" : "s");
        text += fmt::format("OK: verified {} file{}{} in {}\n", report.files_checked,
                            report.files_checked == 1 ? "" : "s", links, path.string());
    } else {
        std::size_t faults = count_faults(report);
        text += fmt::format("FAILED: {} problem{} in {}\n", faults, faults == 1 ? "" : "s", path.string());
    }
    return text;
}

}  // namespace greenlight::bundle
