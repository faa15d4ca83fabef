#include "greenlight/bridge/users.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "greenlight/bridge/http_input.hpp"
#include "greenlight/util/fs.hpp"
#include "support/test_support.hpp"

namespace greenlight::bridge {
namespace {

using test_support::TempDir;

// Calls `condition` every 20 ms until it holds or 5 s have passed; whether it held.
bool poll_for(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    return true;
}

// The fewest rounds the file accepts: keeps the tests fast while exercising the real hash.
constexpr int k_fast = k_minimum_iterations;

UserEntry entry(std::string_view name, std::string_view password) {
    auto made = make_user_entry(name, password, k_fast);
    if (!made) throw std::runtime_error(made.message());
    return *made;
}

TEST(UserNames, AreUpperCasedJclNames) {
    EXPECT_EQ(normalize_user_name("ibmuser"), "IBMUSER");
    EXPECT_EQ(normalize_user_name("ci#1"), "CI#1");
    EXPECT_FALSE(normalize_user_name(""));
    EXPECT_FALSE(normalize_user_name("toolongname"));
    EXPECT_FALSE(normalize_user_name("1user"));
    EXPECT_FALSE(normalize_user_name("a:b"));
}

TEST(PasswordHashes, VerifyOnlyTheRightPassword) {
    UserEntry user = entry("ci", "correct horse");
    EXPECT_EQ(user.name, "CI");
    EXPECT_EQ(user.salt.size(), 16u);
    EXPECT_EQ(user.hash.size(), 32u);
    EXPECT_TRUE(verify_password(user, "correct horse"));
    EXPECT_FALSE(verify_password(user, "correct horsE"));
    EXPECT_FALSE(verify_password(user, ""));
    // A fresh salt each time: the same password never gives the same line twice.
    EXPECT_NE(entry("ci", "correct horse").hash, user.hash);
}

TEST(PasswordHashes, RefuseWeakSettings) {
    EXPECT_FALSE(make_user_entry("ci", "pw", k_minimum_iterations - 1));
    EXPECT_FALSE(make_user_entry("ci", "", k_fast));
    EXPECT_FALSE(make_user_entry("not valid", "pw", k_fast));
}

TEST(UsersFile, RoundTripsAndKeepsComments) {
    UsersFile file;
    file.set(entry("alice", "a-secret"));
    file.set(entry("bob", "b-secret"));
    std::string text = "# the host's users\n" + file.text();
    auto parsed = UsersFile::parse(text, "users.txt");
    ASSERT_TRUE(parsed) << parsed.message();
    ASSERT_EQ(parsed->users().size(), 2u);
    EXPECT_EQ(parsed->users()[0].line, 2);
    EXPECT_TRUE(verify_password(*parsed->find("BOB"), "b-secret"));

    parsed->set(entry("alice", "new-secret"));
    ASSERT_TRUE(parsed->remove("BOB"));
    EXPECT_FALSE(parsed->remove("BOB"));
    auto again = UsersFile::parse(parsed->text(), "users.txt");
    ASSERT_TRUE(again) << again.message();
    EXPECT_EQ(again->text().substr(0, 19), "# the host's users\n");
    ASSERT_EQ(again->users().size(), 1u);
    EXPECT_TRUE(verify_password(*again->find("ALICE"), "new-secret"));
    EXPECT_FALSE(verify_password(*again->find("ALICE"), "a-secret"));
}

TEST(UsersFile, ErrorsNameTheFileAndLine) {
    const std::string good = UsersFile().text();
    UsersFile one;
    one.set(entry("alice", "pw"));
    const std::string alice = one.text();
    const std::map<std::string, std::string> cases = {
        {"# comment\n\nalice:pbkdf2-sha256:100000\n", "users.txt:3: expected NAME:pbkdf2-sha256"},
        {"1bad:pbkdf2-sha256:100000:AAAAAAAAAAA=:AAAA\n", "users.txt:1: user name '1bad'"},
        {"alice:md5:100000:AAAAAAAAAAA=:AAAA\n", "users.txt:1: unknown hash scheme 'md5'"},
        {"alice:pbkdf2-sha256:99:AAAAAAAAAAA=:AAAA\n", "users.txt:1: iterations '99'"},
        {"alice:pbkdf2-sha256:100000:***:AAAA\n", "users.txt:1: the salt"},
        {"alice:pbkdf2-sha256:100000:AAAAAAAAAAA=:AAAA\n", "users.txt:1: the hash"},
        {alice + "# again\n" + alice, "users.txt:3: user ALICE is already defined on line 1"},
    };
    for (const auto& [text, expected] : cases) {
        auto parsed = UsersFile::parse(text, "users.txt");
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.message().substr(0, expected.size()), expected) << parsed.message();
    }
}

TEST(UsersFile, SavesWithModeSixHundred) {
    TempDir dir("greenlight-users");
    UsersFile file;
    file.set(entry("alice", "pw"));
    const auto path = dir.path() / "users.txt";
    ASSERT_TRUE(file.save(path));
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    auto loaded = UsersFile::load(path);
    ASSERT_TRUE(loaded) << loaded.message();
    EXPECT_EQ(loaded->users().size(), 1u);
    EXPECT_FALSE(UsersFile::load(dir.path() / "missing.txt"));
    EXPECT_TRUE(UsersFile::load(dir.path() / "missing.txt", UsersFile::Missing::empty));
}

class AuthenticatorTest : public ::testing::Test {
protected:
    void write_users(const std::vector<std::pair<std::string, std::string>>& users) {
        UsersFile file;
        for (const auto& [name, password] : users) file.set(entry(name, password));
        ASSERT_TRUE(file.save(m_path));
    }
    TempDir m_dir{"greenlight-auth"};
    std::filesystem::path m_path = m_dir.path() / "users.txt";
    std::vector<std::string> m_log;
};

TEST_F(AuthenticatorTest, AuthenticatesAndCachesOnlySuccesses) {
    write_users({{"ci", "right"}});
    auto authenticator = Authenticator::create(m_path, [&](const std::string& line) { m_log.push_back(line); });
    ASSERT_TRUE(authenticator) << authenticator.message();
    Authenticator& auth = **authenticator;
    EXPECT_EQ(auth.authenticate("ci", "right"), "CI");
    EXPECT_EQ(auth.cached_entries(), 1u);
    EXPECT_EQ(auth.authenticate("CI", "right"), "CI");  // user names are case-insensitive
    EXPECT_EQ(auth.cached_entries(), 1u);
    EXPECT_FALSE(auth.authenticate("ci", "wrong"));
    EXPECT_FALSE(auth.authenticate("nobody", "right"));
    EXPECT_FALSE(auth.authenticate("ci", ""));
    EXPECT_EQ(auth.cached_entries(), 1u);
}

TEST_F(AuthenticatorTest, OnlyTheFirstCheckOfRightCredentialsRunsPbkdf2) {
    write_users({{"ci", "right"}});
    auto authenticator = Authenticator::create(m_path);
    ASSERT_TRUE(authenticator);
    Authenticator& auth = **authenticator;
    ASSERT_TRUE(auth.authenticate("ci", "right"));
    EXPECT_EQ(auth.derivations(), 1u);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(auth.authenticate("ci", "right"));
    EXPECT_EQ(auth.derivations(), 1u);
    // Wrong passwords and unknown users are never cached: each costs a full derivation.
    EXPECT_FALSE(auth.authenticate("ci", "wrong"));
    EXPECT_FALSE(auth.authenticate("ci", "wrong"));
    EXPECT_FALSE(auth.authenticate("nobody", "right"));
    EXPECT_EQ(auth.derivations(), 4u);
}

TEST_F(AuthenticatorTest, ReloadsTheFileWhenItChangesAndForgetsTheCache) {
    write_users({{"ci", "old"}});
    auto authenticator = Authenticator::create(m_path, [&](const std::string& line) { m_log.push_back(line); });
    ASSERT_TRUE(authenticator);
    Authenticator& auth = **authenticator;
    ASSERT_TRUE(auth.authenticate("ci", "old"));

    write_users({{"ci", "new"}, {"ops", "ops-pw"}});
    // The file is looked at once a second, by the next authentication after that second.
    auto logged = [&](const std::string& text) {
        return !m_log.empty() && m_log.back().find(text) != std::string::npos;
    };
    ASSERT_TRUE(poll_for([&] {
        (void)auth.authenticate("ci", "old");
        return logged("reloaded: 2 users");
    })) << (m_log.empty() ? "nothing logged" : m_log.back());
    EXPECT_FALSE(auth.authenticate("ci", "old"));
    EXPECT_EQ(auth.authenticate("ci", "new"), "CI");
    EXPECT_EQ(auth.authenticate("ops", "ops-pw"), "OPS");
    EXPECT_EQ(auth.user_count(), 2u);

    // A broken file keeps the users loaded before in force, and says so.
    {
        std::ofstream broken(m_path);
        broken << "this is not a users file\n";
    }
    ASSERT_TRUE(poll_for([&] {
        (void)auth.authenticate("ci", "new");
        return logged("users.txt:1:");
    })) << m_log.back();
    EXPECT_EQ(auth.authenticate("ci", "new"), "CI");
}

TEST_F(AuthenticatorTest, RefusesAMissingOrEmptyFile) {
    auto missing = Authenticator::create(m_path);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.message().find("greenlight bridge user add"), std::string::npos);
    write_users({});
    auto empty = Authenticator::create(m_path);
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.message().find("no users"), std::string::npos);
}

}  // namespace
}  // namespace greenlight::bridge
