// The per-format readers behind parse_report and the helpers they share; not part of the area's interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "greenlight/coverage/coverage.hpp"

namespace greenlight::coverage::detail {

// From this size on, a Cobertura report is cut into slices parsed on several threads; below it, one thread
// parses faster than several can be started and joined.
inline constexpr size_t k_parallel_parse_minimum = 8u << 20;

// Whether an XML reader parses a copy of the text or the text itself, which it then overwrites.
enum class BufferUse { copy, parse_in_place };

ReportOutcome parse_cobertura(std::string_view text, std::string_view source_name,
                              BufferUse buffer_use = BufferUse::copy);
// The parallel path parse_cobertura takes for large reports: empty when the report is not the usual shape
// (then the whole-document parse reads it, or words its error). Exposed for tests.
std::optional<Report> parse_cobertura_in_slices(std::string_view text, std::string_view source_name);
ReportOutcome parse_jacoco(std::string_view text, std::string_view source_name, BufferUse buffer_use = BufferUse::copy);
ReportOutcome parse_clover(std::string_view text, std::string_view source_name, BufferUse buffer_use = BufferUse::copy);
ReportOutcome parse_lcov(std::string_view text, std::string_view source_name);
ReportOutcome parse_go_profile(std::string_view text, std::string_view source_name);

// An XML report parsed inside `text`, so a large report is held in memory once, not twice; `text` is garbage
// afterwards. Error positions would point into the overwritten text: on an error, parse an intact copy again.
// Other formats are parsed as parse_report does.
ReportOutcome parse_xml_in_place(ReportFormat format, std::string& text, std::string_view source_name);

// An error pointing at a byte offset of `text`.
ReportParseError error_at(std::string_view text, std::ptrdiff_t offset, std::string_view source_name,
                          std::string message);

// A decimal count; a leading '-' is accepted and gives a negative value (gcov has written negative counts),
// values beyond int64 saturate. Empty on anything that is not a whole number.
std::optional<std::int64_t> parse_integer(std::string_view digits);

// Hit counts add up without overflowing: a line hit "more than int64" times is still just covered.
std::int64_t add_hits(std::int64_t a, std::int64_t b);

// Records `hits` for `line`, adding to what an earlier entry for the same line recorded. Negative counts are
// taken as "measured, not hit".
void record_line(FileCoverage& file, std::int64_t line, std::int64_t hits);

// Skips a UTF-8 byte order mark, which Windows tools put in front of text and XML.
std::string_view without_byte_order_mark(std::string_view text);

}  // namespace greenlight::coverage::detail
