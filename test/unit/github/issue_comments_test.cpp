#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "greenlight/github/issue_comments.hpp"
#include "support/http_peer.hpp"

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
        m_server.post(".*", [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
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
    }
    ~FakeGitHub() { m_server.stop(); }
    std::string url() const { return m_server.url(); }
    std::vector<Received> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }
    int m_status = 201;
    bool m_rate_limited_once = false;

private:
    std::mutex m_mutex;
    test_support::HttpPeer m_server;
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
