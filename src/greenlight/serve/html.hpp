// HTML for the dashboard: escaping, percent-encoding, the time and duration formats people read, and a small
// builder that writes well-formed markup (every element closed, void elements as `<meta />`), so the pages
// parse as XML too and a test can check their structure.
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/util/clock.hpp"

namespace greenlight::serve::html {

// Text for an element's content or a quoted attribute value: `& < > " '` as entities, control characters
// (other than tab and line breaks) as their visible Unicode pictures (ESC as ␛), and bytes that are not UTF-8
// as U+FFFD, so any data, even a terminal's raw output, yields a valid document.
std::string escape(std::string_view text);

// One path segment or query value, percent-encoded: everything but A-Z a-z 0-9 - . _ ~ becomes %XX.
std::string percent_encode(std::string_view text);

// A relative path made of segments (`logs/a b.txt`): each segment percent-encoded, the '/' between kept.
std::string percent_encode_path(std::string_view path);

// `?name=value&...` from the pairs whose value is not empty (values percent-encoded); "" when none is left.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& parameters);

// A time as people read it on the dashboard: `2026-11-21 10:36:00Z` (UTC, whole seconds).
std::string format_time(util::WallTime time);

// The same instant for `<time datetime>`: `2026-11-21T10:36:00Z`.
std::string iso_time(util::WallTime time);

// A duration in at most two units, smallest last: `1 min 5 s`, `2 h 5 min`, `3 d 4 h`, `45 s`, `3.2 s`.
std::string format_duration(double seconds);
std::string format_duration(std::chrono::milliseconds duration);

// Where a due time stands relative to now: `in 2 h 5 min`, `overdue by 12 min`, `due now`.
std::string format_due(util::WallTime due, util::WallTime now);

// How long ago a past time was: `12 min ago`, `just now`, or `in 5 s` for a time after now (clock skew).
std::string format_ago(util::WallTime time, util::WallTime now);

using Attributes = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Writes markup in order. Text and attribute values are escaped on the way in; raw() is for markup this
// program made itself. Elements opened are closed by close() in reverse order and by finish().
class Builder {
public:
    // <tag attributes...>; an attribute with an empty name is skipped, so optional attributes can be inline.
    Builder& open(std::string_view tag, Attributes attributes = {});
    // Closes the element opened last.
    Builder& close();
    // <tag attributes...>text</tag>
    Builder& element(std::string_view tag, std::string_view text, Attributes attributes = {});
    // <tag attributes... /> for void elements (meta, link, input, br) and empty SVG shapes.
    Builder& empty(std::string_view tag, Attributes attributes = {});
    Builder& text(std::string_view text);
    Builder& raw(std::string_view markup);
    // <time datetime="ISO">readable</time>, or a dash when the time is not known (the epoch).
    Builder& time(util::WallTime time);
    // <a href="url">text</a>; the URL must already be percent-encoded where it holds data.
    Builder& link(std::string_view url, std::string_view text, Attributes attributes = {});

    // Closes what is still open and hands the markup over.
    std::string finish();

private:
    void write_attributes(Attributes attributes);

    std::string m_out;
    std::vector<std::string> m_open;
};

// Whether a time was set: the model uses the epoch (WallTime{}) for "not known".
bool is_known(util::WallTime time);

}  // namespace greenlight::serve::html
