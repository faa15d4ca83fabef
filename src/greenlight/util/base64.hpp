// Base64 (RFC 4648) on OpenSSL's codec: the standard alphabet with padding, and the URL-safe one without.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace greenlight::util {

// `bytes` in the standard alphabet, padded with '=' to a multiple of 4.
std::string base64_encode(std::string_view bytes);

// The bytes of standard, padded base64; empty when `text` is not exactly that: a length that is not a multiple
// of 4, a character outside the alphabet (whitespace included), or '=' anywhere but the last one or two places.
std::optional<std::string> base64_decode(std::string_view text);

// `bytes` in the URL-safe alphabet ('-' and '_'), without padding: for tokens that go into URLs and headers.
std::string base64url_encode(std::string_view bytes);

}  // namespace greenlight::util
