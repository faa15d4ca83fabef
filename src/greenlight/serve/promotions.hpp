// Promotions as `greenlight serve` keeps them: the go/no-go decisions people record for a commit and an
// environment, and every promotion attempt `greenlight promote` made with its verdict and reasons. Plain values
// with their API JSON, shared by the store, the API, the dashboard and the client `greenlight promote` uses.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/serve/model.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// A decision's word and an attempt's verdict: "go" or "no-go".
enum class PromotionVerdict { go, no_go };

std::string_view to_string(PromotionVerdict verdict);
std::optional<PromotionVerdict> parse_promotion_verdict(std::string_view text);

// A person's decision that a commit may (go) or may not (no-go) be promoted into an environment. The latest
// decision for a commit and environment is the one that counts.
struct PromotionDecision {
    std::int64_t id = 0;  // set by the store; orders decisions made in one millisecond
    std::string environment;
    std::string commit;
    PromotionVerdict decision = PromotionVerdict::no_go;
    std::string reason;
    std::string by;     // who decided: the --by flag, GITHUB_ACTOR, or the token's name
    std::string token;  // the name of the token that recorded it (set by the server)
    WallTime at{};      // set by the store
};

// One run of `greenlight promote`: what it concluded and why.
struct PromotionAttempt {
    std::int64_t id = 0;
    std::string environment;
    std::string commit;
    PromotionVerdict verdict = PromotionVerdict::no_go;
    std::vector<std::string> reasons;   // every reason for a no-go; empty for a go
    std::vector<std::string> evidence;  // what held: the evidence used, the decision, the gates
    std::string by;
    std::string token;
    WallTime at{};
};

struct PromotionFilter {
    std::optional<std::string> environment;
    std::optional<std::string> commit;
    std::size_t limit = 50;
};

// An environment name as greenlight.yml allows it; a commit is 4 to 64 hex digits (compared in lower case).
bool is_valid_environment(std::string_view name);
bool is_valid_commit(std::string_view commit);

nlohmann::json promotion_decision_json(const PromotionDecision& decision);
nlohmann::json promotion_attempt_json(const PromotionAttempt& attempt);

// The bodies of POST /api/v1/promotions/decisions and /attempts (untrusted); an error names the field.
// `by` may be empty (the server then names the token); id, token and at are the server's to set.
util::Result<PromotionDecision> parse_promotion_decision(std::string_view body);
util::Result<PromotionAttempt> parse_promotion_attempt(std::string_view body);

}  // namespace greenlight::serve
