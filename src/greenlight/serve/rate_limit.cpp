// The fixed-window rate limit per client address.
#include "greenlight/serve/rate_limit.hpp"

#include <algorithm>

namespace greenlight::serve::detail {

std::optional<int> RateLimiter::check(const std::string& address, std::chrono::steady_clock::time_point now) {
    if (m_limit <= 0) return std::nullopt;
    std::lock_guard lock(m_mutex);
    const auto minute = std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
    if (minute != m_minute) {
        m_counts.clear();
        m_minute = minute;
    }
    int& count = m_counts[address];
    if (count >= m_limit) {
        auto next = std::chrono::minutes{minute + 1} - now.time_since_epoch();
        return static_cast<int>(
            std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(next).count() + 1));
    }
    ++count;
    return std::nullopt;
}

}  // namespace greenlight::serve::detail
