#include "greenlight/bundle/manifest.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/bundle/links.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bundle {

namespace {

namespace fs = std::filesystem;

bool is_manifest_file(std::string_view relative_path) {
    return relative_path == k_manifest_json || relative_path == k_manifest_sha256;
}

std::string describe_file_type(fs::file_type type) {
    switch (type) {
        case fs::file_type::block:
            return "a block device";
        case fs::file_type::character:
            return "a character device";
        case fs::file_type::fifo:
            return "a fifo";
        case fs::file_type::socket:
            return "a socket";
        default:
            return "not a regular file";
    }
}

struct BundleListing {
    std::vector<FileToHash> files;
    LinkTable links;
};

// Lists the regular files and links of a bundle folder, refusing anything else that is not a folder.
util::Result<BundleListing> list_bundle_files(const fs::path& dir) {
    std::error_code error;
    // The folder itself may be reached through a link (a symlinked artifacts folder); only its contents must be plain.
    if (!fs::is_directory(fs::status(dir, error))) {
        return util::make_error(fmt::format("{} is not a folder", dir.string()));
    }
    BundleListing listing;
    fs::recursive_directory_iterator walker(dir, fs::directory_options::none, error);
    for (; !error && walker != fs::recursive_directory_iterator(); walker.increment(error)) {
        const fs::directory_entry& entry = *walker;
        fs::file_status status = entry.symlink_status(error);
        if (error) break;
        std::string relative = entry.path().lexically_relative(dir).generic_string();
        if (fs::is_directory(status)) continue;
        if (!fs::is_regular_file(status) && !fs::is_symlink(status)) {
            return util::make_error(fmt::format("{} is {}: a bundle may hold only plain files, links and folders",
                                                entry.path().string(), describe_file_type(status.type())));
        }
        if (is_manifest_file(relative)) continue;
        if (auto listable = check_name_can_be_listed(relative); !listable) {
            return util::make_error(fmt::format("cannot list {} in a manifest: its name has {}; rename it",
                                                entry.path().string(), listable.message()));
        }
        if (fs::is_symlink(status)) {
            fs::path target = fs::read_symlink(entry.path(), error);
            if (error) break;
            std::string target_text = target.string();
            // Where a target leads is judged below; here only its bytes must survive JSON unchanged.
            if (!is_valid_utf8(target_text) || std::any_of(target_text.begin(), target_text.end(), [](char c) {
                    return static_cast<unsigned char>(c) < 0x20;
                })) {
                return util::make_error(fmt::format(
                    "cannot list the link {} in a manifest: its target has a control character or bytes that are "
                    "not UTF-8",
                    entry.path().string()));
            }
            listing.links.emplace(std::move(relative), std::move(target_text));
            continue;
        }
        std::uint64_t size = entry.file_size(error);
        if (error) break;
        listing.files.push_back({std::move(relative), size});
    }
    if (error) {
        return util::make_error(fmt::format("cannot list {}: {}", dir.string(), error.message()));
    }
    for (const auto& [path, target] : listing.links) {
        if (auto inside = check_link_stays_inside(listing.links, path); !inside) {
            return util::make_error(fmt::format("{} is {}: a bundle keeps only links that stay inside it",
                                                (dir / path).string(), inside.message()));
        }
    }
    std::sort(listing.files.begin(), listing.files.end(),
              [](const FileToHash& left, const FileToHash& right) { return left.path < right.path; });
    return listing;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; the user needs only the rest.
std::string plain_json_message(const std::exception& exception) {
    std::string_view text = exception.what();
    if (text.starts_with("[json.exception.")) {
        std::size_t end = text.find("] ");
        if (end != std::string_view::npos) text.remove_prefix(end + 2);
    }
    return std::string(text);
}

bool has_path_string(const nlohmann::json& item) {
    auto path = item.is_object() ? item.find("path") : item.end();
    return path != item.end() && path->is_string();
}

// The `path` of entry `index` of the manifest's `list` ("files" or "links") once it is a string, listed once and
// safe to look up (checked before anything else about the entry: an unsafe path is never looked up); else the
// problem is recorded and nothing returned.
std::optional<std::string> entry_path(const nlohmann::json& item, const char* list, std::size_t index,
                                      ManifestReading& reading) {
    if (!has_path_string(item)) {
        reading.problems.push_back(fmt::format("{}: {}[{}] has no \"path\" string", k_manifest_json, list, index));
        return std::nullopt;
    }
    std::string path_text = item["path"].get<std::string>();
    if (!reading.listed_paths.insert(path_text).second) {
        reading.problems.push_back(fmt::format("{}: {} is listed more than once", k_manifest_json, path_text));
        return std::nullopt;
    }
    if (!util::is_safe_relative_path(path_text)) {
        reading.unsafe.push_back(
            fmt::format("{}: manifest path is absolute or has an empty, '.' or '..' part", path_text));
        return std::nullopt;
    }
    return path_text;
}

// Reads manifest.json's optional `links`; a link whose target leaves the bundle is unsafe, named by its path.
void read_links(const nlohmann::json& document, ManifestReading& reading) {
    auto links = document.find("links");
    if (links == document.end()) return;
    if (!links->is_array()) {
        reading.problems.push_back(fmt::format("{}: expected \"links\" to be an array", k_manifest_json));
        return;
    }
    LinkTable table;
    for (std::size_t index = 0; index < links->size(); ++index) {
        const nlohmann::json& item = (*links)[index];
        auto checked_path = entry_path(item, "links", index, reading);
        if (!checked_path) continue;
        const std::string& path_text = *checked_path;
        if (is_manifest_file(path_text)) {
            reading.problems.push_back(fmt::format("{}: lists {} as a link", k_manifest_json, path_text));
            continue;
        }
        auto type = item.find("type");
        if (type == item.end() || *type != k_link_type_symlink) {
            reading.problems.push_back(
                fmt::format("{}: link {} needs \"type\": \"{}\"", k_manifest_json, path_text, k_link_type_symlink));
            continue;
        }
        auto target = item.find("target");
        if (target == item.end() || !target->is_string() || target->get<std::string>().empty()) {
            reading.problems.push_back(
                fmt::format("{}: link {} needs a \"target\" that is a non-empty string", k_manifest_json, path_text));
            continue;
        }
        table.emplace(std::move(path_text), target->get<std::string>());
    }
    for (const auto& [path, target] : table) {
        if (auto inside = check_link_stays_inside(table, path); !inside) {
            reading.unsafe.push_back(fmt::format("{}: manifest lists {}", path, inside.message()));
        } else {
            reading.manifest.links.push_back({path, target});
        }
    }
}

}  // namespace

// Whether `text` is well-formed UTF-8; JSON can carry nothing else, and a name that had to be
// rewritten to fit would no longer match the file on disk.
bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        std::size_t continuation = 0;
        std::uint32_t code_point = 0;
        if (byte < 0x80) {
            ++i;
            continue;
        } else if ((byte & 0xe0) == 0xc0) {
            continuation = 1;
            code_point = byte & 0x1f;
        } else if ((byte & 0xf0) == 0xe0) {
            continuation = 2;
            code_point = byte & 0x0f;
        } else if ((byte & 0xf8) == 0xf0) {
            continuation = 3;
            code_point = byte & 0x07;
        } else {
            return false;
        }
        if (i + continuation >= text.size()) return false;
        for (std::size_t k = 1; k <= continuation; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80) return false;
            code_point = (code_point << 6) | (next & 0x3f);
        }
        // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t k_smallest[] = {0, 0x80, 0x800, 0x10000};
        if (code_point < k_smallest[continuation] || code_point > 0x10ffff ||
            (code_point >= 0xd800 && code_point <= 0xdfff)) {
            return false;
        }
        i += continuation + 1;
    }
    return true;
}

// A name goes into both manifest files unchanged, so it must survive JSON and a `sha256sum -c` line.
util::Status check_name_can_be_listed(std::string_view path) {
    if (!util::is_safe_relative_path(path)) return util::make_error("a backslash or an empty, '.' or '..' part");
    if (std::any_of(path.begin(), path.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
        return util::make_error("a control character (such as a newline)");
    }
    if (!is_valid_utf8(path)) return util::make_error("bytes that are not UTF-8");
    return {};
}

util::Result<Manifest> build_manifest(const std::filesystem::path& dir, int jobs, ChangingFiles changing) {
    auto listed = list_bundle_files(dir);
    if (!listed) return listed.error();
    const std::vector<FileToHash>& files = listed->files;

    std::vector<util::Result<util::FileDigest>> digests = hash_files(dir, files, jobs, changing);
    Manifest manifest;
    manifest.files.reserve(files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (!digests[i]) return digests[i].error();
        manifest.files.push_back({files[i].path, digests[i]->size, digests[i]->sha256});
    }
    for (auto& [path, target] : listed->links) manifest.links.push_back({path, target});
    return manifest;
}

std::string manifest_to_json(const Manifest& manifest) {
    // Ordered so that the schema and the totals come before the long list of files.
    nlohmann::ordered_json document;
    document["schema"] = k_manifest_schema;
    std::uint64_t total_bytes = 0;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const ManifestEntry& entry : manifest.files) {
        total_bytes += entry.size;
        files.push_back({{"path", entry.path}, {"size", entry.size}, {"sha256", entry.sha256}});
    }
    document["file_count"] = manifest.files.size();
    document["total_bytes"] = total_bytes;
    document["files"] = std::move(files);
    // Only when there are links, so that a bundle of plain files keeps the manifest it always had.
    if (!manifest.links.empty()) {
        nlohmann::ordered_json links = nlohmann::ordered_json::array();
        for (const ManifestLink& link : manifest.links) {
            links.push_back({{"path", link.path}, {"type", k_link_type_symlink}, {"target", link.target}});
        }
        document["links"] = std::move(links);
    }
    return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

std::string manifest_to_sha256_lines(const Manifest& manifest) {
    std::string text;
    for (const ManifestEntry& entry : manifest.files) {
        text += entry.sha256;
        text += "  ";
        text += entry.path;
        text += '\n';
    }
    return text;
}

ManifestReading read_manifest_json(std::string_view text) {
    ManifestReading reading;
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& exception) {
        reading.problems.push_back(
            fmt::format("{} is not valid JSON: {}", k_manifest_json, plain_json_message(exception)));
        return reading;
    }
    if (!document.is_object()) {
        reading.problems.push_back(
            fmt::format("{} must hold a JSON object, found {}", k_manifest_json, document.type_name()));
        return reading;
    }
    auto schema = document.find("schema");
    if (schema == document.end() || !schema->is_string() || schema->get<std::string>() != k_manifest_schema) {
        reading.problems.push_back(fmt::format("{}: expected \"schema\": \"{}\", found {}", k_manifest_json,
                                               k_manifest_schema,
                                               schema == document.end() ? "no schema" : schema->dump()));
        return reading;
    }
    auto files = document.find("files");
    if (files == document.end() || !files->is_array()) {
        reading.problems.push_back(fmt::format("{}: expected \"files\" to be an array", k_manifest_json));
        return reading;
    }
    reading.usable = true;

    std::uint64_t total_bytes = 0;
    std::size_t listed = 0;
    for (std::size_t index = 0; index < files->size(); ++index) {
        const nlohmann::json& item = (*files)[index];
        if (has_path_string(item)) ++listed;
        auto checked_path = entry_path(item, "files", index, reading);
        if (!checked_path) continue;
        const std::string& path_text = *checked_path;
        if (is_manifest_file(path_text)) {
            reading.problems.push_back(
                fmt::format("{}: lists {} itself, which cannot hash itself", k_manifest_json, path_text));
            continue;
        }
        auto size = item.find("size");
        if (size == item.end() || !size->is_number_unsigned()) {
            reading.problems.push_back(
                fmt::format("{}: {} needs a \"size\" that is a whole number of bytes", k_manifest_json, path_text));
            continue;
        }
        auto digest = item.find("sha256");
        if (digest == item.end() || !digest->is_string() || !is_sha256_hex(digest->get<std::string>())) {
            reading.problems.push_back(
                fmt::format("{}: {} needs a \"sha256\" of 64 lowercase hex digits", k_manifest_json, path_text));
            continue;
        }
        ManifestEntry entry{std::move(path_text), size->get<std::uint64_t>(), digest->get<std::string>()};
        total_bytes += entry.size;
        reading.manifest.files.push_back(std::move(entry));
    }

    // The totals are optional, but when present they must agree: a hand-edited list gives itself away.
    auto file_count = document.find("file_count");
    if (file_count != document.end() &&
        (!file_count->is_number_unsigned() || file_count->get<std::uint64_t>() != listed)) {
        reading.problems.push_back(fmt::format("{}: \"file_count\" is {} but {} files are listed", k_manifest_json,
                                               file_count->dump(), listed));
    }
    auto total = document.find("total_bytes");
    if (total != document.end() && reading.problems.empty() && reading.unsafe.empty() &&
        (!total->is_number_unsigned() || total->get<std::uint64_t>() != total_bytes)) {
        reading.problems.push_back(fmt::format("{}: \"total_bytes\" is {} but the listed sizes add up to {}",
                                               k_manifest_json, total->dump(), total_bytes));
    }

    read_links(document, reading);

    std::sort(reading.manifest.files.begin(), reading.manifest.files.end(),
              [](const ManifestEntry& left, const ManifestEntry& right) { return left.path < right.path; });
    return reading;
}

util::Result<Manifest> parse_manifest_json(std::string_view text) {
    ManifestReading reading = read_manifest_json(text);
    if (!reading.problems.empty()) return util::make_error(reading.problems.front());
    if (!reading.unsafe.empty()) {
        return util::make_error(fmt::format("{}: unsafe entry {}", k_manifest_json, reading.unsafe.front()));
    }
    return std::move(reading.manifest);
}

util::Result<Manifest> write_manifest(const std::filesystem::path& dir, int jobs) {
    auto manifest = build_manifest(dir, jobs, ChangingFiles::snapshot);
    if (!manifest) return manifest;
    // manifest.json last: its presence is what says the bundle is complete.
    if (auto written = util::write_file_atomic(dir / k_manifest_sha256, manifest_to_sha256_lines(*manifest));
        !written) {
        return written.error();
    }
    if (auto written = util::write_file_atomic(dir / k_manifest_json, manifest_to_json(*manifest)); !written) {
        return written.error();
    }
    return manifest;
}

}  // namespace greenlight::bundle
