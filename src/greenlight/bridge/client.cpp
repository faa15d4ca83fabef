// The z/OSMF REST jobs client: the requests real z/OSMF clients (the Zowe CLI among them) make, so that
// the same code reaches a mainframe and `greenlight bridge serve`. Credentials never reach a message.
#include "greenlight/bridge/client.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "greenlight/util/base64.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/web/http_client.hpp"

namespace greenlight::bridge {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view k_jobs_path = "/zosmf/restjobs/jobs";
// How much of an unexpected body a message quotes.
constexpr std::size_t k_quoted_body = 200;

bool is_unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

// Percent-encodes a path segment or a query value. In query values `*`, the wildcard of owner and prefix,
// stays as written, as the Zowe CLI sends it.
std::string percent_encode(std::string_view text, bool keep_star = false) {
    std::string out;
    for (unsigned char c : text) {
        if (is_unreserved(c) || (keep_star && c == '*')) {
            out.push_back(static_cast<char>(c));
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string job_path(std::string_view jobname, std::string_view jobid) {
    return fmt::format("{}/{}/{}", k_jobs_path, percent_encode(jobname), percent_encode(jobid));
}

std::string quoted_body(std::string_view body) {
    std::string text = util::printable(util::trim(body.substr(0, k_quoted_body)));
    if (body.size() > k_quoted_body) text += "...";
    return text.empty() ? "an empty body" : fmt::format("'{}'", text);
}

std::optional<std::string> string_member(const nlohmann::json& document, const char* name) {
    auto found = document.find(name);
    if (found == document.end() || !found->is_string()) return std::nullopt;
    return found->get<std::string>();
}

}  // namespace

std::string describe_transport_error(const web::HttpFailure& failure) {
    // The system's or OpenSSL's own words, where they add something.
    const std::string detail = failure.detail.empty() ? "" : ": " + failure.detail;
    switch (failure.error) {
        case web::HttpError::connection_refused:
        case web::HttpError::connection_failed:
            return fmt::format("could not connect{} (is the server up, and are the host name and port right?)", detail);
        case web::HttpError::read:
            return "the connection closed before a complete answer came";
        case web::HttpError::write:
            return "could not send the request" + detail;
        case web::HttpError::connection_timeout:
            return "no connection within the request timeout";
        case web::HttpError::tls_handshake:
            return fmt::format("the TLS handshake failed{} (is the server speaking https on that port?)", detail);
        case web::HttpError::loading_certificates:
            return "could not load the CA certificates" + detail;
        case web::HttpError::server_verification:
            return fmt::format(
                "the server's TLS certificate could not be verified{} (give its CA with --ca-file, or use --insecure "
                "on a test server)",
                detail);
        default:
            return web::describe(failure);
    }
}

std::string_view to_string(ClientError::Kind kind) {
    switch (kind) {
        case ClientError::Kind::transport:
            return "transport";
        case ClientError::Kind::timeout:
            return "timeout";
        case ClientError::Kind::http:
            return "http";
        case ClientError::Kind::protocol:
            return "protocol";
    }
    return "transport";
}

std::string describe(const ClientError& error) {
    // A cancel or purge refused in the feedback of a 200 answer: the status would only confuse.
    if (error.kind == ClientError::Kind::http && error.http_status < 300) return error.message;
    if (error.kind == ClientError::Kind::http) return fmt::format("HTTP {}: {}", error.http_status, error.message);
    return fmt::format("{}: {}", to_string(error.kind), error.message);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    value = util::trim(value);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Only digits, so the one way to fail is overflow. A delay beyond a day is not one a poller should
        // honour as written: it is capped there.
        constexpr std::int64_t k_longest_delay_seconds = 86'400;
        std::int64_t seconds = 0;
        auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (error != std::errc() || seconds > k_longest_delay_seconds) seconds = k_longest_delay_seconds;
        return std::chrono::milliseconds(seconds * 1000);
    }
    // IMF-fixdate, the form HTTP/1.1 senders must use: "Sun, 06 Nov 1994 08:49:37 GMT".
    std::tm parts{};
    std::string text(value);
    const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    if (end == nullptr || *end != '\0') return std::nullopt;
    std::time_t when = ::timegm(&parts);
    if (when == static_cast<std::time_t>(-1)) return std::nullopt;
    auto delay = std::chrono::system_clock::from_time_t(when) - now;
    if (delay < std::chrono::system_clock::duration::zero()) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(delay);
}

util::Status validate_base_url(std::string_view url) {
    const auto bad = [&](std::string_view why) {
        return util::make_error(fmt::format(
            "'{}' is not a z/OSMF base URL: {}; expected scheme://host[:port] such as https://zosmf.example:443",
            util::printable(url), why));
    };
    std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return bad("no scheme");
    std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return bad("the scheme must be http or https");
    std::string_view rest = url.substr(scheme_end + 3);
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('@') != std::string_view::npos) {
        return bad(
            "it holds user info; credentials come from GREENLIGHT_BRIDGE_USER/GREENLIGHT_BRIDGE_PASSWORD "
            "or a credentials file, never from the URL");
    }
    if (rest.find_first_of("/?#") != std::string_view::npos) return bad("it has a path, query or fragment");
    std::string_view host = rest;
    std::string_view port;
    if (!rest.empty() && rest.front() == '[') {
        std::size_t close = rest.find(']');
        if (close == std::string_view::npos) return bad("an IPv6 host without ']'");
        host = rest.substr(0, close + 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("unexpected text after the host");
            port = after.substr(1);
            if (port.empty()) return bad("an empty port");
        }
    } else if (std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
        if (port.empty()) return bad("an empty port");
    }
    if (host.empty()) return bad("no host");
    for (char c : host) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '[' || c == ']' ||
              c == ':')) {
            return bad("the host has characters a host name cannot have");
        }
    }
    if (!port.empty()) {
        int number = 0;
        auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (error != std::errc() || end != port.data() + port.size() || number < 1 || number > 65535) {
            return bad("the port must be a number from 1 to 65535");
        }
    }
    return {};
}

util::Result<Credentials> load_credentials(const std::optional<std::filesystem::path>& file) {
    if (file) {
        struct stat info {};
        if (::stat(file->c_str(), &info) != 0) {
            return util::make_error(
                fmt::format("cannot read the credentials file {}: {}", file->string(), std::strerror(errno)));
        }
        if ((info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
            return util::make_error(
                fmt::format("the credentials file {} is readable by group or others (mode {:04o}); refusing to use it: "
                            "run `chmod 600 {}`",
                            file->string(), info.st_mode & 07777, file->string()));
        }
        auto content = util::read_file(*file);
        if (!content) return util::make_error(content.message());
        std::string_view text = *content;
        std::string_view first_line = text.substr(0, text.find('\n'));
        if (!first_line.empty() && first_line.back() == '\r') first_line.remove_suffix(1);
        std::size_t colon = first_line.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == first_line.size()) {
            // The line itself is never quoted: it may be the password alone.
            return util::make_error(
                fmt::format("the credentials file {} must hold \"user:password\" on its first line", file->string()));
        }
        return Credentials{std::string(first_line.substr(0, colon)), std::string(first_line.substr(colon + 1))};
    }
    const char* user = std::getenv("GREENLIGHT_BRIDGE_USER");
    const char* password = std::getenv("GREENLIGHT_BRIDGE_PASSWORD");
    std::vector<std::string> missing;
    if (user == nullptr || *user == '\0') missing.emplace_back("GREENLIGHT_BRIDGE_USER");
    if (password == nullptr || *password == '\0') missing.emplace_back("GREENLIGHT_BRIDGE_PASSWORD");
    if (!missing.empty()) {
        return util::make_error(fmt::format(
            "no credentials for the z/OSMF host: set {} (or give a credentials file holding \"user:password\", "
            "readable by its owner only)",
            util::join(missing, " and ")));
    }
    return Credentials{user, password};
}

util::Result<Job> job_from_zosmf_json(const nlohmann::json& document) {
    if (!document.is_object()) {
        return util::make_error(fmt::format("expected a job document (a JSON object); found {}", document.type_name()));
    }
    std::vector<std::string> missing;
    auto jobname = string_member(document, "jobname");
    auto jobid = string_member(document, "jobid");
    auto status = string_member(document, "status");
    if (!jobname || jobname->empty()) missing.emplace_back("jobname");
    if (!jobid || jobid->empty()) missing.emplace_back("jobid");
    if (!status) missing.emplace_back("status");
    if (!missing.empty()) {
        return util::make_error(fmt::format("the job document has no {} (as a string)", util::join(missing, ", ")));
    }
    Job job;
    job.jobname = *jobname;
    job.jobid = *jobid;
    if (*status == "INPUT") {
        job.status = JobStatus::input;
    } else if (*status == "ACTIVE") {
        job.status = JobStatus::active;
    } else if (*status == "OUTPUT") {
        job.status = JobStatus::output;
    } else {
        return util::make_error(fmt::format("job {}({}) has status '{}'; expected INPUT, ACTIVE or OUTPUT",
                                            util::printable(job.jobname), util::printable(job.jobid),
                                            util::printable(*status)));
    }
    if (auto retcode = document.find("retcode"); retcode != document.end() && !retcode->is_null()) {
        if (!retcode->is_string()) {
            return util::make_error(fmt::format("job {}({}) has a retcode that is not a string: {}",
                                                util::printable(job.jobname), util::printable(job.jobid),
                                                util::printable(retcode->dump())));
        }
        job.retcode = retcode->get<std::string>();
    }
    job.owner = string_member(document, "owner").value_or("");
    job.type = string_member(document, "type").value_or("JOB");
    job.job_class = string_member(document, "class").value_or("");
    if (auto phase = document.find("phase"); phase != document.end() && phase->is_number_integer()) {
        job.phase = phase->get<int>();
    }
    job.phase_name = string_member(document, "phase-name").value_or("");
    job.correlator = string_member(document, "job-correlator").value_or("");
    if (std::size_t colon = job.correlator.find(':'); colon != std::string::npos) {
        std::string user_part(util::trim(std::string_view(job.correlator).substr(colon + 1)));
        if (!user_part.empty()) job.user_correlator = std::move(user_part);
    }
    // z/OSMF 2.4 and later send these times when asked (exec-data=Y); without them the fields stay empty.
    job.submitted = string_member(document, "exec-submitted").value_or("");
    job.started = string_member(document, "exec-started");
    job.ended = string_member(document, "exec-ended");
    return job;
}

util::Result<SpoolFile> spool_file_from_zosmf_json(const nlohmann::json& document) {
    if (!document.is_object()) {
        return util::make_error(
            fmt::format("expected a spool file document (a JSON object); found {}", document.type_name()));
    }
    auto id = document.find("id");
    auto ddname = string_member(document, "ddname");
    if (id == document.end() || !id->is_number_integer() || !ddname) {
        return util::make_error(fmt::format("the spool file document has no {}",
                                            !ddname ? "ddname (as a string)" : "id (as a whole number)"));
    }
    SpoolFile file;
    file.id = id->get<int>();
    file.ddname = *ddname;
    file.jobid = string_member(document, "jobid").value_or("");
    file.jobname = string_member(document, "jobname").value_or("");
    file.correlator = string_member(document, "job-correlator").value_or("");
    file.stepname = string_member(document, "stepname").value_or("");
    file.procstep = string_member(document, "procstep");
    file.output_class = string_member(document, "class").value_or("");
    if (auto count = document.find("record-count"); count != document.end() && count->is_number_integer()) {
        file.record_count = count->get<std::int64_t>();
    }
    if (auto count = document.find("byte-count"); count != document.end() && count->is_number_integer()) {
        file.byte_count = count->get<std::int64_t>();
    }
    return file;
}

struct ZosmfClient::Impl {
    ClientOptions options;
    web::HttpClient http;
    std::string authorization;  // basic auth, when there are credentials

    // What one request gave, before it is read as a job, a list or text.
    struct Answer {
        std::optional<web::HttpResponse> response;
        std::optional<ClientError> error;
        std::chrono::microseconds latency{0};
    };

    // Removes anything that could reveal the password from a message (it should never get there; a
    // host that echoes a request back must not be able to put it in a log either).
    std::string scrub(std::string text) const {
        const Credentials& credentials = options.credentials;
        if (!credentials.password.empty()) {
            util::replace_all(text, util::base64_encode(credentials.user + ":" + credentials.password), "<redacted>");
            util::replace_all(text, credentials.password, "<redacted>");
        }
        return text;
    }

    // Messages are built from our own words and the host's; scrub() runs over the host's part only, so a
    // short password cannot mangle the rest.
    ClientError make_error(ClientError::Kind kind, std::string message, int http_status = 0) const {
        ClientError error;
        error.kind = kind;
        error.http_status = http_status;
        error.message = std::move(message);
        return error;
    }

    // "GET /zosmf/restjobs/jobs/A/B" -> "GET https://host:443/zosmf/restjobs/jobs/A/B".
    std::string describe_request(const std::string& what) const {
        std::size_t space = what.find(' ');
        if (space == std::string::npos) return what;
        return fmt::format("{} {}{}", what.substr(0, space), options.url, what.substr(space + 1));
    }

    web::Headers headers(std::string_view accept) const {
        web::Headers all{{"X-CSRF-ZOSMF-HEADER", "true"}, {"Accept", std::string(accept)}};
        if (!authorization.empty()) all.emplace_back("Authorization", authorization);
        return all;
    }

    std::string url(const std::string& path) const { return options.url + path; }

    // Sends one request through `send` and classifies what came back; `what` names it in messages.
    template <typename Send>
    Answer exchange(const std::string& what, Send&& send) {
        Answer answer;
        const auto started = Clock::now();
        web::HttpResult result = send();
        answer.latency = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
        const bool too_slow = answer.latency >= options.request_timeout;
        const std::string where = describe_request(what);
        if (!result) {
            const web::HttpFailure& failure = result.failure();
            // A connect, read or write that ran into the bound is a timeout, however it ended.
            const bool certificate = failure.error == web::HttpError::server_verification;
            const bool timed_out =
                failure.error == web::HttpError::connection_timeout || failure.error == web::HttpError::timeout;
            if (timed_out || (too_slow && !certificate)) {
                answer.error = make_error(
                    ClientError::Kind::timeout,
                    fmt::format("{}: no complete answer within {} ms", where, options.request_timeout.count()));
            } else if (certificate) {
                answer.error = make_error(
                    ClientError::Kind::transport,
                    fmt::format(
                        "{}: the server's TLS certificate could not be verified ({}; give its CA with --ca-file "
                        "or bridge.ca_file, or use --insecure on a test host)",
                        where, failure.detail));
            } else {
                answer.error = make_error(ClientError::Kind::transport,
                                          fmt::format("{}: {}", where, describe_transport_error(failure)));
            }
            return answer;
        }
        if (too_slow) {
            // The answer came, but later than a poll may take: the flow counts it as a failed poll.
            answer.error = make_error(ClientError::Kind::timeout,
                                      fmt::format("{}: answered after {} ms, over the {} ms limit", where,
                                                  answer.latency.count() / 1000, options.request_timeout.count()));
            return answer;
        }
        if (result->status >= 300) {
            std::string message;
            auto body = nlohmann::json::parse(result->body, nullptr, false);
            if (body.is_object()) {
                if (auto text = string_member(body, "message")) message = *text;
            }
            message = scrub(std::move(message));
            if (message.empty()) {
                message = fmt::format("{}: the host answered {}", where, scrub(quoted_body(result->body)));
            }
            ClientError error = make_error(ClientError::Kind::http, message, result->status);
            if (result->has_header("Retry-After")) {
                error.retry_after =
                    parse_retry_after(result->get_header_value("Retry-After"), std::chrono::system_clock::now());
            }
            answer.error = std::move(error);
            return answer;
        }
        answer.response = std::move(*result);
        return answer;
    }

    Answer get(const std::string& path, std::string_view accept = "application/json", web::Headers extra = {}) {
        web::HttpRequest request;
        request.url = url(path);
        request.headers = headers(accept);
        request.headers.insert(request.headers.end(), extra.begin(), extra.end());
        // The timeouts bound each read, not the whole answer: a body that trickles in (chunk by chunk, or a
        // large spool file) is cut off here once the request's bound has passed.
        const auto started = Clock::now();
        std::string body;
        request.receive_body = [&](std::string_view piece) {
            body.append(piece);
            return Clock::now() - started < options.request_timeout;
        };
        return exchange("GET " + path, [&] {
            web::HttpResult result = http.send(request);
            if (result) result->body = std::move(body);
            return result;
        });
    }

    // The body of a successful answer as JSON, or a protocol error.
    template <typename T>
    std::optional<nlohmann::json> json_of(const std::string& what, Answer& answer, ClientResult<T>& out) {
        auto document = nlohmann::json::parse(answer.response->body, nullptr, false);
        if (document.is_discarded()) {
            out.error = make_error(ClientError::Kind::protocol,
                                   fmt::format("{}: expected JSON; found {}", describe_request(what),
                                               scrub(quoted_body(answer.response->body))));
            return std::nullopt;
        }
        return document;
    }

    ClientResult<Job> job_answer(const std::string& what, Answer answer) {
        ClientResult<Job> out;
        out.latency = answer.latency;
        if (answer.error) {
            out.error = std::move(answer.error);
            return out;
        }
        auto document = json_of(what, answer, out);
        if (!document) return out;
        auto job = job_from_zosmf_json(*document);
        if (!job) {
            out.error = make_error(ClientError::Kind::protocol,
                                   fmt::format("{}: {}", describe_request(what), scrub(job.message())));
            return out;
        }
        out.value = std::move(*job);
        return out;
    }

    // A JSON array whose every item `parse` reads (jobs, spool files); `noun` names the items in errors.
    template <typename T, typename Parse>
    ClientResult<std::vector<T>> array_answer(const std::string& what, Answer answer, std::string_view noun,
                                              Parse parse) {
        ClientResult<std::vector<T>> out;
        out.latency = answer.latency;
        if (answer.error) {
            out.error = std::move(answer.error);
            return out;
        }
        auto document = json_of(what, answer, out);
        if (!document) return out;
        if (!document->is_array()) {
            out.error = make_error(ClientError::Kind::protocol,
                                   fmt::format("{}: expected a JSON array of {}; found {}", describe_request(what),
                                               noun, document->type_name()));
            return out;
        }
        std::vector<T> items;
        for (const auto& item : *document) {
            util::Result<T> read = parse(item);
            if (!read) {
                out.error = make_error(ClientError::Kind::protocol,
                                       fmt::format("{}: {}", describe_request(what), scrub(read.message())));
                return out;
            }
            items.push_back(std::move(*read));
        }
        out.value = std::move(items);
        return out;
    }

    // Cancel and purge answer a feedback document whose `status` is 0 on success.
    ClientResult<Nothing> feedback_answer(const std::string& what, Answer answer) {
        ClientResult<Nothing> out;
        out.latency = answer.latency;
        if (answer.error) {
            out.error = std::move(answer.error);
            return out;
        }
        auto document = nlohmann::json::parse(answer.response->body, nullptr, false);
        if (document.is_object()) {
            // z/OSMF writes `status` as a number or as a string of digits, depending on the release.
            auto status = document.find("status");
            const bool failed =
                status != document.end() &&
                ((status->is_number_integer() && status->get<int>() != 0) ||
                 (status->is_string() && !status->get<std::string>().empty() && status->get<std::string>() != "0"));
            if (failed) {
                std::string message = string_member(document, "message").value_or("");
                out.error =
                    make_error(ClientError::Kind::http,
                               fmt::format("{}: the host refused: {}", describe_request(what),
                                           scrub(message.empty() ? quoted_body(answer.response->body) : message)),
                               answer.response->status);
                return out;
            }
        }
        out.value = Nothing{};
        return out;
    }
};

util::Result<ZosmfClient> ZosmfClient::create(ClientOptions options) {
    if (!options.url.empty() && options.url.back() == '/') options.url.pop_back();
    if (auto valid = validate_base_url(options.url); !valid) return valid.error();
    if (options.request_timeout.count() <= 0) return util::make_error("the request timeout must be greater than zero");
    if (options.ca_file) {
        std::error_code error;
        if (!std::filesystem::is_regular_file(*options.ca_file, error)) {
            return util::make_error(
                fmt::format("the CA file {} does not exist or is not a file", options.ca_file->string()));
        }
    }
    web::HttpClientOptions http;
    // One bound for each step; the client keeps its connection between polls.
    http.connect_timeout = options.request_timeout;
    http.read_timeout = options.request_timeout;
    http.write_timeout = options.request_timeout;
    http.redirects = web::FollowRedirects::no;
    http.ca_file = options.ca_file;
    http.tls = options.insecure ? web::TlsVerification::skip : web::TlsVerification::verify;
    auto impl = std::make_unique<Impl>(Impl{std::move(options), web::HttpClient(std::move(http)), {}});
    const Credentials& credentials = impl->options.credentials;
    if (!credentials.user.empty() || !credentials.password.empty()) {
        impl->authorization = web::basic_authorization(credentials.user, credentials.password);
    }
    return ZosmfClient(std::move(impl));
}

ZosmfClient::ZosmfClient(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ZosmfClient::ZosmfClient(ZosmfClient&&) noexcept = default;
ZosmfClient& ZosmfClient::operator=(ZosmfClient&&) noexcept = default;
ZosmfClient::~ZosmfClient() = default;

const ClientOptions& ZosmfClient::options() const {
    return m_impl->options;
}

ClientResult<Job> ZosmfClient::submit(const SubmitRequest& request) {
    web::Headers headers = m_impl->headers("application/json");
    headers.emplace_back("X-IBM-Intrdr-Class", "A");
    headers.emplace_back("X-IBM-Intrdr-Recfm", "F");
    headers.emplace_back("X-IBM-Intrdr-Lrecl", "80");
    headers.emplace_back("X-IBM-Intrdr-Mode", "TEXT");
    if (request.user_correlator) headers.emplace_back("X-IBM-User-Correlator", *request.user_correlator);
    const std::string path(k_jobs_path);
    const std::string what = "PUT " + path;
    return m_impl->job_answer(what, m_impl->exchange(what, [&] {
        return m_impl->http.put(m_impl->url(path), headers, request.jcl, "text/plain");
    }));
}

ClientResult<Job> ZosmfClient::status(std::string_view jobname, std::string_view jobid) {
    const std::string path = job_path(jobname, jobid);
    return m_impl->job_answer("GET " + path, m_impl->get(path));
}

ClientResult<std::vector<Job>> ZosmfClient::list(const ListFilter& filter) {
    std::vector<std::string> query;
    const auto add = [&](std::string_view name, const std::optional<std::string>& value) {
        if (value) query.push_back(fmt::format("{}={}", name, percent_encode(*value, true)));
    };
    add("owner", filter.owner);
    add("prefix", filter.prefix);
    add("jobid", filter.jobid);
    add("user-correlator", filter.user_correlator);
    query.push_back(fmt::format("max-jobs={}", filter.max_jobs));
    const std::string path = fmt::format("{}?{}", k_jobs_path, util::join(query, "&"));
    return m_impl->array_answer<Job>("GET " + path, m_impl->get(path), "jobs", job_from_zosmf_json);
}

ClientResult<std::vector<SpoolFile>> ZosmfClient::spool_files(std::string_view jobname, std::string_view jobid) {
    const std::string path = job_path(jobname, jobid) + "/files";
    return m_impl->array_answer<SpoolFile>("GET " + path, m_impl->get(path), "spool files", spool_file_from_zosmf_json);
}

ClientResult<std::string> ZosmfClient::records(std::string_view jobname, std::string_view jobid, int id,
                                               std::optional<RecordRange> range) {
    ClientResult<std::string> out;
    if (range && range->count == 0) {
        out.value = std::string();  // nothing asked, nothing to fetch
        return out;
    }
    const std::string path = fmt::format("{}/files/{}/records", job_path(jobname, jobid), id);
    web::Headers extra;
    // z/OSMF's form: zero-based first and last record, inclusive.
    if (range) {
        extra.emplace_back("X-IBM-Record-Range", fmt::format("{}-{}", range->start, range->start + range->count - 1));
    }
    Impl::Answer answer = m_impl->get(path, "text/plain", std::move(extra));
    out.latency = answer.latency;
    if (answer.error) {
        out.error = std::move(answer.error);
        return out;
    }
    out.value = std::move(answer.response->body);
    return out;
}

ClientResult<Nothing> ZosmfClient::cancel(std::string_view jobname, std::string_view jobid) {
    const std::string path = job_path(jobname, jobid);
    const std::string what = "PUT " + path;
    const web::Headers headers = m_impl->headers("application/json");
    const std::string body = R"({"request":"cancel","version":"2.0"})";
    return m_impl->feedback_answer(what, m_impl->exchange(what, [&] {
        return m_impl->http.put(m_impl->url(path), headers, body, "application/json");
    }));
}

ClientResult<Nothing> ZosmfClient::purge(std::string_view jobname, std::string_view jobid) {
    const std::string path = job_path(jobname, jobid);
    const std::string what = "DELETE " + path;
    web::Headers headers = m_impl->headers("application/json");
    headers.emplace_back("X-IBM-Job-Modify-Version", "2.0");
    return m_impl->feedback_answer(
        what, m_impl->exchange(what, [&] { return m_impl->http.remove(m_impl->url(path), headers); }));
}

}  // namespace greenlight::bridge
