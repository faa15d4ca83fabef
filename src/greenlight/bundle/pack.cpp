#include "greenlight/bundle/pack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>
#include <vector>

#include "greenlight/bundle/archive_path.hpp"
#include "greenlight/bundle/links.hpp"
#include "greenlight/bundle/utf8_locale.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bundle {

namespace {

namespace fs = std::filesystem;

struct ArchiveWriterDeleter {
    void operator()(archive* writer) const { archive_write_free(writer); }
};
struct ArchiveReaderDeleter {
    void operator()(archive* reader) const { archive_read_free(reader); }
};
struct ArchiveEntryDeleter {
    void operator()(archive_entry* entry) const { archive_entry_free(entry); }
};
using ArchiveWriter = std::unique_ptr<archive, ArchiveWriterDeleter>;
using ArchiveReader = std::unique_ptr<archive, ArchiveReaderDeleter>;

std::string archive_message(archive* handle) {
    const char* message = archive_error_string(handle);
    return message ? message : "unknown error";
}

// A file descriptor closed on every path out of a function.
class FileDescriptor {
public:
    explicit FileDescriptor(int descriptor) : m_descriptor(descriptor) {}
    ~FileDescriptor() {
        if (m_descriptor >= 0) ::close(m_descriptor);
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return m_descriptor; }

private:
    int m_descriptor;
};

enum class EntryKind { file, folder, symlink };

struct PackEntry {
    std::string relative;  // '/'-separated, inside the bundle
    EntryKind kind = EntryKind::file;
    bool is_executable = false;
    std::uint64_t size = 0;
    std::string link_target;  // for a symlink: its target as written
};

// Lists folders, files and links sorted by path bytes, so the archive does not depend on directory order.
util::Result<std::vector<PackEntry>> list_pack_entries(const fs::path& dir) {
    std::vector<PackEntry> entries;
    LinkTable links;
    std::error_code error;
    fs::recursive_directory_iterator walker(dir, fs::directory_options::none, error);
    for (; !error && walker != fs::recursive_directory_iterator(); walker.increment(error)) {
        const fs::directory_entry& item = *walker;
        fs::file_status status = item.symlink_status(error);
        if (error) break;
        PackEntry entry;
        entry.relative = item.path().lexically_relative(dir).generic_string();
        if (fs::is_directory(status)) {
            entry.kind = EntryKind::folder;
        } else if (fs::is_symlink(status)) {
            entry.kind = EntryKind::symlink;
            entry.link_target = fs::read_symlink(item.path(), error).string();
            if (error) break;
            links.emplace(entry.relative, entry.link_target);
        } else if (fs::is_regular_file(status)) {
            entry.size = item.file_size(error);
            if (error) break;
            fs::perms permissions = status.permissions();
            entry.is_executable =
                (permissions & (fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec)) !=
                fs::perms::none;
        } else {
            return util::make_error(
                fmt::format("cannot pack {}: {} is a special file; a bundle holds only files, folders and links",
                            dir.string(), entry.relative));
        }
        entries.push_back(std::move(entry));
    }
    if (error) return util::make_error(fmt::format("cannot list {}: {}", dir.string(), error.message()));
    for (const auto& [path, target] : links) {
        if (auto inside = check_link_stays_inside(links, path); !inside) {
            return util::make_error(
                fmt::format("cannot pack {}: {} is {}; a bundle keeps only links that stay inside it", dir.string(),
                            path, inside.message()));
        }
    }
    std::sort(entries.begin(), entries.end(),
              [](const PackEntry& left, const PackEntry& right) { return left.relative < right.relative; });
    return entries;
}

// Reproducible builds' convention for a fixed timestamp; without it every entry is dated 1970.
util::Result<std::int64_t> archive_timestamp() {
    const char* value = std::getenv("SOURCE_DATE_EPOCH");
    if (!value || !*value) return std::int64_t{0};
    std::string_view text = value;
    std::int64_t seconds = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error != std::errc() || end != text.data() + text.size() || seconds < 0) {
        return util::make_error(
            fmt::format("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, found '{}'", text));
    }
    return seconds;
}

// The bundle folder's own name, also when `dir` is given as `.` or with a trailing slash.
std::string bundle_folder_name(const fs::path& dir) {
    fs::path normal = fs::absolute(dir).lexically_normal();
    if (normal.filename().empty()) normal = normal.parent_path();
    return normal.filename().string();
}

util::Status write_file_data(archive* writer, const fs::path& path, std::uint64_t expected_size) {
    FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (file.get() < 0) {
        return util::make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    std::vector<char> buffer(1 << 20);
    std::uint64_t written = 0;
    while (true) {
        ssize_t got = ::read(file.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) continue;
            return util::make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
        }
        if (got == 0) break;
        // The tar header already promised a size; a file that grew cannot be packed truthfully.
        if (written + static_cast<std::uint64_t>(got) > expected_size) break;
        if (archive_write_data(writer, buffer.data(), static_cast<size_t>(got)) < 0) {
            return util::make_error(fmt::format("cannot write the archive: {}", archive_message(writer)));
        }
        written += static_cast<std::uint64_t>(got);
    }
    if (written != expected_size || ::read(file.get(), buffer.data(), 1) != 0) {
        return util::make_error(
            fmt::format("{} changed while it was being packed; pack a finished bundle", path.string()));
    }
    return {};
}

util::Status write_archive(const fs::path& dir, const std::string& top_folder, const std::vector<PackEntry>& entries,
                           std::int64_t timestamp, const fs::path& temp) {
    ArchiveWriter writer(archive_write_new());
    // pax restricted is plain ustar, and adds a pax header only for an entry ustar cannot hold (a
    // long or non-ASCII name), so any tar reads it. The gzip header carries no timestamp and the
    // compression level is pinned, so packing later or elsewhere gives the same bytes.
    if (archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(writer.get()) != ARCHIVE_OK ||
        archive_write_set_options(writer.get(), "gzip:!timestamp,gzip:compression-level=6") != ARCHIVE_OK ||
        archive_write_open_filename(writer.get(), temp.c_str()) != ARCHIVE_OK) {
        return util::make_error(fmt::format("cannot create {}: {}", temp.string(), archive_message(writer.get())));
    }

    std::unique_ptr<archive_entry, ArchiveEntryDeleter> header(archive_entry_new());
    auto write_header = [&](const std::string& name, const PackEntry& entry) -> util::Status {
        archive_entry_clear(header.get());
        archive_entry_copy_pathname(header.get(), name.c_str());
        switch (entry.kind) {
            case EntryKind::folder:
                archive_entry_set_filetype(header.get(), AE_IFDIR);
                archive_entry_set_perm(header.get(), 0755);
                break;
            case EntryKind::symlink:
                // Link permissions mean nothing on Linux; 0777 is what every link shows.
                archive_entry_set_filetype(header.get(), AE_IFLNK);
                archive_entry_set_perm(header.get(), 0777);
                archive_entry_copy_symlink(header.get(), entry.link_target.c_str());
                break;
            case EntryKind::file:
                archive_entry_set_filetype(header.get(), AE_IFREG);
                archive_entry_set_perm(header.get(), entry.is_executable ? 0755 : 0644);
                break;
        }
        archive_entry_set_size(header.get(), entry.kind == EntryKind::file ? static_cast<la_int64_t>(entry.size) : 0);
        archive_entry_set_mtime(header.get(), timestamp, 0);
        archive_entry_set_uid(header.get(), 0);
        archive_entry_set_gid(header.get(), 0);
        if (archive_write_header(writer.get(), header.get()) < ARCHIVE_WARN) {
            return util::make_error(
                fmt::format("cannot write {} into the archive: {}", name, archive_message(writer.get())));
        }
        return {};
    };

    if (auto written = write_header(top_folder + "/", PackEntry{"", EntryKind::folder, false, 0, ""}); !written) {
        return written;
    }
    for (const PackEntry& entry : entries) {
        std::string name = top_folder + "/" + entry.relative + (entry.kind == EntryKind::folder ? "/" : "");
        if (auto written = write_header(name, entry); !written) return written;
        if (entry.kind != EntryKind::file) continue;
        if (auto written = write_file_data(writer.get(), dir / entry.relative, entry.size); !written) return written;
    }
    if (archive_write_close(writer.get()) != ARCHIVE_OK) {
        return util::make_error(fmt::format("cannot finish {}: {}", temp.string(), archive_message(writer.get())));
    }
    // libarchive closed its descriptor without syncing; sync before the rename makes the archive visible.
    FileDescriptor written(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
    if (written.get() < 0 || ::fsync(written.get()) != 0) {
        return util::make_error(fmt::format("cannot sync {}: {}", temp.string(), std::strerror(errno)));
    }
    return {};
}

// Whether `inner` lies inside `outer` (both made absolute and resolved as far as they exist).
bool lies_inside(const fs::path& outer, const fs::path& inner) {
    std::error_code error;
    fs::path outer_resolved = fs::weakly_canonical(outer, error);
    fs::path inner_resolved = fs::weakly_canonical(inner, error);
    fs::path relative = inner_resolved.lexically_relative(outer_resolved);
    return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

util::Status pack_bundle(const std::filesystem::path& dir, const std::filesystem::path& output) {
    std::error_code error;
    if (!fs::is_directory(fs::status(dir, error))) {
        return util::make_error(fmt::format("cannot pack {}: not a folder", dir.string()));
    }
    if (lies_inside(dir, output)) {
        return util::make_error(
            fmt::format("cannot pack {} into {}: the archive would be inside the bundle; write it elsewhere",
                        dir.string(), output.string()));
    }
    auto timestamp = archive_timestamp();
    if (!timestamp) return timestamp.error();
    auto entries = list_pack_entries(dir);
    if (!entries) return entries.error();

    fs::path temp = output;
    temp += fmt::format(".tmp.{}", ::getpid());
    ScopedUtf8Locale utf8_names;
    util::Status status = write_archive(dir, bundle_folder_name(dir), *entries, *timestamp, temp);
    if (status && ::rename(temp.c_str(), output.c_str()) != 0) {
        status = util::make_error(
            fmt::format("cannot rename {} to {}: {}", temp.string(), output.string(), std::strerror(errno)));
    }
    if (!status) ::unlink(temp.c_str());
    return status;
}

util::Status unpack_bundle(const std::filesystem::path& archive_path, const std::filesystem::path& destination) {
    std::error_code error;
    if (fs::exists(destination, error) && !fs::is_empty(destination, error)) {
        return util::make_error(fmt::format("cannot unpack {} into {}: the folder is not empty; choose a new one",
                                            archive_path.string(), destination.string()));
    }
    if (auto made = util::make_directories(destination); !made) return made;
    // Canonical, so that no link among the destination's own parents trips the symlink check below.
    fs::path root = fs::canonical(destination, error);
    if (error) return util::make_error(fmt::format("cannot open {}: {}", destination.string(), error.message()));

    ScopedUtf8Locale utf8_names;
    ArchiveReader reader(archive_read_new());
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_format_tar(reader.get());
    if (archive_read_open_filename(reader.get(), archive_path.c_str(), 1 << 20) != ARCHIVE_OK) {
        return util::make_error(
            fmt::format("cannot read {} as a .tar.gz: {}", archive_path.string(), archive_message(reader.get())));
    }
    // Names are checked below before they are joined to the (absolute) destination, which is why
    // ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS cannot be set: every joined path is absolute by design.
    ArchiveWriter disk(archive_write_disk_new());
    archive_write_disk_set_options(
        disk.get(), ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_NO_OVERWRITE);

    auto fail = [&](std::string message) -> util::Status {
        // Half an extracted bundle must not be mistaken for a whole one.
        std::error_code ignored;
        for (const auto& item : fs::directory_iterator(root, ignored)) fs::remove_all(item.path(), ignored);
        return util::make_error(fmt::format("cannot unpack {}: {}", archive_path.string(), message));
    };

    std::optional<std::string> top_folder;
    LinkTable links;
    archive_entry* entry = nullptr;
    while (true) {
        int status = archive_read_next_header(reader.get(), &entry);
        if (status == ARCHIVE_EOF) break;
        if (status < ARCHIVE_WARN) return fail(archive_message(reader.get()));
        const char* raw_name = archive_entry_pathname(entry);
        if (!raw_name) return fail("an entry has a name that cannot be read");
        std::string name = raw_name;
        mode_t type = archive_entry_filetype(entry);
        auto split =
            split_archive_path(name, type == AE_IFDIR ? ArchiveEntryKind::folder : ArchiveEntryKind::not_folder);
        if (!split) return fail(fmt::format("{}: {}", name, split.message()));
        if (!top_folder) top_folder = split->top_folder;
        if (split->top_folder != *top_folder || (split->relative.empty() && type != AE_IFDIR)) {
            return fail(fmt::format("{}: not inside the archive's single top folder {}/", name, *top_folder));
        }
        if (archive_entry_hardlink(entry) || (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)) {
            return fail(fmt::format(
                "{}: hard links and special files are refused; a bundle holds only files, folders and symlinks", name));
        }
        if (split->relative.empty()) continue;  // the top folder is `destination` itself
        if (type == AE_IFLNK) {
            // Judged on the links known so far before it is made, and all together at the end, since a later
            // link can change where an earlier one leads.
            const char* target = archive_entry_symlink(entry);
            links[split->relative] = target ? target : "";
            if (auto inside = check_link_stays_inside(links, split->relative); !inside) {
                return fail(
                    fmt::format("{}: {}; a bundle keeps only links that stay inside it", name, inside.message()));
            }
        }

        archive_entry_copy_pathname(entry, (root / split->relative).c_str());
        if (archive_write_header(disk.get(), entry) < ARCHIVE_WARN) return fail(archive_message(disk.get()));
        while (type == AE_IFREG) {
            const void* block = nullptr;
            size_t size = 0;
            la_int64_t offset = 0;
            int read_status = archive_read_data_block(reader.get(), &block, &size, &offset);
            if (read_status == ARCHIVE_EOF) break;
            if (read_status < ARCHIVE_WARN) return fail(archive_message(reader.get()));
            if (archive_write_data_block(disk.get(), block, size, offset) < ARCHIVE_WARN) {
                return fail(archive_message(disk.get()));
            }
        }
        if (archive_write_finish_entry(disk.get()) < ARCHIVE_WARN) return fail(archive_message(disk.get()));
    }
    if (archive_write_close(disk.get()) != ARCHIVE_OK) return fail(archive_message(disk.get()));
    for (const auto& [path, target] : links) {
        if (auto inside = check_link_stays_inside(links, path); !inside) {
            return fail(fmt::format("{}: {}; a bundle keeps only links that stay inside it", path, inside.message()));
        }
    }
    return {};
}

}  // namespace greenlight::bundle
