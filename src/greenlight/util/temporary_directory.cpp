#include "greenlight/util/temporary_directory.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <string>

namespace greenlight::util {

TemporaryDirectory::TemporaryDirectory(std::string_view prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + "-XXXXXX";
    if (::mkdtemp(pattern.data())) m_path = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
    std::error_code ignored;
    if (!m_path.empty()) std::filesystem::remove_all(m_path, ignored);
}

bool TemporaryDirectory::clear(const std::filesystem::path& folder) {
    std::error_code error;
    bool removed_any = false;
    for (std::filesystem::directory_iterator entry(folder, error), end; !error && entry != end;
         entry.increment(error)) {
        std::error_code ignored;
        std::filesystem::remove_all(entry->path(), ignored);
        removed_any = true;
    }
    if (error) return false;
    // A folder that had nothing in it was read to its end just now: it is empty without a second look.
    return !removed_any || (std::filesystem::is_empty(folder, error) && !error);
}

std::filesystem::path TemporaryDirectory::fresh_subfolder(std::string_view name) {
    if (m_path.empty()) return {};
    std::filesystem::path wanted = m_path / name;
    std::error_code error;
    if (!m_current.empty() && clear(m_current)) {
        std::filesystem::rename(m_current, wanted, error);
        if (!error) return m_current = wanted;
    }
    // The previous folder could not be reused: leave it, start another.
    if (!std::filesystem::create_directory(wanted, error) || error) {
        m_current.clear();
        return {};
    }
    std::filesystem::permissions(wanted, std::filesystem::perms::owner_all, error);
    return m_current = wanted;
}

}  // namespace greenlight::util
