#include "greenlight/gate/risk.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include "greenlight/util/glob.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::gate {

namespace {

// The paths a file change touches: both sides of a rename or copy.
std::vector<std::string> touched_paths(const diff::FileDiff& file) {
    std::vector<std::string> paths;
    if (!file.new_path.empty()) paths.push_back(file.new_path);
    if (!file.old_path.empty() && file.old_path != file.new_path) paths.push_back(file.old_path);
    return paths;
}

struct CompiledRule {
    const config::RiskRule* rule;
    std::vector<std::string> keywords;  // lowercased
    std::vector<std::unique_ptr<RE2>> patterns;
};

bool any_glob(const std::vector<std::string>& globs, const std::vector<std::string>& paths, std::string& matched,
              std::string& matched_path) {
    for (const auto& path : paths) {
        for (const auto& glob : globs) {
            if (util::glob_match(glob, path)) {
                matched = glob;
                matched_path = path;
                return true;
            }
        }
    }
    return false;
}

// A size rule against the files it counts: the reason names the measure that reached its limit.
std::optional<RiskReason> match_size_rule(const config::RiskRule& rule, const diff::Diff& diff,
                                          const std::vector<size_t>& counted_files) {
    std::int64_t files = 0;
    std::int64_t lines = 0;
    for (size_t index : counted_files) {
        const auto& file = diff.files[index];
        if (!rule.paths.empty()) {
            std::string matched;
            std::string matched_path;
            if (!any_glob(rule.paths, touched_paths(file), matched, matched_path)) continue;
        }
        ++files;
        lines += static_cast<std::int64_t>(file.added.size() + file.removed_lines.size());
    }
    RiskReason reason{rule.name, rule.tier, "", 0, ""};
    if (rule.size_lines > 0 && lines >= rule.size_lines) {
        reason.matched = fmt::format("{} lines changed (at least {})", lines, rule.size_lines);
    } else if (rule.size_files > 0 && files >= rule.size_files) {
        reason.matched = fmt::format("{} files changed (at least {})", files, rule.size_files);
    } else {
        return std::nullopt;
    }
    return reason;
}

}  // namespace

RiskAssessment assess_risk(const diff::Diff& diff, const config::GateConfig& gate, const std::vector<bool>& generated) {
    RiskAssessment assessment;
    assessment.files = diff.files.size();

    std::vector<CompiledRule> rules;
    std::vector<const config::RiskRule*> size_rules;
    for (const auto& rule : gate.rules) {
        if (rule.size_lines > 0 || rule.size_files > 0) {
            size_rules.push_back(&rule);
            continue;
        }
        CompiledRule compiled{&rule, {}, {}};
        for (const auto& keyword : rule.keywords) compiled.keywords.push_back(util::lowercase(keyword));
        for (const auto& pattern : rule.patterns) {
            auto regex = std::make_unique<RE2>(pattern, RE2::Quiet);
            if (regex->ok()) compiled.patterns.push_back(std::move(regex));
        }
        rules.push_back(std::move(compiled));
    }

    bool all_docs = !diff.files.empty();
    bool all_generated = !diff.files.empty();
    std::vector<size_t> counted_files;  // neither docs nor generated: what size rules count
    for (size_t index = 0; index < diff.files.size(); ++index) {
        const auto& file = diff.files[index];
        const auto paths = touched_paths(file);
        bool is_docs = std::all_of(paths.begin(), paths.end(), [&](const std::string& path) {
            return std::any_of(gate.docs_paths.begin(), gate.docs_paths.end(),
                               [&](const std::string& glob) { return util::glob_match(glob, path); });
        });
        all_docs = all_docs && is_docs;
        const bool is_generated = index < generated.size() && generated[index];
        all_generated = all_generated && is_generated;
        if (!is_docs && !is_generated) counted_files.push_back(index);

        // Keyword rules compare lowercased text: lower each added line once per file, not once per rule.
        std::vector<std::string> lowered_lines;
        auto lowered = [&](size_t line_index) -> const std::string& {
            if (lowered_lines.empty()) {
                lowered_lines.reserve(file.added.size());
                for (const auto& added : file.added) lowered_lines.push_back(util::lowercase(added.text));
            }
            return lowered_lines[line_index];
        };

        for (const auto& compiled : rules) {
            const auto& rule = *compiled.rule;
            RiskReason reason{rule.name, rule.tier, file.path(), 0, ""};
            if (!rule.paths.empty() && !any_glob(rule.paths, paths, reason.matched, reason.path)) continue;
            const bool looks_at_lines = !compiled.keywords.empty() || !compiled.patterns.empty();
            if (looks_at_lines) {
                bool hit = false;
                for (size_t line_index = 0; line_index < file.added.size(); ++line_index) {
                    const auto& added = file.added[line_index];
                    for (size_t k = 0; k < compiled.keywords.size() && !hit; ++k) {
                        if (lowered(line_index).find(compiled.keywords[k]) != std::string::npos) {
                            hit = true;
                            reason.matched = rule.keywords[k];
                        }
                    }
                    for (size_t p = 0; p < compiled.patterns.size() && !hit; ++p) {
                        if (RE2::PartialMatch(added.text, *compiled.patterns[p])) {
                            hit = true;
                            reason.matched = compiled.patterns[p]->pattern();
                        }
                    }
                    if (hit) {
                        reason.line = added.number;
                        break;
                    }
                }
                if (!hit) continue;
            } else if (rule.paths.empty()) {
                reason.matched = "any change";
            }
            assessment.reasons.push_back(std::move(reason));
        }
    }

    for (const auto* rule : size_rules) {
        if (auto reason = match_size_rule(*rule, diff, counted_files)) assessment.reasons.push_back(std::move(*reason));
    }

    assessment.docs_only = all_docs;
    assessment.generated_only = all_generated;
    if (all_docs || all_generated || diff.files.empty()) {
        assessment.tier = RiskTier::r0_docs;
    } else {
        for (const auto& reason : assessment.reasons) assessment.tier = std::max(assessment.tier, reason.tier);
        // A code change no rule names is still a code change.
        assessment.tier = std::max(assessment.tier, RiskTier::r1_low);
    }
    for (const auto& rule : gate.rules) {
        bool matched = std::any_of(assessment.reasons.begin(), assessment.reasons.end(),
                                   [&](const RiskReason& reason) { return reason.rule == rule.name; });
        if (!matched) continue;
        for (const auto& gate_name : rule.requires_gates) {
            std::pair<std::string, RiskTier> entry{gate_name, rule.requires_from};
            if (std::find(assessment.rule_gates.begin(), assessment.rule_gates.end(), entry) ==
                assessment.rule_gates.end()) {
                assessment.rule_gates.push_back(std::move(entry));
            }
        }
    }
    std::stable_sort(assessment.reasons.begin(), assessment.reasons.end(),
                     [](const RiskReason& a, const RiskReason& b) {
                         if (a.tier != b.tier) return a.tier > b.tier;
                         return a.path < b.path;
                     });
    return assessment;
}

}  // namespace greenlight::gate
