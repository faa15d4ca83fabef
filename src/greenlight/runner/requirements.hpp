// Requirements a suite declares (`requires:`), checked before it starts.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "greenlight/util/result.hpp"

namespace greenlight::runner {

// Answers whether a requirement holds. Results are cached for the run (the Docker daemon is asked once).
class RequirementChecker {
public:
    virtual ~RequirementChecker() = default;
    // Success when the requirement holds, else an error saying why it does not.
    virtual util::Status check(const std::string& requirement, const std::filesystem::path& root) = 0;
};

// docker: a daemon answers `GET /_ping` on DOCKER_HOST (unix socket or tcp) or /var/run/docker.sock;
// command:NAME: NAME is on PATH; env:NAME: the variable is set and not empty; file:PATH: it exists.
class SystemRequirementChecker final : public RequirementChecker {
public:
    util::Status check(const std::string& requirement, const std::filesystem::path& root) override;

private:
    std::mutex m_mutex;
    std::map<std::string, util::Status> m_cache;
};

// Asks a Docker daemon at `docker_host` (unix:///path or tcp://host:port) for `_ping`; an error says why none answered.
util::Status check_docker_daemon(const std::string& docker_host);

}  // namespace greenlight::runner
