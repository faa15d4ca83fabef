// util::MappedFile: a file's bytes through a read-only mapping, and clear errors for what cannot be mapped.
#include "greenlight/util/mapped_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <utility>

#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::util {
namespace {

TEST(MappedFile, GivesTheFilesBytesAndSurvivesAMove) {
    TemporaryDirectory scratch("greenlight-mapped-test");
    const auto path = scratch.path() / "report.xml";
    const std::string content = std::string("<coverage>\0</coverage>\n", 24) + std::string(100000, 'x');
    std::ofstream(path, std::ios::binary) << content;
    auto mapped = MappedFile::open(path);
    ASSERT_TRUE(mapped) << mapped.message();
    EXPECT_EQ(mapped->text(), content);
    MappedFile moved = std::move(*mapped);
    EXPECT_EQ(moved.text(), content);
    EXPECT_TRUE(mapped->text().empty());
}

TEST(MappedFile, AnEmptyFileIsEmptyTextAndWhatCannotBeMappedIsAnErrorNamingIt) {
    TemporaryDirectory scratch("greenlight-mapped-test");
    const auto empty = scratch.path() / "empty.info";
    std::ofstream{empty};
    auto mapped = MappedFile::open(empty);
    ASSERT_TRUE(mapped) << mapped.message();
    EXPECT_TRUE(mapped->text().empty());

    auto missing = MappedFile::open(scratch.path() / "missing.xml");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.message().find("missing.xml"), std::string::npos) << missing.message();
    auto folder = MappedFile::open(scratch.path());
    ASSERT_FALSE(folder);
    EXPECT_NE(folder.message().find("not a regular file"), std::string::npos) << folder.message();
}

}  // namespace
}  // namespace greenlight::util
