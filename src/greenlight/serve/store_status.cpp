// The store's check statuses: reading them, evaluating a check (its status stored and its alerts queued in one
// transaction, one server at a time), and counting the checks in each state.
#include <fmt/format.h>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using detail::insert_alert;
using detail::k_check_column_count;
using detail::k_check_columns;
using detail::k_ping_columns;
using detail::no_such_check;
using detail::read_check;
using detail::read_ping;
using util::Result;

constexpr std::string_view k_status_columns =
    "state, since_ms, last_ping_ms, last_success_ms, next_due_ms, consecutive_failures, last_alert_ms, reason";

// "a, b" → "t.a, t.b"
std::string qualified(std::string_view table, std::string_view columns) {
    std::string out;
    while (!columns.empty()) {
        std::size_t comma = columns.find(", ");
        out += fmt::format("{}{}.{}", out.empty() ? "" : ", ", table, columns.substr(0, comma));
        columns = comma == std::string_view::npos ? std::string_view() : columns.substr(comma + 2);
    }
    return out;
}

// Reads the status columns starting at `first`; nullopt when the check was never evaluated.
std::optional<CheckStatus> read_status(const QueryResult& rows, std::size_t row, std::size_t first = 0) {
    if (rows.is_null(row, first)) return std::nullopt;
    CheckStatus status;
    status.state = parse_check_state(rows.text(row, first)).value_or(CheckState::new_check);
    status.since = from_milliseconds(rows.integer(row, first + 1));
    status.last_ping = from_milliseconds(rows.optional_integer(row, first + 2));
    status.last_success = from_milliseconds(rows.optional_integer(row, first + 3));
    status.next_due = from_milliseconds(rows.optional_integer(row, first + 4));
    status.consecutive_failures = static_cast<int>(rows.integer(row, first + 5));
    status.last_alert = from_milliseconds(rows.optional_integer(row, first + 6));
    status.reason = rows.text(row, first + 7);
    return status;
}

}  // namespace

Result<std::optional<CheckStatus>> Store::status(std::string_view name) {
    using Found = std::optional<CheckStatus>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query(fmt::format("SELECT {} FROM check_status WHERE check_name = $1", k_status_columns),
                                     {name});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        return read_status(*rows, 0);
    });
}

Result<std::vector<std::pair<CheckSpec, std::optional<CheckStatus>>>> Store::checks_with_status() {
    using Listing = std::vector<std::pair<CheckSpec, std::optional<CheckStatus>>>;
    return in_transaction<Listing>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Listing> {
        // Qualified: the two tables may one day share a column name.
        std::string columns = fmt::format("{}, {}", qualified("c", k_check_columns), qualified("s", k_status_columns));
        auto rows = connection.query(fmt::format(
            "SELECT {} FROM checks c LEFT JOIN check_status s ON s.check_name = c.name ORDER BY c.name", columns));
        if (!rows) return rows.error();
        Listing listing;
        for (std::size_t row = 0; row < rows->size(); ++row) {
            listing.emplace_back(read_check(*rows, row), read_status(*rows, row, k_check_column_count));
        }
        return listing;
    });
}

Result<std::optional<Evaluation>> Store::evaluate_check(std::string_view name, WallTime now,
                                                        const Evaluator& evaluate) {
    using Outcome = std::optional<Evaluation>;
    const bool postgresql = m_database->kind() == DatabaseKind::postgresql;
    return in_transaction<Outcome>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<Outcome> {
        // NO KEY UPDATE, not UPDATE: pings take a key-share lock on the check (their foreign key), and they
        // must neither wait for an evaluation nor make it skip the check. On SQLite the write transaction
        // already excludes every other writer.
        auto rows = connection.query(fmt::format("SELECT {} FROM checks WHERE name = $1{}", k_check_columns,
                                                 postgresql ? " FOR NO KEY UPDATE SKIP LOCKED" : ""),
                                     {name});
        if (!rows) return rows.error();
        if (rows->empty()) {
            auto exists = connection.query("SELECT 1 FROM checks WHERE name = $1", {name});
            if (!exists) return exists.error();
            if (exists->empty()) return no_such_check(name).error();
            return Outcome();  // another server is evaluating it right now
        }
        CheckSpec spec = read_check(*rows, 0);
        auto stored = connection.query(
            fmt::format("SELECT {} FROM check_status WHERE check_name = $1", k_status_columns), {name});
        if (!stored) return stored.error();
        std::optional<CheckStatus> previous;
        if (!stored->empty()) previous = read_status(*stored, 0);
        auto ping_rows = connection.query(
            fmt::format("SELECT {} FROM pings WHERE check_name = $1 ORDER BY id DESC LIMIT $2", k_ping_columns),
            {name, k_evaluation_pings});
        if (!ping_rows) return ping_rows.error();
        std::vector<Ping> pings;
        for (std::size_t row = ping_rows->size(); row-- > 0;) pings.push_back(read_ping(*ping_rows, row));

        Evaluation evaluation = evaluate(spec, previous, pings, now);

        const CheckStatus& status = evaluation.status;
        auto saved = connection.query(
            fmt::format("INSERT INTO check_status (check_name, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                        "ON CONFLICT (check_name) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms, "
                        "last_ping_ms = excluded.last_ping_ms, last_success_ms = excluded.last_success_ms, "
                        "next_due_ms = excluded.next_due_ms, consecutive_failures = excluded.consecutive_failures, "
                        "last_alert_ms = excluded.last_alert_ms, reason = excluded.reason",
                        k_status_columns),
            {name, to_string(status.state), to_milliseconds(status.since), to_milliseconds(status.last_ping),
             to_milliseconds(status.last_success), to_milliseconds(status.next_due), status.consecutive_failures,
             to_milliseconds(status.last_alert), status.reason});
        if (!saved) return saved.error();
        for (Alert alert : evaluation.alerts) {
            if (alert.check.empty()) alert.check = std::string(name);
            auto queued = insert_alert(connection, alert, now);
            if (!queued) return queued.error();
        }
        return Outcome(std::move(evaluation));
    });
}

Result<std::map<CheckState, int>> Store::check_state_counts() {
    using Counts = std::map<CheckState, int>;
    return in_transaction<Counts>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Counts> {
        auto rows = connection.query(
            "SELECT CASE WHEN c.paused = 1 THEN 'paused' ELSE COALESCE(s.state, 'new') END AS state, COUNT(*) "
            "FROM checks c LEFT JOIN check_status s ON s.check_name = c.name "
            "GROUP BY CASE WHEN c.paused = 1 THEN 'paused' ELSE COALESCE(s.state, 'new') END");
        if (!rows) return rows.error();
        Counts counts{{CheckState::new_check, 0},
                      {CheckState::up, 0},
                      {CheckState::late, 0},
                      {CheckState::down, 0},
                      {CheckState::paused, 0}};
        for (std::size_t row = 0; row < rows->size(); ++row) {
            if (auto state = parse_check_state(rows->text(row, 0)))
                counts[*state] += static_cast<int>(rows->integer(row, 1));
        }
        return counts;
    });
}

}  // namespace greenlight::serve
