// Schema migrations counted by PRAGMA user_version: steps run once, a failed step changes nothing, a newer
// schema is refused.
#include "greenlight/sqlite/migrate.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

#include "greenlight/sqlite/database.hpp"
#include "greenlight/sqlite/statement.hpp"
#include "support/test_support.hpp"

namespace greenlight::sqlite {
namespace {

using test_support::TempDir;

class MigrateTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = Database::open(m_dir.path() / "a.db");
        ASSERT_TRUE(opened) << opened.message();
        m_database.emplace(std::move(opened).value());
        ASSERT_TRUE(use_wal(database(), Synchronous::full));
    }
    Database& database() { return *m_database; }
    std::int64_t user_version() { return single_integer("PRAGMA user_version"); }
    bool has_table(std::string_view name) {
        Statement statement(database(), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
        statement.bind(1, name);
        auto row = statement.step();
        return row && *row && statement.integer(0) == 1;
    }
    std::int64_t single_integer(std::string_view sql) {
        Statement statement(database(), sql);
        auto row = statement.step();
        if (!row || !*row) throw std::runtime_error("no answer to " + std::string(sql));
        return statement.integer(0);
    }

    TempDir m_dir{"greenlight-sqlite"};
    std::optional<Database> m_database;
};

constexpr std::string_view k_first = "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);";
constexpr std::string_view k_second = "CREATE TABLE b (y TEXT);";
// Creates a table, then fails: nothing of it may stay.
constexpr std::string_view k_failing = "CREATE TABLE c (z TEXT); INSERT INTO missing VALUES (1);";

TEST_F(MigrateTest, RunsEachStepOnceAndCountsThemInUserVersion) {
    const std::array<std::string_view, 1> one = {k_first};
    ASSERT_TRUE(migrate(database(), one));
    EXPECT_EQ(user_version(), 1);

    const std::array<std::string_view, 2> two = {k_first, k_second};
    ASSERT_TRUE(migrate(database(), two));
    ASSERT_TRUE(migrate(database(), two));  // nothing left to run
    EXPECT_EQ(user_version(), 2);
    EXPECT_TRUE(has_table("b"));
    // The first step ran once, not again with the second.
    EXPECT_EQ(single_integer("SELECT count(*) FROM a"), 1);
}

TEST_F(MigrateTest, AStepThatFailsMidwayLeavesUserVersionAndTheSchemaUnchanged) {
    const std::array<std::string_view, 1> one = {k_first};
    ASSERT_TRUE(migrate(database(), one));

    const std::array<std::string_view, 3> steps = {k_first, k_second, k_failing};
    auto failed = migrate(database(), steps);
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.message().find("schema step 3 of 3"), std::string::npos) << failed.message();
    EXPECT_NE(failed.message().find("no such table: missing"), std::string::npos) << failed.message();
    EXPECT_EQ(user_version(), 1);
    EXPECT_FALSE(has_table("b"));  // the step before the failing one is undone too
    EXPECT_FALSE(has_table("c"));
    EXPECT_TRUE(has_table("a"));
}

TEST_F(MigrateTest, AFreshDatabaseWhoseFirstStepFailsStaysEmpty) {
    const std::array<std::string_view, 2> steps = {k_failing, k_second};
    ASSERT_FALSE(migrate(database(), steps));
    EXPECT_EQ(user_version(), 0);
    EXPECT_FALSE(has_table("c"));
    EXPECT_FALSE(has_table("b"));
}

TEST_F(MigrateTest, ASchemaFromANewerProgramIsRefused) {
    ASSERT_TRUE(exec(database(), "PRAGMA user_version = 5"));
    const std::array<std::string_view, 2> steps = {k_first, k_second};
    auto refused = migrate(database(), steps);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.message().find("schema version 5, this greenlight knows up to 2"), std::string::npos)
        << refused.message();
    EXPECT_EQ(user_version(), 5);
    EXPECT_FALSE(has_table("a"));
}

}  // namespace
}  // namespace greenlight::sqlite
