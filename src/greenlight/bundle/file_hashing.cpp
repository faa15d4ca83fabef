#include "greenlight/bundle/file_hashing.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>
#include <thread>

#include "greenlight/util/parallel.hpp"

namespace greenlight::bundle {

namespace {

// A file descriptor closed on every path out of a function.
class OpenFile {
public:
    explicit OpenFile(int descriptor) : m_descriptor(descriptor) {}
    ~OpenFile() {
        if (m_descriptor >= 0) ::close(m_descriptor);
    }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    int get() const { return m_descriptor; }

private:
    int m_descriptor;
};

constexpr std::size_t k_read_size = 1 << 20;

bool same_moment(const timespec& left, const timespec& right) {
    return left.tv_sec == right.tv_sec && left.tv_nsec == right.tv_nsec;
}

// A write shows in the size, the modification time or (for writes that restore both) the change time.
bool changed_between(const struct stat& before, const struct stat& after) {
    return before.st_size != after.st_size || !same_moment(before.st_mtim, after.st_mtim) ||
           !same_moment(before.st_ctim, after.st_ctim);
}

util::Error read_error(const std::filesystem::path& path, int error) {
    return util::make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(error)));
}

// Reads `source` from its start into `sink` (and the hash) until its end; `sink` < 0 only hashes.
util::Result<util::FileDigest> hash_descriptor(int source, int sink, const std::filesystem::path& path,
                                               std::size_t buffer_size) {
    auto buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
    util::Sha256 hasher;
    util::FileDigest digest;
    while (true) {
        ssize_t got = ::read(source, buffer.get(), buffer_size);
        if (got < 0) {
            if (errno == EINTR) continue;
            return read_error(path, errno);
        }
        if (got == 0) break;
        for (ssize_t written = 0; sink >= 0 && written < got;) {
            ssize_t put = ::write(sink, buffer.get() + written, static_cast<std::size_t>(got - written));
            if (put < 0 && errno == EINTR) continue;
            if (put < 0) {
                return util::make_error(
                    fmt::format("cannot copy {} while it changes: {}", path.string(), std::strerror(errno)));
            }
            written += put;
        }
        hasher.update(buffer.get(), static_cast<std::size_t>(got));
        digest.size += static_cast<std::uintmax_t>(got);
    }
    digest.sha256 = hasher.hex_digest();
    return digest;
}

// Copies the open file to a new file beside it, hashing the bytes copied, and renames the copy over
// it: whoever still writes to the old file no longer writes into the bundle.
util::Result<util::FileDigest> snapshot(int source, const struct stat& info, const std::filesystem::path& path) {
    std::filesystem::path temp = path;
    temp += fmt::format(".greenlight-snapshot-{}-{}", ::getpid(), static_cast<unsigned long>(::gettid()));
    OpenFile copy(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 07777));
    if (copy.get() < 0) {
        return util::make_error(fmt::format("{} changed while it was being hashed and cannot be copied: {}",
                                            path.string(), std::strerror(errno)));
    }
    util::Result<util::FileDigest> digest = [&]() -> util::Result<util::FileDigest> {
        if (::lseek(source, 0, SEEK_SET) != 0) return read_error(path, errno);
        auto copied = hash_descriptor(source, copy.get(), path, k_read_size);
        if (copied && ::fsync(copy.get()) != 0) return read_error(temp, errno);
        if (copied && ::rename(temp.c_str(), path.c_str()) != 0) {
            return util::make_error(
                fmt::format("cannot rename {} to {}: {}", temp.string(), path.string(), std::strerror(errno)));
        }
        return copied;
    }();
    if (!digest) ::unlink(temp.c_str());
    return digest;
}

}  // namespace

std::string describe_file_mode(unsigned mode) {
    switch (mode & S_IFMT) {
        case S_IFREG:
            return "a regular file";
        case S_IFDIR:
            return "a folder";
        case S_IFLNK:
            return "a symlink";
        case S_IFIFO:
            return "a fifo";
        case S_IFSOCK:
            return "a socket";
        case S_IFCHR:
            return "a character device";
        case S_IFBLK:
            return "a block device";
        default:
            return "a special file";
    }
}

util::Result<util::FileDigest> hash_bundle_file(const std::filesystem::path& path, ChangingFiles changing) {
    // O_NONBLOCK: opening a fifo must not wait for a writer; O_NOFOLLOW: a link is never read through.
    OpenFile file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY));
    if (file.get() < 0) {
        if (errno == ELOOP) return util::make_error(fmt::format("{} is a symlink, not a file", path.string()));
        return read_error(path, errno);
    }
    struct stat before {};
    if (::fstat(file.get(), &before) != 0) return read_error(path, errno);
    if (!S_ISREG(before.st_mode)) {
        return util::make_error(
            fmt::format("{} is {}, not a regular file", path.string(), describe_file_mode(before.st_mode)));
    }
    ::posix_fadvise(file.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    // Small files get a small buffer: zeroing or allocating a megabyte per file costs more than hashing it.
    std::size_t buffer_size = std::min<std::size_t>(k_read_size, static_cast<std::size_t>(before.st_size) + 1);
    auto digest = hash_descriptor(file.get(), -1, path, buffer_size);
    if (!digest) return digest;
    struct stat after {};
    if (::fstat(file.get(), &after) != 0) return read_error(path, errno);
    if (!changed_between(before, after) && digest->size == static_cast<std::uintmax_t>(after.st_size)) {
        return digest;
    }
    if (changing == ChangingFiles::report) {
        return util::make_error(fmt::format("{} changed while it was being hashed", path.string()));
    }
    return snapshot(file.get(), after, path);
}

std::vector<util::Result<util::FileDigest>> hash_files(const std::filesystem::path& root,
                                                       const std::vector<FileToHash>& files, int jobs,
                                                       ChangingFiles changing) {
    // Largest files first: a big file picked up last would leave the other threads idle at the end.
    std::vector<std::size_t> order(files.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t left, std::size_t right) { return files[left].size > files[right].size; });

    std::size_t thread_count =
        jobs >= 1 ? static_cast<std::size_t>(jobs) : std::max(1u, std::thread::hardware_concurrency());
    thread_count = std::max<std::size_t>(1, std::min(thread_count, files.size()));

    // Each slot is written by exactly one worker, so the vector needs no lock.
    std::vector<std::optional<util::Result<util::FileDigest>>> digests(files.size());
    util::for_each_index_in_parallel(order.size(), thread_count, [&](std::size_t taken) {
        const std::size_t index = order[taken];
        digests[index].emplace(hash_bundle_file(root / files[index].path, changing));
    });

    std::vector<util::Result<util::FileDigest>> answers;
    answers.reserve(files.size());
    for (auto& digest : digests) answers.push_back(std::move(*digest));
    return answers;
}

bool is_sha256_hex(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(),
                                            [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace greenlight::bundle
