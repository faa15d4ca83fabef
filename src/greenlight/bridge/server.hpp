// The job host of `greenlight bridge serve`: the z/OSMF REST jobs interface over HTTP(S), in front of the job
// store and the executor. Every request is authenticated (basic auth against the users file); writes need
// X-CSRF-ZOSMF-HEADER; paths, queries and headers are checked (http_input.hpp) before the store is touched;
// errors are z/OSMF error documents. docs/BRIDGE.md, "The host", is the reference.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "greenlight/util/result.hpp"
#include "greenlight/web/http_server.hpp"

namespace greenlight::bridge {

// How much the host writes to its log (standard error).
enum class LogLevel { error, warning, info, debug };
std::optional<LogLevel> parse_log_level(std::string_view text);

// Whether the host runs jobs: a unit test may route requests against a store it fills itself.
enum class RunJobs { yes, no };
// Whether the host listens itself, or another server hosts its handlers (`greenlight serve --bridge`).
enum class Listen { yes, no };

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8700;  // 0: an ephemeral port (see Server::bound_port)
    std::filesystem::path state_dir;
    std::filesystem::path users_file;
    std::optional<std::filesystem::path> tls_certificate;  // PEM; with tls_key, the host speaks HTTPS only
    std::optional<std::filesystem::path> tls_key;
    int max_active = 1;  // jobs running at once; the others wait as INPUT
    std::optional<std::chrono::seconds> default_time_limit = std::chrono::seconds{3600};  // jobs without TIME=
    RunJobs run_jobs = RunJobs::yes;
    Listen listen = Listen::yes;

    // Bounds on one request. A larger body is answered 413, larger headers 431, a longer target 414.
    std::size_t max_body_bytes = std::size_t{4} * 1024 * 1024;  // the JCL limit of the parser
    std::size_t max_header_count = 100;
    std::size_t max_header_bytes = 32 * 1024;  // all header names and values together
    std::chrono::seconds read_timeout{10};     // a client this slow to send is dropped
    std::chrono::seconds keep_alive_timeout{5};
    std::size_t io_threads = 2;       // threads of the event loop that reads, answers GETs and writes
    std::size_t worker_threads = 16;  // requests that may block (all but GET and HEAD) handled at once
    // How long a DELETE of a running job waits for it to end after the cancel before answering 409.
    std::chrono::milliseconds purge_wait{10'000};

    LogLevel log_level = LogLevel::info;
    // Where log lines go (one line each, no trailing newline); empty: standard error.
    std::function<void(const std::string&)> log_sink;
};

// The host: open() loads the users and opens (and recovers) the store; start() binds and serves.
class Server {
public:
    // Errors here are configuration errors (users file, state folder, TLS files): exit 2.
    static util::Result<std::unique_ptr<Server>> open(ServerOptions options);
    ~Server();  // stop()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds (unless Listen::no), starts the executor and the event loops. An error here is the address: exit 3.
    util::Status start();
    // The jobs interface's handlers (paths under /zosmf/restjobs), for a server that hosts it among other things.
    web::HttpHandlers handlers();
    int bound_port() const;
    // "http://127.0.0.1:8700" (https with TLS), the address as bound.
    std::string url() const;
    // Stops listening, lets requests in progress finish, stops the executor (running jobs end as SYS FAIL).
    // Idempotent; safe from any thread but a request handler.
    void stop();

    struct Impl;

private:
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace greenlight::bridge
