#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "greenlight/bridge/payload.hpp"
#include "greenlight/util/sha256.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::bridge {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

bool has_problem(const PayloadVerification& verification, const std::string& start) {
    return std::any_of(verification.problems.begin(), verification.problems.end(),
                       [&](const std::string& problem) { return problem.starts_with(start); });
}

class PayloadTest : public ::testing::Test {
protected:
    PayloadTest() {
        write(dir / "scenario.json", "{\"steps\": 3}\n");
        write(dir / "script.json", "{\"frames\": []}\n");
    }
    std::string digest(const std::string& name) { return util::sha256_file(dir / name).value().sha256; }
    util::TemporaryDirectory temporary{"payload-test"};
    fs::path dir = temporary.path() / "payload";
};

TEST_F(PayloadTest, FlatAndFilesFormsVerify) {
    const std::string flat =
        "{\"scenario.json\": \"" + digest("scenario.json") + "\", \"script.json\": \"" + digest("script.json") + "\"}";
    write(dir / "manifest.json", flat);
    PayloadVerification verification = verify_payload(dir, "manifest.json");
    ASSERT_TRUE(verification.payload.has_value()) << (verification.problems.empty() ? "" : verification.problems[0]);
    EXPECT_EQ(verification.payload->files.size(), 2u);
    EXPECT_EQ(verification.payload->manifest_sha256, util::sha256_hex(flat));
    ASSERT_NE(verification.payload->find("script.json"), nullptr);
    EXPECT_TRUE(verification.payload->find("script.json")->path.is_absolute());

    write(dir / "manifest.json", "{\"files\": " + flat + "}");
    EXPECT_TRUE(verify_payload(dir, "manifest.json").payload.has_value());
}

TEST_F(PayloadTest, UpperCaseDigestsAreAccepted) {
    std::string upper = digest("scenario.json");
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    write(dir / "manifest.json",
          "{\"scenario.json\": \"" + upper + "\", \"script.json\": \"" + digest("script.json") + "\"}");
    EXPECT_TRUE(verify_payload(dir, "manifest.json").payload.has_value());
}

TEST_F(PayloadTest, GreenlightManifestVerifiesWithSizes) {
    const std::string manifest =
        "{\"schema\": \"greenlight.manifest/v1\", \"files\": ["
        "{\"path\": \"scenario.json\", \"size\": 13, \"sha256\": \"" +
        digest("scenario.json") + "\"}, {\"path\": \"script.json\", \"size\": 15, \"sha256\": \"" +
        digest("script.json") + "\"}]}";
    write(dir / "manifest.json", manifest);
    write(dir / "manifest-sha256.txt", "ignored beside greenlight's manifest\n");
    PayloadVerification verification = verify_payload(dir, "manifest.json");
    EXPECT_TRUE(verification.payload.has_value()) << (verification.problems.empty() ? "" : verification.problems[0]);
}

TEST_F(PayloadTest, EveryProblemIsListedNotJustTheFirst) {
    write(dir / "manifest.json",
          "{\"scenario.json\": \"" + std::string(64, '0') + "\", \"gone.json\": \"" + digest("script.json") + "\"}");
    write(dir / "sub/extra.txt", "surprise\n");
    PayloadVerification verification = verify_payload(dir, "manifest.json");
    EXPECT_FALSE(verification.payload.has_value());
    EXPECT_TRUE(has_problem(verification, "mismatch: scenario.json")) << verification.problems.size();
    EXPECT_TRUE(has_problem(verification, "missing: gone.json"));
    EXPECT_TRUE(has_problem(verification, "extra: script.json"));
    EXPECT_TRUE(has_problem(verification, "extra: sub/extra.txt"));
    EXPECT_EQ(verification.problems.size(), 4u);
}

TEST_F(PayloadTest, ManifestFaultsAreProblems) {
    write(dir / "manifest.json", "{\"scenario.json\": \"nothex\", \"../up.json\": \"" + std::string(64, 'a') + "\"}");
    PayloadVerification verification = verify_payload(dir, "manifest.json");
    EXPECT_FALSE(verification.payload.has_value());
    EXPECT_TRUE(has_problem(verification, "manifest.json: \"scenario.json\": expected a sha256"));
    EXPECT_TRUE(has_problem(verification, "manifest.json: \"../up.json\" is not a safe"));

    write(dir / "manifest.json", "[1, 2]");
    EXPECT_TRUE(has_problem(verify_payload(dir, "manifest.json"), "manifest.json: expected a JSON object"));
    fs::remove(dir / "manifest.json");
    EXPECT_TRUE(has_problem(verify_payload(dir, "manifest.json"), "missing: manifest.json"));
    EXPECT_FALSE(verify_payload(temporary.path() / "nowhere", "manifest.json").problems.empty());
}

TEST_F(PayloadTest, SymlinksAreRefused) {
    write(dir / "manifest.json", "{\"scenario.json\": \"" + digest("scenario.json") + "\", \"script.json\": \"" +
                                     digest("script.json") + "\"}");
    fs::create_symlink("/etc/hostname", dir / "link");
    EXPECT_TRUE(has_problem(verify_payload(dir, "manifest.json"), "unsafe: link"));
}

}  // namespace
}  // namespace greenlight::bridge
