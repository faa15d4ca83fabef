// `greenlight proof`: turns raw end-to-end evidence into a proof file that carries no personal data.
#pragma once

#include <string>
#include <string_view>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::proof {

struct ProofOutcome {
    std::string text;            // the proof JSON to write, pretty-printed, ending in a newline
    std::string classification;  // PASS_STRONG, PASS_WEAK or FAIL
    std::size_t fingerprinted = 0;
    std::size_t redacted = 0;
};

// Applies the rules to the evidence JSON. `key` is the fingerprint key (from the configured environment
// variable); errors name JSON paths, never values.
util::Result<ProofOutcome> make_proof(std::string_view evidence_json, const config::ProofConfig& rules,
                                      std::string_view key);

}  // namespace greenlight::proof
