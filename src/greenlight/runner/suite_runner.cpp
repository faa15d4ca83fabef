#include "greenlight/runner/suite_runner.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cstdlib>
#include <optional>

#include "greenlight/bundle/file_hashing.hpp"
#include "greenlight/config/keys.hpp"
#include "greenlight/results/parsers.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

extern char** environ;

namespace greenlight::runner {

namespace fs = std::filesystem;

namespace {

// File timestamps come from a coarse clock that can lag the wall clock by a tick.
constexpr auto k_timestamp_tolerance = std::chrono::milliseconds(50);

struct AttemptPaths {
    fs::path suite_dir;
    fs::path outputs;
    fs::path output_log;
};

std::vector<std::pair<std::string, std::string>> placeholder_values(const SuiteContext& context,
                                                                    const config::SuiteConfig& suite,
                                                                    const fs::path& outputs) {
    return {{"outputs", outputs.string()}, {"run_id", context.run_id}, {"tier", context.tier}, {"suite", suite.name}};
}

std::vector<std::string> build_environment(const SuiteContext& context, const config::SuiteConfig& suite,
                                           const fs::path& outputs, const fs::path& temp, int attempt,
                                           const std::vector<std::pair<std::string, std::string>>& placeholders) {
    std::vector<std::pair<std::string, std::string>> overrides;
    for (const auto& [name, value] : suite.env) {
        // What greenlight sets is not the suite's to change (the config loader rejects such names too).
        if (config::is_reserved_environment_name(name)) continue;
        overrides.emplace_back(name, util::expand_placeholders(value, placeholders));
    }
    overrides.emplace_back("GREENLIGHT_OUTPUTS", outputs.string());
    overrides.emplace_back("GREENLIGHT_RUN_ID", context.run_id);
    overrides.emplace_back("GREENLIGHT_TIER", context.tier);
    overrides.emplace_back("GREENLIGHT_SUITE", suite.name);
    overrides.emplace_back("GREENLIGHT_ATTEMPT", std::to_string(attempt));
    overrides.emplace_back("TMPDIR", temp.string());
    overrides.emplace_back("TZ", "UTC");

    std::vector<std::string> environment;
    for (char** entry = environ; entry && *entry; ++entry) {
        std::string_view variable(*entry);
        std::string_view name = variable.substr(0, variable.find('='));
        bool overridden = false;
        for (const auto& override_entry : overrides) overridden = overridden || override_entry.first == name;
        if (!overridden) environment.emplace_back(variable);
    }
    for (const auto& [name, value] : overrides) environment.push_back(name + "=" + value);
    return environment;
}

fs::path resolve_against(const fs::path& base, const fs::path& path) {
    return path.is_absolute() ? path : base / path;
}

bool is_inside(const fs::path& path, const fs::path& folder) {
    auto relative = path.lexically_normal().lexically_relative(folder.lexically_normal());
    return !relative.empty() && *relative.begin() != "..";
}

std::string relative_to_bundle(const SuiteContext& context, const fs::path& path) {
    return path.lexically_normal().lexically_relative(context.bundle_dir.lexically_normal()).generic_string();
}

// Failure locations as the repository names them, so an annotation lands on the file in the pull request:
// absolute paths under the repository made relative to it, paths relative to a suite's own working folder
// (pytest and go print them so) prefixed with that folder when the file is there.
void locate_in_repository(std::vector<results::TestCase>& cases, const fs::path& root, const fs::path& cwd) {
    const fs::path repository = root.lexically_normal();
    for (results::TestCase& test_case : cases) {
        if (test_case.file.empty()) continue;
        fs::path file(test_case.file);
        if (file.is_relative()) {
            std::error_code ignored;
            if (cwd.lexically_normal() == repository || !fs::exists(cwd / file, ignored)) continue;
            file = cwd / file;
        }
        if (is_inside(file, repository)) {
            test_case.file = file.lexically_normal().lexically_relative(repository).generic_string();
        }
    }
}

// Reads the declared results of one attempt. A results file not written during this attempt is
// treated as missing: stale results from an earlier run must never turn a crash into a pass.
void read_results(const config::SuiteConfig& suite, const SuiteContext& context, const fs::path& cwd,
                  const std::vector<std::pair<std::string, std::string>>& placeholders, util::WallTime attempt_start,
                  AttemptFacts& facts, AttemptRecord& record, const AttemptPaths& paths) {
    facts.results_source = suite.results.source;
    std::optional<results::ParseOutcome> outcome;
    if (suite.results.source == config::ResultsSpec::Source::output) {
        outcome.emplace(results::parse_runner_output_file(suite.results.format, paths.output_log, "output.log"));
    } else {
        fs::path file = resolve_against(cwd, util::expand_placeholders(suite.results.path, placeholders));
        record.results_file = is_inside(file, context.bundle_dir) ? relative_to_bundle(context, file) : file.string();
        struct stat info {};
        if (::stat(file.c_str(), &info) == 0) {
            // Reading a fifo would wait forever for a writer, and a device (a link to /dev/zero) never ends.
            if (!S_ISREG(info.st_mode)) {
                facts.results_error = fmt::format("results file {} is {}, not a regular file", file.string(),
                                                  bundle::describe_file_mode(info.st_mode));
                return;
            }
            auto modified = util::WallTime(std::chrono::duration_cast<util::WallTime::duration>(
                std::chrono::seconds(info.st_mtim.tv_sec) + std::chrono::nanoseconds(info.st_mtim.tv_nsec)));
            if (modified + k_timestamp_tolerance < attempt_start) {
                facts.results_error = fmt::format(
                    "results file {} was not written by this attempt (it is older than the attempt's start)",
                    file.string());
                return;
            }
            if (!is_inside(file, paths.outputs)) {
                // Keep the evidence: a copy of a results file written outside the bundle.
                std::error_code ignored;
                fs::copy_file(file, paths.outputs / file.filename(), fs::copy_options::overwrite_existing, ignored);
                if (!ignored) record.results_file = relative_to_bundle(context, paths.outputs / file.filename());
            }
        }
        outcome.emplace(results::parse_results_file(suite.results.format, file));
    }
    if (results::ParseOutcome& parsed = *outcome; parsed) {
        facts.counts = parsed->counts;
        record.cases = std::move(parsed->cases);
        locate_in_repository(record.cases, context.config.root, cwd);
    } else {
        facts.results_error = parsed.error().to_string();
    }
}

// Moves an attempt's output.log and outputs/ to attempts/<n>/ so the next attempt starts clean
// and every attempt's evidence stays in the bundle.
void keep_attempt(const SuiteContext& context, const AttemptPaths& paths, AttemptRecord& record) {
    fs::path keep = paths.suite_dir / "attempts" / std::to_string(record.number);
    std::error_code ignored;
    fs::create_directories(keep, ignored);
    fs::rename(paths.output_log, keep / "output.log", ignored);
    fs::rename(paths.outputs, keep / "outputs", ignored);
    record.output_log = relative_to_bundle(context, keep / "output.log");
    record.outputs_dir = relative_to_bundle(context, keep / "outputs");
    std::string outputs_prefix = relative_to_bundle(context, paths.outputs) + "/";
    if (record.results_file.rfind(outputs_prefix, 0) == 0) {
        record.results_file = record.outputs_dir + "/" + record.results_file.substr(outputs_prefix.size());
    }
}

AttemptRecord run_attempt(const config::SuiteConfig& suite, const SuiteContext& context, const AttemptPaths& paths,
                          int number, util::TemporaryDirectory& scratch) {
    AttemptRecord record;
    record.number = number;
    record.output_log = relative_to_bundle(context, paths.output_log);
    record.outputs_dir = relative_to_bundle(context, paths.outputs);

    std::error_code ignored;
    fs::create_directories(paths.outputs, ignored);
    // A TMPDIR of this attempt's own, emptied when the attempt ends.
    const fs::path temp = scratch.fresh_subfolder(fmt::format("{}.{}", suite.name, number));
    struct ClearAfterwards {
        const fs::path& folder;
        ~ClearAfterwards() {
            if (!folder.empty()) util::TemporaryDirectory::clear(folder);
        }
    } clear_afterwards{temp};
    auto placeholders = placeholder_values(context, suite, paths.outputs);
    fs::path cwd = resolve_against(context.config.root, util::expand_placeholders(suite.cwd, placeholders));

    SpawnRequest request;
    // A shell-string suite arrives from the config as {"/bin/sh", "-c", text} already.
    for (const auto& argument : suite.argv) request.argv.push_back(util::expand_placeholders(argument, placeholders));
    request.cwd = cwd;
    request.environment = build_environment(context, suite, paths.outputs, temp, number, placeholders);
    request.environment_marker = fmt::format("GREENLIGHT_ATTEMPT_ID={}/{}/{}", context.run_id, suite.name, number);
    request.environment.push_back(request.environment_marker);
    request.output_log = paths.output_log;
    request.timeout = suite.timeout;
    request.grace = suite.grace;
    request.output_cap = suite.output_cap;

    util::WallTime start = context.clock.now();
    record.started_at = util::format_utc(start);
    AttemptFacts facts;
    facts.min_tests = suite.min_tests;
    std::error_code cwd_error;
    if (temp.empty() || !fs::is_directory(cwd, cwd_error)) {
        record.exit.termination = Termination::failed_to_start;
        record.exit.start_error = temp.empty() ? "cannot create a private TMPDIR"
                                               : fmt::format("working directory {} does not exist", cwd.string());
        facts.termination = record.exit.termination;
        facts.start_error = record.exit.start_error;
    } else {
        record.exit = context.supervisor.run(request);
        facts.termination = record.exit.termination;
        facts.exit_code = record.exit.exit_code;
        facts.signal = record.exit.signal;
        facts.start_error = record.exit.start_error;
        if (facts.termination == Termination::exited && suite.results.source != config::ResultsSpec::Source::none) {
            read_results(suite, context, cwd, placeholders, start, facts, record, paths);
        }
    }
    record.decision = decide_attempt(facts);
    return record;
}

}  // namespace

std::string suite_folder(const std::string& suite_name) {
    return "suites/" + suite_name;
}

SuiteOutcome run_suite(const config::SuiteConfig& suite, const SuiteContext& context,
                       util::TemporaryDirectory* scratch) {
    std::optional<util::TemporaryDirectory> own_scratch;
    if (!scratch) scratch = &own_scratch.emplace("greenlight-suite");
    SuiteOutcome outcome;
    outcome.name = suite.name;
    outcome.labels = suite.labels;
    outcome.command = suite.argv;
    const auto started = context.clock.now();
    const auto started_steady = context.clock.steady_now();
    outcome.started_at = util::format_utc(started);

    AttemptPaths paths;
    paths.suite_dir = context.bundle_dir / suite_folder(suite.name);
    paths.outputs = paths.suite_dir / "outputs";
    paths.output_log = paths.suite_dir / "output.log";
    std::error_code ignored;
    fs::create_directories(paths.outputs, ignored);
    const fs::path result_file = paths.suite_dir / "result.json";
    if (auto written = util::write_file_atomic(result_file, suite_result_json(outcome, context.tier).dump(2) + "\n",
                                               util::Durability::process_crash);
        !written) {
        outcome.write_error = written.message();
    }

    std::optional<std::string> unmet;
    for (const auto& requirement : suite.requires_) {
        if (auto met = context.requirements.check(requirement, context.config.root); !met) {
            unmet = fmt::format("requirement `{}` not met: {}", requirement, met.message());
            break;
        }
    }

    verdict::SuiteFacts facts{context.tier, unmet, {}, verdict::Interruption::none};
    if (!unmet) {
        for (int number = 1; number <= suite.retries + 1; ++number) {
            if (number > 1) keep_attempt(context, paths, outcome.attempts.back());
            outcome.attempts.push_back(run_attempt(suite, context, paths, number, *scratch));
            const AttemptRecord& last = outcome.attempts.back();
            facts.attempts.push_back(last.decision);
            if (last.exit.termination == Termination::interrupted)
                facts.interruption = verdict::Interruption::requested;
            const auto interruption = interrupted() ? verdict::Interruption::requested : facts.interruption;
            if (!verdict::should_retry(last.decision, number, suite.retries, interruption)) break;
        }
    }
    const verdict::SuiteDecision decision = verdict::decide_suite(facts, context.config.policy);
    outcome.verdict = decision.verdict;
    outcome.green = decision.green;
    outcome.complete = decision.complete;
    outcome.reason = decision.reason;
    outcome.counts = decision.counts;
    if (!outcome.attempts.empty() && !outcome.attempts.back().exit.leaked.empty()) {
        const auto leaked = outcome.attempts.back().exit.leaked.size();
        outcome.reason += fmt::format(" ({} leaked process{} stopped)", leaked, leaked == 1 ? "" : "es");
    }
    outcome.finished_at = util::format_utc(context.clock.now());
    outcome.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(context.clock.steady_now() - started_steady);
    // Interrupted suites get their result.json too, marked "incomplete", with the attempts they made.
    if (auto written = util::write_file_atomic(result_file, suite_result_json(outcome, context.tier).dump(2) + "\n",
                                               util::Durability::process_crash);
        !written) {
        outcome.write_error = written.message();
    }
    return outcome;
}

}  // namespace greenlight::runner
