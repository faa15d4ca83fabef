#include "greenlight/bundle/settle.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/bundle/links.hpp"
#include "greenlight/bundle/manifest.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bundle {

namespace {

namespace fs = std::filesystem;

bool name_can_be_listed(std::string_view name) {
    return check_name_can_be_listed(name).ok();
}

// The length of the UTF-8 sequence `byte` starts, or 0 for a byte that cannot start one.
std::size_t sequence_length(unsigned char byte) {
    if (byte < 0x80) return 1;
    if ((byte & 0xe0) == 0xc0) return 2;
    if ((byte & 0xf0) == 0xe0) return 3;
    if ((byte & 0xf8) == 0xf0) return 4;
    return 0;
}

// `two\nlines.txt` becomes `two%0Alines.txt`: every byte a manifest cannot carry, and '%' and '\', as %XX.
std::string listable_name(std::string_view name) {
    std::string out;
    std::size_t i = 0;
    while (i < name.size()) {
        auto byte = static_cast<unsigned char>(name[i]);
        std::size_t length = sequence_length(byte);
        if (length > 1 && i + length <= name.size() && is_valid_utf8(name.substr(i, length))) {
            out.append(name.substr(i, length));
            i += length;
            continue;
        }
        if (byte < 0x20 || byte >= 0x7f || byte == '%' || byte == '\\') {
            out += fmt::format("%{:02X}", byte);
        } else {
            out.push_back(static_cast<char>(byte));
        }
        ++i;
    }
    return out;
}

std::string note_text(std::string_view what) {
    return fmt::format(
        "greenlight: {} stood here when the run ended.\n"
        "It was not kept: a bundle holds only files, folders and links that stay inside it, so that its\n"
        "manifest can prove every byte. This note stands in its place.\n",
        what);
}

util::Status replace_with_note(const fs::path& path, std::string_view what) {
    std::error_code error;
    fs::remove(path, error);
    if (error) return util::make_error(fmt::format("cannot remove {}: {}", path.string(), error.message()));
    return util::write_file_atomic(path, note_text(what), util::Durability::process_crash);
}

// Whether greenlight can read a regular file, after trying to let its owner (greenlight) read it; the error
// says why not.
util::Status check_readable(const fs::path& path, fs::perms permissions) {
    std::error_code ignored;
    if ((permissions & fs::perms::owner_read) == fs::perms::none) {
        fs::permissions(path, fs::perms::owner_read, fs::perm_options::add, ignored);
    }
    int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (descriptor < 0) return util::make_error(std::string(std::strerror(errno)));
    ::close(descriptor);
    return {};
}

// A free name beside `path`: `path` itself, else with `.1`, `.2`, ... appended.
fs::path free_name(const fs::path& path) {
    std::error_code error;
    if (!fs::exists(fs::symlink_status(path, error))) return path;
    for (int number = 1;; ++number) {
        fs::path candidate = path;
        candidate += fmt::format(".{}", number);
        if (!fs::exists(fs::symlink_status(candidate, error))) return candidate;
    }
}

struct Walk {
    std::vector<std::string> badly_named;  // relative paths whose last part a manifest cannot carry
    LinkTable links;
};

util::Status walk_and_settle(const fs::path& dir, Walk& walk, std::vector<SettledEntry>& settled) {
    std::error_code error;
    fs::recursive_directory_iterator walker(dir, fs::directory_options::none, error);
    for (; !error && walker != fs::recursive_directory_iterator(); walker.increment(error)) {
        const fs::directory_entry& entry = *walker;
        std::error_code status_error;
        fs::file_status status = entry.symlink_status(status_error);
        if (status_error) continue;  // gone since it was listed
        std::string relative = entry.path().lexically_relative(dir).generic_string();
        if (relative == k_manifest_json || relative == k_manifest_sha256) continue;
        if (!name_can_be_listed(entry.path().filename().string())) walk.badly_named.push_back(relative);
        if (fs::is_directory(status)) {
            // A folder its owner cannot list would stop the walk of the manifest; greenlight owns it.
            constexpr fs::perms k_list = fs::perms::owner_read | fs::perms::owner_exec;
            if ((status.permissions() & k_list) != k_list) {
                fs::permissions(entry.path(), k_list, fs::perm_options::add, status_error);
            }
            continue;
        }
        if (fs::is_symlink(status)) {
            fs::path target = fs::read_symlink(entry.path(), status_error);
            walk.links.emplace(relative, status_error ? std::string() : target.string());
            continue;
        }
        std::string what;
        if (fs::is_regular_file(status)) {
            auto readable = check_readable(entry.path(), status.permissions());
            if (readable) continue;
            what = fmt::format("a file greenlight could not read ({})", readable.message());
        } else {
            struct stat info {};
            what = ::lstat(entry.path().c_str(), &info) == 0 ? describe_file_mode(info.st_mode) : "a special file";
        }
        if (auto replaced = replace_with_note(entry.path(), what); !replaced) return replaced;
        settled.push_back({relative, std::move(what)});
    }
    if (error) return util::make_error(fmt::format("cannot list {}: {}", dir.string(), error.message()));
    return {};
}

// A link replaced by a note can change where other links lead, so this repeats until nothing leaves.
util::Status settle_links(const fs::path& dir, LinkTable& links, std::vector<SettledEntry>& settled) {
    bool replaced_any = true;
    while (replaced_any) {
        replaced_any = false;
        for (auto link = links.begin(); link != links.end();) {
            auto inside = check_link_stays_inside(links, link->first);
            if (inside) {
                ++link;
                continue;
            }
            std::string what = fmt::format("a symlink: {}", inside.message());
            if (auto written = replace_with_note(dir / link->first, what); !written) return written;
            settled.push_back({link->first, std::move(what)});
            link = links.erase(link);
            replaced_any = true;
        }
    }
    return {};
}

util::Status rename_badly_named(const fs::path& dir, std::vector<std::string> badly_named,
                                std::vector<SettledEntry>& settled) {
    // Deepest first, so that renaming a folder never moves a path still to be renamed.
    std::sort(badly_named.rbegin(), badly_named.rend());
    for (const std::string& relative : badly_named) {
        fs::path from = dir / relative;
        fs::path to = free_name(from.parent_path() / listable_name(from.filename().string()));
        std::error_code error;
        fs::rename(from, to, error);
        if (error) return util::make_error(fmt::format("cannot rename {}: {}", from.string(), error.message()));
        settled.push_back({to.lexically_relative(dir).generic_string(),
                           fmt::format("a name a manifest cannot carry ({}), renamed", listable_name(relative))});
    }
    return {};
}

}  // namespace

util::Result<std::vector<SettledEntry>> settle_bundle_contents(const std::filesystem::path& dir) {
    std::vector<SettledEntry> settled;
    Walk walk;
    if (auto walked = walk_and_settle(dir, walk, settled); !walked) return walked.error();
    if (auto renamed = rename_badly_named(dir, walk.badly_named, settled); !renamed) return renamed.error();
    if (!walk.badly_named.empty()) {
        // Renaming moved links too; walk again so that every link is judged where it now stands.
        walk = Walk{};
        if (auto walked = walk_and_settle(dir, walk, settled); !walked) return walked.error();
    }
    if (auto links = settle_links(dir, walk.links, settled); !links) return links.error();
    return settled;
}

}  // namespace greenlight::bundle
