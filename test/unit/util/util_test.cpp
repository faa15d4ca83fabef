#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "greenlight/util/base64.hpp"
#include "greenlight/util/duration.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/parallel.hpp"
#include "greenlight/util/sha256.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::util {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesWhatPeopleWrite) {
    EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
    EXPECT_EQ(parse_duration("30s"), milliseconds(30'000));
    EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
    EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
    EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
    EXPECT_EQ(parse_duration("90"), milliseconds(90'000));  // a bare number is seconds
    EXPECT_EQ(parse_duration("30d"), milliseconds(30ll * 86'400'000));
    EXPECT_EQ(parse_duration("1d12h"), milliseconds(36ll * 3'600'000));
}

TEST(Duration, RejectsGarbage) {
    for (const char* text : {"", "m", "5 m", "5min", "-3s", "1h-2m", "s5", "5s5"}) {
        EXPECT_FALSE(parse_duration(text).has_value()) << text;
    }
}

TEST(Duration, FormatsShortAndExact) {
    EXPECT_EQ(format_duration(milliseconds(1234)), "1.234s");
    EXPECT_EQ(format_duration(milliseconds(125'000)), "2m05s");
    EXPECT_EQ(format_duration(milliseconds(3'720'000)), "1h02m");
}

TEST(Size, ParsesBinaryAndDecimalUnits) {
    EXPECT_EQ(parse_size("64KiB"), 65536u);
    EXPECT_EQ(parse_size("8MiB"), 8u << 20);
    EXPECT_EQ(parse_size("1GiB"), 1u << 30);
    EXPECT_EQ(parse_size("10kB"), 10'000u);
    EXPECT_EQ(parse_size("1000"), 1000u);
    EXPECT_FALSE(parse_size("8 MiB").has_value());
    EXPECT_FALSE(parse_size("MiB").has_value());
    EXPECT_FALSE(parse_size("99999999999999999999GiB").has_value());
}

TEST(Strings, DidYouMeanFindsLikelyMisspellings) {
    std::vector<std::string> keys{"timeout", "retries", "min_tests", "results", "run"};
    EXPECT_EQ(did_you_mean("timout", keys), "timeout");
    EXPECT_EQ(did_you_mean("retires", keys), "retries");  // a transposition is one edit
    EXPECT_EQ(did_you_mean("min-tests", keys), "min_tests");
    EXPECT_FALSE(did_you_mean("banana", keys).has_value());
}

TEST(Strings, ExpandsKnownPlaceholdersOnly) {
    std::vector<std::pair<std::string, std::string>> values{{"outputs", "/b/out"}, {"suite", "unit"}};
    EXPECT_EQ(expand_placeholders("{outputs}/{suite}.xml", values), "/b/out/unit.xml");
    EXPECT_EQ(expand_placeholders("${{ secrets.X }} {unknown} {", values), "${{ secrets.X }} {unknown} {");
}

TEST(Strings, MarkdownCellsKeepTheTableIntact) {
    EXPECT_EQ(markdown_table_cell("a | b\r\nc"), "a \\| b c");
}

TEST(Strings, WorkflowCommandEscaping) {
    EXPECT_EQ(workflow_command_escape("50% done\nnext", false), "50%25 done%0Anext");
    EXPECT_EQ(workflow_command_escape("src/a,b:c.py", true), "src/a%2Cb%3Ac.py");
    EXPECT_EQ(workflow_command_escape("a:b,c", false), "a:b,c");  // only properties escape ':' and ','
}

TEST(Strings, TextPositionIsOneBasedAndClamped) {
    const std::string text = "ab\ncd\nef";
    EXPECT_EQ(text_position(text, 0).line, 1);
    EXPECT_EQ(text_position(text, 0).column, 1);
    EXPECT_EQ(text_position(text, 4).line, 2);
    EXPECT_EQ(text_position(text, 4).column, 2);
    EXPECT_EQ(text_position(text, 1000).line, 3);
    EXPECT_EQ(text_position(text, -5).line, 1);
    EXPECT_EQ(lowercase("RISK:R2-Medium"), "risk:r2-medium");
}

TEST(Strings, Utf8OfEachLength) {
    std::string text;
    for (char32_t code_point : {U'A', U'\u00e9', U'\uff20', U'\U0001F600'}) append_utf8(text, code_point);
    EXPECT_EQ(text, "A\xC3\xA9\xEF\xBC\xA0\xF0\x9F\x98\x80");
}

TEST(Strings, LuhnAcceptsCardNumbersAndNothingElse) {
    EXPECT_TRUE(passes_luhn("4111111111111111"));  // a well-known test card number
    EXPECT_TRUE(passes_luhn("378282246310005"));
    EXPECT_FALSE(passes_luhn("4111111111111112"));
    EXPECT_FALSE(passes_luhn("4111 1111 1111 1111"));  // digits only
    EXPECT_FALSE(passes_luhn(""));
}

TEST(Parallel, EveryIndexExactlyOnceWhateverTheThreadCount) {
    for (std::size_t threads : {1u, 2u, 4u, 64u}) {
        std::vector<std::atomic<int>> visits(1000);
        for_each_index_in_parallel(visits.size(), threads, [&](std::size_t index) { ++visits[index]; });
        for (std::size_t index = 0; index < visits.size(); ++index)
            ASSERT_EQ(visits[index], 1) << index << " " << threads;
    }
    bool called = false;
    for_each_index_in_parallel(0, 4, [&](std::size_t) { called = true; });
    EXPECT_FALSE(called);
    EXPECT_GE(worker_threads(8), 1u);
    EXPECT_LE(worker_threads(8), 8u);
}

TEST(Parallel, EachThreadMakesItsStateOnceAndUsesItForEveryIndexItTakes) {
    for (std::size_t threads : {1u, 3u, 16u}) {
        std::atomic<int> states_made{0};
        std::vector<std::atomic<int>> visits(500);
        std::vector<int> owner(visits.size(), -1);
        for_each_index_in_parallel_with_state(
            visits.size(), threads, [&] { return states_made++; },
            [&](int& state, std::size_t index) {
                ++visits[index];
                owner[index] = state;
            });
        EXPECT_GE(states_made.load(), 1);
        EXPECT_LE(states_made.load(), static_cast<int>(threads));
        for (std::size_t index = 0; index < visits.size(); ++index) {
            ASSERT_EQ(visits[index], 1) << index;
            ASSERT_GE(owner[index], 0);
            ASSERT_LT(owner[index], states_made.load());
        }
    }
    int made = 0;
    for_each_index_in_parallel_with_state(
        0, 4, [&] { return ++made; }, [](int&, std::size_t) {});
    EXPECT_EQ(made, 0);  // nothing to do: no client opened, no folder made
}

TEST(Paths, SafeRelativePathsOnly) {
    EXPECT_TRUE(is_safe_relative_path("suites/unit/output.log"));
    for (const char* path : {"", "/etc/passwd", "../x", "a/../b", "a//b", "./a", "a/", "a\\b"}) {
        EXPECT_FALSE(is_safe_relative_path(path)) << path;
    }
}

TEST(Sha256, MatchesKnownVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Files, AtomicWriteReplacesWholeFileAndLeavesNoTemp) {
    auto dir = std::filesystem::temp_directory_path() / ("greenlight-util-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "summary.json";
    ASSERT_TRUE(write_file_atomic(file, "first version, longer\n"));
    ASSERT_TRUE(write_file_atomic(file, "second\n", Durability::process_crash));
    EXPECT_EQ(read_file(file).value(), "second\n");
    size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++entries;
    EXPECT_EQ(entries, 1u);
    auto digest = sha256_file(file);
    ASSERT_TRUE(digest);
    EXPECT_EQ(digest->size, 7u);
    EXPECT_EQ(digest->sha256, sha256_hex("second\n"));
    std::filesystem::remove_all(dir);
}

TEST(Files, ErrorsNameThePath) {
    auto missing = read_file("/nonexistent/greenlight/file.txt");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.message().find("/nonexistent/greenlight/file.txt"), std::string::npos);
    auto unwritable = write_file_atomic("/nonexistent/greenlight/out.json", "x");
    ASSERT_FALSE(unwritable);
    EXPECT_NE(unwritable.message().find("/nonexistent/greenlight/out.json"), std::string::npos);
}

TEST(TemporaryDirectory, EachSubfolderStartsEmptyWhateverThePreviousUserLeft) {
    std::filesystem::path root;
    {
        TemporaryDirectory scratch("greenlight-util-test");
        root = scratch.path();
        ASSERT_FALSE(root.empty());
        auto first = scratch.fresh_subfolder("a.1");
        ASSERT_EQ(first, root / "a.1");
        EXPECT_TRUE(std::filesystem::is_empty(first));
        std::filesystem::create_directories(first / "deep/er");
        std::ofstream(first / "deep/er/file.txt") << "left behind";
        std::ofstream(first / ".hidden") << "x";

        auto second = scratch.fresh_subfolder("b.1");
        ASSERT_EQ(second, root / "b.1");
        EXPECT_TRUE(std::filesystem::is_empty(second));
        EXPECT_FALSE(std::filesystem::exists(first)) << "the cleared folder is reused under the new name";

        auto third = scratch.fresh_subfolder("c.1");  // after an attempt that left nothing
        ASSERT_EQ(third, root / "c.1");
        EXPECT_TRUE(std::filesystem::is_empty(third));
    }
    EXPECT_FALSE(std::filesystem::exists(root)) << "the whole folder goes with the object";
}

TEST(TemporaryDirectory, ClearSaysWhetherTheFolderIsEmptyAfterwards) {
    TemporaryDirectory scratch("greenlight-util-test");
    auto folder = scratch.fresh_subfolder("x");
    EXPECT_TRUE(TemporaryDirectory::clear(folder)) << "an empty folder";
    std::filesystem::create_directories(folder / "sub");
    std::ofstream(folder / "sub/f") << "data";
    std::ofstream(folder / "g") << "data";
    EXPECT_TRUE(TemporaryDirectory::clear(folder));
    EXPECT_TRUE(std::filesystem::is_empty(folder));
    EXPECT_FALSE(TemporaryDirectory::clear(scratch.path() / "not-there")) << "a folder that does not exist";
}

TEST(Base64, TheVectorsOfRfc4648BothWays) {
    const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                      {"f", "Zg=="},
                                                                      {"fo", "Zm8="},
                                                                      {"foo", "Zm9v"},
                                                                      {"foob", "Zm9vYg=="},
                                                                      {"fooba", "Zm9vYmE="},
                                                                      {"foobar", "Zm9vYmFy"},
                                                                      {"user:pass", "dXNlcjpwYXNz"},
                                                                      {std::string("\0\xff\x10", 3), "AP8Q"}};
    for (const auto& [bytes, encoded] : vectors) {
        EXPECT_EQ(base64_encode(bytes), encoded);
        EXPECT_EQ(base64_decode(encoded), bytes) << encoded;
    }
}

TEST(Base64, OnlyCanonicalTextDecodes) {
    for (std::string_view bad : {"dXNlcjpwYXN", "dXNl*jpw", "dX==cjpw", "d===", "====", " Zm9v", "Zm9v ", "Zm9v\n",
                                 "Zm 9v", "Zm9v====", "Zg=a", "Zm-_"}) {
        EXPECT_FALSE(base64_decode(bad)) << "'" << bad << "'";
    }
}

TEST(Base64, UrlSafeHasNoPaddingAndNoPlusOrSlash) {
    EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xfe", 3)), "-__-");
    EXPECT_EQ(base64_encode(std::string("\xfb\xff\xfe", 3)), "+//+");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode(""), "");
}

}  // namespace
}  // namespace greenlight::util
