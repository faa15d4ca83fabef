#include <gtest/gtest.h>

#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenlight/github/issue_comments.hpp"

namespace greenlight::github {
namespace {

struct Received {
    std::string path;
    std::string authorization;
    std::string body;
};

class FakeGitHub {
public:
    FakeGitHub() {
        m_server.Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
            std::lock_guard lock(m_mutex);
            m_received.push_back({request.path, request.get_header_value("Authorization"), request.body});
            if (m_rate_limited_once) {
                m_rate_limited_once = false;
                response.status = 429;
                response.set_header("Retry-After", "0");
                response.set_content(R"({"message":"slow down"})", "application/json");
                return;
            }
            response.status = m_status;
            response.set_content(m_status == 201 ? R"({"html_url":"https://github.example/o/r/issues/7#c1"})"
                                                 : R"({"message":"Not Found"})",
                                 "application/json");
        });
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        for (int waited = 0; !m_server.is_running() && waited < 5000; ++waited) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    ~FakeGitHub() {
        m_server.stop();
        m_thread.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    std::vector<Received> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }
    int m_status = 201;
    bool m_rate_limited_once = false;

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<Received> m_received;
};

TEST(IssueComments, PostsTheBodyWithTheToken) {
    FakeGitHub github;
    Repository repository{github.url() + "/api/v3", "octo/smoke", "t0ken"};
    auto posted = post_issue_comment(repository, 7, "the smoke failed");
    ASSERT_TRUE(posted) << posted.message();
    EXPECT_EQ(posted->status, 201);
    EXPECT_EQ(posted->url, "https://github.example/o/r/issues/7#c1");
    const auto received = github.received();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(received[0].path, "/api/v3/repos/octo/smoke/issues/7/comments");
    EXPECT_EQ(received[0].authorization, "Bearer t0ken");
    EXPECT_EQ(nlohmann::json::parse(received[0].body), nlohmann::json({{"body", "the smoke failed"}}));
}

TEST(IssueComments, RateLimitIsRetriedOnceAndRefusalsQuoteGitHub) {
    FakeGitHub github;
    github.m_rate_limited_once = true;
    Repository repository{github.url(), "octo/smoke", "t"};
    ASSERT_TRUE(post_issue_comment(repository, 3, "x"));
    EXPECT_EQ(github.received().size(), 2u);
    github.m_status = 404;
    auto refused = post_issue_comment(repository, 3, "x");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.message().find("404: Not Found"), std::string::npos) << refused.message();
    EXPECT_FALSE(post_issue_comment(repository, 0, "x"));
}

}  // namespace
}  // namespace greenlight::github
