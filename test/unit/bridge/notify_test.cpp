#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "greenlight/bridge/notify.hpp"
#include "support/http_peer.hpp"

namespace greenlight::bridge {
namespace {

// A local webhook that records what it was sent.
class RecordingServer {
public:
    RecordingServer() {
        m_server.post(".*", [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
            std::lock_guard lock(m_mutex);
            m_paths.push_back(request.path);
            m_bodies.push_back(request.body);
            response.status = m_status;
        });
    }
    ~RecordingServer() { m_server.stop(); }
    std::string url(const std::string& path) const { return m_server.url() + path; }
    std::vector<std::string> bodies() {
        std::lock_guard lock(m_mutex);
        return m_bodies;
    }
    std::vector<std::string> paths() {
        std::lock_guard lock(m_mutex);
        return m_paths;
    }
    void answer(int status) { m_status = status; }

private:
    std::mutex m_mutex;
    test_support::HttpPeer m_server;
    std::vector<std::string> m_paths;
    std::vector<std::string> m_bodies;
    int m_status = 204;
};

TEST(Redaction, EmailAddressesAndLookAlikes) {
    EXPECT_EQ(redact_personal_data("owner jane.doe+ci@example.co.uk failed"), "owner [redacted] failed");
    EXPECT_EQ(redact_personal_data("mail root@mainframe now"), "mail [redacted] now");
    EXPECT_EQ(redact_personal_data("ask jane at example dot com"), "ask [redacted]");
    EXPECT_EQ(redact_personal_data("ask jane[at]example[dot]org please"), "ask [redacted] please");
    EXPECT_EQ(redact_personal_data("ask jane (at) example.org"), "ask [redacted]");
    EXPECT_EQ(redact_personal_data("job SMOKE(JOB00042) retcode CC 0004"), "job SMOKE(JOB00042) retcode CC 0004");
}

TEST(FailureText, ShortAndRedacted) {
    FailureSummary summary{"fail",
                           "nightly-7",
                           "SMOKE(JOB00042)",
                           "CC 0004",
                           1,
                           {"retcode", "snippets"},
                           "reported by ops@example.com",
                           "mainframe-smoke-results.tar.gz"};
    const std::string text = failure_text(summary);
    EXPECT_NE(text.find("nightly-7: fail"), std::string::npos) << text;
    EXPECT_NE(text.find("SMOKE(JOB00042) retcode CC 0004, 1 attempt"), std::string::npos) << text;
    EXPECT_NE(text.find("failed: retcode, snippets"), std::string::npos);
    EXPECT_NE(text.find("bundle: mainframe-smoke-results.tar.gz"), std::string::npos);
    EXPECT_EQ(text.find("ops@example.com"), std::string::npos);
    EXPECT_NE(text.find("[redacted]"), std::string::npos);
}

TEST(ChatFormat, ByHostUnlessConfigured) {
    EXPECT_EQ(chat_format_for("https://discord.com/api/webhooks/1/x", "auto"), ChatFormat::discord);
    EXPECT_EQ(chat_format_for("https://canary.discordapp.com/api/webhooks/1/x", "auto"), ChatFormat::discord);
    EXPECT_EQ(chat_format_for("https://hooks.slack.com/services/T/B/X", "auto"), ChatFormat::slack);
    EXPECT_EQ(chat_format_for("https://notdiscord.com/hook", "auto"), ChatFormat::both);
    EXPECT_EQ(chat_format_for("https://chat.example/hook", "auto"), ChatFormat::both);
    EXPECT_EQ(chat_format_for("https://chat.example/hook", "slack"), ChatFormat::slack);
    EXPECT_EQ(chat_body(ChatFormat::discord, "hi"), R"({"content":"hi"})");
    EXPECT_EQ(chat_body(ChatFormat::slack, "hi"), R"({"text":"hi"})");
    EXPECT_EQ(chat_body(ChatFormat::both, "hi"), R"({"content":"hi","text":"hi"})");
}

TEST(ChatWebhook, PostsTheShapeToTheServer) {
    RecordingServer server;
    ASSERT_TRUE(post_chat_webhook(server.url("/hooks/abc"), "red run", ChatFormat::discord));
    ASSERT_TRUE(post_chat_webhook(server.url("/hooks/def"), "red run", ChatFormat::slack));
    ASSERT_TRUE(post_chat_webhook(server.url("/hooks/ghi"),
                                  failure_text({"escalated", "r1", "", "", 2, {}, "x@y.org", ""}),
                                  chat_format_for(server.url("/hooks/ghi"), "auto")));
    const auto bodies = server.bodies();
    ASSERT_EQ(bodies.size(), 3u);
    EXPECT_EQ(server.paths(), (std::vector<std::string>{"/hooks/abc", "/hooks/def", "/hooks/ghi"}));
    EXPECT_EQ(nlohmann::json::parse(bodies[0]), nlohmann::json({{"content", "red run"}}));
    EXPECT_EQ(nlohmann::json::parse(bodies[1]), nlohmann::json({{"text", "red run"}}));
    const auto both = nlohmann::json::parse(bodies[2]);
    EXPECT_EQ(both["content"], both["text"]);
    EXPECT_EQ(both["text"].get<std::string>().find("x@y.org"), std::string::npos);

    server.answer(500);
    auto refused = post_chat_webhook(server.url("/hooks/secret-token"), "x", ChatFormat::slack);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.message().find("500"), std::string::npos);
    EXPECT_EQ(refused.message().find("secret-token"), std::string::npos) << "the URL is a secret";
    EXPECT_FALSE(post_chat_webhook("ftp://example/x", "x", ChatFormat::slack));
}

}  // namespace
}  // namespace greenlight::bridge
