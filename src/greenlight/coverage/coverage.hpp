// Line coverage from the report formats real tools write, merged, and mapped to repository paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::coverage {

enum class ReportFormat { cobertura, lcov, jacoco, clover, go };

std::string_view to_string(ReportFormat format);

// A format by the name to_string gives it (cobertura, lcov, jacoco, clover, go); empty for any other text.
std::optional<ReportFormat> parse_report_format(std::string_view name);

// Line number -> hit count of one file (0 = measured, not covered), kept as one array sorted by line: a
// report of millions of lines costs 16 bytes a line, where a tree node cost four times that.
class LineHits {
public:
    using value_type = std::pair<std::int64_t, std::int64_t>;
    using iterator = std::vector<value_type>::iterator;
    using const_iterator = std::vector<value_type>::const_iterator;

    LineHits() = default;
    // In any order; the first entry of a repeated line wins, as it would for a map built from the list.
    LineHits(std::initializer_list<value_type> lines);

    // Inserts `hits` for `line` unless the line is there; returns the entry and whether it was inserted.
    // Constant time when lines come in ascending order, as reports list them; linear otherwise.
    std::pair<iterator, bool> try_emplace(std::int64_t line, std::int64_t hits);
    void reserve(size_t count) { m_lines.reserve(count); }

    const_iterator find(std::int64_t line) const;
    bool contains(std::int64_t line) const { return find(line) != end(); }
    // The hit count of a measured line; throws std::out_of_range for a line the file does not measure.
    std::int64_t at(std::int64_t line) const;

    size_t size() const { return m_lines.size(); }
    bool empty() const { return m_lines.empty(); }
    const_iterator begin() const { return m_lines.begin(); }
    const_iterator end() const { return m_lines.end(); }

    friend bool operator==(const LineHits&, const LineHits&) = default;

private:
    std::vector<value_type> m_lines;  // ascending by line, each line once
};

// Per source file: which lines were measured, and which of those were hit.
struct FileCoverage {
    LineHits lines;
};

struct Report {
    ReportFormat format = ReportFormat::cobertura;
    std::vector<std::string> source_roots;      // Cobertura <sources>, JaCoCo package paths, Go module path
    std::map<std::string, FileCoverage> files;  // path as the report names it
};

struct ReportParseError {
    std::string source;  // file name
    int line = 0;
    int column = 0;
    std::string message;

    std::string to_string() const;
};

using ReportOutcome = util::Result<Report, ReportParseError>;

// Detects the format from the content (XML root element, `SF:`/`TN:` lines, `mode:` first line).
std::optional<ReportFormat> detect_format(std::string_view text);

// Parses one report; `format` empty means detect it. Cobertura (coverage.py `coverage xml`, gcovr
// --xml, JaCoCo-converted), LCOV (lcov/geninfo, c8, llvm-cov export -format=lcov), JaCoCo XML,
// Clover XML, Go cover profiles (set/count/atomic; block ranges expanded to lines; a line is
// covered when any block covering it has a non-zero count).
ReportOutcome parse_report(std::string_view text, std::string_view source_name,
                           std::optional<ReportFormat> format = std::nullopt);

// Reads and parses a report file (missing/unreadable gives an error naming the path).
ReportOutcome parse_report_file(const std::filesystem::path& path, std::optional<ReportFormat> format = std::nullopt);

// Coverage keyed by repository-relative path, merged over several reports: a line is measured
// if any report measures it, covered if any report covers it.
struct Coverage {
    std::map<std::string, FileCoverage> files;
    // Report paths that matched no repository file, or matched more than one (ambiguous suffix).
    std::vector<std::string> unmapped;
};

// Maps each report's paths to paths in `repository_files` (relative, '/'-separated): exact match;
// then source roots joined with the path; then the Go module prefix stripped; then a suffix match
// on whole path components when it is unambiguous. Absolute paths under `repository_root` are
// made relative first.
Coverage map_to_repository(const std::vector<Report>& reports, const std::vector<std::string>& repository_files,
                           const std::filesystem::path& repository_root);
// The same, moving the reports' lines instead of copying them.
Coverage map_to_repository(std::vector<Report>&& reports, const std::vector<std::string>& repository_files,
                           const std::filesystem::path& repository_root);

// Exact figures, never floating point in the decision.
struct Ratio {
    std::int64_t covered = 0;
    std::int64_t measured = 0;

    bool measurable() const { return measured > 0; }
    // "83.33%" (two decimals, rounded half up), or "n/a" when nothing is measured.
    std::string percent_text() const;
    // covered/measured >= percent/100, in integers; true when nothing is measured (n/a passes).
    bool at_least(std::int64_t percent) const;
};

Ratio project_ratio(const Coverage& coverage);

}  // namespace greenlight::coverage
