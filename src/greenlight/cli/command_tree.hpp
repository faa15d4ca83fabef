// What the command line offers, read from the CLI11 app that parses it: the one source of --help, the man pages
// and the shell completions, so none of them can drift from the others.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight::cli {

// What a value may be, as far as completing it goes.
enum class ValueKind {
    none,       // a flag: no value
    text,       // anything
    file,       // a file (type name FILE)
    directory,  // a folder (type name DIR)
    path,       // a file or a folder (type name PATH)
    choice,     // one of a set (a CLI::IsMember check)
};

// One option or positional argument of a command.
struct ArgumentDescription {
    std::vector<std::string> names;  // an option's "-c", "--config" (short ones first); a positional's one name
    std::string value_name;          // "FILE", "INT", ...; empty for a flag
    ValueKind value_kind = ValueKind::none;
    std::vector<std::string> choices;  // the allowed values, for ValueKind::choice
    std::string constraint;            // any other check CLI11 describes, e.g. "INT in [1 - 256]"
    std::string description;
    std::string default_value;  // as --help shows it; empty when there is none
    std::string environment;    // the variable read when the option is not given
    bool required = false;
    bool repeatable = false;
};

// One command: `greenlight` itself, or a subcommand at any depth. Hidden commands and options are left out.
struct CommandDescription {
    std::vector<std::string> path;  // the words after `greenlight`: {} for greenlight itself, {"bridge", "submit"}
    std::string description;
    std::string footer;
    std::vector<ArgumentDescription> options;
    std::vector<ArgumentDescription> positionals;
    std::vector<CommandDescription> subcommands;  // in the order --help lists them
    bool subcommand_required = false;

    // "greenlight bridge submit"
    std::string invocation() const;
    // "greenlight-bridge-submit", the man page's name
    std::string page_name() const;
};

// A description's first sentence (up to a full stop before a capital or at a line end), on one line, without
// the final full stop: the NAME line of a man page, a completion's hint.
std::string first_sentence(std::string_view description);

// The tree under `root` (the app `greenlight` parses with), as --help would show it.
CommandDescription describe_command_line(const CLI::App& root);

// Every command of the tree, `root` first, then depth first in --help's order.
std::vector<const CommandDescription*> all_commands(const CommandDescription& root);

}  // namespace greenlight::cli
