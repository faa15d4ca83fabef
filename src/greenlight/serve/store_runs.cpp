// The store's runs: storing a pushed run with its suites and cases, reading and listing runs, and the flaky
// tests and duration trend read from them.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using detail::k_max_page;
using util::make_error;
using util::Result;
using util::Status;

// Rows per INSERT when a run brings many suites or cases: few round trips, far below SQLite's limit of
// 32766 parameters.
constexpr std::size_t k_rows_per_insert = 100;
constexpr std::string_view k_run_columns =
    "run_id, project, tier, verdict, started_ms, ended_ms, duration_seconds, git_sha, branch, received_ms, has_bundle";
constexpr std::string_view k_summary_columns =
    "run_id, project, tier, verdict, started_ms, duration_seconds, git_sha, branch, has_bundle";

// The verdict column holds the verdict's name (verdict::to_string); only names ingest accepted are stored, so
// another name means the database was written by something else.
Result<verdict::Verdict> read_verdict(const std::string& text, std::string_view run_id) {
    if (auto known = verdict::parse_verdict(text)) return *known;
    return make_error(
        fmt::format("run '{}': the database holds the verdict '{}', which greenlight does not know", run_id, text));
}

Result<RunSummary> read_summary(const QueryResult& rows, std::size_t row) {
    RunSummary summary;
    summary.run_id = rows.text(row, 0);
    summary.project = rows.text(row, 1);
    summary.tier = rows.text(row, 2);
    auto verdict = read_verdict(rows.text(row, 3), summary.run_id);
    if (!verdict) return verdict.error();
    summary.verdict = *verdict;
    summary.started = from_milliseconds(rows.integer(row, 4));
    summary.duration_seconds = rows.real(row, 5);
    summary.git_sha = rows.text(row, 6);
    summary.branch = rows.text(row, 7);
    summary.has_bundle = rows.integer(row, 8) != 0;
    return summary;
}

// Inserts rows of `columns` values each, many rows per statement.
Status insert_rows(Connection& connection, std::string_view table_and_columns, std::size_t columns,
                   const std::vector<SqlParameter>& values) {
    const std::size_t rows = values.size() / columns;
    for (std::size_t first = 0; first < rows; first += k_rows_per_insert) {
        std::size_t count = std::min(k_rows_per_insert, rows - first);
        std::string sql = fmt::format("INSERT INTO {} VALUES ", table_and_columns);
        for (std::size_t row = 0; row < count; ++row) {
            sql += row == 0 ? "(" : ", (";
            for (std::size_t column = 0; column < columns; ++column) {
                sql += fmt::format("{}${}", column == 0 ? "" : ", ", row * columns + column + 1);
            }
            sql += ")";
        }
        auto inserted =
            connection.execute(sql, std::span<const SqlParameter>(values.data() + first * columns, count * columns));
        if (!inserted) return inserted.error();
    }
    return {};
}

}  // namespace

Result<bool> Store::put_run(const RunRecord& run) {
    if (run.run_id.empty()) return make_error("a run without a run_id cannot be stored: every run needs its id");
    const std::int64_t received = to_milliseconds(m_clock.now());
    return in_transaction<bool>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<bool> {
        auto inserted =
            connection.query(fmt::format("INSERT INTO runs ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                                         "ON CONFLICT (run_id) DO NOTHING",
                                         k_run_columns),
                             {run.run_id, run.project, run.tier, verdict::to_string(run.verdict),
                              to_milliseconds(run.started), to_milliseconds(run.ended), run.duration_seconds,
                              run.git_sha, run.branch, received, run.has_bundle ? 1 : 0});
        if (!inserted) return inserted.error();
        if (inserted->affected() == 0) return false;
        std::vector<SqlParameter> suites;
        for (std::size_t i = 0; i < run.suites.size(); ++i) {
            const SuiteRecord& suite = run.suites[i];
            suites.insert(suites.end(),
                          {run.run_id, i, suite.name, verdict::to_string(suite.verdict), suite.tests, suite.failures,
                           suite.errors, suite.skipped, suite.duration_seconds, suite.attempts});
        }
        auto stored = insert_rows(connection,
                                  "suites (run_id, position, name, verdict, tests, failures, errors, skipped, "
                                  "duration_seconds, attempts)",
                                  10, suites);
        if (!stored) return stored.error();
        std::vector<SqlParameter> cases;
        for (std::size_t i = 0; i < run.cases.size(); ++i) {
            const TestCaseRecord& test = run.cases[i];
            cases.insert(cases.end(), {run.run_id, i, test.suite, test.classname, test.name, test.outcome,
                                       test.duration_seconds, test.output_excerpt});
        }
        stored = insert_rows(connection,
                             "test_cases (run_id, position, suite, classname, name, outcome, duration_seconds, "
                             "output_excerpt)",
                             8, cases);
        if (!stored) return stored.error();
        return true;
    });
}

Result<std::optional<RunRecord>> Store::run(std::string_view run_id) {
    using Found = std::optional<RunRecord>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query(fmt::format("SELECT {} FROM runs WHERE run_id = $1", k_run_columns), {run_id});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        RunRecord run;
        run.run_id = rows->text(0, 0);
        run.project = rows->text(0, 1);
        run.tier = rows->text(0, 2);
        auto verdict = read_verdict(rows->text(0, 3), run.run_id);
        if (!verdict) return verdict.error();
        run.verdict = *verdict;
        run.started = from_milliseconds(rows->integer(0, 4));
        run.ended = from_milliseconds(rows->integer(0, 5));
        run.duration_seconds = rows->real(0, 6);
        run.git_sha = rows->text(0, 7);
        run.branch = rows->text(0, 8);
        run.received = from_milliseconds(rows->integer(0, 9));
        run.has_bundle = rows->integer(0, 10) != 0;
        auto suites = connection.query(
            "SELECT name, verdict, tests, failures, errors, skipped, duration_seconds, attempts FROM suites "
            "WHERE run_id = $1 ORDER BY position",
            {run_id});
        if (!suites) return suites.error();
        for (std::size_t row = 0; row < suites->size(); ++row) {
            SuiteRecord suite;
            suite.name = suites->text(row, 0);
            auto suite_verdict = read_verdict(suites->text(row, 1), run.run_id);
            if (!suite_verdict) return suite_verdict.error();
            suite.verdict = *suite_verdict;
            suite.tests = suites->integer(row, 2);
            suite.failures = suites->integer(row, 3);
            suite.errors = suites->integer(row, 4);
            suite.skipped = suites->integer(row, 5);
            suite.duration_seconds = suites->real(row, 6);
            suite.attempts = static_cast<int>(suites->integer(row, 7));
            run.suites.push_back(std::move(suite));
        }
        auto cases = connection.query(
            "SELECT suite, classname, name, outcome, duration_seconds, output_excerpt FROM test_cases "
            "WHERE run_id = $1 ORDER BY position",
            {run_id});
        if (!cases) return cases.error();
        for (std::size_t row = 0; row < cases->size(); ++row) {
            TestCaseRecord test;
            test.suite = cases->text(row, 0);
            test.classname = cases->text(row, 1);
            test.name = cases->text(row, 2);
            test.outcome = cases->text(row, 3);
            test.duration_seconds = cases->real(row, 4);
            test.output_excerpt = cases->text(row, 5);
            run.cases.push_back(std::move(test));
        }
        return Found(std::move(run));
    });
}

Result<std::vector<RunSummary>> Store::runs(const RunFilter& filter) {
    using Summaries = std::vector<RunSummary>;
    return in_transaction<Summaries>(
        *m_database, TransactionMode::read, [&](Connection& connection) -> Result<Summaries> {
            // The WHERE clause grows with the filters given; every value still travels as a parameter.
            std::string sql = fmt::format("SELECT {} FROM runs WHERE 1 = 1", k_summary_columns);
            std::vector<SqlParameter> parameters;
            auto equal = [&](std::string_view column, const std::optional<std::string>& value) {
                if (!value) return;
                parameters.emplace_back(*value);
                sql += fmt::format(" AND {} = ${}", column, parameters.size());
            };
            equal("project", filter.project);
            equal("tier", filter.tier);
            equal("verdict", filter.verdict);
            equal("branch", filter.branch);
            equal("git_sha", filter.commit);
            if (filter.before_run_id) {
                auto before =
                    connection.query("SELECT started_ms FROM runs WHERE run_id = $1", {*filter.before_run_id});
                if (!before) return before.error();
                if (before->empty()) {
                    return make_error(fmt::format("no run '{}' to page from (before=): start again from the first page",
                                                  *filter.before_run_id));
                }
                parameters.emplace_back(before->integer(0, 0));
                parameters.emplace_back(*filter.before_run_id);
                sql += fmt::format(" AND (started_ms < ${0} OR (started_ms = ${0} AND run_id < ${1}))",
                                   parameters.size() - 1, parameters.size());
            }
            parameters.emplace_back(std::min(filter.limit, k_max_page));
            sql += fmt::format(" ORDER BY started_ms DESC, run_id DESC LIMIT ${}", parameters.size());
            auto rows = connection.execute(sql, parameters);
            if (!rows) return rows.error();
            Summaries summaries;
            for (std::size_t row = 0; row < rows->size(); ++row) {
                auto summary = read_summary(*rows, row);
                if (!summary) return summary.error();
                summaries.push_back(std::move(*summary));
            }
            return summaries;
        });
}

Result<std::int64_t> Store::run_count() {
    return in_transaction<std::int64_t>(*m_database, TransactionMode::read,
                                        [&](Connection& connection) -> Result<std::int64_t> {
                                            auto rows = connection.query("SELECT COUNT(*) FROM runs");
                                            if (!rows) return rows.error();
                                            return rows->integer(0, 0);
                                        });
}

Status Store::set_bundle_stored(std::string_view run_id) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE runs SET has_bundle = 1 WHERE run_id = $1", {run_id});
        if (!updated) return updated.error();
        if (updated->affected() == 0) {
            return make_error(fmt::format("no run '{}' to attach a bundle to: push the run's summary first", run_id));
        }
        return {};
    });
}

Result<std::vector<FlakyTest>> Store::flaky_tests(std::optional<std::string> tier, int last_runs, std::size_t limit) {
    using Flaky = std::vector<FlakyTest>;
    return in_transaction<Flaky>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Flaky> {
        // The last N runs of each tier (or of the one tier asked for).
        std::string recent = fmt::format(
            "SELECT run_id, tier, started_ms FROM (SELECT run_id, tier, started_ms, ROW_NUMBER() OVER "
            "(PARTITION BY tier ORDER BY started_ms DESC, run_id DESC) AS position FROM runs{}) ranked "
            "WHERE position <= $1",
            tier ? " WHERE tier = $2" : "");
        std::vector<SqlParameter> parameters{SqlParameter(std::max(last_runs, 1))};
        if (tier) parameters.emplace_back(*tier);

        auto runs = connection.execute(recent, parameters);
        if (!runs) return runs.error();
        struct RunInfo {
            std::string tier;
            std::int64_t started = 0;
        };
        std::map<std::string, RunInfo> run_info;
        for (std::size_t row = 0; row < runs->size(); ++row) {
            run_info[runs->text(row, 0)] = RunInfo{runs->text(row, 1), runs->integer(row, 2)};
        }

        auto suites = connection.execute(
            fmt::format("SELECT s.run_id, s.name FROM suites s JOIN ({}) recent ON recent.run_id = s.run_id", recent),
            parameters);
        if (!suites) return suites.error();
        std::set<std::pair<std::string, std::string>> suite_ran;  // (run, suite)
        for (std::size_t row = 0; row < suites->size(); ++row)
            suite_ran.emplace(suites->text(row, 0), suites->text(row, 1));

        auto cases = connection.execute(
            fmt::format("SELECT c.run_id, c.suite, c.classname, c.name, c.outcome FROM test_cases c JOIN ({}) recent "
                        "ON recent.run_id = c.run_id WHERE c.outcome IN ('passed', 'failed', 'error')",
                        recent),
            parameters);
        if (!cases) return cases.error();

        using TestKey = std::tuple<std::string, std::string, std::string, std::string>;  // tier, suite, class, name
        struct Seen {
            std::set<std::string> failed_runs;
            std::set<std::string> passed_runs;
        };
        std::map<TestKey, Seen> seen;
        for (std::size_t row = 0; row < cases->size(); ++row) {
            std::string run_id = cases->text(row, 0);
            TestKey key{run_info[run_id].tier, cases->text(row, 1), cases->text(row, 2), cases->text(row, 3)};
            std::string outcome = cases->text(row, 4);
            (outcome == "passed" ? seen[key].passed_runs : seen[key].failed_runs).insert(run_id);
        }

        Flaky flaky;
        for (const auto& [key, results] : seen) {
            if (results.failed_runs.empty()) continue;
            const auto& [test_tier, suite, classname, name] = key;
            // A run "has" the test when the test was reported in it or its suite ran there (passing cases
            // need not be sent).
            std::set<std::string> present = results.failed_runs;
            present.insert(results.passed_runs.begin(), results.passed_runs.end());
            for (const auto& [run_id, info] : run_info) {
                if (info.tier == test_tier && suite_ran.contains({run_id, suite})) present.insert(run_id);
            }
            bool passed_where_failed = false;
            for (const std::string& run_id : results.failed_runs) {
                if (results.passed_runs.contains(run_id)) passed_where_failed = true;
            }
            if (results.failed_runs.size() == present.size() && !passed_where_failed) continue;
            FlakyTest test;
            test.tier = test_tier;
            test.suite = suite;
            test.classname = classname;
            test.name = name;
            test.runs = static_cast<int>(present.size());
            test.failures = static_cast<int>(results.failed_runs.size());
            test.last_failed_run_id =
                *std::max_element(results.failed_runs.begin(), results.failed_runs.end(),
                                  [&](const std::string& a, const std::string& b) {
                                      return std::pair(run_info[a].started, a) < std::pair(run_info[b].started, b);
                                  });
            flaky.push_back(std::move(test));
        }
        std::sort(flaky.begin(), flaky.end(), [](const FlakyTest& a, const FlakyTest& b) {
            if (a.failures != b.failures) return a.failures > b.failures;
            return std::tie(a.tier, a.suite, a.classname, a.name) < std::tie(b.tier, b.suite, b.classname, b.name);
        });
        if (flaky.size() > limit) flaky.resize(limit);
        return flaky;
    });
}

Result<std::vector<RunSummary>> Store::duration_trend(std::string_view tier, std::size_t limit) {
    using Summaries = std::vector<RunSummary>;
    return in_transaction<Summaries>(
        *m_database, TransactionMode::read, [&](Connection& connection) -> Result<Summaries> {
            auto rows = connection.query(
                fmt::format("SELECT {} FROM runs WHERE tier = $1 ORDER BY started_ms DESC, run_id DESC LIMIT $2",
                            k_summary_columns),
                {tier, std::min(limit, k_max_page)});
            if (!rows) return rows.error();
            Summaries summaries;
            for (std::size_t row = rows->size(); row-- > 0;) {
                auto summary = read_summary(*rows, row);
                if (!summary) return summary.error();
                summaries.push_back(std::move(*summary));
            }
            return summaries;
        });
}

}  // namespace greenlight::serve
