#include "greenlight/proof/json_pointer.hpp"

#include <charconv>

namespace greenlight::proof {

std::string escape_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::vector<std::string> split_pointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) return tokens;
    size_t start = pointer.front() == '/' ? 1 : 0;
    while (true) {
        const size_t end = std::min(pointer.find('/', start), pointer.size());
        std::string token;
        for (size_t i = start; i < end; ++i) {
            if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
                token.push_back(pointer[i + 1] == '0' ? '~' : '/');
                ++i;
            } else {
                token.push_back(pointer[i]);
            }
        }
        tokens.push_back(std::move(token));
        if (end == pointer.size()) break;
        start = end + 1;
    }
    return tokens;
}

namespace {

void resolve_from(const Json& node, const std::vector<std::string>& tokens, size_t index, Resolution& resolution) {
    if (index == tokens.size()) {
        resolution.values.push_back(&node);
        return;
    }
    const std::string& token = tokens[index];
    if (token == "*" && (node.is_array() || node.is_object())) {
        for (const auto& child : node) resolve_from(child, tokens, index + 1, resolution);
        return;
    }
    if (node.is_object()) {
        auto found = node.find(token);
        if (found == node.end()) {
            ++resolution.missing;
            return;
        }
        resolve_from(*found, tokens, index + 1, resolution);
        return;
    }
    if (node.is_array()) {
        size_t element = 0;
        const auto parsed = std::from_chars(token.data(), token.data() + token.size(), element);
        const bool is_index = !token.empty() && parsed.ec == std::errc() && parsed.ptr == token.data() + token.size() &&
                              (token == "0" || token.front() != '0');
        if (!is_index || element >= node.size()) {
            ++resolution.missing;
            return;
        }
        resolve_from(node[element], tokens, index + 1, resolution);
        return;
    }
    ++resolution.missing;
}

}  // namespace

Resolution resolve(const Json& document, std::string_view pointer) {
    Resolution resolution;
    resolve_from(document, split_pointer(pointer), 0, resolution);
    return resolution;
}

FieldSelector::FieldSelector(std::string_view rule) {
    m_bare_name = rule.empty() || rule.front() != '/';
    if (m_bare_name) {
        m_tokens.emplace_back(rule);
    } else {
        m_tokens = split_pointer(rule);
    }
}

bool FieldSelector::matches(const std::vector<std::string>& tokens, bool last_is_member) const {
    if (m_bare_name) return last_is_member && !tokens.empty() && tokens.back() == m_tokens.front();
    if (tokens.size() != m_tokens.size()) return false;
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (m_tokens[i] != "*" && m_tokens[i] != tokens[i]) return false;
    }
    return true;
}

}  // namespace greenlight::proof
