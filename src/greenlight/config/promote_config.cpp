// The lookups of the `promote:` section: environments by name and the one each needs evidence from.
#include "greenlight/config/promote_config.hpp"

namespace greenlight::config {

std::string_view to_string(PromoteEvidenceKind kind) {
    return kind == PromoteEvidenceKind::run ? "run" : "bundle";
}

std::string_view to_string(PromoteProofLevel level) {
    switch (level) {
        case PromoteProofLevel::none:
            return "none";
        case PromoteProofLevel::pass_weak:
            return "PASS_WEAK";
        case PromoteProofLevel::pass_strong:
            return "PASS_STRONG";
    }
    return "none";
}

const PromoteEnvironment* PromoteConfig::find(std::string_view name) const {
    for (const auto& environment : environments) {
        if (environment.name == name) return &environment;
    }
    return nullptr;
}

const PromoteEnvironment* PromoteConfig::needed(const PromoteEnvironment& environment) const {
    if (environment.needs) return find(*environment.needs);
    for (std::size_t index = 1; index < environments.size(); ++index) {
        if (environments[index].name == environment.name) return &environments[index - 1];
    }
    return nullptr;
}

}  // namespace greenlight::config
