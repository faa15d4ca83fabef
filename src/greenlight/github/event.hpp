// The GitHub Actions event file (GITHUB_EVENT_PATH) of a pull_request event: what greenlight reads from it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::github {

struct PullRequestEvent {
    int number = 0;                   // pull_request.number; 0 when absent
    std::string head_sha;             // pull_request.head.sha; empty when absent
    std::vector<std::string> labels;  // pull_request.labels[].name, in order
};

// Reads the event file. Fields of the wrong type are skipped; a file that is not a JSON object with a
// `pull_request` object is an error naming the file.
util::Result<PullRequestEvent> read_pull_request_event(const std::filesystem::path& file);

}  // namespace greenlight::github
