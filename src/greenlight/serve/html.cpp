#include "greenlight/serve/html.hpp"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <cstdint>

#include "greenlight/util/strings.hpp"

namespace greenlight::serve::html {

namespace {

constexpr char32_t k_replacement = 0xFFFD;

// The length of the well-formed UTF-8 sequence at text[at] and its code point, or 0 when the bytes there are
// not one (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_sequence(std::string_view text, std::size_t at, char32_t& code_point) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(at);
    std::size_t length = 0;
    char32_t minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, code_point = lead & 0x1F, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, code_point = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, code_point = lead & 0x07, minimum = 0x10000;
    } else {
        return 0;
    }
    if (at + length > text.size()) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return 0;
        code_point = (code_point << 6) | (byte(at + i) & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return 0;
    return length;
}

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// Whole seconds, rounded, never negative.
std::int64_t whole_seconds(double seconds) {
    if (!(seconds > 0)) return 0;  // also NaN
    return static_cast<std::int64_t>(std::llround(seconds));
}

std::string two_units(std::int64_t total_seconds) {
    struct Unit {
        std::int64_t seconds;
        std::string_view name;
    };
    static constexpr Unit k_units[] = {{86400, "d"}, {3600, "h"}, {60, "min"}, {1, "s"}};
    for (std::size_t i = 0; i < std::size(k_units); ++i) {
        std::int64_t count = total_seconds / k_units[i].seconds;
        if (count == 0) continue;
        std::string text = fmt::format("{} {}", count, k_units[i].name);
        if (i + 1 < std::size(k_units)) {
            std::int64_t rest = (total_seconds % k_units[i].seconds) / k_units[i + 1].seconds;
            if (rest > 0) text += fmt::format(" {} {}", rest, k_units[i + 1].name);
        }
        return text;
    }
    return "0 s";
}

double seconds_between(util::WallTime from, util::WallTime to) {
    return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    std::size_t at = 0;
    while (at < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[at]);
        if (c < 0x80) {
            switch (c) {
                case '&':
                    out += "&amp;";
                    break;
                case '<':
                    out += "&lt;";
                    break;
                case '>':
                    out += "&gt;";
                    break;
                case '"':
                    out += "&quot;";
                    break;
                case '\'':
                    out += "&#39;";
                    break;
                case '\t':
                case '\n':
                case '\r':
                    out += static_cast<char>(c);
                    break;
                case 0x7F:
                    util::append_utf8(out, 0x2421);
                    break;
                default:
                    // XML does not allow C0 controls at all; show them as U+2400 + c, as terminals' docs do.
                    if (c < 0x20) {
                        util::append_utf8(out, 0x2400 + c);
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++at;
            continue;
        }
        char32_t code_point = 0;
        std::size_t length = utf8_sequence(text, at, code_point);
        if (length == 0) {
            util::append_utf8(out, k_replacement);
            ++at;
            continue;
        }
        // U+FFFE and U+FFFF are not characters XML allows.
        if (code_point == 0xFFFE || code_point == 0xFFFF) {
            util::append_utf8(out, k_replacement);
        } else {
            out.append(text.substr(at, length));
        }
        at += length;
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (is_unreserved(c)) {
            out += c;
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
        }
    }
    return out;
}

std::string percent_encode_path(std::string_view path) {
    std::string out;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = path.find('/', start);
        out += percent_encode(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
        if (slash == std::string_view::npos) break;
        out += '/';
        start = slash + 1;
    }
    return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& parameters) {
    std::string out;
    for (const auto& [name, value] : parameters) {
        if (value.empty()) continue;
        out += out.empty() ? '?' : '&';
        out += percent_encode(name);
        out += '=';
        out += percent_encode(value);
    }
    return out;
}

std::string format_time(util::WallTime time) {
    using namespace std::chrono;
    auto seconds = floor<std::chrono::seconds>(time);
    auto day = floor<days>(seconds);
    year_month_day date{day};
    hh_mm_ss clock{seconds - day};
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                       clock.minutes().count(), clock.seconds().count());
}

std::string iso_time(util::WallTime time) {
    std::string text = format_time(time);
    text[10] = 'T';
    return text;
}

std::string format_duration(double seconds) {
    if (!(seconds > 0)) return "0 s";
    if (seconds < 1) return fmt::format("{} ms", std::llround(seconds * 1000));
    if (seconds < 10) {
        double tenths = std::round(seconds * 10) / 10;
        if (tenths == std::floor(tenths)) return fmt::format("{} s", static_cast<std::int64_t>(tenths));
        return fmt::format("{:.1f} s", tenths);
    }
    return two_units(whole_seconds(seconds));
}

std::string format_duration(std::chrono::milliseconds duration) {
    return format_duration(std::chrono::duration<double>(duration).count());
}

std::string format_due(util::WallTime due, util::WallTime now) {
    double seconds = seconds_between(now, due);
    if (std::fabs(seconds) < 1) return "due now";
    if (seconds > 0) return "in " + two_units(whole_seconds(seconds));
    return "overdue by " + two_units(whole_seconds(-seconds));
}

std::string format_ago(util::WallTime time, util::WallTime now) {
    double seconds = seconds_between(time, now);
    if (std::fabs(seconds) < 1) return "just now";
    if (seconds > 0) return two_units(whole_seconds(seconds)) + " ago";
    return "in " + two_units(whole_seconds(-seconds));
}

bool is_known(util::WallTime time) {
    return time != util::WallTime{};
}

void Builder::write_attributes(Attributes attributes) {
    for (const auto& [name, value] : attributes) {
        if (name.empty()) continue;
        m_out += ' ';
        m_out += name;
        m_out += "=\"";
        m_out += escape(value);
        m_out += '"';
    }
}

Builder& Builder::open(std::string_view tag, Attributes attributes) {
    m_out += '<';
    m_out += tag;
    write_attributes(attributes);
    m_out += '>';
    m_open.emplace_back(tag);
    return *this;
}

Builder& Builder::close() {
    assert(!m_open.empty());
    if (m_open.empty()) return *this;
    m_out += "</";
    m_out += m_open.back();
    m_out += '>';
    m_open.pop_back();
    return *this;
}

Builder& Builder::element(std::string_view tag, std::string_view text, Attributes attributes) {
    open(tag, attributes);
    m_out += escape(text);
    return close();
}

Builder& Builder::empty(std::string_view tag, Attributes attributes) {
    m_out += '<';
    m_out += tag;
    write_attributes(attributes);
    m_out += " />";
    return *this;
}

Builder& Builder::text(std::string_view text) {
    m_out += escape(text);
    return *this;
}

Builder& Builder::raw(std::string_view markup) {
    m_out += markup;
    return *this;
}

Builder& Builder::time(util::WallTime time) {
    if (!is_known(time)) return text("—");
    std::string iso = iso_time(time);
    return element("time", format_time(time), {{"datetime", iso}});
}

Builder& Builder::link(std::string_view url, std::string_view text, Attributes attributes) {
    m_out += "<a href=\"";
    m_out += escape(url);
    m_out += '"';
    write_attributes(attributes);
    m_out += '>';
    m_out += escape(text);
    m_out += "</a>";
    return *this;
}

std::string Builder::finish() {
    while (!m_open.empty()) close();
    return std::move(m_out);
}

}  // namespace greenlight::serve::html
