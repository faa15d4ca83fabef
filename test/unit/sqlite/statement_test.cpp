// Prepared statements (binding, stepping, columns, failures kept for step) and the transaction guard.
#include "greenlight/sqlite/statement.hpp"

#include <gtest/gtest.h>

#include "greenlight/sqlite/database.hpp"
#include "greenlight/sqlite/transaction.hpp"
#include "support/test_support.hpp"

namespace greenlight::sqlite {
namespace {

using test_support::TempDir;

class StatementTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = Database::open(m_dir.path() / "a.db");
        ASSERT_TRUE(opened) << opened.message();
        m_database.emplace(std::move(opened).value());
        ASSERT_TRUE(use_wal(database(), Synchronous::normal));
        ASSERT_TRUE(exec(database(), "CREATE TABLE t (name TEXT, number INTEGER, ratio REAL, note TEXT)"));
    }
    Database& database() { return *m_database; }
    std::int64_t count_rows() {
        Statement count(database(), "SELECT count(*) FROM t");
        auto row = count.step();
        if (!row || !*row) throw std::runtime_error("cannot count");
        return count.integer(0);
    }

    TempDir m_dir{"greenlight-sqlite"};
    std::optional<Database> m_database;
};

TEST_F(StatementTest, BindsStepsAndReadsEveryColumnType) {
    Statement insert(database(), "INSERT INTO t (name, number, ratio, note) VALUES (?, ?, ?, ?)");
    insert.bind(1, std::string_view("caf\xC3\xA9")).bind(2, std::int64_t{1} << 40).bind(3, 0.1).bind_optional(4, {});
    ASSERT_TRUE(insert.run());

    Statement select(database(), "SELECT name, number, ratio, note FROM t");
    auto row = select.step();
    ASSERT_TRUE(row) << row.message();
    ASSERT_TRUE(*row);
    EXPECT_EQ(select.column_count(), 4);
    EXPECT_EQ(select.column_type(0), ColumnType::text);
    EXPECT_EQ(select.text(0), "caf\xC3\xA9");
    EXPECT_EQ(select.column_type(1), ColumnType::integer);
    EXPECT_EQ(select.integer(1), std::int64_t{1} << 40);
    EXPECT_EQ(select.column_type(2), ColumnType::real);
    EXPECT_DOUBLE_EQ(select.real(2), 0.1);
    EXPECT_EQ(select.column_type(3), ColumnType::null);
    EXPECT_EQ(select.optional_text(3), std::nullopt);
    EXPECT_EQ(select.text(3), "");
    auto done = select.step();
    ASSERT_TRUE(done);
    EXPECT_FALSE(*done);
}

TEST_F(StatementTest, AStatementThatCannotBePreparedFailsOnStepNamingTheFile) {
    Statement broken(database(), "SELECT x FROM nowhere");
    EXPECT_FALSE(broken.ok());
    broken.bind(1, std::int64_t{1});  // ignored: the first failure is the one reported
    auto row = broken.step();
    ASSERT_FALSE(row);
    EXPECT_EQ(row.message(), (m_dir.path() / "a.db").string() + ": cannot prepare a statement: no such table: nowhere");
    broken.reset();
    EXPECT_FALSE(broken.ok());
}

TEST_F(StatementTest, AFailedBindingIsReportedByStepAndClearedByReset) {
    Statement insert(database(), "INSERT INTO t (name) VALUES (?)", Reuse::many);
    insert.bind(2, std::string_view("no such parameter"));
    EXPECT_FALSE(insert.ok());
    EXPECT_NE(insert.result_code(), 0);
    auto failed = insert.run();
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.message().find("cannot bind parameter 2"), std::string::npos) << failed.message();

    // Kept and run again, as a cache of statements does.
    for (std::string_view name : {"a", "b"}) {
        insert.reset();
        ASSERT_TRUE(insert.bind(1, name).run());
    }
    EXPECT_EQ(count_rows(), 2);
}

TEST_F(StatementTest, AStatementThatFailsWhileRunningSaysWhy) {
    ASSERT_TRUE(exec(database(), "CREATE UNIQUE INDEX t_name ON t (name)"));
    Statement insert(database(), "INSERT INTO t (name) VALUES ('same')", Reuse::many);
    ASSERT_TRUE(insert.run());
    insert.reset();
    auto again = insert.run();
    ASSERT_FALSE(again);
    EXPECT_NE(again.message().find("statement failed: UNIQUE constraint failed: t.name"), std::string::npos)
        << again.message();
}

TEST_F(StatementTest, AMovedStatementKeepsWorking) {
    Statement first(database(), "SELECT 42");
    Statement moved(std::move(first));
    auto row = moved.step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(moved.integer(0), 42);
}

// ---- the transaction guard ----

TEST_F(StatementTest, ACommittedTransactionKeepsItsWork) {
    {
        Transaction transaction(database());
        ASSERT_TRUE(transaction.begin());
        ASSERT_TRUE(exec(database(), "INSERT INTO t (name) VALUES ('kept')"));
        ASSERT_TRUE(transaction.commit());
    }
    EXPECT_EQ(count_rows(), 1);
}

TEST_F(StatementTest, ATransactionIsRolledBackWhenAnErrorEndsItUncommitted) {
    // As the stores use it: each failure returns early, and the guard undoes what ran before it.
    const auto insert_two = [&]() -> util::Status {
        Transaction transaction(database());
        if (util::Status begun = transaction.begin(); !begun) return begun;
        if (util::Status first = exec(database(), "INSERT INTO t (name) VALUES ('first')"); !first) return first;
        Statement second(database(), "INSERT INTO missing (name) VALUES ('second')");
        if (util::Status inserted = second.run(); !inserted) return inserted;
        return transaction.commit();
    };
    util::Status status = insert_two();
    ASSERT_FALSE(status);
    EXPECT_NE(status.message().find("no such table: missing"), std::string::npos) << status.message();
    EXPECT_EQ(count_rows(), 0);
    // No transaction is left open: a new one begins.
    Transaction next(database());
    EXPECT_TRUE(next.begin());
}

}  // namespace
}  // namespace greenlight::sqlite
