#include "greenlight/bundle/run_id.hpp"

namespace greenlight::bundle {

namespace {

constexpr std::size_t k_max_run_id_length = 128;

bool is_ascii_alphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool valid_run_id(std::string_view run_id) {
    if (run_id.empty() || run_id.size() > k_max_run_id_length) return false;
    if (!is_ascii_alphanumeric(run_id.front())) return false;
    for (char c : run_id) {
        if (!is_ascii_alphanumeric(c) && c != '.' && c != '_' && c != '-') return false;
    }
    return run_id.find("..") == std::string_view::npos;
}

}  // namespace greenlight::bundle
