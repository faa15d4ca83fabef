// The store's pings: recording them (on PostgreSQL, those arriving together in one transaction) and reading a
// check's recent ones.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_ping_queue.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using detail::k_ping_columns;
using detail::read_ping;
using util::make_error;
using util::Result;
using util::Status;

constexpr std::size_t k_max_ping_batch = 64;

}  // namespace

Status Store::add_ping(const Ping& ping) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        std::optional<std::int64_t> exit_code;
        if (ping.exit_code) exit_code = *ping.exit_code;
        auto inserted = connection.query(
            fmt::format("INSERT INTO pings ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)", k_ping_columns),
            {ping.check, to_string(ping.kind), exit_code, ping.rid, to_milliseconds(ping.at), ping.source, ping.body});
        if (!inserted) return inserted.error();
        return {};
    });
}

Result<std::optional<std::string>> Store::add_ping_by_key(std::string_view ping_key, const Ping& ping) {
    if (m_database->kind() == DatabaseKind::sqlite) {
        // SQLite commits without syncing (WAL, synchronous = NORMAL) and has one writer anyway: a batch would
        // only add the wait for the batch before. One statement finds the check and inserts the ping, so a
        // check deleted at that moment gets nothing.
        std::optional<std::int64_t> exit_code;
        if (ping.exit_code) exit_code = *ping.exit_code;
        auto inserted = m_database->run(
            TransactionMode::write,
            fmt::format("INSERT INTO pings ({}) SELECT name, $2, $3, $4, $5, $6, $7 FROM checks WHERE ping_key = $1 "
                        "RETURNING check_name",
                        k_ping_columns),
            {ping_key, to_string(ping.kind), exit_code, ping.rid, to_milliseconds(ping.at), ping.source, ping.body});
        if (!inserted) return inserted.error();
        if (inserted->empty()) return std::optional<std::string>();
        return std::optional<std::string>(inserted->text(0, 0));
    }
    // PostgreSQL syncs its log at every commit: pings arriving together share one commit.
    PendingPing mine;
    mine.key = ping_key;
    mine.ping = &ping;
    PingQueue& queue = *m_ping_queue;
    std::unique_lock lock(queue.mutex);
    queue.waiting.push_back(&mine);
    while (!mine.done) {
        if (queue.writing) {
            queue.written.wait(lock);
            continue;
        }
        queue.writing = true;
        std::vector<PendingPing*> batch;
        while (!queue.waiting.empty() && batch.size() < k_max_ping_batch) {
            batch.push_back(queue.waiting.front());
            queue.waiting.pop_front();
        }
        lock.unlock();
        try {
            write_pings(batch);
        } catch (const std::exception& error) {
            for (PendingPing* pending : batch) pending->outcome = make_error(error.what());
        }
        lock.lock();
        for (PendingPing* pending : batch) pending->done = true;
        queue.writing = false;
        queue.written.notify_all();
    }
    return std::move(*mine.outcome);
}

void Store::write_pings(const std::vector<PendingPing*>& batch) {
    std::vector<std::string_view> keys;
    for (const PendingPing* pending : batch) {
        if (std::find(keys.begin(), keys.end(), pending->key) == keys.end()) keys.push_back(pending->key);
    }
    std::map<std::string, std::string, std::less<>> check_of_key;
    Status status = m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        check_of_key.clear();
        // The checks are locked against deletion until the pings are in (FOR KEY SHARE; SQLite's write
        // transaction excludes every other writer already): a check deleted by another server at that moment
        // gets no ping, and the others of the batch are not failed by it.
        std::string select = "SELECT ping_key, name FROM checks WHERE ping_key IN (";
        std::vector<SqlParameter> parameters;
        for (std::size_t index = 0; index < keys.size(); ++index) {
            select += fmt::format("{}${}", index == 0 ? "" : ", ", index + 1);
            parameters.emplace_back(keys[index]);
        }
        select += ")";
        if (connection.kind() == DatabaseKind::postgresql) select += " FOR KEY SHARE";
        auto found = connection.execute(select, parameters);
        if (!found) return found.error();
        for (std::size_t row = 0; row < found->size(); ++row) check_of_key[found->text(row, 0)] = found->text(row, 1);

        std::string insert = fmt::format("INSERT INTO pings ({}) VALUES ", k_ping_columns);
        parameters.clear();
        for (const PendingPing* pending : batch) {
            auto check = check_of_key.find(pending->key);
            if (check == check_of_key.end()) continue;
            const Ping& ping = *pending->ping;
            const std::size_t first = parameters.size() + 1;
            insert += fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${}, ${})", first == 1 ? "" : ", ", first, first + 1,
                                  first + 2, first + 3, first + 4, first + 5, first + 6);
            std::optional<std::int64_t> exit_code;
            if (ping.exit_code) exit_code = *ping.exit_code;
            parameters.emplace_back(check->second);
            parameters.emplace_back(to_string(ping.kind));
            parameters.emplace_back(exit_code);
            parameters.emplace_back(ping.rid);
            parameters.emplace_back(to_milliseconds(ping.at));
            parameters.emplace_back(ping.source);
            parameters.emplace_back(ping.body);
        }
        if (parameters.empty()) return {};
        auto inserted = connection.execute(insert, parameters);
        if (!inserted) return inserted.error();
        return {};
    });
    for (PendingPing* pending : batch) {
        if (!status) {
            pending->outcome = status.error();
            continue;
        }
        auto check = check_of_key.find(pending->key);
        pending->outcome =
            check == check_of_key.end() ? std::optional<std::string>() : std::optional<std::string>(check->second);
    }
}

Result<std::vector<Ping>> Store::recent_pings(std::string_view check, std::size_t limit) {
    using Pings = std::vector<Ping>;
    return in_transaction<Pings>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Pings> {
        auto rows = connection.query(
            fmt::format("SELECT {} FROM pings WHERE check_name = $1 ORDER BY id DESC LIMIT $2", k_ping_columns),
            {check, limit});
        if (!rows) return rows.error();
        Pings pings;
        for (std::size_t row = rows->size(); row-- > 0;) pings.push_back(read_ping(*rows, row));
        return pings;
    });
}

}  // namespace greenlight::serve
