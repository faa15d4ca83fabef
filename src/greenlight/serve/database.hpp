// The server's two databases behind one small interface: SQLite (a file) and PostgreSQL (libpq), a pool of
// connections, parameterized statements and transactions, and errors that say when the database is
// unavailable (answer 503 and try again) rather than wrong.
#pragma once

#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

enum class DatabaseKind { sqlite, postgresql };

std::string_view to_string(DatabaseKind kind);

// Where the database is: `sqlite:PATH` (relative to the working folder) or a libpq URI
// `postgresql://user@host:port/dbname?...` (`postgres://` too; the password may come from PGPASSWORD).
struct DatabaseUrl {
    DatabaseKind kind = DatabaseKind::sqlite;
    std::string sqlite_path;  // sqlite only
    std::string conninfo;     // postgresql only: the URI as given, password included

    static util::Result<DatabaseUrl> parse(std::string_view text);
    // The URL with any password replaced by `***`: the only form that may be logged or shown.
    std::string redacted() const;
};

// Errors meaning "the database cannot be reached or used right now" carry this prefix; see is_unavailable.
inline constexpr std::string_view k_unavailable_prefix = "database unavailable: ";

util::Error unavailable_error(std::string_view why);
// True for an error the caller should answer with 503 and retry later (the next call reconnects).
bool is_unavailable(const util::Error& error);

// Text as both databases accept it: valid UTF-8 (each invalid byte becomes U+FFFD) without NUL bytes, which
// PostgreSQL refuses in TEXT. Ping bodies and test output are whatever a client sent.
std::string storable_text(std::string_view text);

// A value bound to a `$N` placeholder. Text, 64-bit integers, reals and NULL cover every column we keep.
class SqlParameter {
public:
    SqlParameter(std::nullopt_t) {}
    template <std::integral Integer>
    SqlParameter(Integer number) : m_value(static_cast<std::int64_t>(number)) {}
    SqlParameter(double number) : m_value(number) {}
    SqlParameter(std::string_view text) : m_value(storable_text(text)) {}
    SqlParameter(const std::string& text) : m_value(storable_text(text)) {}
    SqlParameter(const char* text) : m_value(storable_text(text)) {}
    SqlParameter(const std::optional<std::string>& text) {
        if (text) m_value = storable_text(*text);
    }
    SqlParameter(const std::optional<std::int64_t>& number) {
        if (number) m_value = *number;
    }

    bool is_null() const { return std::holds_alternative<std::monostate>(m_value); }
    const std::variant<std::monostate, std::int64_t, double, std::string>& value() const { return m_value; }
    // The text form PostgreSQL receives (it converts to the column's type).
    std::string text() const;

private:
    std::variant<std::monostate, std::int64_t, double, std::string> m_value;
};

// The rows a statement returned, read in full, each column as text or NULL.
class QueryResult {
public:
    std::size_t size() const { return m_rows.size(); }
    bool empty() const { return m_rows.empty(); }
    // Rows the statement inserted, updated or deleted.
    std::int64_t affected() const { return m_affected; }

    bool is_null(std::size_t row, std::size_t column) const { return !m_rows[row][column].has_value(); }
    std::string text(std::size_t row, std::size_t column) const;
    std::optional<std::string> optional_text(std::size_t row, std::size_t column) const { return m_rows[row][column]; }
    std::int64_t integer(std::size_t row, std::size_t column) const;
    std::optional<std::int64_t> optional_integer(std::size_t row, std::size_t column) const;
    double real(std::size_t row, std::size_t column) const;

    void add_row(std::vector<std::optional<std::string>> row) { m_rows.push_back(std::move(row)); }
    void set_affected(std::int64_t affected) { m_affected = affected; }

private:
    std::vector<std::vector<std::optional<std::string>>> m_rows;
    std::int64_t m_affected = 0;
};

// One open connection. SQL is written once with `$1, $2` placeholders; SQLite gets them as `?1, ?2`.
class Connection {
public:
    virtual ~Connection() = default;
    virtual DatabaseKind kind() const = 0;
    // Runs one statement with its parameters bound (never spliced into the text).
    virtual util::Result<QueryResult> execute(std::string_view sql, std::span<const SqlParameter> parameters) = 0;
    util::Result<QueryResult> query(std::string_view sql, std::initializer_list<SqlParameter> parameters = {}) {
        return execute(sql, std::span<const SqlParameter>(parameters.begin(), parameters.size()));
    }
    // Runs several statements without parameters (schema migrations).
    virtual util::Status execute_script(std::string_view sql) = 0;
    // True once the connection failed in a way that makes it unusable: the pool drops it.
    virtual bool lost() const = 0;
};

// How a transaction will use the database. SQLite takes its write lock up front for writes, so a
// transaction that reads then writes never fails halfway on a lock another one holds.
enum class TransactionMode { read, write };

// A pool of connections to one database, shared by the server's threads.
class Database {
public:
    // Opens one connection now (so a wrong URL fails at start) and up to `pool_size` on demand.
    static util::Result<std::unique_ptr<Database>> open(const DatabaseUrl& url, std::size_t pool_size = 8);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    DatabaseKind kind() const { return m_url.kind; }
    const DatabaseUrl& url() const { return m_url; }

    // Runs `work` in one transaction on a pooled connection: commits when it succeeds, rolls back when it
    // fails. A connection that turns out to be lost before anything ran is replaced once, so the first call
    // after the database comes back succeeds.
    util::Status transact(TransactionMode mode, const std::function<util::Status(Connection&)>& work);

    // Runs one statement in a transaction of its own (the database's autocommit: one round trip on
    // PostgreSQL instead of three). For hot paths whose work is a single statement, such as a ping.
    util::Result<QueryResult> run(TransactionMode mode, std::string_view sql,
                                  std::initializer_list<SqlParameter> parameters);

private:
    explicit Database(DatabaseUrl url, std::size_t pool_size);

    util::Result<std::unique_ptr<Connection>> connect() const;
    util::Result<std::unique_ptr<Connection>> acquire();
    void release(std::unique_ptr<Connection> connection);
    void drop_idle_connections();
    void checkpoint_until_stopped();

    DatabaseUrl m_url;
    std::size_t m_pool_size;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<Connection>> m_idle;
    std::size_t m_in_use = 0;
    // SQLite allows one writer at a time: queueing our own writers here spares them SQLite's busy-wait,
    // whose sleeps would dominate the latency of a ping under load.
    std::mutex m_sqlite_writer;
    // SQLite's automatic checkpoint runs inside whichever write fills the log, adding tens of
    // milliseconds to that one ping; this thread checkpoints every second instead, beside the writers.
    std::thread m_checkpointer;
    std::mutex m_stop_mutex;
    std::condition_variable m_stop_requested;
    bool m_stopping = false;
};

// UTC milliseconds, the form every time takes in the database.
std::int64_t to_milliseconds(util::WallTime time);
util::WallTime from_milliseconds(std::int64_t milliseconds);
std::optional<std::int64_t> to_milliseconds(const std::optional<util::WallTime>& time);
std::optional<util::WallTime> from_milliseconds(const std::optional<std::int64_t>& milliseconds);

// `$1 ... $N` → `?1 ... ?N`, leaving quoted text alone.
std::string sqlite_placeholders(std::string_view sql);

}  // namespace greenlight::serve
