// Shell completion scripts rendered from the command tree: subcommands at every level, each command's options,
// files or folders where a value is a path, the allowed values where CLI11 has a set.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "greenlight/cli/command_tree.hpp"

namespace greenlight::cli {

enum class Shell { bash, zsh, fish };

// "bash", "zsh" or "fish"; empty for anything else.
std::optional<Shell> parse_shell(std::string_view name);

// The whole script for `shell`, ready to be sourced or installed where that shell looks for completions.
std::string render_completion(const CommandDescription& root, Shell shell);

}  // namespace greenlight::cli
