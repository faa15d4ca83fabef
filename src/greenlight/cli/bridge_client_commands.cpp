#include "greenlight/cli/commands.hpp"

namespace greenlight::cli {

void add_bridge_client_commands(CLI::App& /*bridge*/, ExitCode& /*exit_code*/) {}

}  // namespace greenlight::cli
