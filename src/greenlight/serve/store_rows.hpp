// What the store's files share (serve/store*.cpp only): the columns of the check and ping rows several of them
// read, the readers that make model values of those rows, JSON lists, queueing an alert, and the helper that
// runs one piece of work in a transaction and hands back its value.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/serve/database.hpp"
#include "greenlight/serve/model.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve::detail {

// The most rows one listing hands back, whatever limit the caller asked for.
inline constexpr std::size_t k_max_page = 1000;

inline constexpr std::string_view k_check_columns =
    "name, ping_key, period_ms, cron, time_zone, grace_ms, max_run_time_ms, min_run_time_ms, failures_before_alert, "
    "realert_every_ms, tier, project, channels, paused, description";
inline constexpr std::size_t k_check_column_count = 15;
inline constexpr std::string_view k_ping_columns = "check_name, kind, exit_code, rid, at_ms, source, body";

// A list of strings as one column holds it (a JSON array), and back; what is not a list of strings reads as empty.
std::string json_list(const std::vector<std::string>& items);
std::vector<std::string> parse_json_list(const std::string& text);

// Row `row` of a query that selected k_check_columns (first) or k_ping_columns.
CheckSpec read_check(const QueryResult& rows, std::size_t row);
Ping read_ping(const QueryResult& rows, std::size_t row);

// Queues an alert unless one with its key is queued already; true when this call queued it.
util::Result<bool> insert_alert(Connection& connection, const Alert& alert, WallTime now);

// The error for a check name that is not stored.
util::Status no_such_check(std::string_view name);

// Wraps one piece of work in a transaction and hands back the value it produced.
template <class T, class Work>
util::Result<T> in_transaction(Database& database, TransactionMode mode, Work&& work) {
    std::optional<T> value;
    util::Status status = database.transact(mode, [&](Connection& connection) -> util::Status {
        util::Result<T> produced = work(connection);
        if (!produced) return produced.error();
        value = std::move(*produced);
        return {};
    });
    if (!status) return status.error();
    return std::move(*value);
}

}  // namespace greenlight::serve::detail
