#include "greenlight/runner/report.hpp"

#include <fmt/format.h>

#include <pugixml.hpp>
#include <sstream>

#include "greenlight/util/duration.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::runner {

using nlohmann::json;

namespace {

json counts_json(const results::TestCounts& counts) {
    return {{"total", counts.total},   {"passed", counts.passed},   {"failed", counts.failed},
            {"errored", counts.errored}, {"skipped", counts.skipped}};
}

json leaked_json(const std::vector<LeakedProcess>& leaked) {
    json list = json::array();
    for (const auto& process : leaked) list.push_back({{"pid", process.pid}, {"command", process.command}});
    return list;
}

std::string_view termination_name(Termination termination) {
    switch (termination) {
        case Termination::exited: return "exited";
        case Termination::signaled: return "signaled";
        case Termination::timed_out: return "timed-out";
        case Termination::interrupted: return "interrupted";
        case Termination::failed_to_start: return "failed-to-start";
    }
    return "unknown";
}

const char* verdict_icon(std::string_view verdict, bool green) {
    if (verdict == "pass") return "✅";
    if (green) return "🟡";
    return "❌";
}

}  // namespace

json suite_result_json(const SuiteOutcome& suite, const std::string& tier) {
    json attempts = json::array();
    for (const auto& attempt : suite.attempts) {
        json entry = {
            {"attempt", attempt.number},
            {"verdict", to_string(attempt.decision.verdict)},
            {"reason", attempt.decision.reason},
            {"started_at", attempt.started_at},
            {"duration_ms", attempt.exit.duration.count()},
            {"termination", termination_name(attempt.exit.termination)},
            {"exit_code", attempt.exit.termination == Termination::exited ? json(attempt.exit.exit_code) : json()},
            {"signal", attempt.exit.termination == Termination::signaled ? json(attempt.exit.signal) : json()},
            {"signals_sent", attempt.exit.signals_sent},
            {"output_log", attempt.output_log},
            {"output_bytes", attempt.exit.output_bytes},
            {"output_truncated", attempt.exit.output_truncated},
            {"outputs", attempt.outputs_dir},
            {"results_file", attempt.results_file.empty() ? json() : json(attempt.results_file)},
            {"counts", counts_json(attempt.decision.counts)},
            {"leaked_processes", leaked_json(attempt.exit.leaked)},
        };
        json failing = json::array();
        for (const auto& test : attempt.cases) {
            if (test.outcome != results::TestOutcome::failed && test.outcome != results::TestOutcome::errored) continue;
            if (failing.size() >= 100) break;
            failing.push_back({{"suite", test.suite},
                               {"classname", test.classname},
                               {"name", test.name},
                               {"outcome", results::to_string(test.outcome)},
                               {"message", test.message}});
        }
        entry["failing_tests"] = failing;
        attempts.push_back(entry);
    }
    return {
        {"schema", k_suite_result_schema},
        {"suite", suite.name},
        {"tier", tier},
        {"status", suite.complete ? "complete" : "incomplete"},
        {"verdict", suite.complete || !suite.attempts.empty() ? json(to_string(suite.verdict)) : json()},
        {"green", suite.green},
        {"reason", suite.reason},
        {"command", suite.command},
        {"labels", suite.labels},
        {"started_at", suite.started_at},
        {"finished_at", suite.finished_at.empty() ? json() : json(suite.finished_at)},
        {"duration_ms", suite.duration.count()},
        {"counts", counts_json(suite.counts)},
        {"attempts", attempts},
    };
}

json summary_json(const RunRecord& run) {
    results::TestCounts totals;
    json suites = json::array();
    for (const auto& suite : run.suites) {
        totals.total += suite.counts.total;
        totals.passed += suite.counts.passed;
        totals.failed += suite.counts.failed;
        totals.errored += suite.counts.errored;
        totals.skipped += suite.counts.skipped;
        suites.push_back({
            {"name", suite.name},
            {"verdict", to_string(suite.verdict)},
            {"green", suite.green},
            {"status", suite.complete ? "complete" : "incomplete"},
            {"reason", suite.reason},
            {"duration_ms", suite.duration.count()},
            {"attempts", suite.attempts.size()},
            {"counts", counts_json(suite.counts)},
            {"result", "suites/" + suite.name + "/result.json"},
        });
    }
    json smoke;
    if (run.smoke) {
        smoke = {{"verdict", run.smoke->verdict},
                 {"green", run.smoke->green},
                 {"reason", run.smoke->reason},
                 {"path", run.smoke->path},
                 {"duration_ms", run.smoke->duration.count()}};
    }
    return {
        {"schema", k_summary_schema},
        {"project", run.project},
        {"run_id", run.run_id},
        {"tier", run.tier},
        {"status", run.complete ? "complete" : "incomplete"},
        {"verdict", to_string(run.verdict)},
        {"green", run.green},
        {"reason", run.reason},
        {"started_at", run.started_at},
        {"finished_at", run.finished_at},
        {"duration_ms", run.duration.count()},
        {"git", {{"sha", run.git_sha.empty() ? json() : json(run.git_sha)},
                 {"ref", run.git_ref.empty() ? json() : json(run.git_ref)}}},
        {"scope", verdict::to_string(run.scope)},
        {"shard", run.shard ? json{{"index", run.shard->index},
                                   {"count", run.shard->count},
                                   {"other_shards_suites", run.other_shards_suites}}
                            : json()},
        {"smoke", smoke},
        {"counts", counts_json(totals)},
        {"suites", suites},
        {"not_run", run.not_run},
        {"greenlight_version", GREENLIGHT_VERSION},
    };
}

std::string summary_markdown(const json& summary) {
    std::ostringstream out;
    const bool green = summary.value("green", false);
    const std::string verdict = summary.value("verdict", "error");
    out << fmt::format("## {} greenlight: {} — tier `{}`, run `{}`\n\n", green ? "✅" : "❌", verdict,
                       summary.value("tier", ""), summary.value("run_id", ""));
    if (summary.value("status", "") != "complete") {
        out << "> **Incomplete:** the run was interrupted; the bundle holds what was written until then.\n\n";
    }
    out << util::markdown_table_cell(summary.value("reason", "")) << "\n\n";
    const json& counts = summary["counts"];
    out << fmt::format("**Tests:** {} passed, {} failed, {} errors, {} skipped — {} in {}\n\n",
                       counts.value("passed", 0), counts.value("failed", 0), counts.value("errored", 0),
                       counts.value("skipped", 0), counts.value("total", 0),
                       util::format_duration(std::chrono::milliseconds(summary.value("duration_ms", 0))));
    if (summary.contains("smoke") && summary["smoke"].is_object()) {
        const json& smoke = summary["smoke"];
        out << fmt::format("**Smoke guard:** {} {}\n\n", smoke.value("green", false) ? "✅" : "❌",
                           util::markdown_table_cell(smoke.value("reason", "")));
    }
    out << "| | suite | verdict | tests | attempts | duration | reason |\n";
    out << "|---|---|---|---|---|---|---|\n";
    for (const auto& suite : summary["suites"]) {
        const json& suite_counts = suite["counts"];
        std::string suite_verdict = suite.value("verdict", "error");
        out << fmt::format("| {} | `{}` | {} | {}/{} | {} | {} | {} |\n",
                           verdict_icon(suite_verdict, suite.value("green", false)), suite.value("name", ""),
                           suite_verdict, suite_counts.value("passed", 0), suite_counts.value("total", 0),
                           suite.value("attempts", 0),
                           util::format_duration(std::chrono::milliseconds(suite.value("duration_ms", 0))),
                           util::markdown_table_cell(suite.value("reason", "")));
    }
    if (summary.contains("not_run") && !summary["not_run"].empty()) {
        out << "\nNot run: ";
        bool first = true;
        for (const auto& name : summary["not_run"]) {
            out << (first ? "" : ", ") << "`" << name.get<std::string>() << "`";
            first = false;
        }
        out << "\n";
    }
    if (summary.contains("git") && summary["git"].value("sha", json()).is_string()) {
        out << fmt::format("\nCommit `{}`", summary["git"]["sha"].get<std::string>());
    }
    out << fmt::format("{}greenlight {}\n", summary.contains("git") ? " · " : "\n",
                       summary.value("greenlight_version", ""));
    return out.str();
}

std::string merged_junit(const std::vector<SuiteOutcome>& suites, const std::string& run_name) {
    pugi::xml_document document;
    auto root = document.append_child("testsuites");
    root.append_attribute("name") = run_name.c_str();
    results::TestCounts totals;
    double total_seconds = 0;
    for (const auto& suite : suites) {
        auto element = root.append_child("testsuite");
        element.append_attribute("name") = suite.name.c_str();
        const double seconds = static_cast<double>(suite.duration.count()) / 1000.0;
        total_seconds += seconds;
        results::TestCounts counts;
        auto add_case = [&](const std::string& classname, const std::string& name, results::TestOutcome outcome,
                            double case_seconds, const std::string& message, const std::string& details,
                            const std::string& output) {
            auto test = element.append_child("testcase");
            test.append_attribute("classname") = classname.c_str();
            test.append_attribute("name") = name.c_str();
            test.append_attribute("time") = fmt::format("{:.3f}", case_seconds).c_str();
            ++counts.total;
            switch (outcome) {
                case results::TestOutcome::passed: ++counts.passed; break;
                case results::TestOutcome::failed: {
                    ++counts.failed;
                    auto failure = test.append_child("failure");
                    failure.append_attribute("message") = message.c_str();
                    if (!details.empty()) failure.text() = details.c_str();
                    break;
                }
                case results::TestOutcome::errored: {
                    ++counts.errored;
                    auto error = test.append_child("error");
                    error.append_attribute("message") = message.c_str();
                    if (!details.empty()) error.text() = details.c_str();
                    break;
                }
                case results::TestOutcome::skipped: {
                    ++counts.skipped;
                    test.append_child("skipped").append_attribute("message") = message.c_str();
                    break;
                }
            }
            // What a failing test printed is often the clue to its failure (the results reader kept it capped,
            // head and tail); a passing test's output stays in the suite's output.log.
            const bool failing = outcome == results::TestOutcome::failed || outcome == results::TestOutcome::errored;
            if (failing && !util::trim(output).empty()) test.append_child("system-out").text() = output.c_str();
        };
        const std::vector<results::TestCase>* cases = suite.attempts.empty() ? nullptr : &suite.attempts.back().cases;
        if (cases && !cases->empty()) {
            for (const auto& test : *cases) {
                std::string classname = test.classname.empty() ? suite.name + "." + test.suite : test.classname;
                add_case(classname, test.name, test.outcome, test.seconds, test.message, test.details, test.output);
            }
            // A verdict the test cases do not show (a crash, a timeout, an inconsistency) gets a case of its own.
            if (!suite.green && suite.verdict != Verdict::fail) {
                add_case(suite.name, fmt::format("[greenlight verdict: {}]", to_string(suite.verdict)),
                         results::TestOutcome::errored, 0, suite.reason, "", "");
            }
        } else {
            results::TestOutcome outcome = suite.green ? results::TestOutcome::passed
                                           : suite.verdict == Verdict::skipped ? results::TestOutcome::skipped
                                           : suite.verdict == Verdict::fail   ? results::TestOutcome::failed
                                                                              : results::TestOutcome::errored;
            if (suite.verdict == Verdict::skipped) outcome = results::TestOutcome::skipped;
            add_case(suite.name, suite.name, outcome, seconds, suite.reason, "", "");
        }
        element.append_attribute("tests") = counts.total;
        element.append_attribute("failures") = counts.failed;
        element.append_attribute("errors") = counts.errored;
        element.append_attribute("skipped") = counts.skipped;
        element.append_attribute("time") = fmt::format("{:.3f}", seconds).c_str();
        auto properties = element.prepend_child("properties");
        auto add_property = [&](const char* name, const std::string& value) {
            auto property = properties.append_child("property");
            property.append_attribute("name") = name;
            property.append_attribute("value") = value.c_str();
        };
        add_property("greenlight.verdict", std::string(to_string(suite.verdict)));
        add_property("greenlight.attempts", std::to_string(suite.attempts.size()));
        totals.total += counts.total;
        totals.failed += counts.failed;
        totals.errored += counts.errored;
        totals.skipped += counts.skipped;
    }
    root.append_attribute("tests") = totals.total;
    root.append_attribute("failures") = totals.failed;
    root.append_attribute("errors") = totals.errored;
    root.append_attribute("skipped") = totals.skipped;
    root.append_attribute("time") = fmt::format("{:.3f}", total_seconds).c_str();
    std::ostringstream out;
    document.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

std::string join_junit(const std::vector<std::string>& documents, const std::string& run_name) {
    pugi::xml_document joined;
    auto root = joined.append_child("testsuites");
    root.append_attribute("name") = run_name.c_str();
    long long tests = 0, failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
    for (const auto& text : documents) {
        pugi::xml_document document;
        if (!document.load_buffer(text.data(), text.size())) continue;
        for (auto suite : document.child("testsuites").children("testsuite")) {
            tests += suite.attribute("tests").as_llong();
            failures += suite.attribute("failures").as_llong();
            errors += suite.attribute("errors").as_llong();
            skipped += suite.attribute("skipped").as_llong();
            seconds += suite.attribute("time").as_double();
            root.append_copy(suite);
        }
    }
    root.append_attribute("tests") = tests;
    root.append_attribute("failures") = failures;
    root.append_attribute("errors") = errors;
    root.append_attribute("skipped") = skipped;
    root.append_attribute("time") = fmt::format("{:.3f}", seconds).c_str();
    std::ostringstream out;
    joined.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

std::vector<std::string> github_annotations(const json& summary) {
    std::vector<std::string> lines;
    for (const auto& suite : summary["suites"]) {
        if (suite.value("green", false)) continue;
        lines.push_back(fmt::format(
            "::error title={}::{}",
            util::workflow_command_escape(fmt::format("greenlight {}: suite {} {}", summary.value("tier", ""),
                                          suite.value("name", ""), suite.value("verdict", "")),
                              true),
            util::workflow_command_escape(suite.value("reason", ""), false)));
    }
    if (summary.contains("smoke") && summary["smoke"].is_object() && !summary["smoke"].value("green", false)) {
        lines.push_back(fmt::format("::error title={}::{}", util::workflow_command_escape("greenlight smoke guard failed", true),
                                    util::workflow_command_escape(summary["smoke"].value("reason", ""), false)));
    }
    if (!summary.value("green", false) && summary.value("status", "") != "complete") {
        lines.push_back("::error title=greenlight run incomplete::the run was interrupted before it finished");
    }
    return lines;
}

}  // namespace greenlight::runner
