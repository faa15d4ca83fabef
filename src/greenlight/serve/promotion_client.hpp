// The client `greenlight promote` talks to `greenlight serve` with: the stored runs of a commit and tier (its
// evidence), the decisions recorded for a commit and environment, and the POSTs that record a decision or an
// attempt. Connection errors, 5xx and 429 are retried with backoff within a budget; then the server counts as
// unreachable (an infrastructure error), while any other answer is final.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenlight/serve/model.hpp"
#include "greenlight/serve/promotions.hpp"
#include "greenlight/serve/report_client.hpp"
#include "greenlight/util/clock.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

struct PromotionClientOptions {
    std::string url;    // the server's base URL: http(s)://host[:port][/prefix]
    std::string token;  // for the POSTs; reads go without it
    std::optional<std::filesystem::path> ca_file;
    TlsVerification tls = TlsVerification::verify;
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
    std::chrono::milliseconds retry_budget{std::chrono::seconds(30)};
};

// A value from the server, or why there is none (SendFailure::Kind::unreachable: try again later).
template <class T>
struct ServerAnswer {
    std::optional<T> value;
    std::optional<SendFailure> failure;

    bool ok() const { return value.has_value(); }
};

class PromotionClient {
public:
    static util::Result<PromotionClient> create(PromotionClientOptions options, const util::Clock& clock,
                                                Sleep sleep = sleep_for_real);
    ~PromotionClient();
    PromotionClient(PromotionClient&&) noexcept;
    PromotionClient& operator=(PromotionClient&&) noexcept;

    // GET /api/v1/runs?commit=&tier=[&project=]: the stored runs of the commit, newest first.
    ServerAnswer<std::vector<RunSummary>> runs_of_commit(const std::string& commit, const std::string& tier,
                                                         const std::string& project);
    // GET /api/v1/promotions/decisions?environment=&commit=: newest first.
    ServerAnswer<std::vector<PromotionDecision>> decisions(const std::string& environment, const std::string& commit);
    // POST /api/v1/promotions/decisions and /attempts; the answer is the record as stored.
    ServerAnswer<PromotionDecision> record_decision(const PromotionDecision& decision);
    ServerAnswer<PromotionAttempt> record_attempt(const PromotionAttempt& attempt);

private:
    struct Impl;
    explicit PromotionClient(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace greenlight::serve
