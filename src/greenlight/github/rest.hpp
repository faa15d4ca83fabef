// What the GitHub REST calls share (inside github/ only): the connection to the API with its headers, the
// error text of an answer, and how long a rate-limited answer asks to wait.
#pragma once

#include <httplib.h>

#include <memory>
#include <string>

#include "greenlight/github/labels.hpp"

namespace greenlight::github::rest {

struct Connection {
    std::unique_ptr<httplib::Client> client;
    std::string prefix;  // the API URL's path (GitHub Enterprise: /api/v3), to put before every request path
    httplib::Headers headers;
};

// A client for repository.api_url (redirects not followed) with the token and GitHub's API headers.
Connection connect(const Repository& repository);

// GitHub's `message`, else the start of the body, else why there was no answer.
std::string message_of(const httplib::Result& response);

// Seconds to wait before retrying a rate-limited answer; negative when it is not rate limiting.
long long rate_limit_wait(const httplib::Result& response);

}  // namespace greenlight::github::rest
