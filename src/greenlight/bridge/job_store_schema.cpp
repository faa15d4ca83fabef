// The job store's schema as migration steps, counted by PRAGMA user_version.
#include "greenlight/bridge/job_store_schema.hpp"

#include <array>
#include <string_view>

#include "greenlight/sqlite/migrate.hpp"

namespace greenlight::bridge {

namespace {

// Each entry moves the schema one version up; user_version counts how many have run. Never edit an entry
// that has shipped: add a new one, so a state folder written by any older build can be brought forward.
constexpr std::array<std::string_view, 1> k_migrations = {
    R"sql(
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('job', 0);
CREATE TABLE jobs (
    number           INTEGER PRIMARY KEY,
    jobid            TEXT NOT NULL UNIQUE,
    jobname          TEXT NOT NULL,
    owner            TEXT NOT NULL,
    job_class        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('INPUT', 'ACTIVE', 'OUTPUT')),
    retcode          TEXT,
    phase            INTEGER NOT NULL,
    phase_name       TEXT NOT NULL,
    correlator       TEXT NOT NULL UNIQUE,
    user_correlator  TEXT,
    submitted        TEXT NOT NULL,
    started          TEXT,
    ended            TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_status ON jobs (status, number);
CREATE TABLE spool_files (
    jobid        TEXT NOT NULL REFERENCES jobs (jobid) ON DELETE CASCADE,
    id           INTEGER NOT NULL,
    ddname       TEXT NOT NULL,
    stepname     TEXT NOT NULL,
    procstep     TEXT,
    output_class TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    byte_count   INTEGER NOT NULL,
    PRIMARY KEY (jobid, id)
);
)sql",
};

}  // namespace

util::Status migrate_job_store(sqlite::Database& database) {
    return sqlite::migrate(database, k_migrations);
}

}  // namespace greenlight::bridge
