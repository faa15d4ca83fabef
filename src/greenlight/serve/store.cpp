// Opening the store and asking whether its database answers, and what the store's other files share: the
// readers of check and ping rows, JSON lists, random keys.
#include "greenlight/serve/store.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "greenlight/serve/migrations.hpp"
#include "greenlight/serve/store_ping_queue.hpp"
#include "greenlight/serve/store_rows.hpp"
#include "greenlight/util/base64.hpp"

namespace greenlight::serve {

namespace {

using util::make_error;
using util::Result;
using util::Status;

std::optional<Duration> duration_of(const std::optional<std::int64_t>& milliseconds) {
    if (!milliseconds) return std::nullopt;
    return Duration(*milliseconds);
}

}  // namespace

namespace detail {

std::string json_list(const std::vector<std::string>& items) {
    // Replace rather than throw on bytes that are not UTF-8: job ids may come from what a pinger sent.
    return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> parse_json_list(const std::string& text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    std::vector<std::string> items;
    if (!parsed.is_array()) return items;
    for (const auto& item : parsed) {
        if (item.is_string()) items.push_back(item.get<std::string>());
    }
    return items;
}

CheckSpec read_check(const QueryResult& rows, std::size_t row) {
    CheckSpec spec;
    spec.name = rows.text(row, 0);
    spec.ping_key = rows.text(row, 1);
    spec.schedule.period = duration_of(rows.optional_integer(row, 2));
    spec.schedule.cron = rows.text(row, 3);
    spec.schedule.time_zone = rows.text(row, 4);
    spec.grace = Duration(rows.integer(row, 5));
    spec.max_run_time = duration_of(rows.optional_integer(row, 6));
    spec.min_run_time = duration_of(rows.optional_integer(row, 7));
    spec.failures_before_alert = static_cast<int>(rows.integer(row, 8));
    spec.realert_every = duration_of(rows.optional_integer(row, 9));
    spec.tier = rows.optional_text(row, 10);
    spec.project = rows.optional_text(row, 11);
    spec.channels = parse_json_list(rows.text(row, 12));
    spec.paused = rows.integer(row, 13) != 0;
    spec.description = rows.text(row, 14);
    return spec;
}

Ping read_ping(const QueryResult& rows, std::size_t row) {
    Ping ping;
    ping.check = rows.text(row, 0);
    ping.kind = parse_ping_kind(rows.text(row, 1)).value_or(PingKind::log);
    if (auto code = rows.optional_integer(row, 2)) ping.exit_code = static_cast<int>(*code);
    ping.rid = rows.optional_text(row, 3);
    ping.at = from_milliseconds(rows.integer(row, 4));
    ping.source = rows.text(row, 5);
    ping.body = rows.text(row, 6);
    return ping;
}

util::Status no_such_check(std::string_view name) {
    return util::make_error(fmt::format("no check named '{}': list the checks with GET /api/checks", name));
}

}  // namespace detail

Result<std::string> random_base64url(std::size_t count) {
    std::vector<unsigned char> bytes(count);
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return make_error("the system's random number generator failed (OpenSSL RAND_bytes)");
    }
    return util::base64url_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Store::Store(std::unique_ptr<Database> database, const util::Clock& clock)
    : m_database(std::move(database)), m_clock(clock), m_ping_queue(std::make_unique<PingQueue>()) {}

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(std::string_view url, const util::Clock& clock) {
    auto parsed = DatabaseUrl::parse(url);
    if (!parsed) return parsed.error();
    auto database = Database::open(*parsed);
    if (!database) return database.error();
    auto migrated = apply_migrations(**database, clock);
    if (!migrated) {
        if (is_unavailable(migrated.error())) return migrated.error();
        return make_error(fmt::format("database {}: {}", parsed->redacted(), migrated.message()));
    }
    return std::unique_ptr<Store>(new Store(std::move(*database), clock));
}

// ---- health ----

Status Store::check_available() {
    return m_database->transact(TransactionMode::read, [](Connection& connection) -> Status {
        auto answered = connection.query("SELECT 1");
        if (!answered) return answered.error();
        return {};
    });
}

}  // namespace greenlight::serve
