#include "greenlight/results/parse_support.hpp"

#include <fmt/format.h>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "greenlight/util/strings.hpp"

namespace greenlight::results::support {

namespace {

// Room left in a HeadAndTail's limit for its cut marker, "\n[... N bytes cut ...]\n" with N up to 20 digits.
constexpr size_t k_cut_marker_room = 48;

// How much of a file one read takes.
constexpr size_t k_read_chunk_bytes = 64 * 1024;

bool is_continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// A whole line as readers see it: without the `\r` of a CRLF ending, and no longer than k_max_line_bytes.
std::string_view finish_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > k_max_line_bytes) line = line.substr(0, k_max_line_bytes);
    return line;
}

}  // namespace

std::optional<std::string_view> TextLines::next() {
    if (m_position >= m_text.size()) return std::nullopt;
    size_t end = m_text.find('\n', m_position);
    if (end == std::string_view::npos) end = m_text.size();
    const std::string_view line = m_text.substr(m_position, end - m_position);
    m_position = end + 1;
    ++m_line_number;
    return finish_line(line);
}

FileLines::FileLines(const std::filesystem::path& path) : m_path(path), m_in(path, std::ios::binary) {
    if (!m_in) m_error = fmt::format("cannot read {}: {}", path.string(), std::strerror(errno));
}

bool FileLines::fill() {
    m_buffer.erase(0, m_begin);
    m_begin = 0;
    const size_t kept = m_buffer.size();
    m_buffer.resize(kept + k_read_chunk_bytes);
    m_in.read(m_buffer.data() + kept, static_cast<std::streamsize>(k_read_chunk_bytes));
    const auto got = static_cast<size_t>(m_in.gcount());
    m_buffer.resize(kept + got);
    if (m_in.bad()) {
        m_read_error = fmt::format("cannot read {}: read error", m_path.string());
        m_at_end = true;
    } else if (got == 0) {
        m_at_end = true;
    }
    return got > 0;
}

std::optional<std::string_view> FileLines::next() {
    if (!m_error.empty()) return std::nullopt;
    // Where the search for the end of the line resumes, so a long line is scanned once, not once per chunk.
    size_t scanned = m_begin;
    while (true) {
        const size_t newline = m_buffer.find('\n', scanned);
        if (newline != std::string::npos) {
            const std::string_view line(m_buffer.data() + m_begin, newline - m_begin);
            m_begin = newline + 1;
            scanned = m_begin;
            if (m_skipping_rest) {
                m_skipping_rest = false;
                continue;
            }
            ++m_line_number;
            return finish_line(line);
        }
        if (m_skipping_rest) {
            m_begin = m_buffer.size();  // the rest of a line already returned cut: nothing to keep
        } else if (m_buffer.size() - m_begin > k_max_line_bytes + 1) {
            // Longer than any line is kept even without a `\r`: return its start and skip the rest.
            const std::string_view line(m_buffer.data() + m_begin, k_max_line_bytes);
            m_begin = m_buffer.size();
            m_skipping_rest = true;
            ++m_line_number;
            return line;
        }
        if (m_at_end) {
            if (m_begin >= m_buffer.size() || m_skipping_rest) return std::nullopt;
            const std::string_view line(m_buffer.data() + m_begin, m_buffer.size() - m_begin);
            m_begin = m_buffer.size();
            ++m_line_number;
            return finish_line(line);
        }
        const size_t searched = m_buffer.size() - m_begin;
        fill();
        scanned = searched;  // fill() moved the unread part to the front of the buffer
    }
}

HeadAndTail::HeadAndTail(size_t limit)
    : m_head_budget((limit > k_cut_marker_room ? limit - k_cut_marker_room : 0) / 2),
      m_tail_budget((limit > k_cut_marker_room ? limit - k_cut_marker_room : 0) - m_head_budget) {}

void HeadAndTail::clear() {
    m_head.clear();
    m_tail.clear();
    m_dropped = 0;
}

void HeadAndTail::append(std::string_view text) {
    const size_t head_budget = m_head_budget;
    const size_t tail_budget = m_tail_budget;
    if (m_head.size() < head_budget) {
        const size_t take = std::min(text.size(), head_budget - m_head.size());
        m_head.append(text.substr(0, take));
        text.remove_prefix(take);
    }
    if (text.empty()) return;
    if (text.size() >= tail_budget) {
        m_dropped += m_tail.size() + text.size() - tail_budget;
        m_tail.assign(text.substr(text.size() - tail_budget));
        return;
    }
    m_tail.append(text);
    // Trimming only once the tail holds twice its budget keeps appends amortised constant time.
    if (m_tail.size() > 2 * tail_budget) {
        const size_t drop = m_tail.size() - tail_budget;
        m_dropped += drop;
        m_tail.erase(0, drop);
    }
}

std::string HeadAndTail::text() const {
    const size_t tail_budget = m_tail_budget;
    if (m_dropped == 0 && m_tail.size() <= tail_budget) return m_head + m_tail;
    size_t tail_start = m_tail.size() - std::min(m_tail.size(), tail_budget);
    while (tail_start < m_tail.size() && is_continuation_byte(m_tail[tail_start])) ++tail_start;
    // The head may end inside a UTF-8 sequence whose rest was cut: keep only whole sequences.
    size_t head_end = m_head.size();
    size_t lead = head_end;
    while (lead > 0 && is_continuation_byte(m_head[lead - 1])) --lead;
    if (lead > 0) {
        const auto byte = static_cast<unsigned char>(m_head[lead - 1]);
        const size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
        if (head_end - (lead - 1) < length) head_end = lead - 1;
    }
    const std::uint64_t cut = m_dropped + tail_start + (m_head.size() - head_end);
    return fmt::format("{}\n[... {} bytes cut ...]\n{}", std::string_view(m_head).substr(0, head_end), cut,
                       std::string_view(m_tail).substr(tail_start));
}

std::string cap_text(std::string_view text, size_t limit) {
    text = util::trim(text);
    if (text.size() <= limit) return std::string(text);
    size_t cut = limit;
    // Step back over UTF-8 continuation bytes so the kept part stays valid text.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return fmt::format("{}\n[... {} more bytes cut]", text.substr(0, cut), text.size() - cut);
}

std::string_view first_line(std::string_view text) {
    for (std::string_view line : util::split_lines(text)) {
        std::string_view trimmed = util::trim(line);
        if (!trimmed.empty()) return trimmed;
    }
    return {};
}

TestCounts count_outcomes(const std::vector<TestCase>& cases) {
    TestCounts counts;
    for (const TestCase& test_case : cases) {
        switch (test_case.outcome) {
            case TestOutcome::passed:
                ++counts.passed;
                break;
            case TestOutcome::failed:
                ++counts.failed;
                break;
            case TestOutcome::errored:
                ++counts.errored;
                break;
            case TestOutcome::skipped:
                ++counts.skipped;
                break;
        }
    }
    counts.total = counts.passed + counts.failed + counts.errored + counts.skipped;
    return counts;
}

void add_errored(TestCounts& counts, std::int64_t extra) {
    counts.errored += extra;
    counts.total += extra;
}

std::string strip_terminal_codes(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    size_t i = 0;
    while (i < line.size()) {
        if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
            // CSI: parameters and intermediates, then one final byte in 0x40..0x7e.
            size_t j = i + 2;
            while (j < line.size() && static_cast<unsigned char>(line[j]) >= 0x20 &&
                   static_cast<unsigned char>(line[j]) < 0x40) {
                ++j;
            }
            i = j < line.size() ? j + 1 : j;
            continue;
        }
        out += line[i];
        ++i;
    }
    return out;
}

std::string_view strip_terminal_codes(std::string_view line, std::string& out) {
    if (line.find('\x1b') == std::string_view::npos) return line;
    // Assigning keeps `out`'s capacity when it is large enough, so a long run of coloured lines reuses it.
    out.assign(strip_terminal_codes(line));
    return out;
}

std::optional<std::int64_t> parse_count(std::string_view digits) {
    if (digits.empty() || digits[0] < '0' || digits[0] > '9') return std::nullopt;
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || value < 0) return std::nullopt;
    return value;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace greenlight::results::support
