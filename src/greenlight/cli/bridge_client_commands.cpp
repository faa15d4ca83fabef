// `greenlight bridge submit / status / spool / cancel / list / purge`: the z/OSMF client for people and
// scripts. Each command: work out where the host is and who we are, make one client, ask, print, exit.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenlight/bridge/client.hpp"
#include "greenlight/bridge/names.hpp"
#include "greenlight/cli/commands.hpp"
#include "greenlight/util/duration.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

using bridge::ClientError;
using bridge::Job;
using bridge::ZosmfClient;

constexpr std::string_view k_default_timeout = "10s";

// Where the host is and how to reach it: flags, then the environment, then the config's `bridge:`.
struct ConnectionOptions {
    std::string url;
    std::string credentials_file;
    std::string ca_file;
    bool insecure = false;
    std::string timeout{k_default_timeout};
    std::string config_file{k_default_config_file};
};

void add_connection_options(CLI::App& command, ConnectionOptions& options) {
    command
        .add_option("--url", options.url,
                    "The z/OSMF base URL, scheme://host[:port] (default: $GREENLIGHT_BRIDGE_URL, then bridge.url "
                    "in the config)")
        ->envname("GREENLIGHT_BRIDGE_URL");
    command
        .add_option("--credentials-file", options.credentials_file,
                    "A file whose first line is user:password, readable by its owner only (default: "
                    "$GREENLIGHT_BRIDGE_USER and $GREENLIGHT_BRIDGE_PASSWORD)")
        ->type_name("FILE");
    command.add_option("--ca-file", options.ca_file, "PEM bundle to verify the host's certificate with (https)")
        ->type_name("FILE");
    command.add_flag("--insecure", options.insecure,
                     "https without verifying the host's certificate (test hosts only)");
    command.add_option("--timeout", options.timeout, "Bound of each request, e.g. 10s or 500ms")->capture_default_str();
    command
        .add_option("-c,--config", options.config_file,
                    "Config file whose `bridge:` section gives url, credentials_file, ca_file and insecure when "
                    "neither a flag nor the environment does (ignored when the default file does not exist)")
        ->type_name("FILE")
        ->capture_default_str();
}

// The connection's client, or the exit code that says why there is none (the error is printed).
struct ClientOrExit {
    std::optional<ZosmfClient> client;
    ExitCode exit_code = ExitCode::usage;
};

ClientOrExit make_client(const ConnectionOptions& options) {
    ClientOrExit out;
    config::BridgeConfig from_config;
    auto config = load_optional_config(options.config_file, options.config_file != k_default_config_file);
    if (!config) return out;
    from_config = config->bridge;
    const fs::path config_root = config->root;
    const auto relative_to_config = [&](const std::string& path) -> std::string {
        if (path.empty() || fs::path(path).is_absolute()) return path;
        return (config_root / path).string();
    };

    bridge::ClientOptions client_options;
    client_options.url = flag_or_environment(options.url, "GREENLIGHT_BRIDGE_URL", from_config.url);
    if (client_options.url.empty()) {
        print_error("no z/OSMF host: give --url URL, set GREENLIGHT_BRIDGE_URL, or set bridge.url in greenlight.yml");
        return out;
    }
    auto timeout = util::parse_duration(options.timeout);
    if (!timeout || timeout->count() <= 0) {
        print_error(fmt::format("--timeout: expected a duration greater than zero such as 10s or 500ms; found '{}'",
                                util::printable(options.timeout)));
        return out;
    }
    client_options.request_timeout = *timeout;
    // The flag's file, else the environment's pair, else the config's file.
    const auto is_set = [](const char* name) {
        const char* value = std::getenv(name);
        return value != nullptr && *value != '\0';
    };
    std::string credentials_file = options.credentials_file;
    if (credentials_file.empty() && !(is_set("GREENLIGHT_BRIDGE_USER") && is_set("GREENLIGHT_BRIDGE_PASSWORD"))) {
        credentials_file = relative_to_config(from_config.credentials_file);
    }
    auto credentials =
        bridge::load_credentials(credentials_file.empty() ? std::nullopt : std::optional<fs::path>(credentials_file));
    if (!credentials) {
        print_error(credentials.message());
        return out;
    }
    client_options.credentials = std::move(*credentials);
    std::string ca_file = options.ca_file.empty() ? relative_to_config(from_config.ca_file) : options.ca_file;
    if (!ca_file.empty()) client_options.ca_file = ca_file;
    client_options.insecure = options.insecure || from_config.insecure;
    auto client = ZosmfClient::create(std::move(client_options));
    if (!client) {
        print_error(client.message());
        return out;
    }
    out.client = std::move(*client);
    out.exit_code = ExitCode::green;
    return out;
}

// JES names are upper case; z/OSMF folds them, so do we, then check them before they reach a URL.
std::optional<std::string> job_name_argument(const std::string& text, std::string_view what) {
    std::string upper = text;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    if (!bridge::is_valid_jcl_name(upper)) {
        print_error(fmt::format("{}: expected 1 to 8 letters, digits or @ # $, not starting with a digit; found '{}'",
                                what, util::printable(text)));
        return std::nullopt;
    }
    return upper;
}

ExitCode report(const ClientError& error) {
    print_error(bridge::describe(error));
    return ExitCode::infrastructure;
}

std::string status_line(const Job& job) {
    std::string line = fmt::format("{} {} {}", job.jobname, job.jobid, bridge::to_string(job.status));
    if (job.retcode) line += " " + *job.retcode;
    return line;
}

nlohmann::json job_json(const Job& job, const std::string& base_url) {
    nlohmann::json document = bridge::to_zosmf_json(job, base_url);
    if (!job.submitted.empty()) document["exec-submitted"] = job.submitted;
    if (job.started) document["exec-started"] = *job.started;
    if (job.ended) document["exec-ended"] = *job.ended;
    return document;
}

void print_job(const Job& job, const ZosmfClient& client, bool json) {
    if (json) {
        std::cout << job_json(job, client.options().url).dump(2) << "\n";
    } else {
        std::cout << status_line(job) << "\n";
    }
}

// ------------------------------------------------------------------ submit

struct SubmitOptions {
    ConnectionOptions connection;
    std::string jcl_file;
    std::string correlator;
    bool wait = false;
    std::string wait_timeout = "30m";
    bool json = false;
};

constexpr std::size_t k_card_length = 80;

// The first polls come every second (short jobs end within a few), later ones every five.
constexpr int k_fast_polls = 10;
constexpr std::chrono::milliseconds k_fast_interval{1000};
constexpr std::chrono::milliseconds k_slow_interval{5000};
// A host's Retry-After is honoured up to this; a longer one would leave a waiting terminal silent.
constexpr std::chrono::milliseconds k_longest_asked_pause{60'000};

// Polls until the job is on the output queue; a poll that fails for the network's sake is tried again
// until the deadline, an error answer ends the wait.
std::optional<Job> wait_for_output(ZosmfClient& client, const Job& submitted, std::chrono::milliseconds limit,
                                   ExitCode& exit_code) {
    using SteadyClock = std::chrono::steady_clock;
    const auto deadline = SteadyClock::now() + limit;
    Job job = submitted;
    std::chrono::milliseconds asked_pause{0};  // a Retry-After the host sent with its last error
    for (int poll = 0; job.status != bridge::JobStatus::output; ++poll) {
        std::chrono::milliseconds pause =
            std::max(poll < k_fast_polls ? k_fast_interval : k_slow_interval, asked_pause);
        asked_pause = std::chrono::milliseconds(0);
        const auto now = SteadyClock::now();
        if (now >= deadline) {
            print_error(fmt::format("{} {} is still {} after {}; it was not cancelled (greenlight bridge cancel {} {})",
                                    job.jobname, job.jobid, bridge::to_string(job.status), util::format_duration(limit),
                                    job.jobname, job.jobid));
            exit_code = ExitCode::infrastructure;
            return std::nullopt;
        }
        pause = std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
        std::this_thread::sleep_for(pause);
        auto answer = client.status(submitted.jobname, submitted.jobid);
        if (answer.ok()) {
            job = *answer.value;
            continue;
        }
        const ClientError& error = *answer.error;
        const bool transient =
            error.kind == ClientError::Kind::transport || error.kind == ClientError::Kind::timeout ||
            (error.kind == ClientError::Kind::http && (error.http_status == 429 || error.http_status >= 500));
        if (!transient) {
            exit_code = report(error);
            return std::nullopt;
        }
        std::cerr << "greenlight: warning: " << bridge::describe(error) << "; polling again\n";
        if (error.retry_after) asked_pause = std::min(*error.retry_after, k_longest_asked_pause);
    }
    return job;
}

ExitCode run_submit(const SubmitOptions& options) {
    auto jcl = util::read_file(options.jcl_file);
    if (!jcl) {
        print_error(jcl.message());
        return ExitCode::usage;
    }
    // The job goes to the internal reader as fixed 80-byte records: a longer line would be cut or refused
    // by the host, so it is caught here, where the file and line can be named.
    int line_number = 0;
    for (std::string_view line : util::split_lines(*jcl)) {
        ++line_number;
        if (line.size() > k_card_length) {
            print_error(fmt::format("{}:{}: the line has {} characters; a JCL card holds at most {}", options.jcl_file,
                                    line_number, line.size(), k_card_length));
            return ExitCode::usage;
        }
    }
    bridge::SubmitRequest request;
    request.jcl = std::move(*jcl);
    if (!options.correlator.empty()) {
        if (!bridge::is_valid_user_correlator(options.correlator)) {
            print_error(
                fmt::format("--correlator: expected 1 to 32 letters, digits, @ # $ or _, starting with a "
                            "letter or @ # $; found '{}'",
                            util::printable(options.correlator)));
            return ExitCode::usage;
        }
        request.user_correlator = options.correlator;
    }
    std::chrono::milliseconds wait_limit{0};
    if (options.wait) {
        auto limit = util::parse_duration(options.wait_timeout);
        if (!limit || limit->count() <= 0) {
            print_error(fmt::format("--wait-timeout: expected a duration greater than zero such as 10m; found '{}'",
                                    util::printable(options.wait_timeout)));
            return ExitCode::usage;
        }
        wait_limit = *limit;
    }
    auto made = make_client(options.connection);
    if (!made.client) return made.exit_code;
    ZosmfClient& client = *made.client;

    auto submitted = client.submit(request);
    if (!submitted.ok()) return report(*submitted.error);
    if (!options.wait) {
        print_job(*submitted.value, client, options.json);
        return ExitCode::green;
    }
    if (!options.json) std::cout << "submitted " << status_line(*submitted.value) << "\n" << std::flush;
    ExitCode exit_code = ExitCode::green;
    auto ended = wait_for_output(client, *submitted.value, wait_limit, exit_code);
    if (!ended) return exit_code;
    print_job(*ended, client, options.json);
    return ended->retcode == "CC 0000" ? ExitCode::green : ExitCode::red;
}

// ------------------------------------------------------------------ status, list

struct JobOptions {
    ConnectionOptions connection;
    std::string jobname;
    std::string jobid;
    std::string correlator;
    bool json = false;
};

ExitCode run_status(const JobOptions& options) {
    if (options.correlator.empty() == options.jobname.empty()) {
        print_error("status: give NAME ID, or --correlator C");
        return ExitCode::usage;
    }
    std::optional<std::string> jobname, jobid;
    if (options.correlator.empty()) {
        if (options.jobid.empty()) {
            print_error("status: give the job's id after its name (NAME ID)");
            return ExitCode::usage;
        }
        jobname = job_name_argument(options.jobname, "NAME");
        jobid = job_name_argument(options.jobid, "ID");
        if (!jobname || !jobid) return ExitCode::usage;
    } else if (!bridge::is_valid_user_correlator(options.correlator)) {
        print_error(fmt::format("--correlator: expected 1 to 32 letters, digits, @ # $ or _; found '{}'",
                                util::printable(options.correlator)));
        return ExitCode::usage;
    }
    auto made = make_client(options.connection);
    if (!made.client) return made.exit_code;
    ZosmfClient& client = *made.client;
    if (jobname) {
        auto answer = client.status(*jobname, *jobid);
        if (!answer.ok()) return report(*answer.error);
        print_job(*answer.value, client, options.json);
        return ExitCode::green;
    }
    bridge::ListFilter filter;
    filter.owner = "*";
    filter.prefix = "*";
    filter.user_correlator = options.correlator;
    auto answer = client.list(filter);
    if (!answer.ok()) return report(*answer.error);
    if (answer.value->empty()) {
        print_error(fmt::format("no job with the user correlator {} on {}", options.correlator, client.options().url));
        return ExitCode::infrastructure;
    }
    // The host lists jobs in submission order: the last one is the newest.
    print_job(answer.value->back(), client, options.json);
    return ExitCode::green;
}

struct ListOptions {
    ConnectionOptions connection;
    std::string owner;
    std::string prefix;
    std::string correlator;
    int max_jobs = 1000;
    bool json = false;
};

ExitCode run_list(const ListOptions& options) {
    auto made = make_client(options.connection);
    if (!made.client) return made.exit_code;
    ZosmfClient& client = *made.client;
    bridge::ListFilter filter;
    filter.owner = options.owner.empty() ? std::string("*") : options.owner;
    if (!options.prefix.empty()) filter.prefix = options.prefix;
    if (!options.correlator.empty()) filter.user_correlator = options.correlator;
    filter.max_jobs = options.max_jobs;
    auto answer = client.list(filter);
    if (!answer.ok()) return report(*answer.error);
    if (options.json) {
        nlohmann::json documents = nlohmann::json::array();
        for (const Job& job : *answer.value) documents.push_back(job_json(job, client.options().url));
        std::cout << documents.dump(2) << "\n";
    } else {
        for (const Job& job : *answer.value) std::cout << status_line(job) << "\n";
    }
    return ExitCode::green;
}

// ------------------------------------------------------------------ spool

struct SpoolOptions {
    ConnectionOptions connection;
    std::string jobname;
    std::string jobid;
    std::optional<int> file;
    std::string range;
    std::string output_dir;
};

// A file name from spool names: anything but letters, digits, '-' and '_' becomes '_'.
std::string safe_part(std::string_view text) {
    std::string out;
    for (char c : text) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_');
    return out.empty() ? "_" : out;
}

std::string spool_file_name(const bridge::SpoolFile& file) {
    return fmt::format("{}-{}-{}.txt", safe_part(file.ddname), safe_part(file.stepname), file.id);
}

std::string spool_line(const bridge::SpoolFile& file) {
    return fmt::format("{:>4} {:<8} {:<8} {:>8} records {:>10} bytes", file.id, file.ddname, file.stepname,
                       file.record_count, file.byte_count);
}

ExitCode run_spool(const SpoolOptions& options) {
    auto jobname = job_name_argument(options.jobname, "NAME");
    auto jobid = job_name_argument(options.jobid, "ID");
    if (!jobname || !jobid) return ExitCode::usage;
    std::optional<bridge::RecordRange> range;
    if (!options.range.empty()) {
        range = bridge::parse_record_range(options.range);
        if (!range) {
            print_error(fmt::format("--range: expected FIRST-LAST (zero-based, inclusive) such as 0-99; found '{}'",
                                    util::printable(options.range)));
            return ExitCode::usage;
        }
        if (!options.file) {
            print_error("--range needs --file N: a range selects records of one spool file");
            return ExitCode::usage;
        }
    }
    if (options.file && !options.output_dir.empty()) {
        print_error("give --file N (one file to standard output) or --output-dir DIR (every file), not both");
        return ExitCode::usage;
    }
    auto made = make_client(options.connection);
    if (!made.client) return made.exit_code;
    ZosmfClient& client = *made.client;

    if (options.file) {
        auto records = client.records(*jobname, *jobid, *options.file, range);
        if (!records.ok()) return report(*records.error);
        std::cout << *records.value << std::flush;
        return ExitCode::green;
    }
    auto files = client.spool_files(*jobname, *jobid);
    if (!files.ok()) return report(*files.error);
    if (options.output_dir.empty()) {
        for (const auto& file : *files.value) std::cout << spool_line(file) << "\n";
        return ExitCode::green;
    }
    const fs::path folder = options.output_dir;
    if (auto made_folder = util::make_directories(folder); !made_folder) {
        print_error(made_folder.message());
        return ExitCode::infrastructure;
    }
    nlohmann::json listing = nlohmann::json::array();
    for (const auto& file : *files.value) {
        auto records = client.records(*jobname, *jobid, file.id);
        if (!records.ok()) return report(*records.error);
        const std::string name = spool_file_name(file);
        if (auto written = util::write_file_atomic(folder / name, *records.value); !written) {
            print_error(written.message());
            return ExitCode::infrastructure;
        }
        nlohmann::json entry = bridge::to_zosmf_json(file, client.options().url);
        entry["file"] = name;
        listing.push_back(std::move(entry));
        std::cout << spool_line(file) << "  " << (folder / name).string() << "\n";
    }
    if (auto written = util::write_file_atomic(folder / "spool-files.json", listing.dump(2) + "\n"); !written) {
        print_error(written.message());
        return ExitCode::infrastructure;
    }
    return ExitCode::green;
}

// ------------------------------------------------------------------ cancel, purge

enum class Action { cancel, purge };

ExitCode run_action(const JobOptions& options, Action action) {
    auto jobname = job_name_argument(options.jobname, "NAME");
    auto jobid = job_name_argument(options.jobid, "ID");
    if (!jobname || !jobid) return ExitCode::usage;
    auto made = make_client(options.connection);
    if (!made.client) return made.exit_code;
    ZosmfClient& client = *made.client;
    auto answer = action == Action::cancel ? client.cancel(*jobname, *jobid) : client.purge(*jobname, *jobid);
    if (!answer.ok()) return report(*answer.error);
    std::cout << (action == Action::cancel ? "cancel requested for " : "purged ") << *jobname << " " << *jobid << "\n";
    return ExitCode::green;
}

constexpr std::string_view k_exit_codes =
    "Exit: 0 done, 2 usage (bad flags or names, missing file, no URL or credentials), 3 the host could not be\n"
    "reached, timed out or answered an error.";

}  // namespace

void add_bridge_client_commands(CLI::App& bridge, ExitCode& exit_code) {
    const std::string connection_footer =
        "The host is found from --url, else $GREENLIGHT_BRIDGE_URL, else bridge.url in greenlight.yml. Basic-auth\n"
        "credentials come from $GREENLIGHT_BRIDGE_USER and $GREENLIGHT_BRIDGE_PASSWORD, or from --credentials-file\n"
        "(first line user:password, mode 600); never from the command line. https verifies the host with --ca-file\n"
        "or the system's CA store, unless --insecure. See docs/BRIDGE.md.\n";

    {
        auto options = std::make_shared<SubmitOptions>();
        CLI::App* command =
            bridge.add_subcommand("submit", "Submit a JCL job to a z/OSMF host, optionally wait for it");
        command->footer(connection_footer +
                        "Prints NAME ID STATUS (or the job document with --json). With --wait, polls every second,\n"
                        "then every 5 s, until the job is on the output queue and prints its retcode.\n"
                        "Exit: 0 submitted (with --wait: ended CC 0000), 1 ended otherwise (ABEND, JCL ERROR, CC > 0,\n"
                        "CANCELED ...), 2 usage (missing file, a line over 80 characters, bad flags, no URL or\n"
                        "credentials), 3 the host could not be reached or answered an error, or the job did not end\n"
                        "within --wait-timeout.");
        command->add_option("JCL_FILE", options->jcl_file, "The job to submit")->type_name("FILE")->required();
        command->add_option("--correlator", options->correlator,
                            "User correlator (X-IBM-User-Correlator) to find the job by later");
        command->add_flag("--wait", options->wait, "Wait until the job ends and exit by its retcode");
        command->add_option("--wait-timeout", options->wait_timeout, "How long --wait waits")->capture_default_str();
        command->add_flag("--json", options->json, "Print the job document as JSON");
        add_connection_options(*command, options->connection);
        command->callback([options, &exit_code] { exit_code = run_submit(*options); });
    }
    {
        auto options = std::make_shared<JobOptions>();
        CLI::App* command = bridge.add_subcommand("status", "Show a job's status and retcode");
        command->footer(connection_footer + std::string(k_exit_codes));
        command->add_option("NAME", options->jobname, "Job name");
        command->add_option("ID", options->jobid, "Job id, e.g. JOB00042");
        command->add_option("--correlator", options->correlator,
                            "Find the job by its user correlator instead (the newest such job)");
        command->add_flag("--json", options->json, "Print the job document as JSON");
        add_connection_options(*command, options->connection);
        command->callback([options, &exit_code] { exit_code = run_status(*options); });
    }
    {
        auto options = std::make_shared<SpoolOptions>();
        CLI::App* command = bridge.add_subcommand("spool", "List a job's spool files, print one, or save them all");
        command->footer(connection_footer +
                        "Without --file or --output-dir: one line per spool file (id, DD, step, records, bytes).\n"
                        "--file N prints that file's records (--range FIRST-LAST, zero-based, inclusive, for part).\n"
                        "--output-dir DIR writes every file as DIR/<ddname>-<stepname>-<id>.txt and the listing as\n"
                        "DIR/spool-files.json.\n" +
                        std::string(k_exit_codes));
        command->add_option("NAME", options->jobname, "Job name")->required();
        command->add_option("ID", options->jobid, "Job id, e.g. JOB00042")->required();
        command->add_option("--file", options->file, "Spool file id to print (JESMSGLG 2, JESJCL 3, JESYSMSG 4, ...)");
        command->add_option("--range", options->range, "Records FIRST-LAST of the file (zero-based, inclusive)");
        command->add_option("--output-dir", options->output_dir, "Save every spool file into this folder")
            ->type_name("DIR");
        add_connection_options(*command, options->connection);
        command->callback([options, &exit_code] { exit_code = run_spool(*options); });
    }
    {
        auto options = std::make_shared<JobOptions>();
        CLI::App* command = bridge.add_subcommand("cancel", "Cancel a job (one still queued or running)");
        command->footer(connection_footer + std::string(k_exit_codes));
        command->add_option("NAME", options->jobname, "Job name")->required();
        command->add_option("ID", options->jobid, "Job id, e.g. JOB00042")->required();
        add_connection_options(*command, options->connection);
        command->callback([options, &exit_code] { exit_code = run_action(*options, Action::cancel); });
    }
    {
        auto options = std::make_shared<ListOptions>();
        CLI::App* command = bridge.add_subcommand("list", "List jobs on the host: NAME ID STATUS [RETCODE]");
        command->footer(connection_footer + std::string(k_exit_codes));
        command->add_option("--owner", options->owner, "Owner pattern (* and % wildcards; default every owner)");
        command->add_option("--prefix", options->prefix, "Job name pattern (* and % wildcards)");
        command->add_option("--correlator", options->correlator, "Only jobs with this user correlator");
        command->add_option("--max", options->max_jobs, "At most this many jobs")
            ->check(CLI::Range(1, 1000))
            ->capture_default_str();
        command->add_flag("--json", options->json, "Print the job documents as a JSON array");
        add_connection_options(*command, options->connection);
        command->callback([options, &exit_code] { exit_code = run_list(*options); });
    }
    {
        auto options = std::make_shared<JobOptions>();
        CLI::App* command = bridge.add_subcommand("purge", "Remove a finished job and its spool from the host");
        command->footer(connection_footer + std::string(k_exit_codes));
        command->add_option("NAME", options->jobname, "Job name")->required();
        command->add_option("ID", options->jobid, "Job id, e.g. JOB00042")->required();
        add_connection_options(*command, options->connection);
        command->callback([options, &exit_code] { exit_code = run_action(*options, Action::purge); });
    }
}

}  // namespace greenlight::cli
