// Commenting on an issue or pull request through the GitHub REST API (the smoke flow's failure notice).
#pragma once

#include <chrono>
#include <optional>
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

// What one POST of a comment got: GitHub's status (0 when no answer came), its message, and how long a
// rate-limited answer asks to wait.
struct CommentAttempt {
    int status = 0;
    std::string url;                                  // html_url of the comment, on success
    std::string message;                              // GitHub's message, or why no answer came
    std::optional<std::chrono::seconds> retry_after;  // rate limited: wait this long
};

// One POST of a comment, without waiting or retrying, each step bounded by `timeout`: for callers that
// schedule their own retries (the alert queue of `greenlight serve`).
CommentAttempt try_post_issue_comment(const Repository& repository, int number, std::string_view body,
                                      std::chrono::milliseconds timeout);

}  // namespace greenlight::github
