// Promotion decisions and attempts: their words, the name rules, and their API JSON in both directions (the
// server reads the POST bodies strictly: they come from the network).
#include "greenlight/serve/promotions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "greenlight/util/strings.hpp"

namespace greenlight::serve {

namespace {

using nlohmann::json;
using util::make_error;

constexpr std::size_t k_max_reason_bytes = 4096;
constexpr std::size_t k_max_by_bytes = 256;
constexpr std::size_t k_max_reasons = 200;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

json string_list(const std::vector<std::string>& items) {
    json list = json::array();
    for (const auto& item : items) list.push_back(item);
    return list;
}

// Reads the fields both bodies share; an error names the field by its JSON pointer.
struct CommonFields {
    std::string environment;
    std::string commit;
    std::string by;
};

util::Result<json> parse_object(std::string_view body, const std::vector<std::string>& allowed) {
    json document = json::parse(body, nullptr, false);
    if (!document.is_object()) return make_error("the body must be a JSON object");
    for (const auto& [key, value] : document.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return make_error(
                fmt::format("/{}: unknown field; expected {}", util::printable(key), util::join(allowed, ", ")));
        }
    }
    return document;
}

util::Result<std::string> text_field(const json& document, std::string_view name, std::size_t max_bytes,
                                     bool required) {
    auto found = document.find(std::string(name));
    if (found == document.end() || found->is_null()) {
        if (required) return make_error(fmt::format("/{}: required", name));
        return std::string();
    }
    if (!found->is_string()) return make_error(fmt::format("/{}: expected a string", name));
    std::string text = found->get<std::string>();
    if (text.size() > max_bytes) return make_error(fmt::format("/{}: at most {} bytes", name, max_bytes));
    return text;
}

util::Result<CommonFields> common_fields(const json& document) {
    CommonFields fields;
    auto environment = text_field(document, "environment", 128, true);
    if (!environment) return environment.error();
    if (!is_valid_environment(*environment)) {
        return make_error("/environment: expected an environment name (letters, digits, '.', '_' or '-')");
    }
    auto commit = text_field(document, "commit", 64, true);
    if (!commit) return commit.error();
    if (!is_valid_commit(*commit)) return make_error("/commit: expected a commit id of 4 to 64 hex digits");
    auto by = text_field(document, "by", k_max_by_bytes, false);
    if (!by) return by.error();
    fields.environment = std::move(*environment);
    fields.commit = lower(std::move(*commit));
    fields.by = std::move(*by);
    return fields;
}

util::Result<PromotionVerdict> verdict_field(const json& document, std::string_view name) {
    auto text = text_field(document, name, 16, true);
    if (!text) return text.error();
    auto verdict = parse_promotion_verdict(*text);
    if (!verdict)
        return make_error(fmt::format("/{}: expected go or no-go; found \"{}\"", name, util::printable(*text)));
    return *verdict;
}

util::Result<std::vector<std::string>> list_field(const json& document, std::string_view name) {
    std::vector<std::string> items;
    auto found = document.find(std::string(name));
    if (found == document.end() || found->is_null()) return items;
    if (!found->is_array() || found->size() > k_max_reasons) {
        return make_error(fmt::format("/{}: expected a list of at most {} strings", name, k_max_reasons));
    }
    for (std::size_t index = 0; index < found->size(); ++index) {
        const json& item = (*found)[index];
        if (!item.is_string() || item.get_ref<const std::string&>().size() > k_max_reason_bytes) {
            return make_error(
                fmt::format("/{}/{}: expected a string of at most {} bytes", name, index, k_max_reason_bytes));
        }
        items.push_back(item.get<std::string>());
    }
    return items;
}

}  // namespace

std::string_view to_string(PromotionVerdict verdict) {
    return verdict == PromotionVerdict::go ? "go" : "no-go";
}

std::optional<PromotionVerdict> parse_promotion_verdict(std::string_view text) {
    if (text == "go") return PromotionVerdict::go;
    if (text == "no-go") return PromotionVerdict::no_go;
    return std::nullopt;
}

bool is_valid_environment(std::string_view name) {
    if (name.empty() || name.size() > 128) return false;
    if (std::all_of(name.begin(), name.end(), [](char c) { return c == '.'; })) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

bool is_valid_commit(std::string_view commit) {
    if (commit.size() < 4 || commit.size() > 64) return false;
    return std::all_of(commit.begin(), commit.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

json promotion_decision_json(const PromotionDecision& decision) {
    return json{{"id", decision.id},         {"environment", decision.environment},
                {"commit", decision.commit}, {"decision", to_string(decision.decision)},
                {"reason", decision.reason}, {"by", decision.by},
                {"token", decision.token},   {"at", util::format_utc(decision.at)}};
}

json promotion_attempt_json(const PromotionAttempt& attempt) {
    return json{{"id", attempt.id},
                {"environment", attempt.environment},
                {"commit", attempt.commit},
                {"verdict", to_string(attempt.verdict)},
                {"reasons", string_list(attempt.reasons)},
                {"evidence", string_list(attempt.evidence)},
                {"by", attempt.by},
                {"token", attempt.token},
                {"at", util::format_utc(attempt.at)}};
}

util::Result<PromotionDecision> parse_promotion_decision(std::string_view body) {
    auto document = parse_object(body, {"environment", "commit", "decision", "reason", "by"});
    if (!document) return document.error();
    auto common = common_fields(*document);
    if (!common) return common.error();
    auto decision = verdict_field(*document, "decision");
    if (!decision) return decision.error();
    auto reason = text_field(*document, "reason", k_max_reason_bytes, true);
    if (!reason) return reason.error();
    if (util::trim(*reason).empty()) return make_error("/reason: say why (a decision without a reason is refused)");
    PromotionDecision result;
    result.environment = std::move(common->environment);
    result.commit = std::move(common->commit);
    result.by = std::move(common->by);
    result.decision = *decision;
    result.reason = std::move(*reason);
    return result;
}

util::Result<PromotionAttempt> parse_promotion_attempt(std::string_view body) {
    auto document = parse_object(body, {"environment", "commit", "verdict", "reasons", "evidence", "by"});
    if (!document) return document.error();
    auto common = common_fields(*document);
    if (!common) return common.error();
    auto verdict = verdict_field(*document, "verdict");
    if (!verdict) return verdict.error();
    auto reasons = list_field(*document, "reasons");
    if (!reasons) return reasons.error();
    auto evidence = list_field(*document, "evidence");
    if (!evidence) return evidence.error();
    if (*verdict == PromotionVerdict::no_go && reasons->empty()) {
        return make_error("/reasons: a no-go names at least one reason");
    }
    if (*verdict == PromotionVerdict::go && !reasons->empty()) {
        return make_error("/reasons: a go has no reasons against it");
    }
    PromotionAttempt result;
    result.environment = std::move(common->environment);
    result.commit = std::move(common->commit);
    result.by = std::move(common->by);
    result.verdict = *verdict;
    result.reasons = std::move(*reasons);
    result.evidence = std::move(*evidence);
    return result;
}

}  // namespace greenlight::serve
