// Schema migrations by `PRAGMA user_version`.
#include "greenlight/sqlite/migrate.hpp"

#include <fmt/format.h>

#include <cstddef>

#include "greenlight/sqlite/statement.hpp"
#include "greenlight/sqlite/transaction.hpp"

namespace greenlight::sqlite {

util::Status migrate(Database& database, std::span<const std::string_view> steps) {
    Transaction transaction(database);
    if (util::Status begun = transaction.begin(); !begun) return begun;
    Statement read_version(database, "PRAGMA user_version");
    auto row = read_version.step();
    if (!row) return row.error();
    auto version = static_cast<std::size_t>(read_version.integer(0));
    read_version.reset();
    if (version > steps.size()) {
        return util::make_error(
            fmt::format("{}: the database has schema version {}, this greenlight knows up to {}; use the greenlight "
                        "that wrote it, or a newer one",
                        database.path().string(), version, steps.size()));
    }
    for (; version < steps.size(); ++version) {
        if (util::Status applied = exec(database, steps[version]); !applied) {
            return util::make_error(
                fmt::format("schema step {} of {}: {}", version + 1, steps.size(), applied.message()));
        }
    }
    if (util::Status set = exec(database, fmt::format("PRAGMA user_version = {}", version)); !set) return set;
    return transaction.commit();
}

}  // namespace greenlight::sqlite
