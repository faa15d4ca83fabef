// Runs one suite: requirements, attempts under supervision, results, verdict, result.json.
#pragma once

#include <filesystem>
#include <string>

#include "greenlight/config/config.hpp"
#include "greenlight/runner/outcome.hpp"
#include "greenlight/runner/process.hpp"
#include "greenlight/runner/requirements.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::runner {

struct SuiteContext {
    const config::Config& config;
    std::string tier;
    std::string run_id;
    std::filesystem::path bundle_dir;  // the run's bundle folder
    ProcessSupervisor& supervisor;
    RequirementChecker& requirements;
    const util::Clock& clock;
};

// Runs the suite and writes suites/<name>/ in the bundle: result.json ("incomplete" first, replaced
// atomically at the end), output.log, outputs/, and attempts/<n>/ for every attempt that was retried.
// Each attempt's TMPDIR is a fresh subfolder of `scratch` (a worker's, reused from suite to suite);
// without one, the suite gets a scratch folder of its own.
SuiteOutcome run_suite(const config::SuiteConfig& suite, const SuiteContext& context,
                       util::TemporaryDirectory* scratch = nullptr);

// Bundle-relative folder of a suite.
std::string suite_folder(const std::string& suite_name);

}  // namespace greenlight::runner
