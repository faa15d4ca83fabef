// A private folder under $TMPDIR (or /tmp), removed with everything in it when the object goes.
#pragma once

#include <filesystem>
#include <string_view>

namespace greenlight::util {

class TemporaryDirectory {
public:
    // Creates `<tmp>/<prefix>-XXXXXX` with mode 0700; path() is empty if that failed.
    explicit TemporaryDirectory(std::string_view prefix);
    ~TemporaryDirectory();
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

    const std::filesystem::path& path() const { return m_path; }

    // An empty folder `<path>/<name>` for one user at a time. The previous one, once cleared, is
    // renamed rather than deleted and created anew: a rename allocates no inode, which matters
    // when hundreds of short suites each need a folder of their own. Empty on failure.
    std::filesystem::path fresh_subfolder(std::string_view name);

    // Removes what is inside `folder`, keeping the folder itself; true when it is empty afterwards.
    static bool clear(const std::filesystem::path& folder);

private:
    std::filesystem::path m_path;
    std::filesystem::path m_current;  // the last subfolder handed out
};

}  // namespace greenlight::util
