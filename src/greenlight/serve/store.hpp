// Everything `greenlight serve` keeps: runs with their suites and cases, watchdog checks, their pings and
// statuses, the alert outbox and the API tokens, on SQLite or PostgreSQL. Safe to call from many threads;
// several servers may share one PostgreSQL database.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/serve/database.hpp"
#include "greenlight/serve/model.hpp"
#include "greenlight/serve/promotions.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// What a token lets its holder do: push runs, or everything (admin includes ingest).
enum class TokenScope { ingest, admin };

std::string_view to_string(TokenScope scope);
std::optional<TokenScope> parse_token_scope(std::string_view text);

// A token as listed: never its secret, which only its creator saw once.
struct TokenInfo {
    std::string name;
    TokenScope scope = TokenScope::ingest;
    WallTime created{};
    std::optional<WallTime> revoked;
};

// Whether a check takes part in evaluation.
enum class Pause { paused, running };

// Decides a check's new status from its spec, its stored status, its recent pings (oldest first) and now.
using Evaluator = std::function<Evaluation(const CheckSpec&, const std::optional<CheckStatus>& previous,
                                           const std::vector<Ping>& recent_pings, WallTime now)>;

// How many pings of a check the evaluator sees.
inline constexpr std::size_t k_evaluation_pings = 500;

class Store {
public:
    // Opens (or creates) the database at `url` (sqlite:PATH or postgresql://...) and brings its schema up to date.
    static util::Result<std::unique_ptr<Store>> open(std::string_view url, const util::Clock& clock);
    ~Store();

    DatabaseKind kind() const { return m_database->kind(); }
    // The URL without its password, for logs.
    std::string redacted_url() const { return m_database->url().redacted(); }

    // ---- runs ----

    // Stores a run with its suites and cases in one transaction. false: a run with this id was stored
    // before (a retried push), and nothing changed. The run's `received` is set to now.
    util::Result<bool> put_run(const RunRecord& run);
    util::Result<std::optional<RunRecord>> run(std::string_view run_id);
    // Newest first (by start time), filtered, at most `filter.limit` (capped at 1000), older than
    // `filter.before_run_id` when set.
    util::Result<std::vector<RunSummary>> runs(const RunFilter& filter);
    util::Result<std::int64_t> run_count();
    // Marks that the run's packed bundle arrived and was verified.
    util::Status set_bundle_stored(std::string_view run_id);
    // Tests that failed in some but not all of the last `last_runs` runs of a tier (of each tier when none
    // is given), or that failed and passed within one run; most failures first.
    util::Result<std::vector<FlakyTest>> flaky_tests(std::optional<std::string> tier, int last_runs, std::size_t limit);
    // The last `limit` runs of a tier, oldest first, for the duration chart.
    util::Result<std::vector<RunSummary>> duration_trend(std::string_view tier, std::size_t limit);

    // ---- checks ----

    // Inserts or updates a check by name. A check without a ping key keeps its stored one, or gets a new
    // unguessable one (24 random bytes, base64url). Returns the check as stored.
    util::Result<CheckSpec> put_check(CheckSpec spec);
    util::Result<std::vector<CheckSpec>> checks();
    util::Result<std::optional<CheckSpec>> check(std::string_view name);
    util::Result<std::optional<CheckSpec>> check_by_ping_key(std::string_view ping_key);
    // Deletes a check with its status and pings; an error when there is no such check.
    util::Status delete_check(std::string_view name);
    util::Status set_paused(std::string_view name, Pause pause);
    // Makes the stored checks match the config's: adds and updates those it defines (keeping their ping keys
    // and statuses, and a pause made through the API) and deletes checks that came from the config earlier
    // and are gone from it. Checks created through the API are left alone.
    util::Status sync_checks_from_config(const std::vector<CheckSpec>& specs);

    // ---- pings ----

    // Records one ping for the check `ping.check` names.
    util::Status add_ping(const Ping& ping);
    // Records one ping for the check whose ping key this is, and returns that check's name once the ping is
    // committed; nullopt (and nothing recorded) when no check has the key. `ping.check` is ignored. The hot
    // path of the server. On PostgreSQL, pings arriving together are written in one transaction (one sync of
    // the log for all of them), so throughput does not hang on how fast the disk syncs; on SQLite, which does
    // not sync at commit, each ping is one statement.
    util::Result<std::optional<std::string>> add_ping_by_key(std::string_view ping_key, const Ping& ping);
    // The last `limit` pings of a check, oldest first.
    util::Result<std::vector<Ping>> recent_pings(std::string_view check, std::size_t limit);

    // ---- statuses and evaluation ----

    util::Result<std::optional<CheckStatus>> status(std::string_view name);
    util::Result<std::vector<std::pair<CheckSpec, std::optional<CheckStatus>>>> checks_with_status();
    // Locks the check's row (nullopt when another server holds it: that one is evaluating it), hands the
    // evaluator the spec, the stored status and the last 500 pings, stores the new status and queues the
    // alerts (an alert whose key is already queued is not queued again), and commits.
    util::Result<std::optional<Evaluation>> evaluate_check(std::string_view name, WallTime now,
                                                           const Evaluator& evaluate);
    // How many checks are in each state (checks never evaluated count as new); every state is present.
    util::Result<std::map<CheckState, int>> check_state_counts();

    // ---- the alert outbox ----

    // Hands out up to `limit` unsent alerts that are due, oldest first, and leases them until now + lease:
    // no other caller (or server) gets them until then. Each claim counts as an attempt.
    // Queues an alert outside an evaluation (a heartbeat); false when one with its key is queued already.
    // Sent from its `next_attempt`, or at once.
    util::Result<bool> queue_alert(const Alert& alert);
    util::Result<std::vector<Alert>> claim_alerts(WallTime now, std::size_t limit, Duration lease);
    util::Status alert_sent(std::string_view key, WallTime at);
    // Records a failed send; the alert is handed out again from `next_attempt` on.
    util::Status alert_failed(std::string_view key, std::string error, WallTime next_attempt);
    // The newest alerts, sent or not, for the dashboard.
    util::Result<std::vector<Alert>> alerts(std::size_t limit);
    // When an alert of this kind for this channel was last queued (heartbeats are scheduled from it).
    util::Result<std::optional<WallTime>> last_alert_of_kind(AlertKind kind, std::string_view channel);

    // ---- promotions (store_promotions.cpp) ----

    // Records a decision or an attempt, stamped now; returns it as stored (with its id and time). Kept
    // forever: retention does not remove them.
    util::Result<PromotionDecision> add_promotion_decision(PromotionDecision decision);
    util::Result<PromotionAttempt> add_promotion_attempt(PromotionAttempt attempt);
    // Newest first, filtered, at most `filter.limit` (capped at 1000).
    util::Result<std::vector<PromotionDecision>> promotion_decisions(const PromotionFilter& filter);
    util::Result<std::vector<PromotionAttempt>> promotion_attempts(const PromotionFilter& filter);

    // ---- retention ----

    // Deletes what `retention` no longer keeps at `now`, in short transactions of at most a few thousand
    // rows, so pings and ingestion carry on beside it. One call removes at most a bounded amount;
    // `complete` says whether anything due is left. Bundle folders are the caller's to remove.
    util::Result<PruneResult> prune(const Retention& retention, WallTime now);

    // ---- tokens ----

    // Creates a token and returns its secret (`glt_` + 32 random bytes, base64url): shown once, only its
    // SHA-256 is kept. An error when the name is taken.
    util::Result<std::string> create_token(std::string_view name, TokenScope scope);
    // The token a secret belongs to, unless it is unknown or revoked.
    util::Result<std::optional<TokenInfo>> verify_token(std::string_view secret);
    util::Result<std::vector<TokenInfo>> tokens();
    util::Status revoke_token(std::string_view name);

    // ---- health ----

    // Succeeds when the database answers a query now (for /healthz).
    util::Status check_available();

private:
    Store(std::unique_ptr<Database> database, const util::Clock& clock);

    util::Status upsert_check(Connection& connection, const CheckSpec& spec, std::string_view origin);

    struct PingQueue;
    struct PendingPing;
    void write_pings(const std::vector<PendingPing*>& batch);

    std::unique_ptr<Database> m_database;
    const util::Clock& m_clock;
    std::unique_ptr<PingQueue> m_ping_queue;
};

// `count` random bytes from OpenSSL, base64url without padding.
util::Result<std::string> random_base64url(std::size_t count);

}  // namespace greenlight::serve
