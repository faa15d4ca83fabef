// The `registry` check: a generated file that is committed (a docs index, a registry of schemas) must be
// what its generator writes today. The generator runs in a copy of the repository, so a check never
// changes the work tree.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "greenlight/hygiene/check.hpp"
#include "greenlight/hygiene/process.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::hygiene {

namespace {

namespace fs = std::filesystem;

constexpr size_t k_diff_lines_shown = 20;
constexpr size_t k_context_lines = 2;
constexpr size_t k_error_lines_shown = 10;
// Beyond this many cells the middle of a diff is shown as all removed, then all added.
constexpr size_t k_diff_cell_limit = 4'000'000;

struct DiffLine {
    char mark;  // ' ', '-', '+'
    std::string_view text;
    size_t old_number;  // 1-based line of the committed file the line sits at (or after, for '+')
    size_t new_number;
};

// A line-by-line edit script: common head and tail first, a longest common subsequence for the middle.
std::vector<DiffLine> edit_script(const std::vector<std::string_view>& old_lines,
                                  const std::vector<std::string_view>& new_lines) {
    size_t head = 0;
    while (head < old_lines.size() && head < new_lines.size() && old_lines[head] == new_lines[head]) ++head;
    size_t tail = 0;
    while (tail < old_lines.size() - head && tail < new_lines.size() - head &&
           old_lines[old_lines.size() - 1 - tail] == new_lines[new_lines.size() - 1 - tail]) {
        ++tail;
    }
    const size_t old_count = old_lines.size() - head - tail;
    const size_t new_count = new_lines.size() - head - tail;

    std::vector<DiffLine> script;
    for (size_t i = 0; i < head; ++i) script.push_back({' ', old_lines[i], i + 1, i + 1});
    if (old_count * new_count <= k_diff_cell_limit) {
        // lengths[i][j]: the longest common subsequence of old[i..] and new[j..] (middle part only).
        std::vector<size_t> lengths((old_count + 1) * (new_count + 1), 0);
        const auto at = [&](size_t i, size_t j) -> size_t& { return lengths[i * (new_count + 1) + j]; };
        for (size_t i = old_count; i-- > 0;) {
            for (size_t j = new_count; j-- > 0;) {
                at(i, j) = old_lines[head + i] == new_lines[head + j] ? at(i + 1, j + 1) + 1
                                                                      : std::max(at(i + 1, j), at(i, j + 1));
            }
        }
        size_t i = 0;
        size_t j = 0;
        while (i < old_count || j < new_count) {
            if (i < old_count && j < new_count && old_lines[head + i] == new_lines[head + j]) {
                script.push_back({' ', old_lines[head + i], head + i + 1, head + j + 1});
                ++i;
                ++j;
            } else if (i < old_count && (j == new_count || at(i + 1, j) >= at(i, j + 1))) {
                script.push_back({'-', old_lines[head + i], head + i + 1, head + j + 1});
                ++i;
            } else {
                script.push_back({'+', new_lines[head + j], head + i + 1, head + j + 1});
                ++j;
            }
        }
    } else {
        for (size_t i = 0; i < old_count; ++i) script.push_back({'-', old_lines[head + i], head + i + 1, head + 1});
        for (size_t j = 0; j < new_count; ++j)
            script.push_back({'+', new_lines[head + j], head + old_count + 1, head + j + 1});
    }
    for (size_t k = 0; k < tail; ++k) {
        script.push_back({' ', old_lines[head + old_count + k], head + old_count + k + 1, head + new_count + k + 1});
    }
    return script;
}

// A unified diff of the committed and the generated text, cut after `limit` lines with a note of how
// many more there were.
std::string short_unified_diff(std::string_view committed, std::string_view generated, const std::string& file,
                               const std::string& generator) {
    const std::vector<std::string_view> old_lines = util::split_lines(committed);
    const std::vector<std::string_view> new_lines = util::split_lines(generated);
    const std::vector<DiffLine> script = edit_script(old_lines, new_lines);

    std::vector<std::string> body;
    size_t index = 0;
    while (index < script.size()) {
        if (script[index].mark == ' ') {
            ++index;
            continue;
        }
        // A hunk: from k_context_lines before this change to k_context_lines after the last change that
        // lies within 2 * k_context_lines of the previous one.
        const size_t start = index >= k_context_lines ? index - k_context_lines : 0;
        size_t end = index;
        size_t quiet = 0;
        for (size_t k = index; k < script.size(); ++k) {
            if (script[k].mark != ' ') {
                end = k + 1;
                quiet = 0;
            } else if (++quiet > 2 * k_context_lines) {
                break;
            }
        }
        end = std::min(script.size(), end + k_context_lines);
        size_t old_length = 0;
        size_t new_length = 0;
        for (size_t k = start; k < end; ++k) {
            old_length += script[k].mark != '+';
            new_length += script[k].mark != '-';
        }
        const size_t old_start = old_length == 0 ? script[start].old_number - 1 : script[start].old_number;
        const size_t new_start = new_length == 0 ? script[start].new_number - 1 : script[start].new_number;
        body.push_back(fmt::format("@@ -{},{} +{},{} @@", old_start, old_length, new_start, new_length));
        for (size_t k = start; k < end; ++k) body.push_back(fmt::format("{}{}", script[k].mark, script[k].text));
        index = end;
    }
    if (body.empty()) {
        body.push_back("(the lines are the same; the files differ in line endings or in the final newline)");
    }

    std::string text = fmt::format("--- {} (committed)\n+++ {} (generated by `{}`)\n", file, file, generator);
    for (size_t k = 0; k < std::min(body.size(), k_diff_lines_shown); ++k) text += body[k] + "\n";
    if (body.size() > k_diff_lines_shown) text += fmt::format("… {} more lines\n", body.size() - k_diff_lines_shown);
    return text;
}

// Copies the repository's files (not .git) into `destination`, keeping their permissions.
util::Status copy_repository(const CheckContext& context, const fs::path& destination) {
    for (const std::string& file : context.files) {
        std::error_code error;
        const fs::path target = destination / file;
        fs::create_directories(target.parent_path(), error);
        if (!error) fs::copy_file(context.root / file, target, fs::copy_options::overwrite_existing, error);
        if (error) {
            return util::make_error(fmt::format("cannot copy {} into the temporary folder {}: {}", file,
                                                destination.string(), error.message()));
        }
    }
    return {};
}

}  // namespace

CheckOutcome run_registry_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "files";
    if (check.file.empty() || check.command.empty()) {
        outcome.error = fmt::format(
            "check `{}` (line {}): a registry check needs `file` (the generated file) and "
            "`command` (what generates it)",
            check.name, check.line);
        return outcome;
    }
    const std::string generator = process::display_command(check.command);

    util::TemporaryDirectory temporary("greenlight-registry");
    if (temporary.path().empty()) {
        outcome.error =
            fmt::format("check `{}`: cannot create a temporary folder (set TMPDIR to a writable folder)", check.name);
        return outcome;
    }
    const fs::path copy = temporary.path() / "repository";
    if (util::Status copied = copy_repository(context, copy); !copied) {
        outcome.error = fmt::format("check `{}`: {}", check.name, copied.message());
        return outcome;
    }

    process::CommandRequest request;
    request.argv = check.command;
    request.cwd = copy;
    request.timeout = check.timeout;
    const process::CommandOutcome generated = process::run_command(request);
    if (!generated.succeeded()) {
        const std::string tail = process::last_lines(generated.standard_error, k_error_lines_shown);
        outcome.error = fmt::format("check `{}`: the generator `{}` {}{}{}", check.name, generator,
                                    process::describe_end(generated, check.timeout),
                                    tail.empty() ? "" : "; the end of what it wrote to standard error:\n", tail);
        return outcome;
    }
    if (generated.output_truncated) {
        outcome.error = fmt::format(
            "check `{}`: the generator `{}` wrote more than 64 MiB; greenlight compares "
            "registries up to that size",
            check.name, generator);
        return outcome;
    }

    std::string fresh = generated.standard_output;
    if (check.output == config::CheckConfig::RegistryOutput::file) {
        util::Result<std::string> written = util::read_file(copy / check.file);
        if (!written) {
            outcome.error = fmt::format("check `{}`: the generator `{}` succeeded but left no readable {} ({})",
                                        check.name, generator, check.file, written.message());
            return outcome;
        }
        fresh = std::move(*written);
    }
    outcome.examined = 1;

    std::error_code error;
    if (!fs::is_regular_file(context.root / check.file, error)) {
        outcome.findings.push_back(
            {"stale-registry",
             fmt::format(
                 "{} does not exist, but `{}` generates it; run `{}`{} and commit {}", check.file, generator, generator,
                 check.output == config::CheckConfig::RegistryOutput::stdout_ ? fmt::format(" > {}", check.file) : "",
                 check.file),
             check.file, 0, 0, ""});
        return outcome;
    }
    util::Result<std::string> committed = util::read_file(context.root / check.file);
    if (!committed) {
        outcome.error = fmt::format("check `{}`: {}", check.name, committed.message());
        return outcome;
    }
    if (*committed == fresh) return outcome;

    const std::vector<std::string_view> committed_lines = util::split_lines(*committed);
    size_t first_difference = 0;
    const std::vector<std::string_view> fresh_lines = util::split_lines(fresh);
    while (first_difference < committed_lines.size() && first_difference < fresh_lines.size() &&
           committed_lines[first_difference] == fresh_lines[first_difference]) {
        ++first_difference;
    }
    const std::string regenerate = check.output == config::CheckConfig::RegistryOutput::stdout_
                                       ? fmt::format("{} > {}", generator, check.file)
                                       : generator;
    outcome.findings.push_back(
        {"stale-registry",
         fmt::format("{} is stale: it differs from what `{}` generates now (first at line {}); run `{}` in the "
                     "repository root and commit the result",
                     check.file, generator, first_difference + 1, regenerate),
         check.file, static_cast<int>(first_difference + 1), 0, ""});
    outcome.details = short_unified_diff(*committed, fresh, check.file, generator);
    return outcome;
}

}  // namespace greenlight::hygiene
