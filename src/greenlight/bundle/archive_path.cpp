#include "greenlight/bundle/archive_path.hpp"

#include "greenlight/util/fs.hpp"

namespace greenlight::bundle {

util::Result<ArchivePath> split_archive_path(std::string_view name, ArchiveEntryKind kind) {
    if (name.starts_with('/')) return util::make_error("absolute path in the archive");
    if (kind == ArchiveEntryKind::folder && name.ends_with('/')) name.remove_suffix(1);
    if (!util::is_safe_relative_path(name)) {
        return util::make_error("archive path is empty or has a '..', '.' or empty part");
    }
    std::size_t slash = name.find('/');
    if (slash == std::string_view::npos) return ArchivePath{std::string(name), ""};
    return ArchivePath{std::string(name.substr(0, slash)), std::string(name.substr(slash + 1))};
}

}  // namespace greenlight::bundle
