#include "greenlight/github/labels.hpp"

#include <httplib.h>

#include <cstdlib>
#include <ctime>
#include <fmt/format.h>
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

std::string message_of(const httplib::Result& response) {
    if (!response) return httplib::to_string(response.error());
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (body.is_object() && body.contains("message") && body["message"].is_string()) {
        return body["message"].get<std::string>();
    }
    return response->body.substr(0, 200);
}

// Seconds to wait before retrying a rate-limited answer; negative when it is not rate limiting.
long long rate_limit_wait(const httplib::Result& response) {
    if (!response) return -1;
    const bool limited = response->status == 429 ||
                         (response->status == 403 && response->get_header_value("x-ratelimit-remaining") == "0");
    if (!limited) return -1;
    if (response->has_header("retry-after")) return std::atoll(response->get_header_value("retry-after").c_str());
    if (response->has_header("x-ratelimit-reset")) {
        long long reset = std::atoll(response->get_header_value("x-ratelimit-reset").c_str());
        return std::max<long long>(0, reset - static_cast<long long>(std::time(nullptr)));
    }
    return 60;
}

}  // namespace

util::Result<Repository> repository_from_environment() {
    Repository repository;
    auto read = [](const char* name) {
        const char* value = std::getenv(name);
        return std::string(value ? value : "");
    };
    if (std::string url = read("GITHUB_API_URL"); !url.empty()) repository.api_url = url;
    repository.name = read("GITHUB_REPOSITORY");
    repository.token = read("GITHUB_TOKEN");
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
    // The API URL may carry a path prefix (GitHub Enterprise: https://host/api/v3).
    std::string origin = repository.api_url;
    std::string prefix;
    if (auto scheme = origin.find("://"); scheme != std::string::npos) {
        if (auto slash = origin.find('/', scheme + 3); slash != std::string::npos) {
            prefix = origin.substr(slash);
            origin.resize(slash);
            if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
        }
    }
    httplib::Client client(origin);
    client.set_connection_timeout(10);
    client.set_read_timeout(30);
    client.set_follow_location(false);
    const httplib::Headers headers = {{"Authorization", "Bearer " + repository.token},
                                      {"Accept", "application/vnd.github+json"},
                                      {"X-GitHub-Api-Version", "2022-11-28"},
                                      {"User-Agent", "greenlight"}};
    const std::string labels_path = fmt::format("{}/repos/{}/issues/{}/labels", prefix, repository.name, number);

    ApplyOutcome outcome;
    auto send = [&](const std::string& method, const std::string& path, const std::string& body) -> util::Status {
        for (int attempt = 1;; ++attempt) {
            httplib::Result response = method == "POST" ? client.Post(path, headers, body, "application/json")
                                                         : client.Delete(path, headers);
            long long wait = rate_limit_wait(response);
            if (wait >= 0 && attempt == 1 && wait <= longest_wait.count()) {
                std::this_thread::sleep_for(std::chrono::seconds(wait));
                continue;
            }
            outcome.requests.push_back({method, path, response ? response->status : 0});
            if (!response) {
                return util::make_error(fmt::format("{} {}{}: no answer: {}", method, repository.api_url, path,
                                                    message_of(response)));
            }
            const int status = response->status;
            if (status >= 200 && status < 300) return {};
            if (method == "DELETE" && status == 404) return {};  // the label was not there: nothing to remove
            if (wait >= 0) {
                return util::make_error(fmt::format("{} {}: rate limited by GitHub ({}); retry in {} s", method, path,
                                                    message_of(response), wait));
            }
            return util::make_error(
                fmt::format("{} {}: GitHub answered {}: {}", method, path, status, message_of(response)));
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
