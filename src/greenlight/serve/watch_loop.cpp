// The watchdog: one round (evaluate every check, queue heartbeats that are due, deliver due alerts), and the
// server's loop that runs rounds (woken early by pings and runs) and removes what the retention policy no
// longer keeps.
#include <fmt/format.h>

#include <algorithm>

#include "greenlight/bundle/run_id.hpp"
#include "greenlight/serve/server_internal.hpp"
#include "greenlight/serve/watchdog.hpp"

namespace greenlight::serve {

namespace {

using util::Result;
using util::Status;

// Rounds woken by pings come at most this often: a round evaluates every check.
constexpr std::chrono::milliseconds k_min_round_gap{250};

}  // namespace

Result<WatchRound> run_watch_round(Store& store, const std::vector<AlertChannel>& channels,
                                   const std::optional<HeartbeatOptions>& heartbeat, AlertSender& sender,
                                   WallTime now) {
    WatchRound round;
    auto checks = store.checks();
    if (!checks) return checks.error();
    for (const CheckSpec& spec : *checks) {
        auto evaluated = store.evaluate_check(spec.name, now,
                                              [](const CheckSpec& check, const std::optional<CheckStatus>& previous,
                                                 const std::vector<Ping>& pings, WallTime at) {
                                                  Evaluation evaluation = evaluate(check, previous, pings, at);
                                                  return evaluation;
                                              });
        if (!evaluated) return evaluated.error();
        if (*evaluated) {
            round.alerts_queued += static_cast<int>((*evaluated)->alerts.size());
            round.checks.emplace_back(spec, (*evaluated)->status);
        } else if (auto status = store.status(spec.name); status && *status) {
            round.checks.emplace_back(spec, **status);  // another server holds it right now
        }
    }
    if (heartbeat) {
        for (const std::string& channel : heartbeat->channels) {
            auto last = store.last_alert_of_kind(AlertKind::heartbeat, channel);
            if (!last) return last.error();
            if (auto due = heartbeat_due(channel, *last, heartbeat->every, now)) {
                auto queued = store.queue_alert(*due);
                if (!queued) return queued.error();
                if (*queued) ++round.alerts_queued;
            }
        }
    }
    auto claimed = store.claim_alerts(now, 50, std::chrono::minutes{2});
    if (!claimed) return claimed.error();
    for (const Alert& alert : *claimed) {
        auto channel = std::find_if(channels.begin(), channels.end(),
                                    [&](const AlertChannel& candidate) { return candidate.name == alert.channel; });
        if (channel == channels.end()) {
            (void)store.alert_failed(alert.key, fmt::format("no channel named {} is configured", alert.channel),
                                     now + std::chrono::hours{1});
            ++round.alerts_failed;
            continue;
        }
        DeliveryResult result = sender.send(alert, *channel);
        round.deliveries.push_back(WatchRound::Delivery{alert.channel,
                                                        result.outcome == DeliveryResult::Outcome::sent    ? "sent"
                                                        : result.outcome == DeliveryResult::Outcome::retry ? "retry"
                                                                                                           : "give_up",
                                                        result.error});
        if (result.outcome == DeliveryResult::Outcome::sent) {
            if (Status marked = store.alert_sent(alert.key, now); !marked) return marked.error();
            ++round.alerts_sent;
            continue;
        }
        ++round.alerts_failed;
        // A receiver that refuses outright is asked again much later; nothing is dropped.
        Duration delay = result.outcome == DeliveryResult::Outcome::retry
                             ? retry_delay(alert.attempts + 1, result.retry_after, std::hash<std::string>{}(alert.key))
                             : Duration{std::chrono::hours{6}};
        if (Status marked = store.alert_failed(alert.key, result.error, now + delay); !marked) return marked.error();
    }
    return round;
}

bool ServeServer::Impl::prune_history() {
    const Retention& retention = options.retention;
    if (!retention.runs && !retention.pings && !retention.alerts) return true;
    const WallTime at = now();
    auto pruned = store->prune(retention, at);
    if (!pruned) {
        log(fmt::format("retention: pruning failed: {}", pruned.message()));
        return true;  // tried again at the next interval
    }
    std::int64_t bundles = 0;
    for (const std::string& run_id : pruned->runs_with_bundles) {
        // Run ids were checked to be plain folder names when the run was stored.
        std::error_code error;
        if (bundle::valid_run_id(run_id) && std::filesystem::remove_all(options.bundles_dir / run_id, error) > 0) {
            ++bundles;
        }
    }
    if (retention.runs) bundles += remove_orphaned_bundles(*retention.runs);
    metrics.count_pruned("runs", pruned->runs);
    metrics.count_pruned("bundles", bundles);
    metrics.count_pruned("pings", pruned->pings);
    metrics.count_pruned("alerts", pruned->alerts);
    if (pruned->runs + bundles + pruned->pings + pruned->alerts > 0) {
        log(fmt::format("retention: removed {} run{}, {} bundle folder{}, {} ping{} and {} sent alert{}", pruned->runs,
                        pruned->runs == 1 ? "" : "s", bundles, bundles == 1 ? "" : "s", pruned->pings,
                        pruned->pings == 1 ? "" : "s", pruned->alerts, pruned->alerts == 1 ? "" : "s"));
    }
    return pruned->complete;
}

// Bundle folders whose run is gone, last written longer ago than the runs' retention: left by a server
// stopped between deleting a run and its folder, or by a replica sharing the folder. Newer folders are never
// touched: an upload may still be on its way to its run.
std::int64_t ServeServer::Impl::remove_orphaned_bundles(Duration older_than) {
    std::int64_t removed = 0;
    const auto file_cutoff = std::chrono::file_clock::now() - older_than;
    std::error_code error;
    for (std::filesystem::directory_iterator entry(options.bundles_dir, error), end; !error && entry != end;
         entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        if (name.starts_with(".") || !bundle::valid_run_id(name) || !entry->is_directory()) continue;
        std::error_code stat_error;
        if (std::filesystem::last_write_time(entry->path(), stat_error) > file_cutoff || stat_error) continue;
        auto run = store->run(name);
        if (!run || *run) continue;
        std::error_code remove_error;
        if (std::filesystem::remove_all(entry->path(), remove_error) > 0 && !remove_error) ++removed;
    }
    return removed;
}

void ServeServer::Impl::watchdog_loop() {
    std::unique_lock lock(watchdog_mutex);
    bool reported_failure = false;
    auto next_prune = std::chrono::steady_clock::now();
    while (!stopping) {
        lock.unlock();
        if (std::chrono::steady_clock::now() >= next_prune) {
            const bool complete = prune_history();
            // More due than one pass removes: the next pass comes with the next round.
            next_prune = std::chrono::steady_clock::now() + (complete ? options.retention_interval : Duration{0});
        }
        auto round = run_watch_round(*store, options.channels, options.heartbeat, *sender, now());
        // Counted once the round's alerts are sent: a test (or an operator) can wait for a round to finish.
        metrics.count(metrics.watchdog_rounds, round ? "ok" : "failed");
        if (!round) {
            if (!reported_failure) log(fmt::format("watchdog round failed: {}", round.message()));
            reported_failure = true;
        } else {
            if (reported_failure) log("watchdog rounds succeed again");
            reported_failure = false;
            for (const WatchRound::Delivery& delivery : round->deliveries) {
                metrics.count_alert(delivery.channel, delivery.outcome);
                if (delivery.outcome != "sent") {
                    log(fmt::format("alert to {} not delivered ({}): {}", delivery.channel, delivery.outcome,
                                    delivery.error));
                }
            }
        }
        lock.lock();
        const auto round_ended = std::chrono::steady_clock::now();
        watchdog_wake.wait_for(lock, options.watchdog_interval, [this] { return stopping || wake_pending; });
        if (wake_pending && !stopping) {
            // Woken early: not sooner than the minimum gap after the last round.
            const auto earliest =
                round_ended + std::min<std::chrono::steady_clock::duration>(k_min_round_gap, options.watchdog_interval);
            watchdog_wake.wait_until(lock, earliest, [this] { return stopping; });
        }
        wake_pending = false;
    }
}

}  // namespace greenlight::serve
