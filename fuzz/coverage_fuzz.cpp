// libFuzzer target: any input goes through format detection first, as `greenlight gate` reads reports.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "coverage_fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace greenlight::coverage;
    fuzz::check_outcome(std::string_view(reinterpret_cast<const char*>(data), size), std::nullopt);
    return 0;
}
