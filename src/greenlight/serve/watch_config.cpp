#include "greenlight/serve/watch_config.hpp"

namespace greenlight::serve {

std::vector<CheckSpec> checks_from_config(const config::WatchConfig& watch) {
    std::vector<CheckSpec> checks;
    checks.reserve(watch.checks.size());
    for (const config::WatchCheckConfig& check : watch.checks) {
        CheckSpec spec;
        spec.name = check.name;
        spec.schedule.period = check.period;
        spec.schedule.cron = check.cron;
        spec.schedule.time_zone = check.cron.empty() ? std::string() : check.timezone;
        spec.grace = check.grace;
        spec.max_run_time = check.max_run_time;
        spec.min_run_time = check.min_run_time;
        spec.failures_before_alert = check.failures;
        spec.realert_every = watch.realert_for(check);
        spec.tier = check.tier;
        spec.project = check.project;
        spec.channels = check.channels;
        spec.paused = check.paused;
        spec.description = check.description;
        checks.push_back(std::move(spec));
    }
    return checks;
}

std::optional<HeartbeatOptions> heartbeat_from_config(const config::WatchConfig& watch) {
    if (!watch.heartbeat.present || watch.heartbeat.channels.empty()) return std::nullopt;
    return HeartbeatOptions{watch.heartbeat.every, watch.heartbeat.channels};
}

}  // namespace greenlight::serve
