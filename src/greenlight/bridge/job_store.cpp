#include "greenlight/bridge/job_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <system_error>

#include "greenlight/bridge/names.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bridge {

namespace {

using util::make_error;
using util::Result;
using util::Status;

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

// z/OSMF's phase numbers and names for the three queues.
constexpr int k_input_phase = 10;
constexpr std::string_view k_input_phase_name = "Job is queued for execution";
constexpr int k_active_phase = 14;
constexpr std::string_view k_active_phase_name = "Job is actively executing";
constexpr int k_output_phase = 20;
constexpr std::string_view k_output_phase_name = "Job is on the hard copy queue";

constexpr std::string_view k_job_columns =
    "jobid, jobname, owner, status, job_class, retcode, phase, phase_name, correlator, user_correlator, "
    "submitted, started, ended, cancel_requested";

// Long enough for a host that is busy writing a large spool file while another store waits to commit.
constexpr int k_busy_timeout_ms = 30'000;

util::Error database_error(sqlite3* database, std::string_view what) {
    return make_error(fmt::format("job store: {}: {}", what, sqlite3_errmsg(database)));
}

// Counts a change of the store when the method that may have changed it returns: after its transaction has
// committed or rolled back (see JobStore::generation).
class ChangeMark {
public:
    explicit ChangeMark(std::atomic<std::uint64_t>& generation) : m_generation(generation) {}
    ChangeMark(const ChangeMark&) = delete;
    ChangeMark& operator=(const ChangeMark&) = delete;
    ~ChangeMark() { m_generation.fetch_add(1, std::memory_order_acq_rel); }

private:
    std::atomic<std::uint64_t>& m_generation;
};

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

// A prepared statement, finalized when it goes out of scope.
class Statement {
public:
    Statement(sqlite3* database, std::string_view sql) : m_database(database) {
        m_status = sqlite3_prepare_v2(database, sql.data(), static_cast<int>(sql.size()), &m_statement, nullptr);
    }
    ~Statement() { sqlite3_finalize(m_statement); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::string_view text) {
        if (m_status == SQLITE_OK) {
            m_status =
                sqlite3_bind_text(m_statement, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        }
        return *this;
    }
    Statement& bind(int index, std::int64_t number) {
        if (m_status == SQLITE_OK) m_status = sqlite3_bind_int64(m_statement, index, number);
        return *this;
    }
    Statement& bind_optional(int index, const std::optional<std::string>& text) {
        if (text) return bind(index, std::string_view(*text));
        if (m_status == SQLITE_OK) m_status = sqlite3_bind_null(m_statement, index);
        return *this;
    }

    // true when a row is ready, false when the statement is done.
    Result<bool> step() {
        if (m_status != SQLITE_OK) return database_error(m_database, "cannot prepare a statement");
        int status = sqlite3_step(m_statement);
        if (status == SQLITE_ROW) return true;
        if (status == SQLITE_DONE) return false;
        return database_error(m_database, "statement failed");
    }
    // Ends a statement whose rows were not all read: COMMIT refuses to run while a statement is in progress.
    void reset() { sqlite3_reset(m_statement); }
    // For statements that return no rows.
    Status run() {
        auto stepped = step();
        if (!stepped) return stepped.error();
        return {};
    }

    std::string text(int column) const {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
        return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)))
                    : std::string();
    }
    std::optional<std::string> optional_text(int column) const {
        if (sqlite3_column_type(m_statement, column) == SQLITE_NULL) return std::nullopt;
        return text(column);
    }
    std::int64_t integer(int column) const { return sqlite3_column_int64(m_statement, column); }

private:
    sqlite3* m_database;
    sqlite3_stmt* m_statement = nullptr;
    int m_status = SQLITE_OK;
};

Status execute(sqlite3* database, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(database, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errmsg(database);
        sqlite3_free(message);
        return make_error(fmt::format("job store: {}", text));
    }
    return {};
}

// BEGIN IMMEDIATE takes the write lock up front: a transaction that reads and then writes cannot deadlock
// with another store doing the same, and a second store waits (busy_timeout) instead of failing.
// Rolls back unless committed.
class Transaction {
public:
    explicit Transaction(sqlite3* database) : m_database(database) {}
    ~Transaction() {
        if (m_open) sqlite3_exec(m_database, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    Status begin() {
        Status status = execute(m_database, "BEGIN IMMEDIATE");
        m_open = status.ok();
        return status;
    }
    Status commit() {
        Status status = execute(m_database, "COMMIT");
        // A failed COMMIT may leave the transaction open; the destructor then rolls it back.
        if (status) m_open = false;
        return status;
    }

private:
    sqlite3* m_database;
    bool m_open = false;
};

std::optional<JobStatus> parse_status(std::string_view text) {
    if (text == "INPUT") return JobStatus::input;
    if (text == "ACTIVE") return JobStatus::active;
    if (text == "OUTPUT") return JobStatus::output;
    return std::nullopt;
}

Job read_job(const Statement& row) {
    Job job;
    job.jobid = row.text(0);
    job.jobname = row.text(1);
    job.owner = row.text(2);
    job.status = parse_status(row.text(3)).value_or(JobStatus::output);
    job.job_class = row.text(4);
    job.retcode = row.optional_text(5);
    job.phase = static_cast<int>(row.integer(6));
    job.phase_name = row.text(7);
    job.correlator = row.text(8);
    job.user_correlator = row.optional_text(9);
    job.submitted = row.text(10);
    job.started = row.optional_text(11);
    job.ended = row.optional_text(12);
    job.cancel_requested = row.integer(13) != 0;
    return job;
}

Result<std::optional<Job>> load_job(sqlite3* database, std::string_view column, std::string_view value) {
    Statement statement(database, fmt::format("SELECT {} FROM jobs WHERE {} = ?", k_job_columns, column));
    statement.bind(1, value);
    auto row = statement.step();
    if (!row) return row.error();
    if (!*row) return std::optional<Job>();
    return std::optional<Job>(read_job(statement));
}

// The job, or an error a user can act on when there is none.
Result<Job> load_existing_job(sqlite3* database, std::string_view jobid) {
    auto job = load_job(database, "jobid", jobid);
    if (!job) return job.error();
    if (!*job) return make_error(fmt::format("job {} not found", jobid));
    return std::move(**job);
}

// Puts a job on the hard-copy queue with its return code: the one way a job reaches OUTPUT.
Status move_to_output(sqlite3* database, std::string_view jobid, std::string_view retcode, const std::string& ended) {
    Statement update(database,
                     "UPDATE jobs SET status = 'OUTPUT', retcode = ?, phase = ?, phase_name = ?, ended = ? "
                     "WHERE jobid = ?");
    update.bind(1, retcode).bind(2, std::int64_t{k_output_phase}).bind(3, k_output_phase_name).bind(4, ended);
    update.bind(5, jobid);
    return update.run();
}

SpoolFile read_spool_file(const Statement& row) {
    SpoolFile file;
    file.jobid = row.text(0);
    file.jobname = row.text(1);
    file.correlator = row.text(2);
    file.id = static_cast<int>(row.integer(3));
    file.ddname = row.text(4);
    file.stepname = row.text(5);
    file.procstep = row.optional_text(6);
    file.output_class = row.text(7);
    file.record_count = row.integer(8);
    file.byte_count = row.integer(9);
    return file;
}

constexpr std::string_view k_spool_select =
    "SELECT s.jobid, j.jobname, j.correlator, s.id, s.ddname, s.stepname, s.procstep, s.output_class, "
    "s.record_count, s.byte_count FROM spool_files s JOIN jobs j ON j.jobid = s.jobid ";

Result<std::optional<SpoolFile>> load_spool_file(sqlite3* database, std::string_view jobid, int id) {
    Statement statement(database, fmt::format("{} WHERE s.jobid = ? AND s.id = ?", k_spool_select));
    statement.bind(1, jobid).bind(2, std::int64_t{id});
    auto row = statement.step();
    if (!row) return row.error();
    if (!*row) return std::optional<SpoolFile>();
    return std::optional<SpoolFile>(read_spool_file(statement));
}

// Records are lines; a last line without '\n' still counts.
std::int64_t count_records(std::string_view content) {
    auto lines = static_cast<std::int64_t>(std::count(content.begin(), content.end(), '\n'));
    if (!content.empty() && content.back() != '\n') ++lines;
    return lines;
}

// A rename or a new folder is durable only once the folder holding it is synced.
Status sync_directory(const std::filesystem::path& folder) {
    int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor < 0) {
        return make_error(fmt::format("cannot open folder {}: {}", folder.string(), std::strerror(errno)));
    }
    int synced = ::fsync(descriptor);
    int sync_errno = errno;
    ::close(descriptor);
    if (synced != 0) {
        return make_error(fmt::format("cannot sync folder {}: {}", folder.string(), std::strerror(sync_errno)));
    }
    return {};
}

// Spool content must survive a power loss once the row that points at it has committed: the file is synced
// by write_file_atomic, its name in the job folder here, and a new job folder's name in spool/.
Status write_spool_content(const std::filesystem::path& path, std::string_view content) {
    const std::filesystem::path folder = path.parent_path();
    std::error_code error;
    bool created = std::filesystem::create_directories(folder, error);
    if (error) return make_error(fmt::format("cannot create directory {}: {}", folder.string(), error.message()));
    if (Status written = util::write_file_atomic(path, content, util::Durability::power_loss); !written) {
        return written;
    }
    if (Status synced = sync_directory(folder); !synced) return synced;
    if (created) return sync_directory(folder.parent_path());
    return {};
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

bool is_class_name(std::string_view text) {
    return !text.empty() && text.size() <= 8 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$';
    });
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

std::optional<int> reserved_spool_id(std::string_view ddname) {
    if (ddname == "JESMSGLG") return k_jesmsglg_id;
    if (ddname == "JESJCL") return k_jesjcl_id;
    if (ddname == "JESYSMSG") return k_jesysmsg_id;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string job_url(std::string_view base_url, std::string_view jobname, std::string_view jobid) {
    return fmt::format("{}/zosmf/restjobs/jobs/{}/{}", base_url, jobname, jobid);
}

util::SystemClock& system_clock() {
    static util::SystemClock clock;
    return clock;
}

Status migrate(sqlite3* database) {
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun;
    Statement read_version(database, "PRAGMA user_version");
    auto row = read_version.step();
    if (!row) return row.error();
    auto version = static_cast<std::size_t>(read_version.integer(0));
    read_version.reset();
    if (version > k_migrations.size()) {
        return make_error(
            fmt::format("job store: the state folder has schema version {}, this greenlight knows up to {}; "
                        "use the greenlight that wrote it, or a newer one",
                        version, k_migrations.size()));
    }
    for (; version < k_migrations.size(); ++version) {
        if (Status applied = execute(database, std::string(k_migrations[version])); !applied) return applied;
    }
    if (Status set = execute(database, fmt::format("PRAGMA user_version = {}", version)); !set) return set;
    return transaction.commit();
}

}  // namespace

// A few read connections, each used by one thread at a time, with the two lookups prepared once.
struct JobStore::Readers {
    struct Reader {
        std::mutex mutex;
        sqlite3* database = nullptr;
        sqlite3_stmt* by_jobid = nullptr;
        sqlite3_stmt* by_correlator = nullptr;
    };
    static constexpr std::size_t k_count = 4;
    std::array<Reader, k_count> readers;
    std::atomic<std::size_t> next{0};

    ~Readers() {
        for (Reader& reader : readers) {
            sqlite3_finalize(reader.by_jobid);
            sqlite3_finalize(reader.by_correlator);
            sqlite3_close_v2(reader.database);
        }
    }

    static std::shared_ptr<Readers> open(const std::filesystem::path& database_path) {
        auto pool = std::make_shared<Readers>();
        const std::string by_jobid = fmt::format("SELECT {} FROM jobs WHERE jobid = ?", k_job_columns);
        const std::string by_correlator = fmt::format("SELECT {} FROM jobs WHERE correlator = ?", k_job_columns);
        for (Reader& reader : pool->readers) {
            if (sqlite3_open_v2(database_path.c_str(), &reader.database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                nullptr) != SQLITE_OK) {
                return nullptr;
            }
            sqlite3_busy_timeout(reader.database, k_busy_timeout_ms);
            if (sqlite3_prepare_v3(reader.database, by_jobid.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &reader.by_jobid,
                                   nullptr) != SQLITE_OK ||
                sqlite3_prepare_v3(reader.database, by_correlator.c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                                   &reader.by_correlator, nullptr) != SQLITE_OK) {
                return nullptr;
            }
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

    Result<std::optional<Job>> find(bool by_correlator, std::string_view value) {
        std::unique_lock<std::mutex> lock;
        Reader& reader = take(lock);
        sqlite3_stmt* statement = by_correlator ? reader.by_correlator : reader.by_jobid;
        sqlite3_bind_text(statement, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
        int status = sqlite3_step(statement);
        std::optional<Job> job;
        if (status == SQLITE_ROW) {
            const auto text = [&](int column) {
                const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
                return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)))
                            : std::string();
            };
            const auto optional_text = [&](int column) {
                return sqlite3_column_type(statement, column) == SQLITE_NULL ? std::optional<std::string>()
                                                                             : std::optional<std::string>(text(column));
            };
            Job found;
            found.jobid = text(0);
            found.jobname = text(1);
            found.owner = text(2);
            found.status = parse_status(text(3)).value_or(JobStatus::output);
            found.job_class = text(4);
            found.retcode = optional_text(5);
            found.phase = sqlite3_column_int(statement, 6);
            found.phase_name = text(7);
            found.correlator = text(8);
            found.user_correlator = optional_text(9);
            found.submitted = text(10);
            found.started = optional_text(11);
            found.ended = optional_text(12);
            found.cancel_requested = sqlite3_column_int(statement, 13) != 0;
            job = std::move(found);
        }
        Result<std::optional<Job>> result = job;
        if (status != SQLITE_ROW && status != SQLITE_DONE) {
            result = database_error(reader.database, "cannot read a job");
        }
        // Ends the read transaction, so the next lookup sees the latest commit.
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
        return result;
    }
};

std::string_view to_string(JobStatus status) {
    switch (status) {
        case JobStatus::input:
            return "INPUT";
        case JobStatus::active:
            return "ACTIVE";
        case JobStatus::output:
            return "OUTPUT";
    }
    return "OUTPUT";
}

nlohmann::json to_zosmf_json(const Job& job, std::string_view base_url, ExecData exec_data) {
    std::string url = job_url(base_url, job.jobname, job.jobid);
    nlohmann::json document = {
        {"jobid", job.jobid},
        {"jobname", job.jobname},
        {"subsystem", "JES2"},
        {"owner", job.owner},
        {"status", std::string(to_string(job.status))},
        {"type", job.type},
        {"class", job.job_class},
        {"retcode", nullptr},
        {"url", url},
        {"files-url", url + "/files"},
        {"job-correlator", job.correlator},
        {"phase", job.phase},
        {"phase-name", job.phase_name},
    };
    if (job.retcode) document["retcode"] = *job.retcode;
    if (exec_data == ExecData::yes) {
        const auto optional = [](const std::optional<std::string>& text) {
            return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
        };
        document["exec-system"] = k_host_system_name;
        document["exec-member"] = k_host_system_name;
        document["exec-submitted"] = job.submitted;
        document["exec-started"] = optional(job.started);
        document["exec-ended"] = optional(job.ended);
    }
    return document;
}

nlohmann::json to_zosmf_json(const SpoolFile& file, std::string_view base_url) {
    nlohmann::json document = {
        {"jobid", file.jobid},
        {"jobname", file.jobname},
        {"job-correlator", file.correlator},
        {"subsystem", "JES2"},
        {"id", file.id},
        {"ddname", file.ddname},
        {"stepname", file.stepname},
        {"procstep", nullptr},
        {"class", file.output_class},
        {"record-count", file.record_count},
        {"byte-count", file.byte_count},
        {"recfm", std::string(k_spool_recfm)},
        {"lrecl", k_spool_lrecl},
        {"records-url", fmt::format("{}/files/{}/records", job_url(base_url, file.jobname, file.jobid), file.id)},
    };
    if (file.procstep) document["procstep"] = *file.procstep;
    return document;
}

std::optional<RecordRange> parse_record_range(std::string_view header_value) {
    std::size_t separator = header_value.find_first_of("-,");
    if (separator == std::string_view::npos) return std::nullopt;
    auto first = parse_decimal(header_value.substr(0, separator));
    auto second = parse_decimal(header_value.substr(separator + 1));
    if (!first || !second) return std::nullopt;
    if (header_value[separator] == '-') {
        if (*second < *first) return std::nullopt;
        return RecordRange{*first, *second - *first + 1};
    }
    if (*second == 0) return std::nullopt;
    return RecordRange{*first, *second};
}

bool is_valid_user_correlator(std::string_view text) {
    const auto is_letter_or_national = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '@' || c == '#' || c == '$';
    };
    if (text.empty() || text.size() > 32 || !is_letter_or_national(text.front())) return false;
    return std::all_of(text.begin() + 1, text.end(),
                       [&](char c) { return is_letter_or_national(c) || (c >= '0' && c <= '9') || c == '_'; });
}

void JobStore::DatabaseCloser::operator()(sqlite3* database) const noexcept {
    sqlite3_close_v2(database);
}

JobStore::JobStore(std::filesystem::path state_dir, const util::Clock& clock, sqlite3* database)
    : m_state_dir(std::move(state_dir)),
      m_clock(&clock),
      m_database(database),
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
    sqlite3* raw = nullptr;
    int opened = sqlite3_open_v2(database_path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    // sqlite3_open_v2 may hand back a handle even when it fails; it must be closed either way.
    std::unique_ptr<sqlite3, DatabaseCloser> database(raw);
    if (opened != SQLITE_OK) {
        return make_error(fmt::format("job store: cannot open {}: {}", database_path.string(),
                                      raw ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(raw, k_busy_timeout_ms);
    {
        // WAL lets readers (job listings) run while a worker commits, and a commit is one append + fsync.
        Statement journal(raw, "PRAGMA journal_mode = WAL");
        auto row = journal.step();
        if (!row) return row.error();
        if (journal.text(0) != "wal") {
            return make_error(
                fmt::format("job store: {} cannot use WAL mode (journal mode is {}); "
                            "is the state folder on a network filesystem?",
                            database_path.string(), journal.text(0)));
        }
    }
    // FULL: in WAL mode NORMAL may lose the last commits on power loss, and "nothing is lost" is the promise.
    if (Status set = execute(raw, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON"); !set) return set.error();
    if (Status migrated = migrate(raw); !migrated) return migrated.error();

    JobStore store(state_dir, options.clock ? *options.clock : system_clock(), database.release());
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
    if (!is_class_name(new_job.job_class)) {
        return make_error(
            fmt::format("job class '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $", new_job.job_class));
    }
    if (new_job.user_correlator && !is_valid_user_correlator(*new_job.user_correlator)) {
        return make_error(
            fmt::format("user correlator '{}' is not valid: expected 1 to 32 letters, digits, "
                        "@ # $ or _, starting with a letter or @ # $",
                        *new_job.user_correlator));
    }

    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();

    if (return_existing) {
        Statement existing(database,
                           fmt::format("SELECT {} FROM jobs WHERE owner = ? AND user_correlator = ? ORDER BY number "
                                       "LIMIT 1",
                                       k_job_columns));
        existing.bind(1, new_job.owner).bind(2, std::string_view(*new_job.user_correlator));
        auto found = existing.step();
        if (!found) return found.error();
        if (*found) return SubmitOnceOutcome{read_job(existing), true};
    }

    Statement next(database, "UPDATE counters SET value = value + 1 WHERE name = 'job' RETURNING value");
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
    job.phase = k_input_phase;
    job.phase_name = k_input_phase_name;
    job.correlator = make_correlator(number, new_job.user_correlator);
    job.user_correlator = new_job.user_correlator;
    job.submitted = now_text();

    // The JCL reaches the disk before the row that names it commits; if the commit never happens, the folder
    // is removed below or, after a crash, by recover_after_restart.
    if (Status written = write_spool_content(spool_path(job.jobid, k_jesjcl_id), new_job.jcl_text); !written) {
        std::error_code ignored;
        std::filesystem::remove_all(spool_folder(job.jobid), ignored);
        return written.error();
    }
    const auto finish = [&]() -> Status {
        Statement insert_job(database,
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
        Statement insert_file(database,
                              "INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, "
                              "record_count, byte_count) VALUES (?, ?, 'JESJCL', 'JES2', NULL, ?, ?, ?)");
        insert_file.bind(1, job.jobid)
            .bind(2, std::int64_t{k_jesjcl_id})
            .bind(3, job.job_class)
            .bind(4, count_records(new_job.jcl_text))
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
    if (m_readers) return m_readers->find(false, jobid);
    std::lock_guard lock(*m_mutex);
    return load_job(m_database.get(), "jobid", jobid);
}

Result<std::optional<Job>> JobStore::find_by_correlator(std::string_view correlator) {
    if (m_readers) return m_readers->find(true, correlator);
    std::lock_guard lock(*m_mutex);
    return load_job(m_database.get(), "correlator", correlator);
}

Result<std::vector<Job>> JobStore::list(const ListFilter& filter) {
    if (filter.max_jobs < 1 || filter.max_jobs > 1000) {
        return make_error(fmt::format("max-jobs {} is out of range: expected 1 to 1000", filter.max_jobs));
    }
    std::string sql = fmt::format("SELECT {} FROM jobs WHERE 1 = 1", k_job_columns);
    if (filter.jobid) sql += " AND jobid = ?";
    if (filter.user_correlator) sql += " AND user_correlator = ?";
    sql += " ORDER BY number";

    std::lock_guard lock(*m_mutex);
    Statement statement(m_database.get(), sql);
    int index = 1;
    if (filter.jobid) statement.bind(index++, std::string_view(*filter.jobid));
    if (filter.user_correlator) statement.bind(index++, std::string_view(*filter.user_correlator));

    std::vector<Job> jobs;
    while (static_cast<int>(jobs.size()) < filter.max_jobs) {
        auto row = statement.step();
        if (!row) return row.error();
        if (!*row) break;
        Job job = read_job(statement);
        if (filter.owner && !matches_pattern(*filter.owner, job.owner)) continue;
        if (filter.prefix && !matches_pattern(*filter.prefix, job.jobname)) continue;
        jobs.push_back(std::move(job));
    }
    return jobs;
}

Result<std::optional<Job>> JobStore::claim_next_input(int max_active) {
    if (max_active < 1) return make_error(fmt::format("max_active must be at least 1, not {}", max_active));
    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    // The count and the claim run under one write lock, so two stores cannot both see room for one more.
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();

    Statement count(database, "SELECT count(*) FROM jobs WHERE status = 'ACTIVE'");
    if (auto row = count.step(); !row) return row.error();
    if (count.integer(0) >= max_active) return std::optional<Job>();
    count.reset();

    Statement oldest(database, "SELECT jobid FROM jobs WHERE status = 'INPUT' ORDER BY number LIMIT 1");
    auto row = oldest.step();
    if (!row) return row.error();
    if (!*row) return std::optional<Job>();
    std::string jobid = oldest.text(0);
    oldest.reset();

    Statement update(database,
                     "UPDATE jobs SET status = 'ACTIVE', phase = ?, phase_name = ?, started = ? "
                     "WHERE jobid = ?");
    update.bind(1, std::int64_t{k_active_phase}).bind(2, k_active_phase_name).bind(3, now_text()).bind(4, jobid);
    if (Status updated = update.run(); !updated) return updated.error();
    auto job = load_existing_job(database, jobid);
    if (!job) return job.error();
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return std::optional<Job>(std::move(*job));
}

Result<Job> JobStore::complete(std::string_view jobid, std::string_view retcode) {
    if (retcode.empty()) return make_error(fmt::format("job {}: a completed job needs a retcode", jobid));
    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    auto job = load_existing_job(database, jobid);
    if (!job) return job.error();
    if (job->status != JobStatus::active) {
        return make_error(fmt::format("job {} is {}, only an ACTIVE job can complete", jobid, to_string(job->status)));
    }
    // The executor stopped the process because of the cancel; whatever exit it saw, the user asked for CANCELED.
    std::string recorded = job->cancel_requested ? std::string("CANCELED") : std::string(retcode);
    if (Status updated = move_to_output(database, jobid, recorded, now_text()); !updated) return updated.error();
    auto updated_job = load_existing_job(database, jobid);
    if (!updated_job) return updated_job.error();
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return std::move(*updated_job);
}

Result<Job> JobStore::cancel(std::string_view jobid) {
    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    auto job = load_existing_job(database, jobid);
    if (!job) return job.error();
    if (job->status == JobStatus::output) return std::move(*job);
    if (job->status == JobStatus::input) {
        if (Status updated = move_to_output(database, jobid, "CANCELED", now_text()); !updated) return updated.error();
    } else {
        // The process still runs and still counts against max_active until the executor has stopped it.
        Statement update(database, "UPDATE jobs SET cancel_requested = 1 WHERE jobid = ?");
        update.bind(1, jobid);
        if (Status updated = update.run(); !updated) return updated.error();
    }
    auto updated_job = load_existing_job(database, jobid);
    if (!updated_job) return updated_job.error();
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return std::move(*updated_job);
}

Result<bool> JobStore::cancel_requested(std::string_view jobid) {
    std::lock_guard lock(*m_mutex);
    auto job = load_existing_job(m_database.get(), jobid);
    if (!job) return job.error();
    return job->cancel_requested;
}

Status JobStore::purge(std::string_view jobid) {
    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    {
        Transaction transaction(database);
        if (Status begun = transaction.begin(); !begun) return begun;
        auto job = load_existing_job(database, jobid);
        if (!job) return job.error();
        if (job->status == JobStatus::active) {
            return make_error(fmt::format("job {} is ACTIVE: cancel it and wait for it to end before purging", jobid));
        }
        Statement delete_files(database, "DELETE FROM spool_files WHERE jobid = ?");
        delete_files.bind(1, jobid);
        if (Status deleted = delete_files.run(); !deleted) return deleted;
        Statement delete_job(database, "DELETE FROM jobs WHERE jobid = ?");
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

Result<SpoolFile> JobStore::add_spool_file(std::string_view jobid, const NewSpoolFile& file) {
    if (!is_valid_jcl_name(file.ddname)) {
        return make_error(
            fmt::format("DD name '{}' is not valid: expected a JCL name (1 to 8 of A-Z 0-9 @ # $)", file.ddname));
    }
    if (!is_valid_jcl_name(file.stepname)) {
        return make_error(fmt::format("step name '{}' is not valid: expected a JCL name", file.stepname));
    }
    if (file.procstep && !is_valid_jcl_name(*file.procstep)) {
        return make_error(fmt::format("procedure step name '{}' is not valid: expected a JCL name", *file.procstep));
    }
    if (!is_class_name(file.output_class)) {
        return make_error(
            fmt::format("output class '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $", file.output_class));
    }

    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    if (auto job = load_existing_job(database, jobid); !job) return job.error();

    int id = 0;
    if (auto reserved = reserved_spool_id(file.ddname)) {
        id = *reserved;
        auto existing = load_spool_file(database, jobid, id);
        if (!existing) return existing.error();
        if (*existing) {
            return make_error(fmt::format("job {} already has {}; append to it instead", jobid, file.ddname));
        }
    } else {
        Statement highest(database, "SELECT coalesce(max(id), 0) FROM spool_files WHERE jobid = ?");
        highest.bind(1, jobid);
        if (auto row = highest.step(); !row) return row.error();
        id = std::max<int>(static_cast<int>(highest.integer(0)) + 1, k_first_user_spool_id);
    }

    std::filesystem::path path = spool_path(jobid, id);
    if (Status written = write_spool_content(path, file.content); !written) return written.error();
    const auto finish = [&]() -> Status {
        Statement insert(database,
                         "INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, "
                         "record_count, byte_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, jobid)
            .bind(2, std::int64_t{id})
            .bind(3, file.ddname)
            .bind(4, file.stepname)
            .bind_optional(5, file.procstep)
            .bind(6, file.output_class)
            .bind(7, count_records(file.content))
            .bind(8, static_cast<std::int64_t>(file.content.size()));
        if (Status inserted = insert.run(); !inserted) return inserted;
        return transaction.commit();
    };
    if (Status finished = finish(); !finished) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        return finished.error();
    }
    auto stored = load_spool_file(database, jobid, id);
    if (!stored) return stored.error();
    if (!*stored) return make_error(fmt::format("job {} was purged while spool file {} was added", jobid, id));
    return std::move(**stored);
}

namespace {

// Appends within the caller's transaction: content first, then the counts (see the header's promise).
Result<SpoolFile> append_in_transaction(sqlite3* database, const std::filesystem::path& path, std::string_view jobid,
                                        int id, std::string_view text) {
    auto existing = load_spool_file(database, jobid, id);
    if (!existing) return existing.error();
    if (!*existing) return make_error(fmt::format("job {} has no spool file {}", jobid, id));
    std::string content;
    std::error_code missing;
    if (std::filesystem::exists(path, missing)) {
        auto read = util::read_file(path);
        if (!read) return read.error();
        content = std::move(*read);
    }
    content += text;
    if (Status written = write_spool_content(path, content); !written) return written.error();
    Statement update(database, "UPDATE spool_files SET record_count = ?, byte_count = ? WHERE jobid = ? AND id = ?");
    update.bind(1, count_records(content))
        .bind(2, static_cast<std::int64_t>(content.size()))
        .bind(3, jobid)
        .bind(4, std::int64_t{id});
    if (Status updated = update.run(); !updated) return updated.error();
    SpoolFile file = std::move(**existing);
    file.record_count = count_records(content);
    file.byte_count = static_cast<std::int64_t>(content.size());
    return file;
}

}  // namespace

Result<SpoolFile> JobStore::append_spool_text(std::string_view jobid, int id, std::string_view text) {
    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    auto file = append_in_transaction(database, spool_path(jobid, id), jobid, id, text);
    if (!file) return file;
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return file;
}

Result<std::vector<SpoolFile>> JobStore::spool_files(std::string_view jobid) {
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    if (auto job = load_existing_job(database, jobid); !job) return job.error();
    Statement statement(database, fmt::format("{} WHERE s.jobid = ? ORDER BY s.id", k_spool_select));
    statement.bind(1, jobid);
    std::vector<SpoolFile> files;
    while (true) {
        auto row = statement.step();
        if (!row) return row.error();
        if (!*row) break;
        files.push_back(read_spool_file(statement));
    }
    return files;
}

Result<std::string> JobStore::read_records(std::string_view jobid, int id, std::optional<RecordRange> range) {
    std::string content;
    {
        // Held while reading, so a purge cannot remove the file between the row check and the read.
        std::lock_guard lock(*m_mutex);
        auto file = load_spool_file(m_database.get(), jobid, id);
        if (!file) return file.error();
        if (!*file) return make_error(fmt::format("job {} has no spool file {}", jobid, id));
        auto read = util::read_file(spool_path(jobid, id));
        if (!read) return read.error();
        content = std::move(*read);
    }
    if (!content.empty() && content.back() != '\n') content += '\n';
    if (!range) return content;

    std::string records;
    std::uint64_t line = 0;
    std::size_t position = 0;
    const std::uint64_t end = range->start + std::min(range->count, UINT64_MAX - range->start);
    while (position < content.size() && line < end) {
        std::size_t next = content.find('\n', position) + 1;
        if (line >= range->start) records.append(content, position, next - position);
        position = next;
        ++line;
    }
    return records;
}

Result<RecoveryReport> JobStore::recover_after_restart() {
    ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite3* database = m_database.get();
    RecoveryReport report;
    {
        Transaction transaction(database);
        if (Status begun = transaction.begin(); !begun) return begun.error();
        Statement active(database, "SELECT jobid FROM jobs WHERE status = 'ACTIVE' ORDER BY number");
        while (true) {
            auto row = active.step();
            if (!row) return row.error();
            if (!*row) break;
            report.failed_jobs.push_back(active.text(0));
        }
        for (const std::string& jobid : report.failed_jobs) {
            // The dead host may have written spool content whose new counts never committed: count again.
            Statement files(database, "SELECT id FROM spool_files WHERE jobid = ?");
            files.bind(1, jobid);
            std::vector<int> ids;
            while (true) {
                auto row = files.step();
                if (!row) return row.error();
                if (!*row) break;
                ids.push_back(static_cast<int>(files.integer(0)));
            }
            for (int id : ids) {
                auto content = util::read_file(spool_path(jobid, id));
                std::string_view text = content ? std::string_view(*content) : std::string_view();
                Statement recount(database,
                                  "UPDATE spool_files SET record_count = ?, byte_count = ? "
                                  "WHERE jobid = ? AND id = ?");
                recount.bind(1, count_records(text))
                    .bind(2, static_cast<std::int64_t>(text.size()))
                    .bind(3, jobid)
                    .bind(4, std::int64_t{id});
                if (Status updated = recount.run(); !updated) return updated.error();
            }

            std::string ended = now_text();
            std::string line = fmt::format(
                "{} {}  GLB001E THE JOB HOST RESTARTED WHILE THE JOB WAS ACTIVE; "
                "THE JOB ENDED WITH SYS FAIL\n",
                ended, jobid);
            auto existing = load_spool_file(database, jobid, k_jesmsglg_id);
            if (!existing) return existing.error();
            if (!*existing) {
                Statement insert(database,
                                 "INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, "
                                 "output_class, record_count, byte_count) "
                                 "SELECT jobid, ?, 'JESMSGLG', 'JES2', NULL, job_class, 0, 0 FROM jobs "
                                 "WHERE jobid = ?");
                insert.bind(1, std::int64_t{k_jesmsglg_id}).bind(2, jobid);
                if (Status inserted = insert.run(); !inserted) return inserted.error();
                // A file a crashed add_spool_file left behind has no row: start the log afresh.
                std::error_code ignored;
                std::filesystem::remove(spool_path(jobid, k_jesmsglg_id), ignored);
            }
            auto appended =
                append_in_transaction(database, spool_path(jobid, k_jesmsglg_id), jobid, k_jesmsglg_id, line);
            if (!appended) return appended.error();

            if (Status updated = move_to_output(database, jobid, "SYS FAIL", ended); !updated) return updated.error();
        }
        if (Status committed = transaction.commit(); !committed) return committed.error();
    }

    // Folders and files no row points at: purges interrupted after their commit, submits and spool writes
    // interrupted before theirs, temporary files of interrupted atomic writes.
    std::set<std::pair<std::string, int>> known_files;
    std::set<std::string> known_jobs;
    {
        Statement statement(database, "SELECT jobid, id FROM spool_files");
        while (true) {
            auto row = statement.step();
            if (!row) return row.error();
            if (!*row) break;
            known_files.emplace(statement.text(0), static_cast<int>(statement.integer(1)));
        }
        Statement jobs(database, "SELECT jobid FROM jobs");
        while (true) {
            auto row = jobs.step();
            if (!row) return row.error();
            if (!*row) break;
            known_jobs.insert(jobs.text(0));
        }
    }
    // Entries are listed first and removed after: removing while iterating leaves the iteration unspecified.
    const auto entries = [](const std::filesystem::path& folder, std::error_code& error) {
        std::vector<std::filesystem::path> paths;
        for (const auto& entry : std::filesystem::directory_iterator(folder, error)) paths.push_back(entry.path());
        return paths;
    };
    std::error_code error;
    for (const auto& folder : entries(m_state_dir / "spool", error)) {
        std::string jobid = folder.filename().string();
        std::error_code ignored;
        if (!known_jobs.contains(jobid)) {
            std::filesystem::remove_all(folder, ignored);
            report.removed_folders.push_back(jobid);
            continue;
        }
        for (const auto& file : entries(folder, ignored)) {
            std::string name = file.filename().string();
            int id = 0;
            auto [end, parsed] = std::from_chars(name.data(), name.data() + name.size(), id);
            bool is_known =
                parsed == std::errc() && std::string_view(end) == ".txt" && known_files.contains({jobid, id});
            if (!is_known) std::filesystem::remove_all(file, ignored);
        }
    }
    if (error) {
        return make_error(
            fmt::format("job store: cannot list {}: {}", (m_state_dir / "spool").string(), error.message()));
    }
    return report;
}

}  // namespace greenlight::bridge
