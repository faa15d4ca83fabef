// Reading required checks and check states out of GitHub's JSON answers.
#include "greenlight/github/commit_checks.hpp"

#include <algorithm>

namespace greenlight::github {

namespace {

using nlohmann::json;

std::string string_field(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void add_once(std::vector<std::string>& names, const std::string& name) {
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

CheckSnapshot from_check_run(const json& run) {
    CheckSnapshot snapshot;
    snapshot.name = string_field(run, "name");
    const std::string status = string_field(run, "status");
    if (status == "completed") {
        snapshot.progress = CheckProgress::completed;
        snapshot.word = string_field(run, "conclusion");
        if (snapshot.word.empty()) snapshot.word = "completed";
    } else {
        snapshot.progress = status == "in_progress" ? CheckProgress::in_progress : CheckProgress::queued;
        snapshot.word = status.empty() ? "queued" : status;
    }
    return snapshot;
}

CheckSnapshot from_status(const json& status) {
    CheckSnapshot snapshot;
    snapshot.name = string_field(status, "context");
    snapshot.word = string_field(status, "state");
    snapshot.progress =
        snapshot.word == "pending" || snapshot.word.empty() ? CheckProgress::queued : CheckProgress::completed;
    if (snapshot.word.empty()) snapshot.word = "pending";
    return snapshot;
}

// Whether `candidate` describes the check better than `current`: less advanced, or as advanced and worse.
bool replaces(const CheckSnapshot& candidate, const CheckSnapshot& current) {
    if (current.progress == CheckProgress::missing) return true;
    if (candidate.progress != current.progress) return candidate.progress < current.progress;
    return candidate.complete() && current.passed() && !candidate.passed();
}

}  // namespace

bool CheckSnapshot::passed() const {
    return complete() && (word == "success" || word == "neutral" || word == "skipped");
}

std::vector<std::string> required_checks_from_protection(const json& answer) {
    std::vector<std::string> names;
    if (!answer.is_object()) return names;
    if (auto contexts = answer.find("contexts"); contexts != answer.end() && contexts->is_array()) {
        for (const auto& context : *contexts) {
            if (context.is_string()) add_once(names, context.get<std::string>());
        }
    }
    if (auto checks = answer.find("checks"); checks != answer.end() && checks->is_array()) {
        for (const auto& check : *checks) {
            if (check.is_object()) add_once(names, string_field(check, "context"));
        }
    }
    return names;
}

std::vector<std::string> required_checks_from_rules(const json& rules) {
    std::vector<std::string> names;
    if (!rules.is_array()) return names;
    for (const auto& rule : rules) {
        if (!rule.is_object() || string_field(rule, "type") != "required_status_checks") continue;
        auto parameters = rule.find("parameters");
        if (parameters == rule.end() || !parameters->is_object()) continue;
        auto checks = parameters->find("required_status_checks");
        if (checks == parameters->end() || !checks->is_array()) continue;
        for (const auto& check : *checks) {
            if (check.is_object()) add_once(names, string_field(check, "context"));
        }
    }
    return names;
}

std::vector<CheckSnapshot> snapshot_required_checks(const std::vector<std::string>& required, const json& check_runs,
                                                    const json& statuses) {
    std::vector<CheckSnapshot> snapshots;
    for (const auto& name : required) {
        CheckSnapshot snapshot;
        snapshot.name = name;
        auto consider = [&](const CheckSnapshot& reading) {
            if (reading.name == name && replaces(reading, snapshot)) snapshot = reading;
        };
        if (check_runs.is_array()) {
            for (const auto& run : check_runs) {
                if (run.is_object()) consider(from_check_run(run));
            }
        }
        if (statuses.is_array()) {
            for (const auto& status : statuses) {
                if (status.is_object()) consider(from_status(status));
            }
        }
        snapshots.push_back(std::move(snapshot));
    }
    return snapshots;
}

}  // namespace greenlight::github
