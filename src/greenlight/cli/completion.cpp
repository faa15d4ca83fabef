#include "greenlight/cli/completion.hpp"

#include <fmt/format.h>

#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace {

// The command's words after `greenlight`, space-separated: how each script names a command.
std::string key(const CommandDescription& command) {
    return util::join(command.path, " ");
}

std::vector<std::string> subcommand_names(const CommandDescription& command) {
    std::vector<std::string> names;
    for (const auto& sub : command.subcommands) names.push_back(sub.path.back());
    return names;
}

enum class WhichOptions { all, taking_a_value };

std::vector<std::string> option_names(const CommandDescription& command, WhichOptions which) {
    std::vector<std::string> names;
    for (const auto& option : command.options) {
        if (which == WhichOptions::taking_a_value && option.value_kind == ValueKind::none) continue;
        names.insert(names.end(), option.names.begin(), option.names.end());
    }
    return names;
}

std::vector<std::string> value_option_names(const CommandDescription& command) {
    return option_names(command, WhichOptions::taking_a_value);
}

std::vector<std::string> all_option_names(const CommandDescription& command) {
    return option_names(command, WhichOptions::all);
}

// ---- bash ----

std::string bash_quote(std::string_view text) {
    std::string out(text);
    util::replace_all(out, "'", "'\\''");
    return "'" + out + "'";
}

// What completes a value of this kind; empty for free text (nothing to offer).
std::string bash_action(const ArgumentDescription& argument) {
    switch (argument.value_kind) {
        case ValueKind::file:
        case ValueKind::path:
            return "_greenlight_files";
        case ValueKind::directory:
            return "_greenlight_directories";
        case ValueKind::choice:
            return "_greenlight_words " + bash_quote(util::join(argument.choices, " "));
        case ValueKind::none:
        case ValueKind::text:
            break;
    }
    return "";
}

// A function `name COMMAND` that prints one word list per command.
std::string bash_word_lists(std::string_view name, std::string_view purpose,
                            const std::vector<const CommandDescription*>& commands,
                            std::vector<std::string> (*words)(const CommandDescription&)) {
    std::string out = fmt::format("# {}\n{}() {{\n    case $1 in\n", purpose, name);
    for (const CommandDescription* command : commands) {
        const std::vector<std::string> list = words(*command);
        if (list.empty()) continue;
        out += fmt::format("        {}) echo {} ;;\n", bash_quote(key(*command)), bash_quote(util::join(list, " ")));
    }
    return out + "    esac\n}\n\n";
}

std::string bash_values(const std::vector<const CommandDescription*>& commands) {
    std::string out =
        "# Completes the value of option $2 of command $1.\n_greenlight_option_value() {\n    case \"$1:$2\" in\n";
    for (const CommandDescription* command : commands) {
        for (const auto& option : command->options) {
            const std::string action = bash_action(option);
            if (action.empty()) continue;
            std::vector<std::string> patterns;
            for (const auto& name : option.names) patterns.push_back(bash_quote(key(*command) + ":" + name));
            out += fmt::format("        {}) {} ;;\n", util::join(patterns, "|"), action);
        }
    }
    out += "    esac\n}\n\n";
    out +=
        "# Completes positional argument $2 (counted from 0) of command $1.\n_greenlight_positional() {\n"
        "    case \"$1:$2\" in\n";
    for (const CommandDescription* command : commands) {
        for (size_t index = 0; index < command->positionals.size(); ++index) {
            const ArgumentDescription& positional = command->positionals[index];
            // Free text has an entry too, so that a later repeatable argument's pattern does not claim its index.
            std::string pattern =
                bash_quote(key(*command) + ":" + (positional.repeatable ? "" : std::to_string(index)));
            if (positional.repeatable) pattern += "*";
            const std::string action = bash_action(positional);
            out += fmt::format("        {}) {};;\n", pattern, action.empty() ? "" : action + " ");
        }
    }
    return out + "    esac\n}\n\n";
}

constexpr std::string_view k_bash_main =
    R"BASH(_greenlight_words() { mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur"); }
_greenlight_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
_greenlight_directories() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -d -- "$cur")
}

_greenlight() {
    local cur=${COMP_WORDS[COMP_CWORD]} command='' positionals=0 expecting='' word i
    COMPREPLY=()
    # Which command the words before the cursor select, and how many of its arguments they hold.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -n $expecting ]]; then
            # The option's value: `--config FILE`, or `--config=FILE`, which bash splits at the `=`.
            [[ $word == = ]] || expecting=''
            continue
        fi
        case $word in
            = | -*=*) ;;
            -*)
                if [[ " $(_greenlight_value_options "$command") " == *" $word "* ]]; then
                    expecting=$word
                fi
                ;;
            *)
                if [[ " $(_greenlight_subcommands "$command") " == *" $word "* ]]; then
                    command=${command:+$command }$word
                    positionals=0
                else
                    positionals=$((positionals + 1))
                fi
                ;;
        esac
    done
    if [[ -n $expecting ]]; then
        [[ $cur == = ]] && cur=''
        _greenlight_option_value "$command" "$expecting"
    elif [[ $cur == --*=* ]]; then
        local option=${cur%%=*}
        cur=${cur#*=}
        _greenlight_option_value "$command" "$option"
        COMPREPLY=("${COMPREPLY[@]/#/$option=}")
    elif [[ $cur == -* ]]; then
        _greenlight_words "$(_greenlight_options "$command")"
    elif [[ -n $(_greenlight_subcommands "$command") ]]; then
        _greenlight_words "$(_greenlight_subcommands "$command")"
    else
        _greenlight_positional "$command" "$positionals"
    fi
    return 0
}

complete -F _greenlight greenlight
)BASH";

std::string render_bash(const CommandDescription& root) {
    const auto commands = all_commands(root);
    std::string out =
        "# bash completion for greenlight, generated from its command line by `greenlight completion bash`.\n"
        "# Install it as ~/.local/share/bash-completion/completions/greenlight (bash-completion loads it), or\n"
        "# add `source <(greenlight completion bash)` to ~/.bashrc.\n\n";
    out += bash_word_lists("_greenlight_subcommands", "The subcommands of command $1 (its words after greenlight).",
                           commands, subcommand_names);
    out += bash_word_lists("_greenlight_options", "The options of command $1.", commands, all_option_names);
    out += bash_word_lists("_greenlight_value_options", "The options of command $1 that take a value.", commands,
                           value_option_names);
    out += bash_values(commands);
    return out + std::string(k_bash_main);
}

// ---- zsh ----

// Text inside a single-quoted _arguments spec: its own specials escaped with a backslash, then the quote.
std::string zsh_spec_text(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '[' || c == ']' || c == ':') out += '\\';
        if (c == '\'') {
            out += "'\\''";
        } else if (c == '\n') {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string zsh_function(const CommandDescription& command) {
    std::string name = "_greenlight";
    for (const auto& word : command.path) name += "_" + word;
    for (char& c : name) {
        if (c == '-') c = '_';
    }
    return name;
}

std::string zsh_action(const ArgumentDescription& argument) {
    switch (argument.value_kind) {
        case ValueKind::file:
        case ValueKind::path:
            return "_files";
        case ValueKind::directory:
            return "_files -/";
        case ValueKind::choice: {
            std::vector<std::string> choices;
            for (const auto& choice : argument.choices) choices.push_back(zsh_spec_text(choice));
            return "(" + util::join(choices, " ") + ")";
        }
        case ValueKind::none:
        case ValueKind::text:
            break;
    }
    return " ";
}

std::vector<std::string> zsh_specs(const CommandDescription& command) {
    std::vector<std::string> specs;
    for (const auto& option : command.options) {
        const std::string exclusions = option.names.size() > 1 ? "(" + util::join(option.names, " ") + ")" : "";
        for (const auto& name : option.names) {
            std::string spec = (option.repeatable ? "*" : exclusions) + name;
            // A long option's value may follow as the next word or after `=`, as CLI11 accepts it.
            if (option.value_kind != ValueKind::none && name.starts_with("--")) spec += "=";
            spec += "[" + zsh_spec_text(util::trim(option.description)) + "]";
            if (option.value_kind != ValueKind::none) {
                spec += ":" + zsh_spec_text(util::lowercase(option.value_name)) + ":" + zsh_action(option);
            }
            specs.push_back("'" + spec + "'");
        }
    }
    for (size_t index = 0; index < command.positionals.size(); ++index) {
        const ArgumentDescription& positional = command.positionals[index];
        const std::string position = positional.repeatable ? "*" : std::to_string(index + 1);
        specs.push_back(fmt::format("'{}:{}{}:{}'", position, positional.required ? "" : ":",
                                    zsh_spec_text(positional.names.front()), zsh_action(positional)));
    }
    return specs;
}

std::string zsh_arguments(const std::vector<std::string>& specs, std::string_view flags) {
    std::string out = fmt::format("    _arguments {}", flags);
    for (const auto& spec : specs) out += " \\\n        " + spec;
    return out;
}

std::string zsh_command(const CommandDescription& command) {
    std::vector<std::string> specs = zsh_specs(command);
    if (command.subcommands.empty()) {
        return fmt::format("{}() {{\n{}\n}}\n\n", zsh_function(command), zsh_arguments(specs, "-s -S"));
    }
    specs.push_back("': :->command'");
    specs.push_back("'*:: :->argument'");
    std::string out = fmt::format(
        "{}() {{\n    local curcontext=$curcontext state state_descr line ret=1\n"
        "    typeset -A opt_args\n{} && ret=0\n    case $state in\n        command)\n"
        "            local -a commands\n            commands=(\n",
        zsh_function(command), zsh_arguments(specs, "-C -s -S"));
    for (const auto& sub : command.subcommands) {
        std::string entry = sub.path.back();
        util::replace_all(entry, ":", "\\:");
        entry += ":" + first_sentence(sub.description);
        util::replace_all(entry, "'", "'\\''");
        out += "                '" + entry + "'\n";
    }
    out += fmt::format(
        "            )\n            _describe -t commands '{} command' commands && ret=0\n"
        "            ;;\n        argument)\n"
        "            curcontext=${{curcontext%:*:*}}:{}-$line[1]:\n            case $line[1] in\n",
        command.invocation(), command.page_name());
    for (const auto& sub : command.subcommands) {
        out += fmt::format("                '{}') {} && ret=0 ;;\n", sub.path.back(), zsh_function(sub));
    }
    return out + "            esac\n            ;;\n    esac\n    return ret\n}\n\n";
}

std::string render_zsh(const CommandDescription& root) {
    std::string out =
        "#compdef greenlight\n"
        "# zsh completion for greenlight, generated from its command line by `greenlight completion zsh`.\n"
        "# Install it as _greenlight in a folder on $fpath (before compinit runs), or run\n"
        "# `source <(greenlight completion zsh)` after compinit.\n\n";
    for (const CommandDescription* command : all_commands(root)) out += zsh_command(*command);
    return out +
           "if [[ ${funcstack[1]-} == _greenlight ]]; then\n    _greenlight \"$@\"\nelse\n"
           "    compdef _greenlight greenlight\nfi\n";
}

// ---- fish ----

std::string fish_quote(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return "'" + out + "'";
}

// A function `name COMMAND...` that prints one word per line for each command.
std::string fish_word_lists(std::string_view name, std::string_view purpose,
                            const std::vector<const CommandDescription*>& commands,
                            std::vector<std::string> (*words)(const CommandDescription&)) {
    std::string out = fmt::format("function {} --description {}\n    switch \"$argv\"\n", name, fish_quote(purpose));
    for (const CommandDescription* command : commands) {
        const std::vector<std::string> list = words(*command);
        if (list.empty()) continue;
        std::vector<std::string> quoted;
        for (const auto& word : list) quoted.push_back(fish_quote(word));
        out += fmt::format("        case {}\n            printf '%s\\n' {}\n", fish_quote(key(*command)),
                           util::join(quoted, " "));
    }
    return out + "    end\nend\n\n";
}

constexpr std::string_view k_fish_functions =
    R"FISH(function __greenlight_command --description 'The greenlight command the words before the cursor select'
    set -l words (commandline -opc)
    set -e words[1]
    set -l command
    set -l expecting 0
    for word in $words
        if test $expecting = 1
            set expecting 0
            continue
        end
        switch $word
            case '-*=*'
            case '-*'
                if contains -- $word (__greenlight_value_options $command)
                    set expecting 1
                end
            case '*'
                if contains -- $word (__greenlight_subcommands $command)
                    set -a command $word
                end
        end
    end
    echo $command
end

function __greenlight_at --description 'Whether the command line is at the greenlight command $argv'
    set -l command (__greenlight_command)
    test "$command" = "$argv"
end

complete -c greenlight -f
)FISH";

// The arguments of `complete` for an option's value of this kind.
std::string fish_option_value(const ArgumentDescription& option) {
    switch (option.value_kind) {
        case ValueKind::file:
        case ValueKind::path:
            return " -r -F";
        case ValueKind::directory:
            return " -x -a '(__fish_complete_directories (commandline -ct))'";
        case ValueKind::choice:
            return " -x -a " + fish_quote(util::join(option.choices, " "));
        case ValueKind::text:
            return " -x";
        case ValueKind::none:
            break;
    }
    return "";
}

// The arguments of `complete` for a positional argument of this kind; empty for free text.
std::string fish_positional(const ArgumentDescription& positional) {
    switch (positional.value_kind) {
        case ValueKind::file:
        case ValueKind::path:
            return " -F";
        case ValueKind::directory:
            return " -a '(__fish_complete_directories (commandline -ct))'";
        case ValueKind::choice:
            return " -a " + fish_quote(util::join(positional.choices, " "));
        case ValueKind::text:
        case ValueKind::none:
            break;
    }
    return "";
}

std::string fish_command(const CommandDescription& command) {
    const std::string prefix = "complete -c greenlight -n " + fish_quote(util::trim("__greenlight_at " + key(command)));
    std::string out;
    for (const auto& sub : command.subcommands) {
        out += fmt::format("{} -a {} -d {}\n", prefix, fish_quote(sub.path.back()),
                           fish_quote(first_sentence(sub.description)));
    }
    for (const auto& option : command.options) {
        out += prefix;
        for (const auto& name : option.names) {
            out += name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1);
        }
        out += fish_option_value(option) + " -d " + fish_quote(first_sentence(option.description)) + "\n";
    }
    for (const auto& positional : command.positionals) {
        if (const std::string value = fish_positional(positional); !value.empty()) out += prefix + value + "\n";
    }
    return out;
}

std::string render_fish(const CommandDescription& root) {
    const auto commands = all_commands(root);
    std::string out =
        "# fish completion for greenlight, generated from its command line by `greenlight completion fish`.\n"
        "# Install it as ~/.config/fish/completions/greenlight.fish, or run `greenlight completion fish | source`.\n\n";
    out += fish_word_lists("__greenlight_subcommands", "The subcommands of the greenlight command $argv", commands,
                           subcommand_names);
    out +=
        fish_word_lists("__greenlight_value_options", "The options of the greenlight command $argv that take a value",
                        commands, value_option_names);
    out += k_fish_functions;
    for (const CommandDescription* command : commands) out += "\n" + fish_command(*command);
    return out;
}

}  // namespace

std::optional<Shell> parse_shell(std::string_view name) {
    if (name == "bash") return Shell::bash;
    if (name == "zsh") return Shell::zsh;
    if (name == "fish") return Shell::fish;
    return std::nullopt;
}

std::string render_completion(const CommandDescription& root, Shell shell) {
    switch (shell) {
        case Shell::bash:
            return render_bash(root);
        case Shell::zsh:
            return render_zsh(root);
        case Shell::fish:
            return render_fish(root);
    }
    return {};
}

}  // namespace greenlight::cli
