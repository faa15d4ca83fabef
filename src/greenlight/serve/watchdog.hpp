// The watchdog's judgement of a check: from the check's spec, its previous status and its recent pings, the
// state it is in now and the alerts that are due. Pure logic on a given time, so tests never wait and several
// servers evaluating the same check agree on every alert key.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/serve/model.hpp"

namespace greenlight::serve {

// How many recent pings the evaluation expects at most; older ones only matter through `previous`.
constexpr std::size_t k_recent_pings_limit = 500;
// How many bridge job ids an alert carries at most.
constexpr std::size_t k_alert_job_ids_limit = 5;

// The check's state at `now`, from the previous status and its recent pings (oldest first; at most ~500).
// Pure and deterministic: the same inputs give the same status and the same alert keys, so evaluating twice
// (or on two servers) queues nothing new. docs/SERVE.md ("Checks and states") gives the rules.
Evaluation evaluate(const CheckSpec& spec, const std::optional<CheckStatus>& previous,
                    const std::vector<Ping>& recent_pings, WallTime now);

// The heartbeat alert for a channel when one is due (every `every` since the last one).
std::optional<Alert> heartbeat_due(std::string_view channel, std::optional<WallTime> last_heartbeat, Duration every,
                                   WallTime now);

// Bridge job ids named in pings (JOB00042, J0123456, or job=NAME(ID) as the smoke flow logs them), newest ping
// first, each once, at most `limit`; "NAME(ID)" when the name is known.
std::vector<std::string> collect_job_ids(const std::vector<Ping>& pings, std::size_t limit = k_alert_job_ids_limit);

// A duration as a reason reads it: "2 s", "1 h 30 min", "250 ms".
std::string describe_duration(Duration duration);

}  // namespace greenlight::serve
