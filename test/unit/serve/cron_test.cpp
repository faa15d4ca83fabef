// Cron expressions against times worked out by hand from a calendar (2026-11-21 is a Saturday; Europe/Berlin
// springs forward at 2026-03-29T01:00Z, 02:00 CET becoming 03:00 CEST, and falls back at 2026-10-25T01:00Z,
// 03:00 CEST becoming 02:00 CET).
#include "greenlight/serve/cron.hpp"

#include <date/date.h>
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>

namespace greenlight::serve {
namespace {

util::WallTime utc(const std::string& text) {
    std::istringstream in(text);
    date::sys_seconds parsed;
    in >> date::parse("%FT%TZ", parsed);
    if (in.fail()) throw std::invalid_argument("bad time in test: " + text);
    return util::WallTime{parsed};
}

std::string show(const std::optional<util::WallTime>& time) {
    return time ? util::format_utc(*time) : "none";
}

CronExpression parsed(std::string_view expression, std::string_view time_zone = "") {
    util::Result<CronExpression> cron = CronExpression::parse(expression, time_zone);
    if (!cron) throw std::invalid_argument(cron.message());
    return std::move(cron).value();
}

std::string next(std::string_view expression, const std::string& after, std::string_view time_zone = "") {
    return show(parsed(expression, time_zone).next_after(utc(after)));
}

std::string previous(std::string_view expression, const std::string& at_or_before, std::string_view time_zone = "") {
    return show(parsed(expression, time_zone).previous_at_or_before(utc(at_or_before)));
}

std::string parse_error(std::string_view expression, std::string_view time_zone = "") {
    const util::Result<CronExpression> cron = CronExpression::parse(expression, time_zone);
    return cron ? "parsed" : cron.message();
}

TEST(CronExpressionTest, StepsFromStarFallOnMultiples) {
    EXPECT_EQ(next("*/15 * * * *", "2026-11-21T10:07:30Z"), "2026-11-21T10:15:00.000Z");
    // Strictly after: a time that is itself a run gives the following one.
    EXPECT_EQ(next("*/15 * * * *", "2026-11-21T10:15:00Z"), "2026-11-21T10:30:00.000Z");
    EXPECT_EQ(next("*/15 * * * *", "2026-11-21T23:50:00Z"), "2026-11-22T00:00:00.000Z");
}

TEST(CronExpressionTest, ListsRangesAndStepsInRanges) {
    EXPECT_EQ(next("1-5/2 * * * *", "2026-11-21T10:03:00Z"), "2026-11-21T10:05:00.000Z");
    EXPECT_EQ(next("1-5/2 * * * *", "2026-11-21T10:05:00Z"), "2026-11-21T11:01:00.000Z");
    EXPECT_EQ(next("0,30 9-17 * * *", "2026-11-21T17:30:00Z"), "2026-11-22T09:00:00.000Z");
    EXPECT_EQ(next("0,30 9-17 * * *", "2026-11-21T12:10:00Z"), "2026-11-21T12:30:00.000Z");
    // `20/20` is `20-59/20`.
    EXPECT_EQ(next("20/20 * * * *", "2026-11-21T10:41:00Z"), "2026-11-21T11:20:00.000Z");
}

TEST(CronExpressionTest, MonthAndWeekdayNamesInAnyCase) {
    EXPECT_EQ(next("0 6 1 JAN,jul *", "2026-11-21T00:00:00Z"), "2027-01-01T06:00:00.000Z");
    EXPECT_EQ(next("0 6 1 JAN,jul *", "2027-01-01T06:00:00Z"), "2027-07-01T06:00:00.000Z");
    // Friday 09:00 is the last weekday run; the next is Monday.
    EXPECT_EQ(next("0 9 * * mon-FRI", "2026-11-20T09:00:00Z"), "2026-11-23T09:00:00.000Z");
}

TEST(CronExpressionTest, SevenIsSundayToo) {
    EXPECT_EQ(next("0 12 * * 7", "2026-11-21T00:00:00Z"), "2026-11-22T12:00:00.000Z");
    EXPECT_EQ(next("0 12 * * 0", "2026-11-21T00:00:00Z"), "2026-11-22T12:00:00.000Z");
    EXPECT_EQ(next("0 12 * * 5-7", "2026-11-22T13:00:00Z"), "2026-11-27T12:00:00.000Z");
}

TEST(CronExpressionTest, RestrictedDayOfMonthAndDayOfWeekMatchEither) {
    // Fridays of November 2026: 6, 13, 20, 27. "13th or Friday" runs on every Friday and on the 13th.
    EXPECT_EQ(next("0 0 13 * FRI", "2026-11-01T00:00:00Z"), "2026-11-06T00:00:00.000Z");
    EXPECT_EQ(next("0 0 13 * FRI", "2026-11-06T00:00:00Z"), "2026-11-13T00:00:00.000Z");
    EXPECT_EQ(next("0 0 14 * FRI", "2026-11-13T00:00:00Z"), "2026-11-14T00:00:00.000Z");
    // A day field starting with `*` does not count as restricted (Vixie): both must match, so only days
    // 1, 14, 27 that are Fridays.
    EXPECT_EQ(next("0 0 */13 * FRI", "2026-11-01T00:00:00Z"), "2026-11-27T00:00:00.000Z");
    // Only the day of month restricted: the weekday does not matter.
    EXPECT_EQ(next("0 0 13 * *", "2026-11-01T00:00:00Z"), "2026-11-13T00:00:00.000Z");
}

TEST(CronExpressionTest, Nicknames) {
    const std::string from = "2026-11-21T10:07:00Z";
    EXPECT_EQ(next("@hourly", from), "2026-11-21T11:00:00.000Z");
    EXPECT_EQ(next("@daily", from), "2026-11-22T00:00:00.000Z");
    EXPECT_EQ(next("@midnight", from), "2026-11-22T00:00:00.000Z");
    EXPECT_EQ(next("@weekly", from), "2026-11-22T00:00:00.000Z");  // Sunday
    EXPECT_EQ(next("@monthly", from), "2026-12-01T00:00:00.000Z");
    EXPECT_EQ(next("@yearly", from), "2027-01-01T00:00:00.000Z");
    EXPECT_EQ(next("@ANNUALLY", from), "2027-01-01T00:00:00.000Z");
    EXPECT_EQ(parsed("@daily").expression(), "@daily");
}

TEST(CronExpressionTest, LeapDayIsFoundYearsAhead) {
    EXPECT_EQ(next("0 0 29 2 *", "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
    EXPECT_EQ(previous("0 0 29 2 *", "2026-01-01T00:00:00Z"), "2024-02-29T00:00:00.000Z");
}

TEST(CronExpressionTest, ExpressionThatNeverMatchesGivesNone) {
    EXPECT_EQ(next("0 0 30 2 *", "2026-01-01T00:00:00Z"), "none");
    EXPECT_EQ(previous("0 0 30 2 *", "2026-01-01T00:00:00Z"), "none");
    EXPECT_EQ(next("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z"), "none");
}

TEST(CronExpressionTest, PreviousIncludesTheTimeItself) {
    EXPECT_EQ(previous("*/15 * * * *", "2026-11-21T10:15:00Z"), "2026-11-21T10:15:00.000Z");
    EXPECT_EQ(previous("*/15 * * * *", "2026-11-21T10:14:59Z"), "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(previous("0 9 * * MON-FRI", "2026-11-22T12:00:00Z"), "2026-11-20T09:00:00.000Z");
}

TEST(CronExpressionTest, TimeZoneShiftsTheWallClock) {
    EXPECT_EQ(next("0 9 * * *", "2026-11-21T00:00:00Z", "Europe/Berlin"), "2026-11-21T08:00:00.000Z");
    EXPECT_EQ(next("0 9 * * *", "2026-11-21T00:00:00Z", "America/New_York"), "2026-11-21T14:00:00.000Z");
    EXPECT_EQ(next("0 9 * * *", "2026-07-01T00:00:00Z", "America/New_York"), "2026-07-01T13:00:00.000Z");
    EXPECT_EQ(parsed("* * * * *").time_zone(), "UTC");
    EXPECT_EQ(parsed("* * * * *", "Europe/Berlin").time_zone(), "Europe/Berlin");
}

TEST(CronExpressionTest, SpringForwardRunsAMissingTimeRightAfterTheGap) {
    // 02:30 does not exist in Berlin on 2026-03-29: the run happens at 03:00 CEST (01:00Z), once.
    EXPECT_EQ(next("30 2 * * *", "2026-03-28T12:00:00Z", "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
    EXPECT_EQ(next("30 2 * * *", "2026-03-29T01:00:00Z", "Europe/Berlin"), "2026-03-30T00:30:00.000Z");
    EXPECT_EQ(previous("30 2 * * *", "2026-03-29T05:00:00Z", "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
    // Every quarter hour: 02:00-02:45 collapse into one run at the gap's end, which is also 03:00's run.
    EXPECT_EQ(next("*/15 * * * *", "2026-03-29T00:50:00Z", "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
    EXPECT_EQ(next("*/15 * * * *", "2026-03-29T01:00:00Z", "Europe/Berlin"), "2026-03-29T01:15:00.000Z");
    // The day before and after keep their CET and CEST offsets.
    EXPECT_EQ(next("30 2 * * *", "2026-03-27T12:00:00Z", "Europe/Berlin"), "2026-03-28T01:30:00.000Z");
}

TEST(CronExpressionTest, FallBackRunsARepeatedTimeOnce) {
    // 02:30 happens twice in Berlin on 2026-10-25 (CEST at 00:30Z, CET at 01:30Z): the run is at the first.
    EXPECT_EQ(next("30 2 * * *", "2026-10-24T12:00:00Z", "Europe/Berlin"), "2026-10-25T00:30:00.000Z");
    EXPECT_EQ(next("30 2 * * *", "2026-10-25T00:30:00Z", "Europe/Berlin"), "2026-10-26T01:30:00.000Z");
    EXPECT_EQ(previous("30 2 * * *", "2026-10-25T05:00:00Z", "Europe/Berlin"), "2026-10-25T00:30:00.000Z");
    // Every quarter hour: the repeated 02:00-02:45 (CET) do not run again; next is 03:00 CET.
    EXPECT_EQ(next("*/15 * * * *", "2026-10-25T00:45:00Z", "Europe/Berlin"), "2026-10-25T02:00:00.000Z");
    EXPECT_EQ(previous("*/15 * * * *", "2026-10-25T01:59:00Z", "Europe/Berlin"), "2026-10-25T00:45:00.000Z");
    EXPECT_EQ(next("0 3 * * *", "2026-10-24T12:00:00Z", "Europe/Berlin"), "2026-10-25T02:00:00.000Z");
}

TEST(CronExpressionTest, RunsAcrossBothChangesIncreaseAndAreTheirOwnPrevious) {
    const CronExpression cron = parsed("*/10 1-3 * * *", "Europe/Berlin");
    for (const std::string start : {"2026-03-28T00:00:00Z", "2026-10-24T00:00:00Z"}) {
        util::WallTime time = utc(start);
        for (int step = 0; step < 80; ++step) {
            const std::optional<util::WallTime> run = cron.next_after(time);
            ASSERT_TRUE(run) << start << " step " << step;
            ASSERT_GT(*run, time) << start << " step " << step;
            ASSERT_EQ(show(cron.previous_at_or_before(*run)), show(run)) << start << " step " << step;
            time = *run;
        }
    }
}

TEST(CronExpressionTest, ErrorsNameTheFieldAndWhatItAllows) {
    EXPECT_EQ(parse_error("61 * * * *"), "minute field \"61\": expected 0-59");
    EXPECT_EQ(parse_error("1,61 * * * *"), "minute field \"1,61\": expected 0-59, found \"61\"");
    EXPECT_EQ(parse_error("* 24 * * *"), "hour field \"24\": expected 0-23");
    EXPECT_EQ(parse_error("* * 0 * *"), "day-of-month field \"0\": expected 1-31");
    EXPECT_EQ(parse_error("* * * FOO *"), "month field \"FOO\": expected 1-12 or JAN-DEC");
    EXPECT_EQ(parse_error("* * * * 8"), "day-of-week field \"8\": expected 0-7 or SUN-SAT (0 and 7 are Sunday)");
    EXPECT_EQ(parse_error("*/0 * * * *"), "minute field \"*/0\": expected a step from 1 to 60 after /");
    EXPECT_EQ(parse_error("5-1 * * * *"), "minute field \"5-1\": expected a range low-high with low <= high");
    EXPECT_EQ(parse_error("1,,2 * * * *"),
              "minute field \"1,,2\": expected a value, a range or * between commas, "
              "found \"\"");
    EXPECT_EQ(parse_error("* * * *"),
              "cron expression \"* * * *\": expected five fields (minute hour day-of-month month day-of-week) or a "
              "nickname (@hourly, @daily, @weekly, @monthly, @yearly), found 4 fields");
    EXPECT_NE(parse_error("@reboot").find("cron expression \"@reboot\": unknown nickname"), std::string::npos);
    EXPECT_NE(parse_error("   ").find("cron expression is empty"), std::string::npos);
    EXPECT_NE(parse_error(std::string(300, '*')).find("expected at most 256"), std::string::npos);
}

TEST(CronExpressionTest, UnknownTimeZoneIsAnErrorNamingIt) {
    const std::string error = parse_error("0 2 * * *", "Mars/Olympus_Mons");
    EXPECT_NE(error.find("unknown time zone \"Mars/Olympus_Mons\""), std::string::npos) << error;
    EXPECT_EQ(parse_error("0 2 * * *", "Europe/Berlin"), "parsed");
    EXPECT_EQ(parse_error("0 2 * * *", "UTC"), "parsed");
}

TEST(CronExpressionTest, ATimeZoneIsANameInTheDatabaseNotAPath) {
    // The time zone library would read a file path or a "file:"/"libc:" name too; a name may come from the API.
    for (const std::string name : {"/etc/localtime", "../../etc/passwd", "Europe/../Europe/Berlin", "libc:localtime",
                                   "file:/usr/share/zoneinfo/UTC", "posix/Europe/Berlin", "Factory"}) {
        EXPECT_NE(parse_error("0 2 * * *", name).find("unknown time zone"), std::string::npos) << name;
    }
    EXPECT_EQ(parse_error("0 2 * * *", "Etc/GMT+5"), "parsed");
    EXPECT_EQ(parse_error("0 2 * * *", "America/Argentina/Buenos_Aires"), "parsed");
}

}  // namespace
}  // namespace greenlight::serve
