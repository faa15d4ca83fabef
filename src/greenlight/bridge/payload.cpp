#include "greenlight/bridge/payload.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/bundle/manifest.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/sha256.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::bridge {

namespace {

namespace fs = std::filesystem;

struct ListedFile {
    std::string sha256;
    std::optional<std::uint64_t> size;  // greenlight's format lists sizes too
};

struct ManifestListing {
    std::map<std::string, ListedFile> files;
    std::vector<std::string> problems;
    bool greenlight_format = false;
};

bool is_hex_digest(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

// {"NAME": "<hex>", ...}, the map of either plain form.
void read_digest_map(const nlohmann::json& map, std::string_view where, ManifestListing& listing) {
    for (const auto& [name, digest] : map.items()) {
        if (!util::is_safe_relative_path(name)) {
            listing.problems.push_back(
                fmt::format("{}: \"{}\" is not a safe relative path (no '..', '.', empty parts or leading '/')", where,
                            util::printable(name)));
            continue;
        }
        if (!digest.is_string() || !is_hex_digest(digest.get<std::string>())) {
            listing.problems.push_back(fmt::format("{}: \"{}\": expected a sha256 digest (64 hex digits), found {}",
                                                   where, util::printable(name), digest.dump()));
            continue;
        }
        listing.files[name] = ListedFile{util::lowercase(digest.get<std::string>()), std::nullopt};
    }
}

ManifestListing read_listing(std::string_view text, std::string_view manifest_name) {
    ManifestListing listing;
    nlohmann::json document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        listing.problems.push_back(
            fmt::format("{}: expected a JSON object (greenlight's manifest, {{\"files\": {{NAME: SHA256}}}} or "
                        "{{NAME: SHA256}}), found {}",
                        manifest_name, document.is_discarded() ? "text that is not JSON" : document.type_name()));
        return listing;
    }
    if (document.contains("schema")) {
        listing.greenlight_format = true;
        bundle::ManifestReading reading = bundle::read_manifest_json(text);
        for (const auto& problem : reading.problems)
            listing.problems.push_back(fmt::format("{}: {}", manifest_name, problem));
        for (const auto& unsafe : reading.unsafe)
            listing.problems.push_back(fmt::format("{}: unsafe entry {}", manifest_name, unsafe));
        for (const auto& entry : reading.manifest.files)
            listing.files[entry.path] = ListedFile{entry.sha256, entry.size};
        return listing;
    }
    if (auto files = document.find("files"); files != document.end()) {
        if (!files->is_object()) {
            listing.problems.push_back(
                fmt::format("{}: expected \"files\" to map file names to sha256 digests, found {}", manifest_name,
                            files->type_name()));
            return listing;
        }
        read_digest_map(*files, manifest_name, listing);
    } else {
        read_digest_map(document, manifest_name, listing);
    }
    if (listing.files.empty() && listing.problems.empty()) {
        listing.problems.push_back(fmt::format("{}: lists no files; a payload must name at least one", manifest_name));
    }
    return listing;
}

}  // namespace

const PayloadFile* Payload::find(std::string_view name) const {
    auto found = std::find_if(files.begin(), files.end(), [&](const PayloadFile& file) { return file.name == name; });
    return found == files.end() ? nullptr : &*found;
}

PayloadVerification verify_payload(const fs::path& folder, std::string_view manifest_name) {
    PayloadVerification verification;
    std::error_code error;
    const fs::path root = fs::absolute(folder, error).lexically_normal();
    if (error || !fs::is_directory(root, error)) {
        verification.problems.push_back(
            fmt::format("payload folder {} does not exist or is not a folder", folder.string()));
        return verification;
    }
    const fs::path manifest_path = root / std::string(manifest_name);
    auto manifest_text = util::read_file(manifest_path);
    if (!manifest_text) {
        verification.problems.push_back(fmt::format("missing: {}: the payload's manifest cannot be read: {}",
                                                    manifest_name, manifest_text.message()));
        return verification;
    }
    ManifestListing listing = read_listing(*manifest_text, manifest_name);
    verification.problems = listing.problems;

    // What the folder holds, as '/'-separated relative names.
    std::map<std::string, fs::path> present;
    const std::string manifest_relative = fs::path(std::string(manifest_name)).lexically_normal().generic_string();
    for (auto walker = fs::recursive_directory_iterator(root, error);
         !error && walker != fs::recursive_directory_iterator(); walker.increment(error)) {
        const fs::path& path = walker->path();
        const std::string name = path.lexically_relative(root).generic_string();
        auto status = walker->symlink_status(error);
        if (error) break;
        if (fs::is_directory(status)) continue;
        if (name == manifest_relative) continue;
        if (listing.greenlight_format && name == bundle::k_manifest_sha256) continue;
        if (!fs::is_regular_file(status)) {
            verification.problems.push_back(fmt::format(
                "unsafe: {}: a link or special file; a payload holds regular files only", util::printable(name)));
            continue;
        }
        present[name] = path;
    }
    if (error) {
        verification.problems.push_back(fmt::format("cannot list {}: {}", root.string(), error.message()));
        return verification;
    }

    Payload payload{root, manifest_path, util::sha256_hex(*manifest_text), {}};
    for (const auto& [name, listed] : listing.files) {
        auto found = present.find(name);
        if (found == present.end()) {
            verification.problems.push_back(fmt::format("missing: {}: listed in {}, not in the payload folder",
                                                        util::printable(name), manifest_name));
            continue;
        }
        auto digest = util::sha256_file(found->second);
        if (!digest) {
            verification.problems.push_back(fmt::format("unreadable: {}: {}", util::printable(name), digest.message()));
            continue;
        }
        if (digest->sha256 != listed.sha256) {
            verification.problems.push_back(fmt::format("mismatch: {}: sha256 is {}, {} says {}", util::printable(name),
                                                        digest->sha256, manifest_name, listed.sha256));
            continue;
        }
        if (listed.size && *listed.size != digest->size) {
            verification.problems.push_back(fmt::format("mismatch: {}: {} bytes, {} says {}", util::printable(name),
                                                        digest->size, manifest_name, *listed.size));
            continue;
        }
        payload.files.push_back(PayloadFile{name, found->second, digest->sha256, digest->size});
    }
    for (const auto& [name, path] : present) {
        if (!listing.files.contains(name)) {
            verification.problems.push_back(fmt::format("extra: {}: in the payload folder, not listed in {}",
                                                        util::printable(name), manifest_name));
        }
    }
    if (verification.problems.empty()) verification.payload = std::move(payload);
    return verification;
}

}  // namespace greenlight::bridge
