// The runner judges with the verdict rules of verdict/ (see verdict/verdict.hpp); these names let
// runner code and its tests say `Verdict` and `decide_attempt` without the namespace. Nothing is decided here.
#pragma once

#include "greenlight/verdict/verdict.hpp"

namespace greenlight::runner {

using verdict::AttemptFacts;
using verdict::decide_attempt;
using verdict::is_green;
using verdict::is_retryable;
using verdict::parse_verdict;
using verdict::severity;
using verdict::Termination;
using verdict::to_string;
using verdict::Verdict;
using verdict::VerdictDecision;

}  // namespace greenlight::runner
