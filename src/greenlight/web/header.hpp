// A header field as greenlight's HTTP server and client pass it around, and the lookups both need.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace greenlight::web {

using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

// Whether two field names are the same name (HTTP field names compare without case).
bool same_header_name(std::string_view left, std::string_view right);

// The value of the first field of that name; nullptr when there is none.
const std::string* find_header(const Headers& headers, std::string_view name);

}  // namespace greenlight::web
