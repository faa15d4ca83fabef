// The evidence of the remote smoke flow: what the finished job must show (assertions on its spool), the
// flow's metrics, and the result bundle that holds them (spool.log, delta.json, final-script.json,
// metrics.json, a manifest), packed as a .tar.gz that `greenlight verify` accepts. See docs/BRIDGE.md.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/config/bridge_config.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// One spool file of the job as the flow downloaded it.
struct DownloadedSpoolFile {
    SpoolFile file;                      // as the host listed it, with its byte and record counts
    std::optional<std::string> content;  // nullopt when the download failed
    std::string error;                   // why it failed
};

// One check of delta.json: what was expected, what was found, whether it holds.
struct Assertion {
    std::string name;
    nlohmann::json expected;
    nlohmann::json actual;
    bool pass = false;
};

// Words of a text: runs of characters that are not blanks.
int count_words(std::string_view text);
// Paragraphs: runs of lines that are not blank (a blank line holds only blanks).
std::vector<std::string> paragraphs(std::string_view text);

// What the flow counts in the log output of a job.
struct LogCounts {
    int segments = 0;  // non-empty spool files whose DD name is in log_dds
    int snippets = 0;  // paragraphs of the segments with at least min_words_per_snippet words
};
LogCounts count_log_output(const config::BridgeAssertionsConfig& assertions,
                           const std::vector<DownloadedSpoolFile>& spool);

// The content of the script artifact (the last non-empty spool file named final_script_dd), if any.
std::optional<std::string> final_script_text(const config::BridgeAssertionsConfig& assertions,
                                             const std::vector<DownloadedSpoolFile>& spool);

// Every assertion, in a fixed order: retcode, one per spool file (downloaded, bytes and records as
// listed), required DDs, log segments, snippets, final script (present, JSON), final-script frames.
std::vector<Assertion> evaluate_assertions(const config::BridgeAssertionsConfig& assertions,
                                           const std::optional<std::string>& retcode,
                                           const std::vector<DownloadedSpoolFile>& spool);

// The nearest-rank percentile (0 < p <= 100) of `values`; 0 for none.
double percentile(std::vector<double> values, double p);

// What the flow measured, for metrics.json.
struct FlowMetrics {
    int polls = 0;                                      // status requests, answered or not
    int failed_polls = 0;                               // timeouts, transport errors, 5xx, 429, bad answers
    std::map<std::string, int> failed_polls_by_reason;  // timeout, transport, http-503, ...
    std::vector<double> poll_latencies_ms;              // of every status request
    int submit_requests = 0;
    int submit_retries = 0;                     // resends of a submit whose answer was lost
    int cancels = 0;                            // cancel requests sent
    int resubmissions = 0;                      // new jobs after a stall or SYS FAIL
    int spool_retries = 0;                      // repeated spool downloads
    std::optional<double> submit_to_output_ms;  // from the last submit to the job's output
    double total_ms = 0;                        // the whole flow
};
nlohmann::json metrics_json(const FlowMetrics& metrics);

// The name of a spool file in the bundle: spool/<id>-<ddname>.txt (step name too when needed to be unique).
std::string spool_file_name(const SpoolFile& file);

// Every spool file, in order, each under a header line naming DD, step and id.
std::string spool_log(const std::vector<DownloadedSpoolFile>& spool);

// What the result bundle holds.
struct Evidence {
    std::string jcl;                          // job.jcl: the JCL of the last submission (none: no job.jcl)
    std::vector<DownloadedSpoolFile> spool;   // spool.log and spool/*.txt
    std::optional<std::string> final_script;  // final-script.json, when the job wrote one
    nlohmann::json delta;                     // delta.json
    nlohmann::json metrics;                   // metrics.json
};

// Writes the bundle folder (created; it must not hold files yet), every file atomically, then its
// manifest (manifest.json, manifest-sha256.txt) with greenlight's bundle code.
util::Status write_evidence_folder(const std::filesystem::path& folder, const Evidence& evidence);

// Packs the folder as a deterministic .tar.gz (greenlight pack) at `archive`.
util::Status pack_evidence(const std::filesystem::path& folder, const std::filesystem::path& archive);

}  // namespace greenlight::bridge
