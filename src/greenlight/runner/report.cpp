#include "greenlight/runner/report.hpp"

#include <fmt/format.h>

#include <pugixml.hpp>
#include <sstream>

#include "greenlight/util/duration.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/version.hpp"

namespace greenlight::runner {

using nlohmann::json;

namespace {

json counts_json(const results::TestCounts& counts) {
    return {{"total", counts.total},
            {"passed", counts.passed},
            {"failed", counts.failed},
            {"errored", counts.errored},
            {"skipped", counts.skipped}};
}

json leaked_json(const std::vector<LeakedProcess>& leaked) {
    json list = json::array();
    for (const auto& process : leaked) list.push_back({{"pid", process.pid}, {"command", process.command}});
    return list;
}

json resources_json(const process::Resources& resources) {
    auto or_null = [](const auto& value) { return value ? json(*value) : json(); };
    return {{"peak_memory_bytes", or_null(resources.peak_memory_bytes)},
            {"cpu_ms", resources.cpu_time ? json(resources.cpu_time->count() / 1000) : json()},
            {"peak_tasks", or_null(resources.peak_tasks)}};
}

std::string_view termination_name(Termination termination) {
    switch (termination) {
        case Termination::exited:
            return "exited";
        case Termination::signaled:
            return "signaled";
        case Termination::timed_out:
            return "timed-out";
        case Termination::interrupted:
            return "interrupted";
        case Termination::failed_to_start:
            return "failed-to-start";
    }
    return "unknown";
}

const char* verdict_icon(std::string_view verdict, bool green) {
    if (verdict == "pass") return "✅";
    if (green) return "🟡";
    return "❌";
}

bool is_failing(results::TestOutcome outcome) {
    return outcome == results::TestOutcome::failed || outcome == results::TestOutcome::errored;
}

// Cuts `text` to `limit` bytes without splitting a UTF-8 sequence, marking the cut.
std::string cut_utf8(std::string_view text, size_t limit) {
    if (text.size() <= limit) return std::string(text);
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "…";
}

// A line as a reader should see it: runners that believe they print to a terminal colour their messages,
// and an annotation or a Markdown list shows those codes as garbage.
std::string without_terminal_codes(std::string_view line) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c == 0x1b && i + 1 < line.size() && line[i + 1] == '[') {
            i += 2;  // CSI: parameters and intermediates up to one final byte in 0x40..0x7e
            while (i < line.size() && static_cast<unsigned char>(line[i]) >= 0x20 &&
                   static_cast<unsigned char>(line[i]) < 0x40) {
                ++i;
            }
            continue;
        }
        if (c < 0x20 || c == 0x7f) continue;
        out.push_back(static_cast<char>(c));
    }
    return out;
}

// What a reader needs of a failure in one line: the first line of its message (or of its details).
std::string first_message_line(const results::TestCase& test) {
    constexpr size_t k_line_limit = 300;
    for (std::string_view text : {std::string_view(test.message), std::string_view(test.details)}) {
        for (std::string_view line : util::split_lines(text)) {
            const std::string readable = without_terminal_codes(line);
            if (!util::trim(readable).empty()) return cut_utf8(util::trim(readable), k_line_limit);
        }
    }
    return {};
}

// `classname.name` as JUnit tools show a test, `subtest > name` for TAP.
std::string test_display_name(const results::TestCase& test) {
    if (!test.classname.empty() && test.classname != test.name) return test.classname + "." + test.name;
    if (test.classname.empty() && !test.suite.empty()) return test.suite + " > " + test.name;
    return test.name;
}

// The failing tests of a suite's last attempt, the first few named, as summary.json carries them.
void add_failing_tests(json& entry, const SuiteOutcome& suite) {
    json listed = json::array();
    std::int64_t omitted = 0;
    if (!suite.attempts.empty()) {
        for (const auto& test : suite.attempts.back().cases) {
            if (!is_failing(test.outcome)) continue;
            if (listed.size() >= k_failing_tests_listed) {
                ++omitted;
                continue;
            }
            listed.push_back({{"name", test_display_name(test)},
                              {"outcome", results::to_string(test.outcome)},
                              {"file", test.file.empty() ? json() : json(test.file)},
                              {"line", test.file.empty() || test.line < 1 ? json() : json(test.line)},
                              {"message", first_message_line(test)}});
        }
    }
    entry["failing_tests"] = listed;
    entry["failing_tests_omitted"] = omitted;
}

// Text as XML 1.0 allows it: control characters other than tab and line ends, and bytes that are not
// UTF-8, cannot appear in a document even as references, so they are written as `\xNN`.
std::string xml_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const auto byte = static_cast<unsigned char>(text[i]);
        const size_t length = byte < 0x80             ? 1
                              : (byte & 0xE0) == 0xC0 ? 2
                              : (byte & 0xF0) == 0xE0 ? 3
                              : (byte & 0xF8) == 0xF0 ? 4
                                                      : 0;
        bool valid = length > 0 && i + length <= text.size() && !(length == 2 && byte < 0xC2);
        for (size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        if (valid && length == 1 && byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') valid = false;
        if (valid && length == 1 && byte == 0x7F) valid = false;
        if (!valid) {
            out += fmt::format("\\x{:02x}", byte);
            ++i;
            continue;
        }
        out.append(text.substr(i, length));
        i += length;
    }
    return out;
}

// Inline Markdown text, never at the start of a line: what would start emphasis, a link, a table cell, an
// entity or HTML is escaped.
std::string markdown_text(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n' || c == '\r') {
            out += ' ';
            continue;
        }
        if (std::string_view("\\`*_[]<>|~&").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// A code span that holds any text: fenced with more backticks than the text contains in a row.
std::string markdown_code(std::string_view text) {
    size_t longest = 0;
    size_t run = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    std::string fence(longest + 1, '`');
    std::string body;
    for (char c : text) body += c == '\n' || c == '\r' ? ' ' : c;
    const bool pad = longest > 0 || body.starts_with(' ') || body.ends_with(' ');
    return pad ? fmt::format("{} {} {}", fence, body, fence) : fmt::format("{}{}{}", fence, body, fence);
}

}  // namespace

json containment_json(const ContainmentRecord& containment) {
    json swept = json::array();
    for (const auto& session : containment.swept) {
        json processes = json::array();
        for (const auto& process : session.processes)
            processes.push_back({{"pid", process.pid}, {"command", process.command}});
        swept.push_back({{"greenlight_pid", session.owner_pid}, {"processes", processes}});
    }
    return {{"mode", containment.mode},
            {"fallback_reason", containment.fallback_reason.empty() ? json() : json(containment.fallback_reason)},
            {"swept_at_start", swept}};
}

ReportedTests reported_tests(const SuiteOutcome& suite) {
    ReportedTests reported;
    reported.counts = suite.counts;
    bool explained = false;
    switch (suite.verdict) {
        case Verdict::pass:
        case Verdict::flaky:
            explained = suite.green;
            break;
        case Verdict::fail:
            explained = suite.counts.not_passed() > 0;
            break;
        default:
            explained = false;
            break;
    }
    if (explained) return reported;
    results::TestCase verdict_case;
    verdict_case.suite = suite.name;
    verdict_case.classname = suite.name;
    verdict_case.name = fmt::format("[greenlight verdict: {}]", to_string(suite.verdict));
    verdict_case.message = suite.reason;
    // A suite skipped for a missing requirement that the tier's policy accepts is a skipped test, not an error.
    if (suite.verdict == Verdict::skipped && suite.green) {
        verdict_case.outcome = results::TestOutcome::skipped;
        ++reported.counts.skipped;
    } else {
        verdict_case.outcome = results::TestOutcome::errored;
        ++reported.counts.errored;
    }
    ++reported.counts.total;
    reported.verdict_case = std::move(verdict_case);
    return reported;
}

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
            {"containment", process::to_string(attempt.exit.containment)},
            {"resources", resources_json(attempt.exit.resources)},
        };
        json failing = json::array();
        for (const auto& test : attempt.cases) {
            if (!is_failing(test.outcome)) continue;
            if (failing.size() >= 100) break;
            failing.push_back({{"suite", test.suite},
                               {"classname", test.classname},
                               {"name", test.name},
                               {"outcome", results::to_string(test.outcome)},
                               {"message", test.message},
                               {"file", test.file.empty() ? json() : json(test.file)},
                               {"line", test.file.empty() || test.line < 1 ? json() : json(test.line)}});
        }
        entry["failing_tests"] = failing;
        attempts.push_back(entry);
    }
    const bool has_verdict = suite.complete || !suite.attempts.empty();
    return {
        {"schema", k_suite_result_schema},
        {"suite", suite.name},
        {"tier", tier},
        {"status", suite.complete ? "complete" : "incomplete"},
        {"verdict", has_verdict ? json(to_string(suite.verdict)) : json()},
        {"green", suite.green},
        {"reason", suite.reason},
        {"command", suite.command},
        {"labels", suite.labels},
        {"started_at", suite.started_at},
        {"finished_at", suite.finished_at.empty() ? json() : json(suite.finished_at)},
        {"duration_ms", suite.duration.count()},
        // Before the suite has a verdict there is nothing for the reports' rule to explain.
        {"counts", counts_json(has_verdict ? reported_tests(suite).counts : suite.counts)},
        {"attempts", attempts},
    };
}

json summary_json(const RunOutcome& run) {
    results::TestCounts totals;
    json suites = json::array();
    for (const auto& suite : run.suites) {
        const results::TestCounts counts = reported_tests(suite).counts;
        totals.total += counts.total;
        totals.passed += counts.passed;
        totals.failed += counts.failed;
        totals.errored += counts.errored;
        totals.skipped += counts.skipped;
        json entry = {
            {"name", suite.name},
            {"verdict", to_string(suite.verdict)},
            {"green", suite.green},
            {"status", suite.complete ? "complete" : "incomplete"},
            {"reason", suite.reason},
            {"duration_ms", suite.duration.count()},
            {"attempts", suite.attempts.size()},
            {"counts", counts_json(counts)},
            {"result", "suites/" + suite.name + "/result.json"},
        };
        add_failing_tests(entry, suite);
        suites.push_back(std::move(entry));
    }
    json smoke;
    if (run.smoke) {
        smoke = {{"verdict", run.smoke->verdict},
                 {"green", run.smoke->green},
                 {"reason", run.smoke->reason},
                 {"path", run.smoke->path},
                 {"duration_ms", run.smoke->duration.count()}};
    }
    json summary = {
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
        {"git",
         {{"sha", run.git_sha.empty() ? json() : json(run.git_sha)},
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
        {"greenlight_version", std::string(greenlight::version())},
    };
    // A run record made outside a run (a test's, a merge's) has no containment to tell of.
    if (!run.containment.mode.empty()) summary["containment"] = containment_json(run.containment);
    return summary;
}

namespace {

// The failing tests of each red suite, the first few with their first message line.
std::string failing_tests_markdown(const json& summary) {
    std::string out;
    for (const auto& suite : summary["suites"]) {
        const json listed = suite.value("failing_tests", json::array());
        if (suite.value("green", false) || !listed.is_array() || listed.empty()) continue;
        if (out.empty()) out += "### Failing tests\n\n";
        const std::int64_t omitted = suite.value("failing_tests_omitted", std::int64_t{0});
        out += fmt::format("{} — {} failing:\n\n", markdown_code(suite.value("name", "")),
                           static_cast<std::int64_t>(listed.size()) + omitted);
        for (const auto& test : listed) {
            std::string where;
            if (test.value("file", json()).is_string()) {
                where = test["file"].get<std::string>();
                if (test.value("line", json()).is_number_integer()) {
                    where += fmt::format(":{}", test["line"].get<int>());
                }
                where = " (" + markdown_code(where) + ")";
            }
            const std::string message = test.value("message", "");
            out += fmt::format("- {}{}{}\n", markdown_code(test.value("name", "")), where,
                               message.empty() ? "" : ": " + markdown_text(message));
        }
        if (omitted > 0) out += fmt::format("- and {} more\n", omitted);
        out += "\n";
    }
    return out;
}

}  // namespace

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
        out << fmt::format(
            "| {} | `{}` | {} | {}/{} | {} | {} | {} |\n", verdict_icon(suite_verdict, suite.value("green", false)),
            suite.value("name", ""), suite_verdict, suite_counts.value("passed", 0), suite_counts.value("total", 0),
            suite.value("attempts", 0), util::format_duration(std::chrono::milliseconds(suite.value("duration_ms", 0))),
            util::markdown_table_cell(suite.value("reason", "")));
    }
    // A blank line ends the table: a line right after it would be read as one more row.
    out << "\n";
    if (summary.contains("not_run") && !summary["not_run"].empty()) {
        out << "Not run: ";
        bool first = true;
        for (const auto& name : summary["not_run"]) {
            out << (first ? "" : ", ") << markdown_code(name.get<std::string>());
            first = false;
        }
        out << "\n\n";
    }
    out << failing_tests_markdown(summary);
    if (summary.contains("git") && summary["git"].value("sha", json()).is_string()) {
        out << fmt::format("Commit {} · ", markdown_code(summary["git"]["sha"].get<std::string>()));
    }
    out << fmt::format("greenlight {}\n", summary.value("greenlight_version", ""));
    return out.str();
}

namespace {

void append_test_case(pugi::xml_node suite_element, const results::TestCase& test, const std::string& classname) {
    auto element = suite_element.append_child("testcase");
    element.append_attribute("classname") = xml_text(classname).c_str();
    element.append_attribute("name") = xml_text(test.name).c_str();
    element.append_attribute("time") = fmt::format("{:.3f}", std::max(test.seconds, 0.0)).c_str();
    const char* problem = test.outcome == results::TestOutcome::failed    ? "failure"
                          : test.outcome == results::TestOutcome::errored ? "error"
                          : test.outcome == results::TestOutcome::skipped ? "skipped"
                                                                          : nullptr;
    if (problem) {
        auto child = element.append_child(problem);
        child.append_attribute("message") = xml_text(test.message).c_str();
        if (!test.details.empty() && test.outcome != results::TestOutcome::skipped) {
            child.text() = xml_text(test.details).c_str();
        }
    }
    // What a failing test printed is often the clue to its failure (the results reader kept it capped,
    // head and tail); a passing test's output stays in the suite's output.log.
    if (is_failing(test.outcome) && !util::trim(test.output).empty()) {
        element.append_child("system-out").text() = xml_text(test.output).c_str();
    }
}

// The one test that stands for a suite whose results give no test cases: the command itself when it
// declares no results (as a CTest test), or the counts a runner's summary line gave.
results::TestCase stand_in_case(const SuiteOutcome& suite) {
    results::TestCase test;
    test.name = suite.name;
    test.seconds = static_cast<double>(suite.duration.count()) / 1000.0;
    test.message = suite.reason;
    const results::TestCounts& counts = suite.counts;
    test.outcome = counts.failed > 0                ? results::TestOutcome::failed
                   : counts.errored > 0             ? results::TestOutcome::errored
                   : counts.skipped == counts.total ? results::TestOutcome::skipped
                                                    : results::TestOutcome::passed;
    return test;
}

}  // namespace

std::string merged_junit(const std::vector<SuiteOutcome>& suites, const std::string& run_name) {
    pugi::xml_document document;
    auto root = document.append_child("testsuites");
    root.append_attribute("name") = xml_text(run_name).c_str();
    results::TestCounts totals;
    double total_seconds = 0;
    for (const auto& suite : suites) {
        const ReportedTests reported = reported_tests(suite);
        auto element = root.append_child("testsuite");
        element.append_attribute("name") = xml_text(suite.name).c_str();
        element.append_attribute("tests") = reported.counts.total;
        element.append_attribute("failures") = reported.counts.failed;
        element.append_attribute("errors") = reported.counts.errored;
        element.append_attribute("skipped") = reported.counts.skipped;
        const double seconds = static_cast<double>(suite.duration.count()) / 1000.0;
        element.append_attribute("time") = fmt::format("{:.3f}", seconds).c_str();
        total_seconds += seconds;
        auto properties = element.append_child("properties");
        auto add_property = [&](const char* name, const std::string& value) {
            auto property = properties.append_child("property");
            property.append_attribute("name") = name;
            property.append_attribute("value") = xml_text(value).c_str();
        };
        add_property("greenlight.verdict", std::string(to_string(suite.verdict)));
        add_property("greenlight.attempts", std::to_string(suite.attempts.size()));

        const std::vector<results::TestCase>* cases = suite.attempts.empty() ? nullptr : &suite.attempts.back().cases;
        if (cases && !cases->empty()) {
            for (const auto& test : *cases) {
                append_test_case(element, test,
                                 test.classname.empty() ? suite.name + "." + test.suite : test.classname);
            }
        } else if (suite.counts.total > 0) {
            append_test_case(element, stand_in_case(suite), suite.name);
        }
        if (reported.verdict_case) append_test_case(element, *reported.verdict_case, suite.name);

        totals.total += reported.counts.total;
        totals.failed += reported.counts.failed;
        totals.errored += reported.counts.errored;
    }
    // The JUnit schema CI servers validate against (Jenkins' junit-10.xsd) has no `skipped` on <testsuites>.
    root.append_attribute("tests") = totals.total;
    root.append_attribute("failures") = totals.failed;
    root.append_attribute("errors") = totals.errored;
    root.append_attribute("time") = fmt::format("{:.3f}", total_seconds).c_str();
    std::ostringstream out;
    document.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

std::string join_junit(const std::vector<std::string>& documents, const std::string& run_name) {
    pugi::xml_document joined;
    auto root = joined.append_child("testsuites");
    root.append_attribute("name") = xml_text(run_name).c_str();
    long long tests = 0, failures = 0, errors = 0;
    double seconds = 0;
    for (const auto& text : documents) {
        pugi::xml_document document;
        if (!document.load_buffer(text.data(), text.size())) continue;
        for (auto suite : document.child("testsuites").children("testsuite")) {
            tests += suite.attribute("tests").as_llong();
            failures += suite.attribute("failures").as_llong();
            errors += suite.attribute("errors").as_llong();
            seconds += suite.attribute("time").as_double();
            root.append_copy(suite);
        }
    }
    root.append_attribute("tests") = tests;
    root.append_attribute("failures") = failures;
    root.append_attribute("errors") = errors;
    root.append_attribute("time") = fmt::format("{:.3f}", seconds).c_str();
    std::ostringstream out;
    joined.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

std::vector<std::string> github_annotations(const json& summary) {
    std::vector<std::string> lines;
    auto escape_property = [](const std::string& text) { return util::workflow_command_escape(text, true); };
    auto escape_message = [](const std::string& text) { return util::workflow_command_escape(text, false); };
    for (const auto& suite : summary["suites"]) {
        if (suite.value("green", false)) continue;
        const std::string name = suite.value("name", "");
        lines.push_back(fmt::format("::error title={}::{}",
                                    escape_property(fmt::format("greenlight {}: suite {} {}", summary.value("tier", ""),
                                                                name, suite.value("verdict", ""))),
                                    escape_message(suite.value("reason", ""))));
        // One annotation per failing test, on its file and line when the report named them.
        const json listed = suite.value("failing_tests", json::array());
        for (const auto& test : listed) {
            std::string properties;
            if (test.value("file", json()).is_string()) {
                properties += "file=" + escape_property(test["file"].get<std::string>()) + ",";
                if (test.value("line", json()).is_number_integer()) {
                    properties += fmt::format("line={},", test["line"].get<int>());
                }
            }
            const std::string message = test.value("message", "");
            lines.push_back(fmt::format("::error {}title={}::{}", properties,
                                        escape_property(fmt::format("{} {} (suite {})", test.value("name", ""),
                                                                    test.value("outcome", "failed"), name)),
                                        escape_message(message.empty() ? "failed" : message)));
        }
        if (const auto omitted = suite.value("failing_tests_omitted", std::int64_t{0}); omitted > 0) {
            const std::string more = fmt::format("and {} more failing tests (see junit.xml)", omitted);
            lines.push_back(fmt::format("::error title={}::{}",
                                        escape_property(fmt::format("greenlight: suite {}", name)),
                                        escape_message(more)));
        }
    }
    if (summary.contains("smoke") && summary["smoke"].is_object() && !summary["smoke"].value("green", false)) {
        lines.push_back(fmt::format("::error title={}::{}", escape_property("greenlight smoke guard failed"),
                                    escape_message(summary["smoke"].value("reason", ""))));
    }
    if (!summary.value("green", false) && summary.value("status", "") != "complete") {
        lines.push_back("::error title=greenlight run incomplete::the run was interrupted before it finished");
    }
    return lines;
}

}  // namespace greenlight::runner
