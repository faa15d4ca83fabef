// The pieces every dashboard page is built of: the page head with its navigation, badges and their tones,
// tables that turn into cards, time cells, filter forms, the paths pages link to, and the error page.
#include "greenlight/serve/dashboard_widgets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace greenlight::serve {

namespace detail {

namespace {

struct NavigationEntry {
    Section section;
    std::string_view path;
    std::string_view label;
};

constexpr std::array<NavigationEntry, 6> k_navigation{{
    {Section::runs, "/runs", "Runs"},
    {Section::flaky, "/flaky", "Flaky"},
    {Section::trends, "/trends", "Trends"},
    {Section::checks, "/checks", "Checks"},
    {Section::promotions, "/promotions", "Promotions"},
    {Section::jobs, "/jobs", "Jobs"},
}};

}  // namespace

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

std::string_view verdict_tone(verdict::Verdict verdict) {
    return verdict_tone(verdict::to_string(verdict));
}

void verdict_badge(Builder& out, verdict::Verdict verdict) {
    badge(out, verdict::to_string(verdict), verdict_tone(verdict));
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

void open_cell(Builder& out, std::string_view label, std::string_view css_class) {
    out.open("td", {{"data-label", label}, {css_class.empty() ? "" : "class", css_class}});
}

void text_cell(Builder& out, std::string_view label, std::string_view text, std::string_view css_class) {
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

}  // namespace detail

using namespace detail;

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
