// TAP 12/13/14 (https://testanything.org). Lines TAP does not define are ignored, as the specification says,
// but anything that could hide a test that did not run (a missing plan, fewer tests than planned, a subtest
// without its closing line, Bail out!) is counted as errored, so a cut-off stream can never read as green.
#include <fmt/format.h>

#include <cctype>
#include <limits>

#include "greenlight/results/line_parsers.hpp"
#include "greenlight/results/parse_support.hpp"
#include "greenlight/results/parsers.hpp"
#include "greenlight/results/source_location.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::results {

namespace {

// Deeper subtests than this are no harness's output; refusing them keeps the recursion bounded.
constexpr int k_max_subtest_depth = 64;
// No real stream plans a billion tests; a larger "plan" is garbage, and refusing it keeps counts far from overflow.
constexpr std::int64_t k_max_plan = 1'000'000'000;
// Missing tests are listed one case each (so a report shows each), up to this many; more become one case
// that stands for the whole range, while the counts still include every one of them.
constexpr std::int64_t k_max_listed_missing = 1000;
constexpr std::string_view k_path_separator = " > ";
constexpr std::string_view k_unnamed_subtest = "(unnamed subtest)";

struct TapLine {
    int indent = 0;
    std::string_view text;  // without indentation and trailing blanks
};

TapLine to_tap_line(std::string_view raw) {
    TapLine line;
    size_t start = 0;
    while (start < raw.size() && (raw[start] == ' ' || raw[start] == '\t')) {
        line.indent += raw[start] == '\t' ? 4 : 1;
        ++start;
    }
    size_t end = raw.size();
    while (end > start && (raw[end - 1] == ' ' || raw[end - 1] == '\t' || raw[end - 1] == '\r')) --end;
    line.text = raw.substr(start, end - start);
    return line;
}

enum class Directive { none, skip, todo };

struct TestPoint {
    bool ok = false;
    std::optional<std::int64_t> number;
    std::string description;
    Directive directive = Directive::none;
    std::string reason;
};

struct Plan {
    std::int64_t count = 0;
    bool skip_all = false;
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string_view trim_left(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    return text;
}

// `# SKIP reason`, `# skipped: reason`, `# TODO reason` (any case); anything else after `#` is a comment.
Directive read_directive(std::string_view comment, std::string& reason) {
    comment = util::trim(comment);
    size_t word_end = 0;
    while (word_end < comment.size() && std::isalpha(static_cast<unsigned char>(comment[word_end]))) ++word_end;
    const std::string_view word = comment.substr(0, word_end);
    Directive directive = Directive::none;
    if (support::starts_with_ignoring_case(word, "skip")) directive = Directive::skip;
    if (support::starts_with_ignoring_case(word, "todo")) directive = Directive::todo;
    if (directive != Directive::none) {
        std::string_view rest = util::trim(comment.substr(word_end));
        if (!rest.empty() && rest.front() == ':') rest = util::trim(rest.substr(1));
        reason = std::string(rest);
    }
    return directive;
}

std::optional<TestPoint> parse_test_point(std::string_view text) {
    TestPoint point;
    std::string_view rest;
    if (text.starts_with("ok")) {
        point.ok = true;
        rest = text.substr(2);
    } else if (text.starts_with("not ok")) {
        rest = text.substr(6);
    } else {
        return std::nullopt;
    }
    if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t' && rest.front() != '#') return std::nullopt;
    rest = trim_left(rest);

    size_t digits = 0;
    while (digits < rest.size() && is_digit(rest[digits])) ++digits;
    if (digits > 0 && (digits == rest.size() || rest[digits] == ' ' || rest[digits] == '\t' || rest[digits] == '#')) {
        // A number too large to hold is kept as "no number"; the count of test lines still holds.
        point.number = support::parse_count(rest.substr(0, digits));
        rest = trim_left(rest.substr(digits));
    }
    if (rest.starts_with("-")) rest = trim_left(rest.substr(1));

    // `\#` is a literal hash and `\\` a literal backslash; the first other `#` starts the directive.
    std::string description;
    size_t position = 0;
    std::optional<size_t> directive_start;
    while (position < rest.size()) {
        const char c = rest[position];
        if (c == '\\' && position + 1 < rest.size() && (rest[position + 1] == '#' || rest[position + 1] == '\\')) {
            description += rest[position + 1];
            position += 2;
            continue;
        }
        if (c == '#') {
            directive_start = position;
            break;
        }
        description += c;
        ++position;
    }
    if (directive_start) {
        point.directive = read_directive(rest.substr(*directive_start + 1), point.reason);
        // A comment that is not a directive stays part of the description.
        if (point.directive == Directive::none) description += rest.substr(*directive_start);
    }
    point.description = std::string(util::trim(description));
    return point;
}

std::optional<Plan> parse_plan(std::string_view text) {
    if (!text.starts_with("1..")) return std::nullopt;
    std::string_view rest = text.substr(3);
    size_t digits = 0;
    while (digits < rest.size() && is_digit(rest[digits])) ++digits;
    const std::optional<std::int64_t> count = support::parse_count(rest.substr(0, digits));
    if (!count || *count > k_max_plan) return std::nullopt;
    Plan plan;
    plan.count = *count;
    const std::string_view after = util::trim(rest.substr(digits));
    if (!after.empty()) {
        if (after.front() != '#') return std::nullopt;
        std::string reason;
        plan.skip_all = read_directive(after.substr(1), reason) == Directive::skip;
    }
    return plan;
}

bool is_subtest_comment(std::string_view text) {
    return text.starts_with("# Subtest");
}

std::string subtest_name(std::string_view text) {
    std::string_view rest = util::trim(text.substr(std::string_view("# Subtest").size()));
    if (!rest.empty() && rest.front() == ':') rest = util::trim(rest.substr(1));
    return std::string(rest);
}

bool is_bail_out(std::string_view text) {
    return text.starts_with("Bail out!");
}

bool starts_subtest(std::string_view text) {
    return is_subtest_comment(text) || is_bail_out(text) || parse_plan(text) || parse_test_point(text);
}

std::string join_path(std::string_view parent, std::string_view name) {
    if (parent.empty()) return std::string(name);
    return fmt::format("{}{}{}", parent, k_path_separator, name);
}

std::string unquote(std::string_view value) {
    value = util::trim(value);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
}

// The `message:` (TAP 13 convention) or `error:` (node) of a YAML diagnostic block, for a one-line summary.
std::string yaml_message(std::string_view yaml) {
    const std::vector<std::string_view> lines = util::split_lines(yaml);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        for (std::string_view key : {std::string_view("message:"), std::string_view("error:")}) {
            if (!line.starts_with(key)) continue;
            const std::string_view value = util::trim(line.substr(key.size()));
            const bool block_scalar = !value.empty() && (value.front() == '|' || value.front() == '>');
            if (block_scalar) return i + 1 < lines.size() ? std::string(util::trim(lines[i + 1])) : std::string();
            return unquote(value);
        }
    }
    return {};
}

// Where a failing test is, from its YAML block: node's `location: '/path/x.test.mjs:8:1'` or the
// `at: {file, line}` mapping node-tap writes.
std::optional<SourceLocation> yaml_location(std::string_view yaml) {
    const std::vector<std::string_view> lines = util::split_lines(yaml);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string_view line = lines[i];
        if (line.starts_with("location:")) return parse_source_location(unquote(line.substr(9)));
        if (util::trim(line) != "at:" || line.front() == ' ') continue;
        SourceLocation found;
        for (size_t j = i + 1; j < lines.size() && lines[j].starts_with(' '); ++j) {
            const std::string_view entry = util::trim(lines[j]);
            if (entry.starts_with("file:")) found.file = unquote(entry.substr(5));
            if (entry.starts_with("line:")) {
                const auto number = support::parse_count(util::trim(entry.substr(5)));
                found.line = number && *number <= std::numeric_limits<int>::max() ? static_cast<int>(*number) : 0;
            }
        }
        if (!found.file.empty()) return found;
    }
    return std::nullopt;
}

void locate(TestCase& test_case, std::string_view yaml) {
    if (auto location = yaml_location(yaml)) {
        test_case.file = std::move(location->file);
        test_case.line = location->line;
    }
}

// Reads the stream with one line of lookahead (the current line), so only that line is held in memory.
class TapReader {
public:
    TapReader(support::LineSource& lines, std::string_view source) : m_lines(lines), m_source(source) { advance(); }

    ParseOutcome read() {
        read_block(0, "", 0);
        if (m_too_deep) {
            return ParseFailure{m_source, m_lines.line_number(), 0,
                                fmt::format("subtests nested more than {} deep", k_max_subtest_depth)};
        }
        if (!m_saw_tap) return ParseFailure{m_source, 0, 0, "no TAP plan or test lines found"};
        if (m_bailed_out && !m_bail_reported) {
            add_problem("", "Bail out!", bail_message(), 1);
        }
        ParsedResults results;
        results.format = ResultsFormat::tap;
        results.counts = support::count_outcomes(m_cases);
        support::add_errored(results.counts, m_extra_errored);
        results.cases = std::move(m_cases);
        return results;
    }

private:
    struct Subtest {
        std::string name;
        std::string path;
        size_t first_case = 0;
        bool has_problem = false;
    };

    // Reads the lines at `indent` (and the subtests below them) until a line indented less, and returns
    // whether anything in the block failed or went missing.
    bool read_block(int indent, const std::string& path, int depth) {
        const size_t first_case = m_cases.size();
        bool has_problem = false;
        std::optional<Plan> plan;
        std::int64_t points = 0;
        std::string pending_name;
        std::optional<Subtest> subtest;

        while (m_current && !m_bailed_out && !m_too_deep) {
            // A copy: the view in it stays valid only until the next advance().
            const TapLine line = *m_current;
            if (line.text.empty()) {
                advance();
                continue;
            }
            if (line.indent < indent) break;
            if (line.indent > indent) {
                if (!starts_subtest(line.text)) {
                    advance();  // indented output TAP does not define
                    continue;
                }
                if (depth + 1 > k_max_subtest_depth) {
                    m_too_deep = true;
                    break;
                }
                if (subtest) has_problem |= report_unclosed(*subtest);
                std::string name = pending_name;
                // TAP 14 names a subtest inside it; node and Perl name it one level up, and then a comment
                // inside names the subtest's own first test instead.
                if (name.empty() && is_subtest_comment(line.text)) {
                    name = subtest_name(line.text);
                    advance();
                }
                Subtest opened;
                opened.name = name;
                opened.path = join_path(path, name.empty() ? k_unnamed_subtest : std::string_view(name));
                opened.first_case = m_cases.size();
                opened.has_problem = read_block(line.indent, opened.path, depth + 1);
                subtest = std::move(opened);
                pending_name.clear();
                continue;
            }

            const std::string_view text = line.text;
            if (is_bail_out(text)) {
                m_saw_tap = true;
                m_bailed_out = true;
                m_bail_reason = std::string(util::trim(text.substr(std::string_view("Bail out!").size())));
                advance();
                break;
            }
            if (is_subtest_comment(text)) {
                pending_name = subtest_name(text);
                advance();
                continue;
            }
            if (std::optional<Plan> parsed_plan = parse_plan(text)) {
                m_saw_tap = true;
                advance();
                if (plan) {
                    add_problem(
                        path, "plan",
                        fmt::format("a second plan 1..{} (the first was 1..{})", parsed_plan->count, plan->count), 1);
                    has_problem = true;
                } else {
                    plan = parsed_plan;
                }
                continue;
            }
            if (std::optional<TestPoint> point = parse_test_point(text)) {
                m_saw_tap = true;
                advance();
                ++points;
                const std::string yaml = read_yaml(indent);
                if (point->number && *point->number != points) {
                    add_problem(path, point->description,
                                fmt::format("test number {} out of sequence (expected {})", *point->number, points), 1);
                    has_problem = true;
                }
                if (subtest) {
                    has_problem |= close_subtest(*subtest, *point, yaml, path);
                    subtest.reset();
                } else {
                    add_test_point(path, *point, yaml, points);
                }
                pending_name.clear();
                continue;
            }
            advance();  // version line, pragma, comment, or anything else TAP says to ignore
        }

        if (subtest && !m_too_deep) has_problem |= report_unclosed(*subtest);
        if (!m_too_deep) has_problem |= check_plan(plan, points, path);
        for (size_t i = first_case; i < m_cases.size(); ++i) {
            const TestOutcome outcome = m_cases[i].outcome;
            if (outcome == TestOutcome::failed || outcome == TestOutcome::errored) has_problem = true;
        }
        return has_problem;
    }

    // A subtest whose closing test line never came: cut off, or a writer that lost track.
    bool report_unclosed(const Subtest& subtest) {
        if (m_bailed_out) return true;
        add_problem(subtest.path, subtest.name.empty() ? std::string(k_unnamed_subtest) : subtest.name,
                    "the subtest has no closing test line (ok/not ok); the TAP producer may have stopped early", 1);
        return true;
    }

    bool check_plan(const std::optional<Plan>& plan, std::int64_t points, const std::string& path) {
        if (!plan) {
            if (points == 0 || m_bailed_out) return false;
            add_problem(path, "plan",
                        fmt::format("no plan (1..N) after {} tests; the TAP producer may have stopped before "
                                    "writing it",
                                    points),
                        1);
            return true;
        }
        if ((plan->skip_all || plan->count == 0) && points > 0) {
            add_problem(path, "plan", fmt::format("the plan 1..0 says no tests, but {} ran", points), 1);
            return true;
        }
        if (points < plan->count) {
            const std::int64_t missing = plan->count - points;
            std::string message = m_bailed_out
                                      ? fmt::format("not run: {}", bail_message())
                                      : fmt::format(
                                            "planned 1..{} but only {} ran; the TAP producer may have crashed or "
                                            "stopped early",
                                            plan->count, points);
            if (m_bailed_out) m_bail_reported = true;
            if (missing <= k_max_listed_missing) {
                for (std::int64_t number = points + 1; number <= plan->count; ++number) {
                    add_problem(path, fmt::format("test {}", number), message, 1);
                }
            } else {
                add_problem(path, fmt::format("tests {}..{}", points + 1, plan->count), std::move(message), missing);
            }
            return true;
        }
        if (points > plan->count) {
            add_problem(path, "plan", fmt::format("{} tests ran but the plan was 1..{}", points, plan->count), 1);
            return true;
        }
        return false;
    }

    std::string bail_message() const {
        return m_bail_reason.empty() ? std::string("Bail out!") : fmt::format("Bail out! {}", m_bail_reason);
    }

    // The YAML diagnostic block that may follow a test line: `---` and `...`, indented deeper than the test.
    std::string read_yaml(int test_indent) {
        if (!m_current) return {};
        if (m_current->indent <= test_indent || m_current->text != "---") return {};
        const int yaml_indent = m_current->indent;
        advance();
        std::string body;
        while (m_current) {
            const TapLine line = *m_current;
            if (!line.text.empty() && line.indent <= test_indent) break;  // unterminated: the block is over anyway
            if (line.text == "..." && line.indent <= yaml_indent) {
                advance();
                break;
            }
            // Keep a little more than the cap, so the cut is marked, without holding a huge block.
            if (body.size() <= 2 * support::k_details_limit) {
                if (line.indent > yaml_indent) body.append(static_cast<size_t>(line.indent - yaml_indent), ' ');
                body += line.text;
                body += '\n';
            }
            advance();
        }
        return body;
    }

    // Moves to the next line of the stream; at the end there is no current line.
    void advance() {
        const std::optional<std::string_view> raw = m_lines.next();
        if (raw)
            m_current = to_tap_line(*raw);
        else
            m_current.reset();
    }

    void add_test_point(const std::string& path, const TestPoint& point, const std::string& yaml,
                        std::int64_t position) {
        TestCase test_case;
        test_case.suite = path;
        test_case.name = !point.description.empty() ? point.description
                                                    : fmt::format("test {}", point.number ? *point.number : position);
        // TODO marks a test expected to fail: a failing TODO is not a failure (it did not pass either, so it
        // counts as skipped) and a passing TODO counts as passed.
        if (point.directive == Directive::todo) {
            test_case.outcome = point.ok ? TestOutcome::passed : TestOutcome::skipped;
            test_case.message = fmt::format("TODO{}{}", point.reason.empty() ? "" : ": ", point.reason);
        } else if (!point.ok) {
            // A `not ok # SKIP` is still not ok, as prove counts it.
            test_case.outcome = TestOutcome::failed;
            test_case.message = yaml_message(yaml);
            locate(test_case, yaml);
        } else if (point.directive == Directive::skip) {
            test_case.outcome = TestOutcome::skipped;
            test_case.message = point.reason;
        }
        test_case.message = support::cap_text(test_case.message, support::k_message_limit);
        test_case.details = support::cap_text(yaml, support::k_details_limit);
        m_cases.push_back(std::move(test_case));
    }

    // The test line after a subtest stands for the whole subtest: its tests are already counted, so it adds
    // a case only when it says something they do not.
    bool close_subtest(const Subtest& subtest, const TestPoint& point, const std::string& yaml,
                       const std::string& path) {
        if (subtest.name.empty() && !point.description.empty()) {
            const std::string named_path = join_path(path, point.description);
            for (size_t i = subtest.first_case; i < m_cases.size(); ++i) {
                std::string& suite = m_cases[i].suite;
                if (suite.starts_with(subtest.path)) suite.replace(0, subtest.path.size(), named_path);
            }
        }
        const bool has_tests = m_cases.size() > subtest.first_case;
        if (!point.ok && point.directive != Directive::todo && !subtest.has_problem) {
            TestCase test_case;
            test_case.suite = path;
            test_case.name = point.description.empty() ? subtest.name : point.description;
            test_case.outcome = TestOutcome::failed;
            std::string message = yaml_message(yaml);
            if (message.empty()) message = "the subtest failed, though none of its tests did";
            test_case.message = support::cap_text(message, support::k_message_limit);
            test_case.details = support::cap_text(yaml, support::k_details_limit);
            locate(test_case, yaml);
            m_cases.push_back(std::move(test_case));
            return true;
        }
        if (!has_tests && point.ok && point.directive == Directive::skip) {
            add_test_point(path, point, yaml, 0);
        }
        return subtest.has_problem;
    }

    // One errored case standing for `count` tests (a missing range counts every test in it).
    void add_problem(const std::string& path, std::string name, std::string message, std::int64_t count) {
        TestCase test_case;
        test_case.suite = path;
        test_case.name = name.empty() ? std::string("(unnamed)") : std::move(name);
        test_case.outcome = TestOutcome::errored;
        test_case.message = support::cap_text(message, support::k_message_limit);
        m_cases.push_back(std::move(test_case));
        m_extra_errored += count - 1;
    }

    support::LineSource& m_lines;
    std::optional<TapLine> m_current;  // the line being looked at; a view into m_lines' buffer
    std::string m_source;
    std::vector<TestCase> m_cases;
    std::int64_t m_extra_errored = 0;  // tests beyond one per case, from missing ranges
    bool m_saw_tap = false;
    bool m_bailed_out = false;
    bool m_bail_reported = false;
    std::string m_bail_reason;
    bool m_too_deep = false;
};

}  // namespace

ParseOutcome parse_tap_lines(support::LineSource& lines, std::string_view source_name) {
    return TapReader(lines, source_name).read();
}

ParseOutcome parse_tap(std::string_view text, std::string_view source_name) {
    support::TextLines lines(text);
    return parse_tap_lines(lines, source_name);
}

}  // namespace greenlight::results
