#include "greenlight/cli/commands.hpp"

namespace greenlight::cli {

void add_bridge_run_command(CLI::App& /*bridge*/, ExitCode& /*exit_code*/) {}

}  // namespace greenlight::cli
