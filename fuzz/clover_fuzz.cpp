// libFuzzer target: Clover XML from a crashed or hostile writer must give a report or a positioned error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "coverage_fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace greenlight::coverage;
    fuzz::check_outcome(std::string_view(reinterpret_cast<const char*>(data), size), ReportFormat::clover);
    return 0;
}
