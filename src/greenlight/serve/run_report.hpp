// A run report: what `greenlight push` and `greenlight run --report-to` send to `greenlight serve`.
// It is read from a run bundle (verified against its manifest first) and travels as versioned JSON
// ("greenlight.run-report/v1"), which the server parses strictly because it comes from the network.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "greenlight/serve/model.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

inline constexpr const char* k_run_report_schema = "greenlight.run-report/v1";

// Bounds of a report. A client keeps excerpts to k_excerpt_limit; the server accepts up to
// k_max_excerpt_bytes so that a later client may send more without a new schema.
inline constexpr std::size_t k_max_report_bytes = 64 * 1024 * 1024;
inline constexpr std::size_t k_max_cases = 10'000;
inline constexpr std::size_t k_max_suites = 1'000;
inline constexpr std::size_t k_max_excerpt_bytes = 64 * 1024;
inline constexpr std::size_t k_excerpt_limit = 4 * 1024;

// Reads a run bundle folder: summary.json (run, suites), junit.xml (test cases with output excerpts for the
// failing ones). A bundle whose manifest does not verify is refused, with the verify findings in the error.
util::Result<RunRecord> read_run_from_bundle(const std::filesystem::path& bundle_folder);

// Verifies a packed bundle (.tar.gz written by `greenlight pack`), unpacks it to a temporary folder and reads it.
util::Result<RunRecord> read_run_from_packed_bundle(const std::filesystem::path& tar_gz);

// The wire form of a run: everything but what the server decides (received, has_bundle).
nlohmann::json run_report_json(const RunRecord& run);
// run_report_json as the request body (bytes that are not UTF-8 replaced by U+FFFD).
std::string run_report_body(const RunRecord& run);

// Parses and validates a report body (untrusted): schema, types, required fields, the run id pattern, sizes.
// An error names the JSON pointer of the first bad field, e.g. "/cases/3/outcome: expected ...".
util::Result<RunRecord> parse_run_report(std::string_view body);

// Recomputes the run's verdict and green from its own suites (and smoke guard, status, missing shards) with the
// rule `greenlight run` uses (verdict::decide_run); an error names the field (/verdict, /green, /suites/N/green)
// that disagrees. parse_run_report applies it to every report.
util::Status check_run_verdict(const RunRecord& run);

// RFC 3339 UTC as `greenlight run` writes times ("2026-11-21T10:36:00.123Z", fraction optional).
util::Result<WallTime> parse_utc_time(std::string_view text);

}  // namespace greenlight::serve
