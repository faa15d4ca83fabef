#include "greenlight/cli/commands.hpp"

namespace greenlight::cli {

void add_bridge_command(CLI::App& app, ExitCode& exit_code) {
    CLI::App* bridge = app.add_subcommand(
        "bridge", "z/OSMF-compatible job host, its client, and the remote smoke flow (docs/BRIDGE.md)");
    bridge->require_subcommand(1);
    add_bridge_serve_commands(*bridge, exit_code);
    add_bridge_client_commands(*bridge, exit_code);
    add_bridge_run_command(*bridge, exit_code);
}

}  // namespace greenlight::cli
