// How a command reads greenlight.yml: required by some commands, optional (with defaults) for others, and every
// refusal said on stderr with the file's name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "greenlight/cli/commands.hpp"
#include "support/test_support.hpp"

namespace greenlight::cli {
namespace {

using test_support::TempDir;
using ::testing::HasSubstr;

std::string write_config(const TempDir& folder, const std::string& name, const std::string& text) {
    const auto path = folder.path() / name;
    std::ofstream(path) << text;
    return path.string();
}

TEST(LoadRequiredConfig, AMissingFileSaysWhatTheCommandReadsItFor) {
    TempDir folder;
    const std::string file = (folder.path() / "greenlight.yml").string();
    ::testing::internal::CaptureStderr();
    auto config = load_required_config(file, "`greenlight check` runs the checks of its `checks:` section");
    const std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(config);
    EXPECT_THAT(said, HasSubstr(file + " does not exist; `greenlight check` runs the checks of its `checks:` section"));
}

TEST(LoadRequiredConfig, AFileWithErrorsIsRefusedWithEachErrorAndItsLine) {
    TempDir folder;
    const std::string file =
        write_config(folder, "greenlight.yml", "version: 1\nproject: p\nsuites: { u: { run: 42 } }\n");
    ::testing::internal::CaptureStderr();
    auto config = load_required_config(file, "reads it");
    const std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(config);
    EXPECT_THAT(said, HasSubstr(file + ":3:"));
    EXPECT_THAT(said, HasSubstr("1 error in the config"));
}

TEST(LoadRequiredConfig, AValidFileLoadsRootedAtItsFolder) {
    TempDir folder;
    const std::string file =
        write_config(folder, "greenlight.yml", "version: 1\nproject: p\nsuites: { u: { run: [x] } }\n");
    auto config = load_required_config(file, "reads it");
    ASSERT_TRUE(config);
    EXPECT_EQ(config->project, "p");
    EXPECT_EQ(std::filesystem::weakly_canonical(config->root), std::filesystem::weakly_canonical(folder.path()));
}

TEST(LoadOptionalConfig, AMissingDefaultFileGivesTheDefaults) {
    TempDir folder;
    const std::string file = (folder.path() / "greenlight.yml").string();
    ::testing::internal::CaptureStderr();
    auto config = load_optional_config(file, /*named=*/false);
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    ASSERT_TRUE(config);
    EXPECT_EQ(config->root, ".");
    EXPECT_FALSE(config->gate.rules.empty()) << "the gate's runbook defaults";
}

TEST(LoadOptionalConfig, AMissingFileNamedOnTheCommandLineIsAnError) {
    TempDir folder;
    const std::string file = (folder.path() / "other.yml").string();
    ::testing::internal::CaptureStderr();
    auto config = load_optional_config(file, /*named=*/true);
    const std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(config);
    EXPECT_THAT(said, HasSubstr(file + " does not exist"));
}

TEST(LoadOptionalConfig, AFileThatExistsMustLoad) {
    TempDir folder;
    const std::string file = write_config(folder, "greenlight.yml", "version: 1\nproject: p\nbogus: 1\n");
    ::testing::internal::CaptureStderr();
    auto config = load_optional_config(file, /*named=*/false);
    const std::string said = ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(config) << "an existing default file with errors is not silently replaced by the defaults";
    EXPECT_THAT(said, HasSubstr("bogus"));
}

}  // namespace
}  // namespace greenlight::cli
