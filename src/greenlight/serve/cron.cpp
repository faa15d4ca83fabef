#include "greenlight/serve/cron.hpp"

#include <absl/time/civil_time.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "greenlight/util/strings.hpp"

namespace greenlight::serve {

namespace {

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

// Runs fall on whole seconds: a time is compared by its whole second.
absl::Time to_absl_time(util::WallTime time) {
    return absl::FromChrono(std::chrono::floor<std::chrono::seconds>(time));
}

std::optional<util::WallTime> to_wall_time(absl::Time instant) {
    // WallTime counts nanoseconds, so it spans roughly 1678 to 2262; later or earlier runs do not exist for it.
    const absl::Time earliest = absl::FromChrono(std::chrono::ceil<std::chrono::seconds>(util::WallTime::min()));
    const absl::Time latest = absl::FromChrono(std::chrono::floor<std::chrono::seconds>(util::WallTime::max()));
    if (instant < earliest || instant > latest) return std::nullopt;
    return util::WallTime{std::chrono::seconds{absl::ToUnixSeconds(instant)}};
}

bool is_ascii_letter(char character) {
    return (character >= 'A' && character <= 'Z') || (character >= 'a' && character <= 'z');
}

bool is_zone_name_character(char character) {
    return is_ascii_letter(character) || (character >= '0' && character <= '9') || character == '_' ||
           character == '+' || character == '-';
}

// A name as the time zone database lists its zones (Europe/Berlin, Etc/GMT+5, EST5EDT): words of letters,
// digits, '_', '+' and '-' joined by '/', the first starting with a letter. Abseil would also load a file path,
// a "file:" or "libc:" name or a fixed offset, and a name may come from the API. The zoneinfo folder also holds
// files that are no zones of their own (the posix/ and right/ copies, posixrules, the Factory placeholder),
// which greenlight has never accepted either.
bool is_zone_name(std::string_view name) {
    if (name.starts_with("posix/") || name.starts_with("right/") || name == "posixrules" || name == "Factory") {
        return false;
    }
    if (name.empty() || !is_ascii_letter(name.front())) return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = name.find('/', start);
        const std::string_view word = name.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (word.empty() || !std::all_of(word.begin(), word.end(), is_zone_name_character)) return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

// Where Abseil reads the time zone database: $TZDIR, else the system's folder.
std::string zone_database_folder() {
    const char* folder = std::getenv("TZDIR");
    return folder != nullptr && *folder != '\0' ? folder : "/usr/share/zoneinfo";
}

util::Error unknown_time_zone(std::string_view name) {
    return util::make_error(
        fmt::format("unknown time zone \"{}\": expected an IANA name such as Europe/Berlin, "
                    "America/New_York or UTC",
                    util::printable(name)));
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
    if (!is_zone_name(zone_name)) return unknown_time_zone(zone_name);
    if (absl::LoadTimeZone(cron.m_time_zone_name, &cron.m_zone)) return cron;
    // Abseil answers a missing database as it answers an unknown name; every database has Etc/UTC.
    absl::TimeZone probe;
    if (absl::LoadTimeZone("Etc/UTC", &probe)) return unknown_time_zone(zone_name);
    return util::make_error(
        fmt::format("time zone \"{}\": the time zone database could not be read (no Etc/UTC in "
                    "{}); install the tzdata package, point TZDIR at a zoneinfo folder or use UTC",
                    util::printable(zone_name), util::printable(zone_database_folder())));
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
// happens at its first occurrence only, under the offset before the change. So the instants never decrease as
// the wall clock advances.
absl::Time instant_of(const absl::TimeZone& zone, absl::CivilDay day, int hour, int minute) {
    const absl::TimeZone::TimeInfo info = zone.At(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute));
    return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

absl::CivilDay local_day_of(const absl::TimeZone& zone, absl::Time instant) {
    return absl::CivilDay(zone.At(instant).cs);
}

constexpr absl::civil_diff_t k_search_days = absl::civil_diff_t{366} * CronExpression::k_search_years;

// 0 for Sunday, as cron counts (Abseil's week starts on Monday).
unsigned days_since_sunday(absl::CivilDay day) {
    return (static_cast<unsigned>(absl::GetWeekday(day)) + 1) % 7;
}

absl::CivilDay first_of_next_month(absl::CivilDay day) {
    return absl::CivilDay(absl::CivilMonth(day) + 1);
}

absl::CivilDay last_of_previous_month(absl::CivilDay day) {
    return absl::CivilDay(absl::CivilMonth(day)) - 1;
}

}  // namespace

std::optional<util::WallTime> CronExpression::next_after(util::WallTime time) const {
    // Runs fall on whole seconds, so "after time" is "after time's whole second".
    const absl::Time after = to_absl_time(time);
    // A day early: the wall clock may be up to a day away from UTC, and instants never decrease as the wall clock
    // advances, so the first match later than `after` is the answer.
    const absl::CivilDay first_day = local_day_of(m_zone, after) - 1;
    const absl::CivilDay last_day = first_day + k_search_days;
    for (absl::CivilDay day = first_day; day <= last_day;) {
        if (!m_months.test(static_cast<std::size_t>(day.month()))) {
            day = first_of_next_month(day);
            continue;
        }
        const bool matches = day_matches(day.day(), static_cast<unsigned>(day.month()), days_since_sunday(day));
        // Instants never decrease as the wall clock advances: a day or an hour whose last run is not after
        // `after` holds no answer, and is skipped with one look-up.
        if (matches && instant_of(m_zone, day, m_last_hour, m_last_minute) > after) {
            for (int hour = m_first_hour; hour <= m_last_hour; ++hour) {
                if (!m_hours.test(static_cast<std::size_t>(hour))) continue;
                if (instant_of(m_zone, day, hour, m_last_minute) <= after) continue;
                for (int minute = m_first_minute; minute <= m_last_minute; ++minute) {
                    if (!m_minutes.test(static_cast<std::size_t>(minute))) continue;
                    const absl::Time instant = instant_of(m_zone, day, hour, minute);
                    if (instant > after) return to_wall_time(instant);
                }
            }
        }
        ++day;
    }
    return std::nullopt;
}

std::optional<util::WallTime> CronExpression::previous_at_or_before(util::WallTime time) const {
    const absl::Time at_or_before = to_absl_time(time);
    const absl::CivilDay last_day = local_day_of(m_zone, at_or_before) + 1;
    const absl::CivilDay first_day = last_day - k_search_days;
    for (absl::CivilDay day = last_day; day >= first_day;) {
        if (!m_months.test(static_cast<std::size_t>(day.month()))) {
            day = last_of_previous_month(day);
            continue;
        }
        const bool matches = day_matches(day.day(), static_cast<unsigned>(day.month()), days_since_sunday(day));
        if (matches && instant_of(m_zone, day, m_first_hour, m_first_minute) <= at_or_before) {
            for (int hour = m_last_hour; hour >= m_first_hour; --hour) {
                if (!m_hours.test(static_cast<std::size_t>(hour))) continue;
                if (instant_of(m_zone, day, hour, m_first_minute) > at_or_before) continue;
                for (int minute = m_last_minute; minute >= m_first_minute; --minute) {
                    if (!m_minutes.test(static_cast<std::size_t>(minute))) continue;
                    const absl::Time instant = instant_of(m_zone, day, hour, minute);
                    if (instant <= at_or_before) return to_wall_time(instant);
                }
            }
        }
        --day;
    }
    return std::nullopt;
}

}  // namespace greenlight::serve
