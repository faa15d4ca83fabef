#include "greenlight/proof/proof.hpp"

namespace greenlight::proof {

util::Result<ProofOutcome> make_proof(std::string_view, const config::ProofConfig&, std::string_view) {
    return util::make_error("proof: not built yet");
}

}  // namespace greenlight::proof
