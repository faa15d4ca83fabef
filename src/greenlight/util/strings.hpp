// Small string helpers that know nothing about greenlight.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::util {

std::string_view trim(std::string_view text);
std::vector<std::string_view> split_lines(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Damerau-Levenshtein distance (adjacent transpositions count as one edit).
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely misspelling.
std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Replaces every `{name}` in `text` by its value; unknown names are left as they are.
std::string expand_placeholders(std::string_view text, const std::vector<std::pair<std::string, std::string>>& values);

// Escapes a string for a JSON-free, human log line (control characters as \xNN).
std::string printable(std::string_view text);

// Keeps the head and the tail of `text` within `limit` bytes, marking the cut ("[... N bytes cut ...]") and
// never splitting a UTF-8 sequence: the start of a log says what ran, its end says how it failed.
std::string cap_head_and_tail(std::string_view text, std::size_t limit);

// ASCII lowercase copy.
std::string lowercase(std::string_view text);

// Appends one code point as UTF-8 (1 to 4 bytes).
void append_utf8(std::string& out, char32_t code_point);
// Replaces every occurrence of `what` (not empty) in text with `with`, left to right.
void replace_all(std::string& text, std::string_view what, std::string_view with);

// Whether a string of decimal digits passes the Luhn check (card numbers); false for an empty string or
// any character that is not a digit.
bool passes_luhn(std::string_view digits);

// Text for one cell of a Markdown table: `|` escaped, line breaks as spaces.
std::string markdown_table_cell(std::string_view text);

// Text for a GitHub Actions workflow command (`::error title=...::message`): `%`, CR and LF are
// escaped, and in a property (`property = true`) also `:` and `,`.
std::string workflow_command_escape(std::string_view text, bool property);

// The 1-based line and column of a byte offset in `text` (clamped to the text).
struct TextPosition {
    int line = 1;
    int column = 1;
};
TextPosition text_position(std::string_view text, std::ptrdiff_t offset);

}  // namespace greenlight::util
