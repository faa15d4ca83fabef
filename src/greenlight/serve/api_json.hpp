// The JSON of serve's API (internal to serve): runs, checks, pings and alerts as the API answers them, and a
// check definition read from a PUT body.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "greenlight/serve/model.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve::detail {

// UTC, to the second (2026-11-21T08:00:00Z).
std::string iso(WallTime time);

nlohmann::json run_summary_json(const RunSummary& run);
// A check with its state; with_key adds its ping path (only for the admin who created or changed it).
nlohmann::json check_json(const CheckSpec& spec, const std::optional<CheckStatus>& status, bool with_key);
nlohmann::json ping_json(const Ping& ping);
nlohmann::json alert_json(const Alert& alert);

// A check from the API's JSON (PUT /api/v1/checks/<name>); an error names the field.
util::Result<CheckSpec> check_from_json(std::string_view name, std::string_view body);

}  // namespace greenlight::serve::detail
