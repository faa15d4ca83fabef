#include "greenlight/web/http_server.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

namespace greenlight::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using util::make_error;
using util::Result;
using util::Status;

std::string Request::get_header_value(std::string_view name) const {
    const std::string* value = find_header(headers, name);
    return value ? *value : std::string();
}

bool Request::has_header(std::string_view name) const {
    return find_header(headers, name) != nullptr;
}

std::string_view Request::path() const {
    std::string_view whole = target;
    return whole.substr(0, whole.find('?'));
}

std::string_view Request::query() const {
    std::string_view whole = target;
    std::size_t question = whole.find('?');
    return question == std::string_view::npos ? std::string_view() : whole.substr(question + 1);
}

void Response::set_header(std::string name, std::string value) {
    for (auto& field : headers) {
        if (same_header_name(field.first, name)) {
            field.second = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

void Response::set_content(std::string content, std::string_view type) {
    body = std::move(content);
    content_type = std::string(type);
}

struct HttpServer::Impl {
    HttpServerOptions options;
    HttpHandlers handlers;
    std::unique_ptr<asio::io_context> io;                  // the acceptor's
    std::vector<std::unique_ptr<asio::io_context>> loops;  // one per io thread; connections are dealt round robin
    std::size_t next_loop = 0;
    std::unique_ptr<asio::ssl::context> tls;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<asio::thread_pool> blocking;
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};
    std::atomic<int> in_flight{0};
    int port = 0;
    std::mutex stop_mutex;
    bool started = false;
    bool stopped = false;

    bool may_block(const Request& request) const {
        if (handlers.may_block) return handlers.may_block(request);
        return request.method != "GET" && request.method != "HEAD";
    }

    void fill_error(Response& response) const {
        if (!response.body.empty()) return;
        if (handlers.fill_error) {
            handlers.fill_error(response);
            return;
        }
        response.set_content(fmt::format("HTTP {}\n", response.status), "text/plain; charset=utf-8");
    }

    // The handler, with the fallbacks: an exception is a 500, an error without a body gets one.
    Response answer(const Request& request) const {
        Response response;
        try {
            handlers.handle(request, response);
        } catch (const std::exception& exception) {
            if (handlers.failed) handlers.failed(exception.what());
            response = Response{};
            response.status = 500;
        } catch (...) {
            if (handlers.failed) handlers.failed("unknown exception");
            response = Response{};
            response.status = 500;
        }
        if (response.status >= 400) fill_error(response);
        return response;
    }

    void accept();
};

namespace {

// One connection: reads a request, answers it, and reads the next while the client keeps the connection alive.
// Requests that may block are handled on the worker pool and their answer written back on the connection's loop.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    Session(HttpServer::Impl& impl, Stream stream, std::string remote)
        : m_impl(impl), m_stream(std::move(stream)), m_remote(std::move(remote)) {}

    void start() {
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            lowest().expires_after(m_impl.options.read_timeout);
            m_stream.async_handshake(asio::ssl::stream_base::server,
                                     [self = this->shared_from_this()](beast::error_code error) {
                                         if (error) return self->close();
                                         self->read_request();
                                     });
        } else {
            read_request();
        }
    }

private:
    beast::tcp_stream& lowest() { return beast::get_lowest_layer(m_stream); }

    void read_request() {
        if (m_impl.stopping) return close();
        m_parser.emplace();
        // The request line and all fields together; the target's own bound is checked once it is read.
        m_parser->header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(m_impl.options.max_header_bytes + m_impl.options.max_target_bytes + 1024,
                                  std::numeric_limits<std::uint32_t>::max())));
        m_parser->body_limit(m_impl.options.max_body_bytes);
        lowest().expires_after(m_first ? m_impl.options.read_timeout : m_impl.options.keep_alive_timeout);
        m_first = false;
        http::async_read_header(
            m_stream, m_buffer, *m_parser,
            [self = this->shared_from_this()](beast::error_code error, std::size_t) { self->on_header(error); });
    }

    // Whether a read failed on the request's content (answered) rather than on the connection (closed).
    static bool is_parse_error(const beast::error_code& error) {
        return error.category() == http::make_error_code(http::error::bad_target).category() &&
               error != http::error::end_of_stream && error != http::error::partial_message;
    }

    void refuse(const beast::error_code& error) {
        int status = 400;
        if (error == http::error::body_limit) {
            status = 413;
        } else if (error == http::error::header_limit) {
            // The parser fills in the target once it has read the whole request line: a request line it never
            // finished, or a target over the bound, is the target's fault (414); a request line read whole puts
            // the blame on the fields (431), however long one of them is.
            const std::size_t target = m_parser ? m_parser->get().target().size() : 0;
            status = target == 0 || target > m_impl.options.max_target_bytes ? 414 : 431;
        }
        Response response;
        response.status = status;
        m_impl.fill_error(response);
        m_keep_alive = false;
        m_head = false;
        m_refused = true;
        m_method = "-";
        m_target = "-";
        m_started = std::chrono::steady_clock::now();
        ++m_impl.in_flight;
        write(std::move(response));
    }

    void on_header(beast::error_code error) {
        if (error) {
            if (is_parse_error(error)) return refuse(error);
            return close();
        }
        m_started = std::chrono::steady_clock::now();
        auto& message = m_parser->get();
        if (message.target().size() > m_impl.options.max_target_bytes) {
            return refuse(http::make_error_code(http::error::header_limit));
        }
        if (m_parser->is_done()) return dispatch();
        lowest().expires_after(m_impl.options.read_timeout);
        if (beast::iequals(message[http::field::expect], "100-continue")) {
            static constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
            asio::async_write(m_stream, asio::buffer(k_continue.data(), k_continue.size()),
                              [self = this->shared_from_this()](beast::error_code written, std::size_t) {
                                  if (written) return self->close();
                                  self->read_body();
                              });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                             if (error) {
                                 if (is_parse_error(error)) return self->refuse(error);
                                 return self->close();
                             }
                             self->dispatch();
                         });
    }

    void dispatch() {
        auto& message = m_parser->get();
        auto request = std::make_shared<Request>();
        request->method = std::string(message.method_string());
        request->target = std::string(message.target());
        request->headers.reserve(8);
        for (const auto& field : message) {
            request->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        request->body = std::move(message.body());
        request->remote_address = m_remote;
        m_keep_alive = message.keep_alive();
        m_version = message.version();
        m_head = message.method() == http::verb::head;
        m_method = request->method;
        m_target = request->target;
        m_parser.reset();
        ++m_impl.in_flight;
        if (!m_impl.may_block(*request)) {
            write(m_impl.answer(*request));
            return;
        }
        asio::post(*m_impl.blocking, [self = this->shared_from_this(), request] {
            auto response = std::make_shared<Response>(self->m_impl.answer(*request));
            asio::post(self->m_stream.get_executor(), [self, response] { self->write(std::move(*response)); });
        });
    }

    void write(Response answer) {
        m_response = {};
        m_response.version(m_version);
        m_response.result(static_cast<unsigned>(answer.status));
        for (const auto& [name, value] : answer.headers) m_response.insert(name, value);
        if (!answer.content_type.empty()) m_response.set(http::field::content_type, answer.content_type);
        const std::size_t length = answer.body.size();
        m_response.body() = std::move(answer.body);
        m_response.keep_alive(m_keep_alive && !m_impl.stopping);
        m_response.prepare_payload();
        if (m_head) {
            m_response.body().clear();
            m_response.content_length(length);
        }
        answer.body.clear();
        m_answered = std::move(answer);
        lowest().expires_after(std::chrono::seconds{10});
        http::async_write(
            m_stream, m_response,
            [self = this->shared_from_this()](beast::error_code error, std::size_t) { self->on_write(error); });
    }

    void on_write(beast::error_code error) {
        --m_impl.in_flight;
        if (m_impl.handlers.answered) {
            m_impl.handlers.answered(
                m_method, m_target, m_answered,
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - m_started));
        }
        const bool again = !error && m_response.keep_alive();
        m_response = {};
        if (again) return read_request();
        if (!error && m_refused) return drain();
        close();
    }

    // After refusing a request whose body is still arriving: read and drop it for a moment, so that closing
    // does not reset the connection before the client has read the answer.
    void drain() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
        lowest().expires_after(std::chrono::seconds{2});
        drain_more();
    }
    void drain_more() {
        lowest().async_read_some(asio::buffer(m_discard),
                                 [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                                     if (error) return self->close();
                                     self->drain_more();
                                 });
    }

    void close() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    HttpServer::Impl& m_impl;
    Stream m_stream;
    std::string m_remote;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    http::response<http::string_body> m_response;
    Response m_answered;  // what was written, without its body, for the log
    bool m_first = true;
    bool m_refused = false;
    bool m_keep_alive = false;
    bool m_head = false;
    unsigned m_version = 11;
    std::string m_method;
    std::string m_target;
    std::chrono::steady_clock::time_point m_started;
    std::array<char, 16 * 1024> m_discard{};
};

}  // namespace

void HttpServer::Impl::accept() {
    acceptor->async_accept(
        loops[next_loop++ % loops.size()]->get_executor(), [this](beast::error_code error, tcp::socket socket) {
            if (error) {
                if (!acceptor->is_open() || stopping) return;
                if (handlers.failed) {
                    handlers.failed(fmt::format("cannot accept a connection: {}", error.message()));
                }
            } else {
                beast::error_code ignored;
                socket.set_option(tcp::no_delay(true), ignored);
                std::string remote;
                auto peer = socket.remote_endpoint(ignored);
                if (!ignored) remote = peer.address().to_string();
                if (tls) {
                    std::make_shared<Session<TlsStream>>(*this, TlsStream(beast::tcp_stream(std::move(socket)), *tls),
                                                         std::move(remote))
                        ->start();
                } else {
                    std::make_shared<Session<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)),
                                                                 std::move(remote))
                        ->start();
                }
            }
            if (!stopping) accept();
        });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() {
    stop();
}

Result<std::unique_ptr<HttpServer>> HttpServer::create(HttpServerOptions options, HttpHandlers handlers) {
    if (!handlers.handle) return make_error("an HTTP server needs a handler");
    if (options.tls_certificate.has_value() != options.tls_key.has_value()) {
        return make_error("a TLS certificate and key go together: give both, or neither");
    }
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->handlers = std::move(handlers);
    if (impl->options.tls_certificate) {
        auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                             asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                             asio::ssl::context::no_tlsv1_1);
        beast::error_code certificate_error;
        beast::error_code key_error;
        context->use_certificate_chain_file(impl->options.tls_certificate->string(), certificate_error);
        context->use_private_key_file(impl->options.tls_key->string(), asio::ssl::context::pem, key_error);
        if (certificate_error || key_error || SSL_CTX_check_private_key(context->native_handle()) != 1) {
            return make_error(fmt::format(
                "cannot load the TLS certificate {} and key {}: expected PEM files, the key matching the certificate",
                impl->options.tls_certificate->string(), impl->options.tls_key->string()));
        }
        impl->tls = std::move(context);
    }
    impl->io = std::make_unique<asio::io_context>(1);
    for (std::size_t i = 0; i < std::max<std::size_t>(impl->options.io_threads, 1); ++i) {
        impl->loops.push_back(std::make_unique<asio::io_context>(1));
    }
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

Status HttpServer::start() {
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.stop_mutex);
    if (impl.started) return make_error("the server was started already");
    const std::string where =
        impl.options.port == 0 ? impl.options.host : fmt::format("{}:{}", impl.options.host, impl.options.port);
    beast::error_code error;
    tcp::resolver resolver(*impl.io);
    auto endpoints = resolver.resolve(impl.options.host, std::to_string(impl.options.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, error);
    if (error || endpoints.empty()) {
        return make_error(fmt::format("cannot listen on {}: the address is not this host's", where));
    }
    // Only SO_REUSEADDR (no SO_REUSEPORT): a second server on the same port fails instead of sharing it.
    auto acceptor = std::make_unique<tcp::acceptor>(impl.io->get_executor());
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        return make_error(
            impl.options.port == 0
                ? fmt::format("cannot listen on {}: no free port, or the address is not this host's", where)
                : fmt::format("cannot listen on {}: the port is in use, or the address is not this host's", where));
    }
    impl.port = acceptor->local_endpoint().port();
    impl.acceptor = std::move(acceptor);
    impl.blocking = std::make_unique<asio::thread_pool>(std::max<std::size_t>(impl.options.worker_threads, 1));
    impl.accept();
    impl.threads.emplace_back([&impl] { impl.io->run(); });
    for (auto& loop : impl.loops) {
        impl.threads.emplace_back([&loop] {
            auto guard = asio::make_work_guard(*loop);
            loop->run();
        });
    }
    impl.started = true;
    return {};
}

int HttpServer::port() const {
    return m_impl->port;
}

bool HttpServer::tls() const {
    return m_impl->tls != nullptr;
}

void HttpServer::stop() {
    if (!m_impl) return;
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.stop_mutex);
    if (impl.stopped || !impl.started) return;
    impl.stopped = true;
    impl.stopping = true;
    {
        std::mutex closed_mutex;
        std::condition_variable closed_signal;
        bool closed = false;
        asio::post(impl.acceptor->get_executor(), [&] {
            beast::error_code ignored;
            impl.acceptor->close(ignored);
            std::lock_guard closed_lock(closed_mutex);
            closed = true;
            closed_signal.notify_all();
        });
        std::unique_lock closed_lock(closed_mutex);
        closed_signal.wait_for(closed_lock, std::chrono::seconds{5}, [&] { return closed; });
    }
    const auto deadline = std::chrono::steady_clock::now() + impl.options.stop_wait;
    while (impl.in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    impl.blocking->join();
    impl.io->stop();
    for (auto& loop : impl.loops) loop->stop();
    for (std::thread& thread : impl.threads) thread.join();
    impl.threads.clear();
}

}  // namespace greenlight::web
