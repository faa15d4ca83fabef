#include "greenlight/web/header.hpp"

#include <algorithm>
#include <cctype>

namespace greenlight::web {

bool same_header_name(std::string_view left, std::string_view right) {
    return std::equal(left.begin(), left.end(), right.begin(), right.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
}

const std::string* find_header(const Headers& headers, std::string_view name) {
    for (const auto& [field, value] : headers) {
        if (same_header_name(field, name)) return &value;
    }
    return nullptr;
}

}  // namespace greenlight::web
