// Format detection, the parse entry points, exact ratios, and the helpers the per-format readers share.
#include "greenlight/coverage/coverage.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "greenlight/coverage/report_parsers.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/mapped_file.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::coverage {

std::string_view to_string(ReportFormat format) {
    switch (format) {
        case ReportFormat::cobertura:
            return "cobertura";
        case ReportFormat::lcov:
            return "lcov";
        case ReportFormat::jacoco:
            return "jacoco";
        case ReportFormat::clover:
            return "clover";
        case ReportFormat::go:
            return "go";
    }
    return "unknown";
}

std::optional<ReportFormat> parse_report_format(std::string_view name) {
    for (ReportFormat format :
         {ReportFormat::cobertura, ReportFormat::lcov, ReportFormat::jacoco, ReportFormat::clover, ReportFormat::go}) {
        if (name == to_string(format)) return format;
    }
    return std::nullopt;
}

std::string ReportParseError::to_string() const {
    if (line <= 0) return fmt::format("{}: {}", source, message);
    return fmt::format("{}:{}:{}: {}", source, line, column, message);
}

namespace detail {

ReportParseError error_at(std::string_view text, std::ptrdiff_t offset, std::string_view source_name,
                          std::string message) {
    const util::TextPosition position = util::text_position(text, offset);
    return ReportParseError{std::string(source_name), position.line, position.column, std::move(message)};
}

std::optional<std::int64_t> parse_integer(std::string_view digits) {
    const bool negative = !digits.empty() && digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    if (digits.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        const std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            value = std::numeric_limits<std::uint64_t>::max();
        } else {
            value = value * 10 + digit;
        }
    }
    constexpr auto k_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    const auto magnitude = static_cast<std::int64_t>(std::min(value, k_max));
    return negative ? -magnitude : magnitude;
}

std::int64_t add_hits(std::int64_t a, std::int64_t b) {
    std::int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) return std::numeric_limits<std::int64_t>::max();
    return sum;
}

void record_line(FileCoverage& file, std::int64_t line, std::int64_t hits) {
    hits = std::max<std::int64_t>(hits, 0);
    auto [entry, inserted] = file.lines.try_emplace(line, hits);
    if (!inserted) entry->second = add_hits(entry->second, hits);
}

std::string_view without_byte_order_mark(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    return text;
}

}  // namespace detail

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t skip_space(std::string_view text, size_t at) {
    while (at < text.size() && is_space(text[at])) ++at;
    return at;
}

// The name of the element starting at `at` (just after '<').
std::string_view element_name_at(std::string_view text, size_t at) {
    size_t end = at;
    while (end < text.size() && !is_space(text[end]) && text[end] != '>' && text[end] != '/') ++end;
    return text.substr(at, end - at);
}

// Finds the next element start from `at`, stepping over the prolog, comments, processing instructions and a
// DOCTYPE (with its internal subset); returns the offset just after its '<', or npos.
size_t next_element(std::string_view text, size_t at) {
    while (true) {
        at = text.find('<', at);
        if (at == std::string_view::npos || at + 1 >= text.size()) return std::string_view::npos;
        const std::string_view rest = text.substr(at);
        if (rest.starts_with("<?")) {
            at = text.find("?>", at);
        } else if (rest.starts_with("<!--")) {
            at = text.find("-->", at);
        } else if (rest.starts_with("<!")) {
            // DOCTYPE: its internal subset may hold '>' inside brackets.
            const size_t bracket = text.find('[', at);
            const size_t close = text.find('>', at);
            if (bracket != std::string_view::npos && bracket < close) {
                const size_t subset_end = text.find("]", bracket);
                at = subset_end == std::string_view::npos ? subset_end : text.find('>', subset_end);
            } else {
                at = close;
            }
        } else if (rest.starts_with("</")) {
            at = at + 2;
            continue;
        } else {
            return at + 1;
        }
        if (at == std::string_view::npos) return at;
        ++at;
    }
}

// Only the start of a file decides its format; a multi-gigabyte report is not scanned to detect it.
constexpr size_t k_detection_window = 64 * 1024;

std::optional<ReportFormat> detect_xml(std::string_view text) {
    const size_t root = next_element(text, 0);
    if (root == std::string_view::npos) return std::nullopt;
    const std::string_view root_name = element_name_at(text, root);
    if (root_name == "report") return ReportFormat::jacoco;
    if (root_name != "coverage") return std::nullopt;
    // Clover and Cobertura both call their root <coverage>; Clover's first child is <project>.
    const size_t child = next_element(text, root);
    if (child != std::string_view::npos && element_name_at(text, child) == "project") return ReportFormat::clover;
    return ReportFormat::cobertura;
}

}  // namespace

std::optional<ReportFormat> detect_format(std::string_view text) {
    text = detail::without_byte_order_mark(text).substr(0, k_detection_window);
    const size_t start = skip_space(text, 0);
    if (start >= text.size()) return std::nullopt;
    const std::string_view content = text.substr(start);
    if (content.front() == '<') return detect_xml(content);
    if (content.starts_with("mode:")) return ReportFormat::go;
    if (content.starts_with("TN:") || content.starts_with("SF:")) return ReportFormat::lcov;
    return std::nullopt;
}

ReportOutcome parse_report(std::string_view text, std::string_view source_name, std::optional<ReportFormat> format) {
    if (!format) format = detect_format(text);
    if (!format) {
        return ReportParseError{std::string(source_name), 1, 1,
                                "unrecognised coverage report: expected Cobertura, JaCoCo or Clover XML, an LCOV "
                                "tracefile (starting with TN: or SF:) or a Go cover profile (starting with "
                                "\"mode:\"); if it is one of these, name its format (gate --coverage-format)"};
    }
    switch (*format) {
        case ReportFormat::cobertura:
            return detail::parse_cobertura(text, source_name);
        case ReportFormat::jacoco:
            return detail::parse_jacoco(text, source_name);
        case ReportFormat::clover:
            return detail::parse_clover(text, source_name);
        case ReportFormat::lcov:
            return detail::parse_lcov(text, source_name);
        case ReportFormat::go:
            return detail::parse_go_profile(text, source_name);
    }
    return ReportParseError{std::string(source_name), 0, 0, "unknown report format"};
}

namespace {

// A regular file read straight into a string of its size: a 100 MB report is neither regrown nor copied, as
// it would be through a string stream. Anything else (a pipe, a device) is streamed.
util::Result<std::string> read_report_text(const std::filesystem::path& path) {
    std::error_code error;
    const bool regular = std::filesystem::is_regular_file(path, error);
    const std::uintmax_t size = regular ? std::filesystem::file_size(path, error) : 0;
    std::ifstream in(path, std::ios::binary);
    if (!regular || error || !in) return util::read_file(path);  // its message names the problem
    std::string text(static_cast<size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (in.bad()) return util::read_file(path);
    if (in.peek() != std::ifstream::traits_type::eof()) {
        std::ostringstream rest;  // the file grew while being read
        rest << in.rdbuf();
        text += rest.view();
    }
    return text;
}

}  // namespace

ReportOutcome parse_report_file(const std::filesystem::path& path, std::optional<ReportFormat> format) {
    // A large Cobertura report is read through a mapping, cut into slices and parsed on several threads,
    // without a copy of the whole text; anything else (or a report the slices cannot read) goes the usual way.
    if (std::error_code error; std::filesystem::is_regular_file(path, error) &&
                               std::filesystem::file_size(path, error) >= detail::k_parallel_parse_minimum && !error) {
        if (util::Result<util::MappedFile> mapped = util::MappedFile::open(path)) {
            const std::string_view text = detail::without_byte_order_mark(mapped->text());
            if ((format ? *format : detect_format(text).value_or(ReportFormat::lcov)) == ReportFormat::cobertura) {
                if (std::optional<Report> report = detail::parse_cobertura_in_slices(text, path.string())) {
                    return std::move(*report);
                }
            }
        }
    }
    util::Result<std::string> content = read_report_text(path);
    if (!content) return ReportParseError{path.string(), 0, 0, content.message()};
    if (!format) format = detect_format(*content);
    if (format == ReportFormat::cobertura || format == ReportFormat::jacoco || format == ReportFormat::clover) {
        ReportOutcome outcome = detail::parse_xml_in_place(*format, *content, path.string());
        if (outcome) return outcome;
        // The in-place parse overwrote the text its error would point into: read it again for the position.
        content = read_report_text(path);
        if (!content) return ReportParseError{path.string(), 0, 0, content.message()};
    }
    return parse_report(*content, path.string(), format);
}

LineHits::LineHits(std::initializer_list<value_type> lines) {
    m_lines.reserve(lines.size());
    for (const auto& [line, hits] : lines) try_emplace(line, hits);
}

std::pair<LineHits::iterator, bool> LineHits::try_emplace(std::int64_t line, std::int64_t hits) {
    // Reports list a file's lines in ascending order almost always: appending is the common case.
    if (m_lines.empty() || m_lines.back().first < line) {
        m_lines.emplace_back(line, hits);
        return {std::prev(m_lines.end()), true};
    }
    if (m_lines.back().first == line) return {std::prev(m_lines.end()), false};
    auto at = std::lower_bound(m_lines.begin(), m_lines.end(), line,
                               [](const value_type& entry, std::int64_t wanted) { return entry.first < wanted; });
    if (at->first == line) return {at, false};
    return {m_lines.emplace(at, line, hits), true};
}

LineHits::const_iterator LineHits::find(std::int64_t line) const {
    auto at = std::lower_bound(m_lines.begin(), m_lines.end(), line,
                               [](const value_type& entry, std::int64_t wanted) { return entry.first < wanted; });
    return at != m_lines.end() && at->first == line ? at : m_lines.end();
}

std::int64_t LineHits::at(std::int64_t line) const {
    const auto found = find(line);
    if (found == end()) throw std::out_of_range(fmt::format("line {} is not measured", line));
    return found->second;
}

std::string Ratio::percent_text() const {
    if (!measurable()) return "n/a";
    // Hundredths of a percent, rounded half up, in 128-bit integers so no count can overflow.
    const __int128 numerator = static_cast<__int128>(std::max<std::int64_t>(covered, 0)) * 10000 * 2 + measured;
    const __int128 hundredths = numerator / (static_cast<__int128>(measured) * 2);
    const auto whole = static_cast<long long>(hundredths / 100);
    const auto fraction = static_cast<int>(hundredths % 100);
    return fmt::format("{}.{:02}%", whole, fraction);
}

bool Ratio::at_least(std::int64_t percent) const {
    if (!measurable()) return true;
    return static_cast<__int128>(covered) * 100 >= static_cast<__int128>(percent) * measured;
}

Ratio project_ratio(const Coverage& coverage) {
    Ratio ratio;
    for (const auto& [path, file] : coverage.files) {
        for (const auto& [line, hits] : file.lines) {
            ++ratio.measured;
            if (hits > 0) ++ratio.covered;
        }
    }
    return ratio;
}

}  // namespace greenlight::coverage
