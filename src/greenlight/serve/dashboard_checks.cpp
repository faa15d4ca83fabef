// The watchdog's pages: every check with its state and when it is due (/checks), and one check with its recent
// pings and alerts (/checks/<name>).
#include "greenlight/serve/dashboard.hpp"

#include <fmt/format.h>

#include "greenlight/serve/dashboard_widgets.hpp"
#include "greenlight/serve/html.hpp"

namespace greenlight::serve {

using namespace detail;

namespace {

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

}  // namespace greenlight::serve
