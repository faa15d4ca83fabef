// HTTP helpers for tests: a scripted server on 127.0.0.1 (HttpPeer) that stands in for z/OSMF, GitHub, a webhook
// receiver or a web page, and a client for one server whose requests name only the path (OriginClient).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "greenlight/web/http_client.hpp"

namespace greenlight::test_support {

struct PeerRequest {
    std::string method;
    std::string target;                // as sent
    std::string path;                  // percent-decoded, without the query
    std::vector<std::string> matches;  // the route pattern's groups; [0] is the whole path
    web::Headers headers;
    web::Headers params;  // the query's name=value pairs, decoded
    std::string body;

    std::string get_header_value(std::string_view name) const;
    bool has_header(std::string_view name) const;
    std::string get_param_value(std::string_view name) const;
    bool has_param(std::string_view name) const;
};

struct PeerResponse {
    int status = 200;
    web::Headers headers;
    std::string body;
    // When not empty, the body goes out in these chunks (chunked transfer coding), each after chunk_delay.
    std::vector<std::string> chunks;
    std::chrono::milliseconds chunk_delay{0};

    void set_header(std::string name, std::string value);
    void set_content(std::string content, std::string_view type);
};

using PeerHandler = std::function<void(const PeerRequest&, PeerResponse&)>;

// Answers each request with the first route whose method and pattern (a regular expression the whole decoded
// path must match) fit, else 404. A GET route answers HEAD too. Keeps connections alive as the client asks;
// each connection has a thread of its own.
class HttpPeer {
public:
    HttpPeer();                                                                  // http
    HttpPeer(const std::string& certificate_file, const std::string& key_file);  // https
    ~HttpPeer();
    HttpPeer(const HttpPeer&) = delete;
    HttpPeer& operator=(const HttpPeer&) = delete;

    void on(std::string method, std::string pattern, PeerHandler handler);
    void get(std::string pattern, PeerHandler handler) { on("GET", std::move(pattern), std::move(handler)); }
    void put(std::string pattern, PeerHandler handler) { on("PUT", std::move(pattern), std::move(handler)); }
    void post(std::string pattern, PeerHandler handler) { on("POST", std::move(pattern), std::move(handler)); }
    // A DELETE route.
    void remove(std::string pattern, PeerHandler handler) { on("DELETE", std::move(pattern), std::move(handler)); }

    int port() const;
    std::string url(const std::string& scheme = "http") const;  // scheme://127.0.0.1:port
    int connections() const;                                    // accepted so far
    // Stops accepting and ends every connection; waits for handlers in progress. Idempotent.
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// A port on 127.0.0.1 where nothing listens (it was free a moment ago).
int unused_port();

// Requests to one server by path, with optional basic authentication.
class OriginClient {
public:
    explicit OriginClient(std::string origin, web::HttpClientOptions options = {});
    OriginClient(const std::string& host, int port, web::HttpClientOptions options = {});

    void set_basic_auth(std::string_view user, std::string_view password);

    web::HttpResult get(const std::string& path, web::Headers headers = {});
    web::HttpResult head(const std::string& path, web::Headers headers = {});
    web::HttpResult post(const std::string& path, std::string body, std::string content_type);
    web::HttpResult post(const std::string& path, web::Headers headers, std::string body, std::string content_type);
    web::HttpResult put(const std::string& path, web::Headers headers, std::string body, std::string content_type);
    web::HttpResult remove(const std::string& path, web::Headers headers = {});  // DELETE

private:
    web::Headers with_authorization(web::Headers headers) const;

    std::string m_origin;
    std::string m_authorization;
    web::HttpClient m_client;
};

}  // namespace greenlight::test_support
