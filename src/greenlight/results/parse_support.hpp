// Helpers shared by the results parsers; not part of the area's interface.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/results/test_results.hpp"

namespace greenlight::results::support {

// Failure bodies can be whole stack traces; a summary and a bundle need only the start of them.
inline constexpr size_t k_details_limit = 4096;
inline constexpr size_t k_message_limit = 1024;

// Lines longer than this keep only their start: no summary line or test event is this long, and keeping
// more would let one endless line make memory grow with the output.
inline constexpr size_t k_max_line_bytes = 1 << 20;

// The lines of an input one at a time, without a copy of the whole input: a reader holds only the line it is
// on, so memory stays flat however long the output. Lines lose their `\n` (and a `\r` before it); a line
// longer than k_max_line_bytes is cut to that length.
class LineSource {
public:
    virtual ~LineSource() = default;
    // The next line, valid until the next call; nothing at the end of the input or after a read error.
    virtual std::optional<std::string_view> next() = 0;
    // The number (1-based) of the line `next()` returned last.
    int line_number() const { return m_line_number; }

protected:
    int m_line_number = 0;
};

// Lines of text already in memory (tests, fuzzing); views into it, no copies.
class TextLines final : public LineSource {
public:
    explicit TextLines(std::string_view text) : m_text(text) {}
    std::optional<std::string_view> next() override;

private:
    std::string_view m_text;
    size_t m_position = 0;
};

// Lines of a file, read in chunks into a buffer of at most a chunk plus k_max_line_bytes.
class FileLines final : public LineSource {
public:
    explicit FileLines(const std::filesystem::path& path);
    // Empty when the file opened; otherwise why not, naming the path.
    const std::string& open_error() const { return m_error; }
    // Set when reading stopped early on an I/O error, naming the path.
    const std::string& read_error() const { return m_read_error; }
    std::optional<std::string_view> next() override;

private:
    bool fill();

    std::filesystem::path m_path;
    std::ifstream m_in;
    std::string m_buffer;
    size_t m_begin = 0;            // start of the unread part of m_buffer
    bool m_skipping_rest = false;  // inside a line already returned cut to k_max_line_bytes
    bool m_at_end = false;
    std::string m_error;
    std::string m_read_error;
};

// Keeps the start and the end of text appended piece by piece in bounded memory, like util::cap_head_and_tail
// on the whole text: the start of a test's output says what ran, its end how it failed. `text()` is at most
// `limit` bytes, the cut marker included.
class HeadAndTail {
public:
    explicit HeadAndTail(size_t limit);
    void append(std::string_view text);
    void clear();
    // The kept text, with a marker where the middle was cut.
    std::string text() const;

private:
    size_t m_head_budget;
    size_t m_tail_budget;
    std::string m_head;
    std::string m_tail;  // the last bytes after the head, up to twice the tail budget between trims
    std::uint64_t m_dropped = 0;
};

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
// The same into `out` (reused, so a reader of many lines allocates once); returns a view of the clean line,
// which is `line` itself when it holds no escape.
std::string_view strip_terminal_codes(std::string_view line, std::string& out);

// A whole string of decimal digits as a non-negative count; empty on anything else or on overflow.
std::optional<std::int64_t> parse_count(std::string_view digits);

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);

}  // namespace greenlight::results::support
