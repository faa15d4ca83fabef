// Reading the pull_request event file GitHub Actions writes (GITHUB_EVENT_PATH).
#include "greenlight/github/event.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_support.hpp"

namespace greenlight::github {
namespace {

class EventTest : public ::testing::Test {
protected:
    std::filesystem::path write(std::string_view text) {
        const auto path = m_folder.path() / "event.json";
        std::ofstream(path) << text;
        return path;
    }
    test_support::TempDir m_folder{"greenlight-event"};
};

TEST_F(EventTest, ReadsNumberHeadShaAndLabelsInOrder) {
    auto event = read_pull_request_event(write(R"({"action": "labeled", "pull_request": {"number": 42,
        "head": {"sha": "0123abcd", "ref": "feature"},
        "labels": [{"name": "R2-medium"}, {"name": "risk:R3-high", "color": "ff0000"}]}})"));
    ASSERT_TRUE(event) << event.message();
    EXPECT_EQ(event->number, 42);
    EXPECT_EQ(event->head_sha, "0123abcd");
    EXPECT_EQ(event->labels, (std::vector<std::string>{"R2-medium", "risk:R3-high"}));
}

TEST_F(EventTest, FieldsOfTheWrongTypeAreSkipped) {
    auto event = read_pull_request_event(write(
        R"({"pull_request": {"number": "42", "head": {"sha": 7}, "labels": [{"name": 1}, "x", {"name": "ok"}]}})"));
    ASSERT_TRUE(event) << event.message();
    EXPECT_EQ(event->number, 0);
    EXPECT_EQ(event->head_sha, "");
    EXPECT_EQ(event->labels, (std::vector<std::string>{"ok"}));
}

TEST_F(EventTest, APushEventIsRefusedNamingTheFile) {
    auto event = read_pull_request_event(write(R"({"ref": "refs/heads/main", "commits": []})"));
    ASSERT_FALSE(event);
    EXPECT_NE(event.message().find("event.json"), std::string::npos);
    EXPECT_NE(event.message().find("not a pull_request event"), std::string::npos);
}

TEST_F(EventTest, TruncatedJsonIsRefused) {
    auto event = read_pull_request_event(write(R"({"pull_request": {"number": 4)"));
    ASSERT_FALSE(event);
    EXPECT_NE(event.message().find("not a pull_request event"), std::string::npos);
}

TEST_F(EventTest, AMissingFileIsAnError) {
    auto event = read_pull_request_event(m_folder.path() / "absent.json");
    ASSERT_FALSE(event);
    EXPECT_NE(event.message().find("absent.json"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::github
