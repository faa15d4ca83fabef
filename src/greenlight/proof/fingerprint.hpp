// Fingerprints of ids: the same id gives the same fingerprint within and across proofs made with the
// same key, and the fingerprint does not give the id back.
#pragma once

#include <string>
#include <string_view>

#include "greenlight/config/checks_config.hpp"

namespace greenlight::proof {

// "hmac-sha256" or "sha256", as the config and the proof spell them.
std::string_view fingerprint_algorithm_name(config::ProofConfig::Fingerprint algorithm);

// HMAC-SHA256 of `id` under `key` (or plain SHA-256 for `sha256`, where `key` is ignored), as lowercase
// hex cut to `length` characters (1..64).
std::string fingerprint(std::string_view id, config::ProofConfig::Fingerprint algorithm, std::string_view key,
                        int length);

}  // namespace greenlight::proof
