#include "greenlight/serve/report_client.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/util/fs.hpp"
#include "support/http_peer.hpp"
#include "support/test_support.hpp"

namespace greenlight::serve {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using test_support::TempDir;

constexpr const char* k_token = "s3cret-ingest-token";

struct Recorded {
    std::string method;
    std::string path;
    std::string content_type;
    std::string authorization;
    std::string body;
};

struct Answer {
    int status = 201;
    std::string body = R"({"status":"stored"})";
    std::string retry_after;  // empty: no header
};

// A stand-in for `greenlight serve` on loopback: records every request and answers from a script
// (the last answer repeats once the script is used up).
class RecordingServer {
public:
    RecordingServer() : m_server(std::make_unique<test_support::HttpPeer>()) { start(); }
    RecordingServer(const std::string& certificate, const std::string& key)
        : m_server(std::make_unique<test_support::HttpPeer>(certificate, key)) {
        start();
    }
    ~RecordingServer() { stop(); }
    void stop() { m_server->stop(); }
    void script(std::deque<Answer> answers) {
        std::lock_guard lock(m_mutex);
        m_script = std::move(answers);
    }
    std::string url(const std::string& scheme = "http") const { return m_server->url(scheme); }
    std::vector<Recorded> recorded() {
        std::lock_guard lock(m_mutex);
        return m_recorded;
    }

private:
    void start() {
        m_server->put(".*", [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
            std::lock_guard lock(m_mutex);
            m_recorded.push_back({request.method, request.path, request.get_header_value("Content-Type"),
                                  request.get_header_value("Authorization"), request.body});
            Answer answer = m_script.size() > 1 ? m_script.front() : m_script.back();
            if (m_script.size() > 1) m_script.pop_front();
            response.status = answer.status;
            if (!answer.retry_after.empty()) response.set_header("Retry-After", answer.retry_after);
            std::string body = answer.body;
            // A careless server that echoes the request's credentials back.
            for (std::size_t at = body.find("{auth}"); at != std::string::npos; at = body.find("{auth}")) {
                body.replace(at, 6, request.get_header_value("Authorization"));
            }
            response.set_content(body, "application/json");
        });
    }

    std::mutex m_mutex;
    std::deque<Answer> m_script{Answer{}};
    std::vector<Recorded> m_recorded;
    std::unique_ptr<test_support::HttpPeer> m_server;
};

// Steady time moves only when the client waits, so retry budgets are exact and the test never sleeps.
class FakeClock final : public util::Clock {
public:
    util::WallTime now() const override { return util::WallTime{} + m_elapsed; }
    std::chrono::steady_clock::time_point steady_now() const override {
        return std::chrono::steady_clock::time_point{} + m_elapsed;
    }
    Sleep sleeper() {
        return [this](milliseconds wait) {
            m_waits.push_back(wait);
            m_elapsed += wait;
        };
    }
    const std::vector<milliseconds>& waits() const { return m_waits; }

private:
    milliseconds m_elapsed{0};
    std::vector<milliseconds> m_waits;
};

RunRecord sample_run() {
    RunRecord run;
    run.run_id = "20261121T103600Z";
    run.project = "shop";
    run.tier = "nightly";
    run.verdict = verdict::Verdict::pass;
    run.started = *parse_utc_time("2026-11-21T10:36:00.000Z");
    run.ended = *parse_utc_time("2026-11-21T10:37:00.000Z");
    run.duration_seconds = 60;
    run.suites.push_back({"api", verdict::Verdict::pass, 2, 0, 0, 0, 59.5, 1, std::nullopt});
    run.cases.push_back({"api", "api.orders", "creates", "passed", 0.5, ""});
    return run;
}

ReportClientOptions options_for(const std::string& url) {
    ReportClientOptions options;
    options.url = url;
    options.token = k_token;
    options.retry_budget = std::chrono::seconds(30);
    return options;
}

ReportClient make_client(const ReportClientOptions& options, FakeClock& clock) {
    auto client = ReportClient::create(options, clock, clock.sleeper());
    EXPECT_TRUE(client) << client.message();
    return std::move(*client);
}

TEST(ReportClient, PutsTheReportWithTheTokenAndContentType) {
    RecordingServer server;
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url()), clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_TRUE(sent.ok()) << sent.failure->message;
    EXPECT_EQ(*sent.stored, Stored::created);
    EXPECT_EQ(sent.attempts, 1);
    const auto recorded = server.recorded();
    ASSERT_EQ(recorded.size(), 1u);
    EXPECT_EQ(recorded[0].method, "PUT");
    EXPECT_EQ(recorded[0].path, "/api/v1/runs/20261121T103600Z");
    EXPECT_EQ(recorded[0].content_type, "application/json");
    EXPECT_EQ(recorded[0].authorization, std::string("Bearer ") + k_token);
    auto parsed = parse_run_report(recorded[0].body);
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(run_report_json(*parsed), run_report_json(sample_run()));
}

TEST(ReportClient, AnAlreadyStoredRunIsSuccessNotASecondRun) {
    RecordingServer server;
    server.script({Answer{200, R"({"status":"already stored"})", ""}});
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url()), clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(*sent.stored, Stored::already_stored);
    EXPECT_EQ(server.recorded().size(), 1u);
}

TEST(ReportClient, A503IsRetriedWithGrowingBackoffUntilStored) {
    RecordingServer server;
    server.script({Answer{503, R"({"error":"database unavailable"})", ""},
                   Answer{503, R"({"error":"database unavailable"})", ""}, Answer{201, "{}", ""}});
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url()), clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_TRUE(sent.ok()) << sent.failure->message;
    EXPECT_EQ(*sent.stored, Stored::created);
    EXPECT_EQ(sent.attempts, 3);
    EXPECT_EQ(clock.waits(), (std::vector<milliseconds>{milliseconds(500), milliseconds(1000)}));
    const auto recorded = server.recorded();
    ASSERT_EQ(recorded.size(), 3u);
    EXPECT_EQ(recorded[2].body, recorded[0].body) << "a retry sends the same report";
}

TEST(ReportClient, A429WaitsAsLongAsRetryAfterSays) {
    RecordingServer server;
    server.script({Answer{429, R"({"error":"slow down"})", "7"}, Answer{201, "{}", ""}});
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url()), clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_TRUE(sent.ok()) << sent.failure->message;
    EXPECT_EQ(clock.waits(), (std::vector<milliseconds>{milliseconds(7000)}));
}

TEST(ReportClient, ARetryAfterBeyondTheBudgetEndsTheRetries) {
    RecordingServer server;
    server.script({Answer{429, R"({"error":"slow down"})", "3600"}, Answer{201, "{}", ""}});
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url()), clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.failure->kind, SendFailure::Kind::unreachable);
    EXPECT_EQ(sent.failure->http_status, 429);
    EXPECT_TRUE(clock.waits().empty());
    EXPECT_EQ(server.recorded().size(), 1u);
}

TEST(ReportClient, ConflictsAndBadRequestsAreFinalWithTheServersMessage) {
    for (const Answer& answer : {Answer{409, R"({"error":"run 20261121T103600Z exists with other content"})", ""},
                                 Answer{400, R"({"error":"/cases/0/outcome: expected one of ..."})", ""}}) {
        RecordingServer server;
        server.script({answer});
        FakeClock clock;
        ReportClient client = make_client(options_for(server.url()), clock);
        const SendOutcome sent = client.send_report(sample_run());
        ASSERT_FALSE(sent.ok());
        EXPECT_EQ(sent.failure->kind, SendFailure::Kind::rejected);
        EXPECT_EQ(sent.failure->http_status, answer.status);
        EXPECT_EQ(sent.attempts, 1);
        EXPECT_TRUE(clock.waits().empty());
        const std::string server_words = nlohmann::json::parse(answer.body)["error"];
        EXPECT_NE(sent.failure->message.find(server_words), std::string::npos) << sent.failure->message;
        EXPECT_NE(sent.failure->message.find("HTTP " + std::to_string(answer.status)), std::string::npos);
    }
}

TEST(ReportClient, ThePersistentFailureStopsWithinTheBudget) {
    RecordingServer server;
    server.script({Answer{502, "<html>bad gateway</html>", ""}});
    FakeClock clock;
    ReportClientOptions options = options_for(server.url());
    options.retry_budget = std::chrono::seconds(10);
    ReportClient client = make_client(options, clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.failure->kind, SendFailure::Kind::unreachable);
    EXPECT_EQ(sent.failure->http_status, 502);
    EXPECT_NE(sent.failure->message.find("bad gateway"), std::string::npos) << sent.failure->message;
    milliseconds waited{0};
    for (auto wait : clock.waits()) waited += wait;
    EXPECT_LE(waited, options.retry_budget);
    // 0.5 + 1 + 2 + 4 s fit in 10 s; the next 8 s would not.
    EXPECT_EQ(sent.attempts, 5);
    EXPECT_EQ(server.recorded().size(), 5u);
}

TEST(ReportClient, AServerThatIsNotThereIsUnreachable) {
    std::string url;
    {
        RecordingServer gone;
        url = gone.url();
    }
    FakeClock clock;
    ReportClientOptions options = options_for(url);
    options.retry_budget = std::chrono::seconds(2);
    ReportClient client = make_client(options, clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.failure->kind, SendFailure::Kind::unreachable);
    EXPECT_EQ(sent.failure->http_status, 0);
    EXPECT_NE(sent.failure->message.find("could not connect"), std::string::npos) << sent.failure->message;
    EXPECT_GT(sent.attempts, 1);
}

TEST(ReportClient, TheTokenNeverAppearsInAMessage) {
    RecordingServer server;
    server.script({Answer{401, R"({"error":"token not accepted: {auth}"})", ""}});
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url()), clock);
    const SendOutcome sent = client.send_report(sample_run());
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.failure->message.find(k_token), std::string::npos) << sent.failure->message;
    EXPECT_NE(sent.failure->message.find("Bearer <token>"), std::string::npos) << sent.failure->message;
}

TEST(ReportClient, TheBundleUploadIsTheDeterministicPackOfTheFolder) {
    TempDir temp;
    const fs::path folder = temp.path() / "20261121T103600Z";
    fs::create_directories(folder / "suites/api");
    std::ofstream(folder / "summary.json") << "{}";
    std::ofstream(folder / "suites/api/output.log") << "ok\n";
    ASSERT_TRUE(bundle::write_manifest(folder, 1));
    const fs::path packed = temp.path() / "expected.tar.gz";
    ASSERT_TRUE(bundle::pack_bundle(folder, packed));
    const std::string expected = *util::read_file(packed);

    RecordingServer server;
    FakeClock clock;
    ReportClient client = make_client(options_for(server.url() + "/greenlight/"), clock);
    const SendOutcome from_folder = client.send_bundle("20261121T103600Z", folder);
    ASSERT_TRUE(from_folder.ok()) << from_folder.failure->message;
    const SendOutcome from_archive = client.send_bundle("20261121T103600Z", packed);
    ASSERT_TRUE(from_archive.ok()) << from_archive.failure->message;

    const auto recorded = server.recorded();
    ASSERT_EQ(recorded.size(), 2u);
    for (const auto& request : recorded) {
        EXPECT_EQ(request.path, "/greenlight/api/v1/runs/20261121T103600Z/bundle");
        EXPECT_EQ(request.content_type, "application/gzip");
        EXPECT_EQ(request.authorization, std::string("Bearer ") + k_token);
        EXPECT_TRUE(request.body == expected) << "the uploaded bytes differ from `greenlight pack`'s";
    }
}

// A throwaway certificate for 127.0.0.1, made by the openssl command.
class ReportClientTls : public ::testing::Test {
protected:
    void SetUp() override {
        m_certificate = (m_dir.path() / "cert.pem").string();
        m_key = (m_dir.path() / "key.pem").string();
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
            m_key + "' -out '" + m_certificate + "' >/dev/null 2>&1";
        if (std::system(command.c_str()) != 0) GTEST_SKIP() << "the openssl command is needed for the TLS tests";
        m_server = std::make_unique<RecordingServer>(m_certificate, m_key);
    }

    SendOutcome send(ReportClientOptions options) {
        auto client = ReportClient::create(std::move(options), m_clock, m_clock.sleeper());
        EXPECT_TRUE(client) << client.message();
        return client->send_report(sample_run());
    }

    TempDir m_dir{"greenlight-tls"};
    std::string m_certificate;
    std::string m_key;
    std::unique_ptr<RecordingServer> m_server;
    FakeClock m_clock;
};

TEST_F(ReportClientTls, VerifiedWithTheCaFile) {
    ReportClientOptions options = options_for(m_server->url("https"));
    options.ca_file = m_certificate;
    const SendOutcome sent = send(options);
    ASSERT_TRUE(sent.ok()) << sent.failure->message;
    EXPECT_EQ(m_server->recorded().size(), 1u);
}

TEST_F(ReportClientTls, AnUnverifiedCertificateIsFinalAndSaysWhatToDo) {
    const SendOutcome sent = send(options_for(m_server->url("https")));
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.failure->kind, SendFailure::Kind::rejected);
    EXPECT_EQ(sent.attempts, 1);
    EXPECT_NE(sent.failure->message.find("--ca-file"), std::string::npos) << sent.failure->message;
    EXPECT_TRUE(m_server->recorded().empty());
}

TEST_F(ReportClientTls, AcceptedWhenVerificationIsSkipped) {
    ReportClientOptions options = options_for(m_server->url("https"));
    options.tls = TlsVerification::skip;
    const SendOutcome sent = send(options);
    ASSERT_TRUE(sent.ok()) << sent.failure->message;
}

TEST(ReportClient, CreationChecksTheUrlTokenAndCaFile) {
    FakeClock clock;
    ReportClientOptions options = options_for("http://127.0.0.1:1");
    options.token.clear();
    {
        test_support::ScopedEnvironment no_token(k_token_variable, std::nullopt);
        auto client = ReportClient::create(options, clock);
        ASSERT_FALSE(client);
        EXPECT_NE(client.message().find("GREENLIGHT_SERVE_TOKEN"), std::string::npos) << client.message();
    }
    options = options_for("ftp://example");
    EXPECT_FALSE(ReportClient::create(options, clock));
    options = options_for("https://127.0.0.1:8443");
    options.ca_file = "/nonexistent/ca.pem";
    auto without_ca = ReportClient::create(options, clock);
    ASSERT_FALSE(without_ca);
    EXPECT_NE(without_ca.message().find("/nonexistent/ca.pem"), std::string::npos);
}

TEST(ReportClient, TheTokenIsReadFromTheEnvironment) {
    {
        test_support::ScopedEnvironment token(k_token_variable, "from-env");
        auto read = token_from_environment();
        ASSERT_TRUE(read);
        EXPECT_EQ(*read, "from-env");
    }
    test_support::ScopedEnvironment empty(k_token_variable, "");
    EXPECT_FALSE(token_from_environment());
}

TEST(ReportClient, ServerUrlsSplitIntoOriginAndPathPrefix) {
    auto plain = parse_server_url("http://127.0.0.1:8080");
    ASSERT_TRUE(plain) << plain.message();
    EXPECT_EQ(plain->origin, "http://127.0.0.1:8080");
    EXPECT_EQ(plain->path_prefix, "");
    auto prefixed = parse_server_url("https://ci.example/tools/greenlight/");
    ASSERT_TRUE(prefixed) << prefixed.message();
    EXPECT_EQ(prefixed->origin, "https://ci.example");
    EXPECT_EQ(prefixed->path_prefix, "/tools/greenlight");
    auto ipv6 = parse_server_url("http://[::1]:9000");
    ASSERT_TRUE(ipv6) << ipv6.message();
    EXPECT_EQ(ipv6->origin, "http://[::1]:9000");

    for (const char* bad : {"127.0.0.1:8080", "ftp://host", "http://user:pw@host", "http://host:99999",
                            "http://host:port", "http://", "http://host/a?b=c", "http://host/a b", "http://ho st"}) {
        EXPECT_FALSE(parse_server_url(bad)) << bad;
    }
    auto with_user = parse_server_url("http://user:pw@host");
    EXPECT_NE(with_user.message().find("GREENLIGHT_SERVE_TOKEN"), std::string::npos) << with_user.message();
}

}  // namespace
}  // namespace greenlight::serve
