// greenlight's HTTP/1.1 client (Boost.Beast on Asio, OpenSSL for https): one request at a time and synchronous,
// each step bounded by a timeout, TLS verified against the system's trust store, and the connection kept for the
// next request to the same server. Everything that calls out (the bridge's z/OSMF client and chat webhooks, the
// GitHub REST calls, online link checks, alerts, run reports) goes through it. See docs/ARCHITECTURE.md ("web").
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "greenlight/web/header.hpp"

namespace greenlight::web {

enum class HttpMethod { get, head, post, put, delete_ };

// "GET", "HEAD", "POST", "PUT", "DELETE".
std::string_view to_string(HttpMethod method);

// Takes the answer's body piece by piece as it arrives; returning false stops reading (the request then fails
// as HttpError::cancelled).
using BodyReceiver = std::function<bool(std::string_view piece)>;

struct HttpRequest {
    HttpMethod method = HttpMethod::get;
    // http(s)://host[:port][/path][?query]. The path and query go out as written (encode them first), except for
    // bytes a request target cannot hold (controls, space, non-ASCII), which are percent-encoded.
    std::string url;
    // Sent as given, after Host, Accept (*/*) and User-Agent (greenlight) unless these are among them.
    Headers headers;
    std::string body;
    std::string content_type;   // the Content-Type header, when not empty
    BodyReceiver receive_body;  // when set, the body goes here rather than into HttpResponse::body
};

struct HttpResponse {
    int status = 0;
    Headers headers;  // in the order received
    std::string body;

    // The first field of that name (names compare without case); empty when there is none.
    std::string get_header_value(std::string_view name) const;
    bool has_header(std::string_view name) const;
};

// Why a request got no answer.
enum class HttpError {
    invalid_url,           // not http(s)://host[:port]..., or it holds user info
    invalid_header,        // a header field without a name, or with a line break (the detail names it)
    connection_refused,    // nothing listens on that port
    connection_failed,     // the name did not resolve, the host or network is unreachable, ...
    connection_timeout,    // no connection (TCP and TLS handshake) within the connect timeout
    tls_handshake,         // the TLS handshake failed for another reason than the certificate
    loading_certificates,  // the CA file, or any system trust store, could not be read
    server_verification,   // the server's certificate did not verify, or does not name the host
    write,                 // the request could not be sent
    read,                  // the connection closed or broke before the whole answer came
    timeout,               // the answer did not come within the read timeout or the total timeout
    malformed_answer,      // what came back is not HTTP/1.x
    too_many_redirects,    // more than k_max_redirects when following them
    cancelled,             // the body receiver asked to stop
};

// A short phrase for a person: "connection refused", "the server's TLS certificate could not be verified", ...
std::string_view describe(HttpError error);

struct HttpFailure {
    HttpError error = HttpError::read;
    std::string detail;  // the system's or OpenSSL's own words ("self-signed certificate"), or which bound passed
};

// describe(error), then the detail in parentheses when there is one.
std::string describe(const HttpFailure& failure);

// An answer (of any status) or why there was none.
class [[nodiscard]] HttpResult {
public:
    HttpResult(HttpResponse response) : m_state(std::move(response)) {}
    HttpResult(HttpFailure failure) : m_state(std::move(failure)) {}

    bool ok() const { return m_state.index() == 0; }
    explicit operator bool() const { return ok(); }
    HttpResponse& operator*() { return std::get<0>(m_state); }
    const HttpResponse& operator*() const { return std::get<0>(m_state); }
    HttpResponse* operator->() { return &std::get<0>(m_state); }
    const HttpResponse* operator->() const { return &std::get<0>(m_state); }
    const HttpFailure& failure() const { return std::get<1>(m_state); }
    HttpError error() const { return failure().error; }

private:
    std::variant<HttpResponse, HttpFailure> m_state;
};

enum class TlsVerification { verify, skip };
enum class KeepAlive { yes, no };
enum class FollowRedirects { no, yes };

// How many redirects one request follows at most (with FollowRedirects::yes).
inline constexpr int k_max_redirects = 20;

struct HttpClientOptions {
    std::chrono::milliseconds connect_timeout{10'000};  // TCP connect and TLS handshake together
    std::chrono::milliseconds write_timeout{30'000};    // sending the request
    std::chrono::milliseconds read_timeout{30'000};     // each wait for more of the answer
    // One request from connect to its last byte, redirects included; none: only the bounds above.
    std::optional<std::chrono::milliseconds> total_timeout;
    // PEM certificates to verify https servers with, instead of the system's trust store.
    std::optional<std::filesystem::path> ca_file;
    TlsVerification tls = TlsVerification::verify;
    // Whether the connection stays open for the next request to the same scheme, host and port.
    KeepAlive keep_alive = KeepAlive::yes;
    // Whether a GET or HEAD answered 301, 302, 303, 307 or 308 goes on to the Location.
    FollowRedirects redirects = FollowRedirects::no;

    // For a client that sends one request and is done (a webhook): connect, write and each read bounded by
    // `timeout`, and the connection closed after the answer.
    static HttpClientOptions single_request(std::chrono::milliseconds timeout) {
        HttpClientOptions options;
        options.connect_timeout = options.write_timeout = options.read_timeout = timeout;
        options.keep_alive = KeepAlive::no;
        return options;
    }
};

// One client holds at most one open connection. Use it from one thread at a time.
class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    const HttpClientOptions& options() const;

    HttpResult send(const HttpRequest& request);
    HttpResult get(std::string url, Headers headers = {});
    HttpResult head(std::string url, Headers headers = {});
    HttpResult post(std::string url, Headers headers, std::string body, std::string content_type);
    HttpResult put(std::string url, Headers headers, std::string body, std::string content_type);
    HttpResult remove(std::string url, Headers headers = {});  // DELETE

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// The Authorization value of HTTP basic authentication: "Basic " and base64 of "user:password".
std::string basic_authorization(std::string_view user, std::string_view password);

}  // namespace greenlight::web
