#include "greenlight/serve/migrations.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace greenlight::serve {

namespace {

using util::make_error;
using util::Status;

// One step of the schema. Most SQL is shared (BIGINT, TEXT, DOUBLE PRECISION mean the same to both); a
// step whose SQL differs says so per database. Never edit a step that has shipped: add a new one.
struct Migration {
    int version;
    std::string_view common;      // run on both databases
    std::string_view sqlite;      // then this on SQLite
    std::string_view postgresql;  // or this on PostgreSQL
};

// Times are UTC milliseconds in BIGINT columns; booleans are 0/1 integers; lists are JSON arrays in TEXT.
constexpr std::array<Migration, 2> k_migrations{{
    {1,
     R"sql(
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
)sql",
     // The pings' own id orders pings that share a millisecond; each database spells an auto-numbered key
     // its own way.
     R"sql(
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
)sql",
     R"sql(
CREATE TABLE pings (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
)sql"},
    // `greenlight promote`: the go/no-go decisions and every promotion attempt (store_promotions.cpp).
    {2, "",
     R"sql(
CREATE TABLE promotion_decisions (
    id          INTEGER PRIMARY KEY,
    environment TEXT NOT NULL,
    commit_sha  TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('go', 'no-go')),
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    token       TEXT NOT NULL,
    at_ms       BIGINT NOT NULL
);
CREATE INDEX promotion_decisions_by_commit ON promotion_decisions (environment, commit_sha, at_ms, id);
CREATE TABLE promotion_attempts (
    id           INTEGER PRIMARY KEY,
    environment  TEXT NOT NULL,
    commit_sha   TEXT NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('go', 'no-go')),
    reasons      TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    attempted_by TEXT NOT NULL,
    token        TEXT NOT NULL,
    at_ms        BIGINT NOT NULL
);
CREATE INDEX promotion_attempts_newest ON promotion_attempts (at_ms DESC, id DESC);
)sql",
     R"sql(
CREATE TABLE promotion_decisions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment TEXT NOT NULL,
    commit_sha  TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('go', 'no-go')),
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    token       TEXT NOT NULL,
    at_ms       BIGINT NOT NULL
);
CREATE INDEX promotion_decisions_by_commit ON promotion_decisions (environment, commit_sha, at_ms, id);
CREATE TABLE promotion_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment  TEXT NOT NULL,
    commit_sha   TEXT NOT NULL,
    verdict      TEXT NOT NULL CHECK (verdict IN ('go', 'no-go')),
    reasons      TEXT NOT NULL,
    evidence     TEXT NOT NULL,
    attempted_by TEXT NOT NULL,
    token        TEXT NOT NULL,
    at_ms        BIGINT NOT NULL
);
CREATE INDEX promotion_attempts_newest ON promotion_attempts (at_ms DESC, id DESC);
)sql"},
}};

// Any fixed number, the same in every greenlight: servers sharing one PostgreSQL serialize on it.
constexpr std::string_view k_lock_migrations = "SELECT pg_advisory_xact_lock(7405746696337453)";

// Names the step, unless the database went away: that error must stay recognizable as unavailable.
util::Error migration_failed(int version, const util::Error& error) {
    if (is_unavailable(error)) return error;
    return make_error(fmt::format("schema migration {}: {}", version, error.message));
}

}  // namespace

int latest_schema_version() {
    return k_migrations.back().version;
}

Status apply_migrations(Database& database, const util::Clock& clock) {
    return database.transact(TransactionMode::write, [&](Connection& connection) -> Status {
        if (connection.kind() == DatabaseKind::postgresql) {
            auto locked = connection.query(k_lock_migrations);
            if (!locked) return locked.error();
        }
        auto created = connection.execute_script(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)");
        if (!created) return created;
        auto current = connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!current) return current.error();
        std::int64_t version = current->integer(0, 0);
        if (version > latest_schema_version()) {
            return make_error(fmt::format(
                "the database schema is at version {}, newer than version {} that this greenlight knows: run a "
                "greenlight at least as new as the one that upgraded it, or point --db at another database",
                version, latest_schema_version()));
        }
        for (const Migration& migration : k_migrations) {
            if (migration.version <= version) continue;
            // PostgreSQL refuses an empty script; a step may have nothing in common.
            if (!migration.common.empty()) {
                auto common = connection.execute_script(migration.common);
                if (!common) return migration_failed(migration.version, common.error());
            }
            std::string_view specific =
                connection.kind() == DatabaseKind::sqlite ? migration.sqlite : migration.postgresql;
            if (!specific.empty()) {
                auto done = connection.execute_script(specific);
                if (!done) return migration_failed(migration.version, done.error());
            }
            auto recorded = connection.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                                             {migration.version, to_milliseconds(clock.now())});
            if (!recorded) return recorded.error();
        }
        return {};
    });
}

}  // namespace greenlight::serve
