// What GitHub's answers say about a commit's checks: the checks a branch's protection and rulesets require, and
// how far each required check has got from the commit's check runs and commit statuses. Pure functions on the
// JSON GitHub returns; the requests are made by the wait (check_wait.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace greenlight::github {

// How far a check has got. A check run is queued (or waiting, requested, pending), in progress, or completed; a
// commit status is pending or completed (success, failure, error).
enum class CheckProgress { missing, queued, in_progress, completed };

// One required check as the latest round saw it.
struct CheckSnapshot {
    std::string name;
    CheckProgress progress = CheckProgress::missing;
    // GitHub's word: the status while not completed (queued, in_progress, pending, ...), the conclusion once
    // completed (success, failure, neutral, ...), or "missing" when neither a check run nor a status has the name.
    std::string word = "missing";

    bool complete() const { return progress == CheckProgress::completed; }
    // Completed with success, neutral or skipped: what the gate counts as passed.
    bool passed() const;
};

// The required contexts of `GET .../branches/{branch}/protection/required_status_checks`: `contexts` and
// `checks[].context`, in order, each once.
std::vector<std::string> required_checks_from_protection(const nlohmann::json& answer);

// The contexts of every `required_status_checks` rule in `GET .../rules/branches/{branch}`, in order, each once.
std::vector<std::string> required_checks_from_rules(const nlohmann::json& rules);

// Each required check's state from the commit's check runs (GitHub's objects) and statuses (the combined
// status's `statuses`). A name with several readings (a check run and a status, say) is as far as the least
// advanced of them, and once all are completed, as good as the worst.
std::vector<CheckSnapshot> snapshot_required_checks(const std::vector<std::string>& required,
                                                    const nlohmann::json& check_runs, const nlohmann::json& statuses);

}  // namespace greenlight::github
