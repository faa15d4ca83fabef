#include "greenlight/util/strings.hpp"
#include "greenlight/hygiene/markdown.hpp"

#include <md4c.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <tuple>

#include "greenlight/hygiene/slug.hpp"

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

// 1-based line and column (in bytes, as util::text_position counts) of offsets in one text, found by
// binary search over the line starts so that a document with many links is not scanned once per link.
class LineIndex {
public:
    explicit LineIndex(std::string_view text) {
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

private:
    std::vector<size_t> m_line_starts;
};

// A link or image span md4c has entered and not yet left.
struct OpenLink {
    bool image = false;
    std::string destination;
    const char* destination_in_source = nullptr;  // null when md4c had to copy it (escapes, entities)
    const char* text_begin = nullptr;             // the link text's first and last characters seen so far
    const char* text_end = nullptr;
};

// Walks one document with md4c, collecting links, heading slugs and HTML anchors.
class Scanner {
public:
    explicit Scanner(std::string_view text)
        : m_buffer(padded(text)), m_text(m_buffer.data(), text.size()), m_lines(m_text) {}

    MarkdownDocument scan() {
        MD_PARSER parser{};
        parser.abi_version = 0;
        parser.flags = MD_DIALECT_GITHUB;
        parser.enter_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
            return static_cast<Scanner*>(self)->enter_block(type, detail);
        };
        parser.leave_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
            return static_cast<Scanner*>(self)->leave_block(type, detail);
        };
        parser.enter_span = [](MD_SPANTYPE type, void* detail, void* self) {
            return static_cast<Scanner*>(self)->enter_span(type, detail);
        };
        parser.leave_span = [](MD_SPANTYPE type, void* detail, void* self) {
            return static_cast<Scanner*>(self)->leave_span(type, detail);
        };
        parser.text = [](MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self) {
            return static_cast<Scanner*>(self)->text(type, text, size);
        };
        // md4c only fails on out-of-memory; what it gathered until then is still the best answer.
        (void)md_parse(m_text.data(), static_cast<MD_SIZE>(m_text.size()), &parser, this);
        flush_html();
        return std::move(m_document);
    }

private:
    bool in_source(const char* pointer) const {
        return pointer != nullptr && pointer >= m_text.data() && pointer < m_text.data() + m_text.size();
    }

    size_t offset_of(const char* pointer) const { return static_cast<size_t>(pointer - m_text.data()); }

    void add_link(MarkdownLink::Kind kind, std::string destination, size_t offset) {
        MarkdownLink link;
        link.kind = kind;
        link.destination = std::move(destination);
        std::tie(link.line, link.column) = m_lines.position(std::min(offset, m_text.size()));
        m_document.links.push_back(std::move(link));
    }

    int enter_block(MD_BLOCKTYPE type, void*) {
        flush_html();
        if (type == MD_BLOCK_H) {
            m_in_heading = true;
            m_heading_text.clear();
        }
        return 0;
    }

    int leave_block(MD_BLOCKTYPE type, void*) {
        flush_html();
        if (type == MD_BLOCK_H) {
            m_in_heading = false;
            m_document.anchors.push_back(m_slugger.slug(m_heading_text));
        }
        return 0;
    }

    int enter_span(MD_SPANTYPE type, void* detail) {
        flush_html();
        if (type == MD_SPAN_A || type == MD_SPAN_IMG) {
            const MD_ATTRIBUTE& destination = type == MD_SPAN_A ? static_cast<MD_SPAN_A_DETAIL*>(detail)->href
                                                                : static_cast<MD_SPAN_IMG_DETAIL*>(detail)->src;
            OpenLink link;
            link.image = type == MD_SPAN_IMG;
            link.destination = attribute_text(destination);
            if (destination.size > 0 && in_source(destination.text)) link.destination_in_source = destination.text;
            m_open_links.push_back(std::move(link));
        }
        return 0;
    }

    int leave_span(MD_SPANTYPE type, void*) {
        flush_html();
        if ((type == MD_SPAN_A || type == MD_SPAN_IMG) && !m_open_links.empty()) {
            OpenLink link = std::move(m_open_links.back());
            m_open_links.pop_back();
            finish_link(link);
            // The outer link's text includes this one's.
            if (!m_open_links.empty() && link.text_end != nullptr) {
                OpenLink& outer = m_open_links.back();
                if (outer.text_begin == nullptr) outer.text_begin = link.text_begin;
                outer.text_end = link.text_end;
            }
        }
        return 0;
    }

    int text(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size) {
        if (type == MD_TEXT_HTML) {
            collect_html(text, size);
            return 0;
        }
        flush_html();
        if (in_source(text) && size > 0) {
            m_last_text = text;
            for (OpenLink& link : m_open_links) {
                if (link.text_begin == nullptr) link.text_begin = text;
                link.text_end = text + size;
            }
        }
        const bool in_alternative_text =
            std::any_of(m_open_links.begin(), m_open_links.end(), [](const OpenLink& link) { return link.image; });
        // GitHub slugs the heading's text content, and an image contributes no text there (its alt is
        // an attribute).
        if (!m_in_heading || in_alternative_text) return 0;
        switch (type) {
            case MD_TEXT_ENTITY:
                append_entity(m_heading_text, std::string_view(text, size));
                break;
            case MD_TEXT_NULLCHAR:
                util::append_utf8(m_heading_text, 0xFFFD);
                break;
            case MD_TEXT_BR:
            case MD_TEXT_SOFTBR:
                m_heading_text += '\n';
                break;
            default:
                m_heading_text.append(text, size);
                break;
        }
        return 0;
    }

    // md4c hands attributes over with backslash escapes resolved but character references kept.
    static std::string attribute_text(const MD_ATTRIBUTE& attribute) {
        std::string decoded;
        if (attribute.size == 0 || attribute.text == nullptr) return decoded;
        for (unsigned index = 0; attribute.substr_offsets[index] < attribute.size; ++index) {
            const MD_OFFSET begin = attribute.substr_offsets[index];
            const MD_OFFSET end = attribute.substr_offsets[index + 1];
            const std::string_view part(attribute.text + begin, end - begin);
            switch (attribute.substr_types[index]) {
                case MD_TEXT_ENTITY:
                    append_entity(decoded, part);
                    break;
                case MD_TEXT_NULLCHAR:
                    util::append_utf8(decoded, 0xFFFD);
                    break;
                default:
                    decoded += part;
                    break;
            }
        }
        return decoded;
    }

    // md4c does not say how a link was written, so read the source around it: `(` before the destination
    // is an inline link, `:` a reference definition, a lone `<` an autolink, nothing a bare URL.
    void finish_link(const OpenLink& link) {
        using Kind = MarkdownLink::Kind;
        const Kind written_inline = link.image ? Kind::image : Kind::inline_link;
        const char* const source = m_text.data();
        if (link.destination_in_source != nullptr) {
            const char* before = link.destination_in_source;
            const bool angle = before > source && before[-1] == '<';
            if (angle) --before;
            while (before > source && is_html_space(before[-1])) --before;
            const char previous = before > source ? before[-1] : '\0';
            if (previous == '(') {
                add_link(written_inline, link.destination, offset_of(link.destination_in_source));
            } else if (previous == ':' && before - 1 > source && before[-2] == ']') {
                add_reference(link, offset_of(link.destination_in_source));
            } else {
                add_link(link.image ? Kind::image : Kind::autolink, link.destination,
                         offset_of(link.destination_in_source));
            }
            return;
        }
        // A bare `www.` or e-mail autolink: md4c made its destination from its text plus a scheme.
        if (link.text_begin != nullptr && link.text_end != nullptr && !link.image) {
            const std::string_view text(link.text_begin, static_cast<size_t>(link.text_end - link.text_begin));
            if (!text.empty() && link.destination.size() > text.size() && link.destination.ends_with(text)) {
                add_link(Kind::autolink, link.destination, offset_of(link.text_begin));
                return;
            }
        }
        // The destination was copied (it had escapes or references): find it after the link text.
        if (link.text_end != nullptr) {
            const size_t text_end = offset_of(link.text_end);
            const size_t bracket = m_text.find(']', text_end);
            if (bracket != std::string_view::npos && bracket + 1 < m_text.size() && m_text[bracket + 1] == '(') {
                size_t destination = bracket + 2;
                while (destination < m_text.size() &&
                       (is_html_space(m_text[destination]) || m_text[destination] == '<')) {
                    ++destination;
                }
                add_link(written_inline, link.destination, destination);
            } else {
                add_reference(link, m_text.size());
            }
            return;
        }
        add_link(written_inline, link.destination, m_last_text != nullptr ? offset_of(m_last_text) : 0);
    }

    // A reference link is reported where it is used (its `[`), not at its definition, when the link
    // text shows where that is; otherwise at `fallback_offset`.
    void add_reference(const OpenLink& link, size_t fallback_offset) {
        size_t offset = fallback_offset;
        if (link.text_begin != nullptr) {
            const size_t text_begin = offset_of(link.text_begin);
            const size_t bracket = m_text.rfind('[', text_begin);
            offset = bracket != std::string_view::npos ? bracket : text_begin;
        } else if (m_last_text != nullptr) {
            offset = offset_of(m_last_text);
        }
        add_link(link.image ? MarkdownLink::Kind::image : MarkdownLink::Kind::reference, link.destination, offset);
    }

    // Raw HTML arrives in pieces (a block line by line, an inline tag at a time); a tag may span pieces,
    // so consecutive pieces are scanned together, straight from the source.
    void collect_html(const char* text, MD_SIZE size) {
        if (size == 0) return;
        if (!in_source(text)) {
            flush_html();
            scan_html(std::string_view(text, size), std::nullopt);
            return;
        }
        if (m_html_begin == nullptr) m_html_begin = text;
        m_html_end = std::max(m_html_end, text + size);
    }

    void flush_html() {
        if (m_html_begin == nullptr) return;
        const std::string_view html(m_html_begin, static_cast<size_t>(m_html_end - m_html_begin));
        const size_t offset = offset_of(m_html_begin);
        m_html_begin = nullptr;
        m_html_end = nullptr;
        scan_html(html, offset);
    }

    void scan_html(std::string_view html, std::optional<size_t> offset) {
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
            index = scan_attributes(html, index, html.substr(name_begin, index - name_begin), offset);
        }
    }

    // Reads the attributes of one start tag; returns where the tag ends.
    size_t scan_attributes(std::string_view html, size_t index, std::string_view tag, std::optional<size_t> offset) {
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
            record_attribute(tag, name, value,
                             offset ? *offset + value_begin : (m_last_text ? offset_of(m_last_text) : 0));
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

    // md4c 0.4.8 (Debian 12) reads a byte or so past the end of its input in some broken links (found by
    // fuzz/markdown_links_fuzz.cpp): it parses a copy followed by NUL bytes, which end every construct.
    static constexpr size_t k_padding = 16;
    static std::string padded(std::string_view text) {
        std::string buffer;
        buffer.reserve(text.size() + k_padding);
        buffer.append(text);
        buffer.append(k_padding, '\0');
        return buffer;
    }

    std::string m_buffer;
    std::string_view m_text;  // the document: m_buffer without the padding
    LineIndex m_lines;
    MarkdownDocument m_document;
    Slugger m_slugger;
    bool m_in_heading = false;
    std::string m_heading_text;
    std::vector<OpenLink> m_open_links;
    const char* m_last_text = nullptr;  // the latest text in the source: a place for what has none
    const char* m_html_begin = nullptr;
    const char* m_html_end = nullptr;
};

}  // namespace

MarkdownDocument scan_markdown(std::string_view text) {
    return Scanner(text).scan();
}

}  // namespace greenlight::hygiene
