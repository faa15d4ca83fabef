#include "greenlight/runner/requirements.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "greenlight/runner/process.hpp"

namespace greenlight::runner {

namespace {

constexpr int k_docker_timeout_ms = 2000;

int connect_unix(const std::string& path, std::string& error) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        error = "socket path too long";
        ::close(fd);
        return -1;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        error = std::strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

int connect_tcp(const std::string& host_port, std::string& error) {
    auto colon = host_port.rfind(':');
    std::string host = colon == std::string::npos ? host_port : host_port.substr(0, colon);
    std::string port = colon == std::string::npos ? "2375" : host_port.substr(colon + 1);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int status = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); status != 0) {
        error = gai_strerror(status);
        return -1;
    }
    int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        error = std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(found);
    return fd;
}

}  // namespace

util::Status check_docker_daemon(const std::string& docker_host) {
    std::string error;
    int fd = -1;
    if (docker_host.rfind("unix://", 0) == 0) {
        fd = connect_unix(docker_host.substr(7), error);
    } else if (docker_host.rfind("tcp://", 0) == 0) {
        fd = connect_tcp(docker_host.substr(6), error);
    } else {
        return util::make_error(fmt::format("unsupported DOCKER_HOST `{}` (expected unix:// or tcp://)", docker_host));
    }
    if (fd < 0) return util::make_error(fmt::format("no Docker daemon answered at {}: {}", docker_host, error));

    const std::string request = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
    [[maybe_unused]] ssize_t sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string response;
    char buffer[512];
    pollfd wait{fd, POLLIN, 0};
    while (response.size() < 4096 && ::poll(&wait, 1, k_docker_timeout_ms) > 0) {
        ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) break;
        response.append(buffer, static_cast<size_t>(got));
    }
    ::close(fd);
    // A daemon answers `HTTP/1.x 200 OK` with body `OK`.
    if (response.rfind("HTTP/1.", 0) == 0 && response.size() > 12 && response.compare(9, 3, "200") == 0) {
        return {};
    }
    std::string first_line = response.substr(0, response.find('\r'));
    return util::make_error(fmt::format("the Docker daemon at {} did not answer _ping with 200 (got `{}`)", docker_host,
                                        first_line.empty() ? "no answer" : first_line));
}

util::Status SystemRequirementChecker::check(const std::string& requirement, const std::filesystem::path& root) {
    std::lock_guard lock(m_mutex);
    std::string key = requirement.rfind("file:", 0) == 0 ? requirement + "@" + root.string() : requirement;
    if (auto cached = m_cache.find(key); cached != m_cache.end()) return cached->second;

    util::Status answer;
    if (requirement == "docker") {
        const char* host = std::getenv("DOCKER_HOST");
        answer = check_docker_daemon(host && *host ? host : "unix:///var/run/docker.sock");
    } else if (requirement.rfind("command:", 0) == 0) {
        std::string name = requirement.substr(8);
        const char* path = std::getenv("PATH");
        std::vector<std::string> environment{std::string("PATH=") + (path ? path : "")};
        if (process::find_executable(name, environment, root).empty()) {
            answer = util::make_error(fmt::format("command `{}` not found on PATH", name));
        }
    } else if (requirement.rfind("env:", 0) == 0) {
        std::string name = requirement.substr(4);
        const char* value = std::getenv(name.c_str());
        if (!value || !*value) answer = util::make_error(fmt::format("environment variable {} is not set", name));
    } else if (requirement.rfind("file:", 0) == 0) {
        std::filesystem::path path = root / requirement.substr(5);
        std::error_code error;
        if (!std::filesystem::exists(path, error))
            answer = util::make_error(fmt::format("file {} does not exist", requirement.substr(5)));
    } else {
        answer = util::make_error(fmt::format("unknown requirement `{}`", requirement));
    }
    m_cache[key] = answer;
    return answer;
}

}  // namespace greenlight::runner
