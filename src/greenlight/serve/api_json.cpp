// The JSON of serve's API: runs, checks, pings and alerts as answers, and check definitions as PUT bodies.
#include "greenlight/serve/api_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "greenlight/util/clock.hpp"

namespace greenlight::serve::detail {

namespace {

using nlohmann::json;
using util::make_error;
using util::Result;

json optional_time(const std::optional<WallTime>& time) {
    return time ? json(iso(*time)) : json(nullptr);
}

json schedule_json(const Schedule& schedule) {
    json document = json::object();
    if (schedule.period) document["period_seconds"] = schedule.period->count() / 1000;
    if (!schedule.cron.empty()) {
        document["cron"] = schedule.cron;
        document["time_zone"] = schedule.time_zone.empty() ? "UTC" : schedule.time_zone;
    }
    return document;
}

// Seconds (or a duration like 6h, 30m, 10s) from a JSON field of a check definition.
std::optional<Duration> seconds_field(const json& document, std::string_view key) {
    auto found = document.find(key);
    if (found == document.end() || found->is_null()) return std::nullopt;
    if (!found->is_number_integer() || found->get<std::int64_t>() < 0) return Duration{-1};
    return Duration{found->get<std::int64_t>() * 1000};
}

}  // namespace

std::string iso(WallTime time) {
    return util::format_utc(time);
}

json run_summary_json(const RunSummary& run) {
    return json{{"run_id", run.run_id},
                {"project", run.project},
                {"tier", run.tier},
                {"verdict", std::string(verdict::to_string(run.verdict))},
                {"started", iso(run.started)},
                {"duration_seconds", run.duration_seconds},
                {"git_sha", run.git_sha},
                {"branch", run.branch},
                {"has_bundle", run.has_bundle}};
}

json check_json(const CheckSpec& spec, const std::optional<CheckStatus>& status, bool with_key) {
    json document{{"name", spec.name},
                  {"schedule", schedule_json(spec.schedule)},
                  {"grace_seconds", spec.grace.count() / 1000},
                  {"failures_before_alert", spec.failures_before_alert},
                  {"channels", spec.channels},
                  {"paused", spec.paused},
                  {"description", spec.description}};
    if (spec.max_run_time) document["max_run_time_seconds"] = spec.max_run_time->count() / 1000;
    if (spec.min_run_time) document["min_run_time_seconds"] = spec.min_run_time->count() / 1000;
    if (spec.realert_every) document["realert_seconds"] = spec.realert_every->count() / 1000;
    if (spec.tier) document["tier"] = *spec.tier;
    if (spec.project) document["project"] = *spec.project;
    if (with_key) document["ping_url_path"] = "/ping/" + spec.ping_key;
    const CheckStatus current = status.value_or(CheckStatus{});
    document["state"] = std::string(to_string(spec.paused ? CheckState::paused : current.state));
    document["since"] = status ? json(iso(current.since)) : json(nullptr);
    document["last_ping"] = optional_time(current.last_ping);
    document["last_success"] = optional_time(current.last_success);
    document["next_due"] = optional_time(current.next_due);
    document["consecutive_failures"] = current.consecutive_failures;
    document["reason"] = current.reason;
    return document;
}

json ping_json(const Ping& ping) {
    json document{{"kind", std::string(to_string(ping.kind))}, {"at", iso(ping.at)}, {"source", ping.source}};
    document["exit_code"] = ping.exit_code ? json(*ping.exit_code) : json(nullptr);
    document["rid"] = ping.rid ? json(*ping.rid) : json(nullptr);
    return document;
}

json alert_json(const Alert& alert) {
    return json{{"key", alert.key},
                {"kind", std::string(to_string(alert.kind))},
                {"check", alert.check},
                {"channel", alert.channel},
                {"created", iso(alert.created)},
                {"attempts", alert.attempts},
                {"sent", optional_time(alert.sent)},
                {"last_error", alert.last_error}};
}

// A check from the API's JSON (PUT /api/v1/checks/<name>); an error names the field.
Result<CheckSpec> check_from_json(std::string_view name, std::string_view body) {
    json document = json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return make_error("the body is not a JSON object");
    static const std::vector<std::string> k_known = {"period_seconds",
                                                     "cron",
                                                     "time_zone",
                                                     "grace_seconds",
                                                     "max_run_time_seconds",
                                                     "min_run_time_seconds",
                                                     "failures_before_alert",
                                                     "realert_seconds",
                                                     "tier",
                                                     "project",
                                                     "channels",
                                                     "paused",
                                                     "description"};
    for (const auto& [key, value] : document.items()) {
        if (std::find(k_known.begin(), k_known.end(), key) == k_known.end()) {
            return make_error(
                fmt::format("/{}: unknown field (known: period_seconds, cron, time_zone, "
                            "grace_seconds, max_run_time_seconds, min_run_time_seconds, "
                            "failures_before_alert, realert_seconds, tier, project, channels, paused, "
                            "description)",
                            key));
        }
    }
    CheckSpec spec;
    spec.name = std::string(name);
    auto period = seconds_field(document, "period_seconds");
    if (period && period->count() < 60'000) return make_error("/period_seconds: expected an integer of at least 60");
    spec.schedule.period = period;
    if (auto cron = document.find("cron"); cron != document.end()) {
        if (!cron->is_string()) return make_error("/cron: expected a string");
        spec.schedule.cron = cron->get<std::string>();
    }
    if (auto zone = document.find("time_zone"); zone != document.end()) {
        if (!zone->is_string()) return make_error("/time_zone: expected a string");
        spec.schedule.time_zone = zone->get<std::string>();
    }
    if (spec.schedule.period.has_value() == !spec.schedule.cron.empty()) {
        return make_error("/period_seconds, /cron: give exactly one of them");
    }
    if (auto grace = seconds_field(document, "grace_seconds")) {
        if (grace->count() < 0) return make_error("/grace_seconds: expected a non-negative integer");
        spec.grace = *grace;
    }
    for (auto [key, target] :
         {std::pair{"max_run_time_seconds", &spec.max_run_time}, std::pair{"min_run_time_seconds", &spec.min_run_time},
          std::pair{"realert_seconds", &spec.realert_every}}) {
        auto value = seconds_field(document, key);
        if (value && value->count() < 0) return make_error(fmt::format("/{}: expected a non-negative integer", key));
        *target = value;
    }
    if (auto failures = document.find("failures_before_alert"); failures != document.end()) {
        if (!failures->is_number_integer() || failures->get<int>() < 1 || failures->get<int>() > 1000) {
            return make_error("/failures_before_alert: expected an integer from 1 to 1000");
        }
        spec.failures_before_alert = failures->get<int>();
    }
    for (auto [key, target] : {std::pair{"tier", &spec.tier}, std::pair{"project", &spec.project}}) {
        if (auto found = document.find(key); found != document.end() && !found->is_null()) {
            if (!found->is_string()) return make_error(fmt::format("/{}: expected a string", key));
            *target = found->get<std::string>();
        }
    }
    if (auto channels = document.find("channels"); channels != document.end()) {
        if (!channels->is_array()) return make_error("/channels: expected an array of channel names");
        for (std::size_t i = 0; i < channels->size(); ++i) {
            if (!(*channels)[i].is_string()) return make_error(fmt::format("/channels/{}: expected a string", i));
            spec.channels.push_back((*channels)[i].get<std::string>());
        }
    }
    if (auto paused = document.find("paused"); paused != document.end()) {
        if (!paused->is_boolean()) return make_error("/paused: expected true or false");
        spec.paused = paused->get<bool>();
    }
    if (auto description = document.find("description"); description != document.end()) {
        if (!description->is_string()) return make_error("/description: expected a string");
        spec.description = description->get<std::string>();
    }
    return spec;
}

}  // namespace greenlight::serve::detail
