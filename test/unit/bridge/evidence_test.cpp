#include <gtest/gtest.h>

#include <algorithm>

#include "greenlight/bridge/evidence.hpp"
#include "greenlight/bundle/verify.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::bridge {
namespace {

std::string words(int count) {
    std::string text;
    for (int i = 0; i < count; ++i) text += (i ? " word" : "word");
    return text + "\n";
}

DownloadedSpoolFile spool(int id, std::string step, std::string dd, std::string content) {
    DownloadedSpoolFile file;
    file.file.jobid = "JOB00042";
    file.file.id = id;
    file.file.stepname = std::move(step);
    file.file.ddname = std::move(dd);
    file.file.byte_count = static_cast<std::int64_t>(content.size());
    // The store's count: lines, a last one without '\n' included.
    file.file.record_count =
        std::count(content.begin(), content.end(), '\n') + (!content.empty() && content.back() != '\n' ? 1 : 0);
    file.content = std::move(content);
    return file;
}

const Assertion* find(const std::vector<Assertion>& assertions, const std::string& name) {
    auto found = std::find_if(assertions.begin(), assertions.end(), [&](const Assertion& a) { return a.name == name; });
    return found == assertions.end() ? nullptr : &*found;
}

std::vector<DownloadedSpoolFile> sample() {
    return {spool(2, "JES2", "JESMSGLG", "log\n"),
            spool(101, "S1", "STDOUT", words(80) + "\n" + words(79) + "   \n" + words(120)),
            spool(102, "S1", "STDERR", words(500)), spool(103, "S2", "STDOUT", words(81) + "\t\n" + words(90)),
            spool(104, "S2", "SCRIPT", R"({"frames": [1]})")};
}

TEST(Paragraphs, RunsOfNonBlankLines) {
    EXPECT_EQ(paragraphs("a b\nc\n\n \t\nd\n"), (std::vector<std::string>{"a b\nc", "d"}));
    EXPECT_TRUE(paragraphs("\n \n").empty());
    EXPECT_EQ(count_words("  one two\tthree\nfour  "), 4);
    EXPECT_EQ(count_words(""), 0);
}

TEST(Assertions, TheIssueExampleOnSampleSpool) {
    config::BridgeAssertionsConfig config;
    config.required_dds = {"SCRIPT", "S1.STDOUT"};
    const auto assertions = evaluate_assertions(config, std::string("CC 0000"), sample());
    for (const auto& assertion : assertions) EXPECT_TRUE(assertion.pass) << assertion.name << " " << assertion.actual;
    EXPECT_EQ(find(assertions, "log_segments")->actual, 2);
    // S1: 80 and 79+120 (one paragraph: the blank-looking line holds words); S2: 81 and 90 words.
    EXPECT_EQ(find(assertions, "snippets")->actual, 4);
    EXPECT_EQ(find(assertions, "final_script_frames")->actual, 1);
    ASSERT_NE(find(assertions, "spool:101-STDOUT"), nullptr);
}

TEST(Assertions, EachShortfallFailsItsOwnAssertion) {
    config::BridgeAssertionsConfig config;
    config.required_dds = {"S3.STDOUT"};
    config.min_words_per_snippet = 100;
    auto files = sample();
    files[4].content = "not json";
    files[4].file.byte_count = 8;
    files[4].file.record_count = 1;
    files[1].file.byte_count += 10;  // the host said more than came back
    const auto assertions = evaluate_assertions(config, std::string("ABEND S0C4"), files);
    EXPECT_FALSE(find(assertions, "retcode")->pass);
    EXPECT_EQ(find(assertions, "retcode")->actual, "ABEND S0C4");
    EXPECT_FALSE(find(assertions, "required_dd:S3.STDOUT")->pass);
    EXPECT_EQ(find(assertions, "snippets")->actual, 1);
    EXPECT_FALSE(find(assertions, "snippets")->pass);
    EXPECT_FALSE(find(assertions, "final_script")->pass);
    EXPECT_FALSE(find(assertions, "final_script_frames")->pass);
    EXPECT_FALSE(find(assertions, "spool:101-STDOUT")->pass);
    EXPECT_TRUE(find(assertions, "spool:103-STDOUT")->pass);
    EXPECT_TRUE(find(assertions, "log_segments")->pass);
}

TEST(Assertions, MissingFinalNewlineComesBackAsOneMoreByte) {
    auto file = spool(101, "S1", "STDOUT", "a\nb\n");
    file.file.byte_count = 3;  // "a\nb" on the host
    const auto assertions = evaluate_assertions({}, std::string("CC 0000"), {file});
    EXPECT_TRUE(find(assertions, "spool:101-STDOUT")->pass);
}

TEST(Assertions, NoSpoolAndFailedDownloadsFail) {
    EXPECT_FALSE(find(evaluate_assertions({}, std::nullopt, {}), "spool")->pass);
    auto file = spool(101, "S1", "STDOUT", "a\n");
    file.content.reset();
    file.error = "timeout";
    const auto assertions = evaluate_assertions({}, std::nullopt, {file});
    EXPECT_FALSE(find(assertions, "spool:101-STDOUT")->pass);
    EXPECT_EQ(find(assertions, "spool:101-STDOUT")->actual["error"], "timeout");
    EXPECT_TRUE(find(assertions, "retcode")->actual.is_null());
}

TEST(Percentile, NearestRank) {
    std::vector<double> values;
    for (int i = 100; i >= 1; --i) values.push_back(i);
    EXPECT_DOUBLE_EQ(percentile(values, 50), 50);
    EXPECT_DOUBLE_EQ(percentile(values, 95), 95);
    EXPECT_DOUBLE_EQ(percentile(values, 100), 100);
    EXPECT_DOUBLE_EQ(percentile({7}, 50), 7);
    EXPECT_DOUBLE_EQ(percentile({1, 2, 3}, 50), 2);
    EXPECT_DOUBLE_EQ(percentile({}, 95), 0);
}

TEST(EvidenceBundle, WrittenPackedAndVerified) {
    util::TemporaryDirectory temporary("evidence-test");
    Evidence evidence;
    evidence.jcl = "//SMOKE JOB\n";
    evidence.spool = sample();
    evidence.spool[2].content.reset();
    evidence.spool[2].error = "timeout";
    evidence.final_script = R"({"frames": [1]})";
    evidence.delta = {{"verdict", "pass"}};
    FlowMetrics metrics;
    metrics.polls = 3;
    metrics.poll_latencies_ms = {1, 2, 30};
    evidence.metrics = metrics_json(metrics);
    const auto folder = temporary.path() / "run-1";
    ASSERT_TRUE(write_evidence_folder(folder, evidence));
    for (const char* name : {"job.jcl", "spool.log", "delta.json", "metrics.json", "final-script.json", "manifest.json",
                             "manifest-sha256.txt", "spool/101-STDOUT.txt", "spool/104-SCRIPT.txt"}) {
        EXPECT_TRUE(std::filesystem::exists(folder / name)) << name;
    }
    EXPECT_FALSE(std::filesystem::exists(folder / "spool/102-STDERR.txt"));
    const std::string log = util::read_file(folder / "spool.log").value();
    EXPECT_NE(log.find("===== JOB00042 S1.STDOUT id 101 ("), std::string::npos) << log;
    EXPECT_NE(log.find("(not downloaded: timeout)"), std::string::npos);
    EXPECT_LT(log.find("id 101"), log.find("id 103"));
    EXPECT_TRUE(bundle::verify_bundle(folder).ok());
    const auto archive = temporary.path() / "out" / "mainframe-smoke-results.tar.gz";
    ASSERT_TRUE(pack_evidence(folder, archive));
    EXPECT_TRUE(bundle::verify_bundle(archive).ok());
    EXPECT_FALSE(write_evidence_folder(folder, evidence)) << "an existing bundle is never overwritten";
    EXPECT_EQ(evidence.metrics["latency_ms"]["p95"], 30);
}

}  // namespace
}  // namespace greenlight::bridge
