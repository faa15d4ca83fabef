// libFuzzer target: JUnit XML from a crashed or hostile writer must give results or a ParseFailure, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/results/parsers.hpp"

using namespace greenlight::results;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const ParseOutcome outcome = parse_junit(input, "fuzz.xml");
    if (outcome) {
        const ParsedResults& results = *outcome;
        const TestCounts& counts = results.counts;
        // Every count comes from a test case; the sum must hold and match the cases.
        if (counts.total != counts.passed + counts.failed + counts.errored + counts.skipped) std::abort();
        if (counts.total != static_cast<std::int64_t>(results.cases.size())) std::abort();
        for (const TestCase& test_case : results.cases) {
            if (test_case.details.size() > 8192 || test_case.message.size() > 2048) std::abort();
            // A location is a file and a 1-based line, or nothing.
            if (test_case.line < 0 || (test_case.line > 0 && test_case.file.empty())) std::abort();
        }
    } else {
        const ParseFailure& failure = outcome.error();
        if (failure.message.empty() || failure.line < 0 || failure.column < 0) std::abort();
        (void)failure.to_string();
    }
    return 0;
}
