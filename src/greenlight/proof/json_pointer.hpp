// JSON Pointers (RFC 6901) with `*` standing for every element or member: how proof rules name fields.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::proof {

// Member order is kept, so a proof reads in the order its evidence did.
using Json = nlohmann::ordered_json;

// One reference token escaped for a pointer (`~` as `~0`, `/` as `~1`).
std::string escape_token(std::string_view token);

// The reference tokens of a pointer, unescaped: "/a/b~1c" gives {"a", "b/c"}; "" gives {}.
std::vector<std::string> split_pointer(std::string_view pointer);

// The values a pointer reaches. Each `*` expands to every element of an array or member of an object;
// `missing` counts the branches that ended before the pointer did.
struct Resolution {
    std::vector<const Json*> values;
    size_t missing = 0;
};
Resolution resolve(const Json& document, std::string_view pointer);

// Which fields an `ids` entry selects: a pointer with `*` wildcards (starting with '/'), or a bare member
// name matched at any depth.
class FieldSelector {
public:
    explicit FieldSelector(std::string_view rule);
    // `tokens` is the path of a value; `last_is_member` whether its last step is an object member (not an index).
    bool matches(const std::vector<std::string>& tokens, bool last_is_member) const;

private:
    bool m_bare_name = false;
    std::vector<std::string> m_tokens;
};

}  // namespace greenlight::proof
