#include "greenlight/serve/database.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <unordered_map>

#include "greenlight/sqlite/database.hpp"
#include "greenlight/sqlite/statement.hpp"

namespace greenlight::serve {

namespace {

using util::make_error;
using util::Result;
using util::Status;

// Shorter than sqlite::k_default_busy_timeout: a request waits this long for another process's lock, then is
// answered 503 (try again) instead of being held. Long enough to ride out another process's checkpoint; our own
// writers queue on a mutex instead.
constexpr std::chrono::milliseconds k_sqlite_busy_timeout{5'000};
// How often the SQLite log is copied back into the database file.
constexpr std::chrono::seconds k_checkpoint_every{1};
// How long a caller waits for a pooled connection before the database counts as unavailable.
constexpr std::chrono::seconds k_pool_wait{30};
// libpq waits this long for a server that does not answer (unless the URL says otherwise).
constexpr std::string_view k_connect_timeout_seconds = "5";

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
    return text;
}

// ---- SQLite ----

class SqliteConnection final : public Connection {
public:
    static Result<std::unique_ptr<Connection>> open(const std::string& path) {
        sqlite::OpenOptions options;
        // The pool lends a connection to one thread at a time.
        options.threading = sqlite::Threading::one_thread_at_a_time;
        options.busy_timeout = k_sqlite_busy_timeout;
        auto opened = sqlite::Database::open(path, options);
        if (!opened) {
            return unavailable_error(
                fmt::format("{} (check that its folder exists and is writable)", opened.message()));
        }
        std::unique_ptr<SqliteConnection> connection(new SqliteConnection(std::move(*opened)));
        // WAL lets readers run beside the one writer; NORMAL syncs at checkpoints only, which WAL keeps safe
        // against a crash of the process (a power loss may lose the last commits, never corrupt the file).
        // No automatic checkpoints: Database runs them on a thread of their own.
        Status ready = sqlite::use_wal(connection->m_database, sqlite::Synchronous::normal);
        if (ready)
            ready = sqlite::exec(connection->m_database, "PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0");
        if (!ready) return unavailable_error(fmt::format("cannot use the SQLite database: {}", ready.message()));
        return std::unique_ptr<Connection>(std::move(connection));
    }

    DatabaseKind kind() const override { return DatabaseKind::sqlite; }
    bool lost() const override { return m_lost; }

    Result<QueryResult> execute(std::string_view sql, std::span<const SqlParameter> parameters) override {
        auto prepared = statement(sql);
        if (!prepared) return prepared.error();
        sqlite::Statement& statement = **prepared;
        statement.reset();
        int index = 1;
        for (const SqlParameter& parameter : parameters) {
            const auto& value = parameter.value();
            if (const auto* number = std::get_if<std::int64_t>(&value)) {
                statement.bind(index, *number);
            } else if (const auto* real = std::get_if<double>(&value)) {
                statement.bind(index, *real);
            } else if (const auto* text = std::get_if<std::string>(&value)) {
                statement.bind(index, std::string_view(*text));
            } else {
                statement.bind_null(index);
            }
            if (!statement.ok()) return failure(statement.result_code(), statement.error());
            ++index;
        }
        QueryResult result;
        int columns = statement.column_count();
        for (;;) {
            auto stepped = statement.step();
            if (!stepped) {
                util::Error error = stepped.error();
                int code = statement.result_code();
                statement.reset();
                return failure(code, error);
            }
            if (!*stepped) break;
            std::vector<std::optional<std::string>> row(static_cast<std::size_t>(columns));
            for (int column = 0; column < columns; ++column) {
                switch (statement.column_type(column)) {
                    case sqlite::ColumnType::null:
                        break;
                    case sqlite::ColumnType::real:
                        // SQLite's own text form keeps 15 digits; this one round-trips.
                        row[static_cast<std::size_t>(column)] = fmt::format("{}", statement.real(column));
                        break;
                    default:
                        row[static_cast<std::size_t>(column)] = statement.text(column);
                }
            }
            result.add_row(std::move(row));
        }
        result.set_affected(m_database.changes());
        statement.reset();
        return result;
    }

    Status execute_script(std::string_view sql) override {
        Status done = sqlite::exec(m_database, sql);
        if (done) return {};
        return failure(m_database.last_error_code(), done.error());
    }

private:
    explicit SqliteConnection(sqlite::Database database) : m_database(std::move(database)) {}

    util::Error failure(int code, const util::Error& error) {
        std::string message = fmt::format("SQLite: {}", error.message);
        // A file that cannot be used now: the connection is reopened on the next call, which may find the file
        // repaired.
        if (sqlite::is_file_unusable(code)) {
            m_lost = true;
            return unavailable_error(message);
        }
        if (sqlite::is_locked(code)) return unavailable_error(message + " (another process holds the database locked)");
        return make_error(message);
    }

    // Statements are prepared once per connection and kept: the same few statements run thousands of times.
    Result<sqlite::Statement*> statement(std::string_view sql) {
        auto found = m_statements.find(std::string(sql));
        if (found != m_statements.end()) return &found->second;
        sqlite::Statement prepared(m_database, sqlite_placeholders(sql), sqlite::Reuse::many);
        if (!prepared.ok()) return failure(prepared.result_code(), prepared.error());
        return &m_statements.emplace(std::string(sql), std::move(prepared)).first->second;
    }

    // Declared before the statements, so they are finalized before it closes.
    sqlite::Database m_database;
    std::unordered_map<std::string, sqlite::Statement> m_statements;
    bool m_lost = false;
};

// ---- PostgreSQL ----

void ignore_notice(void*, const char*) {}

// SQLSTATE classes that mean the server went away or will not take work now.
bool postgres_unavailable_state(std::string_view state) {
    return state.starts_with("08") ||                                   // connection exception
           state == "57P01" || state == "57P02" || state == "57P03" ||  // shutdown, crash, cannot connect now
           state == "53300";                                            // too many connections
}

class PostgresConnection final : public Connection {
public:
    static Result<std::unique_ptr<Connection>> open(const DatabaseUrl& url) {
        // The URI goes in as `dbname` with expansion on, after our default connect_timeout, so that a
        // connect_timeout in the URI wins.
        const char* keywords[] = {"connect_timeout", "dbname", nullptr};
        const char* values[] = {k_connect_timeout_seconds.data(), url.conninfo.c_str(), nullptr};
        PGconn* handle = PQconnectdbParams(keywords, values, 1);
        std::unique_ptr<PostgresConnection> connection(new PostgresConnection(handle));
        if (!handle) return unavailable_error("PostgreSQL: out of memory");
        if (PQstatus(handle) != CONNECTION_OK) {
            return unavailable_error(
                fmt::format("cannot connect to PostgreSQL at {}: {}", url.redacted(), trimmed(PQerrorMessage(handle))));
        }
        PQsetNoticeProcessor(handle, ignore_notice, nullptr);
        return std::unique_ptr<Connection>(std::move(connection));
    }

    ~PostgresConnection() override {
        if (m_handle) PQfinish(m_handle);
    }

    DatabaseKind kind() const override { return DatabaseKind::postgresql; }
    bool lost() const override { return m_lost || PQstatus(m_handle) != CONNECTION_OK; }

    Result<QueryResult> execute(std::string_view sql, std::span<const SqlParameter> parameters) override {
        std::vector<std::string> texts;
        texts.reserve(parameters.size());
        std::vector<const char*> values;
        values.reserve(parameters.size());
        for (const SqlParameter& parameter : parameters) {
            if (parameter.is_null()) {
                values.push_back(nullptr);
            } else {
                texts.push_back(parameter.text());
                values.push_back(texts.back().c_str());
            }
        }
        auto name = prepared(sql, parameters.size());
        if (!name) return name.error();
        PGresult* raw = PQexecPrepared(m_handle, name->c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                       nullptr, 0);
        std::unique_ptr<PGresult, decltype(&PQclear)> answer(raw, &PQclear);
        ExecStatusType status = answer ? PQresultStatus(answer.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(answer.get());
        QueryResult result;
        int rows = PQntuples(answer.get());
        int columns = PQnfields(answer.get());
        for (int row = 0; row < rows; ++row) {
            std::vector<std::optional<std::string>> cells(static_cast<std::size_t>(columns));
            for (int column = 0; column < columns; ++column) {
                if (PQgetisnull(answer.get(), row, column)) continue;
                cells[static_cast<std::size_t>(column)] =
                    std::string(PQgetvalue(answer.get(), row, column),
                                static_cast<std::size_t>(PQgetlength(answer.get(), row, column)));
            }
            result.add_row(std::move(cells));
        }
        std::string_view affected = PQcmdTuples(answer.get());
        std::int64_t count = 0;
        std::from_chars(affected.data(), affected.data() + affected.size(), count);
        result.set_affected(count);
        return result;
    }

    Status execute_script(std::string_view sql) override {
        std::unique_ptr<PGresult, decltype(&PQclear)> answer(PQexec(m_handle, std::string(sql).c_str()), &PQclear);
        ExecStatusType status = answer ? PQresultStatus(answer.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(answer.get());
        return {};
    }

private:
    explicit PostgresConnection(PGconn* handle) : m_handle(handle) {}

    // Statements are prepared once per connection and kept, as with SQLite: the server parses and plans the
    // few statements we send once, not on every ping. Statements without parameters (BEGIN, COMMIT) are
    // kept too; they cost nothing to keep.
    Result<std::string> prepared(std::string_view sql, std::size_t parameter_count) {
        auto found = m_statements.find(std::string(sql));
        if (found != m_statements.end()) return found->second;
        std::string name = fmt::format("greenlight_{}", m_statements.size() + 1);
        std::unique_ptr<PGresult, decltype(&PQclear)> answer(
            PQprepare(m_handle, name.c_str(), std::string(sql).c_str(), static_cast<int>(parameter_count), nullptr),
            &PQclear);
        ExecStatusType status = answer ? PQresultStatus(answer.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK) return failure(answer.get());
        m_statements.emplace(std::string(sql), name);
        return name;
    }

    util::Error failure(const PGresult* answer) {
        const char* state = answer ? PQresultErrorField(answer, PG_DIAG_SQLSTATE) : nullptr;
        std::string message = trimmed(answer ? PQresultErrorMessage(answer) : PQerrorMessage(m_handle));
        if (message.empty()) message = trimmed(PQerrorMessage(m_handle));
        if (PQstatus(m_handle) != CONNECTION_OK || (state && postgres_unavailable_state(state))) {
            m_lost = true;
            return unavailable_error(fmt::format("PostgreSQL: {}", message));
        }
        return make_error(fmt::format("PostgreSQL: {}", message));
    }

    PGconn* m_handle;
    std::unordered_map<std::string, std::string> m_statements;  // SQL → prepared statement name
    bool m_lost = false;
};

}  // namespace

std::string_view to_string(DatabaseKind kind) {
    return kind == DatabaseKind::sqlite ? "sqlite" : "postgresql";
}

Result<DatabaseUrl> DatabaseUrl::parse(std::string_view text) {
    DatabaseUrl url;
    if (text.starts_with("sqlite:")) {
        url.kind = DatabaseKind::sqlite;
        url.sqlite_path = std::string(text.substr(std::string_view("sqlite:").size()));
        if (url.sqlite_path.empty()) {
            return make_error("database URL 'sqlite:' has no path: expected sqlite:PATH, e.g. sqlite:greenlight.db");
        }
        return url;
    }
    if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
        url.kind = DatabaseKind::postgresql;
        url.conninfo = std::string(text);
        return url;
    }
    // Only the scheme is echoed: the rest may hold a password.
    std::string_view scheme = text.substr(0, std::min(text.find(':'), text.size()));
    return make_error(fmt::format(
        "database URL with scheme '{}': expected sqlite:PATH or postgresql://USER@HOST:PORT/DBNAME", scheme));
}

std::string DatabaseUrl::redacted() const {
    if (kind == DatabaseKind::sqlite) return "sqlite:" + sqlite_path;
    std::string text = conninfo;
    std::size_t authority = text.find("://");
    if (authority != std::string::npos) {
        authority += 3;
        std::size_t end = text.find_first_of("/?", authority);
        if (end == std::string::npos) end = text.size();
        std::size_t at = text.rfind('@', end);
        if (at != std::string::npos && at >= authority) {
            std::size_t colon = text.find(':', authority);
            if (colon != std::string::npos && colon < at) text.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // A password may also travel as a query parameter.
    for (std::size_t found = text.find("password="); found != std::string::npos;
         found = text.find("password=", found + 1)) {
        if (found > 0 && text[found - 1] != '?' && text[found - 1] != '&') continue;
        std::size_t value = found + std::string_view("password=").size();
        std::size_t end = text.find('&', value);
        if (end == std::string::npos) end = text.size();
        text.replace(value, end - value, "***");
    }
    return text;
}

util::Error unavailable_error(std::string_view why) {
    return make_error(fmt::format("{}{}", k_unavailable_prefix, why));
}

bool is_unavailable(const util::Error& error) {
    return error.message.starts_with(k_unavailable_prefix);
}

std::string storable_text(std::string_view text) {
    auto plain = [](unsigned char c) { return c != 0 && c < 0x80; };
    if (std::all_of(text.begin(), text.end(), [&](char c) { return plain(static_cast<unsigned char>(c)); })) {
        return std::string(text);
    }
    constexpr std::string_view k_replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte == 0) {
            ++i;
            continue;
        }
        if (byte < 0x80) {
            out.push_back(static_cast<char>(byte));
            ++i;
            continue;
        }
        // The length a lead byte announces, and the smallest code point that length may carry (no overlongs).
        std::size_t length = byte >= 0xF0 && byte <= 0xF4 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 && byte <= 0xDF ? 2 : 0;
        if (byte > 0xF4) length = 0;
        char32_t code_point = length == 2 ? byte & 0x1F : length == 3 ? byte & 0x0F : byte & 0x07;
        bool valid = length != 0 && i + length <= text.size();
        for (std::size_t k = 1; valid && k < length; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) valid = false;
            code_point = (code_point << 6) | (next & 0x3F);
        }
        if (valid) {
            valid = !(length == 3 && code_point < 0x800) && !(length == 4 && code_point < 0x10000) &&
                    code_point <= 0x10FFFF && !(code_point >= 0xD800 && code_point <= 0xDFFF);
        }
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out.append(k_replacement);
            ++i;
        }
    }
    return out;
}

std::string SqlParameter::text() const {
    if (const auto* number = std::get_if<std::int64_t>(&m_value)) return std::to_string(*number);
    if (const auto* real = std::get_if<double>(&m_value)) return fmt::format("{}", *real);
    if (const auto* text = std::get_if<std::string>(&m_value)) return *text;
    return {};
}

std::string QueryResult::text(std::size_t row, std::size_t column) const {
    const auto& cell = m_rows[row][column];
    return cell ? *cell : std::string();
}

std::int64_t QueryResult::integer(std::size_t row, std::size_t column) const {
    return optional_integer(row, column).value_or(0);
}

std::optional<std::int64_t> QueryResult::optional_integer(std::size_t row, std::size_t column) const {
    const auto& cell = m_rows[row][column];
    if (!cell) return std::nullopt;
    std::int64_t number = 0;
    std::from_chars(cell->data(), cell->data() + cell->size(), number);
    return number;
}

double QueryResult::real(std::size_t row, std::size_t column) const {
    const auto& cell = m_rows[row][column];
    if (!cell) return 0;
    double number = 0;
    std::from_chars(cell->data(), cell->data() + cell->size(), number);
    return number;
}

std::string sqlite_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            c = '?';
        }
        out.push_back(c);
    }
    return out;
}

std::int64_t to_milliseconds(util::WallTime time) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

util::WallTime from_milliseconds(std::int64_t milliseconds) {
    return util::WallTime(
        std::chrono::duration_cast<util::WallTime::duration>(std::chrono::milliseconds(milliseconds)));
}

std::optional<std::int64_t> to_milliseconds(const std::optional<util::WallTime>& time) {
    if (!time) return std::nullopt;
    return to_milliseconds(*time);
}

std::optional<util::WallTime> from_milliseconds(const std::optional<std::int64_t>& milliseconds) {
    if (!milliseconds) return std::nullopt;
    return from_milliseconds(*milliseconds);
}

// ---- the pool ----

Database::Database(DatabaseUrl url, std::size_t pool_size)
    : m_url(std::move(url)), m_pool_size(std::max<std::size_t>(pool_size, 1)) {}

Database::~Database() {
    {
        std::lock_guard lock(m_stop_mutex);
        m_stopping = true;
    }
    m_stop_requested.notify_all();
    if (m_checkpointer.joinable()) m_checkpointer.join();
}

void Database::checkpoint_until_stopped() {
    std::unique_ptr<Connection> connection;
    std::unique_lock lock(m_stop_mutex);
    while (!m_stop_requested.wait_for(lock, k_checkpoint_every, [&] { return m_stopping; })) {
        if (!connection || connection->lost()) {
            auto opened = connect();
            if (!opened) continue;  // the file is unusable now; the callers see why
            connection = std::move(*opened);
        }
        // PASSIVE copies what it can without waiting for, or blocking, readers and the writer.
        (void)connection->query("PRAGMA wal_checkpoint(PASSIVE)");
    }
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseUrl& url, std::size_t pool_size) {
    if (url.kind == DatabaseKind::sqlite) {
        // A new server makes its database's folder (as it makes the bundles folder); SQLite makes only the file.
        std::error_code error;
        const std::filesystem::path folder = std::filesystem::path(url.sqlite_path).parent_path();
        if (!folder.empty()) std::filesystem::create_directories(folder, error);
    }
    std::unique_ptr<Database> database(new Database(url, pool_size));
    auto first = database->connect();
    if (!first) return first.error();
    database->m_idle.push_back(std::move(*first));
    if (url.kind == DatabaseKind::sqlite) {
        Database* self = database.get();
        database->m_checkpointer = std::thread([self] { self->checkpoint_until_stopped(); });
    }
    return database;
}

Result<std::unique_ptr<Connection>> Database::connect() const {
    if (m_url.kind == DatabaseKind::sqlite) return SqliteConnection::open(m_url.sqlite_path);
    return PostgresConnection::open(m_url);
}

Result<std::unique_ptr<Connection>> Database::acquire() {
    std::unique_lock lock(m_mutex);
    bool ready = m_returned.wait_for(lock, k_pool_wait, [&] { return !m_idle.empty() || m_in_use < m_pool_size; });
    if (!ready) {
        return unavailable_error(
            fmt::format("all {} database connections stayed busy for {} s", m_pool_size, k_pool_wait.count()));
    }
    ++m_in_use;
    if (!m_idle.empty()) {
        std::unique_ptr<Connection> connection = std::move(m_idle.back());
        m_idle.pop_back();
        return connection;
    }
    lock.unlock();
    auto connection = connect();
    if (!connection) {
        lock.lock();
        --m_in_use;
        m_returned.notify_one();
        return connection.error();
    }
    return connection;
}

void Database::release(std::unique_ptr<Connection> connection) {
    std::unique_ptr<Connection> discarded;
    {
        std::lock_guard lock(m_mutex);
        --m_in_use;
        if (connection->lost()) {
            discarded = std::move(connection);
        } else {
            m_idle.push_back(std::move(connection));
        }
    }
    m_returned.notify_one();
}

void Database::drop_idle_connections() {
    std::vector<std::unique_ptr<Connection>> discarded;
    std::lock_guard lock(m_mutex);
    discarded.swap(m_idle);
}

Status Database::transact(TransactionMode mode, const std::function<Status(Connection&)>& work) {
    const bool sqlite = m_url.kind == DatabaseKind::sqlite;
    std::string_view begin = sqlite && mode == TransactionMode::write ? "BEGIN IMMEDIATE" : "BEGIN";
    // A pooled connection may have died while idle (the server restarted): that shows on BEGIN, before any
    // work ran, so one more try on a fresh connection is safe.
    for (int attempt = 0;; ++attempt) {
        // Writers queue before taking a connection, so a queue of writers never starves the readers of one.
        std::unique_lock<std::mutex> writer;
        if (sqlite && mode == TransactionMode::write) writer = std::unique_lock(m_sqlite_writer);
        auto acquired = acquire();
        if (!acquired) return acquired.error();
        std::unique_ptr<Connection> connection = std::move(*acquired);
        auto begun = connection->query(begin);
        if (!begun) {
            bool lost = connection->lost();
            writer = {};
            release(std::move(connection));
            if (lost) drop_idle_connections();
            if (lost && attempt == 0) continue;
            return begun.error();
        }
        Status status;
        try {
            status = work(*connection);
        } catch (...) {
            // The work's exception is the caller's to handle; the pool must not lose the connection nor
            // hand it out again inside this transaction.
            if (!connection->lost()) (void)connection->query("ROLLBACK");
            writer = {};
            release(std::move(connection));
            throw;
        }
        if (status) {
            auto committed = connection->query("COMMIT");
            if (!committed) status = committed.error();
        }
        if (!status && !connection->lost()) {
            // Ends the transaction whatever state it is in; an error here changes nothing for the caller.
            (void)connection->query("ROLLBACK");
        }
        bool lost = connection->lost();
        writer = {};
        release(std::move(connection));
        if (lost) drop_idle_connections();
        return status;
    }
}

Result<QueryResult> Database::run(TransactionMode mode, std::string_view sql,
                                  std::initializer_list<SqlParameter> parameters) {
    const bool sqlite = m_url.kind == DatabaseKind::sqlite;
    // As in transact: a pooled connection that died while idle fails at once, and one more try on a fresh
    // connection follows. A statement that failed because the connection broke while it ran may have
    // committed; the callers of run() are writes whose repetition changes nothing a user sees (a ping, a
    // deletion).
    for (int attempt = 0;; ++attempt) {
        std::unique_lock<std::mutex> writer;
        if (sqlite && mode == TransactionMode::write) writer = std::unique_lock(m_sqlite_writer);
        auto acquired = acquire();
        if (!acquired) return acquired.error();
        std::unique_ptr<Connection> connection = std::move(*acquired);
        auto result = connection->execute(sql, std::span<const SqlParameter>(parameters.begin(), parameters.size()));
        bool lost = connection->lost();
        writer = {};
        release(std::move(connection));
        if (lost) drop_idle_connections();
        if (!result && lost && attempt == 0) continue;
        return result;
    }
}

}  // namespace greenlight::serve
