// The dashboard's pages, rendered on the server: view data in, a complete HTML document out. No JavaScript;
// every page links the one embedded stylesheet, so a `default-src 'self'` content security policy holds.
// Links use the paths the HTTP layer routes (see docs/SERVE.md): /runs, /runs/<id>, /flaky, /trends,
// /checks, /checks/<name>, /jobs, /jobs/<name>/<id>, /jobs/<name>/<id>/files/<n>, /assets/dashboard.css.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/serve/model.hpp"
#include "greenlight/serve/promotions.hpp"

namespace greenlight::serve {

// Where the pages link their stylesheet; the HTTP layer serves dashboard_stylesheet() there as text/css.
inline constexpr std::string_view k_dashboard_stylesheet_path = "/assets/dashboard.css";

// The stylesheet of every page (light and dark, narrow screens), embedded in the binary.
std::string_view dashboard_stylesheet();

// `/` and `/runs?tier=&verdict=&branch=&project=&before=`.
struct RunsPage {
    RunFilter filter;                         // what the request asked for; shown pre-selected in the filter form
    std::vector<RunSummary> runs;             // newest first
    bool has_older = false;                   // runs older than the last one shown match too: link to them
    std::vector<std::string> known_tiers;     // the form offers these as choices; empty: a text field
    std::vector<std::string> known_projects;  // ditto
    std::vector<std::string> known_branches;  // ditto
};
std::string render_runs_page(const RunsPage& page);

// `/runs/<run_id>`.
struct RunPage {
    RunRecord run;
    std::vector<std::string> bundle_files;  // paths inside the run's bundle ("logs/unit.txt"); empty: no bundle
};
std::string render_run_page(const RunPage& page);

// `/flaky?tier=`.
struct FlakyPage {
    std::optional<std::string> tier;       // the tier asked for; nullopt: every tier
    std::vector<std::string> known_tiers;  // choices of the tier filter; empty: a text field
    int window_runs = 0;                   // how many recent runs per tier were compared (0: not shown)
    std::vector<FlakyTest> tests;          // ranked here: most failures first, then highest failure share
};
std::string render_flaky_page(const FlakyPage& page);

// One tier's runs for the duration chart.
struct TierTrend {
    std::string tier;
    std::vector<RunSummary> runs;  // oldest first: the chart's x axis is this order
};

// `/trends?tier=`.
struct TrendsPage {
    std::optional<std::string> tier;       // the tier asked for; nullopt: every tier
    std::vector<std::string> known_tiers;  // choices of the tier filter; empty: a text field
    std::vector<TierTrend> trends;         // one chart and one table each
};
std::string render_trends_page(const TrendsPage& page);

// Whether the viewer may see ping keys: whoever knows a key can ping the check, so a read-only viewer may not.
enum class PingKeyVisibility { hidden, shown };

// A check as the dashboard shows it: what it is and what the watchdog last concluded.
struct CheckView {
    CheckSpec spec;
    CheckStatus status;
};

// `/checks`.
struct ChecksPage {
    std::vector<CheckView> checks;
    WallTime now{};  // due and last-ping times are said relative to this
    PingKeyVisibility ping_keys = PingKeyVisibility::hidden;
    std::string public_url;  // "https://ci.example.com" to show whole ping URLs; empty: the path alone
};
std::string render_checks_page(const ChecksPage& page);

// `/checks/<name>`.
struct CheckPage {
    CheckView check;
    std::vector<Ping> pings;    // recent ones, newest first
    std::vector<Alert> alerts;  // recent ones, newest first
    WallTime now{};
    PingKeyVisibility ping_keys = PingKeyVisibility::hidden;
    std::string public_url;
};
std::string render_check_page(const CheckPage& page);

// Whether the server hosts the bridge (`serve --bridge`); without it there are no jobs to show.
enum class BridgeAvailability { enabled, disabled };

// `/jobs`.
struct JobsPage {
    std::vector<bridge::Job> jobs;  // newest first
    BridgeAvailability bridge = BridgeAvailability::enabled;
};
std::string render_jobs_page(const JobsPage& page);

// `/jobs/<name>/<id>`.
struct JobPage {
    bridge::Job job;
    std::vector<bridge::SpoolFile> files;
};
std::string render_job_page(const JobPage& page);

// `/jobs/<name>/<id>/files/<n>`: one spool file's records, with the job's other files to switch to.
struct SpoolPage {
    bridge::Job job;
    std::vector<bridge::SpoolFile> files;
    int file_id = 0;      // the spool file shown (SpoolFile::id)
    std::string records;  // its records, each ending in '\n'; fewer than record_count when the reader capped them
};
std::string render_spool_page(const SpoolPage& page);

// `/promotions?environment=&commit=`: promotion attempts with their reasons, and the decisions recorded.
struct PromotionsPage {
    PromotionFilter filter;
    std::vector<PromotionAttempt> attempts;    // newest first
    std::vector<PromotionDecision> decisions;  // newest first
};
std::string render_promotions_page(const PromotionsPage& page);

// An error page: 404 "Not found", 503 "Service unavailable", others by their HTTP reason, with the message.
std::string render_error_page(int http_status, std::string_view message);

}  // namespace greenlight::serve
