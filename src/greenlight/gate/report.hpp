// `greenlight gate` output: text for a terminal, JSON for machines, Markdown for a PR comment.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/gate/gates.hpp"
#include "greenlight/gate/patch_coverage.hpp"

namespace greenlight::gate {

struct GateReport {
    std::string rules_origin;              // "greenlight.yml at base 1a2b3c4d5e6f"; empty: the rules were given
    std::vector<std::string> rules_notes;  // what a reader must know about them
    Evaluation evaluation;
    std::optional<PatchCoverage> patch;
    std::string head_sha;
};

nlohmann::json report_json(const GateReport& report);
std::string report_text(const GateReport& report);
std::string report_markdown(const GateReport& report);
// `::warning file=...,line=...,endLine=...::` for uncovered added lines (GitHub Actions).
std::vector<std::string> uncovered_annotations(const GateReport& report);

}  // namespace greenlight::gate
