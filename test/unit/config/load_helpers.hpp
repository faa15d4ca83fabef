// Loading greenlight.yml text in the config tests: the outcome, its errors as the lines a user reads, and a
// config that must load without any.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "greenlight/config/config.hpp"

namespace greenlight::config::test {

// The smallest valid start of a greenlight.yml.
inline const std::string k_header = "version: 1\nproject: p\n";

inline std::vector<std::string> error_lines(const LoadOutcome& outcome) {
    std::vector<std::string> lines;
    for (const auto& error : outcome.errors) lines.push_back(error.to_string());
    return lines;
}

inline LoadOutcome load(std::string_view text) {
    return load_config_text(text, "greenlight.yml");
}

// The config `text` gives, with a test failure for each error it has.
inline Config load_valid(std::string_view text) {
    LoadOutcome outcome = load(text);
    EXPECT_THAT(error_lines(outcome), ::testing::ElementsAre());
    EXPECT_TRUE(outcome.config.has_value());
    return outcome.config.value_or(Config{});
}

}  // namespace greenlight::config::test
