// libFuzzer target: a run report is an untrusted HTTP body; it must give a valid run or an error naming a JSON
// pointer, never a crash, and what it accepts must survive the trip back to JSON unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/bundle/run_id.hpp"
#include "greenlight/serve/run_report.hpp"

using namespace greenlight::serve;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto parsed = parse_run_report(input);
    if (!parsed) {
        if (parsed.message().empty() || parsed.message().front() != '/') std::abort();
        return 0;
    }
    const RunRecord& run = *parsed;
    if (!greenlight::bundle::valid_run_id(run.run_id)) std::abort();
    if (run.cases.size() > k_max_cases || run.suites.size() > k_max_suites) std::abort();
    for (const auto& test : run.cases) {
        if (test.output_excerpt.size() > k_max_excerpt_bytes) std::abort();
    }
    if (run.ended < run.started) std::abort();
    // What the server stores is what it read: writing the run back and reading it again changes nothing.
    auto again = parse_run_report(run_report_body(run));
    if (!again || run_report_json(*again) != run_report_json(run)) std::abort();
    return 0;
}
