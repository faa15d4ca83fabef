// Changing a pull request's labels through the GitHub REST API.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::github {

struct Repository {
    std::string api_url = "https://api.github.com";  // GITHUB_API_URL
    std::string name;                                // owner/repo, GITHUB_REPOSITORY
    std::string token;                               // GITHUB_TOKEN
};

// Reads GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN; the error says which is missing. `named`, when
// not empty, is the repository a config names (owner/name), used instead of GITHUB_REPOSITORY.
util::Result<Repository> repository_from_environment(std::string_view named = {});

struct LabelRequest {
    std::string method;  // POST or DELETE
    std::string path;
    int status = 0;
};

struct ApplyOutcome {
    std::vector<LabelRequest> requests;  // every request made, in order, with its final status
};

// Adds `add` (one POST) and removes each of `remove` (one DELETE each; a label already gone is fine) on
// issue/pull request `number`. A rate-limited answer (429, or 403 with x-ratelimit-remaining: 0) is
// retried after Retry-After / x-ratelimit-reset when that is at most `longest_wait` away; any other
// refusal is an error quoting GitHub's message.
util::Result<ApplyOutcome> apply_labels(const Repository& repository, int number, const std::vector<std::string>& add,
                                        const std::vector<std::string>& remove,
                                        std::chrono::seconds longest_wait = std::chrono::seconds(60));

}  // namespace greenlight::github
