#include "greenlight/github/issue_comments.hpp"

#include <httplib.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

namespace greenlight::github {

namespace {

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

util::Result<PostedComment> post_issue_comment(const Repository& repository, int number, std::string_view body,
                                               std::chrono::seconds longest_wait) {
    if (number <= 0) return util::make_error(fmt::format("issue number {} is not a positive number", number));
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
    const std::string path = fmt::format("{}/repos/{}/issues/{}/comments", prefix, repository.name, number);
    const std::string payload = nlohmann::json{{"body", body}}.dump();
    for (int attempt = 1;; ++attempt) {
        httplib::Result response = client.Post(path, headers, payload, "application/json");
        const long long wait = rate_limit_wait(response);
        if (wait >= 0 && attempt == 1 && wait <= longest_wait.count()) {
            std::this_thread::sleep_for(std::chrono::seconds(wait));
            continue;
        }
        if (!response) {
            return util::make_error(
                fmt::format("POST {}{}: no answer: {}", repository.api_url, path, message_of(response)));
        }
        if (response->status >= 200 && response->status < 300) {
            PostedComment posted{response->status, {}};
            auto document = nlohmann::json::parse(response->body, nullptr, false);
            if (document.is_object() && document.contains("html_url") && document["html_url"].is_string()) {
                posted.url = document["html_url"].get<std::string>();
            }
            return posted;
        }
        if (wait >= 0) {
            return util::make_error(
                fmt::format("POST {}: rate limited by GitHub ({}); retry in {} s", path, message_of(response), wait));
        }
        return util::make_error(
            fmt::format("POST {}: GitHub answered {}: {}", path, response->status, message_of(response)));
    }
}

}  // namespace greenlight::github
