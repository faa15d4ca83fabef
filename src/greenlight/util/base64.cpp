#include "greenlight/util/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace greenlight::util {

namespace {

bool in_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock writes a final NUL
    const int length =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    encoded.resize(static_cast<std::size_t>(std::max(length, 0)));
    return encoded;
}

std::optional<std::string> base64_decode(std::string_view text) {
    // OpenSSL's decoder forgives leading and trailing whitespace and hides padding in its length: check the form
    // here, so that only canonical input decodes.
    if (text.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
    const std::string_view body = text.substr(0, text.size() - padding);
    if (!std::all_of(body.begin(), body.end(), in_alphabet)) return std::nullopt;
    if (text.empty()) return std::string{};
    std::string decoded(text.size() / 4 * 3, '\0');
    const int length =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                        reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (length < 0 || static_cast<std::size_t>(length) < padding) return std::nullopt;
    decoded.resize(static_cast<std::size_t>(length) - padding);
    return decoded;
}

std::string base64url_encode(std::string_view bytes) {
    std::string encoded = base64_encode(bytes);
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    std::replace(encoded.begin(), encoded.end(), '+', '-');
    std::replace(encoded.begin(), encoded.end(), '/', '_');
    return encoded;
}

}  // namespace greenlight::util
