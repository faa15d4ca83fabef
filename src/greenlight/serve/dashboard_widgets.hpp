// The pieces the dashboard's pages are built of (internal to serve's dashboard_*.cpp): the page head with its
// navigation, badges and the tones of verdicts, check states and jobs, tables that turn into cards on narrow
// screens, time cells, filter forms, the paths pages link to, and small wording helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/html.hpp"
#include "greenlight/serve/model.hpp"

namespace greenlight::serve::detail {

using html::Builder;

// The page a header link leads to, so the header can mark where the reader is.
enum class Section { runs, flaky, trends, checks, promotions, jobs, none };

// Colours come from a tone class; the word is always printed next to it, so colour is never the only signal.
std::string_view verdict_tone(std::string_view verdict);
std::string_view verdict_tone(verdict::Verdict verdict);
// A verdict's word in a badge of its tone.
void verdict_badge(Builder& out, verdict::Verdict verdict);
std::string_view state_tone(CheckState state);
std::string_view job_status_tone(const bridge::Job& job);
void badge(Builder& out, std::string_view word, std::string_view tone);

// The document's head and the site header with its navigation; opens <main>.
void begin_page(Builder& out, std::string_view title, Section current);

// Paragraph shown where a list would be when there is nothing in it.
void empty_state(Builder& out, std::string_view text);

// Tables turn into one card per row on narrow screens; each cell carries its column's name for that.
void open_table(Builder& out, const std::vector<std::string_view>& headings, std::string_view label);
void close_table(Builder& out);
void open_cell(Builder& out, std::string_view label, std::string_view css_class = {});
void text_cell(Builder& out, std::string_view label, std::string_view text, std::string_view css_class = {});
void time_cell(Builder& out, std::string_view label, WallTime time);

// A time, or a dash when there is none.
void optional_time(Builder& out, const std::optional<WallTime>& time);
// A time with how long ago it was, for the watchdog's view of the world.
void time_with_ago(Builder& out, const std::optional<WallTime>& time, WallTime now);
// Bridge times are RFC 3339 strings (2026-11-21T10:36:00.123Z); shown like the other times, seconds only.
void bridge_time(Builder& out, const std::optional<std::string>& time);

// One term of a definition list, with its text or (open_definition) an open <dd> for the caller to fill.
void definition(Builder& out, std::string_view term, std::string_view text);
void open_definition(Builder& out, std::string_view term);

// The paths pages link to, their parts percent-encoded.
std::string run_path(std::string_view run_id);
std::string check_path(std::string_view name);
std::string job_path(const bridge::Job& job);
std::string spool_path(const bridge::Job& job, int file_id);

// The first seven characters of a commit id.
std::string short_sha(std::string_view sha);

// A select of the given choices (plus the current value, should it not be among them), or a text field when
// there are no choices; either way the current value is pre-selected.
void filter_field(Builder& out, std::string_view name, std::string_view label,
                  const std::optional<std::string>& current, const std::vector<std::string>& choices);
// The form of the pages filtered by tier alone (/flaky, /trends).
void tier_filter_form(Builder& out, std::string_view action, const std::optional<std::string>& tier,
                      const std::vector<std::string>& known_tiers);

bool is_set(const std::optional<std::string>& value);
// The runs filter as query parameters, for links that keep it.
std::vector<std::pair<std::string, std::string>> filter_parameters(const RunFilter& filter);

// "classname.name", unless the name already starts with its class (some reporters write it so).
std::string test_label(std::string_view classname, std::string_view name);
// "1 run", "2 runs".
std::string plural(std::int64_t count, std::string_view one, std::string_view many);
// "every 6 h", "cron 0 3 * * * (Europe/Berlin)".
std::string describe_schedule(const Schedule& schedule);
// The whole ping URL under the public URL, or the path alone when there is none.
std::string ping_url(std::string_view public_url, std::string_view key);
// "in 2 h 5 min" over the absolute time; a paused check is not due.
void next_due(Builder& out, const CheckView& check, WallTime now);

}  // namespace greenlight::serve::detail
