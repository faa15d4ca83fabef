// `greenlight completion SHELL` prints a shell completion script; the hidden `greenlight man-pages -o DIR` writes
// the man pages. Both read the same CLI11 tree that parses the command line, so they cannot drift from --help.
#include <fmt/format.h>

#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/completion.hpp"
#include "greenlight/cli/man_page.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/version.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

struct CompletionOptions {
    std::string shell;
    std::string output;
};

ExitCode print_completion(const CLI::App& root, const CompletionOptions& options) {
    const std::optional<Shell> shell = parse_shell(options.shell);
    if (!shell) {
        print_error(fmt::format("no completion for shell `{}`: choose bash, zsh or fish", options.shell));
        return ExitCode::usage;
    }
    const std::string script = render_completion(describe_command_line(root), *shell);
    if (options.output.empty()) {
        std::cout << script << std::flush;
        return ExitCode::green;
    }
    if (auto written = util::write_file_atomic(options.output, script, util::Durability::process_crash); !written) {
        print_error(fmt::format("--output {}: {}", options.output, written.message()));
        return ExitCode::infrastructure;
    }
    return ExitCode::green;
}

ExitCode write_man_pages(const CLI::App& root, const fs::path& directory) {
    if (auto made = util::make_directories(directory); !made) {
        print_error(made.message());
        return ExitCode::infrastructure;
    }
    const auto pages = render_man_pages(describe_command_line(root), version(), build_date());
    for (const ManPage& page : pages) {
        if (auto written =
                util::write_file_atomic(directory / page.file_name, page.text, util::Durability::process_crash);
            !written) {
            print_error(fmt::format("{}: {}", (directory / page.file_name).string(), written.message()));
            return ExitCode::infrastructure;
        }
    }
    std::cout << fmt::format("wrote {} man pages into {}\n", pages.size(), directory.string());
    return ExitCode::green;
}

}  // namespace

void add_completion_commands(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<CompletionOptions>();
    CLI::App* completion = app.add_subcommand("completion", "Print the shell completion script for bash, zsh or fish");
    completion->footer(
        "The script completes subcommands, options, the allowed values of options that have a set of them, and\n"
        "files or folders where a value is a path. Installed packages put it where each shell looks; by hand:\n"
        "bash: `source <(greenlight completion bash)` in ~/.bashrc, or save it as\n"
        "~/.local/share/bash-completion/completions/greenlight.\n"
        "zsh: save it as _greenlight in a folder on $fpath (before compinit runs).\n"
        "fish: save it as ~/.config/fish/completions/greenlight.fish.\n"
        "Exit: 0 printed, 2 unknown shell, 3 --output could not be written.");
    completion->add_option("shell", options->shell, "The shell")
        ->required()
        ->check(CLI::IsMember({"bash", "zsh", "fish"}));
    completion->add_option("-o,--output", options->output, "Write the script to this file instead of standard output")
        ->type_name("FILE");
    completion->callback([&app, options, &exit_code] { exit_code = print_completion(app, *options); });

    // For packagers and the build (which installs the pages it writes): hidden from --help, the completions and
    // the pages themselves.
    auto directory = std::make_shared<std::string>();
    CLI::App* man_pages = app.add_subcommand("man-pages", "Write greenlight's man pages (section 1) into a folder");
    man_pages->group("");
    man_pages->add_option("-o,--output-dir", *directory, "Folder for greenlight.1 and greenlight-<command>.1")
        ->required()
        ->type_name("DIR");
    man_pages->callback([&app, directory, &exit_code] { exit_code = write_man_pages(app, *directory); });
}

}  // namespace greenlight::cli
