// The store's retention: deleting the runs, pings and sent alerts it no longer keeps, in short transactions.
#include <functional>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using util::Result;

// Rows deleted per transaction, and transactions per kind of row in one prune call.
constexpr std::int64_t k_prune_batch = 2000;
constexpr int k_prune_batches_per_call = 25;

}  // namespace

Result<PruneResult> Store::prune(const Retention& retention, WallTime now) {
    PruneResult result;
    // Deletes batch after batch until a batch comes back short; false when the batch limit stopped it.
    auto in_batches = [&](const std::function<Result<std::int64_t>()>& batch) -> Result<bool> {
        for (int round = 0; round < k_prune_batches_per_call; ++round) {
            auto deleted = batch();
            if (!deleted) return deleted.error();
            if (*deleted < k_prune_batch) return true;
        }
        return false;
    };

    if (retention.runs) {
        const std::int64_t cutoff = to_milliseconds(now - *retention.runs);
        auto done = in_batches([&]() -> Result<std::int64_t> {
            // Suites and test cases go with their run (ON DELETE CASCADE). The bundles are noted once the
            // deletion committed, so a failed one never costs a kept run its bundle.
            auto deleted = m_database->run(TransactionMode::write,
                                           "DELETE FROM runs WHERE run_id IN (SELECT run_id FROM runs WHERE "
                                           "started_ms < $1 ORDER BY started_ms LIMIT $2) RETURNING run_id, has_bundle",
                                           {cutoff, k_prune_batch});
            if (!deleted) return deleted.error();
            for (std::size_t row = 0; row < deleted->size(); ++row) {
                if (deleted->integer(row, 1) != 0) result.runs_with_bundles.push_back(deleted->text(row, 0));
            }
            result.runs += static_cast<std::int64_t>(deleted->size());
            return static_cast<std::int64_t>(deleted->size());
        });
        if (!done) return done.error();
        result.complete = result.complete && *done;
    }

    if (retention.pings) {
        const std::int64_t cutoff = to_milliseconds(now - *retention.pings);
        auto names = checks();
        if (!names) return names.error();
        for (const CheckSpec& spec : *names) {
            // The newest pings the watchdog reads stay, however old: pruning never changes an evaluation.
            auto boundary = in_transaction<std::optional<std::int64_t>>(
                *m_database, TransactionMode::read, [&](Connection& connection) -> Result<std::optional<std::int64_t>> {
                    auto rows = connection.query(
                        "SELECT id FROM pings WHERE check_name = $1 ORDER BY id DESC LIMIT 1 OFFSET $2",
                        {spec.name, static_cast<std::int64_t>(k_evaluation_pings) - 1});
                    if (!rows) return rows.error();
                    if (rows->empty()) return std::optional<std::int64_t>();
                    return std::optional<std::int64_t>(rows->integer(0, 0));
                });
            if (!boundary) return boundary.error();
            if (!*boundary) continue;
            auto done = in_batches([&]() -> Result<std::int64_t> {
                auto deleted = m_database->run(
                    TransactionMode::write,
                    "DELETE FROM pings WHERE id IN (SELECT id FROM pings WHERE check_name = $1 AND id < $2 "
                    "AND at_ms < $3 ORDER BY id LIMIT $4)",
                    {spec.name, **boundary, cutoff, k_prune_batch});
                if (!deleted) return deleted.error();
                result.pings += deleted->affected();
                return deleted->affected();
            });
            if (!done) return done.error();
            result.complete = result.complete && *done;
        }
    }

    if (retention.alerts) {
        const std::int64_t cutoff = to_milliseconds(now - *retention.alerts);
        const std::string heartbeat(to_string(AlertKind::heartbeat));
        auto done = in_batches([&]() -> Result<std::int64_t> {
            // Sent alerts only: one waiting for delivery is never dropped. Each channel's newest heartbeat
            // stays, as the next one is scheduled from it (and its key must not be queued twice).
            auto deleted = m_database->run(
                TransactionMode::write,
                "DELETE FROM alerts WHERE key IN (SELECT a.key FROM alerts a WHERE a.sent_ms IS NOT NULL "
                "AND a.created_ms < $1 AND NOT (a.kind = $2 AND a.created_ms >= (SELECT MAX(h.created_ms) "
                "FROM alerts h WHERE h.kind = $2 AND h.channel = a.channel)) LIMIT $3)",
                {cutoff, heartbeat, k_prune_batch});
            if (!deleted) return deleted.error();
            result.alerts += deleted->affected();
            return deleted->affected();
        });
        if (!done) return done.error();
        result.complete = result.complete && *done;
    }
    return result;
}

}  // namespace greenlight::serve
