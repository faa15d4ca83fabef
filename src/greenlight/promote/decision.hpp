// The promotion rule, one pure function: the evidence of a commit from the environment before the target, its
// proof, the go/no-go decisions recorded and the gates observed, at a given time, give go or no-go with every
// reason. Nothing here reads a file, a clock or the network (evidence.hpp gathers the inputs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/promote_config.hpp"
#include "greenlight/gate/gates.hpp"
#include "greenlight/serve/promotions.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::promote {

// One run that may be evidence: stored by `greenlight serve`, or a verified bundle given on the command line.
struct Evidence {
    config::PromoteEvidenceKind kind = config::PromoteEvidenceKind::run;
    std::string id;     // the run id
    std::string where;  // "serve" or the bundle's path, for messages
    std::string commit;
    std::string tier;
    std::string verdict;
    bool green = false;
    util::WallTime finished{};
};

// A proof `greenlight proof` wrote, as far as promotion cares.
struct ProofEvidence {
    std::string file;
    std::string classification;  // PASS_STRONG, PASS_WEAK, FAIL; empty when the file carries none
    std::string commit;          // empty when the proof names none
};

struct PromotionInput {
    std::string environment;  // the target
    std::string commit;       // full sha, lower case
    util::WallTime now{};
    std::vector<Evidence> evidence;
    std::optional<ProofEvidence> proof;
    std::vector<serve::PromotionDecision> decisions;  // of this commit and environment, any order
    std::vector<gate::GateObservation> gates;         // every gate state read (--checks)
    // Evidence given on the command line that could not be used (a bundle that does not verify): each is a
    // reason against, since whoever gave it meant it to count.
    std::vector<std::string> unusable;
};

struct PromotionOutcome {
    serve::PromotionVerdict verdict = serve::PromotionVerdict::no_go;
    std::vector<std::string> reasons;  // every reason against; empty for a go
    std::vector<std::string> held;     // what held: the evidence used, the decision, the proof, the gates

    bool go() const { return verdict == serve::PromotionVerdict::go; }
};

// The verdict of promoting `input.commit` into `input.environment`. Go only when (a) evidence from the
// environment the target needs is of this commit and that environment's tier, of a kind the target accepts,
// green and no older than its max_age (and the proof, when asked for, is of this commit and classified well
// enough); (b) the latest decision for this commit and environment is go; (c) every gate the target lists
// passed at this commit. An error only when the environment is not configured.
util::Result<PromotionOutcome> decide(const config::PromoteConfig& config, const PromotionInput& input);

}  // namespace greenlight::promote
