#include "greenlight/cli/command_tree.hpp"

#include <cctype>
#include <string_view>

#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace {

// CLI11 describes a set check as "{a,b}" (a map as "{a->1,b->2}").
std::vector<std::string> set_members(std::string_view described) {
    std::vector<std::string> members;
    described = described.substr(1, described.size() - 2);
    while (!described.empty()) {
        const size_t comma = described.find(',');
        std::string_view member = described.substr(0, comma);
        if (const size_t arrow = member.find("->"); arrow != std::string_view::npos) member = member.substr(0, arrow);
        if (!member.empty()) members.emplace_back(util::trim(member));
        if (comma == std::string_view::npos) break;
        described.remove_prefix(comma + 1);
    }
    return members;
}

// The kind a type name or a check's description names: our FILE/DIR/PATH type names, and CLI11's own
// ExistingFile ("FILE"), ExistingDirectory ("DIR") and ExistingPath/NonexistentPath ("PATH(...)").
ValueKind kind_named(std::string_view name) {
    if (name == "FILE") return ValueKind::file;
    if (name == "DIR") return ValueKind::directory;
    if (name.starts_with("PATH")) return ValueKind::path;
    return ValueKind::text;
}

// Fills the value fields from CLI11's full type name: the type, then ':' and each check's description.
void read_value(const CLI::Option& option, ArgumentDescription& argument) {
    if (option.get_items_expected_max() == 0) return;  // a flag
    const std::string full = option.get_type_name();
    const size_t colon = full.find(':');
    argument.value_name = full.substr(0, colon);
    if (argument.value_name.empty()) argument.value_name = "VALUE";
    argument.value_kind = kind_named(argument.value_name);
    if (colon == std::string::npos) return;
    std::vector<std::string> constraints;
    for (std::string_view rest = std::string_view(full).substr(colon + 1); !rest.empty();) {
        const bool is_set = rest.front() == '{';
        size_t end = is_set ? rest.find('}') : rest.find(':');
        if (is_set && end != std::string_view::npos) ++end;
        const std::string_view check = rest.substr(0, end);
        if (is_set && check.back() == '}') {
            argument.choices = set_members(check);
            argument.value_kind = ValueKind::choice;
        } else if (const ValueKind kind = kind_named(check); kind != ValueKind::text) {
            if (argument.value_kind == ValueKind::text) argument.value_kind = kind;
        } else if (!check.empty()) {
            constraints.emplace_back(check);
        }
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end);
        if (!rest.empty() && rest.front() == ':') rest.remove_prefix(1);
    }
    argument.constraint = util::join(constraints, "; ");
}

ArgumentDescription describe_argument(const CLI::Option& option, std::vector<std::string> names) {
    ArgumentDescription argument;
    argument.names = std::move(names);
    read_value(option, argument);
    argument.description = option.get_description();
    argument.default_value = option.get_default_str();
    argument.environment = option.get_envname();
    argument.required = option.get_required();
    argument.repeatable = argument.value_kind != ValueKind::none && option.get_items_expected_max() > 1;
    return argument;
}

CommandDescription describe(const CLI::App& app, std::vector<std::string> path) {
    CommandDescription command;
    command.path = std::move(path);
    command.description = app.get_description();
    command.footer = app.get_footer();
    command.subcommand_required = app.get_require_subcommand_min() > 0;
    for (const CLI::Option* option : app.get_options()) {
        if (option->get_group().empty()) continue;  // hidden
        std::vector<std::string> names;
        for (const auto& name : option->get_snames()) names.push_back("-" + name);
        for (const auto& name : option->get_lnames()) names.push_back("--" + name);
        if (!names.empty()) command.options.push_back(describe_argument(*option, names));
        if (option->get_positional())
            command.positionals.push_back(describe_argument(*option, {option->get_name(true)}));
    }
    const auto visible = [](const CLI::App* sub) { return !sub->get_group().empty() && !sub->get_name().empty(); };
    for (const CLI::App* sub : app.get_subcommands(visible)) {
        std::vector<std::string> sub_path = command.path;
        sub_path.push_back(sub->get_name());
        command.subcommands.push_back(describe(*sub, std::move(sub_path)));
    }
    return command;
}

void collect(const CommandDescription& command, std::vector<const CommandDescription*>& out) {
    out.push_back(&command);
    for (const auto& sub : command.subcommands) collect(sub, out);
}

}  // namespace

std::string first_sentence(std::string_view description) {
    std::string_view text = util::trim(description);
    text = text.substr(0, text.find("\n\n"));
    for (size_t at = text.find('.'); at != std::string_view::npos; at = text.find('.', at + 1)) {
        const std::string_view after = text.substr(at + 1);
        if (after.starts_with('\n') ||
            (after.size() >= 2 && after[0] == ' ' && std::isupper(static_cast<unsigned char>(after[1])))) {
            text = text.substr(0, at);
            break;
        }
    }
    std::string out;
    for (const auto line : util::split_lines(text)) {
        if (!out.empty()) out += ' ';
        out += util::trim(line);
    }
    while (!out.empty() && out.back() == '.') out.pop_back();
    return out;
}

std::string CommandDescription::invocation() const {
    std::string out = "greenlight";
    for (const auto& word : path) out += " " + word;
    return out;
}

std::string CommandDescription::page_name() const {
    std::string out = "greenlight";
    for (const auto& word : path) out += "-" + word;
    return out;
}

CommandDescription describe_command_line(const CLI::App& root) {
    return describe(root, {});
}

std::vector<const CommandDescription*> all_commands(const CommandDescription& root) {
    std::vector<const CommandDescription*> out;
    collect(root, out);
    return out;
}

}  // namespace greenlight::cli
