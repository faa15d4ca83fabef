// What the store's per-concern tests share: a clock that stands still unless a test moves it, and a fresh store
// for each test on each database the store supports (a temporary SQLite file, a new PostgreSQL database).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "greenlight/serve/database.hpp"
#include "greenlight/serve/store.hpp"
#include "greenlight/util/clock.hpp"
#include "support/test_support.hpp"
#include "unit/serve/postgres_cluster.hpp"

namespace greenlight::test_support {

// Stands still unless a test moves it, so stored times can be compared exactly.
class StillClock final : public util::Clock {
public:
    static constexpr util::WallTime k_start =
        std::chrono::sys_days{std::chrono::year{2026} / 11 / 21} + std::chrono::hours{10};

    util::WallTime now() const override {
        std::lock_guard lock(m_mutex);
        return m_now;
    }
    std::chrono::steady_clock::time_point steady_now() const override { return {}; }
    void advance(serve::Duration by) {
        std::lock_guard lock(m_mutex);
        m_now += by;
    }

private:
    mutable std::mutex m_mutex;
    util::WallTime m_now = k_start;
};

// The test's name suffix: /sqlite or /postgresql.
inline std::string database_label(const ::testing::TestParamInfo<serve::DatabaseKind>& info) {
    return std::string(serve::to_string(info.param));
}

// A test run once on each database: `m_store` is open on an empty one.
class StoreOnEachDatabase : public ::testing::TestWithParam<serve::DatabaseKind> {
protected:
    void SetUp() override {
        std::string error;
        m_url = fresh_database_url(GetParam() == serve::DatabaseKind::postgresql, m_dir.path(), error);
        ASSERT_FALSE(m_url.empty()) << error;
        auto store = serve::Store::open(m_url, m_clock);
        ASSERT_TRUE(store) << store.message();
        m_store = std::move(*store);
    }

    TempDir m_dir{"greenlight-store"};
    StillClock m_clock;
    std::string m_url;
    std::unique_ptr<serve::Store> m_store;
};

}  // namespace greenlight::test_support
