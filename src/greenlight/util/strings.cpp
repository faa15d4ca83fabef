#include "greenlight/util/strings.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

namespace greenlight::util {

std::string_view trim(std::string_view text) {
    size_t start = 0;
    while (start < text.size() &&
           (text[start] == ' ' || text[start] == '\t' || text[start] == '\r' || text[start] == '\n')) {
        ++start;
    }
    size_t end = text.size();
    while (end > start &&
           (text[end - 1] == ' ' || text[end - 1] == '\t' || text[end - 1] == '\r' || text[end - 1] == '\n')) {
        --end;
    }
    return text.substr(start, end - start);
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) out += separator;
        out += parts[i];
    }
    return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
    const size_t rows = a.size() + 1;
    const size_t cols = b.size() + 1;
    std::vector<size_t> d(rows * cols);
    auto at = [&](size_t i, size_t j) -> size_t& { return d[i * cols + j]; };
    for (size_t i = 0; i < rows; ++i) at(i, 0) = i;
    for (size_t j = 0; j < cols; ++j) at(0, j) = j;
    for (size_t i = 1; i < rows; ++i) {
        for (size_t j = 1; j < cols; ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
            }
        }
    }
    return at(rows - 1, cols - 1);
}

std::optional<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    size_t best_distance = 0;
    for (const auto& candidate : candidates) {
        size_t distance = edit_distance(word, candidate);
        if (!best || distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    // Allow roughly one edit per three characters: `timout` -> `timeout`, but not `foo` -> `run`.
    size_t allowed = std::max<size_t>(1, word.size() / 3);
    if (best && best_distance <= allowed) return best;
    return std::nullopt;
}

std::string expand_placeholders(std::string_view text, const std::vector<std::pair<std::string, std::string>>& values) {
    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '{') {
            size_t close = text.find('}', i + 1);
            if (close != std::string_view::npos) {
                std::string_view name = text.substr(i + 1, close - i - 1);
                auto found =
                    std::find_if(values.begin(), values.end(), [&](const auto& entry) { return entry.first == name; });
                if (found != values.end()) {
                    out += found->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out.push_back(text[i]);
        ++i;
    }
    return out;
}

std::string printable(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (c < 0x20 && c != '\t') {
            out += fmt::format("\\x{:02x}", c);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string markdown_table_cell(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '|')
            out += "\\|";
        else if (c == '\n')
            out += ' ';
        else if (c != '\r')
            out.push_back(c);
    }
    return out;
}

std::string workflow_command_escape(std::string_view text, bool property) {
    std::string out;
    for (char c : text) {
        if (c == '%')
            out += "%25";
        else if (c == '\r')
            out += "%0D";
        else if (c == '\n')
            out += "%0A";
        else if (property && c == ':')
            out += "%3A";
        else if (property && c == ',')
            out += "%2C";
        else
            out.push_back(c);
    }
    return out;
}

TextPosition text_position(std::string_view text, std::ptrdiff_t offset) {
    const size_t end = offset < 0 ? 0 : std::min(static_cast<size_t>(offset), text.size());
    TextPosition position;
    size_t line_start = 0;
    for (size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++position.line;
            line_start = i + 1;
        }
    }
    position.column = static_cast<int>(end - line_start) + 1;
    return position;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
    if (what.empty()) return;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
        text.replace(at, what.size(), with);
    }
}

void append_utf8(std::string& out, char32_t code_point) {
    if (code_point < 0x80) {
        out += static_cast<char>(code_point);
    } else if (code_point < 0x800) {
        out += static_cast<char>(0xC0 | (code_point >> 6));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        out += static_cast<char>(0xE0 | (code_point >> 12));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code_point >> 18));
        out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code_point & 0x3F));
    }
}

bool passes_luhn(std::string_view digits) {
    if (digits.empty()) return false;
    int sum = 0;
    bool double_it = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (*it < '0' || *it > '9') return false;
        int digit = *it - '0';
        if (double_it) {
            digit *= 2;
            if (digit > 9) digit -= 9;
        }
        sum += digit;
        double_it = !double_it;
    }
    return sum % 10 == 0;
}

namespace {

// A UTF-8 sequence is never split: a cut moves back (head) or forward (tail) to a lead byte.
bool is_continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string cap_head_and_tail(std::string_view text, std::size_t limit) {
    if (text.size() <= limit) return std::string(text);
    // The marker's length depends on the number it shows; the whole text's size bounds that number.
    const std::string widest_marker = fmt::format("\n[... {} bytes cut ...]\n", text.size());
    if (limit <= widest_marker.size()) {
        std::size_t end = limit;
        while (end > 0 && is_continuation_byte(text[end])) --end;
        return std::string(text.substr(0, end));
    }
    const std::size_t budget = limit - widest_marker.size();
    std::size_t head_end = budget / 2;
    while (head_end > 0 && is_continuation_byte(text[head_end])) --head_end;
    std::size_t tail_start = text.size() - (budget - budget / 2);
    while (tail_start < text.size() && is_continuation_byte(text[tail_start])) ++tail_start;
    return fmt::format("{}\n[... {} bytes cut ...]\n{}", text.substr(0, head_end), tail_start - head_end,
                       text.substr(tail_start));
}

}  // namespace greenlight::util
