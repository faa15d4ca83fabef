// The store's alert outbox: queueing alerts once per key, claiming due ones under a lease, recording sends and
// failures, and listing them.
#include <fmt/format.h>

#include <algorithm>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using detail::insert_alert;
using detail::json_list;
using detail::k_max_page;
using detail::parse_json_list;
using util::make_error;
using util::Result;
using util::Status;

constexpr std::string_view k_alert_columns =
    "key, kind, check_name, channel, created_ms, down_since_ms, last_success_ms, reason, job_ids, attempts, "
    "next_attempt_ms, sent_ms, last_error";

Alert read_alert(const QueryResult& rows, std::size_t row) {
    Alert alert;
    alert.key = rows.text(row, 0);
    alert.kind = parse_alert_kind(rows.text(row, 1)).value_or(AlertKind::down);
    alert.check = rows.text(row, 2);
    alert.channel = rows.text(row, 3);
    alert.created = from_milliseconds(rows.integer(row, 4));
    alert.down_since = from_milliseconds(rows.optional_integer(row, 5));
    alert.last_success = from_milliseconds(rows.optional_integer(row, 6));
    alert.reason = rows.text(row, 7);
    alert.job_ids = parse_json_list(rows.text(row, 8));
    alert.attempts = static_cast<int>(rows.integer(row, 9));
    alert.next_attempt = from_milliseconds(rows.optional_integer(row, 10));
    alert.sent = from_milliseconds(rows.optional_integer(row, 11));
    alert.last_error = rows.text(row, 12);
    return alert;
}

}  // namespace

namespace detail {

// Queues an alert unless one with its key is queued already; true when this call queued it.
Result<bool> insert_alert(Connection& connection, const Alert& alert, WallTime now) {
    std::int64_t created = alert.created == WallTime{} ? to_milliseconds(now) : to_milliseconds(alert.created);
    auto queued = connection.query(
        fmt::format("INSERT INTO alerts ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, NULL, '') "
                    "ON CONFLICT (key) DO NOTHING",
                    k_alert_columns),
        {alert.key, to_string(alert.kind), alert.check, alert.channel, created, to_milliseconds(alert.down_since),
         to_milliseconds(alert.last_success), alert.reason, json_list(alert.job_ids),
         alert.next_attempt ? to_milliseconds(*alert.next_attempt) : created});
    if (!queued) return queued.error();
    return queued->affected() > 0;
}

}  // namespace detail

Result<std::vector<Alert>> Store::claim_alerts(WallTime now, std::size_t limit, Duration lease) {
    using Alerts = std::vector<Alert>;
    const bool postgresql = m_database->kind() == DatabaseKind::postgresql;
    return in_transaction<Alerts>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<Alerts> {
        // SKIP LOCKED: another server's claim in flight neither blocks this one nor gets its alerts twice.
        auto rows =
            connection.query(fmt::format("SELECT {} FROM alerts WHERE sent_ms IS NULL AND next_attempt_ms <= $1 "
                                         "ORDER BY next_attempt_ms, created_ms, key LIMIT $2{}",
                                         k_alert_columns, postgresql ? " FOR UPDATE SKIP LOCKED" : ""),
                             {to_milliseconds(now), std::min(limit, k_max_page)});
        if (!rows) return rows.error();
        const std::int64_t leased_until = to_milliseconds(now + lease);
        Alerts claimed;
        for (std::size_t row = 0; row < rows->size(); ++row) {
            Alert alert = read_alert(*rows, row);
            auto updated =
                connection.query("UPDATE alerts SET next_attempt_ms = $1, attempts = attempts + 1 WHERE key = $2",
                                 {leased_until, alert.key});
            if (!updated) return updated.error();
            alert.attempts += 1;
            alert.next_attempt = from_milliseconds(leased_until);
            claimed.push_back(std::move(alert));
        }
        return claimed;
    });
}

Result<bool> Store::queue_alert(const Alert& alert) {
    if (alert.key.empty()) return make_error("an alert needs a key: it is what makes queueing it twice harmless");
    return in_transaction<bool>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<bool> {
        return insert_alert(connection, alert, m_clock.now());
    });
}

Status Store::alert_sent(std::string_view key, WallTime at) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE alerts SET sent_ms = $1, last_error = '' WHERE key = $2",
                                        {to_milliseconds(at), key});
        if (!updated) return updated.error();
        if (updated->affected() == 0) return make_error(fmt::format("no queued alert with key '{}'", key));
        return {};
    });
}

Status Store::alert_failed(std::string_view key, std::string error, WallTime next_attempt) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE alerts SET last_error = $1, next_attempt_ms = $2 WHERE key = $3",
                                        {error, to_milliseconds(next_attempt), key});
        if (!updated) return updated.error();
        if (updated->affected() == 0) return make_error(fmt::format("no queued alert with key '{}'", key));
        return {};
    });
}

Result<std::vector<Alert>> Store::alerts(std::size_t limit) {
    using Alerts = std::vector<Alert>;
    return in_transaction<Alerts>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Alerts> {
        auto rows = connection.query(
            fmt::format("SELECT {} FROM alerts ORDER BY created_ms DESC, key DESC LIMIT $1", k_alert_columns),
            {std::min(limit, k_max_page)});
        if (!rows) return rows.error();
        Alerts alerts;
        for (std::size_t row = 0; row < rows->size(); ++row) alerts.push_back(read_alert(*rows, row));
        return alerts;
    });
}

Result<std::optional<WallTime>> Store::last_alert_of_kind(AlertKind kind, std::string_view channel) {
    using Found = std::optional<WallTime>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query("SELECT MAX(created_ms) FROM alerts WHERE kind = $1 AND channel = $2",
                                     {to_string(kind), channel});
        if (!rows) return rows.error();
        return from_milliseconds(rows->optional_integer(0, 0));
    });
}

}  // namespace greenlight::serve
