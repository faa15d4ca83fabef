#include "greenlight/util/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace greenlight::util {

namespace {

std::string errno_text(int error_number) {
    return std::strerror(error_number);
}

Status write_all(int fd, std::string_view content, const std::filesystem::path& path) {
    const char* data = content.data();
    size_t left = content.size();
    while (left > 0) {
        ssize_t written = ::write(fd, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            return make_error(fmt::format("cannot write {}: {}", path.string(), errno_text(errno)));
        }
        data += written;
        left -= static_cast<size_t>(written);
    }
    return {};
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        return make_error(fmt::format("cannot read {}: read error", path.string()));
    }
    return buffer.str();
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, Durability durability) {
    std::filesystem::path temp = path;
    temp += fmt::format(".tmp.{}", ::getpid());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return make_error(fmt::format("cannot create {}: {}", temp.string(), errno_text(errno)));
    }
    Status status = write_all(fd, content, temp);
    if (status && durability == Durability::power_loss && ::fsync(fd) != 0) {
        status = make_error(fmt::format("cannot sync {}: {}", temp.string(), errno_text(errno)));
    }
    ::close(fd);
    if (status && ::rename(temp.c_str(), path.c_str()) != 0) {
        status = make_error(fmt::format("cannot rename {} to {}: {}", temp.string(), path.string(), errno_text(errno)));
    }
    if (!status) ::unlink(temp.c_str());
    return status;
}

Status append_file(const std::filesystem::path& path, std::string_view content) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        return make_error(fmt::format("cannot open {}: {}", path.string(), errno_text(errno)));
    }
    Status status = write_all(fd, content, path);
    ::close(fd);
    return status;
}

Status make_directories(const std::filesystem::path& path) {
    std::error_code error;
    std::filesystem::create_directories(path, error);
    if (error) {
        return make_error(fmt::format("cannot create directory {}: {}", path.string(), error.message()));
    }
    return {};
}

bool is_safe_relative_path(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos) return false;
    if (path.find('\\') != std::string_view::npos) return false;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        std::string_view part = path.substr(start, end - start);
        if (part.empty() || part == "." || part == "..") return false;
        start = end + 1;
    }
    return true;
}

}  // namespace greenlight::util
