// A prepared statement: bind parameters, step through rows, read columns; finalized when it goes out of scope.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "greenlight/sqlite/database.hpp"
#include "greenlight/util/result.hpp"

struct sqlite3_stmt;

namespace greenlight::sqlite {

// Whether a statement runs once or is kept and run many times (SQLite then plans it for keeping).
enum class Reuse { once, many };

// What a column of the current row holds.
enum class ColumnType { integer, real, text, blob, null };

// A failure to prepare or to bind is kept and reported by the next step() or run(), so a statement and its
// bindings read as one sentence and are checked once. The database must outlive the statement.
class Statement {
public:
    Statement(const Database& database, std::string_view sql, Reuse reuse = Reuse::once);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    ~Statement();

    // Parameters count from 1. Text is copied.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t number);
    Statement& bind(int index, double number);
    Statement& bind_null(int index);
    Statement& bind_optional(int index, const std::optional<std::string>& text);

    // false once preparing or a binding failed; error() then says why.
    bool ok() const { return !m_error.has_value(); }
    const util::Error& error() const { return *m_error; }
    // SQLite's result code of the last failure (prepare, bind or step); SQLITE_OK when none.
    int result_code() const { return m_result_code; }

    // true when a row is ready, false when the statement is done.
    util::Result<bool> step();
    // For statements that return no rows.
    util::Status run();
    // Ends the statement (a read that did not read every row holds its snapshot, and COMMIT refuses to run
    // while a statement is in progress), clears its bindings and a failed binding, so it can run again.
    void reset();

    // The columns of the current row, counted from 0.
    int column_count() const;
    ColumnType column_type(int column) const;
    std::string text(int column) const;  // "" for NULL
    std::optional<std::string> optional_text(int column) const;
    std::int64_t integer(int column) const;  // 0 for NULL
    double real(int column) const;           // 0 for NULL

private:
    void fail(int result_code, std::string_view what);

    const Database* m_database;
    sqlite3_stmt* m_statement = nullptr;
    std::optional<util::Error> m_error;
    int m_result_code = 0;
};

}  // namespace greenlight::sqlite
