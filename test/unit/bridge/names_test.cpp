#include <gtest/gtest.h>

#include "greenlight/bridge/names.hpp"

namespace greenlight::bridge {
namespace {

TEST(JclNames, LettersDigitsAndNationalCharactersUpToEight) {
    for (const char* name : {"A", "SMOKE", "NIGHTLY1", "@JOB", "#1", "$SYS"})
        EXPECT_TRUE(is_valid_jcl_name(name)) << name;
    for (const char* name : {"", "1STEP", "TOOLONGNAME", "smoke", "A.B", "../X", "A/B", "A B", "A%2F"}) {
        EXPECT_FALSE(is_valid_jcl_name(name)) << name;
    }
}

TEST(JobIds, JesTwoFormsOnly) {
    for (const char* id : {"JOB00001", "JOB99999", "J0100000"}) EXPECT_TRUE(is_valid_job_id(id)) << id;
    for (const char* id : {"", "JOB1", "JOB0000A", "job00001", "J01000000", "../JOB00", "TSU00001"}) {
        EXPECT_FALSE(is_valid_job_id(id)) << id;
    }
}

TEST(JobIds, NumberedInOrderAndValid) {
    EXPECT_EQ(job_id_for(1), "JOB00001");
    EXPECT_EQ(job_id_for(99'999), "JOB99999");
    EXPECT_EQ(job_id_for(100'000), "J0100000");
    EXPECT_EQ(job_id_for(0), std::nullopt);
    EXPECT_EQ(job_id_for(10'000'000), std::nullopt);
    for (std::uint32_t number : {1u, 42u, 99'999u, 100'000u, 9'999'999u})
        EXPECT_TRUE(is_valid_job_id(*job_id_for(number)));
}

}  // namespace
}  // namespace greenlight::bridge
