// The parsers' entry points on files and line sources, and the readers of runner output: internal to the
// results area (its interface is parsers.hpp). Runner output and TAP are read one line at a time, so memory
// does not grow with the input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "greenlight/results/parse_support.hpp"
#include "greenlight/results/parsers.hpp"

namespace greenlight::results {

// parse_runner_output over any line source (a file is read in chunks, never whole).
ParseOutcome parse_runner_output_lines(ResultsFormat format, support::LineSource& lines, std::string_view source_name);

// parse_junit on a file, which pugixml reads itself (one copy of the document in memory).
ParseOutcome parse_junit_file(const std::filesystem::path& path, std::string_view source_name);

// parse_tap over any line source.
ParseOutcome parse_tap_lines(support::LineSource& lines, std::string_view source_name);

// Runs `parse` (a function of a LineSource&) on the lines of the file at `path`. A file that cannot be opened
// or read to its end gives a failure: `unreadable_prefix` followed by the reason, which names the path.
template <typename Parse>
ParseOutcome parse_file_lines(const std::filesystem::path& path, std::string_view source_name,
                              std::string_view unreadable_prefix, Parse parse) {
    support::FileLines lines(path);
    if (!lines.open_error().empty()) {
        return ParseFailure{std::string(source_name), 0, 0, std::string(unreadable_prefix) + lines.open_error()};
    }
    ParseOutcome outcome = parse(lines);
    if (!lines.read_error().empty()) {
        return ParseFailure{std::string(source_name), 0, 0, std::string(unreadable_prefix) + lines.read_error()};
    }
    return outcome;
}

namespace runner_output {

// Reads one runner's output line by line and keeps only what its result needs (a last summary, running
// tallies, the failing tests), so memory does not grow with the output.
class OutputReader {
public:
    virtual ~OutputReader() = default;
    // One line, without its line ending and with terminal colour codes removed.
    virtual void read_line(std::string_view line) = 0;
    // The result once every line was read; `source` names the input in a failure.
    virtual ParseOutcome finish(std::string_view source) = 0;
};

// go test: `go test -v` text and `go test -json` (test2json) events, in any mix.
std::unique_ptr<OutputReader> make_go_reader();

// A whole count a runner reported, refusing numbers no runner prints (hostile input stays far from overflow).
std::optional<std::int64_t> read_count(std::string_view digits);

// The words of `text`, split on blanks.
std::vector<std::string_view> split_words(std::string_view text);

// Counts alone (no test cases), with the total filled in.
ParsedResults counts_only(ResultsFormat format, TestCounts counts);

// The failure for output without the runner's summary: `expected` says what was looked for.
ParseFailure no_summary(std::string_view source, std::string_view expected);

}  // namespace runner_output

}  // namespace greenlight::results
