#include "greenlight/serve/store.hpp"
#include "greenlight/config/serve_config.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "greenlight/serve/migrations.hpp"
#include "greenlight/util/base64.hpp"
#include "greenlight/util/sha256.hpp"

namespace greenlight::serve {

namespace {

using util::make_error;
using util::Result;
using util::Status;

// Rows per INSERT when a run brings many suites or cases: few round trips, far below SQLite's limit of
// 32766 parameters.
constexpr std::size_t k_rows_per_insert = 100;
constexpr std::size_t k_max_page = 1000;
constexpr std::size_t k_ping_key_bytes = 24;
constexpr std::size_t k_token_bytes = 32;
constexpr std::string_view k_token_prefix = "glt_";

constexpr std::string_view k_run_columns =
    "run_id, project, tier, verdict, started_ms, ended_ms, duration_seconds, git_sha, branch, received_ms, has_bundle";
constexpr std::string_view k_summary_columns =
    "run_id, project, tier, verdict, started_ms, duration_seconds, git_sha, branch, has_bundle";
constexpr std::string_view k_check_columns =
    "name, ping_key, period_ms, cron, time_zone, grace_ms, max_run_time_ms, min_run_time_ms, failures_before_alert, "
    "realert_every_ms, tier, project, channels, paused, description";
constexpr std::size_t k_check_column_count = 15;
constexpr std::string_view k_status_columns =
    "state, since_ms, last_ping_ms, last_success_ms, next_due_ms, consecutive_failures, last_alert_ms, reason";
constexpr std::string_view k_ping_columns = "check_name, kind, exit_code, rid, at_ms, source, body";
constexpr std::string_view k_alert_columns =
    "key, kind, check_name, channel, created_ms, down_since_ms, last_success_ms, reason, job_ids, attempts, "
    "next_attempt_ms, sent_ms, last_error";

// "a, b" → "t.a, t.b"
std::string qualified(std::string_view table, std::string_view columns) {
    std::string out;
    while (!columns.empty()) {
        std::size_t comma = columns.find(", ");
        out += fmt::format("{}{}.{}", out.empty() ? "" : ", ", table, columns.substr(0, comma));
        columns = comma == std::string_view::npos ? std::string_view() : columns.substr(comma + 2);
    }
    return out;
}

std::optional<std::int64_t> count_of(const std::optional<Duration>& duration) {
    if (!duration) return std::nullopt;
    return duration->count();
}

std::optional<Duration> duration_of(const std::optional<std::int64_t>& milliseconds) {
    if (!milliseconds) return std::nullopt;
    return Duration(*milliseconds);
}

std::string json_list(const std::vector<std::string>& items) {
    // Replace rather than throw on bytes that are not UTF-8: job ids may come from what a pinger sent.
    return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> parse_json_list(const std::string& text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    std::vector<std::string> items;
    if (!parsed.is_array()) return items;
    for (const auto& item : parsed) {
        if (item.is_string()) items.push_back(item.get<std::string>());
    }
    return items;
}

RunSummary read_summary(const QueryResult& rows, std::size_t row) {
    RunSummary summary;
    summary.run_id = rows.text(row, 0);
    summary.project = rows.text(row, 1);
    summary.tier = rows.text(row, 2);
    summary.verdict = rows.text(row, 3);
    summary.started = from_milliseconds(rows.integer(row, 4));
    summary.duration_seconds = rows.real(row, 5);
    summary.git_sha = rows.text(row, 6);
    summary.branch = rows.text(row, 7);
    summary.has_bundle = rows.integer(row, 8) != 0;
    return summary;
}

CheckSpec read_check(const QueryResult& rows, std::size_t row) {
    CheckSpec spec;
    spec.name = rows.text(row, 0);
    spec.ping_key = rows.text(row, 1);
    spec.schedule.period = duration_of(rows.optional_integer(row, 2));
    spec.schedule.cron = rows.text(row, 3);
    spec.schedule.time_zone = rows.text(row, 4);
    spec.grace = Duration(rows.integer(row, 5));
    spec.max_run_time = duration_of(rows.optional_integer(row, 6));
    spec.min_run_time = duration_of(rows.optional_integer(row, 7));
    spec.failures_before_alert = static_cast<int>(rows.integer(row, 8));
    spec.realert_every = duration_of(rows.optional_integer(row, 9));
    spec.tier = rows.optional_text(row, 10);
    spec.project = rows.optional_text(row, 11);
    spec.channels = parse_json_list(rows.text(row, 12));
    spec.paused = rows.integer(row, 13) != 0;
    spec.description = rows.text(row, 14);
    return spec;
}

// Reads the status columns starting at `first`; nullopt when the check was never evaluated.
std::optional<CheckStatus> read_status(const QueryResult& rows, std::size_t row, std::size_t first = 0) {
    if (rows.is_null(row, first)) return std::nullopt;
    CheckStatus status;
    status.state = parse_check_state(rows.text(row, first)).value_or(CheckState::new_check);
    status.since = from_milliseconds(rows.integer(row, first + 1));
    status.last_ping = from_milliseconds(rows.optional_integer(row, first + 2));
    status.last_success = from_milliseconds(rows.optional_integer(row, first + 3));
    status.next_due = from_milliseconds(rows.optional_integer(row, first + 4));
    status.consecutive_failures = static_cast<int>(rows.integer(row, first + 5));
    status.last_alert = from_milliseconds(rows.optional_integer(row, first + 6));
    status.reason = rows.text(row, first + 7);
    return status;
}

Ping read_ping(const QueryResult& rows, std::size_t row) {
    Ping ping;
    ping.check = rows.text(row, 0);
    ping.kind = parse_ping_kind(rows.text(row, 1)).value_or(PingKind::log);
    if (auto code = rows.optional_integer(row, 2)) ping.exit_code = static_cast<int>(*code);
    ping.rid = rows.optional_text(row, 3);
    ping.at = from_milliseconds(rows.integer(row, 4));
    ping.source = rows.text(row, 5);
    ping.body = rows.text(row, 6);
    return ping;
}

Alert read_alert(const QueryResult& rows, std::size_t row) {
    Alert alert;
    alert.key = rows.text(row, 0);
    alert.kind = parse_alert_kind(rows.text(row, 1)).value_or(AlertKind::down);
    alert.check = rows.text(row, 2);
    alert.channel = rows.text(row, 3);
    alert.created = from_milliseconds(rows.integer(row, 4));
    alert.down_since = from_milliseconds(rows.optional_integer(row, 5));
    alert.last_success = from_milliseconds(rows.optional_integer(row, 6));
    alert.reason = rows.text(row, 7);
    alert.job_ids = parse_json_list(rows.text(row, 8));
    alert.attempts = static_cast<int>(rows.integer(row, 9));
    alert.next_attempt = from_milliseconds(rows.optional_integer(row, 10));
    alert.sent = from_milliseconds(rows.optional_integer(row, 11));
    alert.last_error = rows.text(row, 12);
    return alert;
}

TokenInfo read_token(const QueryResult& rows, std::size_t row) {
    TokenInfo token;
    token.name = rows.text(row, 0);
    token.scope = parse_token_scope(rows.text(row, 1)).value_or(TokenScope::ingest);
    token.created = from_milliseconds(rows.integer(row, 2));
    token.revoked = from_milliseconds(rows.optional_integer(row, 3));
    return token;
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

// Wraps one piece of work in a transaction and hands back the value it produced.
template <class T, class Work>
Result<T> in_transaction(Database& database, TransactionMode mode, Work&& work) {
    std::optional<T> value;
    Status status = database.transact(mode, [&](Connection& connection) -> Status {
        Result<T> produced = work(connection);
        if (!produced) return produced.error();
        value = std::move(*produced);
        return {};
    });
    if (!status) return status.error();
    return std::move(*value);
}

// Queues an alert unless one with its key is queued already; true when this call queued it.
Result<bool> insert_alert(Connection& connection, const Alert& alert, WallTime now) {
    std::int64_t created = alert.created == WallTime{} ? to_milliseconds(now) : to_milliseconds(alert.created);
    auto queued = connection.query(
        fmt::format("INSERT INTO alerts ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, NULL, '') "
                    "ON CONFLICT (key) DO NOTHING",
                    k_alert_columns),
        {alert.key, to_string(alert.kind), alert.check, alert.channel, created, to_milliseconds(alert.down_since),
         to_milliseconds(alert.last_success), alert.reason, json_list(alert.job_ids),
         alert.next_attempt ? to_milliseconds(*alert.next_attempt) : created});
    if (!queued) return queued.error();
    return queued->affected() > 0;
}

Status no_such_check(std::string_view name) {
    return make_error(fmt::format("no check named '{}': list the checks with GET /api/checks", name));
}

}  // namespace

std::string_view to_string(TokenScope scope) {
    return scope == TokenScope::admin ? "admin" : "ingest";
}

std::optional<TokenScope> parse_token_scope(std::string_view text) {
    if (text == "ingest") return TokenScope::ingest;
    if (text == "admin") return TokenScope::admin;
    return std::nullopt;
}

Result<std::string> random_base64url(std::size_t count) {
    std::vector<unsigned char> bytes(count);
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return make_error("the system's random number generator failed (OpenSSL RAND_bytes)");
    }
    return util::base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// A ping waiting to be written, and what became of it.
struct Store::PendingPing {
    std::string_view key;
    const Ping* ping = nullptr;
    std::optional<Result<std::optional<std::string>>> outcome;
    bool done = false;
};

// Pings wait here while the batch before them is written; whoever finds no batch being written writes the
// next one, every ping waiting at that moment (up to k_max_ping_batch).
struct Store::PingQueue {
    std::mutex mutex;
    std::condition_variable written;
    std::deque<PendingPing*> waiting;
    bool writing = false;
};

namespace {
constexpr std::size_t k_max_ping_batch = 64;
}  // namespace

Store::Store(std::unique_ptr<Database> database, const util::Clock& clock)
    : m_database(std::move(database)), m_clock(clock), m_ping_queue(std::make_unique<PingQueue>()) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(std::string_view url, const util::Clock& clock) {
    auto parsed = DatabaseUrl::parse(url);
    if (!parsed) return parsed.error();
    auto database = Database::open(*parsed);
    if (!database) return database.error();
    auto migrated = apply_migrations(**database, clock);
    if (!migrated) {
        if (is_unavailable(migrated.error())) return migrated.error();
        return make_error(fmt::format("database {}: {}", parsed->redacted(), migrated.message()));
    }
    return std::unique_ptr<Store>(new Store(std::move(*database), clock));
}

// ---- runs ----

Result<bool> Store::put_run(const RunRecord& run) {
    if (run.run_id.empty()) return make_error("a run without a run_id cannot be stored: every run needs its id");
    const std::int64_t received = to_milliseconds(m_clock.now());
    return in_transaction<bool>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<bool> {
        auto inserted = connection.query(
            fmt::format("INSERT INTO runs ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
                        "ON CONFLICT (run_id) DO NOTHING",
                        k_run_columns),
            {run.run_id, run.project, run.tier, run.verdict, to_milliseconds(run.started), to_milliseconds(run.ended),
             run.duration_seconds, run.git_sha, run.branch, received, run.has_bundle ? 1 : 0});
        if (!inserted) return inserted.error();
        if (inserted->affected() == 0) return false;
        std::vector<SqlParameter> suites;
        for (std::size_t i = 0; i < run.suites.size(); ++i) {
            const SuiteRecord& suite = run.suites[i];
            suites.insert(suites.end(), {run.run_id, i, suite.name, suite.verdict, suite.tests, suite.failures,
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
        run.verdict = rows->text(0, 3);
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
            suite.verdict = suites->text(row, 1);
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
            for (std::size_t row = 0; row < rows->size(); ++row) summaries.push_back(read_summary(*rows, row));
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
            for (std::size_t row = rows->size(); row-- > 0;) summaries.push_back(read_summary(*rows, row));
            return summaries;
        });
}

// ---- checks ----

Status Store::upsert_check(Connection& connection, const CheckSpec& spec, std::string_view origin) {
    auto taken =
        connection.query("SELECT name FROM checks WHERE ping_key = $1 AND name <> $2", {spec.ping_key, spec.name});
    if (!taken) return taken.error();
    if (!taken->empty()) {
        return make_error(
            fmt::format("check '{}': its ping key is already the key of check '{}': give it another key "
                        "or leave the key out to get a new one",
                        spec.name, taken->text(0, 0)));
    }
    auto stored = connection.query(
        fmt::format("INSERT INTO checks ({}, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                    "$14, $15, $16) ON CONFLICT (name) DO UPDATE SET ping_key = excluded.ping_key, period_ms = "
                    "excluded.period_ms, cron = excluded.cron, time_zone = excluded.time_zone, grace_ms = "
                    "excluded.grace_ms, max_run_time_ms = excluded.max_run_time_ms, min_run_time_ms = "
                    "excluded.min_run_time_ms, failures_before_alert = excluded.failures_before_alert, "
                    "realert_every_ms = excluded.realert_every_ms, tier = excluded.tier, project = excluded.project, "
                    "channels = excluded.channels, paused = excluded.paused, description = excluded.description, "
                    "origin = excluded.origin",
                    k_check_columns),
        {spec.name, spec.ping_key, count_of(spec.schedule.period), spec.schedule.cron,
         spec.schedule.time_zone.empty() ? std::string("UTC") : spec.schedule.time_zone, spec.grace.count(),
         count_of(spec.max_run_time), count_of(spec.min_run_time), spec.failures_before_alert,
         count_of(spec.realert_every), spec.tier, spec.project, json_list(spec.channels), spec.paused ? 1 : 0,
         spec.description, origin});
    if (!stored) return stored.error();
    return {};
}

Result<CheckSpec> Store::put_check(CheckSpec spec) {
    if (!config::is_valid_watch_name(spec.name)) {
        return make_error(fmt::format("check name '{}': expected {}", spec.name, config::k_watch_name_rule));
    }
    return in_transaction<CheckSpec>(
        *m_database, TransactionMode::write, [&](Connection& connection) -> Result<CheckSpec> {
            if (spec.ping_key.empty()) {
                auto existing = connection.query("SELECT ping_key FROM checks WHERE name = $1", {spec.name});
                if (!existing) return existing.error();
                if (!existing->empty()) {
                    spec.ping_key = existing->text(0, 0);
                } else {
                    auto key = random_base64url(k_ping_key_bytes);
                    if (!key) return key.error();
                    spec.ping_key = *key;
                }
            }
            if (spec.schedule.time_zone.empty()) spec.schedule.time_zone = "UTC";
            auto stored = upsert_check(connection, spec, "api");
            if (!stored) return stored.error();
            return spec;
        });
}

Result<std::vector<CheckSpec>> Store::checks() {
    using Specs = std::vector<CheckSpec>;
    return in_transaction<Specs>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Specs> {
        auto rows = connection.query(fmt::format("SELECT {} FROM checks ORDER BY name", k_check_columns));
        if (!rows) return rows.error();
        Specs specs;
        for (std::size_t row = 0; row < rows->size(); ++row) specs.push_back(read_check(*rows, row));
        return specs;
    });
}

Result<std::optional<CheckSpec>> Store::check(std::string_view name) {
    using Found = std::optional<CheckSpec>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query(fmt::format("SELECT {} FROM checks WHERE name = $1", k_check_columns), {name});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        return Found(read_check(*rows, 0));
    });
}

Result<std::optional<CheckSpec>> Store::check_by_ping_key(std::string_view ping_key) {
    using Found = std::optional<CheckSpec>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows =
            connection.query(fmt::format("SELECT {} FROM checks WHERE ping_key = $1", k_check_columns), {ping_key});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        return Found(read_check(*rows, 0));
    });
}

Status Store::delete_check(std::string_view name) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        // Pings and the status go with the check (ON DELETE CASCADE); queued alerts stay as history.
        auto deleted = connection.query("DELETE FROM checks WHERE name = $1", {name});
        if (!deleted) return deleted.error();
        if (deleted->affected() == 0) return no_such_check(name);
        return {};
    });
}

Status Store::set_paused(std::string_view name, Pause pause) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated =
            connection.query("UPDATE checks SET paused = $1 WHERE name = $2", {pause == Pause::paused ? 1 : 0, name});
        if (!updated) return updated.error();
        if (updated->affected() == 0) return no_such_check(name);
        return {};
    });
}

Status Store::sync_checks_from_config(const std::vector<CheckSpec>& specs) {
    for (const CheckSpec& spec : specs) {
        if (!config::is_valid_watch_name(spec.name)) {
            return make_error(fmt::format("watch check name '{}': expected {}", spec.name, config::k_watch_name_rule));
        }
    }
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        std::set<std::string> configured;
        for (CheckSpec spec : specs) {
            configured.insert(spec.name);
            auto existing = connection.query("SELECT ping_key, paused FROM checks WHERE name = $1", {spec.name});
            if (!existing) return existing.error();
            if (!existing->empty()) {
                if (spec.ping_key.empty()) spec.ping_key = existing->text(0, 0);
                spec.paused = spec.paused || existing->integer(0, 1) != 0;
            } else if (spec.ping_key.empty()) {
                auto key = random_base64url(k_ping_key_bytes);
                if (!key) return key.error();
                spec.ping_key = *key;
            }
            auto stored = upsert_check(connection, spec, "config");
            if (!stored) return stored;
        }
        auto from_config = connection.query("SELECT name FROM checks WHERE origin = 'config'");
        if (!from_config) return from_config.error();
        for (std::size_t row = 0; row < from_config->size(); ++row) {
            std::string name = from_config->text(row, 0);
            if (configured.contains(name)) continue;
            auto deleted = connection.query("DELETE FROM checks WHERE name = $1", {name});
            if (!deleted) return deleted.error();
        }
        return {};
    });
}

// ---- pings ----

Status Store::add_ping(const Ping& ping) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        std::optional<std::int64_t> exit_code;
        if (ping.exit_code) exit_code = *ping.exit_code;
        auto inserted = connection.query(
            fmt::format("INSERT INTO pings ({}) VALUES ($1, $2, $3, $4, $5, $6, $7)", k_ping_columns),
            {ping.check, to_string(ping.kind), exit_code, ping.rid, to_milliseconds(ping.at), ping.source, ping.body});
        if (!inserted) return inserted.error();
        return {};
    });
}

Result<std::optional<std::string>> Store::add_ping_by_key(std::string_view ping_key, const Ping& ping) {
    if (m_database->kind() == DatabaseKind::sqlite) {
        // SQLite commits without syncing (WAL, synchronous = NORMAL) and has one writer anyway: a batch would
        // only add the wait for the batch before. One statement finds the check and inserts the ping, so a
        // check deleted at that moment gets nothing.
        std::optional<std::int64_t> exit_code;
        if (ping.exit_code) exit_code = *ping.exit_code;
        auto inserted = m_database->run(
            TransactionMode::write,
            fmt::format("INSERT INTO pings ({}) SELECT name, $2, $3, $4, $5, $6, $7 FROM checks WHERE ping_key = $1 "
                        "RETURNING check_name",
                        k_ping_columns),
            {ping_key, to_string(ping.kind), exit_code, ping.rid, to_milliseconds(ping.at), ping.source, ping.body});
        if (!inserted) return inserted.error();
        if (inserted->empty()) return std::optional<std::string>();
        return std::optional<std::string>(inserted->text(0, 0));
    }
    // PostgreSQL syncs its log at every commit: pings arriving together share one commit.
    PendingPing mine;
    mine.key = ping_key;
    mine.ping = &ping;
    PingQueue& queue = *m_ping_queue;
    std::unique_lock lock(queue.mutex);
    queue.waiting.push_back(&mine);
    while (!mine.done) {
        if (queue.writing) {
            queue.written.wait(lock);
            continue;
        }
        queue.writing = true;
        std::vector<PendingPing*> batch;
        while (!queue.waiting.empty() && batch.size() < k_max_ping_batch) {
            batch.push_back(queue.waiting.front());
            queue.waiting.pop_front();
        }
        lock.unlock();
        try {
            write_pings(batch);
        } catch (const std::exception& error) {
            for (PendingPing* pending : batch) pending->outcome = make_error(error.what());
        }
        lock.lock();
        for (PendingPing* pending : batch) pending->done = true;
        queue.writing = false;
        queue.written.notify_all();
    }
    return std::move(*mine.outcome);
}

void Store::write_pings(const std::vector<PendingPing*>& batch) {
    std::vector<std::string_view> keys;
    for (const PendingPing* pending : batch) {
        if (std::find(keys.begin(), keys.end(), pending->key) == keys.end()) keys.push_back(pending->key);
    }
    std::map<std::string, std::string, std::less<>> check_of_key;
    Status status = m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        check_of_key.clear();
        // The checks are locked against deletion until the pings are in (FOR KEY SHARE; SQLite's write
        // transaction excludes every other writer already): a check deleted by another server at that moment
        // gets no ping, and the others of the batch are not failed by it.
        std::string select = "SELECT ping_key, name FROM checks WHERE ping_key IN (";
        std::vector<SqlParameter> parameters;
        for (std::size_t index = 0; index < keys.size(); ++index) {
            select += fmt::format("{}${}", index == 0 ? "" : ", ", index + 1);
            parameters.emplace_back(keys[index]);
        }
        select += ")";
        if (connection.kind() == DatabaseKind::postgresql) select += " FOR KEY SHARE";
        auto found = connection.execute(select, parameters);
        if (!found) return found.error();
        for (std::size_t row = 0; row < found->size(); ++row) check_of_key[found->text(row, 0)] = found->text(row, 1);

        std::string insert = fmt::format("INSERT INTO pings ({}) VALUES ", k_ping_columns);
        parameters.clear();
        for (const PendingPing* pending : batch) {
            auto check = check_of_key.find(pending->key);
            if (check == check_of_key.end()) continue;
            const Ping& ping = *pending->ping;
            const std::size_t first = parameters.size() + 1;
            insert += fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${}, ${})", first == 1 ? "" : ", ", first, first + 1,
                                  first + 2, first + 3, first + 4, first + 5, first + 6);
            std::optional<std::int64_t> exit_code;
            if (ping.exit_code) exit_code = *ping.exit_code;
            parameters.emplace_back(check->second);
            parameters.emplace_back(to_string(ping.kind));
            parameters.emplace_back(exit_code);
            parameters.emplace_back(ping.rid);
            parameters.emplace_back(to_milliseconds(ping.at));
            parameters.emplace_back(ping.source);
            parameters.emplace_back(ping.body);
        }
        if (parameters.empty()) return {};
        auto inserted = connection.execute(insert, parameters);
        if (!inserted) return inserted.error();
        return {};
    });
    for (PendingPing* pending : batch) {
        if (!status) {
            pending->outcome = status.error();
            continue;
        }
        auto check = check_of_key.find(pending->key);
        pending->outcome =
            check == check_of_key.end() ? std::optional<std::string>() : std::optional<std::string>(check->second);
    }
}

Result<std::vector<Ping>> Store::recent_pings(std::string_view check, std::size_t limit) {
    using Pings = std::vector<Ping>;
    return in_transaction<Pings>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Pings> {
        auto rows = connection.query(
            fmt::format("SELECT {} FROM pings WHERE check_name = $1 ORDER BY id DESC LIMIT $2", k_ping_columns),
            {check, limit});
        if (!rows) return rows.error();
        Pings pings;
        for (std::size_t row = rows->size(); row-- > 0;) pings.push_back(read_ping(*rows, row));
        return pings;
    });
}

// ---- statuses and evaluation ----

Result<std::optional<CheckStatus>> Store::status(std::string_view name) {
    using Found = std::optional<CheckStatus>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query(fmt::format("SELECT {} FROM check_status WHERE check_name = $1", k_status_columns),
                                     {name});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        return read_status(*rows, 0);
    });
}

Result<std::vector<std::pair<CheckSpec, std::optional<CheckStatus>>>> Store::checks_with_status() {
    using Listing = std::vector<std::pair<CheckSpec, std::optional<CheckStatus>>>;
    return in_transaction<Listing>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Listing> {
        // Qualified: the two tables may one day share a column name.
        std::string columns = fmt::format("{}, {}", qualified("c", k_check_columns), qualified("s", k_status_columns));
        auto rows = connection.query(fmt::format(
            "SELECT {} FROM checks c LEFT JOIN check_status s ON s.check_name = c.name ORDER BY c.name", columns));
        if (!rows) return rows.error();
        Listing listing;
        for (std::size_t row = 0; row < rows->size(); ++row) {
            listing.emplace_back(read_check(*rows, row), read_status(*rows, row, k_check_column_count));
        }
        return listing;
    });
}

Result<std::optional<Evaluation>> Store::evaluate_check(std::string_view name, WallTime now,
                                                        const Evaluator& evaluate) {
    using Outcome = std::optional<Evaluation>;
    const bool postgresql = m_database->kind() == DatabaseKind::postgresql;
    return in_transaction<Outcome>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<Outcome> {
        // NO KEY UPDATE, not UPDATE: pings take a key-share lock on the check (their foreign key), and they
        // must neither wait for an evaluation nor make it skip the check. On SQLite the write transaction
        // already excludes every other writer.
        auto rows = connection.query(fmt::format("SELECT {} FROM checks WHERE name = $1{}", k_check_columns,
                                                 postgresql ? " FOR NO KEY UPDATE SKIP LOCKED" : ""),
                                     {name});
        if (!rows) return rows.error();
        if (rows->empty()) {
            auto exists = connection.query("SELECT 1 FROM checks WHERE name = $1", {name});
            if (!exists) return exists.error();
            if (exists->empty()) return no_such_check(name).error();
            return Outcome();  // another server is evaluating it right now
        }
        CheckSpec spec = read_check(*rows, 0);
        auto stored = connection.query(
            fmt::format("SELECT {} FROM check_status WHERE check_name = $1", k_status_columns), {name});
        if (!stored) return stored.error();
        std::optional<CheckStatus> previous;
        if (!stored->empty()) previous = read_status(*stored, 0);
        auto ping_rows = connection.query(
            fmt::format("SELECT {} FROM pings WHERE check_name = $1 ORDER BY id DESC LIMIT $2", k_ping_columns),
            {name, k_evaluation_pings});
        if (!ping_rows) return ping_rows.error();
        std::vector<Ping> pings;
        for (std::size_t row = ping_rows->size(); row-- > 0;) pings.push_back(read_ping(*ping_rows, row));

        Evaluation evaluation = evaluate(spec, previous, pings, now);

        const CheckStatus& status = evaluation.status;
        auto saved = connection.query(
            fmt::format("INSERT INTO check_status (check_name, {}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                        "ON CONFLICT (check_name) DO UPDATE SET state = excluded.state, since_ms = excluded.since_ms, "
                        "last_ping_ms = excluded.last_ping_ms, last_success_ms = excluded.last_success_ms, "
                        "next_due_ms = excluded.next_due_ms, consecutive_failures = excluded.consecutive_failures, "
                        "last_alert_ms = excluded.last_alert_ms, reason = excluded.reason",
                        k_status_columns),
            {name, to_string(status.state), to_milliseconds(status.since), to_milliseconds(status.last_ping),
             to_milliseconds(status.last_success), to_milliseconds(status.next_due), status.consecutive_failures,
             to_milliseconds(status.last_alert), status.reason});
        if (!saved) return saved.error();
        for (Alert alert : evaluation.alerts) {
            if (alert.check.empty()) alert.check = std::string(name);
            auto queued = insert_alert(connection, alert, now);
            if (!queued) return queued.error();
        }
        return Outcome(std::move(evaluation));
    });
}

Result<std::map<CheckState, int>> Store::check_state_counts() {
    using Counts = std::map<CheckState, int>;
    return in_transaction<Counts>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Counts> {
        auto rows = connection.query(
            "SELECT CASE WHEN c.paused = 1 THEN 'paused' ELSE COALESCE(s.state, 'new') END AS state, COUNT(*) "
            "FROM checks c LEFT JOIN check_status s ON s.check_name = c.name "
            "GROUP BY CASE WHEN c.paused = 1 THEN 'paused' ELSE COALESCE(s.state, 'new') END");
        if (!rows) return rows.error();
        Counts counts{{CheckState::new_check, 0},
                      {CheckState::up, 0},
                      {CheckState::late, 0},
                      {CheckState::down, 0},
                      {CheckState::paused, 0}};
        for (std::size_t row = 0; row < rows->size(); ++row) {
            if (auto state = parse_check_state(rows->text(row, 0)))
                counts[*state] += static_cast<int>(rows->integer(row, 1));
        }
        return counts;
    });
}

// ---- the alert outbox ----

Result<std::vector<Alert>> Store::claim_alerts(WallTime now, std::size_t limit, Duration lease) {
    using Alerts = std::vector<Alert>;
    const bool postgresql = m_database->kind() == DatabaseKind::postgresql;
    return in_transaction<Alerts>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<Alerts> {
        // SKIP LOCKED: another server's claim in flight neither blocks this one nor gets its alerts twice.
        auto rows =
            connection.query(fmt::format("SELECT {} FROM alerts WHERE sent_ms IS NULL AND next_attempt_ms <= $1 "
                                         "ORDER BY next_attempt_ms, created_ms, key LIMIT $2{}",
                                         k_alert_columns, postgresql ? " FOR UPDATE SKIP LOCKED" : ""),
                             {to_milliseconds(now), std::min(limit, k_max_page)});
        if (!rows) return rows.error();
        const std::int64_t leased_until = to_milliseconds(now + lease);
        Alerts claimed;
        for (std::size_t row = 0; row < rows->size(); ++row) {
            Alert alert = read_alert(*rows, row);
            auto updated =
                connection.query("UPDATE alerts SET next_attempt_ms = $1, attempts = attempts + 1 WHERE key = $2",
                                 {leased_until, alert.key});
            if (!updated) return updated.error();
            alert.attempts += 1;
            alert.next_attempt = from_milliseconds(leased_until);
            claimed.push_back(std::move(alert));
        }
        return claimed;
    });
}

Result<bool> Store::queue_alert(const Alert& alert) {
    if (alert.key.empty()) return make_error("an alert needs a key: it is what makes queueing it twice harmless");
    return in_transaction<bool>(*m_database, TransactionMode::write, [&](Connection& connection) -> Result<bool> {
        return insert_alert(connection, alert, m_clock.now());
    });
}

Status Store::alert_sent(std::string_view key, WallTime at) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE alerts SET sent_ms = $1, last_error = '' WHERE key = $2",
                                        {to_milliseconds(at), key});
        if (!updated) return updated.error();
        if (updated->affected() == 0) return make_error(fmt::format("no queued alert with key '{}'", key));
        return {};
    });
}

Status Store::alert_failed(std::string_view key, std::string error, WallTime next_attempt) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE alerts SET last_error = $1, next_attempt_ms = $2 WHERE key = $3",
                                        {error, to_milliseconds(next_attempt), key});
        if (!updated) return updated.error();
        if (updated->affected() == 0) return make_error(fmt::format("no queued alert with key '{}'", key));
        return {};
    });
}

Result<std::vector<Alert>> Store::alerts(std::size_t limit) {
    using Alerts = std::vector<Alert>;
    return in_transaction<Alerts>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Alerts> {
        auto rows = connection.query(
            fmt::format("SELECT {} FROM alerts ORDER BY created_ms DESC, key DESC LIMIT $1", k_alert_columns),
            {std::min(limit, k_max_page)});
        if (!rows) return rows.error();
        Alerts alerts;
        for (std::size_t row = 0; row < rows->size(); ++row) alerts.push_back(read_alert(*rows, row));
        return alerts;
    });
}

Result<std::optional<WallTime>> Store::last_alert_of_kind(AlertKind kind, std::string_view channel) {
    using Found = std::optional<WallTime>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query("SELECT MAX(created_ms) FROM alerts WHERE kind = $1 AND channel = $2",
                                     {to_string(kind), channel});
        if (!rows) return rows.error();
        return from_milliseconds(rows->optional_integer(0, 0));
    });
}

// ---- retention ----

namespace {

// Rows deleted per transaction, and transactions per kind of row in one prune call.
constexpr std::int64_t k_prune_batch = 2000;
constexpr int k_prune_batches_per_call = 25;

}  // namespace

Result<PruneResult> Store::prune(const Retention& retention, WallTime now) {
    PruneResult result;
    // Deletes batch after batch until a batch comes back short; false when the batch limit stopped it.
    auto in_batches = [&](const std::function<Result<std::int64_t>()>& batch) -> Result<bool> {
        for (int round = 0; round < k_prune_batches_per_call; ++round) {
            auto deleted = batch();
            if (!deleted) return deleted.error();
            if (*deleted < k_prune_batch) return true;
        }
        return false;
    };

    if (retention.runs) {
        const std::int64_t cutoff = to_milliseconds(now - *retention.runs);
        auto done = in_batches([&]() -> Result<std::int64_t> {
            // Suites and test cases go with their run (ON DELETE CASCADE). The bundles are noted once the
            // deletion committed, so a failed one never costs a kept run its bundle.
            auto deleted = m_database->run(TransactionMode::write,
                                           "DELETE FROM runs WHERE run_id IN (SELECT run_id FROM runs WHERE "
                                           "started_ms < $1 ORDER BY started_ms LIMIT $2) RETURNING run_id, has_bundle",
                                           {cutoff, k_prune_batch});
            if (!deleted) return deleted.error();
            for (std::size_t row = 0; row < deleted->size(); ++row) {
                if (deleted->integer(row, 1) != 0) result.runs_with_bundles.push_back(deleted->text(row, 0));
            }
            result.runs += static_cast<std::int64_t>(deleted->size());
            return static_cast<std::int64_t>(deleted->size());
        });
        if (!done) return done.error();
        result.complete = result.complete && *done;
    }

    if (retention.pings) {
        const std::int64_t cutoff = to_milliseconds(now - *retention.pings);
        auto names = checks();
        if (!names) return names.error();
        for (const CheckSpec& spec : *names) {
            // The newest pings the watchdog reads stay, however old: pruning never changes an evaluation.
            auto boundary = in_transaction<std::optional<std::int64_t>>(
                *m_database, TransactionMode::read, [&](Connection& connection) -> Result<std::optional<std::int64_t>> {
                    auto rows = connection.query(
                        "SELECT id FROM pings WHERE check_name = $1 ORDER BY id DESC LIMIT 1 OFFSET $2",
                        {spec.name, static_cast<std::int64_t>(k_evaluation_pings) - 1});
                    if (!rows) return rows.error();
                    if (rows->empty()) return std::optional<std::int64_t>();
                    return std::optional<std::int64_t>(rows->integer(0, 0));
                });
            if (!boundary) return boundary.error();
            if (!*boundary) continue;
            auto done = in_batches([&]() -> Result<std::int64_t> {
                auto deleted = m_database->run(
                    TransactionMode::write,
                    "DELETE FROM pings WHERE id IN (SELECT id FROM pings WHERE check_name = $1 AND id < $2 "
                    "AND at_ms < $3 ORDER BY id LIMIT $4)",
                    {spec.name, **boundary, cutoff, k_prune_batch});
                if (!deleted) return deleted.error();
                result.pings += deleted->affected();
                return deleted->affected();
            });
            if (!done) return done.error();
            result.complete = result.complete && *done;
        }
    }

    if (retention.alerts) {
        const std::int64_t cutoff = to_milliseconds(now - *retention.alerts);
        const std::string heartbeat(to_string(AlertKind::heartbeat));
        auto done = in_batches([&]() -> Result<std::int64_t> {
            // Sent alerts only: one waiting for delivery is never dropped. Each channel's newest heartbeat
            // stays, as the next one is scheduled from it (and its key must not be queued twice).
            auto deleted = m_database->run(
                TransactionMode::write,
                "DELETE FROM alerts WHERE key IN (SELECT a.key FROM alerts a WHERE a.sent_ms IS NOT NULL "
                "AND a.created_ms < $1 AND NOT (a.kind = $2 AND a.created_ms >= (SELECT MAX(h.created_ms) "
                "FROM alerts h WHERE h.kind = $2 AND h.channel = a.channel)) LIMIT $3)",
                {cutoff, heartbeat, k_prune_batch});
            if (!deleted) return deleted.error();
            result.alerts += deleted->affected();
            return deleted->affected();
        });
        if (!done) return done.error();
        result.complete = result.complete && *done;
    }
    return result;
}

// ---- tokens ----

Result<std::string> Store::create_token(std::string_view name, TokenScope scope) {
    if (name.empty() || name.size() > 128) {
        return make_error("a token needs a name of 1 to 128 characters (e.g. the CI system that will use it)");
    }
    auto random = random_base64url(k_token_bytes);
    if (!random) return random.error();
    std::string secret = std::string(k_token_prefix) + *random;
    return in_transaction<std::string>(
        *m_database, TransactionMode::write, [&](Connection& connection) -> Result<std::string> {
            auto inserted = connection.query(
                "INSERT INTO tokens (name, scope, sha256, created_ms, revoked_ms) VALUES ($1, $2, $3, $4, NULL) "
                "ON CONFLICT (name) DO NOTHING",
                {name, to_string(scope), util::sha256_hex(secret), to_milliseconds(m_clock.now())});
            if (!inserted) return inserted.error();
            if (inserted->affected() == 0) {
                return make_error(
                    fmt::format("a token named '{}' exists already (revoked ones too): choose another name", name));
            }
            return secret;
        });
}

Result<std::optional<TokenInfo>> Store::verify_token(std::string_view secret) {
    using Found = std::optional<TokenInfo>;
    const std::string digest = util::sha256_hex(secret);
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        // Every live token is compared, each in constant time: how long this takes says nothing about how
        // close a guess came.
        auto rows =
            connection.query("SELECT name, scope, created_ms, revoked_ms, sha256 FROM tokens WHERE revoked_ms IS NULL");
        if (!rows) return rows.error();
        Found found;
        for (std::size_t row = 0; row < rows->size(); ++row) {
            std::string stored = rows->text(row, 4);
            if (stored.size() == digest.size() && CRYPTO_memcmp(stored.data(), digest.data(), digest.size()) == 0) {
                found = read_token(*rows, row);
            }
        }
        return found;
    });
}

Result<std::vector<TokenInfo>> Store::tokens() {
    using Tokens = std::vector<TokenInfo>;
    return in_transaction<Tokens>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Tokens> {
        auto rows = connection.query("SELECT name, scope, created_ms, revoked_ms FROM tokens ORDER BY name");
        if (!rows) return rows.error();
        Tokens tokens;
        for (std::size_t row = 0; row < rows->size(); ++row) tokens.push_back(read_token(*rows, row));
        return tokens;
    });
}

Status Store::revoke_token(std::string_view name) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE tokens SET revoked_ms = $1 WHERE name = $2 AND revoked_ms IS NULL",
                                        {to_milliseconds(m_clock.now()), name});
        if (!updated) return updated.error();
        if (updated->affected() == 0) {
            return make_error(fmt::format("no live token named '{}': `greenlight serve token list` shows them", name));
        }
        return {};
    });
}

// ---- health ----

Status Store::check_available() {
    return m_database->transact(TransactionMode::read, [](Connection& connection) -> Status {
        auto answered = connection.query("SELECT 1");
        if (!answered) return answered.error();
        return {};
    });
}

}  // namespace greenlight::serve
