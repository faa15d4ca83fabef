// What `greenlight check` prints and writes: text for people, JSON for tools, SARIF 2.1.0 for code
// scanning, and GitHub workflow annotations.
#pragma once

#include <string>

#include "greenlight/hygiene/runner.hpp"

namespace greenlight::hygiene {

enum class Colour { off, on };

// One block per check: status, what it examined, its findings (capped, with a count of the rest).
std::string text_report(const ChecksRun& run, Colour colour);

// {"version":1,"verdict":...,"checks":[...]}: every finding, nothing capped.
std::string json_report(const ChecksRun& run);

// A SARIF 2.1.0 log: one run, a rule per (check type, finding rule), a result per finding (level error for
// blocking checks, warning for advisory ones); paths relative to %SRCROOT% (the repository root).
// `version` is greenlight's version; `config_file` is where findings without a file point.
std::string sarif_report(const ChecksRun& run, const std::string& version, const std::string& config_file);

// `::error file=...,line=...,col=...,title=...::message` lines (warnings for advisory checks).
std::string workflow_annotations(const ChecksRun& run);

}  // namespace greenlight::hygiene
