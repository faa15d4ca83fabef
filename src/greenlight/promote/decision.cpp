// The promotion rule: evidence, proof, decisions and gates to go or no-go, each failed condition a reason.
#include "greenlight/promote/decision.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace greenlight::promote {

namespace {

using config::PromoteEnvironment;
using config::PromoteEvidenceKind;
using config::PromoteProofLevel;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string short_commit(const std::string& commit) {
    return commit.substr(0, 12);
}

// "26 h", "90 min", "45 s": how old something is, in the unit a person reads it.
std::string age_text(std::chrono::milliseconds age) {
    using namespace std::chrono;
    auto seconds = duration_cast<std::chrono::seconds>(age).count();
    if (seconds >= 2 * 3600) return fmt::format("{} h", seconds / 3600);
    if (seconds >= 120) return fmt::format("{} min", seconds / 60);
    return fmt::format("{} s", seconds);
}

std::string describe(const Evidence& evidence) {
    return evidence.kind == PromoteEvidenceKind::run ? fmt::format("run {} (serve)", evidence.id)
                                                     : fmt::format("bundle {} (run {})", evidence.where, evidence.id);
}

// (a): fresh green evidence of the commit from the environment the target needs.
void judge_evidence(const config::PromoteConfig& config, const PromoteEnvironment& target, const PromotionInput& input,
                    PromotionOutcome& outcome) {
    const PromoteEnvironment* needed = config.needed(target);
    if (!needed) {
        outcome.held.push_back(fmt::format("evidence: {} is the first environment; none is needed", target.name));
        return;
    }
    const auto max_age = config.max_age_of(target);
    std::vector<std::string> problems;
    const Evidence* usable = nullptr;
    for (const Evidence& evidence : input.evidence) {
        if (lower(evidence.commit) != input.commit) {
            problems.push_back(fmt::format("{} is of commit {}, not {}", describe(evidence),
                                           evidence.commit.empty() ? "(none)" : short_commit(evidence.commit),
                                           short_commit(input.commit)));
            continue;
        }
        if (evidence.tier != needed->tier) {
            problems.push_back(fmt::format("{} is of tier {}, not {} ({})", describe(evidence), evidence.tier,
                                           needed->tier, needed->name));
            continue;
        }
        if (std::find(target.evidence.begin(), target.evidence.end(), evidence.kind) == target.evidence.end()) {
            problems.push_back(fmt::format("{}: evidence of kind {} does not count for {}", describe(evidence),
                                           config::to_string(evidence.kind), target.name));
            continue;
        }
        bool fit = true;
        if (!evidence.green) {
            problems.push_back(fmt::format("{} is red (verdict {})", describe(evidence), evidence.verdict));
            fit = false;
        }
        const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(input.now - evidence.finished);
        if (age > max_age) {
            problems.push_back(fmt::format("{} is stale: it finished {} ago, at {}; max_age is {}", describe(evidence),
                                           age_text(age), util::format_utc(evidence.finished), age_text(max_age)));
            fit = false;
        }
        if (fit && !usable) usable = &evidence;
    }
    if (usable) {
        outcome.held.push_back(fmt::format("evidence: {} of {} (tier {}) is green and finished at {}",
                                           describe(*usable), needed->name, needed->tier,
                                           util::format_utc(usable->finished)));
        return;
    }
    std::vector<std::string> kinds;
    for (auto kind : target.evidence) kinds.emplace_back(config::to_string(kind));
    if (problems.empty()) {
        outcome.reasons.push_back(fmt::format("no evidence from {} (tier {}) for commit {}: no {} of it was found",
                                              needed->name, needed->tier, short_commit(input.commit),
                                              fmt::join(kinds, " or ")));
        return;
    }
    // Each reason stands alone (the dashboard and the API list them one by one).
    for (const auto& problem : problems) {
        outcome.reasons.push_back(
            fmt::format("no fresh green evidence from {} (tier {}): {}", needed->name, needed->tier, problem));
    }
}

int proof_rank(const std::string& classification) {
    if (classification == "PASS_STRONG") return 2;
    if (classification == "PASS_WEAK") return 1;
    return 0;
}

void judge_proof(const PromoteEnvironment& target, const PromotionInput& input, PromotionOutcome& outcome) {
    if (target.proof == PromoteProofLevel::none) return;
    const std::string wanted(config::to_string(target.proof));
    if (!input.proof) {
        outcome.reasons.push_back(
            fmt::format("proof: {} needs a proof classified {} (--proof FILE); none was given", target.name, wanted));
        return;
    }
    const ProofEvidence& proof = *input.proof;
    bool fit = true;
    if (proof.commit.empty()) {
        outcome.reasons.push_back(
            fmt::format("proof {} names no commit (sha, commit or git.sha): it cannot be evidence for {}", proof.file,
                        short_commit(input.commit)));
        fit = false;
    } else if (lower(proof.commit) != input.commit) {
        outcome.reasons.push_back(fmt::format("proof {} is of commit {}, not {}", proof.file,
                                              short_commit(proof.commit), short_commit(input.commit)));
        fit = false;
    }
    const int needed_rank = target.proof == PromoteProofLevel::pass_strong ? 2 : 1;
    if (proof_rank(proof.classification) < needed_rank) {
        outcome.reasons.push_back(fmt::format("proof {} is classified {}; {} needs {}", proof.file,
                                              proof.classification.empty() ? "(none)" : proof.classification,
                                              target.name, wanted));
        fit = false;
    }
    if (fit) outcome.held.push_back(fmt::format("proof: {} is {}", proof.file, proof.classification));
}

// (b): the latest decision counts; none is a no-go.
void judge_decisions(const PromotionInput& input, PromotionOutcome& outcome) {
    const serve::PromotionDecision* latest = nullptr;
    for (const auto& decision : input.decisions) {
        if (decision.environment != input.environment || lower(decision.commit) != input.commit) continue;
        if (!latest || decision.at > latest->at || (decision.at == latest->at && decision.id > latest->id)) {
            latest = &decision;
        }
    }
    if (!latest) {
        outcome.reasons.push_back(
            fmt::format("decision: no go decision is recorded for {} at commit {} "
                        "(greenlight promote decide go --env {} --sha {} --reason ...)",
                        input.environment, short_commit(input.commit), input.environment, input.commit));
        return;
    }
    const std::string text = fmt::format("{} by {} at {}: {}", to_string(latest->decision), latest->by,
                                         util::format_utc(latest->at), latest->reason);
    if (latest->decision == serve::PromotionVerdict::go) {
        outcome.held.push_back("decision: " + text);
    } else {
        outcome.reasons.push_back("decision: " + text + " (a later go decision lifts it)");
    }
}

// (c): each gate passed at this commit; a failure at the commit wins over a pass.
void judge_gates(const PromoteEnvironment& target, const PromotionInput& input, PromotionOutcome& outcome) {
    for (const std::string& name : target.gates) {
        std::vector<const gate::GateObservation*> here;
        std::vector<const gate::GateObservation*> elsewhere;
        for (const auto& observation : input.gates) {
            if (observation.gate != name) continue;
            (lower(observation.sha) == input.commit ? here : elsewhere).push_back(&observation);
        }
        auto with_state = [&](gate::GateState state) {
            return std::find_if(here.begin(), here.end(), [&](auto* item) { return item->state == state; });
        };
        if (auto failed = with_state(gate::GateState::failed); failed != here.end()) {
            outcome.reasons.push_back(
                fmt::format("gate {}: failed at commit {} ({})", name, short_commit(input.commit), (*failed)->source));
        } else if (auto passed = with_state(gate::GateState::passed); passed != here.end()) {
            outcome.held.push_back(fmt::format("gate {}: passed ({})", name, (*passed)->source));
        } else if (!here.empty()) {
            outcome.reasons.push_back(fmt::format("gate {}: {} at commit {} ({})", name, to_string(here.front()->state),
                                                  short_commit(input.commit), here.front()->source));
        } else if (!elsewhere.empty()) {
            outcome.reasons.push_back(fmt::format(
                "gate {}: not observed at commit {}; only at {} ({}): stale", name, short_commit(input.commit),
                elsewhere.front()->sha.empty() ? "no named commit" : short_commit(elsewhere.front()->sha),
                elsewhere.front()->source));
        } else {
            outcome.reasons.push_back(fmt::format("gate {}: missing: no check reports it for commit {} (--checks FILE)",
                                                  name, short_commit(input.commit)));
        }
    }
}

}  // namespace

util::Result<PromotionOutcome> decide(const config::PromoteConfig& config, const PromotionInput& input) {
    const PromoteEnvironment* target = config.find(input.environment);
    if (!target) {
        std::vector<std::string> names;
        for (const auto& environment : config.environments) names.push_back(environment.name);
        return util::make_error(fmt::format("no environment '{}' under promote.environments (there are: {})",
                                            input.environment,
                                            names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
    }
    PromotionOutcome outcome;
    for (const auto& problem : input.unusable) outcome.reasons.push_back("evidence: " + problem);
    judge_evidence(config, *target, input, outcome);
    judge_proof(*target, input, outcome);
    judge_decisions(input, outcome);
    judge_gates(*target, input, outcome);
    outcome.verdict = outcome.reasons.empty() ? serve::PromotionVerdict::go : serve::PromotionVerdict::no_go;
    return outcome;
}

}  // namespace greenlight::promote
