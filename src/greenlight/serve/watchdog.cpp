#include "greenlight/serve/watchdog.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cstdint>

#include "greenlight/serve/cron.hpp"

namespace greenlight::serve {

namespace {

using util::format_utc;

// Why the check is down, and since when. `since` comes from the pings and the schedule, never from the time of
// evaluation, so every evaluator names the same incident with the same key.
struct DownCause {
    WallTime since;
    std::string reason;
};

// A start ping still waiting for its end.
struct OpenRun {
    std::optional<std::string> rid;
    WallTime started;
};

// When the next success is expected after a reference time (the last success, or the first ping before any).
class DueTimes {
public:
    explicit DueTimes(const Schedule& schedule) {
        if (!schedule.cron.empty()) {
            util::Result<CronExpression> cron = CronExpression::parse(schedule.cron, schedule.time_zone);
            if (cron) {
                m_cron = std::move(cron).value();
            } else {
                m_problem = fmt::format("schedule: {}", cron.message());
            }
        } else if (schedule.period && schedule.period->count() > 0) {
            m_period = schedule.period;
        }
    }

    // nullopt when the schedule never asks for a success (no schedule, a cron time that never comes, or a
    // schedule that does not parse).
    std::optional<WallTime> next_due(WallTime reference) const {
        if (m_cache_reference != reference) {
            m_cache_reference = reference;
            m_cache_due = m_cron     ? m_cron->next_after(reference)
                          : m_period ? std::optional<WallTime>(reference + *m_period)
                                     : std::nullopt;
        }
        return m_cache_due;
    }

    // Why the schedule cannot be used, or empty.
    const std::string& problem() const { return m_problem; }

private:
    std::optional<CronExpression> m_cron;
    std::optional<Duration> m_period;
    std::string m_problem;
    // Replaying pings asks again and again for the same reference; a cron search is worth remembering.
    mutable std::optional<WallTime> m_cache_reference;
    mutable std::optional<WallTime> m_cache_due;
};

// What the pings say, replayed oldest first.
struct PingHistory {
    std::optional<WallTime> first_signal;  // the first ping that is not a log line
    std::optional<WallTime> last_ping;
    std::optional<WallTime> last_success;
    int consecutive_failures = 0;
    std::optional<WallTime> streak_reached_threshold;  // the failure that made the streak long enough to alert
    std::optional<WallTime> last_failure;
    std::string last_failure_reason;
    std::vector<OpenRun> open_runs;  // oldest first
    // The last ping after which the check was not down, when it came after the incident the check was in: it
    // was up in between, so what is down now is a new incident.
    std::optional<WallTime> last_up;
};

std::optional<std::string> normalized_rid(const std::optional<std::string>& rid) {
    if (!rid || rid->empty()) return std::nullopt;
    return rid;
}

std::optional<WallTime> later_of(std::optional<WallTime> first, std::optional<WallTime> second) {
    if (!first) return second;
    if (!second) return first;
    return std::max(*first, *second);
}

// Pings at or before `now`, oldest first; pings of equal time keep their order.
std::vector<const Ping*> pings_in_order(const std::vector<Ping>& pings, WallTime now) {
    std::vector<const Ping*> ordered;
    ordered.reserve(pings.size());
    for (const Ping& ping : pings) {
        // A ping stamped after `now` (another server's clock, or `watch --now` in the past) has not happened yet.
        if (ping.at <= now) ordered.push_back(&ping);
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const Ping* a, const Ping* b) { return a->at < b->at; });
    return ordered;
}

// Applies one ping to what the pings said so far.
void apply_ping(const CheckSpec& spec, const Ping* ping, PingHistory& history) {
    const int threshold = std::max(1, spec.failures_before_alert);
    history.last_ping = ping->at;
    if (ping->kind == PingKind::log) return;
    if (!history.first_signal) history.first_signal = ping->at;

    const std::optional<std::string> rid = normalized_rid(ping->rid);
    if (ping->kind == PingKind::start) {
        // A second start of the same rid (or a second start without one) restarts that run's clock.
        std::erase_if(history.open_runs, [&](const OpenRun& run) { return run.rid == rid; });
        history.open_runs.push_back(OpenRun{rid, ping->at});
        return;
    }

    // An end: success or failure, and the end of the run it pairs with, if one is open.
    std::optional<std::string> failure;
    if (ping->exit_code) {
        if (*ping->exit_code != 0) failure = fmt::format("exit code {}", *ping->exit_code);
    } else if (ping->kind == PingKind::fail) {
        failure = "a fail ping";
    }
    const auto run = std::find_if(history.open_runs.begin(), history.open_runs.end(),
                                  [&](const OpenRun& open) { return open.rid == rid; });
    if (run != history.open_runs.end()) {
        const auto took = std::chrono::duration_cast<Duration>(ping->at - run->started);
        if (!failure && spec.min_run_time && took < *spec.min_run_time) {
            failure = fmt::format("ended after {}, faster than the minimum {}", describe_duration(took),
                                  describe_duration(*spec.min_run_time));
        } else if (!failure && spec.max_run_time && took > *spec.max_run_time) {
            failure = fmt::format("ended after {}, slower than the maximum {}", describe_duration(took),
                                  describe_duration(*spec.max_run_time));
        }
        history.open_runs.erase(run);
    }

    if (failure) {
        ++history.consecutive_failures;
        if (history.consecutive_failures == threshold) history.streak_reached_threshold = ping->at;
        history.last_failure = ping->at;
        history.last_failure_reason = *failure;
    } else {
        history.last_success = ping->at;
        history.consecutive_failures = 0;
        history.streak_reached_threshold.reset();
        history.last_failure.reset();
        history.last_failure_reason.clear();
    }
}

// Whether the check is down at `time`, by the pings replayed so far.
bool is_down_at(const CheckSpec& spec, const DueTimes& due_times, const PingHistory& history, WallTime time) {
    if (history.streak_reached_threshold) return true;
    if (spec.max_run_time) {
        for (const OpenRun& run : history.open_runs) {
            if (time >= run.started + *spec.max_run_time) return true;
        }
    }
    if (!history.first_signal) return false;
    const std::optional<WallTime> due = due_times.next_due(history.last_success.value_or(*history.first_signal));
    return due && time >= *due + spec.grace;
}

// Replays the pings oldest first. `incident_since`: when the check is already down, since when; the replay then
// notes whether it was up at some moment after that.
PingHistory replay(const CheckSpec& spec, const DueTimes& due_times, const std::vector<const Ping*>& pings,
                   std::optional<WallTime> incident_since) {
    PingHistory history;
    for (const Ping* ping : pings) {
        apply_ping(spec, ping, history);
        // Between pings a check only gets closer to down (deadlines pass), so "up right after some ping" is
        // exactly "up at some moment".
        if (incident_since && ping->at > *incident_since && !is_down_at(spec, due_times, history, ping->at)) {
            history.last_up = ping->at;
        }
    }
    return history;
}

std::string describe_failures(const PingHistory& history) {
    if (history.consecutive_failures == 1) {
        return fmt::format("failed at {}: {}", format_utc(*history.last_failure), history.last_failure_reason);
    }
    return fmt::format("{} failures in a row, the last at {}: {}", history.consecutive_failures,
                       format_utc(*history.last_failure), history.last_failure_reason);
}

std::string describe_rid(const std::optional<std::string>& rid) {
    return rid ? fmt::format("run {}", *rid) : std::string("run");
}

std::vector<DownCause> down_causes(const CheckSpec& spec, const PingHistory& history, const CheckStatus& status,
                                   WallTime now) {
    std::vector<DownCause> causes;
    if (history.streak_reached_threshold) {
        causes.push_back(DownCause{*history.streak_reached_threshold, describe_failures(history)});
    }
    if (spec.max_run_time) {
        // Every open run is looked at: one stuck run stays visible however many others end meanwhile.
        for (const OpenRun& run : history.open_runs) {
            const WallTime overdue = run.started + *spec.max_run_time;
            if (now < overdue) continue;
            causes.push_back(
                DownCause{overdue, fmt::format("{} started at {} has not ended after {}", describe_rid(run.rid),
                                               format_utc(run.started), describe_duration(*spec.max_run_time))});
        }
    }
    if (status.next_due && now >= *status.next_due + spec.grace) {
        const std::string last = status.last_success
                                     ? fmt::format("no success since {}", format_utc(*status.last_success))
                                     : std::string("no success yet");
        causes.push_back(DownCause{*status.next_due + spec.grace,
                                   fmt::format("{} (expected by {})", last, format_utc(*status.next_due))});
    }
    return causes;
}

Alert make_alert(AlertKind kind, std::string key, const CheckSpec& spec, const std::string& channel,
                 const CheckStatus& status, WallTime down_since, std::string reason, WallTime now) {
    Alert alert;
    alert.key = std::move(key);
    alert.kind = kind;
    alert.check = spec.name;
    alert.channel = channel;
    alert.created = now;
    alert.down_since = down_since;
    alert.last_success = status.last_success;
    alert.reason = std::move(reason);
    return alert;
}

// Reminder n falls at down_since + n * every; 0 is the down alert itself.
std::int64_t reminder_number(WallTime down_since, WallTime at, Duration every) {
    if (at <= down_since) return 0;
    return std::chrono::duration_cast<Duration>(at - down_since) / every;
}

// Queues the alerts the transition from `previous` to the new status calls for, and notes the last one.
void queue_alerts(const CheckSpec& spec, const std::optional<CheckStatus>& previous, bool new_incident, WallTime now,
                  Evaluation& evaluation) {
    CheckStatus& status = evaluation.status;
    const bool was_down = previous && previous->state == CheckState::down;
    const bool reminders = spec.realert_every && spec.realert_every->count() > 0;

    if (was_down && (status.state != CheckState::down || new_incident)) {
        // Down again means it was up in between (a new incident); late means it recovered but is behind again.
        const std::string_view now_state = status.state == CheckState::late   ? "is no longer down (late now)"
                                           : status.state == CheckState::down ? "was up again"
                                                                              : "is up again";
        const std::string reason =
            fmt::format("{} {} after being down since {}{}", spec.name, now_state, format_utc(previous->since),
                        status.last_success ? fmt::format("; last success at {}", format_utc(*status.last_success))
                                            : std::string());
        for (const std::string& channel : spec.channels) {
            evaluation.alerts.push_back(make_alert(
                AlertKind::recovery, fmt::format("{}/recovery/{}/{}", spec.name, format_utc(previous->since), channel),
                spec, channel, status, previous->since, reason, now));
        }
    }

    if (status.state != CheckState::down) return;

    const std::int64_t due_reminder = reminders ? reminder_number(status.since, now, *spec.realert_every) : 0;
    if (new_incident) {
        for (const std::string& channel : spec.channels) {
            evaluation.alerts.push_back(
                make_alert(AlertKind::down, fmt::format("{}/down/{}/{}", spec.name, format_utc(status.since), channel),
                           spec, channel, status, status.since, status.reason, now));
        }
        // The down alert stands for every reminder already due, so a check found down late does not flood.
        status.last_alert = status.since + due_reminder * (reminders ? *spec.realert_every : Duration{0});
        return;
    }

    if (!reminders) return;
    const std::int64_t sent_reminder =
        status.last_alert ? reminder_number(status.since, *status.last_alert, *spec.realert_every) : 0;
    if (due_reminder < 1 || due_reminder <= sent_reminder) return;
    const std::string reason = fmt::format("still down since {}: {}", format_utc(status.since), status.reason);
    for (const std::string& channel : spec.channels) {
        evaluation.alerts.push_back(
            make_alert(AlertKind::reminder,
                       fmt::format("{}/reminder/{}/{}/{}", spec.name, format_utc(status.since), due_reminder, channel),
                       spec, channel, status, status.since, reason, now));
    }
    status.last_alert = status.since + due_reminder * *spec.realert_every;
}

}  // namespace

Evaluation evaluate(const CheckSpec& spec, const std::optional<CheckStatus>& previous,
                    const std::vector<Ping>& recent_pings, WallTime now) {
    const std::vector<const Ping*> pings = pings_in_order(recent_pings, now);
    const DueTimes due_times(spec.schedule);
    const bool was_down = previous && previous->state == CheckState::down;
    const PingHistory history =
        replay(spec, due_times, pings, was_down ? std::optional(previous->since) : std::nullopt);

    Evaluation evaluation;
    CheckStatus& status = evaluation.status;
    status.last_ping = later_of(previous ? previous->last_ping : std::nullopt, history.last_ping);
    status.last_success = later_of(previous ? previous->last_success : std::nullopt, history.last_success);
    status.consecutive_failures = history.consecutive_failures;
    status.last_alert = previous ? previous->last_alert : std::nullopt;

    const auto keep_since_if = [&](CheckState state, WallTime otherwise) {
        return previous && previous->state == state ? previous->since : otherwise;
    };

    // Log pings only say the job is talking: a check that has heard nothing else is still new.
    const bool heard = history.first_signal || status.last_success ||
                       (previous && previous->state != CheckState::new_check && previous->state != CheckState::paused);
    if (!heard) {
        status.state = spec.paused ? CheckState::paused : CheckState::new_check;
        status.since = keep_since_if(status.state, now);
        status.reason = spec.paused ? "paused" : "";
        return evaluation;
    }

    // Without a success yet, the schedule counts from the first ping.
    const WallTime reference =
        status.last_success.value_or(history.first_signal.value_or(status.last_ping.value_or(now)));
    status.next_due = due_times.next_due(reference);
    const std::string& schedule_problem = due_times.problem();

    const std::vector<DownCause> causes = down_causes(spec, history, status, now);
    bool new_incident = false;
    if (!causes.empty()) {
        // The earliest cause tells since when the check has been down.
        const DownCause& cause = *std::min_element(
            causes.begin(), causes.end(), [](const DownCause& a, const DownCause& b) { return a.since < b.since; });
        status.state = CheckState::down;
        status.reason = cause.reason;
        // Still the same incident unless the check was up at some moment since it began.
        new_incident = !was_down || history.last_up.has_value();
        status.since = new_incident ? cause.since : previous->since;
    } else if (status.next_due && now >= *status.next_due) {
        status.state = CheckState::late;
        status.since = *status.next_due;
        status.reason = fmt::format("expected by {}; down at {} without a success", format_utc(*status.next_due),
                                    format_utc(*status.next_due + spec.grace));
    } else {
        status.state = CheckState::up;
        WallTime up_since = status.last_success.value_or(history.first_signal.value_or(now));
        // Up again without a new success (e.g. a stuck run ended, or the check was unpaused): up from now on.
        if (previous && previous->state != CheckState::new_check && up_since < previous->since) up_since = now;
        status.since = keep_since_if(CheckState::up, up_since);
        if (history.consecutive_failures > 0) {
            status.reason = fmt::format("{} of {} failures before alerting; {}", history.consecutive_failures,
                                        std::max(1, spec.failures_before_alert), describe_failures(history));
        }
    }
    if (!schedule_problem.empty() && status.state != CheckState::down) status.reason = schedule_problem;

    if (spec.paused) {
        // Paused: the pings still update what the dashboard shows, but the state is paused and nothing is sent.
        status.state = CheckState::paused;
        status.since = keep_since_if(CheckState::paused, now);
        status.reason = "paused";
        return evaluation;
    }

    queue_alerts(spec, previous, new_incident, now, evaluation);
    // The runbook asks for the job ids in the trace: every alert carries the ones the recent pings name.
    if (!evaluation.alerts.empty()) {
        const std::vector<std::string> job_ids = collect_job_ids(recent_pings);
        for (Alert& alert : evaluation.alerts) alert.job_ids = job_ids;
    }
    return evaluation;
}

std::optional<Alert> heartbeat_due(std::string_view channel, std::optional<WallTime> last_heartbeat, Duration every,
                                   WallTime now) {
    if (every.count() <= 0) return std::nullopt;
    WallTime slot;
    if (last_heartbeat) {
        if (now < *last_heartbeat + every) return std::nullopt;
        slot = *last_heartbeat + std::chrono::duration_cast<Duration>(now - *last_heartbeat) / every * every;
    } else {
        // The first one falls on a multiple of `every` since the epoch, so two servers agree on its key.
        const Duration since_epoch = std::chrono::duration_cast<Duration>(now.time_since_epoch());
        slot = WallTime{} + since_epoch / every * every;
    }
    Alert alert;
    alert.key = fmt::format("heartbeat/{}/{}", channel, format_utc(slot));
    alert.kind = AlertKind::heartbeat;
    alert.channel = std::string(channel);
    alert.created = now;
    alert.reason = fmt::format("heartbeat: alerts reach {} (one every {})", channel, describe_duration(every));
    return alert;
}

std::vector<std::string> collect_job_ids(const std::vector<Ping>& pings, std::size_t limit) {
    // job=NAME(ID) as the bridge's smoke flow logs it, or a bare JES2 job id.
    static const RE2 k_job_pattern(
        R"((?:\bjob=([A-Za-z@#$][A-Za-z0-9@#$]{0,7})\((JOB\d{5}|J\d{7})\))|\b(JOB\d{5}|J\d{7})\b)");
    std::vector<const Ping*> newest_first;
    newest_first.reserve(pings.size());
    for (const Ping& ping : pings) newest_first.push_back(&ping);
    std::stable_sort(newest_first.begin(), newest_first.end(),
                     [](const Ping* a, const Ping* b) { return a->at > b->at; });

    std::vector<std::string> ids;
    std::vector<std::string> labels;
    for (const Ping* ping : newest_first) {
        for (const std::string* text : {&ping->source, &ping->body}) {
            re2::StringPiece input(text->data(), text->size());
            std::string name;
            std::string labeled_id;
            std::string bare_id;
            while (ids.size() < limit && RE2::FindAndConsume(&input, k_job_pattern, &name, &labeled_id, &bare_id)) {
                const std::string& id = labeled_id.empty() ? bare_id : labeled_id;
                if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
                ids.push_back(id);
                labels.push_back(labeled_id.empty() ? id : fmt::format("{}({})", name, id));
            }
        }
        if (ids.size() >= limit) break;
    }
    return labels;
}

std::string describe_duration(Duration duration) {
    using std::chrono::duration_cast;
    if (duration.count() < 0) return "-" + describe_duration(-duration);
    if (duration < std::chrono::seconds{1}) return fmt::format("{} ms", duration.count());
    const auto days = duration_cast<std::chrono::days>(duration);
    duration -= days;
    const auto hours = duration_cast<std::chrono::hours>(duration);
    duration -= hours;
    const auto minutes = duration_cast<std::chrono::minutes>(duration);
    duration -= minutes;
    const auto seconds = duration_cast<std::chrono::seconds>(duration);
    const auto milliseconds = (duration - seconds).count();

    std::vector<std::string> parts;
    if (days.count() > 0) parts.push_back(fmt::format("{} d", days.count()));
    if (hours.count() > 0) parts.push_back(fmt::format("{} h", hours.count()));
    if (minutes.count() > 0) parts.push_back(fmt::format("{} min", minutes.count()));
    if (milliseconds > 0) {
        std::string fraction = fmt::format("{:03}", milliseconds);
        while (fraction.back() == '0') fraction.pop_back();
        parts.push_back(fmt::format("{}.{} s", seconds.count(), fraction));
    } else if (seconds.count() > 0) {
        parts.push_back(fmt::format("{} s", seconds.count()));
    }
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : " ") + part;
    return text;
}

}  // namespace greenlight::serve
