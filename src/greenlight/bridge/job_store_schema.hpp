// The job store's schema: the SQLite tables of jobs and spool files, as migration steps (see docs/BRIDGE.md).
#pragma once

#include "greenlight/sqlite/database.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// Brings a job store's database up to this build's schema (sqlite::migrate, by PRAGMA user_version).
util::Status migrate_job_store(sqlite::Database& database);

}  // namespace greenlight::bridge
