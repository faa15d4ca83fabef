// The executor of the job host: takes INPUT jobs from the store, runs their JCL on Linux (each step a process
// group of its own, under the job's CPU-time limit), writes the spool and ends each job with its retcode.
// docs/BRIDGE.md, "Running jobs", says what a job sees and what the spool holds.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/util/clock.hpp"

namespace greenlight::bridge {

struct ExecutorOptions {
    int max_active = 1;  // jobs run at once; the rest wait as INPUT
    // The CPU-time limit of a job whose JOB card has no TIME= (nullopt: none).
    std::optional<std::chrono::seconds> default_time_limit = std::chrono::seconds{3600};
    // Where each running job gets its work folder (in-stream DD files, the steps' working directory);
    // empty: <state dir>/work. A job's folder is removed when the job ends.
    std::filesystem::path work_root;
    // How often idle workers look for INPUT jobs submitted by other processes (notify_submitted() wakes
    // them at once for jobs submitted through this process).
    std::chrono::milliseconds idle_poll{250};
    // How often a running step is checked for a cancel request.
    std::chrono::milliseconds cancel_poll{100};
    // The most one spool DD keeps of a step's output; the rest is dropped with a marker line.
    std::size_t max_spool_bytes = std::size_t{64} * 1024 * 1024;
    // Written to the host's log: job started/ended, errors the executor could not put into a job.
    // Called from the worker threads, so it must be safe to call concurrently.
    std::function<void(const std::string&)> log;
    // The times in JESMSGLG (nullptr: the system clock); must outlive the executor.
    const util::Clock* clock = nullptr;
};

// Runs jobs on worker threads until stopped. The store must outlive the executor.
class Executor {
public:
    Executor(JobStore& store, ExecutorOptions options);
    ~Executor();  // stop()
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    // Starts max_active worker threads.
    void start();
    // Wakes an idle worker: a job was just submitted.
    void notify_submitted();
    // Stops taking jobs, stops running steps (their jobs end as SYS FAIL, with a JESMSGLG line saying the
    // host stopped), joins the workers. Idempotent.
    void stop();

    // Runs one claimed ACTIVE job to its end on the calling thread (the workers call this; tests may too).
    void run_job(const Job& job);

    // How many times the workers have asked the store for the next job (whatever the answer), so that a test
    // can wait until the workers have looked instead of sleeping.
    std::uint64_t claim_attempts() const { return m_claim_attempts.load(); }

private:
    void worker_loop();
    void remove_stale_work_folders();

    JobStore& m_store;
    ExecutorOptions m_options;
    std::vector<std::thread> m_workers;
    std::mutex m_mutex;  // guards m_pending_wakeups and the workers' sleep
    std::condition_variable m_wake;
    // Read by running steps at every cancel poll, so no lock: set under m_mutex, read anywhere.
    std::atomic<bool> m_stopping{false};
    int m_pending_wakeups = 0;  // notify_submitted() calls no worker has answered yet
    std::atomic<std::uint64_t> m_claim_attempts{0};
};

}  // namespace greenlight::bridge
