#include "greenlight/util/clock.hpp"

#include <fmt/format.h>
#include <ctime>

namespace greenlight::util {

namespace {
std::tm utc_parts(WallTime time) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return parts;
}
}  // namespace

std::string format_utc(WallTime time) {
    std::tm parts = utc_parts(time);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
    if (ms < 0) ms += 1000;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900, parts.tm_mon + 1,
                       parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, ms);
}

std::string format_utc_compact(WallTime time) {
    std::tm parts = utc_parts(time);
    return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                       parts.tm_hour, parts.tm_min, parts.tm_sec);
}

}  // namespace greenlight::util
