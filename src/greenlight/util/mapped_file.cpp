// mmap(2) of a whole regular file, pre-faulted (MAP_POPULATE) and read sequentially.
#include "greenlight/util/mapped_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace greenlight::util {

namespace {

// Closes the descriptor when the mapping is made or has failed: a mapping outlives its descriptor.
class Descriptor {
public:
    explicit Descriptor(int fd) : m_fd(fd) {}
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    ~Descriptor() {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

}  // namespace

Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
    Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) {
        return make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    if (!S_ISREG(info.st_mode)) return make_error(fmt::format("cannot map {}: not a regular file", path.string()));
    return map(fd.get(), static_cast<std::size_t>(info.st_size), path);
}

Result<MappedFile> MappedFile::map(int fd, std::size_t size, const std::filesystem::path& path) {
    MappedFile file;
    if (size == 0) return file;
    void* mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (mapping == MAP_FAILED) {
        return make_error(fmt::format("cannot map {}: {}", path.string(), std::strerror(errno)));
    }
    ::madvise(mapping, size, MADV_SEQUENTIAL);
    file.m_mapping = mapping;
    file.m_size = size;
    return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : m_mapping(std::exchange(other.m_mapping, nullptr)), m_size(std::exchange(other.m_size, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        if (m_mapping != nullptr) ::munmap(m_mapping, m_size);
        m_mapping = std::exchange(other.m_mapping, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

MappedFile::~MappedFile() {
    if (m_mapping != nullptr) ::munmap(m_mapping, m_size);
}

}  // namespace greenlight::util
