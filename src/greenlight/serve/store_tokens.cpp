// The store's API tokens: creating them (only a hash of the secret is kept), verifying a secret in constant
// time, listing and revoking them.
#include <fmt/format.h>
#include <openssl/crypto.h>

#include "greenlight/serve/store.hpp"
#include "greenlight/serve/store_rows.hpp"
#include "greenlight/util/sha256.hpp"

namespace greenlight::serve {

namespace {

using detail::in_transaction;
using util::make_error;
using util::Result;
using util::Status;

constexpr std::size_t k_token_bytes = 32;
constexpr std::string_view k_token_prefix = "glt_";

TokenInfo read_token(const QueryResult& rows, std::size_t row) {
    TokenInfo token;
    token.name = rows.text(row, 0);
    token.scope = parse_token_scope(rows.text(row, 1)).value_or(TokenScope::ingest);
    token.created = from_milliseconds(rows.integer(row, 2));
    token.revoked = from_milliseconds(rows.optional_integer(row, 3));
    return token;
}

}  // namespace

std::string_view to_string(TokenScope scope) {
    return scope == TokenScope::admin ? "admin" : "ingest";
}

std::optional<TokenScope> parse_token_scope(std::string_view text) {
    if (text == "ingest") return TokenScope::ingest;
    if (text == "admin") return TokenScope::admin;
    return std::nullopt;
}

Result<std::string> Store::create_token(std::string_view name, TokenScope scope) {
    if (name.empty() || name.size() > 128) {
        return make_error("a token needs a name of 1 to 128 characters (e.g. the CI system that will use it)");
    }
    auto random = random_base64url(k_token_bytes);
    if (!random) return random.error();
    std::string secret = std::string(k_token_prefix) + *random;
    return in_transaction<std::string>(
        *m_database, TransactionMode::write, [&](Connection& connection) -> Result<std::string> {
            auto inserted = connection.query(
                "INSERT INTO tokens (name, scope, sha256, created_ms, revoked_ms) VALUES ($1, $2, $3, $4, NULL) "
                "ON CONFLICT (name) DO NOTHING",
                {name, to_string(scope), util::sha256_hex(secret), to_milliseconds(m_clock.now())});
            if (!inserted) return inserted.error();
            if (inserted->affected() == 0) {
                return make_error(
                    fmt::format("a token named '{}' exists already (revoked ones too): choose another name", name));
            }
            return secret;
        });
}

Result<std::optional<TokenInfo>> Store::verify_token(std::string_view secret) {
    using Found = std::optional<TokenInfo>;
    const std::string digest = util::sha256_hex(secret);
    return in_transaction<Found>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Found> {
        // Every live token is compared, each in constant time: how long this takes says nothing about how
        // close a guess came.
        auto rows =
            connection.query("SELECT name, scope, created_ms, revoked_ms, sha256 FROM tokens WHERE revoked_ms IS NULL");
        if (!rows) return rows.error();
        Found found;
        for (std::size_t row = 0; row < rows->size(); ++row) {
            std::string stored = rows->text(row, 4);
            if (stored.size() == digest.size() && CRYPTO_memcmp(stored.data(), digest.data(), digest.size()) == 0) {
                found = read_token(*rows, row);
            }
        }
        return found;
    });
}

Result<std::vector<TokenInfo>> Store::tokens() {
    using Tokens = std::vector<TokenInfo>;
    return in_transaction<Tokens>(*m_database, TransactionMode::read, [&](Connection& connection) -> Result<Tokens> {
        auto rows = connection.query("SELECT name, scope, created_ms, revoked_ms FROM tokens ORDER BY name");
        if (!rows) return rows.error();
        Tokens tokens;
        for (std::size_t row = 0; row < rows->size(); ++row) tokens.push_back(read_token(*rows, row));
        return tokens;
    });
}

Status Store::revoke_token(std::string_view name) {
    return m_database->transact(TransactionMode::write, [&](Connection& connection) -> Status {
        auto updated = connection.query("UPDATE tokens SET revoked_ms = $1 WHERE name = $2 AND revoked_ms IS NULL",
                                        {to_milliseconds(m_clock.now()), name});
        if (!updated) return updated.error();
        if (updated->affected() == 0) {
            return make_error(fmt::format("no live token named '{}': `greenlight serve token list` shows them", name));
        }
        return {};
    });
}

}  // namespace greenlight::serve
