// The risk tier of a change: the highest tier any rule raises it to, with every reason shown.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/diff/unified_diff.hpp"

namespace greenlight::gate {

using config::RiskTier;

// One rule matching one file (and, for keyword/pattern rules, the first added line that matched).
struct RiskReason {
    std::string rule;
    RiskTier tier = RiskTier::r1_low;
    std::string path;
    std::int64_t line = 0;  // 0 for a path match
    std::string matched;    // the glob, keyword or pattern
};

struct RiskAssessment {
    RiskTier tier = RiskTier::r0_docs;
    std::vector<RiskReason> reasons;  // every match, highest tier first, then by path
    bool docs_only = false;           // every changed file is documentation
    bool generated_only = false;      // every changed file is linguist-generated
    // Gates matching rules add, each from a tier on (e.g. e2e-proof from R3); the tier that counts is the
    // effective one, which a declared label may raise, so `evaluate` applies them.
    std::vector<std::pair<std::string, RiskTier>> rule_gates;
    size_t files = 0;
};

// `generated[i]` tells whether diff.files[i] is linguist-generated (may be empty: none are).
// The tier is the maximum over every matching rule and file — never the last match — except that a
// change touching only docs, or only generated files, is R0-docs. A rename or a deletion counts for
// both paths it touches.
RiskAssessment assess_risk(const diff::Diff& diff, const config::GateConfig& gate, const std::vector<bool>& generated);

}  // namespace greenlight::gate
