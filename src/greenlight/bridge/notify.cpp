#include "greenlight/bridge/notify.hpp"

#include <re2/re2.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "greenlight/util/strings.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::bridge {

namespace {

// Splits scheme://host[:port]/path into the origin to connect to and the path to request.
struct UrlParts {
    std::string origin;
    std::string host;
    std::string path;
};

std::optional<UrlParts> split_url(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return std::nullopt;
    const std::string_view scheme_name = url.substr(0, scheme);
    if (scheme_name != "http" && scheme_name != "https") return std::nullopt;
    const auto slash = url.find('/', scheme + 3);
    UrlParts parts;
    parts.origin = std::string(url.substr(0, slash));
    parts.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    std::string_view authority =
        url.substr(scheme + 3, slash == std::string_view::npos ? url.npos : slash - scheme - 3);
    if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
    if (auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.front() != '[') {
        authority = authority.substr(0, colon);
    }
    parts.host = util::lowercase(authority);
    return parts;
}

bool host_is(std::string_view host, std::string_view domain) {
    return host == domain ||
           (host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.');
}

}  // namespace

std::string redact_personal_data(std::string_view text) {
    // Plain addresses, with or without a dotted domain (user@host), and the spelled-out forms people use to
    // dodge scrapers: "name at host dot com", "name[at]host[dot]org", "name (at) host.org".
    static const RE2 k_address(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*)");
    static const RE2 k_spelled(
        R"((?i)[a-z0-9._%+\-]+\s*(?:\[at\]|\(at\)|\{at\}|\sat\s)\s*[a-z0-9\-]+(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s|\.)\s*[a-z0-9\-]+)*\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s|\.)\s*[a-z]{2,})");
    std::string out(text);
    RE2::GlobalReplace(&out, k_address, "[redacted]");
    RE2::GlobalReplace(&out, k_spelled, "[redacted]");
    return out;
}

std::string failure_text(const FailureSummary& summary) {
    std::string text = fmt::format("greenlight bridge run {}: {}", summary.run_id, summary.verdict);
    if (!summary.job.empty()) {
        text += fmt::format("\njob {} retcode {}, {} attempt{}", summary.job,
                            summary.retcode.empty() ? "none" : summary.retcode, summary.attempts,
                            summary.attempts == 1 ? "" : "s");
    }
    if (!summary.failed_assertions.empty()) {
        text += fmt::format("\nfailed: {}", util::join(summary.failed_assertions, ", "));
    }
    if (!summary.reason.empty()) text += fmt::format("\n{}", summary.reason);
    text += fmt::format("\nbundle: {}", summary.bundle.empty() ? "none written" : summary.bundle);
    return redact_personal_data(text);
}

ChatFormat chat_format_for(std::string_view url, std::string_view configured) {
    if (configured == "discord") return ChatFormat::discord;
    if (configured == "slack") return ChatFormat::slack;
    const auto parts = split_url(url);
    if (parts && (host_is(parts->host, "discord.com") || host_is(parts->host, "discordapp.com"))) {
        return ChatFormat::discord;
    }
    if (parts && parts->host == "hooks.slack.com") return ChatFormat::slack;
    return ChatFormat::both;
}

std::string chat_body(ChatFormat format, std::string_view text) {
    nlohmann::json body = nlohmann::json::object();
    if (format != ChatFormat::slack) body["content"] = text;
    if (format != ChatFormat::discord) body["text"] = text;
    return body.dump();
}

util::Status post_chat_webhook(std::string_view url, std::string_view text, ChatFormat format,
                               std::chrono::seconds timeout) {
    const auto parts = split_url(url);
    // The URL is a secret: messages never quote it.
    if (!parts) return util::make_error("the chat webhook URL is not an http(s) URL without user info");
    web::HttpClient client(web::HttpClientOptions::single_request(timeout));
    auto response = client.post(parts->origin + parts->path, {{"User-Agent", "greenlight"}}, chat_body(format, text),
                                "application/json");
    if (!response) {
        return util::make_error(
            fmt::format("chat webhook at {}: no answer: {}", parts->host, web::describe(response.failure())));
    }
    if (response->status < 200 || response->status >= 300) {
        return util::make_error(fmt::format("chat webhook at {} answered {}: {}", parts->host, response->status,
                                            util::printable(response->body.substr(0, 200))));
    }
    return {};
}

}  // namespace greenlight::bridge
