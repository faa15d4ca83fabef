// greenlight's HTTP/1.1 server transport (Boost.Beast on Asio): event loops that read requests and write answers,
// a pool for handlers that may block, TLS, size limits and timeouts. It knows nothing of what it serves: the
// bridge's job host and `greenlight serve` hand it their handler. See docs/ARCHITECTURE.md ("web").
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/util/result.hpp"
#include "greenlight/web/header.hpp"

namespace greenlight::web {

// A request as a handler sees it: the target as sent (path and query undecoded), every header field in order.
struct Request {
    std::string method;
    std::string target;
    std::vector<Header> headers;
    std::string body;
    std::string remote_address;  // the peer's IP address, for rate limits and logs

    // The first field of that name (names compare without case); empty when there is none.
    std::string get_header_value(std::string_view name) const;
    bool has_header(std::string_view name) const;
    std::string_view path() const;   // the target up to '?'
    std::string_view query() const;  // after '?', or empty
};

struct Response {
    int status = 200;
    std::vector<Header> headers;  // besides Content-Type and Content-Length, which the transport writes
    std::string content_type;
    std::string body;
    std::string log_note;  // not sent: what the request log line should add (e.g. the job it touched)

    void set_header(std::string name, std::string value);
    void set_content(std::string content, std::string_view type);
};

struct HttpServerOptions {
    std::string host = "127.0.0.1";
    int port = 0;                                          // 0: an ephemeral port (see HttpServer::port)
    std::optional<std::filesystem::path> tls_certificate;  // PEM; with tls_key, the server speaks HTTPS only
    std::optional<std::filesystem::path> tls_key;
    // Bounds on one request: a larger body is answered 413, a longer target 414, larger headers 431, and a
    // request that cannot be parsed 400; each after the error filler has written the body.
    std::size_t max_body_bytes = std::size_t{4} * 1024 * 1024;
    std::size_t max_header_bytes = 32 * 1024;
    std::size_t max_target_bytes = 8192;
    std::chrono::seconds read_timeout{10};  // a client this slow to send is dropped
    std::chrono::seconds keep_alive_timeout{5};
    std::size_t io_threads = 2;       // event loops: read, answer requests that do not block, write
    std::size_t worker_threads = 16;  // requests that may block, handled at once
    // How long stop() waits for requests in progress to be answered before closing the connections.
    std::chrono::milliseconds stop_wait{5'000};
};

struct HttpHandlers {
    // Answers a request. May throw: the transport answers 500 (through fill_error) and reports the exception.
    std::function<void(const Request&, Response&)> handle;
    // Whether the request may wait (a database write, a lock): such requests run on the worker pool, the others
    // on the connection's event loop. Empty: every method but GET and HEAD may block.
    std::function<bool(const Request&)> may_block;
    // Writes the body of an error answer that has none (the transport's own 400/413/414/431/500, or a handler's
    // error status without a body). Empty: a short text/plain body.
    std::function<void(Response&)> fill_error;
    // After each answer is written (or failed): for the request log. Called on an event loop; keep it short.
    std::function<void(std::string_view method, std::string_view target, const Response&,
                       std::chrono::microseconds elapsed)>
        answered;
    // A handler threw: what it said.
    std::function<void(const std::string& what)> failed;
};

class HttpServer {
public:
    // Loads the TLS certificate and key when given: an error here is a configuration error.
    static util::Result<std::unique_ptr<HttpServer>> create(HttpServerOptions options, HttpHandlers handlers);
    ~HttpServer();  // stop()
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds (SO_REUSEADDR only: a second server on a busy port fails) and starts the threads.
    util::Status start();
    int port() const;
    bool tls() const;
    // Stops accepting, waits (up to stop_wait) for requests in progress, then ends every connection. Idempotent;
    // not from a handler.
    void stop();

    struct Impl;

private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace greenlight::web
