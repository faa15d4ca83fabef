// Where pings to the same PostgreSQL database wait to be written together (serve/store*.cpp only): the store
// makes the queue when it opens, add_ping_by_key uses it.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "greenlight/serve/store.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::serve {

// A ping waiting to be written, and what became of it.
struct Store::PendingPing {
    std::string_view key;
    const Ping* ping = nullptr;
    std::optional<util::Result<std::optional<std::string>>> outcome;
    bool done = false;
};

// Pings wait here while the batch before them is written; whoever finds no batch being written writes the
// next one, every ping waiting at that moment (up to k_max_ping_batch).
struct Store::PingQueue {
    std::mutex mutex;
    std::condition_variable written;
    std::deque<PendingPing*> waiting;
    bool writing = false;
};

}  // namespace greenlight::serve
