// A state folder written by the job store before the SQLite wrapper was shared (greenlight_sqlite) opens and
// keeps working: the fixture is built by the SQL that store ran on a new folder (its pragmas, then migration 1
// counted in user_version), with rows and spool files as it wrote them.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>

#include "greenlight/bridge/job_store.hpp"
#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

using test_support::TempDir;

class StandingClock final : public util::Clock {
public:
    util::WallTime now() const override { return m_now; }
    std::chrono::steady_clock::time_point steady_now() const override { return {}; }

private:
    util::WallTime m_now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{9};
};

// Migration 1 as the earlier job store shipped it.
constexpr const char* k_migration_1 = R"sql(
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
)sql";

// A job that ended, with its JCL and a step's output, and one a dead host left ACTIVE.
constexpr const char* k_rows = R"sql(
UPDATE counters SET value = 2 WHERE name = 'job';
INSERT INTO jobs (number, jobid, jobname, owner, job_class, status, retcode, phase, phase_name, correlator,
                  user_correlator, submitted, started, ended)
    VALUES (1, 'JOB00001', 'SMOKE', 'IBMUSER', 'A', 'OUTPUT', 'CC 0000', 20, 'Job is on the hard copy queue',
            'J0000001GLBRJES20A1B2C3D.......:NIGHTLY', 'NIGHTLY', '2026-11-21T10:00:00Z', '2026-11-21T10:00:01Z',
            '2026-11-21T10:00:05Z');
INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, record_count, byte_count)
    VALUES ('JOB00001', 3, 'JESJCL', 'JES2', NULL, 'A', 2, 39);
INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, record_count, byte_count)
    VALUES ('JOB00001', 101, 'SYSOUT', 'STEP1', NULL, 'A', 2, 12);
INSERT INTO jobs (number, jobid, jobname, owner, job_class, status, retcode, phase, phase_name, correlator,
                  user_correlator, submitted, started, ended)
    VALUES (2, 'JOB00002', 'LONG', 'IBMUSER', 'A', 'ACTIVE', NULL, 14, 'Job is actively executing',
            'J0000002GLBRJES2DEADBEEF.......:', NULL, '2026-11-21T11:00:00Z', '2026-11-21T11:00:01Z', NULL);
INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, record_count, byte_count)
    VALUES ('JOB00002', 3, 'JESJCL', 'JES2', NULL, 'A', 2, 38);
)sql";

void run_sql(sqlite3* database, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw std::runtime_error("fixture: " + text);
    }
}

void write_file(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

void write_earlier_state_folder(const std::filesystem::path& state_dir) {
    std::filesystem::create_directories(state_dir / "spool");
    const auto path = state_dir / "jobs.sqlite3";
    sqlite3* database = nullptr;
    if (sqlite3_open_v2(path.c_str(), &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        sqlite3_close(database);
        throw std::runtime_error("fixture: cannot open " + path.string());
    }
    run_sql(database, "PRAGMA journal_mode = WAL");
    run_sql(database, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
    run_sql(database, "BEGIN IMMEDIATE");
    run_sql(database, k_migration_1);
    run_sql(database, "PRAGMA user_version = 1");
    run_sql(database, "COMMIT");
    run_sql(database, k_rows);
    sqlite3_close(database);
    write_file(state_dir / "spool" / "JOB00001" / "3.txt", "//SMOKE JOB\n//STEP1 EXEC PGM=IEFBR14\n");
    write_file(state_dir / "spool" / "JOB00001" / "101.txt", "hello\nworld\n");
    write_file(state_dir / "spool" / "JOB00002" / "3.txt", "//LONG JOB\n//STEP1 EXEC PGM=IEFBR14\n");
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

TEST(JobStoreUpgradeTest, AStateFolderOfTheEarlierStoreOpensAndKeepsWorking) {
    TempDir dir("greenlight-job-store-upgrade");
    write_earlier_state_folder(dir.path());
    StandingClock clock;

    {
        auto store = JobStore::open(dir.path(), OpenOptions{Recovery::on_open, &clock});
        ASSERT_TRUE(store) << store.message();

        auto done = store->find("SMOKE", "JOB00001");
        ASSERT_TRUE(done) << done.message();
        ASSERT_TRUE(done->has_value());
        EXPECT_EQ((*done)->status, JobStatus::output);
        EXPECT_EQ((*done)->retcode, "CC 0000");
        EXPECT_EQ((*done)->user_correlator, "NIGHTLY");
        auto by_correlator = store->find_by_correlator("J0000001GLBRJES20A1B2C3D.......:NIGHTLY");
        ASSERT_TRUE(by_correlator) << by_correlator.message();
        ASSERT_TRUE(by_correlator->has_value());
        EXPECT_EQ((*by_correlator)->jobid, "JOB00001");
        auto records = store->read_records("JOB00001", 101);
        ASSERT_TRUE(records) << records.message();
        EXPECT_EQ(*records, "hello\nworld\n");
        auto files = store->spool_files("JOB00001");
        ASSERT_TRUE(files) << files.message();
        EXPECT_EQ(files->size(), 2u);

        // Recovery on open failed the job the dead host left ACTIVE, as before.
        auto orphan = store->find("JOB00002");
        ASSERT_TRUE(orphan) << orphan.message();
        ASSERT_TRUE(orphan->has_value());
        EXPECT_EQ((*orphan)->status, JobStatus::output);
        EXPECT_EQ((*orphan)->retcode, "SYS FAIL");

        // New jobs take the next number, and go through the queues.
        NewJob next;
        next.jobname = "AFTER";
        next.owner = "IBMUSER";
        next.jcl_text = "//AFTER JOB\n";
        auto submitted = store->submit(next);
        ASSERT_TRUE(submitted) << submitted.message();
        EXPECT_EQ(submitted->jobid, "JOB00003");
        auto claimed = store->claim_next_input(1);
        ASSERT_TRUE(claimed) << claimed.message();
        ASSERT_TRUE(claimed->has_value());
        auto completed = store->complete("JOB00003", "CC 0000");
        ASSERT_TRUE(completed) << completed.message();
        ASSERT_TRUE(store->purge("JOB00001"));
        auto listed = store->list(ListFilter{});
        ASSERT_TRUE(listed) << listed.message();
        EXPECT_EQ(listed->size(), 2u);
    }

    // The schema was not migrated again, and the file keeps its WAL journal.
    const auto database = dir.path() / "jobs.sqlite3";
    EXPECT_EQ(single_text(database, "PRAGMA user_version"), "1");
    EXPECT_EQ(single_text(database, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(single_text(database, "SELECT value FROM counters WHERE name = 'job'"), "3");
}

}  // namespace
}  // namespace greenlight::bridge
