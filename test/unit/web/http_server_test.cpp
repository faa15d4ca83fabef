// The server transport (web::HttpServer) on 127.0.0.1, driven by a raw socket where a client must misbehave (a
// request past a bound, half a request, a plain client at a TLS port) and by the HTTP client otherwise: what each
// bound answers, that the connection then ends cleanly, keep-alive and Connection: close, the read and keep-alive
// timeouts, the worker pool, stop(), and TLS.
#include "greenlight/web/http_server.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "greenlight/web/http_client.hpp"
#include "web_test_support.hpp"

namespace greenlight::web {
namespace {

using test_support::OwnServer;
using test_support::ThrowawayCertificates;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// One answer as read off the wire.
struct RawAnswer {
    int status = 0;
    std::string head;  // status line and fields, up to the blank line
    std::string body;

    // The value of the first field of that name (without case), or empty.
    std::string field(std::string_view name) const {
        std::size_t at = head.find("\r\n");
        while (at != std::string::npos && at + 2 < head.size()) {
            const std::size_t end = head.find("\r\n", at + 2);
            const std::string line = head.substr(at + 2, end == std::string::npos ? std::string::npos : end - at - 2);
            const std::size_t colon = line.find(':');
            if (colon == name.size() && ::strncasecmp(line.data(), name.data(), name.size()) == 0) {
                const std::size_t value = line.find_first_not_of(' ', colon + 1);
                return value == std::string::npos ? std::string() : line.substr(value);
            }
            at = end;
        }
        return {};
    }
};

// A client socket that sends bytes as given (whatever an HTTP client would refuse to send) and reads with a
// deadline, so no case can hang.
class RawConnection {
public:
    explicit RawConnection(int port) {
        m_socket = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (m_socket < 0 || ::connect(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
        }
    }
    ~RawConnection() { ::close(m_socket); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    // Whether every byte went out (false once the server has reset the connection).
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(m_socket, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    // The next answer (head and Content-Length body); nullopt when the connection ended or `within` passed first.
    std::optional<RawAnswer> read_answer(std::chrono::milliseconds within = 5s) {
        const auto deadline = SteadyClock::now() + within;
        std::size_t head_end = std::string::npos;
        while ((head_end = m_received.find("\r\n\r\n")) == std::string::npos) {
            if (!receive_more(deadline)) return std::nullopt;
        }
        RawAnswer answer;
        answer.head = m_received.substr(0, head_end);
        if (answer.head.rfind("HTTP/1.", 0) != 0 || answer.head.size() < 12) return std::nullopt;
        answer.status = std::stoi(answer.head.substr(9, 3));
        const std::string length_text = answer.field("Content-Length");
        const std::size_t length = length_text.empty() ? 0 : std::stoul(length_text);
        while (m_received.size() < head_end + 4 + length) {
            if (!receive_more(deadline)) return std::nullopt;
        }
        answer.body = m_received.substr(head_end + 4, length);
        m_received.erase(0, head_end + 4 + length);
        return answer;
    }

    // Whether the server ended the connection (an orderly close or a reset) within `within`; what it sent before
    // stays in received().
    bool closed_within(std::chrono::milliseconds within) {
        const auto deadline = SteadyClock::now() + within;
        while (receive_more(deadline)) {
        }
        return m_closed;
    }
    const std::string& received() const { return m_received; }

private:
    // Reads what has arrived; false when the connection ended or the deadline passed.
    bool receive_more(SteadyClock::time_point deadline) {
        if (m_closed) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left <= 0ms) return false;
        pollfd ready{m_socket, POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[16 * 1024];
        const ssize_t got = ::recv(m_socket, buffer, sizeof buffer, 0);
        if (got <= 0) {
            m_closed = got == 0 || errno == ECONNRESET;
            return false;
        }
        m_received.append(buffer, static_cast<std::size_t>(got));
        return true;
    }

    int m_socket = -1;
    std::string m_received;
    bool m_closed = false;
};

// A server whose handler records the targets it saw and answers "seen <target>".
class RecordingServer {
public:
    explicit RecordingServer(HttpServerOptions options = {}, HttpHandlers handlers = {}) {
        handlers.handle = [this](const Request& request, Response& response) {
            {
                std::lock_guard lock(m_mutex);
                m_targets.push_back(request.target);
                m_requests.push_back(request);
            }
            response.set_content("seen " + request.target, "text/plain");
        };
        m_server = std::make_unique<OwnServer>(std::move(handlers), std::move(options));
    }
    int port() const { return m_server->port(); }
    std::string url(const std::string& path = "/") const { return m_server->url(path); }
    HttpServer& server() { return m_server->server(); }
    std::vector<std::string> targets() const {
        std::lock_guard lock(m_mutex);
        return m_targets;
    }
    std::vector<Request> requests() const {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_targets;
    std::vector<Request> m_requests;
    std::unique_ptr<OwnServer> m_server;
};

HttpServerOptions small_bounds() {
    HttpServerOptions options;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 1024;
    options.max_target_bytes = 256;
    return options;
}

std::string get_request(const std::string& target, const std::string& extra_fields = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_fields + "\r\n";
}

TEST(HttpServer, TheHandlerSeesMethodTargetPathQueryHeadersBodyAndPeer) {
    RecordingServer server;
    HttpClient client;
    HttpResult result =
        client.post(server.url("/jobs/a%20b?owner=*&x=1"), {{"X-Probe", "seen"}}, "payload", "text/plain");
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->body, "seen /jobs/a%20b?owner=*&x=1");
    ASSERT_EQ(server.requests().size(), 1u);
    const Request request = server.requests().front();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path(), "/jobs/a%20b");  // undecoded, as sent
    EXPECT_EQ(request.query(), "owner=*&x=1");
    EXPECT_EQ(request.get_header_value("x-probe"), "seen");  // names compare without case
    EXPECT_TRUE(request.has_header("CONTENT-TYPE"));
    EXPECT_FALSE(request.has_header("X-Absent"));
    EXPECT_EQ(request.body, "payload");
    EXPECT_EQ(request.remote_address, "127.0.0.1");

    ASSERT_TRUE(client.get(server.url("/plain")));
    EXPECT_EQ(server.requests().back().query(), "");
    EXPECT_EQ(server.requests().back().path(), "/plain");
}

TEST(HttpServer, SetHeaderReplacesAFieldOfTheSameName) {
    Response response;
    response.set_header("Retry-After", "5");
    response.set_header("retry-after", "7");
    response.set_header("X-Other", "1");
    ASSERT_EQ(response.headers.size(), 2u);
    EXPECT_EQ(response.headers[0], (Header{"Retry-After", "7"}));
}

TEST(HttpServer, ABodyPastTheLimitIsAnswered413WithoutReachingTheHandlerAndTheConnectionCloses) {
    RecordingServer server(small_bounds());
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4096\r\n\r\n"));
    raw.send(std::string(4096, 'x'));  // the server may have answered and shut its side by now
    auto answer = raw.read_answer();
    ASSERT_TRUE(answer) << raw.received();
    EXPECT_EQ(answer->status, 413);
    EXPECT_EQ(answer->body, "HTTP 413\n");
    EXPECT_EQ(answer->field("Connection"), "close");
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_TRUE(server.targets().empty());

    // The HTTP client reads the refusal as an answer (the body it was sending is drained, not reset).
    HttpClient client;
    HttpResult refused = client.post(server.url("/upload"), {}, std::string(64 * 1024, 'y'), "text/plain");
    ASSERT_TRUE(refused) << describe(refused.failure());
    EXPECT_EQ(refused->status, 413);
    // A body of exactly the limit is taken, on a new connection.
    HttpResult taken = client.post(server.url("/upload"), {}, std::string(1024, 'z'), "text/plain");
    ASSERT_TRUE(taken) << describe(taken.failure());
    EXPECT_EQ(taken->status, 200);
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests().front().body.size(), 1024u);
}

TEST(HttpServer, AChunkedBodyThatGrowsPastTheLimitIs413) {
    RecordingServer server(small_bounds());
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    raw.send("400\r\n" + std::string(1024, 'a') + "\r\n");  // exactly the limit so far
    raw.send("10\r\n" + std::string(16, 'b') + "\r\n0\r\n\r\n");
    auto answer = raw.read_answer();
    ASSERT_TRUE(answer) << raw.received();
    EXPECT_EQ(answer->status, 413);
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_TRUE(server.targets().empty());
}

TEST(HttpServer, FieldsPastTheHeaderLimitAre431) {
    RecordingServer server(small_bounds());
    RawConnection raw(server.port());
    // Past the parser's bound for the whole head (fields + target + 1 KiB): many short fields, a short target.
    std::string fields;
    for (int i = 0; i < 60; ++i) fields += "X-Field-" + std::to_string(100 + i) + ": " + std::string(36, 'a') + "\r\n";
    ASSERT_TRUE(raw.send(get_request("/", fields)));
    auto answer = raw.read_answer();
    ASSERT_TRUE(answer) << raw.received();
    EXPECT_EQ(answer->status, 431);
    EXPECT_EQ(answer->field("Connection"), "close");
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_TRUE(server.targets().empty());
}

TEST(HttpServer, OneFieldLongerThanTheTargetBoundIs431NotTheTargets) {
    // A short request line and one huge field (a big Cookie): the fields are too large, not the target.
    RecordingServer server(small_bounds());
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(get_request("/", "Cookie: " + std::string(4000, 'a') + "\r\n")));
    auto answer = raw.read_answer();
    ASSERT_TRUE(answer) << raw.received();
    EXPECT_EQ(answer->status, 431);
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_TRUE(server.targets().empty());
}

TEST(HttpServer, ATargetPastItsLimitIs414WhetherTheHeadFitsOrNot) {
    RecordingServer server(small_bounds());
    {
        // The head fits the parser's bound; the target alone is past max_target_bytes.
        RawConnection raw(server.port());
        ASSERT_TRUE(raw.send(get_request("/" + std::string(300, 'a'))));
        auto answer = raw.read_answer();
        ASSERT_TRUE(answer) << raw.received();
        EXPECT_EQ(answer->status, 414);
        EXPECT_TRUE(raw.closed_within(5s));
    }
    {
        // The request line alone is past the parser's bound.
        RawConnection raw(server.port());
        ASSERT_TRUE(raw.send(get_request("/" + std::string(5000, 'a'))));
        auto answer = raw.read_answer();
        ASSERT_TRUE(answer) << raw.received();
        EXPECT_EQ(answer->status, 414);
        EXPECT_TRUE(raw.closed_within(5s));
    }
    // A target of exactly the limit is served.
    HttpClient client;
    const std::string longest = "/" + std::string(255, 'b');
    HttpResult served = client.get(server.url(longest));
    ASSERT_TRUE(served) << describe(served.failure());
    EXPECT_EQ(served->status, 200);
    EXPECT_EQ(server.targets(), std::vector<std::string>{longest});
}

TEST(HttpServer, ARequestThatCannotBeParsedIs400) {
    RecordingServer server;
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(get_request("/", "this line has no colon\r\n")));
    auto answer = raw.read_answer();
    ASSERT_TRUE(answer) << raw.received();
    EXPECT_EQ(answer->status, 400);
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_TRUE(server.targets().empty());
}

TEST(HttpServer, TheErrorFillerWritesEveryErrorAnswerThatHasNoBody) {
    HttpHandlers handlers;
    handlers.handle = [](const Request& request, Response& response) {
        if (request.path() == "/missing") response.status = 404;
        if (request.path() == "/explained") {
            response.status = 409;
            response.set_content("its own words", "text/plain");
        }
    };
    handlers.fill_error = [](Response& response) {
        response.set_content(R"({"status":)" + std::to_string(response.status) + "}", "application/json");
    };
    OwnServer server(handlers, small_bounds());
    HttpClient client;
    HttpResult missing = client.get(server.url("/missing"));
    ASSERT_TRUE(missing) << describe(missing.failure());
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(missing->body, R"({"status":404})");
    EXPECT_EQ(missing->get_header_value("Content-Type"), "application/json");
    HttpResult explained = client.get(server.url("/explained"));
    ASSERT_TRUE(explained);
    EXPECT_EQ(explained->body, "its own words");
    HttpResult too_large = client.post(server.url("/"), {}, std::string(2048, 'x'), "text/plain");
    ASSERT_TRUE(too_large) << describe(too_large.failure());
    EXPECT_EQ(too_large->status, 413);
    EXPECT_EQ(too_large->body, R"({"status":413})");
}

TEST(HttpServer, AHandlerThatThrowsIsAnswered500AndReported) {
    std::mutex mutex;
    std::vector<std::string> reported;
    HttpHandlers handlers;
    handlers.handle = [](const Request&, Response& response) {
        response.set_content("half an answer", "text/plain");
        throw std::runtime_error("the store is gone");
    };
    handlers.failed = [&](const std::string& what) {
        std::lock_guard lock(mutex);
        reported.push_back(what);
    };
    OwnServer server(handlers, {});
    HttpClient client;
    for (const bool blocking : {false, true}) {  // on the event loop (GET) and on the worker pool (POST)
        HttpResult result =
            blocking ? client.post(server.url("/"), {}, "x", "text/plain") : client.get(server.url("/"));
        ASSERT_TRUE(result) << describe(result.failure());
        EXPECT_EQ(result->status, 500);
        EXPECT_EQ(result->body, "HTTP 500\n");  // not the half answer
    }
    std::lock_guard lock(mutex);
    EXPECT_EQ(reported, (std::vector<std::string>{"the store is gone", "the store is gone"}));
}

TEST(HttpServer, TwoRequestsOnOneConnectionBothReachTheHandler) {
    std::atomic<int> answered{0};
    HttpHandlers handlers;
    handlers.answered = [&](std::string_view, std::string_view, const Response&, std::chrono::microseconds) {
        ++answered;
    };
    RecordingServer server({}, handlers);
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(get_request("/one")));
    auto first = raw.read_answer();
    ASSERT_TRUE(first) << raw.received();
    EXPECT_EQ(first->body, "seen /one");
    EXPECT_NE(first->field("Connection"), "close");
    ASSERT_TRUE(raw.send(get_request("/two")));
    auto second = raw.read_answer();
    ASSERT_TRUE(second) << raw.received();
    EXPECT_EQ(second->body, "seen /two");
    EXPECT_EQ(server.targets(), (std::vector<std::string>{"/one", "/two"}));
    EXPECT_TRUE(test_support::wait_until([&] { return answered == 2; }, 5s));
}

TEST(HttpServer, ConnectionCloseEndsTheConnectionAfterTheAnswer) {
    RecordingServer server;
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(get_request("/last", "Connection: close\r\n")));
    auto answer = raw.read_answer();
    ASSERT_TRUE(answer) << raw.received();
    EXPECT_EQ(answer->body, "seen /last");
    EXPECT_EQ(answer->field("Connection"), "close");
    EXPECT_TRUE(raw.closed_within(5s));

    // HTTP/1.0 closes unless it asks for keep-alive.
    RawConnection old(server.port());
    ASSERT_TRUE(old.send("GET /old HTTP/1.0\r\n\r\n"));
    auto old_answer = old.read_answer();
    ASSERT_TRUE(old_answer) << old.received();
    EXPECT_THAT(old_answer->head, StartsWith("HTTP/1.0 200"));
    EXPECT_TRUE(old.closed_within(5s));
}

TEST(HttpServer, HalfARequestIsDroppedAfterTheReadTimeoutWithoutAnAnswer) {
    HttpServerOptions options;
    options.read_timeout = 1s;
    RecordingServer server(options);
    RawConnection head_only(server.port());
    RawConnection body_short(server.port());
    const auto started = SteadyClock::now();
    ASSERT_TRUE(head_only.send("GET /never HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
    ASSERT_TRUE(body_short.send("POST /never HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789"));
    EXPECT_TRUE(head_only.closed_within(5s));
    EXPECT_TRUE(body_short.closed_within(5s));
    EXPECT_GE(SteadyClock::now() - started, 900ms);  // not before the timeout
    EXPECT_EQ(head_only.received(), "");
    EXPECT_EQ(body_short.received(), "");
    EXPECT_TRUE(server.targets().empty());
    // The server itself is fine.
    HttpClient client;
    EXPECT_TRUE(client.get(server.url("/after")));
}

TEST(HttpServer, AnIdleKeptConnectionIsClosedAfterTheKeepAliveTimeout) {
    HttpServerOptions options;
    options.keep_alive_timeout = 1s;
    options.read_timeout = 30s;  // the first request's bound; not the one that applies between requests
    RecordingServer server(options);
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(get_request("/one")));
    ASSERT_TRUE(raw.read_answer());
    const auto answered = SteadyClock::now();
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_GE(SteadyClock::now() - answered, 900ms);
}

TEST(HttpServer, AHandlerThatBlocksDoesNotHoldRequestsOnTheEventLoop) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    HttpHandlers handlers;
    handlers.handle = [released](const Request& request, Response& response) {
        if (request.method == "POST") {
            const bool in_time = released.wait_for(10s) == std::future_status::ready;
            response.set_content(in_time ? "released" : "never released", "text/plain");
            return;
        }
        response.set_content("fast", "text/plain");
    };
    HttpServerOptions options;
    options.io_threads = 1;
    OwnServer server(handlers, options);
    auto slow = std::async(std::launch::async, [&] {
        HttpClient client;
        return client.post(server.url("/slow"), {}, "x", "text/plain");
    });
    HttpClient client;
    HttpResult fast = client.get(server.url("/fast"));  // answered while the POST waits on the worker pool
    release.set_value();
    ASSERT_TRUE(fast) << describe(fast.failure());
    EXPECT_EQ(fast->body, "fast");
    HttpResult slow_result = slow.get();
    ASSERT_TRUE(slow_result) << describe(slow_result.failure());
    EXPECT_EQ(slow_result->body, "released");
}

TEST(HttpServer, StopAnswersTheRequestInProgressThenRefusesConnections) {
    std::promise<void> entered;
    HttpHandlers handlers;
    handlers.handle = [&entered](const Request&, Response& response) {
        entered.set_value();
        std::this_thread::sleep_for(200ms);  // still working when stop() is called
        response.set_content("finished", "text/plain");
    };
    HttpServerOptions options;
    options.stop_wait = 5s;
    OwnServer server(handlers, options);
    const std::string url = server.url("/work");
    auto in_progress = std::async(std::launch::async, [url] {
        HttpClient client;
        return client.post(url, {}, "x", "text/plain");
    });
    ASSERT_EQ(entered.get_future().wait_for(5s), std::future_status::ready);
    server.server().stop();
    HttpResult result = in_progress.get();
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->body, "finished");
    EXPECT_EQ(result->get_header_value("Connection"), "close");
    server.server().stop();  // idempotent

    HttpClient late;
    HttpResult refused = late.get(url);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), HttpError::connection_refused) << describe(refused.failure());
}

TEST(HttpServer, ASecondServerOnABusyPortFailsToStart) {
    RecordingServer first;
    HttpServerOptions options;
    options.port = first.port();
    HttpHandlers handlers;
    handlers.handle = [](const Request&, Response&) {};
    auto second = HttpServer::create(options, handlers);
    ASSERT_TRUE(second) << second.message();
    auto started = (*second)->start();
    ASSERT_FALSE(started);
    EXPECT_THAT(started.message(), HasSubstr("the port is in use"));
    EXPECT_THAT(started.message(), HasSubstr("127.0.0.1:" + std::to_string(first.port())));
}

TEST(HttpServer, CreateNeedsAHandler) {
    auto created = HttpServer::create({}, {});
    ASSERT_FALSE(created);
    EXPECT_THAT(created.message(), HasSubstr("needs a handler"));
}

// The server's side of TLS, with throwaway certificates.
class HttpServerTls : public ::testing::Test {
protected:
    void SetUp() override {
        if (!m_certificates.make("local", "/CN=127.0.0.1", "IP:127.0.0.1,DNS:localhost") ||
            !m_certificates.make("other", "/CN=other.example", "DNS:other.example")) {
            GTEST_SKIP() << "the openssl command is needed for the TLS tests";
        }
    }

    HttpServerOptions tls_options(const std::string& certificate, const std::string& key) const {
        HttpServerOptions options;
        options.tls_certificate = m_certificates.certificate(certificate);
        options.tls_key = m_certificates.key(key);
        return options;
    }

    ThrowawayCertificates m_certificates;
};

TEST_F(HttpServerTls, AClientThatTrustsTheCertificateIsServed) {
    RecordingServer server(tls_options("local", "local"));
    EXPECT_TRUE(server.server().tls());
    HttpClientOptions options;
    options.ca_file = m_certificates.certificate("local");
    HttpClient client(options);
    HttpResult result = client.get(server.url("/secure"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "seen /secure");
}

TEST_F(HttpServerTls, AClientThatDoesNotTrustItFailsVerificationAndReachesNoHandler) {
    RecordingServer server(tls_options("local", "local"));
    HttpClient client;  // the system's trust store, which does not hold the throwaway certificate
    HttpResult result = client.get(server.url("/secure"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::server_verification);
    // The failure says why (OpenSSL's words); it does not name the host: callers that print it add the URL.
    EXPECT_EQ(describe(result.failure()),
              "the server's TLS certificate could not be verified (self-signed certificate)");
    EXPECT_TRUE(server.targets().empty());
}

TEST_F(HttpServerTls, ACertificateForAnotherHostFailsVerification) {
    RecordingServer server(tls_options("other", "other"));
    HttpClientOptions options;
    options.ca_file = m_certificates.certificate("other");
    HttpClient client(options);
    HttpResult result = client.get(server.url("/"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::server_verification);
    EXPECT_THAT(describe(result.failure()), HasSubstr("IP address mismatch"));
    EXPECT_TRUE(server.targets().empty());
}

TEST_F(HttpServerTls, APlainHttpRequestAtTheTlsPortGetsNoAnswer) {
    RecordingServer server(tls_options("local", "local"));
    RawConnection raw(server.port());
    ASSERT_TRUE(raw.send(get_request("/plain")));
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_EQ(raw.received().find("HTTP/1."), std::string::npos);
    EXPECT_TRUE(server.targets().empty());
}

TEST_F(HttpServerTls, AHandshakeThatNeverComesIsDroppedAfterTheReadTimeout) {
    HttpServerOptions options = tls_options("local", "local");
    options.read_timeout = 1s;
    RecordingServer server(options);
    RawConnection raw(server.port());
    EXPECT_TRUE(raw.closed_within(5s));
    EXPECT_EQ(raw.received(), "");
}

TEST_F(HttpServerTls, ACertificateWithoutItsKeyOrWithAnotherKeyIsAConfigurationError) {
    HttpHandlers handlers;
    handlers.handle = [](const Request&, Response&) {};
    HttpServerOptions without_key;
    without_key.tls_certificate = m_certificates.certificate("local");
    auto lonely = HttpServer::create(without_key, handlers);
    ASSERT_FALSE(lonely);
    EXPECT_THAT(lonely.message(), HasSubstr("give both, or neither"));

    auto mismatched = HttpServer::create(tls_options("local", "other"), handlers);
    ASSERT_FALSE(mismatched);
    EXPECT_THAT(mismatched.message(), HasSubstr("cannot load the TLS certificate"));
    EXPECT_THAT(mismatched.message(), HasSubstr("the key matching the certificate"));

    HttpServerOptions missing = tls_options("local", "local");
    missing.tls_key = (m_certificates.folder() / "missing-key.pem").string();
    auto absent = HttpServer::create(missing, handlers);
    ASSERT_FALSE(absent);
    EXPECT_THAT(absent.message(), HasSubstr("missing-key.pem"));
}

}  // namespace
}  // namespace greenlight::web
