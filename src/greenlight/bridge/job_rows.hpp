// The job store's shared internals, not part of its API: z/OSMF's phases, the rows of the jobs and spool_files
// tables read and written inside a caller's transaction, and the spool content on disk those rows point at.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/sqlite/database.hpp"
#include "greenlight/sqlite/statement.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge::job_rows {

// z/OSMF's phase numbers and names for the three queues.
inline constexpr int k_input_phase = 10;
inline constexpr std::string_view k_input_phase_name = "Job is queued for execution";
inline constexpr int k_active_phase = 14;
inline constexpr std::string_view k_active_phase_name = "Job is actively executing";
inline constexpr int k_output_phase = 20;
inline constexpr std::string_view k_output_phase_name = "Job is on the hard copy queue";

// The columns read_job reads, in its order.
inline constexpr std::string_view k_job_columns =
    "jobid, jobname, owner, status, job_class, retcode, phase, phase_name, correlator, user_correlator, "
    "submitted, started, ended, cancel_requested";

// The columns read_spool_file reads, in its order; a WHERE clause follows.
inline constexpr std::string_view k_spool_select =
    "SELECT s.jobid, j.jobname, j.correlator, s.id, s.ddname, s.stepname, s.procstep, s.output_class, "
    "s.record_count, s.byte_count FROM spool_files s JOIN jobs j ON j.jobid = s.jobid ";

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

// A job row selected with k_job_columns.
Job read_job(const sqlite::Statement& row);
// The job whose `column` (jobid or correlator) is `value`; nullopt when there is none.
util::Result<std::optional<Job>> load_job(sqlite::Database& database, std::string_view column, std::string_view value);
// The job, or an error a user can act on when there is none.
util::Result<Job> load_existing_job(sqlite::Database& database, std::string_view jobid);
// Puts a job on the hard-copy queue with its return code: the one way a job reaches OUTPUT.
util::Status move_to_output(sqlite::Database& database, std::string_view jobid, std::string_view retcode,
                            const std::string& ended);

// A spool file row selected with k_spool_select.
SpoolFile read_spool_file(const sqlite::Statement& row);
util::Result<std::optional<SpoolFile>> load_spool_file(sqlite::Database& database, std::string_view jobid, int id);

// Records are lines; a last line without '\n' still counts.
std::int64_t count_records(std::string_view content);
// Writes spool content so that it survives a power loss once the row that points at it has committed.
util::Status write_spool_content(const std::filesystem::path& path, std::string_view content);
// Appends to a spool file within the caller's transaction: content first, then the counts.
util::Result<SpoolFile> append_in_transaction(sqlite::Database& database, const std::filesystem::path& path,
                                              std::string_view jobid, int id, std::string_view text);

// A job class or output class: 1 to 8 of A-Z 0-9 @ # $.
bool is_class_name(std::string_view text);

}  // namespace greenlight::bridge::job_rows
