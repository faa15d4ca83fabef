// Parsers for the results formats a suite can declare.
#pragma once

#include <filesystem>
#include <string_view>

#include "greenlight/results/test_results.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::results {

using ParseOutcome = util::Result<ParsedResults, ParseFailure>;

// JUnit XML in the variants real tools write: pytest xunit1/xunit2, ctest --output-junit, gotestsum,
// jest-junit, Maven Surefire; a <testsuites> root or a bare <testsuite>; nested testsuites.
// Counts come from the <testcase> elements (not from attributes a crashed writer may have left wrong).
ParseOutcome parse_junit(std::string_view xml, std::string_view source_name);

// TAP 12/13/14: plan (incl. `1..0 # SKIP`), ok/not ok, # SKIP/# TODO directives, Bail out!,
// YAML diagnostic blocks, TAP 14 indented subtests. A plan that disagrees with the tests seen is a failure.
ParseOutcome parse_tap(std::string_view text, std::string_view source_name);

// The closing summary lines of a runner's output (pytest, go test, ctest, cargo test, node --test)
// or the plain `N passed, N failed[, N skipped]` line; for go, also `go test -json` events, with a case for
// each failing test. A failure when no such line is found.
ParseOutcome parse_runner_output(ResultsFormat format, std::string_view output, std::string_view source_name);

// The same on a file (a suite's output.log), read line by line: memory stays flat however large the file.
// A file that cannot be read gives a ParseFailure naming it.
ParseOutcome parse_runner_output_file(ResultsFormat format, const std::filesystem::path& path,
                                      std::string_view source_name);

// Reads a declared results file (missing or unreadable gives a ParseFailure naming the path). TAP and runner
// output are read line by line in bounded memory; JUnit is parsed by pugixml from one copy of the file.
ParseOutcome parse_results_file(ResultsFormat format, const std::filesystem::path& path);

}  // namespace greenlight::results
