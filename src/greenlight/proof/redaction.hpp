// URL path templates (`/v1/tickets/{id}/add-tags`) turned into patterns that find such paths anywhere in
// a string: alone, inside full URLs, and with their slashes percent-encoded, HTML-escaped or JSON-escaped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::proof {

inline constexpr std::string_view k_redacted = "<redacted>";

class PathRedactor {
public:
    // The error names the template that does not compile.
    static util::Result<PathRedactor> compile(const std::vector<std::string>& templates);

    PathRedactor(PathRedactor&&) noexcept;
    PathRedactor& operator=(PathRedactor&&) noexcept;
    ~PathRedactor();

    // Replaces each `{name}` segment of every path in `text` that matches a template by `<redacted>`;
    // returns how many segments it replaced.
    size_t redact(std::string& text) const;

private:
    PathRedactor();
    struct Patterns;
    std::unique_ptr<Patterns> m_patterns;
};

// The RE2 pattern of one template (exposed for tests): one capturing group per `{name}` segment.
std::string template_pattern(std::string_view path_template);

}  // namespace greenlight::proof
