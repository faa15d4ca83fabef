// `greenlight serve` in-process on an ephemeral port, on SQLite and on a throwaway PostgreSQL (every test runs
// on both), with a clock the test moves and an alert sender that records what it is asked to send; driven
// over HTTP as CI jobs and browsers drive it.
#include "greenlight/serve/server.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "greenlight/bridge/users.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/serve/store.hpp"
#include "postgres_cluster.hpp"
#include "support/http_peer.hpp"
#include "support/test_support.hpp"

namespace greenlight::serve {
namespace {

using nlohmann::json;
using test_support::TempDir;
using namespace std::chrono_literals;

class MovableClock final : public util::Clock {
public:
    explicit MovableClock(util::WallTime start) : m_now(start) {}
    util::WallTime now() const override {
        std::lock_guard lock(m_mutex);
        return m_now;
    }
    std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }
    void advance(Duration by) {
        std::lock_guard lock(m_mutex);
        m_now += by;
    }

private:
    mutable std::mutex m_mutex;
    util::WallTime m_now;
};

class RecordingSender final : public AlertSender {
public:
    DeliveryResult send(const Alert& alert, const AlertChannel& channel) override {
        std::lock_guard lock(m_mutex);
        if (m_failures_left > 0) {
            --m_failures_left;
            m_attempts.push_back(alert.key);
            return DeliveryResult{DeliveryResult::Outcome::retry, "receiver answered 503", std::nullopt};
        }
        m_sent.push_back(alert);
        m_channels.push_back(channel.name);
        return DeliveryResult{DeliveryResult::Outcome::sent, "", std::nullopt};
    }
    std::vector<Alert> sent() const {
        std::lock_guard lock(m_mutex);
        return m_sent;
    }
    void fail_next(int count) {
        std::lock_guard lock(m_mutex);
        m_failures_left = count;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<Alert> m_sent;
    std::vector<std::string> m_channels;
    std::vector<std::string> m_attempts;
    int m_failures_left = 0;
};

const util::WallTime k_start = util::WallTime{std::chrono::sys_days{std::chrono::year{2026} / 11 / 21}} + 8h;

class ServeServerTest : public ::testing::TestWithParam<DatabaseKind> {
protected:
    void SetUp() override {
        std::string error;
        m_url = test_support::fresh_database_url(GetParam() == DatabaseKind::postgresql, m_dir.path(), error);
        ASSERT_FALSE(m_url.empty()) << error;
    }

    void start(int requests_per_minute = 0, std::optional<std::filesystem::path> dashboard_users = std::nullopt,
               std::size_t max_body_bytes = std::size_t{64} * 1024 * 1024) {
        ServeOptions options;
        options.dashboard_users = dashboard_users;
        options.max_body_bytes = max_body_bytes;
        options.port = 0;
        options.database_url = m_url;
        options.bundles_dir = m_dir.path() / "bundles";
        options.clock = &m_clock;
        options.watchdog_interval = 20ms;
        options.requests_per_minute = requests_per_minute;
        options.retention = m_retention;
        options.retention_interval = m_retention_interval;
        options.channels.push_back(
            AlertChannel{"ops", AlertChannel::Type::json, "http://127.0.0.1:9/unused", "", 0, "", ""});
        CheckSpec nightly;
        nightly.name = "nightly";
        nightly.schedule.period = Duration{6h};
        nightly.grace = Duration{30min};
        nightly.tier = "nightly";
        nightly.channels = {"ops"};
        options.config_checks.push_back(nightly);
        auto sender = std::make_unique<RecordingSender>();
        m_sender = sender.get();
        options.sender = std::move(sender);
        options.log_sink = [this](const std::string& line) {
            std::lock_guard lock(m_log_mutex);
            m_log += line + "\n";
        };
        auto server = ServeServer::open(std::move(options));
        ASSERT_TRUE(server) << server.message();
        m_server = std::move(*server);
        ASSERT_TRUE(m_server->start());
        web::HttpClientOptions client_options;
        client_options.read_timeout = std::chrono::seconds(10);
        m_client = std::make_unique<test_support::OriginClient>("127.0.0.1", m_server->port(), client_options);
        // Tokens are made the way `greenlight serve token create` makes them: on the same database.
        auto store = Store::open(m_url, m_clock);
        ASSERT_TRUE(store) << store.message();
        m_ingest_token = *(*store)->create_token("ci", TokenScope::ingest);
        m_admin_token = *(*store)->create_token("ops", TokenScope::admin);
    }
    void TearDown() override {
        if (m_server) m_server->stop();
    }

    web::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

    json get_json(const std::string& path, int expected = 200) {
        auto response = m_client->get(path);
        EXPECT_TRUE(response) << path;
        if (!response) return {};
        EXPECT_EQ(response->status, expected) << path << ": " << response->body;
        return json::parse(response->body, nullptr, false);
    }

    RunRecord run(const std::string& id, const std::string& verdict, util::WallTime ended) {
        RunRecord record;
        record.run_id = id;
        record.project = "billing";
        record.tier = "nightly";
        record.verdict = verdict::parse_verdict(verdict).value();
        record.started = ended - 5min;
        record.ended = ended;
        record.duration_seconds = 300;
        record.git_sha = "0123456789abcdef0123456789abcdef01234567";
        record.branch = "main";
        record.suites.push_back(
            SuiteRecord{"unit", record.verdict, 3, verdict == "pass" ? 0 : 1, 0, 0, 12.5, 1, std::nullopt});
        record.cases.push_back(TestCaseRecord{"unit", "billing.Invoice", "rounds_half_up",
                                              verdict == "pass" ? "passed" : "failed", 0.2,
                                              verdict == "pass" ? "" : "expected 3 got 2"});
        return record;
    }

    int put_run(const RunRecord& record, const std::string& token) {
        auto response = m_client->put("/api/v1/runs/" + record.run_id, bearer(token), run_report_json(record).dump(),
                                      "application/json");
        return response ? response->status : -1;
    }

    // Waits (bounded) until the check reaches the state; the server's watchdog runs every 20 ms.
    json wait_for_state(const std::string& check, const std::string& state) {
        json document;
        for (int attempt = 0; attempt < 250; ++attempt) {
            document = get_json("/api/v1/checks/" + check);
            if (document.value("state", "") == state) return document;
            std::this_thread::sleep_for(20ms);
        }
        ADD_FAILURE() << check << " never became " << state << ": " << document;
        return document;
    }

    // The watchdog rounds the server has finished, whatever their outcome (greenlight_watchdog_rounds_total on
    // /metrics); -1 when /metrics cannot be read.
    std::int64_t watchdog_rounds() {
        auto metrics = m_client->get("/metrics");
        if (!metrics) return -1;
        std::int64_t total = 0;
        for (const char* outcome : {"ok", "failed"}) {
            const std::string prefix = std::string("greenlight_watchdog_rounds_total{outcome=\"") + outcome + "\"} ";
            auto at = metrics->body.find(prefix);
            if (at == std::string::npos) return -1;
            total += std::stoll(metrics->body.substr(at + prefix.size()));
        }
        return total;
    }

    // Waits (bounded) until `count` more watchdog rounds have finished; with two or more, a whole round began
    // after this call.
    void wait_for_watchdog_rounds(std::int64_t count) {
        const std::int64_t first = watchdog_rounds();
        ASSERT_GE(first, 0) << "no watchdog rounds on /metrics";
        for (int attempt = 0; attempt < 500; ++attempt) {
            if (watchdog_rounds() >= first + count) return;
            std::this_thread::sleep_for(10ms);
        }
        ADD_FAILURE() << "fewer than " << count << " more watchdog rounds finished within 5 s";
    }

    std::vector<Alert> wait_for_alerts(std::size_t count) {
        for (int attempt = 0; attempt < 250; ++attempt) {
            auto sent = m_sender->sent();
            if (sent.size() >= count) return sent;
            std::this_thread::sleep_for(20ms);
        }
        ADD_FAILURE() << "fewer than " << count << " alerts were sent";
        return m_sender->sent();
    }

    TempDir m_dir{"greenlight-serve"};
    std::string m_url;
    Retention m_retention;  // forever, unless a test sets limits before start()
    Duration m_retention_interval{std::chrono::hours{1}};
    MovableClock m_clock{k_start};
    RecordingSender* m_sender = nullptr;
    std::unique_ptr<ServeServer> m_server;
    std::unique_ptr<test_support::OriginClient> m_client;
    std::string m_ingest_token;
    std::string m_admin_token;
    std::mutex m_log_mutex;
    std::string m_log;
};

TEST_P(ServeServerTest, ARunIsStoredOnceWhateverTheRetries) {
    start();
    RunRecord first = run("nightly-101", "pass", k_start - 1h);
    EXPECT_EQ(put_run(first, m_ingest_token), 201);
    EXPECT_EQ(put_run(first, m_ingest_token), 200);  // a retried push
    json runs = get_json("/api/v1/runs");
    ASSERT_EQ(runs["runs"].size(), 1u) << runs;
    EXPECT_EQ(runs["runs"][0]["run_id"], "nightly-101");
    EXPECT_EQ(runs["runs"][0]["verdict"], "pass");
    json stored = get_json("/api/v1/runs/nightly-101");
    EXPECT_EQ(stored["suites"].size(), 1u) << stored;

    EXPECT_EQ(put_run(run("nightly-102", "pass", k_start), "glt_not-a-token"), 401);
    auto mismatch = m_client->put("/api/v1/runs/other-id", bearer(m_ingest_token), run_report_json(first).dump(),
                                  "application/json");
    ASSERT_TRUE(mismatch);
    EXPECT_EQ(mismatch->status, 422) << mismatch->body;
    auto broken = m_client->put("/api/v1/runs/x", bearer(m_ingest_token), "{\"schema\":1}", "application/json");
    ASSERT_TRUE(broken);
    EXPECT_EQ(broken->status, 422);
    EXPECT_EQ(get_json("/api/v1/runs")["runs"].size(), 1u);
}

TEST_P(ServeServerTest, AReportWhoseVerdictDisagreesWithItsSuitesIsRefusedNamingTheField) {
    start();
    RunRecord lying = run("nightly-201", "fail", k_start - 1h);
    lying.verdict = verdict::Verdict::pass;  // its one suite failed
    auto refused = m_client->put("/api/v1/runs/nightly-201", bearer(m_ingest_token), run_report_json(lying).dump(),
                                 "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 422) << refused->body;
    EXPECT_NE(refused->body.find("/verdict"), std::string::npos) << refused->body;
    EXPECT_NE(refused->body.find("fail"), std::string::npos) << refused->body;

    RunRecord green_fail = run("nightly-202", "fail", k_start - 1h);
    green_fail.green = true;
    auto refused_green = m_client->put("/api/v1/runs/nightly-202", bearer(m_ingest_token),
                                       run_report_json(green_fail).dump(), "application/json");
    ASSERT_TRUE(refused_green);
    EXPECT_EQ(refused_green->status, 422) << refused_green->body;
    EXPECT_NE(refused_green->body.find("/green"), std::string::npos) << refused_green->body;
    EXPECT_EQ(get_json("/api/v1/runs")["runs"].size(), 0u) << "nothing of a refused report is stored";
}

TEST_P(ServeServerTest, RunIdsThatAreNotFolderNamesAreRefusedBeforeAnythingIsWritten) {
    start();
    for (const std::string id : {"..%2F..%2Fescaped", "..", "a%2Fb", "%2Ftmp%2Fx"}) {
        auto report = m_client->put("/api/v1/runs/" + id, bearer(m_ingest_token), "{}", "application/json");
        ASSERT_TRUE(report);
        EXPECT_EQ(report->status, 400) << id << ": " << report->body;
        auto bundle =
            m_client->put("/api/v1/runs/" + id + "/bundle", bearer(m_ingest_token), "not a tar", "application/gzip");
        ASSERT_TRUE(bundle);
        EXPECT_EQ(bundle->status, 400) << id << ": " << bundle->body;
    }
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "escaped"));
    std::error_code error;
    EXPECT_TRUE(std::filesystem::is_empty(m_dir.path() / "bundles", error) || error);
}

TEST_P(ServeServerTest, UploadsAKilledServerLeftBehindAreRemovedOnceOld) {
    const auto bundles = m_dir.path() / "bundles";
    std::filesystem::create_directories(bundles / ".nightly-1.unpack-7" / "suites");
    std::ofstream(bundles / ".nightly-1.upload-7.tar.gz") << "half an upload";
    std::ofstream(bundles / ".nightly-2.upload-9.tar.gz") << "an upload in progress elsewhere";
    const auto old = std::filesystem::file_time_type::clock::now() - std::chrono::hours{2};
    std::filesystem::last_write_time(bundles / ".nightly-1.unpack-7", old);
    std::filesystem::last_write_time(bundles / ".nightly-1.upload-7.tar.gz", old);
    start();
    EXPECT_FALSE(std::filesystem::exists(bundles / ".nightly-1.unpack-7"));
    EXPECT_FALSE(std::filesystem::exists(bundles / ".nightly-1.upload-7.tar.gz"));
    EXPECT_TRUE(std::filesystem::exists(bundles / ".nightly-2.upload-9.tar.gz"));
}

TEST_P(ServeServerTest, RetentionRemovesOldRunsWithTheirBundlesAndLeavesTheRest) {
    const auto bundles = m_dir.path() / "bundles";
    // Before the server starts: a run 100 days old with its bundle folder, and two folders without a run,
    // one last written long ago (a server stopped between deleting a run and its folder) and one just now.
    {
        auto store = Store::open(m_url, m_clock);
        ASSERT_TRUE(store) << store.message();
        ASSERT_TRUE((*store)->put_run(run("nightly-old", "pass", k_start - std::chrono::days(100))));
        ASSERT_TRUE((*store)->set_bundle_stored("nightly-old"));
    }
    for (const char* name : {"nightly-old", "orphan-old", "orphan-new"}) {
        std::filesystem::create_directories(bundles / name / "suites");
        std::ofstream(bundles / name / "manifest.json") << "{}";
    }
    std::filesystem::last_write_time(bundles / "orphan-old",
                                     std::filesystem::file_time_type::clock::now() - std::chrono::days(91));
    m_retention.runs = std::chrono::duration_cast<Duration>(std::chrono::days(90));
    m_retention_interval = 50ms;
    start();

    auto removed = [&](const std::string& what) {
        auto metrics = m_client->get("/metrics");
        if (!metrics) return std::string();
        const std::string prefix = "greenlight_retention_removed_total{what=\"" + what + "\"} ";
        auto at = metrics->body.find(prefix);
        if (at == std::string::npos) return std::string();
        return metrics->body.substr(at + prefix.size(), metrics->body.find('\n', at) - at - prefix.size());
    };
    for (int attempt = 0; attempt < 250 && removed("runs") != "1"; ++attempt) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(removed("runs"), "1");
    EXPECT_EQ(removed("bundles"), "2");
    EXPECT_EQ(get_json("/api/v1/runs/nightly-old", 404).value("status", 0), 404);
    EXPECT_FALSE(std::filesystem::exists(bundles / "nightly-old"));
    EXPECT_FALSE(std::filesystem::exists(bundles / "orphan-old"));
    EXPECT_TRUE(std::filesystem::exists(bundles / "orphan-new")) << "a recent folder may be an upload on its way";

    // A run ingested now is kept until it is older than 90 days by the server's clock.
    ASSERT_EQ(put_run(run("nightly-new", "pass", k_start), m_ingest_token), 201);
    // A retention pass is due at most one interval from now; a whole round begun after that has run it.
    const auto pass_due = std::chrono::steady_clock::now() + m_retention_interval;
    while (std::chrono::steady_clock::now() < pass_due) std::this_thread::sleep_for(5ms);
    wait_for_watchdog_rounds(2);
    EXPECT_EQ(get_json("/api/v1/runs/nightly-new").value("run_id", ""), "nightly-new");
    m_clock.advance(std::chrono::days(91));
    for (int attempt = 0; attempt < 250 && removed("runs") != "2"; ++attempt) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(removed("runs"), "2");
    get_json("/api/v1/runs/nightly-new", 404);
    {
        std::lock_guard lock(m_log_mutex);
        EXPECT_NE(m_log.find("retention: removed 1 run, 2 bundle folders, 0 pings and 0 sent alerts"),
                  std::string::npos)
            << m_log;
    }
}

TEST_P(ServeServerTest, AnIngestedRunOfTheTierPingsItsCheck) {
    start();
    EXPECT_EQ(get_json("/api/v1/checks/nightly")["state"], "new");
    ASSERT_EQ(put_run(run("nightly-1", "pass", k_start), m_ingest_token), 201);
    // The run counts as a start ping and then a success: a round between the two already shows the check up (its
    // job has started), so wait for the success, not only for the state.
    json up = wait_for_state("nightly", "up");
    for (int attempt = 0; attempt < 250 && up["last_success"].is_null(); ++attempt) {
        std::this_thread::sleep_for(20ms);
        up = get_json("/api/v1/checks/nightly");
    }
    EXPECT_EQ(up["state"], "up") << up;
    EXPECT_EQ(up["last_success"], util::format_utc(k_start)) << up;
}

TEST_P(ServeServerTest, AMissingSuccessAlertsOnceRemindsNothingElseAndRecovers) {
    start();
    auto check =
        m_client->put("/api/v1/checks/mainframe-smoke", bearer(m_admin_token),
                      R"({"period_seconds": 21600, "grace_seconds": 1800, "channels": ["ops"]})", "application/json");
    ASSERT_TRUE(check);
    ASSERT_EQ(check->status, 201) << check->body;
    const std::string ping_path = json::parse(check->body)["ping_url_path"];
    auto ping = m_client->get(ping_path + "?rid=JOB00042");
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->status, 200);
    wait_for_state("mainframe-smoke", "up");

    m_clock.advance(6h + 10min);
    wait_for_state("mainframe-smoke", "late");
    EXPECT_TRUE(m_sender->sent().empty()) << "late does not alert";
    m_clock.advance(30min);
    json down = wait_for_state("mainframe-smoke", "down");
    auto alerts = wait_for_alerts(1);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].kind, AlertKind::down);
    EXPECT_EQ(alerts[0].check, "mainframe-smoke");
    ASSERT_TRUE(alerts[0].last_success);
    EXPECT_EQ(*alerts[0].last_success, k_start);
    wait_for_watchdog_rounds(10);
    EXPECT_EQ(m_sender->sent().size(), 1u) << "a down check alerts once";

    ASSERT_TRUE(m_client->get(ping_path));
    wait_for_state("mainframe-smoke", "up");
    alerts = wait_for_alerts(2);
    EXPECT_EQ(alerts[1].kind, AlertKind::recovery);

    // Only admin tokens define checks.
    auto refused = m_client->put("/api/v1/checks/other", bearer(m_ingest_token), R"({"period_seconds": 3600})",
                                 "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403);
}

TEST_P(ServeServerTest, AnAlertTheReceiverRefusesIsRetriedNotLostNotDuplicated) {
    start();
    m_sender->fail_next(2);
    auto check =
        m_client->put("/api/v1/checks/flaky-receiver", bearer(m_admin_token),
                      R"({"period_seconds": 3600, "grace_seconds": 60, "channels": ["ops"]})", "application/json");
    ASSERT_TRUE(check);
    ASSERT_TRUE(m_client->get(json::parse(check->body)["ping_url_path"].get<std::string>()));
    wait_for_state("flaky-receiver", "up");
    m_clock.advance(2h);
    wait_for_state("flaky-receiver", "down");
    // Retries wait for their delay: move the clock past it, twice.
    for (int round = 0; round < 3 && m_sender->sent().empty(); ++round) {
        wait_for_watchdog_rounds(2);  // a whole round tried to deliver at this time
        m_clock.advance(2h);
    }
    auto alerts = wait_for_alerts(1);
    wait_for_watchdog_rounds(5);  // a duplicate would have been sent by now
    alerts = m_sender->sent();
    std::size_t downs = std::count_if(alerts.begin(), alerts.end(), [](const Alert& alert) {
        return alert.kind == AlertKind::down && alert.check == "flaky-receiver";
    });
    EXPECT_EQ(downs, 1u);
}

TEST_P(ServeServerTest, PingsAnswerAndRefuseWhatTheyShould) {
    start();
    EXPECT_EQ(m_client->get("/ping/not-a-key")->status, 404);
    json checks = get_json("/api/v1/checks");
    ASSERT_EQ(checks["checks"].size(), 1u);
    EXPECT_FALSE(checks["checks"][0].contains("ping_url_path")) << "read answers never show ping keys";
    auto check =
        m_client->put("/api/v1/checks/exits", bearer(m_admin_token), R"({"period_seconds": 3600})", "application/json");
    const std::string path = json::parse(check->body)["ping_url_path"];
    EXPECT_EQ(m_client->get(path + "/start?rid=a")->status, 200);
    EXPECT_EQ(m_client->get(path + "/3?rid=a")->status, 200);
    EXPECT_EQ(m_client->get(path + "/256")->status, 404);
    EXPECT_EQ(m_client->get(path + "/restart")->status, 404);
    EXPECT_EQ(m_client->post(path + "/log", "note from the job", "text/plain")->status, 200);
    json details = get_json("/api/v1/checks/exits");
    ASSERT_GE(details["pings"].size(), 3u) << details;
    EXPECT_EQ(details["pings"][0]["kind"], "log");
    EXPECT_EQ(details["pings"][1]["exit_code"], 3);
    EXPECT_EQ(details["pings"][1]["rid"], "a");
}

TEST_P(ServeServerTest, DashboardHealthAndMetricsAnswer) {
    start();
    ASSERT_EQ(put_run(run("nightly-7", "fail", k_start), m_ingest_token), 201);
    for (const std::string path :
         {"/", "/runs?tier=nightly", "/runs/nightly-7", "/flaky", "/trends", "/checks", "/checks/nightly", "/jobs"}) {
        auto page = m_client->get(path);
        ASSERT_TRUE(page) << path;
        EXPECT_EQ(page->status, 200) << path << ": " << page->body.substr(0, 300);
        EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos) << path;
        EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
    }
    EXPECT_NE(m_client->get("/runs/nightly-7")->body.find("expected 3 got 2"), std::string::npos);
    EXPECT_EQ(m_client->get("/runs/nope")->status, 404);
    EXPECT_EQ(m_client->get("/assets/dashboard.css")->status, 200);
    json health = get_json("/healthz");
    EXPECT_EQ(health["database"], "ok");
    auto metrics = m_client->get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("greenlight_ingestions_total{outcome=\"stored\"} 1"), std::string::npos)
        << metrics->body;
    EXPECT_NE(metrics->body.find("greenlight_checks{state="), std::string::npos);
    EXPECT_NE(metrics->body.find("greenlight_http_requests_total{route=\"dashboard\",code=\"200\"}"),
              std::string::npos);
}

// The route table's precedence, as clients see it: an unknown path is 404, a known path asked with a method it
// does not take is 405, a trailing segment either belongs to the page or makes the path unknown, and the
// checks that come before a route (a check name, a token) come in the documented order.
TEST_P(ServeServerTest, EveryPathAndMethodFindsItsAnswer) {
    start();
    ASSERT_EQ(put_run(run("nightly-7", "fail", k_start), m_ingest_token), 201);
    struct Probe {
        std::string method;
        std::string path;
        std::string token;
        int status;
        std::string says;  // a fragment of the answer's body
    };
    const std::string ingest = m_ingest_token;
    const std::string admin = m_admin_token;
    const std::vector<Probe> probes = {
        // The dashboard: read-only, unknown pages 404, trailing segments of a run or a check ignored.
        {"GET", "/", "", 200, "<h1>Runs</h1>"},
        {"GET", "/runs", "", 200, "<h1>Runs</h1>"},
        {"GET", "/%72uns", "", 200, "<h1>Runs</h1>"},
        {"GET", "/runs/nightly-7/anything/else", "", 200, "expected 3 got 2"},
        {"GET", "/runs/nightly-7/bundle", "", 200, "expected 3 got 2"},
        {"GET", "/runs/nightly-7/bundle/logs/unit.txt", "", 404, "No such file in this run"},
        {"GET", "/runs/nope/bundle/logs/unit.txt", "", 404, "No run has this id."},
        {"GET", "/checks/nightly/extra", "", 200, "nightly"},
        {"GET", "/checks/nope", "", 404, "No check has this name."},
        {"GET", "/flaky/extra", "", 200, "Flaky"},
        {"GET", "/trends/extra", "", 200, "Trends"},
        {"GET", "/jobs/a", "", 200, "Jobs"},
        {"GET", "/nope", "", 404, "No such page."},
        {"GET", "/healthz/", "", 404, "No such page."},
        {"HEAD", "/checks", "", 200, ""},
        {"POST", "/runs", "", 405, "The dashboard is read-only."},
        {"DELETE", "/checks/nightly", "", 405, "The dashboard is read-only."},
        {"PUT", "/nope", "", 405, "The dashboard is read-only."},
        // Health, metrics and the stylesheet answer any method, on their exact path only.
        {"POST", "/healthz", "", 200, "\"database\":\"ok\""},
        {"DELETE", "/metrics", "", 200, "greenlight_up 1"},
        {"POST", "/assets/dashboard.css", "", 200, ""},
        {"GET", "/favicon.ico", "", 204, ""},
        // Pings.
        {"GET", "/ping", "", 404, "a ping is /ping/<key>"},
        {"GET", "/ping/some-key/start/extra", "", 404, "a ping is /ping/<key>"},
        {"GET", "/ping/some-key/start", "", 404, "no check has this ping key"},
        {"PUT", "/ping/some-key", "", 405, "pings are GET, HEAD or POST"},
        {"DELETE", "/ping", "", 405, "pings are GET, HEAD or POST"},
        // The API: outside /api/v1, unknown resources, trailing segments, methods a resource does not take.
        {"GET", "/api", "", 404, "the API lives under /api/v1"},
        {"GET", "/api/v1", "", 404, "the API lives under /api/v1"},
        {"PUT", "/api/v2/runs/x", "", 404, "the API lives under /api/v1"},
        {"GET", "/api/v1/nope", "", 404, "no such resource: /api/v1/nope"},
        {"GET", "/api/v1/runs/nightly-7/extra", "", 404, "no such resource"},
        {"GET", "/api/v1/checks/nightly/pause", "", 404, "no such resource"},
        {"GET", "/api//v1/runs/", "", 200, "\"runs\":["},
        {"HEAD", "/api/v1/alerts", "", 200, ""},
        {"GET", "/api/v1/runs/nope", "", 404, "no run nope"},
        {"POST", "/api/v1/runs", "", 405, "POST is not a method of /api/v1/runs"},
        {"DELETE", "/api/v1/runs/nightly-7", ingest, 405, "DELETE is not a method of /api/v1/runs"},
        {"PUT", "/api/v1/runs/nightly-7/other", ingest, 405, "PUT is not a method of /api/v1/runs"},
        {"PUT", "/api/v1/nope", "", 405, "PUT is not a method of /api/v1/nope"},
        {"PUT", "/api/v1/runs/nightly-7", "", 401, "a token is required"},
        {"PUT", "/api/v1/runs/..", ingest, 400, "a run id is"},
        {"PUT", "/api/v1/runs/nightly-8/bundle", "", 401, "a token is required"},
        // Check writes: the name first, then an admin token, then the method.
        {"DELETE", "/api/v1/checks", "", 400, "a check name is"},
        {"POST", "/api/v1/checks/Bad%20Name/pause", "", 400, "a check name is"},
        {"DELETE", "/api/v1/checks/nightly/extra", "", 401, "a token is required"},
        {"DELETE", "/api/v1/checks/nightly/extra", ingest, 403, "needs an admin token"},
        {"DELETE", "/api/v1/checks/nightly/extra", admin, 405, "checks take PUT, DELETE"},
        {"POST", "/api/v1/checks/nightly/stop", admin, 405, "checks take PUT, DELETE"},
        {"PUT", "/api/v1/checks/nightly/pause", admin, 405, "checks take PUT, DELETE"},
        {"POST", "/api/v1/checks/nightly/pause", admin, 200, "\"paused\":true"},
        {"POST", "/api/v1/checks/nightly/resume", admin, 200, "\"paused\":false"},
        {"DELETE", "/api/v1/checks/nope", admin, 404, ""},
    };
    for (const Probe& probe : probes) {
        const web::Headers headers = probe.token.empty() ? web::Headers{} : bearer(probe.token);
        web::HttpResult answer = probe.method == "GET"    ? m_client->get(probe.path, headers)
                                 : probe.method == "HEAD" ? m_client->head(probe.path, headers)
                                 : probe.method == "POST" ? m_client->post(probe.path, headers, "", "text/plain")
                                 : probe.method == "PUT"  ? m_client->put(probe.path, headers, "{}", "application/json")
                                                          : m_client->remove(probe.path, headers);
        ASSERT_TRUE(answer) << probe.method << " " << probe.path;
        EXPECT_EQ(answer->status, probe.status) << probe.method << " " << probe.path << ": " << answer->body;
        EXPECT_NE(answer->body.find(probe.says), std::string::npos)
            << probe.method << " " << probe.path << ": expected '" << probe.says << "' in " << answer->body;
    }
}

TEST_P(ServeServerTest, TooManyRequestsFromOneAddressAreRefused) {
    start(5);
    int refused = 0;
    for (int i = 0; i < 8; ++i) {
        auto response = m_client->get("/healthz");
        ASSERT_TRUE(response);
        if (response->status == 429) {
            ++refused;
            EXPECT_FALSE(response->get_header_value("Retry-After").empty());
        }
    }
    EXPECT_EQ(refused, 3);
}

TEST_P(ServeServerTest, TheDashboardBehindBasicAuthShowsPingKeysOnlyToItsUsers) {
    bridge::UsersFile users;
    users.set(*bridge::make_user_entry("viewer", "dashboard-pw", bridge::k_minimum_iterations));
    ASSERT_TRUE(users.save(m_dir.path() / "dashboard-users.txt"));
    start(0, m_dir.path() / "dashboard-users.txt");
    for (const std::string path : {"/", "/checks", "/api/v1/runs", "/metrics"}) {
        auto refused = m_client->get(path);
        ASSERT_TRUE(refused) << path;
        EXPECT_EQ(refused->status, 401) << path;
        EXPECT_NE(refused->get_header_value("WWW-Authenticate").find("Basic"), std::string::npos) << path;
    }
    // Pings and health stay open: jobs and load balancers have no dashboard password.
    EXPECT_EQ(m_client->get("/healthz")->status, 200);
    m_client->set_basic_auth("viewer", "wrong");
    EXPECT_EQ(m_client->get("/checks")->status, 401);
    m_client->set_basic_auth("viewer", "dashboard-pw");
    auto checks = m_client->get("/checks");
    ASSERT_TRUE(checks);
    EXPECT_EQ(checks->status, 200);
    EXPECT_NE(checks->body.find("/ping/"), std::string::npos) << "signed-in viewers see the ping URLs";
}

TEST_P(ServeServerTest, AnOversizedBodyIsRefusedWith413) {
    start(0, std::nullopt, 4096);
    auto response =
        m_client->put("/api/v1/runs/big", bearer(m_ingest_token), std::string(8192, 'x'), "application/json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_NE(response->body.find("too large"), std::string::npos) << response->body;
}

TEST_P(ServeServerTest, SecretsStayOutOfTheLog) {
    start();
    ASSERT_EQ(put_run(run("nightly-9", "pass", k_start), m_ingest_token), 201);
    auto check =
        m_client->put("/api/v1/checks/quiet", bearer(m_admin_token), R"({"period_seconds": 3600})", "application/json");
    ASSERT_TRUE(m_client->get(json::parse(check->body)["ping_url_path"].get<std::string>()));
    m_server->stop();
    std::lock_guard lock(m_log_mutex);
    EXPECT_EQ(m_log.find(m_ingest_token), std::string::npos);
    EXPECT_EQ(m_log.find(m_admin_token), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Databases, ServeServerTest, ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         [](const ::testing::TestParamInfo<DatabaseKind>& info) {
                             return std::string(to_string(info.param));
                         });

}  // namespace
}  // namespace greenlight::serve
