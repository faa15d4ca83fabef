// Classifies evidence by the `proof.strong` and `proof.weak` criteria: PASS_STRONG, PASS_WEAK or FAIL.
#pragma once

#include <string>
#include <vector>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/proof/json_pointer.hpp"
#include "greenlight/proof/proof.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::proof {

// Whether one criterion holds: the path reaches at least one value, every branch of a `*` reaches one,
// and every value reached satisfies the condition. The error names a criterion whose pattern is not RE2.
util::Result<bool> criterion_holds(const Json& evidence, const config::ProofCriterion& criterion);

struct Classification {
    std::string verdict;
    std::vector<CriterionResult> strong;
    std::vector<CriterionResult> weak;
};

// PASS_STRONG when there are strong criteria and all hold; else PASS_WEAK when there are weak criteria
// and all hold; else FAIL (no criteria at all is FAIL: nothing was shown).
util::Result<Classification> classify(const Json& evidence, const config::ProofConfig& rules);

}  // namespace greenlight::proof
