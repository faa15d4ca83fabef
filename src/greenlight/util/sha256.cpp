#include "greenlight/util/sha256.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <memory>

namespace greenlight::util {

struct Sha256::State {
    EVP_MD_CTX* context = nullptr;
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {
    m_state->context = EVP_MD_CTX_new();
    EVP_DigestInit_ex(m_state->context, EVP_sha256(), nullptr);
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(m_state->context);
}

void Sha256::update(const void* data, size_t size) {
    EVP_DigestUpdate(m_state->context, data, size);
}

std::string Sha256::hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_state->context, digest, &length);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(k_hex[digest[i] >> 4]);
        out.push_back(k_hex[digest[i] & 0xf]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    Sha256 hasher;
    hasher.update(data);
    return hasher.hex_digest();
}

Result<FileDigest> sha256_file(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    // Up to 1 MiB per read keeps syscalls few and memory flat; small files get a small buffer, and it
    // is left uninitialised, since zeroing a megabyte per file costs more than hashing a small one.
    struct stat info {};
    size_t buffer_size = 1 << 20;
    if (::fstat(fd, &info) == 0 && info.st_size >= 0 && static_cast<size_t>(info.st_size) < buffer_size) {
        buffer_size = static_cast<size_t>(info.st_size) + 1;
    }
    auto buffer = std::make_unique_for_overwrite<char[]>(buffer_size);
    Sha256 hasher;
    FileDigest digest;
    while (true) {
        ssize_t got = ::read(fd, buffer.get(), buffer_size);
        if (got < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            ::close(fd);
            return make_error(fmt::format("cannot read {}: {}", path.string(), std::strerror(saved)));
        }
        if (got == 0) break;
        hasher.update(buffer.get(), static_cast<size_t>(got));
        digest.size += static_cast<std::uintmax_t>(got);
    }
    ::close(fd);
    digest.sha256 = hasher.hex_digest();
    return digest;
}

}  // namespace greenlight::util
