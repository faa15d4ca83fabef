// The secrets check on files written to a temporary folder. Every secret here is assembled at run time
// from pieces, so this file itself holds none for the check (or any other scanner) to find.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greenlight/hygiene/files.hpp"
#include "greenlight/hygiene/secrets.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "support/test_support.hpp"

namespace greenlight::hygiene {
namespace {

namespace fs = std::filesystem;

// A deterministic random-looking string over `alphabet` (a linear congruential generator).
std::string random_text(std::size_t length, unsigned seed,
                        std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") {
    std::string text;
    std::uint64_t state = seed * 2654435761u + 12345u;
    for (std::size_t i = 0; i < length; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        text.push_back(alphabet[(state >> 33) % alphabet.size()]);
    }
    return text;
}

std::string upper_alphanumeric(std::size_t length, unsigned seed) {
    return random_text(length, seed, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
}

std::string private_key_block(unsigned seed) {
    std::string block = "-----BEGIN " + std::string("RSA PRIVATE KEY-----\n");
    for (int i = 0; i < 4; ++i) block += random_text(64, seed + i) + "\n";
    return block + "-----END " + std::string("RSA PRIVATE KEY-----");
}

struct Planted {
    std::string rule;
    std::string secret;  // as written in the file
    int line = 0;
    int column = 0;
};

class SecretsCheckTest : public ::testing::Test {
protected:
    void write(const std::string& path, const std::string& content) {
        fs::create_directories((m_folder.path() / path).parent_path());
        std::ofstream out(m_folder.path() / path, std::ios::binary);
        out << content;
    }

    CheckContext context() {
        CheckContext result;
        result.root = m_folder.path();
        util::Result<std::vector<std::string>> files = repository_files(m_folder.path());
        EXPECT_TRUE(files.ok());
        if (files) result.files = *files;
        return result;
    }

    CheckOutcome run(const config::CheckConfig& check) { return run_secrets_check(check, context()); }

    static config::CheckConfig secrets_check(std::string baseline = "") {
        config::CheckConfig check;
        check.name = "secrets";
        check.type = config::CheckType::secrets;
        check.baseline = std::move(baseline);
        return check;
    }

    static std::uint64_t count(const CheckOutcome& outcome, const std::string& name) {
        for (const auto& [counted, value] : outcome.counts) {
            if (counted == name) return value;
        }
        ADD_FAILURE() << "no count named " << name;
        return 0;
    }

    test_support::TempDir m_folder{"greenlight-secrets"};
};

// One line per rule, each secret at a known column; the private key block starts on line 1.
std::vector<Planted> plant_every_rule(std::string& content) {
    std::vector<Planted> planted;
    content = private_key_block(1) + "\n";
    int line = 6;  // the block takes lines 1-6
    const auto add = [&](const std::string& rule, const std::string& prefix, const std::string& secret,
                         const std::string& suffix) {
        ++line;
        content += prefix + secret + suffix + "\n";
        planted.push_back({rule, secret, line, static_cast<int>(prefix.size()) + 1});
    };
    planted.push_back({"private-key", private_key_block(1), 1, 1});
    add("aws-access-key-id", "aws_key_id = ", "AKIA" + upper_alphanumeric(16, 2), "");
    add("github-token", "  gh: ", "ghp_" + random_text(36, 3), " # ci");
    add("slack-token", "webhook(", "xoxb-" + std::string("123456789012-") + random_text(24, 4), ")");
    add("stripe-key", "const stripe = '", "sk_" + std::string("live_") + random_text(24, 5), "';");
    add("google-api-key", "maps=", "AIza" + random_text(35, 6), "&v=3");
    add("jwt", "Authorization: Bearer ",
        "eyJhbGciOiJIUzI1NiJ9" + std::string(".") + "eyJzdWIiOiIxMjM0NTY3ODkwIn0." + random_text(43, 7), "");
    add("generic-secret", "db_password = \"", random_text(24, 8), "\"");
    add("email", "Maintainer: Jane Doe <", "jane.doe" + std::string("@") + "corp-mail.de", ">");
    add("card-number", "card: ", "4111 1111 " + std::string("1111 1111"), " (visa)");
    return planted;
}

TEST_F(SecretsCheckTest, FindsEveryRuleAtItsLineAndColumn) {
    std::string content;
    const std::vector<Planted> planted = plant_every_rule(content);
    write("src/settings.txt", content);
    const std::string readme = "Nothing to see here.\nuser@example.com is a reserved example address.\n";
    write("README.md", readme);

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 2u);
    EXPECT_EQ(outcome.examined_unit, "files");
    EXPECT_EQ(count(outcome, "bytes"), content.size() + readme.size());
    ASSERT_EQ(outcome.findings.size(), planted.size());
    for (std::size_t i = 0; i < planted.size(); ++i) {
        const Finding& finding = outcome.findings[i];
        SCOPED_TRACE(planted[i].rule);
        EXPECT_EQ(finding.rule, planted[i].rule);
        EXPECT_EQ(finding.path, "src/settings.txt");
        EXPECT_EQ(finding.line, planted[i].line);
        EXPECT_EQ(finding.column, planted[i].column);
    }
}

TEST_F(SecretsCheckTest, MessagesNameTheRuleButNeverTheSecret) {
    std::string content;
    const std::vector<Planted> planted = plant_every_rule(content);
    write("settings.txt", content);

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_EQ(outcome.findings.size(), planted.size());
    for (std::size_t i = 0; i < planted.size(); ++i) {
        const std::string& message = outcome.findings[i].message;
        const std::string& secret = planted[i].secret;
        SCOPED_TRACE(planted[i].rule + ": " + message);
        EXPECT_EQ(message.find(secret), std::string::npos);
        // Not even the part after a public prefix such as "AKIA" or "ghp_".
        EXPECT_EQ(message.find(secret.substr(4, 8)), std::string::npos);
        EXPECT_EQ(message.find(secret.substr(secret.size() - 8)), std::string::npos);
        EXPECT_NE(message.find("found"), std::string::npos);
    }
    EXPECT_NE(outcome.findings[1].message.find("AWS access key id"), std::string::npos);
    EXPECT_NE(outcome.findings[1].message.find("AKIA…, 20 characters"), std::string::npos);
    EXPECT_NE(outcome.findings[8].message.find("email address"), std::string::npos);
}

TEST_F(SecretsCheckTest, LuhnFailuresAndNumbersThatAreNotCardsAreNotReported) {
    write("numbers.txt", "card: 4111 1111 " + std::string("1111 1112\n") +         // Luhn fails
                             "created_at: 1700000000000\n" +                       // a timestamp in milliseconds
                             "ratio: 0.4111111" + std::string("111111111\n") +     // a decimal fraction
                             "phone: 4111-111-111-1111-11\n" +                     // not grouped the way cards are
                             "mobile: +49151" + std::string("12345678\n") +        // an international phone number
                             "mastercard: 5555555555" + std::string("554444\n"));  // a valid one, to be sure

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "card-number");
    EXPECT_EQ(outcome.findings[0].line, 6);
    EXPECT_TRUE(util::passes_luhn("41111111" + std::string("11111111")));
    EXPECT_FALSE(util::passes_luhn("4111111111111112"));
}

TEST_F(SecretsCheckTest, PlaceholdersAndLowEntropyValuesAreNotReported) {
    write("config.yml",
          "password: \"${DB_PASSWORD}\"\n"
          "password: changeme\n"
          "api_key = \"xxxxxxxxxxxxxxxxxxxxxxxx\"\n"
          "token = \"aaaaaaaaaaaaaaaabbbbbbbb\"\n"
          "secret = \"short1\"\n"
          "token = next_token_of_the_stream\n"
          "client_secret: \"your_client_secret_here_1234\"\n"
          "password: '{{ .Values.database.password }}'\n"
          "token: ${{ secrets.GITHUB_TOKEN }}\n"
          "max_tokens = 4096\n"
          "tokenizer_path = \"models/tokenizer/v2/spm.model\"\n");
    write("docs.md",
          "Write to user@example.com or admin@mail.test; clone git@github.com:org/repo.git\n"
          "aws_key_id = AKIAIOSFODNN7" +
              std::string("EXAMPLE\n") + "![logo](images/logo@2x.png)\nformat: name@domain.tld\n");

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_FALSE(outcome.error);
    for (const Finding& finding : outcome.findings) {
        ADD_FAILURE() << finding.path << ":" << finding.line << ": " << finding.rule;
    }
    EXPECT_GE(shannon_entropy(random_text(24, 1)), 3.5);
    EXPECT_LT(shannon_entropy("aaaaaaaaaaaaaaaabbbbbbbb"), 3.5);
}

TEST_F(SecretsCheckTest, UnquotedGeneratedValuesAreReported) {
    const std::string value = random_text(32, 11);
    write(".env", "API_TOKEN=" + value + "\n");

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "generic-secret");
    EXPECT_EQ(outcome.findings[0].column, 11);
}

TEST_F(SecretsCheckTest, GeneratedValuesStartingWithPunctuationAreReported) {
    write("app.ini", "password = \"%" + random_text(23, 12) + "\"\n");

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "generic-secret");
}

TEST_F(SecretsCheckTest, CardNumbersInEveryPrintedGrouping) {
    write("cards.txt", "visa 4111-1111-" + std::string("1111-1111\n") +       // dashes
                           "amex 3782 822463 " + std::string("10005\n") +     // 4-6-5
                           "plain 37828224" + std::string("6310005\n") +      // no separators
                           "mixed 4111 1111-" + std::string("1111 1111\n"));  // two kinds of separator

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_EQ(outcome.findings.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(outcome.findings[i].rule, "card-number");
        EXPECT_EQ(outcome.findings[i].line, i + 1);
    }
    EXPECT_EQ(outcome.findings[0].column, 6);
    EXPECT_EQ(outcome.findings[1].column, 6);
    EXPECT_EQ(outcome.findings[2].column, 7);
}

TEST_F(SecretsCheckTest, WindowsLineEndingsKeepLinesAndColumns) {
    write("win.txt", "first\r\nsecond\r\n  key=AKIA" + upper_alphanumeric(16, 13) + "\r\n");

    const CheckOutcome outcome = run(secrets_check());

    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].line, 3);
    EXPECT_EQ(outcome.findings[0].column, 7);
}

TEST_F(SecretsCheckTest, BinaryFilesAreSkippedAndCounted) {
    write("image.bin", std::string("\x89PNG\0\0\0", 7) + "AKIA" + upper_alphanumeric(16, 2) + "\n");
    write("notes.txt", "plain text\n");

    const CheckOutcome outcome = run(secrets_check());

    EXPECT_TRUE(outcome.findings.empty());
    EXPECT_EQ(outcome.examined, 1u);
    EXPECT_EQ(count(outcome, "binary files skipped"), 1u);
    EXPECT_EQ(count(outcome, "bytes"), 11u);
}

TEST_F(SecretsCheckTest, PathsAndExcludeNarrowTheFiles) {
    write("src/a.txt", "aws = AKIA" + upper_alphanumeric(16, 2) + "\n");
    write("test/fixtures/b.txt", "aws = AKIA" + upper_alphanumeric(16, 3) + "\n");
    config::CheckConfig check = secrets_check();
    check.exclude = {"test/fixtures/**"};

    const CheckOutcome outcome = run(check);

    EXPECT_EQ(outcome.examined, 1u);
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].path, "src/a.txt");
}

TEST_F(SecretsCheckTest, BaselineSuppressesExactlyTheAcceptedSecret) {
    const std::string accepted = "AKIA" + upper_alphanumeric(16, 20);
    write("deploy.sh", "#!/bin/sh\nexport AWS_KEY=" + accepted + "\n");
    write("notes.txt", "nothing\n");
    const config::CheckConfig check = secrets_check(".secrets-baseline.json");
    util::Result<std::size_t> written = write_secrets_baseline(check, context(), ".secrets-baseline.json");
    ASSERT_TRUE(written.ok()) << written.message();
    EXPECT_EQ(*written, 1u);
    const std::string baseline_text = *util::read_file(m_folder.path() / ".secrets-baseline.json");
    EXPECT_EQ(baseline_text.find(accepted), std::string::npos);
    EXPECT_EQ(baseline_text.find("\"line\""), std::string::npos);

    CheckOutcome outcome = run(check);
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_TRUE(outcome.findings.empty());
    EXPECT_EQ(count(outcome, "baselined"), 1u);
    EXPECT_EQ(outcome.examined, 2u);  // the baseline itself is not scanned

    // A second secret beside the accepted one is reported; the accepted one stays quiet.
    const std::string added = "AKIA" + upper_alphanumeric(16, 21);
    write("deploy.sh", "#!/bin/sh\nexport AWS_KEY=" + accepted + "\nexport AWS_OTHER=" + added + "\n");
    outcome = run(check);
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].line, 3);
    EXPECT_EQ(count(outcome, "baselined"), 1u);

    // The same secret in another file is not accepted there.
    write("notes.txt", "key " + accepted + "\n");
    outcome = run(check);
    EXPECT_EQ(outcome.findings.size(), 2u);
}

TEST_F(SecretsCheckTest, BaselineDoesNotHideAChangedSecretAtTheSamePlace) {
    write("deploy.sh", "export AWS_KEY=AKIA" + upper_alphanumeric(16, 30) + "\n");
    const config::CheckConfig check = secrets_check("baseline.json");
    ASSERT_TRUE(write_secrets_baseline(check, context(), "baseline.json").ok());

    write("deploy.sh", "export AWS_KEY=AKIA" + upper_alphanumeric(16, 31) + "\n");
    const CheckOutcome outcome = run(check);

    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].line, 1);
    EXPECT_EQ(count(outcome, "baselined"), 0u);
}

TEST_F(SecretsCheckTest, BaselineSurvivesMovingTheLine) {
    const std::string key = private_key_block(40);
    write("fixtures/key.pem", key + "\n");
    const config::CheckConfig check = secrets_check("baseline.json");
    ASSERT_TRUE(write_secrets_baseline(check, context(), "baseline.json").ok());
    const std::string first = *util::read_file(m_folder.path() / "baseline.json");

    write("fixtures/key.pem", "# test key, moved down\n\n\n" + key + "\n");
    const CheckOutcome outcome = run(check);
    EXPECT_TRUE(outcome.findings.empty());
    EXPECT_EQ(count(outcome, "baselined"), 1u);

    // Rewriting keeps the key and, with the same findings, the same bytes.
    ASSERT_TRUE(write_secrets_baseline(check, context(), "baseline.json").ok());
    EXPECT_EQ(*util::read_file(m_folder.path() / "baseline.json"), first);
}

TEST_F(SecretsCheckTest, BaselineFolderIsCreated) {
    write("a.txt", "aws = AKIA" + upper_alphanumeric(16, 45) + "\n");
    const config::CheckConfig check = secrets_check(".greenlight/secrets-baseline.json");

    ASSERT_TRUE(write_secrets_baseline(check, context(), ".greenlight/secrets-baseline.json").ok());

    const CheckOutcome outcome = run(check);
    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(count(outcome, "baselined"), 1u);
}

TEST_F(SecretsCheckTest, BaselineEntriesAreSortedAndKeyedByAFreshKey) {
    write("b.txt", "aws = AKIA" + upper_alphanumeric(16, 50) + "\n");
    write("a.txt", "aws = AKIA" + upper_alphanumeric(16, 51) + "\n");
    const config::CheckConfig check = secrets_check("baseline.json");
    ASSERT_TRUE(write_secrets_baseline(check, context(), "baseline.json").ok());
    const nlohmann::json first = nlohmann::json::parse(*util::read_file(m_folder.path() / "baseline.json"));
    ASSERT_EQ(first["findings"].size(), 2u);
    EXPECT_EQ(first["findings"][0]["path"], "a.txt");
    EXPECT_EQ(first["findings"][1]["path"], "b.txt");
    EXPECT_EQ(first["findings"][0]["rule"], "aws-access-key-id");
    EXPECT_EQ(first["key"].get<std::string>().size(), 64u);

    // Another repository's baseline gets another key, so fingerprints cannot be compared across them.
    test_support::TempDir other;
    CheckContext other_context = context();
    other_context.root = other.path();
    other_context.files = {};
    ASSERT_TRUE(write_secrets_baseline(check, other_context, "baseline.json").ok());
    const nlohmann::json second = nlohmann::json::parse(*util::read_file(other.path() / "baseline.json"));
    EXPECT_NE(first["key"], second["key"]);
}

TEST_F(SecretsCheckTest, MalformedOrMissingBaselineIsAnErrorNamingTheFile) {
    write("a.txt", "hello\n");
    const config::CheckConfig check = secrets_check("baseline.json");

    CheckOutcome outcome = run(check);
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("baseline.json does not exist"), std::string::npos) << *outcome.error;

    write("baseline.json", "{ not json");
    outcome = run(check);
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("baseline.json"), std::string::npos);
    EXPECT_NE(outcome.error->find("not valid JSON"), std::string::npos) << *outcome.error;

    write("baseline.json", R"({"schema": "greenlight.secrets-baseline/v1", "key": ")" + std::string(64, 'a') +
                               R"(", "findings": [{"path": "a.txt", "rule": "aws-key", "fingerprint": "00"}]})");
    outcome = run(check);
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("findings[0]: unknown rule `aws-key`"), std::string::npos) << *outcome.error;

    write("baseline.json", R"({"schema": "greenlight.secrets-baseline/v1", "key": "abc", "findings": []})");
    outcome = run(check);
    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("\"key\""), std::string::npos) << *outcome.error;

    // A malformed baseline is not overwritten (its key would be lost).
    EXPECT_FALSE(write_secrets_baseline(check, context(), "baseline.json").ok());
}

TEST_F(SecretsCheckTest, ScopeChangedLooksOnlyAtAddedLines) {
    const std::string old_secret = "AKIA" + upper_alphanumeric(16, 60);
    const std::string new_secret = "ghp_" + random_text(36, 61);
    write("app.cfg", "old = " + old_secret + "\nkeep\nnew = " + new_secret + "\n");
    write("other.cfg", "old = " + old_secret + "\n");
    config::CheckConfig check = secrets_check();
    check.scope = config::CheckScope::changed;
    CheckContext changed = context();
    diff::FileDiff file;
    file.old_path = "app.cfg";
    file.new_path = "app.cfg";
    file.added = {{3, "new = " + new_secret}};
    changed.change = diff::Diff{{file}};

    const CheckOutcome outcome = run_secrets_check(check, changed);

    ASSERT_FALSE(outcome.error) << *outcome.error;
    EXPECT_EQ(outcome.examined, 1u);
    ASSERT_EQ(outcome.findings.size(), 1u);
    EXPECT_EQ(outcome.findings[0].rule, "github-token");
    EXPECT_EQ(outcome.findings[0].path, "app.cfg");
    EXPECT_EQ(outcome.findings[0].line, 3);
    EXPECT_EQ(outcome.findings[0].column, 7);
}

TEST_F(SecretsCheckTest, ScopeChangedSkipsBinaryChangesAndDeletedFiles) {
    config::CheckConfig check = secrets_check();
    check.scope = config::CheckScope::changed;
    CheckContext changed = context();
    diff::FileDiff binary;
    binary.new_path = "logo.png";
    binary.change = diff::FileChange::added;
    binary.binary = true;
    diff::FileDiff deleted;
    deleted.old_path = "old.txt";
    deleted.change = diff::FileChange::deleted;
    diff::FileDiff text;
    text.old_path = text.new_path = "notes.txt";
    text.added = {{1, "clean line"}};
    changed.change = diff::Diff{{binary, deleted, text}};

    const CheckOutcome outcome = run_secrets_check(check, changed);

    ASSERT_FALSE(outcome.error);
    EXPECT_TRUE(outcome.findings.empty());
    EXPECT_EQ(outcome.examined, 1u);
    EXPECT_EQ(count(outcome, "binary files skipped"), 1u);
    EXPECT_EQ(count(outcome, "bytes"), 11u);
}

TEST_F(SecretsCheckTest, ScopeChangedWithoutAChangeIsAnError) {
    write("a.txt", "hello\n");
    config::CheckConfig check = secrets_check();
    check.scope = config::CheckScope::changed;

    const CheckOutcome outcome = run(check);

    ASSERT_TRUE(outcome.error);
    EXPECT_NE(outcome.error->find("scope: changed"), std::string::npos);
}

TEST(FindSecrets, ASpecificRuleWinsOverTheGenericAssignment) {
    const std::string jwt = "eyJhbGciOiJIUzI1NiJ9" + std::string(".") + "eyJzdWIiOiJhIn0." + random_text(43, 70);
    util::Result<std::vector<SecretMatch>> matches = find_secrets("token = \"" + jwt + "\"\n");
    ASSERT_TRUE(matches.ok());
    ASSERT_EQ(matches->size(), 1u);
    EXPECT_EQ((*matches)[0].rule, "jwt");
    EXPECT_EQ((*matches)[0].offset, 9u);
    EXPECT_EQ((*matches)[0].length, jwt.size());
}

TEST(FindSecrets, AHeaderWithoutAKeyBodyIsNotAPrivateKey) {
    util::Result<std::vector<SecretMatch>> matches =
        find_secrets("if line.startswith(\"-----BEGIN " + std::string("RSA PRIVATE KEY-----\"):\n    return True\n"));
    ASSERT_TRUE(matches.ok());
    EXPECT_TRUE(matches->empty());
}

}  // namespace
}  // namespace greenlight::hygiene
