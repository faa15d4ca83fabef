// A SQLite database written by the server before the SQLite wrapper was shared (greenlight_sqlite) opens and
// keeps working: the fixture is built by the SQL that server ran on a new file (its connection pragmas, then
// migration 1 recorded in schema_migrations), with rows as its store wrote them.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "greenlight/serve/store.hpp"
#include "support/test_support.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;

class StandingClock final : public util::Clock {
public:
    util::WallTime now() const override { return m_now; }
    std::chrono::steady_clock::time_point steady_now() const override { return {}; }

private:
    util::WallTime m_now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{9};
};

// Each connection of the earlier server ran these first.
constexpr const char* k_connection_pragmas =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
    "PRAGMA wal_autocheckpoint = 0;";

// Migration 1 as the earlier server shipped it: the shared SQL, then SQLite's own.
constexpr const char* k_migration_1_common = R"sql(
CREATE TABLE runs (
    run_id           TEXT PRIMARY KEY,
    project          TEXT NOT NULL,
    tier             TEXT NOT NULL,
    verdict          TEXT NOT NULL,
    started_ms       BIGINT NOT NULL,
    ended_ms         BIGINT NOT NULL,
    duration_seconds DOUBLE PRECISION NOT NULL,
    git_sha          TEXT NOT NULL,
    branch           TEXT NOT NULL,
    received_ms      BIGINT NOT NULL,
    has_bundle       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_newest ON runs (started_ms DESC, run_id DESC);
CREATE INDEX runs_by_tier ON runs (tier, started_ms DESC, run_id DESC);
CREATE TABLE suites (
    run_id           TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    name             TEXT NOT NULL,
    verdict          TEXT NOT NULL,
    tests            BIGINT NOT NULL,
    failures         BIGINT NOT NULL,
    errors           BIGINT NOT NULL,
    skipped          BIGINT NOT NULL,
    duration_seconds DOUBLE PRECISION NOT NULL,
    attempts         BIGINT NOT NULL,
    PRIMARY KEY (run_id, position)
);
CREATE TABLE test_cases (
    run_id           TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    suite            TEXT NOT NULL,
    classname        TEXT NOT NULL,
    name             TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    duration_seconds DOUBLE PRECISION NOT NULL,
    output_excerpt   TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
);
CREATE TABLE checks (
    name                  TEXT PRIMARY KEY,
    ping_key              TEXT NOT NULL UNIQUE,
    period_ms             BIGINT,
    cron                  TEXT NOT NULL,
    time_zone             TEXT NOT NULL,
    grace_ms              BIGINT NOT NULL,
    max_run_time_ms       BIGINT,
    min_run_time_ms       BIGINT,
    failures_before_alert BIGINT NOT NULL,
    realert_every_ms      BIGINT,
    tier                  TEXT,
    project               TEXT,
    channels              TEXT NOT NULL,
    paused                BIGINT NOT NULL,
    description           TEXT NOT NULL,
    origin                TEXT NOT NULL CHECK (origin IN ('config', 'api'))
);
CREATE TABLE check_status (
    check_name           TEXT PRIMARY KEY REFERENCES checks (name) ON DELETE CASCADE,
    state                TEXT NOT NULL,
    since_ms             BIGINT NOT NULL,
    last_ping_ms         BIGINT,
    last_success_ms      BIGINT,
    next_due_ms          BIGINT,
    consecutive_failures BIGINT NOT NULL,
    last_alert_ms        BIGINT,
    reason               TEXT NOT NULL
);
CREATE TABLE alerts (
    key             TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    check_name      TEXT NOT NULL,
    channel         TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    down_since_ms   BIGINT,
    last_success_ms BIGINT,
    reason          TEXT NOT NULL,
    job_ids         TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT,
    sent_ms         BIGINT,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alerts_due ON alerts (sent_ms, next_attempt_ms);
CREATE INDEX alerts_newest ON alerts (created_ms DESC);
CREATE INDEX alerts_by_kind ON alerts (kind, channel, created_ms);
CREATE TABLE tokens (
    name       TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    sha256     TEXT NOT NULL UNIQUE,
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);
)sql";
constexpr const char* k_migration_1_sqlite = R"sql(
CREATE TABLE pings (
    id         INTEGER PRIMARY KEY,
    check_name TEXT NOT NULL REFERENCES checks (name) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    exit_code  BIGINT,
    rid        TEXT,
    at_ms      BIGINT NOT NULL,
    source     TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX pings_by_check ON pings (check_name, id);
CREATE INDEX test_cases_by_run ON test_cases (run_id, outcome);
)sql";

constexpr const char* k_rows = R"sql(
INSERT INTO runs (run_id, project, tier, verdict, started_ms, ended_ms, duration_seconds, git_sha, branch,
                  received_ms, has_bundle)
    VALUES ('20261121T103600Z', 'shop', 'nightly', 'fail', 1795257360123, 1795257485623, 125.5,
            '0123456789abcdef0123456789abcdef01234567', 'main', 1795257490000, 0);
INSERT INTO suites (run_id, position, name, verdict, tests, failures, errors, skipped, duration_seconds, attempts)
    VALUES ('20261121T103600Z', 0, 'api', 'fail', 3, 1, 0, 0, 120.0, 2);
INSERT INTO test_cases (run_id, position, suite, classname, name, outcome, duration_seconds, output_excerpt)
    VALUES ('20261121T103600Z', 0, 'api', 'api.orders', 'refunds_an_order', 'failed', 1.5, 'expected 200, got 500');
INSERT INTO checks (name, ping_key, period_ms, cron, time_zone, grace_ms, max_run_time_ms, min_run_time_ms,
                    failures_before_alert, realert_every_ms, tier, project, channels, paused, description, origin)
    VALUES ('backup', 'k3y-0f-the-backup', 86400000, '', 'UTC', 3600000, NULL, NULL, 1, NULL, NULL, NULL, '[]', 0,
            'nightly backup', 'api');
INSERT INTO pings (check_name, kind, exit_code, rid, at_ms, source, body)
    VALUES ('backup', 'success', NULL, NULL, 1795257000000, 'http', 'done');
)sql";

void run_sql(sqlite3* database, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw std::runtime_error("fixture: " + text);
    }
}

void write_earlier_database(const std::filesystem::path& path) {
    sqlite3* database = nullptr;
    if (sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        sqlite3_close(database);
        throw std::runtime_error("fixture: cannot open " + path.string());
    }
    run_sql(database, k_connection_pragmas);
    run_sql(database, "BEGIN IMMEDIATE");
    run_sql(database,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)");
    run_sql(database, k_migration_1_common);
    run_sql(database, k_migration_1_sqlite);
    run_sql(database, "INSERT INTO schema_migrations (version, applied_at) VALUES (1, 1795250000000)");
    run_sql(database, "COMMIT");
    run_sql(database, k_rows);
    sqlite3_close(database);
}

std::string single_text(const std::filesystem::path& path, const char* sql) {
    sqlite3* database = nullptr;
    sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(database, sql, -1, &statement, nullptr);
    std::string text;
    if (sqlite3_step(statement) == SQLITE_ROW) text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    sqlite3_close(database);
    return text;
}

TEST(SqliteUpgradeTest, ADatabaseOfTheEarlierServerOpensAndKeepsWorking) {
    TempDir dir("greenlight-serve-upgrade");
    const auto path = dir.path() / "serve.db";
    write_earlier_database(path);
    StandingClock clock;

    {
        auto store = Store::open("sqlite:" + path.string(), clock);
        ASSERT_TRUE(store) << store.message();

        auto count = (*store)->run_count();
        ASSERT_TRUE(count) << count.message();
        EXPECT_EQ(*count, 1);
        auto run = (*store)->run("20261121T103600Z");
        ASSERT_TRUE(run) << run.message();
        ASSERT_TRUE(run->has_value());
        EXPECT_EQ((*run)->project, "shop");
        EXPECT_EQ((*run)->verdict, verdict::Verdict::fail);
        EXPECT_DOUBLE_EQ((*run)->duration_seconds, 125.5);
        ASSERT_EQ((*run)->suites.size(), 1u);
        EXPECT_EQ((*run)->suites[0].name, "api");
        ASSERT_EQ((*run)->cases.size(), 1u);
        EXPECT_EQ((*run)->cases[0].output_excerpt, "expected 200, got 500");

        auto check = (*store)->check_by_ping_key("k3y-0f-the-backup");
        ASSERT_TRUE(check) << check.message();
        ASSERT_TRUE(check->has_value());
        EXPECT_EQ((*check)->name, "backup");

        // Writes go on where the earlier server left off.
        Ping ping;
        ping.check = "backup";
        ping.kind = PingKind::fail;
        ping.at = clock.now();
        ping.source = "http";
        ping.body = "disk full";
        ASSERT_TRUE((*store)->add_ping(ping));
        auto pings = (*store)->recent_pings("backup", 10);
        ASSERT_TRUE(pings) << pings.message();
        ASSERT_EQ(pings->size(), 2u);
        auto token = (*store)->create_token("ci", TokenScope::ingest);
        ASSERT_TRUE(token) << token.message();
        auto verified = (*store)->verify_token(*token);
        ASSERT_TRUE(verified) << verified.message();
        EXPECT_TRUE(verified->has_value());
        // Migration 2 (promotions) was added to the file on opening.
        PromotionDecision decision;
        decision.environment = "production";
        decision.commit = "abcd1234";
        decision.decision = PromotionVerdict::go;
        decision.reason = "upgraded";
        decision.by = "ci";
        decision.token = "ci";
        ASSERT_TRUE((*store)->add_promotion_decision(decision));
    }

    // Migration 1 was not applied again, migration 2 was applied once, and the file keeps its WAL journal.
    EXPECT_EQ(single_text(path, "SELECT count(*) FROM schema_migrations WHERE version = 1"), "1");
    EXPECT_EQ(single_text(path, "SELECT group_concat(version) FROM schema_migrations ORDER BY version"), "1,2");
    EXPECT_EQ(single_text(path, "SELECT count(*) FROM promotion_decisions"), "1");
    EXPECT_EQ(single_text(path, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(single_text(path, "SELECT count(*) FROM pings"), "2");
}

// The verdict columns hold the names ingest accepted; a name greenlight does not know (a row written by
// something else) is an error naming the run, not a verdict made up for it.
TEST(SqliteUpgradeTest, AVerdictTheServerDoesNotKnowIsAnErrorNamingTheRun) {
    TempDir dir("greenlight-serve-upgrade");
    const auto path = dir.path() / "serve.db";
    write_earlier_database(path);
    {
        sqlite3* database = nullptr;
        ASSERT_EQ(sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
        run_sql(database, "UPDATE runs SET verdict = 'bogus'");
        sqlite3_close(database);
    }
    StandingClock clock;
    auto store = Store::open("sqlite:" + path.string(), clock);
    ASSERT_TRUE(store) << store.message();
    const std::string expected =
        "run '20261121T103600Z': the database holds the verdict 'bogus', which greenlight does not know";
    auto run = (*store)->run("20261121T103600Z");
    ASSERT_FALSE(run);
    EXPECT_EQ(run.message(), expected);
    auto runs = (*store)->runs(RunFilter{});
    ASSERT_FALSE(runs);
    EXPECT_EQ(runs.message(), expected);
}

}  // namespace
}  // namespace greenlight::serve
