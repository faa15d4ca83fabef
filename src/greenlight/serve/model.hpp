// What `greenlight serve` keeps and reasons about: ingested runs, watchdog checks, pings, check states and alerts.
// Plain values shared by the store, the watchdog, the alert senders, the API and the dashboard.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/util/clock.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::serve {

using util::WallTime;
using Duration = std::chrono::milliseconds;

// ---- Runs (from `greenlight run --report-to` and `greenlight push`) ----

struct TestCaseRecord {
    std::string suite;
    std::string classname;
    std::string name;
    std::string outcome;  // passed | failed | error | skipped
    double duration_seconds = 0;
    std::string output_excerpt;  // failure message and output, capped (empty for a pass)
};

struct SuiteRecord {
    std::string name;
    verdict::Verdict verdict = verdict::Verdict::error;
    std::int64_t tests = 0;
    std::int64_t failures = 0;
    std::int64_t errors = 0;
    std::int64_t skipped = 0;
    double duration_seconds = 0;
    int attempts = 1;
    std::optional<bool> green;  // absent in reports of older clients
};

struct RunRecord {
    std::string run_id;  // the key: a run pushed twice is one run
    std::string project;
    std::string tier;
    verdict::Verdict verdict = verdict::Verdict::error;  // the run's verdict (worst of its suites)
    // What the run's verdict rule (verdict::decide_run) needs besides the suites; reports of older clients
    // carry none of it, and the defaults stand for a complete run of a tier without a smoke guard.
    std::optional<bool> green;
    std::string status = "complete";  // complete | incomplete
    std::string scope = "tier";       // tier | smoke (the smoke guard was the run)
    std::optional<bool> smoke_green;  // the smoke guard's outcome, when it ran
    std::int64_t missing_shards = 0;  // a merged run: shards none of its inputs brought
    bool allow_partial = false;       // ... merged with --allow-partial
    WallTime started{};
    WallTime ended{};
    double duration_seconds = 0;
    std::string git_sha;
    std::string branch;
    WallTime received{};      // when the server stored it
    bool has_bundle = false;  // the packed bundle was uploaded and verified against its manifest
    std::vector<SuiteRecord> suites;
    std::vector<TestCaseRecord> cases;  // failing and flaky ones always; passing ones too when sent
};

// A line of the runs list (no suites or cases).
struct RunSummary {
    std::string run_id;
    std::string project;
    std::string tier;
    verdict::Verdict verdict = verdict::Verdict::error;
    WallTime started{};
    double duration_seconds = 0;
    std::string git_sha;
    std::string branch;
    bool has_bundle = false;
};

struct RunFilter {
    std::optional<std::string> project;
    std::optional<std::string> tier;
    std::optional<std::string> verdict;  // the text a client asked for, matched as the database stores it
    std::optional<std::string> branch;
    std::optional<std::string> commit;  // the run's git sha, exactly
    std::size_t limit = 50;
    std::optional<std::string> before_run_id;  // paging: runs older than this one
};

// A test whose results differ across the last N runs of a tier.
struct FlakyTest {
    std::string tier;
    std::string suite;
    std::string classname;
    std::string name;
    int runs = 0;      // runs among the last N that have this test
    int failures = 0;  // of those, how many failed or errored
    std::string last_failed_run_id;
};

// ---- Watchdog checks ----

enum class CheckState { new_check, up, late, down, paused };

// When a check is due: every `period`, or at the times of a cron expression in a time zone.
struct Schedule {
    std::optional<Duration> period;
    std::string cron;       // five fields: minute hour day-of-month month day-of-week; empty when period is set
    std::string time_zone;  // IANA name, e.g. Europe/Berlin; "UTC" when not given
};

struct CheckSpec {
    std::string name;      // [a-z0-9][a-z0-9._-]{0,63}
    std::string ping_key;  // unguessable; set by the store when empty
    Schedule schedule;
    Duration grace{std::chrono::minutes{30}};
    std::optional<Duration> max_run_time;   // a start with no end after this long: down
    std::optional<Duration> min_run_time;   // an end this soon after its start: a failure
    int failures_before_alert = 1;          // consecutive failures before going down
    std::optional<Duration> realert_every;  // while down, remind this often
    std::optional<std::string> tier;        // an ingested run of this tier counts as a ping (pass: success)
    std::optional<std::string> project;     // ... of this project only, when set
    std::vector<std::string> channels;      // names of alert channels (serve.alerts)
    bool paused = false;
    std::string description;
};

enum class PingKind { start, success, fail, log };

struct Ping {
    std::string check;
    PingKind kind = PingKind::success;
    std::optional<int> exit_code;    // /ping/<key>/<exit-code>: 0 is success, others fail
    std::optional<std::string> rid;  // pairs a start with its end
    WallTime at{};
    std::string source;  // "http", "run:<run-id>", "api"
    std::string body;    // what the pinger sent (capped), for the dashboard
};

// What the watchdog concluded about a check at some time; persisted by the store.
struct CheckStatus {
    CheckState state = CheckState::new_check;
    WallTime since{};  // when it entered this state
    std::optional<WallTime> last_ping;
    std::optional<WallTime> last_success;
    std::optional<WallTime> next_due;  // when the next success is expected (without grace)
    int consecutive_failures = 0;
    std::optional<WallTime> last_alert;  // when the last down alert or reminder was queued
    std::string reason;                  // why it is late or down, in words
};

// ---- Alerts ----

enum class AlertKind { down, reminder, recovery, heartbeat };

// One message to send to one channel. The key makes queueing idempotent: several replicas evaluating the
// same transition queue it once.
struct Alert {
    std::string key;  // e.g. "nightly-smoke/down/2026-11-21T10:00:00.000Z/discord-main"
    AlertKind kind = AlertKind::down;
    std::string check;
    std::string channel;
    WallTime created{};
    std::optional<WallTime> down_since;
    std::optional<WallTime> last_success;
    std::string reason;
    std::vector<std::string> job_ids;  // bridge job ids seen in the check's recent pings or runs (the trace)
    int attempts = 0;
    std::optional<WallTime> next_attempt;
    std::optional<WallTime> sent;
    std::string last_error;
};

// What the watchdog decided about one check at one time: its new status and the alerts to queue.
struct Evaluation {
    CheckStatus status;
    std::vector<Alert> alerts;
};

std::string_view to_string(CheckState state);
std::optional<CheckState> parse_check_state(std::string_view text);
std::string_view to_string(PingKind kind);
std::optional<PingKind> parse_ping_kind(std::string_view text);
std::string_view to_string(AlertKind kind);
std::optional<AlertKind> parse_alert_kind(std::string_view text);

// ---- Retention ----

// How long history is kept; nullopt keeps it forever. Runs go with their suites, test cases and bundle;
// each check keeps its newest pings the watchdog reads whatever their age; alerts not yet sent are kept.
struct Retention {
    std::optional<Duration> runs;
    std::optional<Duration> pings;
    std::optional<Duration> alerts;
};

// What one pass of pruning removed.
struct PruneResult {
    std::int64_t runs = 0;
    std::int64_t pings = 0;
    std::int64_t alerts = 0;
    std::vector<std::string> runs_with_bundles;  // removed runs whose bundle folder is to go too
    bool complete = true;                        // false: more is due than one pass removes; call again
};

}  // namespace greenlight::serve
