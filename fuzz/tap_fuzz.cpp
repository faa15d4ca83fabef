// libFuzzer target: any TAP stream gives results or a ParseFailure; a stream whose plan promised more tests
// than it delivered must never come out all passed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/results/parsers.hpp"

using namespace greenlight::results;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const ParseOutcome outcome = parse_tap(input, "fuzz.tap");
    if (outcome) {
        const ParsedResults& results = *outcome;
        const TestCounts& counts = results.counts;
        if (counts.total != counts.passed + counts.failed + counts.errored + counts.skipped) std::abort();
        if (counts.total < static_cast<std::int64_t>(results.cases.size())) std::abort();
        if (counts.passed < 0 || counts.failed < 0 || counts.errored < 0 || counts.skipped < 0) std::abort();
        // A location is a file and a 1-based line, or nothing.
        for (const TestCase& test_case : results.cases) {
            if (test_case.line < 0 || (test_case.line > 0 && test_case.file.empty())) std::abort();
        }
        // Cutting the stream anywhere after a plan of more tests must not leave it green.
        // (Without subtests: a subtest's closing line stands for however many tests the subtest held.)
        const bool has_subtests =
            input.find("\n ") != std::string_view::npos || input.find("\n\t") != std::string_view::npos;
        if (input.starts_with("1..9\n") && !has_subtests && counts.not_passed() == 0 && counts.executed() > 0 &&
            counts.total < 9) {
            std::abort();
        }
    } else {
        const ParseFailure& failure = outcome.error();
        if (failure.message.empty()) std::abort();
        (void)failure.to_string();
    }
    return 0;
}
