// The clock as a seam: production code asks a Clock, tests hand in a fake one.
#pragma once

#include <chrono>
#include <string>

namespace greenlight::util {

using WallTime = std::chrono::system_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual WallTime now() const = 0;
    virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
public:
    WallTime now() const override { return std::chrono::system_clock::now(); }
    std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
};

// RFC 3339 UTC with milliseconds: 2026-11-21T10:36:00.123Z
std::string format_utc(WallTime time);
// Compact, sortable and path-safe: 20261121T103600Z
std::string format_utc_compact(WallTime time);

}  // namespace greenlight::util
