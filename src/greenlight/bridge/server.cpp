#include "greenlight/bridge/server.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <variant>

#include "greenlight/bridge/executor.hpp"
#include "greenlight/bridge/http_input.hpp"
#include "greenlight/bridge/jcl.hpp"
#include "greenlight/bridge/job_store.hpp"
#include "greenlight/bridge/users.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/web/http_server.hpp"

namespace greenlight::bridge {

namespace {

using util::make_error;
using util::Result;
using util::Status;

// z/OSMF's error categories and the reasons of category 6 (service) this host reports; reasons from 100 up are
// the host's own (docs/BRIDGE.md lists them all).
constexpr int k_category_service = 6;
constexpr int k_category_unexpected = 7;
constexpr int k_reason_intrdr_mode = 1;
constexpr int k_reason_intrdr_parameters = 2;
constexpr int k_reason_missing_content = 3;
constexpr int k_reason_query = 4;
constexpr int k_reason_job_update = 6;
constexpr int k_reason_no_match = 7;
constexpr int k_reason_job_not_found = 10;
constexpr int k_reason_record_range = 11;
constexpr int k_reason_no_spool_file = 12;
constexpr int k_reason_not_a_job = 13;
constexpr int k_reason_invalid_path = 100;
constexpr int k_reason_authentication = 101;
constexpr int k_reason_csrf = 102;
constexpr int k_reason_still_active = 103;
constexpr int k_reason_too_large = 104;
constexpr int k_reason_headers_too_large = 105;

constexpr std::string_view k_realm = "greenlight bridge";

struct ZosmfError {
    int http_status = 400;
    int category = k_category_service;
    int rc = 4;
    int reason = 0;
    std::string message;
};

nlohmann::json error_document(const ZosmfError& error) {
    return nlohmann::json{
        {"rc", error.rc}, {"reason", error.reason}, {"category", error.category}, {"message", error.message}};
}

void send_json(web::Response& response, int status, const nlohmann::json& document) {
    response.status = status;
    response.set_content(document.dump(), "application/json");
}

void send_error(web::Response& response, const ZosmfError& error) {
    send_json(response, error.http_status, error_document(error));
}

ZosmfError bad_request(int reason, std::string message) {
    return ZosmfError{400, k_category_service, 4, reason, std::move(message)};
}

ZosmfError job_not_found(const JobReference& job) {
    return bad_request(k_reason_job_not_found, fmt::format("No job found for reference: '{}'", job.display()));
}

ZosmfError server_error(const std::string& what) {
    return ZosmfError{500, k_category_unexpected, 8, 0, fmt::format("Server error occurred: {}", what)};
}

// Per request thread: which job the request touched, for the debug log line.
thread_local std::string t_request_jobid;

bool is_host_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ':' || c == '[' || c == ']';
}

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::error:
            return "error";
        case LogLevel::warning:
            return "warning";
        case LogLevel::info:
            return "info";
        case LogLevel::debug:
            return "debug";
    }
    return "info";
}

// Status documents already written, so that a poll of a job that has not changed costs a lookup: keyed by how
// the job was named, the base URL and exec-data; an entry holds while the store's generation is the one seen
// before the job was read (JobStore::generation). Sharded so that the event loops rarely wait for each other.
class DocumentCache {
public:
    struct Entry {
        std::uint64_t generation = 0;
        std::string body;
        std::string jobid;
    };

    static std::string key(const JobReference& reference, std::string_view base, bool exec_data) {
        std::string key;
        key.reserve(reference.jobname.size() + reference.jobid.size() + reference.correlator.size() + base.size() + 4);
        key.append(reference.jobname).append(1, '/').append(reference.jobid).append(1, '/');
        key.append(reference.correlator).append(1, '\n').append(base).append(1, exec_data ? 'Y' : 'N');
        return key;
    }

    // The cached body and job id when still current.
    std::optional<Entry> find(const std::string& key, std::uint64_t generation) const {
        const Shard& shard = shard_of(key);
        std::lock_guard lock(shard.mutex);
        auto found = shard.entries.find(key);
        if (found == shard.entries.end() || found->second.generation != generation) return std::nullopt;
        return found->second;
    }

    void store(std::string key, Entry entry) {
        Shard& shard = shard_of(key);
        std::lock_guard lock(shard.mutex);
        if (shard.entries.size() >= k_entries_per_shard) shard.entries.clear();
        shard.entries.insert_or_assign(std::move(key), std::move(entry));
    }

private:
    static constexpr std::size_t k_shards = 16;
    static constexpr std::size_t k_entries_per_shard = 1024;
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Entry> entries;
    };
    const Shard& shard_of(const std::string& key) const { return m_shards[std::hash<std::string>{}(key) % k_shards]; }
    Shard& shard_of(const std::string& key) { return m_shards[std::hash<std::string>{}(key) % k_shards]; }

    std::array<Shard, k_shards> m_shards;
};

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
    if (text == "error") return LogLevel::error;
    if (text == "warning" || text == "warn") return LogLevel::warning;
    if (text == "info") return LogLevel::info;
    if (text == "debug") return LogLevel::debug;
    return std::nullopt;
}

struct Server::Impl {
    ServerOptions options;
    JobStore store;
    DocumentCache documents;
    std::unique_ptr<Authenticator> authenticator;
    std::unique_ptr<Executor> executor;
    std::unique_ptr<web::HttpServer> http;  // null when another server hosts the handlers
    int port = 0;
    std::mutex stop_mutex;
    bool started = false;
    bool stopped = false;
    std::mutex log_mutex;

    Impl(ServerOptions server_options, JobStore job_store)
        : options(std::move(server_options)), store(std::move(job_store)) {}

    void log(LogLevel level, const std::string& message) {
        if (level > options.log_level) return;
        std::string line = fmt::format("greenlight bridge: {}: {}", level_name(level), message);
        std::lock_guard lock(log_mutex);
        if (options.log_sink) {
            options.log_sink(line);
        } else {
            std::cerr << line << '\n' << std::flush;
        }
    }

    std::string scheme() const { return options.tls_certificate ? "https" : "http"; }

    // The URLs in documents name the host the client asked for (z/OSMF: "based on original HTTP request").
    std::string base_url(const web::Request& request) const {
        std::string host = request.get_header_value("Host");
        if (host.empty() || host.size() > 255 || !std::all_of(host.begin(), host.end(), is_host_character)) {
            host = fmt::format(
                "{}:{}", options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host, port);
        }
        return fmt::format("{}://{}", scheme(), host);
    }

    void handle(const web::Request& request, web::Response& response);
    void handle_authenticated(const web::Request& request, web::Response& response, const std::string& owner);
    void list_jobs(const web::Request& request, web::Response& response, const std::string& owner,
                   const std::vector<std::pair<std::string, std::string>>& query);
    void submit(const web::Request& request, web::Response& response, const std::string& owner);
    std::optional<Job> find_job(const JobReference& reference, web::Response& response);
    void modify(const web::Request& request, web::Response& response, const Job& job);
    void purge(const web::Request& request, web::Response& response, const Job& job);
    void records(const web::Request& request, web::Response& response, const Job& job, int file_id,
                 const std::vector<std::pair<std::string, std::string>>& query);

    void fill_error_document(web::Response& response) const;
    void log_request(std::string_view method, std::string_view target, const web::Response& response,
                     std::chrono::microseconds elapsed);
    web::HttpHandlers handlers();
    void start_executor();
};

void Server::Impl::handle(const web::Request& request, web::Response& response) {
    t_request_jobid.clear();
    if (request.headers.size() > options.max_header_count) {
        send_error(response, ZosmfError{431, k_category_service, 8, k_reason_headers_too_large,
                                        fmt::format("the request has {} headers; at most {} are accepted",
                                                    request.headers.size(), options.max_header_count)});
        return;
    }
    std::size_t header_bytes = 0;
    for (const auto& [name, value] : request.headers) header_bytes += name.size() + value.size();
    if (header_bytes > options.max_header_bytes) {
        send_error(response, ZosmfError{431, k_category_service, 8, k_reason_headers_too_large,
                                        fmt::format("the request headers hold {} bytes; at most {} are accepted",
                                                    header_bytes, options.max_header_bytes)});
        return;
    }

    std::optional<std::string> owner;
    if (auto credentials = parse_basic_authorization(request.get_header_value("Authorization"))) {
        owner = authenticator->authenticate(credentials->user, credentials->password);
    }
    if (!owner) {
        response.set_header("WWW-Authenticate", fmt::format("Basic realm=\"{}\"", k_realm));
        send_error(response, ZosmfError{401, k_category_service, 8, k_reason_authentication,
                                        "Authentication is required: send HTTP basic authentication with a user "
                                        "and password of the host's users file"});
        return;
    }
    if (request.method != "GET" && request.method != "HEAD" && !request.has_header("X-CSRF-ZOSMF-HEADER")) {
        // What z/OSMF answers (errorID, errorMsg), and the fields of its jobs error document.
        std::string message =
            "IZUG846W: An HTTP request for a z/OSMF REST service was received from a remote site. The request "
            "was rejected, however, because it does not carry the X-CSRF-ZOSMF-HEADER header that every "
            "request other than GET must carry.";
        nlohmann::json document = error_document(ZosmfError{403, k_category_service, 8, k_reason_csrf, message});
        document["errorID"] = "IZUG846W";
        document["errorMsg"] = message;
        send_json(response, 403, document);
        return;
    }
    handle_authenticated(request, response, *owner);
}

void Server::Impl::handle_authenticated(const web::Request& request, web::Response& response,
                                        const std::string& owner) {
    std::string_view target = request.target;
    std::size_t question = target.find('?');
    std::string_view path = target.substr(0, question);
    std::string_view raw_query = question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

    RouteOutcome routed = route_path(path);
    if (!routed) {
        const RouteError& error = routed.error();
        if (error.kind == RouteError::Kind::not_found) {
            send_error(response, ZosmfError{404, k_category_service, 4, k_reason_no_match,
                                            fmt::format("No match for method {} and pathInfo='{}'", request.method,
                                                        util::printable(path.substr(0, 200)))});
        } else {
            send_error(response, bad_request(k_reason_invalid_path, error.message));
        }
        return;
    }
    const Route& route = *routed;
    auto query = parse_query(raw_query);
    if (!query) {
        send_error(response, bad_request(k_reason_query, "the query string is malformed or has too many parameters"));
        return;
    }
    const std::string& method = request.method;
    const bool is_get = method == "GET" || method == "HEAD";
    const auto method_not_allowed = [&] {
        send_error(response, ZosmfError{405, k_category_service, 4, k_reason_no_match,
                                        fmt::format("No match for method {} and pathInfo='{}'", method,
                                                    util::printable(path.substr(0, 200)))});
    };

    if (route.resource == Resource::jobs) {
        if (is_get) return list_jobs(request, response, owner, *query);
        if (method == "PUT") return submit(request, response, owner);
        return method_not_allowed();
    }
    if (!is_get && !(route.resource == Resource::job && (method == "PUT" || method == "DELETE"))) {
        return method_not_allowed();
    }
    const std::string base = base_url(request);
    // A status poll: the host's hot path, answered from the cache while the store has not changed.
    std::string cache_key;
    const std::uint64_t generation = store.generation();
    if (route.resource == Resource::job && is_get) {
        bool exec_data = std::any_of(query->begin(), query->end(), [](const auto& parameter) {
            return parameter.first == "exec-data" && (parameter.second == "Y" || parameter.second == "y");
        });
        cache_key = DocumentCache::key(route.job, base, exec_data);
        if (auto cached = documents.find(cache_key, generation)) {
            t_request_jobid = std::move(cached->jobid);
            response.status = 200;
            response.set_content(std::move(cached->body), "application/json");
            return;
        }
    }
    std::optional<Job> job = find_job(route.job, response);
    if (!job) return;
    t_request_jobid = job->jobid;
    switch (route.resource) {
        case Resource::job: {
            if (method == "PUT") return modify(request, response, *job);
            if (method == "DELETE") return purge(request, response, *job);
            const bool exec_data = cache_key.back() == 'Y';
            std::string body = to_zosmf_json(*job, base, exec_data ? ExecData::yes : ExecData::no).dump();
            documents.store(std::move(cache_key), DocumentCache::Entry{generation, body, job->jobid});
            response.status = 200;
            response.set_content(std::move(body), "application/json");
            return;
        }
        case Resource::files: {
            auto files = store.spool_files(job->jobid);
            if (!files) return send_error(response, server_error(files.message()));
            nlohmann::json documents = nlohmann::json::array();
            for (const SpoolFile& file : *files) documents.push_back(to_zosmf_json(file, base));
            send_json(response, 200, documents);
            return;
        }
        case Resource::file_records:
            return records(request, response, *job, route.file_id, *query);
        case Resource::jobs:
            break;
    }
}

std::optional<Job> Server::Impl::find_job(const JobReference& reference, web::Response& response) {
    auto found = reference.by_correlator() ? store.find_by_correlator(reference.correlator)
                                           : store.find(reference.jobname, reference.jobid);
    if (!found) {
        send_error(response, server_error(found.message()));
        return std::nullopt;
    }
    if (!*found) {
        send_error(response, job_not_found(reference));
        return std::nullopt;
    }
    return std::move(**found);
}

void Server::Impl::list_jobs(const web::Request& request, web::Response& response, const std::string& owner,
                             const std::vector<std::pair<std::string, std::string>>& query) {
    auto parsed = parse_list_query(query, owner);
    if (!parsed) {
        send_error(response, bad_request(k_reason_query,
                                         fmt::format("Value of {} query parameter is not valid", parsed.message())));
        return;
    }
    const ListQuery& list_query = *parsed;
    auto jobs = store.list(list_query.filter);
    if (!jobs) return send_error(response, server_error(jobs.message()));
    const std::string base = base_url(request);
    nlohmann::json documents = nlohmann::json::array();
    for (const Job& job : *jobs) {
        documents.push_back(to_zosmf_json(job, base, list_query.exec_data ? ExecData::yes : ExecData::no));
    }
    send_json(response, 200, documents);
}

void Server::Impl::submit(const web::Request& request, web::Response& response, const std::string& owner) {
    std::string content_type = util::lowercase(request.get_header_value("Content-Type"));
    if (!content_type.empty() && !content_type.starts_with("text/plain") &&
        !content_type.starts_with("application/octet-stream")) {
        send_error(response,
                   bad_request(k_reason_missing_content,
                               fmt::format("Content-Type {} is not supported: send the JCL itself as text/plain (this "
                                           "host does not submit data sets or files)",
                                           util::printable(content_type))));
        return;
    }
    std::vector<std::pair<std::string, std::string>> symbol_headers;
    for (const auto& [name, value] : request.headers) {
        if (util::lowercase(name).starts_with("x-ibm-jcl-symbol-")) symbol_headers.emplace_back(name, value);
    }
    auto headers = parse_submit_headers(
        [&](std::string_view name) -> std::optional<std::string> {
            std::string key(name);
            if (!request.has_header(key)) return std::nullopt;
            return request.get_header_value(key);
        },
        symbol_headers);
    if (!headers) {
        const SubmitHeadersError& error = headers.error();
        int reason =
            error.kind == SubmitHeadersError::Kind::intrdr_mode ? k_reason_intrdr_mode : k_reason_intrdr_parameters;
        send_error(response, bad_request(reason, error.message));
        return;
    }
    if (request.body.empty()) {
        send_error(response, bad_request(k_reason_missing_content, "Request does not contain 'JCL' content"));
        return;
    }
    auto jobname = find_job_name(request.body);
    if (!jobname) {
        send_error(response, bad_request(k_reason_not_a_job,
                                         "Job input was not recognized by system as a job: the first statement must "
                                         "be '//name JOB ...' with a valid job name"));
        return;
    }
    NewJob new_job;
    new_job.jobname = *jobname;
    new_job.owner = owner;
    new_job.jcl_text = request.body;
    new_job.user_correlator = headers->user_correlator;
    // The class of a job whose JCL is in error does not matter: it never runs.
    const JclParseOutcome parsed = parse_jcl(request.body);
    if (parsed) new_job.job_class = std::string(1, parsed->job_class);
    auto stored = store.submit_once(new_job);
    if (!stored) return send_error(response, server_error(stored.message()));
    t_request_jobid = stored->job.jobid;
    if (!stored->existing) {
        log(LogLevel::info, fmt::format("{} {} submitted by {}", stored->job.jobid, stored->job.jobname, owner));
        if (executor) executor->notify_submitted();
    }
    send_json(response, stored->existing ? 200 : 201, to_zosmf_json(stored->job, base_url(request)));
}

namespace {

nlohmann::json feedback_document(const Job& job) {
    return nlohmann::json{
        {"jobid", job.jobid},
        {"jobname", job.jobname},
        {"original-jobid", job.jobid},
        {"owner", job.owner},
        {"member", "JES2"},
        {"sysname", std::string(k_host_system_name)},
        {"job-correlator", job.correlator},
        {"status", 0},
    };
}

}  // namespace

void Server::Impl::modify(const web::Request& request, web::Response& response, const Job& job) {
    auto parsed = parse_modify_request(request.body);
    if (!parsed) return send_error(response, bad_request(k_reason_job_update, parsed.message()));
    const ModifyRequest& modify_request = *parsed;
    if (modify_request.request != "cancel") {
        return send_error(
            response, bad_request(k_reason_job_update, fmt::format("Request '{}' is not supported by this host: only "
                                                                   "'cancel' is",
                                                                   util::printable(modify_request.request))));
    }
    auto cancelled = store.cancel(job.jobid);
    if (!cancelled) return send_error(response, server_error(cancelled.message()));
    log(LogLevel::info, fmt::format("{} {} cancel requested", job.jobid, job.jobname));
    send_json(response, modify_request.synchronous ? 200 : 202, feedback_document(*cancelled));
}

void Server::Impl::purge(const web::Request& request, web::Response& response, const Job& job) {
    std::optional<std::string> version_header;
    if (request.has_header("X-IBM-Job-Modify-Version"))
        version_header = request.get_header_value("X-IBM-Job-Modify-Version");
    auto synchronous = parse_modify_version(version_header);
    if (!synchronous) {
        return send_error(
            response, bad_request(k_reason_job_update, "X-IBM-Job-Modify-Version is not valid: expected 1.0 or 2.0"));
    }
    // z/OSMF's DELETE cancels the job and purges its output: a running job is stopped first.
    Job current = job;
    if (current.status != JobStatus::output) {
        auto cancelled = store.cancel(current.jobid);
        if (!cancelled) return send_error(response, server_error(cancelled.message()));
        current = *cancelled;
        const auto deadline = std::chrono::steady_clock::now() + options.purge_wait;
        while (current.status == JobStatus::active && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            auto found = store.find(current.jobid);
            if (!found) return send_error(response, server_error(found.message()));
            if (!*found) break;  // purged meanwhile
            current = **found;
        }
        if (current.status == JobStatus::active) {
            return send_error(response, ZosmfError{409, k_category_service, 8, k_reason_still_active,
                                                   fmt::format("Job {} is still ACTIVE after the cancel; purge it "
                                                               "again once it has ended",
                                                               JobReference{job.jobname, job.jobid, ""}.display())});
        }
    }
    if (Status purged = store.purge(current.jobid); !purged) {
        return send_error(response, server_error(purged.message()));
    }
    log(LogLevel::info, fmt::format("{} {} purged", job.jobid, job.jobname));
    send_json(response, *synchronous ? 200 : 202, feedback_document(current));
}

void Server::Impl::records(const web::Request& request, web::Response& response, const Job& job, int file_id,
                           const std::vector<std::pair<std::string, std::string>>& query) {
    std::optional<std::string> mode_value;
    for (const auto& [name, value] : query) {
        if (name == "mode") mode_value = value;
    }
    auto mode = parse_records_mode(mode_value);
    if (!mode) {
        return send_error(response, bad_request(k_reason_query, "Value of mode query parameter is not valid"));
    }
    std::optional<RecordRange> range;
    if (request.has_header("X-IBM-Record-Range")) {
        std::string value = request.get_header_value("X-IBM-Record-Range");
        range = parse_record_range(value);
        if (!range) {
            return send_error(response,
                              bad_request(k_reason_record_range,
                                          fmt::format("Record range '{}' is not valid for spool file record request",
                                                      util::printable(value.substr(0, 100)))));
        }
    }
    auto files = store.spool_files(job.jobid);
    if (!files) return send_error(response, server_error(files.message()));
    bool exists = std::any_of(files->begin(), files->end(), [&](const SpoolFile& file) { return file.id == file_id; });
    if (!exists) {
        return send_error(
            response, bad_request(k_reason_no_spool_file, fmt::format("Job '{}({})' does not contain spool file id {}",
                                                                      job.jobname, job.jobid, file_id)));
    }
    auto content = store.read_records(job.jobid, file_id, range);
    if (!content) return send_error(response, server_error(content.message()));
    response.status = 200;
    switch (*mode) {
        case RecordsMode::text:
            response.set_content(*content, "text/plain; charset=UTF-8");
            break;
        case RecordsMode::binary:
            response.set_content(*content, "application/octet-stream");
            break;
        case RecordsMode::record:
            response.set_content(length_prefixed_records(*content), "application/octet-stream");
            break;
    }
}

// What the host answers when the request could not be read, or a handler answered an error without a document.
void Server::Impl::fill_error_document(web::Response& response) const {
    if (!response.body.empty()) return;
    ZosmfError error{response.status, k_category_service, 8, 0, ""};
    switch (response.status) {
        case 413:
            error.reason = k_reason_too_large;
            error.message = fmt::format("The request body is larger than {} bytes", options.max_body_bytes);
            break;
        case 414:
            error.reason = k_reason_too_large;
            error.message = "The request target is too long";
            break;
        case 431:
            error.reason = k_reason_headers_too_large;
            error.message = fmt::format("The request headers are larger than {} bytes", options.max_header_bytes);
            break;
        case 404:
            error.reason = k_reason_no_match;
            error.message = "No such resource";
            break;
        default:
            error.reason = 0;
            error.message = fmt::format("The request could not be served (HTTP {})", response.status);
            break;
    }
    send_error(response, error);
}

void Server::Impl::log_request(std::string_view method, std::string_view target, const web::Response& response,
                               std::chrono::microseconds elapsed) {
    if (options.log_level < LogLevel::debug) return;
    log(LogLevel::debug,
        fmt::format("{} {} {} {:.1f}ms{}", util::printable(method), util::printable(target.substr(0, 200)),
                    response.status, static_cast<double>(elapsed.count()) / 1000.0,
                    response.log_note.empty() ? "" : " " + response.log_note));
}

web::HttpHandlers Server::Impl::handlers() {
    web::HttpHandlers handlers;
    handlers.handle = [this](const web::Request& request, web::Response& response) {
        handle(request, response);
        response.log_note = std::exchange(t_request_jobid, std::string());
    };
    handlers.fill_error = [this](web::Response& response) { fill_error_document(response); };
    handlers.answered = [this](std::string_view method, std::string_view target, const web::Response& response,
                               std::chrono::microseconds elapsed) { log_request(method, target, response, elapsed); };
    handlers.failed = [this](const std::string& what) {
        t_request_jobid.clear();
        log(LogLevel::error, fmt::format("request failed: {}", what));
    };
    return handlers;
}

void Server::Impl::start_executor() {
    if (options.run_jobs != RunJobs::yes || executor) return;
    ExecutorOptions executor_options;
    executor_options.max_active = options.max_active;
    executor_options.default_time_limit = options.default_time_limit;
    executor_options.log = [this](const std::string& message) { log(LogLevel::info, message); };
    executor = std::make_unique<Executor>(store, std::move(executor_options));
    executor->start();
}

Server::Server(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Server::~Server() {
    stop();
}

Result<std::unique_ptr<Server>> Server::open(ServerOptions options) {
    if (options.max_active < 1) {
        return make_error(fmt::format("--max-active {} is out of range: expected at least 1", options.max_active));
    }
    if (options.tls_certificate.has_value() != options.tls_key.has_value()) {
        return make_error("--tls-cert and --tls-key go together: give both, or neither");
    }
    for (const auto& file : {options.tls_certificate, options.tls_key}) {
        std::error_code error;
        if (file && !std::filesystem::is_regular_file(*file, error)) {
            return make_error(fmt::format("TLS file {} does not exist or is not a file", file->string()));
        }
    }
    const auto sink = options.log_sink;
    const LogLevel level = options.log_level;
    auto log_line = [sink, level](const std::string& message) {
        if (level < LogLevel::warning) return;
        std::string line = fmt::format("greenlight bridge: {}", message);
        if (sink)
            sink(line);
        else
            std::cerr << line << '\n' << std::flush;
    };
    auto authenticator = Authenticator::create(options.users_file, log_line);
    if (!authenticator) return authenticator.error();

    auto store = JobStore::open(options.state_dir, OpenOptions{Recovery::skip, nullptr});
    if (!store) return make_error(fmt::format("state folder {}: {}", options.state_dir.string(), store.message()));
    auto impl = std::make_unique<Impl>(std::move(options), std::move(*store));
    impl->authenticator = std::move(*authenticator);

    if (impl->options.run_jobs == RunJobs::yes) {
        // Recovery runs here, not in JobStore::open, so that the log says what it did.
        auto recovered = impl->store.recover_after_restart();
        if (!recovered) {
            return make_error(
                fmt::format("state folder {}: {}", impl->options.state_dir.string(), recovered.message()));
        }
        for (const std::string& jobid : recovered->failed_jobs) {
            impl->log(LogLevel::warning,
                      fmt::format("{} was ACTIVE when the host stopped; it ended with SYS FAIL", jobid));
        }
        if (!recovered->removed_folders.empty()) {
            impl->log(LogLevel::info, fmt::format("removed {} spool folder{} of jobs that no longer exist",
                                                  recovered->removed_folders.size(),
                                                  recovered->removed_folders.size() == 1 ? "" : "s"));
        }
    }

    if (impl->options.listen == Listen::yes) {
        web::HttpServerOptions http_options;
        http_options.host = impl->options.host;
        http_options.port = impl->options.port;
        http_options.tls_certificate = impl->options.tls_certificate;
        http_options.tls_key = impl->options.tls_key;
        http_options.max_body_bytes = impl->options.max_body_bytes;
        http_options.max_header_bytes = impl->options.max_header_bytes + impl->options.max_header_count * 4;
        http_options.read_timeout = impl->options.read_timeout;
        http_options.keep_alive_timeout = impl->options.keep_alive_timeout;
        http_options.io_threads = impl->options.io_threads;
        http_options.worker_threads = impl->options.worker_threads;
        // A DELETE of a running job may wait purge_wait for it to end.
        http_options.stop_wait = impl->options.purge_wait + std::chrono::seconds{5};
        auto http = web::HttpServer::create(std::move(http_options), impl->handlers());
        if (!http) return http.error();
        impl->http = std::move(*http);
    }
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::start() {
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.stop_mutex);
    if (impl.started) return make_error("the server was started already");
    if (impl.http) {
        if (Status listening = impl.http->start(); !listening) return listening;
        impl.port = impl.http->port();
    }
    impl.start_executor();
    impl.started = true;
    return {};
}

web::HttpHandlers Server::handlers() {
    return m_impl->handlers();
}

int Server::bound_port() const {
    return m_impl->port;
}

std::string Server::url() const {
    const std::string& host = m_impl->options.host;
    return fmt::format("{}://{}:{}", m_impl->scheme(), host.find(':') != std::string::npos ? "[" + host + "]" : host,
                       m_impl->port);
}

void Server::stop() {
    if (!m_impl) return;
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.stop_mutex);
    if (impl.stopped || !impl.started) return;
    impl.stopped = true;
    // Stops accepting, lets the requests in progress be answered (bounded), then ends the connections.
    if (impl.http) impl.http->stop();
    if (impl.executor) impl.executor->stop();
}

}  // namespace greenlight::bridge
