// SHA-256 of bytes and files (OpenSSL's implementation, which uses the CPU's SHA extensions).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "greenlight/util/result.hpp"

namespace greenlight::util {

// Incremental SHA-256; `hex_digest` ends it.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    std::string hex_digest();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

std::string sha256_hex(std::string_view data);

struct FileDigest {
    std::string sha256;
    std::uintmax_t size = 0;
};

// Hashes a file by streaming it (flat memory whatever its size).
Result<FileDigest> sha256_file(const std::filesystem::path& path);

}  // namespace greenlight::util
