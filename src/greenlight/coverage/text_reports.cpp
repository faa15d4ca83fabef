// The line-oriented formats: LCOV tracefiles and Go cover profiles.
#include <fmt/format.h>
#include <algorithm>

#include "greenlight/coverage/report_parsers.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::coverage::detail {

namespace {

// Walks the text one line at a time without copying, remembering where each line starts for error positions.
class LineReader {
public:
    explicit LineReader(std::string_view text) : m_text(text) {}

    bool next(std::string_view& line) {
        if (m_next >= m_text.size()) return false;
        m_start = m_next;
        size_t end = m_text.find('\n', m_start);
        if (end == std::string_view::npos) end = m_text.size();
        m_next = end + 1;
        line = m_text.substr(m_start, end - m_start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        ++m_number;
        return true;
    }

    // An error at byte `column_offset` of the current line.
    ReportParseError error(std::string_view source_name, size_t column_offset, std::string message) const {
        return ReportParseError{std::string(source_name), m_number, static_cast<int>(column_offset) + 1,
                                std::move(message)};
    }

private:
    std::string_view m_text;
    size_t m_start = 0;
    size_t m_next = 0;
    int m_number = 0;
};

std::string quoted(std::string_view text) {
    return "\"" + util::printable(text.substr(0, 80)) + "\"";
}

}  // namespace

// lcov(1)'s geninfo format: records between SF: and end_of_record. Only DA: lines matter for line
// coverage; function (FN, FNDA, FNF, FNH, FNL, FNA), branch (BRDA, BRF, BRH), summary (LF, LH) and version
// records are skipped. A file named in several records (one per test, or per object file) is merged.
ReportOutcome parse_lcov(std::string_view text, std::string_view source_name) {
    text = without_byte_order_mark(text);
    Report report;
    report.format = ReportFormat::lcov;
    FileCoverage* current = nullptr;
    std::string_view open_record;  // the SF: path of `current`
    LineReader reader(text);
    std::string_view line;
    bool saw_record = false;
    while (reader.next(line)) {
        const std::string_view trimmed = util::trim(line);
        if (trimmed.empty()) continue;
        const size_t indent = static_cast<size_t>(trimmed.data() - line.data());
        if (trimmed == "end_of_record") {
            current = nullptr;
            continue;
        }
        const size_t colon = trimmed.find(':');
        const bool is_record = colon != std::string_view::npos && colon > 0 &&
                               std::all_of(trimmed.begin(), trimmed.begin() + static_cast<std::ptrdiff_t>(colon),
                                           [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
        if (!is_record) {
            return reader.error(
                source_name, indent,
                fmt::format("expected an LCOV record such as SF:, DA: or end_of_record, found {}", quoted(trimmed)));
        }
        saw_record = true;
        const std::string_view key = trimmed.substr(0, colon);
        const std::string_view value = trimmed.substr(colon + 1);
        const size_t value_offset = indent + colon + 1;
        if (key == "SF") {
            if (util::trim(value).empty()) return reader.error(source_name, value_offset, "SF: names no source file");
            // A missing end_of_record before the next SF: is tolerated: the new SF: starts a new record anyway.
            open_record = util::trim(value);
            current = &report.files[std::string(open_record)];
        } else if (key == "DA") {
            if (current == nullptr) {
                return reader.error(source_name, indent, "DA: outside a record: expected SF:<path> before it");
            }
            // DA:<line>,<hits>[,<checksum>]
            const size_t first_comma = value.find(',');
            if (first_comma == std::string_view::npos) {
                return reader.error(source_name, value_offset,
                                    fmt::format("DA:{} : expected DA:<line>,<hits>", util::printable(value)));
            }
            const size_t second_comma = value.find(',', first_comma + 1);
            const std::string_view line_text = value.substr(0, first_comma);
            const std::string_view hits_text =
                value.substr(first_comma + 1, second_comma == std::string_view::npos ? std::string_view::npos
                                                                                     : second_comma - first_comma - 1);
            const std::optional<std::int64_t> number = parse_integer(line_text);
            if (!number || *number < 0) {
                return reader.error(source_name, value_offset,
                                    fmt::format("DA: line number {} is not a whole number", quoted(line_text)));
            }
            const std::optional<std::int64_t> hits = parse_integer(hits_text);
            if (!hits) {
                return reader.error(source_name, value_offset + first_comma + 1,
                                    fmt::format("DA: hit count {} is not a whole number", quoted(hits_text)));
            }
            if (*number > 0) record_line(*current, *number, *hits);
        }
    }
    if (!saw_record) return ReportParseError{std::string(source_name), 0, 0, "empty file: expected an LCOV tracefile"};
    // A tracefile cut short (an interrupted writer, a truncated upload) ends inside a record: its last lines,
    // and every record after them, are gone, so the coverage it gives would be made up.
    if (current != nullptr) {
        return reader.error(source_name, 0,
                            fmt::format("the file ends inside the record of {} with no end_of_record: the tracefile "
                                        "is cut short (was lcov interrupted while writing it?)",
                                        quoted(open_record)));
    }
    return report;
}

namespace {

// Block ranges are expanded to lines, so a hostile profile could name line 1..10^12 in a few bytes. No
// compiler writes blocks that long: allow at most this many expanded lines per byte of profile (a real
// profile spends 30+ bytes per block on blocks a few lines long), plus a floor for tiny profiles.
constexpr std::int64_t k_expanded_lines_per_byte = 64;
constexpr std::int64_t k_expanded_lines_floor = 100000;

// "startLine.startColumn" from a block range; the column is checked and dropped.
std::optional<std::int64_t> block_line(std::string_view point) {
    const size_t dot = point.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::optional<std::int64_t> line = parse_integer(point.substr(0, dot));
    const std::optional<std::int64_t> column = parse_integer(point.substr(dot + 1));
    if (!line || !column || *line < 1 || *column < 0) return std::nullopt;
    return line;
}

}  // namespace

// `go test -coverprofile`: "mode: set|count|atomic", then "<import path>:<l0>.<c0>,<l1>.<c1> <statements>
// <count>" per block. Several blocks share a boundary line, and `go test -coverpkg` repeats blocks once per
// test binary, so a line takes the largest count of the blocks covering it: covered if any of them ran.
ReportOutcome parse_go_profile(std::string_view text, std::string_view source_name) {
    text = without_byte_order_mark(text);
    Report report;
    report.format = ReportFormat::go;
    LineReader reader(text);
    std::string_view line;
    bool saw_mode = false;
    const std::int64_t expansion_limit =
        k_expanded_lines_floor + static_cast<std::int64_t>(text.size()) * k_expanded_lines_per_byte;
    std::int64_t expanded = 0;
    while (reader.next(line)) {
        if (util::trim(line).empty()) continue;
        if (line.starts_with("mode:")) {
            const std::string_view mode = util::trim(line.substr(5));
            if (mode != "set" && mode != "count" && mode != "atomic") {
                return reader.error(source_name, 5,
                                    fmt::format("unknown cover mode {}: expected set, count or atomic", quoted(mode)));
            }
            // `go tool covdata textfmt` and hand-merged profiles repeat the mode line; later ones change nothing.
            saw_mode = true;
            continue;
        }
        if (!saw_mode) {
            return reader.error(source_name, 0, "expected a Go cover profile starting with \"mode: set|count|atomic\"");
        }
        const size_t last_space = line.rfind(' ');
        const size_t middle_space = last_space == std::string_view::npos || last_space == 0
                                        ? std::string_view::npos
                                        : line.rfind(' ', last_space - 1);
        // The file name can hold ':' (a Windows drive), so the range starts after the last one.
        const size_t colon =
            middle_space == std::string_view::npos ? std::string_view::npos : line.rfind(':', middle_space);
        if (colon == std::string_view::npos || colon == 0) {
            return reader.error(source_name, 0,
                                fmt::format("expected <file>:<line>.<column>,<line>.<column> <statements> <count>, "
                                            "found {}",
                                            quoted(line)));
        }
        const std::string_view range = line.substr(colon + 1, middle_space - colon - 1);
        const size_t comma = range.find(',');
        const std::optional<std::int64_t> start =
            comma == std::string_view::npos ? std::nullopt : block_line(range.substr(0, comma));
        const std::optional<std::int64_t> end =
            comma == std::string_view::npos ? std::nullopt : block_line(range.substr(comma + 1));
        if (!start || !end || *end < *start) {
            return reader.error(source_name, colon + 1,
                                fmt::format("block range {}: expected <line>.<column>,<line>.<column> with the end "
                                            "line not before the start line",
                                            quoted(range)));
        }
        const std::optional<std::int64_t> statements =
            parse_integer(line.substr(middle_space + 1, last_space - middle_space - 1));
        if (!statements || *statements < 0) {
            return reader.error(source_name, middle_space + 1, "statement count is not a whole number");
        }
        const std::optional<std::int64_t> count = parse_integer(line.substr(last_space + 1));
        if (!count || *count < 0) return reader.error(source_name, last_space + 1, "block count is not a whole number");
        // A block without statements (an empty function body) measures nothing.
        if (*statements == 0) continue;

        // Checked before adding: a saturated end line would otherwise overflow the running total.
        const std::int64_t span = *end - *start + 1;
        if (span > expansion_limit - expanded) {
            return reader.error(source_name, colon + 1,
                                "block ranges span far more lines than a profile of this size can describe");
        }
        expanded += span;
        FileCoverage& file = report.files[std::string(line.substr(0, colon))];
        for (std::int64_t number = *start; number <= *end; ++number) {
            auto [entry, inserted] = file.lines.try_emplace(number, *count);
            if (!inserted) entry->second = std::max(entry->second, *count);
        }
    }
    if (!saw_mode) {
        return ReportParseError{std::string(source_name), 0, 0,
                                "empty file: expected a Go cover profile starting with \"mode:\""};
    }
    // `go test` ends every line of a profile with a newline. A last line without one may be cut anywhere, even
    // inside a count that still reads as a number ("12" cut to "1"), so it cannot be trusted.
    if (!text.ends_with('\n')) {
        return reader.error(source_name, 0,
                            "the last line has no newline: the profile is cut short (was `go test` interrupted "
                            "while writing it?)");
    }
    return report;
}

}  // namespace greenlight::coverage::detail
