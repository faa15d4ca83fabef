// The transaction guard.
#include "greenlight/sqlite/transaction.hpp"

#include <sqlite3.h>

namespace greenlight::sqlite {

Transaction::~Transaction() {
    if (m_open) sqlite3_exec(m_database.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

util::Status Transaction::begin() {
    util::Status status = exec(m_database, "BEGIN IMMEDIATE");
    m_open = status.ok();
    return status;
}

util::Status Transaction::commit() {
    util::Status status = exec(m_database, "COMMIT");
    // A failed COMMIT may leave the transaction open; the destructor then rolls it back.
    if (status) m_open = false;
    return status;
}

}  // namespace greenlight::sqlite
