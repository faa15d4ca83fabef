// The server of `greenlight serve`: opening it (database, checks from the config, dashboard users, the hosted
// bridge), the HTTP transport's handlers, the rate limit and the route table in front of every request, the
// answers for store failures and access checks, and starting and stopping.
#include "greenlight/serve/server.hpp"

#include <fmt/format.h>

#include <iostream>

#include "greenlight/bridge/http_input.hpp"
#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/database.hpp"
#include "greenlight/serve/server_internal.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::serve {

namespace {

using nlohmann::json;
using util::make_error;
using util::Result;
using util::Status;

constexpr std::string_view k_content_security_policy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'";

const util::SystemClock& system_clock() {
    static const util::SystemClock clock;
    return clock;
}

// Whether a failure is answered with a page (the dashboard) rather than JSON (the API and pings).
bool wants_html(const web::Request& request) {
    return !request.path().starts_with("/api/") && !request.path().starts_with("/ping/");
}

}  // namespace

namespace detail {

void send_json(web::Response& response, int status, const json& document) {
    response.status = status;
    response.set_content(document.dump(), "application/json");
}

void send_problem(web::Response& response, int status, std::string message) {
    send_json(response, status, json{{"error", std::move(message)}, {"status", status}});
}

void send_page(web::Response& response, int status, std::string html) {
    response.status = status;
    response.set_header("Content-Security-Policy", std::string(k_content_security_policy));
    response.set_header("X-Content-Type-Options", "nosniff");
    response.set_content(std::move(html), "text/html; charset=utf-8");
}

}  // namespace detail

using detail::send_page;
using detail::send_problem;

ServeServer::Impl::Impl(ServeOptions serve_options)
    : options(std::move(serve_options)), limiter(options.requests_per_minute) {}

void ServeServer::Impl::wake_watchdog() {
    {
        std::lock_guard lock(watchdog_mutex);
        wake_pending = true;
    }
    watchdog_wake.notify_one();
}

void ServeServer::Impl::log(const std::string& message) {
    std::string line = "greenlight serve: " + message;
    std::lock_guard lock(log_mutex);
    if (options.log_sink) {
        options.log_sink(line);
    } else {
        std::cerr << line << '\n' << std::flush;
    }
}

void ServeServer::Impl::store_failed(const web::Request& request, web::Response& response, const util::Error& error) {
    const bool away = is_unavailable(error);
    log(fmt::format("{} {}: {}", away ? "database unavailable" : "store error", util::printable(request.path()),
                    error.message));
    if (away) response.set_header("Retry-After", "5");
    const int status = away ? 503 : 500;
    const std::string message = away ? "the database is unavailable; try again shortly" : "the store failed";
    if (wants_html(request)) {
        send_page(response, status, render_error_page(status, message));
    } else {
        send_problem(response, status, message);
    }
}

std::optional<TokenInfo> ServeServer::Impl::bearer(const web::Request& request, web::Response& response,
                                                   TokenScope needed) {
    std::string header = request.get_header_value("Authorization");
    constexpr std::string_view k_prefix = "Bearer ";
    if (!header.starts_with(k_prefix)) {
        response.set_header("WWW-Authenticate", "Bearer realm=\"greenlight serve\"");
        send_problem(response, 401,
                     "a token is required: Authorization: Bearer <token> "
                     "(create one with `greenlight serve token create`)");
        return std::nullopt;
    }
    auto token = store->verify_token(std::string_view(header).substr(k_prefix.size()));
    if (!token) {
        store_failed(request, response, token.error());
        return std::nullopt;
    }
    if (!*token) {
        response.set_header("WWW-Authenticate", "Bearer realm=\"greenlight serve\", error=\"invalid_token\"");
        send_problem(response, 401, "the token is not known or was revoked");
        return std::nullopt;
    }
    if (needed == TokenScope::admin && (*token)->scope != TokenScope::admin) {
        send_problem(response, 403, "this token may ingest runs; this request needs an admin token");
        return std::nullopt;
    }
    return **token;
}

bool ServeServer::Impl::viewer_allowed(const web::Request& request, web::Response& response) {
    if (!dashboard_users) return true;
    if (auto credentials = bridge::parse_basic_authorization(request.get_header_value("Authorization"))) {
        if (dashboard_users->authenticate(credentials->user, credentials->password)) return true;
    }
    response.set_header("WWW-Authenticate", "Basic realm=\"greenlight dashboard\"");
    if (wants_html(request)) {
        send_page(response, 401, render_error_page(401, "Sign in with a dashboard user."));
    } else {
        send_problem(response, 401, "basic authentication with a dashboard user is required");
    }
    return false;
}

void ServeServer::Impl::handle(const web::Request& request, web::Response& response) {
    const std::string_view path = request.path();
    if (auto wait = limiter.check(request.remote_address, std::chrono::steady_clock::now())) {
        response.set_header("Retry-After", std::to_string(*wait));
        send_problem(response, 429, "too many requests from this address; slow down");
        metrics.count_request(detail::route_of(path), response.status);
        return;
    }
    if (path.starts_with("/zosmf/")) {
        if (!bridge) {
            send_problem(response, 404, "this server does not host the bridge (serve.bridge in greenlight.yml)");
        } else {
            bridge_handlers.handle(request, response);
        }
        metrics.count_request("bridge", response.status);
        return;
    }
    auto query = bridge::parse_query(request.query());
    if (!query) {
        send_problem(response, 400, "the query string is malformed or has too many parameters");
        metrics.count_request(detail::route_of(path), response.status);
        return;
    }
    detail::dispatch(*this, request, response, *query);
    metrics.count_request(detail::route_of(path), response.status);
}

ServeServer::ServeServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ServeServer::~ServeServer() {
    stop();
}

Result<std::unique_ptr<ServeServer>> ServeServer::open(ServeOptions options) {
    auto impl = std::make_unique<Impl>(std::move(options));
    Impl& self = *impl;
    self.clock = self.options.clock ? self.options.clock : &system_clock();
    auto store = Store::open(self.options.database_url, *self.clock);
    if (!store) return store.error();
    self.store = std::move(*store);
    if (Status synced = self.store->sync_checks_from_config(self.options.config_checks); !synced) {
        return synced.error();
    }
    if (self.options.dashboard_users) {
        auto users = bridge::Authenticator::create(*self.options.dashboard_users,
                                                   [&self](const std::string& line) { self.log(line); });
        if (!users) return users.error();
        self.dashboard_users = std::move(*users);
    }
    if (self.options.bridge) {
        bridge::ServerOptions bridge_options = *self.options.bridge;
        bridge_options.listen = bridge::Listen::no;
        bridge_options.host = self.options.host;
        bridge_options.port = self.options.port;
        auto bridge_server = bridge::Server::open(std::move(bridge_options));
        if (!bridge_server) return make_error(fmt::format("bridge: {}", bridge_server.message()));
        self.bridge = std::move(*bridge_server);
        self.bridge_handlers = self.bridge->handlers();
        auto jobs = bridge::JobStore::open(self.options.bridge->state_dir,
                                           bridge::OpenOptions{bridge::Recovery::skip, nullptr});
        if (!jobs) return make_error(fmt::format("bridge: {}", jobs.message()));
        self.bridge_jobs = std::make_unique<bridge::JobStore>(std::move(*jobs));
    }
    detail::remove_abandoned_uploads(self.options.bundles_dir, [&self](const std::string& line) { self.log(line); });
    self.sender = self.options.sender ? std::move(self.options.sender)
                                      : make_http_alert_sender(self.options.public_url, std::chrono::seconds{10});

    web::HttpServerOptions http_options;
    http_options.host = self.options.host;
    http_options.port = self.options.port;
    http_options.tls_certificate = self.options.tls_certificate;
    http_options.tls_key = self.options.tls_key;
    http_options.max_body_bytes = self.options.max_body_bytes;
    // On PostgreSQL a ping waits on the worker pool while the batch before it is written: the more pings may
    // wait, the more one commit carries when the disk is slow to sync. SQLite's pings queue for its one writer
    // instead, where more threads only add switching.
    http_options.worker_threads = self.store->kind() == DatabaseKind::postgresql ? 64 : 16;
    web::HttpHandlers handlers;
    handlers.handle = [&self](const web::Request& request, web::Response& response) { self.handle(request, response); };
    // Every request may touch the database, so all run on the worker pool; the bridge's status polls are
    // answered from its cache on the event loop.
    handlers.may_block = [&self](const web::Request& request) {
        if (self.bridge && request.path().starts_with("/zosmf/") && self.bridge_handlers.may_block) {
            return self.bridge_handlers.may_block(request);
        }
        if (self.bridge && request.path().starts_with("/zosmf/")) {
            return request.method != "GET" && request.method != "HEAD";
        }
        return request.path() != "/assets/dashboard.css";
    };
    handlers.fill_error = [](web::Response& response) {
        send_problem(response, response.status,
                     response.status == 413   ? "the request body is too large"
                     : response.status == 431 ? "the request headers are too large"
                     : response.status == 414
                         ? "the request target is too long"
                         : fmt::format("the request could not be served (HTTP {})", response.status));
    };
    handlers.failed = [&self](const std::string& what) { self.log(fmt::format("request failed: {}", what)); };
    if (self.options.debug) {
        handlers.answered = [&self](std::string_view method, std::string_view target, const web::Response& response,
                                    std::chrono::microseconds elapsed) {
            // Ping keys are secrets: the log shows only the route family of a ping.
            std::string_view shown = target.starts_with("/ping/") ? "/ping/..." : target.substr(0, 200);
            self.log(fmt::format("debug: {} {} {} {:.1f}ms", util::printable(method), util::printable(shown),
                                 response.status, static_cast<double>(elapsed.count()) / 1000.0));
        };
    }
    auto http = web::HttpServer::create(std::move(http_options), std::move(handlers));
    if (!http) return http.error();
    self.http = std::move(*http);
    return std::unique_ptr<ServeServer>(new ServeServer(std::move(impl)));
}

Status ServeServer::start() {
    Impl& impl = *m_impl;
    if (impl.started) return make_error("the server was started already");
    if (Status listening = impl.http->start(); !listening) return listening;
    if (impl.bridge) {
        if (Status started = impl.bridge->start(); !started) {
            impl.http->stop();
            return make_error(fmt::format("bridge: {}", started.message()));
        }
    }
    impl.started = true;
    impl.watchdog = std::thread([&impl] { impl.watchdog_loop(); });
    return {};
}

int ServeServer::port() const {
    return m_impl->http->port();
}

std::string ServeServer::url() const {
    const std::string& host = m_impl->options.host;
    return fmt::format("{}://{}:{}", m_impl->http->tls() ? "https" : "http",
                       host.find(':') != std::string::npos ? "[" + host + "]" : host, port());
}

void ServeServer::stop() {
    if (!m_impl || !m_impl->started) return;
    Impl& impl = *m_impl;
    {
        std::lock_guard lock(impl.watchdog_mutex);
        if (impl.stopping) return;
        impl.stopping = true;
    }
    impl.watchdog_wake.notify_all();
    impl.http->stop();
    if (impl.watchdog.joinable()) impl.watchdog.join();
    if (impl.bridge) impl.bridge->stop();
}

}  // namespace greenlight::serve
