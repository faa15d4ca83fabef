// The store against both databases it supports: every test runs on SQLite (a temporary file) and on a real
// PostgreSQL server the tests start themselves.
#include "greenlight/serve/store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <ostream>
#include <set>
#include <thread>

#include "greenlight/serve/database.hpp"
#include "greenlight/serve/migrations.hpp"
#include "support/test_support.hpp"
#include "unit/serve/postgres_cluster.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;
using test_support::TempDir;
using util::Status;

// Time stands still unless a test moves it, so stored times can be compared exactly.
class FakeClock final : public util::Clock {
public:
    util::WallTime now() const override {
        std::lock_guard lock(m_mutex);
        return m_now;
    }
    std::chrono::steady_clock::time_point steady_now() const override { return {}; }
    void advance(Duration by) {
        std::lock_guard lock(m_mutex);
        m_now += by;
    }

private:
    mutable std::mutex m_mutex;
    util::WallTime m_now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{10};
};

const util::WallTime k_morning = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{6};

RunRecord make_run(std::string run_id, std::string tier, util::WallTime started, std::string verdict = "pass") {
    RunRecord run;
    run.run_id = std::move(run_id);
    run.project = "shop";
    run.tier = std::move(tier);
    run.verdict = verdict::parse_verdict(verdict).value();
    run.started = started;
    run.ended = started + 90s;
    run.duration_seconds = 90.25;
    run.git_sha = "0123456789abcdef0123456789abcdef01234567";
    run.branch = "main";
    return run;
}

SuiteRecord make_suite(std::string name, std::string verdict) {
    SuiteRecord suite;
    suite.name = std::move(name);
    suite.failures = verdict == "fail" ? 1 : 0;
    suite.verdict = verdict::parse_verdict(verdict).value();
    suite.tests = 12;
    suite.duration_seconds = 4.5;
    return suite;
}

TestCaseRecord make_case(std::string suite, std::string name, std::string outcome) {
    TestCaseRecord test;
    test.suite = std::move(suite);
    test.classname = "cart.Checkout";
    test.name = std::move(name);
    test.outcome = std::move(outcome);
    test.duration_seconds = 0.125;
    if (test.outcome != "passed") test.output_excerpt = "AssertionError: expected 3 items, found 2";
    return test;
}

CheckSpec make_check(std::string name) {
    CheckSpec spec;
    spec.name = std::move(name);
    spec.schedule.period = 6h;
    spec.grace = 30min;
    spec.channels = {"discord-main", "ops-webhook"};
    spec.tier = "smoke";
    spec.description = "nightly mainframe smoke";
    return spec;
}

Ping make_ping(std::string check, PingKind kind, util::WallTime at, std::string body = {}) {
    Ping ping;
    ping.check = std::move(check);
    ping.kind = kind;
    ping.at = at;
    ping.source = "http";
    ping.body = std::move(body);
    return ping;
}

Alert make_alert(std::string key, std::string check, util::WallTime created) {
    Alert alert;
    alert.key = std::move(key);
    alert.kind = AlertKind::down;
    alert.check = std::move(check);
    alert.channel = "discord-main";
    alert.created = created;
    alert.down_since = created - 1h;
    alert.last_success = created - 7h;
    alert.reason = "no success for 7 h (period 6 h, grace 30 min)";
    alert.job_ids = {"JOB00042", "JOB00043"};
    return alert;
}

// An evaluator that marks the check down and queues one alert whose key does not change between calls.
Evaluator down_with_alert(const std::string& key) {
    return
        [key](const CheckSpec& spec, const std::optional<CheckStatus>&, const std::vector<Ping>& pings, WallTime now) {
            Evaluation evaluation;
            evaluation.status.state = CheckState::down;
            evaluation.status.since = now - 1h;
            evaluation.status.last_success = now - 7h;
            if (!pings.empty()) evaluation.status.last_ping = pings.back().at;
            evaluation.status.consecutive_failures = 2;
            evaluation.status.last_alert = now;
            evaluation.status.reason = "late by 1 h";
            evaluation.alerts.push_back(make_alert(key, spec.name, now));
            return evaluation;
        };
}

std::string test_label(const ::testing::TestParamInfo<DatabaseKind>& info) {
    return std::string(to_string(info.param));
}

class StoreTest : public ::testing::TestWithParam<DatabaseKind> {
protected:
    void SetUp() override {
        std::string error;
        m_url = test_support::fresh_database_url(GetParam() == DatabaseKind::postgresql, m_dir.path(), error);
        ASSERT_FALSE(m_url.empty()) << error;
        m_store = open_store();
        ASSERT_TRUE(m_store);
    }

    std::unique_ptr<Store> open_store() {
        auto store = Store::open(m_url, m_clock);
        EXPECT_TRUE(store) << store.message();
        return store ? std::move(*store) : nullptr;
    }

    // The database under the store, for reading tables the way an attacker or an operator would.
    std::unique_ptr<Database> raw_database() {
        auto database = Database::open(*DatabaseUrl::parse(m_url), 1);
        EXPECT_TRUE(database) << database.message();
        return database ? std::move(*database) : nullptr;
    }

    QueryResult raw_query(const std::string& sql) {
        auto database = raw_database();
        QueryResult result;
        Status done = database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
            auto rows = connection.query(sql);
            if (!rows) return rows.error();
            result = *rows;
            return {};
        });
        EXPECT_TRUE(done) << done.message();
        return result;
    }

    TempDir m_dir{"greenlight-store"};
    FakeClock m_clock;
    std::string m_url;
    std::unique_ptr<Store> m_store;
};

// ---- migrations ----

TEST_P(StoreTest, MigrationsAreRecordedOnceAndOpeningAgainChangesNothing) {
    QueryResult first = raw_query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
    ASSERT_EQ(first.size(), static_cast<std::size_t>(latest_schema_version()));
    EXPECT_EQ(first.integer(0, 0), 1);
    EXPECT_EQ(first.integer(0, 1), to_milliseconds(m_clock.now()));

    ASSERT_TRUE(m_store->put_run(make_run("run-1", "unit", k_morning)).value_or(false));
    m_clock.advance(1h);
    auto again = open_store();
    ASSERT_TRUE(again);
    QueryResult second = raw_query("SELECT version, applied_at FROM schema_migrations ORDER BY version");
    ASSERT_EQ(second.size(), first.size());
    EXPECT_EQ(second.integer(0, 1), first.integer(0, 1)) << "a migration ran a second time";
    EXPECT_EQ(again->run_count().value_or(-1), 1) << "reopening lost data";
}

TEST_P(StoreTest, TwoServersStartingAtOnceMigrateOnce) {
    // A second, empty database for the race (the fixture's store already migrated its own).
    if (GetParam() == DatabaseKind::sqlite) {
        m_url = "sqlite:" + (m_dir.path() / "race.db").string();
    } else {
        std::string error;
        m_url = test_support::shared_postgres_cluster().create_database(error);
        ASSERT_FALSE(m_url.empty()) << error;
    }
    std::vector<std::thread> servers;
    std::atomic<int> opened{0};
    std::mutex mutex;
    std::vector<std::string> errors;
    for (int i = 0; i < 3; ++i) {
        servers.emplace_back([&] {
            auto store = Store::open(m_url, m_clock);
            if (store) {
                ++opened;
            } else {
                std::lock_guard lock(mutex);
                errors.push_back(store.message());
            }
        });
    }
    for (auto& server : servers) server.join();
    EXPECT_EQ(opened.load(), 3) << (errors.empty() ? "" : errors[0]);
    QueryResult versions = raw_query("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations");
    EXPECT_EQ(versions.integer(0, 0), latest_schema_version());
    EXPECT_EQ(versions.integer(0, 1), latest_schema_version());
}

TEST_P(StoreTest, ADatabaseNewerThanThisBuildIsRefusedNamingBothVersions) {
    int newer = latest_schema_version() + 4;
    raw_query("INSERT INTO schema_migrations (version, applied_at) VALUES (" + std::to_string(newer) + ", 0)");
    auto store = Store::open(m_url, m_clock);
    ASSERT_FALSE(store);
    EXPECT_NE(store.message().find("version " + std::to_string(newer)), std::string::npos) << store.message();
    EXPECT_NE(store.message().find("version " + std::to_string(latest_schema_version())), std::string::npos)
        << store.message();
}

// ---- runs ----

TEST_P(StoreTest, ARunPushedTwiceIsOneRunWithItsSuitesAndCasesIntact) {
    RunRecord run = make_run("run-7", "unit", k_morning, "fail");
    run.suites = {make_suite("api", "pass"), make_suite("cart", "fail")};
    run.cases = {make_case("cart", "test_total", "failed"), make_case("cart", "test_empty", "passed")};

    auto stored = m_store->put_run(run);
    ASSERT_TRUE(stored) << stored.message();
    EXPECT_TRUE(*stored);

    RunRecord retried = run;
    retried.verdict = verdict::Verdict::pass;
    retried.suites.pop_back();
    m_clock.advance(5min);
    auto again = m_store->put_run(retried);
    ASSERT_TRUE(again) << again.message();
    EXPECT_FALSE(*again) << "a retried push must not store a second run";

    EXPECT_EQ(m_store->run_count().value_or(-1), 1);
    auto found = m_store->run("run-7");
    ASSERT_TRUE(found && found->has_value()) << (found ? "not found" : found.message());
    const RunRecord& read = **found;
    EXPECT_EQ(read.verdict, verdict::Verdict::fail);
    EXPECT_EQ(read.started, k_morning);
    EXPECT_EQ(read.ended, k_morning + 90s);
    EXPECT_DOUBLE_EQ(read.duration_seconds, 90.25);
    EXPECT_EQ(read.received, m_clock.now() - 5min) << "received is when the first push was stored";
    ASSERT_EQ(read.suites.size(), 2u);
    EXPECT_EQ(read.suites[0].name, "api");
    EXPECT_EQ(read.suites[1].verdict, verdict::Verdict::fail);
    EXPECT_EQ(read.suites[1].failures, 1);
    ASSERT_EQ(read.cases.size(), 2u);
    EXPECT_EQ(read.cases[0].name, "test_total");
    EXPECT_EQ(read.cases[0].output_excerpt, "AssertionError: expected 3 items, found 2");
    EXPECT_EQ(read.cases[1].outcome, "passed");

    EXPECT_FALSE(m_store->run("run-8").value_or(RunRecord{}).has_value());
}

TEST_P(StoreTest, ARunWithManyCasesIsStoredWhole) {
    RunRecord run = make_run("big", "unit", k_morning, "fail");
    for (int i = 0; i < 450; ++i) run.cases.push_back(make_case("cart", "test_" + std::to_string(i), "failed"));
    ASSERT_TRUE(m_store->put_run(run).value_or(false));
    auto found = m_store->run("big");
    ASSERT_TRUE(found && found->has_value());
    ASSERT_EQ((*found)->cases.size(), 450u);
    EXPECT_EQ((*found)->cases[449].name, "test_449");
}

TEST_P(StoreTest, RunsAreListedNewestFirstFilteredAndPaged) {
    ASSERT_TRUE(m_store->put_run(make_run("u1", "unit", k_morning + 1min)).value_or(false));
    ASSERT_TRUE(m_store->put_run(make_run("s1", "smoke", k_morning + 2min, "fail")).value_or(false));
    ASSERT_TRUE(m_store->put_run(make_run("u2", "unit", k_morning + 3min, "fail")).value_or(false));
    RunRecord branch = make_run("u3", "unit", k_morning + 4min);
    branch.branch = "feature/cart";
    ASSERT_TRUE(m_store->put_run(branch).value_or(false));
    ASSERT_TRUE(m_store->put_run(make_run("u4", "unit", k_morning + 5min)).value_or(false));

    auto ids = [](const util::Result<std::vector<RunSummary>>& runs) {
        std::vector<std::string> out;
        if (!runs) return std::vector<std::string>{"error: " + runs.message()};
        for (const RunSummary& run : *runs) out.push_back(run.run_id);
        return out;
    };
    EXPECT_EQ(ids(m_store->runs(RunFilter{})), (std::vector<std::string>{"u4", "u3", "u2", "s1", "u1"}));

    RunFilter unit;
    unit.tier = "unit";
    EXPECT_EQ(ids(m_store->runs(unit)), (std::vector<std::string>{"u4", "u3", "u2", "u1"}));
    RunFilter failed;
    failed.verdict = "fail";
    EXPECT_EQ(ids(m_store->runs(failed)), (std::vector<std::string>{"u2", "s1"}));
    RunFilter feature;
    feature.branch = "feature/cart";
    EXPECT_EQ(ids(m_store->runs(feature)), (std::vector<std::string>{"u3"}));

    RunFilter page = unit;
    page.limit = 2;
    EXPECT_EQ(ids(m_store->runs(page)), (std::vector<std::string>{"u4", "u3"}));
    page.before_run_id = "u3";
    EXPECT_EQ(ids(m_store->runs(page)), (std::vector<std::string>{"u2", "u1"}));
    page.before_run_id = "u1";
    EXPECT_EQ(ids(m_store->runs(page)), (std::vector<std::string>{}));
    page.before_run_id = "nope";
    auto unknown = m_store->runs(page);
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.message().find("nope"), std::string::npos);

    ASSERT_TRUE(m_store->set_bundle_stored("u2"));
    auto listed = m_store->runs(failed);
    ASSERT_TRUE(listed);
    EXPECT_TRUE((*listed)[0].has_bundle);
    EXPECT_FALSE((*listed)[1].has_bundle);
    EXPECT_FALSE(m_store->set_bundle_stored("missing"));
}

TEST_P(StoreTest, FlakyTestsAreThoseWithMixedResultsRankedByFailures) {
    // Five unit runs; the window is the last four, so "old" fails only outside it.
    std::vector<std::vector<TestCaseRecord>> cases(5);
    cases[0] = {make_case("cart", "old", "failed")};
    cases[1] = {make_case("cart", "often", "failed"), make_case("cart", "always", "failed")};
    cases[2] = {make_case("cart", "often", "failed"), make_case("cart", "always", "failed"),
                make_case("cart", "once", "error")};
    cases[3] = {make_case("cart", "often", "failed"), make_case("cart", "always", "failed")};
    cases[4] = {make_case("cart", "always", "failed"), make_case("cart", "retried", "failed"),
                make_case("cart", "retried", "passed")};
    for (int i = 0; i < 5; ++i) {
        RunRecord run = make_run("unit-" + std::to_string(i), "unit", k_morning + std::chrono::minutes(i), "fail");
        run.suites = {make_suite("cart", "fail")};
        run.cases = cases[static_cast<std::size_t>(i)];
        ASSERT_TRUE(m_store->put_run(run).value_or(false));
    }
    RunRecord smoke = make_run("smoke-0", "smoke", k_morning, "fail");
    smoke.suites = {make_suite("cart", "fail")};
    smoke.cases = {make_case("cart", "mainframe", "failed")};
    ASSERT_TRUE(m_store->put_run(smoke).value_or(false));
    RunRecord smoke_pass = make_run("smoke-1", "smoke", k_morning + 1min);
    smoke_pass.suites = {make_suite("cart", "pass")};
    ASSERT_TRUE(m_store->put_run(smoke_pass).value_or(false));

    auto flaky = m_store->flaky_tests(std::string("unit"), 4, 10);
    ASSERT_TRUE(flaky) << flaky.message();
    std::vector<std::string> names;
    for (const FlakyTest& test : *flaky) names.push_back(test.name);
    // "always" failed in every run: broken, not flaky. "old" failed before the window.
    EXPECT_EQ(names, (std::vector<std::string>{"often", "once", "retried"}));
    ASSERT_EQ(flaky->size(), 3u);
    EXPECT_EQ((*flaky)[0].failures, 3);
    EXPECT_EQ((*flaky)[0].runs, 4);
    EXPECT_EQ((*flaky)[0].last_failed_run_id, "unit-3");
    EXPECT_EQ((*flaky)[0].tier, "unit");
    EXPECT_EQ((*flaky)[0].suite, "cart");
    EXPECT_EQ((*flaky)[1].last_failed_run_id, "unit-2");

    auto every_tier = m_store->flaky_tests(std::nullopt, 4, 10);
    ASSERT_TRUE(every_tier) << every_tier.message();
    EXPECT_EQ(every_tier->size(), 4u);
    EXPECT_TRUE(std::any_of(every_tier->begin(), every_tier->end(),
                            [](const FlakyTest& test) { return test.tier == "smoke" && test.name == "mainframe"; }));

    auto top = m_store->flaky_tests(std::string("unit"), 4, 1);
    ASSERT_TRUE(top);
    ASSERT_EQ(top->size(), 1u);
    EXPECT_EQ((*top)[0].name, "often");
}

TEST_P(StoreTest, TheDurationTrendIsTheLastRunsOfATierOldestFirst) {
    for (int i = 0; i < 6; ++i) {
        RunRecord run = make_run("r" + std::to_string(i), "unit", k_morning + std::chrono::hours(i));
        run.duration_seconds = 100.0 + i;
        ASSERT_TRUE(m_store->put_run(run).value_or(false));
    }
    ASSERT_TRUE(m_store->put_run(make_run("other", "smoke", k_morning + 10h)).value_or(false));
    auto trend = m_store->duration_trend("unit", 4);
    ASSERT_TRUE(trend) << trend.message();
    ASSERT_EQ(trend->size(), 4u);
    EXPECT_EQ((*trend)[0].run_id, "r2");
    EXPECT_EQ((*trend)[3].run_id, "r5");
    EXPECT_DOUBLE_EQ((*trend)[3].duration_seconds, 105.0);
}

// ---- checks ----

TEST_P(StoreTest, ChecksAreCreatedUpdatedAndDeletedWithUnguessableKeys) {
    auto smoke = m_store->put_check(make_check("nightly-smoke"));
    ASSERT_TRUE(smoke) << smoke.message();
    auto backup = m_store->put_check(make_check("backup"));
    ASSERT_TRUE(backup) << backup.message();
    // 24 random bytes in base64url: 32 characters from a 64-letter alphabet.
    EXPECT_EQ(smoke->ping_key.size(), 32u);
    EXPECT_EQ(smoke->ping_key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_NE(smoke->ping_key, backup->ping_key);

    auto by_key = m_store->check_by_ping_key(smoke->ping_key);
    ASSERT_TRUE(by_key && by_key->has_value());
    EXPECT_EQ((*by_key)->name, "nightly-smoke");
    EXPECT_EQ((*by_key)->schedule.period, Duration(6h));
    EXPECT_EQ((*by_key)->schedule.time_zone, "UTC");
    EXPECT_EQ((*by_key)->channels, (std::vector<std::string>{"discord-main", "ops-webhook"}));
    EXPECT_EQ((*by_key)->tier, std::optional<std::string>("smoke"));
    EXPECT_FALSE((*by_key)->project.has_value());
    EXPECT_FALSE(m_store->check_by_ping_key("guessed").value_or(CheckSpec{}).has_value());

    CheckSpec changed = make_check("nightly-smoke");
    changed.schedule.period.reset();
    changed.schedule.cron = "0 2 * * *";
    changed.schedule.time_zone = "Europe/Berlin";
    changed.max_run_time = 2h;
    changed.failures_before_alert = 3;
    auto updated = m_store->put_check(changed);
    ASSERT_TRUE(updated) << updated.message();
    EXPECT_EQ(updated->ping_key, smoke->ping_key) << "an update without a key keeps the key";
    auto read = m_store->check("nightly-smoke");
    ASSERT_TRUE(read && read->has_value());
    EXPECT_FALSE((*read)->schedule.period.has_value());
    EXPECT_EQ((*read)->schedule.cron, "0 2 * * *");
    EXPECT_EQ((*read)->schedule.time_zone, "Europe/Berlin");
    EXPECT_EQ((*read)->max_run_time, Duration(2h));
    EXPECT_EQ((*read)->failures_before_alert, 3);

    CheckSpec stealing = make_check("thief");
    stealing.ping_key = smoke->ping_key;
    EXPECT_FALSE(m_store->put_check(stealing)) << "two checks cannot share a ping key";
    EXPECT_FALSE(m_store->put_check(make_check("Bad Name")));

    ASSERT_TRUE(m_store->set_paused("backup", Pause::paused));
    EXPECT_TRUE(m_store->check("backup")->value().paused);
    ASSERT_TRUE(m_store->set_paused("backup", Pause::running));
    EXPECT_FALSE(m_store->check("backup")->value().paused);
    EXPECT_FALSE(m_store->set_paused("missing", Pause::paused));

    ASSERT_TRUE(m_store->add_ping(make_ping("backup", PingKind::success, k_morning)));
    ASSERT_TRUE(m_store->delete_check("backup"));
    EXPECT_FALSE(m_store->check("backup").value_or(CheckSpec{}).has_value());
    EXPECT_TRUE(m_store->recent_pings("backup", 10).value_or(std::vector<Ping>{Ping{}}).empty());
    EXPECT_FALSE(m_store->delete_check("backup"));
    auto all = m_store->checks();
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 1u);
    EXPECT_EQ((*all)[0].name, "nightly-smoke");
}

TEST_P(StoreTest, SyncingFromTheConfigKeepsKeysAndStatusesAndDropsRemovedConfigChecks) {
    ASSERT_TRUE(m_store->sync_checks_from_config({make_check("smoke"), make_check("nightly")}));
    auto api = m_store->put_check(make_check("from-api"));
    ASSERT_TRUE(api);
    std::string smoke_key = m_store->check("smoke")->value().ping_key;
    ASSERT_FALSE(smoke_key.empty());
    ASSERT_TRUE(m_store->evaluate_check("smoke", k_morning, down_with_alert("smoke/down/1")).value_or(std::nullopt));
    ASSERT_TRUE(m_store->set_paused("smoke", Pause::paused));

    CheckSpec changed = make_check("smoke");
    changed.grace = 45min;
    ASSERT_TRUE(m_store->sync_checks_from_config({changed, make_check("weekly")}));

    auto smoke = m_store->check("smoke");
    ASSERT_TRUE(smoke && smoke->has_value());
    EXPECT_EQ((*smoke)->ping_key, smoke_key);
    EXPECT_EQ((*smoke)->grace, Duration(45min));
    EXPECT_TRUE((*smoke)->paused) << "a pause made through the API outlives a restart";
    auto status = m_store->status("smoke");
    ASSERT_TRUE(status && status->has_value());
    EXPECT_EQ((*status)->state, CheckState::down);
    EXPECT_FALSE(m_store->check("nightly").value_or(CheckSpec{}).has_value()) << "removed from the config";
    EXPECT_TRUE(m_store->check("weekly").value_or(std::nullopt).has_value());
    auto kept = m_store->check("from-api");
    ASSERT_TRUE(kept && kept->has_value());
    EXPECT_EQ((*kept)->ping_key, api->ping_key);
}

// ---- pings ----

TEST_P(StoreTest, RecentPingsAreTheLastOnesOldestFirst) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    ASSERT_TRUE(m_store->put_check(make_check("other")));
    for (int i = 0; i < 5; ++i) {
        Ping ping = make_ping("smoke", i % 2 ? PingKind::start : PingKind::success, k_morning + std::chrono::minutes(i),
                              "ping " + std::to_string(i));
        if (i == 4) {
            ping.kind = PingKind::fail;
            ping.exit_code = 3;
            ping.rid = "rid-42";
        }
        ASSERT_TRUE(m_store->add_ping(ping));
    }
    ASSERT_TRUE(m_store->add_ping(make_ping("other", PingKind::success, k_morning + 10min)));
    auto pings = m_store->recent_pings("smoke", 3);
    ASSERT_TRUE(pings) << pings.message();
    ASSERT_EQ(pings->size(), 3u);
    EXPECT_EQ((*pings)[0].body, "ping 2");
    EXPECT_EQ((*pings)[1].kind, PingKind::start);
    EXPECT_EQ((*pings)[2].kind, PingKind::fail);
    EXPECT_EQ((*pings)[2].exit_code, std::optional<int>(3));
    EXPECT_EQ((*pings)[2].rid, std::optional<std::string>("rid-42"));
    EXPECT_EQ((*pings)[2].at, k_morning + 4min);
    EXPECT_FALSE((*pings)[0].exit_code.has_value());
}

TEST_P(StoreTest, APingByKeyIsRecordedForItsCheckAndAnUnknownKeyRecordsNothing) {
    auto smoke = m_store->put_check(make_check("smoke"));
    ASSERT_TRUE(smoke) << smoke.message();
    auto other = m_store->put_check(make_check("other"));
    ASSERT_TRUE(other) << other.message();
    Ping ping = make_ping("ignored", PingKind::fail, k_morning + 3min, "exit 2");
    ping.exit_code = 2;
    ping.rid = "rid-7";
    auto recorded = m_store->add_ping_by_key(smoke->ping_key, ping);
    ASSERT_TRUE(recorded) << recorded.message();
    EXPECT_EQ(*recorded, std::optional<std::string>("smoke"));

    auto unknown = m_store->add_ping_by_key("not-a-key", ping);
    ASSERT_TRUE(unknown) << unknown.message();
    EXPECT_FALSE(unknown->has_value());

    auto pings = m_store->recent_pings("smoke", 10);
    ASSERT_TRUE(pings && pings->size() == 1u);
    EXPECT_EQ((*pings)[0].check, "smoke");
    EXPECT_EQ((*pings)[0].kind, PingKind::fail);
    EXPECT_EQ((*pings)[0].exit_code, std::optional<int>(2));
    EXPECT_EQ((*pings)[0].rid, std::optional<std::string>("rid-7"));
    EXPECT_EQ((*pings)[0].at, k_morning + 3min);
    EXPECT_EQ((*pings)[0].body, "exit 2");
    EXPECT_TRUE(m_store->recent_pings("other", 10)->empty());
    EXPECT_TRUE(m_store->recent_pings("ignored", 10)->empty());

    ASSERT_TRUE(m_store->delete_check("smoke"));
    auto after_delete = m_store->add_ping_by_key(smoke->ping_key, ping);
    ASSERT_TRUE(after_delete) << after_delete.message();
    EXPECT_FALSE(after_delete->has_value()) << "a deleted check's key records nothing";
}

TEST_P(StoreTest, PingsSentTogetherAreEachRecordedOnceForTheirOwnCheck) {
    auto first = m_store->put_check(make_check("first"));
    ASSERT_TRUE(first) << first.message();
    auto second = m_store->put_check(make_check("second"));
    ASSERT_TRUE(second) << second.message();
    // 32 threads at once, so pings are written in shared batches that mix both checks and unknown keys.
    std::atomic<int> wrong{0};
    std::vector<std::thread> senders;
    for (int thread = 0; thread < 32; ++thread) {
        senders.emplace_back([&, thread] {
            for (int n = 0; n < 30; ++n) {
                const int choice = (thread + n) % 3;
                const std::string key = choice == 0 ? first->ping_key : choice == 1 ? second->ping_key : "unknown-key";
                Ping ping = make_ping("", PingKind::success, k_morning + std::chrono::milliseconds(n),
                                      fmt::format("{}/{}", thread, n));
                auto recorded = m_store->add_ping_by_key(key, ping);
                const std::optional<std::string> expected = choice == 0   ? std::optional<std::string>("first")
                                                            : choice == 1 ? std::optional<std::string>("second")
                                                                          : std::nullopt;
                if (!recorded || *recorded != expected) ++wrong;
            }
        });
    }
    for (auto& sender : senders) sender.join();
    EXPECT_EQ(wrong.load(), 0);
    auto first_pings = m_store->recent_pings("first", 1000);
    auto second_pings = m_store->recent_pings("second", 1000);
    ASSERT_TRUE(first_pings && second_pings);
    EXPECT_EQ(first_pings->size(), 320u);
    EXPECT_EQ(second_pings->size(), 320u);
    std::set<std::string> bodies;
    for (const Ping& ping : *first_pings) bodies.insert(ping.body);
    EXPECT_EQ(bodies.size(), 320u) << "no ping written twice";
    EXPECT_EQ(raw_query("SELECT COUNT(*) FROM pings").integer(0, 0), 640);
}

TEST_P(StoreTest, TextThatIsNotUtf8IsStoredWithReplacementCharacters) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    std::string body = std::string("exit \xff\xfe ok") + '\0' + " caf\xc3\xa9 \xe2\x82";
    Status stored = m_store->add_ping(make_ping("smoke", PingKind::log, k_morning, body));
    ASSERT_TRUE(stored) << stored.message();
    auto pings = m_store->recent_pings("smoke", 1);
    ASSERT_TRUE(pings && pings->size() == 1u);
    EXPECT_EQ((*pings)[0].body, "exit \xEF\xBF\xBD\xEF\xBF\xBD ok caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD");
}

// ---- evaluation ----

TEST_P(StoreTest, EvaluationStoresTheStatusAndQueuesAnAlertOnceAcrossEvaluations) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    ASSERT_TRUE(m_store->add_ping(make_ping("smoke", PingKind::success, k_morning)));

    std::vector<std::optional<CheckStatus>> previous_seen;
    std::size_t pings_seen = 0;
    Evaluator down = down_with_alert("smoke/down/2026-11-21T05:00:00.000Z/discord-main");
    Evaluator recording = [&](const CheckSpec& spec, const std::optional<CheckStatus>& previous,
                              const std::vector<Ping>& pings, WallTime now) {
        previous_seen.push_back(previous);
        pings_seen = pings.size();
        return down(spec, previous, pings, now);
    };
    auto first = m_store->evaluate_check("smoke", k_morning + 7h, recording);
    ASSERT_TRUE(first) << first.message();
    ASSERT_TRUE(first->has_value());
    auto second = m_store->evaluate_check("smoke", k_morning + 8h, recording);
    ASSERT_TRUE(second && second->has_value());

    ASSERT_EQ(previous_seen.size(), 2u);
    EXPECT_FALSE(previous_seen[0].has_value());
    ASSERT_TRUE(previous_seen[1].has_value()) << "the second evaluation sees the first one's status";
    EXPECT_EQ(previous_seen[1]->state, CheckState::down);
    EXPECT_EQ(pings_seen, 1u);

    auto status = m_store->status("smoke");
    ASSERT_TRUE(status && status->has_value());
    EXPECT_EQ((*status)->state, CheckState::down);
    EXPECT_EQ((*status)->since, k_morning + 7h);
    EXPECT_EQ((*status)->last_ping, std::optional<WallTime>(k_morning));
    EXPECT_EQ((*status)->consecutive_failures, 2);
    EXPECT_EQ((*status)->reason, "late by 1 h");

    auto alerts = m_store->alerts(10);
    ASSERT_TRUE(alerts) << alerts.message();
    ASSERT_EQ(alerts->size(), 1u) << "the same alert key queued twice is one alert";
    const Alert& alert = (*alerts)[0];
    EXPECT_EQ(alert.check, "smoke");
    EXPECT_EQ(alert.created, k_morning + 7h);
    EXPECT_EQ(alert.last_success, std::optional<WallTime>(k_morning + 7h - 7h));
    EXPECT_EQ(alert.job_ids, (std::vector<std::string>{"JOB00042", "JOB00043"}));
    EXPECT_FALSE(alert.sent.has_value());

    auto listing = m_store->checks_with_status();
    ASSERT_TRUE(listing) << listing.message();
    ASSERT_EQ(listing->size(), 1u);
    EXPECT_EQ((*listing)[0].first.name, "smoke");
    ASSERT_TRUE((*listing)[0].second.has_value());
    EXPECT_EQ((*listing)[0].second->state, CheckState::down);

    EXPECT_FALSE(m_store->evaluate_check("missing", k_morning, down));
}

TEST_P(StoreTest, AnEvaluatorThatThrowsLeavesTheStoreUsable) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    Evaluator throwing = [](const CheckSpec&, const std::optional<CheckStatus>&, const std::vector<Ping>&,
                            WallTime) -> Evaluation { throw std::runtime_error("evaluator bug"); };
    // More times than the pool has connections: a connection kept by a failed call would run it dry.
    for (int i = 0; i < 12; ++i)
        EXPECT_THROW((void)m_store->evaluate_check("smoke", k_morning, throwing), std::runtime_error);
    auto evaluated = m_store->evaluate_check("smoke", k_morning, down_with_alert("smoke/down/after"));
    ASSERT_TRUE(evaluated) << evaluated.message();
    EXPECT_TRUE(evaluated->has_value());
    EXPECT_EQ(m_store->alerts(10).value_or(std::vector<Alert>{}).size(), 1u);
}

TEST_P(StoreTest, TwoServersEvaluatingOneCheckAtOnceQueueItsAlertOnce) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    auto other = open_store();
    ASSERT_TRUE(other);
    std::atomic<int> inside{0};
    std::atomic<int> most_inside{0};
    std::atomic<int> evaluations{0};
    Evaluator down = down_with_alert("smoke/down/once");
    Evaluator slow = [&](const CheckSpec& spec, const std::optional<CheckStatus>& previous,
                         const std::vector<Ping>& pings, WallTime now) {
        int now_inside = ++inside;
        most_inside = std::max(most_inside.load(), now_inside);
        ++evaluations;
        std::this_thread::sleep_for(5ms);  // widen the window in which the other server could step in
        --inside;
        return down(spec, previous, pings, now);
    };
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        Store* store = i % 2 ? other.get() : m_store.get();
        threads.emplace_back([&, store] {
            for (int round = 0; round < 5; ++round) {
                if (!store->evaluate_check("smoke", k_morning + 7h, slow)) ++failures;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_GE(evaluations.load(), 1);
    EXPECT_EQ(most_inside.load(), 1) << "two evaluations of one check ran at the same time";
    auto alerts = m_store->alerts(10);
    ASSERT_TRUE(alerts);
    EXPECT_EQ(alerts->size(), 1u);
}

// ---- the alert outbox ----

TEST_P(StoreTest, TwoServersClaimingAlertsNeverGetTheSameOne) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    Evaluator many = [](const CheckSpec& spec, const std::optional<CheckStatus>&, const std::vector<Ping>&,
                        WallTime now) {
        Evaluation evaluation;
        evaluation.status.state = CheckState::down;
        evaluation.status.since = now;
        for (int i = 0; i < 60; ++i)
            evaluation.alerts.push_back(make_alert("alert-" + std::to_string(i), spec.name, now));
        return evaluation;
    };
    ASSERT_TRUE(m_store->evaluate_check("smoke", k_morning, many).value_or(std::nullopt));
    auto other = open_store();
    ASSERT_TRUE(other);

    std::mutex mutex;
    std::vector<std::string> claimed;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        Store* store = i % 2 ? other.get() : m_store.get();
        threads.emplace_back([&, store] {
            for (;;) {
                auto batch = store->claim_alerts(k_morning + 1min, 3, 10min);
                if (!batch) {
                    ++failures;
                    return;
                }
                if (batch->empty()) return;
                std::lock_guard lock(mutex);
                for (const Alert& alert : *batch) claimed.push_back(alert.key);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    std::set<std::string> unique(claimed.begin(), claimed.end());
    EXPECT_EQ(claimed.size(), 60u) << "an alert was handed out twice or not at all";
    EXPECT_EQ(unique.size(), 60u);
}

TEST_P(StoreTest, AFailedSendIsRetriedAtItsNextAttemptAndALeaseExpires) {
    ASSERT_TRUE(m_store->put_check(make_check("smoke")));
    ASSERT_TRUE(m_store->evaluate_check("smoke", k_morning, down_with_alert("smoke/down/1")).value_or(std::nullopt));

    auto claimed = m_store->claim_alerts(k_morning, 10, 5min);
    ASSERT_TRUE(claimed) << claimed.message();
    ASSERT_EQ(claimed->size(), 1u);
    EXPECT_EQ((*claimed)[0].attempts, 1);
    EXPECT_TRUE(m_store->claim_alerts(k_morning + 1min, 10, 5min)->empty()) << "leased to the first claimer";

    ASSERT_TRUE(m_store->alert_failed("smoke/down/1", "HTTP 502 from the webhook", k_morning + 2min));
    EXPECT_TRUE(m_store->claim_alerts(k_morning + 1min, 10, 5min)->empty()) << "not due yet";
    auto retried = m_store->claim_alerts(k_morning + 2min, 10, 5min);
    ASSERT_TRUE(retried);
    ASSERT_EQ(retried->size(), 1u);
    EXPECT_EQ((*retried)[0].attempts, 2);
    EXPECT_EQ((*retried)[0].last_error, "HTTP 502 from the webhook");

    // The claimer died without reporting: once the lease runs out, the alert is handed out again.
    auto after_lease = m_store->claim_alerts(k_morning + 8min, 10, 5min);
    ASSERT_TRUE(after_lease);
    ASSERT_EQ(after_lease->size(), 1u);
    EXPECT_EQ((*after_lease)[0].attempts, 3);

    ASSERT_TRUE(m_store->alert_sent("smoke/down/1", k_morning + 9min));
    EXPECT_TRUE(m_store->claim_alerts(k_morning + 1h, 10, 5min)->empty()) << "sent alerts are not sent again";
    auto listed = m_store->alerts(10);
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].sent, std::optional<WallTime>(k_morning + 9min));
    EXPECT_EQ((*listed)[0].last_error, "");
    EXPECT_FALSE(m_store->alert_sent("unknown", k_morning));

    auto last = m_store->last_alert_of_kind(AlertKind::down, "discord-main");
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, std::optional<WallTime>(k_morning));
    EXPECT_EQ(m_store->last_alert_of_kind(AlertKind::heartbeat, "discord-main").value_or(WallTime{}), std::nullopt);
}

TEST_P(StoreTest, AHeartbeatIsQueuedOnceAndSchedulesTheNext) {
    Alert heartbeat;
    heartbeat.key = "heartbeat/2026-11-21/discord-main";
    heartbeat.kind = AlertKind::heartbeat;
    heartbeat.channel = "discord-main";
    heartbeat.created = k_morning;
    heartbeat.reason = "the alert path works";
    EXPECT_TRUE(m_store->queue_alert(heartbeat).value_or(false));
    EXPECT_FALSE(m_store->queue_alert(heartbeat).value_or(true)) << "the same key queued twice";
    EXPECT_EQ(m_store->last_alert_of_kind(AlertKind::heartbeat, "discord-main").value_or(std::nullopt),
              std::optional<WallTime>(k_morning));
    EXPECT_EQ(m_store->last_alert_of_kind(AlertKind::heartbeat, "slack").value_or(WallTime{}), std::nullopt);
    auto claimed = m_store->claim_alerts(k_morning, 10, 1min);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(claimed->size(), 1u);
    EXPECT_EQ((*claimed)[0].kind, AlertKind::heartbeat);
    EXPECT_FALSE(m_store->queue_alert(Alert{}));
}

TEST_P(StoreTest, CheckStatesAreCounted) {
    ASSERT_TRUE(m_store->put_check(make_check("a")));
    ASSERT_TRUE(m_store->put_check(make_check("b")));
    ASSERT_TRUE(m_store->put_check(make_check("c")));
    ASSERT_TRUE(m_store->evaluate_check("a", k_morning, down_with_alert("a/down")).value_or(std::nullopt));
    ASSERT_TRUE(m_store->set_paused("c", Pause::paused));
    auto counts = m_store->check_state_counts();
    ASSERT_TRUE(counts) << counts.message();
    EXPECT_EQ((*counts)[CheckState::down], 1);
    EXPECT_EQ((*counts)[CheckState::new_check], 1);
    EXPECT_EQ((*counts)[CheckState::paused], 1);
    EXPECT_EQ((*counts)[CheckState::up], 0);
    EXPECT_EQ(counts->size(), 5u);
}

// ---- tokens ----

TEST_P(StoreTest, TokensAreStoredHashedVerifiedAndRevoked) {
    auto secret = m_store->create_token("ci-runner", TokenScope::ingest);
    ASSERT_TRUE(secret) << secret.message();
    EXPECT_TRUE(secret->starts_with("glt_"));
    EXPECT_EQ(secret->size(), 4u + 43u);  // 32 bytes in base64url without padding
    auto admin = m_store->create_token("operator", TokenScope::admin);
    ASSERT_TRUE(admin);
    EXPECT_NE(*secret, *admin);

    QueryResult table = raw_query("SELECT name, scope, sha256 FROM tokens");
    ASSERT_EQ(table.size(), 2u);
    for (std::size_t row = 0; row < table.size(); ++row) {
        for (std::size_t column = 0; column < 3; ++column) {
            EXPECT_EQ(table.text(row, column).find(secret->substr(4)), std::string::npos)
                << "the secret is in the table";
        }
    }

    auto verified = m_store->verify_token(*secret);
    ASSERT_TRUE(verified && verified->has_value());
    EXPECT_EQ((*verified)->name, "ci-runner");
    EXPECT_EQ((*verified)->scope, TokenScope::ingest);
    EXPECT_EQ((*verified)->created, m_clock.now());
    EXPECT_EQ(m_store->verify_token(*admin)->value().scope, TokenScope::admin);

    std::string wrong = *secret;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(m_store->verify_token(wrong).value_or(TokenInfo{}).has_value());
    EXPECT_FALSE(m_store->verify_token("").value_or(TokenInfo{}).has_value());

    EXPECT_FALSE(m_store->create_token("ci-runner", TokenScope::admin)) << "names are unique";

    m_clock.advance(1h);
    ASSERT_TRUE(m_store->revoke_token("ci-runner"));
    EXPECT_FALSE(m_store->verify_token(*secret).value_or(TokenInfo{}).has_value()) << "a revoked token still works";
    EXPECT_FALSE(m_store->revoke_token("ci-runner"));
    auto listed = m_store->tokens();
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].name, "ci-runner");
    EXPECT_EQ((*listed)[0].revoked, std::optional<WallTime>(m_clock.now()));
    EXPECT_FALSE((*listed)[1].revoked.has_value());
}

// ---- retention ----

TEST_P(StoreTest, PruningRemovesWhatRetentionNoLongerKeepsAndNothingElse) {
    using days = std::chrono::days;
    // Runs: one older than 90 days with its bundle, one without, one recent.
    RunRecord old_run = make_run("old-with-bundle", "nightly", k_morning - days(100), "fail");
    old_run.suites.push_back(make_suite("unit", "fail"));
    old_run.cases.push_back(make_case("unit", "test_total", "failed"));
    ASSERT_TRUE(m_store->put_run(old_run));
    ASSERT_TRUE(m_store->set_bundle_stored("old-with-bundle"));
    ASSERT_TRUE(m_store->put_run(make_run("old-plain", "nightly", k_morning - days(91))));
    RunRecord recent = make_run("recent", "nightly", k_morning - days(89));
    recent.suites.push_back(make_suite("unit", "pass"));
    recent.cases.push_back(make_case("unit", "test_total", "passed"));
    ASSERT_TRUE(m_store->put_run(recent));

    // Pings: "busy" has 540 pings older than 30 days and 20 recent ones; "quiet" has 10 old ones.
    ASSERT_TRUE(m_store->put_check(make_check("busy")));
    ASSERT_TRUE(m_store->put_check(make_check("quiet")));
    for (int i = 0; i < 560; ++i) {
        WallTime at =
            i < 540 ? k_morning - days(40) + std::chrono::minutes(i) : k_morning - std::chrono::minutes(560 - i);
        ASSERT_TRUE(m_store->add_ping(make_ping("busy", PingKind::success, at, "ping " + std::to_string(i))));
    }
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(
            m_store->add_ping(make_ping("quiet", PingKind::success, k_morning - days(60) + std::chrono::hours(i))));
    }

    // Alerts: an old sent one, an old one never delivered, a recent sent one, and two old sent heartbeats.
    auto queue_sent = [&](Alert alert, std::optional<WallTime> sent) {
        ASSERT_TRUE(m_store->queue_alert(alert).value_or(false)) << alert.key;
        if (sent) {
            ASSERT_TRUE(m_store->alert_sent(alert.key, *sent)) << alert.key;
        }
    };
    queue_sent(make_alert("busy/down/old", "busy", k_morning - days(120)), k_morning - days(120));
    queue_sent(make_alert("busy/down/undelivered", "busy", k_morning - days(120)), std::nullopt);
    queue_sent(make_alert("busy/down/recent", "busy", k_morning - days(10)), k_morning - days(10));
    for (int day : {200, 100}) {
        Alert heartbeat;
        heartbeat.key = "heartbeat/" + std::to_string(day) + "/discord-main";
        heartbeat.kind = AlertKind::heartbeat;
        heartbeat.channel = "discord-main";
        heartbeat.created = k_morning - days(day);
        heartbeat.reason = "the alert path works";
        queue_sent(heartbeat, heartbeat.created);
    }

    Retention retention{std::chrono::duration_cast<Duration>(days(90)), std::chrono::duration_cast<Duration>(days(30)),
                        std::chrono::duration_cast<Duration>(days(90))};
    auto pruned = m_store->prune(retention, k_morning);
    ASSERT_TRUE(pruned) << pruned.message();
    EXPECT_TRUE(pruned->complete);
    EXPECT_EQ(pruned->runs, 2);
    EXPECT_EQ(pruned->runs_with_bundles, std::vector<std::string>{"old-with-bundle"});
    EXPECT_EQ(pruned->pings, 60) << "busy keeps its newest 500 pings, quiet keeps all 10";
    EXPECT_EQ(pruned->alerts, 2) << "the old sent alert and the older heartbeat";

    EXPECT_FALSE(m_store->run("old-with-bundle").value_or(RunRecord{}).has_value());
    EXPECT_FALSE(m_store->run("old-plain").value_or(RunRecord{}).has_value());
    auto kept = m_store->run("recent");
    ASSERT_TRUE(kept && kept->has_value());
    EXPECT_EQ((*kept)->cases.size(), 1u);
    EXPECT_EQ(raw_query("SELECT COUNT(*) FROM test_cases WHERE run_id = 'old-with-bundle'").integer(0, 0), 0)
        << "a removed run's test cases go with it";
    EXPECT_EQ(raw_query("SELECT COUNT(*) FROM suites WHERE run_id = 'old-with-bundle'").integer(0, 0), 0);

    auto busy = m_store->recent_pings("busy", 1000);
    ASSERT_TRUE(busy);
    ASSERT_EQ(busy->size(), 500u);
    EXPECT_EQ(busy->front().body, "ping 60") << "the oldest pings went first";
    EXPECT_EQ(busy->back().body, "ping 559");
    EXPECT_EQ(m_store->recent_pings("quiet", 1000)->size(), 10u);

    std::set<std::string> alert_keys;
    auto listed = m_store->alerts(100);
    ASSERT_TRUE(listed) << listed.message();
    for (const Alert& alert : *listed) alert_keys.insert(alert.key);
    EXPECT_EQ(alert_keys,
              (std::set<std::string>{"busy/down/undelivered", "busy/down/recent", "heartbeat/100/discord-main"}));
    EXPECT_EQ(m_store->last_alert_of_kind(AlertKind::heartbeat, "discord-main").value_or(std::nullopt),
              std::optional<WallTime>(k_morning - days(100)));

    auto again = m_store->prune(retention, k_morning);
    ASSERT_TRUE(again) << again.message();
    EXPECT_EQ(again->runs + again->pings + again->alerts, 0) << "a second pass finds nothing left to remove";

    auto forever = m_store->prune(Retention{}, k_morning + days(1000));
    ASSERT_TRUE(forever) << forever.message();
    EXPECT_EQ(forever->runs + forever->pings + forever->alerts, 0) << "no limits: everything is kept";
    EXPECT_EQ(m_store->run_count().value_or(0), 1);
}

TEST_P(StoreTest, PruningALargeBacklogTakesSeveralPassesAndReportsWhenItIsDone) {
    ASSERT_TRUE(m_store->put_check(make_check("chatty")));
    // Enough old pings for more than one pass (25 batches of 2,000) beyond the 500 kept.
    const int count = 51'000 + 500;
    auto database = raw_database();
    ASSERT_TRUE(database);
    const std::int64_t old_ms = to_milliseconds(k_morning - std::chrono::days(60));
    // One statement for all of them (a recursive CTE, which both databases read alike).
    Status filled = database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto inserted = connection.query(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2) "
            "INSERT INTO pings (check_name, kind, exit_code, rid, at_ms, source, body) "
            "SELECT 'chatty', 'success', NULL, NULL, CAST($1 AS BIGINT) + i, 'http', '' FROM n",
            {old_ms, count});
        if (!inserted) return inserted.error();
        return {};
    });
    ASSERT_TRUE(filled) << filled.message();
    Retention retention;
    retention.pings = std::chrono::duration_cast<Duration>(std::chrono::days(30));
    auto first = m_store->prune(retention, k_morning);
    ASSERT_TRUE(first) << first.message();
    EXPECT_FALSE(first->complete);
    EXPECT_EQ(first->pings, 50'000);
    auto second = m_store->prune(retention, k_morning);
    ASSERT_TRUE(second) << second.message();
    EXPECT_TRUE(second->complete);
    EXPECT_EQ(second->pings, 1'000);
    EXPECT_EQ(m_store->recent_pings("chatty", 1000)->size(), 500u);
}

TEST_P(StoreTest, TheStoreIsUsableFromManyThreadsAtOnce) {
    auto smoke = m_store->put_check(make_check("smoke"));
    ASSERT_TRUE(smoke) << smoke.message();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
        threads.emplace_back([&, i] {
            for (int n = 0; n < 25; ++n) {
                Ping ping = make_ping("smoke", PingKind::success, k_morning + std::chrono::seconds(n));
                bool added = n % 2 ? static_cast<bool>(m_store->add_ping(ping))
                                   : static_cast<bool>(m_store->add_ping_by_key(smoke->ping_key, ping));
                if (!added) ++failures;
                if (n % 5 == 0 &&
                    !m_store->put_run(make_run("t" + std::to_string(i) + "-" + std::to_string(n), "unit", k_morning))) {
                    ++failures;
                }
                if (!m_store->check_available()) ++failures;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(m_store->recent_pings("smoke", 1000)->size(), 400u);
    EXPECT_EQ(m_store->run_count().value_or(0), 80);
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreTest, ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         test_label);

// ---- only one of the databases ----

TEST(PostgresStoreTest, AStoppedServerIsUnavailableAndTheStoreRecoversWhenItReturns) {
    test_support::PostgresCluster cluster;  // its own: the test stops it
    ASSERT_EQ(cluster.error(), "") << "the PostgreSQL store tests need a PostgreSQL server";
    std::string error;
    std::string url = cluster.create_database(error);
    ASSERT_FALSE(url.empty()) << error;
    FakeClock clock;
    auto store = Store::open(url, clock);
    ASSERT_TRUE(store) << store.message();
    ASSERT_TRUE((*store)->put_check(make_check("smoke")));
    ASSERT_TRUE((*store)->check_available());

    ASSERT_TRUE(cluster.stop());
    util::Status ping = (*store)->add_ping(make_ping("smoke", PingKind::success, k_morning));
    ASSERT_FALSE(ping);
    EXPECT_TRUE(is_unavailable(ping.error())) << ping.message();
    auto listed = (*store)->checks();
    ASSERT_FALSE(listed);
    EXPECT_TRUE(is_unavailable(listed.error())) << listed.message();
    util::Status health = (*store)->check_available();
    EXPECT_TRUE(is_unavailable(health.error())) << health.message();

    ASSERT_TRUE(cluster.start());
    util::Status again = (*store)->add_ping(make_ping("smoke", PingKind::success, k_morning + 1min));
    EXPECT_TRUE(again) << again.message();
    EXPECT_TRUE((*store)->check_available());
    auto pings = (*store)->recent_pings("smoke", 10);
    ASSERT_TRUE(pings) << pings.message();
    EXPECT_EQ(pings->size(), 1u);
}

TEST(PostgresStoreTest, AnUnreachableServerFailsOpenAsUnavailableWithoutShowingThePassword) {
    FakeClock clock;
    // Port 1 on loopback: nothing listens there.
    auto store = Store::open("postgresql://greenlight:hunter2@127.0.0.1:1/serve?connect_timeout=2", clock);
    ASSERT_FALSE(store);
    EXPECT_TRUE(is_unavailable(store.error())) << store.message();
    EXPECT_EQ(store.message().find("hunter2"), std::string::npos) << store.message();
}

TEST(SqliteStoreTest, AFileThatIsNotADatabaseIsRefusedAsUnusable) {
    TempDir dir("greenlight-store");
    std::ofstream(dir.path() / "serve.db") << std::string(8192, 'x');
    FakeClock clock;
    auto store = Store::open("sqlite:" + (dir.path() / "serve.db").string(), clock);
    ASSERT_FALSE(store);
    EXPECT_TRUE(is_unavailable(store.error())) << store.message();
}

TEST(SqliteStoreTest, AMissingFolderIsMadeAndAnUnwritableOneIsReportedWithWhatToDo) {
    TempDir dir("greenlight-store");
    FakeClock clock;
    auto made = Store::open("sqlite:" + (dir.path() / "new-folder" / "serve.db").string(), clock);
    ASSERT_TRUE(made) << made.message();
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "new-folder" / "serve.db"));
    // A file where the folder should be: nothing can be made there.
    std::ofstream(dir.path() / "a-file") << "not a folder";
    auto store = Store::open("sqlite:" + (dir.path() / "a-file" / "serve.db").string(), clock);
    ASSERT_FALSE(store);
    EXPECT_NE(store.message().find("folder"), std::string::npos) << store.message();
}

// ---- URLs and SQL ----

TEST(DatabaseUrlTest, ParsesBothKindsAndRejectsOthers) {
    auto sqlite = DatabaseUrl::parse("sqlite:state/serve.db");
    ASSERT_TRUE(sqlite);
    EXPECT_EQ(sqlite->kind, DatabaseKind::sqlite);
    EXPECT_EQ(sqlite->sqlite_path, "state/serve.db");
    auto postgres = DatabaseUrl::parse("postgres://ci@db.internal:5433/greenlight");
    ASSERT_TRUE(postgres);
    EXPECT_EQ(postgres->kind, DatabaseKind::postgresql);
    EXPECT_EQ(postgres->conninfo, "postgres://ci@db.internal:5433/greenlight");
    EXPECT_FALSE(DatabaseUrl::parse("sqlite:"));
    auto mysql = DatabaseUrl::parse("mysql://root:secret@localhost/db");
    ASSERT_FALSE(mysql);
    EXPECT_EQ(mysql.message().find("secret"), std::string::npos) << mysql.message();
}

TEST(DatabaseUrlTest, TheRedactedFormHidesPasswords) {
    auto url =
        DatabaseUrl::parse("postgresql://ci:s3cr%40t@db.internal:5432/greenlight?sslmode=require&password=other");
    ASSERT_TRUE(url);
    std::string shown = url->redacted();
    EXPECT_EQ(shown, "postgresql://ci:***@db.internal:5432/greenlight?sslmode=require&password=***");
    EXPECT_EQ(DatabaseUrl::parse("postgresql://ci@db/greenlight")->redacted(), "postgresql://ci@db/greenlight");
    EXPECT_EQ(DatabaseUrl::parse("sqlite:serve.db")->redacted(), "sqlite:serve.db");
}

TEST(DatabaseTest, PlaceholdersBecomeSqliteNumberedParametersOutsideQuotes) {
    EXPECT_EQ(sqlite_placeholders("SELECT a FROM t WHERE b = $1 AND c = '$2' AND d = $12"),
              "SELECT a FROM t WHERE b = ?1 AND c = '$2' AND d = ?12");
}

}  // namespace
}  // namespace greenlight::serve
