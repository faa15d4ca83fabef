#include "greenlight/github/labels.hpp"

#include "greenlight/github/rest.hpp"

#include <fmt/format.h>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

namespace greenlight::github {

namespace {

// Percent-encodes a label for a URL path segment (labels may hold spaces, ':' and '/').
std::string path_segment(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

}  // namespace

util::Result<Repository> repository_from_environment(std::string_view named) {
    Repository repository;
    auto read = [](const char* name) {
        const char* value = std::getenv(name);
        return std::string(value ? value : "");
    };
    if (std::string url = read("GITHUB_API_URL"); !url.empty()) repository.api_url = url;
    repository.name = named.empty() ? read("GITHUB_REPOSITORY") : std::string(named);
    repository.token = read("GITHUB_TOKEN");
    if (!named.empty() && repository.name.find('/') == std::string::npos) {
        return util::make_error(fmt::format("the repository '{}' is not owner/name", repository.name));
    }
    if (repository.name.empty() || repository.name.find('/') == std::string::npos) {
        return util::make_error("GITHUB_REPOSITORY is not set to owner/repo (GitHub Actions sets it)");
    }
    if (repository.token.empty()) {
        return util::make_error("GITHUB_TOKEN is not set (pass secrets.GITHUB_TOKEN to the step's env)");
    }
    return repository;
}

util::Result<ApplyOutcome> apply_labels(const Repository& repository, int number, const std::vector<std::string>& add,
                                        const std::vector<std::string>& remove, std::chrono::seconds longest_wait) {
    rest::Connection connection = rest::connect(repository);
    const std::string labels_path =
        fmt::format("{}/repos/{}/issues/{}/labels", connection.prefix, repository.name, number);

    ApplyOutcome outcome;
    auto send = [&](const std::string& method, const std::string& path, const std::string& body) -> util::Status {
        for (int attempt = 1;; ++attempt) {
            web::HttpResult response =
                method == "POST"
                    ? connection.client.post(connection.url(path), connection.headers, body, "application/json")
                    : connection.client.remove(connection.url(path), connection.headers);
            long long wait = rest::rate_limit_wait(response);
            if (wait >= 0 && attempt == 1 && wait <= longest_wait.count()) {
                std::this_thread::sleep_for(std::chrono::seconds(wait));
                continue;
            }
            outcome.requests.push_back({method, path, response ? response->status : 0});
            if (!response) {
                return util::make_error(fmt::format("{} {}{}: no answer: {}", method, repository.api_url, path,
                                                    rest::message_of(response)));
            }
            const int status = response->status;
            if (status >= 200 && status < 300) return {};
            if (method == "DELETE" && status == 404) return {};  // the label was not there: nothing to remove
            if (wait >= 0) {
                return util::make_error(fmt::format("{} {}: rate limited by GitHub ({}); retry in {} s", method, path,
                                                    rest::message_of(response), wait));
            }
            return util::make_error(
                fmt::format("{} {}: GitHub answered {}: {}", method, path, status, rest::message_of(response)));
        }
    };
    if (!add.empty()) {
        if (auto sent = send("POST", labels_path, nlohmann::json{{"labels", add}}.dump()); !sent) return sent.error();
    }
    for (const auto& label : remove) {
        if (auto sent = send("DELETE", labels_path + "/" + path_segment(label), ""); !sent) return sent.error();
    }
    return outcome;
}

}  // namespace greenlight::github
