#include "greenlight/serve/dashboard.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "greenlight/serve/html.hpp"

namespace greenlight::serve {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

WallTime utc(int year, unsigned month, unsigned day, int hour, int minute, int second) {
    using namespace std::chrono;
    return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}} + hours{hour} +
           minutes{minute} + seconds{second};
}

const WallTime k_now = utc(2026, 11, 21, 10, 36, 0);
constexpr std::string_view k_hostile = "<script>alert(\"x&y\")</script>'";

// The page as an XML tree: the pages are meant to be well-formed, which is what a test can check structure on.
struct Page {
    std::string html;
    pugi::xml_document document;
    pugi::xml_parse_result parsed;

    explicit Page(std::string text) : html(std::move(text)) {
        constexpr std::string_view k_doctype = "<!DOCTYPE html>\n";
        std::string body = html.starts_with(k_doctype) ? html.substr(k_doctype.size()) : html;
        parsed = document.load_string(body.c_str(), pugi::parse_default | pugi::parse_ws_pcdata);
    }

    std::vector<pugi::xml_node> all(const char* xpath) const {
        std::vector<pugi::xml_node> nodes;
        for (const auto& selected : document.select_nodes(xpath)) nodes.push_back(selected.node());
        return nodes;
    }
    pugi::xml_node one(const char* xpath) const { return document.select_node(xpath).node(); }
    std::vector<std::string> texts(const char* xpath) const;
    std::string text() const;
};

// Elements a browser puts on a line of their own (or ends a line at), as innerText does.
bool breaks_line(std::string_view tag) {
    static constexpr std::string_view k_tags[] = {"br", "dt", "dd", "p",   "div",     "li",      "td",      "th",
                                                  "tr", "h1", "h2", "pre", "summary", "details", "section", "table"};
    return std::find(std::begin(k_tags), std::end(k_tags), tag) != std::end(k_tags);
}

void collect_text(pugi::xml_node node, std::string& out) {
    for (pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_pcdata) {
            out += child.value();
        } else if (child.type() == pugi::node_element) {
            bool own_line = breaks_line(child.name());
            if (own_line) out += '\n';
            collect_text(child, out);
            if (own_line) out += '\n';
        }
    }
}

// What a reader sees in an element: its text with runs of white space as one space.
std::string text_of(pugi::xml_node node) {
    std::string raw;
    collect_text(node, raw);
    std::string out;
    for (char c : raw) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::vector<std::string> Page::texts(const char* xpath) const {
    std::vector<std::string> out;
    for (const auto& node : all(xpath)) out.push_back(text_of(node));
    return out;
}

std::string Page::text() const {
    return text_of(document.document_element());
}

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// ---- Data ----

RunSummary summary(std::string run_id, std::string tier, std::string_view verdict, double seconds) {
    RunSummary run;
    run.run_id = std::move(run_id);
    run.project = "shop";
    run.tier = std::move(tier);
    run.verdict = verdict::parse_verdict(verdict).value();
    run.started = utc(2026, 11, 21, 10, 36, 0);
    run.duration_seconds = seconds;
    run.git_sha = "abc1234def5678abc1234def5678abc1234def56";
    run.branch = "main";
    run.has_bundle = true;
    return run;
}

TestCaseRecord test_case(std::string suite, std::string classname, std::string name, std::string outcome,
                         double seconds, std::string output) {
    TestCaseRecord test;
    test.suite = std::move(suite);
    test.classname = std::move(classname);
    test.name = std::move(name);
    test.outcome = std::move(outcome);
    test.duration_seconds = seconds;
    test.output_excerpt = std::move(output);
    return test;
}

Ping ping(PingKind kind, std::optional<int> exit_code, std::string rid, WallTime at, std::string source,
          std::string body) {
    Ping ping;
    ping.check = "nightly-smoke";
    ping.kind = kind;
    ping.exit_code = exit_code;
    ping.rid = std::move(rid);
    ping.at = at;
    ping.source = std::move(source);
    ping.body = std::move(body);
    return ping;
}

Alert alert(std::string channel, WallTime created) {
    Alert alert;
    alert.key = "nightly-smoke/down/" + channel;
    alert.kind = AlertKind::down;
    alert.check = "nightly-smoke";
    alert.channel = std::move(channel);
    alert.created = created;
    return alert;
}

FlakyTest flaky_test(std::string suite, std::string classname, std::string name, int runs, int failures,
                     std::string last_failed_run_id) {
    FlakyTest test;
    test.tier = "nightly";
    test.suite = std::move(suite);
    test.classname = std::move(classname);
    test.name = std::move(name);
    test.runs = runs;
    test.failures = failures;
    test.last_failed_run_id = std::move(last_failed_run_id);
    return test;
}

RunRecord record() {
    RunRecord run;
    run.run_id = "20261121T103600Z-nightly";
    run.project = "shop";
    run.tier = "nightly";
    run.verdict = verdict::Verdict::fail;
    run.started = utc(2026, 11, 21, 10, 36, 0);
    run.ended = utc(2026, 11, 21, 10, 37, 5);
    run.duration_seconds = 65;
    run.git_sha = "abc1234def5678abc1234def5678abc1234def56";
    run.branch = "main";
    run.received = utc(2026, 11, 21, 10, 37, 6);
    run.has_bundle = true;
    run.suites = {
        {.name = "unit",
         .verdict = verdict::Verdict::pass,
         .tests = 120,
         .failures = 0,
         .errors = 0,
         .skipped = 0,
         .duration_seconds = 12.5,
         .attempts = 1,
         .green = std::nullopt},
        {.name = "api",
         .verdict = verdict::Verdict::fail,
         .tests = 40,
         .failures = 2,
         .errors = 1,
         .skipped = 0,
         .duration_seconds = 125,
         .attempts = 3,
         .green = std::nullopt},
    };
    run.cases = {
        test_case("api", "orders", "creates_order", "failed", 1.5, "expected 201, got 500\nat orders_test.py:12"),
        test_case("api", "orders", "lists_orders", "passed", 0.1, ""),
        test_case("api", "", "db_connects", "error", 0, "connection refused"),
    };
    return run;
}

CheckView check(std::string name, CheckState state) {
    CheckView view;
    view.spec.name = std::move(name);
    view.spec.ping_key = "k3y-abc_123";
    view.spec.schedule.period = std::chrono::hours{6};
    view.spec.schedule.time_zone = "UTC";
    view.status.state = state;
    view.status.since = utc(2026, 11, 21, 4, 0, 0);
    view.status.last_ping = utc(2026, 11, 21, 10, 24, 0);
    view.status.last_success = utc(2026, 11, 21, 4, 0, 0);
    view.status.next_due = k_now + std::chrono::hours{2} + std::chrono::minutes{5};
    return view;
}

bridge::Job job(std::string name, std::string id) {
    bridge::Job job;
    job.jobname = std::move(name);
    job.jobid = std::move(id);
    job.owner = "IBMUSER";
    job.status = bridge::JobStatus::output;
    job.job_class = "A";
    job.retcode = "CC 0000";
    job.phase = 20;
    job.phase_name = "Job is on the hard copy queue";
    job.correlator = "J0000001GLBR....DB1B2A3C.......:";
    job.submitted = "2026-11-21T10:36:00.123Z";
    job.started = "2026-11-21T10:36:01.000Z";
    job.ended = "2026-11-21T10:37:05.000Z";
    return job;
}

std::vector<bridge::SpoolFile> spool_files(const bridge::Job& of) {
    auto file = [&](int id, std::string ddname, std::string step, std::int64_t records) {
        bridge::SpoolFile spool;
        spool.jobid = of.jobid;
        spool.jobname = of.jobname;
        spool.id = id;
        spool.ddname = std::move(ddname);
        spool.stepname = std::move(step);
        spool.output_class = "A";
        spool.record_count = records;
        spool.byte_count = records * 20;
        return spool;
    };
    return {file(2, "JESMSGLG", "JES2", 3), file(3, "JESJCL", "JES2", 5), file(101, "SYSPRINT", "STEP1", 4)};
}

// ---- Runs ----

TEST(RunsPage, ShowsEachRunNewestFirstWithWhatAReaderLooksFor) {
    RunsPage data;
    data.runs = {summary("run-2", "nightly", "fail", 65), summary("run-1", "smoke", "pass", 3.2)};
    data.runs[1].has_bundle = false;
    data.runs[1].branch = "";
    Page page(render_runs_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_THAT(page.texts("//td[@data-label='Run']"), ElementsAre("run-2", "run-1"));
    EXPECT_THAT(page.texts("//td[@data-label='Verdict']"), ElementsAre("fail", "pass"));
    EXPECT_THAT(page.texts("//td[@data-label='Tier']"), ElementsAre("nightly", "smoke"));
    EXPECT_THAT(page.texts("//td[@data-label='Project']"), ElementsAre("shop", "shop"));
    EXPECT_THAT(page.texts("//td[@data-label='Duration']"), ElementsAre("1 min 5 s", "3.2 s"));
    EXPECT_THAT(page.texts("//td[@data-label='Commit']"), ElementsAre("abc1234", "abc1234"));
    EXPECT_THAT(page.texts("//td[@data-label='Branch']"), ElementsAre("main", "—"));
    EXPECT_THAT(page.texts("//td[@data-label='Bundle']"), ElementsAre("yes", "no"));
    EXPECT_THAT(page.texts("//td[@data-label='Started']"), ElementsAre("2026-11-21 10:36:00Z", "2026-11-21 10:36:00Z"));
    EXPECT_STREQ(page.one("//td[@data-label='Started']/time").attribute("datetime").value(), "2026-11-21T10:36:00Z");
    EXPECT_STREQ(page.one("//td[@data-label='Run']/a").attribute("href").value(), "/runs/run-2");
    // The verdict's colour comes with its word.
    EXPECT_STREQ(page.one("//td[@data-label='Verdict']/span").attribute("class").value(), "badge tone-bad");
    EXPECT_EQ(page.one("//nav[@class='paging']"), pugi::xml_node{}) << "one page only: no paging links";
}

TEST(RunsPage, FilterFormShowsTheCurrentValuesSelected) {
    RunsPage data;
    data.filter.tier = "nightly";
    data.filter.verdict = "fail";
    data.filter.project = "shop";
    data.filter.branch = "release/1.2";
    data.known_tiers = {"smoke", "nightly"};
    data.runs = {summary("run-2", "nightly", "fail", 65)};
    Page page(render_runs_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    auto form = page.one("//form[@class='filters']");
    EXPECT_STREQ(form.attribute("method").value(), "get");
    EXPECT_STREQ(form.attribute("action").value(), "/runs");
    EXPECT_THAT(page.texts("//select[@name='tier']/option[@selected]"), ElementsAre("nightly"));
    EXPECT_THAT(page.texts("//select[@name='tier']/option"), ElementsAre("any", "smoke", "nightly"));
    EXPECT_THAT(page.texts("//select[@name='verdict']/option[@selected]"), ElementsAre("fail"));
    // Without known choices, a text field holds the current value.
    EXPECT_STREQ(page.one("//input[@name='project']").attribute("value").value(), "shop");
    EXPECT_STREQ(page.one("//input[@name='branch']").attribute("value").value(), "release/1.2");
    EXPECT_STREQ(page.one("//label[@for='filter-branch']").child_value(), "Branch");
    EXPECT_EQ(page.texts("//form//a"), std::vector<std::string>{"Clear filters"});
}

TEST(RunsPage, ATierNotAmongTheChoicesIsStillOfferedAndSelected) {
    RunsPage data;
    data.filter.tier = "weekly";
    data.known_tiers = {"smoke"};
    Page page(render_runs_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//select[@name='tier']/option[@selected]"), ElementsAre("weekly"));
}

TEST(RunsPage, OlderLinkStartsAfterTheLastRunAndKeepsTheFilters) {
    RunsPage data;
    data.filter.tier = "night ly";
    data.filter.branch = "feature/a&b";
    data.runs = {summary("run-2", "night ly", "fail", 65), summary("run/1?#", "night ly", "pass", 60)};
    data.has_older = true;
    Page page(render_runs_page(data));
    ASSERT_TRUE(page.parsed);

    auto older = page.one("//nav[@class='paging']/a[@rel='next']");
    EXPECT_STREQ(older.child_value(), "Older runs");
    EXPECT_STREQ(older.attribute("href").value(), "/runs?tier=night%20ly&branch=feature%2Fa%26b&before=run%2F1%3F%23");
    EXPECT_STREQ(page.all("//td[@data-label='Run']/a")[1].attribute("href").value(), "/runs/run%2F1%3F%23");
}

TEST(RunsPage, APageOfOlderRunsLinksBackToTheNewest) {
    RunsPage data;
    data.filter.verdict = "fail";
    data.filter.before_run_id = "run-9";
    data.runs = {summary("run-8", "nightly", "fail", 65)};
    Page page(render_runs_page(data));
    ASSERT_TRUE(page.parsed);
    auto links = page.all("//nav[@class='paging']/a");
    ASSERT_EQ(links.size(), 1u) << "no older link without has_older";
    EXPECT_STREQ(links[0].child_value(), "Newest runs");
    EXPECT_STREQ(links[0].attribute("href").value(), "/runs?verdict=fail");
}

TEST(RunsPage, SaysSoWhenThereAreNoRuns) {
    Page none(render_runs_page({}));
    ASSERT_TRUE(none.parsed);
    EXPECT_THAT(none.texts("//p[@class='empty']"), ElementsAre(HasSubstr("No runs yet")));
    EXPECT_EQ(none.one("//table"), pugi::xml_node{});

    RunsPage filtered;
    filtered.filter.tier = "smoke";
    Page no_match(render_runs_page(filtered));
    EXPECT_THAT(no_match.texts("//p[@class='empty']"), ElementsAre("No runs match these filters."));
}

// ---- One run ----

TEST(RunPage, ShowsHeaderSuitesFailingTestsAndBundleFiles) {
    RunPage data{.run = record(), .bundle_files = {"summary.json", "logs/api test.log"}};
    Page page(render_run_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_EQ(page.texts("//h1")[0], "Run 20261121T103600Z-nightly fail");
    std::string facts = page.texts("//dl[@class='facts']")[0];
    EXPECT_THAT(facts, HasSubstr("Verdict fail"));
    EXPECT_THAT(facts, HasSubstr("Tier nightly"));
    EXPECT_THAT(facts, HasSubstr("Started 2026-11-21 10:36:00Z"));
    EXPECT_THAT(facts, HasSubstr("Ended 2026-11-21 10:37:05Z"));
    EXPECT_THAT(facts, HasSubstr("Duration 1 min 5 s"));
    EXPECT_THAT(facts, HasSubstr("Commit abc1234def5678abc1234def5678abc1234def56"));
    EXPECT_THAT(facts, HasSubstr("Branch main"));

    EXPECT_THAT(page.texts("//td[@data-label='Suite']"), ElementsAre("unit", "api"));
    EXPECT_THAT(page.texts("//td[@data-label='Verdict']"), ElementsAre("pass", "fail"));
    EXPECT_THAT(page.texts("//td[@data-label='Tests']"), ElementsAre("120", "40"));
    EXPECT_THAT(page.texts("//td[@data-label='Failures']"), ElementsAre("0", "2"));
    EXPECT_THAT(page.texts("//td[@data-label='Duration']"), ElementsAre("13 s", "2 min 5 s"));
    EXPECT_THAT(page.texts("//td[@data-label='Attempts']"), ElementsAre("1", "3"));

    // Failed and errored tests, collapsed, with their output; the passing one is not listed.
    EXPECT_THAT(page.texts("//h2"), testing::Contains("Failing tests (2)"));
    EXPECT_THAT(page.texts("//details[@class='failure']/summary"),
                ElementsAre("failed api › orders.creates_order (1.5 s)", "error api › db_connects (0 s)"));
    auto output = page.all("//details[@class='failure']/pre");
    ASSERT_EQ(output.size(), 2u);
    EXPECT_STREQ(output[0].child_value(), "expected 201, got 500\nat orders_test.py:12");
    EXPECT_EQ(page.one("//details[@open]"), pugi::xml_node{}) << "collapsed until the reader opens one";

    auto files = page.all("//ul[@class='files']/li/a");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_STREQ(files[1].child_value(), "logs/api test.log");
    EXPECT_STREQ(files[1].attribute("href").value(), "/runs/20261121T103600Z-nightly/bundle/logs/api%20test.log");
}

TEST(RunPage, SaysWhenThereIsNoBundleAndNoFailure) {
    RunPage data;
    data.run = record();
    data.run.has_bundle = false;
    data.run.cases.clear();
    Page page(render_run_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//p[@class='empty']"),
                ElementsAre("No failing tests.", "No bundle was uploaded for this run."));
    EXPECT_THAT(page.text(), HasSubstr("Failing tests (0)"));
}

// ---- Flaky ----

TEST(FlakyPage, RanksByFailuresAndLinksTheLastFailedRun) {
    FlakyPage data;
    data.tier = "nightly";
    data.known_tiers = {"smoke", "nightly"};
    data.window_runs = 20;
    data.tests = {
        flaky_test("api", "orders", "rarely", 20, 1, "run 7"),
        flaky_test("ui", "", "often", 20, 6, "run-9"),
        flaky_test("ui", "", "sometimes", 10, 3, "run-8"),
    };
    Page page(render_flaky_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_THAT(page.text(), HasSubstr("across the last 20 runs of their tier"));
    EXPECT_THAT(page.texts("//td[@data-label='Test']"), ElementsAre("often", "sometimes", "orders.rarely"));
    EXPECT_THAT(page.texts("//td[@data-label='#']"), ElementsAre("1", "2", "3"));
    EXPECT_THAT(page.texts("//td[@data-label='Suite']"), ElementsAre("ui", "ui", "api"));
    EXPECT_THAT(page.texts("//td[@data-label='Failed']"), ElementsAre("6/20 runs", "3/10 runs", "1/20 runs"));
    EXPECT_STREQ(page.all("//td[@data-label='Last failed run']/a")[2].attribute("href").value(), "/runs/run%207");
    EXPECT_THAT(page.texts("//select[@name='tier']/option[@selected]"), ElementsAre("nightly"));
    EXPECT_STREQ(page.one("//form").attribute("action").value(), "/flaky");
}

TEST(FlakyPage, SaysSoWhenNothingIsFlaky) {
    FlakyPage data;
    data.tier = "smoke";
    Page page(render_flaky_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//p[@class='empty']"), ElementsAre("No flaky tests in tier smoke."));
    EXPECT_STREQ(page.one("//input[@name='tier']").attribute("value").value(), "smoke");
}

// ---- Trends ----

TEST(TrendsPage, ChartHasOnePointPerRunAndTheTableTheSameNumbers) {
    TrendsPage data;
    data.trends = {
        {.tier = "nightly",
         .runs = {summary("n-1", "nightly", "pass", 60), summary("n-2", "nightly", "fail", 65),
                  summary("n-3", "nightly", "pass", 125.5), summary("n-4", "nightly", "flaky", 0.25)}},
        {.tier = "smoke", .runs = {summary("s-1", "smoke", "pass", 3)}},
    };
    Page page(render_trends_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    auto charts = page.all("//svg");
    ASSERT_EQ(charts.size(), 2u);
    EXPECT_STREQ(charts[0].attribute("viewBox").value(), "0 0 480 240");
    EXPECT_EQ(std::string(charts[0].attribute("width").value()), "") << "the stylesheet scales it to the width";
    auto nightly_points = page.texts("(//svg)[1]/a/circle/title");
    EXPECT_THAT(nightly_points, ElementsAre("run n-1: 1 min (60 s), pass", "run n-2: 1 min 5 s (65 s), fail",
                                            "run n-3: 2 min 6 s (125.5 s), pass", "run n-4: 250 ms (0.25 s), flaky"));
    EXPECT_EQ(page.all("(//svg)[2]/a/circle").size(), 1u);
    EXPECT_STREQ(page.one("(//svg)[1]/a").attribute("href").value(), "/runs/n-1") << "a point opens its run";
    // The y axis is labelled, as is the x axis.
    EXPECT_THAT(page.texts("(//svg)[1]/text"),
                testing::IsSupersetOf({"0 s", "2 min 30 s", "5 min", "duration", "run, oldest to newest"}));
    // Points lie lower for shorter runs: y grows downwards in SVG.
    auto circles = page.all("(//svg)[1]/a/circle");
    EXPECT_GT(circles[3].attribute("cy").as_double(), circles[2].attribute("cy").as_double());
    EXPECT_GT(circles[1].attribute("cx").as_double(), circles[0].attribute("cx").as_double());

    auto tables = page.all("//table");
    ASSERT_EQ(tables.size(), 2u);
    std::vector<std::string> seconds;
    for (auto cell : tables[0].select_nodes(".//td[@data-label='Seconds']")) seconds.push_back(text_of(cell.node()));
    EXPECT_THAT(seconds, ElementsAre("60", "65", "125.5", "0.25"));
    std::vector<std::string> runs;
    for (auto cell : tables[0].select_nodes(".//td[@data-label='Run']")) runs.push_back(text_of(cell.node()));
    EXPECT_THAT(runs, ElementsAre("n-1", "n-2", "n-3", "n-4"));
    EXPECT_THAT(page.texts("//h2"), ElementsAre("Tier nightly", "Tier smoke"));
    // Without known tiers, the tiers shown are the filter's choices.
    EXPECT_THAT(page.texts("//select[@name='tier']/option"), ElementsAre("any", "nightly", "smoke"));
}

TEST(TrendsPage, SaysSoWhenThereIsNothingToChart) {
    Page page(render_trends_page({}));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//p[@class='empty']"), ElementsAre("No runs to chart yet."));
    EXPECT_EQ(page.one("//svg"), pugi::xml_node{});
}

// ---- Checks ----

TEST(ChecksPage, ShowsStateInWordsAndDueTimesRelativeToNow) {
    ChecksPage data;
    data.now = k_now;
    data.checks = {check("nightly-smoke", CheckState::up), check("backup", CheckState::down),
                   check("reports", CheckState::paused)};
    data.checks[1].status.next_due = k_now - std::chrono::minutes{12};
    data.checks[1].status.reason = "no success since 04:00";
    data.checks[1].spec.schedule.period.reset();
    data.checks[1].spec.schedule.cron = "0 2 * * *";
    data.checks[1].spec.schedule.time_zone = "Europe/Berlin";
    data.checks[1].spec.grace = std::chrono::minutes{15};
    Page page(render_checks_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_THAT(page.texts("//p[@class='summary']"), ElementsAre("3 checks: 1 down, 1 up, 1 paused."));
    EXPECT_THAT(page.texts("//td[@data-label='Check']"), ElementsAre("nightly-smoke", "backup", "reports"));
    EXPECT_STREQ(page.one("//td[@data-label='Check']/a").attribute("href").value(), "/checks/nightly-smoke");
    EXPECT_THAT(page.texts("//td[@data-label='State']/span"), ElementsAre("up", "down", "paused"));
    EXPECT_STREQ(page.all("//td[@data-label='State']/span")[1].attribute("class").value(), "badge tone-bad");
    EXPECT_THAT(page.texts("//td[@data-label='State']")[1], HasSubstr("no success since 04:00"));
    EXPECT_THAT(
        page.texts("//td[@data-label='Next due']"),
        ElementsAre("in 2 h 5 min 2026-11-21 12:41:00Z", "overdue by 12 min 2026-11-21 10:24:00Z", "not while paused"));
    EXPECT_THAT(page.texts("//td[@data-label='Last ping']")[0], "12 min ago 2026-11-21 10:24:00Z");
    EXPECT_THAT(page.texts("//td[@data-label='Last success']")[0], "6 h 36 min ago 2026-11-21 04:00:00Z");
    EXPECT_THAT(page.texts("//td[@data-label='Schedule']"),
                ElementsAre("every 6 h", "cron 0 2 * * * (Europe/Berlin)", "every 6 h"));
    EXPECT_THAT(page.texts("//td[@data-label='Grace']"), ElementsAre("30 min", "15 min", "30 min"));
    // Keys are secrets: not shown unless the viewer may see them.
    EXPECT_THAT(page.html, Not(HasSubstr("k3y-abc_123")));
    EXPECT_THAT(page.html, Not(HasSubstr("/ping/")));
}

TEST(ChecksPage, ShowsPingUrlsToViewersWhoMaySeeKeys) {
    ChecksPage data;
    data.now = k_now;
    data.ping_keys = PingKeyVisibility::shown;
    data.public_url = "https://ci.example.com/";
    data.checks = {check("nightly-smoke", CheckState::new_check)};
    data.checks[0].spec.ping_key = "a/b c";
    data.checks[0].status.last_ping.reset();
    data.checks[0].status.last_success.reset();
    data.checks[0].status.next_due.reset();
    Page page(render_checks_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//th"), testing::Contains("Ping URL"));
    EXPECT_THAT(page.texts("//td[@data-label='Ping URL']"), ElementsAre("https://ci.example.com/ping/a%2Fb%20c"));
    EXPECT_THAT(page.texts("//td[@data-label='State']"), ElementsAre("new"));
    EXPECT_THAT(page.texts("//td[@data-label='Last ping']"), ElementsAre("never"));
    EXPECT_THAT(page.texts("//td[@data-label='Next due']"), ElementsAre("waiting for the first ping"));
}

TEST(ChecksPage, SaysSoWhenThereAreNoChecks) {
    Page page(render_checks_page({}));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//p[@class='empty']"), ElementsAre(HasSubstr("No checks yet")));
}

TEST(CheckPage, ShowsRecentPingsAndAlerts) {
    CheckPage data;
    data.now = k_now;
    data.check = check("nightly-smoke", CheckState::late);
    data.check.spec.description = "The mainframe smoke test";
    data.check.spec.channels = {"discord-main", "issue"};
    data.pings = {
        ping(PingKind::fail, 3, "r-42", utc(2026, 11, 21, 10, 24, 0), "http", "step 3 failed"),
        ping(PingKind::start, std::nullopt, "r-42", utc(2026, 11, 21, 10, 20, 0), "run:20261121T102000Z", ""),
    };
    data.alerts = {alert("discord-main", utc(2026, 11, 21, 10, 30, 0)), alert("issue", utc(2026, 11, 21, 10, 30, 0))};
    data.alerts[0].down_since = utc(2026, 11, 21, 10, 30, 0);
    data.alerts[0].last_success = utc(2026, 11, 21, 4, 0, 0);
    data.alerts[0].reason = "failed 1 time";
    data.alerts[0].job_ids = {"JOB00042"};
    data.alerts[0].attempts = 1;
    data.alerts[0].sent = utc(2026, 11, 21, 10, 30, 2);
    data.alerts[1].attempts = 2;
    data.alerts[1].last_error = "HTTP 502 from api.github.com";
    Page page(render_check_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_EQ(page.texts("//h1")[0], "Check nightly-smoke late");
    EXPECT_THAT(page.text(), HasSubstr("The mainframe smoke test"));
    std::string facts = page.texts("//dl[@class='facts']")[0];
    EXPECT_THAT(facts, HasSubstr("State late since 2026-11-21 04:00:00Z"));
    EXPECT_THAT(facts, HasSubstr("Next due in 2 h 5 min"));
    EXPECT_THAT(facts, HasSubstr("Alert channels discord-main, issue"));
    EXPECT_THAT(facts, HasSubstr("Last alert 2026-11-21 10:30:00Z"));

    EXPECT_THAT(page.texts("//td[@data-label='Kind']"), ElementsAre("fail", "start", "down", "down"));
    EXPECT_THAT(page.texts("//td[@data-label='Exit code']"), ElementsAre("3", "—"));
    EXPECT_THAT(page.texts("//td[@data-label='rid']"), ElementsAre("r-42", "r-42"));
    EXPECT_THAT(page.texts("//td[@data-label='Source']"), ElementsAre("http", "run:20261121T102000Z"));
    EXPECT_THAT(page.texts("//td[@data-label='Time']"), ElementsAre("2026-11-21 10:24:00Z", "2026-11-21 10:20:00Z"));
    EXPECT_THAT(page.texts("//td[@data-label='Body']//pre"), ElementsAre("step 3 failed"));

    EXPECT_THAT(page.texts("//td[@data-label='Channel']"), ElementsAre("discord-main", "issue"));
    EXPECT_THAT(page.texts("//td[@data-label='Delivery']"),
                ElementsAre("sent 2026-11-21 10:30:02Z", "failing after 2 attempts HTTP 502 from api.github.com"));
    EXPECT_THAT(page.texts("//td[@data-label='Job ids']"), ElementsAre("JOB00042", "—"));
    EXPECT_THAT(page.html, Not(HasSubstr("k3y-abc_123")));
}

// The watchdog's bookkeeping time is not an alert: a check without channels never had one.
TEST(CheckPage, LastAlertComesFromTheAlertsQueued) {
    CheckPage data;
    data.now = k_now;
    data.check = check("no-channels", CheckState::down);
    data.check.status.last_alert = utc(2026, 11, 21, 10, 0, 0);
    Page page(render_check_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//dl[@class='facts']")[0], HasSubstr("Last alert —"));
}

TEST(CheckPage, ListsThePingUrlsWhenKeysMayBeSeen) {
    CheckPage data;
    data.now = k_now;
    data.check = check("nightly-smoke", CheckState::up);
    data.ping_keys = PingKeyVisibility::shown;
    Page page(render_check_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//ul[@class='urls']/li/code"),
                ElementsAre("/ping/k3y-abc_123", "/ping/k3y-abc_123/start", "/ping/k3y-abc_123/fail",
                            "/ping/k3y-abc_123/<exit-code>"));
    EXPECT_THAT(page.texts("//p[@class='empty']"), ElementsAre("No pings yet.", "No alerts."));
}

// ---- Jobs ----

TEST(JobsPage, ListsJobsWithLinksToThem) {
    JobsPage data;
    data.jobs = {job("NIGHTLY", "JOB00042"), job("SMOKE#1", "JOB00041")};
    data.jobs[1].status = bridge::JobStatus::active;
    data.jobs[1].retcode.reset();
    data.jobs[1].ended.reset();
    Page page(render_jobs_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_THAT(page.texts("//td[@data-label='Name']"), ElementsAre("NIGHTLY", "SMOKE#1"));
    EXPECT_THAT(page.texts("//td[@data-label='Id']"), ElementsAre("JOB00042", "JOB00041"));
    EXPECT_THAT(page.texts("//td[@data-label='Owner']"), ElementsAre("IBMUSER", "IBMUSER"));
    EXPECT_THAT(page.texts("//td[@data-label='Status']"), ElementsAre("OUTPUT", "ACTIVE"));
    EXPECT_THAT(page.texts("//td[@data-label='Return code']"), ElementsAre("CC 0000", "—"));
    EXPECT_THAT(page.texts("//td[@data-label='Submitted']"),
                ElementsAre("2026-11-21 10:36:00Z", "2026-11-21 10:36:00Z"));
    EXPECT_THAT(page.texts("//td[@data-label='Ended']"), ElementsAre("2026-11-21 10:37:05Z", "—"));
    EXPECT_STREQ(page.one("//td[@data-label='Submitted']/time").attribute("datetime").value(),
                 "2026-11-21T10:36:00.123Z");
    auto links = page.all("//td[@data-label='Name']/a");
    EXPECT_STREQ(links[0].attribute("href").value(), "/jobs/NIGHTLY/JOB00042");
    EXPECT_STREQ(links[1].attribute("href").value(), "/jobs/SMOKE%231/JOB00041");
}

TEST(JobsPage, SaysWhenThereAreNoJobsOrNoBridge) {
    Page empty(render_jobs_page({}));
    EXPECT_THAT(empty.texts("//p[@class='empty']"), ElementsAre("No jobs yet."));
    JobsPage without_bridge;
    without_bridge.bridge = BridgeAvailability::disabled;
    Page disabled(render_jobs_page(without_bridge));
    EXPECT_THAT(disabled.texts("//p[@class='empty']"), ElementsAre(HasSubstr("does not host the bridge")));
}

TEST(JobPage, ShowsTheJobDocumentAndItsSpoolFiles) {
    JobPage data;
    data.job = job("NIGHTLY", "JOB00042");
    data.files = spool_files(data.job);
    Page page(render_job_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    std::string facts = page.texts("//dl[@class='facts']")[0];
    EXPECT_THAT(facts, HasSubstr("Job name NIGHTLY"));
    EXPECT_THAT(facts, HasSubstr("Job id JOB00042"));
    EXPECT_THAT(facts, HasSubstr("Owner IBMUSER"));
    EXPECT_THAT(facts, HasSubstr("Status OUTPUT"));
    EXPECT_THAT(facts, HasSubstr("Return code CC 0000"));
    EXPECT_THAT(facts, HasSubstr("Phase 20 Job is on the hard copy queue"));
    EXPECT_THAT(facts, HasSubstr("Submitted 2026-11-21 10:36:00Z"));
    EXPECT_THAT(page.texts("//td[@data-label='DD name']"), ElementsAre("JESMSGLG", "JESJCL", "SYSPRINT"));
    EXPECT_THAT(page.texts("//td[@data-label='Records']"), ElementsAre("3", "5", "4"));
    EXPECT_STREQ(page.all("//td[@data-label='DD name']/a")[2].attribute("href").value(),
                 "/jobs/NIGHTLY/JOB00042/files/101");
}

TEST(SpoolPage, ShowsOneFilesRecordsAndTheFilesToSwitchTo) {
    SpoolPage data;
    data.job = job("NIGHTLY", "JOB00042");
    data.files = spool_files(data.job);
    data.file_id = 101;
    data.records = "LINE 1 <b>bold</b>\nLINE 2 & more\n";
    Page page(render_spool_page(data));
    ASSERT_TRUE(page.parsed) << page.parsed.description();

    EXPECT_EQ(page.texts("//h1")[0], "SYSPRINT of job NIGHTLY JOB00042");
    EXPECT_STREQ(page.one("//pre").child_value(), "LINE 1 <b>bold</b>\nLINE 2 & more\n");
    EXPECT_THAT(page.html, HasSubstr("LINE 1 &lt;b&gt;bold&lt;/b&gt;"));
    EXPECT_THAT(page.texts("//nav[@class='spool-files']//a"),
                ElementsAre("JESMSGLG (JES2)", "JESJCL (JES2)", "SYSPRINT (STEP1)"));
    EXPECT_THAT(page.texts("//nav[@class='spool-files']//a[@aria-current='page']"), ElementsAre("SYSPRINT (STEP1)"));
    EXPECT_STREQ(page.all("//nav[@class='spool-files']//a")[0].attribute("href").value(),
                 "/jobs/NIGHTLY/JOB00042/files/2");
    // The file has 4 records; 2 were handed in, and the reader is told.
    EXPECT_THAT(page.texts("//p[@class='note']"), ElementsAre(HasSubstr("Showing the first 2.")));
}

TEST(SpoolPage, SaysWhenTheFileIsEmpty) {
    SpoolPage data;
    data.job = job("NIGHTLY", "JOB00042");
    data.files = spool_files(data.job);
    data.file_id = 3;
    data.files[1].record_count = 0;
    Page page(render_spool_page(data));
    ASSERT_TRUE(page.parsed);
    EXPECT_THAT(page.texts("//p[@class='empty']"), ElementsAre("This spool file is empty."));
    EXPECT_EQ(page.one("//pre"), pugi::xml_node{});
}

// ---- Errors ----

TEST(ErrorPage, SaysWhatWentWrong) {
    Page missing(render_error_page(404, "No run with id run-9."));
    ASSERT_TRUE(missing.parsed);
    EXPECT_EQ(missing.texts("//h1")[0], "404 Not found");
    EXPECT_EQ(missing.texts("//title")[0], "404 Not found · greenlight");
    EXPECT_THAT(missing.texts("//p[@class='error-message']"), ElementsAre("No run with id run-9."));

    Page unavailable(render_error_page(503, "The database is not reachable."));
    EXPECT_EQ(unavailable.texts("//h1")[0], "503 Service unavailable");
    EXPECT_THAT(unavailable.text(), HasSubstr("try again"));
}

// ---- Every page ----

// Every page, with a hostile string in every text field a user or a pinger can set.
std::vector<std::pair<std::string, std::string>> every_page_with(std::string_view hostile) {
    std::string h(hostile);
    RunsPage runs;
    runs.filter = {.project = h, .tier = h, .verdict = h, .branch = h, .commit = h, .limit = 50, .before_run_id = h};
    runs.known_tiers = {h};
    runs.known_projects = {h};
    runs.known_branches = {h};
    runs.runs = {summary(h, h, "fail", 1)};
    runs.runs[0].project = h;
    runs.runs[0].git_sha = h;
    runs.runs[0].branch = h;
    runs.has_older = true;

    RunPage run{.run = record(), .bundle_files = {h, "dir/" + h}};
    run.run.run_id = h;
    run.run.project = h;
    run.run.tier = h;
    run.run.git_sha = h;
    run.run.branch = h;
    for (auto& suite : run.run.suites) suite.name = h;
    for (auto& test : run.run.cases) {
        test.suite = test.classname = test.name = test.output_excerpt = h;
        test.outcome = "failed";
    }

    FlakyPage flaky;
    flaky.tier = h;
    flaky.known_tiers = {h};
    flaky.window_runs = 5;
    flaky.tests = {flaky_test(h, h, h, 5, 2, h)};
    flaky.tests[0].tier = h;

    TrendsPage trends;
    trends.tier = h;
    trends.trends = {{.tier = h, .runs = {summary(h, h, "pass", 2), summary(h, h, "fail", 3)}}};

    CheckView hostile_check = check(h, CheckState::down);
    hostile_check.spec.ping_key = h;
    hostile_check.spec.description = h;
    hostile_check.spec.channels = {h};
    hostile_check.spec.tier = h;
    hostile_check.spec.project = h;
    hostile_check.status.reason = h;
    ChecksPage checks{.checks = {hostile_check}, .now = k_now, .ping_keys = PingKeyVisibility::shown, .public_url = h};
    CheckPage one_check;
    one_check.check = hostile_check;
    one_check.now = k_now;
    one_check.ping_keys = PingKeyVisibility::shown;
    one_check.public_url = h;
    one_check.pings = {ping(PingKind::fail, 1, h, k_now, h, h)};
    one_check.pings[0].check = h;
    one_check.alerts = {alert(h, k_now)};
    one_check.alerts[0].reason = h;
    one_check.alerts[0].job_ids = {h};
    one_check.alerts[0].attempts = 1;
    one_check.alerts[0].last_error = h;

    bridge::Job hostile_job = job(h, h);
    hostile_job.owner = hostile_job.phase_name = hostile_job.correlator = h;
    hostile_job.retcode = hostile_job.user_correlator = h;
    hostile_job.submitted = h;
    hostile_job.ended = h;
    std::vector<bridge::SpoolFile> files = spool_files(hostile_job);
    for (auto& file : files) file.ddname = file.stepname = file.output_class = h, file.procstep = h;
    SpoolPage spool{.job = hostile_job, .files = files, .file_id = 101, .records = h + "\n"};

    PromotionsPage promotions;
    promotions.filter.environment = h;
    promotions.filter.commit = h;
    PromotionAttempt attempt;
    attempt.environment = attempt.commit = attempt.by = attempt.token = h;
    attempt.reasons = {h};
    attempt.evidence = {h};
    promotions.attempts = {attempt};
    PromotionDecision decision;
    decision.environment = decision.commit = decision.reason = decision.by = h;
    decision.token = "ci";
    promotions.decisions = {decision};

    return {
        {"runs", render_runs_page(runs)},
        {"run", render_run_page(run)},
        {"flaky", render_flaky_page(flaky)},
        {"trends", render_trends_page(trends)},
        {"checks", render_checks_page(checks)},
        {"check", render_check_page(one_check)},
        {"jobs", render_jobs_page({.jobs = {hostile_job}, .bridge = BridgeAvailability::enabled})},
        {"job", render_job_page({.job = hostile_job, .files = files})},
        {"spool", render_spool_page(spool)},
        {"error", render_error_page(404, h)},
        {"promotions", render_promotions_page(promotions)},
    };
}

TEST(EveryPage, EscapesHostileTextInEveryField) {
    for (const auto& [name, html] : every_page_with(k_hostile)) {
        SCOPED_TRACE(name);
        EXPECT_THAT(lowercase(html), Not(HasSubstr("<script"))) << html;
        Page page(html);
        ASSERT_TRUE(page.parsed) << page.parsed.description() << " at " << page.parsed.offset;
        // What the reader sees is the data as it was, not markup.
        EXPECT_THAT(page.text(), HasSubstr(std::string(k_hostile)));
        EXPECT_EQ(page.all("//*[@onclick or @onerror or @onload]").size(), 0u);
    }
}

TEST(EveryPage, PercentEncodesDataInLinks) {
    for (const auto& [name, html] : every_page_with("a b/c?d#e&f")) {
        SCOPED_TRACE(name);
        Page page(html);
        ASSERT_TRUE(page.parsed) << page.parsed.description();
        for (auto link : page.all("//a")) {
            std::string href = link.attribute("href").value();
            EXPECT_THAT(href, Not(HasSubstr(" "))) << href;
            EXPECT_THAT(href, Not(HasSubstr("#"))) << href;
            EXPECT_THAT(href, Not(HasSubstr("c?d"))) << href;
        }
    }
    auto pages = every_page_with("a b/c?d#e&f");
    Page run(pages[1].second);
    EXPECT_THAT(run.texts("//ul[@class='files']/li/a"), ElementsAre("a b/c?d#e&f", "dir/a b/c?d#e&f"));
    EXPECT_STREQ(run.all("//ul[@class='files']/li/a")[1].attribute("href").value(),
                 "/runs/a%20b%2Fc%3Fd%23e%26f/bundle/dir/a%20b/c%3Fd%23e%26f");
}

TEST(EveryPage, HasTheSameHeaderAndNoScriptOrInlineStyle) {
    for (const auto& [name, html] : every_page_with("plain")) {
        SCOPED_TRACE(name);
        EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n"));
        Page page(html);
        ASSERT_TRUE(page.parsed) << page.parsed.description();
        EXPECT_STREQ(page.one("/html").attribute("lang").value(), "en");
        EXPECT_STREQ(page.one("//meta[@name='viewport']").attribute("content").value(),
                     "width=device-width, initial-scale=1");
        EXPECT_STREQ(page.one("//meta[@charset]").attribute("charset").value(), "utf-8");
        auto stylesheets = page.all("//link[@rel='stylesheet']");
        ASSERT_EQ(stylesheets.size(), 1u);
        EXPECT_STREQ(stylesheets[0].attribute("href").value(), "/assets/dashboard.css");
        EXPECT_THAT(page.texts("//header/nav/ul/li/a"),
                    ElementsAre("Runs", "Flaky", "Trends", "Checks", "Promotions", "Jobs"));
        std::vector<std::string> targets;
        for (auto link : page.all("//header/nav/ul/li/a")) targets.push_back(link.attribute("href").value());
        EXPECT_THAT(targets, ElementsAre("/runs", "/flaky", "/trends", "/checks", "/promotions", "/jobs"));
        // A strict content security policy (default-src 'self') would block all of these.
        EXPECT_THAT(lowercase(html), Not(HasSubstr("<script")));
        EXPECT_THAT(lowercase(html), Not(HasSubstr("<style")));
        EXPECT_THAT(lowercase(html), Not(HasSubstr(" style=")));
        std::string without_svg_namespace = html;
        for (std::size_t at; (at = without_svg_namespace.find("http://www.w3.org/2000/svg")) != std::string::npos;) {
            without_svg_namespace.erase(at, 26);
        }
        EXPECT_THAT(lowercase(without_svg_namespace), Not(HasSubstr("http"))) << "no external resource";
    }
}

TEST(EveryPage, MarksTheSectionTheReaderIsIn) {
    auto pages = every_page_with("plain");
    auto current = [&](std::size_t index) { return Page(pages[index].second).texts("//a[@aria-current='page']"); };
    EXPECT_THAT(current(0), ElementsAre("Runs"));
    EXPECT_THAT(current(2), ElementsAre("Flaky"));
    EXPECT_THAT(current(3), ElementsAre("Trends"));
    EXPECT_THAT(current(4), ElementsAre("Checks"));
    EXPECT_THAT(current(6), ElementsAre("Jobs"));
    EXPECT_THAT(current(9), ElementsAre());
    EXPECT_THAT(current(10), ElementsAre("Promotions"));
}

TEST(Stylesheet, AdaptsToNarrowScreensAndDarkMode) {
    std::string_view css = dashboard_stylesheet();
    EXPECT_THAT(std::string(css), HasSubstr("@media (max-width"));
    EXPECT_THAT(std::string(css), HasSubstr("@media (prefers-color-scheme: dark)"));
    // The cards layout labels each cell with its column's name.
    EXPECT_THAT(std::string(css), HasSubstr("content: attr(data-label)"));
    EXPECT_THAT(std::string(css), Not(HasSubstr("@import")));
    EXPECT_THAT(std::string(css), Not(HasSubstr("url(")));
}

// ---- Escaping, encoding and formats the pages are made with ----

TEST(HtmlEscape, TurnsMarkupIntoTextAndKeepsTheDocumentValid) {
    EXPECT_EQ(html::escape("<a href=\"x\">Tom & Jerry's</a>"),
              "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
    EXPECT_EQ(html::escape("tab\tline\nnext"), "tab\tline\nnext");
    // Terminal colour codes and other control characters become visible pictures, which XML allows.
    EXPECT_EQ(html::escape("\x1b[31mred\x1b[0m"), "\u241b[31mred\u241b[0m");
    EXPECT_EQ(html::escape(std::string_view("a\0b", 3)), "a\u2400b");
    // Bytes that are not UTF-8 become U+FFFD; valid UTF-8 passes as it is.
    EXPECT_EQ(html::escape("caf\xc3\xa9 \xff \xc0\xaf"), "caf\u00e9 \ufffd \ufffd\ufffd");
    EXPECT_EQ(html::escape("\xe2\x9c\x93 \xf0\x9f\x9a\x80"), "\u2713 \U0001F680");
    EXPECT_EQ(html::escape("\xed\xa0\x80"), "\ufffd\ufffd\ufffd") << "a UTF-16 surrogate is not a character";
}

TEST(HtmlEscape, LeavesNothingThatParsesAsMarkup) {
    std::string every_byte;
    for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
    std::string document = "<p>" + html::escape(every_byte) + "</p>";
    pugi::xml_document parsed;
    ASSERT_TRUE(parsed.load_string(document.c_str()));
    EXPECT_EQ(std::distance(parsed.child("p").children().begin(), parsed.child("p").children().end()), 1)
        << "one text node, no element";
}

TEST(PercentEncode, KeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(html::percent_encode("run-1_a.b~c"), "run-1_a.b~c");
    EXPECT_EQ(html::percent_encode("a b/c?d#e&f=g%h+i"), "a%20b%2Fc%3Fd%23e%26f%3Dg%25h%2Bi");
    EXPECT_EQ(html::percent_encode("caf\xc3\xa9"), "caf%C3%A9");
    EXPECT_EQ(html::percent_encode_path("logs/a b/c#d"), "logs/a%20b/c%23d");
    EXPECT_EQ(html::query_string({{"tier", "a b"}, {"verdict", ""}, {"before", "r&1"}}), "?tier=a%20b&before=r%261");
    EXPECT_EQ(html::query_string({{"tier", ""}}), "");
}

TEST(HtmlFormat, TimesAreUtcToTheSecond) {
    WallTime time = utc(2026, 11, 21, 10, 36, 0) + std::chrono::milliseconds{999};
    EXPECT_EQ(html::format_time(time), "2026-11-21 10:36:00Z");
    EXPECT_EQ(html::iso_time(time), "2026-11-21T10:36:00Z");
    EXPECT_EQ(html::format_time(utc(2027, 1, 2, 3, 4, 5)), "2027-01-02 03:04:05Z");
}

TEST(HtmlFormat, DurationsInAtMostTwoUnits) {
    EXPECT_EQ(html::format_duration(65.0), "1 min 5 s");
    EXPECT_EQ(html::format_duration(60.0), "1 min");
    EXPECT_EQ(html::format_duration(7500.0), "2 h 5 min");
    EXPECT_EQ(html::format_duration(7200.0), "2 h");
    EXPECT_EQ(html::format_duration(93784.0), "1 d 2 h");
    EXPECT_EQ(html::format_duration(45.4), "45 s");
    EXPECT_EQ(html::format_duration(3.24), "3.2 s");
    EXPECT_EQ(html::format_duration(5.0), "5 s");
    EXPECT_EQ(html::format_duration(0.042), "42 ms");
    EXPECT_EQ(html::format_duration(0.0), "0 s");
    EXPECT_EQ(html::format_duration(-3.0), "0 s");
    EXPECT_EQ(html::format_duration(std::chrono::minutes{30}), "30 min");
}

TEST(HtmlFormat, DueAndAgoRelativeToNow) {
    using namespace std::chrono_literals;
    EXPECT_EQ(html::format_due(k_now + 2h + 5min, k_now), "in 2 h 5 min");
    EXPECT_EQ(html::format_due(k_now - 12min, k_now), "overdue by 12 min");
    EXPECT_EQ(html::format_due(k_now + 300ms, k_now), "due now");
    EXPECT_EQ(html::format_ago(k_now - 90s, k_now), "1 min 30 s ago");
    EXPECT_EQ(html::format_ago(k_now, k_now), "just now");
}

TEST(HtmlBuilder, ClosesWhatItOpensAndSkipsUnnamedAttributes) {
    html::Builder out;
    out.open("div", {{"class", "a\"b"}, {"", "ignored"}}).open("p").text("x<y");
    out.empty("br");
    EXPECT_EQ(out.finish(), "<div class=\"a&quot;b\"><p>x&lt;y<br /></p></div>");
    html::Builder unknown;
    unknown.time(WallTime{});
    EXPECT_EQ(unknown.finish(), "—");
}

}  // namespace
}  // namespace greenlight::serve
