// Which gates a change needs, what state each is in, and the labels the change should carry.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/config/config.hpp"
#include "greenlight/gate/risk.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::gate {

// `unknown`: reported, but without the commit it was reported for, while the head is known: it cannot count.
enum class GateState { missing, pending, running, passed, failed, stale, unknown };

std::string_view to_string(GateState state);

// One report of a gate's state: a CI check, a greenlight summary, a coverage computation, ...
struct GateObservation {
    std::string gate;
    GateState state = GateState::missing;
    std::string sha;      // the commit it was observed at; empty when the source does not say
    std::string source;   // "checks.json: check run `CI / test`", "summary.json", "coverage"
    std::string detail;   // "83.33% of 12 added lines (minimum 50%)"
    std::string warning;  // passed, but close to failing: "below the 50% minimum, within the 10-point threshold"
};

// Reads a checks file: greenlight's own list `[{"gate","state","sha"}]`, GitHub's check runs
// (`{"check_runs": [...]}` or a bare list of check runs) or statuses (combined status
// `{"sha","statuses":[...]}` or a bare list of statuses). `names` maps check names to gates (a check
// whose name is a gate's name reports that gate). Errors name the file and what was expected.
util::Result<std::vector<GateObservation>> read_checks_file(const std::filesystem::path& file,
                                                            const config::GateConfig& gate);

// The same for a checks document already in memory (`gate --wait`'s polled check runs and statuses): `where`
// names it in errors, `name` in each observation's source.
util::Result<std::vector<GateObservation>> read_checks_json(const nlohmann::json& document, const std::string& where,
                                                            const std::string& name, const config::GateConfig& gate);

// The gate a CI check (a check run's name, a status's context) reports: the gate whose `checks` list names it,
// else the gate of the same name; none when no gate does.
std::optional<std::string> gate_for_check(const std::string& check, const config::GateConfig& gate);

// End-to-end proof as the `e2e-proof` gate: a JSON object whose `verdict` (or `result`/`status`) says
// pass/passed/success or fail/failed/failure, with the commit in `sha` (or `commit`, or `git.sha`).
// The format `greenlight proof` writes is one such object.
util::Result<GateObservation> read_proof(const std::filesystem::path& file);

// A greenlight run's summary.json as the `ci` gate.
util::Result<GateObservation> read_run_summary(const std::filesystem::path& file);

struct GateResult {
    std::string name;
    config::GateMode mode = config::GateMode::blocking;
    GateState state = GateState::missing;
    std::string sha;
    std::string detail;
    std::vector<std::string> sources;
    std::string required_by;  // "R2-medium" or a rule name
    std::string warning;      // from the observation that decided the state

    bool holds() const { return state == GateState::passed; }
};

// Whether a gate that passed at `old_sha` still counts at head (same tree, same patch id, ...).
using ContentCheck = std::function<bool(const std::string& old_sha)>;

// Declared risk labels: `R2-medium` or `risk:R2-medium` (case-insensitive).
struct DeclaredRisk {
    std::vector<std::string> risk_labels;  // as given
    std::optional<config::RiskTier> tier;  // set when exactly one valid risk label is declared
    std::vector<std::string> violations;   // none, several, or below the computed tier
};

DeclaredRisk check_declared_labels(const std::vector<std::string>& labels, config::RiskTier computed);

enum class Lifecycle { ready, running, passed, stale };
std::string_view to_string(Lifecycle lifecycle);

struct LabelChange {
    std::vector<std::string> wanted;  // `risk:R2-medium`, `gates:running`
    std::vector<std::string> add;
    std::vector<std::string> remove;
};

struct Evaluation {
    RiskAssessment risk;
    DeclaredRisk declared;
    config::RiskTier effective_tier = config::RiskTier::r1_low;  // max(computed, declared)
    std::vector<GateResult> gates;                               // required gates, in tier order
    Lifecycle lifecycle = Lifecycle::ready;
    LabelChange labels;
    bool passed = false;  // every blocking gate holds and no label violation
};

// Puts it together: required gates for the effective tier (plus the ones rules add), each gate's state
// from the observations (a passed gate observed at another commit is stale unless `same_content`
// says the content is the same), the lifecycle label and the label operations from `current_labels`.
Evaluation evaluate(const RiskAssessment& risk, const std::vector<std::string>& current_labels,
                    const std::vector<GateObservation>& observations, const config::GateConfig& gate,
                    const std::string& head_sha, const ContentCheck& same_content);

}  // namespace greenlight::gate
