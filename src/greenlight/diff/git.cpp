// git is run with an argv (never through a shell) in the C locale, so its messages and output are the same
// everywhere; paths come back quoted (core.quotepath) and the diff parser unquotes them.
#include "greenlight/diff/git.hpp"

#include <fmt/format.h>

#include "greenlight/diff/process.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::diff {

namespace {

namespace fs = std::filesystem;

process::Arguments git_arguments(const fs::path& repo, const process::Arguments& arguments) {
    process::Arguments all = {"git", "-c", "core.quotepath=on", "-C", repo.string()};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return all;
}

std::string command_text(const process::Arguments& arguments) {
    std::string text;
    for (const std::string& argument : arguments) {
        if (!text.empty()) text += ' ';
        const bool plain = !argument.empty() && argument.find_first_of(" \t\n'\"\\$") == std::string::npos;
        if (plain) {
            text += argument;
        } else {
            text += '\'';
            text += argument;
            text += '\'';
        }
    }
    return text;
}

// Runs the stages and returns the last one's output, or an error naming the first command that failed.
util::Result<std::string> run_git(const std::vector<process::Arguments>& stages, std::string_view input = {}) {
    util::Result<process::PipelineOutcome> outcome = process::run_pipeline(stages, input, {"LC_ALL=C"});
    if (!outcome) return util::make_error(fmt::format("{}: {}", command_text(stages.front()), outcome.message()));
    for (size_t index = 0; index < stages.size(); ++index) {
        const process::StageOutcome& stage = outcome->stages[index];
        if (stage.exit_code == 0) continue;
        const std::string_view reason = util::trim(stage.standard_error);
        return util::make_error(fmt::format("`{}` failed (exit {}){}{}", command_text(stages[index]), stage.exit_code,
                                            reason.empty() ? "" : ": ", reason));
    }
    return std::move(outcome->standard_output);
}

// A revision that starts with '-' would be read by git as an option.
util::Status check_revision(const std::string& revision) {
    if (revision.empty()) return util::make_error("a git revision is empty");
    if (revision.front() == '-')
        return util::make_error(fmt::format("a git revision cannot start with '-': {}", revision));
    return {};
}

util::Result<std::string> resolve(const fs::path& repo, const std::string& revision, std::string_view kind) {
    if (util::Status valid = check_revision(revision); !valid) return valid.error();
    util::Result<std::string> output =
        run_git({git_arguments(repo, {"rev-parse", "--verify", "--quiet", fmt::format("{}^{{{}}}", revision, kind)})});
    if (!output) {
        return util::make_error(
            fmt::format("{} (no {} named '{}' in {})", output.message(), kind, revision, repo.string()));
    }
    return std::string(util::trim(*output));
}

}  // namespace

namespace {

util::Result<Diff> run_diff(const fs::path& repo, const std::string& range) {
    // Explicit prefixes and --no-* options keep user configuration (noprefix, mnemonic prefixes, external
    // diff tools, textconv filters, relative diffs) from changing what is parsed.
    const process::Arguments command =
        git_arguments(repo, {"diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "--src-prefix=a/",
                             "--dst-prefix=b/", "--find-renames", "-U0", range});
    util::Result<std::string> text = run_git({command});
    if (!text) return text.error();
    DiffParseOutcome parsed = parse_unified_diff(*text);
    if (!parsed) {
        const DiffParseError& error = parsed.error();
        return util::make_error(fmt::format("cannot read the output of `{}`: line {}: {}", command_text(command),
                                            error.line, error.message));
    }
    return std::move(parsed).value();
}

}  // namespace

util::Result<Diff> git_diff(const fs::path& repo, const std::string& base, const std::string& head) {
    if (util::Status valid = check_revision(base); !valid) return valid.error();
    if (util::Status valid = check_revision(head); !valid) return valid.error();
    return run_diff(repo, base + "..." + head);
}

util::Result<Diff> git_diff_work_tree(const fs::path& repo, const std::string& base) {
    if (util::Status valid = check_revision(base); !valid) return valid.error();
    return run_diff(repo, base);
}

util::Result<std::string> git_commit_id(const fs::path& repo, const std::string& revision) {
    return resolve(repo, revision, "commit");
}

util::Result<std::string> git_tree_id(const fs::path& repo, const std::string& revision) {
    return resolve(repo, revision, "tree");
}

util::Result<std::string> git_patch_id(const fs::path& repo, const std::string& base, const std::string& revision) {
    if (util::Status valid = check_revision(base); !valid) return valid.error();
    if (util::Status valid = check_revision(revision); !valid) return valid.error();
    // --binary puts the bytes of binary files into the patch, so two different binary edits hash differently.
    const process::Arguments diff =
        git_arguments(repo, {"diff", "--no-color", "--no-ext-diff", "--no-textconv", "--no-relative", "--src-prefix=a/",
                             "--dst-prefix=b/", "--find-renames", "--binary", base + "..." + revision});
    const process::Arguments patch_id = git_arguments(repo, {"patch-id", "--stable"});
    util::Result<std::string> output = run_git({diff, patch_id});
    if (!output) return output.error();
    // `<patch id> <commit id>`; nothing at all for an empty change.
    const std::string_view text = util::trim(*output);
    return std::string(text.substr(0, text.find(' ')));
}

util::Result<std::optional<std::string>> git_file_at(const fs::path& repo, const std::string& revision,
                                                     const fs::path& path) {
    if (util::Status valid = check_revision(revision); !valid) return valid.error();
    // ls-tree names the blob (paths relative to the folder git runs in); cat-file reads it. A missing path
    // lists nothing, where `git show rev:path` would fail like a bad revision.
    util::Result<std::string> listed =
        run_git({git_arguments(repo, {"ls-tree", "-z", revision + "^{commit}", "--", path.generic_string()})});
    if (!listed) return listed.error();
    const std::string_view entry = std::string_view(*listed).substr(0, listed->find('\0'));
    // "<mode> <type> <object>\t<path>"
    const size_t tab = entry.find('\t');
    if (entry.empty() || tab == std::string_view::npos) return std::optional<std::string>();
    const std::string_view header = entry.substr(0, tab);
    const size_t first_space = header.find(' ');
    const size_t second_space = first_space == std::string_view::npos ? first_space : header.find(' ', first_space + 1);
    if (second_space == std::string_view::npos ||
        header.substr(first_space + 1, second_space - first_space - 1) != "blob") {
        return std::optional<std::string>();  // a folder or a submodule of that name is no file
    }
    const std::string object(header.substr(second_space + 1));
    util::Result<std::string> content = run_git({git_arguments(repo, {"cat-file", "blob", object})});
    if (!content) return content.error();
    return std::optional<std::string>(std::move(*content));
}

util::Result<std::string> git_prefix(const fs::path& repo) {
    util::Result<std::string> output = run_git({git_arguments(repo, {"rev-parse", "--show-prefix"})});
    if (!output) return output.error();
    return std::string(util::trim(*output));
}

util::Result<std::vector<bool>> git_attribute_set(const fs::path& repo, const std::string& attribute,
                                                  const std::vector<std::string>& paths) {
    if (paths.empty()) return std::vector<bool>();
    if (attribute.empty() || attribute.front() == '-') {
        return util::make_error(fmt::format("not a git attribute name: '{}'", attribute));
    }
    // Paths go through standard input, NUL-separated: no argv length limit, and no path is read as an option.
    std::string input;
    for (const std::string& path : paths) {
        input += path;
        input.push_back('\0');
    }
    const process::Arguments command = git_arguments(repo, {"check-attr", "-z", "--stdin", attribute});
    util::Result<std::string> output = run_git({command}, input);
    if (!output) return output.error();
    // `path NUL attribute NUL value NUL`, one triple per path, in the order they were given.
    std::vector<bool> set;
    set.reserve(paths.size());
    std::string_view rest = *output;
    while (!rest.empty()) {
        std::string_view fields[3];
        for (std::string_view& field : fields) {
            const size_t end = rest.find('\0');
            if (end == std::string_view::npos) {
                return util::make_error(fmt::format("`{}` printed an incomplete record", command_text(command)));
            }
            field = rest.substr(0, end);
            rest.remove_prefix(end + 1);
        }
        if (set.size() >= paths.size() || fields[0] != paths[set.size()]) {
            return util::make_error(fmt::format("`{}` answered for an unexpected path: {}", command_text(command),
                                                util::printable(fields[0])));
        }
        set.push_back(fields[2] == "set" || fields[2] == "true");
    }
    if (set.size() != paths.size()) {
        return util::make_error(
            fmt::format("`{}` answered for {} of {} paths", command_text(command), set.size(), paths.size()));
    }
    return set;
}

}  // namespace greenlight::diff

namespace greenlight::diff {

util::Result<std::vector<std::string>> git_ls_files(const std::filesystem::path& repo, UntrackedFiles untracked) {
    process::Arguments arguments = {"ls-files", "-z", "--full-name", "--cached"};
    if (untracked == UntrackedFiles::include) {
        arguments.insert(arguments.end(), {"--others", "--exclude-standard", "--deduplicate"});
    }
    util::Result<std::string> output = run_git({git_arguments(repo, arguments)});
    if (!output) return output.error();
    std::vector<std::string> files;
    std::string_view rest = *output;
    while (!rest.empty()) {
        const size_t end = rest.find('\0');
        files.emplace_back(rest.substr(0, end));
        if (end == std::string_view::npos) break;
        rest.remove_prefix(end + 1);
    }
    return files;
}

}  // namespace greenlight::diff
