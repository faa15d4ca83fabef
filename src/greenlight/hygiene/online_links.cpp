#include "greenlight/hygiene/online_links.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "greenlight/util/fs.hpp"
#include "greenlight/util/parallel.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::hygiene {

namespace {

using SystemClock = std::chrono::system_clock;
using SteadyClock = std::chrono::steady_clock;

struct Answer {
    int status = 0;             // HTTP status; 0 when there was none
    std::string failure;        // why there was no status (connection refused, timeout, ...)
    bool rate_limited = false;  // still 429 after every attempt
    bool from_cache = false;
};

struct SplitUrl {
    std::string origin;  // scheme://host[:port]
    std::string host;
    std::string target;  // path and query

    std::string url() const { return origin + target; }
};

std::optional<SplitUrl> split_url(std::string_view url) {
    const size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return std::nullopt;
    const size_t authority_begin = scheme_end + 3;
    size_t authority_end = url.find_first_of("/?#", authority_begin);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    if (authority_end == authority_begin) return std::nullopt;
    SplitUrl split;
    split.origin = std::string(url.substr(0, authority_end));
    split.host = std::string(url.substr(authority_begin, authority_end - authority_begin));
    std::string_view target = url.substr(authority_end);
    if (const size_t fragment = target.find('#'); fragment != std::string_view::npos)
        target = target.substr(0, fragment);
    split.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
    return split;
}

std::string without_fragment(const std::string& url) {
    const size_t fragment = url.find('#');
    return fragment == std::string::npos ? url : url.substr(0, fragment);
}

// Per host: when the next request may go out. A 429 pushes it back for every thread at once.
class HostGate {
public:
    void wait_turn(const std::string& host) {
        SteadyClock::time_point until;
        {
            std::lock_guard lock(m_mutex);
            until = m_not_before[host];
        }
        if (until > SteadyClock::now()) std::this_thread::sleep_until(until);
    }

    void hold_back(const std::string& host, std::chrono::seconds delay) {
        std::lock_guard lock(m_mutex);
        m_not_before[host] = std::max(m_not_before[host], SteadyClock::now() + delay);
    }

private:
    std::mutex m_mutex;
    std::unordered_map<std::string, SteadyClock::time_point> m_not_before;
};

// Retry-After as seconds; an HTTP date or nonsense counts as a short wait.
std::chrono::seconds retry_after(const web::HttpResult& response) {
    const std::string value = response->get_header_value("Retry-After");
    if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        value.size() < 7) {
        return std::chrono::seconds(std::stol(value));
    }
    return std::chrono::seconds(2);
}

// One client per thread: it keeps a connection open while the next link is on the same server.
web::HttpClient link_client(const OnlineOptions& options) {
    web::HttpClientOptions client;
    client.connect_timeout = options.connect_timeout;
    client.read_timeout = options.read_timeout;
    client.write_timeout = options.read_timeout;
    client.redirects = web::FollowRedirects::yes;
    return web::HttpClient(client);
}

Answer ask(const std::string& url, web::HttpClient& client, const OnlineOptions& options, HostGate& gate) {
    Answer answer;
    const std::optional<SplitUrl> split = split_url(url);
    if (!split) {
        answer.failure = "not a URL greenlight can fetch";
        return answer;
    }
    const web::Headers headers{{"User-Agent", "greenlight-check-links"}};
    for (int attempt = 1;; ++attempt) {
        gate.wait_turn(split->host);
        web::HttpResult response = client.head(split->url(), headers);
        // Some servers do not do HEAD; the page may still be there. Its body is not needed.
        if (response && (response->status == 405 || response->status == 501)) {
            response = client.send(
                {web::HttpMethod::get, split->url(), headers, {}, {}, [](std::string_view) { return true; }});
        }
        if (!response) {
            answer.failure = web::describe(response.failure());
            return answer;
        }
        if (response->status == 429) {
            if (attempt >= options.attempts) {
                answer.rate_limited = true;
                answer.status = 429;
                return answer;
            }
            gate.hold_back(split->host, std::min(retry_after(response), options.longest_retry_after));
            continue;
        }
        answer.status = response->status;
        return answer;
    }
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(SystemClock::now().time_since_epoch()).count();
}

// The cache: url -> {status, checked_at (seconds since the epoch)}; only answers that the page is there
// are kept, so a fixed link is not reported dead from memory, nor a dead one trusted for long.
nlohmann::json load_cache(const std::filesystem::path& file) {
    if (file.empty()) return nlohmann::json::object();
    util::Result<std::string> text = util::read_file(file);
    if (!text) return nlohmann::json::object();
    nlohmann::json cache = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!cache.is_object() || !cache.contains("urls") || !cache["urls"].is_object()) return nlohmann::json::object();
    return cache["urls"];
}

}  // namespace

OnlineOutcome check_online_links(const std::vector<ExternalLink>& links, const OnlineOptions& options) {
    OnlineOutcome outcome;
    std::map<std::string, std::vector<const ExternalLink*>> places;
    for (const ExternalLink& link : links) places[without_fragment(link.url)].push_back(&link);

    nlohmann::json cache = load_cache(options.cache_file);
    const std::int64_t now = now_seconds();
    const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(options.cache_lifetime).count();
    std::vector<std::string> urls;
    std::unordered_map<std::string, Answer> answers;
    for (const auto& [url, unused] : places) {
        const auto entry = cache.find(url);
        if (entry != cache.end() && entry->is_object() &&
            entry->value("checked_at", std::int64_t{0}) > now - lifetime) {
            Answer cached;
            cached.status = entry->value("status", 200);
            cached.from_cache = true;
            answers.emplace(url, cached);
            continue;
        }
        urls.push_back(url);
    }

    std::vector<Answer> fresh(urls.size());
    HostGate gate;
    util::for_each_index_in_parallel_with_state(
        urls.size(), static_cast<size_t>(std::max(1, options.concurrency)), [&] { return link_client(options); },
        [&](web::HttpClient& client, size_t index) { fresh[index] = ask(urls[index], client, options, gate); });
    for (size_t index = 0; index < urls.size(); ++index) {
        if (fresh[index].status > 0 && fresh[index].status < 400) {
            cache[urls[index]] = {{"status", fresh[index].status}, {"checked_at", now}};
        }
        answers.emplace(urls[index], fresh[index]);
    }

    for (const auto& [url, link_places] : places) {
        const Answer& answer = answers.at(url);
        if (answer.rate_limited) {
            ++outcome.unverified;
            continue;
        }
        ++outcome.checked;
        if (answer.from_cache) ++outcome.from_cache;
        if (answer.status > 0 && answer.status < 400) continue;
        const std::string found =
            answer.status > 0 ? fmt::format("HTTP {}", answer.status) : fmt::format("no answer ({})", answer.failure);
        for (const ExternalLink* link : link_places) {
            Finding finding;
            finding.rule = "dead-link";
            finding.path = link->path;
            finding.line = link->line;
            finding.column = link->column;
            finding.message = fmt::format("`{}`: expected a page (HTTP 2xx or 3xx), found {}; fix or remove the link",
                                          link->url, found);
            outcome.findings.push_back(std::move(finding));
        }
    }

    if (!options.cache_file.empty()) {
        // Forget answers older than their lifetime so that the file does not grow forever.
        for (auto entry = cache.begin(); entry != cache.end();) {
            if (!entry->is_object() || entry->value("checked_at", std::int64_t{0}) <= now - lifetime) {
                entry = cache.erase(entry);
            } else {
                ++entry;
            }
        }
        const nlohmann::json document{{"version", 1}, {"urls", cache}};
        // The cache only saves time: failing to write it is not worth failing the check.
        (void)util::make_directories(options.cache_file.parent_path());
        (void)util::write_file_atomic(options.cache_file, document.dump(2) + "\n", util::Durability::process_crash);
    }
    return outcome;
}

}  // namespace greenlight::hygiene
