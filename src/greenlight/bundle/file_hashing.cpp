#include "greenlight/bundle/file_hashing.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <optional>
#include <thread>

namespace greenlight::bundle {

std::vector<util::Result<util::FileDigest>> hash_files(const std::filesystem::path& root,
                                                       const std::vector<FileToHash>& files, int jobs) {
    // Largest files first: a big file picked up last would leave the other threads idle at the end.
    std::vector<std::size_t> order(files.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t left, std::size_t right) { return files[left].size > files[right].size; });

    std::size_t thread_count =
        jobs >= 1 ? static_cast<std::size_t>(jobs) : std::max(1u, std::thread::hardware_concurrency());
    thread_count = std::max<std::size_t>(1, std::min(thread_count, files.size()));

    // Each slot is written by exactly one worker, so the vector needs no lock.
    std::vector<std::optional<util::Result<util::FileDigest>>> digests(files.size());
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t taken = next++; taken < order.size(); taken = next++) {
            std::size_t index = order[taken];
            digests[index].emplace(util::sha256_file(root / files[index].path));
        }
    };

    if (thread_count == 1) {
        work();
    } else {
        std::vector<std::jthread> workers;
        workers.reserve(thread_count);
        for (std::size_t i = 0; i < thread_count; ++i) workers.emplace_back(work);
    }

    std::vector<util::Result<util::FileDigest>> answers;
    answers.reserve(files.size());
    for (auto& digest : digests) answers.push_back(std::move(*digest));
    return answers;
}

bool is_sha256_hex(std::string_view text) {
    return text.size() == 64 && std::all_of(text.begin(), text.end(),
                                            [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace greenlight::bundle
