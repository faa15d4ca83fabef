// Waiting for a commit's required checks through the GitHub REST API (`greenlight gate --wait`): which checks are
// required (given, or the branch's protection and rulesets), then rounds of reading the head, the check runs and
// the commit statuses until every required check is complete, the time is up, or a newer commit makes the wait
// stale. The clock, the sleeper and the random interval are seams, so tests run the loop in no time.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/github/commit_checks.hpp"
#include "greenlight/github/labels.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::github {

// The shortest interval between rounds `--interval` accepts.
inline constexpr std::chrono::milliseconds k_shortest_poll_interval{1000};

// What to wait for.
struct WaitTarget {
    int pull_number = 0;  // > 0: the head and the protected (base) branch come from the pull request
    std::string branch;   // without a pull request: the branch whose head is waited on and whose protection counts
    std::string sha;      // the commit to wait on; empty: the head when the wait starts
    std::vector<std::string> required_checks;  // empty: the branch's protection and rulesets name them
};

struct WaitSettings {
    std::chrono::milliseconds timeout{std::chrono::minutes(60)};
    std::chrono::milliseconds interval_min{std::chrono::seconds(120)};  // between rounds: uniformly random in
    std::chrono::milliseconds interval_max{std::chrono::seconds(240)};  // [min, max]
    int attempts = 3;  // per request, when GitHub does not answer or answers 5xx
    // One line per round and per rate-limit wait, for a person (stderr).
    std::function<void(std::string_view line)> progress;
};

// The world as the wait sees it. The real one: the system clock, std::this_thread::sleep_for, std::mt19937.
struct WaitSeams {
    const util::Clock* clock = nullptr;  // steady time for the deadline; wall time for X-RateLimit-Reset
    std::function<void(std::chrono::milliseconds)> sleep;
    // A uniformly random duration in [low, high].
    std::function<std::chrono::milliseconds(std::chrono::milliseconds low, std::chrono::milliseconds high)>
        pick_interval;
};

WaitSeams real_wait_seams();

enum class WaitEnd {
    complete,   // every required check completed (whatever its conclusion)
    timed_out,  // the timeout passed first: some required check is still missing, queued or running
    stale,      // the head moved on: the commit waited on is no longer the one to judge
};

std::string_view to_string(WaitEnd end);

struct WaitOutcome {
    WaitEnd end = WaitEnd::complete;
    std::string sha;       // the commit waited on
    std::string moved_to;  // stale: the head it moved to
    std::string branch;    // the protected branch (a pull request's base)
    std::vector<std::string> required;
    std::string required_from;  // "the config", "branch protection of main", "rulesets of main", ...
    int rounds = 0;
    std::chrono::milliseconds waited{0};
    std::vector<CheckSnapshot> checks;                    // each required check as the last round saw it
    nlohmann::json check_runs = nlohmann::json::array();  // every check run of the commit in the last round
    nlohmann::json status = nlohmann::json::object();     // the combined status ({"sha", "statuses"}) of it

    bool all_passed() const;
};

enum class WaitErrorKind {
    bad_input,    // nothing to wait for: no checks are required, no pull request or branch, ...
    unreachable,  // GitHub did not answer, refused, or kept rate limiting past the timeout
};

struct WaitError {
    std::string message;
    WaitErrorKind kind = WaitErrorKind::unreachable;
};

// Waits as described above. A round whose requests are rate limited (429, or 403 with Retry-After or
// x-ratelimit-remaining: 0) waits as GitHub says and tries again, within the timeout; a request without an
// answer or with a 5xx is tried `attempts` times; any other refusal is an error quoting GitHub.
util::Result<WaitOutcome, WaitError> wait_for_checks(const Repository& repository, const WaitTarget& target,
                                                     const WaitSettings& settings, const WaitSeams& seams);

// "round 3: 2/4 complete (ci: in_progress, lint: queued), next in 187 s"; checks that completed without passing
// are listed with their conclusion.
std::string describe_round(int round, const std::vector<CheckSnapshot>& checks, std::string_view what_next);

}  // namespace greenlight::github
