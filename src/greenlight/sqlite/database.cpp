// Opening a database file, its pragmas, SQL without parameters, and the errors every SQLite call reports.
#include "greenlight/sqlite/database.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <string>
#include <thread>

namespace greenlight::sqlite {

using util::make_error;
using util::Result;
using util::Status;

void Database::Closer::operator()(sqlite3* handle) const noexcept {
    sqlite3_close_v2(handle);
}

Database::Database(std::unique_ptr<sqlite3, Closer> handle, std::filesystem::path path,
                   std::chrono::milliseconds busy_timeout)
    : m_handle(std::move(handle)), m_path(std::move(path)), m_busy_timeout(busy_timeout) {}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const std::filesystem::path& path, OpenOptions options) {
    int flags = SQLITE_OPEN_READWRITE;
    if (options.create == Create::yes) flags |= SQLITE_OPEN_CREATE;
    flags |= options.threading == Threading::shared ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX;
    sqlite3* raw = nullptr;
    int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // sqlite3_open_v2 may hand back a handle even when it fails; it must be closed either way.
    std::unique_ptr<sqlite3, Closer> handle(raw);
    if (code != SQLITE_OK) {
        return make_error(fmt::format("{}: cannot open the SQLite database: {}", path.string(),
                                      raw ? sqlite3_errmsg(raw) : sqlite3_errstr(code)));
    }
    sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
    return Database(std::move(handle), path, options.busy_timeout);
}

util::Error Database::error(std::string_view what) const {
    return make_error(fmt::format("{}: {}: {}", m_path.string(), what, sqlite3_errmsg(m_handle.get())));
}

int Database::last_error_code() const {
    return sqlite3_extended_errcode(m_handle.get());
}

std::int64_t Database::changes() const {
    return sqlite3_changes64(m_handle.get());
}

Status exec(Database& database, std::string_view sql) {
    char* message = nullptr;
    int code = sqlite3_exec(database.handle(), std::string(sql).c_str(), nullptr, nullptr, &message);
    if (code == SQLITE_OK) return {};
    std::string text = message ? message : sqlite3_errmsg(database.handle());
    sqlite3_free(message);
    return make_error(fmt::format("{}: statement failed: {}", database.path().string(), text));
}

namespace {

// The one-row answer of a pragma, as text; retried while the file is locked, within the busy timeout.
Result<std::string> pragma_answer(Database& database, const std::string& sql) {
    const auto give_up = std::chrono::steady_clock::now() + database.busy_timeout();
    while (true) {
        sqlite3_stmt* statement = nullptr;
        int code = sqlite3_prepare_v2(database.handle(), sql.c_str(), -1, &statement, nullptr);
        std::string answer;
        if (code == SQLITE_OK) {
            code = sqlite3_step(statement);
            if (code == SQLITE_ROW) {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
                answer = text ? text : "";
                code = SQLITE_OK;
            } else if (code == SQLITE_DONE) {
                code = SQLITE_OK;
            }
        }
        if (code == SQLITE_OK) {
            sqlite3_finalize(statement);
            return answer;
        }
        util::Error failure = database.error(fmt::format("cannot run {}", sql));
        sqlite3_finalize(statement);
        // Switching a new file to WAL while another connection does the same can fail at once with "database
        // is locked": SQLite skips its busy handler there.
        if ((code & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= give_up) return failure;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
}

}  // namespace

Status use_wal(Database& database, Synchronous synchronous) {
    auto mode = pragma_answer(database, "PRAGMA journal_mode = WAL");
    if (!mode) return mode.error();
    if (*mode != "wal") {
        return make_error(
            fmt::format("{}: cannot use WAL mode (journal mode is {}); is the database on a network filesystem?",
                        database.path().string(), *mode));
    }
    auto set = pragma_answer(
        database, synchronous == Synchronous::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
    if (!set) return set.error();
    return {};
}

bool is_locked(int result_code) {
    return (result_code & 0xff) == SQLITE_BUSY || (result_code & 0xff) == SQLITE_LOCKED;
}

bool is_file_unusable(int result_code) {
    switch (result_code & 0xff) {
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_PROTOCOL:
            return true;
        default:
            return false;
    }
}

}  // namespace greenlight::sqlite
