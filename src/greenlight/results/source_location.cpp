#include "greenlight/results/source_location.hpp"

#include <cctype>
#include <charconv>

namespace greenlight::results {

namespace {

// A line number beyond this is no source file's: the digits were something else.
constexpr int k_max_line = 10'000'000;

bool is_path_character(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/' || c == '\\' ||
           c == '+' || c == '@' || c == '~';
}

// A path starts a word: after a space, a bracket or a quote, never inside a URL or a longer token.
bool starts_a_word(std::string_view text, size_t at) {
    if (at == 0) return true;
    const char before = text[at - 1];
    return std::isspace(static_cast<unsigned char>(before)) || before == '(' || before == '[' || before == '"' ||
           before == '\'' || before == '<' || before == '`';
}

// A file with an extension that has a letter in it: `test_x.py`, `calc_test.go`, not `10.5` or `v1.2`.
bool looks_like_source_file(std::string_view path) {
    const size_t slash = path.find_last_of("/\\");
    const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const size_t dot = base.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= base.size()) return false;
    const std::string_view extension = base.substr(dot + 1);
    if (extension.size() > 10) return false;
    bool has_letter = false;
    for (char c : extension) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
        has_letter = has_letter || std::isalpha(static_cast<unsigned char>(c));
    }
    return has_letter;
}

std::optional<int> parse_line(std::string_view digits) {
    int value = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size() || value < 1 || value > k_max_line) {
        return std::nullopt;
    }
    return value;
}

size_t digits_end(std::string_view text, size_t from) {
    while (from < text.size() && std::isdigit(static_cast<unsigned char>(text[from]))) ++from;
    return from;
}

}  // namespace

std::optional<SourceLocation> first_source_location(std::string_view text) {
    size_t start = 0;
    while (start < text.size()) {
        if (!is_path_character(text[start]) || !starts_a_word(text, start)) {
            ++start;
            continue;
        }
        size_t end = start;
        while (end < text.size() && is_path_character(text[end])) ++end;
        if (end < text.size() && text[end] == ':') {
            const size_t number_end = digits_end(text, end + 1);
            const std::string_view path = text.substr(start, end - start);
            if (number_end > end + 1 && number_end < text.size() && text[number_end] == ':' &&
                looks_like_source_file(path)) {
                if (auto line = parse_line(text.substr(end + 1, number_end - end - 1))) {
                    return SourceLocation{std::string(path), *line};
                }
            }
        }
        start = end;
    }
    return std::nullopt;
}

std::optional<SourceLocation> parse_source_location(std::string_view text) {
    // From the end: the path itself may hold colons (`file:///...`, Windows drives).
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view number = text.substr(colon + 1);
    std::string_view path = text.substr(0, colon);
    if (const size_t before = path.rfind(':'); before != std::string_view::npos) {
        const std::string_view maybe_line = path.substr(before + 1);
        if (!maybe_line.empty() && digits_end(maybe_line, 0) == maybe_line.size()) {
            number = maybe_line;  // path:line:column
            path = path.substr(0, before);
        }
    }
    if (path.starts_with("file://")) path.remove_prefix(7);
    auto line = parse_line(number);
    if (path.empty() || !line) return std::nullopt;
    return SourceLocation{std::string(path), *line};
}

}  // namespace greenlight::results
