#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <thread>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/util/fs.hpp"
#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

using test_support::TempDir;

// Time stands still unless a test moves it, so timestamps can be compared exactly.
class FakeClock final : public util::Clock {
public:
    util::WallTime now() const override { return m_now; }
    std::chrono::steady_clock::time_point steady_now() const override { return {}; }
    void advance(std::chrono::seconds by) { m_now += by; }

private:
    util::WallTime m_now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{10};
};

NewJob make_job(std::string jobname = "SMOKE", std::string owner = "IBMUSER") {
    NewJob job;
    job.jobname = std::move(jobname);
    job.owner = std::move(owner);
    job.jcl_text = "//SMOKE JOB\n//STEP1 EXEC PGM=IEFBR14\n";
    return job;
}

// Designated initializers would do, but GCC's -Wextra warns about every member they leave out.
ListFilter with(const std::function<void(ListFilter&)>& set) {
    ListFilter filter;
    set(filter);
    return filter;
}

class JobStoreTest : public ::testing::Test {
protected:
    JobStore open_store(Recovery recovery = Recovery::on_open) {
        auto store = JobStore::open(m_dir.path(), OpenOptions{recovery, &m_clock});
        if (!store) throw std::runtime_error(store.message());
        return std::move(store).value();
    }
    Job submit(JobStore& store, const NewJob& job = make_job()) {
        auto stored = store.submit(job);
        if (!stored) throw std::runtime_error(stored.message());
        return *stored;
    }

    TempDir m_dir{"greenlight-job-store"};
    FakeClock m_clock;
};

TEST_F(JobStoreTest, CreatesTheStateFolderWithWalAndSchemaVersion) {
    { auto store = open_store(); }
    EXPECT_TRUE(std::filesystem::is_regular_file(m_dir.path() / "jobs.sqlite3"));
    EXPECT_TRUE(std::filesystem::is_directory(m_dir.path() / "spool"));

    sqlite3* database = nullptr;
    ASSERT_EQ(sqlite3_open((m_dir.path() / "jobs.sqlite3").c_str(), &database), SQLITE_OK);
    const auto single_text = [&](const char* sql) {
        sqlite3_stmt* statement = nullptr;
        sqlite3_prepare_v2(database, sql, -1, &statement, nullptr);
        sqlite3_step(statement);
        std::string text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
        sqlite3_finalize(statement);
        return text;
    };
    EXPECT_EQ(single_text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(single_text("PRAGMA user_version"), "1");
    sqlite3_close(database);
}

TEST_F(JobStoreTest, RefusesASchemaFromANewerGreenlight) {
    { auto store = open_store(); }
    sqlite3* database = nullptr;
    ASSERT_EQ(sqlite3_open((m_dir.path() / "jobs.sqlite3").c_str(), &database), SQLITE_OK);
    sqlite3_exec(database, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(database);

    auto store = JobStore::open(m_dir.path());
    ASSERT_FALSE(store);
    EXPECT_NE(store.message().find("schema version 99"), std::string::npos) << store.message();
}

TEST_F(JobStoreTest, SubmitStoresAnInputJobAndItsJcl) {
    auto store = open_store();
    NewJob new_job = make_job();
    new_job.user_correlator = "MYCORR_1";
    Job job = submit(store, new_job);

    EXPECT_EQ(job.jobid, "JOB00001");
    EXPECT_EQ(job.jobname, "SMOKE");
    EXPECT_EQ(job.owner, "IBMUSER");
    EXPECT_EQ(job.status, JobStatus::input);
    EXPECT_EQ(job.type, "JOB");
    EXPECT_EQ(job.job_class, "A");
    EXPECT_EQ(job.retcode, std::nullopt);
    EXPECT_EQ(job.phase, 10);
    EXPECT_EQ(job.submitted, "2026-11-21T10:00:00.000Z");
    EXPECT_EQ(job.correlator.size(), 31u + 1u + 8u);
    EXPECT_EQ(job.correlator.substr(0, 8), "J0000001");
    EXPECT_EQ(job.correlator.substr(31), ":MYCORR_1");

    auto files = store.spool_files(job.jobid);
    ASSERT_TRUE(files) << files.message();
    ASSERT_EQ(files->size(), 1u);
    EXPECT_EQ((*files)[0].id, k_jesjcl_id);
    EXPECT_EQ((*files)[0].ddname, "JESJCL");
    EXPECT_EQ((*files)[0].record_count, 2);
    EXPECT_EQ((*files)[0].byte_count, static_cast<std::int64_t>(new_job.jcl_text.size()));
    EXPECT_EQ(util::read_file(m_dir.path() / "spool" / "JOB00001" / "3.txt").value(), new_job.jcl_text);
    EXPECT_EQ(store.read_records(job.jobid, k_jesjcl_id).value(), new_job.jcl_text);

    auto found = store.find("SMOKE", "JOB00001");
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->correlator, job.correlator);
    EXPECT_EQ(store.find("OTHER", "JOB00001").value(), std::nullopt);
    EXPECT_EQ(store.find("SMOKE", "JOB00002").value(), std::nullopt);
    auto by_correlator = store.find_by_correlator(job.correlator);
    ASSERT_TRUE(by_correlator && *by_correlator);
    EXPECT_EQ((*by_correlator)->jobid, "JOB00001");
}

TEST_F(JobStoreTest, SubmitRejectsBadNames) {
    auto store = open_store();
    EXPECT_FALSE(store.submit(make_job("1BAD")));
    EXPECT_FALSE(store.submit(make_job("SMOKE", "../etc")));
    NewJob bad_class = make_job();
    bad_class.job_class = "a";
    EXPECT_FALSE(store.submit(bad_class));
    NewJob bad_correlator = make_job();
    bad_correlator.user_correlator = std::string(33, 'A');
    EXPECT_FALSE(store.submit(bad_correlator));
    bad_correlator.user_correlator = "HAS SPACE";
    EXPECT_FALSE(store.submit(bad_correlator));
    // Nothing was allocated by the refused submits.
    EXPECT_EQ(submit(store).jobid, "JOB00001");
}

TEST_F(JobStoreTest, JobIdsGoOnInOrderAcrossReopenAndPurge) {
    {
        auto store = open_store();
        EXPECT_EQ(submit(store).jobid, "JOB00001");
        EXPECT_EQ(submit(store).jobid, "JOB00002");
        ASSERT_TRUE(store.purge("JOB00002"));
    }
    auto store = open_store();
    // A purged id is never handed out again, or an old URL could show a new job.
    EXPECT_EQ(submit(store).jobid, "JOB00003");
    EXPECT_EQ(submit(store).jobid, "JOB00004");
}

TEST_F(JobStoreTest, ListFiltersByOwnerPrefixJobidAndCorrelator) {
    auto store = open_store();
    submit(store, make_job("BUILD1", "ALICE"));
    submit(store, make_job("BUILD2", "BOB"));
    NewJob with_correlator = make_job("TEST1", "ALICE");
    with_correlator.user_correlator = "NIGHTLY";
    submit(store, with_correlator);
    submit(store, make_job("TEST2", "ALBERT"));

    const auto ids = [&](const ListFilter& filter) {
        auto jobs = store.list(filter);
        EXPECT_TRUE(jobs) << jobs.message();
        std::vector<std::string> result;
        for (const Job& job : jobs.value_or({})) result.push_back(job.jobid);
        return result;
    };
    using Ids = std::vector<std::string>;
    EXPECT_EQ(ids({}), (Ids{"JOB00001", "JOB00002", "JOB00003", "JOB00004"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.owner = "*"; })),
              (Ids{"JOB00001", "JOB00002", "JOB00003", "JOB00004"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.owner = "ALICE"; })), (Ids{"JOB00001", "JOB00003"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.owner = "AL*"; })), (Ids{"JOB00001", "JOB00003", "JOB00004"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.owner = "AL"; })), Ids{});
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.prefix = "BUILD*"; })), (Ids{"JOB00001", "JOB00002"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.prefix = "TEST1"; })), (Ids{"JOB00003"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.prefix = "test%"; })), (Ids{"JOB00003", "JOB00004"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) {
                  filter.owner = "AL*";
                  filter.prefix = "TEST*";
              })),
              (Ids{"JOB00003", "JOB00004"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.jobid = "JOB00002"; })), (Ids{"JOB00002"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.user_correlator = "NIGHTLY"; })), (Ids{"JOB00003"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) { filter.max_jobs = 2; })), (Ids{"JOB00001", "JOB00002"}));
    EXPECT_EQ(ids(with([](ListFilter& filter) {
                  filter.owner = "AL*";
                  filter.max_jobs = 2;
              })),
              (Ids{"JOB00001", "JOB00003"}));

    EXPECT_FALSE(store.list(with([](ListFilter& filter) { filter.max_jobs = 0; })));
    EXPECT_FALSE(store.list(with([](ListFilter& filter) { filter.max_jobs = 1001; })));
}

TEST_F(JobStoreTest, ClaimTakesTheOldestInputUpToMaxActive) {
    auto store = open_store();
    for (const char* name : {"FIRST", "SECOND", "THIRD"}) submit(store, make_job(name));
    m_clock.advance(std::chrono::seconds{5});

    auto first = store.claim_next_input(2);
    ASSERT_TRUE(first && *first) << first.message();
    EXPECT_EQ((*first)->jobname, "FIRST");
    EXPECT_EQ((*first)->status, JobStatus::active);
    EXPECT_EQ((*first)->phase_name, "Job is actively executing");
    EXPECT_EQ((*first)->started, "2026-11-21T10:00:05.000Z");

    auto second = store.claim_next_input(2);
    ASSERT_TRUE(second && *second);
    EXPECT_EQ((*second)->jobname, "SECOND");

    auto none = store.claim_next_input(2);
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, std::nullopt) << "two are ACTIVE, the limit is two";

    ASSERT_TRUE(store.complete("JOB00001", "CC 0000"));
    auto third = store.claim_next_input(2);
    ASSERT_TRUE(third && *third);
    EXPECT_EQ((*third)->jobname, "THIRD");

    ASSERT_TRUE(store.complete("JOB00002", "CC 0000"));
    auto empty = store.claim_next_input(2);
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, std::nullopt) << "nothing left in INPUT";
    EXPECT_FALSE(store.claim_next_input(0));
}

TEST_F(JobStoreTest, CompleteMovesAnActiveJobToOutput) {
    auto store = open_store();
    submit(store);
    EXPECT_FALSE(store.complete("JOB00001", "CC 0000")) << "an INPUT job cannot complete";
    ASSERT_TRUE(store.claim_next_input(1));
    m_clock.advance(std::chrono::seconds{3});
    auto done = store.complete("JOB00001", "ABEND S322");
    ASSERT_TRUE(done) << done.message();
    EXPECT_EQ(done->status, JobStatus::output);
    EXPECT_EQ(done->retcode, "ABEND S322");
    EXPECT_EQ(done->phase, 20);
    EXPECT_EQ(done->phase_name, "Job is on the hard copy queue");
    EXPECT_EQ(done->ended, "2026-11-21T10:00:03.000Z");
    EXPECT_FALSE(store.complete("JOB00001", "CC 0000")) << "completing twice";
    EXPECT_FALSE(store.complete("JOB00042", "CC 0000"));
}

TEST_F(JobStoreTest, CancelEndsInputJobsAndFlagsActiveOnes) {
    auto store = open_store();
    submit(store, make_job("RUNNING"));
    submit(store, make_job("WAITING"));
    ASSERT_TRUE(store.claim_next_input(1));

    auto waiting = store.cancel("JOB00002");
    ASSERT_TRUE(waiting) << waiting.message();
    EXPECT_EQ(waiting->status, JobStatus::output);
    EXPECT_EQ(waiting->retcode, "CANCELED");

    EXPECT_FALSE(store.cancel_requested("JOB00001").value());
    auto running = store.cancel("JOB00001");
    ASSERT_TRUE(running);
    EXPECT_EQ(running->status, JobStatus::active) << "the executor still has to stop the process";
    EXPECT_TRUE(store.cancel_requested("JOB00001").value());

    auto ended = store.complete("JOB00001", "CC 0143");
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->retcode, "CANCELED");

    auto again = store.cancel("JOB00001");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->retcode, "CANCELED");
    EXPECT_FALSE(store.cancel("JOB00099"));
    EXPECT_FALSE(store.cancel_requested("JOB00099"));
}

TEST_F(JobStoreTest, PurgeRemovesRowsAndSpoolButNotActiveJobs) {
    auto store = open_store();
    submit(store);
    ASSERT_TRUE(store.claim_next_input(1));
    EXPECT_FALSE(store.purge("JOB00001")) << "ACTIVE";
    ASSERT_TRUE(store.complete("JOB00001", "CC 0000"));
    ASSERT_TRUE(store.purge("JOB00001"));
    EXPECT_EQ(store.find("JOB00001").value(), std::nullopt);
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "spool" / "JOB00001"));
    EXPECT_FALSE(store.spool_files("JOB00001"));
    EXPECT_FALSE(store.purge("JOB00001")) << "already gone";

    submit(store);
    ASSERT_TRUE(store.purge("JOB00002")) << "an INPUT job can be purged";
}

TEST_F(JobStoreTest, JobDocumentHasZosmfFieldsAndUrls) {
    auto store = open_store();
    Job job = submit(store);
    nlohmann::json document = to_zosmf_json(job, "https://host:8443");
    std::set<std::string> keys;
    for (const auto& item : document.items()) keys.insert(item.key());
    EXPECT_EQ(keys, (std::set<std::string>{"jobid", "jobname", "subsystem", "owner", "status", "type", "class",
                                           "retcode", "url", "files-url", "job-correlator", "phase", "phase-name"}));
    EXPECT_EQ(document["jobid"], "JOB00001");
    EXPECT_EQ(document["jobname"], "SMOKE");
    EXPECT_EQ(document["subsystem"], "JES2");
    EXPECT_EQ(document["owner"], "IBMUSER");
    EXPECT_EQ(document["status"], "INPUT");
    EXPECT_EQ(document["type"], "JOB");
    EXPECT_EQ(document["class"], "A");
    EXPECT_TRUE(document["retcode"].is_null());
    EXPECT_EQ(document["url"], "https://host:8443/zosmf/restjobs/jobs/SMOKE/JOB00001");
    EXPECT_EQ(document["files-url"], "https://host:8443/zosmf/restjobs/jobs/SMOKE/JOB00001/files");
    EXPECT_EQ(document["job-correlator"], job.correlator);
    EXPECT_EQ(document["phase"], 10);
    EXPECT_TRUE(document["phase-name"].is_string());

    ASSERT_TRUE(store.claim_next_input(1));
    auto done = store.complete("JOB00001", "CC 0000");
    ASSERT_TRUE(done);
    nlohmann::json output = to_zosmf_json(*done, "https://host:8443");
    EXPECT_EQ(output["status"], "OUTPUT");
    EXPECT_EQ(output["retcode"], "CC 0000");
    EXPECT_EQ(output["phase"], 20);
}

TEST_F(JobStoreTest, SpoolFilesGetReservedAndUserIds) {
    auto store = open_store();
    submit(store);
    auto log = store.add_spool_file("JOB00001", {"JESMSGLG", "JES2", std::nullopt, "A", "line 1\n"});
    ASSERT_TRUE(log) << log.message();
    EXPECT_EQ(log->id, k_jesmsglg_id);
    auto sysout = store.add_spool_file("JOB00001", {"SYSPRINT", "STEP1", "COMPILE", "A", "a\nb\nc"});
    ASSERT_TRUE(sysout) << sysout.message();
    EXPECT_EQ(sysout->id, 101);
    EXPECT_EQ(sysout->record_count, 3);
    EXPECT_EQ(sysout->byte_count, 5);
    auto sysmsg = store.add_spool_file("JOB00001", {"JESYSMSG", "JES2", std::nullopt, "A", ""});
    ASSERT_TRUE(sysmsg);
    EXPECT_EQ(sysmsg->id, k_jesysmsg_id);
    auto second = store.add_spool_file("JOB00001", {"SYSOUT", "STEP2", std::nullopt, "A", "x\n"});
    ASSERT_TRUE(second);
    EXPECT_EQ(second->id, 102);

    EXPECT_FALSE(store.add_spool_file("JOB00001", {"JESMSGLG", "JES2", std::nullopt, "A", ""})) << "twice";
    EXPECT_FALSE(store.add_spool_file("JOB00001", {"../X", "STEP1", std::nullopt, "A", ""}));
    EXPECT_FALSE(store.add_spool_file("JOB00009", {"SYSOUT", "STEP1", std::nullopt, "A", ""}));

    auto appended = store.append_spool_text("JOB00001", 101, "\nd\n");
    ASSERT_TRUE(appended) << appended.message();
    EXPECT_EQ(appended->record_count, 4);
    EXPECT_EQ(appended->byte_count, 8);
    EXPECT_EQ(store.read_records("JOB00001", 101).value(), "a\nb\nc\nd\n");
    EXPECT_FALSE(store.append_spool_text("JOB00001", 150, "x"));

    auto files = store.spool_files("JOB00001");
    ASSERT_TRUE(files);
    std::vector<int> ids;
    for (const SpoolFile& file : *files) ids.push_back(file.id);
    EXPECT_EQ(ids, (std::vector<int>{2, 3, 4, 101, 102}));

    nlohmann::json document = to_zosmf_json((*files)[3], "https://host");
    EXPECT_EQ(document["jobid"], "JOB00001");
    EXPECT_EQ(document["jobname"], "SMOKE");
    EXPECT_EQ(document["id"], 101);
    EXPECT_EQ(document["ddname"], "SYSPRINT");
    EXPECT_EQ(document["stepname"], "STEP1");
    EXPECT_EQ(document["procstep"], "COMPILE");
    EXPECT_EQ(document["class"], "A");
    EXPECT_EQ(document["record-count"], 4);
    EXPECT_EQ(document["byte-count"], 8);
    EXPECT_EQ(document["recfm"], "VB");
    EXPECT_EQ(document["lrecl"], 32756);
    EXPECT_EQ(document["records-url"], "https://host/zosmf/restjobs/jobs/SMOKE/JOB00001/files/101/records");
    EXPECT_TRUE(to_zosmf_json((*files)[0], "https://host")["procstep"].is_null());
}

TEST_F(JobStoreTest, ReadRecordsHonoursRanges) {
    auto store = open_store();
    submit(store);
    ASSERT_TRUE(store.add_spool_file("JOB00001", {"SYSOUT", "STEP1", std::nullopt, "A", "r0\nr1\nr2\nr3"}));
    const auto read = [&](std::string_view header) {
        return store.read_records("JOB00001", 101, parse_record_range(header)).value();
    };
    EXPECT_EQ(read("0-0"), "r0\n");
    EXPECT_EQ(read("1-2"), "r1\nr2\n");
    EXPECT_EQ(read("2,5"), "r2\nr3\n") << "past the end yields what exists";
    EXPECT_EQ(read("9-12"), "");
    EXPECT_EQ(store.read_records("JOB00001", 101).value(), "r0\nr1\nr2\nr3\n");
    EXPECT_FALSE(store.read_records("JOB00001", 7));
}

TEST(RecordRange, ParsesBothFormsStrictly) {
    EXPECT_EQ(parse_record_range("0-9"), (RecordRange{0, 10}));
    EXPECT_EQ(parse_record_range("5-5"), (RecordRange{5, 1}));
    EXPECT_EQ(parse_record_range("10,20"), (RecordRange{10, 20}));
    EXPECT_EQ(parse_record_range("0,1"), (RecordRange{0, 1}));
    for (const char* bad :
         {"",     "-",    ",",    "5",    "5-",   "-5",    ",5",    "5,",  "9-3",   "1,0",
          " 1-2", "1-2 ", "1 -2", "+1-2", "1--2", "1-2-3", "1,2,3", "a-b", "0x1-2", "1-99999999999999999999",
          "1;2"}) {
        EXPECT_EQ(parse_record_range(bad), std::nullopt) << bad;
    }
}

TEST(UserCorrelator, ZosmfCharacterRules) {
    for (const char* good : {"A", "MY_CORR", "$abc123"}) EXPECT_TRUE(is_valid_user_correlator(good)) << good;
    EXPECT_TRUE(is_valid_user_correlator(std::string(32, 'Z')));
    for (const char* bad : {"", "1ABC", "_A", "A B", "A:B", "A/B"}) EXPECT_FALSE(is_valid_user_correlator(bad)) << bad;
    EXPECT_FALSE(is_valid_user_correlator(std::string(33, 'Z')));
}

TEST_F(JobStoreTest, ReopenAfterCrashFailsActiveJobsAndKeepsInputQueued) {
    {
        auto store = open_store();
        submit(store, make_job("RUNNING"));
        submit(store, make_job("QUEUED"));
        ASSERT_TRUE(store.claim_next_input(1));
        ASSERT_TRUE(store.add_spool_file("JOB00001", {"SYSOUT", "STEP1", std::nullopt, "A", "half\n"}));
        // The host "dies": the store closes with JOB00001 still ACTIVE.
    }
    // Left by a dead host: an interrupted atomic write, a spool file whose row never committed, the folder
    // of a purge interrupted after its commit.
    std::filesystem::path folder = m_dir.path() / "spool" / "JOB00001";
    ASSERT_TRUE(util::write_file_atomic(folder / "101.txt.tmp.4242", "partial"));
    ASSERT_TRUE(util::write_file_atomic(folder / "102.txt", "uncommitted"));
    ASSERT_TRUE(util::make_directories(m_dir.path() / "spool" / "JOB00077"));
    ASSERT_TRUE(util::write_file_atomic(m_dir.path() / "spool" / "JOB00077" / "3.txt", "purged"));
    // A live write of the dead host that reached the file but not the counts.
    ASSERT_TRUE(util::write_file_atomic(folder / "101.txt", "half\nmore\n"));
    m_clock.advance(std::chrono::minutes{1});

    auto store = open_store();
    auto failed = store.find("JOB00001");
    ASSERT_TRUE(failed && *failed);
    EXPECT_EQ((*failed)->status, JobStatus::output);
    EXPECT_EQ((*failed)->retcode, "SYS FAIL");
    EXPECT_EQ((*failed)->ended, "2026-11-21T10:01:00.000Z");
    auto log = store.read_records("JOB00001", k_jesmsglg_id);
    ASSERT_TRUE(log) << log.message();
    EXPECT_NE(log->find("HOST RESTARTED"), std::string::npos) << *log;

    auto queued = store.find("JOB00002");
    ASSERT_TRUE(queued && *queued);
    EXPECT_EQ((*queued)->status, JobStatus::input);

    EXPECT_FALSE(std::filesystem::exists(folder / "101.txt.tmp.4242"));
    EXPECT_FALSE(std::filesystem::exists(folder / "102.txt"));
    EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "spool" / "JOB00077"));
    EXPECT_TRUE(std::filesystem::exists(folder / "3.txt"));
    auto files = store.spool_files("JOB00001");
    ASSERT_TRUE(files);
    auto sysout = std::find_if(files->begin(), files->end(), [](const SpoolFile& file) { return file.id == 101; });
    ASSERT_NE(sysout, files->end());
    EXPECT_EQ(sysout->record_count, 2) << "counted again from the file";

    // The queued job runs normally after the restart; the next id continues.
    auto claimed = store.claim_next_input(1);
    ASSERT_TRUE(claimed && *claimed);
    EXPECT_EQ((*claimed)->jobid, "JOB00002");
    EXPECT_EQ(submit(store).jobid, "JOB00003");
}

TEST_F(JobStoreTest, ExplicitRecoveryReportsWhatItDid) {
    {
        auto store = open_store();
        submit(store);
        ASSERT_TRUE(store.claim_next_input(1));
    }
    auto store = open_store(Recovery::skip);
    auto still_active = store.find("JOB00001");
    ASSERT_TRUE(still_active && *still_active);
    EXPECT_EQ((*still_active)->status, JobStatus::active) << "skip leaves live jobs of another host alone";
    ASSERT_TRUE(util::make_directories(m_dir.path() / "spool" / "JOB00050"));

    auto report = store.recover_after_restart();
    ASSERT_TRUE(report) << report.message();
    EXPECT_EQ(report->failed_jobs, std::vector<std::string>{"JOB00001"});
    EXPECT_EQ(report->removed_folders, std::vector<std::string>{"JOB00050"});
}

TEST_F(JobStoreTest, TwoStoresOnOneFolderNeverClaimTheSameJob) {
    constexpr int k_jobs = 200;
    auto first = open_store();
    auto second = open_store(Recovery::skip);
    for (int i = 0; i < k_jobs; ++i) submit(i % 2 ? first : second);

    std::vector<std::string> claimed[2];
    std::atomic<bool> failed{false};
    const auto worker = [&](JobStore& store, std::vector<std::string>& mine) {
        while (!failed) {
            auto job = store.claim_next_input(k_jobs);
            if (!job) {
                failed = true;
                ADD_FAILURE() << job.message();
                return;
            }
            if (!*job) return;
            mine.push_back((*job)->jobid);
        }
    };
    std::thread one(worker, std::ref(first), std::ref(claimed[0]));
    std::thread two(worker, std::ref(second), std::ref(claimed[1]));
    one.join();
    two.join();

    std::set<std::string> all(claimed[0].begin(), claimed[0].end());
    all.insert(claimed[1].begin(), claimed[1].end());
    EXPECT_EQ(claimed[0].size() + claimed[1].size(), static_cast<std::size_t>(k_jobs));
    EXPECT_EQ(all.size(), static_cast<std::size_t>(k_jobs)) << "a job was claimed twice";
    // Each worker saw its claims in submission order.
    for (const auto& mine : claimed) EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
}

TEST_F(JobStoreTest, TwoStoresRespectOneActiveLimit) {
    auto first = open_store();
    auto second = open_store(Recovery::skip);
    for (int i = 0; i < 20; ++i) submit(first);
    std::atomic<int> claims{0};
    const auto worker = [&](JobStore& store) {
        for (int i = 0; i < 20; ++i) {
            auto job = store.claim_next_input(3);
            if (job && *job) ++claims;
        }
    };
    std::thread one(worker, std::ref(first));
    std::thread two(worker, std::ref(second));
    one.join();
    two.join();
    EXPECT_EQ(claims.load(), 3);
    EXPECT_EQ(first.list({}).value().size(), 20u);
}

TEST_F(JobStoreTest, OneStoreSharedByThreads) {
    auto store = open_store();
    const auto worker = [&](const std::string& name) {
        for (int i = 0; i < 25; ++i) ASSERT_TRUE(store.submit(make_job(name)));
    };
    std::thread one(worker, "ONE");
    std::thread two(worker, "TWO");
    one.join();
    two.join();
    auto jobs = store.list({});
    ASSERT_TRUE(jobs);
    EXPECT_EQ(jobs->size(), 50u);
    EXPECT_EQ(jobs->back().jobid, "JOB00050");
}

TEST_F(JobStoreTest, ARelativeStateFolderIsKeptAbsoluteSoStepsInOtherFoldersFindTheirFiles) {
    const std::filesystem::path before = std::filesystem::current_path();
    std::filesystem::current_path(m_dir.path());
    auto store = JobStore::open("relative-state", OpenOptions{Recovery::on_open, &m_clock});
    std::filesystem::current_path(before);
    ASSERT_TRUE(store) << store.message();
    EXPECT_TRUE(store->state_dir().is_absolute());
    EXPECT_EQ(store->state_dir(), m_dir.path() / "relative-state");
}

}  // namespace
}  // namespace greenlight::bridge
