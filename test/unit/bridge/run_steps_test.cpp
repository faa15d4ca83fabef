// The steps of `greenlight bridge run` around the flow: where the bundle goes, the template read and rendered
// before anything is sent, the clients, and what a failure notice and a payload-mismatch delta say.
#include "greenlight/bridge/run_steps.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

namespace fs = std::filesystem;

class RunStepsTest : public ::testing::Test {
protected:
    RunStepsTest() {
        m_config.file = m_folder.path() / "greenlight.yml";
        m_config.root = m_folder.path();
        m_config.bridge.present = true;
    }
    void write(const std::string& name, std::string_view text) { std::ofstream(m_folder.path() / name) << text; }

    test_support::TempDir m_folder{"greenlight-run-steps"};
    config::Config m_config;
};

TEST_F(RunStepsTest, TheBundleGoesUnderArtifactsAndTheArchiveBesideIt) {
    const BundlePlaces places = bundle_places(m_config, "r-1", "", "");
    EXPECT_EQ(places.folder, m_folder.path() / "artifacts" / "bridge" / "r-1");
    EXPECT_EQ(places.archive, m_folder.path() / "artifacts" / "bridge" / "mainframe-smoke-results.tar.gz");
}

TEST_F(RunStepsTest, AnOutputWithAFolderIsRelativeToTheConfig) {
    m_config.bridge.output = "out/smoke.tar.gz";
    const BundlePlaces places = bundle_places(m_config, "r-1", "", "");
    EXPECT_EQ(places.archive, m_folder.path() / "out" / "smoke.tar.gz");
}

TEST_F(RunStepsTest, FlagsWinOverTheConfig) {
    const BundlePlaces places = bundle_places(m_config, "r-1", "/elsewhere/bundle", "/elsewhere/x.tar.gz");
    EXPECT_EQ(places.folder, fs::path("/elsewhere/bundle"));
    EXPECT_EQ(places.archive, fs::path("/elsewhere/x.tar.gz"));
}

TEST_F(RunStepsTest, NoTemplateNamedSaysWhatToSet) {
    auto read = read_jcl_template(m_config);
    ASSERT_FALSE(read);
    EXPECT_NE(read.message().find("bridge.jcl_template is not set"), std::string::npos) << read.message();
    EXPECT_NE(read.message().find("greenlight.yml"), std::string::npos) << read.message();
}

TEST_F(RunStepsTest, AMissingTemplateFileIsNamed) {
    m_config.bridge.jcl_template = "jcl/smoke.jcl";
    auto read = read_jcl_template(m_config);
    ASSERT_FALSE(read);
    EXPECT_NE(read.message().find("bridge.jcl_template"), std::string::npos);
    EXPECT_NE(read.message().find("smoke.jcl"), std::string::npos) << read.message();
}

TEST_F(RunStepsTest, ATemplateThatDoesNotRenderStopsBeforeAnythingIsSent) {
    m_config.bridge.jcl_template = "smoke.jcl";
    write("smoke.jcl", "//SMOKE JOB ${no_such_placeholder}\n");
    auto jcl = read_jcl_template(m_config);
    ASSERT_TRUE(jcl) << jcl.message();
    Payload payload;
    payload.manifest_sha256 = std::string(64, 'a');
    auto settings = flow_settings(m_config.bridge, "r-1", *jcl, payload);
    ASSERT_FALSE(settings);
    EXPECT_NE(settings.message().find("no_such_placeholder"), std::string::npos) << settings.message();
}

TEST_F(RunStepsTest, SettingsCarryTheTemplateAndTheConfig) {
    m_config.bridge.jcl_template = "smoke.jcl";
    m_config.bridge.stall.retries = 5;
    write("smoke.jcl", "//SMOKE JOB ${run_id},CLASS=A\n");
    Payload payload;
    payload.manifest_sha256 = std::string(64, 'b');
    auto settings = flow_settings(m_config.bridge, "r-7", *read_jcl_template(m_config), payload);
    ASSERT_TRUE(settings) << settings.message();
    EXPECT_EQ(settings->run_id, "r-7");
    EXPECT_EQ(settings->template_name, "smoke.jcl");
    EXPECT_EQ(settings->payload, &payload);
    EXPECT_EQ(settings->stall.retries, 5);
}

TEST_F(RunStepsTest, ClientsRefuseAUrlThatIsNotOne) {
    auto clients = make_flow_clients(m_config, "not a url", Credentials{"u", "p"});
    ASSERT_FALSE(clients);
    EXPECT_NE(clients.message().find("host not a url"), std::string::npos) << clients.message();
}

TEST_F(RunStepsTest, APayloadMismatchDeltaListsEveryProblemAndNoJob) {
    const auto delta = payload_mismatch_delta("r-1", {"missing: a.txt", "extra: b.txt"});
    EXPECT_EQ(delta["schema"], "greenlight.bridge-delta/v1");
    EXPECT_EQ(delta["verdict"], "payload-mismatch");
    EXPECT_EQ(delta["payload_problems"].size(), 2u);
    EXPECT_TRUE(delta["job"].is_null());
    EXPECT_TRUE(delta["attempts"].empty());
}

TEST_F(RunStepsTest, AFailureSummaryNamesTheLastJobAndTheFailedAssertions) {
    FlowResult result;
    result.verdict = FlowVerdict::failed;
    result.message = "the job ended CC 0008";
    FlowAttempt attempt;
    Job job;
    job.jobname = "SMOKE";
    job.jobid = "JOB00042";
    job.retcode = "CC 0008";
    attempt.job = job;
    result.attempts = {FlowAttempt{}, attempt};
    result.assertions = {Assertion{"retcode", "CC 0000", "CC 0008", false}, Assertion{"spool", 1, 1, true}};
    const FailureSummary summary = failure_summary(result, "r-9", "out.tar.gz");
    EXPECT_EQ(summary.verdict, "fail");
    EXPECT_EQ(summary.job, "SMOKE(JOB00042)");
    EXPECT_EQ(summary.retcode, "CC 0008");
    EXPECT_EQ(summary.attempts, 2);
    EXPECT_EQ(summary.failed_assertions, (std::vector<std::string>{"retcode"}));
    EXPECT_EQ(summary.bundle, "out.tar.gz");
}

TEST_F(RunStepsTest, APayloadMismatchSummaryCountsTheProblems) {
    EXPECT_EQ(payload_mismatch_summary("r-1", 1, "").reason, "1 payload problem, nothing submitted");
    EXPECT_EQ(payload_mismatch_summary("r-1", 3, "").reason, "3 payload problems, nothing submitted");
}

}  // namespace
}  // namespace greenlight::bridge
