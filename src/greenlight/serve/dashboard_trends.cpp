// The trends page (/trends): per tier, an SVG chart of the recent runs' durations and the same numbers as a table.
#include "greenlight/serve/dashboard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "greenlight/serve/dashboard_widgets.hpp"
#include "greenlight/serve/html.hpp"

namespace greenlight::serve {

using namespace detail;

namespace {

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
                                seconds_text(run.duration_seconds), verdict::to_string(run.verdict)));
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
        verdict_badge(out, run.verdict);
        out.close();
        text_cell(out, "Duration", html::format_duration(run.duration_seconds));
        text_cell(out, "Seconds", seconds_text(run.duration_seconds), "number");
        out.close();
    }
    close_table(out);
}

}  // namespace

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

}  // namespace greenlight::serve
