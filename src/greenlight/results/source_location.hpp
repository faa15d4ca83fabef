// Where a test report places a failing test: the `path:line:` that pytest, go test and most runners print
// before a failure, so an annotation can land on that line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace greenlight::results {

struct SourceLocation {
    std::string file;
    int line = 0;  // 1-based
};

// The first `path:line:` in `text` whose path names a source file (`tests/test_x.py:5: AssertionError`,
// `calc_test.go:13: Add(2, 2) = 4`). URLs, times and version numbers are not taken for paths.
std::optional<SourceLocation> first_source_location(std::string_view text);

// `path:line` or `path:line:column` as one value (node's TAP `location:`), the path kept whole.
std::optional<SourceLocation> parse_source_location(std::string_view text);

}  // namespace greenlight::results
