#include "greenlight/util/glob.hpp"

#include <string>
#include <vector>

namespace greenlight::util {

namespace {

// Matches `[...]` at pattern[i]; on success sets `next` past the closing bracket.
bool match_class(std::string_view pattern, size_t i, char c, size_t& next, bool& matched) {
    size_t j = i + 1;
    bool negate = false;
    if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
        negate = true;
        ++j;
    }
    bool found = false;
    bool first = true;
    while (j < pattern.size() && (first || pattern[j] != ']')) {
        first = false;
        char low = pattern[j];
        char high = low;
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
            high = pattern[j + 2];
            j += 2;
        }
        if (low <= c && c <= high) found = true;
        ++j;
    }
    if (j >= pattern.size()) return false;  // no closing bracket: not a class
    next = j + 1;
    matched = found != negate;
    return true;
}

// One path part against one pattern part (no '/' in either): `*`, `?`, classes, literals.
bool match_part(std::string_view pattern, std::string_view text) {
    size_t p = 0;
    size_t t = 0;
    size_t star = std::string_view::npos;
    size_t star_text = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
            continue;
        }
        if (p < pattern.size()) {
            if (pattern[p] == '?') {
                ++p;
                ++t;
                continue;
            }
            if (pattern[p] == '[') {
                size_t next = 0;
                bool matched = false;
                if (match_class(pattern, p, text[t], next, matched)) {
                    if (matched) {
                        p = next;
                        ++t;
                        continue;
                    }
                } else if (text[t] == '[') {
                    ++p;
                    ++t;
                    continue;
                }
            } else if (pattern[p] == '\\' && p + 1 < pattern.size() && pattern[p + 1] == text[t]) {
                p += 2;
                ++t;
                continue;
            } else if (pattern[p] == text[t]) {
                ++p;
                ++t;
                continue;
            }
        }
        if (star == std::string_view::npos) return false;
        p = star + 1;
        t = ++star_text;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::vector<std::string_view> split(std::string_view text) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('/', start);
        if (end == std::string_view::npos) end = text.size();
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

bool match_parts(const std::vector<std::string_view>& pattern, size_t p, const std::vector<std::string_view>& path,
                 size_t t) {
    while (p < pattern.size()) {
        if (pattern[p] == "**") {
            // `**` matches zero or more whole parts.
            if (p + 1 == pattern.size()) return true;
            for (size_t skip = t; skip <= path.size(); ++skip) {
                if (match_parts(pattern, p + 1, path, skip)) return true;
            }
            return false;
        }
        if (t >= path.size() || !match_part(pattern[p], path[t])) return false;
        ++p;
        ++t;
    }
    return t == path.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
    if (pattern.empty()) return false;
    bool anchored = pattern.find('/') != std::string_view::npos && pattern.find('/') != pattern.size() - 1;
    if (pattern.front() == '/') pattern.remove_prefix(1);
    // A trailing slash means "a folder": everything under it.
    std::string pattern_text(pattern);
    if (!pattern_text.empty() && pattern_text.back() == '/') pattern_text += "**";
    if (!anchored) pattern_text = "**/" + pattern_text;
    return match_parts(split(pattern_text), 0, split(path), 0);
}

}  // namespace greenlight::util
