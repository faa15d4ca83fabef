// The name rules the config shares with the code that reads names at run time (watch check names).
#include "greenlight/config/serve_config.hpp"

namespace greenlight::config {

bool is_valid_watch_name(std::string_view name) {
    auto plain = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (name.empty() || name.size() > 64 || !plain(name.front())) return false;
    for (char c : name) {
        if (!plain(c) && c != '.' && c != '_' && c != '-') return false;
    }
    return true;
}

}  // namespace greenlight::config
