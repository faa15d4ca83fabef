#include "greenlight/proof/classification.hpp"

#include <re2/re2.h>

#include <fmt/format.h>
#include <memory>
#include <optional>

namespace greenlight::proof {

namespace {

using Condition = config::ProofCriterion::Condition;

std::string criterion_label(const config::ProofCriterion& criterion) {
    std::string label = fmt::format("criterion `{}`", criterion.name.empty() ? criterion.path : criterion.name);
    if (criterion.line > 0) label += fmt::format(" (line {})", criterion.line);
    return label;
}

// The comparand as JSON; a value the loader left unquoted is taken as the string it spells.
Json comparand(const config::ProofCriterion& criterion) {
    Json parsed = Json::parse(criterion.value_json, nullptr, false);
    if (parsed.is_discarded()) return Json(criterion.value_json);
    return parsed;
}

// A number compares as itself; an array or object by its size (`at_least: 1` on a list of events).
std::optional<double> magnitude(const Json& value) {
    if (value.is_number()) return value.get<double>();
    if (value.is_array() || value.is_object()) return static_cast<double>(value.size());
    return std::nullopt;
}

}  // namespace

util::Result<bool> criterion_holds(const Json& evidence, const config::ProofCriterion& criterion) {
    const Resolution found = resolve(evidence, criterion.path);
    std::unique_ptr<RE2> pattern;
    Json expected;
    std::optional<double> bound;
    switch (criterion.condition) {
        case Condition::exists:
            break;
        case Condition::equals:
        case Condition::not_equals:
            expected = comparand(criterion);
            break;
        case Condition::at_least:
        case Condition::at_most:
            bound = magnitude(comparand(criterion));
            if (!bound || !comparand(criterion).is_number()) {
                return util::make_error(
                    fmt::format("{}: expected a number to compare with", criterion_label(criterion)));
            }
            break;
        case Condition::matches: {
            RE2::Options options;
            options.set_log_errors(false);
            pattern = std::make_unique<RE2>(criterion.value_json, options);
            if (!pattern->ok()) {
                return util::make_error(fmt::format("{}: `matches` is not an RE2 pattern: {}",
                                                    criterion_label(criterion), pattern->error()));
            }
            break;
        }
    }
    // A criterion that examined nothing does not hold.
    if (found.missing > 0 || found.values.empty()) return false;
    for (const Json* value : found.values) {
        bool held = true;
        switch (criterion.condition) {
            case Condition::exists:
                break;
            case Condition::equals:
                held = *value == expected;
                break;
            case Condition::not_equals:
                held = *value != expected;
                break;
            case Condition::at_least:
            case Condition::at_most: {
                const auto size = magnitude(*value);
                held = size && (criterion.condition == Condition::at_least ? *size >= *bound : *size <= *bound);
                break;
            }
            case Condition::matches: {
                if (value->is_string()) {
                    held = RE2::PartialMatch(value->get_ref<const std::string&>(), *pattern);
                } else if (value->is_number() || value->is_boolean()) {
                    held = RE2::PartialMatch(value->dump(), *pattern);
                } else {
                    held = false;
                }
                break;
            }
        }
        if (!held) return false;
    }
    return true;
}

util::Result<Classification> classify(const Json& evidence, const config::ProofConfig& rules) {
    Classification classification;
    auto evaluate = [&](const std::vector<config::ProofCriterion>& criteria,
                        std::vector<CriterionResult>& results) -> util::Status {
        for (const auto& criterion : criteria) {
            auto held = criterion_holds(evidence, criterion);
            if (!held) return held.error();
            results.push_back(CriterionResult{criterion.name.empty() ? criterion.path : criterion.name, *held});
        }
        return {};
    };
    if (auto status = evaluate(rules.strong, classification.strong); !status) return status.error();
    if (auto status = evaluate(rules.weak, classification.weak); !status) return status.error();
    auto all_held = [](const std::vector<CriterionResult>& results) {
        if (results.empty()) return false;
        for (const auto& result : results) {
            if (!result.held) return false;
        }
        return true;
    };
    if (all_held(classification.strong)) {
        classification.verdict = k_pass_strong;
    } else if (all_held(classification.weak)) {
        classification.verdict = k_pass_weak;
    } else {
        classification.verdict = k_fail;
    }
    return classification;
}

}  // namespace greenlight::proof
