#include "greenlight/serve/dashboard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "greenlight/serve/html.hpp"

namespace greenlight::serve {

namespace {

using html::Builder;

// The page a header link leads to, so the header can mark where the reader is.
enum class Section { runs, flaky, trends, checks, jobs, none };

struct NavigationEntry {
    Section section;
    std::string_view path;
    std::string_view label;
};

constexpr std::array<NavigationEntry, 5> k_navigation{{
    {Section::runs, "/runs", "Runs"},
    {Section::flaky, "/flaky", "Flaky"},
    {Section::trends, "/trends", "Trends"},
    {Section::checks, "/checks", "Checks"},
    {Section::jobs, "/jobs", "Jobs"},
}};

// Run verdicts, in the order the runs filter offers them.
constexpr std::array<std::string_view, 9> k_verdicts{"pass",         "flaky",   "skipped", "fail", "no-tests",
                                                     "inconsistent", "timeout", "crashed", "error"};

// Colours come from a tone class; the word is always printed next to it, so colour is never the only signal.
std::string_view verdict_tone(std::string_view verdict) {
    if (verdict == "pass" || verdict == "passed") return "good";
    if (verdict == "flaky" || verdict == "skipped" || verdict == "no-tests") return "warn";
    if (verdict == "fail" || verdict == "failed" || verdict == "error" || verdict == "timeout" ||
        verdict == "crashed" || verdict == "inconsistent") {
        return "bad";
    }
    return "neutral";
}

std::string_view state_tone(CheckState state) {
    switch (state) {
        case CheckState::up:
            return "good";
        case CheckState::late:
            return "warn";
        case CheckState::down:
            return "bad";
        case CheckState::paused:
            return "muted";
        case CheckState::new_check:
            return "neutral";
    }
    return "neutral";
}

std::string_view job_status_tone(const bridge::Job& job) {
    if (job.status != bridge::JobStatus::output) return "neutral";
    if (job.retcode && *job.retcode == "CC 0000") return "good";
    return "bad";
}

void badge(Builder& out, std::string_view word, std::string_view tone) {
    out.element("span", word, {{"class", fmt::format("badge tone-{}", tone)}});
}

void begin_page(Builder& out, std::string_view title, Section current) {
    out.raw("<!DOCTYPE html>\n");
    out.open("html", {{"lang", "en"}});
    out.open("head");
    out.empty("meta", {{"charset", "utf-8"}});
    out.empty("meta", {{"name", "viewport"}, {"content", "width=device-width, initial-scale=1"}});
    out.empty("meta", {{"name", "color-scheme"}, {"content", "light dark"}});
    out.element("title", fmt::format("{} · greenlight", title));
    out.empty("link", {{"rel", "stylesheet"}, {"href", k_dashboard_stylesheet_path}});
    out.close();  // head
    out.open("body");
    out.open("header", {{"class", "site"}});
    out.open("nav", {{"aria-label", "Sections"}});
    out.link("/", "greenlight", {{"class", "brand"}});
    out.open("ul");
    for (const auto& entry : k_navigation) {
        out.open("li");
        if (entry.section == current) {
            out.link(entry.path, entry.label, {{"aria-current", "page"}});
        } else {
            out.link(entry.path, entry.label);
        }
        out.close();
    }
    out.close();  // ul
    out.close();  // nav
    out.close();  // header
    out.open("main");
}

// Paragraph shown where a list would be when there is nothing in it.
void empty_state(Builder& out, std::string_view text) {
    out.element("p", text, {{"class", "empty"}});
}

// Tables turn into one card per row on narrow screens; each cell carries its column's name for that.
void open_table(Builder& out, const std::vector<std::string_view>& headings, std::string_view label) {
    out.open("div", {{"class", "table-box"}});
    out.open("table", {{"class", "cards"}, {"aria-label", label}});
    out.open("thead").open("tr");
    for (auto heading : headings) out.element("th", heading, {{"scope", "col"}});
    out.close().close();
    out.open("tbody");
}

void close_table(Builder& out) {
    out.close().close().close();
}

void open_cell(Builder& out, std::string_view label, std::string_view css_class = {}) {
    out.open("td", {{"data-label", label}, {css_class.empty() ? "" : "class", css_class}});
}

void text_cell(Builder& out, std::string_view label, std::string_view text, std::string_view css_class = {}) {
    open_cell(out, label, css_class);
    out.text(text);
    out.close();
}

void time_cell(Builder& out, std::string_view label, WallTime time) {
    open_cell(out, label);
    out.time(time);
    out.close();
}

void optional_time(Builder& out, const std::optional<WallTime>& time) {
    if (time) {
        out.time(*time);
    } else {
        out.text("—");
    }
}

// A time with how long ago it was, for the watchdog's view of the world.
void time_with_ago(Builder& out, const std::optional<WallTime>& time, WallTime now) {
    if (!time || !html::is_known(*time)) {
        out.text("never");
        return;
    }
    out.element("span", html::format_ago(*time, now), {{"class", "relative"}});
    out.empty("br");
    out.open("small");
    out.time(*time);
    out.close();
}

// Bridge times are RFC 3339 strings (2026-11-21T10:36:00.123Z); shown like the other times, seconds only.
void bridge_time(Builder& out, const std::optional<std::string>& time) {
    if (!time || time->empty()) {
        out.text("—");
        return;
    }
    const std::string& iso = *time;
    bool looks_utc = iso.size() >= 20 && iso[10] == 'T' && iso.back() == 'Z';
    if (!looks_utc) {
        out.text(iso);
        return;
    }
    out.element("time", iso.substr(0, 10) + " " + iso.substr(11, 8) + "Z", {{"datetime", iso}});
}

void definition(Builder& out, std::string_view term, std::string_view text) {
    out.element("dt", term);
    out.element("dd", text);
}

void open_definition(Builder& out, std::string_view term) {
    out.element("dt", term);
    out.open("dd");
}

std::string run_path(std::string_view run_id) {
    return "/runs/" + html::percent_encode(run_id);
}
std::string check_path(std::string_view name) {
    return "/checks/" + html::percent_encode(name);
}
std::string job_path(const bridge::Job& job) {
    return "/jobs/" + html::percent_encode(job.jobname) + "/" + html::percent_encode(job.jobid);
}
std::string spool_path(const bridge::Job& job, int file_id) {
    return job_path(job) + "/files/" + std::to_string(file_id);
}

std::string short_sha(std::string_view sha) {
    return std::string(sha.substr(0, 7));
}

// A select of the given choices (plus the current value, should it not be among them), or a text field when
// there are no choices; either way the current value is pre-selected.
void filter_field(Builder& out, std::string_view name, std::string_view label,
                  const std::optional<std::string>& current, const std::vector<std::string>& choices) {
    std::string id = fmt::format("filter-{}", name);
    out.open("div", {{"class", "field"}});
    out.element("label", label, {{"for", id}});
    std::string value = current.value_or("");
    if (choices.empty()) {
        out.empty("input", {{"type", "text"}, {"id", id}, {"name", name}, {"value", value}});
        out.close();
        return;
    }
    std::vector<std::string> options = choices;
    if (!value.empty() && std::find(options.begin(), options.end(), value) == options.end()) options.push_back(value);
    out.open("select", {{"id", id}, {"name", name}});
    out.element("option", "any", {{"value", ""}, {value.empty() ? "selected" : "", "selected"}});
    for (const auto& option : options) {
        out.element("option", option, {{"value", option}, {option == value ? "selected" : "", "selected"}});
    }
    out.close();  // select
    out.close();  // div
}

void tier_filter_form(Builder& out, std::string_view action, const std::optional<std::string>& tier,
                      const std::vector<std::string>& known_tiers) {
    out.open("form", {{"class", "filters"}, {"method", "get"}, {"action", action}});
    filter_field(out, "tier", "Tier", tier, known_tiers);
    out.open("div", {{"class", "actions"}});
    out.element("button", "Show", {{"type", "submit"}});
    if (tier && !tier->empty()) out.link(action, "All tiers");
    out.close();
    out.close();
}

bool is_set(const std::optional<std::string>& value) {
    return value && !value->empty();
}

std::vector<std::pair<std::string, std::string>> filter_parameters(const RunFilter& filter) {
    return {{"tier", filter.tier.value_or("")},
            {"verdict", filter.verdict.value_or("")},
            {"branch", filter.branch.value_or("")},
            {"project", filter.project.value_or("")}};
}

// "classname.name", unless the name already starts with its class (some reporters write it so).
std::string test_label(std::string_view classname, std::string_view name) {
    std::string prefix = std::string(classname) + ".";
    if (classname.empty() || name.starts_with(prefix)) return std::string(name);
    return prefix + std::string(name);
}

std::string plural(std::int64_t count, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string describe_schedule(const Schedule& schedule) {
    std::string zone = schedule.time_zone.empty() ? "UTC" : schedule.time_zone;
    if (schedule.period) return "every " + html::format_duration(*schedule.period);
    if (!schedule.cron.empty()) return fmt::format("cron {} ({})", schedule.cron, zone);
    return "not scheduled";
}

std::string ping_url(std::string_view public_url, std::string_view key) {
    std::string base(public_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/ping/" + html::percent_encode(key);
}

// "in 2 h 5 min" over the absolute time; a paused check is not due.
void next_due(Builder& out, const CheckView& check, WallTime now) {
    if (check.status.state == CheckState::paused) {
        out.text("not while paused");
        return;
    }
    if (!check.status.next_due || !html::is_known(*check.status.next_due)) {
        out.text(check.status.state == CheckState::new_check ? "waiting for the first ping" : "not known");
        return;
    }
    bool overdue = *check.status.next_due <= now;
    out.element("span", html::format_due(*check.status.next_due, now),
                {{"class", overdue ? "relative overdue" : "relative"}});
    out.empty("br");
    out.open("small");
    out.time(*check.status.next_due);
    out.close();
}

// ---- The duration chart ----

// A round top for the y axis at or above the longest duration: a step people count time in.
double round_up_for_axis(double seconds) {
    static constexpr double k_tops[] = {0.1, 0.2, 0.5, 1,    2,    5,    10,   15,    20,    30,    60,    120,
                                        300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800};
    for (double top : k_tops) {
        if (top >= seconds) return top;
    }
    return std::ceil(seconds / 86400) * 86400;
}

// SVG coordinates: a tenth of a unit is finer than any screen shows.
std::string coordinate(double value) {
    return fmt::format("{:.1f}", value);
}

// Seconds as a plain number for the table and the points' titles, to the millisecond: 65, 0.25, 125.5.
std::string seconds_text(double seconds) {
    return fmt::format("{}", std::round(seconds * 1000) / 1000);
}

void duration_chart(Builder& out, const TierTrend& trend) {
    constexpr double k_width = 480, k_height = 240;
    constexpr double k_left = 84, k_right = 16, k_top = 30, k_bottom = 46;
    constexpr double k_plot_width = k_width - k_left - k_right;
    constexpr double k_plot_height = k_height - k_top - k_bottom;

    const auto& runs = trend.runs;
    double longest = 0;
    for (const auto& run : runs) longest = std::max(longest, run.duration_seconds);
    double top = round_up_for_axis(longest);
    auto x_of = [&](std::size_t index) {
        if (runs.size() < 2) return k_left + k_plot_width / 2;
        return k_left + k_plot_width * static_cast<double>(index) / static_cast<double>(runs.size() - 1);
    };
    auto y_of = [&](double seconds) {
        double clamped = std::clamp(seconds, 0.0, top);
        return k_top + k_plot_height * (1 - clamped / top);
    };

    std::string label = fmt::format("Durations of the last {} of tier {}, oldest first",
                                    plural(static_cast<std::int64_t>(runs.size()), "run", "runs"), trend.tier);
    out.open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                     {"class", "chart"},
                     {"viewBox", fmt::format("0 0 {} {}", k_width, k_height)},
                     {"preserveAspectRatio", "xMidYMid meet"},
                     {"role", "img"},
                     {"aria-label", label}});
    // Horizontal grid with the y axis' labels.
    for (double fraction : {0.0, 0.5, 1.0}) {
        double seconds = top * fraction;
        std::string y = coordinate(y_of(seconds));
        out.empty("line", {{"class", fraction == 0 ? "axis" : "grid"},
                           {"x1", coordinate(k_left)},
                           {"x2", coordinate(k_width - k_right)},
                           {"y1", y},
                           {"y2", y}});
        out.element("text", html::format_duration(seconds),
                    {{"class", "tick"},
                     {"x", coordinate(k_left - 6)},
                     {"y", y},
                     {"text-anchor", "end"},
                     {"dominant-baseline", "middle"}});
    }
    out.empty("line", {{"class", "axis"},
                       {"x1", coordinate(k_left)},
                       {"x2", coordinate(k_left)},
                       {"y1", coordinate(k_top)},
                       {"y2", coordinate(k_top + k_plot_height)}});
    // The x axis: run numbers at both ends, then the axes' names.
    std::string tick_y = coordinate(k_top + k_plot_height + 18);
    if (!runs.empty()) {
        out.element("text", "1",
                    {{"class", "tick"}, {"x", coordinate(x_of(0))}, {"y", tick_y}, {"text-anchor", "middle"}});
    }
    if (runs.size() > 1) {
        out.element(
            "text", std::to_string(runs.size()),
            {{"class", "tick"}, {"x", coordinate(x_of(runs.size() - 1))}, {"y", tick_y}, {"text-anchor", "middle"}});
    }
    out.element("text", "run, oldest to newest",
                {{"class", "axis-label"},
                 {"x", coordinate(k_left + k_plot_width / 2)},
                 {"y", coordinate(k_height - 6)},
                 {"text-anchor", "middle"}});
    // The y axis' name sits above it, level, where long tick labels cannot run into it.
    out.element(
        "text", "duration",
        {{"class", "axis-label"}, {"x", coordinate(k_left)}, {"y", coordinate(k_top - 14)}, {"text-anchor", "middle"}});
    if (runs.size() > 1) {
        std::string points;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (i > 0) points += ' ';
            points += coordinate(x_of(i)) + "," + coordinate(y_of(runs[i].duration_seconds));
        }
        out.empty("polyline", {{"class", "line"}, {"points", points}});
    }
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto& run = runs[i];
        // Each point opens its run, like the table's links.
        out.open("a", {{"href", run_path(run.run_id)}});
        out.open("circle", {{"class", fmt::format("point tone-{}", verdict_tone(run.verdict))},
                            {"cx", coordinate(x_of(i))},
                            {"cy", coordinate(y_of(run.duration_seconds))},
                            {"r", "4"}});
        out.element("title",
                    fmt::format("run {}: {} ({} s), {}", run.run_id, html::format_duration(run.duration_seconds),
                                seconds_text(run.duration_seconds), run.verdict));
        out.close();  // circle
        out.close();  // a
    }
    out.close();  // svg
}

void trend_table(Builder& out, const TierTrend& trend) {
    open_table(out, {"#", "Run", "Started", "Verdict", "Duration", "Seconds"},
               fmt::format("Durations of tier {}", trend.tier));
    for (std::size_t i = 0; i < trend.runs.size(); ++i) {
        const auto& run = trend.runs[i];
        out.open("tr");
        text_cell(out, "#", std::to_string(i + 1));
        open_cell(out, "Run");
        out.link(run_path(run.run_id), run.run_id);
        out.close();
        time_cell(out, "Started", run.started);
        open_cell(out, "Verdict");
        badge(out, run.verdict, verdict_tone(run.verdict));
        out.close();
        text_cell(out, "Duration", html::format_duration(run.duration_seconds));
        text_cell(out, "Seconds", seconds_text(run.duration_seconds), "number");
        out.close();
    }
    close_table(out);
}

// ---- Checks ----

void check_row(Builder& out, const CheckView& check, WallTime now, PingKeyVisibility keys,
               std::string_view public_url) {
    const auto& spec = check.spec;
    const auto& status = check.status;
    out.open("tr");
    open_cell(out, "Check");
    out.link(check_path(spec.name), spec.name);
    out.close();
    open_cell(out, "State");
    badge(out, to_string(status.state), state_tone(status.state));
    if (!status.reason.empty()) {
        out.empty("br");
        out.element("small", status.reason);
    }
    out.close();
    open_cell(out, "Last ping");
    time_with_ago(out, status.last_ping, now);
    out.close();
    open_cell(out, "Last success");
    time_with_ago(out, status.last_success, now);
    out.close();
    open_cell(out, "Next due");
    next_due(out, check, now);
    out.close();
    text_cell(out, "Schedule", describe_schedule(spec.schedule));
    text_cell(out, "Grace", html::format_duration(spec.grace));
    if (keys == PingKeyVisibility::shown) {
        open_cell(out, "Ping URL", "url");
        if (spec.ping_key.empty()) {
            out.text("—");
        } else {
            out.element("code", ping_url(public_url, spec.ping_key));
        }
        out.close();
    }
    out.close();  // tr
}

std::string alert_delivery(const Alert& alert) {
    if (alert.sent) return "sent";
    if (!alert.last_error.empty())
        return fmt::format("failing after {}", plural(alert.attempts, "attempt", "attempts"));
    return "queued";
}

}  // namespace

// ---- Pages ----

std::string render_runs_page(const RunsPage& page) {
    Builder out;
    begin_page(out, "Runs", Section::runs);
    out.element("h1", "Runs");

    const RunFilter& filter = page.filter;
    out.open("form", {{"class", "filters"}, {"method", "get"}, {"action", "/runs"}});
    filter_field(out, "tier", "Tier", filter.tier, page.known_tiers);
    std::vector<std::string> verdicts(k_verdicts.begin(), k_verdicts.end());
    filter_field(out, "verdict", "Verdict", filter.verdict, verdicts);
    filter_field(out, "project", "Project", filter.project, page.known_projects);
    filter_field(out, "branch", "Branch", filter.branch, page.known_branches);
    out.open("div", {{"class", "actions"}});
    out.element("button", "Filter", {{"type", "submit"}});
    bool filtered = is_set(filter.tier) || is_set(filter.verdict) || is_set(filter.project) || is_set(filter.branch);
    if (filtered || is_set(filter.before_run_id)) out.link("/runs", "Clear filters");
    out.close();
    out.close();  // form

    if (page.runs.empty()) {
        if (filtered || is_set(filter.before_run_id)) {
            empty_state(out, "No runs match these filters.");
        } else {
            empty_state(out,
                        "No runs yet. A run appears here once `greenlight run --report-to URL` or "
                        "`greenlight push BUNDLE --to URL` sends it.");
        }
    } else {
        open_table(out, {"Run", "Project", "Tier", "Verdict", "Started", "Duration", "Commit", "Branch", "Bundle"},
                   "Runs, newest first");
        for (const auto& run : page.runs) {
            out.open("tr");
            open_cell(out, "Run");
            out.link(run_path(run.run_id), run.run_id);
            out.close();
            text_cell(out, "Project", run.project);
            text_cell(out, "Tier", run.tier);
            open_cell(out, "Verdict");
            badge(out, run.verdict, verdict_tone(run.verdict));
            out.close();
            time_cell(out, "Started", run.started);
            text_cell(out, "Duration", html::format_duration(run.duration_seconds));
            open_cell(out, "Commit");
            if (run.git_sha.empty()) {
                out.text("—");
            } else {
                out.element("code", short_sha(run.git_sha), {{"title", run.git_sha}});
            }
            out.close();
            text_cell(out, "Branch", run.branch.empty() ? "—" : run.branch);
            text_cell(out, "Bundle", run.has_bundle ? "yes" : "no");
            out.close();
        }
        close_table(out);
    }

    bool newer = is_set(filter.before_run_id);
    bool older = page.has_older && !page.runs.empty();
    if (newer || older) {
        out.open("nav", {{"class", "paging"}, {"aria-label", "Pages of runs"}});
        if (newer) out.link("/runs" + html::query_string(filter_parameters(filter)), "Newest runs");
        if (older) {
            auto parameters = filter_parameters(filter);
            parameters.emplace_back("before", page.runs.back().run_id);
            out.link("/runs" + html::query_string(parameters), "Older runs", {{"rel", "next"}});
        }
        out.close();
    }
    return out.finish();
}

std::string render_run_page(const RunPage& page) {
    const RunRecord& run = page.run;
    Builder out;
    begin_page(out, "Run " + run.run_id, Section::runs);
    out.open("h1");
    out.text("Run ");
    out.element("span", run.run_id, {{"class", "id"}});
    out.text(" ");
    badge(out, run.verdict, verdict_tone(run.verdict));
    out.close();

    out.open("dl", {{"class", "facts"}});
    open_definition(out, "Verdict");
    badge(out, run.verdict, verdict_tone(run.verdict));
    out.close();
    definition(out, "Project", run.project.empty() ? "—" : run.project);
    definition(out, "Tier", run.tier.empty() ? "—" : run.tier);
    open_definition(out, "Started");
    out.time(run.started);
    out.close();
    open_definition(out, "Ended");
    out.time(run.ended);
    out.close();
    definition(out, "Duration", html::format_duration(run.duration_seconds));
    open_definition(out, "Commit");
    if (run.git_sha.empty()) {
        out.text("—");
    } else {
        out.element("code", run.git_sha);
    }
    out.close();
    definition(out, "Branch", run.branch.empty() ? "—" : run.branch);
    open_definition(out, "Received");
    out.time(run.received);
    out.close();
    definition(out, "Bundle", run.has_bundle ? "yes" : "no");
    out.close();  // dl

    out.element("h2", "Suites");
    if (run.suites.empty()) {
        empty_state(out, "This run reported no suites.");
    } else {
        open_table(out, {"Suite", "Verdict", "Tests", "Failures", "Errors", "Skipped", "Duration", "Attempts"},
                   "Suites");
        for (const auto& suite : run.suites) {
            out.open("tr");
            text_cell(out, "Suite", suite.name);
            open_cell(out, "Verdict");
            badge(out, suite.verdict, verdict_tone(suite.verdict));
            out.close();
            text_cell(out, "Tests", std::to_string(suite.tests), "number");
            text_cell(out, "Failures", std::to_string(suite.failures), "number");
            text_cell(out, "Errors", std::to_string(suite.errors), "number");
            text_cell(out, "Skipped", std::to_string(suite.skipped), "number");
            text_cell(out, "Duration", html::format_duration(suite.duration_seconds));
            text_cell(out, "Attempts", std::to_string(suite.attempts), "number");
            out.close();
        }
        close_table(out);
    }

    std::vector<const TestCaseRecord*> failing;
    for (const auto& test : run.cases) {
        if (test.outcome == "failed" || test.outcome == "error") failing.push_back(&test);
    }
    out.element("h2", fmt::format("Failing tests ({})", failing.size()));
    if (failing.empty()) {
        empty_state(out, "No failing tests.");
    } else {
        out.open("div", {{"class", "failures"}});
        for (const TestCaseRecord* test : failing) {
            out.open("details", {{"class", "failure"}});
            out.open("summary");
            badge(out, test->outcome, verdict_tone(test->outcome));
            out.text(" ");
            out.element("span", test->suite, {{"class", "suite"}});
            out.text(" › ");
            out.element("span", test_label(test->classname, test->name), {{"class", "test"}});
            out.text(fmt::format(" ({})", html::format_duration(test->duration_seconds)));
            out.close();  // summary
            if (test->output_excerpt.empty()) {
                empty_state(out, "No output was recorded for this test.");
            } else {
                out.element("pre", test->output_excerpt);
            }
            out.close();  // details
        }
        out.close();
    }

    out.element("h2", "Bundle");
    if (page.bundle_files.empty()) {
        empty_state(out, run.has_bundle ? "The bundle was uploaded, but lists no files."
                                        : "No bundle was uploaded for this run.");
    } else {
        out.open("ul", {{"class", "files"}});
        std::string base = run_path(run.run_id) + "/bundle/";
        for (const auto& file : page.bundle_files) {
            out.open("li");
            out.link(base + html::percent_encode_path(file), file);
            out.close();
        }
        out.close();
    }
    return out.finish();
}

std::string render_flaky_page(const FlakyPage& page) {
    Builder out;
    begin_page(out, "Flaky tests", Section::flaky);
    out.element("h1", "Flaky tests");
    if (page.window_runs > 0) {
        out.element("p", fmt::format("Tests that both passed and failed across the last {} of their tier.",
                                     plural(page.window_runs, "run", "runs")));
    } else {
        out.element("p", "Tests that both passed and failed across the recent runs of their tier.");
    }
    tier_filter_form(out, "/flaky", page.tier, page.known_tiers);

    if (page.tests.empty()) {
        empty_state(out, is_set(page.tier) ? fmt::format("No flaky tests in tier {}.", *page.tier)
                                           : std::string("No flaky tests."));
        return out.finish();
    }
    std::vector<const FlakyTest*> ranked;
    for (const auto& test : page.tests) ranked.push_back(&test);
    std::stable_sort(ranked.begin(), ranked.end(), [](const FlakyTest* a, const FlakyTest* b) {
        if (a->failures != b->failures) return a->failures > b->failures;
        // a/runs > b/runs without dividing by a zero run count
        return static_cast<std::int64_t>(a->failures) * b->runs > static_cast<std::int64_t>(b->failures) * a->runs;
    });
    open_table(out, {"#", "Tier", "Suite", "Test", "Failed", "Last failed run"}, "Flaky tests, most failures first");
    int rank = 0;
    for (const FlakyTest* test : ranked) {
        out.open("tr");
        text_cell(out, "#", std::to_string(++rank));
        text_cell(out, "Tier", test->tier);
        text_cell(out, "Suite", test->suite);
        text_cell(out, "Test", test_label(test->classname, test->name));
        text_cell(out, "Failed", fmt::format("{}/{} runs", test->failures, test->runs));
        open_cell(out, "Last failed run");
        if (test->last_failed_run_id.empty()) {
            out.text("—");
        } else {
            out.link(run_path(test->last_failed_run_id), test->last_failed_run_id);
        }
        out.close();
        out.close();
    }
    close_table(out);
    return out.finish();
}

std::string render_trends_page(const TrendsPage& page) {
    Builder out;
    begin_page(out, "Trends", Section::trends);
    out.element("h1", "Duration trends");
    std::vector<std::string> tiers = page.known_tiers;
    if (tiers.empty()) {
        for (const auto& trend : page.trends) tiers.push_back(trend.tier);
    }
    tier_filter_form(out, "/trends", page.tier, tiers);

    if (page.trends.empty()) {
        empty_state(out, is_set(page.tier) ? fmt::format("No runs of tier {} yet.", *page.tier)
                                           : std::string("No runs to chart yet."));
        return out.finish();
    }
    for (const auto& trend : page.trends) {
        out.open("section", {{"class", "trend"}});
        out.open("h2");
        out.text("Tier ");
        out.element("span", trend.tier, {{"class", "id"}});
        out.close();
        if (trend.runs.empty()) {
            empty_state(out, "No runs of this tier yet.");
            out.close();
            continue;
        }
        out.open("figure");
        duration_chart(out, trend);
        out.element("figcaption", fmt::format("Duration of each of the last {}, oldest on the left.",
                                              plural(static_cast<std::int64_t>(trend.runs.size()), "run", "runs")));
        out.close();
        trend_table(out, trend);
        out.close();  // section
    }
    return out.finish();
}

std::string render_checks_page(const ChecksPage& page) {
    Builder out;
    begin_page(out, "Checks", Section::checks);
    out.element("h1", "Checks");
    if (page.checks.empty()) {
        empty_state(out, "No checks yet. Define them under `watch:` in greenlight.yml or create them through the API.");
        return out.finish();
    }

    std::array<int, 5> counts{};
    for (const auto& check : page.checks) ++counts[static_cast<std::size_t>(check.status.state)];
    std::vector<std::string> parts;
    for (CheckState state :
         {CheckState::down, CheckState::late, CheckState::up, CheckState::new_check, CheckState::paused}) {
        int count = counts[static_cast<std::size_t>(state)];
        if (count > 0) parts.push_back(fmt::format("{} {}", count, to_string(state)));
    }
    out.element("p",
                fmt::format("{}: {}.", plural(static_cast<std::int64_t>(page.checks.size()), "check", "checks"),
                            fmt::join(parts, ", ")),
                {{"class", "summary"}});
    out.open("p", {{"class", "note"}});
    out.text("Times are UTC; now is ");
    out.time(page.now);
    out.text(".");
    out.close();

    std::vector<std::string_view> headings{"Check",    "State",    "Last ping", "Last success",
                                           "Next due", "Schedule", "Grace"};
    if (page.ping_keys == PingKeyVisibility::shown) headings.push_back("Ping URL");
    open_table(out, headings, "Checks");
    for (const auto& check : page.checks) check_row(out, check, page.now, page.ping_keys, page.public_url);
    close_table(out);
    return out.finish();
}

std::string render_check_page(const CheckPage& page) {
    const CheckSpec& spec = page.check.spec;
    const CheckStatus& status = page.check.status;
    Builder out;
    begin_page(out, "Check " + spec.name, Section::checks);
    out.open("h1");
    out.text("Check ");
    out.element("span", spec.name, {{"class", "id"}});
    out.text(" ");
    badge(out, to_string(status.state), state_tone(status.state));
    out.close();
    if (!spec.description.empty()) out.element("p", spec.description, {{"class", "description"}});

    out.open("dl", {{"class", "facts"}});
    open_definition(out, "State");
    badge(out, to_string(status.state), state_tone(status.state));
    if (html::is_known(status.since)) {
        out.text(" since ");
        out.time(status.since);
    }
    out.close();
    if (!status.reason.empty()) definition(out, "Why", status.reason);
    open_definition(out, "Last ping");
    time_with_ago(out, status.last_ping, page.now);
    out.close();
    open_definition(out, "Last success");
    time_with_ago(out, status.last_success, page.now);
    out.close();
    open_definition(out, "Next due");
    next_due(out, page.check, page.now);
    out.close();
    definition(out, "Schedule", describe_schedule(spec.schedule));
    definition(out, "Grace", html::format_duration(spec.grace));
    if (spec.max_run_time) definition(out, "Longest run", html::format_duration(*spec.max_run_time));
    if (spec.min_run_time) definition(out, "Shortest run", html::format_duration(*spec.min_run_time));
    definition(out, "Alert after",
               fmt::format("{} in a row (now {})", plural(spec.failures_before_alert, "failure", "failures"),
                           status.consecutive_failures));
    if (spec.realert_every) definition(out, "Remind every", html::format_duration(*spec.realert_every));
    if (spec.tier) {
        definition(out, "Runs count as pings",
                   spec.project ? fmt::format("tier {} of project {}", *spec.tier, *spec.project)
                                : fmt::format("tier {}", *spec.tier));
    }
    definition(out, "Alert channels",
               spec.channels.empty() ? std::string("none") : fmt::format("{}", fmt::join(spec.channels, ", ")));
    // From the alerts queued, not from the status: the watchdog's own bookkeeping moves on for a check that has
    // no channel, where nothing was queued.
    std::optional<WallTime> last_alert;
    for (const Alert& alert : page.alerts) {
        if (!last_alert || alert.created > *last_alert) last_alert = alert.created;
    }
    open_definition(out, "Last alert");
    optional_time(out, last_alert);
    out.close();
    out.close();  // dl

    if (page.ping_keys == PingKeyVisibility::shown && !spec.ping_key.empty()) {
        out.element("h2", "Ping URLs");
        std::string base = ping_url(page.public_url, spec.ping_key);
        out.open("ul", {{"class", "urls"}});
        const std::pair<std::string, std::string_view> endpoints[] = {
            {base, "success"},
            {base + "/start", "start of a run"},
            {base + "/fail", "failure"},
            {base + "/<exit-code>", "0 is success, others fail"},
        };
        for (const auto& [url, meaning] : endpoints) {
            out.open("li");
            out.element("code", url);
            out.text(" — " + std::string(meaning));
            out.close();
        }
        out.close();
        out.element("p", "Add ?rid=<id> to pair a start with its end when runs overlap.", {{"class", "note"}});
    }

    out.element("h2", "Recent pings");
    if (page.pings.empty()) {
        empty_state(out, "No pings yet.");
    } else {
        open_table(out, {"Time", "Kind", "Exit code", "rid", "Source", "Body"}, "Recent pings, newest first");
        for (const auto& ping : page.pings) {
            out.open("tr");
            time_cell(out, "Time", ping.at);
            open_cell(out, "Kind");
            std::string_view kind = to_string(ping.kind);
            badge(out, kind, ping.kind == PingKind::fail ? "bad" : ping.kind == PingKind::success ? "good" : "neutral");
            out.close();
            text_cell(out, "Exit code", ping.exit_code ? std::to_string(*ping.exit_code) : "—", "number");
            text_cell(out, "rid", ping.rid.value_or("—"));
            text_cell(out, "Source", ping.source);
            open_cell(out, "Body");
            if (ping.body.empty()) {
                out.text("—");
            } else {
                out.open("details");
                out.element("summary", plural(static_cast<std::int64_t>(ping.body.size()), "byte", "bytes"));
                out.element("pre", ping.body);
                out.close();
            }
            out.close();
            out.close();
        }
        close_table(out);
    }

    out.element("h2", "Alerts");
    if (page.alerts.empty()) {
        empty_state(out, "No alerts.");
    } else {
        open_table(out, {"Created", "Kind", "Channel", "Delivery", "Down since", "Last success", "Reason", "Job ids"},
                   "Alerts, newest first");
        for (const auto& alert : page.alerts) {
            out.open("tr");
            time_cell(out, "Created", alert.created);
            open_cell(out, "Kind");
            std::string_view kind = to_string(alert.kind);
            badge(out, kind,
                  alert.kind == AlertKind::recovery    ? "good"
                  : alert.kind == AlertKind::heartbeat ? "neutral"
                                                       : "bad");
            out.close();
            text_cell(out, "Channel", alert.channel);
            open_cell(out, "Delivery");
            out.text(alert_delivery(alert));
            if (alert.sent) {
                out.text(" ");
                out.time(*alert.sent);
            }
            if (!alert.sent && !alert.last_error.empty()) {
                out.empty("br");
                out.element("small", alert.last_error);
            }
            out.close();
            open_cell(out, "Down since");
            optional_time(out, alert.down_since);
            out.close();
            open_cell(out, "Last success");
            optional_time(out, alert.last_success);
            out.close();
            text_cell(out, "Reason", alert.reason.empty() ? "—" : alert.reason);
            text_cell(out, "Job ids",
                      alert.job_ids.empty() ? std::string("—") : fmt::format("{}", fmt::join(alert.job_ids, ", ")));
            out.close();
        }
        close_table(out);
    }
    return out.finish();
}

std::string render_jobs_page(const JobsPage& page) {
    Builder out;
    begin_page(out, "Jobs", Section::jobs);
    out.element("h1", "Bridge jobs");
    if (page.bridge == BridgeAvailability::disabled) {
        empty_state(out,
                    "This server does not host the bridge. Start it with `greenlight serve --bridge` to see jobs.");
        return out.finish();
    }
    if (page.jobs.empty()) {
        empty_state(out, "No jobs yet.");
        return out.finish();
    }
    open_table(out, {"Name", "Id", "Owner", "Status", "Return code", "Submitted", "Ended"}, "Jobs, newest first");
    for (const auto& job : page.jobs) {
        out.open("tr");
        open_cell(out, "Name");
        out.link(job_path(job), job.jobname);
        out.close();
        text_cell(out, "Id", job.jobid);
        text_cell(out, "Owner", job.owner);
        open_cell(out, "Status");
        badge(out, bridge::to_string(job.status), "neutral");
        out.close();
        open_cell(out, "Return code");
        if (job.retcode) {
            badge(out, *job.retcode, job_status_tone(job));
        } else {
            out.text("—");
        }
        out.close();
        open_cell(out, "Submitted");
        bridge_time(out, job.submitted);
        out.close();
        open_cell(out, "Ended");
        bridge_time(out, job.ended);
        out.close();
        out.close();
    }
    close_table(out);
    return out.finish();
}

namespace {

void job_heading(Builder& out, const bridge::Job& job) {
    out.open("h1");
    out.text("Job ");
    out.element("span", job.jobname, {{"class", "id"}});
    out.text(" ");
    out.element("span", job.jobid, {{"class", "id"}});
    out.text(" ");
    badge(out, bridge::to_string(job.status), "neutral");
    if (job.retcode) {
        out.text(" ");
        badge(out, *job.retcode, job_status_tone(job));
    }
    out.close();
}

void spool_file_table(Builder& out, const bridge::Job& job, const std::vector<bridge::SpoolFile>& files) {
    open_table(out, {"Id", "DD name", "Step", "Procedure step", "Class", "Records", "Bytes"}, "Spool files");
    for (const auto& file : files) {
        out.open("tr");
        text_cell(out, "Id", std::to_string(file.id), "number");
        open_cell(out, "DD name");
        out.link(spool_path(job, file.id), file.ddname);
        out.close();
        text_cell(out, "Step", file.stepname.empty() ? "—" : file.stepname);
        text_cell(out, "Procedure step", file.procstep.value_or("—"));
        text_cell(out, "Class", file.output_class);
        text_cell(out, "Records", std::to_string(file.record_count), "number");
        text_cell(out, "Bytes", std::to_string(file.byte_count), "number");
        out.close();
    }
    close_table(out);
}

}  // namespace

std::string render_job_page(const JobPage& page) {
    const bridge::Job& job = page.job;
    Builder out;
    begin_page(out, fmt::format("Job {} {}", job.jobname, job.jobid), Section::jobs);
    job_heading(out, job);

    out.open("dl", {{"class", "facts"}});
    definition(out, "Job name", job.jobname);
    definition(out, "Job id", job.jobid);
    definition(out, "Owner", job.owner);
    definition(out, "Status", std::string(bridge::to_string(job.status)));
    definition(out, "Return code", job.retcode.value_or("—"));
    definition(out, "Type", job.type);
    definition(out, "Class", job.job_class);
    definition(out, "Phase", fmt::format("{} {}", job.phase, job.phase_name));
    definition(out, "Correlator", job.correlator.empty() ? "—" : job.correlator);
    definition(out, "User correlator", job.user_correlator.value_or("—"));
    open_definition(out, "Submitted");
    bridge_time(out, job.submitted);
    out.close();
    open_definition(out, "Started");
    bridge_time(out, job.started);
    out.close();
    open_definition(out, "Ended");
    bridge_time(out, job.ended);
    out.close();
    if (job.cancel_requested) definition(out, "Cancel", "requested, waiting for the job to stop");
    out.close();  // dl

    out.element("h2", "Spool files");
    if (page.files.empty()) {
        empty_state(out, "This job has no spool files.");
    } else {
        spool_file_table(out, job, page.files);
    }
    return out.finish();
}

std::string render_spool_page(const SpoolPage& page) {
    const bridge::Job& job = page.job;
    const bridge::SpoolFile* shown = nullptr;
    for (const auto& file : page.files) {
        if (file.id == page.file_id) shown = &file;
    }
    std::string file_name = shown ? shown->ddname : fmt::format("file {}", page.file_id);
    Builder out;
    begin_page(out, fmt::format("{} of {} {}", file_name, job.jobname, job.jobid), Section::jobs);
    out.open("h1");
    out.element("span", file_name, {{"class", "id"}});
    out.text(" of job ");
    out.link(job_path(job), job.jobname + " " + job.jobid);
    out.close();

    if (!page.files.empty()) {
        out.open("nav", {{"class", "spool-files"}, {"aria-label", "Spool files of this job"}});
        out.open("ul");
        for (const auto& file : page.files) {
            out.open("li");
            std::string label = fmt::format("{} ({})", file.ddname, file.stepname.empty() ? "—" : file.stepname);
            if (file.id == page.file_id) {
                out.link(spool_path(job, file.id), label, {{"aria-current", "page"}});
            } else {
                out.link(spool_path(job, file.id), label);
            }
            out.close();
        }
        out.close();
        out.close();
    }

    std::int64_t lines = std::count(page.records.begin(), page.records.end(), '\n');
    if (!page.records.empty() && page.records.back() != '\n') ++lines;
    if (shown) {
        std::string counts = fmt::format("Step {}, class {}, {}, {}.", shown->stepname.empty() ? "—" : shown->stepname,
                                         shown->output_class, plural(shown->record_count, "record", "records"),
                                         plural(shown->byte_count, "byte", "bytes"));
        if (lines < shown->record_count) counts += fmt::format(" Showing the first {}.", lines);
        out.element("p", counts, {{"class", "note"}});
    }
    if (page.records.empty()) {
        empty_state(out, "This spool file is empty.");
    } else {
        out.element("pre", page.records, {{"class", "spool"}});
    }
    return out.finish();
}

std::string render_error_page(int http_status, std::string_view message) {
    std::string_view reason = "Error";
    switch (http_status) {
        case 400:
            reason = "Bad request";
            break;
        case 401:
            reason = "Sign-in needed";
            break;
        case 403:
            reason = "Forbidden";
            break;
        case 404:
            reason = "Not found";
            break;
        case 429:
            reason = "Too many requests";
            break;
        case 500:
            reason = "Internal error";
            break;
        case 503:
            reason = "Service unavailable";
            break;
        default:
            break;
    }
    std::string title = fmt::format("{} {}", http_status, reason);
    Builder out;
    begin_page(out, title, Section::none);
    out.element("h1", title);
    out.element("p", message, {{"class", "error-message"}});
    if (http_status == 503) out.element("p", "The server keeps running; try again in a moment.");
    out.open("p");
    out.link("/runs", "Back to the runs");
    out.close();
    return out.finish();
}

}  // namespace greenlight::serve
