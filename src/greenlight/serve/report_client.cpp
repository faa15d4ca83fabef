#include "greenlight/serve/report_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "greenlight/bridge/client.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/bundle/run_id.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::serve {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

// A runaway server answering 503 at once must not make a client spin: this bounds attempts whatever the budget.
constexpr int k_max_attempts = 50;
constexpr std::size_t k_max_message_bytes = 500;

bool is_port(std::string_view text) {
    return !text.empty() && text.size() <= 5 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
           std::stoi(std::string(text)) <= 65535;
}

}  // namespace

util::Result<std::string> token_from_environment() {
    const char* token = std::getenv(k_token_variable);
    if (!token || !*token) {
        return util::make_error(fmt::format(
            "no ingestion token: set {} to a token made with `greenlight serve token create` (it is read from the "
            "environment only, never from the command line)",
            k_token_variable));
    }
    return std::string(token);
}

util::Result<ServerAddress> parse_server_url(std::string_view url) {
    const auto bad = [&](std::string_view why) {
        return util::make_error(
            fmt::format("'{}' is not a server URL: {}; expected http(s)://host[:port][/path] such "
                        "as https://ci.example:8080",
                        util::printable(url), why));
    };
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return bad("no scheme");
    const std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return bad("the scheme must be http or https");
    std::string_view rest = url.substr(scheme_end + 3);
    const std::size_t path_start = rest.find('/');
    std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
    if (authority.find('@') != std::string_view::npos) {
        return bad(fmt::format("it holds user info; the token comes from {}, never from the URL", k_token_variable));
    }
    if (rest.find_first_of("?#") != std::string_view::npos) return bad("it has a query or fragment");
    std::string_view host = authority;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return bad("an IPv6 host without ']'");
        host = authority.substr(0, close + 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && (after.front() != ':' || !is_port(after.substr(1)))) return bad("a bad port");
    } else if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        if (!is_port(authority.substr(colon + 1))) return bad("a bad port");
    }
    if (host.empty()) return bad("no host");
    for (char c : host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '[' || c == ']' ||
              c == ':')) {
            return bad("the host has characters a host name cannot have");
        }
    }
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    for (char c : path) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == '%' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f) {
            return bad("the path has characters that would need encoding");
        }
    }
    return ServerAddress{std::string(scheme) + "://" + std::string(authority), std::string(path)};
}

void sleep_for_real(milliseconds wait) {
    std::this_thread::sleep_for(wait);
}

bool is_packed_bundle(const fs::path& path) {
    const std::string name = path.filename().string();
    return name.ends_with(".tar.gz") || name.ends_with(".tgz");
}

struct ReportClient::Impl {
    ReportClientOptions options;
    ServerAddress address;
    const util::Clock* clock = nullptr;
    Sleep sleep;
    web::HttpClient http;

    // The token must never reach a terminal or a log, even if a server echoes the request back.
    std::string scrub(std::string text) const {
        util::replace_all(text, options.token, "<token>");
        return text;
    }

    // The server's own words: the "error" or "message" of a JSON answer, else the start of the body.
    std::string server_message(const web::HttpResponse& response) const {
        std::string message;
        const auto body = nlohmann::json::parse(response.body, nullptr, false);
        if (body.is_object()) {
            for (const char* key : {"error", "message"}) {
                if (auto found = body.find(key); found != body.end() && found->is_string()) {
                    message = found->get<std::string>();
                    break;
                }
            }
        }
        if (message.empty()) message = std::string(util::trim(response.body));
        if (message.size() > k_max_message_bytes) message = util::cap_head_and_tail(message, k_max_message_bytes);
        return scrub(util::printable(message));
    }

    // One request, retried on connection errors, 5xx and 429 until the budget is spent.
    SendOutcome put(const std::string& path, const std::string& body, const std::string& content_type) {
        const std::string where = fmt::format("PUT {}{}", options.url, path.substr(address.path_prefix.size()));
        const web::Headers headers = {
            {"Authorization", "Bearer " + options.token}, {"Accept", "application/json"}, {"User-Agent", "greenlight"}};
        const auto deadline = clock->steady_now() + options.retry_budget;
        milliseconds backoff = options.first_backoff;
        SendOutcome outcome;
        for (;;) {
            ++outcome.attempts;
            web::HttpResult result = http.put(address.origin + path, headers, body, content_type);
            SendFailure failure;
            std::optional<milliseconds> wait;
            if (!result) {
                failure.message = fmt::format("{}: {}", where, bridge::describe_transport_error(result.failure()));
                // A certificate that does not verify will not verify on a retry either.
                if (result.error() == web::HttpError::server_verification ||
                    result.error() == web::HttpError::loading_certificates) {
                    failure.kind = SendFailure::Kind::rejected;
                    outcome.failure = std::move(failure);
                    return outcome;
                }
                wait = backoff;
            } else if (result->status == 201 || result->status == 200) {
                outcome.stored = result->status == 201 ? Stored::created : Stored::already_stored;
                return outcome;
            } else if (result->status >= 200 && result->status < 300) {
                outcome.stored = Stored::created;
                return outcome;
            } else {
                failure.http_status = result->status;
                failure.message = fmt::format("{}: HTTP {}: {}", where, result->status, server_message(*result));
                if (result->status == 429 || result->status >= 500) {
                    wait = backoff;
                    if (result->has_header("Retry-After")) {
                        if (auto asked = bridge::parse_retry_after(result->get_header_value("Retry-After"),
                                                                   std::chrono::system_clock::now())) {
                            wait = *asked;
                        }
                    }
                } else {
                    failure.kind = SendFailure::Kind::rejected;
                    outcome.failure = std::move(failure);
                    return outcome;
                }
            }
            const auto now = clock->steady_now();
            if (outcome.attempts >= k_max_attempts || now + *wait > deadline) {
                failure.kind = SendFailure::Kind::unreachable;
                failure.message +=
                    fmt::format(" (gave up after {} attempt{} within the {} s retry budget)", outcome.attempts,
                                outcome.attempts == 1 ? "" : "s",
                                std::chrono::duration_cast<std::chrono::seconds>(options.retry_budget).count());
                outcome.failure = std::move(failure);
                return outcome;
            }
            sleep(*wait);
            backoff = std::min(backoff * 2, options.max_backoff);
        }
    }

    std::string runs_path(const std::string& run_id) const { return address.path_prefix + "/api/v1/runs/" + run_id; }
};

util::Result<ReportClient> ReportClient::create(ReportClientOptions options, const util::Clock& clock, Sleep sleep) {
    auto address = parse_server_url(options.url);
    if (!address) return address.error();
    while (!options.url.empty() && options.url.back() == '/') options.url.pop_back();
    if (options.token.empty()) return token_from_environment().error();
    if (options.request_timeout.count() <= 0) return util::make_error("the request timeout must be greater than zero");
    if (options.ca_file) {
        std::error_code error;
        if (!fs::is_regular_file(*options.ca_file, error)) {
            return util::make_error(
                fmt::format("the CA file {} does not exist or is not a file", options.ca_file->string()));
        }
    }
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->address = std::move(*address);
    impl->clock = &clock;
    impl->sleep = std::move(sleep);
    const ReportClientOptions& settings = impl->options;
    web::HttpClientOptions http;
    http.connect_timeout = settings.request_timeout;
    http.read_timeout = settings.request_timeout;
    http.write_timeout = settings.request_timeout;
    http.redirects = web::FollowRedirects::no;  // a redirect could carry the token to another host
    http.ca_file = settings.ca_file;
    http.tls = settings.tls == TlsVerification::verify ? web::TlsVerification::verify : web::TlsVerification::skip;
    impl->http = web::HttpClient(std::move(http));
    return ReportClient(std::move(impl));
}

ReportClient::ReportClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ReportClient::~ReportClient() = default;
ReportClient::ReportClient(ReportClient&&) noexcept = default;
ReportClient& ReportClient::operator=(ReportClient&&) noexcept = default;

namespace {

SendOutcome refused(std::string message) {
    SendOutcome outcome;
    outcome.failure = SendFailure{SendFailure::Kind::rejected, 0, std::move(message)};
    return outcome;
}

}  // namespace

SendOutcome ReportClient::send_report(const RunRecord& run) {
    if (!bundle::valid_run_id(run.run_id)) {
        return refused(
            fmt::format("run id '{}' cannot be sent: it is not a valid run id", util::printable(run.run_id)));
    }
    return m_impl->put(m_impl->runs_path(run.run_id), run_report_body(run), "application/json");
}

SendOutcome ReportClient::send_bundle(const std::string& run_id, const fs::path& bundle) {
    if (!bundle::valid_run_id(run_id)) {
        return refused(fmt::format("run id '{}' cannot be sent: it is not a valid run id", util::printable(run_id)));
    }
    fs::path packed = bundle;
    util::TemporaryDirectory scratch("greenlight-push");
    if (!is_packed_bundle(bundle)) {
        if (scratch.path().empty()) return refused("cannot create a temporary folder to pack the bundle in");
        packed = scratch.path() / (run_id + ".tar.gz");
        if (auto written = bundle::pack_bundle(bundle, packed); !written) {
            return refused(fmt::format("cannot pack {}: {}", bundle.string(), written.message()));
        }
    }
    auto bytes = util::read_file(packed);
    if (!bytes) return refused(bytes.message());
    return m_impl->put(m_impl->runs_path(run_id) + "/bundle", *bytes, "application/gzip");
}

}  // namespace greenlight::serve
