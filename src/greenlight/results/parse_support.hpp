// Helpers shared by the results parsers; not part of the area's interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/results/test_results.hpp"

namespace greenlight::results::support {

// Failure bodies can be whole stack traces; a summary and a bundle need only the start of them.
inline constexpr size_t k_details_limit = 4096;
inline constexpr size_t k_message_limit = 1024;

// Trims `text` and cuts it to `limit` bytes (never inside a UTF-8 sequence), marking the cut.
std::string cap_text(std::string_view text, size_t limit);

// The first non-blank line of `text`, trimmed.
std::string_view first_line(std::string_view text);

// Tallies the outcomes of `cases` into counts (total included).
TestCounts count_outcomes(const std::vector<TestCase>& cases);

// Adds `extra` to both the errored and the total count.
void add_errored(TestCounts& counts, std::int64_t extra);

// Removes ANSI colour and cursor sequences, which runners print when they believe they write to a terminal.
std::string strip_terminal_codes(std::string_view line);

// A whole string of decimal digits as a non-negative count; empty on anything else or on overflow.
std::optional<std::int64_t> parse_count(std::string_view digits);

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);

}  // namespace greenlight::results::support
