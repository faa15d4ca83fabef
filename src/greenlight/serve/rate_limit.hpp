// The rate limit of `greenlight serve` (internal to serve): a fixed window per client address, at most so many
// requests a minute.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace greenlight::serve::detail {

// A fixed window per client address: at most `limit` requests a minute.
class RateLimiter {
public:
    explicit RateLimiter(int per_minute) : m_limit(per_minute) {}

    // Seconds to wait when over the limit; nullopt when the request may go on.
    std::optional<int> check(const std::string& address, std::chrono::steady_clock::time_point now);

private:
    int m_limit;
    std::mutex m_mutex;
    std::int64_t m_minute = -1;
    std::unordered_map<std::string, int> m_counts;
};

}  // namespace greenlight::serve::detail
