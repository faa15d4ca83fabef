// libFuzzer target: evidence given to `greenlight proof` is untrusted, and the scanner is what stands
// between it and a published proof. Every input must end as a proof, a refusal or an error, never a
// crash; a proof that is written must parse, and must pass the same scan again.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "greenlight/proof/proof.hpp"
#include "greenlight/proof/scanner.hpp"

namespace {

const greenlight::config::ProofConfig& rules() {
    static const greenlight::config::ProofConfig configured = [] {
        greenlight::config::ProofConfig proof;
        proof.id_fields = {"id", "/tickets/*/ref", "ids"};
        proof.redact_paths = {"/v1/tickets/{id}/add-tags", "/orgs/{org}/items/{item}"};
        greenlight::config::ProofCriterion exists;
        exists.path = "/events/*/status";
        greenlight::config::ProofCriterion matches;
        matches.path = "/run";
        matches.condition = greenlight::config::ProofCriterion::Condition::matches;
        matches.value_json = "^(ok|passed)$";
        greenlight::config::ProofCriterion at_least;
        at_least.path = "/events";
        at_least.condition = greenlight::config::ProofCriterion::Condition::at_least;
        at_least.value_json = "1";
        proof.strong = {exists, matches};
        proof.weak = {at_least};
        return proof;
    }();
    return configured;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);

    // The decoder must settle or report that it did not, within its bound, and never grow the text.
    const auto decoded = greenlight::proof::decode_until_stable(text);
    if (decoded.forms.size() > static_cast<size_t>(greenlight::proof::k_max_decoding_rounds) + 1) __builtin_trap();
    for (const auto& form : decoded.forms) {
        if (form.size() > text.size()) __builtin_trap();
    }
    const greenlight::proof::Scanner scanner(greenlight::proof::ScanRules{rules().forbidden, true, {"48213", "A-7"}});
    (void)scanner.scan(text);

    auto made = greenlight::proof::make_proof(text, rules(), "fuzz-key", "fuzz.json");
    if (!made) {
        if (made.message().empty()) __builtin_trap();
        return 0;
    }
    const auto& outcome = *made;
    if (outcome.refused() != outcome.text.empty()) __builtin_trap();
    if (outcome.refused()) return 0;
    // What would be written parses, and a second pass over it (no ids: they are fingerprints now) finds
    // nothing the first did not already clear.
    auto written = nlohmann::ordered_json::parse(outcome.text, nullptr, false);
    if (written.is_discarded() || !written.is_object()) __builtin_trap();
    const greenlight::proof::Scanner again(greenlight::proof::ScanRules{rules().forbidden, true, {}});
    if (!again.scan(outcome.text).empty()) __builtin_trap();
    return 0;
}
