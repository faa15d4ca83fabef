// The z/OSMF client against an in-process HTTP peer (a scripted server on an ephemeral port): what
// it sends, how it reads answers, and how each kind of failure is told apart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "greenlight/bridge/client.hpp"
#include "support/http_peer.hpp"
#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

using test_support::HttpPeer;
using test_support::PeerHandler;
using test_support::PeerRequest;
using test_support::PeerResponse;
using test_support::ScopedEnvironment;
using test_support::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr const char* k_user = "IBMUSER";
constexpr const char* k_password = "s3cret-Pa55word";

// A job document as z/OSMF 2.5 sends it, extra fields and all.
nlohmann::json zosmf_job(std::string status = "INPUT", nlohmann::json retcode = nullptr) {
    return {
        {"owner", "IBMUSER"},
        {"phase", 20},
        {"subsystem", "JES2"},
        {"phase-name", "Job is on the hard copy queue"},
        {"job-correlator", "J0001234SY1.....D8A1C3B2.......:NIGHTLY"},
        {"type", "JOB"},
        {"url", "https://zosmf.example:443/zosmf/restjobs/jobs/J0001234SY1.....D8A1C3B2.......%3A"},
        {"jobid", "JOB01234"},
        {"class", "A"},
        {"files-url", "https://zosmf.example:443/zosmf/restjobs/jobs/J0001234SY1/files"},
        {"jobname", "SMOKE"},
        {"status", std::move(status)},
        {"retcode", std::move(retcode)},
        {"exec-system", "SY1"},
        {"exec-member", "SY1"},
        {"exec-submitted", "2026-11-21T10:00:00.000Z"},
        {"exec-started", "2026-11-21T10:00:01.000Z"},
        {"exec-ended", nullptr},
        {"reason-not-running", nullptr},
    };
}

// One HTTP or HTTPS server on 127.0.0.1, answering with whatever the test installs, and remembering
// the last request it saw.
class FakeZosmf {
public:
    FakeZosmf() : m_server(std::make_unique<HttpPeer>()) {}
    FakeZosmf(const std::string& certificate, const std::string& key)
        : m_server(std::make_unique<HttpPeer>(certificate, key)) {}
    ~FakeZosmf() { m_server->stop(); }

    HttpPeer& server() { return *m_server; }
    int port() const { return m_server->port(); }
    std::string url(const std::string& scheme = "http") const { return m_server->url(scheme); }

    // A handler that records the request, then answers.
    PeerHandler recording(PeerHandler answer) {
        return [this, answer](const PeerRequest& request, PeerResponse& response) {
            {
                std::lock_guard lock(m_mutex);
                m_last = request;
            }
            answer(request, response);
        };
    }
    PeerRequest last() {
        std::lock_guard lock(m_mutex);
        return m_last;
    }

private:
    std::mutex m_mutex;
    PeerRequest m_last;
    std::unique_ptr<HttpPeer> m_server;
};

ClientOptions options_for(const std::string& url, std::chrono::milliseconds timeout = 2000ms) {
    ClientOptions options;
    options.url = url;
    options.credentials = {k_user, k_password};
    options.request_timeout = timeout;
    return options;
}

ZosmfClient client_for(const std::string& url, std::chrono::milliseconds timeout = 2000ms) {
    auto client = ZosmfClient::create(options_for(url, timeout));
    if (!client) throw std::runtime_error(client.message());
    return std::move(client).value();
}

void expect_no_secret(const ClientError& error) {
    EXPECT_THAT(error.message, Not(HasSubstr(k_password)));
    EXPECT_THAT(describe(error), Not(HasSubstr(k_password)));
    EXPECT_THAT(error.message, Not(HasSubstr("Authorization")));
}

TEST(ZosmfClient, SubmitSendsTheIntrdrHeadersAndTheJclAndReadsTheJob) {
    FakeZosmf fake;
    fake.server().put("/zosmf/restjobs/jobs", fake.recording([](const PeerRequest&, PeerResponse& response) {
        response.status = 201;
        response.set_content(zosmf_job().dump(), "application/json");
    }));
    ZosmfClient client = client_for(fake.url());
    const std::string jcl = "//SMOKE JOB (ACCT),'GREENLIGHT'\n//STEP1 EXEC PGM=BPXBATCH,PARM='SH echo hi'\n";
    auto result = client.submit({jcl, "NIGHTLY"});
    ASSERT_TRUE(result.ok()) << describe(*result.error);
    EXPECT_EQ(result.value->jobname, "SMOKE");
    EXPECT_EQ(result.value->jobid, "JOB01234");
    EXPECT_EQ(result.value->status, JobStatus::input);
    EXPECT_EQ(result.value->user_correlator, "NIGHTLY");
    EXPECT_GT(result.latency.count(), 0);

    PeerRequest request = fake.last();
    EXPECT_EQ(request.method, "PUT");
    EXPECT_EQ(request.body, jcl);
    EXPECT_EQ(request.get_header_value("Content-Type"), "text/plain");
    EXPECT_EQ(request.get_header_value("X-IBM-Intrdr-Class"), "A");
    EXPECT_EQ(request.get_header_value("X-IBM-Intrdr-Recfm"), "F");
    EXPECT_EQ(request.get_header_value("X-IBM-Intrdr-Lrecl"), "80");
    EXPECT_EQ(request.get_header_value("X-IBM-Intrdr-Mode"), "TEXT");
    EXPECT_EQ(request.get_header_value("X-IBM-User-Correlator"), "NIGHTLY");
    EXPECT_TRUE(request.has_header("X-CSRF-ZOSMF-HEADER"));
    EXPECT_EQ(request.get_header_value("Accept"), "application/json");
    // Basic auth: base64("IBMUSER:s3cret-Pa55word").
    EXPECT_EQ(request.get_header_value("Authorization"), "Basic SUJNVVNFUjpzM2NyZXQtUGE1NXdvcmQ=");
}

TEST(ZosmfClient, SubmitWithoutCorrelatorSendsNoCorrelatorHeader) {
    FakeZosmf fake;
    fake.server().put("/zosmf/restjobs/jobs", fake.recording([](const PeerRequest&, PeerResponse& response) {
        response.status = 201;
        response.set_content(zosmf_job().dump(), "application/json");
    }));
    ZosmfClient client = client_for(fake.url());
    ASSERT_TRUE(client.submit({"//SMOKE JOB\n", std::nullopt}).ok());
    EXPECT_FALSE(fake.last().has_header("X-IBM-User-Correlator"));
}

TEST(ZosmfClient, StatusReadsARealZosmfDocument) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234",
                      fake.recording([](const PeerRequest&, PeerResponse& response) {
                          response.set_content(zosmf_job("OUTPUT", "CC 0000").dump(), "application/json");
                      }));
    ZosmfClient client = client_for(fake.url());
    auto result = client.status("SMOKE", "JOB01234");
    ASSERT_TRUE(result.ok()) << describe(*result.error);
    EXPECT_EQ(result.value->status, JobStatus::output);
    EXPECT_EQ(result.value->retcode, "CC 0000");
    EXPECT_EQ(result.value->phase, 20);
    EXPECT_EQ(result.value->phase_name, "Job is on the hard copy queue");
    EXPECT_EQ(result.value->submitted, "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(result.value->started, "2026-11-21T10:00:01.000Z");
    EXPECT_FALSE(result.value->ended);
    EXPECT_EQ(fake.last().method, "GET");
    EXPECT_TRUE(fake.last().has_header("X-CSRF-ZOSMF-HEADER"));
}

TEST(ZosmfClient, NamesWithNationalCharactersAreEncodedInThePath) {
    FakeZosmf fake;
    fake.server().get(R"(/zosmf/restjobs/jobs/([^/]+)/([^/]+))",
                      fake.recording([](const PeerRequest& request, PeerResponse& response) {
                          nlohmann::json job = zosmf_job();
                          job["jobname"] = request.matches[1];
                          response.set_content(job.dump(), "application/json");
                      }));
    ZosmfClient client = client_for(fake.url());
    auto result = client.status("A#B$C@", "JOB01234");
    ASSERT_TRUE(result.ok()) << describe(*result.error);
    EXPECT_EQ(result.value->jobname, "A#B$C@");  // the server decoded %23 %24 %40 back
}

TEST(ZosmfClient, ListSendsTheFilterAsQueryParameters) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs", fake.recording([](const PeerRequest&, PeerResponse& response) {
        nlohmann::json second = zosmf_job("OUTPUT", "ABEND S322");
        second["jobid"] = "JOB01235";
        response.set_content(nlohmann::json::array({zosmf_job(), second}).dump(), "application/json");
    }));
    ZosmfClient client = client_for(fake.url());
    ListFilter filter;
    filter.owner = "IBMUSER";
    filter.prefix = "SMO*";
    filter.user_correlator = "NIGHTLY";
    filter.max_jobs = 50;
    auto result = client.list(filter);
    ASSERT_TRUE(result.ok()) << describe(*result.error);
    ASSERT_EQ(result.value->size(), 2u);
    EXPECT_EQ((*result.value)[1].retcode, "ABEND S322");
    PeerRequest request = fake.last();
    EXPECT_EQ(request.get_param_value("owner"), "IBMUSER");
    EXPECT_EQ(request.get_param_value("prefix"), "SMO*");
    EXPECT_EQ(request.get_param_value("user-correlator"), "NIGHTLY");
    EXPECT_EQ(request.get_param_value("max-jobs"), "50");
    EXPECT_FALSE(request.has_param("jobid"));
}

TEST(ZosmfClient, SpoolFilesAndRecordsWithARange) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234/files",
                      fake.recording([](const PeerRequest&, PeerResponse& response) {
                          nlohmann::json files = nlohmann::json::array();
                          files.push_back({{"jobid", "JOB01234"},
                                           {"jobname", "SMOKE"},
                                           {"id", 2},
                                           {"ddname", "JESMSGLG"},
                                           {"stepname", "JES2"},
                                           {"procstep", nullptr},
                                           {"class", "A"},
                                           {"record-count", 14},
                                           {"byte-count", 1200},
                                           {"recfm", "UA"},
                                           {"lrecl", 133},
                                           {"records-url", "x"}});
                          files.push_back({{"jobid", "JOB01234"},
                                           {"jobname", "SMOKE"},
                                           {"id", 101},
                                           {"ddname", "STDOUT"},
                                           {"stepname", "STEP1"},
                                           {"procstep", nullptr},
                                           {"class", "A"},
                                           {"record-count", 3},
                                           {"byte-count", 30}});
                          response.set_content(files.dump(), "application/json");
                      }));
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234/files/101/records",
                      fake.recording([](const PeerRequest& request, PeerResponse& response) {
                          response.set_content(
                              request.has_header("X-IBM-Record-Range") ? "two\nthree\n" : "one\ntwo\nthree\n",
                              "text/plain");
                      }));
    ZosmfClient client = client_for(fake.url());
    auto files = client.spool_files("SMOKE", "JOB01234");
    ASSERT_TRUE(files.ok()) << describe(*files.error);
    ASSERT_EQ(files.value->size(), 2u);
    EXPECT_EQ((*files.value)[0].id, k_jesmsglg_id);
    EXPECT_EQ((*files.value)[1].ddname, "STDOUT");
    EXPECT_EQ((*files.value)[1].stepname, "STEP1");
    EXPECT_EQ((*files.value)[1].record_count, 3);
    EXPECT_FALSE((*files.value)[1].procstep);

    auto all = client.records("SMOKE", "JOB01234", 101);
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(*all.value, "one\ntwo\nthree\n");
    EXPECT_FALSE(fake.last().has_header("X-IBM-Record-Range"));

    auto part = client.records("SMOKE", "JOB01234", 101, RecordRange{1, 2});
    ASSERT_TRUE(part.ok());
    EXPECT_EQ(*part.value, "two\nthree\n");
    EXPECT_EQ(fake.last().get_header_value("X-IBM-Record-Range"), "1-2");  // zero-based, inclusive
}

TEST(ZosmfClient, CancelSendsTheVersion2RequestAndPurgeTheModifyVersion) {
    FakeZosmf fake;
    fake.server().put("/zosmf/restjobs/jobs/SMOKE/JOB01234",
                      fake.recording([](const PeerRequest&, PeerResponse& response) {
                          response.set_content(R"({"jobid":"JOB01234","jobname":"SMOKE","original-jobid":"JOB01234",)"
                                               R"("owner":"IBMUSER","member":"JES2","sysname":"SY1",)"
                                               R"("job-correlator":"x","status":"0"})",
                                               "application/json");
                      }));
    fake.server().remove("/zosmf/restjobs/jobs/SMOKE/JOB01234",
                         fake.recording([](const PeerRequest&, PeerResponse& response) {
                             response.set_content(R"({"jobid":"JOB01234","status":0})", "application/json");
                         }));
    ZosmfClient client = client_for(fake.url());
    auto cancelled = client.cancel("SMOKE", "JOB01234");
    ASSERT_TRUE(cancelled.ok()) << describe(*cancelled.error);
    PeerRequest request = fake.last();
    EXPECT_EQ(request.method, "PUT");
    EXPECT_EQ(nlohmann::json::parse(request.body), nlohmann::json({{"request", "cancel"}, {"version", "2.0"}}));
    EXPECT_EQ(request.get_header_value("Content-Type"), "application/json");
    EXPECT_TRUE(request.has_header("X-CSRF-ZOSMF-HEADER"));

    auto purged = client.purge("SMOKE", "JOB01234");
    ASSERT_TRUE(purged.ok()) << describe(*purged.error);
    EXPECT_EQ(fake.last().method, "DELETE");
    EXPECT_EQ(fake.last().get_header_value("X-IBM-Job-Modify-Version"), "2.0");
}

TEST(ZosmfClient, AFeedbackWithANonZeroStatusIsAnError) {
    FakeZosmf fake;
    fake.server().put("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest&, PeerResponse& response) {
        response.set_content(R"({"jobid":"JOB01234","status":4,"message":"job not cancelled"})", "application/json");
    });
    ZosmfClient client = client_for(fake.url());
    auto cancelled = client.cancel("SMOKE", "JOB01234");
    ASSERT_FALSE(cancelled.ok());
    EXPECT_EQ(cancelled.error->kind, ClientError::Kind::http);
    EXPECT_THAT(cancelled.error->message, HasSubstr("job not cancelled"));
    EXPECT_THAT(describe(*cancelled.error), HasSubstr("the host refused: job not cancelled"));
    EXPECT_THAT(describe(*cancelled.error), Not(HasSubstr("HTTP 200")));
}

TEST(ZosmfClient, AZosmfErrorDocumentBecomesAnHttpErrorWithItsMessage) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB09999", [](const PeerRequest&, PeerResponse& response) {
        response.status = 400;
        response.set_content(
            R"({"rc":4,"reason":10,"category":6,"message":"No job found for reference: 'SMOKE(JOB09999)'"})",
            "application/json");
    });
    ZosmfClient client = client_for(fake.url());
    auto result = client.status("SMOKE", "JOB09999");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::http);
    EXPECT_EQ(result.error->http_status, 400);
    EXPECT_EQ(result.error->message, "No job found for reference: 'SMOKE(JOB09999)'");
    EXPECT_EQ(describe(*result.error), "HTTP 400: No job found for reference: 'SMOKE(JOB09999)'");
    EXPECT_FALSE(result.error->retry_after);
}

TEST(ZosmfClient, AnErrorWithoutADocumentQuotesTheBody) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest&, PeerResponse& response) {
        response.status = 503;
        response.set_header("Retry-After", "7");
        response.set_content("<html>maintenance</html>", "text/html");
    });
    ZosmfClient client = client_for(fake.url());
    auto result = client.status("SMOKE", "JOB01234");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::http);
    EXPECT_EQ(result.error->http_status, 503);
    EXPECT_THAT(result.error->message, HasSubstr("maintenance"));
    EXPECT_EQ(result.error->retry_after, 7000ms);
}

TEST(ZosmfClient, RetryAfterAsAnHttpDate) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest&, PeerResponse& response) {
        response.status = 429;
        std::time_t in_a_minute = std::time(nullptr) + 60;
        std::tm parts{};
        ::gmtime_r(&in_a_minute, &parts);
        char text[64];
        std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
        response.set_header("Retry-After", text);
    });
    ZosmfClient client = client_for(fake.url());
    auto result = client.status("SMOKE", "JOB01234");
    ASSERT_FALSE(result.ok());
    ASSERT_TRUE(result.error->retry_after);
    EXPECT_GE(*result.error->retry_after, 55s);
    EXPECT_LE(*result.error->retry_after, 60s);
}

TEST(ParseRetryAfter, SecondsDatesAndNonsense) {
    const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
    EXPECT_EQ(parse_retry_after("120", now), 120'000ms);
    EXPECT_EQ(parse_retry_after(" 0 ", now), 0ms);
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now), 30'000ms);
    EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), 0ms);  // in the past: now
    EXPECT_EQ(parse_retry_after("99999999999999999999999", now), 86'400'000ms);
    EXPECT_FALSE(parse_retry_after("", now));
    EXPECT_FALSE(parse_retry_after("-5", now));
    EXPECT_FALSE(parse_retry_after("1.5", now));
    EXPECT_FALSE(parse_retry_after("soon", now));
    EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:50:07", now));
}

TEST(ZosmfClient, AnAnswerThatNeverComesInTimeIsATimeout) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest&, PeerResponse& response) {
        std::this_thread::sleep_for(700ms);
        response.set_content(zosmf_job().dump(), "application/json");
    });
    ZosmfClient client = client_for(fake.url(), 250ms);
    auto result = client.status("SMOKE", "JOB01234");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::timeout) << describe(*result.error);
    EXPECT_GE(result.latency, 250ms);
    EXPECT_LT(result.latency, 700ms);
}

// Each piece of the answer comes well within the socket's read timeout; all of it well after the bound.
void answer_in_slow_pieces(PeerResponse& response, const std::string& text, int pieces) {
    const std::size_t piece = text.size() / pieces + 1;
    response.status = 201;
    response.set_header("Content-Type", "application/json");
    for (std::size_t offset = 0; offset < text.size(); offset += piece)
        response.chunks.push_back(text.substr(offset, piece));
    response.chunk_delay = 120ms;
}

TEST(ZosmfClient, AnAnswerThatCameInPastTheTimeoutIsStillATimeout) {
    FakeZosmf fake;
    fake.server().put("/zosmf/restjobs/jobs", [](const PeerRequest&, PeerResponse& response) {
        answer_in_slow_pieces(response, zosmf_job().dump(), 4);  // about 600 ms in all
    });
    ZosmfClient client = client_for(fake.url(), 300ms);
    auto result = client.submit({"//SMOKE JOB\n", std::nullopt});
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::timeout) << describe(*result.error);
    EXPECT_THAT(result.error->message, HasSubstr("answered after"));
    EXPECT_GE(result.latency, 300ms);
}

TEST(ZosmfClient, AGetThatTricklesIsCutOffAtTheBound) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest&, PeerResponse& response) {
        answer_in_slow_pieces(response, zosmf_job().dump(), 20);  // about 2.4 s in all
    });
    ZosmfClient client = client_for(fake.url(), 400ms);
    auto result = client.status("SMOKE", "JOB01234");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::timeout) << describe(*result.error);
    EXPECT_GE(result.latency, 400ms);
    EXPECT_LT(result.latency, 1500ms);
}

TEST(ZosmfClient, ConnectionRefusedIsATransportError) {
    ZosmfClient client = client_for("http://127.0.0.1:" + std::to_string(test_support::unused_port()));
    auto result = client.status("SMOKE", "JOB01234");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::transport) << describe(*result.error);
    expect_no_secret(*result.error);
}

TEST(ZosmfClient, AnswersThatAreNotTheInterfaceAreProtocolErrors) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/BADJSON", [](const PeerRequest&, PeerResponse& response) {
        response.set_content("{\"jobname\": ", "application/json");
    });
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/NOSTATUS", [](const PeerRequest&, PeerResponse& response) {
        response.set_content(R"({"jobname":"SMOKE","jobid":"JOB01234"})", "application/json");
    });
    fake.server().get("/zosmf/restjobs/jobs", [](const PeerRequest&, PeerResponse& response) {
        response.set_content(zosmf_job().dump(), "application/json");  // an object, not a list
    });
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234/files", [](const PeerRequest&, PeerResponse& response) {
        response.set_content(R"([{"ddname":"STDOUT"}])", "application/json");  // no id
    });
    ZosmfClient client = client_for(fake.url());
    auto bad_json = client.status("SMOKE", "BADJSON");
    ASSERT_FALSE(bad_json.ok());
    EXPECT_EQ(bad_json.error->kind, ClientError::Kind::protocol);
    EXPECT_THAT(bad_json.error->message, HasSubstr("expected JSON"));
    auto no_status = client.status("SMOKE", "NOSTATUS");
    ASSERT_FALSE(no_status.ok());
    EXPECT_EQ(no_status.error->kind, ClientError::Kind::protocol);
    EXPECT_THAT(no_status.error->message, HasSubstr("status"));
    auto not_a_list = client.list({});
    ASSERT_FALSE(not_a_list.ok());
    EXPECT_EQ(not_a_list.error->kind, ClientError::Kind::protocol);
    EXPECT_THAT(not_a_list.error->message, HasSubstr("expected a JSON array of jobs"));
    auto bad_file = client.spool_files("SMOKE", "JOB01234");
    ASSERT_FALSE(bad_file.ok());
    EXPECT_EQ(bad_file.error->kind, ClientError::Kind::protocol);
    EXPECT_THAT(bad_file.error->message,
                HasSubstr("/zosmf/restjobs/jobs/SMOKE/JOB01234/files: the spool file document has no id"));
}

TEST(ZosmfClient, ThePasswordNeverReachesAMessageEvenWhenTheHostEchoesIt) {
    FakeZosmf fake;
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest& request, PeerResponse& response) {
        response.status = 401;
        nlohmann::json error = {
            {"rc", 8},
            {"message", "rejected " + request.get_header_value("Authorization") + " for IBMUSER/" + k_password}};
        response.set_content(error.dump(), "application/json");
    });
    fake.server().get("/zosmf/restjobs/jobs/SMOKE/JOB01235", [](const PeerRequest& request, PeerResponse& response) {
        response.set_content("not json: " + request.get_header_value("Authorization") + " " + k_password, "text/plain");
    });
    ZosmfClient client = client_for(fake.url());
    auto unauthorized = client.status("SMOKE", "JOB01234");
    ASSERT_FALSE(unauthorized.ok());
    EXPECT_EQ(unauthorized.error->http_status, 401);
    expect_no_secret(*unauthorized.error);
    EXPECT_THAT(unauthorized.error->message, Not(HasSubstr("SUJNVVNFUjpzM2NyZXQtUGE1NXdvcmQ=")));
    EXPECT_THAT(unauthorized.error->message, HasSubstr("<redacted>"));
    auto garbled = client.status("SMOKE", "JOB01235");
    ASSERT_FALSE(garbled.ok());
    expect_no_secret(*garbled.error);
    EXPECT_THAT(garbled.error->message, Not(HasSubstr("SUJNVVNFUjpzM2NyZXQtUGE1NXdvcmQ=")));
}

TEST(JobFromZosmfJson, AcceptsRealDocumentsAndRefusesIncompleteOnes) {
    auto job = job_from_zosmf_json(zosmf_job("ACTIVE"));
    ASSERT_TRUE(job) << job.message();
    EXPECT_EQ(job->status, JobStatus::active);
    EXPECT_FALSE(job->retcode);
    EXPECT_EQ(job->owner, "IBMUSER");
    EXPECT_EQ(job->job_class, "A");
    EXPECT_EQ(job->correlator, "J0001234SY1.....D8A1C3B2.......:NIGHTLY");

    nlohmann::json minimal = {
        {"jobname", "SMOKE"}, {"jobid", "JOB00001"}, {"status", "OUTPUT"}, {"retcode", "JCL ERROR"}};
    auto small = job_from_zosmf_json(minimal);
    ASSERT_TRUE(small) << small.message();
    EXPECT_EQ(small->retcode, "JCL ERROR");
    EXPECT_EQ(small->type, "JOB");
    EXPECT_FALSE(small->user_correlator);

    for (const char* field : {"jobname", "jobid", "status"}) {
        nlohmann::json incomplete = zosmf_job();
        incomplete.erase(field);
        auto refused = job_from_zosmf_json(incomplete);
        ASSERT_FALSE(refused) << field;
        EXPECT_THAT(refused.message(), HasSubstr(field));
    }
    nlohmann::json odd_status = zosmf_job("DONE");
    EXPECT_FALSE(job_from_zosmf_json(odd_status));
    nlohmann::json numeric_retcode = zosmf_job("OUTPUT", 0);
    EXPECT_FALSE(job_from_zosmf_json(numeric_retcode));
    EXPECT_FALSE(job_from_zosmf_json(nlohmann::json::array()));
}

TEST(ValidateBaseUrl, AcceptsSchemeHostPortOnly) {
    EXPECT_TRUE(validate_base_url("https://zosmf.example:443"));
    EXPECT_TRUE(validate_base_url("http://127.0.0.1:8080"));
    EXPECT_TRUE(validate_base_url("https://zosmf.example"));
    EXPECT_TRUE(validate_base_url("http://[::1]:8080"));
    EXPECT_FALSE(validate_base_url("ftp://zosmf.example"));
    EXPECT_FALSE(validate_base_url("zosmf.example:443"));
    EXPECT_FALSE(validate_base_url("https://zosmf.example/zosmf"));
    EXPECT_FALSE(validate_base_url("https://:443"));
    EXPECT_FALSE(validate_base_url("https://host:0"));
    EXPECT_FALSE(validate_base_url("https://host:99999"));
    auto with_user = validate_base_url("https://u:p@host");
    ASSERT_FALSE(with_user);
    EXPECT_THAT(with_user.message(), HasSubstr("GREENLIGHT_BRIDGE_USER"));
    EXPECT_FALSE(ZosmfClient::create(options_for("https://host/path")));
}

TEST(LoadCredentials, FromTheEnvironment) {
    ScopedEnvironment user("GREENLIGHT_BRIDGE_USER", "IBMUSER");
    ScopedEnvironment password("GREENLIGHT_BRIDGE_PASSWORD", std::string(k_password));
    auto credentials = load_credentials(std::nullopt);
    ASSERT_TRUE(credentials) << credentials.message();
    EXPECT_EQ(credentials->user, "IBMUSER");
    EXPECT_EQ(credentials->password, k_password);
}

TEST(LoadCredentials, MissingVariablesAreNamed) {
    ScopedEnvironment user("GREENLIGHT_BRIDGE_USER", "IBMUSER");
    ScopedEnvironment password("GREENLIGHT_BRIDGE_PASSWORD", std::nullopt);
    auto credentials = load_credentials(std::nullopt);
    ASSERT_FALSE(credentials);
    EXPECT_THAT(credentials.message(), HasSubstr("GREENLIGHT_BRIDGE_PASSWORD"));
    EXPECT_THAT(credentials.message(), Not(HasSubstr("GREENLIGHT_BRIDGE_USER ")));
}

TEST(LoadCredentials, FromAFileOnlyWhenOnlyItsOwnerCanReadIt) {
    TempDir dir("greenlight-credentials");
    std::filesystem::path file = dir.path() / "credentials";
    std::ofstream(file) << "IBMUSER:" << k_password << "\nignored second line\n";
    ::chmod(file.c_str(), 0600);
    auto credentials = load_credentials(file);
    ASSERT_TRUE(credentials) << credentials.message();
    EXPECT_EQ(credentials->user, "IBMUSER");
    EXPECT_EQ(credentials->password, k_password);

    ::chmod(file.c_str(), 0640);
    auto refused = load_credentials(file);
    ASSERT_FALSE(refused);
    EXPECT_THAT(refused.message(), HasSubstr("readable by group or others"));
    EXPECT_THAT(refused.message(), HasSubstr("chmod 600"));
    EXPECT_THAT(refused.message(), Not(HasSubstr(k_password)));

    std::filesystem::path bad = dir.path() / "bad";
    std::ofstream(bad) << k_password << "\n";
    ::chmod(bad.c_str(), 0600);
    auto malformed = load_credentials(bad);
    ASSERT_FALSE(malformed);
    EXPECT_THAT(malformed.message(), HasSubstr("user:password"));
    EXPECT_THAT(malformed.message(), Not(HasSubstr(k_password)));

    EXPECT_FALSE(load_credentials(dir.path() / "missing"));
}

// A throwaway certificate for 127.0.0.1, made by the openssl command.
class ZosmfClientTls : public ::testing::Test {
protected:
    void SetUp() override {
        m_certificate = (m_dir.path() / "cert.pem").string();
        m_key = (m_dir.path() / "key.pem").string();
        std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
            "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
            m_key + "' -out '" + m_certificate + "' >/dev/null 2>&1";
        if (std::system(command.c_str()) != 0) GTEST_SKIP() << "the openssl command is needed for the TLS tests";
        m_fake = std::make_unique<FakeZosmf>(m_certificate, m_key);
        m_fake->server().get("/zosmf/restjobs/jobs/SMOKE/JOB01234", [](const PeerRequest&, PeerResponse& response) {
            response.set_content(zosmf_job().dump(), "application/json");
        });
    }

    TempDir m_dir{"greenlight-tls"};
    std::string m_certificate;
    std::string m_key;
    std::unique_ptr<FakeZosmf> m_fake;
};

TEST_F(ZosmfClientTls, VerifiedWithTheCaFile) {
    ClientOptions options = options_for(m_fake->url("https"));
    options.ca_file = m_certificate;
    auto client = ZosmfClient::create(options);
    ASSERT_TRUE(client) << client.message();
    auto result = client->status("SMOKE", "JOB01234");
    ASSERT_TRUE(result.ok()) << describe(*result.error);
    EXPECT_EQ(result.value->jobid, "JOB01234");
}

TEST_F(ZosmfClientTls, RefusedWithoutTheCaFile) {
    auto client = ZosmfClient::create(options_for(m_fake->url("https")));
    ASSERT_TRUE(client) << client.message();
    auto result = client->status("SMOKE", "JOB01234");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error->kind, ClientError::Kind::transport);
    EXPECT_THAT(result.error->message, HasSubstr("--ca-file"));
    expect_no_secret(*result.error);
}

TEST_F(ZosmfClientTls, AcceptedWhenInsecure) {
    ClientOptions options = options_for(m_fake->url("https"));
    options.insecure = true;
    auto client = ZosmfClient::create(options);
    ASSERT_TRUE(client) << client.message();
    auto result = client->status("SMOKE", "JOB01234");
    ASSERT_TRUE(result.ok()) << describe(*result.error);
}

TEST_F(ZosmfClientTls, AMissingCaFileIsRefusedAtCreate) {
    ClientOptions options = options_for(m_fake->url("https"));
    options.ca_file = m_dir.path() / "missing.pem";
    EXPECT_FALSE(ZosmfClient::create(options));
}

}  // namespace
}  // namespace greenlight::bridge
