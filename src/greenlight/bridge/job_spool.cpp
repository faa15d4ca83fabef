// The job store's spool files: adding one, appending to one, listing a job's, and reading records.
#include "greenlight/bridge/job_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <system_error>

#include "greenlight/bridge/job_rows.hpp"
#include "greenlight/bridge/names.hpp"
#include "greenlight/sqlite/transaction.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bridge {

namespace {

using util::make_error;
using util::Result;
using util::Status;

std::optional<int> reserved_spool_id(std::string_view ddname) {
    if (ddname == "JESMSGLG") return k_jesmsglg_id;
    if (ddname == "JESJCL") return k_jesjcl_id;
    if (ddname == "JESYSMSG") return k_jesysmsg_id;
    return std::nullopt;
}

}  // namespace

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
    if (!job_rows::is_class_name(file.output_class)) {
        return make_error(
            fmt::format("output class '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $", file.output_class));
    }

    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    sqlite::Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    if (auto job = job_rows::load_existing_job(database, jobid); !job) return job.error();

    int id = 0;
    if (auto reserved = reserved_spool_id(file.ddname)) {
        id = *reserved;
        auto existing = job_rows::load_spool_file(database, jobid, id);
        if (!existing) return existing.error();
        if (*existing) {
            return make_error(fmt::format("job {} already has {}; append to it instead", jobid, file.ddname));
        }
    } else {
        sqlite::Statement highest(database, "SELECT coalesce(max(id), 0) FROM spool_files WHERE jobid = ?");
        highest.bind(1, jobid);
        if (auto row = highest.step(); !row) return row.error();
        id = std::max<int>(static_cast<int>(highest.integer(0)) + 1, k_first_user_spool_id);
    }

    std::filesystem::path path = spool_path(jobid, id);
    if (Status written = job_rows::write_spool_content(path, file.content); !written) return written.error();
    const auto finish = [&]() -> Status {
        sqlite::Statement insert(database,
                                 "INSERT INTO spool_files (jobid, id, ddname, stepname, procstep, output_class, "
                                 "record_count, byte_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, jobid)
            .bind(2, std::int64_t{id})
            .bind(3, file.ddname)
            .bind(4, file.stepname)
            .bind_optional(5, file.procstep)
            .bind(6, file.output_class)
            .bind(7, job_rows::count_records(file.content))
            .bind(8, static_cast<std::int64_t>(file.content.size()));
        if (Status inserted = insert.run(); !inserted) return inserted;
        return transaction.commit();
    };
    if (Status finished = finish(); !finished) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        return finished.error();
    }
    auto stored = job_rows::load_spool_file(database, jobid, id);
    if (!stored) return stored.error();
    if (!*stored) return make_error(fmt::format("job {} was purged while spool file {} was added", jobid, id));
    return std::move(**stored);
}

Result<SpoolFile> JobStore::append_spool_text(std::string_view jobid, int id, std::string_view text) {
    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    sqlite::Transaction transaction(database);
    if (Status begun = transaction.begin(); !begun) return begun.error();
    auto file = job_rows::append_in_transaction(database, spool_path(jobid, id), jobid, id, text);
    if (!file) return file;
    if (Status committed = transaction.commit(); !committed) return committed.error();
    return file;
}

Result<std::vector<SpoolFile>> JobStore::spool_files(std::string_view jobid) {
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    if (auto job = job_rows::load_existing_job(database, jobid); !job) return job.error();
    sqlite::Statement statement(database, fmt::format("{} WHERE s.jobid = ? ORDER BY s.id", job_rows::k_spool_select));
    statement.bind(1, jobid);
    std::vector<SpoolFile> files;
    while (true) {
        auto row = statement.step();
        if (!row) return row.error();
        if (!*row) break;
        files.push_back(job_rows::read_spool_file(statement));
    }
    return files;
}

Result<std::string> JobStore::read_records(std::string_view jobid, int id, std::optional<RecordRange> range) {
    std::string content;
    {
        // Held while reading, so a purge cannot remove the file between the row check and the read.
        std::lock_guard lock(*m_mutex);
        auto file = job_rows::load_spool_file(m_database, jobid, id);
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

}  // namespace greenlight::bridge
