// Result<T, E>: the default error (a message) and a typed error that carries its position.
#include "greenlight/util/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace greenlight::util {
namespace {

// An error a parser gives: where in its input, and what.
struct LineError {
    int line = 0;
    std::string message;
};

// An error with no text a caller could read without knowing it.
struct CodeError {
    int code = 0;
};

template <typename R>
concept HasMessageMember = requires(const R& result) {
    result.message();
};

Result<int> halve(int value) {
    if (value % 2 != 0) return make_error("odd");
    return value / 2;
}

Result<std::vector<int>, LineError> read_numbers(const std::vector<std::string>& lines) {
    std::vector<int> numbers;
    for (std::size_t index = 0; index < lines.size(); ++index) {
        if (lines[index].empty()) return LineError{static_cast<int>(index) + 1, "empty line"};
        numbers.push_back(std::stoi(lines[index]));
    }
    return numbers;
}

TEST(Result, DefaultErrorIsAMessage) {
    static_assert(std::is_same_v<Result<int>, Result<int, Error>>);
    const Result<int> good = halve(8);
    ASSERT_TRUE(good.ok());
    EXPECT_TRUE(static_cast<bool>(good));
    EXPECT_EQ(*good, 4);
    EXPECT_EQ(good.value(), 4);
    EXPECT_EQ(good.value_or(-1), 4);

    const Result<int> bad = halve(3);
    EXPECT_FALSE(bad.ok());
    EXPECT_FALSE(static_cast<bool>(bad));
    EXPECT_EQ(bad.error().message, "odd");
    EXPECT_EQ(bad.message(), "odd");
    EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(Result, ArrowReachesTheValue) {
    Result<std::string> text = std::string("abc");
    EXPECT_EQ(text->size(), 3u);
    text->push_back('d');
    EXPECT_EQ(*text, "abcd");
}

TEST(Result, MovesAMoveOnlyValueOut) {
    Result<std::unique_ptr<int>> owned = std::make_unique<int>(7);
    std::unique_ptr<int> taken = std::move(owned).value();
    ASSERT_NE(taken, nullptr);
    EXPECT_EQ(*taken, 7);
}

TEST(Result, StatusIsOkOrAMessage) {
    const Status fine;
    EXPECT_TRUE(fine.ok());
    EXPECT_EQ(fine.message(), "");  // reading the error of a success is safe and empty
    const Status failed = make_error("disk full");
    EXPECT_FALSE(failed);
    EXPECT_EQ(failed.message(), "disk full");
}

TEST(Result, TypedErrorKeepsItsPosition) {
    const auto numbers = read_numbers({"1", "2", "3"});
    ASSERT_TRUE(numbers);
    EXPECT_EQ(numbers->size(), 3u);
    EXPECT_EQ((*numbers)[2], 3);

    const auto refused = read_numbers({"1", "", "3"});
    ASSERT_FALSE(refused);
    static_assert(std::is_same_v<decltype(refused.error()), const LineError&>);
    EXPECT_EQ(refused.error().line, 2);
    EXPECT_EQ(refused.error().message, "empty line");
    EXPECT_EQ(refused.message(), "empty line");  // E has a string `message`, so message() is there
}

TEST(Result, TypedErrorWithoutTextHasNoMessage) {
    static_assert(HasMessageMember<Result<int>>);
    static_assert(HasMessageMember<Result<int, LineError>>);
    static_assert(!HasMessageMember<Result<int, CodeError>>);
    static_assert(!HasMessageMember<Result<void, CodeError>>);

    const Result<int, CodeError> refused = CodeError{42};
    EXPECT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, 42);
}

TEST(Result, VoidWithTypedError) {
    const Result<void, LineError> fine;
    EXPECT_TRUE(fine.ok());
    const Result<void, LineError> failed = LineError{9, "bad card"};
    EXPECT_FALSE(failed);
    EXPECT_EQ(failed.error().line, 9);
    EXPECT_EQ(failed.message(), "bad card");
}

}  // namespace
}  // namespace greenlight::util
