// The store's promotions: go/no-go decisions and promotion attempts, recorded with the server's time and read
// back newest first, filtered by environment and commit.
#include <fmt/format.h>

#include <algorithm>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using detail::json_list;
using detail::parse_json_list;
using util::Result;

constexpr std::string_view k_decision_columns =
    "id, environment, commit_sha, decision, reason, decided_by, token, at_ms";
constexpr std::string_view k_attempt_columns =
    "id, environment, commit_sha, verdict, reasons, evidence, attempted_by, token, at_ms";

PromotionDecision read_decision(const QueryResult& rows, std::size_t row) {
    PromotionDecision decision;
    decision.id = rows.integer(row, 0);
    decision.environment = rows.text(row, 1);
    decision.commit = rows.text(row, 2);
    decision.decision = parse_promotion_verdict(rows.text(row, 3)).value_or(PromotionVerdict::no_go);
    decision.reason = rows.text(row, 4);
    decision.by = rows.text(row, 5);
    decision.token = rows.text(row, 6);
    decision.at = from_milliseconds(rows.integer(row, 7));
    return decision;
}

PromotionAttempt read_attempt(const QueryResult& rows, std::size_t row) {
    PromotionAttempt attempt;
    attempt.id = rows.integer(row, 0);
    attempt.environment = rows.text(row, 1);
    attempt.commit = rows.text(row, 2);
    attempt.verdict = parse_promotion_verdict(rows.text(row, 3)).value_or(PromotionVerdict::no_go);
    attempt.reasons = parse_json_list(rows.text(row, 4));
    attempt.evidence = parse_json_list(rows.text(row, 5));
    attempt.by = rows.text(row, 6);
    attempt.token = rows.text(row, 7);
    attempt.at = from_milliseconds(rows.integer(row, 8));
    return attempt;
}

// SELECT ... FROM table WHERE <the filter> ORDER BY newest first LIMIT, every value a parameter.
std::string filtered_query(std::string_view columns, std::string_view table, const PromotionFilter& filter,
                           std::vector<SqlParameter>& parameters) {
    std::string sql = fmt::format("SELECT {} FROM {} WHERE 1 = 1", columns, table);
    auto equal = [&](std::string_view column, const std::optional<std::string>& value) {
        if (!value) return;
        parameters.emplace_back(*value);
        sql += fmt::format(" AND {} = ${}", column, parameters.size());
    };
    equal("environment", filter.environment);
    equal("commit_sha", filter.commit);
    parameters.emplace_back(std::min(filter.limit, detail::k_max_page));
    sql += fmt::format(" ORDER BY at_ms DESC, id DESC LIMIT ${}", parameters.size());
    return sql;
}

}  // namespace

Result<PromotionDecision> Store::add_promotion_decision(PromotionDecision decision) {
    decision.at = m_clock.now();
    return in_transaction<PromotionDecision>(
        *m_database, TransactionMode::write, [&](Connection& connection) -> Result<PromotionDecision> {
            auto inserted = connection.query(
                "INSERT INTO promotion_decisions (environment, commit_sha, decision, reason, decided_by, token, at_ms) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                {decision.environment, decision.commit, to_string(decision.decision), decision.reason, decision.by,
                 decision.token, to_milliseconds(decision.at)});
            if (!inserted) return inserted.error();
            PromotionDecision stored = decision;
            if (!inserted->empty()) stored.id = inserted->integer(0, 0);
            return stored;
        });
}

Result<PromotionAttempt> Store::add_promotion_attempt(PromotionAttempt attempt) {
    attempt.at = m_clock.now();
    return in_transaction<PromotionAttempt>(
        *m_database, TransactionMode::write, [&](Connection& connection) -> Result<PromotionAttempt> {
            auto inserted = connection.query(
                "INSERT INTO promotion_attempts (environment, commit_sha, verdict, reasons, evidence, attempted_by, "
                "token, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                {attempt.environment, attempt.commit, to_string(attempt.verdict), json_list(attempt.reasons),
                 json_list(attempt.evidence), attempt.by, attempt.token, to_milliseconds(attempt.at)});
            if (!inserted) return inserted.error();
            PromotionAttempt stored = attempt;
            if (!inserted->empty()) stored.id = inserted->integer(0, 0);
            return stored;
        });
}

Result<std::vector<PromotionDecision>> Store::promotion_decisions(const PromotionFilter& filter) {
    using Decisions = std::vector<PromotionDecision>;
    return in_transaction<Decisions>(
        *m_database, TransactionMode::read, [&](Connection& connection) -> Result<Decisions> {
            std::vector<SqlParameter> parameters;
            std::string sql = filtered_query(k_decision_columns, "promotion_decisions", filter, parameters);
            auto rows = connection.execute(sql, parameters);
            if (!rows) return rows.error();
            Decisions decisions;
            for (std::size_t row = 0; row < rows->size(); ++row) decisions.push_back(read_decision(*rows, row));
            return decisions;
        });
}

Result<std::vector<PromotionAttempt>> Store::promotion_attempts(const PromotionFilter& filter) {
    using Attempts = std::vector<PromotionAttempt>;
    return in_transaction<Attempts>(
        *m_database, TransactionMode::read, [&](Connection& connection) -> Result<Attempts> {
            std::vector<SqlParameter> parameters;
            std::string sql = filtered_query(k_attempt_columns, "promotion_attempts", filter, parameters);
            auto rows = connection.execute(sql, parameters);
            if (!rows) return rows.error();
            Attempts attempts;
            for (std::size_t row = 0; row < rows->size(); ++row) attempts.push_back(read_attempt(*rows, row));
            return attempts;
        });
}

}  // namespace greenlight::serve
