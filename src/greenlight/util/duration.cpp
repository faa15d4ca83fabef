#include "greenlight/util/duration.hpp"

#include <fmt/format.h>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace greenlight::util {

std::optional<Milliseconds> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    double total_ms = 0;
    size_t i = 0;
    bool any = false;
    while (i < text.size()) {
        size_t start = i;
        while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
        if (i == start) return std::nullopt;
        double number = 0;
        auto [end, error] = std::from_chars(text.data() + start, text.data() + i, number);
        if (error != std::errc() || end != text.data() + i) return std::nullopt;
        size_t unit_start = i;
        while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view unit = text.substr(unit_start, i - unit_start);
        double scale = 0;
        if (unit.empty() && !any && i == text.size())
            scale = 1000;
        else if (unit == "ms")
            scale = 1;
        else if (unit == "s")
            scale = 1000;
        else if (unit == "m")
            scale = 60'000;
        else if (unit == "h")
            scale = 3'600'000;
        else if (unit == "d")
            scale = 86'400'000;
        else
            return std::nullopt;
        total_ms += number * scale;
        any = true;
    }
    if (total_ms < 0 || total_ms > 1e12) return std::nullopt;
    return Milliseconds(static_cast<int64_t>(total_ms + 0.5));
}

std::string format_duration(Milliseconds duration) {
    int64_t ms = duration.count();
    if (ms < 60'000) return fmt::format("{:.3f}s", static_cast<double>(ms) / 1000.0);
    int64_t seconds = ms / 1000;
    if (seconds < 3600) return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
    return fmt::format("{}h{:02}m", seconds / 3600, (seconds % 3600) / 60);
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0) return std::nullopt;
    std::uint64_t number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + i, number);
    if (error != std::errc()) return std::nullopt;
    std::string_view unit = text.substr(i);
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "B")
        scale = 1;
    else if (unit == "KiB")
        scale = 1ull << 10;
    else if (unit == "MiB")
        scale = 1ull << 20;
    else if (unit == "GiB")
        scale = 1ull << 30;
    else if (unit == "kB" || unit == "KB")
        scale = 1000;
    else if (unit == "MB")
        scale = 1000'000;
    else if (unit == "GB")
        scale = 1000'000'000;
    else
        return std::nullopt;
    if (number > UINT64_MAX / scale) return std::nullopt;
    return number * scale;
}

}  // namespace greenlight::util
