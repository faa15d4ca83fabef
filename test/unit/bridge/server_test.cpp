// The host in-process on an ephemeral port, driven by an HTTP client as Zowe would drive it. Jobs do not run
// (RunJobs::no): the tests move them through their states with a second store on the same folder.
#include "greenlight/bridge/server.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/bridge/users.hpp"
#include "support/http_peer.hpp"
#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

using nlohmann::json;
using test_support::TempDir;

constexpr std::string_view k_jcl =
    "//SMOKE    JOB (ACCT),'CI',CLASS=B\n"
    "//STEP1    EXEC PGM=BPXBATCH,PARM='SH echo hello'\n"
    "//STDOUT   DD SYSOUT=*\n";

const web::Headers k_csrf = {{"X-CSRF-ZOSMF-HEADER", "true"}};

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        UsersFile users;
        users.set(*make_user_entry("ibmuser", "sys1-pw", k_minimum_iterations));
        users.set(*make_user_entry("other", "other-pw", k_minimum_iterations));
        ASSERT_TRUE(users.save(m_dir.path() / "users.txt"));
        ServerOptions options;
        options.port = 0;
        options.state_dir = m_dir.path() / "state";
        options.users_file = m_dir.path() / "users.txt";
        options.run_jobs = RunJobs::no;
        options.max_body_bytes = 64 * 1024;
        options.purge_wait = std::chrono::milliseconds(200);
        options.log_level = LogLevel::debug;
        options.log_sink = [this](const std::string& line) {
            std::lock_guard lock(m_log_mutex);
            m_log.push_back(line);
        };
        auto server = Server::open(std::move(options));
        ASSERT_TRUE(server) << server.message();
        m_server = std::move(*server);
        ASSERT_TRUE(m_server->start());
        ASSERT_GT(m_server->bound_port(), 0);
        auto store = JobStore::open(m_dir.path() / "state", OpenOptions{Recovery::skip, nullptr});
        ASSERT_TRUE(store) << store.message();
        m_store = std::make_unique<JobStore>(std::move(*store));
        m_client = std::make_unique<test_support::OriginClient>("127.0.0.1", m_server->bound_port());
        m_client->set_basic_auth("ibmuser", "sys1-pw");
    }
    void TearDown() override {
        if (m_server) m_server->stop();
    }

    web::HttpResult submit(std::string_view jcl = k_jcl, web::Headers headers = k_csrf) {
        return m_client->put("/zosmf/restjobs/jobs", headers, std::string(jcl), "text/plain");
    }
    json submitted(std::string_view jcl = k_jcl, web::Headers headers = k_csrf) {
        auto response = submit(jcl, std::move(headers));
        EXPECT_TRUE(response);
        if (!response) return {};
        EXPECT_EQ(response->status, 201) << response->body;
        return json::parse(response->body);
    }
    json get_json(const std::string& path, int expected_status = 200, web::Headers headers = {}) {
        auto response = m_client->get(path, headers);
        EXPECT_TRUE(response) << path;
        if (!response) return {};
        EXPECT_EQ(response->status, expected_status) << path << ": " << response->body;
        return json::parse(response->body, nullptr, false);
    }
    std::string log_text() {
        std::lock_guard lock(m_log_mutex);
        std::string text;
        for (const auto& line : m_log) text += line + "\n";
        return text;
    }

    TempDir m_dir{"greenlight-server"};
    std::unique_ptr<Server> m_server;
    std::unique_ptr<JobStore> m_store;
    std::unique_ptr<test_support::OriginClient> m_client;
    std::mutex m_log_mutex;
    std::vector<std::string> m_log;
};

void expect_error(const json& document, int reason, std::string_view message_start) {
    EXPECT_EQ(document.value("category", 0), 6) << document;
    EXPECT_EQ(document.value("reason", -1), reason) << document;
    EXPECT_TRUE(document.contains("rc")) << document;
    EXPECT_EQ(document.value("message", "").substr(0, message_start.size()), message_start) << document;
}

TEST_F(ServerTest, EveryRequestNeedsBasicAuth) {
    test_support::OriginClient anonymous("127.0.0.1", m_server->bound_port());
    auto response = anonymous.get("/zosmf/restjobs/jobs");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401);
    EXPECT_EQ(response->get_header_value("WWW-Authenticate"), "Basic realm=\"greenlight bridge\"");
    expect_error(json::parse(response->body), 101, "Authentication is required");

    anonymous.set_basic_auth("ibmuser", "wrong");
    EXPECT_EQ(anonymous.get("/zosmf/restjobs/jobs")->status, 401);
    anonymous.set_basic_auth("nobody", "sys1-pw");
    EXPECT_EQ(anonymous.get("/zosmf/restjobs/jobs")->status, 401);
    // Even a path trick learns nothing before authentication.
    EXPECT_EQ(anonymous.get("/zosmf/restjobs/jobs/%2e%2e/JOB00001")->status, 401);
    // The password never reaches the log.
    EXPECT_EQ(log_text().find("sys1-pw"), std::string::npos);
}

TEST_F(ServerTest, WritesNeedTheCsrfHeader) {
    auto response = submit(k_jcl, {});
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 403);
    json document = json::parse(response->body);
    EXPECT_EQ(document["errorID"], "IZUG846W");
    expect_error(document, 102, "IZUG846W");
    EXPECT_TRUE(m_store->list(ListFilter{})->empty());
    auto purge = m_client->remove("/zosmf/restjobs/jobs/SMOKE/JOB00001");
    EXPECT_EQ(purge->status, 403);
}

TEST_F(ServerTest, SubmitAnswersTheZosmfJobDocument) {
    json job = submitted();
    EXPECT_EQ(job["jobname"], "SMOKE");
    EXPECT_EQ(job["jobid"], "JOB00001");
    EXPECT_EQ(job["owner"], "IBMUSER");
    EXPECT_EQ(job["status"], "INPUT");
    EXPECT_TRUE(job["retcode"].is_null());
    EXPECT_EQ(job["class"], "B");
    EXPECT_EQ(job["type"], "JOB");
    EXPECT_EQ(job["phase-name"], "Job is queued for execution");
    const std::string base = fmt::format("http://127.0.0.1:{}", m_server->bound_port());
    EXPECT_EQ(job["url"], base + "/zosmf/restjobs/jobs/SMOKE/JOB00001");
    EXPECT_EQ(job["files-url"], base + "/zosmf/restjobs/jobs/SMOKE/JOB00001/files");
    EXPECT_EQ(job["job-correlator"].get<std::string>().size(), 32u);

    json status = get_json("/zosmf/restjobs/jobs/SMOKE/JOB00001");
    EXPECT_EQ(status, job);
    // Names are folded to upper case, as z/OSMF does.
    EXPECT_EQ(get_json("/zosmf/restjobs/jobs/smoke/job00001")["jobid"], "JOB00001");
    // The request line is logged after the answer is sent: give the server's thread a moment.
    for (int i = 0; i < 100 && log_text().find("PUT /zosmf/restjobs/jobs 201") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(log_text().find("PUT /zosmf/restjobs/jobs 201"), std::string::npos) << log_text();
    EXPECT_NE(log_text().find("JOB00001"), std::string::npos) << log_text();
}

TEST_F(ServerTest, RefusesInputThatIsNotAJob) {
    auto empty = submit("");
    EXPECT_EQ(empty->status, 400);
    expect_error(json::parse(empty->body), 3, "Request does not contain 'JCL' content");
    auto not_a_job = submit("//STEP1 EXEC PGM=BPXBATCH\n");
    EXPECT_EQ(not_a_job->status, 400);
    expect_error(json::parse(not_a_job->body), 13, "Job input was not recognized");
    auto record_mode = submit(k_jcl, {{"X-CSRF-ZOSMF-HEADER", "true"}, {"X-IBM-Intrdr-Mode", "RECORD"}});
    EXPECT_EQ(record_mode->status, 400);
    expect_error(json::parse(record_mode->body), 1, "Incorrect Internal Reader mode");
    // A job whose JCL is in error is stored: it ends as JCL ERROR when the executor takes it.
    json job = submitted("//BADJCL JOB\n//S1 EXEC PGM=IEFBR14\n");
    EXPECT_EQ(job["jobname"], "BADJCL");
    EXPECT_EQ(m_store->list(ListFilter{})->size(), 1u);
}

TEST_F(ServerTest, ADuplicateUserCorrelatorGivesTheSameJob) {
    web::Headers headers = {{"X-CSRF-ZOSMF-HEADER", "true"}, {"X-IBM-User-Correlator", "NIGHTLY_42"}};
    json first = submitted(k_jcl, headers);
    auto again = submit(k_jcl, headers);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(json::parse(again->body)["jobid"], first["jobid"]);
    EXPECT_EQ(first["job-correlator"].get<std::string>().substr(31), ":NIGHTLY_42");
    json other = submitted(k_jcl, {{"X-CSRF-ZOSMF-HEADER", "true"}, {"X-IBM-User-Correlator", "NIGHTLY_43"}});
    EXPECT_NE(other["jobid"], first["jobid"]);
    EXPECT_EQ(m_store->list(ListFilter{})->size(), 2u);

    json by_correlator = get_json("/zosmf/restjobs/jobs?user-correlator=NIGHTLY_42");
    ASSERT_EQ(by_correlator.size(), 1u);
    EXPECT_EQ(by_correlator[0]["jobid"], first["jobid"]);
    std::string correlator = first["job-correlator"];
    EXPECT_EQ(get_json("/zosmf/restjobs/jobs/" + correlator)["jobid"], first["jobid"]);
    std::string encoded = correlator;
    encoded.replace(encoded.find(':'), 1, "%3A");
    EXPECT_EQ(get_json("/zosmf/restjobs/jobs/" + encoded + "/files").size(), 1u);
}

TEST_F(ServerTest, RacingSubmitsWithOneCorrelatorStoreOneJob) {
    std::vector<std::thread> clients;
    std::mutex mutex;
    std::set<std::string> ids;
    std::vector<int> statuses;
    for (int i = 0; i < 6; ++i) {
        clients.emplace_back([&] {
            test_support::OriginClient client("127.0.0.1", m_server->bound_port());
            client.set_basic_auth("ibmuser", "sys1-pw");
            auto response =
                client.put("/zosmf/restjobs/jobs", {{"X-CSRF-ZOSMF-HEADER", "true"}, {"X-IBM-User-Correlator", "RACE"}},
                           std::string(k_jcl), "text/plain");
            std::lock_guard lock(mutex);
            statuses.push_back(response ? response->status : -1);
            if (response && response->status < 300) ids.insert(json::parse(response->body)["jobid"]);
        });
    }
    for (auto& client : clients) client.join();
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 5);
    EXPECT_EQ(m_store->list(ListFilter{})->size(), 1u);
}

TEST_F(ServerTest, UnknownJobsAreZosmfErrors) {
    submitted();
    json missing = get_json("/zosmf/restjobs/jobs/SMOKE/JOB09999", 400);
    expect_error(missing, 10, "No job found for reference: 'SMOKE(JOB09999)'");
    // The right id under another name is not that job.
    expect_error(get_json("/zosmf/restjobs/jobs/OTHER/JOB00001", 400), 10,
                 "No job found for reference: 'OTHER(JOB00001)'");
    expect_error(get_json("/zosmf/restjobs/jobs/J0000042GLBRJES29C1F03AA.......:X", 400), 10, "No job found");
    expect_error(get_json("/zosmf/restjobs/other", 404), 7, "No match for method GET");
}

TEST_F(ServerTest, PathTricksAreRefusedBeforeTheStore) {
    submitted();
    for (std::string path :
         {"/zosmf/restjobs/jobs/%2e%2e/%2e%2e", "/zosmf/restjobs/jobs/SMOKE/JOB00001%2f..%2f..",
          "/zosmf/restjobs/jobs/SMOKE%2F..%2FJOB00001/JOB00001",
          "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/..%2f..%2fjobs.sqlite3/records",
          "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/3%00/records", "/zosmf/restjobs/jobs/SMOKE/../../../etc/passwd"}) {
        auto response = m_client->get(path);
        ASSERT_TRUE(response) << path;
        EXPECT_EQ(response->status, 400) << path << ": " << response->body;
        EXPECT_EQ(json::parse(response->body)["reason"], 100) << path;
    }
}

TEST_F(ServerTest, ListFiltersByOwnerPrefixJobidAndCorrelator) {
    submitted();
    submitted("//BUILD JOB\n//S EXEC PGM=BPXBATCH,PARM='SH true'\n");
    m_client->set_basic_auth("other", "other-pw");
    submitted("//SMOKE2 JOB\n//S EXEC PGM=BPXBATCH,PARM='SH true'\n");

    const auto ids = [](const json& jobs) {
        std::vector<std::string> result;
        for (const auto& job : jobs) result.push_back(job["jobid"]);
        return result;
    };
    // Without owner, the authenticated user's jobs.
    EXPECT_EQ(ids(get_json("/zosmf/restjobs/jobs")), (std::vector<std::string>{"JOB00003"}));
    m_client->set_basic_auth("ibmuser", "sys1-pw");
    EXPECT_EQ(ids(get_json("/zosmf/restjobs/jobs")), (std::vector<std::string>{"JOB00001", "JOB00002"}));
    EXPECT_EQ(ids(get_json("/zosmf/restjobs/jobs?owner=*")).size(), 3u);
    EXPECT_EQ(ids(get_json("/zosmf/restjobs/jobs?owner=*&prefix=SMOKE*")),
              (std::vector<std::string>{"JOB00001", "JOB00003"}));
    EXPECT_EQ(ids(get_json("/zosmf/restjobs/jobs?owner=oth*")), (std::vector<std::string>{"JOB00003"}));
    EXPECT_EQ(ids(get_json("/zosmf/restjobs/jobs?owner=*&max-jobs=2")).size(), 2u);
    // What Zowe asks before every jobid-based command: exactly one job, whoever owns it.
    json one = get_json("/zosmf/restjobs/jobs?owner=*&jobid=JOB00003&exec-data=Y");
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0]["owner"], "OTHER");
    EXPECT_EQ(one[0]["exec-system"], "GLBR");
    EXPECT_TRUE(one[0]["exec-submitted"].is_string());
    EXPECT_TRUE(one[0]["exec-started"].is_null());
    EXPECT_FALSE(get_json("/zosmf/restjobs/jobs?owner=*")[0].contains("exec-submitted"));
    expect_error(get_json("/zosmf/restjobs/jobs?owner=a/b", 400), 4, "Value of owner query parameter is not valid");
}

TEST_F(ServerTest, FilesAndRecordsWithRanges) {
    json job = submitted();
    NewSpoolFile stdout_file;
    stdout_file.ddname = "STDOUT";
    stdout_file.stepname = "STEP1";
    stdout_file.content = "line 0\nline 1\nline 2\nline 3\n";
    ASSERT_TRUE(m_store->add_spool_file("JOB00001", stdout_file));

    json files = get_json("/zosmf/restjobs/jobs/SMOKE/JOB00001/files");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0]["ddname"], "JESJCL");
    EXPECT_EQ(files[0]["id"], 3);
    EXPECT_EQ(files[0]["record-count"], 3);
    EXPECT_EQ(files[0]["byte-count"], k_jcl.size());
    EXPECT_EQ(files[1]["ddname"], "STDOUT");
    EXPECT_EQ(files[1]["stepname"], "STEP1");
    EXPECT_EQ(files[1]["record-count"], 4);
    EXPECT_EQ(files[1]["byte-count"], 28);
    EXPECT_EQ(
        files[1]["records-url"].get<std::string>().substr(files[1]["records-url"].get<std::string>().find("/zosmf")),
        "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/101/records");

    const std::string records = "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/101/records";
    EXPECT_EQ(m_client->get(records)->body, stdout_file.content);
    EXPECT_EQ(m_client->get(records, {{"X-IBM-Record-Range", "1-2"}})->body, "line 1\nline 2\n");
    EXPECT_EQ(m_client->get(records, {{"X-IBM-Record-Range", "3,5"}})->body, "line 3\n");
    EXPECT_EQ(m_client->get(records, {{"X-IBM-Record-Range", "9-12"}})->body, "");
    EXPECT_EQ(m_client->get(records + "?mode=record", {{"X-IBM-Record-Range", "0-0"}})->body,
              std::string("\0\0\0\x06line 0", 10));
    EXPECT_EQ(m_client->get("/zosmf/restjobs/jobs/SMOKE/JOB00001/files/JCL/records")->body, k_jcl);
    expect_error(get_json(records, 400, {{"X-IBM-Record-Range", "2-1"}}), 11, "Record range '2-1' is not valid");
    expect_error(get_json("/zosmf/restjobs/jobs/SMOKE/JOB00001/files/102/records", 400), 12,
                 "Job 'SMOKE(JOB00001)' does not contain spool file id 102");
    expect_error(get_json(records + "?mode=lines", 400), 4, "Value of mode");
}

// Polls of an unchanged job are answered from a cache: every change of the job, by this host or by another
// store of the folder, must show in the next poll, under each way of naming the job.
TEST_F(ServerTest, StatusPollsFollowEveryChangeOfTheJob) {
    submitted(k_jcl, web::Headers{{"X-CSRF-ZOSMF-HEADER", "true"}, {"X-IBM-User-Correlator", "POLLS"}});
    const std::string by_name = "/zosmf/restjobs/jobs/SMOKE/JOB00001";
    const std::string correlator = get_json(by_name)["job-correlator"].get<std::string>();
    const std::string by_correlator = "/zosmf/restjobs/jobs/" + correlator;
    for (int poll = 0; poll < 3; ++poll) {
        EXPECT_EQ(get_json(by_name)["status"], "INPUT");
        EXPECT_EQ(get_json(by_correlator)["status"], "INPUT");
    }
    ASSERT_TRUE(*m_store->claim_next_input(1));
    EXPECT_EQ(get_json(by_name)["status"], "ACTIVE");
    EXPECT_EQ(get_json(by_correlator)["status"], "ACTIVE");
    EXPECT_EQ(get_json(by_name + "?exec-data=Y")["status"], "ACTIVE");
    ASSERT_TRUE(m_store->complete("JOB00001", "CC 0004"));
    json done = get_json(by_name);
    EXPECT_EQ(done["status"], "OUTPUT");
    EXPECT_EQ(done["retcode"], "CC 0004");
    EXPECT_EQ(get_json(by_correlator)["retcode"], "CC 0004");
    EXPECT_EQ(get_json(by_name + "?exec-data=Y")["status"], "OUTPUT");
    // The document names the host the client asked for, whichever client asked first.
    json other_host = get_json(by_name, 200, web::Headers{{"Host", "mainframe.example:443"}});
    EXPECT_EQ(other_host["url"].get<std::string>().rfind("http://mainframe.example:443/", 0), 0u) << other_host;
    ASSERT_TRUE(m_store->purge("JOB00001"));
    expect_error(get_json(by_name, 400), 10, "No job found");
}

TEST_F(ServerTest, CancelAnswersTheFeedbackDocument) {
    submitted();
    auto cancel = m_client->put("/zosmf/restjobs/jobs/SMOKE/JOB00001", k_csrf,
                                R"({"request":"cancel","version":"2.0"})", "application/json");
    ASSERT_TRUE(cancel);
    EXPECT_EQ(cancel->status, 200) << cancel->body;
    json feedback = json::parse(cancel->body);
    EXPECT_EQ(feedback["status"], 0);
    EXPECT_EQ(feedback["jobid"], "JOB00001");
    EXPECT_EQ(feedback["original-jobid"], "JOB00001");
    EXPECT_EQ(feedback["owner"], "IBMUSER");
    json status = get_json("/zosmf/restjobs/jobs/SMOKE/JOB00001");
    EXPECT_EQ(status["status"], "OUTPUT");
    EXPECT_EQ(status["retcode"], "CANCELED");

    submitted();
    auto asynchronous = m_client->put("/zosmf/restjobs/jobs/SMOKE/JOB00002", k_csrf,
                                      R"({"request":"cancel","version":"1.0"})", "application/json");
    EXPECT_EQ(asynchronous->status, 202);
    auto hold =
        m_client->put("/zosmf/restjobs/jobs/SMOKE/JOB00002", k_csrf, R"({"request":"hold"})", "application/json");
    EXPECT_EQ(hold->status, 400);
    expect_error(json::parse(hold->body), 6, "Request 'hold' is not supported");
}

TEST_F(ServerTest, PurgeRemovesTheJobAndWaitsForARunningOne) {
    submitted();
    web::Headers headers = {{"X-CSRF-ZOSMF-HEADER", "true"}, {"X-IBM-Job-Modify-Version", "2.0"}};
    auto purge = m_client->remove("/zosmf/restjobs/jobs/SMOKE/JOB00001", headers);
    ASSERT_TRUE(purge);
    EXPECT_EQ(purge->status, 200) << purge->body;
    EXPECT_EQ(json::parse(purge->body)["status"], 0);
    expect_error(get_json("/zosmf/restjobs/jobs/SMOKE/JOB00001", 400), 10, "No job found");

    // A running job that does not end after the cancel cannot be purged yet.
    submitted();
    ASSERT_TRUE(*m_store->claim_next_input(1));
    auto busy = m_client->remove("/zosmf/restjobs/jobs/SMOKE/JOB00002", headers);
    EXPECT_EQ(busy->status, 409) << busy->body;
    ASSERT_TRUE(m_store->complete("JOB00002", "CC 0000"));
    auto done = m_client->remove("/zosmf/restjobs/jobs/SMOKE/JOB00002", k_csrf);
    EXPECT_EQ(done->status, 202) << done->body;
}

TEST_F(ServerTest, SizeLimitsAreEnforced) {
    std::string huge = std::string(k_jcl) + std::string(70 * 1024, '*');
    auto response = submit(huge);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_EQ(json::parse(response->body)["reason"], 104);

    web::Headers many;
    for (int i = 0; i < 120; ++i) many.emplace_back(fmt::format("X-Filler-{}", i), "x");
    auto crowded = m_client->get("/zosmf/restjobs/jobs", many);
    ASSERT_TRUE(crowded);
    EXPECT_EQ(crowded->status, 431);
}

}  // namespace
}  // namespace greenlight::bridge
