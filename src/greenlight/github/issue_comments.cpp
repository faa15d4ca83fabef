#include "greenlight/github/issue_comments.hpp"

#include "greenlight/github/rest.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

namespace greenlight::github {

util::Result<PostedComment> post_issue_comment(const Repository& repository, int number, std::string_view body,
                                               std::chrono::seconds longest_wait) {
    if (number <= 0) return util::make_error(fmt::format("issue number {} is not a positive number", number));
    rest::Connection connection = rest::connect(repository);
    const std::string path = fmt::format("{}/repos/{}/issues/{}/comments", connection.prefix, repository.name, number);
    const std::string payload = nlohmann::json{{"body", body}}.dump();
    for (int attempt = 1;; ++attempt) {
        web::HttpResult response =
            connection.client.post(connection.url(path), connection.headers, payload, "application/json");
        const long long wait = rest::rate_limit_wait(response);
        if (wait >= 0 && attempt == 1 && wait <= longest_wait.count()) {
            std::this_thread::sleep_for(std::chrono::seconds(wait));
            continue;
        }
        if (!response) {
            return util::make_error(
                fmt::format("POST {}{}: no answer: {}", repository.api_url, path, rest::message_of(response)));
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
            return util::make_error(fmt::format("POST {}: rate limited by GitHub ({}); retry in {} s", path,
                                                rest::message_of(response), wait));
        }
        return util::make_error(
            fmt::format("POST {}: GitHub answered {}: {}", path, response->status, rest::message_of(response)));
    }
}

CommentAttempt try_post_issue_comment(const Repository& repository, int number, std::string_view body,
                                      std::chrono::milliseconds timeout) {
    CommentAttempt attempt;
    if (number <= 0) {
        attempt.message = fmt::format("issue number {} is not a positive number", number);
        return attempt;
    }
    rest::Connection connection = rest::connect(repository, timeout);
    const std::string path = fmt::format("{}/repos/{}/issues/{}/comments", connection.prefix, repository.name, number);
    web::HttpResult response = connection.client.post(connection.url(path), connection.headers,
                                                      nlohmann::json{{"body", body}}.dump(), "application/json");
    attempt.message = rest::message_of(response);
    if (!response) return attempt;
    attempt.status = response->status;
    if (const long long wait = rest::rate_limit_wait(response); wait >= 0) {
        attempt.retry_after = std::chrono::seconds(wait);
    } else if (response->status == 403 && response->has_header("retry-after")) {
        // GitHub's secondary rate limit: 403 with Retry-After, while the primary limit has requests left.
        attempt.retry_after =
            std::chrono::seconds(std::max(0LL, std::atoll(response->get_header_value("retry-after").c_str())));
    }
    auto document = nlohmann::json::parse(response->body, nullptr, false);
    if (document.is_object() && document.contains("html_url") && document["html_url"].is_string()) {
        attempt.url = document["html_url"].get<std::string>();
    }
    return attempt;
}

}  // namespace greenlight::github
