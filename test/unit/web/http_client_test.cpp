// The HTTP client against greenlight's own server (web::HttpServer) and a scripted peer on 127.0.0.1: what it
// sends, how it reads answers of every shape, how each failure is told apart, and how TLS is verified.
#include "greenlight/web/http_client.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "greenlight/web/http_server.hpp"
#include "support/http_peer.hpp"
#include "support/test_support.hpp"
#include "web_test_support.hpp"

namespace greenlight::web {
namespace {

using test_support::closed_by_the_server;
using test_support::HttpPeer;
using test_support::OwnServer;
using test_support::PeerRequest;
using test_support::PeerResponse;
using test_support::ScopedEnvironment;
using test_support::ThrowawayCertificates;
using test_support::wait_until;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Answers every request with what it received: method, target, the X-Probe header, the content type and body.
void echo(const Request& request, Response& response) {
    response.set_header("X-Method", request.method);
    response.set_content(request.method + " " + request.target + " probe=" + request.get_header_value("X-Probe") +
                             " type=" + request.get_header_value("Content-Type") + " body=" + request.body,
                         "text/plain");
}

TEST(HttpClient, GetSendsTheHeadersAndReadsStatusHeadersAndBody) {
    OwnServer server(echo);
    HttpClient client;
    HttpResult result = client.get(server.url("/path?q=1"), {{"X-Probe", "seen"}});
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->body, "GET /path?q=1 probe=seen type= body=");
    EXPECT_EQ(result->get_header_value("x-method"), "GET");  // names compare without case
    EXPECT_EQ(result->get_header_value("CONTENT-TYPE"), "text/plain");
    EXPECT_TRUE(result->has_header("Content-Length"));
    EXPECT_FALSE(result->has_header("X-Absent"));
}

TEST(HttpClient, PostPutAndDeleteSendTheirMethodBodyAndContentType) {
    OwnServer server(echo);
    HttpClient client;
    HttpResult posted = client.post(server.url("/items"), {}, R"({"a":1})", "application/json");
    ASSERT_TRUE(posted) << describe(posted.failure());
    EXPECT_EQ(posted->body, R"(POST /items probe= type=application/json body={"a":1})");
    HttpResult put = client.put(server.url("/items/1"), {{"X-Probe", "p"}}, "text", "text/plain");
    ASSERT_TRUE(put) << describe(put.failure());
    EXPECT_EQ(put->body, "PUT /items/1 probe=p type=text/plain body=text");
    HttpResult deleted = client.remove(server.url("/items/1"));
    ASSERT_TRUE(deleted) << describe(deleted.failure());
    EXPECT_EQ(deleted->body, "DELETE /items/1 probe= type= body=");
    HttpResult empty_post = client.post(server.url("/empty"), {}, "", "");
    ASSERT_TRUE(empty_post) << describe(empty_post.failure());
    EXPECT_EQ(empty_post->body, "POST /empty probe= type= body=");
}

TEST(HttpClient, HeadReadsTheHeadersAndNoBody) {
    OwnServer server(
        [](const Request&, Response& response) { response.set_content(std::string(5000, 'x'), "text/plain"); });
    HttpClient client;
    HttpResult result = client.head(server.url("/page"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->status, 200);
    EXPECT_EQ(result->get_header_value("Content-Length"), "5000");
    EXPECT_TRUE(result->body.empty());
    // The connection is still in step: the next request on it gets its own answer.
    HttpResult again = client.get(server.url("/page"));
    ASSERT_TRUE(again) << describe(again.failure());
    EXPECT_EQ(again->body.size(), 5000u);
}

TEST(HttpClient, AnErrorStatusIsAnAnswerWithItsBody) {
    OwnServer server([](const Request&, Response& response) {
        response.status = 404;
        response.set_header("Retry-After", "7");
        response.set_content(R"({"message":"no such job"})", "application/json");
    });
    HttpClient client;
    HttpResult result = client.get(server.url("/missing"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->status, 404);
    EXPECT_EQ(result->body, R"({"message":"no such job"})");
    EXPECT_EQ(result->get_header_value("retry-after"), "7");
}

TEST(HttpClient, ALargeBodyArrivesWhole) {
    std::string large(12 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
    OwnServer server(
        [&](const Request&, Response& response) { response.set_content(large, "application/octet-stream"); });
    HttpClient client;
    HttpResult result = client.get(server.url("/large"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_TRUE(result->body == large);
}

TEST(HttpClient, AStreamedBodyGoesToTheReceiverPieceByPiece) {
    const std::string large(5 * 1024 * 1024, 'z');
    OwnServer server([&](const Request&, Response& response) { response.set_content(large, "text/plain"); });
    HttpClient client;
    std::size_t received = 0;
    int pieces = 0;
    HttpRequest request;
    request.url = server.url("/spool");
    request.receive_body = [&](std::string_view piece) {
        received += piece.size();
        ++pieces;
        return piece.find_first_not_of('z') == std::string_view::npos;
    };
    HttpResult result = client.send(request);
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(received, large.size());
    EXPECT_GT(pieces, 1);
    EXPECT_TRUE(result->body.empty());
}

TEST(HttpClient, AReceiverThatStopsCancelsTheRequest) {
    OwnServer server(
        [](const Request&, Response& response) { response.set_content(std::string(1 << 20, 'x'), "text/plain"); });
    HttpClient client;
    HttpRequest request;
    request.url = server.url("/");
    request.receive_body = [](std::string_view) { return false; };
    HttpResult result = client.send(request);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::cancelled);
    // The connection was dropped, not left mid-answer: the next request works.
    EXPECT_TRUE(client.get(server.url("/")));
}

TEST(HttpClient, AChunkedAnswerIsReassembled) {
    HttpPeer peer;
    peer.get("/chunked", [](const PeerRequest&, PeerResponse& response) {
        response.set_header("Content-Type", "text/plain");
        response.chunks = {"first ", "second ", std::string(100'000, 'c'), " last"};
    });
    HttpClient client;
    HttpResult result = client.get(peer.url() + "/chunked");
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->body, "first second " + std::string(100'000, 'c') + " last");
    EXPECT_EQ(result->get_header_value("Transfer-Encoding"), "chunked");
}

TEST(HttpClient, OneConnectionCarriesManyRequestsUnlessKeepAliveIsOff) {
    HttpPeer peer;
    peer.get("/poll",
             [](const PeerRequest&, PeerResponse& response) { response.set_content("{}", "application/json"); });
    HttpClient kept;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(kept.get(peer.url() + "/poll"));
    EXPECT_EQ(peer.connections(), 1);

    HttpClientOptions options;
    options.keep_alive = KeepAlive::no;
    HttpClient single(options);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(single.get(peer.url() + "/poll"));
    EXPECT_EQ(peer.connections(), 4);
}

TEST(HttpClient, AKeptConnectionTheServerClosedIsReplaced) {
    HttpServerOptions options;
    options.keep_alive_timeout = 1s;
    OwnServer server(echo, options);
    HttpClient client;
    ASSERT_TRUE(client.get(server.url("/first")));
    // The server drops the idle connection after its keep-alive timeout.
    ASSERT_TRUE(wait_until([&] { return closed_by_the_server(server.port()); }, 5s));
    HttpResult get = client.get(server.url("/second"));
    ASSERT_TRUE(get) << describe(get.failure());
    EXPECT_EQ(get->status, 200);
    ASSERT_TRUE(wait_until([&] { return closed_by_the_server(server.port()); }, 5s));
    HttpResult post = client.post(server.url("/third"), {}, "x", "text/plain");  // not repeatable: must not fail either
    ASSERT_TRUE(post) << describe(post.failure());
    EXPECT_EQ(post->status, 200);
}

TEST(HttpClient, ConnectionRefused) {
    HttpClient client;
    HttpResult result = client.get("http://127.0.0.1:" + std::to_string(test_support::unused_port()) + "/");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::connection_refused);
    EXPECT_EQ(describe(result.failure()), "connection refused");
}

TEST(HttpClient, InvalidUrlsAreRefusedBeforeConnecting) {
    HttpClient client;
    for (const char* url : {"ftp://example.com/", "http://", "http://user:secret@127.0.0.1/", "http://host:99999/",
                            "http://host:/", "http://[::1/", "127.0.0.1:80/x"}) {
        HttpResult result = client.get(url);
        ASSERT_FALSE(result) << url;
        EXPECT_EQ(result.error(), HttpError::invalid_url) << url;
        EXPECT_THAT(describe(result.failure()), ::testing::Not(HasSubstr("secret")));
    }
}

TEST(HttpClient, BytesATargetCannotHoldAreEncodedAndEscapesStayAsWritten) {
    OwnServer server(echo);
    HttpClient client;
    HttpResult result =
        client.get(server.url("/wiki/Stra\xc3\x9f"
                              "e a%2Fb?q=x y#fragment"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->body, "GET /wiki/Stra%C3%9Fe%20a%2Fb?q=x%20y probe= type= body=");
}

TEST(HttpClient, AHeaderThatWouldSplitTheRequestIsRefused) {
    OwnServer server(echo);
    HttpClient client;
    HttpResult injected = client.get(server.url("/"), {{"X-Probe", "a\r\nX-Injected: yes"}});
    ASSERT_FALSE(injected);
    EXPECT_EQ(injected.error(), HttpError::invalid_header);
    EXPECT_EQ(injected.failure().detail, "X-Probe");
    EXPECT_FALSE(client.get(server.url("/"), {{"", "nameless"}}));
    EXPECT_FALSE(client.post(server.url("/"), {}, "x", "text/plain\r\nX-Injected: yes"));
}

// A server that accepts connections (the kernel does, from its backlog) and never answers.
class SilentServer {
public:
    SilentServer() {
        m_socket = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (::bind(m_socket, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(m_socket, 16) != 0 ||
            ::getsockname(m_socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            throw std::runtime_error("cannot listen on 127.0.0.1");
        }
        m_port = ntohs(address.sin_port);
    }
    ~SilentServer() { ::close(m_socket); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/"; }
    std::string https_url() const { return "https://127.0.0.1:" + std::to_string(m_port) + "/"; }

private:
    int m_socket = -1;
    int m_port = 0;
};

TEST(HttpClient, AServerThatNeverAnswersRunsIntoTheReadTimeout) {
    SilentServer silent;
    HttpClientOptions options;
    options.read_timeout = 300ms;
    HttpClient client(options);
    const auto started = SteadyClock::now();
    HttpResult result = client.get(silent.url());
    const auto elapsed = SteadyClock::now() - started;
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::timeout);
    EXPECT_THAT(describe(result.failure()), HasSubstr("the read timeout of 300 ms passed"));
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 2s);
}

TEST(HttpClient, ATlsHandshakeThatNeverCompletesRunsIntoTheConnectTimeout) {
    SilentServer silent;
    HttpClientOptions options;
    options.connect_timeout = 300ms;
    HttpClient client(options);
    const auto started = SteadyClock::now();
    HttpResult result = client.get(silent.https_url());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::connection_timeout) << describe(result.failure());
    EXPECT_LT(SteadyClock::now() - started, 2s);
}

TEST(HttpClient, AnAnswerThatTricklesRunsIntoTheTotalTimeout) {
    HttpPeer peer;
    peer.get("/slow", [](const PeerRequest&, PeerResponse& response) {
        response.chunks.assign(20, "piece");
        response.chunk_delay = 100ms;  // each piece well within the read timeout, all of them well past the total
    });
    HttpClientOptions options;
    options.read_timeout = 1s;
    options.total_timeout = 400ms;
    HttpClient client(options);
    const auto started = SteadyClock::now();
    HttpResult result = client.get(peer.url() + "/slow");
    const auto elapsed = SteadyClock::now() - started;
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::timeout);
    EXPECT_THAT(describe(result.failure()), HasSubstr("the total timeout of 400 ms passed"));
    EXPECT_GE(elapsed, 400ms);
    EXPECT_LT(elapsed, 1500ms);
}

TEST(HttpClient, RedirectsAreFollowedOnlyWhenAsked) {
    HttpPeer peer;
    peer.get("/old", [](const PeerRequest&, PeerResponse& response) {
        response.status = 301;
        response.set_header("Location", "/dir/new?x=1");
        response.set_content("moved", "text/plain");
    });
    peer.get("/dir/new", [](const PeerRequest& request, PeerResponse& response) {
        response.set_header("Location", "relative");
        response.status = 302;
        response.set_content("x=" + request.get_param_value("x"), "text/plain");
    });
    peer.get("/dir/relative",
             [](const PeerRequest&, PeerResponse& response) { response.set_content("arrived", "text/plain"); });
    peer.get("/loop", [](const PeerRequest&, PeerResponse& response) {
        response.status = 307;
        response.set_header("Location", "/loop");
    });
    HttpClient plain;
    HttpResult not_followed = plain.get(peer.url() + "/old");
    ASSERT_TRUE(not_followed);
    EXPECT_EQ(not_followed->status, 301);
    EXPECT_EQ(not_followed->body, "moved");

    HttpClientOptions options;
    options.redirects = FollowRedirects::yes;
    HttpClient following(options);
    HttpResult followed = following.get(peer.url() + "/old");
    ASSERT_TRUE(followed) << describe(followed.failure());
    EXPECT_EQ(followed->status, 200);
    EXPECT_EQ(followed->body, "arrived");
    HttpResult head = following.head(peer.url() + "/old");
    ASSERT_TRUE(head) << describe(head.failure());
    EXPECT_EQ(head->status, 200);
    HttpResult post = following.post(peer.url() + "/old", {}, "", "");  // only GET and HEAD are followed
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 404);  // the peer has no POST route

    HttpResult looping = following.get(peer.url() + "/loop");
    ASSERT_FALSE(looping);
    EXPECT_EQ(looping.error(), HttpError::too_many_redirects);
}

TEST(BasicAuthorization, IsBase64OfUserColonPassword) {
    EXPECT_EQ(basic_authorization("IBMUSER", "s3cret-Pa55word"), "Basic SUJNVVNFUjpzM2NyZXQtUGE1NXdvcmQ=");
    EXPECT_EQ(basic_authorization("a", ""), "Basic YTo=");
}

// Throwaway certificates made by the openssl command: one for 127.0.0.1 and localhost, one for another host name.
class HttpClientTls : public ::testing::Test {
protected:
    void SetUp() override {
        if (!m_certificates.make("local", "/CN=127.0.0.1", "IP:127.0.0.1,DNS:localhost") ||
            !m_certificates.make("other", "/CN=other.example", "DNS:other.example")) {
            GTEST_SKIP() << "the openssl command is needed for the TLS tests";
        }
    }

    std::string certificate(const std::string& name) const { return m_certificates.certificate(name); }

    std::unique_ptr<OwnServer> serve(const std::string& name) {
        HttpServerOptions options;
        options.tls_certificate = m_certificates.certificate(name);
        options.tls_key = m_certificates.key(name);
        return std::make_unique<OwnServer>(echo, options);
    }

    ThrowawayCertificates m_certificates;
};

TEST_F(HttpClientTls, ASelfSignedCertificateIsRefusedByDefault) {
    auto server = serve("local");
    HttpClient client;
    HttpResult result = client.get(server->url("/"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::server_verification) << describe(result.failure());
    EXPECT_THAT(describe(result.failure()), HasSubstr("self-signed certificate"));
}

TEST_F(HttpClientTls, AcceptedWithItsCaFile) {
    auto server = serve("local");
    HttpClientOptions options;
    options.ca_file = certificate("local");
    HttpClient client(options);
    HttpResult result = client.get(server->url("/secure"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->body, "GET /secure probe= type= body=");
    HttpResult again = client.post(server->url("/secure"), {}, "kept", "text/plain");
    ASSERT_TRUE(again) << describe(again.failure());
    EXPECT_EQ(again->body, "POST /secure probe= type=text/plain body=kept");
}

TEST_F(HttpClientTls, AHostNameIsCheckedAgainstTheNamesOfTheCertificate) {
    auto local = serve("local");  // names 127.0.0.1 and localhost
    auto other = serve("other");  // names other.example only
    HttpClientOptions options;
    options.ca_file = certificate("local");
    HttpClient trusting(options);
    HttpResult by_name = trusting.get("https://localhost:" + std::to_string(local->port()) + "/named");
    ASSERT_TRUE(by_name) << describe(by_name.failure());
    EXPECT_EQ(by_name->body, "GET /named probe= type= body=");

    options.ca_file = certificate("other");
    HttpClient mismatched(options);
    HttpResult refused = mismatched.get("https://localhost:" + std::to_string(other->port()) + "/");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), HttpError::server_verification);
    EXPECT_THAT(describe(refused.failure()), HasSubstr("mismatch"));
}

TEST_F(HttpClientTls, AcceptedWhenVerificationIsSkipped) {
    auto server = serve("other");
    HttpClientOptions options;
    options.tls = TlsVerification::skip;
    HttpClient client(options);
    HttpResult result = client.get(server->url("/"));
    ASSERT_TRUE(result) << describe(result.failure());
    EXPECT_EQ(result->status, 200);
}

TEST_F(HttpClientTls, ACertificateForAnotherHostIsRefused) {
    auto server = serve("other");
    HttpClientOptions options;
    options.ca_file = certificate("other");
    HttpClient client(options);
    HttpResult result = client.get(server->url("/"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::server_verification);
    EXPECT_THAT(describe(result.failure()), HasSubstr("mismatch"));
}

TEST_F(HttpClientTls, TheSystemTrustStoreHonoursSslCertFile) {
    auto server = serve("local");
    ScopedEnvironment trust("SSL_CERT_FILE", certificate("local"));
    HttpClient client;
    HttpResult result = client.get(server->url("/"));
    ASSERT_TRUE(result) << describe(result.failure());
}

TEST_F(HttpClientTls, AnUnreadableCaFileIsALoadingError) {
    auto server = serve("local");
    HttpClientOptions options;
    options.ca_file = m_certificates.folder() / "missing.pem";
    HttpClient client(options);
    HttpResult result = client.get(server->url("/"));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::loading_certificates);
    EXPECT_THAT(describe(result.failure()), HasSubstr("missing.pem"));
}

TEST_F(HttpClientTls, HttpsToAPlainServerIsAHandshakeError) {
    OwnServer plain(echo);
    HttpClientOptions options;
    options.tls = TlsVerification::skip;
    HttpClient client(options);
    HttpResult result = client.get("https://127.0.0.1:" + std::to_string(plain.port()) + "/");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error(), HttpError::tls_handshake) << describe(result.failure());
}

}  // namespace
}  // namespace greenlight::web
