// Gathering what the promotion rule (decision.hpp) judges: runs stored by `greenlight serve` and bundles given
// on the command line as evidence, a proof's classification and commit, and gate states from checks files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/promote/decision.hpp"
#include "greenlight/serve/model.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::promote {

// A stored run as evidence: green when its verdict is pass or flaky (the server refuses reports whose verdict
// disagrees with their suites), finished at its start plus its duration.
Evidence evidence_from_run(const serve::RunSummary& run);

// A bundle folder or .tar.gz as evidence, verified against its manifest first (as `greenlight verify` and
// `greenlight push` do); the error says why it cannot count.
util::Result<Evidence> evidence_from_bundle(const std::filesystem::path& bundle);

// A proof `greenlight proof` wrote: its classification (the member `classification_field`, `verdict` inside
// it) and its commit (`sha`, `commit` or `git.sha` at the top). An error when it is not a JSON object.
util::Result<ProofEvidence> read_proof_evidence(const std::filesystem::path& file,
                                                const std::string& classification_field);

// Gate states from checks files, read as `greenlight gate --checks` reads them.
util::Result<std::vector<gate::GateObservation>> read_gate_states(const std::vector<std::filesystem::path>& files,
                                                                  const config::GateConfig& gate);

}  // namespace greenlight::promote
