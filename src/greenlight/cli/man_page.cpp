#include "greenlight/cli/man_page.hpp"

#include <fmt/format.h>

#include <cctype>

#include "greenlight/exit_code.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace {

// The code point of the UTF-8 sequence at text[at], and its length; U+FFFD for a byte that starts none.
std::pair<char32_t, size_t> decode_utf8(std::string_view text, size_t at) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    const size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (length == 1 || at + length > text.size()) return {U'\uFFFD', 1};
    char32_t code_point = lead & (0x7F >> length);
    for (size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return {U'\uFFFD', 1};
        code_point = (code_point << 6) | (byte(at + i) & 0x3F);
    }
    return {code_point, length};
}

std::string bold(std::string_view text) {
    return "\\fB" + roff_escape(text) + "\\fR";
}
std::string italic(std::string_view text) {
    return "\\fI" + roff_escape(text) + "\\fR";
}
std::string page_reference(const CommandDescription& command) {
    return bold(command.page_name()) + "(1)";
}

// Prose from --help: `code` spans become bold, the rest is escaped.
std::string prose(std::string_view text) {
    std::string out;
    while (!text.empty()) {
        const size_t open = text.find('`');
        const size_t close = open == std::string_view::npos ? open : text.find('`', open + 1);
        if (close == std::string_view::npos) {
            out += roff_escape(text);
            break;
        }
        out += roff_escape(text.substr(0, open)) + bold(text.substr(open + 1, close - open - 1));
        text.remove_prefix(close + 1);
    }
    return out;
}

std::string sentence(std::string_view text) {
    std::string out(util::trim(text));
    if (!out.empty() && out.back() != '.' && out.back() != '?' && out.back() != '!') out += '.';
    return out;
}

// The NAME line (which `whatis` and `apropos` show): "greenlight makes ..." reads "greenlight - makes ...".
std::string summary(const CommandDescription& command) {
    std::string out = first_sentence(command.description);
    if (out.starts_with("greenlight ")) out.erase(0, 11);
    return out;
}

// A line of a footer that opens with a short label ("Exit:", "Environment:", "Gate states:") starts a paragraph.
bool starts_with_label(std::string_view line) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 24) return false;
    if (!std::isupper(static_cast<unsigned char>(line[0]))) return false;
    for (size_t i = 1; i < colon; ++i) {
        const char c = line[i];
        if (!std::islower(static_cast<unsigned char>(c)) && c != ' ' && c != '-') return false;
    }
    return colon + 1 == line.size() || line[colon + 1] == ' ';
}

// Hard-wrapped --help text as filled paragraphs: a blank line or a labelled line starts the next one.
void paragraphs(std::string& out, std::string_view text) {
    bool first = true;
    bool blank_before = false;
    for (const auto raw : util::split_lines(text)) {
        const std::string_view line = util::trim(raw);
        if (line.empty()) {
            blank_before = true;
            continue;
        }
        if (!first && (blank_before || starts_with_label(line))) out += ".PP\n";
        out += roff_line(prose(line)) + "\n";
        first = false;
        blank_before = false;
    }
}

std::string argument_usage(const ArgumentDescription& argument, bool positional) {
    std::string out = positional ? italic(argument.names.front()) : bold(argument.names.back());
    if (!positional && !argument.value_name.empty()) out += " " + italic(argument.value_name);
    if (argument.repeatable) out += "...";
    return out;
}

void synopsis(std::string& out, const CommandDescription& command) {
    out += ".SH SYNOPSIS\n";
    std::string line = bold(command.invocation()) + " [" + italic("OPTIONS") + "]";
    for (const auto& option : command.options) {
        if (option.required) line += " " + argument_usage(option, false);
    }
    for (const auto& positional : command.positionals) {
        const std::string usage = argument_usage(positional, true);
        line += " " + (positional.required ? usage : "[" + usage + "]");
    }
    if (command.subcommands.empty()) {
        out += roff_line(line) + "\n";
        return;
    }
    if (!command.subcommand_required) out += roff_line(line) + "\n.br\n";
    out += roff_line(bold(command.invocation()) + " [" + italic("OPTIONS") + "] " + italic("COMMAND") + " [" +
                     italic("ARGS") + "]") +
           "\n";
}

// The description of an option or positional: its help text, then what CLI11 knows of its value.
std::string argument_text(const ArgumentDescription& argument) {
    std::string out = prose(sentence(argument.description));
    if (argument.required) out += " Required.";
    if (!argument.choices.empty()) {
        std::vector<std::string> choices;
        for (const auto& choice : argument.choices) choices.push_back(bold(choice));
        out += " One of " + util::join(choices, ", ") + ".";
    }
    if (!argument.constraint.empty()) out += " Must be " + roff_escape(argument.constraint) + ".";
    if (!argument.default_value.empty()) out += " Default: " + bold(argument.default_value) + ".";
    if (!argument.environment.empty()) out += " Environment: " + bold(argument.environment) + " (the option wins).";
    if (argument.repeatable) out += " May be given more than once.";
    return out;
}

void options_section(std::string& out, const CommandDescription& command) {
    if (!command.positionals.empty()) {
        out += ".SH ARGUMENTS\n";
        for (const auto& positional : command.positionals) {
            out += ".TP\n" + roff_line(italic(positional.names.front())) + "\n" + roff_line(argument_text(positional)) +
                   "\n";
        }
    }
    out += ".SH OPTIONS\n";
    for (const auto& option : command.options) {
        std::vector<std::string> names;
        for (const auto& name : option.names) names.push_back(bold(name));
        std::string tag = util::join(names, ", ");
        if (!option.value_name.empty()) tag += " " + italic(option.value_name) + (option.repeatable ? "..." : "");
        out += ".TP\n" + roff_line(tag) + "\n" + roff_line(argument_text(option)) + "\n";
    }
}

void commands_section(std::string& out, const CommandDescription& command) {
    if (command.subcommands.empty()) return;
    out += ".SH COMMANDS\n";
    for (const auto& sub : command.subcommands) {
        out += ".TP\n" + roff_line(bold(sub.invocation())) + "\n" +
               roff_line(prose(sentence(summary(sub))) + " See " + page_reference(sub) + ".") + "\n";
    }
}

void environment_section(std::string& out, const CommandDescription& command) {
    std::string entries;
    for (const auto& option : command.options) {
        if (option.environment.empty()) continue;
        entries += ".TP\n" + roff_line(bold(option.environment)) + "\n" +
                   roff_line("Used when " + bold(option.names.back()) + " is not given.") + "\n";
    }
    if (!entries.empty()) out += ".SH ENVIRONMENT\n" + entries;
}

void exit_status_section(std::string& out) {
    out += ".SH EXIT STATUS\n";
    out += roff_line(
               "Every greenlight command exits with one of these codes; the description above says what they "
               "mean for this command where it says more.") +
           "\n";
    for (const auto& [code, meaning] : k_exit_code_meanings) {
        out += fmt::format(".TP\n.B {}\n", to_int(code)) + roff_line(roff_escape(sentence(meaning))) + "\n";
    }
}

void see_also_section(std::string& out, const CommandDescription& command, const CommandDescription& root,
                      const CommandDescription* parent) {
    std::vector<std::string> references;
    if (&command != &root) references.push_back(page_reference(root));
    if (parent && parent != &root) references.push_back(page_reference(*parent));
    for (const auto& sub : command.subcommands) references.push_back(page_reference(sub));
    if (references.empty()) return;
    out += ".SH SEE ALSO\n" + roff_line(util::join(references, ", ")) + "\n";
}

std::string render_page(const CommandDescription& command, const CommandDescription& root,
                        const CommandDescription* parent, std::string_view version, std::string_view date) {
    std::string title = command.page_name();
    for (char& c : title) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string out = fmt::format(".\\\" Generated from greenlight's command line by greenlight {}; do not edit.\n",
                                  roff_escape(version));
    out += fmt::format(".TH {} 1 \"{}\" \"greenlight {}\" \"User Commands\"\n", roff_escape(title), roff_escape(date),
                       roff_escape(version));
    out += ".nh\n.ad l\n";  // option names are neither hyphenated nor stretched
    out += ".SH NAME\n" + roff_line(roff_escape(command.page_name()) + " \\- " + prose(summary(command))) + "\n";
    synopsis(out, command);
    out += ".SH DESCRIPTION\n";
    paragraphs(out, sentence(command.description));
    if (!command.footer.empty()) {
        out += ".PP\n";
        paragraphs(out, command.footer);
    }
    commands_section(out, command);
    options_section(out, command);
    environment_section(out, command);
    exit_status_section(out);
    see_also_section(out, command, root, parent);
    return out;
}

void render_tree(const CommandDescription& command, const CommandDescription& root, const CommandDescription* parent,
                 std::string_view version, std::string_view date, std::vector<ManPage>& pages) {
    pages.push_back({command.page_name() + ".1", render_page(command, root, parent, version, date)});
    for (const auto& sub : command.subcommands) render_tree(sub, root, &command, version, date, pages);
}

}  // namespace

std::string roff_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t at = 0; at < text.size();) {
        const char c = text[at];
        if (static_cast<unsigned char>(c) >= 0x80) {
            const auto [code_point, length] = decode_utf8(text, at);
            out += fmt::format("\\[u{:04X}]", static_cast<unsigned>(code_point));
            at += length;
            continue;
        }
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else if (c == '\t' || c == '\n') {
            out += ' ';
        } else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) {
            out += c;
        }
        ++at;
    }
    return out;
}

std::string roff_line(std::string_view escaped) {
    if (!escaped.empty() && (escaped.front() == '.' || escaped.front() == '\'')) return "\\&" + std::string(escaped);
    return std::string(escaped);
}

std::vector<ManPage> render_man_pages(const CommandDescription& root, std::string_view version, std::string_view date) {
    std::vector<ManPage> pages;
    render_tree(root, root, nullptr, version, date, pages);
    return pages;
}

}  // namespace greenlight::cli
