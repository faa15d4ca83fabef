#include "greenlight/serve/run_report.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "support/test_support.hpp"

namespace greenlight::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_support::TempDir;

// summary.json as `greenlight run` writes it (runner::summary_json), trimmed to what a report reads plus
// some fields it ignores, so that the test also shows the extra fields do no harm.
json summary_document() {
    auto counts = [](int total, int passed, int failed, int errored, int skipped) {
        return json{
            {"total", total}, {"passed", passed}, {"failed", failed}, {"errored", errored}, {"skipped", skipped}};
    };
    return {
        {"schema", "greenlight.summary/v1"},
        {"project", "shop"},
        {"run_id", "20261121T103600Z"},
        {"tier", "nightly"},
        {"status", "complete"},
        {"verdict", "fail"},
        {"green", false},
        {"reason", "api: 1 failed"},
        {"started_at", "2026-11-21T10:36:00.123Z"},
        {"finished_at", "2026-11-21T10:38:05.623Z"},
        {"duration_ms", 125500},
        {"git", {{"sha", "0123456789abcdef0123456789abcdef01234567"}, {"ref", "refs/heads/main"}}},
        {"shard", nullptr},
        {"smoke", nullptr},
        {"counts", counts(4, 2, 1, 1, 0)},
        {"suites", json::array({
                       {{"name", "api"},
                        {"verdict", "fail"},
                        {"green", false},
                        {"status", "complete"},
                        {"reason", "1 failed"},
                        {"duration_ms", 120000},
                        {"attempts", 2},
                        {"counts", counts(3, 1, 1, 1, 0)},
                        {"result", "suites/api/result.json"}},
                       {{"name", "lint"},
                        {"verdict", "pass"},
                        {"green", true},
                        {"status", "complete"},
                        {"reason", "ok"},
                        {"duration_ms", 5500},
                        {"attempts", 1},
                        {"counts", counts(1, 1, 0, 0, 0)},
                        {"result", "suites/lint/result.json"}},
                   })},
        {"not_run", json::array()},
        {"greenlight_version", "0.1.0"},
    };
}

// junit.xml as the runner merges it: one <testsuite> per suite, with properties.
const char* const k_junit = R"(<?xml version="1.0"?>
<testsuites name="shop nightly 20261121T103600Z" tests="4" failures="1" errors="1" skipped="0" time="125.500">
  <testsuite name="api" tests="3" failures="1" errors="1" skipped="0" time="120.000">
    <properties><property name="greenlight.verdict" value="fail"/></properties>
    <testcase classname="api.orders" name="creates_an_order" time="0.250"/>
    <testcase classname="api.orders" name="refunds_an_order" time="1.500">
      <failure message="expected 200, got 500">Traceback (most recent call last):
  File "test_orders.py", line 12</failure>
      <system-out>POST /refunds -&gt; 500</system-out>
      <system-err>database is locked</system-err>
    </testcase>
    <testcase classname="api.orders" name="lists_orders" time="0.100">
      <error message="fixture crashed"/>
    </testcase>
  </testsuite>
  <testsuite name="lint" tests="1" failures="0" errors="0" skipped="0" time="5.500">
    <testcase classname="lint" name="lint" time="5.500"/>
  </testsuite>
</testsuites>
)";

void write(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// A bundle folder written the way the runner writes one: reports first, the manifest last.
fs::path make_bundle(const fs::path& root, const json& summary = summary_document(),
                     const std::string& junit = k_junit) {
    const fs::path folder = root / "shop" / summary.value("run_id", "run");
    write(folder / "summary.json", summary.dump(2));
    write(folder / "junit.xml", junit);
    write(folder / "suites/api/output.log", "collected 3 items\n");
    auto manifest = bundle::write_manifest(folder, 1);
    EXPECT_TRUE(manifest) << manifest.message();
    return folder;
}

TEST(RunReport, ReadsTheRunItsSuitesAndItsTestCasesFromABundle) {
    TempDir temp;
    auto run = read_run_from_bundle(make_bundle(temp.path()));
    ASSERT_TRUE(run) << run.message();
    EXPECT_EQ(run->run_id, "20261121T103600Z");
    EXPECT_EQ(run->project, "shop");
    EXPECT_EQ(run->tier, "nightly");
    EXPECT_EQ(run->verdict, verdict::Verdict::fail);
    EXPECT_EQ(util::format_utc(run->started), "2026-11-21T10:36:00.123Z");
    EXPECT_EQ(util::format_utc(run->ended), "2026-11-21T10:38:05.623Z");
    EXPECT_DOUBLE_EQ(run->duration_seconds, 125.5);
    EXPECT_EQ(run->git_sha, "0123456789abcdef0123456789abcdef01234567");
    EXPECT_EQ(run->branch, "main");
    EXPECT_FALSE(run->has_bundle);

    ASSERT_EQ(run->suites.size(), 2u);
    EXPECT_EQ(run->suites[0].name, "api");
    EXPECT_EQ(run->suites[0].verdict, verdict::Verdict::fail);
    EXPECT_EQ(run->suites[0].tests, 3);
    EXPECT_EQ(run->suites[0].failures, 1);
    EXPECT_EQ(run->suites[0].errors, 1);
    EXPECT_EQ(run->suites[0].skipped, 0);
    EXPECT_EQ(run->suites[0].attempts, 2);
    EXPECT_DOUBLE_EQ(run->suites[0].duration_seconds, 120.0);
    EXPECT_EQ(run->suites[1].name, "lint");
    EXPECT_EQ(run->suites[1].verdict, verdict::Verdict::pass);

    ASSERT_EQ(run->cases.size(), 4u);
    const TestCaseRecord& passed = run->cases[0];
    EXPECT_EQ(passed.suite, "api");
    EXPECT_EQ(passed.classname, "api.orders");
    EXPECT_EQ(passed.name, "creates_an_order");
    EXPECT_EQ(passed.outcome, "passed");
    EXPECT_DOUBLE_EQ(passed.duration_seconds, 0.25);
    EXPECT_EQ(passed.output_excerpt, "");

    const TestCaseRecord& failed = run->cases[1];
    EXPECT_EQ(failed.outcome, "failed");
    EXPECT_DOUBLE_EQ(failed.duration_seconds, 1.5);
    EXPECT_EQ(failed.output_excerpt,
              "expected 200, got 500\nTraceback (most recent call last):\n  File \"test_orders.py\", line 12\n"
              "POST /refunds -> 500\ndatabase is locked");
    EXPECT_EQ(run->cases[2].outcome, "error");
    EXPECT_EQ(run->cases[2].output_excerpt, "fixture crashed");
    EXPECT_EQ(run->cases[3].suite, "lint");
}

TEST(RunReport, BranchIsEmptyWhenTheSummaryNamesNone) {
    TempDir temp;
    json summary = summary_document();
    summary["git"]["ref"] = nullptr;
    auto detached = read_run_from_bundle(make_bundle(temp.path(), summary));
    ASSERT_TRUE(detached) << detached.message();
    EXPECT_EQ(detached->branch, "");

    summary["run_id"] = "tagged";
    summary["git"]["ref"] = "refs/tags/v1.0";
    auto tagged = read_run_from_bundle(make_bundle(temp.path(), summary));
    ASSERT_TRUE(tagged) << tagged.message();
    EXPECT_EQ(tagged->branch, "");
}

TEST(RunReport, ATamperedBundleIsRefusedWithTheVerifyFindings) {
    TempDir temp;
    const fs::path folder = make_bundle(temp.path());
    write(folder / "junit.xml", std::string(k_junit) + "<!-- all green, honest -->\n");
    write(folder / "planted.txt", "not in the manifest");
    auto run = read_run_from_bundle(folder);
    ASSERT_FALSE(run);
    EXPECT_NE(run.message().find("does not verify"), std::string::npos) << run.message();
    EXPECT_NE(run.message().find("modified: junit.xml"), std::string::npos) << run.message();
    EXPECT_NE(run.message().find("extra: planted.txt"), std::string::npos) << run.message();
}

TEST(RunReport, ABundleWithoutManifestOrSummaryIsRefused) {
    TempDir temp;
    const fs::path folder = make_bundle(temp.path());
    fs::remove(folder / "manifest.json");
    auto unmanifested = read_run_from_bundle(folder);
    ASSERT_FALSE(unmanifested);
    EXPECT_NE(unmanifested.message().find("does not verify"), std::string::npos) << unmanifested.message();

    const fs::path no_summary = temp.path() / "no-summary";
    write(no_summary / "notes.txt", "hello");
    ASSERT_TRUE(bundle::write_manifest(no_summary, 1));
    auto read = read_run_from_bundle(no_summary);
    ASSERT_FALSE(read);
    EXPECT_NE(read.message().find("no summary.json"), std::string::npos) << read.message();
}

TEST(RunReport, ASummaryWithAWrongFieldNamesItsPointer) {
    TempDir temp;
    json summary = summary_document();
    summary["suites"][1]["counts"]["failed"] = "none";
    auto run = read_run_from_bundle(make_bundle(temp.path(), summary));
    ASSERT_FALSE(run);
    EXPECT_NE(run.message().find("summary.json: /suites/1/counts/failed: expected a whole number"), std::string::npos)
        << run.message();
}

TEST(RunReport, APackedBundleIsVerifiedAndReadLikeItsFolder) {
    TempDir temp;
    const fs::path folder = make_bundle(temp.path());
    const fs::path packed = temp.path() / "run.tar.gz";
    ASSERT_TRUE(bundle::pack_bundle(folder, packed));
    auto from_folder = read_run_from_bundle(folder);
    auto from_archive = read_run_from_packed_bundle(packed);
    ASSERT_TRUE(from_archive) << from_archive.message();
    EXPECT_EQ(run_report_json(*from_archive), run_report_json(*from_folder));

    // The same archive with a byte of a member changed: refused before anything is read.
    const fs::path tampered_folder = temp.path() / "tampered";
    fs::copy(folder, tampered_folder, fs::copy_options::recursive);
    write(tampered_folder / "suites/api/output.log", "collected 4 items\n");
    const fs::path tampered = temp.path() / "tampered.tar.gz";
    ASSERT_TRUE(bundle::pack_bundle(tampered_folder, tampered));
    auto refused = read_run_from_packed_bundle(tampered);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.message().find("modified: suites/api/output.log"), std::string::npos) << refused.message();
}

TEST(RunReport, FailureExcerptsKeepHeadAndTailWithin4KiB) {
    TempDir temp;
    const std::string long_output = "first line of output\n" + std::string(20000, 'x') + "\nlast line of output";
    const std::string junit = R"(<testsuites><testsuite name="api"><testcase classname="c" name="n">)"
                              R"(<failure message="it broke"/><system-out>)" +
                              long_output + "</system-out></testcase></testsuite></testsuites>";
    auto run = read_run_from_bundle(make_bundle(temp.path(), summary_document(), junit));
    ASSERT_TRUE(run) << run.message();
    ASSERT_EQ(run->cases.size(), 1u);
    const std::string& excerpt = run->cases[0].output_excerpt;
    EXPECT_LE(excerpt.size(), k_excerpt_limit);
    EXPECT_TRUE(excerpt.starts_with("it broke\nfirst line of output")) << excerpt.substr(0, 100);
    EXPECT_NE(excerpt.find("bytes cut"), std::string::npos);
    EXPECT_TRUE(excerpt.ends_with("x\nlast line of output")) << excerpt.substr(excerpt.size() - 100);
}

TEST(RunReport, ExcerptsNeverSplitAUtf8Sequence) {
    std::string accented;
    for (int i = 0; i < 100; ++i) accented += "\xC3\xA9";  // é
    for (std::size_t limit = 40; limit < 80; ++limit) {
        const std::string excerpt = util::cap_head_and_tail(accented, limit);
        ASSERT_LE(excerpt.size(), limit);
        const std::size_t cut = excerpt.find("\n[...");
        ASSERT_NE(cut, std::string::npos);
        EXPECT_EQ(cut % 2, 0u) << "head cut inside a character at limit " << limit;
        const std::size_t tail = excerpt.find("...]\n") + 5;
        EXPECT_EQ((excerpt.size() - tail) % 2, 0u) << "tail starts inside a character at limit " << limit;
    }
    EXPECT_EQ(util::cap_head_and_tail("short", 4096), "short");
}

TEST(RunReport, ManyCasesKeepEveryFailureWithinTheCap) {
    TempDir temp;
    std::string junit = R"(<testsuites><testsuite name="api">)";
    for (std::size_t i = 0; i < k_max_cases + 50; ++i) {
        junit += "<testcase classname=\"c\" name=\"pass" + std::to_string(i) + "\"/>";
    }
    junit += R"(<testcase classname="c" name="the_failure"><failure message="x"/></testcase></testsuite></testsuites>)";
    auto run = read_run_from_bundle(make_bundle(temp.path(), summary_document(), junit));
    ASSERT_TRUE(run) << run.message();
    EXPECT_EQ(run->cases.size(), k_max_cases);
    EXPECT_EQ(run->cases.back().name, "the_failure");
    EXPECT_EQ(run->cases.back().outcome, "failed");
}

RunRecord sample_run() {
    RunRecord run;
    run.run_id = "1234-1";
    run.project = "shop";
    run.tier = "nightly";
    run.verdict = verdict::Verdict::flaky;
    run.started = *parse_utc_time("2026-11-21T10:00:00.000Z");
    run.ended = *parse_utc_time("2026-11-21T10:05:30.250Z");
    run.duration_seconds = 330.25;
    run.git_sha = "abc1234";
    run.branch = "feature/x";
    run.suites.push_back({"api", verdict::Verdict::flaky, 10, 0, 0, 1, 300.5, 2, std::nullopt});
    run.cases.push_back({"api", "api.orders", "refunds", "failed", 1.25, "expected 200\nü"});
    run.cases.push_back({"api", "api.orders", "lists", "passed", 0.5, ""});
    return run;
}

TEST(RunReport, TheWireFormRoundTrips) {
    const RunRecord run = sample_run();
    const std::string body = run_report_body(run);
    EXPECT_EQ(json::parse(body)["schema"], "greenlight.run-report/v1");
    auto parsed = parse_run_report(body);
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(run_report_json(*parsed), run_report_json(run));
    EXPECT_EQ(parsed->started, run.started);
    EXPECT_EQ(parsed->cases[0].output_excerpt, "expected 200\nü");
    EXPECT_EQ(parsed->suites[0].attempts, 2);
}

TEST(RunReport, OptionalFieldsMayBeLeftOut) {
    json document = run_report_json(sample_run());
    document.erase("git_sha");
    document["branch"] = nullptr;
    document["cases"][0].erase("output_excerpt");
    auto parsed = parse_run_report(document.dump());
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(parsed->git_sha, "");
    EXPECT_EQ(parsed->branch, "");
    EXPECT_EQ(parsed->cases[0].output_excerpt, "");
}

struct BadReport {
    std::string name;
    std::function<void(json&)> spoil;
    std::string pointer;  // the error must start with it
};

TEST(RunReport, EveryValidationErrorNamesThePointerOfTheBadField) {
    const std::vector<BadReport> cases = {
        {"no schema", [](json& d) { d.erase("schema"); }, "/schema: required field missing"},
        {"another schema", [](json& d) { d["schema"] = "greenlight.run-report/v9"; }, "/schema: expected"},
        {"unknown field", [](json& d) { d["verdicts"] = "pass"; }, "/verdicts: unknown field"},
        {"unknown field with a slash", [](json& d) { d["a/b~c"] = 1; }, "/a~1b~0c: unknown field"},
        {"run id of a path", [](json& d) { d["run_id"] = "../../etc"; }, "/run_id: expected a run id"},
        {"run id with a space", [](json& d) { d["run_id"] = "run 1"; }, "/run_id: expected a run id"},
        {"run id too long", [](json& d) { d["run_id"] = std::string(129, 'a'); }, "/run_id:"},
        {"run id a number", [](json& d) { d["run_id"] = 7; }, "/run_id: expected a string"},
        {"no project", [](json& d) { d.erase("project"); }, "/project: required field missing"},
        {"empty project", [](json& d) { d["project"] = ""; }, "/project: expected a non-empty string"},
        {"tier not a string", [](json& d) { d["tier"] = json::array(); }, "/tier: expected a string"},
        {"unknown verdict", [](json& d) { d["verdict"] = "green"; }, "/verdict: expected one of pass, flaky"},
        {"time without zone", [](json& d) { d["started_at"] = "2026-11-21T10:00:00"; }, "/started_at: expected a UTC"},
        {"time of words", [](json& d) { d["ended_at"] = "yesterday"; }, "/ended_at: expected a UTC"},
        {"impossible date", [](json& d) { d["started_at"] = "2026-02-30T10:00:00Z"; }, "/started_at: expected a UTC"},
        {"ends before it starts", [](json& d) { d["ended_at"] = "2026-11-21T09:00:00Z"; },
         "/ended_at: the run ends before it starts"},
        {"negative duration", [](json& d) { d["duration_seconds"] = -1; }, "/duration_seconds: expected a number"},
        {"duration as text", [](json& d) { d["duration_seconds"] = "5"; }, "/duration_seconds: expected a number"},
        {"sha not hex", [](json& d) { d["git_sha"] = "main"; }, "/git_sha: expected a commit id"},
        {"branch a number", [](json& d) { d["branch"] = 3; }, "/branch: expected a string"},
        {"no suites", [](json& d) { d.erase("suites"); }, "/suites: required field missing"},
        {"suites an object", [](json& d) { d["suites"] = json::object(); }, "/suites: expected an array"},
        {"suite a string", [](json& d) { d["suites"][0] = "api"; }, "/suites/0: expected an object"},
        {"suite without name", [](json& d) { d["suites"][0].erase("name"); }, "/suites/0/name: required"},
        {"suite verdict", [](json& d) { d["suites"][0]["verdict"] = "ok"; }, "/suites/0/verdict: expected one of"},
        {"tests as text", [](json& d) { d["suites"][0]["tests"] = "10"; }, "/suites/0/tests: expected a whole number"},
        {"negative failures", [](json& d) { d["suites"][0]["failures"] = -1; },
         "/suites/0/failures: expected a whole number >= 0"},
        {"fractional attempts", [](json& d) { d["suites"][0]["attempts"] = 1.5; },
         "/suites/0/attempts: expected a whole number"},
        {"absurd attempts", [](json& d) { d["suites"][0]["attempts"] = 100000; },
         "/suites/0/attempts: expected at most"},
        {"huge count", [](json& d) { d["suites"][0]["skipped"] = 18446744073709551615ull; },
         "/suites/0/skipped: expected at most"},
        {"more failures than tests", [](json& d) { d["suites"][0]["failures"] = 11; }, "/suites/0/tests: 10 tests"},
        {"unknown suite field", [](json& d) { d["suites"][0]["flaky"] = 1; }, "/suites/0/flaky: unknown field"},
        {"case outcome", [](json& d) { d["cases"][1]["outcome"] = "errored"; }, "/cases/1/outcome: expected one of"},
        {"case without name", [](json& d) { d["cases"][1].erase("name"); }, "/cases/1/name: required field missing"},
        {"case classname null", [](json& d) { d["cases"][0]["classname"] = nullptr; },
         "/cases/0/classname: expected a string"},
        {"case duration", [](json& d) { d["cases"][0]["duration_seconds"] = nullptr; },
         "/cases/0/duration_seconds: expected a number"},
        {"excerpt over 64 KiB", [](json& d) { d["cases"][0]["output_excerpt"] = std::string(64 * 1024 + 1, 'x'); },
         "/cases/0/output_excerpt: at most 65536 bytes"},
        {"too many cases",
         [](json& d) {
             json one = d["cases"][1];
             d["cases"] = json::array();
             for (std::size_t i = 0; i <= k_max_cases; ++i) d["cases"].push_back(one);
         },
         "/cases: at most 10000 entries"},
    };
    for (const auto& bad : cases) {
        json document = run_report_json(sample_run());
        bad.spoil(document);
        auto parsed = parse_run_report(document.dump());
        ASSERT_FALSE(parsed) << bad.name;
        EXPECT_TRUE(parsed.message().starts_with(bad.pointer))
            << bad.name << ": expected '" << bad.pointer << "...', got: " << parsed.message();
    }
}

// The server recomputes the run's verdict and green from the report's own suites with the run's rule.
TEST(RunReport, AVerdictOrGreenThatDisagreesWithTheSuitesIsRefusedNamingTheField) {
    const std::vector<BadReport> cases = {
        {"a pass over a flaky suite", [](json& d) { d["verdict"] = "pass"; },
         "/verdict: the report says pass, but its own suites give flaky"},
        {"green over a flaky suite not said to be green", [](json& d) { d["green"] = true; },
         "/green: the report says true, but its own suites give false"},
        {"a green failed suite",
         [](json& d) {
             d["suites"][0]["verdict"] = "fail";
             d["suites"][0]["green"] = true;
         },
         "/suites/0/green: the report says true, but a suite with verdict fail is never green"},
        {"no suites but a pass",
         [](json& d) {
             d["suites"] = json::array();
             d["verdict"] = "pass";
         },
         "/verdict: the report says pass, but its own suites give no-tests"},
        {"a failed smoke guard hidden", [](json& d) { d["smoke_green"] = false; },
         "/verdict: the report says flaky, but its own suites give error"},
        {"a missing shard hidden", [](json& d) { d["missing_shards"] = 1; },
         "/verdict: the report says flaky, but its own suites give error"},
        {"an incomplete run called green",
         [](json& d) {
             d["suites"][0]["green"] = true;
             d["green"] = true;
             d["status"] = "incomplete";
         },
         "/green: the report says true, but its own suites give false"},
        {"green, not a flag", [](json& d) { d["green"] = "yes"; }, "/green: expected true or false"},
        {"unknown status", [](json& d) { d["status"] = "done"; }, "/status: expected one of complete, incomplete"},
    };
    for (const auto& bad : cases) {
        json document = run_report_json(sample_run());
        bad.spoil(document);
        auto parsed = parse_run_report(document.dump());
        ASSERT_FALSE(parsed) << bad.name;
        EXPECT_TRUE(parsed.message().starts_with(bad.pointer))
            << bad.name << ": expected '" << bad.pointer << "...', got: " << parsed.message();
    }
}

TEST(RunReport, VerdictsThatFollowFromTheSuitesAreAccepted) {
    auto accepted = [](const std::function<void(json&)>& change) {
        json document = run_report_json(sample_run());
        change(document);
        auto parsed = parse_run_report(document.dump());
        EXPECT_TRUE(parsed) << document.dump() << ": " << parsed.message();
    };
    accepted([](json& d) {
        d["suites"][0]["green"] = true;
        d["green"] = true;
    });  // flaky allowed by the policy
    accepted([](json& d) { d["green"] = false; });
    accepted([](json& d) {  // the smoke guard was the run
        d["suites"] = json::array();
        d["cases"] = json::array();
        d["scope"] = "smoke";
        d["smoke_green"] = true;
        d["verdict"] = "pass";
        d["green"] = true;
    });
    accepted([](json& d) {  // a partial merge keeps the verdict of the shards present, never green
        d["missing_shards"] = 1;
        d["allow_partial"] = true;
        d["status"] = "incomplete";
        d["green"] = false;
    });
    accepted([](json& d) {  // an older client: no green, status, scope or smoke fields
        for (const char* key : {"green", "status", "scope", "missing_shards", "allow_partial"}) d.erase(key);
    });
}

TEST(RunReport, TheVerdictFactsOfABundleTravelInTheReport) {
    TempDir temp("greenlight-report");
    json summary = summary_document();
    summary["scope"] = "tier";
    summary["smoke"] = {{"verdict", "pass"}, {"green", true}, {"reason", "ok"}, {"path", "smoke"}, {"duration_ms", 1}};
    auto run = read_run_from_bundle(make_bundle(temp.path(), summary));
    ASSERT_TRUE(run) << run.message();
    EXPECT_EQ(run->green, std::optional<bool>(false));
    EXPECT_EQ(run->smoke_green, std::optional<bool>(true));
    EXPECT_EQ(run->suites[1].green, std::optional<bool>(true));
    auto parsed = parse_run_report(run_report_body(*run));
    ASSERT_TRUE(parsed) << parsed.message();
    EXPECT_EQ(parsed->smoke_green, std::optional<bool>(true));
}

TEST(RunReport, BodiesThatAreNotReportObjectsAreRefused) {
    auto not_json = parse_run_report("{\"schema\": ");
    ASSERT_FALSE(not_json);
    EXPECT_TRUE(not_json.message().starts_with("/: expected a JSON document")) << not_json.message();
    auto array = parse_run_report("[1, 2]");
    ASSERT_FALSE(array);
    EXPECT_TRUE(array.message().starts_with("/: expected a JSON object; found array")) << array.message();
    auto huge = parse_run_report(std::string(k_max_report_bytes + 1, ' '));
    ASSERT_FALSE(huge);
    EXPECT_NE(huge.message().find("at most 67108864 are accepted"), std::string::npos) << huge.message();
    auto deep = parse_run_report(std::string(100000, '[') + std::string(100000, ']'));
    ASSERT_FALSE(deep);
}

TEST(RunReport, UtcTimesAreReadWithOrWithoutFraction) {
    EXPECT_EQ(util::format_utc(*parse_utc_time("2026-11-21T10:36:00Z")), "2026-11-21T10:36:00.000Z");
    EXPECT_EQ(util::format_utc(*parse_utc_time("2026-11-21T10:36:00.5Z")), "2026-11-21T10:36:00.500Z");
    EXPECT_FALSE(parse_utc_time("2026-11-21 10:36:00Z"));
    EXPECT_FALSE(parse_utc_time("2026-11-21T10:36:00+01:00"));
    EXPECT_FALSE(parse_utc_time("2026-11-21T25:36:00Z"));
    EXPECT_FALSE(parse_utc_time("2026-11-21T10:36:00Zjunk"));
    EXPECT_FALSE(parse_utc_time("1969-12-31T23:59:59.500Z"));
    EXPECT_FALSE(parse_utc_time("6416-11-21T10:36:00.123Z"));
    EXPECT_FALSE(parse_utc_time("2026-11-21T10:36:P0.123Z"));
    EXPECT_FALSE(parse_utc_time("2026-11-21T10:36:00.Z"));
    EXPECT_FALSE(parse_utc_time("2026-11-21T10:36:00.12aZ"));
    EXPECT_TRUE(parse_utc_time("2199-12-31T23:59:59.999Z"));
}

}  // namespace
}  // namespace greenlight::serve
