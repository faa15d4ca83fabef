#include "greenlight/proof/fingerprint.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "greenlight/util/sha256.hpp"

namespace greenlight::proof {

std::string_view fingerprint_algorithm_name(config::ProofConfig::Fingerprint algorithm) {
    return algorithm == config::ProofConfig::Fingerprint::sha256 ? "sha256" : "hmac-sha256";
}

std::string fingerprint(std::string_view id, config::ProofConfig::Fingerprint algorithm, std::string_view key,
                        int length) {
    std::string hex;
    if (algorithm == config::ProofConfig::Fingerprint::sha256) {
        hex = util::sha256_hex(id);
    } else {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_length = 0;
        // HMAC() may reject null pointers even for empty input, so empty input points at a dummy byte.
        static const unsigned char k_empty = 0;
        const void* key_bytes = key.empty() ? static_cast<const void*>(&k_empty) : key.data();
        const auto* id_bytes = id.empty() ? &k_empty : reinterpret_cast<const unsigned char*>(id.data());
        HMAC(EVP_sha256(), key_bytes, static_cast<int>(key.size()), id_bytes, id.size(), digest, &digest_length);
        static constexpr char k_hex[] = "0123456789abcdef";
        hex.reserve(digest_length * 2);
        for (unsigned int i = 0; i < digest_length; ++i) {
            hex.push_back(k_hex[digest[i] >> 4]);
            hex.push_back(k_hex[digest[i] & 0xf]);
        }
    }
    hex.resize(static_cast<size_t>(std::clamp(length, 1, 64)));
    return hex;
}

}  // namespace greenlight::proof
