// Markdown as the links check sees it: every link destination with its place, and every anchor a
// fragment may point at (GitHub heading slugs, HTML id/name).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace greenlight::hygiene {

struct MarkdownLink {
    enum class Kind { inline_link, image, reference, autolink, html_href, html_src };
    Kind kind = Kind::inline_link;
    std::string destination;  // as written, after entity and backslash unescaping (not percent-decoded)
    int line = 0;             // 1-based, of the destination in the source text
    int column = 0;           // 1-based
};

struct MarkdownDocument {
    std::vector<MarkdownLink> links;   // in source order
    std::vector<std::string> anchors;  // heading slugs (GitHub rules, duplicates suffixed) and HTML id/name values
};

// Reads one Markdown document (GitHub-flavoured). Never fails: text that is not a link is not a link.
MarkdownDocument scan_markdown(std::string_view text);

}  // namespace greenlight::hygiene
