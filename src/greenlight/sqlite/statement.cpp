// The prepared statement: preparing, binding, stepping and reading columns, with failures kept for step().
#include "greenlight/sqlite/statement.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <utility>

namespace greenlight::sqlite {

Statement::Statement(const Database& database, std::string_view sql, Reuse reuse) : m_database(&database) {
    unsigned int flags = reuse == Reuse::many ? SQLITE_PREPARE_PERSISTENT : 0;
    int code =
        sqlite3_prepare_v3(database.handle(), sql.data(), static_cast<int>(sql.size()), flags, &m_statement, nullptr);
    if (code != SQLITE_OK) fail(code, "cannot prepare a statement");
}

Statement::Statement(Statement&& other) noexcept
    : m_database(other.m_database),
      m_statement(std::exchange(other.m_statement, nullptr)),
      m_error(std::move(other.m_error)),
      m_result_code(other.m_result_code) {}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(m_statement);
        m_database = other.m_database;
        m_statement = std::exchange(other.m_statement, nullptr);
        m_error = std::move(other.m_error);
        m_result_code = other.m_result_code;
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(m_statement);
}

void Statement::fail(int result_code, std::string_view what) {
    m_result_code = result_code;
    m_error = m_database->error(what);
}

Statement& Statement::bind(int index, std::string_view text) {
    if (ok()) {
        int code = sqlite3_bind_text64(m_statement, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        if (code != SQLITE_OK) fail(code, fmt::format("cannot bind parameter {}", index));
    }
    return *this;
}

Statement& Statement::bind(int index, std::int64_t number) {
    if (ok()) {
        int code = sqlite3_bind_int64(m_statement, index, number);
        if (code != SQLITE_OK) fail(code, fmt::format("cannot bind parameter {}", index));
    }
    return *this;
}

Statement& Statement::bind(int index, double number) {
    if (ok()) {
        int code = sqlite3_bind_double(m_statement, index, number);
        if (code != SQLITE_OK) fail(code, fmt::format("cannot bind parameter {}", index));
    }
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (ok()) {
        int code = sqlite3_bind_null(m_statement, index);
        if (code != SQLITE_OK) fail(code, fmt::format("cannot bind parameter {}", index));
    }
    return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::string>& text) {
    if (text) return bind(index, std::string_view(*text));
    return bind_null(index);
}

util::Result<bool> Statement::step() {
    if (!ok()) return *m_error;
    int code = sqlite3_step(m_statement);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    fail(code, "statement failed");
    return *m_error;
}

util::Status Statement::run() {
    auto stepped = step();
    if (!stepped) return stepped.error();
    return {};
}

void Statement::reset() {
    if (!m_statement) return;  // never prepared: the failure stays
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    m_error.reset();
    m_result_code = SQLITE_OK;
}

int Statement::column_count() const {
    return sqlite3_column_count(m_statement);
}

ColumnType Statement::column_type(int column) const {
    switch (sqlite3_column_type(m_statement, column)) {
        case SQLITE_INTEGER:
            return ColumnType::integer;
        case SQLITE_FLOAT:
            return ColumnType::real;
        case SQLITE_BLOB:
            return ColumnType::blob;
        case SQLITE_NULL:
            return ColumnType::null;
        default:
            return ColumnType::text;
    }
}

std::string Statement::text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(m_statement, column));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, column)))
                : std::string();
}

std::optional<std::string> Statement::optional_text(int column) const {
    if (sqlite3_column_type(m_statement, column) == SQLITE_NULL) return std::nullopt;
    return text(column);
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(m_statement, column);
}

double Statement::real(int column) const {
    return sqlite3_column_double(m_statement, column);
}

}  // namespace greenlight::sqlite
