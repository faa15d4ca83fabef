// Runs a pipeline of programs (argv, no shell) and collects what they print; internal to the diff area.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::diff::process {

struct StageOutcome {
    int exit_code = 0;  // the program's exit status, or 128 + signal when a signal ended it
    std::string standard_error;
};

struct PipelineOutcome {
    std::string standard_output;       // of the last stage
    std::vector<StageOutcome> stages;  // in pipeline order
};

using Arguments = std::vector<std::string>;

// Runs each stage in turn, feeding `standard_input` to the first and each stage's output to the next, and
// reads every output until its end. Programs are looked up on PATH;
// `environment` entries (NAME=value) replace or extend the inherited environment. Fails only when a
// program cannot be started or a pipe cannot be made; a program that fails is reported in its stage.
util::Result<PipelineOutcome> run_pipeline(const std::vector<Arguments>& stages, std::string_view standard_input,
                                           const std::vector<std::string>& environment);

}  // namespace greenlight::diff::process
