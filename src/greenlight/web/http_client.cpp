#include "greenlight/web/http_client.hpp"

#include <dirent.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <vector>

namespace greenlight::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using ResponseParser = http::response_parser<http::buffer_body>;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// Bounds on what an answer's header may hold (GitHub's run to a few KiB); the body has none.
constexpr std::uint32_t k_header_limit = 256 * 1024;
// How much of a body one read hands over.
constexpr std::size_t k_piece_bytes = std::size_t{64} * 1024;

// Where distributions keep their CA bundle, for a binary whose OpenSSL was built with another distribution's
// paths (a static build): Debian and Ubuntu, Fedora and RHEL, openSUSE, Alpine and others.
constexpr std::array k_bundle_files = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/cacert.pem",
};
// Hashed certificate folders (c_rehash), when no bundle file is there.
constexpr std::array k_bundle_folders = {"/etc/ssl/certs", "/etc/pki/tls/certs"};

struct Url {
    bool tls = false;
    std::string host;       // without the brackets of an IPv6 address
    std::string port;       // as written, else 80 or 443
    std::string authority;  // host[:port] as written, for the Host header
    std::string target;     // path and query, at least "/"; the fragment is dropped

    std::string scheme() const { return tls ? "https" : "http"; }
    std::string origin() const { return scheme() + "://" + authority; }
    // What a kept connection is for: the same scheme, host and port.
    std::string connection_key() const { return scheme() + "://" + host + ":" + port; }
};

// A request target with the bytes it cannot hold (controls, space, non-ASCII, and "<>\^`{|}) percent-encoded;
// everything else, escapes included, stays as written.
std::string encode_unsafe_bytes(std::string_view target) {
    static constexpr std::string_view k_unsafe = "\"<>\\^`{|}";
    std::string out;
    out.reserve(target.size());
    for (const char c : target) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f || k_unsafe.find(c) != std::string_view::npos) {
            out += fmt::format("%{:02X}", byte);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

// Whether a header field can go out as it is: a name, and no line break or NUL that would end it early.
bool is_sendable_header(const Header& header) {
    const auto breaks = [](const std::string& text) {
        return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
    };
    return !header.first.empty() && header.first.find_first_of(" :") == std::string::npos && !breaks(header.first) &&
           !breaks(header.second);
}

bool starts_with_no_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && same_header_name(text.substr(0, prefix.size()), prefix);
}

std::optional<Url> parse_url(std::string_view text) {
    Url url;
    if (starts_with_no_case(text, "https://")) {
        url.tls = true;
        text.remove_prefix(8);
    } else if (starts_with_no_case(text, "http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    const std::size_t authority_end = std::min(text.find_first_of("/?#"), text.size());
    const std::string_view authority = text.substr(0, authority_end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty() || authority.back() == ':') return std::nullopt;
    if (!port.empty()) {
        const bool digits =
            port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) return std::nullopt;
    }
    url.host = std::string(host);
    url.port = port.empty() ? (url.tls ? "443" : "80") : std::string(port);
    url.authority = std::string(authority);
    std::string_view target = text.substr(authority_end);
    target = target.substr(0, target.find('#'));
    url.target = encode_unsafe_bytes(target);
    if (url.target.empty() || url.target.front() != '/') url.target.insert(0, "/");
    return url;
}

// A Location header taken relative to the URL that answered with it.
std::string resolve_location(const Url& base, std::string_view location) {
    if (starts_with_no_case(location, "http://") || starts_with_no_case(location, "https://")) {
        return std::string(location);
    }
    if (location.starts_with("//")) return base.scheme() + ":" + std::string(location);
    if (location.starts_with("/")) return base.origin() + std::string(location);
    const std::string path = base.target.substr(0, base.target.find('?'));
    if (location.starts_with("?")) return base.origin() + path + std::string(location);
    return base.origin() + path.substr(0, path.rfind('/') + 1) + std::string(location);
}

bool is_ip_address(const std::string& host) {
    beast::error_code error;
    asio::ip::make_address(host, error);
    return !error;
}

http::verb verb_of(HttpMethod method) {
    switch (method) {
        case HttpMethod::get:
            return http::verb::get;
        case HttpMethod::head:
            return http::verb::head;
        case HttpMethod::post:
            return http::verb::post;
        case HttpMethod::put:
            return http::verb::put;
        case HttpMethod::delete_:
            return http::verb::delete_;
    }
    return http::verb::get;
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// OpenSSL's reason for the last error it queued, and an empty queue afterwards.
std::string openssl_reason() {
    const unsigned long code = ERR_peek_last_error();
    std::string reason;
    if (code != 0) {
        const char* text = ERR_reason_error_string(code);
        reason = text ? text : fmt::format("OpenSSL error {:x}", code);
    }
    ERR_clear_error();
    return reason;
}

bool store_has_certificates(SSL_CTX* context) {
    return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(context))) > 0;
}

// Whether a folder holds certificates under their hashed names (e.g. 9d66eef0.0), as OpenSSL looks them up.
bool folder_has_hashed_certificates(const char* folder) {
    DIR* directory = ::opendir(folder);
    if (!directory) return false;
    bool found = false;
    while (const dirent* entry = ::readdir(directory)) {
        std::string_view name = entry->d_name;
        if (name.size() >= 10 && name[8] == '.' && std::all_of(name.begin(), name.begin() + 8, [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c));
            })) {
            found = true;
            break;
        }
    }
    ::closedir(directory);
    return found;
}

// The system's trust store: OpenSSL's default paths (SSL_CERT_FILE and SSL_CERT_DIR when set), else the first
// distribution bundle that is there. A static binary's default paths are those of the system it was built on.
std::optional<HttpFailure> load_system_trust(SSL_CTX* context) {
    const char* file_variable = X509_get_default_cert_file_env();
    const char* chosen_file = std::getenv(file_variable);
    const char* chosen_folder = std::getenv(X509_get_default_cert_dir_env());
    SSL_CTX_set_default_verify_paths(context);
    ERR_clear_error();  // a default path that is not there is no error yet
    if (store_has_certificates(context)) return std::nullopt;
    // A folder (SSL_CERT_DIR may list several) is only looked into during a handshake: trust it as given.
    if (chosen_folder || folder_has_hashed_certificates(X509_get_default_cert_dir())) return std::nullopt;
    if (chosen_file) {
        return HttpFailure{HttpError::loading_certificates,
                           fmt::format("no PEM certificates in {}={}", file_variable, chosen_file)};
    }
    for (const char* file : k_bundle_files) {
        if (::access(file, R_OK) == 0 && SSL_CTX_load_verify_locations(context, file, nullptr) == 1 &&
            store_has_certificates(context)) {
            return std::nullopt;
        }
        ERR_clear_error();
    }
    for (const char* hashed : k_bundle_folders) {
        if (folder_has_hashed_certificates(hashed) && SSL_CTX_load_verify_locations(context, nullptr, hashed) == 1) {
            return std::nullopt;
        }
        ERR_clear_error();
    }
    return HttpFailure{HttpError::loading_certificates,
                       fmt::format("none in OpenSSL's default {} or {}, nor in {}; set {} to a PEM bundle",
                                   X509_get_default_cert_file(), X509_get_default_cert_dir(),
                                   fmt::join(k_bundle_files, ", "), file_variable)};
}

struct TlsContext {
    std::shared_ptr<ssl::context> context;
    std::optional<HttpFailure> failure;
};

TlsContext make_tls_context(const HttpClientOptions& options) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = context->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    if (options.tls == TlsVerification::skip) {
        context->set_verify_mode(ssl::verify_none);
        return {std::move(context), std::nullopt};
    }
    context->set_verify_mode(ssl::verify_peer);
    if (options.ca_file) {
        if (SSL_CTX_load_verify_locations(native, options.ca_file->c_str(), nullptr) != 1 ||
            !store_has_certificates(native)) {
            const std::string reason = openssl_reason();
            return {nullptr, HttpFailure{HttpError::loading_certificates,
                                         fmt::format("{}: {}", options.ca_file->string(),
                                                     reason.empty() ? "no PEM certificates in it" : reason)}};
        }
        return {std::move(context), std::nullopt};
    }
    if (auto failure = load_system_trust(native)) return {nullptr, std::move(failure)};
    return {std::move(context), std::nullopt};
}

// Whether the peer has closed (or written to) an idle connection: then it cannot carry another request.
bool idle_connection_is_usable(int socket) {
    char byte = 0;
    const ssize_t got = ::recv(socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// The bounds of one request: each step's own timeout, cut short by what is left of the total.
class Bounds {
public:
    explicit Bounds(const HttpClientOptions& options)
        : m_options(options),
          m_end(options.total_timeout ? std::optional(SteadyClock::now() + *options.total_timeout) : std::nullopt) {}

    SteadyClock::duration step(milliseconds timeout) const {
        if (!m_end) return timeout;
        return std::max(SteadyClock::duration::zero(),
                        std::min<SteadyClock::duration>(timeout, *m_end - SteadyClock::now()));
    }
    bool total_passed() const { return m_end && SteadyClock::now() >= *m_end; }

    // Which bound ran out, for a timeout's detail.
    std::string which(std::string_view step_name, milliseconds timeout) const {
        if (total_passed()) return fmt::format("the total timeout of {} ms passed", m_options.total_timeout->count());
        return fmt::format("the {} timeout of {} ms passed", step_name, timeout.count());
    }

private:
    const HttpClientOptions& m_options;
    std::optional<SteadyClock::time_point> m_end;
};

}  // namespace

std::string_view to_string(HttpMethod method) {
    switch (method) {
        case HttpMethod::get:
            return "GET";
        case HttpMethod::head:
            return "HEAD";
        case HttpMethod::post:
            return "POST";
        case HttpMethod::put:
            return "PUT";
        case HttpMethod::delete_:
            return "DELETE";
    }
    return "GET";
}

std::string HttpResponse::get_header_value(std::string_view name) const {
    const std::string* value = find_header(headers, name);
    return value ? *value : std::string();
}

bool HttpResponse::has_header(std::string_view name) const {
    return find_header(headers, name) != nullptr;
}

std::string_view describe(HttpError error) {
    switch (error) {
        case HttpError::invalid_url:
            return "not an http(s)://host[:port]/path URL without user info";
        case HttpError::invalid_header:
            return "a header field has no name, or a line break in its name or value";
        case HttpError::connection_refused:
            return "connection refused";
        case HttpError::connection_failed:
            return "could not connect";
        case HttpError::connection_timeout:
            return "no connection within the connect timeout";
        case HttpError::tls_handshake:
            return "the TLS handshake failed";
        case HttpError::loading_certificates:
            return "could not load the CA certificates";
        case HttpError::server_verification:
            return "the server's TLS certificate could not be verified";
        case HttpError::write:
            return "could not send the request";
        case HttpError::read:
            return "the connection closed before a complete answer came";
        case HttpError::timeout:
            return "no complete answer in time";
        case HttpError::malformed_answer:
            return "the answer is not HTTP";
        case HttpError::too_many_redirects:
            return "too many redirects";
        case HttpError::cancelled:
            return "the transfer was stopped";
    }
    return "the request failed";
}

std::string describe(const HttpFailure& failure) {
    std::string text(describe(failure.error));
    if (!failure.detail.empty()) text += fmt::format(" ({})", failure.detail);
    return text;
}

std::string basic_authorization(std::string_view user, std::string_view password) {
    const std::string credentials = std::string(user) + ":" + std::string(password);
    std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                       reinterpret_cast<const unsigned char*>(credentials.data()),
                                       static_cast<int>(credentials.size()));
    encoded.resize(static_cast<std::size_t>(std::max(length, 0)));
    return "Basic " + encoded;
}

namespace {

// One open connection, plain or TLS, with what was read past the last answer.
struct Connection {
    std::string key;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<TlsStream> secure;
    beast::flat_buffer buffer;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    template <typename Operation>
    auto with_stream(Operation&& operation) {
        return secure ? operation(*secure) : operation(*plain);
    }
    void close() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }
};

using Connected = std::variant<std::unique_ptr<Connection>, HttpFailure>;

}  // namespace

struct HttpClient::Impl {
    HttpClientOptions options;
    asio::io_context io{1};
    TlsContext tls;  // made at the first https request
    std::unique_ptr<Connection> kept;
    std::vector<char> piece = std::vector<char>(k_piece_bytes);

    // Runs one asynchronous operation to its end; the stream's expiry bounds it.
    template <typename Start>
    beast::error_code run(Start&& start) {
        beast::error_code outcome;
        start([&outcome](beast::error_code error, auto&&...) { outcome = error; });
        io.restart();
        io.run();
        return outcome;
    }

    std::optional<HttpFailure> handshake(Connection& connection, const Url& url, const Bounds& bounds) {
        if (!tls.context && !tls.failure) tls = make_tls_context(options);
        if (tls.failure) return tls.failure;
        connection.secure = std::make_unique<TlsStream>(std::move(*connection.plain), *tls.context);
        connection.plain.reset();
        SSL* native = connection.secure->native_handle();
        if (!is_ip_address(url.host)) SSL_set_tlsext_host_name(native, url.host.c_str());
        if (options.tls == TlsVerification::verify) {
            X509_VERIFY_PARAM* parameters = SSL_get0_param(native);
            X509_VERIFY_PARAM_set_hostflags(parameters, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            if (is_ip_address(url.host)) {
                X509_VERIFY_PARAM_set1_ip_asc(parameters, url.host.c_str());
            } else {
                X509_VERIFY_PARAM_set1_host(parameters, url.host.c_str(), url.host.size());
            }
        }
        connection.lowest().expires_after(bounds.step(options.connect_timeout));
        const beast::error_code error = run(
            [&](auto handler) { connection.secure->async_handshake(ssl::stream_base::client, std::move(handler)); });
        if (!error) return std::nullopt;
        const long verified = SSL_get_verify_result(native);
        ERR_clear_error();
        if (options.tls == TlsVerification::verify && verified != X509_V_OK) {
            return HttpFailure{HttpError::server_verification, X509_verify_cert_error_string(verified)};
        }
        if (error == beast::error::timeout) {
            return HttpFailure{HttpError::connection_timeout, bounds.which("connect", options.connect_timeout)};
        }
        return HttpFailure{HttpError::tls_handshake, error.message()};
    }

    Connected connect(const Url& url, const Bounds& bounds) {
        tcp::resolver resolver(io);
        beast::error_code error;
        const auto endpoints = resolver.resolve(url.host, url.port, tcp::resolver::numeric_service, error);
        if (error) {
            return HttpFailure{HttpError::connection_failed,
                               fmt::format("cannot resolve {}: {}", url.host, error.message())};
        }
        auto connection = std::make_unique<Connection>();
        connection->key = url.connection_key();
        connection->plain = std::make_unique<beast::tcp_stream>(io);
        connection->plain->expires_after(bounds.step(options.connect_timeout));
        error = run([&](auto handler) { connection->plain->async_connect(endpoints, std::move(handler)); });
        if (error == beast::error::timeout) {
            return HttpFailure{HttpError::connection_timeout, bounds.which("connect", options.connect_timeout)};
        }
        if (error == asio::error::connection_refused) return HttpFailure{HttpError::connection_refused, ""};
        if (error) return HttpFailure{HttpError::connection_failed, error.message()};
        beast::error_code ignored;
        connection->plain->socket().set_option(tcp::no_delay(true), ignored);
        if (url.tls) {
            if (auto failure = handshake(*connection, url, bounds)) return std::move(*failure);
        }
        return Connected(std::move(connection));
    }

    // The kept connection when it is to the same place and still open.
    std::unique_ptr<Connection> take_kept(const Url& url) {
        std::unique_ptr<Connection> connection = std::move(kept);
        if (!connection) return nullptr;
        if (connection->key != url.connection_key() || connection->buffer.size() != 0 ||
            !idle_connection_is_usable(connection->lowest().socket().native_handle())) {
            connection->close();
            return nullptr;
        }
        return connection;
    }

    HttpFailure read_failure(const beast::error_code& error, const Bounds& bounds) const {
        if (error == beast::error::timeout) return {HttpError::timeout, bounds.which("read", options.read_timeout)};
        if (error == http::error::end_of_stream || error == http::error::partial_message || error == asio::error::eof ||
            error == asio::ssl::error::stream_truncated) {
            return {HttpError::read, "the server closed the connection"};
        }
        if (error.category() == http::make_error_code(http::error::bad_version).category()) {
            return {HttpError::malformed_answer, error.message()};
        }
        return {HttpError::read, error.message()};
    }

    std::optional<HttpFailure> write_request(Connection& connection, const Url& url, const HttpRequest& request,
                                             const Bounds& bounds) {
        http::request<http::span_body<const char>> message{verb_of(request.method), url.target, 11};
        if (!find_header(request.headers, "Host")) message.set(http::field::host, url.authority);
        if (!find_header(request.headers, "Accept")) message.set(http::field::accept, "*/*");
        if (!find_header(request.headers, "User-Agent")) message.set(http::field::user_agent, "greenlight");
        for (const auto& [name, value] : request.headers) message.insert(name, value);
        if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
        message.body() = {request.body.data(), request.body.size()};
        if (request.method == HttpMethod::post || request.method == HttpMethod::put || !request.body.empty()) {
            message.content_length(request.body.size());
        }
        message.keep_alive(options.keep_alive == KeepAlive::yes);
        connection.lowest().expires_after(bounds.step(options.write_timeout));
        const beast::error_code error = run([&](auto handler) {
            connection.with_stream([&](auto& stream) { http::async_write(stream, message, std::move(handler)); });
        });
        if (!error) return std::nullopt;
        if (error == beast::error::timeout)
            return HttpFailure{HttpError::timeout, bounds.which("write", options.write_timeout)};
        return HttpFailure{HttpError::write, error.message()};
    }

    // Reads the answer's header, past interim answers (100 Continue, 103 Early Hints).
    beast::error_code read_header(Connection& connection, std::optional<ResponseParser>& parser, HttpMethod method,
                                  const Bounds& bounds) {
        for (;;) {
            parser.emplace();
            parser->header_limit(k_header_limit);
            // No limit (boost::none would be one of zero in Boost 1.74, which compares none below any length).
            parser->body_limit(std::numeric_limits<std::uint64_t>::max());
            if (method == HttpMethod::head) parser->skip(true);
            connection.lowest().expires_after(bounds.step(options.read_timeout));
            const beast::error_code error = run([&](auto handler) {
                connection.with_stream([&](auto& stream) {
                    http::async_read_header(stream, connection.buffer, *parser, std::move(handler));
                });
            });
            const unsigned status = error ? 0 : parser->get().result_int();
            if (error || status < 100 || status >= 200 || status == 101) return error;
        }
    }

    // Reads the body piece by piece into the response or the request's receiver; `discard` drops it. Each read
    // from the socket has the read timeout, so a body that keeps coming is not cut off.
    std::optional<HttpFailure> read_body(Connection& connection, ResponseParser& parser, const HttpRequest& request,
                                         HttpResponse& response, bool discard, const Bounds& bounds) {
        while (!parser.is_done()) {
            auto& body = parser.get().body();
            body.data = piece.data();
            body.size = piece.size();
            connection.lowest().expires_after(bounds.step(options.read_timeout));
            beast::error_code error = run([&](auto handler) {
                connection.with_stream([&](auto& stream) {
                    http::async_read_some(stream, connection.buffer, parser, std::move(handler));
                });
            });
            if (error == http::error::need_buffer) error = {};
            if (error) return read_failure(error, bounds);
            const std::size_t got = piece.size() - parser.get().body().size;
            if (got == 0 || discard) continue;
            if (!request.receive_body) {
                response.body.append(piece.data(), got);
            } else if (!request.receive_body(std::string_view(piece.data(), got))) {
                return HttpFailure{HttpError::cancelled, ""};
            }
        }
        return std::nullopt;
    }

    // What one exchange on one connection came to; `nothing_back` when the server sent not a byte.
    struct Exchange {
        std::optional<HttpResult> result;
        bool nothing_back = false;
        bool reusable = false;
    };

    Exchange exchange(Connection& connection, const Url& url, const HttpRequest& request, bool discard_redirect_body,
                      const Bounds& bounds) {
        Exchange outcome;
        if (auto failure = write_request(connection, url, request, bounds)) {
            outcome.nothing_back = true;
            outcome.result = std::move(*failure);
            return outcome;
        }
        std::optional<ResponseParser> parser;
        if (const beast::error_code error = read_header(connection, parser, request.method, bounds)) {
            outcome.nothing_back = !parser->got_some() && error != beast::error::timeout;
            outcome.result = read_failure(error, bounds);
            return outcome;
        }
        HttpResponse response;
        response.status = static_cast<int>(parser->get().result_int());
        for (const auto& field : parser->get()) {
            response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
        }
        const bool discard = discard_redirect_body && is_redirect(response.status) && response.has_header("Location");
        if (auto failure = read_body(connection, *parser, request, response, discard, bounds)) {
            outcome.result = std::move(*failure);
            return outcome;
        }
        outcome.reusable =
            options.keep_alive == KeepAlive::yes && parser->keep_alive() && connection.buffer.size() == 0;
        outcome.result = std::move(response);
        return outcome;
    }

    // One request to one URL: on the kept connection when there is one, else on a new one. A kept connection
    // the server closed while the request went out is replaced once, for requests that are safe to repeat.
    HttpResult send_once(const Url& url, const HttpRequest& request, bool discard_redirect_body, const Bounds& bounds) {
        for (int attempt = 1;; ++attempt) {
            std::unique_ptr<Connection> connection = take_kept(url);
            const bool reused = connection != nullptr;
            if (!connection) {
                auto connected = connect(url, bounds);
                if (auto* failure = std::get_if<HttpFailure>(&connected)) return std::move(*failure);
                connection = std::move(std::get<std::unique_ptr<Connection>>(connected));
            }
            Exchange outcome = exchange(*connection, url, request, discard_redirect_body, bounds);
            if (outcome.reusable) {
                kept = std::move(connection);
            } else {
                connection->close();
            }
            const bool repeatable = request.method == HttpMethod::get || request.method == HttpMethod::head;
            if (!*outcome.result && reused && outcome.nothing_back && repeatable && attempt == 1) continue;
            return std::move(*outcome.result);
        }
    }
};

HttpClient::HttpClient(HttpClientOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
}

HttpClient::~HttpClient() {
    if (m_impl && m_impl->kept) m_impl->kept->close();
}

HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

const HttpClientOptions& HttpClient::options() const {
    return m_impl->options;
}

HttpResult HttpClient::send(const HttpRequest& request) {
    Impl& impl = *m_impl;
    for (const Header& header : request.headers) {
        if (!is_sendable_header(header)) return HttpFailure{HttpError::invalid_header, header.first};
    }
    if (!is_sendable_header({"Content-Type", request.content_type})) {
        return HttpFailure{HttpError::invalid_header, "Content-Type"};
    }
    const Bounds bounds(impl.options);
    const bool follow = impl.options.redirects == FollowRedirects::yes &&
                        (request.method == HttpMethod::get || request.method == HttpMethod::head);
    std::string location = request.url;
    for (int redirects = 0;; ++redirects) {
        const std::optional<Url> url = parse_url(location);
        if (!url) return HttpFailure{HttpError::invalid_url, ""};
        HttpResult result = impl.send_once(*url, request, follow, bounds);
        if (!follow || !result || !is_redirect(result->status) || !result->has_header("Location")) return result;
        if (redirects == k_max_redirects) {
            return HttpFailure{HttpError::too_many_redirects, fmt::format("more than {}", k_max_redirects)};
        }
        location = resolve_location(*url, result->get_header_value("Location"));
    }
}

HttpResult HttpClient::get(std::string url, Headers headers) {
    return send({HttpMethod::get, std::move(url), std::move(headers), {}, {}, {}});
}

HttpResult HttpClient::head(std::string url, Headers headers) {
    return send({HttpMethod::head, std::move(url), std::move(headers), {}, {}, {}});
}

HttpResult HttpClient::post(std::string url, Headers headers, std::string body, std::string content_type) {
    return send({HttpMethod::post, std::move(url), std::move(headers), std::move(body), std::move(content_type), {}});
}

HttpResult HttpClient::put(std::string url, Headers headers, std::string body, std::string content_type) {
    return send({HttpMethod::put, std::move(url), std::move(headers), std::move(body), std::move(content_type), {}});
}

HttpResult HttpClient::remove(std::string url, Headers headers) {
    return send({HttpMethod::delete_, std::move(url), std::move(headers), {}, {}, {}});
}

}  // namespace greenlight::web
