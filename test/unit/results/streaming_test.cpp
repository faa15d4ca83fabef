// Results read from files line by line, in bounded memory, say exactly what the same text read whole says.
#include <gtest/gtest.h>

#include <fstream>

#include "greenlight/results/parse_support.hpp"
#include "greenlight/util/temporary_directory.hpp"
#include "unit/results/results_test_support.hpp"

namespace greenlight::results {
namespace {

using testing::data_path;
using testing::expect_parsed;
using testing::read_data;

void expect_same_cases(const std::vector<TestCase>& from_file, const std::vector<TestCase>& from_text) {
    ASSERT_EQ(from_file.size(), from_text.size());
    for (size_t i = 0; i < from_file.size(); ++i) {
        EXPECT_EQ(from_file[i].suite, from_text[i].suite);
        EXPECT_EQ(from_file[i].name, from_text[i].name);
        EXPECT_EQ(from_file[i].outcome, from_text[i].outcome);
        EXPECT_EQ(from_file[i].message, from_text[i].message);
        EXPECT_EQ(from_file[i].details, from_text[i].details);
    }
}

void expect_same_outcome(const ParseOutcome& from_file, const ParseOutcome& from_text) {
    ASSERT_EQ(from_file.ok(), from_text.ok());
    if (!from_file) {
        EXPECT_EQ(from_file.error().to_string(), from_text.error().to_string());
        return;
    }
    const ParsedResults& file_results = *from_file;
    const ParsedResults& text_results = *from_text;
    EXPECT_EQ(file_results.format, text_results.format);
    testing::expect_counts(file_results.counts,
                           {text_results.counts.total, text_results.counts.passed, text_results.counts.failed,
                            text_results.counts.errored, text_results.counts.skipped});
    expect_same_cases(file_results.cases, text_results.cases);
}

std::vector<std::filesystem::path> data_files(std::string_view folder) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(data_path(folder))) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    EXPECT_FALSE(files.empty());
    return files;
}

TEST(StreamingTest, RunnerOutputFromAFileEqualsTheWholeText) {
    for (const auto& file : data_files("output")) {
        const std::string text = read_data("output/" + file.filename().string());
        for (ResultsFormat format : {ResultsFormat::pytest, ResultsFormat::go, ResultsFormat::ctest,
                                     ResultsFormat::cargo, ResultsFormat::node, ResultsFormat::plain}) {
            SCOPED_TRACE(file.filename().string() + " as " + std::string(to_string(format)));
            expect_same_outcome(parse_runner_output_file(format, file, "output.log"),
                                parse_runner_output(format, text, "output.log"));
        }
    }
}

TEST(StreamingTest, TapFromAFileEqualsTheWholeText) {
    for (const auto& file : data_files("tap")) {
        SCOPED_TRACE(file.filename().string());
        const std::string text = read_data("tap/" + file.filename().string());
        expect_same_outcome(parse_results_file(ResultsFormat::tap, file), parse_tap(text, file.string()));
    }
}

TEST(StreamingTest, JunitFromAFileEqualsTheWholeTextErrorsIncluded) {
    for (const auto& file : data_files("junit")) {
        SCOPED_TRACE(file.filename().string());
        const std::string text = read_data("junit/" + file.filename().string());
        expect_same_outcome(parse_results_file(ResultsFormat::junit, file), parse_junit(text, file.string()));
    }
}

class FileLinesTest : public ::testing::Test {
protected:
    std::filesystem::path write(std::string_view content) {
        const std::filesystem::path path = m_folder.path() / "lines.txt";
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    std::vector<std::string> read_all(const std::filesystem::path& path) {
        support::FileLines lines(path);
        EXPECT_EQ(lines.open_error(), "");
        std::vector<std::string> all;
        while (std::optional<std::string_view> line = lines.next()) all.emplace_back(*line);
        EXPECT_EQ(lines.read_error(), "");
        return all;
    }

    util::TemporaryDirectory m_folder{"greenlight-lines"};
};

TEST_F(FileLinesTest, SplitsLikeTheTextReader) {
    const std::string text = "one\r\ntwo\n\nthree";
    std::vector<std::string> from_text;
    support::TextLines text_lines(text);
    while (std::optional<std::string_view> line = text_lines.next()) from_text.emplace_back(*line);
    EXPECT_EQ(from_text, (std::vector<std::string>{"one", "two", "", "three"}));
    EXPECT_EQ(read_all(write(text)), from_text);
    EXPECT_TRUE(read_all(write("")).empty());
}

TEST_F(FileLinesTest, LinesAcrossManyChunksStayWhole) {
    std::string text;
    for (int i = 0; i < 50000; ++i) text += "line " + std::to_string(i) + "\n";
    const std::vector<std::string> lines = read_all(write(text));
    ASSERT_EQ(lines.size(), 50000u);
    EXPECT_EQ(lines[0], "line 0");
    EXPECT_EQ(lines[12345], "line 12345");
    EXPECT_EQ(lines.back(), "line 49999");
}

TEST_F(FileLinesTest, AnEndlessLineIsCutAndTheNextOneReadWhole) {
    const std::string endless(3 * support::k_max_line_bytes + 17, 'x');
    const std::vector<std::string> lines = read_all(write("first\n" + endless + "\nlast\n"));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "first");
    EXPECT_EQ(lines[1].size(), support::k_max_line_bytes);
    EXPECT_EQ(lines[2], "last");

    support::TextLines text_lines(endless);
    EXPECT_EQ(text_lines.next()->size(), support::k_max_line_bytes);
}

TEST_F(FileLinesTest, LineNumbersCountFromOne) {
    support::FileLines lines(write("a\nb\n"));
    lines.next();
    lines.next();
    EXPECT_EQ(lines.line_number(), 2);
    EXPECT_FALSE(lines.next());
}

TEST_F(FileLinesTest, MissingFileIsAnErrorNamingIt) {
    support::FileLines lines(m_folder.path() / "absent.log");
    EXPECT_NE(lines.open_error().find("absent.log"), std::string::npos) << lines.open_error();
    EXPECT_FALSE(lines.next());
    const ParseOutcome outcome =
        parse_runner_output_file(ResultsFormat::pytest, m_folder.path() / "absent.log", "output.log");
    ASSERT_FALSE(outcome.ok());
    EXPECT_NE(outcome.error().to_string().find("absent.log"), std::string::npos);
}

TEST(HeadAndTailTest, ShortTextIsKeptWhole) {
    support::HeadAndTail kept(100);
    kept.append("hello ");
    kept.append("world");
    EXPECT_EQ(kept.text(), "hello world");
    kept.clear();
    EXPECT_EQ(kept.text(), "");
}

TEST(HeadAndTailTest, LongTextKeepsStartAndEndWithinTheLimit) {
    support::HeadAndTail kept(200);
    std::string whole;
    for (int i = 0; i < 1000; ++i) {
        const std::string piece = "piece " + std::to_string(i) + "\n";
        kept.append(piece);
        whole += piece;
    }
    const std::string text = kept.text();
    EXPECT_LE(text.size(), 200u);
    EXPECT_TRUE(text.starts_with("piece 0\npiece 1\n")) << text;
    EXPECT_TRUE(text.ends_with("piece 999\n")) << text;
    EXPECT_NE(text.find("bytes cut ...]"), std::string::npos) << text;
    // The marker's count is what is missing: kept bytes plus cut bytes make the whole.
    const size_t marker = text.find("\n[... ");
    const size_t count = std::stoul(text.substr(marker + 6));
    const size_t marker_end = text.find("...]\n", marker) + 5;
    EXPECT_EQ(marker + (text.size() - marker_end) + count, whole.size());
}

TEST(HeadAndTailTest, NeverSplitsAUtf8Sequence) {
    support::HeadAndTail kept(100);
    for (int i = 0; i < 200; ++i) kept.append("\u00e9\u20ac");  // 2-byte and 3-byte sequences
    const std::string text = kept.text();
    const size_t marker = text.find("\n[... ");
    ASSERT_NE(marker, std::string::npos);
    const std::string head = text.substr(0, marker);
    const std::string tail = text.substr(text.find("...]\n") + 5);
    for (const std::string& part : {head, tail}) {
        ASSERT_FALSE(part.empty());
        EXPECT_NE(static_cast<unsigned char>(part.front()) & 0xC0, 0x80) << "starts inside a sequence";
        EXPECT_TRUE(part.ends_with("\u00e9\u20ac") || part.ends_with("\u00e9")) << "ends inside a sequence";
    }
}

}  // namespace
}  // namespace greenlight::results
