// libFuzzer target: any bytes give a job or a JCL error naming a card that exists; a parsed job always has
// steps, each one a valid BPXBATCH step, so the executor never meets what the parser did not check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "greenlight/bridge/jcl.hpp"
#include "greenlight/bridge/names.hpp"

using namespace greenlight::bridge;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const JclLimits limits;
    const JclParseOutcome outcome = parse_jcl(input, limits);
    if (outcome) {
        const JclJob& job = *outcome;
        if (!is_valid_jcl_name(job.name)) std::abort();
        if (job.steps.empty() || job.steps.size() > limits.max_steps) std::abort();
        if (job.cards.size() > limits.max_cards) std::abort();
        if (job.time_limit && job.time_limit->count() <= 0) std::abort();
        for (const JclStep& step : job.steps) {
            if (step.program != "BPXBATCH") std::abort();
            if (!step.name.empty() && !is_valid_jcl_name(step.name)) std::abort();
            if (step.first_card < 1 || static_cast<std::size_t>(step.first_card) > job.cards.size()) std::abort();
            if (step.mode == BpxbatchMode::program && step.program_arguments.empty()) std::abort();
            if (step.time_limit && step.time_limit->count() <= 0) std::abort();
            for (const CondTest& test : step.cond) {
                if (test.code < 0 || test.code > 4095) std::abort();
                if (!test.step_name.empty() && !is_valid_jcl_name(test.step_name)) std::abort();
            }
            for (const InStreamDd& dd : step.in_stream) {
                if (!is_valid_jcl_name(dd.dd_name)) std::abort();
            }
            for (const SysoutDd& dd : step.sysout) {
                if (!is_valid_jcl_name(dd.dd_name)) std::abort();
            }
        }
    } else {
        const JclError& error = outcome.error();
        if (error.reason.empty() || error.card < 0) std::abort();
        if (static_cast<std::size_t>(error.card) > input.size() + 1) std::abort();
        (void)error.jesysmsg_line();
    }
    return 0;
}
