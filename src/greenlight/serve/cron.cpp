#include "greenlight/serve/cron.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <exception>
#include <span>
#include <vector>

#include "greenlight/util/strings.hpp"

namespace greenlight::serve {

namespace {

using date::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::size_t k_max_expression_length = 256;

constexpr std::array<std::string_view, 12> k_month_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                         "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> k_weekday_names{"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

// What one of the five fields allows.
struct FieldRule {
    std::string_view name;
    int min;
    int max;
    std::span<const std::string_view> names;  // names[i] stands for min + i; empty when the field has none
    std::string_view allowed;                 // for messages
};

constexpr FieldRule k_minute_rule{"minute", 0, 59, {}, "0-59"};
constexpr FieldRule k_hour_rule{"hour", 0, 23, {}, "0-23"};
constexpr FieldRule k_day_of_month_rule{"day-of-month", 1, 31, {}, "1-31"};
constexpr FieldRule k_month_rule{"month", 1, 12, k_month_names, "1-12 or JAN-DEC"};
constexpr FieldRule k_day_of_week_rule{"day-of-week", 0, 7, k_weekday_names, "0-7 or SUN-SAT (0 and 7 are Sunday)"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> k_nicknames{{
    {"@hourly", "0 * * * *"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"},
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
}};

util::Error field_error(const FieldRule& rule, std::string_view field, std::string_view item,
                        std::string_view expected) {
    if (item == field) {
        return util::make_error(
            fmt::format("{} field \"{}\": expected {}", rule.name, util::printable(field), expected));
    }
    return util::make_error(fmt::format("{} field \"{}\": expected {}, found \"{}\"", rule.name, util::printable(field),
                                        expected, util::printable(item)));
}

std::optional<int> parse_number(std::string_view text) {
    if (text.empty() || text.size() > 4) return std::nullopt;
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// A number or a name the field allows, within the field's range.
std::optional<int> parse_value(const FieldRule& rule, std::string_view text) {
    if (const std::optional<int> number = parse_number(text)) {
        if (*number < rule.min || *number > rule.max) return std::nullopt;
        return number;
    }
    const std::string lower = util::lowercase(text);
    for (std::size_t index = 0; index < rule.names.size(); ++index) {
        if (rule.names[index] == lower) return rule.min + static_cast<int>(index);
    }
    return std::nullopt;
}

// One field as a bit mask of the values it selects (bit n: value n).
util::Result<std::uint64_t> parse_field(const FieldRule& rule, std::string_view field) {
    std::uint64_t mask = 0;
    std::size_t position = 0;
    while (position <= field.size()) {
        const std::size_t comma = field.find(',', position);
        const std::string_view item =
            field.substr(position, comma == std::string_view::npos ? std::string_view::npos : comma - position);
        position = comma == std::string_view::npos ? field.size() + 1 : comma + 1;
        if (item.empty()) return field_error(rule, field, item, "a value, a range or * between commas");

        const std::size_t slash = item.find('/');
        const std::string_view base = item.substr(0, slash);
        int step = 1;
        if (slash != std::string_view::npos) {
            const int span = rule.max - rule.min + 1;
            const std::optional<int> parsed = parse_number(item.substr(slash + 1));
            if (!parsed || *parsed < 1 || *parsed > span) {
                return field_error(rule, field, item, fmt::format("a step from 1 to {} after /", span));
            }
            step = *parsed;
        }

        int low = rule.min;
        int high = rule.max;
        if (base != "*") {
            const std::size_t dash = base.find('-');
            const std::optional<int> first = parse_value(rule, base.substr(0, dash));
            if (!first) return field_error(rule, field, item, rule.allowed);
            low = *first;
            if (dash != std::string_view::npos) {
                const std::optional<int> last = parse_value(rule, base.substr(dash + 1));
                if (!last) return field_error(rule, field, item, rule.allowed);
                if (*last < low) return field_error(rule, field, item, "a range low-high with low <= high");
                high = *last;
            } else if (slash == std::string_view::npos) {
                high = low;
            }
            // `5/15` reads as `5-max/15`, as cronie reads it.
        }
        for (int value = low; value <= high; value += step) mask |= std::uint64_t{1} << value;
    }
    return mask;
}

template <std::size_t N>
std::bitset<N> to_bitset(std::uint64_t mask) {
    std::bitset<N> bits;
    for (std::size_t index = 0; index < N; ++index) bits[index] = ((mask >> index) & 1U) != 0;
    return bits;
}

std::vector<std::string_view> split_fields(std::string_view text) {
    std::vector<std::string_view> fields;
    std::size_t position = 0;
    while (position < text.size()) {
        while (position < text.size() && (text[position] == ' ' || text[position] == '\t')) ++position;
        if (position >= text.size()) break;
        std::size_t end = position;
        while (end < text.size() && text[end] != ' ' && text[end] != '\t') ++end;
        fields.push_back(text.substr(position, end - position));
        position = end;
    }
    return fields;
}

std::optional<util::WallTime> to_wall_time(date::sys_seconds instant) {
    // WallTime counts nanoseconds, so it spans roughly 1678 to 2262; later or earlier runs do not exist for it.
    if (instant < std::chrono::ceil<seconds>(util::WallTime::min()) ||
        instant > std::chrono::floor<seconds>(util::WallTime::max())) {
        return std::nullopt;
    }
    return util::WallTime{instant};
}

}  // namespace

util::Result<CronExpression> CronExpression::parse(std::string_view expression, std::string_view time_zone) {
    const std::string_view text = util::trim(expression);
    constexpr std::string_view k_expected_shape =
        "expected five fields (minute hour day-of-month month day-of-week) or a nickname "
        "(@hourly, @daily, @weekly, @monthly, @yearly)";
    if (text.size() > k_max_expression_length) {
        return util::make_error(fmt::format("cron expression is {} characters long: expected at most {}", text.size(),
                                            k_max_expression_length));
    }
    if (text.empty()) return util::make_error(fmt::format("cron expression is empty: {}", k_expected_shape));

    std::string_view fields_text = text;
    if (text.front() == '@') {
        const std::string nickname = util::lowercase(text);
        fields_text = {};
        for (const auto& [name, fields] : k_nicknames) {
            if (name == nickname) fields_text = fields;
        }
        if (fields_text.empty()) {
            return util::make_error(
                fmt::format("cron expression \"{}\": unknown nickname; {}", util::printable(text), k_expected_shape));
        }
    }
    const std::vector<std::string_view> fields = split_fields(fields_text);
    if (fields.size() != 5) {
        return util::make_error(fmt::format("cron expression \"{}\": {}, found {} field{}", util::printable(text),
                                            k_expected_shape, fields.size(), fields.size() == 1 ? "" : "s"));
    }

    CronExpression cron;
    cron.m_expression = std::string(text);

    const util::Result<std::uint64_t> minutes = parse_field(k_minute_rule, fields[0]);
    if (!minutes) return minutes.error();
    const util::Result<std::uint64_t> hours = parse_field(k_hour_rule, fields[1]);
    if (!hours) return hours.error();
    const util::Result<std::uint64_t> days_of_month = parse_field(k_day_of_month_rule, fields[2]);
    if (!days_of_month) return days_of_month.error();
    const util::Result<std::uint64_t> months = parse_field(k_month_rule, fields[3]);
    if (!months) return months.error();
    const util::Result<std::uint64_t> days_of_week = parse_field(k_day_of_week_rule, fields[4]);
    if (!days_of_week) return days_of_week.error();

    cron.m_minutes = to_bitset<60>(*minutes);
    cron.m_hours = to_bitset<24>(*hours);
    cron.m_days_of_month = to_bitset<32>(*days_of_month);
    cron.m_months = to_bitset<13>(*months);
    // 7 is Sunday too.
    cron.m_days_of_week = to_bitset<7>(*days_of_week | ((*days_of_week >> 7) & 1U));
    cron.m_first_hour = std::countr_zero(*hours);
    cron.m_last_hour = 63 - std::countl_zero(*hours);
    cron.m_first_minute = std::countr_zero(*minutes);
    cron.m_last_minute = 63 - std::countl_zero(*minutes);
    cron.m_day_of_month_star = fields[2].front() == '*';
    cron.m_day_of_week_star = fields[4].front() == '*';

    const std::string_view zone_name = util::trim(time_zone);
    if (zone_name.empty() || zone_name == "UTC") {
        cron.m_time_zone_name = "UTC";
        return cron;
    }
    cron.m_time_zone_name = std::string(zone_name);
    try {
        (void)date::get_tzdb();
    } catch (const std::exception& error) {
        return util::make_error(
            fmt::format("time zone \"{}\": the time zone database could not be read ({}); "
                        "install the tzdata package or use UTC",
                        util::printable(zone_name), error.what()));
    }
    try {
        cron.m_zone = date::locate_zone(zone_name);
    } catch (const std::exception&) {
        return util::make_error(
            fmt::format("unknown time zone \"{}\": expected an IANA name such as Europe/Berlin, "
                        "America/New_York or UTC",
                        util::printable(zone_name)));
    }
    return cron;
}

bool CronExpression::day_matches(int day_of_month, unsigned month, unsigned weekday) const {
    if (!m_months.test(month)) return false;
    const bool day_of_month_matches = m_days_of_month.test(static_cast<std::size_t>(day_of_month));
    const bool day_of_week_matches = m_days_of_week.test(weekday);
    if (m_day_of_month_star || m_day_of_week_star) return day_of_month_matches && day_of_week_matches;
    return day_of_month_matches || day_of_week_matches;
}

namespace {

// When a wall-clock minute in `zone` happens. A minute that the spring change skips happens at the first
// instant after the gap (cron runs such jobs right after the change); a minute the autumn change repeats
// happens at its first occurrence only. So the instants never decrease as the wall clock advances.
date::sys_seconds instant_of(const date::time_zone* zone, date::local_seconds wall) {
    if (zone == nullptr) return date::sys_seconds{wall.time_since_epoch()};
    const date::local_info info = zone->get_info(wall);
    switch (info.result) {
        case date::local_info::nonexistent:
            return info.second.begin;
        case date::local_info::ambiguous:
        case date::local_info::unique:
            break;
    }
    return date::sys_seconds{wall.time_since_epoch()} - info.first.offset;
}

date::local_seconds local_of(const date::time_zone* zone, date::sys_seconds instant) {
    if (zone == nullptr) return date::local_seconds{instant.time_since_epoch()};
    return zone->to_local(instant);
}

date::local_days first_of_next_month(const date::year_month_day& day) {
    return date::local_days{(day.year() / day.month() + date::months{1}) / 1};
}

date::local_days last_of_previous_month(const date::year_month_day& day) {
    return date::local_days{day.year() / day.month() / 1} - days{1};
}

}  // namespace

std::optional<util::WallTime> CronExpression::next_after(util::WallTime time) const {
    // Runs fall on whole seconds, so "after time" is "after time's whole second".
    const date::sys_seconds after = std::chrono::floor<seconds>(time);
    // A day early: the wall clock may be up to a day away from UTC, and instants never decrease as the wall clock
    // advances, so the first match later than `after` is the answer.
    const date::local_days first_day = date::floor<days>(local_of(m_zone, after)) - days{1};
    const date::local_days last_day = first_day + days{366 * k_search_years};
    for (date::local_days day = first_day; day <= last_day;) {
        const date::year_month_day calendar{day};
        if (!m_months.test(static_cast<unsigned>(calendar.month()))) {
            day = first_of_next_month(calendar);
            continue;
        }
        const bool matches = day_matches(static_cast<int>(static_cast<unsigned>(calendar.day())),
                                         static_cast<unsigned>(calendar.month()), date::weekday{day}.c_encoding());
        // Instants never decrease as the wall clock advances: a day or an hour whose last run is not after
        // `after` holds no answer, and is skipped with one look-up.
        if (matches && instant_of(m_zone, day + hours{m_last_hour} + minutes{m_last_minute}) > after) {
            for (int hour = m_first_hour; hour <= m_last_hour; ++hour) {
                if (!m_hours.test(static_cast<std::size_t>(hour))) continue;
                if (instant_of(m_zone, day + hours{hour} + minutes{m_last_minute}) <= after) continue;
                for (int minute = m_first_minute; minute <= m_last_minute; ++minute) {
                    if (!m_minutes.test(static_cast<std::size_t>(minute))) continue;
                    const date::sys_seconds instant = instant_of(m_zone, day + hours{hour} + minutes{minute});
                    if (instant > after) return to_wall_time(instant);
                }
            }
        }
        day += days{1};
    }
    return std::nullopt;
}

std::optional<util::WallTime> CronExpression::previous_at_or_before(util::WallTime time) const {
    const date::sys_seconds at_or_before = std::chrono::floor<seconds>(time);
    const date::local_days last_day = date::floor<days>(local_of(m_zone, at_or_before)) + days{1};
    const date::local_days first_day = last_day - days{366 * k_search_years};
    for (date::local_days day = last_day; day >= first_day;) {
        const date::year_month_day calendar{day};
        if (!m_months.test(static_cast<unsigned>(calendar.month()))) {
            day = last_of_previous_month(calendar);
            continue;
        }
        const bool matches = day_matches(static_cast<int>(static_cast<unsigned>(calendar.day())),
                                         static_cast<unsigned>(calendar.month()), date::weekday{day}.c_encoding());
        if (matches && instant_of(m_zone, day + hours{m_first_hour} + minutes{m_first_minute}) <= at_or_before) {
            for (int hour = m_last_hour; hour >= m_first_hour; --hour) {
                if (!m_hours.test(static_cast<std::size_t>(hour))) continue;
                if (instant_of(m_zone, day + hours{hour} + minutes{m_first_minute}) > at_or_before) continue;
                for (int minute = m_last_minute; minute >= m_first_minute; --minute) {
                    if (!m_minutes.test(static_cast<std::size_t>(minute))) continue;
                    const date::sys_seconds instant = instant_of(m_zone, day + hours{hour} + minutes{minute});
                    if (instant <= at_or_before) return to_wall_time(instant);
                }
            }
        }
        day -= days{1};
    }
    return std::nullopt;
}

}  // namespace greenlight::serve
