// A regular file mapped read-only into memory: its bytes without zeroing a buffer and copying them in, as
// reading into a string does. For large inputs read once from start to end (coverage reports).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "greenlight/util/result.hpp"

namespace greenlight::util {

class MappedFile {
public:
    // Maps `path`; an error names the file and why. An empty file maps to empty text.
    static Result<MappedFile> open(const std::filesystem::path& path);
    // Maps the first `size` bytes of the open descriptor `fd` (which stays the caller's); `path` is for messages.
    static Result<MappedFile> map(int fd, std::size_t size, const std::filesystem::path& path);

    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    std::string_view text() const { return {static_cast<const char*>(m_mapping), m_size}; }

private:
    MappedFile() = default;

    void* m_mapping = nullptr;
    std::size_t m_size = 0;
};

}  // namespace greenlight::util
