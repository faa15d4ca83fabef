// libFuzzer target: greenlight.yml is untrusted input (any pull request can change it), so the
// loader must turn every byte sequence into a Config or errors, never a crash or an escaped exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "greenlight/config/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    greenlight::config::LoadOutcome outcome = greenlight::config::load_config_text(text, "greenlight.yml");
    for (const auto& error : outcome.errors) {
        // Formatting every error exercises the message paths too.
        if (error.to_string().empty()) __builtin_trap();
    }
    if (outcome.config && !outcome.errors.empty()) __builtin_trap();
    if (!outcome.config && outcome.errors.empty()) __builtin_trap();
    // `greenlight gate` compares the judging sections of a pull request's config with the base's: it must
    // return for any text, and give the same text for the same input.
    if (greenlight::config::judging_sections_text(text) != greenlight::config::judging_sections_text(text)) {
        __builtin_trap();
    }
    return 0;
}
