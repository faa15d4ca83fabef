#include "greenlight/github/rest.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

namespace greenlight::github::rest {

Connection connect(const Repository& repository, std::optional<std::chrono::milliseconds> timeout) {
    std::string origin = repository.api_url;
    std::string prefix;
    if (auto scheme = origin.find("://"); scheme != std::string::npos) {
        if (auto slash = origin.find('/', scheme + 3); slash != std::string::npos) {
            prefix = origin.substr(slash);
            origin.resize(slash);
            if (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
        }
    }
    web::HttpClientOptions options;
    options.connect_timeout = timeout.value_or(std::chrono::seconds(10));
    options.read_timeout = timeout.value_or(std::chrono::seconds(30));
    options.write_timeout = timeout.value_or(std::chrono::seconds(30));
    options.redirects = web::FollowRedirects::no;
    return Connection{web::HttpClient(options), std::move(origin), std::move(prefix),
                      web::Headers{{"Authorization", "Bearer " + repository.token},
                                   {"Accept", "application/vnd.github+json"},
                                   {"X-GitHub-Api-Version", "2022-11-28"},
                                   {"User-Agent", "greenlight"}}};
}

std::string message_of(const web::HttpResult& response) {
    if (!response) return web::describe(response.failure());
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    if (body.is_object() && body.contains("message") && body["message"].is_string()) {
        return body["message"].get<std::string>();
    }
    return response->body.substr(0, 200);
}

long long rate_limit_wait(const web::HttpResult& response) {
    if (!response) return -1;
    return rate_limit_wait(*response, std::time(nullptr));
}

long long rate_limit_wait(const web::HttpResponse& response, std::time_t now) {
    const bool limited =
        response.status == 429 || (response.status == 403 && response.get_header_value("x-ratelimit-remaining") == "0");
    if (!limited) return -1;
    if (response.has_header("retry-after")) return std::atoll(response.get_header_value("retry-after").c_str());
    if (response.has_header("x-ratelimit-reset")) {
        long long reset = std::atoll(response.get_header_value("x-ratelimit-reset").c_str());
        return std::max<long long>(0, reset - static_cast<long long>(now));
    }
    return 60;
}

}  // namespace greenlight::github::rest
