#include "greenlight/bundle/links.hpp"

#include <fmt/format.h>
#include <vector>

namespace greenlight::bundle {

namespace {

// Linux gives up after 40 links in one lookup (ELOOP); a bundle gets no more room than that.
constexpr int k_most_links_followed = 40;

std::vector<std::string> split_parts(std::string_view text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('/', start);
        if (end == std::string_view::npos) end = text.size();
        if (end > start) parts.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string join_parts(const std::vector<std::string>& parts) {
    std::string joined;
    for (const std::string& part : parts) {
        if (!joined.empty()) joined += '/';
        joined += part;
    }
    return joined;
}

enum class Resolution { inside, leaves, loops };

// Walks `target` from the folder `at` (parts below the bundle root), replacing every link met on the
// way by its own target, as path lookup does; `at` ends where the walk ended.
Resolution walk(const LinkTable& links, std::vector<std::string>& at, std::string_view target, int& followed) {
    for (const std::string& part : split_parts(target)) {
        if (part == ".") continue;
        if (part == "..") {
            if (at.empty()) return Resolution::leaves;
            at.pop_back();
            continue;
        }
        at.push_back(part);
        auto link = links.find(join_parts(at));
        if (link == links.end()) continue;
        if (++followed > k_most_links_followed) return Resolution::loops;
        if (link->second.starts_with('/')) return Resolution::leaves;
        at.pop_back();
        if (Resolution through = walk(links, at, link->second, followed); through != Resolution::inside) {
            return through;
        }
    }
    return Resolution::inside;
}

}  // namespace

util::Status check_link_stays_inside(const LinkTable& links, std::string_view path) {
    auto link = links.find(path);
    if (link == links.end()) return {};
    const std::string& target = link->second;
    if (target.empty()) return util::make_error("a link with an empty target");
    if (target.starts_with('/')) return util::make_error(fmt::format("a link to the absolute path {}", target));
    std::vector<std::string> folder = split_parts(path);
    folder.pop_back();
    int followed = 0;
    switch (walk(links, folder, target, followed)) {
        case Resolution::inside:
            return {};
        case Resolution::leaves:
            return util::make_error(fmt::format("a link to {}, which leads out of the bundle", target));
        case Resolution::loops:
            return util::make_error(fmt::format("a link to {}, which never ends (a loop of links)", target));
    }
    return {};
}

}  // namespace greenlight::bundle
