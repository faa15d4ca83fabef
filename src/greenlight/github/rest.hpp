// What the GitHub REST calls share (inside github/ only): the connection to the API with its headers, the
// error text of an answer, and how long a rate-limited answer asks to wait.
#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>

#include "greenlight/github/labels.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::github::rest {

struct Connection {
    web::HttpClient client;
    std::string origin;  // scheme://host[:port] of the API URL
    std::string prefix;  // the API URL's path (GitHub Enterprise: /api/v3), to put before every request path
    web::Headers headers;

    std::string url(const std::string& path) const { return origin + path; }
};

// A client for repository.api_url (redirects not followed) with the token and GitHub's API headers: 10 s to
// connect, 30 s for each read and write, or `timeout` for each when given.
Connection connect(const Repository& repository, std::optional<std::chrono::milliseconds> timeout = std::nullopt);

// GitHub's `message`, else the start of the body, else why there was no answer.
std::string message_of(const web::HttpResult& response);

// Seconds to wait before retrying a rate-limited answer; negative when it is not rate limiting.
long long rate_limit_wait(const web::HttpResult& response);

// The same for an answer, with the wall time `now` (seconds since the epoch) that x-ratelimit-reset counts from.
long long rate_limit_wait(const web::HttpResponse& response, std::time_t now);

}  // namespace greenlight::github::rest
