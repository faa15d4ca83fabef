// The run history's pages: the list of runs with its filters (/runs), one run with its suites, failures and
// bundle files (/runs/<id>), and the flaky tests (/flaky).
#include "greenlight/serve/dashboard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "greenlight/serve/dashboard_widgets.hpp"
#include "greenlight/serve/html.hpp"

namespace greenlight::serve {

using namespace detail;

namespace {

// Run verdicts, in the order the runs filter offers them.
constexpr std::array<std::string_view, 9> k_verdicts{"pass",         "flaky",   "skipped", "fail", "no-tests",
                                                     "inconsistent", "timeout", "crashed", "error"};

}  // namespace

std::string render_runs_page(const RunsPage& page) {
    Builder out;
    begin_page(out, "Runs", Section::runs);
    out.element("h1", "Runs");

    const RunFilter& filter = page.filter;
    out.open("form", {{"class", "filters"}, {"method", "get"}, {"action", "/runs"}});
    filter_field(out, "tier", "Tier", filter.tier, page.known_tiers);
    std::vector<std::string> verdicts(k_verdicts.begin(), k_verdicts.end());
    filter_field(out, "verdict", "Verdict", filter.verdict, verdicts);
    filter_field(out, "project", "Project", filter.project, page.known_projects);
    filter_field(out, "branch", "Branch", filter.branch, page.known_branches);
    out.open("div", {{"class", "actions"}});
    out.element("button", "Filter", {{"type", "submit"}});
    bool filtered = is_set(filter.tier) || is_set(filter.verdict) || is_set(filter.project) || is_set(filter.branch);
    if (filtered || is_set(filter.before_run_id)) out.link("/runs", "Clear filters");
    out.close();
    out.close();  // form

    if (page.runs.empty()) {
        if (filtered || is_set(filter.before_run_id)) {
            empty_state(out, "No runs match these filters.");
        } else {
            empty_state(out,
                        "No runs yet. A run appears here once `greenlight run --report-to URL` or "
                        "`greenlight push BUNDLE --to URL` sends it.");
        }
    } else {
        open_table(out, {"Run", "Project", "Tier", "Verdict", "Started", "Duration", "Commit", "Branch", "Bundle"},
                   "Runs, newest first");
        for (const auto& run : page.runs) {
            out.open("tr");
            open_cell(out, "Run");
            out.link(run_path(run.run_id), run.run_id);
            out.close();
            text_cell(out, "Project", run.project);
            text_cell(out, "Tier", run.tier);
            open_cell(out, "Verdict");
            verdict_badge(out, run.verdict);
            out.close();
            time_cell(out, "Started", run.started);
            text_cell(out, "Duration", html::format_duration(run.duration_seconds));
            open_cell(out, "Commit");
            if (run.git_sha.empty()) {
                out.text("—");
            } else {
                out.element("code", short_sha(run.git_sha), {{"title", run.git_sha}});
            }
            out.close();
            text_cell(out, "Branch", run.branch.empty() ? "—" : run.branch);
            text_cell(out, "Bundle", run.has_bundle ? "yes" : "no");
            out.close();
        }
        close_table(out);
    }

    bool newer = is_set(filter.before_run_id);
    bool older = page.has_older && !page.runs.empty();
    if (newer || older) {
        out.open("nav", {{"class", "paging"}, {"aria-label", "Pages of runs"}});
        if (newer) out.link("/runs" + html::query_string(filter_parameters(filter)), "Newest runs");
        if (older) {
            auto parameters = filter_parameters(filter);
            parameters.emplace_back("before", page.runs.back().run_id);
            out.link("/runs" + html::query_string(parameters), "Older runs", {{"rel", "next"}});
        }
        out.close();
    }
    return out.finish();
}

std::string render_run_page(const RunPage& page) {
    const RunRecord& run = page.run;
    Builder out;
    begin_page(out, "Run " + run.run_id, Section::runs);
    out.open("h1");
    out.text("Run ");
    out.element("span", run.run_id, {{"class", "id"}});
    out.text(" ");
    verdict_badge(out, run.verdict);
    out.close();

    out.open("dl", {{"class", "facts"}});
    open_definition(out, "Verdict");
    verdict_badge(out, run.verdict);
    out.close();
    definition(out, "Project", run.project.empty() ? "—" : run.project);
    definition(out, "Tier", run.tier.empty() ? "—" : run.tier);
    open_definition(out, "Started");
    out.time(run.started);
    out.close();
    open_definition(out, "Ended");
    out.time(run.ended);
    out.close();
    definition(out, "Duration", html::format_duration(run.duration_seconds));
    open_definition(out, "Commit");
    if (run.git_sha.empty()) {
        out.text("—");
    } else {
        out.element("code", run.git_sha);
    }
    out.close();
    definition(out, "Branch", run.branch.empty() ? "—" : run.branch);
    open_definition(out, "Received");
    out.time(run.received);
    out.close();
    definition(out, "Bundle", run.has_bundle ? "yes" : "no");
    out.close();  // dl

    out.element("h2", "Suites");
    if (run.suites.empty()) {
        empty_state(out, "This run reported no suites.");
    } else {
        open_table(out, {"Suite", "Verdict", "Tests", "Failures", "Errors", "Skipped", "Duration", "Attempts"},
                   "Suites");
        for (const auto& suite : run.suites) {
            out.open("tr");
            text_cell(out, "Suite", suite.name);
            open_cell(out, "Verdict");
            verdict_badge(out, suite.verdict);
            out.close();
            text_cell(out, "Tests", std::to_string(suite.tests), "number");
            text_cell(out, "Failures", std::to_string(suite.failures), "number");
            text_cell(out, "Errors", std::to_string(suite.errors), "number");
            text_cell(out, "Skipped", std::to_string(suite.skipped), "number");
            text_cell(out, "Duration", html::format_duration(suite.duration_seconds));
            text_cell(out, "Attempts", std::to_string(suite.attempts), "number");
            out.close();
        }
        close_table(out);
    }

    std::vector<const TestCaseRecord*> failing;
    for (const auto& test : run.cases) {
        if (test.outcome == "failed" || test.outcome == "error") failing.push_back(&test);
    }
    out.element("h2", fmt::format("Failing tests ({})", failing.size()));
    if (failing.empty()) {
        empty_state(out, "No failing tests.");
    } else {
        out.open("div", {{"class", "failures"}});
        for (const TestCaseRecord* test : failing) {
            out.open("details", {{"class", "failure"}});
            out.open("summary");
            badge(out, test->outcome, verdict_tone(test->outcome));
            out.text(" ");
            out.element("span", test->suite, {{"class", "suite"}});
            out.text(" › ");
            out.element("span", test_label(test->classname, test->name), {{"class", "test"}});
            out.text(fmt::format(" ({})", html::format_duration(test->duration_seconds)));
            out.close();  // summary
            if (test->output_excerpt.empty()) {
                empty_state(out, "No output was recorded for this test.");
            } else {
                out.element("pre", test->output_excerpt);
            }
            out.close();  // details
        }
        out.close();
    }

    out.element("h2", "Bundle");
    if (page.bundle_files.empty()) {
        empty_state(out, run.has_bundle ? "The bundle was uploaded, but lists no files."
                                        : "No bundle was uploaded for this run.");
    } else {
        out.open("ul", {{"class", "files"}});
        std::string base = run_path(run.run_id) + "/bundle/";
        for (const auto& file : page.bundle_files) {
            out.open("li");
            out.link(base + html::percent_encode_path(file), file);
            out.close();
        }
        out.close();
    }
    return out.finish();
}

std::string render_flaky_page(const FlakyPage& page) {
    Builder out;
    begin_page(out, "Flaky tests", Section::flaky);
    out.element("h1", "Flaky tests");
    if (page.window_runs > 0) {
        out.element("p", fmt::format("Tests that both passed and failed across the last {} of their tier.",
                                     plural(page.window_runs, "run", "runs")));
    } else {
        out.element("p", "Tests that both passed and failed across the recent runs of their tier.");
    }
    tier_filter_form(out, "/flaky", page.tier, page.known_tiers);

    if (page.tests.empty()) {
        empty_state(out, is_set(page.tier) ? fmt::format("No flaky tests in tier {}.", *page.tier)
                                           : std::string("No flaky tests."));
        return out.finish();
    }
    std::vector<const FlakyTest*> ranked;
    for (const auto& test : page.tests) ranked.push_back(&test);
    std::stable_sort(ranked.begin(), ranked.end(), [](const FlakyTest* a, const FlakyTest* b) {
        if (a->failures != b->failures) return a->failures > b->failures;
        // a/runs > b/runs without dividing by a zero run count
        return static_cast<std::int64_t>(a->failures) * b->runs > static_cast<std::int64_t>(b->failures) * a->runs;
    });
    open_table(out, {"#", "Tier", "Suite", "Test", "Failed", "Last failed run"}, "Flaky tests, most failures first");
    int rank = 0;
    for (const FlakyTest* test : ranked) {
        out.open("tr");
        text_cell(out, "#", std::to_string(++rank));
        text_cell(out, "Tier", test->tier);
        text_cell(out, "Suite", test->suite);
        text_cell(out, "Test", test_label(test->classname, test->name));
        text_cell(out, "Failed", fmt::format("{}/{} runs", test->failures, test->runs));
        open_cell(out, "Last failed run");
        if (test->last_failed_run_id.empty()) {
            out.text("—");
        } else {
            out.link(run_path(test->last_failed_run_id), test->last_failed_run_id);
        }
        out.close();
        out.close();
    }
    close_table(out);
    return out.finish();
}

}  // namespace greenlight::serve
