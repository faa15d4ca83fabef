// JUnit XML as real tools write it. The format has no single specification, so this reader takes the common
// ground (testsuites > testsuite > testcase with failure/error/skipped children) and the known dialects:
// ctest's status attribute, Surefire's flaky and rerun elements, suites nested inside suites.
#include <fmt/format.h>
#include <charconv>
#include <cmath>
#include <pugixml.hpp>

#include <algorithm>
#include <fstream>

#include "greenlight/results/line_parsers.hpp"
#include "greenlight/results/parse_support.hpp"
#include "greenlight/results/parsers.hpp"
#include "greenlight/results/source_location.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::results {

namespace {

// Deeper nesting than this is no tool's output; refusing it keeps the recursion bounded on hostile input.
constexpr int k_max_suite_depth = 128;

// Surefire writes thousands separators in some locales ("1,234.5"); anything unreadable is taken as unknown.
double parse_seconds(std::string_view text) {
    std::string digits;
    for (char c : util::trim(text)) {
        if (c != ',') digits += c;
    }
    double value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value) || value < 0) return 0;
    return value;
}

// The text of an element: its own text and CDATA pieces, or Surefire's <stackTrace> child when it has none.
std::string element_text(pugi::xml_node element) {
    std::string text;
    for (pugi::xml_node child : element.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) text += child.value();
    }
    if (util::trim(text).empty()) {
        if (pugi::xml_node stack_trace = element.child("stackTrace")) return element_text(stack_trace);
    }
    return text;
}

void describe_problem(TestCase& test_case, pugi::xml_node element) {
    const std::string body = element_text(element);
    std::string_view message = util::trim(element.attribute("message").as_string());
    if (message.empty()) message = support::first_line(body);
    test_case.message = support::cap_text(message, support::k_message_limit);
    test_case.details = support::cap_text(body, support::k_details_limit);
}

bool is_flaky_record(std::string_view element_name) {
    return element_name == "flakyFailure" || element_name == "flakyError";
}

// One path names the other: pytest's `file="tests/test_x.py"` and its traceback's `tests/test_x.py:7:`,
// or a traceback that prints the path absolute.
bool same_file(std::string_view a, std::string_view b) {
    auto ends_with_path = [](std::string_view longer, std::string_view shorter) {
        return longer.ends_with(shorter) &&
               (longer.size() == shorter.size() || longer[longer.size() - shorter.size() - 1] == '/');
    };
    return ends_with_path(a, b) || ends_with_path(b, a);
}

// Where the test is: the `file`/`line` attributes (pytest's xunit1 family, jest-junit, PHPUnit) and, for a
// failing test, the first `path:line:` its failure prints (pytest's xunit2 family, go-junit-report,
// gotestsum), which is the line that failed. A failure in another file than the `file` attribute names
// leaves the attributes as they are: the test's own file is what the reader looks for.
void locate(TestCase& test_case, pugi::xml_node element) {
    test_case.file = util::trim(element.attribute("file").as_string());
    const int line = element.attribute("line").as_int(0);
    test_case.line = test_case.file.empty() || line < 1 ? 0 : line;
    if (test_case.outcome != TestOutcome::failed && test_case.outcome != TestOutcome::errored) return;
    std::optional<SourceLocation> printed = first_source_location(test_case.message);
    if (!printed) printed = first_source_location(test_case.details);
    if (printed && (test_case.file.empty() || same_file(printed->file, test_case.file))) {
        test_case.file = std::move(printed->file);
        test_case.line = printed->line;
    }
}

TestCase read_test_case(pugi::xml_node element, const std::string& suite) {
    TestCase test_case;
    test_case.suite = suite;
    test_case.classname = util::trim(element.attribute("classname").as_string());
    if (test_case.classname.empty()) test_case.classname = util::trim(element.attribute("class").as_string());
    test_case.name = util::trim(element.attribute("name").as_string());
    test_case.seconds = parse_seconds(element.attribute("time").as_string());

    // What the test printed, which is often the clue to a failure (its end most of all); pytest and Surefire
    // put it per test case.
    std::string printed;
    for (const char* stream : {"system-out", "system-err"}) {
        for (pugi::xml_node block : element.children(stream)) {
            const std::string text = element_text(block);
            if (util::trim(text).empty()) continue;
            if (!printed.empty()) printed += '\n';
            printed += text;
        }
    }
    test_case.output = util::cap_head_and_tail(printed, support::k_details_limit);

    const std::string_view ctest_status = element.attribute("status").as_string();
    pugi::xml_node failure = element.child("failure");
    pugi::xml_node error = element.child("error");
    pugi::xml_node skipped = element.child("skipped");

    if (failure) {
        test_case.outcome = TestOutcome::failed;
        describe_problem(test_case, failure);
    } else if (error) {
        test_case.outcome = TestOutcome::errored;
        describe_problem(test_case, error);
    } else if (ctest_status == "fail") {
        test_case.outcome = TestOutcome::failed;
        test_case.message = "ctest reported status \"fail\"";
    } else if (ctest_status == "notrun") {
        // ctest says "notrun" both for a test that asked to be skipped (SKIP_RETURN_CODE, SKIP_REGULAR_EXPRESSION)
        // and for one it could not start (missing executable, failed fixture). Only the first is a skip;
        // ctest itself counts the second as failed.
        if (skipped) describe_problem(test_case, skipped);
        const bool asked_to_skip = test_case.message.starts_with("SKIP_");
        test_case.outcome = asked_to_skip ? TestOutcome::skipped : TestOutcome::errored;
        if (test_case.message.empty()) test_case.message = "ctest did not run the test";
    } else if (skipped || ctest_status == "disabled") {
        test_case.outcome = TestOutcome::skipped;
        if (skipped) describe_problem(test_case, skipped);
        if (test_case.message.empty() && ctest_status == "disabled") test_case.message = "disabled";
    } else {
        test_case.outcome = TestOutcome::passed;
        // Surefire keeps the failed attempts of a test that passed on a rerun; the test passed, but say so.
        for (pugi::xml_node child : element.children()) {
            if (is_flaky_record(child.name())) {
                std::string_view first_failure = util::trim(child.attribute("message").as_string());
                test_case.message =
                    support::cap_text(fmt::format("passed on a rerun; an earlier attempt failed: {}", first_failure),
                                      support::k_message_limit);
                break;
            }
        }
    }
    locate(test_case, element);
    return test_case;
}

struct Collector {
    std::vector<TestCase> cases;
    bool too_deep = false;
};

void collect_suite(pugi::xml_node suite, const std::string& suite_name, int depth, Collector& collector) {
    if (depth > k_max_suite_depth) {
        collector.too_deep = true;
        return;
    }
    for (pugi::xml_node child : suite.children()) {
        const std::string_view name = child.name();
        if (name == "testcase") {
            collector.cases.push_back(read_test_case(child, suite_name));
        } else if (name == "testsuite") {
            collect_suite(child, std::string(util::trim(child.attribute("name").as_string())), depth + 1, collector);
        }
        if (collector.too_deep) return;
    }
}

// Where a parse went wrong, as a message needs it: the line and column, and whether the document ends there.
struct ErrorSpot {
    util::TextPosition position;
    bool at_end = false;
    bool blank = false;  // the document holds nothing but blanks
};

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

ErrorSpot spot_in_text(std::string_view xml, std::ptrdiff_t offset) {
    ErrorSpot spot;
    spot.position = util::text_position(xml, offset);
    const size_t content_end = xml.find_last_not_of(" \t\r\n") + 1;
    spot.blank = content_end == 0;
    spot.at_end = offset + 1 >= static_cast<std::ptrdiff_t>(content_end);
    return spot;
}

// The same for a file, read in chunks: a parse error must not cost a second copy of a large document.
ErrorSpot spot_in_file(const std::filesystem::path& path, std::ptrdiff_t offset) {
    ErrorSpot spot;
    std::ifstream in(path, std::ios::binary);
    const size_t end = offset < 0 ? 0 : static_cast<size_t>(offset);
    size_t position = 0;
    size_t line_start = 0;
    size_t content_end = 0;
    char buffer[64 * 1024];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        const auto got = static_cast<size_t>(in.gcount());
        for (size_t i = 0; i < got; ++i, ++position) {
            if (position < end && buffer[i] == '\n') {
                ++spot.position.line;
                line_start = position + 1;
            }
            if (!is_blank(buffer[i])) content_end = position + 1;
        }
    }
    spot.position.column = static_cast<int>(std::min(end, position) - line_start) + 1;
    spot.blank = content_end == 0;
    spot.at_end = offset + 1 >= static_cast<std::ptrdiff_t>(content_end);
    return spot;
}

ParseFailure empty_document(const std::string& source) {
    return ParseFailure{source, 0, 0, "empty file: expected JUnit XML with a <testsuites> or <testsuite> root"};
}

// The results in a parsed document; `locate` finds an offset in its text for messages.
template <typename Locate>
ParseOutcome read_document(const pugi::xml_document& document, const pugi::xml_parse_result& parsed,
                           const std::string& source, Locate locate) {
    if (!parsed) {
        const ErrorSpot spot = locate(parsed.offset);
        if (spot.blank) return empty_document(source);
        std::string message = fmt::format("malformed XML: {}", parsed.description());
        if (spot.at_end)
            message += " (the file ends early: did the test command crash or get killed while writing it?)";
        return ParseFailure{source, spot.position.line, spot.position.column, std::move(message)};
    }

    const pugi::xml_node root = document.document_element();
    const std::string_view root_name = root.name();
    if (root_name != "testsuites" && root_name != "testsuite") {
        const ErrorSpot spot = locate(root.offset_debug());
        return ParseFailure{source, spot.position.line, spot.position.column,
                            fmt::format("expected a <testsuites> or <testsuite> root element, found <{}>; is this "
                                        "file JUnit XML?",
                                        root_name)};
    }

    Collector collector;
    const std::string root_suite =
        root_name == "testsuite" ? std::string(util::trim(root.attribute("name").as_string())) : std::string();
    collect_suite(root, root_suite, 0, collector);
    if (collector.too_deep) {
        return ParseFailure{source, 0, 0,
                            fmt::format("<testsuite> elements nested more than {} deep", k_max_suite_depth)};
    }

    ParsedResults results;
    results.format = ResultsFormat::junit;
    results.counts = support::count_outcomes(collector.cases);
    results.cases = std::move(collector.cases);
    return results;
}

}  // namespace

ParseOutcome parse_junit(std::string_view xml, std::string_view source_name) {
    const std::string source(source_name);
    if (util::trim(xml).empty()) return empty_document(source);
    pugi::xml_document document;
    const pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
    return read_document(document, parsed, source, [&](std::ptrdiff_t offset) { return spot_in_text(xml, offset); });
}

ParseOutcome parse_junit_file(const std::filesystem::path& path, std::string_view source_name) {
    const std::string source(source_name);
    // pugixml reads the file into one buffer and parses it in place: one copy of the document, not three.
    pugi::xml_document document;
    const pugi::xml_parse_result parsed = document.load_file(path.c_str());
    if (parsed.status == pugi::status_file_not_found || parsed.status == pugi::status_io_error ||
        parsed.status == pugi::status_out_of_memory) {
        return ParseFailure{
            source, 0, 0,
            fmt::format("results file unreadable: cannot read {}: {}", path.string(), parsed.description())};
    }
    return read_document(document, parsed, source, [&](std::ptrdiff_t offset) { return spot_in_file(path, offset); });
}

}  // namespace greenlight::results
