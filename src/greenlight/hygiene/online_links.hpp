// The `--online` half of the links check: asks the servers of http(s) links whether the pages exist,
// politely (a few requests at a time, waiting when a host says 429) and remembering answers for a day.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/hygiene/check.hpp"

namespace greenlight::hygiene {

// One http(s) link and where it was written.
struct ExternalLink {
    std::string url;
    std::string path;  // repository-relative file the link is in
    int line = 0;
    int column = 0;
};

struct OnlineOptions {
    std::filesystem::path cache_file;  // JSON: url -> {status, checked_at}; empty for no cache
    int concurrency = 8;
    std::chrono::seconds connect_timeout{5};
    std::chrono::seconds read_timeout{10};
    // A host that answers 429 is asked again after its Retry-After, but never waited on longer than this,
    // nor more than `attempts` times in all.
    std::chrono::seconds longest_retry_after{30};
    int attempts = 3;
    std::chrono::hours cache_lifetime{24};
};

struct OnlineOutcome {
    std::vector<Finding> findings;  // rule "dead-link"
    std::uint64_t checked = 0;      // distinct URLs with an answer (fresh or cached)
    std::uint64_t from_cache = 0;
    std::uint64_t unverified = 0;  // still rate-limited after every attempt: neither dead nor alive
};

// Checks each distinct URL once; a dead one gets a finding at every place it is written.
OnlineOutcome check_online_links(const std::vector<ExternalLink>& links, const OnlineOptions& options);

}  // namespace greenlight::hygiene
