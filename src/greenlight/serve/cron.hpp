// Cron schedules for watchdog checks: the five classic fields read the way Vixie cron reads them, evaluated
// in an IANA time zone so a check written "at 02:30 in Berlin" stays right across daylight-saving changes.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include <absl/time/time.h>

#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// A parsed cron expression in a time zone. Cheap to copy; the zone is a handle into Abseil's process-wide cache.
class CronExpression {
public:
    // Parses "minute hour day-of-month month day-of-week" (or @hourly, @daily, @midnight, @weekly, @monthly,
    // @yearly, @annually) in `time_zone` (an IANA name; empty means UTC). Errors name the field and what it allows.
    static util::Result<CronExpression> parse(std::string_view expression, std::string_view time_zone);

    // The first run strictly after `time`; nullopt when none exists within the search horizon (e.g. Feb 30).
    std::optional<util::WallTime> next_after(util::WallTime time) const;

    // The last run at or before `time`; nullopt when none exists within the search horizon.
    std::optional<util::WallTime> previous_at_or_before(util::WallTime time) const;

    // The expression as written (nicknames stay nicknames).
    const std::string& expression() const { return m_expression; }
    // The time zone's name ("UTC" when none was given).
    const std::string& time_zone() const { return m_time_zone_name; }

    // How far the searches look, in years: long enough for Feb 29 on a given weekday (up to 40 years apart).
    static constexpr int k_search_years = 50;

private:
    CronExpression() = default;

    bool day_matches(int day_of_month, unsigned month, unsigned weekday) const;

    std::string m_expression;
    std::string m_time_zone_name;
    absl::TimeZone m_zone;  // UTC unless a zone was given; UTC needs no time zone database
    std::bitset<60> m_minutes;
    std::bitset<24> m_hours;
    std::bitset<32> m_days_of_month;  // 1-31
    std::bitset<13> m_months;         // 1-12
    std::bitset<7> m_days_of_week;    // 0 = Sunday
    // The first and last hour and minute of a day's runs, to skip whole days and hours without looking at each.
    int m_first_hour = 0;
    int m_last_hour = 23;
    int m_first_minute = 0;
    int m_last_minute = 59;
    // Vixie cron's rule: a day field that starts with `*` does not restrict; when neither day field is such a
    // star, a day matching either one counts.
    bool m_day_of_month_star = true;
    bool m_day_of_week_star = true;
};

}  // namespace greenlight::serve
