// One SQLite database file, opened the one way greenlight opens SQLite: the open flags, the busy timeout, WAL
// and how often SQLite syncs, SQL without parameters, and errors that name the file and say what SQLite said.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "greenlight/util/result.hpp"

struct sqlite3;

namespace greenlight::sqlite {

// Whether open() makes the file when it does not exist.
enum class Create { yes, no };

// Whether several threads may use the connection at once (SQLite serializes their calls), or the caller
// guarantees one thread at a time (no locking inside SQLite: a pool of connections, each lent to one thread).
enum class Threading { shared, one_thread_at_a_time };

// How long a connection waits for another one's lock before its statement fails with "database is locked".
// One policy for every database greenlight keeps: wait, because a writer may hold the lock while it does real
// work (the bridge syncs spool files to disk inside its transactions), and a change a user asked for should
// not fail because another one was slow. A caller that must answer quickly instead passes less: the server
// answers a request 503 (try again) rather than hold it for half a minute.
inline constexpr std::chrono::milliseconds k_default_busy_timeout{30'000};

struct OpenOptions {
    Create create = Create::yes;
    Threading threading = Threading::shared;
    std::chrono::milliseconds busy_timeout = k_default_busy_timeout;
};

// An open connection to one database file, closed when it goes out of scope.
class Database {
public:
    static util::Result<Database> open(const std::filesystem::path& path, OpenOptions options = {});

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    // The handle, for the few calls this wrapper does not make itself.
    sqlite3* handle() const { return m_handle.get(); }
    const std::filesystem::path& path() const { return m_path; }
    std::chrono::milliseconds busy_timeout() const { return m_busy_timeout; }

    // An error naming the file, what failed and SQLite's message for the connection's last failed call:
    // "PATH: WHAT: MESSAGE".
    util::Error error(std::string_view what) const;
    // SQLite's (extended) result code of the connection's last failed call, for callers that tell failures
    // apart (a lock another connection holds, a file that cannot be used); see is_locked, is_file_unusable.
    int last_error_code() const;
    // Rows the last INSERT, UPDATE or DELETE changed.
    std::int64_t changes() const;

private:
    struct Closer {
        void operator()(sqlite3* handle) const noexcept;
    };

    Database(std::unique_ptr<sqlite3, Closer> handle, std::filesystem::path path,
             std::chrono::milliseconds busy_timeout);

    std::unique_ptr<sqlite3, Closer> m_handle;
    std::filesystem::path m_path;
    std::chrono::milliseconds m_busy_timeout;
};

// Runs SQL that takes no parameters, one statement or several (pragmas, schema steps).
util::Status exec(Database& database, std::string_view sql);

// How often SQLite syncs the file in WAL mode. normal: at checkpoints only; a crash of the process loses
// nothing, a power loss may lose the last commits (never corrupts the file). full: at every commit.
enum class Synchronous { normal, full };

// Switches the file to WAL (readers run beside the one writer, a commit is one append) and sets how it syncs.
// A new file switched to WAL by two connections at once may find it locked without waiting: that is tried
// again within the busy timeout. Fails when the file cannot use WAL (it is in memory, or the filesystem has
// no shared memory, such as many network filesystems).
util::Status use_wal(Database& database, Synchronous synchronous);

// True for result codes that mean another connection holds a lock (SQLITE_BUSY, SQLITE_LOCKED).
bool is_locked(int result_code);
// True for result codes that mean the file itself cannot be used now: gone, unreadable, read-only, full, not a
// database or damaged. Another connection opened later may find it repaired.
bool is_file_unusable(int result_code);

}  // namespace greenlight::sqlite
