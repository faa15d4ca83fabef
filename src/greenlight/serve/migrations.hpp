// The server's schema as a numbered list of migrations, the same list for SQLite and PostgreSQL, applied
// when the store opens and recorded in `schema_migrations(version, applied_at)`.
#pragma once

#include "greenlight/serve/database.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// The schema version this build creates and understands.
int latest_schema_version();

// Applies the migrations the database lacks, in one transaction. Safe to run again (nothing happens) and
// from two servers at once on one PostgreSQL (an advisory lock lets one apply while the other waits). A
// database at a version newer than this build knows is an error naming both versions.
util::Status apply_migrations(Database& database, const util::Clock& clock);

}  // namespace greenlight::serve
