// The `bridge:` section of greenlight.yml.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "greenlight/config/config.hpp"
#include "unit/config/load_helpers.hpp"

namespace greenlight::config {
namespace {

using namespace test;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(BridgeSection, EveryKeyIsRead) {
    Config config = load_valid(k_header + R"(bridge:
  url: https://zosmf.example:443/
  credentials_file: .bridge-credentials
  ca_file: certs/zosmf.pem
  insecure: true
  jcl_template: smoke/job.jcl
  manifest: payload/manifest.json
  output: out/results.tar.gz
  poll: {interval: 200ms, slow_after: 0, slow_interval: 1.5s, timeout: 250ms}
  stall: {running_timeout: 5m, input_timeout: 90s, retries: 0}
  assertions:
    retcode: ABEND S0C4
    required_dds: [STDOUT, STEP1.SCRIPT, $SYS#1]
    log_dds: [STDOUT, STDERR]
    min_log_segments: 0
    min_snippets: 7
    min_words_per_snippet: 12
    final_script_dd: RUN.SCRIPT
    frames_pointer: /result/frames~1all
    min_final_script_frames: 3
  notify: {webhook_env: CHAT_HOOK, webhook_format: slack, github_repository: acme/mainframe}
)");
    const BridgeConfig& bridge = config.bridge;
    EXPECT_TRUE(bridge.present);
    EXPECT_EQ(bridge.line, 3);
    EXPECT_EQ(bridge.url, "https://zosmf.example:443");  // the trailing '/' dropped
    EXPECT_EQ(bridge.credentials_file, ".bridge-credentials");
    EXPECT_EQ(bridge.ca_file, "certs/zosmf.pem");
    EXPECT_TRUE(bridge.insecure);
    EXPECT_EQ(bridge.jcl_template, "smoke/job.jcl");
    EXPECT_EQ(bridge.manifest, "payload/manifest.json");
    EXPECT_EQ(bridge.output, "out/results.tar.gz");
    EXPECT_EQ(bridge.poll.interval, 200ms);
    EXPECT_EQ(bridge.poll.slow_after, 0);
    EXPECT_EQ(bridge.poll.slow_interval, 1500ms);
    EXPECT_EQ(bridge.poll.timeout, 250ms);
    EXPECT_EQ(bridge.stall.running_timeout, 5min);
    EXPECT_EQ(bridge.stall.input_timeout, 90s);
    EXPECT_EQ(bridge.stall.retries, 0);
    EXPECT_EQ(bridge.assertions.retcode, "ABEND S0C4");
    EXPECT_THAT(bridge.assertions.required_dds, ElementsAre("STDOUT", "STEP1.SCRIPT", "$SYS#1"));
    EXPECT_THAT(bridge.assertions.log_dds, ElementsAre("STDOUT", "STDERR"));
    EXPECT_EQ(bridge.assertions.min_log_segments, 0);
    EXPECT_EQ(bridge.assertions.min_snippets, 7);
    EXPECT_EQ(bridge.assertions.min_words_per_snippet, 12);
    EXPECT_EQ(bridge.assertions.final_script_dd, "RUN.SCRIPT");
    EXPECT_EQ(bridge.assertions.frames_pointer, "/result/frames~1all");
    EXPECT_EQ(bridge.assertions.min_final_script_frames, 3);
    EXPECT_EQ(bridge.notify.webhook_env, "CHAT_HOOK");
    EXPECT_EQ(bridge.notify.webhook_format, "slack");
    EXPECT_EQ(bridge.notify.github_repository, "acme/mainframe");
    EXPECT_TRUE(config.suites.empty());  // a file for the bridge alone needs no suites
}

TEST(BridgeSection, OnlyTheTemplateGivesTheDefaults) {
    Config config = load_valid(k_header + "bridge:\n  jcl_template: job.jcl\n");
    const BridgeConfig& bridge = config.bridge;
    const BridgeConfig defaults;
    EXPECT_TRUE(bridge.present);
    EXPECT_EQ(bridge.url, "");
    EXPECT_FALSE(bridge.insecure);
    EXPECT_EQ(bridge.manifest, "manifest.json");
    EXPECT_EQ(bridge.output, "mainframe-smoke-results.tar.gz");
    EXPECT_EQ(bridge.poll.interval, defaults.poll.interval);
    EXPECT_EQ(bridge.poll.slow_after, 3);
    EXPECT_EQ(bridge.stall.retries, 1);
    EXPECT_EQ(bridge.assertions.retcode, "CC 0000");
    EXPECT_THAT(bridge.assertions.log_dds, ElementsAre("STDOUT"));
    EXPECT_EQ(bridge.assertions.final_script_dd, "SCRIPT");
    EXPECT_EQ(bridge.notify.webhook_format, "auto");
}

TEST(BridgeSection, AbsentMeansNotPresentAndSuitesStillRequired) {
    Config config = load_valid(k_header + "suites: { unit: { run: [x] } }\n");
    EXPECT_FALSE(config.bridge.present);
    EXPECT_THAT(error_lines(load(k_header)), ElementsAre(HasSubstr("suites: missing key")));
}

TEST(BridgeSection, TheTemplateIsRequired) {
    EXPECT_THAT(error_lines(load(k_header + "bridge:\n  url: http://127.0.0.1:8080\n")),
                ElementsAre("greenlight.yml:3:1: bridge.jcl_template: missing key; expected the JCL job to submit, a "
                            "file relative to greenlight.yml such as smoke/job.jcl"));
    EXPECT_THAT(error_lines(load(k_header + "bridge:\n")),
                ElementsAre(HasSubstr("greenlight.yml:3:1: bridge: expected a mapping with at least `jcl_template`")));
}

TEST(BridgeSection, UnknownKeysSuggestTheClosestOne) {
    EXPECT_THAT(error_lines(load(k_header + R"(bridge:
  jcl_template: job.jcl
  pol: {interval: 1s}
  assertions: {min_snippet: 3}
  notify: {webhook_fromat: slack}
)")),
                ElementsAre("greenlight.yml:5:3: bridge.pol: unknown key; did you mean 'poll'?",
                            "greenlight.yml:6:16: bridge.assertions.min_snippet: unknown key; did you mean "
                            "'min_snippets'?",
                            "greenlight.yml:7:12: bridge.notify.webhook_fromat: unknown key; did you mean "
                            "'webhook_format'?"));
}

TEST(BridgeSection, EachBadValueIsNamedWithItsLineAndKey) {
    LoadOutcome outcome = load(k_header + R"(bridge:
  url: https://zosmf.example/zosmf
  jcl_template: job.jcl
  insecure: yes
  manifest: ../manifest.json
  poll: {interval: 0s, slow_after: -1, slow_interval: soon, timeout: 2s}
  stall: {running_timeout: 5m, input_timeout: 2m, retries: 6}
  assertions:
    retcode: CC 0
    required_dds: [STDOUT, 1STEP.OUT, step.dd]
    log_dds: []
    min_log_segments: -2
    final_script_dd: SCRIPTFILE1
    frames_pointer: frames
  notify: {webhook_env: 1HOOK, webhook_format: teams, github_repository: nameonly}
)");
    std::vector<std::string> lines = error_lines(outcome);
    ASSERT_EQ(lines.size(), 17u) << ::testing::PrintToString(lines);
    EXPECT_THAT(lines[0], HasSubstr("greenlight.yml:4:8: bridge.url: expected the job host's URL"));
    EXPECT_THAT(lines[0], HasSubstr("it has a path, query or fragment"));
    EXPECT_EQ(lines[1], "greenlight.yml:6:13: bridge.insecure: expected true or false; found 'yes'");
    EXPECT_THAT(lines[2], HasSubstr("greenlight.yml:7:13: bridge.manifest: expected a path inside the payload folder"));
    EXPECT_EQ(lines[3],
              "greenlight.yml:8:20: bridge.poll.interval: expected a duration greater than zero such as 200ms or 5s; "
              "found 0");
    EXPECT_THAT(lines[4],
                HasSubstr("greenlight.yml:8:36: bridge.poll.slow_after: expected a whole number of 0 or more"));
    EXPECT_THAT(lines[5], HasSubstr("greenlight.yml:8:55: bridge.poll.slow_interval: expected a duration"));
    EXPECT_EQ(lines[6],
              "greenlight.yml:9:60: bridge.stall.retries: expected a whole number from 0 to 5; found the number 6");
    EXPECT_THAT(lines[7],
                HasSubstr("greenlight.yml:11:14: bridge.assertions.retcode: expected a retcode such as CC 0000"));
    EXPECT_THAT(lines[8], HasSubstr("greenlight.yml:12:28: bridge.assertions.required_dds[1]: expected a DD name"));
    EXPECT_THAT(lines[9], HasSubstr("greenlight.yml:12:39: bridge.assertions.required_dds[2]: expected a DD name"));
    EXPECT_THAT(lines[10], HasSubstr("greenlight.yml:13:14: bridge.assertions.log_dds: expected a non-empty list"));
    EXPECT_THAT(lines[11],
                HasSubstr("greenlight.yml:14:23: bridge.assertions.min_log_segments: expected a whole number"));
    EXPECT_THAT(lines[12], HasSubstr("greenlight.yml:15:22: bridge.assertions.final_script_dd: expected a DD name"));
    EXPECT_THAT(lines[13],
                HasSubstr("greenlight.yml:16:21: bridge.assertions.frames_pointer: expected a JSON Pointer"));
    EXPECT_THAT(lines[14],
                HasSubstr("greenlight.yml:17:25: bridge.notify.webhook_env: expected an environment variable"));
    EXPECT_EQ(lines[15],
              "greenlight.yml:17:48: bridge.notify.webhook_format: expected discord, slack or auto; found 'teams'");
    EXPECT_EQ(
        lines[16],
        "greenlight.yml:17:74: bridge.notify.github_repository: expected a GitHub repository as owner/name; found "
        "'nameonly'");
    EXPECT_FALSE(outcome.config);
}

TEST(BridgeSection, UrlForms) {
    for (const char* good : {"http://127.0.0.1:8080", "https://zosmf.example", "https://[::1]:443", "http://h:1/"}) {
        EXPECT_THAT(error_lines(load(k_header + "bridge: { jcl_template: j.jcl, url: \"" + good + "\" }\n")),
                    ElementsAre())
            << good;
    }
    for (const char* bad : {"zosmf.example:443", "ftp://h", "https://", "https://h:0", "https://h:port",
                            "https://user:pw@h", "https://h?x=1"}) {
        EXPECT_THAT(error_lines(load(k_header + "bridge: { jcl_template: j.jcl, url: \"" + bad + "\" }\n")),
                    ElementsAre(HasSubstr("bridge.url: expected the job host's URL")))
            << bad;
    }
}

TEST(BridgeSection, RetcodeForms) {
    for (const char* good : {"CC 0000", "CC 0004", "ABEND S322", "ABEND U0100", "JCL ERROR", "CANCELED", "SYS FAIL"}) {
        Config config =
            load_valid(k_header + "bridge: { jcl_template: j.jcl, assertions: { retcode: " + good + " } }\n");
        EXPECT_EQ(config.bridge.assertions.retcode, good);
    }
    for (const char* bad : {"CC 4", "ABEND S32", "abend S322", "OK", "CC 0000 "}) {
        EXPECT_FALSE(
            load(k_header + "bridge: { jcl_template: j.jcl, assertions: { retcode: '" + bad + "' } }\n").config)
            << bad;
    }
}

}  // namespace
}  // namespace greenlight::config
