// Durations as people write them in config files: 500ms, 30s, 5m, 1h, 1h30m, 90d.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace greenlight::util {

using Milliseconds = std::chrono::milliseconds;

// Parses `90s`, `5m`, `1h30m`, `250ms`, `30d`; a bare number is seconds. Empty optional on bad input.
std::optional<Milliseconds> parse_duration(std::string_view text);

// `1.234s`, `2m05s`, `1h02m` — short and exact enough for tables.
std::string format_duration(Milliseconds duration);

// Sizes: `64KiB`, `8MiB`, `1GiB`, `1000` (bytes), `10kB` (decimal).
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace greenlight::util
