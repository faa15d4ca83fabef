// greenlight.yml `promote:` section: the environments a commit is promoted through, in order, and what a
// promotion into each needs: fresh green evidence from the environment before it, a proof's classification and
// the gates that must hold. Plain values; the promote layer decides with them. See docs/PROMOTE.md.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::config {

// Where evidence from an environment may come from: a run `greenlight serve` stored, or a bundle given on
// the command line (verified against its manifest).
enum class PromoteEvidenceKind { run, bundle };

std::string_view to_string(PromoteEvidenceKind kind);

// How a proof (`greenlight proof`) must be classified for a promotion; none: no proof is needed.
enum class PromoteProofLevel { none, pass_weak, pass_strong };

std::string_view to_string(PromoteProofLevel level);

struct PromoteEnvironment {
    std::string name;
    std::string tier;  // the tier whose runs are this environment's evidence
    // The environment whose evidence a promotion into this one needs; by default the one listed before it,
    // none for the first.
    std::optional<std::string> needs;
    std::optional<std::chrono::milliseconds> max_age;  // overrides promote.max_age
    std::vector<PromoteEvidenceKind> evidence{PromoteEvidenceKind::run, PromoteEvidenceKind::bundle};
    PromoteProofLevel proof = PromoteProofLevel::none;
    std::vector<std::string> gates;  // gate names that must have passed at the commit
    int line = 0;
};

struct PromoteConfig {
    bool present = false;  // the file has a `promote:` section
    std::chrono::milliseconds max_age{std::chrono::hours{24}};
    std::vector<PromoteEnvironment> environments;  // in promotion order

    const PromoteEnvironment* find(std::string_view name) const;
    // The environment whose evidence a promotion into `environment` needs; nullptr when none.
    const PromoteEnvironment* needed(const PromoteEnvironment& environment) const;
    std::chrono::milliseconds max_age_of(const PromoteEnvironment& environment) const {
        return environment.max_age.value_or(max_age);
    }
};

}  // namespace greenlight::config
