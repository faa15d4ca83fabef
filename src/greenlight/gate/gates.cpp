#include "greenlight/gate/gates.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::gate {

using nlohmann::json;

std::optional<std::string> gate_for_check(const std::string& check, const config::GateConfig& gate) {
    for (const auto& [name, definition] : gate.gates) {
        if (std::find(definition.checks.begin(), definition.checks.end(), check) != definition.checks.end()) {
            return name;
        }
    }
    if (gate.gates.count(check)) return check;
    return std::nullopt;
}

namespace {

GateState state_from_word(const std::string& word) {
    std::string lowered = util::lowercase(word);
    if (lowered == "passed" || lowered == "success" || lowered == "pass") return GateState::passed;
    if (lowered == "failed" || lowered == "failure" || lowered == "error" || lowered == "fail")
        return GateState::failed;
    if (lowered == "running" || lowered == "in_progress") return GateState::running;
    if (lowered == "pending" || lowered == "queued" || lowered == "waiting" || lowered == "requested" ||
        lowered == "ready") {
        return GateState::pending;
    }
    return GateState::missing;
}

GateState check_run_state(const json& run) {
    std::string status = run.value("status", "");
    if (status != "completed") return status == "in_progress" ? GateState::running : GateState::pending;
    std::string conclusion = run.value("conclusion", "");
    if (conclusion == "success" || conclusion == "neutral" || conclusion == "skipped") return GateState::passed;
    return GateState::failed;  // failure, cancelled, timed_out, action_required, stale, startup_failure
}

std::string string_field(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

}  // namespace

std::string_view to_string(GateState state) {
    switch (state) {
        case GateState::missing:
            return "missing";
        case GateState::pending:
            return "pending";
        case GateState::running:
            return "running";
        case GateState::passed:
            return "passed";
        case GateState::failed:
            return "failed";
        case GateState::stale:
            return "stale";
        case GateState::unknown:
            return "unknown";
    }
    return "missing";
}

std::string_view to_string(Lifecycle lifecycle) {
    switch (lifecycle) {
        case Lifecycle::ready:
            return "ready";
        case Lifecycle::running:
            return "running";
        case Lifecycle::passed:
            return "passed";
        case Lifecycle::stale:
            return "stale";
    }
    return "ready";
}

util::Result<std::vector<GateObservation>> read_checks_file(const std::filesystem::path& file,
                                                            const config::GateConfig& gate) {
    auto text = util::read_file(file);
    if (!text) return text.error();
    json document;
    try {
        document = json::parse(*text);
    } catch (const json::parse_error& error) {
        return util::make_error(fmt::format("{}: not JSON: {}", file.string(), error.what()));
    }
    return read_checks_json(document, file.string(), file.filename().string(), gate);
}

util::Result<std::vector<GateObservation>> read_checks_json(const nlohmann::json& document, const std::string& where,
                                                            const std::string& name, const config::GateConfig& gate) {
    const std::filesystem::path file = where;  // as the errors of a checks file name it
    std::vector<GateObservation> observations;
    auto add_check = [&](const std::string& check, GateState state, const std::string& sha, const std::string& kind) {
        if (auto gate_name = gate_for_check(check, gate)) {
            observations.push_back({*gate_name, state, sha, fmt::format("{}: {} `{}`", name, kind, check), "", ""});
        }
    };
    auto read_check_runs = [&](const json& runs) {
        for (const auto& run : runs) {
            if (run.is_object())
                add_check(string_field(run, "name"), check_run_state(run), string_field(run, "head_sha"), "check run");
        }
    };
    auto read_statuses = [&](const json& statuses, const std::string& sha) {
        for (const auto& status : statuses) {
            if (status.is_object()) {
                add_check(string_field(status, "context"), state_from_word(string_field(status, "state")),
                          sha.empty() ? string_field(status, "sha") : sha, "status");
            }
        }
    };

    if (document.is_object() && document.contains("check_runs") && document["check_runs"].is_array()) {
        read_check_runs(document["check_runs"]);
    } else if (document.is_object() && document.contains("statuses") && document["statuses"].is_array()) {
        read_statuses(document["statuses"], string_field(document, "sha"));
    } else if (document.is_array() ||
               (document.is_object() && document.contains("gates") && document["gates"].is_array())) {
        // `{"sha": ..., "gates": [...]}`: one commit for every entry that names none.
        const std::string document_sha = document.is_object() ? string_field(document, "sha") : std::string();
        const json& items = document.is_object() ? document["gates"] : document;
        for (const auto& item : items) {
            if (!item.is_object()) {
                return util::make_error(
                    fmt::format("{}: expected a list of objects, found {}", file.string(), item.type_name()));
            }
            if (item.contains("gate")) {
                GateState state = state_from_word(string_field(item, "state"));
                if (state == GateState::missing) {
                    return util::make_error(
                        fmt::format("{}: gate `{}` has state `{}`; expected passed, failed, running or pending",
                                    file.string(), string_field(item, "gate"), string_field(item, "state")));
                }
                std::string sha = string_field(item, "sha");
                if (sha.empty()) sha = document_sha;
                observations.push_back(
                    {string_field(item, "gate"), state, sha, name, string_field(item, "detail"), ""});
            } else if (item.contains("head_sha") || item.contains("conclusion")) {
                read_check_runs(json::array({item}));
            } else if (item.contains("context")) {
                read_statuses(json::array({item}), document_sha);
            } else {
                return util::make_error(
                    fmt::format("{}: an entry has none of `gate`, `name`+`status` (check run) or `context` (status)",
                                file.string()));
            }
        }
    } else {
        return util::make_error(
            fmt::format("{}: expected a list of {{gate, state, sha}}, GitHub check runs or statuses", file.string()));
    }
    return observations;
}

util::Result<GateObservation> read_run_summary(const std::filesystem::path& file) {
    auto text = util::read_file(file);
    if (!text) return text.error();
    json summary = json::parse(*text, nullptr, false);
    if (summary.is_discarded() || !summary.is_object() || summary.value("schema", "") != "greenlight.summary/v1") {
        return util::make_error(
            fmt::format("{}: not a greenlight summary.json (schema greenlight.summary/v1)", file.string()));
    }
    GateObservation observation;
    observation.gate = "ci";
    observation.state = summary.value("green", false) ? GateState::passed : GateState::failed;
    if (summary.contains("git") && summary["git"].is_object()) observation.sha = string_field(summary["git"], "sha");
    observation.source =
        fmt::format("{}: greenlight run {}", file.filename().string(), string_field(summary, "run_id"));
    observation.detail = fmt::format("tier {}: {}", string_field(summary, "tier"), string_field(summary, "verdict"));
    return observation;
}

util::Result<GateObservation> read_proof(const std::filesystem::path& file) {
    auto text = util::read_file(file);
    if (!text) return text.error();
    json proof = json::parse(*text, nullptr, false);
    if (proof.is_discarded() || !proof.is_object()) {
        return util::make_error(fmt::format("{}: not a JSON object", file.string()));
    }
    // What `greenlight proof` writes comes first: {"classification": {"verdict": "PASS_STRONG" | "PASS_WEAK" |
    // "FAIL"}} (under whichever member proof.classification_field names). The evidence around it may carry a
    // `status` of its own ("ok"), which must not outvote a FAIL classification.
    std::string outcome;
    for (const auto& [key, member] : proof.items()) {
        if (!member.is_object()) continue;
        const std::string verdict = string_field(member, "verdict");
        if (verdict == "PASS_STRONG" || verdict == "PASS_WEAK") outcome = "pass (" + verdict + ")";
        if (verdict == "FAIL") outcome = "fail (FAIL)";
        if (!outcome.empty()) break;
    }
    for (const char* key : {"verdict", "result", "status"}) {
        if (outcome.empty()) outcome = string_field(proof, key);
    }
    GateObservation observation;
    observation.gate = "e2e-proof";
    observation.state = state_from_word(outcome.substr(0, outcome.find(' ')));
    if (observation.state != GateState::passed && observation.state != GateState::failed) {
        return util::make_error(fmt::format(
            "{}: expected `verdict` (or `result`/`status`) to be pass or fail; found `{}`", file.string(), outcome));
    }
    observation.sha = string_field(proof, "sha");
    if (observation.sha.empty()) observation.sha = string_field(proof, "commit");
    if (observation.sha.empty() && proof.contains("git") && proof["git"].is_object()) {
        observation.sha = string_field(proof["git"], "sha");
    }
    observation.source = file.filename().string();
    observation.detail = "end-to-end proof: " + outcome;
    return observation;
}

DeclaredRisk check_declared_labels(const std::vector<std::string>& labels, config::RiskTier computed) {
    DeclaredRisk declared;
    std::vector<config::RiskTier> tiers;
    for (const auto& label : labels) {
        std::string_view text = label;
        if (util::lowercase(text.substr(0, 5)) == "risk:") text.remove_prefix(5);
        // Only full tier names count as risk labels: a label `R2` alone is too easy to mistake.
        if (text.size() < 4) continue;
        if (auto tier = config::parse_risk_tier(text)) {
            declared.risk_labels.push_back(label);
            tiers.push_back(*tier);
        }
    }
    if (tiers.empty()) {
        declared.violations.push_back(fmt::format("no risk label: the change must carry exactly one (computed: {})",
                                                  config::to_string(computed)));
    } else if (std::set<config::RiskTier>(tiers.begin(), tiers.end()).size() > 1) {
        std::string list;
        for (const auto& label : declared.risk_labels) list += (list.empty() ? "" : ", ") + label;
        declared.violations.push_back(
            fmt::format("{} risk labels ({}): the change must carry exactly one", tiers.size(), list));
    } else {
        declared.tier = tiers.front();
        if (*declared.tier < computed) {
            declared.violations.push_back(fmt::format("declared {} is below the computed {}",
                                                      config::to_string(*declared.tier), config::to_string(computed)));
        }
    }
    return declared;
}

Evaluation evaluate(const RiskAssessment& risk, const std::vector<std::string>& current_labels,
                    const std::vector<GateObservation>& observations, const config::GateConfig& gate,
                    const std::string& head_sha, const ContentCheck& same_content) {
    Evaluation evaluation;
    evaluation.risk = risk;
    evaluation.declared = check_declared_labels(current_labels, risk.tier);
    evaluation.effective_tier = std::max(risk.tier, evaluation.declared.tier.value_or(risk.tier));

    // Required gates: each tier up to the effective one adds its own; rules add theirs.
    std::vector<std::pair<std::string, std::string>> required;  // gate, required by
    auto require = [&](const std::string& name, const std::string& by) {
        if (std::none_of(required.begin(), required.end(), [&](const auto& entry) { return entry.first == name; })) {
            required.emplace_back(name, by);
        }
    };
    for (const auto& [tier, gates] : gate.tier_gates) {
        if (tier > evaluation.effective_tier) continue;
        for (const auto& name : gates) require(name, std::string(config::to_string(tier)));
    }
    for (const auto& [name, from] : risk.rule_gates) {
        if (evaluation.effective_tier >= from) require(name, "a matching rule");
    }

    for (const auto& [name, by] : required) {
        GateResult result;
        result.name = name;
        result.required_by = by;
        if (auto definition = gate.gates.find(name); definition != gate.gates.end())
            result.mode = definition->second.mode;
        // Observations at head win over older ones; among them, a failure wins, then running/pending.
        std::vector<const GateObservation*> mine;
        for (const auto& observation : observations) {
            if (observation.gate == name) mine.push_back(&observation);
        }
        std::vector<const GateObservation*> at_head;
        std::vector<const GateObservation*> without_sha;
        std::vector<const GateObservation*> at_other;
        for (const auto* observation : mine) {
            // Without a known head (a saved diff and no event), staleness cannot be judged.
            if (head_sha.empty() || observation->sha == head_sha) {
                at_head.push_back(observation);
            } else if (observation->sha.empty()) {
                without_sha.push_back(observation);
            } else {
                at_other.push_back(observation);
            }
        }
        // A report that does not say which commit it is for could be for any: it neither passes nor fails the
        // gate at head, and an older commit's pass is still stale.
        if (at_head.empty() && !without_sha.empty() && at_other.empty()) {
            result.state = GateState::unknown;
            for (const auto* observation : without_sha) result.sources.push_back(observation->source);
            result.detail = fmt::format(
                "reported without a commit sha, so it cannot count for head {}: report `sha` with each entry "
                "(or once for the file: {{\"sha\": ..., \"gates\": [...]}})",
                head_sha.substr(0, 12));
            evaluation.gates.push_back(std::move(result));
            continue;
        }
        const auto& considered = !at_head.empty() ? at_head : at_other;
        auto rank = [](GateState state) {
            switch (state) {
                case GateState::failed:
                    return 4;
                case GateState::running:
                    return 3;
                case GateState::pending:
                    return 2;
                case GateState::passed:
                    return 1;
                default:
                    return 0;
            }
        };
        const GateObservation* chosen = nullptr;
        for (const auto* observation : considered) {
            if (!chosen || rank(observation->state) > rank(chosen->state)) chosen = observation;
        }
        for (const auto* observation : considered) result.sources.push_back(observation->source);
        if (chosen) {
            result.state = chosen->state;
            result.sha = chosen->sha;
            result.detail = chosen->detail;
            result.warning = chosen->warning;
            if (result.state == GateState::passed && at_head.empty() && !chosen->sha.empty()) {
                if (same_content && same_content(chosen->sha)) {
                    result.detail += (result.detail.empty() ? "" : "; ") +
                                     fmt::format("passed at {}, whose content head has too", chosen->sha.substr(0, 12));
                } else {
                    result.state = GateState::stale;
                    result.detail += (result.detail.empty() ? "" : "; ") +
                                     fmt::format("passed at {}, but head {} differs", chosen->sha.substr(0, 12),
                                                 head_sha.substr(0, 12));
                }
            }
        } else {
            result.detail = "no check, summary or report gives this gate";
        }
        evaluation.gates.push_back(std::move(result));
    }

    bool any_stale = false;
    bool any_started = false;
    bool blocking_hold = true;
    for (const auto& result : evaluation.gates) {
        any_stale = any_stale || result.state == GateState::stale;
        any_started = any_started || result.state != GateState::missing;
        if (result.mode == config::GateMode::blocking) blocking_hold = blocking_hold && result.holds();
    }
    evaluation.lifecycle = any_stale       ? Lifecycle::stale
                           : blocking_hold ? Lifecycle::passed
                           : any_started   ? Lifecycle::running
                                           : Lifecycle::ready;
    evaluation.passed = blocking_hold && evaluation.declared.violations.empty();

    // Labels: one risk label for the effective tier and one lifecycle label; others of theirs go.
    LabelChange& labels = evaluation.labels;
    labels.wanted = {"risk:" + std::string(config::to_string(evaluation.effective_tier)),
                     "gates:" + std::string(to_string(evaluation.lifecycle))};
    // GitHub's label names are case-insensitive: `risk:r3-high` already is `risk:R3-high`, and removing it
    // after adding the other spelling would remove the one label both name.
    auto same_label = [](const std::string& a, const std::string& b) {
        return util::lowercase(a) == util::lowercase(b);
    };
    auto among = [&](const std::vector<std::string>& list, const std::string& label) {
        return std::any_of(list.begin(), list.end(), [&](const std::string& item) { return same_label(item, label); });
    };
    for (const auto& wanted : labels.wanted) {
        if (!among(current_labels, wanted) && !among(labels.add, wanted)) labels.add.push_back(wanted);
    }
    // A bare tier label (`R3-high`) counts as a declaration, and goes once the canonical `risk:` one is there:
    // leaving it would make the next run see two risk labels.
    const std::vector<std::string>& risk_labels = evaluation.declared.risk_labels;
    for (const auto& label : current_labels) {
        bool ours = util::lowercase(label).rfind("risk:", 0) == 0 || util::lowercase(label).rfind("gates:", 0) == 0 ||
                    std::find(risk_labels.begin(), risk_labels.end(), label) != risk_labels.end();
        if (ours && !among(labels.wanted, label) && !among(labels.remove, label)) labels.remove.push_back(label);
    }
    return evaluation;
}

}  // namespace greenlight::gate
