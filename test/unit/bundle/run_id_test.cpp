#include "greenlight/bundle/run_id.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace greenlight::bundle {
namespace {

TEST(RunId, AcceptsWhatRunAndGitHubActionsMake) {
    for (const std::string& id :
         std::vector<std::string>{"20261121T103600Z", "1234567890-1", "nightly_3.a", "A", std::string(128, 'z')}) {
        EXPECT_TRUE(valid_run_id(id)) << id;
    }
}

TEST(RunId, RefusesWhatCouldLeaveAFolderOrAUrlPathSegment) {
    for (const std::string& id :
         std::vector<std::string>{"", "..", "a..b", "../etc", "a/b", "a b", ".hidden", "-flag", "_x", "run%2F",
                                  "caf\xc3\xa9", "a\nb", std::string(129, 'z')}) {
        EXPECT_FALSE(valid_run_id(id)) << id;
    }
}

}  // namespace
}  // namespace greenlight::bundle
