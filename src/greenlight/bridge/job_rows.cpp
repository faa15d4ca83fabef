// The job store's rows (jobs, spool_files) and the spool content they point at; see job_rows.hpp.
#include "greenlight/bridge/job_rows.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "greenlight/util/fs.hpp"

namespace greenlight::bridge::job_rows {

namespace {

using util::make_error;
using util::Result;
using util::Status;

std::optional<JobStatus> parse_status(std::string_view text) {
    if (text == "INPUT") return JobStatus::input;
    if (text == "ACTIVE") return JobStatus::active;
    if (text == "OUTPUT") return JobStatus::output;
    return std::nullopt;
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

}  // namespace

Job read_job(const sqlite::Statement& row) {
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

Result<std::optional<Job>> load_job(sqlite::Database& database, std::string_view column, std::string_view value) {
    sqlite::Statement statement(database, fmt::format("SELECT {} FROM jobs WHERE {} = ?", k_job_columns, column));
    statement.bind(1, value);
    auto row = statement.step();
    if (!row) return row.error();
    if (!*row) return std::optional<Job>();
    return std::optional<Job>(read_job(statement));
}

Result<Job> load_existing_job(sqlite::Database& database, std::string_view jobid) {
    auto job = load_job(database, "jobid", jobid);
    if (!job) return job.error();
    if (!*job) return make_error(fmt::format("job {} not found", jobid));
    return std::move(**job);
}

Status move_to_output(sqlite::Database& database, std::string_view jobid, std::string_view retcode,
                      const std::string& ended) {
    sqlite::Statement update(database,
                             "UPDATE jobs SET status = 'OUTPUT', retcode = ?, phase = ?, phase_name = ?, ended = ? "
                             "WHERE jobid = ?");
    update.bind(1, retcode).bind(2, std::int64_t{k_output_phase}).bind(3, k_output_phase_name).bind(4, ended);
    update.bind(5, jobid);
    return update.run();
}

SpoolFile read_spool_file(const sqlite::Statement& row) {
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

Result<std::optional<SpoolFile>> load_spool_file(sqlite::Database& database, std::string_view jobid, int id) {
    sqlite::Statement statement(database, fmt::format("{} WHERE s.jobid = ? AND s.id = ?", k_spool_select));
    statement.bind(1, jobid).bind(2, std::int64_t{id});
    auto row = statement.step();
    if (!row) return row.error();
    if (!*row) return std::optional<SpoolFile>();
    return std::optional<SpoolFile>(read_spool_file(statement));
}

std::int64_t count_records(std::string_view content) {
    auto lines = static_cast<std::int64_t>(std::count(content.begin(), content.end(), '\n'));
    if (!content.empty() && content.back() != '\n') ++lines;
    return lines;
}

// The file is synced by write_file_atomic, its name in the job folder here, and a new job folder's name in
// spool/.
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

Result<SpoolFile> append_in_transaction(sqlite::Database& database, const std::filesystem::path& path,
                                        std::string_view jobid, int id, std::string_view text) {
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
    sqlite::Statement update(database,
                             "UPDATE spool_files SET record_count = ?, byte_count = ? WHERE jobid = ? AND id = ?");
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

bool is_class_name(std::string_view text) {
    return !text.empty() && text.size() <= 8 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$';
    });
}

}  // namespace greenlight::bridge::job_rows
