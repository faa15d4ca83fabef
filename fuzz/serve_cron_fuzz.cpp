// libFuzzer target: cron expressions and time zone names come from greenlight.yml and from the checks API,
// so any bytes must give a schedule or an error, and a schedule's searches must end and agree with each other.
// Input: a first line with the time zone, then the expression; the start time comes from the input's hash.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "greenlight/serve/cron.hpp"

using greenlight::serve::CronExpression;
using greenlight::util::WallTime;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t newline = input.find('\n');
    const std::string_view time_zone =
        newline == std::string_view::npos ? std::string_view{} : input.substr(0, newline);
    const std::string_view expression = newline == std::string_view::npos ? input : input.substr(newline + 1);

    const auto parsed = CronExpression::parse(expression, time_zone);
    if (!parsed) {
        if (parsed.message().empty()) __builtin_trap();
        return 0;
    }

    // A start between 2000 and about 2130, taken from the input so the fuzzer can steer it.
    std::uint32_t seed = 2166136261U;
    for (const std::uint8_t byte : input) seed = (seed ^ byte) * 16777619U;
    const WallTime start = WallTime{std::chrono::seconds{946684800LL + seed}};

    const CronExpression& cron = *parsed;
    const auto next = cron.next_after(start);
    if (next) {
        if (*next <= start) __builtin_trap();
        // A run is its own latest run at or before it.
        if (cron.previous_at_or_before(*next) != next) __builtin_trap();
        const auto after = cron.next_after(*next);
        if (after && *after <= *next) __builtin_trap();
    }
    const auto previous = cron.previous_at_or_before(start);
    if (previous) {
        if (*previous > start) __builtin_trap();
        // Nothing runs between the latest run at or before `start` and `start`.
        const auto following = cron.next_after(*previous);
        if (following && *following <= start) __builtin_trap();
    }
    return 0;
}
