// The job store of the bridge: jobs, their status and their spool, kept in a state folder (SQLite plus
// spool files written atomically) so that nothing is lost when the host stops or dies. See
// docs/BRIDGE.md for the folder layout, the schema and the recovery rules.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/sqlite/database.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// The three queues a z/OSMF job document can name.
enum class JobStatus { input, active, output };

// "INPUT", "ACTIVE" or "OUTPUT", as z/OSMF spells them.
std::string_view to_string(JobStatus status);

// What a client hands in to submit a job.
struct NewJob {
    std::string jobname;                         // a JCL name (names.hpp)
    std::string owner;                           // a JCL name: the user the job runs for
    std::string job_class = "A";                 // 1 to 8 of A-Z 0-9 @ # $
    std::string jcl_text;                        // stored as the JESJCL spool file
    std::optional<std::string> user_correlator;  // 1 to 32 characters, see is_valid_user_correlator
};

// A stored job: the fields of the z/OSMF job document, plus what the store needs itself.
struct Job {
    std::string jobid;
    std::string jobname;
    std::string owner;
    JobStatus status = JobStatus::input;
    std::string type = "JOB";
    std::string job_class;
    std::optional<std::string> retcode;  // "CC 0000", "ABEND S322", "JCL ERROR", "CANCELED", "SYS FAIL"
    int phase = 0;
    std::string phase_name;
    std::string correlator;  // 31-character system part, ':', the user correlator (if any)
    std::optional<std::string> user_correlator;
    std::string submitted;  // RFC 3339 UTC, see util::format_utc
    std::optional<std::string> started;
    std::optional<std::string> ended;
    bool cancel_requested = false;  // an ACTIVE job the executor must stop
};

// Whether a job document carries z/OSMF's execution data (exec-system, exec-member, exec-submitted, exec-started,
// exec-ended), as GET /zosmf/restjobs/jobs?exec-data=Y asks.
enum class ExecData { no, yes };

// The system and member name the host reports in exec-system and exec-member.
inline constexpr std::string_view k_host_system_name = "GLBR";

// The z/OSMF job document; base_url is scheme, host and port ("https://host:443"), no trailing '/'.
nlohmann::json to_zosmf_json(const Job& job, std::string_view base_url, ExecData exec_data = ExecData::no);

// A spool file as a client hands it in (the store picks its id).
struct NewSpoolFile {
    std::string ddname;
    std::string stepname;
    std::optional<std::string> procstep;
    std::string output_class = "A";
    std::string content;
};

// A stored spool file: the fields of the z/OSMF job file document.
struct SpoolFile {
    std::string jobid;
    std::string jobname;
    std::string correlator;
    int id = 0;
    std::string ddname;
    std::string stepname;
    std::optional<std::string> procstep;
    std::string output_class;
    std::int64_t record_count = 0;  // lines
    std::int64_t byte_count = 0;
};

// Spool ids z/OSMF clients expect for the JES files; user DDs are numbered from k_first_user_spool_id.
inline constexpr int k_jesmsglg_id = 2;
inline constexpr int k_jesjcl_id = 3;
inline constexpr int k_jesysmsg_id = 4;
inline constexpr int k_first_user_spool_id = 101;

// The record format the store reports: lines are variable-length records, never truncated or padded.
inline constexpr std::string_view k_spool_recfm = "VB";
inline constexpr int k_spool_lrecl = 32756;

// The z/OSMF job file document, with records-url.
nlohmann::json to_zosmf_json(const SpoolFile& file, std::string_view base_url);

// Which records (lines) to read: zero-based first record and how many.
struct RecordRange {
    std::uint64_t start = 0;
    std::uint64_t count = 0;
    bool operator==(const RecordRange&) const = default;
};

// Parses an X-IBM-Record-Range value: "start-end" (zero-based, inclusive) or "start,count" (count >= 1);
// decimal digits only, no signs or spaces inside. nullopt for anything else.
std::optional<RecordRange> parse_record_range(std::string_view header_value);

// A user correlator z/OSMF accepts: 1 to 32 characters, the first a letter or national character, the rest
// letters, digits, national characters or '_'.
bool is_valid_user_correlator(std::string_view text);

// Which jobs list() returns. Patterns take '*' (any run) and '%' (one character).
struct ListFilter {
    std::optional<std::string> owner;            // nullopt or "*": every owner
    std::optional<std::string> prefix;           // jobname pattern; nullopt or "*": every job
    std::optional<std::string> jobid;            // exact
    std::optional<std::string> user_correlator;  // exact
    int max_jobs = 1000;                         // 1 to 1000
};

// Whether open() treats jobs left ACTIVE as orphans of a dead host. Only the host process that runs the
// jobs may recover; a second opener (a listing tool, a test) must skip, or it would fail live jobs.
enum class Recovery { on_open, skip };

struct OpenOptions {
    Recovery recovery = Recovery::on_open;
    const util::Clock* clock = nullptr;  // nullptr: the system clock; must outlive the store
};

// What recover_after_restart() did, for the host's log.
struct RecoveryReport {
    std::vector<std::string> failed_jobs;      // ACTIVE jobs now OUTPUT with SYS FAIL
    std::vector<std::string> removed_folders;  // spool folders of jobs that no longer exist
};

// The store. Every state change is one SQLite transaction; spool content is written before the row that
// points at it commits. One JobStore may be shared by threads; several (even in several processes) may
// open the same folder, and SQLite's write lock keeps their transactions apart.
class JobStore {
public:
    static util::Result<JobStore> open(const std::filesystem::path& state_dir, OpenOptions options = {});

    JobStore(JobStore&&) noexcept;
    JobStore& operator=(JobStore&&) noexcept;
    ~JobStore();

    // Stores a new job as INPUT with the next job id, its JCL as spool file JESJCL.
    util::Result<Job> submit(const NewJob& job);

    // What submit_once did: stored a new job, or found the owner's job with the same user correlator.
    struct SubmitOnceOutcome {
        Job job;
        bool existing = false;
    };
    // submit(), unless the owner already has a job with this user correlator (checked in the same transaction,
    // so two submits racing with one correlator store one job): then that job, unchanged. Without a user
    // correlator it is submit(). A client that lost the answer to a submit can so ask again safely.
    util::Result<SubmitOnceOutcome> submit_once(const NewJob& job);

    // nullopt when no such job; an error only when the store cannot be read.
    util::Result<std::optional<Job>> find(std::string_view jobname, std::string_view jobid);
    util::Result<std::optional<Job>> find(std::string_view jobid);
    util::Result<std::optional<Job>> find_by_correlator(std::string_view correlator);
    util::Result<std::vector<Job>> list(const ListFilter& filter);

    // Moves the oldest INPUT job to ACTIVE, unless max_active jobs are ACTIVE already; nullopt when there is
    // nothing to claim. Atomic across stores, so two workers never claim the same job.
    util::Result<std::optional<Job>> claim_next_input(int max_active);
    // ACTIVE -> OUTPUT with the retcode (CANCELED instead when a cancel was requested).
    util::Result<Job> complete(std::string_view jobid, std::string_view retcode);
    // INPUT -> OUTPUT with CANCELED; ACTIVE: records the request for the executor (see cancel_requested);
    // OUTPUT: unchanged.
    util::Result<Job> cancel(std::string_view jobid);
    util::Result<bool> cancel_requested(std::string_view jobid);
    // Removes a job that is not ACTIVE, its rows and its spool folder.
    util::Status purge(std::string_view jobid);

    util::Result<SpoolFile> add_spool_file(std::string_view jobid, const NewSpoolFile& file);
    // Appends text to a spool file (rewriting it atomically: cost grows with the file's size).
    util::Result<SpoolFile> append_spool_text(std::string_view jobid, int id, std::string_view text);
    util::Result<std::vector<SpoolFile>> spool_files(std::string_view jobid);
    // The records of a spool file, each ending in '\n'; a range past the end yields what exists.
    util::Result<std::string> read_records(std::string_view jobid, int id, std::optional<RecordRange> range = {});

    // Fails jobs a dead host left ACTIVE, removes spool folders and files no row points at.
    util::Result<RecoveryReport> recover_after_restart();

    const std::filesystem::path& state_dir() const { return m_state_dir; }

    // Grows after every change a store of this folder in this process made (a submit, a claim, a completion, a
    // cancel, a purge, a spool write, a recovery), once its transaction has ended. What was read after seeing
    // generation G is still current while generation() is G, as long as no other process writes the folder
    // (one host per folder).
    std::uint64_t generation() const { return m_generation->load(std::memory_order_acquire); }

private:
    JobStore(std::filesystem::path state_dir, const util::Clock& clock, sqlite::Database database);

    util::Result<SubmitOnceOutcome> submit_job(const NewJob& job, bool return_existing);
    std::filesystem::path spool_folder(std::string_view jobid) const;
    std::filesystem::path spool_path(std::string_view jobid, int id) const;
    std::string now_text() const;

    std::filesystem::path m_state_dir;
    const util::Clock* m_clock;
    sqlite::Database m_database;
    // One connection runs one transaction at a time; the mutex keeps threads sharing this store from
    // interleaving statements of different transactions.
    std::unique_ptr<std::mutex> m_mutex;
    std::shared_ptr<std::atomic<std::uint64_t>> m_generation;  // shared by the process's stores of this folder
    // Connections of their own for the lookups of one job (status polls, the host's hot path), each with its
    // statements prepared once: in WAL mode they read while the main connection writes, and polls from many
    // threads do not queue behind one mutex. Null when they could not be opened (lookups then use the main one).
    struct Readers;
    std::shared_ptr<Readers> m_readers;
};

}  // namespace greenlight::bridge
