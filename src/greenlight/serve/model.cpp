#include "greenlight/serve/model.hpp"

#include <array>
#include <utility>

namespace greenlight::serve {

namespace {

template <class Enum, std::size_t N>
std::optional<Enum> parse_named(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) return name;
    }
    return "?";
}

constexpr std::array<std::pair<CheckState, std::string_view>, 5> k_check_states{{
    {CheckState::new_check, "new"},
    {CheckState::up, "up"},
    {CheckState::late, "late"},
    {CheckState::down, "down"},
    {CheckState::paused, "paused"},
}};

constexpr std::array<std::pair<PingKind, std::string_view>, 4> k_ping_kinds{{
    {PingKind::start, "start"},
    {PingKind::success, "success"},
    {PingKind::fail, "fail"},
    {PingKind::log, "log"},
}};

constexpr std::array<std::pair<AlertKind, std::string_view>, 4> k_alert_kinds{{
    {AlertKind::down, "down"},
    {AlertKind::reminder, "reminder"},
    {AlertKind::recovery, "recovery"},
    {AlertKind::heartbeat, "heartbeat"},
}};

}  // namespace

std::string_view to_string(CheckState state) {
    return name_of(k_check_states, state);
}
std::optional<CheckState> parse_check_state(std::string_view text) {
    return parse_named(k_check_states, text);
}
std::string_view to_string(PingKind kind) {
    return name_of(k_ping_kinds, kind);
}
std::optional<PingKind> parse_ping_kind(std::string_view text) {
    return parse_named(k_ping_kinds, text);
}
std::string_view to_string(AlertKind kind) {
    return name_of(k_alert_kinds, kind);
}
std::optional<AlertKind> parse_alert_kind(std::string_view text) {
    return parse_named(k_alert_kinds, text);
}

}  // namespace greenlight::serve
