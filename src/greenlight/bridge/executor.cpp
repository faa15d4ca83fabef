#include "greenlight/bridge/executor.hpp"

#include <signal.h>
#include <string.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <utility>

#include "greenlight/bridge/jcl.hpp"
#include "greenlight/bridge/names.hpp"
#include "greenlight/bridge/step_process.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::bridge {

namespace {

using std::chrono::microseconds;

using util::Result;
using util::Status;

// A store or file operation the job cannot go on without failed: what was being done, and why. run_job ends
// the job as SYS FAIL with it.
util::Error job_failure(std::string_view what, const util::Error& error) {
    return util::make_error(fmt::format("{}: {}", what, error.message));
}

// The step name JES2 puts on the job's own spool files.
constexpr std::string_view k_jes_stepname = "JES2";
// Exit codes of a step that could not be started, as a POSIX shell reports a command it cannot run.
constexpr int k_rc_not_found = 127;
constexpr int k_rc_cannot_run = 126;

// The abend code of a step killed by a signal: z/OS's code for the same failure where there is one,
// else EC6, z/OS UNIX's abend for a process ended by a signal.
std::string abend_code_for_signal(int signal_number) {
    switch (signal_number) {
        case SIGXCPU:
            return "322";
        case SIGSEGV:
        case SIGBUS:
            return "0C4";
        case SIGILL:
            return "0C1";
        case SIGFPE:
            return "0C9";
        default:
            return "EC6";
    }
}

std::string signal_name(int signal_number) {
    const char* abbreviation = ::sigabbrev_np(signal_number);
    return abbreviation ? fmt::format("SIG{}", abbreviation) : fmt::format("signal {}", signal_number);
}

bool is_environment_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

// What the host adds to the JCL subset the parser checks: rules that only matter when a step runs here.
Result<void, JclError> check_runnable(const JclJob& jcl) {
    for (const JclStep& step : jcl.steps) {
        if (step.mode == BpxbatchMode::program && !step.program_arguments.front().starts_with('/')) {
            return JclError{step.first_card, step.name,
                            fmt::format("BPXBATCH PGM needs the program's absolute path: found '{}'",
                                        step.program_arguments.front())};
        }
        for (const InStreamDd& dd : step.in_stream) {
            if (dd.dd_name != "STDENV") continue;
            for (std::size_t line = 0; line < dd.lines.size(); ++line) {
                const std::string_view text = util::trim(dd.lines[line]);
                if (text.empty()) continue;
                const std::size_t equals = text.find('=');
                if (equals == std::string_view::npos || !is_environment_name(text.substr(0, equals))) {
                    return JclError{dd.first_card, "STDENV",
                                    fmt::format("STDENV line {} is not NAME=value: '{}'", line + 1, text)};
                }
            }
        }
    }
    return {};
}

// The variables a step sees, in order; setting a name again replaces its value.
class StepEnvironment {
public:
    void set(std::string_view name, std::string_view value) {
        for (auto& [existing, old_value] : m_variables) {
            if (existing == name) {
                old_value = value;
                return;
            }
        }
        m_variables.emplace_back(name, value);
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> list;
        list.reserve(m_variables.size());
        for (const auto& [name, value] : m_variables) list.push_back(fmt::format("{}={}", name, value));
        return list;
    }

private:
    std::vector<std::pair<std::string, std::string>> m_variables;
};

// Why a job stops before its last step.
enum class Halt { none, cancel, host_stop };

// How one step ended, for COND, the spool and the job's retcode.
struct StepRecord {
    StepResult result;
    std::string abend_code;  // "322", "0C4", ...; empty unless result.abended
};

// A file's content for the spool: at most `limit` bytes, then a line saying how many were dropped.
std::string read_for_spool(const std::filesystem::path& path, std::size_t limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(std::max<std::streamoff>(0, in.tellg()));
    in.seekg(0);
    std::string content(std::min(size, limit), '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
    if (size > content.size()) {
        const std::size_t dropped = size - content.size();
        if (!content.empty() && content.back() != '\n') content += '\n';
        content +=
            fmt::format("GLB105W {} BYTES DROPPED: THE SPOOL KEEPS THE FIRST {} BYTES OF EACH DD\n", dropped, limit);
    }
    return content;
}

std::filesystem::path work_root_for(const JobStore& store, const ExecutorOptions& options) {
    return options.work_root.empty() ? store.state_dir() / "work" : options.work_root;
}

// Every step carries the state folder it belongs to in its environment, so that a host started after a
// crash can find what the dead host's steps left running (PR_SET_PDEATHSIG only reaches a step's first
// process, not its children).
constexpr std::string_view k_host_marker_name = "GREENLIGHT_BRIDGE_STATE";

std::string host_marker(const JobStore& store) {
    std::error_code error;
    std::filesystem::path absolute = std::filesystem::weakly_canonical(store.state_dir(), error);
    return (error ? store.state_dir() : absolute).string();
}

util::SystemClock& system_clock() {
    static util::SystemClock clock;
    return clock;
}

// Writes a line to the host's log, which is best effort: a logger that throws must not stop a worker or fail a
// job. The line then goes to standard error, the one place left to report it (written without allocating).
void log_best_effort(const std::function<void(const std::string&)>& log, std::string_view text) noexcept {
    if (!log) return;
    try {
        log(std::string(text));
    } catch (...) {
        constexpr std::string_view k_lead = "greenlight: the job host's log failed; the line was: ";
        std::fwrite(k_lead.data(), 1, k_lead.size(), stderr);
        std::fwrite(text.data(), 1, text.size(), stderr);
        std::fputc('\n', stderr);
    }
}

// Runs one claimed job: everything run_job does, with the state one job needs.
class JobRunner {
public:
    JobRunner(JobStore& store, const ExecutorOptions& options, const std::atomic<bool>& stopping, const Job& job)
        : m_store(store),
          m_options(options),
          m_stopping(stopping),
          m_job(job),
          m_clock(options.clock ? *options.clock : system_clock()),
          m_job_folder(work_root_for(store, options) / job.jobid) {}

    ~JobRunner() { remove_job_folder(); }
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    // Runs the job and completes it; an error when a store or file operation it cannot go on without failed.
    Status run();
    // Ends the job as SYS FAIL after an error; never throws.
    void fail(std::string_view reason) noexcept;

private:
    Status end_with_jcl_error(const JclError& error);
    Result<StepRecord> run_step(const JclJob& jcl, std::size_t index, const std::string& stepname);
    Halt halt_requested();

    std::string clock_text() const;
    std::string date_line() const;
    std::string message_line(std::string_view text) const;
    Status create_job_log(std::string_view content);
    Status log_message(std::string_view text);
    Status system_message(std::string_view text);
    Status complete(std::string_view retcode);
    void write_host_log(std::string_view text) const noexcept;
    void remove_job_folder() noexcept;

    JobStore& m_store;
    const ExecutorOptions& m_options;
    const std::atomic<bool>& m_stopping;
    const Job& m_job;
    const util::Clock& m_clock;
    std::filesystem::path m_job_folder;
    std::string m_message_class = "A";
    bool m_have_job_log = false;
    bool m_have_system_messages = false;
    bool m_completed = false;
    Halt m_halt = Halt::none;
    bool m_cancel_checked = false;  // and when the store last said no cancel was requested:
    std::uint64_t m_cancel_checked_generation = 0;
    std::chrono::steady_clock::time_point m_cancel_checked_at;
    std::optional<microseconds> m_cpu_budget;  // the job's CPU time; nullopt: no limit
    microseconds m_cpu_used{0};
};

std::string JobRunner::clock_text() const {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(m_clock.now());
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return fmt::format("{:02}.{:02}.{:02}", parts.tm_hour, parts.tm_min, parts.tm_sec);
}

std::string JobRunner::date_line() const {
    static constexpr const char* k_days[] = {"SUNDAY",   "MONDAY", "TUESDAY", "WEDNESDAY",
                                             "THURSDAY", "FRIDAY", "SATURDAY"};
    static constexpr const char* k_months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                               "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    const std::time_t seconds = std::chrono::system_clock::to_time_t(m_clock.now());
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return message_line(fmt::format("---- {:<10} {:02} {} {} ----", fmt::format("{},", k_days[parts.tm_wday]),
                                    parts.tm_mday, k_months[parts.tm_mon], parts.tm_year + 1900));
}

// A JESMSGLG line: " hh.mm.ss JOB00042  text".
std::string JobRunner::message_line(std::string_view text) const {
    return fmt::format(" {} {}  {}\n", clock_text(), m_job.jobid, text);
}

Status JobRunner::create_job_log(std::string_view content) {
    auto added = m_store.add_spool_file(m_job.jobid, NewSpoolFile{"JESMSGLG", std::string(k_jes_stepname), std::nullopt,
                                                                  m_message_class, std::string(content)});
    if (!added) return job_failure("cannot create JESMSGLG", added.error());
    m_have_job_log = true;
    return {};
}

Status JobRunner::log_message(std::string_view text) {
    if (!m_have_job_log) return create_job_log(message_line(text));
    auto appended = m_store.append_spool_text(m_job.jobid, k_jesmsglg_id, message_line(text));
    if (!appended) return job_failure("cannot write JESMSGLG", appended.error());
    return {};
}

Status JobRunner::system_message(std::string_view text) {
    std::string line = fmt::format("{}\n", text);
    if (!m_have_system_messages) {
        auto added = m_store.add_spool_file(
            m_job.jobid, NewSpoolFile{"JESYSMSG", std::string(k_jes_stepname), std::nullopt, m_message_class, line});
        if (!added) return job_failure("cannot create JESYSMSG", added.error());
        m_have_system_messages = true;
        return {};
    }
    auto appended = m_store.append_spool_text(m_job.jobid, k_jesysmsg_id, line);
    if (!appended) return job_failure("cannot write JESYSMSG", appended.error());
    return {};
}

Status JobRunner::complete(std::string_view retcode) {
    auto ended = m_store.complete(m_job.jobid, retcode);
    if (!ended) return job_failure("cannot complete the job", ended.error());
    m_completed = true;
    write_host_log(
        fmt::format("job {} {} ended: {}", m_job.jobid, m_job.jobname, ended->retcode.value_or(std::string(retcode))));
    return {};
}

void JobRunner::write_host_log(std::string_view text) const noexcept {
    // The host's log is best effort; a failing logger must not fail the job.
    log_best_effort(m_options.log, text);
}

void JobRunner::remove_job_folder() noexcept {
    std::error_code error;
    std::filesystem::remove_all(m_job_folder, error);
    if (error) {
        write_host_log(
            fmt::format("job {}: cannot remove {}: {}", m_job.jobid, m_job_folder.string(), error.message()));
    }
}

Halt JobRunner::halt_requested() {
    if (m_halt != Halt::none) return m_halt;
    if (m_stopping.load()) {
        m_halt = Halt::host_stop;
        return m_halt;
    }
    // A cancel is a change of the store: ask it again only after one (or, in case another process wrote
    // the folder, a second after the last look).
    const std::uint64_t generation = m_store.generation();
    const auto now = std::chrono::steady_clock::now();
    if (m_cancel_checked && generation == m_cancel_checked_generation &&
        now - m_cancel_checked_at < std::chrono::seconds{1}) {
        return m_halt;
    }
    auto canceled = m_store.cancel_requested(m_job.jobid);
    if (!canceled) return m_halt;  // asked again at the next poll
    m_cancel_checked = true;
    m_cancel_checked_generation = generation;
    m_cancel_checked_at = now;
    if (*canceled) m_halt = Halt::cancel;
    return m_halt;
}

Status JobRunner::end_with_jcl_error(const JclError& error) {
    const std::string not_run = fmt::format("IEFC452I {} - JOB NOT RUN - JCL ERROR", m_job.jobname);
    if (auto logged = create_job_log(date_line() + message_line(not_run) +
                                     message_line(fmt::format("$HASP395 {:<8} ENDED - JCL ERROR", m_job.jobname)));
        !logged) {
        return logged;
    }
    if (auto said = system_message(error.jesysmsg_line()); !said) return said;
    if (auto said = system_message(not_run); !said) return said;
    return complete("JCL ERROR");
}

Status JobRunner::run() {
    write_host_log(fmt::format("job {} {} started", m_job.jobid, m_job.jobname));
    auto jcl_text = m_store.read_records(m_job.jobid, k_jesjcl_id);
    if (!jcl_text) return job_failure("cannot read JESJCL", jcl_text.error());

    JclParseOutcome parsed = parse_jcl(*jcl_text);
    if (!parsed) return end_with_jcl_error(parsed.error());
    const JclJob& jcl = *parsed;
    if (auto runnable = check_runnable(jcl); !runnable) return end_with_jcl_error(runnable.error());

    m_message_class = std::string(1, jcl.message_class);
    const auto budget = jcl.time_limit       ? jcl.time_limit
                        : jcl.time_unlimited ? std::optional<std::chrono::seconds>{}
                                             : m_options.default_time_limit;
    if (budget) m_cpu_budget = std::chrono::duration_cast<microseconds>(*budget);

    if (auto logged = create_job_log(date_line() + message_line(fmt::format("$HASP373 {:<8} STARTED", m_job.jobname)));
        !logged) {
        return logged;
    }
    // JESYSMSG exists from the start, so a client polling the spool sees the job's files at once.
    auto system_messages = m_store.add_spool_file(
        m_job.jobid, NewSpoolFile{"JESYSMSG", std::string(k_jes_stepname), std::nullopt, m_message_class, ""});
    if (!system_messages) return job_failure("cannot create JESYSMSG", system_messages.error());
    m_have_system_messages = true;

    // A folder left by a host that died while running this job is stale.
    remove_job_folder();
    for (const char* folder : {".jes/home", ".jes/tmp"}) {
        auto made = util::make_directories(m_job_folder / folder);
        if (!made) return job_failure("cannot create the job's work folder", made.error());
    }

    std::vector<StepResult> results;
    std::optional<std::string> first_abend;
    int highest_rc = 0;
    for (std::size_t index = 0; index < jcl.steps.size(); ++index) {
        const JclStep& step = jcl.steps[index];
        // Steps without a name get one for the spool and the messages; the '#' marks it as made up here.
        const std::string stepname = step.name.empty() ? fmt::format("#STEP{:03}", index + 1) : step.name;
        if (halt_requested() != Halt::none) {
            auto said = system_message(fmt::format("IEF272I {} {} - STEP WAS NOT EXECUTED.", m_job.jobname, stepname));
            if (!said) return said;
            results.push_back(StepResult{step.name, false, 0, false});
            continue;
        }
        if (cond_bypasses(step.cond, step.cond_mode, results)) {
            auto logged = log_message(fmt::format("-{:<8} {:<8} NOT RUN - BYPASSED BY COND", m_job.jobname, stepname));
            if (!logged) return logged;
            auto said = system_message(
                fmt::format("IEF202I {} {} - STEP WAS NOT RUN BECAUSE OF CONDITION CODES", m_job.jobname, stepname));
            if (!said) return said;
            results.push_back(StepResult{step.name, false, 0, false});
            continue;
        }
        auto ran = run_step(jcl, index, stepname);
        if (!ran) return ran.error();
        StepRecord& record = *ran;
        if (m_halt == Halt::host_stop) break;
        if (record.result.abended) {
            if (!first_abend) first_abend = record.abend_code;
        } else {
            highest_rc = std::max(highest_rc, record.result.rc);
        }
        results.push_back(std::move(record.result));
    }

    if (m_halt == Halt::host_stop) {
        auto logged = log_message("GLB102E THE JOB HOST STOPPED WHILE THE JOB WAS ACTIVE; THE JOB ENDED WITH SYS FAIL");
        if (!logged) return logged;
        return complete("SYS FAIL");
    }
    if (m_halt == Halt::cancel) {
        if (auto logged = log_message("GLB104I THE JOB WAS CANCELED BY REQUEST"); !logged) return logged;
    }
    if (first_abend) {
        auto logged = log_message(fmt::format("$HASP395 {:<8} ENDED - ABEND=S{}", m_job.jobname, *first_abend));
        if (!logged) return logged;
        return complete(fmt::format("ABEND S{}", *first_abend));
    }
    auto logged = log_message(fmt::format("$HASP395 {:<8} ENDED - RC={:04}", m_job.jobname, highest_rc));
    if (!logged) return logged;
    return complete(fmt::format("CC {:04}", highest_rc));
}

Result<StepRecord> JobRunner::run_step(const JclJob& jcl, std::size_t index, const std::string& stepname) {
    const JclStep& step = jcl.steps[index];
    const std::string number = std::to_string(index + 1);
    const std::filesystem::path data_folder = m_job_folder / ".jes" / "dd" / number;
    const std::filesystem::path sysout_folder = m_job_folder / ".jes" / "sysout" / number;
    if (auto made = util::make_directories(data_folder); !made) {
        return job_failure("cannot create the step's data folder", made.error());
    }
    if (auto made = util::make_directories(sysout_folder); !made) {
        return job_failure("cannot create the step's output folder", made.error());
    }

    const char* host_path = std::getenv("PATH");
    const std::string owner = util::lowercase(m_job.owner);
    StepEnvironment environment;
    environment.set("PATH", host_path && *host_path ? host_path : "/usr/local/bin:/usr/bin:/bin");
    environment.set("HOME", (m_job_folder / ".jes" / "home").string());
    environment.set("TMPDIR", (m_job_folder / ".jes" / "tmp").string());
    environment.set("LANG", "C.UTF-8");
    environment.set("TZ", "UTC");
    environment.set("USER", owner);
    environment.set("LOGNAME", owner);
    environment.set("JOBNAME", m_job.jobname);
    environment.set("JOBID", m_job.jobid);
    environment.set("STEPNAME", stepname);

    StepLaunch launch;
    launch.working_directory = m_job_folder;
    for (const InStreamDd& dd : step.in_stream) {
        const std::filesystem::path file = data_folder / dd.dd_name;
        if (auto written = util::write_file_atomic(file, dd.content(), util::Durability::process_crash); !written) {
            return job_failure(fmt::format("cannot write the in-stream data of {}", dd.dd_name), written.error());
        }
        if (dd.dd_name == "STDIN") launch.standard_input = file;
        if (dd.dd_name == "STDENV") {
            // BPXBATCH's STDENV: one NAME=value per line (check_runnable proved the form).
            for (const std::string& line : dd.lines) {
                const std::string_view text = util::trim(line);
                const std::size_t equals = text.find('=');
                if (equals != std::string_view::npos) environment.set(text.substr(0, equals), text.substr(equals + 1));
            }
        }
    }
    for (const InStreamDd& dd : step.in_stream)
        environment.set("DD_" + dd.dd_name, (data_folder / dd.dd_name).string());
    for (const SysoutDd& dd : step.sysout) {
        const std::filesystem::path file = sysout_folder / dd.dd_name;
        if (dd.dd_name == "STDOUT") {
            launch.standard_output = file;
        } else if (dd.dd_name == "STDERR") {
            launch.standard_error = file;
        } else {
            if (auto written = util::write_file_atomic(file, "", util::Durability::process_crash); !written) {
                return job_failure(fmt::format("cannot create the output file of {}", dd.dd_name), written.error());
            }
            environment.set("DD_" + dd.dd_name, file.string());
        }
    }
    environment.set(k_host_marker_name, host_marker(m_store));  // last: STDENV cannot replace it
    launch.environment = environment.entries();
    if (step.mode == BpxbatchMode::program) {
        launch.executable = step.program_arguments.front();
        launch.arguments = step.program_arguments;
    } else {
        launch.executable = "/bin/sh";
        launch.arguments = {"/bin/sh"};
        if (!step.command.empty()) launch.arguments.insert(launch.arguments.end(), {"-c", step.command});
    }

    // The step may use what is left of the job's CPU time, and no more than its own TIME=.
    std::optional<microseconds> cpu_limit = m_cpu_budget;
    if (cpu_limit) cpu_limit = *cpu_limit - m_cpu_used;
    if (step.time_limit) {
        const auto step_limit = std::chrono::duration_cast<microseconds>(*step.time_limit);
        cpu_limit = cpu_limit ? std::min(*cpu_limit, step_limit) : step_limit;
    }
    launch.cpu_limit = cpu_limit;

    StepRecord record;
    record.result.name = step.name;
    record.result.ran = true;
    StepOutcome outcome;
    const bool budget_used_up = cpu_limit && cpu_limit->count() <= 0;
    if (budget_used_up) {
        outcome.end = StepEnd::signaled;
        outcome.cpu_limit_exceeded = true;
        auto said = system_message(fmt::format("GLB107I {} {} - THE JOB'S CPU TIME WAS USED UP BEFORE THE STEP STARTED",
                                               m_job.jobname, stepname));
        if (!said) return said.error();
    } else {
        outcome = run_step_process(launch, m_options.cancel_poll, [this] {
            try {
                return halt_requested() != Halt::none;
            } catch (...) {
                write_host_log("a cancel poll failed; the job asks again at the next poll");
                return false;
            }
        });
    }
    m_cpu_used += outcome.cpu_used;

    // Each SYSOUT DD goes to the spool in the order the JCL declares them, whatever happened to the step.
    for (const SysoutDd& dd : step.sysout) {
        auto added = m_store.add_spool_file(
            m_job.jobid, NewSpoolFile{dd.dd_name, stepname, std::nullopt, std::string(1, dd.output_class),
                                      read_for_spool(sysout_folder / dd.dd_name, m_options.max_spool_bytes)});
        if (!added) return job_failure(fmt::format("cannot add {} to the spool", dd.dd_name), added.error());
    }
    if (m_halt == Halt::host_stop) return record;

    std::string why_it_ended;  // a JESYSMSG line on how the step ended, when it did not simply exit
    if (outcome.end == StepEnd::not_started) {
        record.result.rc = outcome.start_errno == ENOENT ? k_rc_not_found : k_rc_cannot_run;
        why_it_ended = fmt::format("GLB101E {} {} - THE STEP COULD NOT BE STARTED: {}", m_job.jobname, stepname,
                                   outcome.start_error);
    } else if (outcome.stopped_on_request) {
        // Canceled: z/OS ends a canceled step with S222.
        record.result.abended = true;
        record.abend_code = "222";
    } else if (outcome.cpu_limit_exceeded) {
        record.result.abended = true;
        record.abend_code = "322";
        if (!budget_used_up) {
            why_it_ended =
                fmt::format("GLB107I {} {} - THE STEP WENT PAST ITS CPU TIME LIMIT OF {:.2f} SECONDS", m_job.jobname,
                            stepname, std::chrono::duration<double>(cpu_limit.value_or(microseconds{0})).count());
        }
    } else if (outcome.end == StepEnd::signaled) {
        record.result.abended = true;
        record.abend_code = abend_code_for_signal(outcome.signal);
        why_it_ended = fmt::format("GLB106I {} {} - THE STEP WAS ENDED BY SIGNAL {} ({})", m_job.jobname, stepname,
                                   outcome.signal, signal_name(outcome.signal));
    } else {
        record.result.rc = outcome.exit_code;
    }
    if (!why_it_ended.empty()) {
        if (auto said = system_message(why_it_ended); !said) return said.error();
    }

    const std::string ended =
        record.result.abended
            ? fmt::format("-{:<8} {:<8} ENDED - ABEND=S{}", m_job.jobname, stepname, record.abend_code)
            : fmt::format("-{:<8} {:<8} ENDED - RC={:04}", m_job.jobname, stepname, record.result.rc);
    if (auto logged = log_message(ended); !logged) return logged.error();
    const std::string completion =
        record.result.abended
            ? fmt::format("IEF472I {} {} - COMPLETION CODE - SYSTEM={}", m_job.jobname, stepname, record.abend_code)
            : fmt::format("IEF142I {} {} - STEP WAS EXECUTED - COND CODE {:04}", m_job.jobname, stepname,
                          record.result.rc);
    if (auto said = system_message(completion); !said) return said.error();
    return record;
}

void JobRunner::fail(std::string_view reason) noexcept {
    write_host_log(fmt::format("job {} {} failed in the job host: {}", m_job.jobid, m_job.jobname, reason));
    if (m_completed) return;
    try {
        const std::string line =
            fmt::format("GLB103E THE JOB HOST COULD NOT RUN THE JOB: {}; THE JOB ENDED WITH SYS FAIL", reason);
        if (m_have_job_log) {
            auto appended = m_store.append_spool_text(m_job.jobid, k_jesmsglg_id, message_line(line));
            if (!appended) write_host_log(fmt::format("job {}: {}", m_job.jobid, appended.message()));
        } else {
            auto added =
                m_store.add_spool_file(m_job.jobid, NewSpoolFile{"JESMSGLG", std::string(k_jes_stepname), std::nullopt,
                                                                 m_message_class, message_line(line)});
            if (!added) write_host_log(fmt::format("job {}: {}", m_job.jobid, added.message()));
        }
        auto completed = m_store.complete(m_job.jobid, "SYS FAIL");
        if (!completed) {
            write_host_log(fmt::format("job {}: cannot end the job: {}", m_job.jobid, completed.message()));
        } else {
            m_completed = true;
        }
    } catch (...) {
        write_host_log(fmt::format("job {}: cannot record its failure", m_job.jobid));
    }
}

}  // namespace

Executor::Executor(JobStore& store, ExecutorOptions options) : m_store(store), m_options(std::move(options)) {
    m_options.max_active = std::max(1, m_options.max_active);
    m_options.idle_poll = std::max(m_options.idle_poll, std::chrono::milliseconds{1});
    m_options.cancel_poll = std::max(m_options.cancel_poll, std::chrono::milliseconds{1});
}

Executor::~Executor() {
    stop();
}

void Executor::start() {
    std::lock_guard lock(m_mutex);
    if (!m_workers.empty() || m_stopping.load()) return;
    // Jobs a dead host left ACTIVE have ended (the store's recovery): whatever their steps left running goes.
    const int killed =
        kill_processes_with_environment_entry(fmt::format("{}={}", k_host_marker_name, host_marker(m_store)));
    if (killed > 0 && m_options.log) {
        m_options.log(fmt::format("stopped {} process(es) left running by the steps of a previous host", killed));
    }
    remove_stale_work_folders();
    for (int i = 0; i < m_options.max_active; ++i) m_workers.emplace_back([this] { worker_loop(); });
}

void Executor::remove_stale_work_folders() {
    // Folders of jobs a dead host was running: the store's recovery has ended those jobs as SYS FAIL.
    const std::filesystem::path root = work_root_for(m_store, m_options);
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
        const std::string name = entry.path().filename().string();
        if (!is_valid_job_id(name)) continue;
        auto job = m_store.find(name);
        if (job && *job && (*job)->status == JobStatus::active) continue;
        std::error_code ignored;
        std::filesystem::remove_all(entry.path(), ignored);
        if (m_options.log) m_options.log(fmt::format("removed the stale work folder of job {}", name));
    }
}

void Executor::notify_submitted() {
    {
        std::lock_guard lock(m_mutex);
        ++m_pending_wakeups;
    }
    m_wake.notify_one();
}

void Executor::stop() {
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(m_mutex);
        m_stopping.store(true);
        workers.swap(m_workers);
    }
    m_wake.notify_all();
    // Running steps see m_stopping at their next cancel poll, kill their groups and end their jobs.
    for (std::thread& worker : workers) {
        if (worker.joinable()) worker.join();
    }
}

void Executor::run_job(const Job& job) {
    JobRunner runner(m_store, m_options, m_stopping, job);
    try {
        if (auto ran = runner.run(); !ran) runner.fail(ran.message());
    } catch (const std::exception& error) {  // the boundary for what no Result reports (memory, the library)
        runner.fail(error.what());
    } catch (...) {
        runner.fail("an unknown error");
    }
}

void Executor::worker_loop() {
    while (!m_stopping.load()) {
        try {
            auto claimed = m_store.claim_next_input(m_options.max_active);
            ++m_claim_attempts;
            if (claimed && *claimed) {
                run_job(**claimed);
                continue;
            }
            if (!claimed && m_options.log)
                m_options.log(fmt::format("cannot take the next job: {}", claimed.message()));
        } catch (const std::exception& error) {
            // A worker never dies: the next round tries again after the idle pause.
            log_best_effort(m_options.log, fmt::format("job host worker: {}; trying again", error.what()));
        } catch (...) {
            log_best_effort(m_options.log, "job host worker: an error that is not an exception; trying again");
        }
        std::unique_lock lock(m_mutex);
        m_wake.wait_for(lock, m_options.idle_poll, [this] { return m_stopping.load() || m_pending_wakeups > 0; });
        if (m_pending_wakeups > 0) --m_pending_wakeups;
    }
}

}  // namespace greenlight::bridge
