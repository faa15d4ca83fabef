// The client side of run ingestion: sends a run report, and optionally the packed bundle, to `greenlight serve`.
//   PUT {url}/api/v1/runs/{run_id}         application/json  201 stored, 200 that run id was already stored
//   PUT {url}/api/v1/runs/{run_id}/bundle  application/gzip  the same
// The run id is the key, so a push that is interrupted and retried never makes a second run. Connection
// errors, 5xx and 429 are retried with backoff (Retry-After honoured) within a bounded total time.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "greenlight/serve/model.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// The ingestion token comes from this variable only: never from argv, where other users of the machine see it.
inline constexpr const char* k_token_variable = "GREENLIGHT_SERVE_TOKEN";

// The token from GREENLIGHT_SERVE_TOKEN; the error says how to set it.
util::Result<std::string> token_from_environment();

enum class TlsVerification { verify, skip };

struct ReportClientOptions {
    std::string url;                               // the server's base URL: http(s)://host[:port][/prefix]
    std::string token;                             // never printed, and scrubbed from what the server says back
    std::optional<std::filesystem::path> ca_file;  // PEM bundle to verify the server with (https)
    TlsVerification tls = TlsVerification::verify;
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
    std::chrono::milliseconds retry_budget{std::chrono::minutes(2)};  // all attempts of one request together
    std::chrono::milliseconds first_backoff{500};                     // doubled after each retry ...
    std::chrono::milliseconds max_backoff{std::chrono::seconds(15)};  // ... up to this
};

// The server's base URL split for the HTTP client. Refuses user info (the token travels in a header),
// queries and fragments.
struct ServerAddress {
    std::string origin;       // "https://host:port"
    std::string path_prefix;  // "" or "/prefix" (no trailing slash)
};
util::Result<ServerAddress> parse_server_url(std::string_view url);

// Waits between attempts. The real one sleeps; tests hand in one that records the wait and moves a fake clock.
using Sleep = std::function<void(std::chrono::milliseconds)>;
void sleep_for_real(std::chrono::milliseconds wait);

enum class Stored { created, already_stored };

// Why a report or bundle was not stored.
struct SendFailure {
    enum class Kind {
        unreachable,  // connection errors, 5xx or 429 until the retry budget ran out
        rejected,     // a final answer: 4xx other than 429, a redirect, or a path that cannot be sent
    };
    Kind kind = Kind::unreachable;
    int http_status = 0;  // the last status seen, 0 when none
    std::string message;  // for a person; holds the server's own message when it gave one
};

struct SendOutcome {
    std::optional<Stored> stored;
    std::optional<SendFailure> failure;
    int attempts = 0;

    bool ok() const { return stored.has_value(); }
};

class ReportClient {
public:
    // Checks the URL and the CA file; `clock` bounds the retries and must outlive the client.
    static util::Result<ReportClient> create(ReportClientOptions options, const util::Clock& clock,
                                             Sleep sleep = sleep_for_real);
    ~ReportClient();
    ReportClient(ReportClient&&) noexcept;
    ReportClient& operator=(ReportClient&&) noexcept;

    // PUT /api/v1/runs/{run_id} with run_report_json(run).
    SendOutcome send_report(const RunRecord& run);
    // PUT /api/v1/runs/{run_id}/bundle with the bundle packed: a .tar.gz is sent as it is, a folder is packed
    // first (deterministically, so a retried push sends the same bytes).
    SendOutcome send_bundle(const std::string& run_id, const std::filesystem::path& bundle);

private:
    struct Impl;
    explicit ReportClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Whether `path` names a packed bundle (.tar.gz or .tgz) rather than a bundle folder.
bool is_packed_bundle(const std::filesystem::path& path);

}  // namespace greenlight::serve
