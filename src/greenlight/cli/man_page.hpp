// Man pages (roff, section 1) rendered from the command tree: greenlight.1, and one page per command at any
// depth (greenlight-run.1, greenlight-bridge-submit.1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "greenlight/cli/command_tree.hpp"

namespace greenlight::cli {

struct ManPage {
    std::string file_name;  // "greenlight-run.1"
    std::string text;       // the roff source
};

// One page per command of the tree; `version` and `date` go into each page's title line.
std::vector<ManPage> render_man_pages(const CommandDescription& root, std::string_view version, std::string_view date);

// Text for a roff text line: backslashes as \e, hyphens as \- (so options copy and paste as typed),
// characters beyond ASCII as \[uXXXX]. A line that starts with `.` or `'` must still be made inert (roff_line).
std::string roff_escape(std::string_view text);

// One roff text line from escaped text: a leading `.` or `'` (a control character there) gets \& before it.
std::string roff_line(std::string_view escaped);

}  // namespace greenlight::cli
