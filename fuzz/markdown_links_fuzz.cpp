// libFuzzer target: any bytes are a Markdown document; scanning never fails, every link has a place inside
// the text, and a heading's anchor never contains what GitHub's slugs cannot (spaces, ASCII punctuation
// other than `-` and `_`).
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/hygiene/markdown.hpp"
#include "greenlight/hygiene/slug.hpp"

using namespace greenlight::hygiene;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const MarkdownDocument document = scan_markdown(input);
    const long lines = 1 + static_cast<long>(std::count(input.begin(), input.end(), '\n'));
    for (const MarkdownLink& link : document.links) {
        if (link.line < 1 || link.line > lines || link.column < 1) std::abort();
        if (link.column > static_cast<int>(size) + 1) std::abort();
    }
    const std::string slug = github_slug(input);
    for (const char character : slug) {
        const auto byte = static_cast<unsigned char>(character);
        if (byte < 0x80 && !std::isalnum(byte) && character != '-' && character != '_') std::abort();
    }
    return 0;
}
