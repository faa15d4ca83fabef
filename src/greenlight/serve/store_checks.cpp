// The store's checks: creating, updating, reading, pausing and deleting them, and matching them to the config.
#include <fmt/format.h>

#include <set>

#include "greenlight/config/serve_config.hpp"
#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using detail::json_list;
using detail::k_check_columns;
using detail::no_such_check;
using detail::read_check;
using util::make_error;
using util::Result;
using util::Status;

constexpr std::size_t k_ping_key_bytes = 24;

std::optional<std::int64_t> count_of(const std::optional<Duration>& duration) {
    if (!duration) return std::nullopt;
    return duration->count();
}

}  // namespace

Status Store::upsert_check(Connection& connection, const CheckSpec& spec, std::string_view origin) {
    auto taken =
        connection.query("SELECT name FROM checks WHERE ping_key = $1 AND name <> $2", {spec.ping_key, spec.name});
    if (!taken) return taken.error();
    if (!taken->empty()) {
        return make_error(
            fmt::format("check '{}': its ping key is already the key of check '{}': give it another key "
                        "or leave the key out to get a new one",
                        spec.name, taken->text(0, 0)));
    }
    auto stored = connection.query(
        fmt::format("INSERT INTO checks ({}, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
                    "$14, $15, $16) ON CONFLICT (name) DO UPDATE SET ping_key = excluded.ping_key, period_ms = "
                    "excluded.period_ms, cron = excluded.cron, time_zone = excluded.time_zone, grace_ms = "
                    "excluded.grace_ms, max_run_time_ms = excluded.max_run_time_ms, min_run_time_ms = "
                    "excluded.min_run_time_ms, failures_before_alert = excluded.failures_before_alert, "
                    "realert_every_ms = excluded.realert_every_ms, tier = excluded.tier, project = excluded.project, "
                    "channels = excluded.channels, paused = excluded.paused, description = excluded.description, "
                    "origin = excluded.origin",
                    k_check_columns),
        {spec.name, spec.ping_key, count_of(spec.schedule.period), spec.schedule.cron,
         spec.schedule.time_zone.empty() ? std::string("UTC") : spec.schedule.time_zone, spec.grace.count(),
         count_of(spec.max_run_time), count_of(spec.min_run_time), spec.failures_before_alert,
         count_of(spec.realert_every), spec.tier, spec.project, json_list(spec.channels), spec.paused ? 1 : 0,
         spec.description, origin});
    if (!stored) return stored.error();
    return {};
}

Result<CheckSpec> Store::put_check(CheckSpec spec) {
    if (!config::is_valid_watch_name(spec.name)) {
        return make_error(fmt::format("check name '{}': expected {}", spec.name, config::k_watch_name_rule));
    }
    return in_transaction<CheckSpec>(
        *m_database, TransactionMode::write, [&](Connection& connection) -> Result<CheckSpec> {
            if (spec.ping_key.empty()) {
                auto existing = connection.query("SELECT ping_key FROM checks WHERE name = $1", {spec.name});
                if (!existing) return existing.error();
                if (!existing->empty()) {
                    spec.ping_key = existing->text(0, 0);
                } else {
                    auto key = random_base64url(k_ping_key_bytes);
                    if (!key) return key.error();
                    spec.ping_key = *key;
                }
            }
            if (spec.schedule.time_zone.empty()) spec.schedule.time_zone = "UTC";
            auto stored = upsert_check(connection, spec, "api");
            if (!stored) return stored.error();
            return spec;
        });
}

Result<std::vector<CheckSpec>> Store::checks() {
    using Specs = std::vector<CheckSpec>;
    return in_transaction<Specs>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Specs> {
        auto rows = connection.query(fmt::format("SELECT {} FROM checks ORDER BY name", k_check_columns));
        if (!rows) return rows.error();
        Specs specs;
        for (std::size_t row = 0; row < rows->size(); ++row) specs.push_back(read_check(*rows, row));
        return specs;
    });
}

Result<std::optional<CheckSpec>> Store::check(std::string_view name) {
    using Found = std::optional<CheckSpec>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows = connection.query(fmt::format("SELECT {} FROM checks WHERE name = $1", k_check_columns), {name});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        return Found(read_check(*rows, 0));
    });
}

Result<std::optional<CheckSpec>> Store::check_by_ping_key(std::string_view ping_key) {
    using Found = std::optional<CheckSpec>;
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        auto rows =
            connection.query(fmt::format("SELECT {} FROM checks WHERE ping_key = $1", k_check_columns), {ping_key});
        if (!rows) return rows.error();
        if (rows->empty()) return Found();
        return Found(read_check(*rows, 0));
    });
}

Status Store::delete_check(std::string_view name) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        // Pings and the status go with the check (ON DELETE CASCADE); queued alerts stay as history.
        auto deleted = connection.query("DELETE FROM checks WHERE name = $1", {name});
        if (!deleted) return deleted.error();
        if (deleted->affected() == 0) return no_such_check(name);
        return {};
    });
}

Status Store::set_paused(std::string_view name, Pause pause) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated =
            connection.query("UPDATE checks SET paused = $1 WHERE name = $2", {pause == Pause::paused ? 1 : 0, name});
        if (!updated) return updated.error();
        if (updated->affected() == 0) return no_such_check(name);
        return {};
    });
}

Status Store::sync_checks_from_config(const std::vector<CheckSpec>& specs) {
    for (const CheckSpec& spec : specs) {
        if (!config::is_valid_watch_name(spec.name)) {
            return make_error(fmt::format("watch check name '{}': expected {}", spec.name, config::k_watch_name_rule));
        }
    }
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        std::set<std::string> configured;
        for (CheckSpec spec : specs) {
            configured.insert(spec.name);
            auto existing = connection.query("SELECT ping_key, paused FROM checks WHERE name = $1", {spec.name});
            if (!existing) return existing.error();
            if (!existing->empty()) {
                if (spec.ping_key.empty()) spec.ping_key = existing->text(0, 0);
                spec.paused = spec.paused || existing->integer(0, 1) != 0;
            } else if (spec.ping_key.empty()) {
                auto key = random_base64url(k_ping_key_bytes);
                if (!key) return key.error();
                spec.ping_key = *key;
            }
            auto stored = upsert_check(connection, spec, "config");
            if (!stored) return stored;
        }
        auto from_config = connection.query("SELECT name FROM checks WHERE origin = 'config'");
        if (!from_config) return from_config.error();
        for (std::size_t row = 0; row < from_config->size(); ++row) {
            std::string name = from_config->text(row, 0);
            if (configured.contains(name)) continue;
            auto deleted = connection.query("DELETE FROM checks WHERE name = $1", {name});
            if (!deleted) return deleted.error();
        }
        return {};
    });
}

}  // namespace greenlight::serve
