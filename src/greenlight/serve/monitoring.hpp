// What `greenlight serve` counts for monitoring (internal to serve): the counters /metrics reports, and the
// route family a request is counted under.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace greenlight::serve::detail {

// Counters for /metrics.
struct Metrics {
    std::mutex mutex;
    std::map<std::pair<std::string, int>, std::uint64_t> requests;        // (route, status)
    std::map<std::string, std::uint64_t> pings;                           // by kind
    std::map<std::string, std::uint64_t> ingested;                        // stored, already_stored, bundle, refused
    std::map<std::pair<std::string, std::string>, std::uint64_t> alerts;  // (channel, outcome)
    std::map<std::string, std::uint64_t> pruned;                          // runs, bundles, pings, alerts
    std::map<std::string, std::uint64_t> watchdog_rounds;                 // by outcome: ok, failed

    void count_request(std::string route, int status) {
        std::lock_guard lock(mutex);
        ++requests[{std::move(route), status}];
    }
    void count(std::map<std::string, std::uint64_t>& counters, const std::string& key) {
        std::lock_guard lock(mutex);
        ++counters[key];
    }
    void count_alert(const std::string& channel, const std::string& outcome) {
        std::lock_guard lock(mutex);
        ++alerts[{channel, outcome}];
    }
    void count_pruned(const std::string& what, std::int64_t count) {
        std::lock_guard lock(mutex);
        pruned[what] += static_cast<std::uint64_t>(count);
    }
};

// The route family a path belongs to, for metrics labels (bounded: never the raw path).
std::string route_of(std::string_view path);

}  // namespace greenlight::serve::detail
