// The transaction guard: BEGIN IMMEDIATE, COMMIT, and ROLLBACK unless committed.
#pragma once

#include "greenlight/sqlite/database.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::sqlite {

// BEGIN IMMEDIATE takes the write lock up front: a transaction that reads and then writes cannot deadlock with
// another connection doing the same, and the second one waits (the busy timeout) instead of failing halfway.
// Rolls back when it goes out of scope uncommitted, so every early return of an error undoes the work.
class Transaction {
public:
    explicit Transaction(Database& database) : m_database(database) {}
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    util::Status begin();
    util::Status commit();

private:
    Database& m_database;
    bool m_open = false;
};

}  // namespace greenlight::sqlite
