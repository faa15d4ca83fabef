// Evidence for a promotion from the server's runs, bundles, proofs and checks files.
#include "greenlight/promote/evidence.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "greenlight/serve/report_client.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::promote {

namespace {

using nlohmann::json;

std::string string_member(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

Evidence evidence_from_run(const serve::RunSummary& run) {
    Evidence evidence;
    evidence.kind = config::PromoteEvidenceKind::run;
    evidence.id = run.run_id;
    evidence.where = "serve";
    evidence.commit = run.git_sha;
    evidence.tier = run.tier;
    evidence.verdict = std::string(verdict::to_string(run.verdict));
    // The server's run list does not say whether the tier's policy passed a flaky run, so only a pass counts:
    // a flaky run is evidence only as a bundle (whose summary says whether it was green).
    evidence.green = run.verdict == verdict::Verdict::pass;
    evidence.finished = run.started + std::chrono::duration_cast<util::WallTime::duration>(
                                          std::chrono::duration<double>(run.duration_seconds));
    return evidence;
}

util::Result<Evidence> evidence_from_bundle(const std::filesystem::path& bundle) {
    auto run = serve::is_packed_bundle(bundle) ? serve::read_run_from_packed_bundle(bundle)
                                               : serve::read_run_from_bundle(bundle);
    if (!run) {
        // One line: the verify findings come one a line, and a reason is listed as one.
        std::string why = std::string(util::trim(run.message()));
        util::replace_all(why, "\n", "; ");
        return util::make_error(fmt::format("bundle {} cannot count: {}", bundle.string(), why));
    }
    Evidence evidence;
    evidence.kind = config::PromoteEvidenceKind::bundle;
    evidence.id = run->run_id;
    evidence.where = bundle.string();
    evidence.commit = run->git_sha;
    evidence.tier = run->tier;
    evidence.verdict = std::string(verdict::to_string(run->verdict));
    evidence.green = run->green.value_or(run->verdict == verdict::Verdict::pass);
    evidence.finished = run->ended;
    return evidence;
}

util::Result<ProofEvidence> read_proof_evidence(const std::filesystem::path& file,
                                                const std::string& classification_field) {
    auto text = util::read_file(file);
    if (!text) return text.error();
    json document = json::parse(*text, nullptr, false);
    if (!document.is_object()) {
        return util::make_error(
            fmt::format("{}: expected a proof (a JSON object) as `greenlight proof` writes it", file.string()));
    }
    ProofEvidence proof;
    proof.file = file.string();
    if (auto found = document.find(classification_field); found != document.end() && found->is_object()) {
        proof.classification = string_member(*found, "verdict");
    }
    proof.commit = string_member(document, "sha");
    if (proof.commit.empty()) proof.commit = string_member(document, "commit");
    if (proof.commit.empty()) {
        if (auto git = document.find("git"); git != document.end() && git->is_object())
            proof.commit = string_member(*git, "sha");
    }
    return proof;
}

util::Result<std::vector<gate::GateObservation>> read_gate_states(const std::vector<std::filesystem::path>& files,
                                                                  const config::GateConfig& gate) {
    std::vector<gate::GateObservation> observations;
    for (const auto& file : files) {
        auto read = gate::read_checks_file(file, gate);
        if (!read) return read.error();
        observations.insert(observations.end(), read->begin(), read->end());
    }
    return observations;
}

}  // namespace greenlight::promote
