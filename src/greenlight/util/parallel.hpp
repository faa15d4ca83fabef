// Spreading independent pieces of work over a few threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace greenlight::util {

// The hardware's threads, at least 1 and at most `cap`.
inline std::size_t worker_threads(std::size_t cap) {
    return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, cap);
}

// Runs work(index) for every index below `count` on up to `threads` threads, the caller's included. Each
// thread takes the next index when it is done with one, so uneven pieces still keep every thread busy.
// Returns when every index is done. `work` must be safe to call from several threads at once.
template <typename Work>
void for_each_index_in_parallel(std::size_t count, std::size_t threads, Work&& work) {
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t index = next++; index < count; index = next++) work(index);
    };
    std::vector<std::jthread> helpers;
    for (std::size_t thread = 1; thread < std::min(threads, count); ++thread) helpers.emplace_back(worker);
    worker();
}

// The same, for work that needs something of its own per thread (an HTTP client, a scratch folder): each
// thread calls make_state() once, before its first index, and passes the result to work(state, index). No
// thread is started and no state made when `count` is 0.
template <typename MakeState, typename Work>
void for_each_index_in_parallel_with_state(std::size_t count, std::size_t threads, MakeState&& make_state,
                                           Work&& work) {
    if (count == 0) return;
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        auto state = make_state();
        for (std::size_t index = next++; index < count; index = next++) work(state, index);
    };
    std::vector<std::jthread> helpers;
    for (std::size_t thread = 1; thread < std::min(threads, count); ++thread) helpers.emplace_back(worker);
    worker();
}

}  // namespace greenlight::util
