// `greenlight proof`: turns raw end-to-end evidence into a proof file that carries no personal data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::proof {

inline constexpr std::string_view k_pass_strong = "PASS_STRONG";
inline constexpr std::string_view k_pass_weak = "PASS_WEAK";
inline constexpr std::string_view k_fail = "FAIL";

// Evidence nested deeper than this is refused as bad input (the walks over it recurse).
inline constexpr int k_max_depth = 200;

// Why the proof was not written: where (a JSON Pointer into the proof, "" for the proof as a whole) and
// which rule (never the offending text).
struct Refusal {
    std::string path;
    std::string reason;
    bool in_member_name = false;

    std::string to_string() const;
};

struct CriterionResult {
    std::string name;
    bool held = false;
};

struct ProofOutcome {
    std::string text;               // the proof JSON to write, pretty-printed, ending in a newline; empty when refused
    std::string classification;     // PASS_STRONG, PASS_WEAK or FAIL
    std::size_t fingerprinted = 0;  // id values replaced by their fingerprints in id fields
    std::size_t ids_in_text = 0;    // raw ids replaced by their fingerprints inside other strings
    std::size_t redacted = 0;       // URL path segments replaced by <redacted>
    std::vector<CriterionResult> strong;
    std::vector<CriterionResult> weak;
    // Not empty: the scan found something the proof may not carry; `text` is empty and nothing may be written.
    std::vector<Refusal> refusals;

    bool refused() const { return !refusals.empty(); }
};

// Applies the rules to the evidence JSON. `key` is the fingerprint key (from the configured environment
// variable); `source_name` (the evidence file) prefixes messages about the input. The error (bad JSON,
// a missing key, colliding fingerprints, unusable rules) names JSON paths and positions, never values; a
// refusal by the scan is not an error but `ProofOutcome::refusals`.
util::Result<ProofOutcome> make_proof(std::string_view evidence_json, const config::ProofConfig& rules,
                                      std::string_view key, std::string_view source_name = "evidence");

}  // namespace greenlight::proof
