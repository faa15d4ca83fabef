// GitHub's heading anchors: the slug github-slugger 2.0.0 computes from a heading's plain text, and the
// suffixes GitHub adds to repeated slugs within one document.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace greenlight::hygiene {

// The slug of one heading's plain text (UTF-8), without duplicate suffixes: lowercased, every character
// github-slugger removes (punctuation and symbols except `-` and `_`) removed, each space turned into `-`.
// Invalid UTF-8 bytes are dropped, as a browser would have replaced them by U+FFFD, a removed symbol.
std::string github_slug(std::string_view heading_text);

// Slugs for the headings of one document, in order: a slug already given gets `-1`, `-2`, ... appended
// until it is new, so `echo`, `echo`, `echo 1` give `echo`, `echo-1`, `echo-1-1` (github-slugger's rule).
class Slugger {
public:
    std::string slug(std::string_view heading_text);

private:
    // slug -> how many times a suffix was tried for it; presence means the slug was given out.
    std::unordered_map<std::string, int> m_occurrences;
};

}  // namespace greenlight::hygiene
