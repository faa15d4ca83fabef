// Restart recovery of the job store: jobs a dead host left ACTIVE end with SYS FAIL, and spool folders and
// files no row points at are removed.
#include "greenlight/bridge/job_store.hpp"

#include <fmt/format.h>

#include <charconv>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "greenlight/bridge/job_rows.hpp"
#include "greenlight/sqlite/transaction.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::bridge {

namespace {

using util::make_error;
using util::Result;
using util::Status;

}  // namespace

Result<RecoveryReport> JobStore::recover_after_restart() {
    job_rows::ChangeMark changed(*m_generation);
    std::lock_guard lock(*m_mutex);
    sqlite::Database& database = m_database;
    RecoveryReport report;
    {
        sqlite::Transaction transaction(database);
        if (Status begun = transaction.begin(); !begun) return begun.error();
        sqlite::Statement active(database, "SELECT jobid FROM jobs WHERE status = 'ACTIVE' ORDER BY number");
        while (true) {
            auto row = active.step();
            if (!row) return row.error();
            if (!*row) break;
            report.failed_jobs.push_back(active.text(0));
        }
        for (const std::string& jobid : report.failed_jobs) {
            // The dead host may have written spool content whose new counts never committed: count again.
            sqlite::Statement files(database, "SELECT id FROM spool_files WHERE jobid = ?");
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
                sqlite::Statement recount(database,
                                          "UPDATE spool_files SET record_count = ?, byte_count = ? "
                                          "WHERE jobid = ? AND id = ?");
                recount.bind(1, job_rows::count_records(text))
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
            auto existing = job_rows::load_spool_file(database, jobid, k_jesmsglg_id);
            if (!existing) return existing.error();
            if (!*existing) {
                sqlite::Statement insert(database,
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
                job_rows::append_in_transaction(database, spool_path(jobid, k_jesmsglg_id), jobid, k_jesmsglg_id, line);
            if (!appended) return appended.error();

            if (Status updated = job_rows::move_to_output(database, jobid, "SYS FAIL", ended); !updated)
                return updated.error();
        }
        if (Status committed = transaction.commit(); !committed) return committed.error();
    }

    // Folders and files no row points at: purges interrupted after their commit, submits and spool writes
    // interrupted before theirs, temporary files of interrupted atomic writes.
    std::set<std::pair<std::string, int>> known_files;
    std::set<std::string> known_jobs;
    {
        sqlite::Statement statement(database, "SELECT jobid, id FROM spool_files");
        while (true) {
            auto row = statement.step();
            if (!row) return row.error();
            if (!*row) break;
            known_files.emplace(statement.text(0), static_cast<int>(statement.integer(1)));
        }
        sqlite::Statement jobs(database, "SELECT jobid FROM jobs");
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
