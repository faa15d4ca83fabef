// Opening a database file: errors that name it, the busy timeout between two connections, WAL and syncing.
#include "greenlight/sqlite/database.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include "greenlight/sqlite/statement.hpp"
#include "greenlight/sqlite/transaction.hpp"
#include "support/test_support.hpp"

namespace greenlight::sqlite {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

Database open_or_throw(const std::filesystem::path& path, OpenOptions options = {}) {
    auto database = Database::open(path, options);
    if (!database) throw std::runtime_error(database.message());
    return std::move(database).value();
}

std::string single_text(Database& database, std::string_view sql) {
    Statement statement(database, sql);
    auto row = statement.step();
    if (!row) throw std::runtime_error(row.message());
    return *row ? statement.text(0) : std::string();
}

OpenOptions with_busy_timeout(std::chrono::milliseconds timeout) {
    OpenOptions options;
    options.busy_timeout = timeout;
    return options;
}

TEST(DatabaseTest, OpensAndMakesTheFileWithTheDefaultBusyTimeout) {
    TempDir dir("greenlight-sqlite");
    Database database = open_or_throw(dir.path() / "a.db");
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "a.db"));
    EXPECT_EQ(database.path(), dir.path() / "a.db");
    EXPECT_EQ(database.busy_timeout(), k_default_busy_timeout);
    EXPECT_EQ(k_default_busy_timeout, 30s);
}

TEST(DatabaseTest, AFileThatCannotBeOpenedIsAnErrorNamingIt) {
    TempDir dir("greenlight-sqlite");
    const auto path = dir.path() / "missing-folder" / "a.db";
    auto database = Database::open(path);
    ASSERT_FALSE(database);
    EXPECT_NE(database.message().find(path.string()), std::string::npos) << database.message();
    EXPECT_NE(database.message().find("unable to open"), std::string::npos) << database.message();

    OpenOptions existing_only;
    existing_only.create = Create::no;
    EXPECT_FALSE(Database::open(dir.path() / "b.db", existing_only));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "b.db"));
}

TEST(DatabaseTest, UseWalSetsWalAndHowItSyncs) {
    TempDir dir("greenlight-sqlite");
    Database full = open_or_throw(dir.path() / "a.db");
    ASSERT_TRUE(use_wal(full, Synchronous::full));
    EXPECT_EQ(single_text(full, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(single_text(full, "PRAGMA synchronous"), "2");

    // WAL stays with the file; synchronous is each connection's own.
    Database normal = open_or_throw(dir.path() / "a.db");
    EXPECT_EQ(single_text(normal, "PRAGMA journal_mode"), "wal");
    ASSERT_TRUE(use_wal(normal, Synchronous::normal));
    EXPECT_EQ(single_text(normal, "PRAGMA synchronous"), "1");
}

TEST(DatabaseTest, ADatabaseInMemoryCannotUseWal) {
    Database database = open_or_throw(":memory:");
    auto wal = use_wal(database, Synchronous::full);
    ASSERT_FALSE(wal);
    EXPECT_NE(wal.message().find("cannot use WAL mode (journal mode is memory)"), std::string::npos) << wal.message();
}

TEST(DatabaseTest, AFileThatIsNotADatabaseIsUnusable) {
    TempDir dir("greenlight-sqlite");
    std::ofstream(dir.path() / "a.db") << std::string(8192, 'x');
    Database database = open_or_throw(dir.path() / "a.db");
    auto wal = use_wal(database, Synchronous::normal);
    ASSERT_FALSE(wal);
    EXPECT_TRUE(is_file_unusable(database.last_error_code())) << database.last_error_code();
    EXPECT_FALSE(is_locked(database.last_error_code()));
    EXPECT_NE(wal.message().find((dir.path() / "a.db").string()), std::string::npos) << wal.message();
}

TEST(DatabaseTest, ExecRunsSeveralStatementsAndNamesTheFileWhenOneFails) {
    TempDir dir("greenlight-sqlite");
    Database database = open_or_throw(dir.path() / "a.db");
    ASSERT_TRUE(exec(database, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)"));
    EXPECT_EQ(single_text(database, "SELECT sum(x) FROM t"), "3");
    EXPECT_EQ(database.changes(), 1);
    auto failed = exec(database, "INSERT INTO missing VALUES (1)");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.message(), (dir.path() / "a.db").string() + ": statement failed: no such table: missing");
}

// ---- the busy timeout, between two connections ----

TEST(BusyTimeoutTest, ASecondWriterGivesUpAfterItsBusyTimeout) {
    TempDir dir("greenlight-sqlite");
    Database first = open_or_throw(dir.path() / "a.db");
    ASSERT_TRUE(use_wal(first, Synchronous::normal));
    ASSERT_TRUE(exec(first, "CREATE TABLE t (x INTEGER)"));
    Database second = open_or_throw(dir.path() / "a.db", with_busy_timeout(200ms));

    Transaction holding(first);
    ASSERT_TRUE(holding.begin());
    const auto started = std::chrono::steady_clock::now();
    Transaction waiting(second);
    auto begun = waiting.begin();
    const auto waited = std::chrono::steady_clock::now() - started;

    ASSERT_FALSE(begun);
    EXPECT_TRUE(is_locked(second.last_error_code())) << second.last_error_code();
    EXPECT_NE(begun.message().find("database is locked"), std::string::npos) << begun.message();
    EXPECT_NE(begun.message().find((dir.path() / "a.db").string()), std::string::npos) << begun.message();
    EXPECT_GE(waited, 150ms);
    EXPECT_LT(waited, 5s);
}

TEST(BusyTimeoutTest, ASecondWriterWaitsForTheFirstToCommit) {
    TempDir dir("greenlight-sqlite");
    Database first = open_or_throw(dir.path() / "a.db");
    ASSERT_TRUE(use_wal(first, Synchronous::normal));
    ASSERT_TRUE(exec(first, "CREATE TABLE t (x INTEGER)"));
    Database second = open_or_throw(dir.path() / "a.db", with_busy_timeout(10s));

    Transaction holding(first);
    ASSERT_TRUE(holding.begin());
    ASSERT_TRUE(exec(first, "INSERT INTO t VALUES (1)"));
    auto committer = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(100ms);
        return holding.commit().ok();
    });
    const auto started = std::chrono::steady_clock::now();
    Transaction waiting(second);
    auto begun = waiting.begin();
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(committer.get());

    ASSERT_TRUE(begun) << begun.message();
    EXPECT_GE(waited, 50ms);
    // It sees what the first one committed.
    EXPECT_EQ(single_text(second, "SELECT count(*) FROM t"), "1");
    ASSERT_TRUE(waiting.commit());
}

}  // namespace
}  // namespace greenlight::sqlite
