#include "greenlight/cli/progress.hpp"

#include <fmt/format.h>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "greenlight/cli/commands.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::cli {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string now_utc() {
    return util::format_utc(std::chrono::system_clock::now());
}

milliseconds since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
}

std::string counts_text(const results::TestCounts& counts) {
    return fmt::format("{} passed, {} failed, {} skipped", counts.passed, counts.not_passed(), counts.skipped);
}

// Tracks what is running; shared by both visible styles.
class ProgressState {
public:
    void start(size_t total) {
        m_total = total;
        m_started = SteadyClock::now();
    }
    void suite_started(const std::string& name) { m_running[name] = SteadyClock::now(); }
    void suite_ended(const std::string& name) {
        m_running.erase(name);
        ++m_done;
    }
    size_t total() const { return m_total; }
    size_t done() const { return m_done; }
    milliseconds elapsed() const { return since(m_started); }
    const std::map<std::string, SteadyClock::time_point>& running() const { return m_running; }
    // The suite running longest, with its elapsed time.
    std::optional<std::pair<std::string, milliseconds>> slowest() const {
        std::optional<std::pair<std::string, milliseconds>> found;
        for (const auto& [name, start] : m_running) {
            if (!found || since(start) > found->second) found = {name, since(start)};
        }
        return found;
    }

private:
    size_t m_total = 0;
    size_t m_done = 0;
    SteadyClock::time_point m_started = SteadyClock::now();
    std::map<std::string, SteadyClock::time_point> m_running;
};

// Calls `tick` every `period` on a thread of its own until destroyed.
class Ticker {
public:
    Ticker(milliseconds period, std::function<void()> tick) : m_tick(std::move(tick)) {
        m_thread = std::thread([this, period] {
            std::unique_lock lock(m_mutex);
            while (!m_stop) {
                if (m_wake.wait_for(lock, period, [this] { return m_stop; })) break;
                lock.unlock();
                m_tick();
                lock.lock();
            }
        });
    }
    ~Ticker() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

private:
    std::function<void()> m_tick;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::thread m_thread;
};

class LinesProgress final : public runner::RunObserver {
public:
    void on_start(const runner::RunPlan& plan, const std::filesystem::path& bundle_dir) override {
        std::lock_guard lock(m_mutex);
        m_state.start(plan.suites.size());
        say(fmt::format("run tier {}: {} suite{}, bundle {}", plan.tier, plan.suites.size(),
                        plan.suites.size() == 1 ? "" : "s", bundle_dir.string()));
        // Long suites print a heartbeat so a CI log never looks stuck.
        m_ticker = std::make_unique<Ticker>(milliseconds(30'000), [this] { heartbeat(); });
    }
    void on_smoke_start() override { say("smoke guard: started"); }
    void on_smoke_end(const runner::PreflightRecord& smoke) override {
        say(fmt::format("smoke guard: {} in {} ({})", smoke.verdict, util::format_duration(smoke.duration),
                        smoke.reason));
    }
    void on_suite_start(const std::string& suite) override {
        std::lock_guard lock(m_mutex);
        m_state.suite_started(suite);
        say(fmt::format("suite {}: started", suite));
    }
    void on_suite_end(const runner::SuiteOutcome& outcome) override {
        std::lock_guard lock(m_mutex);
        m_state.suite_ended(outcome.name);
        say(fmt::format("suite {}: {} in {} ({}) [{}/{}]", outcome.name, runner::to_string(outcome.verdict),
                        util::format_duration(outcome.duration), counts_text(outcome.counts), m_state.done(),
                        m_state.total()));
    }
    void on_finish(const runner::RunOutcome& run) override {
        m_ticker.reset();
        say(fmt::format("run {}: {} in {}", run.run_id, runner::to_string(run.verdict),
                        util::format_duration(run.duration)));
    }

private:
    void say(const std::string& line) { std::cerr << now_utc() << " greenlight: " << line << std::endl; }
    void heartbeat() {
        std::lock_guard lock(m_mutex);
        if (auto slowest = m_state.slowest()) {
            say(fmt::format("still running: {} suite{} ({} done of {}); slowest {} at {}", m_state.running().size(),
                            m_state.running().size() == 1 ? "" : "s", m_state.done(), m_state.total(), slowest->first,
                            util::format_duration(slowest->second)));
        }
    }

    std::mutex m_mutex;
    ProgressState m_state;
    std::unique_ptr<Ticker> m_ticker;
};

class LiveProgress final : public runner::RunObserver {
public:
    void on_start(const runner::RunPlan& plan, const std::filesystem::path& bundle_dir) override {
        std::lock_guard lock(m_mutex);
        m_state.start(plan.suites.size());
        print_above(fmt::format("greenlight: tier {} · {} suites · bundle {}", plan.tier, plan.suites.size(),
                                bundle_dir.string()));
        m_ticker = std::make_unique<Ticker>(milliseconds(200), [this] {
            std::lock_guard tick_lock(m_mutex);
            draw_status();
        });
    }
    void on_smoke_start() override {
        std::lock_guard lock(m_mutex);
        m_status_note = "smoke guard running";
        draw_status();
    }
    void on_smoke_end(const runner::PreflightRecord& smoke) override {
        std::lock_guard lock(m_mutex);
        m_status_note.clear();
        print_above(fmt::format("{} smoke guard {} ({})", smoke.green ? "\033[32m✔\033[0m" : "\033[31m✘\033[0m",
                                util::format_duration(smoke.duration), smoke.reason));
    }
    void on_suite_start(const std::string& suite) override {
        std::lock_guard lock(m_mutex);
        m_state.suite_started(suite);
        draw_status();
    }
    void on_suite_end(const runner::SuiteOutcome& outcome) override {
        std::lock_guard lock(m_mutex);
        m_state.suite_ended(outcome.name);
        const char* mark = outcome.verdict == runner::Verdict::pass ? "\033[32m✔\033[0m"
                           : outcome.green                          ? "\033[33m~\033[0m"
                                                                    : "\033[31m✘\033[0m";
        print_above(fmt::format("{} {} {} {} ({})", mark, outcome.name, runner::to_string(outcome.verdict),
                                util::format_duration(outcome.duration), counts_text(outcome.counts)));
    }
    void on_finish(const runner::RunOutcome&) override {
        m_ticker.reset();
        std::lock_guard lock(m_mutex);
        std::cerr << "\r\033[K" << std::flush;
    }

private:
    void print_above(const std::string& line) {
        std::cerr << "\r\033[K" << line << "\n";
        draw_status();
    }
    void draw_status() {
        std::string status = fmt::format("[{}/{} done · {} running · {}]", m_state.done(), m_state.total(),
                                         m_state.running().size(), util::format_duration(m_state.elapsed()));
        if (!m_status_note.empty()) status += " " + m_status_note;
        if (auto slowest = m_state.slowest()) {
            status += fmt::format(" slowest: {} {}", slowest->first, util::format_duration(slowest->second));
        }
        std::cerr << "\r\033[K" << status << std::flush;
    }

    std::mutex m_mutex;
    ProgressState m_state;
    std::string m_status_note;
    std::unique_ptr<Ticker> m_ticker;
};

class QuietProgress final : public runner::RunObserver {
public:
    void on_start(const runner::RunPlan&, const std::filesystem::path&) override {}
    void on_smoke_start() override {}
    void on_smoke_end(const runner::PreflightRecord&) override {}
    void on_suite_start(const std::string&) override {}
    void on_suite_end(const runner::SuiteOutcome&) override {}
    void on_finish(const runner::RunOutcome&) override {}
};

}  // namespace

ProgressStyle choose_progress_style(bool quiet) {
    if (quiet) return ProgressStyle::quiet;
    if (use_terminal_styling(OutputStream::standard_error)) return ProgressStyle::live;
    return ProgressStyle::lines;
}

std::unique_ptr<runner::RunObserver> make_progress(ProgressStyle style) {
    switch (style) {
        case ProgressStyle::live:
            return std::make_unique<LiveProgress>();
        case ProgressStyle::lines:
            return std::make_unique<LinesProgress>();
        case ProgressStyle::quiet:
            return std::make_unique<QuietProgress>();
    }
    return std::make_unique<QuietProgress>();
}

std::string verdict_table(const runner::RunOutcome& run) {
    size_t width = 5;
    for (const auto& suite : run.suites) width = std::max(width, suite.name.size());
    std::string out = fmt::format("{:<{}}  {:<12}  {:>14}  {:>8}  {:>9}  {}\n", "suite", width, "verdict", "tests",
                                  "attempts", "duration", "reason");
    if (run.smoke) {
        out += fmt::format("{:<{}}  {:<12}  {:>14}  {:>8}  {:>9}  {}\n", "(smoke)", width, run.smoke->verdict, "-", "-",
                           util::format_duration(run.smoke->duration), run.smoke->reason);
    }
    for (const auto& suite : run.suites) {
        std::string reason = suite.reason.size() > 100 ? suite.reason.substr(0, 97) + "..." : suite.reason;
        out += fmt::format("{:<{}}  {:<12}  {:>14}  {:>8}  {:>9}  {}\n", suite.name, width,
                           runner::to_string(suite.verdict),
                           fmt::format("{}/{} passed", suite.counts.passed, suite.counts.total), suite.attempts.size(),
                           util::format_duration(suite.duration), reason);
    }
    for (const auto& name : run.not_run) {
        out += fmt::format("{:<{}}  {:<12}  {:>14}  {:>8}  {:>9}  {}\n", name, width, "not-run", "-", "-", "-",
                           "never started");
    }
    return out;
}

}  // namespace greenlight::cli
