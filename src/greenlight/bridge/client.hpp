// The client side of the z/OSMF REST jobs interface: what `greenlight bridge submit/status/spool/cancel`
// and the smoke flow (`greenlight bridge run`) use to talk to a real z/OSMF or to `greenlight bridge serve`.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::web {
struct HttpFailure;
}

namespace greenlight::bridge {

// Why an HTTP request failed before any answer came, in words that say what to check.
std::string describe_transport_error(const web::HttpFailure& failure);

// Basic-auth credentials. Never printed, never logged.
struct Credentials {
    std::string user;
    std::string password;
};

// GREENLIGHT_BRIDGE_USER and GREENLIGHT_BRIDGE_PASSWORD, or, when `file` is given, the file's first line
// "user:password" (a file readable by others than its owner is refused). An error says what is missing.
util::Result<Credentials> load_credentials(const std::optional<std::filesystem::path>& file);

struct ClientOptions {
    std::string url;  // scheme://host[:port], e.g. "https://zosmf.example:443"; no path
    Credentials credentials;
    std::optional<std::filesystem::path> ca_file;  // PEM bundle to verify the server with
    bool insecure = false;                         // https without verifying the certificate
    // Bound of one request, connect to last byte; a slower answer is a failed request (kind timeout).
    std::chrono::milliseconds request_timeout{2000};
};

// Why a request did not give what was asked.
struct ClientError {
    enum class Kind {
        transport,  // could not connect, TLS failed, connection dropped
        timeout,    // no complete answer within request_timeout
        http,       // an answer with a status >= 400 (message from z/OSMF's error document when it has one)
        protocol,   // an answer that is not what the interface promises (bad JSON, missing fields)
    };
    Kind kind = Kind::transport;
    int http_status = 0;
    std::string message;
    std::optional<std::chrono::milliseconds> retry_after;  // from a Retry-After header
};

// "transport", "timeout", "http", "protocol".
std::string_view to_string(ClientError::Kind kind);

// One line for a person: "HTTP 404: <message>", "timeout: <message>", ...
std::string describe(const ClientError& error);

// A Retry-After value: delay seconds ("120") or an HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT", taken
// relative to `now`, never negative). nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// Checks a base URL: http or https, a host, an optional port, no path, query or user info. The error says
// what is wrong.
util::Status validate_base_url(std::string_view url);

// What one request gave: a value or an error, and how long it took (for metrics.json).
template <typename T>
struct ClientResult {
    std::optional<T> value;
    std::optional<ClientError> error;
    std::chrono::microseconds latency{0};

    bool ok() const { return value.has_value(); }
};

struct Nothing {};

// A job document as a client reads it (the subset of fields greenlight uses; the rest is ignored).
util::Result<Job> job_from_zosmf_json(const nlohmann::json& document);
util::Result<SpoolFile> spool_file_from_zosmf_json(const nlohmann::json& document);

struct SubmitRequest {
    std::string jcl;                             // sent as text/plain, X-IBM-Intrdr-Mode TEXT, Lrecl 80, Recfm F
    std::optional<std::string> user_correlator;  // X-IBM-User-Correlator
};

// One client, safe to use from one thread at a time.
class ZosmfClient {
public:
    static util::Result<ZosmfClient> create(ClientOptions options);
    ZosmfClient(ZosmfClient&&) noexcept;
    ZosmfClient& operator=(ZosmfClient&&) noexcept;
    ~ZosmfClient();

    const ClientOptions& options() const;

    ClientResult<Job> submit(const SubmitRequest& request);                      // PUT /zosmf/restjobs/jobs
    ClientResult<Job> status(std::string_view jobname, std::string_view jobid);  // GET .../jobs/{name}/{id}
    // GET .../jobs?owner=&prefix=&jobid=&user-correlator=&max-jobs=
    ClientResult<std::vector<Job>> list(const ListFilter& filter);
    ClientResult<std::vector<SpoolFile>> spool_files(std::string_view jobname, std::string_view jobid);
    // The records of one spool file ("JCL" is not an id: use k_jesjcl_id), optionally a range.
    ClientResult<std::string> records(std::string_view jobname, std::string_view jobid, int id,
                                      std::optional<RecordRange> range = {});
    ClientResult<Nothing> cancel(std::string_view jobname, std::string_view jobid);  // PUT {"request":"cancel"}
    ClientResult<Nothing> purge(std::string_view jobname, std::string_view jobid);   // DELETE

private:
    struct Impl;
    explicit ZosmfClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace greenlight::bridge
