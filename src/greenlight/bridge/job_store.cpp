// The job store's plumbing and its job changes: opening the state folder (the database, its schema, the pool of
// readers), submitting, finding and listing jobs, and moving them through the queues (claim, complete, cancel,
// purge). Spool files are in job_spool.cpp, restart recovery in job_recovery.cpp, the z/OSMF documents in
// job_documents.cpp.
#include "greenlight/bridge/job_store.hpp"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <system_error>

#include "greenlight/bridge/job_rows.hpp"
#include "greenlight/bridge/job_store_schema.hpp"
#include "greenlight/bridge/names.hpp"
#include "greenlight/sqlite/transaction.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bridge {

namespace {

using util::make_error;
using util::Result;
using util::Status;

// One change counter per state folder and process: every JobStore on the folder counts its changes in it, so
// what one store cached is known stale after another store's write.
std::shared_ptr<std::atomic<std::uint64_t>> shared_generation(const std::filesystem::path& state_dir) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<std::atomic<std::uint64_t>>> counters;
    std::lock_guard lock(mutex);
    std::error_code error;
    std::filesystem::path key = std::filesystem::weakly_canonical(state_dir, error);
    if (error) key = state_dir.lexically_normal();
    auto& slot = counters[key.string()];
    if (auto counter = slot.lock()) return counter;
    auto counter = std::make_shared<std::atomic<std::uint64_t>>(0);
    slot = counter;
    return counter;
}

// z/OSMF's form: 31 characters of system part ("J", 7 digits, system and subsystem names, 8 hex digits,
// padded with '.'), then ':' and the user correlator. The number makes it unique; the hex part makes it
// unguessable, so a correlator cannot be used to probe for another user's jobs.
std::string make_correlator(std::uint32_t number, const std::optional<std::string>& user_correlator) {
    std::random_device random;
    std::string system = fmt::format("J{:07}GLBRJES2{:08X}", number % 10'000'000, random());
    system.resize(31, '.');
    return system + ":" + user_correlator.value_or("");
}

char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// z/OSMF filter patterns: '*' any run of characters, '%' exactly one; case does not matter.
bool matches_pattern(std::string_view pattern, std::string_view text) {
    std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '%' || upper(pattern[p]) == upper(text[t]))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

util::SystemClock& system_clock() {
    static util::SystemClock clock;
    return clock;
}

}  // namespace

// A few read connections, each used by one thread at a time, with the two lookups prepared once.
struct JobStore::Readers {
    enum class Lookup { by_jobid, by_correlator };
    struct Reader {
        std::mutex mutex;
        // Declared before its statements, so they are finalized before it closes.
        std::optional<sqlite::Database> database;
        std::optional<sqlite::Statement> by_jobid;
        std::optional<sqlite::Statement> by_correlator;
    };
    static constexpr std::size_t k_count = 4;
    std::array<Reader, k_count> readers;
    std::atomic<std::size_t> next{0};

    static std::shared_ptr<Readers> open(const std::filesystem::path& database_path) {
        auto pool = std::make_shared<Readers>();
        const std::string by_jobid = fmt::format("SELECT {} FROM jobs WHERE jobid = ?", job_rows::k_job_columns);
        const std::string by_correlator =
            fmt::format("SELECT {} FROM jobs WHERE correlator = ?", job_rows::k_job_columns);
        sqlite::OpenOptions options;
        options.create = sqlite::Create::no;
        options.threading = sqlite::Threading::one_thread_at_a_time;
        for (Reader& reader : pool->readers) {
            auto opened = sqlite::Database::open(database_path, options);
            if (!opened) return nullptr;
            reader.database.emplace(std::move(*opened));
            reader.by_jobid.emplace(*reader.database, by_jobid, sqlite::Reuse::many);
            reader.by_correlator.emplace(*reader.database, by_correlator, sqlite::Reuse::many);
            if (!reader.by_jobid->ok() || !reader.by_correlator->ok()) return nullptr;
        }
        return pool;
    }

    // A reader nobody uses, if there is one; else the next in turn (waiting for it).
    Reader& take(std::unique_lock<std::mutex>& lock) {
        std::size_t first = next.fetch_add(1, std::memory_order_relaxed);
        for (std::size_t i = 0; i < k_count; ++i) {
            Reader& reader = readers[(first + i) % k_count];
            std::unique_lock attempt(reader.mutex, std::try_to_lock);
            if (attempt.owns_lock()) {
                lock = std::move(attempt);
                return reader;
            }
        }
        Reader& reader = readers[first % k_count];
        lock = std::unique_lock(reader.mutex);
        return reader;
    }

    Result<std::optional<Job>> find(Lookup lookup, std::string_view value) {
        std::unique_lock<std::mutex> lock;
        Reader& reader = take(lock);
        sqlite::Statement& statement = lookup == Lookup::by_correlator ? *reader.by_correlator : *reader.by_jobid;
        statement.bind(1, value);
        auto row = statement.step();
        Result<std::optional<Job>> result = std::optional<Job>();
        if (!row) {
            result = row.error();
        } else if (*row) {
            result = std::optional<Job>(job_rows::read_job(statement));
        }
        // Ends the read transaction, so the next lookup sees the latest commit.
        statement.reset();
        return result;
    }
};

JobStore::JobStore(std::filesystem::path state_dir, const util::Clock& clock, sqlite::Database database)
    : m_state_dir(std::move(state_dir)),
      m_clock(&clock),
      m_database(std::move(database)),
      m_mutex(std::make_unique<std::mutex>()),
      m_generation(shared_generation(m_state_dir)) {}

JobStore::JobStore(JobStore&&) noexcept = default;
JobStore& JobStore::operator=(JobStore&&) noexcept = default;
JobStore::~JobStore() = default;

Result<JobStore> JobStore::open(const std::filesystem::path& state_folder, OpenOptions options) {
    // Absolute, so that the paths the executor hands to steps (which run in their own folder) stay valid.
    std::error_code absolute_error;
    const std::filesystem::path state_dir = std::filesystem::absolute(state_folder, absolute_error);
    if (absolute_error) {
        return make_error(fmt::format("job store: {}: {}", state_folder.string(), absolute_error.message()));
    }
    if (Status made = util::make_directories(state_dir / "spool"); !made) return made.error();
    std::filesystem::path database_path = state_dir / "jobs.sqlite3";
    // The default busy timeout: a host busy writing a large spool file holds the write lock while another
    // store waits to commit.
    auto database = sqlite::Database::open(database_path);
    if (!database) return database.error();
    // WAL lets readers (job listings) run while a worker commits, and a commit is one append + fsync. FULL: in
    // WAL mode NORMAL may lose the last commits on power loss, and "nothing is lost" is the promise.
    if (Status wal = sqlite::use_wal(*database, sqlite::Synchronous::full); !wal) return wal.error();
    if (Status set = sqlite::exec(*database, "PRAGMA foreign_keys = ON"); !set) return set.error();
    if (Status migrated = migrate_job_store(*database); !migrated) return migrated.error();

    JobStore store(state_dir, options.clock ? *options.clock : system_clock(), std::move(*database));
    // After the migration, so the readers' statements find the tables.
    store.m_readers = Readers::open(database_path);
    if (options.recovery == Recovery::on_open) {
        auto recovered = store.recover_after_restart();
        if (!recovered) return recovered.error();
    }
    return store;
}

std::filesystem::path JobStore::spool_folder(std::string_view jobid) const {
    return m_state_dir / "spool" / std::string(jobid);
}

std::filesystem::path JobStore::spool_path(std::string_view jobid, int id) const {
    return spool_folder(jobid) / fmt::format("{}.txt", id);
}

std::string JobStore::now_text() const {
    return util::format_utc(m_clock->now());
}

Result<Job> JobStore::submit(const NewJob& new_job) {
    auto outcome = submit_job(new_job, false);
    if (!outcome) return outcome.error();
    return std::move(outcome->job);
}

Result<JobStore::SubmitOnceOutcome> JobStore::submit_once(const NewJob& new_job) {
    return submit_job(new_job, new_job.user_correlator.has_value());
}

Result<JobStore::SubmitOnceOutcome> JobStore::submit_job(const NewJob& new_job, bool return_existing) {
    if (!is_valid_jcl_name(new_job.jobname)) {
        return make_error(
            fmt::format("job name '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $, "
                        "not starting with a digit",
                        new_job.jobname));
    }
    if (!is_valid_jcl_name(new_job.owner)) {
        return make_error(
            fmt::format("owner '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $, "
                        "not starting with a digit",
                        new_job.owner));
    }
    if (!job_rows::is_class_name(new_job.job_class)) {
        return make_error(
            fmt::format("job class '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $", new_job.job_class));
    }
    if (new_job.user_correlator && !is_valid_user_correlator(*new_job.user_correlator)) {
        return make_error(
            fmt::format("user correlator '{}' is not valid: expected 1 to 32 letters, digits, "
                        "@ # $ or _, starting with a letter or @ # $",
                        *new_job.user_correlator));
    }

    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    sqlite::Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();

    if (return_existing) {
        sqlite::Statement existing(
            database, fmt::format("SELECT {} FROM jobs WHERE owner = ? AND user_correlator = ? ORDER BY number "
                                  "LIMIT 1",
                                  job_rows::k_job_columns));
        existing.bind(1, new_job.owner).bind(2, std::string_view(*new_job.user_correlator));
        auto found = existing.step();
        if (!found) return found.error();
        if (*found) return SubmitOnceOutcome{job_rows::read_job(existing), true};
    }

    sqlite::Statement next(database, "UPDATE counters SET value = value + 1 WHERE name = 'job' RETURNING value");
    auto row = next.step();
    if (!row) return row.error();
    if (!*row) return make_error("job store: the job counter is missing; the state folder is damaged");
    auto number = static_cast<std::uint32_t>(next.integer(0));
    next.reset();
    auto jobid = job_id_for(number);
    if (!jobid) return make_error("job store: all 9,999,999 job ids are used; purge jobs and reset the state folder");

    Job job;
    job.jobid = *jobid;
    job.jobname = new_job.jobname;
    job.owner = new_job.owner;
    job.status = JobStatus::input;
    job.job_class = new_job.job_class;
    job.phase = job_rows::k_input_phase;
    job.phase_name = job_rows::k_input_phase_name;
    job.correlator = make_correlator(number, new_job.user_correlator);
    job.user_correlator = new_job.user_correlator;
    job.submitted = now_text();

    // The JCL reaches the disk before the row that names it commits; if the commit never happens, the folder
    // is removed below or, after a crash, by recover_after_restart.
    if (Status written = job_rows::write_spool_content(spool_path(job.jobid, k_jesjcl_id), new_job.jcl_text);
        !written) {
        std::error_code ignored;
        std::filesystem::remove_all(spool_folder(job.jobid), ignored);
        return written.error();
    }
    const auto finish = [&]() -> Status {
        sqlite::Statement insert_job(
            database,
            "INSERT INTO jobs (number, jobid, jobname, owner, job_class, status, phase, phase_name, "
            "correlator, user_correlator, submitted) VALUES (?, ?, ?, ?, ?, 'INPUT', ?, ?, ?, ?, ?)");
        insert_job.bind(1, std::int64_t{number})
            .bind(2, job.jobid)
            .bind(3, job.jobname)
            .bind(4, job.owner)
            .bind(5, job.job_class)
            .bind(6, std::int64_t{job.phase})
            .bind(7, job.phase_name)
            .bind(8, job.correlator)
            .bind_optional(9, job.user_correlator)
            .bind(10, job.submitted);
        if (Status inserted = insert_job.run(); !inserted) return inserted;
        sqlite::Statement insert_file(database,
                                      "INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, "
                                      "record_count, byte_count) VALUES (?, ?, 'JESJCL', 'JES2', NULL, ?, ?, ?)");
        insert_file.bind(1, job.jobid)
            .bind(2, std::int64_t{k_jesjcl_id})
            .bind(3, job.job_class)
            .bind(4, job_rows::count_records(new_job.jcl_text))
            .bind(5, static_cast<std::int64_t>(new_job.jcl_text.size()));
        if (Status inserted = insert_file.run(); !inserted) return inserted;
        return transaction.commit();
    };
    if (Status finished = finish(); !finished) {
        std::error_code ignored;
        std::filesystem::remove_all(spool_folder(job.jobid), ignored);
        return finished.error();
    }
    return SubmitOnceOutcome{std::move(job), false};
}

Result<std::optional<Job>> JobStore::find(std::string_view jobname, std::string_view jobid) {
    auto job = find(jobid);
    if (!job) return job;
    // z/OSMF addresses a job by name and id; a right id with the wrong name is not that job.
    if (*job && (*job)->jobname != jobname) return std::optional<Job>();
    return job;
}

Result<std::optional<Job>> JobStore::find(std::string_view jobid) {
    if (m_readers) return m_readers->find(Readers::Lookup::by_jobid, jobid);
    std::lock_guard lock(*m_mutex);
    return job_rows::load_job(m_database, "jobid", jobid);
}

Result<std::optional<Job>> JobStore::find_by_correlator(std::string_view correlator) {
    if (m_readers) return m_readers->find(Readers::Lookup::by_correlator, correlator);
    std::lock_guard lock(*m_mutex);
    return job_rows::load_job(m_database, "correlator", correlator);
}

Result<std::vector<Job>> JobStore::list(const ListFilter& filter) {
    if (filter.max_jobs < 1 || filter.max_jobs > 1000) {
        return make_error(fmt::format("max-jobs {} is out of range: expected 1 to 1000", filter.max_jobs));
    }
    std::string sql = fmt::format("SELECT {} FROM jobs WHERE 1 = 1", job_rows::k_job_columns);
    if (filter.jobid) sql += " AND jobid = ?";
    if (filter.user_correlator) sql += " AND user_correlator = ?";
    sql += " ORDER BY number";

    std::lock_guard lock(*m_mutex);
    sqlite::Statement statement(m_database, sql);
    int index = 1;
    if (filter.jobid) statement.bind(index++, std::string_view(*filter.jobid));
    if (filter.user_correlator) statement.bind(index++, std::string_view(*filter.user_correlator));

    std::vector<Job> jobs;
    while (static_cast<int>(jobs.size()) < filter.max_jobs) {
        auto row = statement.step();
        if (!row) return row.error();
        if (!*row) break;
        Job job = job_rows::read_job(statement);
        if (filter.owner && !matches_pattern(*filter.owner, job.owner)) continue;
        if (filter.prefix && !matches_pattern(*filter.prefix, job.jobname)) continue;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

Result<std::optional<Job>> JobStore::claim_next_input(int max_active) {
    if (max_active < 1) return make_error(fmt::format("max_active must be at least 1, not {}", max_active));
    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    // The count and the claim run under one write lock, so two stores cannot both see room for one more.
    sqlite::Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();

    sqlite::Statement count(database, "SELECT count(*) FROM jobs WHERE status = 'ACTIVE'");
    if (auto row = count.step(); !row) return row.error();
    if (count.integer(0) >= max_active) return std::optional<Job>();
    count.reset();

    sqlite::Statement oldest(database, "SELECT jobid FROM jobs WHERE status = 'INPUT' ORDER BY number LIMIT 1");
    auto row = oldest.step();
    if (!row) return row.error();
    if (!*row) return std::optional<Job>();
    std::string jobid = oldest.text(0);
    oldest.reset();

    sqlite::Statement update(database,
                             "UPDATE jobs SET status = 'ACTIVE', phase = ?, phase_name = ?, started = ? "
                             "WHERE jobid = ?");
    update.bind(1, std::int64_t{job_rows::k_active_phase})
        .bind(2, job_rows::k_active_phase_name)
        .bind(3, now_text())
        .bind(4, jobid);
    if (Status updated = update.run(); !updated) return updated.error();
    auto job = job_rows::load_existing_job(database, jobid);
    if (!job) return job.error();
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return std::optional<Job>(std::move(*job));
}

Result<Job> JobStore::complete(std::string_view jobid, std::string_view retcode) {
    if (retcode.empty()) return make_error(fmt::format("job {}: a completed job needs a retcode", jobid));
    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    sqlite::Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    auto job = job_rows::load_existing_job(database, jobid);
    if (!job) return job.error();
    if (job->status != JobStatus::active) {
        return make_error(fmt::format("job {} is {}, only an ACTIVE job can complete", jobid, to_string(job->status)));
    }
    // The executor stopped the process because of the cancel; whatever exit it saw, the user asked for CANCELED.
    std::string recorded = job->cancel_requested ? std::string("CANCELED") : std::string(retcode);
    if (Status updated = job_rows::move_to_output(database, jobid, recorded, now_text()); !updated)
        return updated.error();
    auto updated_job = job_rows::load_existing_job(database, jobid);
    if (!updated_job) return updated_job.error();
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return std::move(*updated_job);
}

Result<Job> JobStore::cancel(std::string_view jobid) {
    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    sqlite::Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    auto job = job_rows::load_existing_job(database, jobid);
    if (!job) return job.error();
    if (job->status == JobStatus::output) return std::move(*job);
    if (job->status == JobStatus::input) {
        if (Status updated = job_rows::move_to_output(database, jobid, "CANCELED", now_text()); !updated)
            return updated.error();
    } else {
        // The process still runs and still counts against max_active until the executor has stopped it.
        sqlite::Statement update(database, "UPDATE jobs SET cancel_requested = 1 WHERE jobid = ?");
        update.bind(1, jobid);
        if (Status updated = update.run(); !updated) return updated.error();
    }
    auto updated_job = job_rows::load_existing_job(database, jobid);
    if (!updated_job) return updated_job.error();
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return std::move(*updated_job);
}

Result<bool> JobStore::cancel_requested(std::string_view jobid) {
    std::lock_guard lock(*m_mutex);
    auto job = job_rows::load_existing_job(m_database, jobid);
    if (!job) return job.error();
    return job->cancel_requested;
}

Status JobStore::purge(std::string_view jobid) {
    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    {
        sqlite::Transaction transaction(database);
        if (Status begun = transaction.begin(); !begun) return begun;
        auto job = job_rows::load_existing_job(database, jobid);
        if (!job) return job.error();
        if (job->status == JobStatus::active) {
            return make_error(fmt::format("job {} is ACTIVE: cancel it and wait for it to end before purging", jobid));
        }
        sqlite::Statement delete_files(database, "DELETE FROM spool_files WHERE jobid = ?");
        delete_files.bind(1, jobid);
        if (Status deleted = delete_files.run(); !deleted) return deleted;
        sqlite::Statement delete_job(database, "DELETE FROM jobs WHERE jobid = ?");
        delete_job.bind(1, jobid);
        if (Status deleted = delete_job.run(); !deleted) return deleted;
        if (Status committed = transaction.commit(); !committed) return committed;
    }
    // After the commit: a crash here leaves a folder no row points at, which recovery removes. The other
    // order could leave a row whose spool is gone.
    std::error_code ignored;
    std::filesystem::remove_all(spool_folder(jobid), ignored);
    return {};
}

}  // namespace greenlight::bridge
