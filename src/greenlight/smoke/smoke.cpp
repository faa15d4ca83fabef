#include "greenlight/smoke/smoke.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/bundle/verify.hpp"
#include "greenlight/config/config.hpp"
#include "greenlight/process/proc.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/smoke/fixtures.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/sha256.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::smoke {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The timeout fixture has 1 s of timeout and 0.3 s of grace; anything near this means the runner
// waited on something (a pipe, a grandchild) it should not have.
constexpr auto k_timeout_fixture_limit = std::chrono::milliseconds(4000);

class Checks {
public:
    void expect(std::string name, std::string expected, std::string actual, bool ok) {
        m_checks.push_back({std::move(name), std::move(expected), std::move(actual), ok});
    }
    void expect_equal(std::string name, const std::string& expected, const std::string& actual) {
        expect(std::move(name), expected, actual, expected == actual);
    }
    std::vector<SmokeCheck> take() { return std::move(m_checks); }

private:
    std::vector<SmokeCheck> m_checks;
};

const runner::SuiteOutcome* find_suite(const runner::RunOutcome& run, std::string_view name) {
    for (const auto& suite : run.suites) {
        if (suite.name == name) return &suite;
    }
    return nullptr;
}

std::string joined(const std::vector<std::string>& items) {
    return items.empty() ? "(none)" : util::join(items, ", ");
}

void copy_tree(const fs::path& from, const fs::path& to) {
    std::error_code ignored;
    fs::remove_all(to, ignored);
    fs::create_directories(to.parent_path(), ignored);
    fs::copy(from, to, fs::copy_options::recursive, ignored);
}

// Report lines may carry a detail after the path ("suites/x (sha256 differs)").
bool contains(const std::vector<std::string>& items, const std::string& wanted) {
    return std::any_of(items.begin(), items.end(), [&](const std::string& item) {
        return item == wanted || item.rfind(wanted + " ", 0) == 0 || item.rfind(wanted + ":", 0) == 0;
    });
}

// An archive holding a manifest that lists `../escape.txt` and an entry that climbs out of the bundle.
void write_traversal_archive(const fs::path& path) {
    struct archive* writer = archive_write_new();
    archive_write_add_filter_gzip(writer);
    archive_write_set_format_pax_restricted(writer);
    archive_write_open_filename(writer, path.c_str());
    auto add = [&](const std::string& name, const std::string& content) {
        struct archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_write_header(writer, entry);
        archive_write_data(writer, content.data(), content.size());
        archive_entry_free(entry);
    };
    const std::string payload = "escaped\n";
    bundle::Manifest manifest;
    manifest.files.push_back({"../escape.txt", payload.size(), util::sha256_hex(payload)});
    add("bundle/manifest.json", bundle::manifest_to_json(manifest));
    add("bundle/manifest-sha256.txt", bundle::manifest_to_sha256_lines(manifest));
    add("bundle/../escape.txt", payload);
    archive_write_close(writer);
    archive_write_free(writer);
}

void check_suites(const runner::RunOutcome& run, const fs::path& bundle_dir, const std::string& run_id,
                  Checks& checks) {
    for (const auto& expected : k_expected_verdicts) {
        const runner::SuiteOutcome* suite = find_suite(run, expected.suite);
        std::string actual =
            suite ? std::string(runner::to_string(suite->verdict)) + " (" + suite->reason + ")" : "did not run";
        checks.expect(fmt::format("verdict of {}", expected.suite), std::string(expected.verdict), actual,
                      suite && runner::to_string(suite->verdict) == expected.verdict);
    }

    if (const auto* fail = find_suite(run, "known-fail"); fail && !fail->attempts.empty()) {
        checks.expect_equal("known-fail keeps its exit code", "3",
                            std::to_string(fail->attempts.back().exit.exit_code));
    }
    if (const auto* crash = find_suite(run, "crash-by-signal"); crash && !crash->attempts.empty()) {
        checks.expect_equal("crash records the signal", "11", std::to_string(crash->attempts.back().exit.signal));
    }
    if (const auto* timeout = find_suite(run, "timeout-grandchild-holds-stdout");
        timeout && !timeout->attempts.empty()) {
        const auto& attempt = timeout->attempts.back();
        checks.expect("timeout stops promptly although a grandchild holds stdout",
                      fmt::format("under {} ms", k_timeout_fixture_limit.count()),
                      fmt::format("{} ms", attempt.exit.duration.count()),
                      attempt.exit.duration < k_timeout_fixture_limit);
        std::vector<int> survivors;
        for (const auto& process : process::list_processes()) {
            if (!process.is_gone() &&
                process::environment_has(process.pid, fmt::format("GREENLIGHT_ATTEMPT_ID={}/{}/{}", run_id,
                                                                  timeout->name, attempt.number))) {
                survivors.push_back(process.pid);
            }
        }
        checks.expect("nothing of the timed-out process group survives", "0 processes",
                      fmt::format("{} processes", survivors.size()), survivors.empty());
        checks.expect("a signalled suite is never a pass", "signals_sent and not green",
                      fmt::format("signals_sent={} green={}", attempt.exit.signals_sent, timeout->green),
                      attempt.exit.signals_sent && !timeout->green);
    }
    if (const auto* escape = find_suite(run, "escape-with-cleared-environment"); escape && !escape->attempts.empty()) {
        // The daemon left the session and cleared its environment: only containment that does not depend on
        // what the child keeps can have found it.
        const auto& attempt = escape->attempts.back();
        auto pid_text = util::read_file(bundle_dir / attempt.outputs_dir / "escaped.pid");
        const int pid = pid_text ? std::atoi(pid_text->c_str()) : 0;
        auto status = pid > 0 ? process::read_process_status(pid) : std::nullopt;
        const bool alive = status && !status->is_gone();
        auto reported_by = [pid](const runner::SuiteOutcome& suite) {
            return std::any_of(suite.attempts.begin(), suite.attempts.end(), [pid](const auto& other) {
                return std::any_of(other.exit.leaked.begin(), other.exit.leaked.end(),
                                   [pid](const runner::LeakedProcess& leaked) { return leaked.pid == pid; });
            });
        };
        const std::string mode(process::to_string(attempt.exit.containment));
        const bool cgroup = attempt.exit.containment == process::ContainmentMode::cgroup;
        // A cgroup names the attempt exactly. Without one, a process that left its session and cleared its
        // environment carries nothing of its attempt: while other suites run beside it, it may be charged to one
        // of them (docs/RUNNING.md); what holds is that the run stops it and reports it.
        const bool reported =
            cgroup ? reported_by(*escape) : std::any_of(run.suites.begin(), run.suites.end(), reported_by);
        checks.expect(fmt::format("a daemon that left the session with an empty environment is stopped and reported "
                                  "(containment: {})",
                                  mode),
                      cgroup ? "its pid reported as leaked by its suite and no longer running"
                             : "its pid reported as leaked by a suite of the run and no longer running",
                      fmt::format("pid {}, reported={}, running={}", pid, reported, alive),
                      pid > 0 && reported && !alive);
    }
    if (const auto* missing = find_suite(run, "missing-results-file")) {
        checks.expect("a missing results file is named in the reason", "reason mentions junit.xml", missing->reason,
                      missing->reason.find("junit.xml") != std::string::npos);
    }
    if (const auto* capped = find_suite(run, "output-past-cap"); capped && !capped->attempts.empty()) {
        const auto& attempt = capped->attempts.back();
        auto log = util::read_file(bundle_dir / attempt.output_log);
        std::string text = log ? *log : "";
        checks.expect(
            "output past the cap is cut to head and tail", "<= 65536 bytes + marker, truncated",
            fmt::format("{} bytes kept of {}, truncated={}", text.size(), attempt.exit.output_bytes,
                        attempt.exit.output_truncated),
            attempt.exit.output_truncated && text.size() <= 65536 + 256 && attempt.exit.output_bytes > 3000000);
        checks.expect("the cut keeps the head, marks the cut and keeps the tail",
                      "HEAD-MARKER, cut marker, TAIL-MARKER",
                      fmt::format("head={} marker={} tail={}", text.find("HEAD-MARKER") != std::string::npos,
                                  text.find("[greenlight: output cut here") != std::string::npos,
                                  text.find("TAIL-MARKER") != std::string::npos),
                      text.find("HEAD-MARKER") != std::string::npos &&
                          text.find("[greenlight: output cut here") != std::string::npos &&
                          text.find("TAIL-MARKER") != std::string::npos);
    }
    if (const auto* flaky = find_suite(run, "flaky-fail-then-pass")) {
        bool first_kept = flaky->attempts.size() == 2 && fs::exists(bundle_dir / flaky->attempts.front().output_log) &&
                          fs::exists(bundle_dir / flaky->attempts.back().output_log);
        checks.expect("a retried suite keeps every attempt's output", "2 attempts, both output.log kept",
                      fmt::format("{} attempts, kept={}", flaky->attempts.size(), first_kept), first_kept);
    }
    if (const auto* unmet = find_suite(run, "unmet-requirement")) {
        checks.expect("an unmet requirement does not run the command", "0 attempts",
                      fmt::format("{} attempts", unmet->attempts.size()), unmet->attempts.empty());
    }
    checks.expect_equal("the run's verdict is the worst of its suites", "error",
                        std::string(runner::to_string(run.verdict)));
}

// The run rules no fixture run reaches (merges, interruptions), asked of the verdict module directly.
void check_run_rules(Checks& checks) {
    auto seen = [](const verdict::RunDecision& decision) {
        return fmt::format("{}, {}, green={}", verdict::to_string(decision.verdict),
                           verdict::to_string(decision.status), decision.green);
    };
    verdict::RunFacts lost_shard;
    lost_shard.tier = "smoke";
    lost_shard.suites = {{"known-pass", verdict::Verdict::pass, true, true, "exit code 0"}};
    lost_shard.missing_shards = {verdict::Shard{2, 2}};
    auto decision = verdict::decide_run(lost_shard);
    checks.expect("a merged run that lost a shard is red", "error, incomplete, green=false", seen(decision),
                  decision.verdict == verdict::Verdict::error && !decision.green);
    lost_shard.missing_shards_policy = verdict::MissingShards::allow_partial;
    decision = verdict::decide_run(lost_shard);
    checks.expect("a partial merge is never green", "pass, incomplete, green=false", seen(decision),
                  decision.status == verdict::RunStatus::incomplete && !decision.green);
    verdict::RunFacts interrupted = lost_shard;
    interrupted.missing_shards.clear();
    interrupted.interruption = verdict::Interruption::requested;
    decision = verdict::decide_run(interrupted);
    checks.expect("an interrupted run is never green", "pass, incomplete, green=false", seen(decision),
                  decision.status == verdict::RunStatus::incomplete && !decision.green);
}

void probe_bundles(const fs::path& bundle_dir, const fs::path& probes, Checks& checks) {
    auto verified = bundle::verify_bundle(bundle_dir, 2);
    checks.expect("the fixture bundle verifies against its manifest", "ok",
                  verified.ok() ? "ok" : bundle::format_verify_report(verified, bundle_dir), verified.ok());

    const std::string victim = "suites/known-pass/result.json";
    fs::path flipped = probes / "flipped-byte";
    copy_tree(bundle_dir, flipped);
    {
        std::fstream file(flipped / victim, std::ios::in | std::ios::out | std::ios::binary);
        char byte = 0;
        file.seekg(0);
        file.get(byte);
        file.seekp(0);
        file.put(static_cast<char>(byte ^ 0x01));
    }
    auto report = bundle::verify_bundle(flipped, 1);
    checks.expect("verify finds a flipped byte", "modified: " + victim, "modified: " + joined(report.modified),
                  contains(report.modified, victim) && !report.ok());

    fs::path deleted = probes / "deleted-file";
    copy_tree(bundle_dir, deleted);
    fs::remove(deleted / victim);
    report = bundle::verify_bundle(deleted, 1);
    checks.expect("verify finds a deleted file", "missing: " + victim, "missing: " + joined(report.missing),
                  contains(report.missing, victim) && !report.ok());

    fs::path unlisted = probes / "unlisted-file";
    copy_tree(bundle_dir, unlisted);
    (void)util::write_file_atomic(unlisted / "suites/known-pass/smuggled.txt", "not in the manifest\n");
    report = bundle::verify_bundle(unlisted, 1);
    checks.expect("verify finds an unlisted file", "extra: suites/known-pass/smuggled.txt",
                  "extra: " + joined(report.extra), contains(report.extra, "suites/known-pass/smuggled.txt"));

    fs::path traversal = probes / "traversal-entry";
    copy_tree(bundle_dir, traversal);
    {
        auto manifest = bundle::parse_manifest_json(util::read_file(traversal / bundle::k_manifest_json).value());
        if (manifest) {
            manifest->files.push_back({"../../outside.txt", 1, std::string(64, '0')});
            (void)util::write_file_atomic(traversal / bundle::k_manifest_json, bundle::manifest_to_json(*manifest));
            (void)util::write_file_atomic(traversal / bundle::k_manifest_sha256,
                                          bundle::manifest_to_sha256_lines(*manifest));
        }
    }
    report = bundle::verify_bundle(traversal, 1);
    checks.expect("verify rejects a manifest entry that leaves the bundle", "unsafe: ../../outside.txt",
                  "unsafe: " + joined(report.unsafe), !report.unsafe.empty() && !report.ok());

    fs::path archive = probes / "bundle.tar.gz";
    fs::path archive_again = probes / "bundle-again.tar.gz";
    auto packed = bundle::pack_bundle(bundle_dir, archive);
    auto packed_again = bundle::pack_bundle(bundle_dir, archive_again);
    report = bundle::verify_bundle(archive, 1);
    checks.expect("a packed bundle verifies as an archive", "ok",
                  packed ? (report.ok() ? "ok" : bundle::format_verify_report(report, archive)) : packed.message(),
                  packed && report.ok());
    auto first_bytes = util::read_file(archive);
    auto second_bytes = util::read_file(archive_again);
    checks.expect(
        "pack is deterministic", "identical archives",
        first_bytes && second_bytes && *first_bytes == *second_bytes ? "identical archives" : "archives differ",
        packed_again && first_bytes && second_bytes && *first_bytes == *second_bytes);

    fs::path escaping = probes / "traversal.tar.gz";
    write_traversal_archive(escaping);
    report = bundle::verify_bundle(escaping, 1);
    checks.expect("verify rejects an archive entry that leaves the bundle", "unsafe entry reported",
                  "unsafe: " + joined(report.unsafe), !report.unsafe.empty() && !report.ok());
}

}  // namespace

bool SmokeReport::ok() const {
    return error.empty() && !checks.empty() && failures() == 0;
}

size_t SmokeReport::failures() const {
    return static_cast<size_t>(
        std::count_if(checks.begin(), checks.end(), [](const SmokeCheck& check) { return !check.ok; }));
}

SmokeReport run_smoke(const fs::path& output_dir, runner::ProcessSupervisor& supervisor, const util::Clock& clock) {
    SmokeReport report;
    report.output_dir = output_dir;
    const auto started = clock.steady_now();
    const fs::path fixtures = output_dir / "fixtures";
    const fs::path probes = output_dir / "probes";
    Checks checks;

    auto prepared = util::make_directories(fixtures);
    if (prepared) prepared = util::write_file_atomic(fixtures / "greenlight.yml", k_fixture_config);
    if (prepared) prepared = util::write_file_atomic(fixtures / "junit-one-failure.xml", k_junit_one_failure);
    if (!prepared) {
        report.error = prepared.message();
        return report;
    }

    auto loaded = config::load_config(fixtures / "greenlight.yml");
    if (!loaded.config) {
        std::vector<std::string> errors;
        for (const auto& error : loaded.errors) errors.push_back(error.to_string());
        report.error = "the fixture config does not load: " + util::join(errors, "; ");
        return report;
    }
    auto plan = runner::plan_run(*loaded.config, "smoke", std::nullopt, {});
    if (!plan) {
        report.error = plan.message();
        return report;
    }

    runner::SystemRequirementChecker requirements;
    runner::RunRequest request;
    request.config = &*loaded.config;
    request.plan = std::move(*plan);
    request.run_id = fmt::format("smoke-{}-{}", util::format_utc_compact(clock.now()), ::getpid());
    request.bundle_dir = output_dir / "bundle";
    request.jobs = 4;  // the slow fixtures (timeout, output) overlap with the rest
    request.supervisor = &supervisor;
    request.requirements = &requirements;
    request.clock = &clock;
    runner::RunResult result = runner::execute_run(request);
    if (!result.infrastructure_error.empty()) {
        checks.expect("the fixture bundle is written", "written", result.infrastructure_error, false);
    }
    check_suites(result.record, request.bundle_dir, request.run_id, checks);
    check_run_rules(checks);
    probe_bundles(request.bundle_dir, probes, checks);

    report.checks = checks.take();
    report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);
    auto written = util::write_file_atomic(output_dir / "smoke-report.json", smoke_report_json(report).dump(2) + "\n");
    if (written) written = util::write_file_atomic(output_dir / "smoke-report.md", smoke_report_markdown(report));
    if (!written) report.error = written.message();
    return report;
}

json smoke_report_json(const SmokeReport& report) {
    json checks = json::array();
    for (const auto& check : report.checks) {
        checks.push_back(
            {{"name", check.name}, {"expected", check.expected}, {"actual", check.actual}, {"ok", check.ok}});
    }
    return {{"schema", "greenlight.smoke-report/v1"},
            {"ok", report.ok()},
            {"failures", report.failures()},
            {"checks_total", report.checks.size()},
            {"duration_ms", report.duration.count()},
            {"error", report.error.empty() ? json() : json(report.error)},
            {"fixtures", "fixtures/greenlight.yml"},
            {"bundle", "bundle"},
            {"checks", checks}};
}

std::string smoke_report_markdown(const SmokeReport& report) {
    std::ostringstream out;
    out << fmt::format("## {} greenlight smoke guard: {} of {} checks hold\n\n", report.ok() ? "✅" : "❌",
                       report.checks.size() - report.failures(), report.checks.size());
    if (!report.error.empty()) out << "**Error:** " << report.error << "\n\n";
    out << "| | check | expected | actual |\n|---|---|---|---|\n";
    for (const auto& check : report.checks) {
        std::string actual = check.actual;
        std::replace(actual.begin(), actual.end(), '\n', ' ');
        std::replace(actual.begin(), actual.end(), '|', '/');
        out << fmt::format("| {} | {} | {} | {} |\n", check.ok ? "✅" : "❌", check.name, check.expected, actual);
    }
    out << "\nFixtures: `fixtures/greenlight.yml`; their bundle: `bundle/`; integrity probes: `probes/`.\n";
    return out.str();
}

runner::PreflightRecord run_smoke_preflight(const fs::path& output_dir, runner::ProcessSupervisor& supervisor,
                                            const util::Clock& clock) {
    SmokeReport report = run_smoke(output_dir, supervisor, clock);
    runner::PreflightRecord record;
    record.green = report.ok();
    record.verdict = report.ok() ? "pass" : "fail";
    record.path = "smoke";
    record.duration = report.duration;
    if (!report.error.empty()) {
        record.reason = report.error;
    } else if (report.ok()) {
        record.reason = fmt::format("{} checks hold (containment: {})", report.checks.size(),
                                    process::to_string(process::Containment::instance().mode()));
    } else {
        std::vector<std::string> failed;
        for (const auto& check : report.checks) {
            if (!check.ok) failed.push_back(check.name);
        }
        record.reason = fmt::format("{} of {} checks failed: {} (see smoke/smoke-report.md)", failed.size(),
                                    report.checks.size(), util::join(failed, "; "));
    }
    return record;
}

}  // namespace greenlight::smoke
