#include "greenlight/results/test_results.hpp"

#include <fmt/format.h>

#include <system_error>

#include "greenlight/results/line_parsers.hpp"
#include "greenlight/results/parsers.hpp"

namespace greenlight::results {

std::string_view to_string(TestOutcome outcome) {
    switch (outcome) {
        case TestOutcome::passed:
            return "passed";
        case TestOutcome::failed:
            return "failed";
        case TestOutcome::errored:
            return "errored";
        case TestOutcome::skipped:
            return "skipped";
    }
    return "unknown";
}

namespace {

struct FormatName {
    ResultsFormat format;
    std::string_view name;
};

constexpr FormatName k_format_names[] = {
    {ResultsFormat::junit, "junit"}, {ResultsFormat::tap, "tap"},     {ResultsFormat::pytest, "pytest"},
    {ResultsFormat::go, "go"},       {ResultsFormat::ctest, "ctest"}, {ResultsFormat::cargo, "cargo"},
    {ResultsFormat::node, "node"},   {ResultsFormat::plain, "plain"},
};

}  // namespace

std::string_view to_string(ResultsFormat format) {
    for (const FormatName& entry : k_format_names) {
        if (entry.format == format) return entry.name;
    }
    return "unknown";
}

std::optional<ResultsFormat> parse_results_format(std::string_view name) {
    for (const FormatName& entry : k_format_names) {
        if (entry.name == name) return entry.format;
    }
    return std::nullopt;
}

std::string ParseFailure::to_string() const {
    if (line > 0 && column > 0) return fmt::format("{}:{}:{}: {}", source, line, column, message);
    if (line > 0) return fmt::format("{}:{}: {}", source, line, message);
    // Messages about the file itself (not found, unreadable) already name it; saying it twice reads badly.
    if (source.empty() || message.find(source) != std::string::npos) return message;
    return fmt::format("{}: {}", source, message);
}

ParseOutcome parse_results_file(ResultsFormat format, const std::filesystem::path& path) {
    const std::string shown = path.string();
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (status.type() == std::filesystem::file_type::not_found) {
        return ParseFailure{
            shown, 0, 0,
            fmt::format("results file not found: {} (the suite declared it; did the command write it?)", shown)};
    }
    if (status.type() == std::filesystem::file_type::directory) {
        return ParseFailure{shown, 0, 0,
                            fmt::format("results file {} is a directory; the suite must name a file", shown)};
    }
    constexpr std::string_view unreadable = "results file unreadable: ";
    switch (format) {
        case ResultsFormat::junit:
            return parse_junit_file(path, shown);
        case ResultsFormat::tap:
            return parse_file_lines(path, shown, unreadable,
                                    [&](support::LineSource& lines) { return parse_tap_lines(lines, shown); });
        default:
            return parse_file_lines(path, shown, unreadable, [&](support::LineSource& lines) {
                return parse_runner_output_lines(format, lines, shown);
            });
    }
}

}  // namespace greenlight::results
