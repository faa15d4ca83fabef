// go test's output in both forms: the text `go test` and `go test -v` print, and the test2json events of
// `go test -json`. One output may hold both: go before 1.24 prints a package that fails to build as the text
// line `FAIL <package> [build failed]` even with -json. A line that is a JSON object with an "Action" is read
// as an event, any other line as text, and the counts of both are added.
//
// Counting is the same in both forms, as `go test -v` prints it and gotestsum reports it: every test and
// subtest that ended counts once, a parent of subtests included (a parent fails when a subtest fails, so one
// failing subtest makes two failed tests). A package that failed without a failing test (it did not build,
// panicked outside a test, exited from TestMain, timed out) counts as errored: each of its tests that never
// ended counts as one errored test, or the package as one when none was left running. So does the last
// package when the output ends before its result (greenlight stopped it, or the output was cut). Text output
// gives counts only; events also give a case for each failing, errored or unfinished test, its message taken
// from what the test printed.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "greenlight/results/line_parsers.hpp"
#include "greenlight/results/source_location.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::results::runner_output {

namespace {

// Cases beyond these many are counted but not listed: a report needs the first failures, not a million.
constexpr size_t k_max_cases = 1000;
// Running tests whose output is kept at once (each up to about support::k_details_limit); more still count.
constexpr size_t k_max_tracked_tests = 1000;
// Objects nested deeper than this are no test2json event.
constexpr int k_max_event_depth = 16;
constexpr std::string_view k_package_case_name = "(package)";

// ---- text: `--- PASS:` / `--- FAIL:` / `--- SKIP:` per test (with -v), and one `ok`, `FAIL` or `?` line per
// package. Without -v, go prints no line for a passing test, so a passing package with no test lines counts
// as one passed test.

struct GoPackageTally {
    std::int64_t passed = 0;
    std::int64_t failed = 0;
    std::int64_t skipped = 0;

    bool empty() const { return passed == 0 && failed == 0 && skipped == 0; }
};

// What follows the package on a package line: `0.003s`, `(cached)`, `[no test files]`, `[build failed]`.
// Requiring it keeps a test's own `ok ...` output from passing for a package line.
bool is_go_package_line_end(std::string_view word) {
    if (word == "(cached)" || word.starts_with('[')) return true;
    if (word.size() < 2 || !word.ends_with('s')) return false;
    const std::string_view number = word.substr(0, word.size() - 1);
    return std::all_of(number.begin(), number.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

// ---- events: {"Action":"run|pause|cont|pass|fail|skip|output|bench|start","Package":..,"Test":..,
// "Elapsed":..,"Output":..}, one per line.

struct GoEvent {
    std::string action;
    std::string package;
    std::string test;
    std::string output;
    double elapsed = 0;
};

bool is_known_action(std::string_view action) {
    for (std::string_view known : {"run", "pause", "cont", "pass", "fail", "skip", "output", "bench", "start"}) {
        if (action == known) return true;
    }
    return false;
}

// Picks the fields of an event out of one JSON line without building a document of it.
class EventFields final : public nlohmann::json_sax<nlohmann::json> {
public:
    GoEvent event;
    bool has_action = false;

    bool null() override { return scalar(); }
    bool boolean(bool) override { return scalar(); }
    bool number_integer(number_integer_t value) override { return number(static_cast<double>(value)); }
    bool number_unsigned(number_unsigned_t value) override { return number(static_cast<double>(value)); }
    bool number_float(number_float_t value, const string_t&) override { return number(value); }
    bool binary(binary_t&) override { return scalar(); }

    bool string(string_t& value) override {
        if (m_depth == 1) {
            switch (m_field) {
                case Field::action:
                    event.action = std::move(value);
                    has_action = true;
                    break;
                case Field::package:
                    event.package = std::move(value);
                    break;
                case Field::test:
                    event.test = std::move(value);
                    break;
                case Field::output:
                    event.output = std::move(value);
                    break;
                default:
                    break;
            }
        }
        return scalar();
    }

    bool key(string_t& name) override {
        if (m_depth != 1) return true;
        m_field = name == "Action"    ? Field::action
                  : name == "Package" ? Field::package
                  : name == "Test"    ? Field::test
                  : name == "Output"  ? Field::output
                  : name == "Elapsed" ? Field::elapsed
                                      : Field::other;
        return true;
    }

    bool start_object(std::size_t) override { return enter(); }
    bool end_object() override { return leave(); }
    // An event is an object: an array at the top is not one.
    bool start_array(std::size_t) override { return m_depth > 0 && enter(); }
    bool end_array() override { return leave(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    enum class Field { other, action, package, test, output, elapsed };

    bool scalar() {
        m_field = Field::other;
        return m_depth > 0;  // a bare value is not an event
    }
    bool number(double value) {
        if (m_depth == 1 && m_field == Field::elapsed && value >= 0) event.elapsed = value;
        return scalar();
    }
    bool enter() {
        m_field = Field::other;
        return ++m_depth <= k_max_event_depth;
    }
    bool leave() {
        --m_depth;
        m_field = Field::other;
        return true;
    }

    int m_depth = 0;
    Field m_field = Field::other;
};

std::optional<GoEvent> read_event(std::string_view text) {
    if (!text.starts_with('{') || !text.ends_with('}')) return std::nullopt;
    EventFields fields;
    if (!nlohmann::json::sax_parse(text, &fields) || !fields.has_action) return std::nullopt;
    return std::move(fields.event);
}

// go's own lines around a test's output, which say nothing the event does not.
bool is_framing_line(std::string_view output) {
    const std::string_view text = util::trim(output);
    for (std::string_view prefix :
         {"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS:", "--- FAIL:", "--- SKIP:"}) {
        if (text.starts_with(prefix)) return true;
    }
    return false;
}

// `calc_test.go:17: message`, as t.Error and t.Fatal print it.
bool is_test_log_line(std::string_view text) {
    const size_t go = text.find(".go:");
    if (go == std::string_view::npos) return false;
    size_t end = go + 4;
    const size_t digits_start = end;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    return end > digits_start && end < text.size() && text[end] == ':';
}

// The line of a test's output that says why it failed: a panic, else the last line t.Error, t.Fatal or t.Log
// printed (t.Fatal ends the test, and t.Log lines usually come before the failure), else the first line.
std::string failure_message(std::string_view output) {
    std::string_view last_log;
    std::string_view first;
    for (std::string_view line : util::split_lines(output)) {
        const std::string_view text = util::trim(line);
        if (text.empty()) continue;
        if (text.starts_with("panic: ")) return std::string(text);
        if (is_test_log_line(text)) last_log = text;
        if (first.empty()) first = text;
    }
    return std::string(last_log.empty() ? first : last_log);
}

struct RunningTest {
    support::HeadAndTail output{support::k_details_limit};
    std::string failed_subtest;  // the first subtest that failed, which explains a parent's failure
};

// The package whose events are being read: go prints each package's events together.
struct PackageRun {
    std::string name;
    std::map<std::string, RunningTest, std::less<>> running;  // started, not yet ended
    support::HeadAndTail output{support::k_details_limit};    // what it printed outside any test
    std::int64_t failed_tests = 0;
};

enum class PackageEnd { failed, never_finished };

class GoReader final : public OutputReader {
public:
    void read_line(std::string_view line) override {
        if (std::optional<GoEvent> event = read_event(util::trim(line))) {
            handle_event(*event);
            return;
        }
        read_text(line);
    }

    ParseOutcome finish(std::string_view source) override {
        if (m_package) end_package(*m_package, PackageEnd::never_finished);
        m_package.reset();
        if (!m_tally.empty()) {
            // Test lines after the last package line: the package never finished (killed, or output cut).
            m_text_found = true;
            add_tally();
            ++m_counts.errored;
        }
        if (!m_text_found && !m_saw_events) {
            return no_summary(source,
                              "no go test result lines found (expected `ok  <package>` / `FAIL <package>` "
                              "lines, `--- PASS:` / `--- FAIL:` lines, or `go test -json` events)");
        }
        ParsedResults results = counts_only(ResultsFormat::go, m_counts);
        // Text output names no failing test but the package, so it keeps to counts; with events, the text
        // line of a package that did not build joins the failing tests.
        if (m_saw_events) results.cases = std::move(m_cases);
        return results;
    }

private:
    void read_text(std::string_view line) {
        const std::string_view text = util::trim(line);
        if (text.starts_with("--- PASS: ")) {
            ++m_tally.passed;
        } else if (text.starts_with("--- FAIL: ")) {
            ++m_tally.failed;
        } else if (text.starts_with("--- SKIP: ")) {
            ++m_tally.skipped;
        } else if (read_package_line(line)) {
            m_text_output.clear();
            return;
        }
        m_text_output.append(line);
        m_text_output.append("\n");
    }

    bool read_package_line(std::string_view line) {
        if (!line.starts_with("ok") && !line.starts_with("FAIL") && !line.starts_with("?")) return false;
        const std::vector<std::string_view> words = split_words(line);
        if (words.size() < 3 || !is_go_package_line_end(words[2])) return false;
        if (words[0] == "ok") {
            if (m_tally.empty() && line.find("[no tests to run]") == std::string::npos) ++m_counts.passed;
        } else if (words[0] == "FAIL") {
            if (m_tally.failed == 0) {
                ++m_counts.errored;
                std::string details = m_text_output.text();
                details += line;
                add_case(std::string(words[1]), std::string(k_package_case_name), TestOutcome::errored,
                         fmt::format("the package failed, but none of its tests did: {}", util::trim(line)),
                         std::move(details), 0);
            }
        } else if (words[0] != "?" || line.find("[no test files]") == std::string::npos) {
            return false;
        }
        m_text_found = true;
        add_tally();
        m_tally = {};
        return true;
    }

    void add_tally() {
        m_counts.passed += m_tally.passed;
        m_counts.failed += m_tally.failed;
        m_counts.skipped += m_tally.skipped;
    }

    void handle_event(const GoEvent& event) {
        if (!is_known_action(event.action)) return;  // e.g. go 1.24's build-output: the package's fail follows
        m_saw_events = true;
        if (m_package && m_package->name != event.package) {
            // Another package's events while this one has not ended: its end was cut out of the output.
            // Its tests that ended are counted; whether it passed is for the exit code to say.
            m_package.reset();
        }
        if (!m_package) m_package.emplace().name = event.package;
        PackageRun& package = *m_package;

        if (event.test.empty()) {
            if (event.action == "output") {
                package.output.append(event.output);
            } else if (event.action == "fail") {
                end_package(package, PackageEnd::failed);
                m_package.reset();
            } else if (event.action == "pass" || event.action == "skip") {
                // A passing package's tests all passed; any still open had their end cut out of the output.
                m_package.reset();
            }
            return;
        }
        if (event.action == "run") {
            if (package.running.size() < k_max_tracked_tests) package.running.try_emplace(event.test);
        } else if (event.action == "output") {
            auto running = package.running.find(event.test);
            if (running != package.running.end() && !is_framing_line(event.output)) {
                running->second.output.append(event.output);
            }
        } else if (event.action == "pass") {
            ++m_counts.passed;
            package.running.erase(event.test);
        } else if (event.action == "skip") {
            ++m_counts.skipped;
            package.running.erase(event.test);
        } else if (event.action == "fail") {
            ++m_counts.failed;
            ++package.failed_tests;
            end_failed_test(package, event);
        }
        // pause, cont and bench say nothing about an outcome.
    }

    void end_failed_test(PackageRun& package, const GoEvent& event) {
        std::string details;
        std::string failed_subtest;
        if (auto running = package.running.find(event.test); running != package.running.end()) {
            details = running->second.output.text();
            failed_subtest = std::move(running->second.failed_subtest);
            package.running.erase(running);
        }
        std::string message = failure_message(details);
        if (message.empty()) {
            message = failed_subtest.empty() ? std::string("failed (the test printed no message)")
                                             : fmt::format("subtest {} failed", failed_subtest);
        }
        add_case(package.name, event.test, TestOutcome::failed, std::move(message), std::move(details), event.elapsed);
        // Parents are still running: tell them which subtest failed, for their own message.
        std::string_view parent = event.test;
        for (size_t slash = parent.rfind('/'); slash != std::string_view::npos; slash = parent.rfind('/')) {
            parent = parent.substr(0, slash);
            auto running = package.running.find(parent);
            if (running != package.running.end() && running->second.failed_subtest.empty()) {
                running->second.failed_subtest = event.test;
            }
        }
    }

    void end_package(PackageRun& package, PackageEnd end) {
        const std::string_view why = end == PackageEnd::failed
                                         ? "its package failed before it ended"
                                         : "the output ends before its package's result (the run was stopped or "
                                           "the output cut)";
        for (auto& [name, test] : package.running) {
            ++m_counts.errored;
            std::string details = test.output.text();
            const std::string last_words = failure_message(details);
            add_case(package.name, name, TestOutcome::errored,
                     last_words.empty() ? fmt::format("did not finish: {}", why)
                                        : fmt::format("did not finish: {}: {}", why, last_words),
                     std::move(details), 0);
        }
        if (package.failed_tests > 0 || !package.running.empty()) return;
        ++m_counts.errored;
        add_case(package.name, std::string(k_package_case_name), TestOutcome::errored,
                 end == PackageEnd::failed
                     ? std::string("the package failed, but none of its tests did (a build failure, a panic "
                                   "outside a test, an exit from TestMain)")
                     : fmt::format("the package did not finish: {}", why),
                 package.output.text(), 0);
    }

    void add_case(std::string package, std::string name, TestOutcome outcome, std::string message, std::string details,
                  double seconds) {
        if (m_cases.size() >= k_max_cases) return;
        TestCase test_case;
        test_case.suite = package;
        test_case.classname = std::move(package);
        test_case.name = std::move(name);
        test_case.outcome = outcome;
        test_case.seconds = seconds;
        // `calc_test.go:10:` as go prints it: relative to the package's folder, as gotestsum's JUnit has it.
        if (std::optional<SourceLocation> location = first_source_location(message)) {
            test_case.file = std::move(location->file);
            test_case.line = location->line;
        }
        test_case.message = support::cap_text(message, support::k_message_limit);
        test_case.details = support::cap_text(details, support::k_details_limit);
        m_cases.push_back(std::move(test_case));
    }

    TestCounts m_counts;  // text and events together
    std::vector<TestCase> m_cases;

    // text
    GoPackageTally m_tally;  // test lines since the last package line
    bool m_text_found = false;
    support::HeadAndTail m_text_output{support::k_details_limit};  // text since the last package line

    // events
    bool m_saw_events = false;
    std::optional<PackageRun> m_package;
};

}  // namespace

std::unique_ptr<OutputReader> make_go_reader() {
    return std::make_unique<GoReader>();
}

}  // namespace greenlight::results::runner_output
