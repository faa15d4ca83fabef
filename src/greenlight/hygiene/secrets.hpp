// The `secrets` hygiene check: secrets and personal data in repository files (private keys, token
// formats, generic password assignments, email addresses, card numbers), and the baseline file of
// accepted findings. `run_secrets_check` itself is declared in check.hpp. See docs/CHECK.md.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/checks_config.hpp"
#include "greenlight/hygiene/check.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::hygiene {

// One match of a secret rule in a text. The matched text is never copied out of the text: callers
// hash it (baseline fingerprints) or describe it (`hint`), and never print it.
struct SecretMatch {
    std::string_view rule;   // stable id, one of secret_rule_ids()
    std::size_t offset = 0;  // first byte of the secret (a generic assignment's value, not its key)
    std::size_t length = 0;  // the secret: for a private key the whole block, for a card number its digits
    std::string hint;        // what may be shown instead of the secret, e.g. "AKIA…, 20 characters"
};

// The rule ids in a fixed order: private-key, aws-access-key-id, github-token, slack-token,
// stripe-key, google-api-key, jwt, generic-secret, email, card-number.
const std::vector<std::string_view>& secret_rule_ids();

// Every match in `text`, in offset order. One Hyperscan pass finds candidate lines (the database is
// compiled once per process, scratch space is per thread) and RE2 and the rules' own tests confirm them;
// card numbers have a pass of their own. Safe to call from several threads at once.
util::Result<std::vector<SecretMatch>> find_secrets(std::string_view text);

// Shannon entropy of the bytes of `text`, in bits per byte (0 for an empty text).
double shannon_entropy(std::string_view text);

// The baseline fingerprint of a matched text: HMAC-SHA256 keyed by the baseline's own key, as hex.
std::string secret_fingerprint(std::string_view key, std::string_view matched_text);

// Scans every file the check selects (scope `all`, whatever the check's scope is, so a baseline
// written from a branch keeps the accepted findings of files the branch did not touch) and writes
// them all as accepted findings to `baseline_path` (relative to context.root unless absolute),
// atomically and sorted. An existing baseline keeps its key (it must be valid; a malformed one is
// an error, not overwritten); a new one gets a random key. Returns how many entries were written.
util::Result<std::size_t> write_secrets_baseline(const config::CheckConfig& check, const CheckContext& context,
                                                 const std::filesystem::path& baseline_path);

}  // namespace greenlight::hygiene
