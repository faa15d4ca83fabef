// Commenting on an issue or pull request through the GitHub REST API (the smoke flow's failure notice).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "greenlight/github/labels.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::github {

struct PostedComment {
    int status = 0;   // GitHub's answer (201)
    std::string url;  // html_url of the comment, when GitHub gave it
};

// POST {api_url}/repos/{name}/issues/{number}/comments with {"body": body}. A rate-limited answer (429,
// or 403 with x-ratelimit-remaining: 0) is retried once after Retry-After when that is at most
// `longest_wait` away; any other refusal is an error quoting GitHub's message.
util::Result<PostedComment> post_issue_comment(const Repository& repository, int number, std::string_view body,
                                               std::chrono::seconds longest_wait = std::chrono::seconds(60));

}  // namespace greenlight::github
