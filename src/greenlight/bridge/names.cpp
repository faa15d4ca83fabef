#include "greenlight/bridge/names.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace greenlight::bridge {

namespace {

bool is_national(char c) {
    return c == '@' || c == '#' || c == '$';
}
bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

bool is_valid_jcl_name(std::string_view name) {
    if (name.empty() || name.size() > 8) return false;
    if (!is_upper(name.front()) && !is_national(name.front())) return false;
    return std::all_of(name.begin() + 1, name.end(),
                       [](char c) { return is_upper(c) || is_digit(c) || is_national(c); });
}

bool is_valid_job_id(std::string_view id) {
    const auto all_digits = [](std::string_view text) { return std::all_of(text.begin(), text.end(), is_digit); };
    if (id.size() != 8) return false;
    if (id.starts_with("JOB")) return all_digits(id.substr(3));
    return id.front() == 'J' && all_digits(id.substr(1));
}

std::optional<std::string> job_id_for(std::uint32_t number) {
    if (number == 0 || number > 9'999'999) return std::nullopt;
    if (number <= 99'999) return fmt::format("JOB{:05}", number);
    return fmt::format("J{:07}", number);
}

}  // namespace greenlight::bridge
