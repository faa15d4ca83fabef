// The wait for required checks against a scripted GitHub on loopback, on a fake clock: every sleep only moves the
// clock, so an hour's wait runs in milliseconds.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "greenlight/github/check_wait.hpp"
#include "support/http_peer.hpp"

namespace greenlight::github {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class FakeClock final : public util::Clock {
public:
    util::WallTime now() const override {
        std::lock_guard lock(m_mutex);
        return util::WallTime(seconds(1'800'000'000)) + m_elapsed;
    }
    std::chrono::steady_clock::time_point steady_now() const override {
        std::lock_guard lock(m_mutex);
        return std::chrono::steady_clock::time_point(seconds(1'000)) + m_elapsed;
    }
    void advance(milliseconds by) {
        std::lock_guard lock(m_mutex);
        m_elapsed += by;
    }
    milliseconds elapsed() const {
        std::lock_guard lock(m_mutex);
        return m_elapsed;
    }

private:
    mutable std::mutex m_mutex;
    milliseconds m_elapsed{0};
};

json check_run(const std::string& name, const std::string& status, const std::string& conclusion = "") {
    return {{"name", name},
            {"status", status},
            {"conclusion", conclusion.empty() ? json() : json(conclusion)},
            {"head_sha", "c0ffee"}};
}

// A rate-limited answer to send instead of the next request to a path ending in `suffix`.
struct Refusal {
    std::string suffix;
    int status = 429;
    std::map<std::string, std::string> headers;
};

// GitHub as the wait reads it. A round is counted by its first page of check runs; the head a request reads
// belongs to the round about to run.
class FakeGitHub {
public:
    explicit FakeGitHub(const FakeClock& clock) : m_clock(clock) {
        m_server.get("/repos/octo/shop/(.*)",
                     [this](const test_support::PeerRequest& request, test_support::PeerResponse& response) {
                         std::lock_guard lock(m_mutex);
                         answer(request, response);
                     });
    }
    ~FakeGitHub() { m_server.stop(); }

    Repository repository() const { return {m_server.url(), "octo/shop", "t0ken"}; }

    // What GitHub says in round N (1-based).
    std::function<json(int round)> check_runs = [](int) { return json::array(); };
    std::function<json(int round)> statuses = [](int) { return json::array(); };
    std::function<std::string(int round)> head = [](int) { return std::string("c0ffee"); };
    int protection_status = 200;
    json protection = {{"contexts", json::array()}, {"checks", json::array()}};
    json rules = json::array();
    std::vector<Refusal> refusals;

    int rounds() {
        std::lock_guard lock(m_mutex);
        return m_rounds;
    }
    std::vector<std::string> paths() {
        std::lock_guard lock(m_mutex);
        return m_paths;
    }

private:
    void answer(const test_support::PeerRequest& request, test_support::PeerResponse& response) {
        const std::string path = request.matches[1];
        m_paths.push_back(request.target);
        for (auto refusal = refusals.begin(); refusal != refusals.end(); ++refusal) {
            if (path.size() >= refusal->suffix.size() &&
                path.compare(path.size() - refusal->suffix.size(), refusal->suffix.size(), refusal->suffix) == 0) {
                response.status = refusal->status;
                for (const auto& [name, value] : refusal->headers) {
                    response.set_header(name, value == "reset+30" ? reset_in(30) : value);
                }
                response.set_content(R"({"message":"API rate limit exceeded"})", "application/json");
                refusals.erase(refusal);
                return;
            }
        }
        const int page = request.has_param("page") ? std::stoi(request.get_param_value("page")) : 1;
        json body;
        if (path == "pulls/7") {
            body = {{"number", 7}, {"head", {{"sha", head(m_rounds + 1)}}}, {"base", {{"ref", "main"}}}};
        } else if (path == "git/ref/heads/release/1.x") {
            body = {{"ref", "refs/heads/release/1.x"}, {"object", {{"sha", head(m_rounds + 1)}}}};
        } else if (path == "branches/main/protection/required_status_checks") {
            response.status = protection_status;
            body = protection_status == 200 ? protection : json{{"message", "Resource not accessible by integration"}};
        } else if (path == "rules/branches/main" || path == "rules/branches/release/1.x") {
            body = rules;
        } else if (path == "commits/c0ffee/check-runs") {
            if (page == 1) ++m_rounds;
            body = page_of("check_runs", check_runs(m_rounds), page, request);
        } else if (path == "commits/c0ffee/status") {
            body = page_of("statuses", statuses(m_rounds), page, request);
            body["sha"] = "c0ffee";
        } else {
            response.status = 404;
            body = {{"message", "Not Found"}};
        }
        response.set_content(body.dump(), "application/json");
    }

    static json page_of(const char* key, const json& items, int page, const test_support::PeerRequest& request) {
        const std::size_t size = request.has_param("per_page") ? std::stoul(request.get_param_value("per_page")) : 30;
        json slice = json::array();
        for (std::size_t i = (page - 1) * size; i < items.size() && i < page * size; ++i) slice.push_back(items[i]);
        return {{"total_count", items.size()}, {key, slice}};
    }

    std::string reset_in(int seconds_from_now) const {
        return std::to_string(std::chrono::system_clock::to_time_t(m_clock.now()) + seconds_from_now);
    }

    const FakeClock& m_clock;
    std::mutex m_mutex;
    int m_rounds = 0;
    std::vector<std::string> m_paths;
    test_support::HttpPeer m_server;
};

// The seams on the fake clock: sleeps move it, the interval is always the longest allowed.
struct Harness {
    FakeClock clock;
    FakeGitHub github{clock};
    std::vector<milliseconds> sleeps;
    std::vector<std::string> lines;
    WaitSettings settings;
    WaitTarget target;

    Harness() {
        settings.timeout = minutes(60);
        settings.progress = [this](std::string_view line) { lines.emplace_back(line); };
        target.pull_number = 7;
    }

    WaitSeams seams() {
        WaitSeams seams;
        seams.clock = &clock;
        seams.sleep = [this](milliseconds duration) {
            sleeps.push_back(duration);
            clock.advance(duration);
        };
        seams.pick_interval = [](milliseconds, milliseconds high) { return high; };
        return seams;
    }

    util::Result<WaitOutcome, WaitError> wait() {
        return wait_for_checks(github.repository(), target, settings, seams());
    }
};

std::string word_of(const WaitOutcome& outcome, const std::string& name) {
    for (const auto& check : outcome.checks) {
        if (check.name == name) return check.word;
    }
    return "(not required)";
}

TEST(CheckWait, FollowsChecksFromQueuedToCompletedIncludingALateOneAndAFailure) {
    Harness harness;
    harness.target.required_checks = {"build", "lint", "late"};
    harness.github.check_runs = [](int round) {
        json runs = json::array();
        runs.push_back(round == 1   ? check_run("build", "queued")
                       : round == 2 ? check_run("build", "in_progress")
                                    : check_run("build", "completed", "success"));
        runs.push_back(round == 1 ? check_run("lint", "queued") : check_run("lint", "completed", "failure"));
        if (round == 3) runs.push_back(check_run("late", "queued"));
        if (round >= 4) runs.push_back(check_run("late", "completed", "success"));
        return runs;
    };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->end, WaitEnd::complete);
    EXPECT_EQ(outcome->rounds, 4);
    EXPECT_EQ(outcome->sha, "c0ffee");
    EXPECT_EQ(outcome->branch, "main");
    EXPECT_EQ(outcome->required_from, "gate.required_checks");
    EXPECT_EQ(word_of(*outcome, "build"), "success");
    EXPECT_EQ(word_of(*outcome, "lint"), "failure");
    EXPECT_EQ(word_of(*outcome, "late"), "success");
    EXPECT_FALSE(outcome->all_passed());
    EXPECT_EQ(outcome->check_runs.size(), 3u);
    EXPECT_EQ(harness.sleeps, (std::vector<milliseconds>{seconds(240), seconds(240), seconds(240)}));
    EXPECT_EQ(outcome->waited, minutes(12));
    ASSERT_EQ(harness.lines.size(), 4u);
    EXPECT_EQ(harness.lines[0], "round 1: 0/3 complete (build: queued, lint: queued, late: missing), next in 240 s");
    EXPECT_EQ(harness.lines[1],
              "round 2: 1/3 complete (build: in_progress, lint: failure, late: missing), next in 240 s");
    EXPECT_EQ(harness.lines[2], "round 3: 2/3 complete (lint: failure, late: queued), next in 240 s");
    EXPECT_EQ(harness.lines[3], "round 4: 3/3 complete (lint: failure)");
}

TEST(CheckWait, AllPassedWhenEveryRequiredCheckSucceedsByRunOrStatus) {
    Harness harness;
    harness.target.required_checks = {"build", "ci/legacy"};
    harness.github.check_runs = [](int) { return json::array({check_run("build", "completed", "success")}); };
    harness.github.statuses = [](int round) {
        return json::array({{{"context", "ci/legacy"}, {"state", round == 1 ? "pending" : "success"}}});
    };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->rounds, 2);
    EXPECT_TRUE(outcome->all_passed());
    EXPECT_EQ(outcome->status["statuses"].size(), 1u);
}

TEST(CheckWait, RequiredChecksComeFromBranchProtectionAndRulesets) {
    Harness harness;
    harness.github.protection = {{"contexts", {"build"}}, {"checks", {{{"context", "lint"}, {"app_id", 15368}}}}};
    harness.github.rules =
        json::array({{{"type", "pull_request"}},
                     {{"type", "required_status_checks"},
                      {"parameters", {{"required_status_checks", {{{"context", "e2e"}}, {{"context", "build"}}}}}}}});
    harness.github.check_runs = [](int) {
        return json::array({check_run("build", "completed", "success"), check_run("lint", "completed", "success"),
                            check_run("e2e", "completed", "skipped")});
    };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->required, (std::vector<std::string>{"build", "lint", "e2e"}));
    EXPECT_EQ(outcome->required_from, "branch protection and rulesets of main");
    EXPECT_TRUE(outcome->all_passed());
    EXPECT_TRUE(harness.sleeps.empty());
}

TEST(CheckWait, AProtectionTheTokenCannotReadLeavesTheRulesets) {
    Harness harness;
    harness.github.protection_status = 403;
    harness.github.rules =
        json::array({{{"type", "required_status_checks"},
                      {"parameters", {{"required_status_checks", {{{"context", "build"}, {"integration_id", 1}}}}}}}});
    harness.github.check_runs = [](int) { return json::array({check_run("build", "completed", "success")}); };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->required_from, "rulesets of main");

    Harness nothing;
    nothing.github.protection_status = 403;
    auto refused = nothing.wait();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, WaitErrorKind::bad_input);
    EXPECT_NE(refused.error().message.find("403 Resource not accessible by integration"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("gate.required_checks"), std::string::npos);
}

TEST(CheckWait, ANewHeadMakesTheWaitStale) {
    Harness harness;
    harness.target.required_checks = {"build"};
    harness.github.head = [](int round) { return std::string(round <= 2 ? "c0ffee" : "decaf"); };
    harness.github.check_runs = [](int) { return json::array({check_run("build", "in_progress")}); };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->end, WaitEnd::stale);
    EXPECT_EQ(outcome->moved_to, "decaf");
    EXPECT_EQ(outcome->rounds, 2);
    EXPECT_FALSE(outcome->all_passed());

    // A head that is not the commit asked for is stale before any round.
    Harness other;
    other.target.required_checks = {"build"};
    other.target.sha = "0ld";
    auto at_once = other.wait();
    ASSERT_TRUE(at_once) << at_once.error().message;
    EXPECT_EQ(at_once->end, WaitEnd::stale);
    EXPECT_EQ(at_once->rounds, 0);
}

TEST(CheckWait, RateLimitsAreWaitedOutAsGitHubSays) {
    Harness harness;
    harness.target.required_checks = {"build"};
    harness.github.refusals = {
        {"/check-runs", 403, {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "reset+30"}}},
        {"/status", 429, {{"Retry-After", "7"}}},
    };
    harness.github.check_runs = [](int) { return json::array({check_run("build", "completed", "success")}); };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->end, WaitEnd::complete);
    EXPECT_EQ(outcome->rounds, 1);
    EXPECT_EQ(harness.sleeps, (std::vector<milliseconds>{seconds(30), seconds(7)}));
    ASSERT_EQ(harness.lines.size(), 3u);
    EXPECT_NE(harness.lines[0].find("waiting 30 s as X-RateLimit-Reset says"), std::string::npos) << harness.lines[0];
    EXPECT_NE(harness.lines[1].find("waiting 7 s as Retry-After says"), std::string::npos) << harness.lines[1];
}

TEST(CheckWait, ARateLimitPastTheTimeoutEndsOnTheLastRound) {
    Harness harness;
    harness.settings.timeout = minutes(10);
    harness.target.required_checks = {"build"};
    harness.github.check_runs = [&](int round) {
        if (round == 1) harness.github.refusals.push_back({"pulls/7", 429, {{"Retry-After", "3600"}}});
        return json::array({check_run("build", "in_progress")});
    };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->end, WaitEnd::timed_out);
    EXPECT_EQ(outcome->rounds, 1);
    EXPECT_EQ(word_of(*outcome, "build"), "in_progress");

    // Before any round there is nothing to judge: GitHub could not be read.
    Harness early;
    early.settings.timeout = minutes(10);
    early.target.required_checks = {"build"};
    early.github.refusals = {{"/check-runs", 429, {{"Retry-After", "3600"}}}};
    auto refused = early.wait();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, WaitErrorKind::unreachable);
    EXPECT_NE(refused.error().message.find("past the timeout"), std::string::npos) << refused.error().message;
}

TEST(CheckWait, ACheckThatNeverAppearsIsMissingAtTheTimeoutAndARunningOneIsNotComplete) {
    Harness harness;
    harness.settings.timeout = minutes(10);
    harness.target.required_checks = {"build", "deploy-preview"};
    harness.github.check_runs = [](int) { return json::array({check_run("build", "in_progress")}); };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->end, WaitEnd::timed_out);
    // Rounds at 0, 4, 8 and (the last, cut short) 10 minutes.
    EXPECT_EQ(outcome->rounds, 4);
    EXPECT_EQ(harness.sleeps, (std::vector<milliseconds>{minutes(4), minutes(4), minutes(2)}));
    EXPECT_EQ(outcome->waited, minutes(10));
    EXPECT_EQ(word_of(*outcome, "deploy-preview"), "missing");
    EXPECT_EQ(outcome->checks[1].progress, CheckProgress::missing);
    EXPECT_EQ(outcome->checks[0].progress, CheckProgress::in_progress);
    EXPECT_FALSE(outcome->all_passed());
    EXPECT_NE(harness.lines[2].find("last round in 120 s (at the timeout)"), std::string::npos) << harness.lines[2];
    EXPECT_NE(harness.lines[3].find("the timeout has passed"), std::string::npos) << harness.lines[3];
}

TEST(CheckWait, ReadsEveryPageOfCheckRunsAndTheBranchHeadWithoutAPullRequest) {
    Harness harness;
    harness.target.pull_number = 0;
    harness.target.branch = "release/1.x";
    harness.target.required_checks = {"shard-142"};
    harness.github.check_runs = [](int) {
        json runs = json::array();
        for (int i = 0; i < 150; ++i) runs.push_back(check_run("shard-" + std::to_string(i), "completed", "success"));
        return runs;
    };
    auto outcome = harness.wait();
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_EQ(outcome->check_runs.size(), 150u);
    EXPECT_TRUE(outcome->all_passed());
    EXPECT_EQ(outcome->branch, "release/1.x");
    const auto paths = harness.github.paths();
    EXPECT_EQ(paths.front(), "/repos/octo/shop/git/ref/heads/release/1.x");
    EXPECT_NE(std::find(paths.begin(), paths.end(), "/repos/octo/shop/commits/c0ffee/check-runs?per_page=100&page=2"),
              paths.end());
}

TEST(CheckWait, GitHubUnreachableIsAnErrorAfterTheAttempts) {
    Harness harness;
    harness.target.required_checks = {"build"};
    Repository nowhere{"http://127.0.0.1:" + std::to_string(test_support::unused_port()), "octo/shop", "t"};
    auto outcome = wait_for_checks(nowhere, harness.target, harness.settings, harness.seams());
    ASSERT_FALSE(outcome);
    EXPECT_EQ(outcome.error().kind, WaitErrorKind::unreachable);
    EXPECT_NE(outcome.error().message.find("no answer after 3 attempts"), std::string::npos) << outcome.error().message;
    EXPECT_EQ(harness.sleeps, (std::vector<milliseconds>{seconds(10), seconds(10)}));

    Harness bare;
    bare.target.pull_number = 0;
    auto nothing = bare.wait();
    ASSERT_FALSE(nothing);
    EXPECT_EQ(nothing.error().kind, WaitErrorKind::bad_input);
}

TEST(CheckWait, TheRealIntervalIsUniformWithinItsBounds) {
    WaitSeams seams = real_wait_seams();
    bool low_half = false;
    bool high_half = false;
    for (int i = 0; i < 200; ++i) {
        milliseconds picked = seams.pick_interval(seconds(120), seconds(240));
        ASSERT_GE(picked, seconds(120));
        ASSERT_LE(picked, seconds(240));
        low_half = low_half || picked < seconds(180);
        high_half = high_half || picked >= seconds(180);
    }
    EXPECT_TRUE(low_half && high_half);
    EXPECT_EQ(seams.pick_interval(seconds(1), seconds(1)), seconds(1));
}

TEST(CommitChecks, SeveralReadingsOfOneNameCountAsTheLeastAdvancedAndWorst) {
    const json runs =
        json::array({check_run("build", "completed", "success"), check_run("lint", "completed", "success")});
    const json statuses =
        json::array({{{"context", "build"}, {"state", "pending"}}, {{"context", "lint"}, {"state", "error"}}});
    auto checks = snapshot_required_checks({"build", "lint", "gone"}, runs, statuses);
    ASSERT_EQ(checks.size(), 3u);
    EXPECT_EQ(checks[0].word, "pending");
    EXPECT_FALSE(checks[0].complete());
    EXPECT_EQ(checks[1].word, "error");
    EXPECT_TRUE(checks[1].complete());
    EXPECT_FALSE(checks[1].passed());
    EXPECT_EQ(checks[2].progress, CheckProgress::missing);
    EXPECT_EQ(describe_round(2, checks, "next in 5 s"),
              "round 2: 1/3 complete (build: pending, lint: error, gone: missing), next in 5 s");
}

}  // namespace
}  // namespace greenlight::github
