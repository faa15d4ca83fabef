#include "greenlight/hygiene/markdown.hpp"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include "greenlight/hygiene/slug.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

struct NamedEntity {
    const char* name;
    char32_t code_point;
};

// HTML 4's named character references (and `apos`): the ones Markdown authors write. HTML5 added ~2000
// more, which are left undecoded rather than carrying a table of them here.
constexpr NamedEntity k_named_entities[] = {
    {"AElig", 0xC6},     {"Aacute", 0xC1},   {"Acirc", 0xC2},    {"Agrave", 0xC0},   {"Alpha", 0x391},
    {"Aring", 0xC5},     {"Atilde", 0xC3},   {"Auml", 0xC4},     {"Beta", 0x392},    {"Ccedil", 0xC7},
    {"Chi", 0x3A7},      {"Dagger", 0x2021}, {"Delta", 0x394},   {"ETH", 0xD0},      {"Eacute", 0xC9},
    {"Ecirc", 0xCA},     {"Egrave", 0xC8},   {"Epsilon", 0x395}, {"Eta", 0x397},     {"Euml", 0xCB},
    {"Gamma", 0x393},    {"Iacute", 0xCD},   {"Icirc", 0xCE},    {"Igrave", 0xCC},   {"Iota", 0x399},
    {"Iuml", 0xCF},      {"Kappa", 0x39A},   {"Lambda", 0x39B},  {"Mu", 0x39C},      {"Ntilde", 0xD1},
    {"Nu", 0x39D},       {"OElig", 0x152},   {"Oacute", 0xD3},   {"Ocirc", 0xD4},    {"Ograve", 0xD2},
    {"Omega", 0x3A9},    {"Omicron", 0x39F}, {"Oslash", 0xD8},   {"Otilde", 0xD5},   {"Ouml", 0xD6},
    {"Phi", 0x3A6},      {"Pi", 0x3A0},      {"Prime", 0x2033},  {"Psi", 0x3A8},     {"Rho", 0x3A1},
    {"Scaron", 0x160},   {"Sigma", 0x3A3},   {"THORN", 0xDE},    {"Tau", 0x3A4},     {"Theta", 0x398},
    {"Uacute", 0xDA},    {"Ucirc", 0xDB},    {"Ugrave", 0xD9},   {"Upsilon", 0x3A5}, {"Uuml", 0xDC},
    {"Xi", 0x39E},       {"Yacute", 0xDD},   {"Yuml", 0x178},    {"Zeta", 0x396},    {"aacute", 0xE1},
    {"acirc", 0xE2},     {"acute", 0xB4},    {"aelig", 0xE6},    {"agrave", 0xE0},   {"alefsym", 0x2135},
    {"alpha", 0x3B1},    {"amp", 0x26},      {"and", 0x2227},    {"ang", 0x2220},    {"apos", 0x27},
    {"aring", 0xE5},     {"asymp", 0x2248},  {"atilde", 0xE3},   {"auml", 0xE4},     {"bdquo", 0x201E},
    {"beta", 0x3B2},     {"brvbar", 0xA6},   {"bull", 0x2022},   {"cap", 0x2229},    {"ccedil", 0xE7},
    {"cedil", 0xB8},     {"cent", 0xA2},     {"chi", 0x3C7},     {"circ", 0x2C6},    {"clubs", 0x2663},
    {"cong", 0x2245},    {"copy", 0xA9},     {"crarr", 0x21B5},  {"cup", 0x222A},    {"curren", 0xA4},
    {"dArr", 0x21D3},    {"dagger", 0x2020}, {"darr", 0x2193},   {"deg", 0xB0},      {"delta", 0x3B4},
    {"diams", 0x2666},   {"divide", 0xF7},   {"eacute", 0xE9},   {"ecirc", 0xEA},    {"egrave", 0xE8},
    {"empty", 0x2205},   {"emsp", 0x2003},   {"ensp", 0x2002},   {"epsilon", 0x3B5}, {"equiv", 0x2261},
    {"eta", 0x3B7},      {"eth", 0xF0},      {"euml", 0xEB},     {"euro", 0x20AC},   {"exist", 0x2203},
    {"fnof", 0x192},     {"forall", 0x2200}, {"frac12", 0xBD},   {"frac14", 0xBC},   {"frac34", 0xBE},
    {"frasl", 0x2044},   {"gamma", 0x3B3},   {"ge", 0x2265},     {"gt", 0x3E},       {"hArr", 0x21D4},
    {"harr", 0x2194},    {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED},   {"icirc", 0xEE},
    {"iexcl", 0xA1},     {"igrave", 0xEC},   {"image", 0x2111},  {"infin", 0x221E},  {"int", 0x222B},
    {"iota", 0x3B9},     {"iquest", 0xBF},   {"isin", 0x2208},   {"iuml", 0xEF},     {"kappa", 0x3BA},
    {"lArr", 0x21D0},    {"lambda", 0x3BB},  {"lang", 0x2329},   {"laquo", 0xAB},    {"larr", 0x2190},
    {"lceil", 0x2308},   {"ldquo", 0x201C},  {"le", 0x2264},     {"lfloor", 0x230A}, {"lowast", 0x2217},
    {"loz", 0x25CA},     {"lrm", 0x200E},    {"lsaquo", 0x2039}, {"lsquo", 0x2018},  {"lt", 0x3C},
    {"macr", 0xAF},      {"mdash", 0x2014},  {"micro", 0xB5},    {"middot", 0xB7},   {"minus", 0x2212},
    {"mu", 0x3BC},       {"nabla", 0x2207},  {"nbsp", 0xA0},     {"ndash", 0x2013},  {"ne", 0x2260},
    {"ni", 0x220B},      {"not", 0xAC},      {"notin", 0x2209},  {"nsub", 0x2284},   {"ntilde", 0xF1},
    {"nu", 0x3BD},       {"oacute", 0xF3},   {"ocirc", 0xF4},    {"oelig", 0x153},   {"ograve", 0xF2},
    {"oline", 0x203E},   {"omega", 0x3C9},   {"omicron", 0x3BF}, {"oplus", 0x2295},  {"or", 0x2228},
    {"ordf", 0xAA},      {"ordm", 0xBA},     {"oslash", 0xF8},   {"otilde", 0xF5},   {"otimes", 0x2297},
    {"ouml", 0xF6},      {"para", 0xB6},     {"part", 0x2202},   {"permil", 0x2030}, {"perp", 0x22A5},
    {"phi", 0x3C6},      {"pi", 0x3C0},      {"piv", 0x3D6},     {"plusmn", 0xB1},   {"pound", 0xA3},
    {"prime", 0x2032},   {"prod", 0x220F},   {"prop", 0x221D},   {"psi", 0x3C8},     {"quot", 0x22},
    {"rArr", 0x21D2},    {"radic", 0x221A},  {"rang", 0x232A},   {"raquo", 0xBB},    {"rarr", 0x2192},
    {"rceil", 0x2309},   {"rdquo", 0x201D},  {"real", 0x211C},   {"reg", 0xAE},      {"rfloor", 0x230B},
    {"rho", 0x3C1},      {"rlm", 0x200F},    {"rsaquo", 0x203A}, {"rsquo", 0x2019},  {"sbquo", 0x201A},
    {"scaron", 0x161},   {"sdot", 0x22C5},   {"sect", 0xA7},     {"shy", 0xAD},      {"sigma", 0x3C3},
    {"sigmaf", 0x3C2},   {"sim", 0x223C},    {"spades", 0x2660}, {"sub", 0x2282},    {"sube", 0x2286},
    {"sum", 0x2211},     {"sup", 0x2283},    {"sup1", 0xB9},     {"sup2", 0xB2},     {"sup3", 0xB3},
    {"supe", 0x2287},    {"szlig", 0xDF},    {"tau", 0x3C4},     {"there4", 0x2234}, {"theta", 0x3B8},
    {"thetasym", 0x3D1}, {"thinsp", 0x2009}, {"thorn", 0xFE},    {"tilde", 0x2DC},   {"times", 0xD7},
    {"trade", 0x2122},   {"uArr", 0x21D1},   {"uacute", 0xFA},   {"uarr", 0x2191},   {"ucirc", 0xFB},
    {"ugrave", 0xF9},    {"uml", 0xA8},      {"upsih", 0x3D2},   {"upsilon", 0x3C5}, {"uuml", 0xFC},
    {"weierp", 0x2118},  {"xi", 0x3BE},      {"yacute", 0xFD},   {"yen", 0xA5},      {"yuml", 0xFF},
    {"zeta", 0x3B6},     {"zwj", 0x200D},    {"zwnj", 0x200C},
};

// `&amp;`, `&#123;`, `&#x7B;` to the character; an unknown or malformed reference stays as written.
void append_entity(std::string& out, std::string_view entity) {
    if (entity.size() < 3 || entity.front() != '&' || entity.back() != ';') {
        out += entity;
        return;
    }
    const std::string_view body = entity.substr(1, entity.size() - 2);
    if (body.starts_with('#')) {
        const bool hexadecimal = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
        const std::string_view digits = body.substr(hexadecimal ? 2 : 1);
        if (digits.empty() || digits.size() > 7) {
            out += entity;
            return;
        }
        char32_t value = 0;
        for (const char digit : digits) {
            int digit_value = -1;
            if (digit >= '0' && digit <= '9') digit_value = digit - '0';
            if (hexadecimal && digit >= 'a' && digit <= 'f') digit_value = digit - 'a' + 10;
            if (hexadecimal && digit >= 'A' && digit <= 'F') digit_value = digit - 'A' + 10;
            if (digit_value < 0) {
                out += entity;
                return;
            }
            value = value * (hexadecimal ? 16 : 10) + static_cast<char32_t>(digit_value);
        }
        // As CommonMark says: NUL, surrogates and values past Unicode become U+FFFD.
        if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) value = 0xFFFD;
        util::append_utf8(out, value);
        return;
    }
    for (const NamedEntity& named : k_named_entities) {
        if (body == named.name) {
            util::append_utf8(out, named.code_point);
            return;
        }
    }
    out += entity;
}

// Replaces the character references in an HTML attribute value.
std::string decode_entities(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    size_t index = 0;
    while (index < text.size()) {
        const size_t ampersand = text.find('&', index);
        if (ampersand == std::string_view::npos) break;
        decoded += text.substr(index, ampersand - index);
        const size_t semicolon = text.find(';', ampersand);
        // References are short; a far-away `;` belongs to something else.
        if (semicolon == std::string_view::npos || semicolon - ampersand > 32) {
            decoded += '&';
            index = ampersand + 1;
            continue;
        }
        append_entity(decoded, text.substr(ampersand, semicolon - ampersand + 1));
        index = semicolon + 1;
    }
    decoded += text.substr(index);
    return decoded;
}

bool is_html_space(char character) {
    return character == ' ' || character == '\t' || character == '\n' || character == '\r' || character == '\f';
}

char ascii_lower(char character) {
    return character >= 'A' && character <= 'Z' ? static_cast<char>(character - 'A' + 'a') : character;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view candidate) { return equals_ignoring_case(name, candidate); });
}

bool is_ascii_letter_or_digit(char character) {
    return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
           (character >= '0' && character <= '9');
}

// A link destination as cmark reads one: character references first, then backslash escapes.
std::string decode_destination(std::string_view written) {
    while (!written.empty() && is_html_space(written.front())) written.remove_prefix(1);
    while (!written.empty() && is_html_space(written.back())) written.remove_suffix(1);
    const std::string referenced = decode_entities(written);
    std::string decoded;
    decoded.reserve(referenced.size());
    for (size_t index = 0; index < referenced.size(); ++index) {
        const bool escape = referenced[index] == '\\' && index + 1 < referenced.size() &&
                            std::ispunct(static_cast<unsigned char>(referenced[index + 1]));
        if (escape) ++index;
        decoded += referenced[index];
    }
    return decoded;
}

// Whether what was written for a link's text or destination can read as `text` (what cmark made of it): the
// letters and digits of `text` appear in it in order. Enough to tell a link's own brackets from others before it.
bool could_read_as(std::string_view written, std::string_view text) {
    size_t index = 0;
    for (const char character : text) {
        if (!is_ascii_letter_or_digit(character)) continue;
        index = written.find(character, index);
        if (index == std::string_view::npos) return false;
        ++index;
    }
    return true;
}

// 1-based lines and columns (in bytes, as util::text_position counts) of offsets in one text, found by binary
// search over the line starts so that a document with many links is not scanned once per link.
class LineIndex {
public:
    explicit LineIndex(std::string_view text) : m_text(text) {
        m_line_starts.push_back(0);
        for (size_t index = 0; index < text.size(); ++index) {
            if (text[index] == '\n') m_line_starts.push_back(index + 1);
        }
    }

    std::pair<int, int> position(size_t offset) const {
        const auto next_line = std::upper_bound(m_line_starts.begin(), m_line_starts.end(), offset);
        const size_t line_index = static_cast<size_t>(next_line - m_line_starts.begin()) - 1;
        return {static_cast<int>(line_index) + 1, static_cast<int>(offset - m_line_starts[line_index]) + 1};
    }

    // Where a line starts; past the last line, the end of the text.
    size_t line_begin(int line) const {
        const auto index = static_cast<size_t>(std::max(line, 1) - 1);
        return index < m_line_starts.size() ? m_line_starts[index] : m_text.size();
    }

    // Just past a line's end (its newline included).
    size_t line_end(int line) const { return line_begin(line + 1); }

    // A line without its line ending.
    std::string_view line_text(int line) const {
        std::string_view text = m_text.substr(line_begin(line), line_end(line) - line_begin(line));
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
        return text;
    }

    // The offset of a 1-based line and column, kept within the line.
    size_t offset(int line, int column) const {
        return line_begin(line) + std::min(static_cast<size_t>(std::max(column, 1) - 1), line_text(line).size());
    }

private:
    std::string_view m_text;
    std::vector<size_t> m_line_starts;
};

// Where the lines of a node's literal text (raw HTML) were written: each line's first non-blank character
// and its offset in the source.
class LiteralPlacement {
public:
    void add_line(size_t literal_offset, size_t source_offset) { m_lines.push_back({literal_offset, source_offset}); }

    size_t source_offset(size_t literal_offset) const {
        auto line = std::upper_bound(m_lines.begin(), m_lines.end(), literal_offset,
                                     [](size_t offset, const Line& candidate) { return offset < candidate.literal; });
        if (line != m_lines.begin()) --line;
        if (line == m_lines.end()) return 0;
        return literal_offset >= line->literal ? line->source + (literal_offset - line->literal) : line->source;
    }

private:
    struct Line {
        size_t literal;
        size_t source;
    };
    std::vector<Line> m_lines;
};

template <typename T, void (*release)(T*)>
struct CmarkRelease {
    void operator()(T* object) const { release(object); }
};
using CmarkNode = std::unique_ptr<cmark_node, CmarkRelease<cmark_node, cmark_node_free>>;
using CmarkParser = std::unique_ptr<cmark_parser, CmarkRelease<cmark_parser, cmark_parser_free>>;
using CmarkIterator = std::unique_ptr<cmark_iter, CmarkRelease<cmark_iter, cmark_iter_free>>;

// The document as GitHub reads it: CommonMark with GitHub's tables, task lists, strikethrough, bare autolinks and
// footnotes.
CmarkNode parse_github_markdown(std::string_view text) {
    // cmark-gfm keeps its extensions in a process-wide registry and switches their inline characters on and off
    // in a process-wide table around each parse: one parse at a time.
    static std::mutex parse_mutex;
    const std::lock_guard lock(parse_mutex);
    cmark_gfm_core_extensions_ensure_registered();
    const CmarkParser parser(cmark_parser_new(CMARK_OPT_FOOTNOTES));
    for (const char* name : {"table", "tasklist", "strikethrough", "autolink"}) {
        if (cmark_syntax_extension* extension = cmark_find_syntax_extension(name)) {
            cmark_parser_attach_syntax_extension(parser.get(), extension);
        }
    }
    cmark_parser_feed(parser.get(), text.data(), text.size());
    return CmarkNode(cmark_parser_finish(parser.get()));
}

std::string_view literal_of(cmark_node* node) {
    const char* literal = cmark_node_get_literal(node);
    return literal != nullptr ? std::string_view(literal) : std::string_view();
}

std::string url_of(cmark_node* node) {
    const char* url = cmark_node_get_url(node);
    return url != nullptr ? std::string(url) : std::string();
}

// The text a link or image shows (an image's alternative text), markup left out.
std::string plain_text_of(cmark_node* node) {
    std::string text;
    const CmarkIterator iterator(cmark_iter_new(node));
    while (cmark_iter_next(iterator.get()) != CMARK_EVENT_DONE) {
        cmark_node* descendant = cmark_iter_get_node(iterator.get());
        const cmark_node_type type = cmark_node_get_type(descendant);
        if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) text += literal_of(descendant);
    }
    return text;
}

// The text of an autolink (`<https://...>`, a bare `www.` address, URL or e-mail address), which is written in
// the source as it is; nullopt for any other link.
std::optional<std::string> autolink_text_of(cmark_node* link, std::string_view url) {
    cmark_node* child = cmark_node_first_child(link);
    if (child == nullptr || cmark_node_next(child) != nullptr || cmark_node_get_type(child) != CMARK_NODE_TEXT) {
        return std::nullopt;
    }
    const std::string text(literal_of(child));
    if (text.empty()) return std::nullopt;
    if (url == text || url == "mailto:" + text || url == "http://" + text) return text;
    return std::nullopt;
}

// A link or image the walk has entered and not yet left, with where it was written.
struct OpenLink {
    bool image = false;
    bool found = false;  // found as written; otherwise placed where cmark says
    MarkdownLink::Kind kind = MarkdownLink::Kind::inline_link;
    size_t opener = 0;  // its `[`, `![`, `<` or first character
    size_t place = 0;   // where it is reported: the destination, or a reference's `[`
    size_t end = 0;     // just past what was written for it
};

// What a link node is looked for by in the source.
struct WantedLink {
    bool image = false;
    std::string url;
    std::string text;                          // its text (an image's alternative text)
    std::optional<std::string> autolink_text;  // set for an autolink
};

// An inline link's `(destination "title")` as written.
struct InlineDestination {
    size_t place = 0;
    std::string url;  // decoded as cmark decodes it
    size_t end = 0;   // just past the `)`
};

// Walks cmark's tree of one document, collecting links, heading slugs and HTML anchors. cmark tells where each
// block was written, but not reliably where an inline was (its columns skip what a paragraph line's indentation
// took, its lines skip a backslash line break), so each link and piece of HTML is found in its block's source,
// in order, from a cursor that moves past each one found.
class Scanner {
public:
    explicit Scanner(std::string_view text) : m_text(text), m_lines(text) {}

    MarkdownDocument scan() {
        const CmarkNode document = parse_github_markdown(m_text);
        const CmarkIterator iterator(cmark_iter_new(document.get()));
        cmark_event_type event = CMARK_EVENT_NONE;
        while ((event = cmark_iter_next(iterator.get())) != CMARK_EVENT_DONE) {
            cmark_node* node = cmark_iter_get_node(iterator.get());
            if (event == CMARK_EVENT_ENTER) enter(node);
            if (event == CMARK_EVENT_EXIT) leave(node);
        }
        // cmark moves footnote definitions to the end of the document.
        std::stable_sort(m_document.links.begin(), m_document.links.end(),
                         [](const MarkdownLink& a, const MarkdownLink& b) {
                             return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                         });
        return std::move(m_document);
    }

private:
    // How far past the cursor a link is looked for: one cmark built from syntax this scan does not follow gets
    // cmark's own place instead, without a search through all of a huge paragraph for each.
    static constexpr size_t k_search_window = size_t{32} * 1024;

    void enter(cmark_node* node) {
        const cmark_node_type type = cmark_node_get_type(node);
        if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK) enter_block(node);
        switch (type) {
            case CMARK_NODE_HEADING:
                m_in_heading = true;
                m_heading_text.clear();
                break;
            case CMARK_NODE_HTML_BLOCK:
                scan_html(literal_of(node), place_literal(literal_of(node), cmark_node_get_start_line(node), {}));
                break;
            case CMARK_NODE_HTML_INLINE:
                scan_inline_html(node);
                break;
            case CMARK_NODE_LINK:
            case CMARK_NODE_IMAGE:
                m_open_links.push_back(find_link(node, type == CMARK_NODE_IMAGE));
                // What the link's text holds comes after its opener.
                if (m_open_links.back().found) m_cursor = std::max(m_cursor, m_open_links.back().opener + 1);
                break;
            case CMARK_NODE_TEXT:
            case CMARK_NODE_CODE:
            case CMARK_NODE_FOOTNOTE_REFERENCE:  // its number, as GitHub shows it
                add_heading_text(literal_of(node));
                break;
            case CMARK_NODE_SOFTBREAK:
            case CMARK_NODE_LINEBREAK:
                add_heading_text("\n");
                break;
            default:
                break;
        }
    }

    void leave(cmark_node* node) {
        const cmark_node_type type = cmark_node_get_type(node);
        if (type == CMARK_NODE_HEADING) {
            m_in_heading = false;
            m_document.anchors.push_back(m_slugger.slug(m_heading_text));
        }
        if ((type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) && !m_open_links.empty()) {
            const OpenLink link = m_open_links.back();
            m_open_links.pop_back();
            add_link(link.kind, url_of(node), link.place);
            // For a link not found as written, cmark's line is no later than the line the link ends on (it is
            // early after a backslash line break, and the last line of a link that spans lines): what follows
            // the link is not before that line.
            const size_t resume = link.found ? link.end : m_lines.line_begin(m_lines.position(link.place).first);
            m_cursor = std::max(m_cursor, resume);
        }
    }

    // A block's inlines are looked for in the lines it was written on.
    void enter_block(cmark_node* block) {
        const int first_line = cmark_node_get_start_line(block);
        if (first_line <= 0) return;
        m_block_begin = m_cursor = m_lines.offset(first_line, cmark_node_get_start_column(block));
        m_limit = m_lines.line_end(std::max(first_line, cmark_node_get_end_line(block)));
        m_brackets_matched = false;
    }

    // GitHub slugs the heading's text content, and an image contributes no text there (its alt is an
    // attribute); raw HTML is markup, not text.
    void add_heading_text(std::string_view text) {
        const bool in_alternative_text =
            std::any_of(m_open_links.begin(), m_open_links.end(), [](const OpenLink& link) { return link.image; });
        if (m_in_heading && !in_alternative_text) m_heading_text += text;
    }

    void add_link(MarkdownLink::Kind kind, std::string destination, size_t offset) {
        MarkdownLink link;
        link.kind = kind;
        link.destination = std::move(destination);
        std::tie(link.line, link.column) = m_lines.position(std::min(offset, m_text.size()));
        m_document.links.push_back(std::move(link));
    }

    // Where cmark itself placed a node, for one not found as written.
    size_t place_by_cmark(cmark_node* node) const {
        const int line = cmark_node_get_start_line(node);
        return line > 0 ? m_lines.offset(line, cmark_node_get_start_column(node)) : m_cursor;
    }

    size_t search_limit() const { return std::min(m_limit, m_cursor + k_search_window); }

    // Past a code span starting at `at`, or past its backticks when they close nothing (then they are text).
    size_t skip_code_span(size_t at, size_t limit) const {
        size_t run_end = at;
        while (run_end < limit && m_text[run_end] == '`') ++run_end;
        const size_t run = run_end - at;
        for (size_t next = m_text.find('`', run_end); next < limit; next = m_text.find('`', next)) {
            size_t next_end = next;
            while (next_end < limit && m_text[next_end] == '`') ++next_end;
            if (next_end - next == run) return next_end;
            next = next_end;
        }
        return run_end;
    }

    // The next place a construct may start after `at`: escapes and code spans hold none.
    size_t next_candidate(size_t at, size_t limit) const {
        if (m_text[at] == '\\') return at + 2;
        if (m_text[at] == '`') return skip_code_span(at, limit);
        return at + 1;
    }

    // The `]` that closes each `[` of the current block, matched once per block.
    void match_brackets() {
        m_closing_brackets.assign(m_limit - m_block_begin, std::string_view::npos);
        std::vector<size_t> open;
        for (size_t at = m_block_begin; at < m_limit; at = next_candidate(at, m_limit)) {
            if (m_text[at] == '[') open.push_back(at);
            if (m_text[at] == ']' && !open.empty()) {
                m_closing_brackets[open.back() - m_block_begin] = at;
                open.pop_back();
            }
        }
        m_brackets_matched = true;
    }

    std::optional<size_t> closing_bracket(size_t open, size_t limit) {
        if (!m_brackets_matched) match_brackets();
        if (open < m_block_begin || open >= m_limit) return std::nullopt;
        const size_t close = m_closing_brackets[open - m_block_begin];
        return close < limit ? std::optional<size_t>(close) : std::nullopt;
    }

    size_t skip_spaces(size_t at, size_t limit) const {
        while (at < limit && is_html_space(m_text[at])) ++at;
        return at;
    }

    // Reads `(destination "title")` from its `(`.
    std::optional<InlineDestination> inline_destination(size_t parenthesis, size_t limit) const {
        size_t at = skip_spaces(parenthesis + 1, limit);
        InlineDestination destination;
        destination.place = at;
        if (at < limit && m_text[at] == '<') {
            destination.place = ++at;
            while (at < limit && m_text[at] != '>') {
                if (m_text[at] == '\n' || m_text[at] == '<') return std::nullopt;
                at += m_text[at] == '\\' ? 2 : 1;
            }
            if (at >= limit) return std::nullopt;
            destination.url = decode_destination(m_text.substr(destination.place, at - destination.place));
            ++at;
        } else {
            int depth = 0;
            for (; at<limit&& static_cast<unsigned char>(m_text[at])> ' '; ++at) {
                if (m_text[at] == '\\' && at + 1 < limit && std::ispunct(static_cast<unsigned char>(m_text[at + 1]))) {
                    ++at;
                } else if (m_text[at] == '(') {
                    ++depth;
                } else if (m_text[at] == ')' && depth-- == 0) {
                    break;
                }
            }
            destination.url = decode_destination(m_text.substr(destination.place, at - destination.place));
        }
        at = skip_spaces(at, limit);
        if (at < limit && (m_text[at] == '"' || m_text[at] == '\'' || m_text[at] == '(')) {
            const char closing = m_text[at] == '(' ? ')' : m_text[at];
            for (++at; at < limit && m_text[at] != closing; ++at) {
                if (m_text[at] == '\\') ++at;
            }
            at = skip_spaces(at + 1, limit);
        }
        if (at >= limit || m_text[at] != ')') return std::nullopt;
        destination.end = at + 1;
        return destination;
    }

    // Whether the text between the brackets at `open` and `close` holds an inline link (not an image): then those
    // brackets are no link, as a link holds no other.
    bool holds_inline_link(size_t open, size_t close) {
        for (size_t at = open + 1; at < close; at = next_candidate(at, close)) {
            if (m_text[at] == '!' && at + 1 < close && m_text[at + 1] == '[') {
                ++at;
                continue;
            }
            if (m_text[at] != '[') continue;
            const std::optional<size_t> inner_close = closing_bracket(at, close);
            if (inner_close && m_text[*inner_close + 1] == '(' && inline_destination(*inner_close + 1, close)) {
                return true;
            }
        }
        return false;
    }

    // A link or image whose text opens with the `[` at `open` and can be the node's: inline when a
    // `(destination)` that can be its URL follows, a reference otherwise. "Can be": the letters and digits of the
    // node's text and URL appear in what was written, in order; character references aside (HTML5 has two
    // thousand), nothing written reads differently. The cheap tests come first: a search passes many brackets.
    std::optional<OpenLink> bracketed_link(size_t open, const WantedLink& wanted) {
        const size_t limit = search_limit();
        const std::optional<size_t> close = closing_bracket(open, limit);
        if (!close) return std::nullopt;
        OpenLink link;
        link.image = wanted.image;
        link.found = true;
        link.opener = wanted.image ? open - 1 : open;
        link.end = *close + 1;
        if (link.end < m_text.size() && m_text[link.end] == '(') {
            // Brackets before a `(` that opens no destination here (past the search, or a shortcut reference
            // followed by text in parentheses) are left to cmark's place.
            const std::optional<InlineDestination> destination = inline_destination(link.end, limit);
            if (!destination || !could_read_as(destination->url, wanted.url)) return std::nullopt;
            link.kind = wanted.image ? MarkdownLink::Kind::image : MarkdownLink::Kind::inline_link;
            link.place = destination->place;
            link.end = destination->end;
        } else {
            // [text][label], [text][] or [text], reported where it is used. A label holds at most 999
            // characters, and in the last two forms the text is the label.
            std::optional<size_t> label_end;
            if (link.end < limit && m_text[link.end] == '[') label_end = closing_bracket(link.end, limit);
            const bool text_is_label = !label_end || *label_end == link.end + 1;
            if (text_is_label && *close - open > 1000) return std::nullopt;
            if (label_end) link.end = *label_end + 1;
            link.kind = wanted.image ? MarkdownLink::Kind::image : MarkdownLink::Kind::reference;
            link.place = open;
        }
        const std::string_view text = m_text.substr(open + 1, *close - open - 1);
        if (!could_read_as(text, wanted.text) || (!wanted.image && holds_inline_link(open, *close))) {
            return std::nullopt;
        }
        return link;
    }

    // An autolink written at `at`: `<text>`, or the bare text.
    std::optional<OpenLink> autolink_at(size_t at, std::string_view text) const {
        const std::string_view rest = m_text.substr(at);
        OpenLink link;
        link.found = true;
        link.kind = MarkdownLink::Kind::autolink;
        link.opener = at;
        if (rest.starts_with('<') && rest.substr(1).starts_with(text) &&
            rest.substr(1 + text.size()).starts_with('>')) {
            link.place = at + 1;
            link.end = at + text.size() + 2;
            return link;
        }
        if (!rest.starts_with(text)) return std::nullopt;
        link.place = at;
        link.end = at + text.size();
        return link;
    }

    std::optional<OpenLink> find_written_link(const WantedLink& wanted) {
        const size_t limit = search_limit();
        for (size_t at = m_cursor; at < limit; at = next_candidate(at, limit)) {
            const bool image_opener = m_text[at] == '!' && at + 1 < limit && m_text[at + 1] == '[';
            std::optional<OpenLink> found;
            if (wanted.image && image_opener) found = bracketed_link(at + 1, wanted);
            if (!wanted.image && !image_opener && m_text[at] == '[') found = bracketed_link(at, wanted);
            if (!found && wanted.autolink_text) found = autolink_at(at, *wanted.autolink_text);
            if (found) return found;
            if (image_opener) ++at;  // `![` opens an image only, never a link at its `[`
        }
        return std::nullopt;
    }

    OpenLink find_link(cmark_node* node, bool image) {
        WantedLink wanted;
        wanted.image = image;
        wanted.url = url_of(node);
        wanted.text = plain_text_of(node);
        if (!image) wanted.autolink_text = autolink_text_of(node, wanted.url);
        if (std::optional<OpenLink> found = find_written_link(wanted)) return *found;
        OpenLink link;
        link.image = image;
        link.kind = image ? MarkdownLink::Kind::image : MarkdownLink::Kind::inline_link;
        link.opener = link.place = link.end = place_by_cmark(node);
        return link;
    }

    // Where each line of a literal was written. cmark keeps a line's text but not what containers (`>`, list
    // indentation) took from its start, so a line is found as the end of its source line, leading blanks aside,
    // or else (the last line of inline HTML) as the first place in it that reads the same; the first line at
    // `first_offset` when that is known.
    LiteralPlacement place_literal(std::string_view literal, int first_line, std::optional<size_t> first_offset) const {
        LiteralPlacement placement;
        size_t line_start = 0;
        for (int line = std::max(first_line, 1);; ++line) {
            const size_t line_end = std::min(literal.find('\n', line_start), literal.size());
            std::string_view text = literal.substr(line_start, line_end - line_start);
            if (text.ends_with('\r')) text.remove_suffix(1);
            size_t blank = 0;
            while (blank < text.size() && (text[blank] == ' ' || text[blank] == '\t')) ++blank;
            const std::string_view content = text.substr(blank);
            const std::string_view source_line = m_lines.line_text(line);
            size_t source = m_lines.line_begin(line) + std::min(blank, source_line.size());
            if (line == first_line && first_offset) {
                source = *first_offset + blank;
            } else if (source_line.ends_with(content)) {
                source = m_lines.line_begin(line) + source_line.size() - content.size();
            } else if (const size_t found = source_line.find(content); found != std::string_view::npos) {
                source = m_lines.line_begin(line) + found;
            }
            placement.add_line(line_start + blank, source);
            if (line_end >= literal.size()) break;
            line_start = line_end + 1;
        }
        return placement;
    }

    // Inline HTML (one tag, a comment, ...) is found as written by its first line.
    void scan_inline_html(cmark_node* node) {
        const std::string_view html = literal_of(node);
        if (html.empty()) return;
        const std::string_view first_line = html.substr(0, html.find('\n'));
        std::optional<size_t> found;
        const size_t limit = search_limit();
        for (size_t at = m_cursor; at < limit && !found; at = next_candidate(at, limit)) {
            if (m_text.substr(at).starts_with(first_line)) found = at;
        }
        const size_t start = found.value_or(place_by_cmark(node));
        const LiteralPlacement placement = place_literal(html, m_lines.position(start).first, start);
        scan_html(html, placement);
        if (found) m_cursor = std::max(m_cursor, placement.source_offset(html.size() - 1) + 1);
    }

    void scan_html(std::string_view html, const LiteralPlacement& placement) {
        size_t index = 0;
        while ((index = html.find('<', index)) != std::string_view::npos) {
            if (html.substr(index).starts_with("<!--")) {
                const size_t end = html.find("-->", index + 4);
                if (end == std::string_view::npos) return;
                index = end + 3;
                continue;
            }
            ++index;
            const size_t name_begin = index;
            while (index < html.size() &&
                   (std::isalnum(static_cast<unsigned char>(html[index])) || html[index] == '-')) {
                ++index;
            }
            if (index == name_begin) continue;  // `</a>`, `<!DOCTYPE`, a lone `<`
            index = scan_attributes(html, index, html.substr(name_begin, index - name_begin), placement);
        }
    }

    // Reads the attributes of one start tag; returns where the tag ends.
    size_t scan_attributes(std::string_view html, size_t index, std::string_view tag,
                           const LiteralPlacement& placement) {
        while (index < html.size()) {
            while (index < html.size() && (is_html_space(html[index]) || html[index] == '/')) ++index;
            if (index >= html.size() || html[index] == '>' || html[index] == '<') return index;
            const size_t name_begin = index;
            while (index < html.size() && !is_html_space(html[index]) && html[index] != '=' && html[index] != '>' &&
                   html[index] != '/' && html[index] != '<') {
                ++index;
            }
            const std::string_view name = html.substr(name_begin, index - name_begin);
            if (name.empty()) {
                ++index;
                continue;
            }
            size_t after_name = index;
            while (after_name < html.size() && is_html_space(html[after_name])) ++after_name;
            if (after_name >= html.size() || html[after_name] != '=') continue;  // an attribute without a value
            index = after_name + 1;
            while (index < html.size() && is_html_space(html[index])) ++index;
            size_t value_begin = index;
            size_t value_end = index;
            if (index < html.size() && (html[index] == '"' || html[index] == '\'')) {
                const char quote = html[index];
                value_begin = index + 1;
                value_end = html.find(quote, value_begin);
                if (value_end == std::string_view::npos) return html.size();
                index = value_end + 1;
            } else {
                while (index < html.size() && !is_html_space(html[index]) && html[index] != '>') ++index;
                value_end = index;
            }
            const std::string_view value = html.substr(value_begin, value_end - value_begin);
            record_attribute(tag, name, value, placement.source_offset(value_begin));
        }
        return index;
    }

    void record_attribute(std::string_view tag, std::string_view name, std::string_view value, size_t offset) {
        if (equals_ignoring_case(name, "href") && is_one_of(tag, {"a", "area", "link"})) {
            add_link(MarkdownLink::Kind::html_href, decode_entities(value), offset);
        } else if (equals_ignoring_case(name, "src") &&
                   is_one_of(tag, {"img", "source", "video", "audio", "iframe", "embed", "track", "script"})) {
            add_link(MarkdownLink::Kind::html_src, decode_entities(value), offset);
        } else if (equals_ignoring_case(name, "id") || (equals_ignoring_case(name, "name") && is_one_of(tag, {"a"}))) {
            if (!value.empty()) m_document.anchors.push_back(decode_entities(value));
        }
    }

    std::string_view m_text;
    LineIndex m_lines;
    MarkdownDocument m_document;
    Slugger m_slugger;
    bool m_in_heading = false;
    std::string m_heading_text;
    std::vector<OpenLink> m_open_links;
    size_t m_block_begin = 0;                // where the current block starts
    size_t m_cursor = 0;                     // where the next inline of the current block is looked for
    size_t m_limit = 0;                      // the end of the current block's lines
    std::vector<size_t> m_closing_brackets;  // by offset from m_block_begin: the matching `]`, or npos
    bool m_brackets_matched = false;
};

}  // namespace

MarkdownDocument scan_markdown(std::string_view text) {
    return Scanner(text).scan();
}

}  // namespace greenlight::hygiene
