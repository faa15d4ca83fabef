// libFuzzer target: the runner-output readers (pytest, go text and `go test -json` events, ctest, cargo, node,
// plain) on arbitrary text. The first byte picks the format, so one corpus covers all of them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/results/parsers.hpp"

using namespace greenlight::results;

namespace {

constexpr ResultsFormat k_formats[] = {ResultsFormat::pytest, ResultsFormat::go,   ResultsFormat::ctest,
                                       ResultsFormat::cargo,  ResultsFormat::node, ResultsFormat::plain};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const ResultsFormat format = k_formats[data[0] % std::size(k_formats)];
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    const ParseOutcome outcome = parse_runner_output(format, input, "output");
    if (outcome) {
        const ParsedResults& results = *outcome;
        const TestCounts& counts = results.counts;
        if (counts.total != counts.passed + counts.failed + counts.errored + counts.skipped) std::abort();
        if (counts.passed < 0 || counts.failed < 0 || counts.errored < 0 || counts.skipped < 0) std::abort();
        if (results.format != format) std::abort();
        // Only go lists cases, and only for tests that did not pass, each of them counted.
        if (static_cast<std::int64_t>(results.cases.size()) > counts.not_passed()) std::abort();
        for (const TestCase& test_case : results.cases) {
            if (test_case.outcome != TestOutcome::failed && test_case.outcome != TestOutcome::errored) std::abort();
            if (test_case.message.size() > 2048 || test_case.details.size() > 8192) std::abort();
        }
    } else if (outcome.error().message.empty()) {
        std::abort();
    }
    return 0;
}
