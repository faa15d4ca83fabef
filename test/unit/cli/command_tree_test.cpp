#include "greenlight/cli/command_tree.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/completion.hpp"
#include "greenlight/cli/man_page.hpp"
#include "greenlight/version.hpp"

namespace greenlight::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The tree `greenlight` parses with.
struct CommandLine {
    ExitCode exit_code = ExitCode::green;
    std::unique_ptr<CLI::App> app = make_command_line(exit_code);
    CommandDescription root = describe_command_line(*app);
};

std::string parent_key(const CommandDescription& command) {
    std::vector<std::string> parent(command.path.begin(), command.path.end() - 1);
    std::string out;
    for (const auto& word : parent) out += (out.empty() ? "" : " ") + word;
    return out;
}

std::string key(const CommandDescription& command) {
    std::string out;
    for (const auto& word : command.path) out += (out.empty() ? "" : " ") + word;
    return out;
}

// The body of a shell function in a generated script.
std::string function_body(const std::string& script, const std::string& header) {
    const size_t start = script.find("\n" + header);
    if (start == std::string::npos) return "";
    return script.substr(start, script.find("\n}\n", start) - start);
}

// The words a bash word-list function prints for a command: the line `'KEY') echo 'a b c' ;;`.
std::set<std::string> bash_words(const std::string& script, const std::string& function, const std::string& command) {
    const std::string body = function_body(script, function + "() {");
    const std::string opening = "        '" + command + "') echo '";
    const size_t at = body.find(opening);
    if (at == std::string::npos) return {};
    const size_t from = at + opening.size();
    std::set<std::string> words;
    std::string word;
    for (size_t i = from; i < body.size() && body[i] != '\''; ++i) {
        if (body[i] == ' ') {
            words.insert(word);
            word.clear();
        } else {
            word += body[i];
        }
    }
    words.insert(word);
    return words;
}

// Whether a `complete` line of the fish script, under the condition `at`, holds `fragment`.
bool fish_line_has(const std::string& fish, const std::string& at, const std::string& fragment) {
    std::istringstream lines(fish);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("complete -c greenlight -n '" + at + "' ") && line.find(fragment) != std::string::npos) {
            return true;
        }
    }
    return false;
}

TEST(CommandTree, EveryCommandHasAManPageAndAppearsInEachCompletion) {
    const CommandLine command_line;
    const auto commands = all_commands(command_line.root);
    ASSERT_GE(commands.size(), 30u) << "the tree lost commands";
    std::set<std::string> pages;
    for (const auto& page : render_man_pages(command_line.root, "0.0.0", "2026-01-01")) pages.insert(page.file_name);
    const std::string bash = render_completion(command_line.root, Shell::bash);
    const std::string zsh = render_completion(command_line.root, Shell::zsh);
    const std::string fish = render_completion(command_line.root, Shell::fish);

    for (const CommandDescription* command : commands) {
        SCOPED_TRACE(command->invocation());
        EXPECT_TRUE(pages.contains(command->page_name() + ".1"));
        std::string zsh_function = "_greenlight";
        for (const auto& word : command->path) zsh_function += "_" + word;
        std::replace(zsh_function.begin(), zsh_function.end(), '-', '_');
        EXPECT_THAT(zsh, HasSubstr("\n" + zsh_function + "() {\n"));
        if (!command->path.empty()) {
            const std::string& name = command->path.back();
            EXPECT_TRUE(bash_words(bash, "_greenlight_subcommands", parent_key(*command)).contains(name));
            EXPECT_THAT(zsh, HasSubstr("                '" + name + ":"));
            EXPECT_THAT(zsh, HasSubstr("                '" + name + "') " + zsh_function + " && ret=0 ;;"));
            const std::string at_parent =
                command->path.size() == 1 ? "__greenlight_at" : "__greenlight_at " + parent_key(*command);
            EXPECT_THAT(fish, HasSubstr("complete -c greenlight -n '" + at_parent + "' -a '" + name + "' -d "));
        }
        const std::set<std::string> bash_options = bash_words(bash, "_greenlight_options", key(*command));
        const std::string at = command->path.empty() ? "__greenlight_at" : "__greenlight_at " + key(*command);
        for (const auto& option : command->options) {
            for (const auto& name : option.names) {
                EXPECT_TRUE(bash_options.contains(name)) << name;
                const bool long_value = option.value_kind != ValueKind::none && name.starts_with("--");
                EXPECT_THAT(function_body(zsh, zsh_function + "() {"), HasSubstr(name + (long_value ? "=[" : "[")))
                    << name;
                const std::string fish_name =
                    name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1);
                EXPECT_TRUE(fish_line_has(fish, at, fish_name + " ")) << name;
            }
        }
    }
}

TEST(CommandTree, HoldsTheContractsCommandsAndHidesTheInternalOne) {
    const CommandLine command_line;
    std::set<std::string> invocations;
    for (const CommandDescription* command : all_commands(command_line.root)) invocations.insert(command->invocation());
    for (const char* expected :
         {"greenlight run", "greenlight smoke", "greenlight verify", "greenlight pack", "greenlight merge",
          "greenlight gate", "greenlight check", "greenlight proof", "greenlight bridge serve",
          "greenlight bridge submit", "greenlight bridge run", "greenlight serve", "greenlight watch",
          "greenlight config validate", "greenlight config schema", "greenlight completion", "greenlight promote",
          "greenlight promote decide"}) {
        EXPECT_TRUE(invocations.contains(expected)) << expected;
    }
    EXPECT_FALSE(invocations.contains("greenlight man-pages")) << "the packagers' command is hidden";
}

TEST(CommandTree, DescribesValuesAsCli11KnowsThem) {
    CLI::App app{"A tool.", "tool"};
    std::string file, directory, choice, text, existing, hidden_value;
    std::vector<std::string> many;
    int jobs = 2;
    bool flag = false;
    app.add_option("-c,--config", file, "Config")->type_name("FILE")->required();
    app.add_option("--dir", directory, "Folder")->type_name("DIR")->envname("TOOL_DIR");
    app.add_option("--mode", choice, "Mode")->check(CLI::IsMember({"fast", "slow"}));
    app.add_option("-j,--jobs", jobs, "Jobs")->check(CLI::Range(1, 4))->capture_default_str();
    app.add_option("--existing", existing, "An existing file")->check(CLI::ExistingFile);
    app.add_option("--many", many, "Repeatable");
    app.add_option("--hidden", hidden_value, "Not shown")->group("");
    app.add_flag("--flag", flag, "A flag");
    app.add_option("input", text, "Input")->type_name("PATH");
    app.add_subcommand("shown", "Shown. More text here.");
    app.add_subcommand("secret", "Hidden")->group("");

    const CommandDescription root = describe_command_line(app);
    ASSERT_EQ(root.subcommands.size(), 1u);
    EXPECT_EQ(root.subcommands[0].invocation(), "greenlight shown");
    EXPECT_EQ(root.subcommands[0].page_name(), "greenlight-shown");
    EXPECT_EQ(first_sentence(root.subcommands[0].description), "Shown");

    std::vector<std::string> names;
    for (const auto& option : root.options) names.push_back(option.names.back());
    EXPECT_THAT(names,
                ElementsAre("--help", "--config", "--dir", "--mode", "--jobs", "--existing", "--many", "--flag"));
    const auto& config = root.options[1];
    EXPECT_THAT(config.names, ElementsAre("-c", "--config"));
    EXPECT_EQ(config.value_name, "FILE");
    EXPECT_EQ(config.value_kind, ValueKind::file);
    EXPECT_TRUE(config.required);
    EXPECT_EQ(root.options[2].value_kind, ValueKind::directory);
    EXPECT_EQ(root.options[2].environment, "TOOL_DIR");
    EXPECT_EQ(root.options[3].value_kind, ValueKind::choice);
    EXPECT_THAT(root.options[3].choices, ElementsAre("fast", "slow"));
    EXPECT_EQ(root.options[4].value_name, "INT");
    EXPECT_EQ(root.options[4].constraint, "INT in [1 - 4]");
    EXPECT_EQ(root.options[4].default_value, "2");
    EXPECT_EQ(root.options[5].value_kind, ValueKind::file);
    EXPECT_TRUE(root.options[6].repeatable);
    EXPECT_FALSE(root.options[4].repeatable);
    EXPECT_EQ(root.options[7].value_kind, ValueKind::none);
    EXPECT_TRUE(root.options[7].value_name.empty());
    ASSERT_EQ(root.positionals.size(), 1u);
    EXPECT_THAT(root.positionals[0].names, ElementsAre("input"));
    EXPECT_EQ(root.positionals[0].value_kind, ValueKind::path);
}

TEST(ManPage, EscapesWhatRoffWouldReadAsMarkup) {
    EXPECT_EQ(roff_escape("--config a\\b"), "\\-\\-config a\\eb");
    EXPECT_EQ(roff_escape("ok \xE2\x80\x94 done \xC3\xA9"), "ok \\[u2014] done \\[u00E9]");
    EXPECT_EQ(roff_escape("tab\there"), "tab here");
    EXPECT_EQ(roff_escape(std::string("bad \xFF byte")), "bad \\[uFFFD] byte");
    EXPECT_EQ(roff_line(".SH not a macro"), "\\&.SH not a macro");
    EXPECT_EQ(roff_line("'quote"), "\\&'quote");
    EXPECT_EQ(roff_line("plain"), "plain");
}

TEST(ManPage, TextFromHelpNeverBecomesARequest) {
    CLI::App app{"A tool.", "tool"};
    std::string value;
    CLI::App* sub = app.add_subcommand("sub", "Does things.\n.TH broken\n'also broken");
    sub->footer(".SH NOT A SECTION\n  'indented quote\nExit: 0 fine, 1 not.\n\\fB not bold");
    sub->add_option("--value", value, ".B not bold either")->type_name("FILE")->capture_default_str();
    const auto pages = render_man_pages(describe_command_line(app), "1.2.3", "2026-01-31");
    ASSERT_EQ(pages.size(), 2u);
    const std::string& page = pages[1].text;
    EXPECT_EQ(pages[1].file_name, "greenlight-sub.1");
    const std::set<std::string> requests = {".\\\"", ".TH", ".SH", ".PP", ".TP", ".B", ".br", ".nh", ".ad"};
    std::istringstream lines(page);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("'")) ADD_FAILURE() << "a line starts with a quote: " << line;
        if (!line.starts_with(".")) continue;
        EXPECT_TRUE(requests.contains(line.substr(0, line.find(' ')))) << line;
    }
    EXPECT_THAT(page, HasSubstr(".TH GREENLIGHT\\-SUB 1 \"2026\\-01\\-31\" \"greenlight 1.2.3\" \"User Commands\"\n"));
    EXPECT_THAT(page, HasSubstr(".SH NAME\ngreenlight\\-sub \\- Does things\n"));
    EXPECT_THAT(page, HasSubstr("\\&.SH NOT A SECTION\n"));
    EXPECT_THAT(page, HasSubstr("\\efB not bold"));
    EXPECT_THAT(page, HasSubstr(".PP\nExit: 0 fine, 1 not.\n"));
    for (const char* section : {".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH EXIT STATUS", ".SH SEE ALSO"}) {
        EXPECT_THAT(page, HasSubstr(section));
    }
    EXPECT_THAT(page, HasSubstr(".TP\n.B 130\n"));
    EXPECT_THAT(page, HasSubstr("\\fBgreenlight\\fR(1)"));
}

TEST(Completion, OffersTheSetOfAllowedValues) {
    const CommandLine command_line;
    EXPECT_THAT(render_completion(command_line.root, Shell::bash),
                HasSubstr("'gate:--stale-on') _greenlight_words 'commit tree' ;;"));
    EXPECT_THAT(render_completion(command_line.root, Shell::bash),
                HasSubstr("'completion:0') _greenlight_words 'bash zsh fish' ;;"));
    EXPECT_THAT(render_completion(command_line.root, Shell::zsh), HasSubstr(":text:(commit tree)'"));
    EXPECT_THAT(render_completion(command_line.root, Shell::fish),
                HasSubstr("-n '__greenlight_at gate' -l stale-on -x -a 'commit tree'"));
    EXPECT_EQ(parse_shell("fish"), Shell::fish);
    EXPECT_EQ(parse_shell("tcsh"), std::nullopt);
}

TEST(Version, TheLineNamesVersionCommitAndDate) {
    EXPECT_TRUE(std::regex_match(
        version_line(),
        std::regex(R"(greenlight \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,40}(-dirty)?|unknown), built \d{4}-\d\d-\d\d\))")))
        << version_line();
    EXPECT_THAT(version_line(), HasSubstr(std::string(version())));
}

}  // namespace
}  // namespace greenlight::cli
