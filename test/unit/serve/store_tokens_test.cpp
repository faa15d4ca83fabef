// The store's API tokens as an operator meets them: names they must have, names they cannot have twice, which
// secret opens which token, and the listing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenlight/serve/store.hpp"
#include "unit/serve/store_fixture.hpp"

namespace greenlight::serve {
namespace {

using namespace std::chrono_literals;

class StoreTokensTest : public test_support::StoreOnEachDatabase {};

TEST(TokenScopeTest, ScopesReadBackAsWrittenAndNothingElseIsAScope) {
    for (TokenScope scope : {TokenScope::ingest, TokenScope::admin}) {
        EXPECT_EQ(parse_token_scope(to_string(scope)), scope);
    }
    EXPECT_EQ(to_string(TokenScope::ingest), "ingest");
    EXPECT_EQ(to_string(TokenScope::admin), "admin");
    EXPECT_FALSE(parse_token_scope("Admin").has_value());
    EXPECT_FALSE(parse_token_scope("").has_value());
    EXPECT_FALSE(parse_token_scope("read").has_value());
}

TEST_P(StoreTokensTest, ATokenNeedsANameOfOneTo128Characters) {
    auto unnamed = m_store->create_token("", TokenScope::ingest);
    ASSERT_FALSE(unnamed);
    EXPECT_NE(unnamed.message().find("1 to 128 characters"), std::string::npos) << unnamed.message();
    auto too_long = m_store->create_token(std::string(129, 'a'), TokenScope::ingest);
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.message().find("1 to 128 characters"), std::string::npos) << too_long.message();

    auto longest = m_store->create_token(std::string(128, 'a'), TokenScope::ingest);
    ASSERT_TRUE(longest) << longest.message();
    auto verified = m_store->verify_token(*longest);
    ASSERT_TRUE(verified && verified->has_value());
    EXPECT_EQ((*verified)->name, std::string(128, 'a'));
    EXPECT_EQ(m_store->tokens().value_or(std::vector<TokenInfo>{}).size(), 1u) << "the refused names left no token";
}

TEST_P(StoreTokensTest, EachSecretOpensOnlyItsOwnTokenAmongMany) {
    std::vector<std::string> secrets;
    for (const char* name : {"ci-a", "ci-b", "ci-c", "ci-d"}) {
        auto secret = m_store->create_token(name, TokenScope::ingest);
        ASSERT_TRUE(secret) << secret.message();
        secrets.push_back(*secret);
    }
    const char* names[] = {"ci-a", "ci-b", "ci-c", "ci-d"};
    for (std::size_t index = 0; index < secrets.size(); ++index) {
        auto verified = m_store->verify_token(secrets[index]);
        ASSERT_TRUE(verified) << verified.message();
        ASSERT_TRUE(verified->has_value()) << names[index];
        EXPECT_EQ((*verified)->name, names[index]);
    }
    // The secret without its prefix, and one with the prefix only, open nothing.
    EXPECT_FALSE(m_store->verify_token(secrets[1].substr(4)).value_or(TokenInfo{}).has_value());
    EXPECT_FALSE(m_store->verify_token("glt_").value_or(TokenInfo{}).has_value());

    // Revoking one leaves the others working.
    ASSERT_TRUE(m_store->revoke_token("ci-b"));
    EXPECT_FALSE(m_store->verify_token(secrets[1]).value_or(TokenInfo{}).has_value());
    EXPECT_EQ(m_store->verify_token(secrets[2]).value_or(std::nullopt).value_or(TokenInfo{}).name, "ci-c");
}

TEST_P(StoreTokensTest, ARevokedTokensNameIsNotGivenAgainAndRevokingTwiceSaysWhereToLook) {
    ASSERT_TRUE(m_store->create_token("deploy", TokenScope::admin));
    ASSERT_TRUE(m_store->revoke_token("deploy"));

    auto again = m_store->create_token("deploy", TokenScope::admin);
    ASSERT_FALSE(again) << "a revoked token's name was given to a new token";
    EXPECT_NE(again.message().find("a token named 'deploy' exists already"), std::string::npos) << again.message();

    auto twice = m_store->revoke_token("deploy");
    ASSERT_FALSE(twice);
    EXPECT_NE(twice.message().find("no live token named 'deploy'"), std::string::npos) << twice.message();
    EXPECT_NE(twice.message().find("greenlight serve token list"), std::string::npos) << twice.message();
    EXPECT_FALSE(m_store->revoke_token("never-made"));
}

TEST_P(StoreTokensTest, TokensAreListedByNameWithScopeAndTimes) {
    ASSERT_TRUE(m_store->create_token("zeta", TokenScope::ingest));
    m_clock.advance(5min);
    ASSERT_TRUE(m_store->create_token("alpha", TokenScope::admin));
    m_clock.advance(5min);
    ASSERT_TRUE(m_store->revoke_token("zeta"));

    auto listed = m_store->tokens();
    ASSERT_TRUE(listed) << listed.message();
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].name, "alpha");
    EXPECT_EQ((*listed)[0].scope, TokenScope::admin);
    EXPECT_EQ((*listed)[0].created, test_support::StillClock::k_start + 5min);
    EXPECT_FALSE((*listed)[0].revoked.has_value());
    EXPECT_EQ((*listed)[1].name, "zeta");
    EXPECT_EQ((*listed)[1].scope, TokenScope::ingest);
    EXPECT_EQ((*listed)[1].created, test_support::StillClock::k_start);
    EXPECT_EQ((*listed)[1].revoked, std::optional<WallTime>(test_support::StillClock::k_start + 10min));
}

INSTANTIATE_TEST_SUITE_P(Databases, StoreTokensTest, ::testing::Values(DatabaseKind::sqlite, DatabaseKind::postgresql),
                         test_support::database_label);

}  // namespace
}  // namespace greenlight::serve
