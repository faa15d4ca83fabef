// Each stage through the one supervisor (process/supervisor.hpp), its captured output fed to the next.
#include "greenlight/diff/process.hpp"

#include <limits>

#include "greenlight/process/supervisor.hpp"

namespace greenlight::diff::process {

util::Result<PipelineOutcome> run_pipeline(const std::vector<Arguments>& stages, std::string_view standard_input,
                                           const std::vector<std::string>& environment) {
    if (stages.empty()) return util::make_error("no program to run");
    for (const Arguments& stage : stages) {
        if (stage.empty()) return util::make_error("a pipeline stage has no program");
    }
    PipelineOutcome outcome;
    std::string input(standard_input);
    for (const Arguments& stage : stages) {
        greenlight::process::Request command;
        command.argv = stage;
        command.environment = environment;
        command.inherit_environment = true;
        command.input_text = std::move(input);
        command.output = greenlight::process::Sink::capture;
        command.error = greenlight::process::Sink::capture;
        // A diff is parsed whole: nothing of it may be dropped.
        command.capture_limit = std::numeric_limits<std::size_t>::max();
        command.label = "git";
        greenlight::process::Outcome ran = greenlight::process::run(command);
        if (ran.end == greenlight::process::End::not_started) {
            return util::make_error(ran.start_error);
        }
        StageOutcome stage_outcome;
        stage_outcome.exit_code = ran.end == greenlight::process::End::exited ? ran.exit_code : 128 + ran.signal;
        stage_outcome.standard_error = std::move(ran.error_text);
        outcome.stages.push_back(std::move(stage_outcome));
        input = std::move(ran.output_text);
    }
    outcome.standard_output = std::move(input);
    return outcome;
}

}  // namespace greenlight::diff::process
