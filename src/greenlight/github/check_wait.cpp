// The wait for a commit's required checks: GitHub's answers read with retries and rate limits, and the rounds.
#include "greenlight/github/check_wait.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <random>
#include <thread>

#include "greenlight/github/rest.hpp"

namespace greenlight::github {

namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// Percent-encodes a branch name for a URL path, keeping its '/' (GitHub's routes take them as they are).
std::string branch_segment(std::string_view branch) {
    std::string out;
    for (unsigned char c : branch) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string string_at(const json& object, std::initializer_list<const char*> keys) {
    const json* node = &object;
    for (const char* key : keys) {
        if (!node->is_object()) return {};
        auto found = node->find(key);
        if (found == node->end()) return {};
        node = &*found;
    }
    return node->is_string() ? node->get<std::string>() : std::string();
}

long long whole_seconds_up(milliseconds duration) {
    return (duration.count() + 999) / 1000;
}

struct Answer {
    int status = 0;
    json body;
    std::string message;  // GitHub's message, for errors
};

// GET requests to the API with the wait's patience: transient failures tried again, rate limits waited out
// within the deadline.
class Api {
public:
    Api(const Repository& repository, const WaitSettings& settings, const WaitSeams& seams, SteadyTime deadline)
        : m_connection(rest::connect(repository)),
          m_repository(repository),
          m_settings(settings),
          m_seams(seams),
          m_deadline(deadline) {}

    // A path under the repository: "/pulls/7" is GET {api}/repos/{owner}/{repo}/pulls/7.
    util::Result<Answer, WaitError> get(const std::string& repository_path) {
        const std::string path = fmt::format("{}/repos/{}{}", m_connection.prefix, m_repository.name, repository_path);
        for (int attempt = 1;; ++attempt) {
            web::HttpResult response = m_connection.client.get(m_connection.url(path), m_connection.headers);
            const bool transient = !response || response->status >= 500;
            if (transient) {
                if (attempt < m_settings.attempts) {
                    m_seams.sleep(std::min<milliseconds>(m_settings.interval_min, std::chrono::seconds(10)));
                    continue;
                }
                return WaitError{response
                                     ? fmt::format("GET {}: GitHub answered {} {} times: {}", path, response->status,
                                                   attempt, rest::message_of(response))
                                     : fmt::format("GET {}{}: no answer after {} attempts: {}", m_repository.api_url,
                                                   path, attempt, rest::message_of(response)),
                                 WaitErrorKind::unreachable};
            }
            if (auto wait = rate_limit_wait(*response)) {
                const SteadyTime now = m_seams.clock->steady_now();
                if (now + *wait > m_deadline) {
                    m_rate_limited_past_deadline = true;
                    return WaitError{fmt::format("GET {}: rate limited by GitHub ({}) for {} s more, past the timeout",
                                                 path, rest::message_of(response), whole_seconds_up(*wait)),
                                     WaitErrorKind::unreachable};
                }
                if (m_settings.progress) {
                    m_settings.progress(fmt::format("GitHub rate limit ({} {}): waiting {} s as {} says",
                                                    response->status, rest::message_of(response),
                                                    whole_seconds_up(*wait), m_wait_source));
                }
                m_seams.sleep(*wait);
                attempt = 0;  // a rate limit is not a failed attempt
                continue;
            }
            Answer answer;
            answer.status = response->status;
            answer.body = json::parse(response->body, nullptr, false);
            answer.message = rest::message_of(response);
            return answer;
        }
    }

    // A 2xx answer's JSON, or an error quoting GitHub.
    util::Result<json, WaitError> get_ok(const std::string& repository_path) {
        auto answer = get(repository_path);
        if (!answer) return answer.error();
        if (answer->status < 200 || answer->status >= 300 || answer->body.is_discarded()) {
            return WaitError{fmt::format("GET /repos/{}{}: GitHub answered {}: {}", m_repository.name, repository_path,
                                         answer->status, answer->message),
                             WaitErrorKind::unreachable};
        }
        return std::move(answer->body);
    }

    bool rate_limited_past_deadline() const { return m_rate_limited_past_deadline; }

private:
    // How long a rate-limited answer asks to wait (at least a second, so a reset that just passed does not make
    // a burst); nothing when it is not rate limiting. A 403 with Retry-After is GitHub's secondary rate limit.
    std::optional<milliseconds> rate_limit_wait(const web::HttpResponse& response) {
        const std::time_t now = std::chrono::system_clock::to_time_t(m_seams.clock->now());
        long long seconds = rest::rate_limit_wait(response, now);
        if (seconds < 0 && response.status == 403 && response.has_header("retry-after")) {
            seconds = std::atoll(response.get_header_value("retry-after").c_str());
        }
        if (seconds < 0) return std::nullopt;
        m_wait_source = response.has_header("retry-after")         ? "Retry-After"
                        : response.has_header("x-ratelimit-reset") ? "X-RateLimit-Reset"
                                                                   : "nothing (a minute)";
        return std::max<milliseconds>(std::chrono::seconds(seconds), std::chrono::seconds(1));
    }

    rest::Connection m_connection;
    const Repository& m_repository;
    const WaitSettings& m_settings;
    const WaitSeams& m_seams;
    SteadyTime m_deadline;
    bool m_rate_limited_past_deadline = false;
    std::string m_wait_source;
};

struct Head {
    std::string sha;
    std::string branch;  // the protected branch: a pull request's base, else the branch itself
};

util::Result<Head, WaitError> read_head(Api& api, const WaitTarget& target) {
    Head head;
    std::string asked;
    if (target.pull_number > 0) {
        asked = fmt::format("/pulls/{}", target.pull_number);
        auto pull = api.get_ok(asked);
        if (!pull) return pull.error();
        head.sha = string_at(*pull, {"head", "sha"});
        head.branch = string_at(*pull, {"base", "ref"});
    } else {
        asked = "/git/ref/heads/" + branch_segment(target.branch);
        auto ref = api.get_ok(asked);
        if (!ref) return ref.error();
        head.sha = string_at(*ref, {"object", "sha"});
        head.branch = target.branch;
    }
    if (head.sha.empty()) {
        return WaitError{fmt::format("GET {}: GitHub's answer names no head commit", asked),
                         WaitErrorKind::unreachable};
    }
    return head;
}

// The checks the branch's protection and rulesets require. A protection GitHub will not show (403: the token
// may not read it) or that does not exist (404) requires nothing; the error then says so.
util::Result<WaitOutcome, WaitError> read_required_checks(Api& api, const std::string& branch, WaitOutcome outcome) {
    const std::string segment = branch_segment(branch);
    std::string unread;
    std::vector<std::string> from;
    auto protection = api.get("/branches/" + segment + "/protection/required_status_checks");
    if (!protection) return protection.error();
    if (protection->status == 200) {
        outcome.required = required_checks_from_protection(protection->body);
        if (!outcome.required.empty()) from.push_back("branch protection");
    } else if (protection->status == 403 || protection->status == 401) {
        unread =
            fmt::format(" (GitHub did not show the branch protection: {} {})", protection->status, protection->message);
    } else if (protection->status != 404) {
        return WaitError{fmt::format("GET the branch protection of {}: GitHub answered {}: {}", branch,
                                     protection->status, protection->message),
                         WaitErrorKind::unreachable};
    }
    auto rules = api.get_ok("/rules/branches/" + segment + "?per_page=100");
    if (!rules) return rules.error();
    std::size_t before = outcome.required.size();
    for (const auto& name : required_checks_from_rules(*rules)) {
        if (std::find(outcome.required.begin(), outcome.required.end(), name) == outcome.required.end()) {
            outcome.required.push_back(name);
        }
    }
    if (outcome.required.size() > before) from.push_back("rulesets");
    if (outcome.required.empty()) {
        return WaitError{fmt::format("no required checks to wait for: gate.required_checks names none, and neither "
                                     "the branch protection nor the rulesets of {} require any{}; name them in "
                                     "gate.required_checks",
                                     branch, unread),
                         WaitErrorKind::bad_input};
    }
    outcome.required_from = fmt::format("{} of {}", fmt::join(from, " and "), branch);
    return outcome;
}

// Every page of a list answer: `key` holds the items and `total_count` how many there are.
util::Result<json, WaitError> read_all_pages(Api& api, const std::string& path, const char* key) {
    json items = json::array();
    constexpr int k_page_size = 100;
    constexpr int k_most_pages = 50;
    for (int page = 1; page <= k_most_pages; ++page) {
        auto answer = api.get_ok(fmt::format("{}?per_page={}&page={}", path, k_page_size, page));
        if (!answer) return answer.error();
        auto found = answer->find(key);
        if (found == answer->end() || !found->is_array() || found->empty()) break;
        for (auto& item : *found) items.push_back(std::move(item));
        const auto total = answer->value("total_count", 0LL);
        if (static_cast<long long>(items.size()) >= total || static_cast<int>(found->size()) < k_page_size) break;
    }
    return items;
}

std::string format_seconds(milliseconds duration) {
    return fmt::format("{} s", whole_seconds_up(duration));
}

}  // namespace

WaitSeams real_wait_seams() {
    static const util::SystemClock clock;
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    WaitSeams seams;
    seams.clock = &clock;
    seams.sleep = [](milliseconds duration) { std::this_thread::sleep_for(duration); };
    seams.pick_interval = [engine](milliseconds low, milliseconds high) {
        std::uniform_int_distribution<long long> pick(low.count(), std::max(low, high).count());
        return milliseconds(pick(*engine));
    };
    return seams;
}

std::string_view to_string(WaitEnd end) {
    switch (end) {
        case WaitEnd::complete:
            return "complete";
        case WaitEnd::timed_out:
            return "timed-out";
        case WaitEnd::stale:
            return "stale";
    }
    return "complete";
}

bool WaitOutcome::all_passed() const {
    return end != WaitEnd::stale &&
           std::all_of(checks.begin(), checks.end(), [](const CheckSnapshot& check) { return check.passed(); });
}

std::string describe_round(int round, const std::vector<CheckSnapshot>& checks, std::string_view what_next) {
    std::vector<std::string> not_passed;
    std::size_t complete = 0;
    for (const auto& check : checks) {
        if (check.complete()) ++complete;
        if (!check.passed()) not_passed.push_back(fmt::format("{}: {}", check.name, check.word));
    }
    std::string line = fmt::format("round {}: {}/{} complete", round, complete, checks.size());
    if (!not_passed.empty()) line += fmt::format(" ({})", fmt::join(not_passed, ", "));
    if (!what_next.empty()) line += fmt::format(", {}", what_next);
    return line;
}

util::Result<WaitOutcome, WaitError> wait_for_checks(const Repository& repository, const WaitTarget& target,
                                                     const WaitSettings& settings, const WaitSeams& seams) {
    if (target.pull_number <= 0 && target.branch.empty()) {
        return WaitError{"nothing to wait on: give the pull request (--pr N, --event) or the branch (--branch)",
                         WaitErrorKind::bad_input};
    }
    const SteadyTime start = seams.clock->steady_now();
    const SteadyTime deadline = start + settings.timeout;
    Api api(repository, settings, seams, deadline);
    auto progress = [&](const std::string& line) {
        if (settings.progress) settings.progress(line);
    };

    auto head = read_head(api, target);
    if (!head) return head.error();
    WaitOutcome outcome;
    outcome.sha = target.sha.empty() ? head->sha : target.sha;
    outcome.branch = head->branch;
    if (!target.required_checks.empty()) {
        outcome.required = target.required_checks;
        outcome.required_from = "gate.required_checks";
    } else {
        auto with_required = read_required_checks(api, head->branch, std::move(outcome));
        if (!with_required) return with_required.error();
        outcome = std::move(*with_required);
    }
    auto finish = [&](WaitEnd end) {
        outcome.end = end;
        outcome.waited = std::chrono::duration_cast<milliseconds>(seams.clock->steady_now() - start);
        return outcome;
    };
    // A rate limit that outlasts the timeout ends the wait on what the last round saw; before any round, there
    // is nothing to judge.
    auto out_of_time_or = [&](const WaitError& error) -> util::Result<WaitOutcome, WaitError> {
        if (api.rate_limited_past_deadline() && outcome.rounds > 0) {
            progress(error.message);
            return finish(WaitEnd::timed_out);
        }
        return error;
    };

    const std::string commit = "/commits/" + outcome.sha;
    for (int round = 1;; ++round) {
        if (round > 1) {
            head = read_head(api, target);
            if (!head) return out_of_time_or(head.error());
        }
        if (head->sha != outcome.sha) {
            outcome.moved_to = head->sha;
            return finish(WaitEnd::stale);
        }
        auto runs = read_all_pages(api, commit + "/check-runs", "check_runs");
        if (!runs) return out_of_time_or(runs.error());
        auto statuses = read_all_pages(api, commit + "/status", "statuses");
        if (!statuses) return out_of_time_or(statuses.error());
        outcome.rounds = round;
        outcome.check_runs = std::move(*runs);
        outcome.status = json{{"sha", outcome.sha}, {"statuses", std::move(*statuses)}};
        outcome.checks = snapshot_required_checks(outcome.required, outcome.check_runs, outcome.status["statuses"]);

        const bool complete = std::all_of(outcome.checks.begin(), outcome.checks.end(),
                                          [](const CheckSnapshot& check) { return check.complete(); });
        if (complete) {
            progress(describe_round(round, outcome.checks, ""));
            return finish(WaitEnd::complete);
        }
        const SteadyTime now = seams.clock->steady_now();
        if (now >= deadline) {
            progress(describe_round(round, outcome.checks, "the timeout has passed"));
            return finish(WaitEnd::timed_out);
        }
        milliseconds interval = seams.pick_interval(settings.interval_min, settings.interval_max);
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
        const bool last = interval >= left;
        if (last) interval = left;
        progress(describe_round(round, outcome.checks,
                                last ? fmt::format("last round in {} (at the timeout)", format_seconds(interval))
                                     : fmt::format("next in {}", format_seconds(interval))));
        seams.sleep(interval);
    }
}

}  // namespace greenlight::github
