// The smoke guard: proves the runner's own semantics on fixture suites and probes bundle integrity,
// through the same engine `greenlight run` uses, and keeps every output for triage.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenlight/runner/process.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/util/clock.hpp"

namespace greenlight::smoke {

// One asserted semantic: what was expected, what was seen.
struct SmokeCheck {
    std::string name;
    std::string expected;
    std::string actual;
    bool ok = false;
};

struct SmokeReport {
    std::filesystem::path output_dir;
    std::vector<SmokeCheck> checks;
    std::chrono::milliseconds duration{0};
    std::string error;  // the guard itself could not run (e.g. the output folder is not writable)

    bool ok() const;
    size_t failures() const;
};

// Writes fixtures into `output_dir`, runs them, probes bundles, and writes smoke-report.json and
// smoke-report.md there. Nothing is removed afterwards.
SmokeReport run_smoke(const std::filesystem::path& output_dir, runner::ProcessSupervisor& supervisor,
                      const util::Clock& clock);

nlohmann::json smoke_report_json(const SmokeReport& report);
std::string smoke_report_markdown(const SmokeReport& report);

// The guard as a run's preflight: runs it into `output_dir` and reports it as a PreflightRecord.
runner::PreflightRecord run_smoke_preflight(const std::filesystem::path& output_dir,
                                            runner::ProcessSupervisor& supervisor, const util::Clock& clock);

}  // namespace greenlight::smoke
