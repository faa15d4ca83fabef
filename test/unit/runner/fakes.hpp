// Fakes for the runner's seams (STYLE.md, "Seams for tests"): the clock, the process supervisor,
// the requirement checker and the run observer; plus temp folders and config helpers.
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "support/test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenlight/config/config.hpp"
#include "greenlight/runner/interrupt.hpp"
#include "greenlight/runner/process.hpp"
#include "greenlight/runner/requirements.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/util/clock.hpp"

namespace greenlight::runner::testing {

namespace fs = std::filesystem;

using test_support::ScopedEnvironment;

// A temporary folder named for this area.
class TempDir : public test_support::TempDir {
public:
    TempDir() : test_support::TempDir("greenlight-runner-test") {}
};

// Clears the process-wide interrupt flag when a test ends, whatever happened in it.
class InterruptReset {
public:
    InterruptReset() { reset_interrupt(); }
    ~InterruptReset() { reset_interrupt(); }
};

inline void write_text(const fs::path& path, const std::string& content) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.good()) throw std::runtime_error("cannot write " + path.string());
}

inline std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Sets a file's modification time `age` before now (a results file left by an earlier run).
inline void make_old(const fs::path& path, std::chrono::seconds age) {
    timespec times[2];
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= static_cast<time_t>(age.count());
    times[1] = times[0];
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// The value of NAME in a "NAME=value" list; nullopt when absent.
inline std::optional<std::string> environment_value(const std::vector<std::string>& environment,
                                                    const std::string& name) {
    std::optional<std::string> found;
    for (const auto& entry : environment) {
        if (entry.rfind(name + "=", 0) == 0) found = entry.substr(name.size() + 1);
    }
    return found;
}

inline int environment_count(const std::vector<std::string>& environment, const std::string& name) {
    return static_cast<int>(std::count_if(environment.begin(), environment.end(),
                                          [&](const std::string& entry) { return entry.rfind(name + "=", 0) == 0; }));
}

// A clock that stands still unless told to move. Its wall time starts at the real time so that
// files the fake supervisor writes count as written during the attempt.
class FakeClock final : public util::Clock {
public:
    FakeClock() : m_wall(std::chrono::system_clock::now()), m_steady(std::chrono::steady_clock::now()) {}
    util::WallTime now() const override {
        std::lock_guard lock(m_mutex);
        return m_wall;
    }
    std::chrono::steady_clock::time_point steady_now() const override {
        std::lock_guard lock(m_mutex);
        return m_steady;
    }
    void advance_steady(std::chrono::milliseconds by) {
        std::lock_guard lock(m_mutex);
        m_steady += by;
    }
    void set_wall(util::WallTime time) {
        std::lock_guard lock(m_mutex);
        m_wall = time;
    }

private:
    mutable std::mutex m_mutex;
    util::WallTime m_wall;
    std::chrono::steady_clock::time_point m_steady;
};

// What one call of the fake supervisor does: the files it writes and the exit it reports.
struct FakeAttempt {
    ProcessExit exit;
    std::string output;                          // written to request.output_log
    std::map<std::string, std::string> outputs;  // written under $GREENLIGHT_OUTPUTS (relative names)
    std::map<fs::path, std::string> files;       // written at these paths (absolute)
    std::chrono::milliseconds sleep{0};          // how long the "process" runs, in real time

    static FakeAttempt exited(int code, std::string output = {}) {
        FakeAttempt attempt;
        attempt.exit.termination = Termination::exited;
        attempt.exit.exit_code = code;
        attempt.output = std::move(output);
        return attempt;
    }
};

// A process supervisor that starts nothing: it answers each call with the next canned attempt
// (per suite when a script for that suite exists, else from the shared queue, else `fallback`).
class FakeSupervisor final : public ProcessSupervisor {
public:
    // Called during run() with the request, e.g. to look at TMPDIR while it exists.
    std::function<void(const SpawnRequest&)> on_run;

    void add(FakeAttempt attempt) {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(attempt));
    }
    void add_for(const std::string& suite, FakeAttempt attempt) {
        std::lock_guard lock(m_mutex);
        m_by_suite[suite].push_back(std::move(attempt));
    }
    void set_fallback(FakeAttempt attempt) {
        std::lock_guard lock(m_mutex);
        m_fallback = std::move(attempt);
    }

    ProcessExit run(const SpawnRequest& request) override {
        FakeAttempt attempt;
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(request);
            int now = ++m_running;
            m_max_running = std::max(m_max_running, now);
            std::string suite = environment_value(request.environment, "GREENLIGHT_SUITE").value_or("");
            if (auto it = m_by_suite.find(suite); it != m_by_suite.end() && !it->second.empty()) {
                attempt = it->second.front();
                it->second.erase(it->second.begin());
            } else if (!m_queue.empty()) {
                attempt = m_queue.front();
                m_queue.erase(m_queue.begin());
            } else {
                attempt = m_fallback;
            }
        }
        if (on_run) on_run(request);
        write_text(request.output_log, attempt.output);
        if (auto outputs = environment_value(request.environment, "GREENLIGHT_OUTPUTS")) {
            for (const auto& [name, content] : attempt.outputs) write_text(fs::path(*outputs) / name, content);
        }
        for (const auto& [path, content] : attempt.files) write_text(path, content);
        if (attempt.sleep.count() > 0) std::this_thread::sleep_for(attempt.sleep);
        attempt.exit.output_bytes = attempt.output.size();
        {
            std::lock_guard lock(m_mutex);
            --m_running;
        }
        return attempt.exit;
    }

    std::vector<SpawnRequest> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }
    int max_running() const {
        std::lock_guard lock(m_mutex);
        return m_max_running;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<FakeAttempt> m_queue;
    std::map<std::string, std::vector<FakeAttempt>> m_by_suite;
    FakeAttempt m_fallback = FakeAttempt::exited(0, "ok\n");
    std::vector<SpawnRequest> m_requests;
    int m_running = 0;
    int m_max_running = 0;
};

// Requirements met unless listed in `unmet_reasons`.
class FakeRequirements final : public RequirementChecker {
public:
    std::map<std::string, std::string> unmet_reasons;

    util::Status check(const std::string& requirement, const fs::path&) override {
        std::lock_guard lock(m_mutex);
        m_asked.push_back(requirement);
        if (auto it = unmet_reasons.find(requirement); it != unmet_reasons.end()) return util::make_error(it->second);
        return {};
    }
    std::vector<std::string> asked() const {
        std::lock_guard lock(m_mutex);
        return m_asked;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_asked;
};

// Records every observer call, and whether two calls ever overlapped.
class RecordingObserver final : public RunObserver {
public:
    void on_start(const RunPlan&, const fs::path&) override { record("start"); }
    void on_smoke_start() override { record("smoke-start"); }
    void on_smoke_end(const PreflightRecord&) override { record("smoke-end"); }
    void on_suite_start(const std::string& suite) override { record("suite-start " + suite); }
    void on_suite_end(const SuiteOutcome& outcome) override { record("suite-end " + outcome.name); }
    void on_finish(const RunOutcome&) override { record("finish"); }

    std::vector<std::string> events() const {
        std::lock_guard lock(m_mutex);
        return m_events;
    }
    bool overlapped() const { return m_overlapped.load(); }

private:
    void record(std::string event) {
        if (m_inside.exchange(true)) m_overlapped = true;
        // Widen the window in which an overlapping call would be seen.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        {
            std::lock_guard lock(m_mutex);
            m_events.push_back(std::move(event));
        }
        m_inside = false;
    }

    mutable std::mutex m_mutex;
    std::vector<std::string> m_events;
    std::atomic<bool> m_inside{false};
    std::atomic<bool> m_overlapped{false};
};

// Loads a config that must be valid; the file sits in `root` (suite cwd and artifacts are relative to it).
inline config::Config load_config_in(const fs::path& root, std::string_view text) {
    config::LoadOutcome outcome = config::load_config_text(text, root / "greenlight.yml");
    std::string errors;
    for (const auto& error : outcome.errors) errors += error.to_string() + "\n";
    if (!outcome.config) throw std::runtime_error("config did not load:\n" + errors);
    return *outcome.config;
}

// docs/schemas/summary-v1.schema.json (written by the lead; tests skip while it is absent).
inline std::filesystem::path summary_schema_path() {
    return std::filesystem::path(GREENLIGHT_TEST_DATA).parent_path().parent_path() / "docs" / "schemas" /
           "summary-v1.schema.json";
}

// Validates each instance with Python's jsonschema (one interpreter for all of them); returns one
// complaint per instance, empty when it is valid. A broken schema or validator fails every instance.
inline std::vector<std::string> schema_violations(const std::filesystem::path& schema,
                                                  const std::vector<nlohmann::json>& instances) {
    TempDir dir;
    write_text(dir.path() / "instances.json", nlohmann::json(instances).dump(2));
    const std::filesystem::path report = dir.path() / "report.json";
    const std::filesystem::path log = dir.path() / "log.txt";
    std::string command =
        "/usr/bin/python3 -c 'import json, sys, jsonschema\n"
        "schema = json.load(open(sys.argv[1]))\n"
        "cls = jsonschema.validators.validator_for(schema)\n"
        "cls.check_schema(schema)\n"
        "validator = cls(schema, format_checker=cls.FORMAT_CHECKER)\n"
        "out = []\n"
        "for instance in json.load(open(sys.argv[2])):\n"
        "    out.append(\"; \".join(\"%s: %s\" % (\"/\".join(map(str, e.absolute_path)), e.message) for e in "
        "validator.iter_errors(instance)))\n"
        "json.dump(out, open(sys.argv[3], \"w\"))' '" +
        schema.string() + "' '" + (dir.path() / "instances.json").string() + "' '" + report.string() + "' > '" +
        log.string() + "' 2>&1";
    int status = std::system(command.c_str());
    if (status != 0) {
        std::string text = read_text(log);
        return std::vector<std::string>(instances.size(),
                                        "validator exited with status " + std::to_string(status) + ": " + text);
    }
    return nlohmann::json::parse(read_text(report)).get<std::vector<std::string>>();
}

inline std::string schema_violation(const std::filesystem::path& schema, const nlohmann::json& instance) {
    return schema_violations(schema, {instance}).front();
}

}  // namespace greenlight::runner::testing
