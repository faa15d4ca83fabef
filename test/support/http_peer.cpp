#include "support/http_peer.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

namespace greenlight::test_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else if (text[i] == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

web::Headers query_params(std::string_view query) {
    web::Headers params;
    while (!query.empty()) {
        const std::size_t end = std::min(query.find('&'), query.size());
        const std::string_view pair = query.substr(0, end);
        const std::size_t equals = pair.find('=');
        if (!pair.empty()) {
            params.emplace_back(percent_decode(pair.substr(0, equals), true),
                                equals == std::string_view::npos ? "" : percent_decode(pair.substr(equals + 1), true));
        }
        query.remove_prefix(std::min(end + 1, query.size()));
    }
    return params;
}

struct Route {
    std::string method;
    std::regex pattern;
    PeerHandler handler;
};

}  // namespace

std::string PeerRequest::get_header_value(std::string_view name) const {
    const std::string* value = web::find_header(headers, name);
    return value ? *value : std::string();
}

bool PeerRequest::has_header(std::string_view name) const {
    return web::find_header(headers, name) != nullptr;
}

std::string PeerRequest::get_param_value(std::string_view name) const {
    for (const auto& [key, value] : params) {
        if (key == name) return value;
    }
    return {};
}

bool PeerRequest::has_param(std::string_view name) const {
    for (const auto& param : params) {
        if (param.first == name) return true;
    }
    return false;
}

void PeerResponse::set_header(std::string name, std::string value) {
    for (auto& header : headers) {
        if (web::same_header_name(header.first, name)) {
            header.second = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

void PeerResponse::set_content(std::string content, std::string_view type) {
    body = std::move(content);
    set_header("Content-Type", std::string(type));
}

struct HttpPeer::Impl {
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    std::unique_ptr<ssl::context> tls;
    int port = 0;
    std::atomic<bool> stopping{false};
    std::atomic<int> accepted{0};
    std::thread accepting;
    std::mutex mutex;  // guards what follows
    std::vector<Route> routes;
    std::vector<std::thread> serving;
    std::set<int> open_sockets;

    void start() {
        const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
        acceptor.open(endpoint.protocol());
        acceptor.bind(endpoint);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
        accepting = std::thread([this] { accept_loop(); });
    }

    void accept_loop() {
        for (;;) {
            tcp::socket socket(io);
            beast::error_code error;
            acceptor.accept(socket, error);
            if (stopping) return;
            if (error) continue;
            ++accepted;
            std::lock_guard lock(mutex);
            open_sockets.insert(socket.native_handle());
            serving.emplace_back([this, socket = std::move(socket)]() mutable { serve(std::move(socket)); });
        }
    }

    void serve(tcp::socket socket) {
        const int descriptor = socket.native_handle();
        if (tls) {
            ssl::stream<tcp::socket> stream(std::move(socket), *tls);
            beast::error_code error;
            stream.handshake(ssl::stream_base::server, error);
            if (!error) exchange_all(stream);
            forget(descriptor, stream.next_layer());
        } else {
            exchange_all(socket);
            forget(descriptor, socket);
        }
    }

    void forget(int descriptor, tcp::socket& socket) {
        std::lock_guard lock(mutex);
        open_sockets.erase(descriptor);
        beast::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
    }

    PeerHandler route(PeerRequest& request) {
        std::lock_guard lock(mutex);
        for (const Route& candidate : routes) {
            const bool method =
                candidate.method == request.method || (candidate.method == "GET" && request.method == "HEAD");
            std::smatch match;
            if (method && std::regex_match(request.path, match, candidate.pattern)) {
                for (const auto& group : match) request.matches.push_back(group.str());
                return candidate.handler;
            }
        }
        return nullptr;
    }

    template <typename Stream>
    void exchange_all(Stream& stream) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(256 * 1024 * 1024);
            beast::error_code error;
            http::read(stream, buffer, parser, error);
            if (error || stopping) return;
            auto& message = parser.get();
            PeerRequest request;
            request.method = std::string(message.method_string());
            request.target = std::string(message.target());
            const std::size_t question = request.target.find('?');
            request.path = percent_decode(std::string_view(request.target).substr(0, question), false);
            if (question != std::string::npos) request.params = query_params(request.target.substr(question + 1));
            for (const auto& field : message) {
                request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
            }
            request.body = std::move(message.body());
            PeerResponse response;
            if (PeerHandler handler = route(request)) {
                handler(request, response);
            } else {
                response.status = 404;
            }
            const bool keep_alive = message.keep_alive() && !stopping;
            if (!answer(stream, request, response, message.version(), keep_alive) || !keep_alive) return;
        }
    }

    template <typename Stream>
    static bool answer(Stream& stream, const PeerRequest& request, const PeerResponse& response, unsigned version,
                       bool keep_alive) {
        beast::error_code error;
        if (!response.chunks.empty()) {
            http::response<http::empty_body> header{static_cast<http::status>(response.status), version};
            for (const auto& [name, value] : response.headers) header.insert(name, value);
            header.chunked(true);
            header.keep_alive(keep_alive);
            http::response_serializer<http::empty_body> serializer{header};
            http::write_header(stream, serializer, error);
            for (const std::string& chunk : response.chunks) {
                if (error) return false;
                std::this_thread::sleep_for(response.chunk_delay);
                asio::write(stream, http::make_chunk(asio::buffer(chunk)), error);
            }
            if (!error) asio::write(stream, http::make_chunk_last(), error);
            return !error;
        }
        http::response<http::string_body> message{static_cast<http::status>(response.status), version};
        for (const auto& [name, value] : response.headers) message.insert(name, value);
        message.keep_alive(keep_alive);
        message.body() = response.body;
        message.prepare_payload();
        if (request.method == "HEAD") {
            message.body().clear();
            message.content_length(response.body.size());
        }
        http::write(stream, message, error);
        return !error;
    }
};

HttpPeer::HttpPeer() : m_impl(std::make_unique<Impl>()) {
    m_impl->start();
}

HttpPeer::HttpPeer(const std::string& certificate_file, const std::string& key_file)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    m_impl->tls->use_certificate_chain_file(certificate_file);
    m_impl->tls->use_private_key_file(key_file, ssl::context::pem);
    m_impl->start();
}

HttpPeer::~HttpPeer() {
    stop();
}

void HttpPeer::on(std::string method, std::string pattern, PeerHandler handler) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->routes.push_back({std::move(method), std::regex(pattern), std::move(handler)});
}

int HttpPeer::port() const {
    return m_impl->port;
}

std::string HttpPeer::url(const std::string& scheme) const {
    return scheme + "://127.0.0.1:" + std::to_string(m_impl->port);
}

int HttpPeer::connections() const {
    return m_impl->accepted;
}

void HttpPeer::stop() {
    Impl& impl = *m_impl;
    if (impl.stopping.exchange(true)) return;
    // Shutting a listening socket down wakes the accept that waits on it (Linux).
    ::shutdown(impl.acceptor.native_handle(), SHUT_RDWR);
    impl.accepting.join();
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    std::vector<std::thread> serving;
    {
        std::lock_guard lock(impl.mutex);
        for (int descriptor : impl.open_sockets) ::shutdown(descriptor, SHUT_RDWR);
        serving = std::move(impl.serving);
    }
    for (std::thread& thread : serving) thread.join();
}

int unused_port() {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(sock);
        throw std::runtime_error("cannot find a free port on 127.0.0.1");
    }
    ::close(sock);
    return ntohs(address.sin_port);
}

OriginClient::OriginClient(std::string origin, web::HttpClientOptions options)
    : m_origin(std::move(origin)), m_client(std::move(options)) {}

OriginClient::OriginClient(const std::string& host, int port, web::HttpClientOptions options)
    : OriginClient("http://" + host + ":" + std::to_string(port), std::move(options)) {}

void OriginClient::set_basic_auth(std::string_view user, std::string_view password) {
    m_authorization = web::basic_authorization(user, password);
}

web::Headers OriginClient::with_authorization(web::Headers headers) const {
    if (!m_authorization.empty() && !web::find_header(headers, "Authorization")) {
        headers.emplace_back("Authorization", m_authorization);
    }
    return headers;
}

web::HttpResult OriginClient::get(const std::string& path, web::Headers headers) {
    return m_client.get(m_origin + path, with_authorization(std::move(headers)));
}

web::HttpResult OriginClient::head(const std::string& path, web::Headers headers) {
    return m_client.head(m_origin + path, with_authorization(std::move(headers)));
}

web::HttpResult OriginClient::post(const std::string& path, std::string body, std::string content_type) {
    return post(path, {}, std::move(body), std::move(content_type));
}

web::HttpResult OriginClient::post(const std::string& path, web::Headers headers, std::string body,
                                   std::string content_type) {
    return m_client.post(m_origin + path, with_authorization(std::move(headers)), std::move(body),
                         std::move(content_type));
}

web::HttpResult OriginClient::put(const std::string& path, web::Headers headers, std::string body,
                                  std::string content_type) {
    return m_client.put(m_origin + path, with_authorization(std::move(headers)), std::move(body),
                        std::move(content_type));
}

web::HttpResult OriginClient::remove(const std::string& path, web::Headers headers) {
    return m_client.remove(m_origin + path, with_authorization(std::move(headers)));
}

}  // namespace greenlight::test_support
