// What the web tests share: greenlight's own server on an ephemeral port of 127.0.0.1 answering with a test's
// handler, and throwaway certificates made by the openssl command for the TLS cases.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "greenlight/web/http_server.hpp"
#include "support/test_support.hpp"

namespace greenlight::test_support {

// greenlight's own server, started; stopped when it goes out of scope.
class OwnServer {
public:
    // Every request goes to the worker pool (the transport's path for handlers that may block).
    explicit OwnServer(std::function<void(const web::Request&, web::Response&)> handle,
                       web::HttpServerOptions options = {})
        : OwnServer(all_may_block(std::move(handle)), std::move(options)) {}
    OwnServer(web::HttpHandlers handlers, web::HttpServerOptions options) {
        auto server = web::HttpServer::create(std::move(options), std::move(handlers));
        if (!server) throw std::runtime_error(server.message());
        m_server = std::move(*server);
        if (auto started = m_server->start(); !started) throw std::runtime_error(started.message());
    }

    std::string url(const std::string& path = "/") const {
        return (m_server->tls() ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(m_server->port()) +
               path;
    }
    int port() const { return m_server->port(); }
    web::HttpServer& server() { return *m_server; }

private:
    static web::HttpHandlers all_may_block(std::function<void(const web::Request&, web::Response&)> handle) {
        web::HttpHandlers handlers;
        handlers.handle = std::move(handle);
        handlers.may_block = [](const web::Request&) { return true; };
        return handlers;
    }

    std::unique_ptr<web::HttpServer> m_server;
};

// Self-signed certificates with their keys in a temporary folder, one per name, made by the openssl command.
class ThrowawayCertificates {
public:
    // `subject` such as "/CN=127.0.0.1", `alternative_names` such as "IP:127.0.0.1,DNS:localhost". False when the
    // openssl command is missing or fails.
    bool make(const std::string& name, const std::string& subject, const std::string& alternative_names) const {
        const std::string command =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj " + subject +
            " -addext subjectAltName=" + alternative_names + " -keyout '" + key(name) + "' -out '" + certificate(name) +
            "' >/dev/null 2>&1";
        return std::system(command.c_str()) == 0;
    }
    std::string certificate(const std::string& name) const { return (m_dir.path() / (name + "-cert.pem")).string(); }
    std::string key(const std::string& name) const { return (m_dir.path() / (name + "-key.pem")).string(); }
    const std::filesystem::path& folder() const { return m_dir.path(); }

private:
    TempDir m_dir{"greenlight-web-tls"};
};

// Polls `condition` every 10 ms until it holds or `within` has passed; whether it held.
inline bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    return true;
}

// Whether a TCP connection of this host to 127.0.0.1:`port` is in CLOSE_WAIT (/proc/net/tcp): the server has
// closed it and the client has not yet noticed.
inline bool closed_by_the_server(int port) {
    char wanted[16];
    std::snprintf(wanted, sizeof wanted, "0100007F:%04X", static_cast<unsigned>(port));
    std::ifstream table("/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // the column names
    while (std::getline(table, line)) {
        char remote[32] = {};
        unsigned state = 0;
        if (std::sscanf(line.c_str(), " %*s %*s %31s %x", remote, &state) == 2 && wanted == std::string(remote) &&
            state == 0x08) {
            return true;
        }
    }
    return false;
}

}  // namespace greenlight::test_support
