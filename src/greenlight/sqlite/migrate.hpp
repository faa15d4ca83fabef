// Schema migrations counted by `PRAGMA user_version`: a numbered list of steps, each run once per database.
#pragma once

#include <span>
#include <string_view>

#include "greenlight/sqlite/database.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::sqlite {

// Brings the schema forward: runs the steps user_version has not counted yet, in order, and sets user_version
// to the number of steps, all in one transaction, so a step that fails leaves the schema and user_version as
// they were. A database that counts more steps than given (written by a newer greenlight) is an error naming
// both numbers. Each step is SQL without parameters; never edit a step that has shipped: add a new one.
util::Status migrate(Database& database, std::span<const std::string_view> steps);

}  // namespace greenlight::sqlite
