#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "greenlight/diff/unified_diff.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::diff {
namespace {

std::string read_fixture(std::string_view name) {
    util::Result<std::string> content =
        util::read_file(std::filesystem::path(GREENLIGHT_TEST_DATA) / "diff" / std::string(name));
    if (!content) ADD_FAILURE() << content.message();
    return content ? *content : std::string();
}

Diff expect_diff(std::string_view text) {
    DiffParseOutcome outcome = parse_unified_diff(text);
    if (!outcome) {
        const DiffParseError& error = outcome.error();
        ADD_FAILURE() << "expected a diff, got an error at line " << error.line << ": " << error.message;
        return {};
    }
    return std::move(outcome).value();
}

DiffParseError expect_error(std::string_view text) {
    DiffParseOutcome outcome = parse_unified_diff(text);
    if (outcome) {
        ADD_FAILURE() << "expected a parse error, got " << outcome->files.size() << " files";
        return {};
    }
    return outcome.error();
}

Diff parse_fixture(std::string_view name) {
    return expect_diff(read_fixture(name));
}

FileDiff only_file(const Diff& diff) {
    EXPECT_EQ(diff.files.size(), 1u);
    return diff.files.empty() ? FileDiff() : diff.files.front();
}

std::vector<std::int64_t> added_numbers(const FileDiff& file) {
    std::vector<std::int64_t> numbers;
    for (const AddedLine& line : file.added) numbers.push_back(line.number);
    return numbers;
}

TEST(UnifiedDiffTest, ModifyWithSeveralHunks) {
    const FileDiff file = only_file(parse_fixture("modify.diff"));
    EXPECT_EQ(file.old_path, "numbers.txt");
    EXPECT_EQ(file.new_path, "numbers.txt");
    EXPECT_EQ(file.change, FileChange::modified);
    EXPECT_FALSE(file.binary);
    EXPECT_EQ(added_numbers(file), (std::vector<std::int64_t>{3, 15, 16, 29}));
    EXPECT_EQ(file.added[0].text, "line three");
    EXPECT_EQ(file.added[2].text, "line fifteen and a half");
    EXPECT_EQ(file.added[3].text, "");  // the emptied line 28 is an added empty line
    EXPECT_EQ(file.removed_lines, (std::vector<std::int64_t>{3, 15, 28}));
}

TEST(UnifiedDiffTest, ZeroContextGivesTheSameLines) {
    const FileDiff full = only_file(parse_fixture("modify.diff"));
    const FileDiff zero = only_file(parse_fixture("modify_u0.diff"));
    EXPECT_EQ(added_numbers(zero), added_numbers(full));
    EXPECT_EQ(zero.removed_lines, full.removed_lines);
}

TEST(UnifiedDiffTest, NoPrefixKeepsThePathWhole) {
    const FileDiff file = only_file(parse_fixture("modify_no_prefix.diff"));
    EXPECT_EQ(file.old_path, "numbers.txt");
    EXPECT_EQ(file.new_path, "numbers.txt");
    EXPECT_EQ(added_numbers(file), (std::vector<std::int64_t>{3, 15, 16, 29}));
}

TEST(UnifiedDiffTest, NoPrefixInAFolderNamedLikeAPrefix) {
    const FileDiff file = only_file(expect_diff(
        "diff --git a/x.txt a/x.txt\nindex 1..2 100644\n--- a/x.txt\n+++ a/x.txt\n@@ -1 +1 @@\n-old\n+new\n"));
    EXPECT_EQ(file.new_path, "a/x.txt");
}

TEST(UnifiedDiffTest, AddedFile) {
    const FileDiff file = only_file(parse_fixture("add.diff"));
    EXPECT_EQ(file.change, FileChange::added);
    EXPECT_EQ(file.old_path, "");
    EXPECT_EQ(file.new_path, "added.txt");
    EXPECT_EQ(file.path(), "added.txt");
    EXPECT_EQ(added_numbers(file), (std::vector<std::int64_t>{1, 2}));
}

TEST(UnifiedDiffTest, DeletedFile) {
    const FileDiff file = only_file(parse_fixture("delete.diff"));
    EXPECT_EQ(file.change, FileChange::deleted);
    EXPECT_EQ(file.old_path, "doomed.txt");
    EXPECT_EQ(file.new_path, "");
    EXPECT_EQ(file.path(), "doomed.txt");
    EXPECT_TRUE(file.added.empty());
    EXPECT_EQ(file.removed_lines, (std::vector<std::int64_t>{1, 2}));
}

TEST(UnifiedDiffTest, ModeChangeOnly) {
    const FileDiff file = only_file(parse_fixture("mode_change.diff"));
    EXPECT_EQ(file.change, FileChange::modified);
    EXPECT_EQ(file.path(), "script.sh");
    EXPECT_TRUE(file.added.empty());
    EXPECT_TRUE(file.removed_lines.empty());
}

TEST(UnifiedDiffTest, PureRenameHasNoHunks) {
    const FileDiff file = only_file(parse_fixture("rename_pure.diff"));
    EXPECT_EQ(file.change, FileChange::renamed);
    EXPECT_EQ(file.old_path, "old_name.txt");
    EXPECT_EQ(file.new_path, "new_name.txt");
    EXPECT_EQ(file.similarity, 100);
    EXPECT_TRUE(file.added.empty());
}

TEST(UnifiedDiffTest, RenameWithEditToANameWithASpace) {
    const FileDiff file = only_file(parse_fixture("rename_edit.diff"));
    EXPECT_EQ(file.change, FileChange::renamed);
    EXPECT_EQ(file.old_path, "moved.txt");
    EXPECT_EQ(file.new_path, "moved here.txt");
    EXPECT_EQ(file.similarity, 92);
    ASSERT_EQ(file.added.size(), 1u);
    EXPECT_EQ(file.added[0].number, 10);
    EXPECT_EQ(file.added[0].text, "changed 10");
}

TEST(UnifiedDiffTest, Copy) {
    const FileDiff file = only_file(parse_fixture("copy.diff"));
    EXPECT_EQ(file.change, FileChange::copied);
    EXPECT_EQ(file.old_path, "source.txt");
    EXPECT_EQ(file.new_path, "copied.txt");
    EXPECT_EQ(file.similarity, 98);
    EXPECT_EQ(added_numbers(file), (std::vector<std::int64_t>{41}));
}

TEST(UnifiedDiffTest, BinaryWithoutAndWithPatch) {
    for (const char* name : {"binary.diff", "binary_patch.diff"}) {
        SCOPED_TRACE(name);
        const FileDiff file = only_file(parse_fixture(name));
        EXPECT_TRUE(file.binary);
        EXPECT_EQ(file.path(), "blob.bin");
        EXPECT_TRUE(file.added.empty());
    }
}

TEST(UnifiedDiffTest, BinaryPatchFollowedByAnotherFile) {
    const Diff diff = expect_diff(read_fixture("binary_patch.diff") + read_fixture("add.diff"));
    ASSERT_EQ(diff.files.size(), 2u);
    EXPECT_TRUE(diff.files[0].binary);
    EXPECT_EQ(diff.files[1].new_path, "added.txt");
    EXPECT_EQ(diff.files[1].added.size(), 2u);
}

TEST(UnifiedDiffTest, QuotedUnicodePath) {
    const FileDiff file = only_file(parse_fixture("quoted_unicode.diff"));
    EXPECT_EQ(file.change, FileChange::added);
    EXPECT_EQ(file.new_path, "t\xc3\xa9st.txt");
}

TEST(UnifiedDiffTest, QuotedPathWithEscapes) {
    const FileDiff file =
        only_file(expect_diff("diff --git \"a/tab\\there\" \"b/tab\\there\"\ndeleted file mode 100644\nindex 1..0\n"
                              "--- \"a/tab\\there\"\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"));
    EXPECT_EQ(file.old_path, "tab\there");
    EXPECT_EQ(file.change, FileChange::deleted);
}

TEST(UnifiedDiffTest, NoNewlineAtEndOfFile) {
    const FileDiff file = only_file(parse_fixture("no_newline.diff"));
    ASSERT_EQ(file.added.size(), 1u);
    EXPECT_EQ(file.added[0].number, 1);
    EXPECT_EQ(file.added[0].text, "no newline here either");
    EXPECT_EQ(file.removed_lines, (std::vector<std::int64_t>{1}));
}

TEST(UnifiedDiffTest, PlainDiffU) {
    const FileDiff file = only_file(parse_fixture("plain_diff_u.diff"));
    EXPECT_EQ(file.old_path, "before.txt");
    EXPECT_EQ(file.new_path, "after.txt");
    EXPECT_EQ(file.change, FileChange::modified);
    EXPECT_EQ(added_numbers(file), (std::vector<std::int64_t>{2, 5}));
}

TEST(UnifiedDiffTest, PlainRecursiveDiffWithPrefixesAndANewFile) {
    const Diff diff = expect_diff(
        "Only in a: gone\n"
        "diff -ruN a/src/x.c b/src/x.c\n"
        "--- a/src/x.c\t2024-01-01 00:00:00.000000000 +0000\n"
        "+++ b/src/x.c\t2024-01-02 00:00:00.000000000 +0000\n"
        "@@ -1 +1,2 @@\n x\n+y\n"
        "--- /dev/null\t1970-01-01 00:00:00.000000000 +0000\n"
        "+++ b/new.c\t2024-01-02 00:00:00.000000000 +0000\n"
        "@@ -0,0 +1 @@\n+z\n"
        "Binary files a/img.png and b/img.png differ\n");
    ASSERT_EQ(diff.files.size(), 3u);
    EXPECT_EQ(diff.files[0].path(), "src/x.c");
    EXPECT_EQ(added_numbers(diff.files[0]), (std::vector<std::int64_t>{2}));
    EXPECT_EQ(diff.files[1].change, FileChange::added);
    EXPECT_EQ(diff.files[1].path(), "new.c");
    EXPECT_TRUE(diff.files[2].binary);
    EXPECT_EQ(diff.files[2].path(), "img.png");
}

TEST(UnifiedDiffTest, SeveralFilesInOrder) {
    const Diff diff =
        expect_diff(read_fixture("modify.diff") + read_fixture("rename_pure.diff") + read_fixture("delete.diff") +
                    read_fixture("mode_change.diff") + read_fixture("quoted_unicode.diff"));
    ASSERT_EQ(diff.files.size(), 5u);
    EXPECT_EQ(diff.files[0].path(), "numbers.txt");
    EXPECT_EQ(diff.files[1].change, FileChange::renamed);
    EXPECT_EQ(diff.files[2].change, FileChange::deleted);
    EXPECT_EQ(diff.files[3].path(), "script.sh");
    EXPECT_EQ(diff.files[4].change, FileChange::added);
}

TEST(UnifiedDiffTest, CrlfLineEndings) {
    std::string text = read_fixture("modify.diff") + read_fixture("rename_edit.diff");
    std::string crlf;
    for (char c : text) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    const Diff diff = expect_diff(crlf);
    ASSERT_EQ(diff.files.size(), 2u);
    EXPECT_EQ(added_numbers(diff.files[0]), (std::vector<std::int64_t>{3, 15, 16, 29}));
    EXPECT_EQ(diff.files[0].added[0].text, "line three");
    EXPECT_EQ(diff.files[1].new_path, "moved here.txt");
}

TEST(UnifiedDiffTest, OmittedCountsMeanOneAndEmptyLinesAreContext) {
    const FileDiff file = only_file(expect_diff("--- x\n+++ x\n@@ -4,3 +4,4 @@\n a\n\n+b\n c\n"));
    EXPECT_EQ(added_numbers(file), (std::vector<std::int64_t>{6}));
}

TEST(UnifiedDiffTest, CommitMessagesAndSignaturesAroundFilesAreSkipped) {
    const Diff diff =
        expect_diff("From 123 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\n---\n numbers.txt | 2 +-\n\n" +
                    read_fixture("modify_u0.diff") + "-- \n2.39.5\n\n");
    EXPECT_EQ(only_file(diff).added.size(), 4u);
}

TEST(UnifiedDiffTest, EmptyInputIsAnEmptyDiff) {
    EXPECT_TRUE(expect_diff("").files.empty());
}

TEST(UnifiedDiffTest, HunkShorterThanItsHeaderSays) {
    // The header promises 6 new lines, the next file starts after 5.
    std::string text = read_fixture("add.diff");
    text.replace(text.find("+1,2"), 4, "+1,3");
    const DiffParseError error = expect_error(text + read_fixture("delete.diff"));
    EXPECT_EQ(error.line, 9);
    EXPECT_NE(error.message.find("ends early"), std::string::npos) << error.message;
    EXPECT_NE(error.message.find("line 6"), std::string::npos) << error.message;
}

TEST(UnifiedDiffTest, HunkCutOffAtTheEnd) {
    const DiffParseError error = expect_error("--- x\n+++ x\n@@ -1,3 +1,3 @@\n a\n");
    EXPECT_EQ(error.line, 5);
    EXPECT_NE(error.message.find("end of the diff"), std::string::npos) << error.message;
}

TEST(UnifiedDiffTest, PlusWithoutMinus) {
    const DiffParseError error = expect_error("diff --git a/x b/x\nindex 1..2 100644\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n");
    EXPECT_EQ(error.line, 3);
    EXPECT_NE(error.message.find("'+++'"), std::string::npos) << error.message;
}

TEST(UnifiedDiffTest, MinusWithoutPlusInAGitSection) {
    const DiffParseError error = expect_error("diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n@@ -1 +1 @@\n");
    EXPECT_EQ(error.line, 4);
}

TEST(UnifiedDiffTest, GarbageWhereAHunkLineShouldBe) {
    const DiffParseError error = expect_error("--- x\n+++ x\n@@ -1,2 +1,2 @@\n a\n*garbage\n");
    EXPECT_EQ(error.line, 5);
    EXPECT_NE(error.message.find("garbage"), std::string::npos) << error.message;
}

TEST(UnifiedDiffTest, HunkRunningLongIsAnError) {
    // One more added line than the header counts.
    const DiffParseError error = expect_error("--- x\n+++ x\n@@ -1 +1 @@\n-a\n+b\n+c\n@@ -5 +6 @@\n-d\n+e\n");
    EXPECT_EQ(error.line, 6);
}

TEST(UnifiedDiffTest, MalformedHunkHeaders) {
    for (const char* header : {"@@ -1 +1\n", "@@ -x +1 @@\n", "@@ -0,1 +1 @@\n", "@@ -1 +99999999999999999999 @@\n"}) {
        SCOPED_TRACE(header);
        const DiffParseError error = expect_error(std::string("--- x\n+++ x\n") + header);
        EXPECT_EQ(error.line, 3);
    }
}

TEST(UnifiedDiffTest, HunkBeforeAnyFile) {
    EXPECT_EQ(expect_error("hello\n@@ -1 +1 @@\n-a\n+b\n").line, 2);
}

TEST(UnifiedDiffTest, CombinedDiffIsRefusedByName) {
    const DiffParseError error = expect_error("diff --cc x\nindex 1,2..3\n");
    EXPECT_EQ(error.line, 1);
    EXPECT_NE(error.message.find("combined"), std::string::npos);
}

TEST(UnifiedDiffTest, LargeDiffParsesFast) {
    // 2,000 files of 100 added lines each, in hunks of 10 with context around them.
    std::string text;
    for (int file = 0; file < 2000; ++file) {
        const std::string path = "src/module_" + std::to_string(file) + "/file.cpp";
        text += "diff --git a/" + path + " b/" + path + "\nindex 1111111..2222222 100644\n--- a/" + path + "\n+++ b/" +
                path + "\n";
        for (int hunk = 0; hunk < 10; ++hunk) {
            const int start = hunk * 30 + 1;
            text += "@@ -" + std::to_string(start) + ",12 +" + std::to_string(start + hunk * 8) + ",20 @@ void f()\n";
            text += " int context_before = 0;\n-    int removed_line = 1;\n";
            for (int line = 0; line < 10; ++line)
                text += "+    int added_variable_number_" + std::to_string(line) + " = 42;\n";
            text += "-    int removed_line = 2;\n";
            for (int line = 0; line < 9; ++line) text += "     // unchanged context\n";
        }
    }
    const auto start = std::chrono::steady_clock::now();
    const Diff diff = expect_diff(text);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(diff.files.size(), 2000u);
    size_t added = 0;
    for (const FileDiff& file : diff.files) added += file.added.size();
    EXPECT_EQ(added, 200000u);
    const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    std::printf("parsed %zu bytes, 2000 files, 200000 added lines in %lld ms\n", text.size(),
                static_cast<long long>(milliseconds));
    EXPECT_LT(milliseconds, 2000);  // generous for Debug and sanitizer builds; Release is far below
}

TEST(UnifiedDiffTest, ChangeNames) {
    EXPECT_EQ(to_string(FileChange::added), "added");
    EXPECT_EQ(to_string(FileChange::renamed), "renamed");
    EXPECT_EQ(to_string(FileChange::copied), "copied");
}

}  // namespace
}  // namespace greenlight::diff
