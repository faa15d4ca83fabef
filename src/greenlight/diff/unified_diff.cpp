// The parser follows what `git apply` and GNU patch accept: hunk bodies are delimited by the counts in their
// headers, never by what a line looks like, because a removed line may well read "--- a/x". Text outside files
// and between them (commit messages of `git log -p`, `git format-patch` mail headers and signatures, `Only in`
// lines of `diff -r`) is skipped; inside a hunk, anything that is not a hunk line is an error.
#include "greenlight/diff/unified_diff.hpp"

#include <limits>
#include <optional>
#include <utility>

namespace greenlight::diff {

std::string_view to_string(FileChange change) {
    switch (change) {
        case FileChange::added:
            return "added";
        case FileChange::modified:
            return "modified";
        case FileChange::deleted:
            return "deleted";
        case FileChange::renamed:
            return "renamed";
        case FileChange::copied:
            return "copied";
    }
    return "modified";
}

namespace {

constexpr std::string_view k_null_path = "/dev/null";
// No real file has more lines than this; refusing larger counts keeps line arithmetic far from overflow.
constexpr std::int64_t k_max_line_number = std::int64_t{1} << 48;

// Hands out the lines of the text one at a time, without copying them; a CR before the LF is dropped so
// that a diff saved with CRLF endings parses like the original.
class LineCursor {
public:
    explicit LineCursor(std::string_view text) : m_text(text) {}

    bool at_end() const { return m_position >= m_text.size(); }

    std::string_view next() {
        const std::string_view line = line_at(m_position, m_position);
        ++m_line_number;
        return line;
    }

    std::string_view peek() const {
        size_t ignored = m_position;
        return line_at(m_position, ignored);
    }

    // The 1-based number of the line next() returned last.
    int line_number() const { return m_line_number; }

private:
    std::string_view line_at(size_t start, size_t& following) const {
        if (start >= m_text.size()) {
            following = m_text.size();
            return {};
        }
        size_t end = m_text.find('\n', start);
        if (end == std::string_view::npos) {
            end = m_text.size();
            following = end;
        } else {
            following = end + 1;
        }
        std::string_view line = m_text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return line;
    }

    std::string_view m_text;
    size_t m_position = 0;
    int m_line_number = 0;
};

// Undoes git's C-style quoting of a path ("a/t\303\251st.txt"): `quoted` starts at the opening quote.
// On success `length` is the number of characters the quoted form took, closing quote included.
std::optional<std::string> unquote_c_style(std::string_view quoted, size_t& length) {
    if (quoted.empty() || quoted.front() != '"') return std::nullopt;
    std::string result;
    size_t index = 1;
    while (index < quoted.size()) {
        const char c = quoted[index];
        if (c == '"') {
            length = index + 1;
            return result;
        }
        if (c != '\\') {
            result.push_back(c);
            ++index;
            continue;
        }
        if (++index >= quoted.size()) return std::nullopt;
        const char escaped = quoted[index];
        if (escaped >= '0' && escaped <= '3') {
            // Octal byte: exactly three digits, as git writes them.
            if (index + 2 >= quoted.size()) return std::nullopt;
            int value = 0;
            for (size_t digit = 0; digit < 3; ++digit) {
                const char octal = quoted[index + digit];
                if (octal < '0' || octal > '7') return std::nullopt;
                value = value * 8 + (octal - '0');
            }
            result.push_back(static_cast<char>(value));
            index += 3;
            continue;
        }
        switch (escaped) {
            case 'a':
                result.push_back('\a');
                break;
            case 'b':
                result.push_back('\b');
                break;
            case 't':
                result.push_back('\t');
                break;
            case 'n':
                result.push_back('\n');
                break;
            case 'v':
                result.push_back('\v');
                break;
            case 'f':
                result.push_back('\f');
                break;
            case 'r':
                result.push_back('\r');
                break;
            case '"':
                result.push_back('"');
                break;
            case '\\':
                result.push_back('\\');
                break;
            default:
                return std::nullopt;
        }
        ++index;
    }
    return std::nullopt;
}

// A path as it appears on its own (`rename from X`, `--- X`): quoted or literal.
std::optional<std::string> read_path(std::string_view text) {
    if (!text.empty() && text.front() == '"') {
        size_t length = 0;
        std::optional<std::string> path = unquote_c_style(text, length);
        if (!path || length != text.size()) return std::nullopt;
        return path;
    }
    if (text.empty()) return std::nullopt;
    return std::string(text);
}

// The path of a `---`/`+++` line: git ends a name that has a space with a tab, and diff -u puts the file's
// time stamp after a tab, so the name ends at the first tab.
std::optional<std::string> read_file_line_path(std::string_view rest) {
    if (!rest.empty() && rest.front() == '"') {
        size_t length = 0;
        std::optional<std::string> path = unquote_c_style(rest, length);
        if (!path) return std::nullopt;
        const std::string_view after = rest.substr(length);
        if (!after.empty() && after.front() != '\t' && after.front() != ' ') return std::nullopt;
        return path;
    }
    const size_t tab = rest.find('\t');
    if (tab != std::string_view::npos) rest = rest.substr(0, tab);
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    if (rest.empty()) return std::nullopt;
    return std::string(rest);
}

std::string_view without_first_component(std::string_view path) {
    const size_t slash = path.find('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
}

// The two names of `diff --git A B`. Unquoted names may hold spaces, so without a rename (the only case where
// the names matter) the line is split where both halves name the same file.
std::optional<std::pair<std::string, std::string>> split_git_header_names(std::string_view rest) {
    if (!rest.empty() && rest.front() == '"') {
        size_t length = 0;
        std::optional<std::string> first = unquote_c_style(rest, length);
        if (!first || length >= rest.size() || rest[length] != ' ') return std::nullopt;
        std::optional<std::string> second = read_path(rest.substr(length + 1));
        if (!second) return std::nullopt;
        return std::make_pair(std::move(*first), std::move(*second));
    }
    if (!rest.empty() && rest.back() == '"') {
        // An unquoted name cannot hold a quote, so the first ` "` starts the second name.
        const size_t split = rest.find(" \"");
        if (split == std::string_view::npos) return std::nullopt;
        std::optional<std::string> second = read_path(rest.substr(split + 1));
        if (!second || split == 0) return std::nullopt;
        return std::make_pair(std::string(rest.substr(0, split)), std::move(*second));
    }
    if (rest.size() % 2 == 0) return std::nullopt;
    const size_t middle = rest.size() / 2;
    if (rest[middle] != ' ') return std::nullopt;
    const std::string_view left = rest.substr(0, middle);
    const std::string_view right = rest.substr(middle + 1);
    if (left != right && without_first_component(left) != without_first_component(right)) return std::nullopt;
    return std::make_pair(std::string(left), std::string(right));
}

// A decimal number no larger than k_max_line_number; advances `text` past it.
std::optional<std::int64_t> read_number(std::string_view& text) {
    size_t digits = 0;
    std::int64_t value = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        value = value * 10 + (text[digits] - '0');
        if (value > k_max_line_number) return std::nullopt;
        ++digits;
    }
    if (digits == 0) return std::nullopt;
    text.remove_prefix(digits);
    return value;
}

struct HunkRange {
    std::int64_t start = 0;
    std::int64_t count = 1;  // an omitted count means one line
};

std::optional<HunkRange> read_range(std::string_view& text, char sign) {
    if (text.empty() || text.front() != sign) return std::nullopt;
    text.remove_prefix(1);
    HunkRange range;
    std::optional<std::int64_t> start = read_number(text);
    if (!start) return std::nullopt;
    range.start = *start;
    if (!text.empty() && text.front() == ',') {
        text.remove_prefix(1);
        std::optional<std::int64_t> count = read_number(text);
        if (!count) return std::nullopt;
        range.count = *count;
    }
    // A range of lines starts at line 1; only an empty range may sit at 0 (before the first line).
    if (range.count > 0 && range.start == 0) return std::nullopt;
    return range;
}

// `@@ -A[,B] +C[,D] @@[ section heading]`
std::optional<std::pair<HunkRange, HunkRange>> read_hunk_header(std::string_view line) {
    if (!line.starts_with("@@ ")) return std::nullopt;
    line.remove_prefix(3);
    std::optional<HunkRange> old_range = read_range(line, '-');
    if (!old_range || !line.starts_with(' ')) return std::nullopt;
    line.remove_prefix(1);
    std::optional<HunkRange> new_range = read_range(line, '+');
    if (!new_range || !line.starts_with(" @@")) return std::nullopt;
    return std::make_pair(*old_range, *new_range);
}

std::string shown(std::string_view line) {
    constexpr size_t k_shown_limit = 60;
    std::string text = "\"";
    for (char c : line.substr(0, k_shown_limit)) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') {
            constexpr char k_hex[] = "0123456789abcdef";
            text += "\\x";
            text.push_back(k_hex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
            text.push_back(k_hex[static_cast<unsigned char>(c) & 0xf]);
        } else {
            text.push_back(c);
        }
    }
    text += line.size() > k_shown_limit ? "...\"" : "\"";
    return text;
}

// What one file section said about itself, before the paths are settled.
struct FileSection {
    enum class Kind { git, plain };
    Kind kind = Kind::git;
    int first_line = 0;
    bool header_open = true;      // git extended header lines are still allowed
    bool has_file_lines = false;  // `---`/`+++` seen: hunks may follow
    std::optional<std::pair<std::string, std::string>> header_names;
    std::optional<std::string> minus_path;  // from `---`, with its prefix
    std::optional<std::string> plus_path;   // from `+++`
    std::optional<std::string> rename_from, rename_to, copy_from, copy_to;
    bool new_file = false;
    bool deleted_file = false;
    FileDiff file;
};

class Parser {
public:
    explicit Parser(std::string_view text) : m_lines(text) {}

    DiffParseOutcome parse() {
        while (!m_lines.at_end()) {
            const std::string_view line = m_lines.next();
            if (std::optional<DiffParseError> error = parse_line(line)) return std::move(*error);
        }
        if (std::optional<DiffParseError> error = finish_section()) return std::move(*error);
        return std::move(m_diff);
    }

private:
    DiffParseError error_here(std::string message) const { return {m_lines.line_number(), std::move(message)}; }

    std::optional<DiffParseError> parse_line(std::string_view line) {
        if (m_last_hunk_line != 0) {
            if (std::optional<DiffParseError> error = check_hunk_end(line)) return error;
        }
        if (line.starts_with("diff --git ")) {
            if (std::optional<DiffParseError> error = finish_section()) return error;
            m_section.emplace();
            m_section->kind = FileSection::Kind::git;
            m_section->first_line = m_lines.line_number();
            m_section->header_names = split_git_header_names(line.substr(11));
            return std::nullopt;
        }
        if (line.starts_with("diff --cc ") || line.starts_with("diff --combined ") || line.starts_with("@@@ ")) {
            return error_here(
                "combined diffs of merge commits (diff --cc) are not supported: diff the merge "
                "against one parent instead");
        }
        if (line.starts_with("--- ")) return parse_file_lines(line);
        if (line.starts_with("+++ ")) {
            return error_here("found a '+++' line without the '---' line that must come before it: " + shown(line));
        }
        if (line.starts_with("@@")) {
            if (!m_section || !m_section->has_file_lines) {
                if (m_section && m_section->kind == FileSection::Kind::git) {
                    return error_here("found a hunk in a git file section that has no '---'/'+++' lines");
                }
                return error_here("found a hunk header before any '---'/'+++' file header: " + shown(line));
            }
            m_section->header_open = false;
            return parse_hunk(line);
        }
        if (m_section && m_section->kind == FileSection::Kind::git && m_section->header_open) {
            return parse_git_header_line(line);
        }
        if (line.starts_with("Binary files ") && line.ends_with(" differ")) return parse_plain_binary(line);
        // Anything else lies between files: commit messages, mail headers, `Only in` lines, signatures.
        return std::nullopt;
    }

    // A line right after a complete hunk that still reads as a hunk line means the header counted too few:
    // the `-- ` signature of `git format-patch` and the next `--- ` file header are the exceptions.
    std::optional<DiffParseError> check_hunk_end(std::string_view line) {
        if (line.starts_with('\\')) return std::nullopt;  // `\ No newline at end of file` of the last line
        const int header_line = m_last_hunk_line;
        m_last_hunk_line = 0;
        const bool hunk_like = line.starts_with('+') || line.starts_with(' ') ||
                               (line.starts_with('-') && line != "-- " && !line.starts_with("--- "));
        if (!hunk_like || line.starts_with("+++ ")) return std::nullopt;
        return error_here("the hunk at line " + std::to_string(header_line) +
                          " runs long: its header counts fewer lines than follow it, found " + shown(line));
    }

    std::optional<DiffParseError> parse_git_header_line(std::string_view line) {
        FileSection& section = *m_section;
        auto path_after = [&](std::string_view prefix,
                              std::optional<std::string>& target) -> std::optional<DiffParseError> {
            target = read_path(line.substr(prefix.size()));
            if (!target) return error_here("expected a path after '" + std::string(prefix) + "', found " + shown(line));
            return std::nullopt;
        };
        if (line.starts_with("new file mode ")) {
            section.new_file = true;
        } else if (line.starts_with("deleted file mode ")) {
            section.deleted_file = true;
        } else if (line.starts_with("rename from ")) {
            return path_after("rename from ", section.rename_from);
        } else if (line.starts_with("rename to ")) {
            return path_after("rename to ", section.rename_to);
        } else if (line.starts_with("copy from ")) {
            return path_after("copy from ", section.copy_from);
        } else if (line.starts_with("copy to ")) {
            return path_after("copy to ", section.copy_to);
        } else if (line.starts_with("similarity index ")) {
            std::string_view rest = line.substr(17);
            std::optional<std::int64_t> percent = read_number(rest);
            if (!percent || rest != "%" || *percent > 100) {
                return error_here("expected 'similarity index N%' with N from 0 to 100, found " + shown(line));
            }
            section.file.similarity = static_cast<int>(*percent);
        } else if (line.starts_with("Binary files ") || line == "GIT binary patch") {
            section.file.binary = true;
            section.header_open = false;
            if (line == "GIT binary patch") skip_binary_patch();
        }
        // `index`, `old mode`, `new mode`, `dissimilarity index` and header lines of later git versions
        // say nothing about paths or lines.
        return std::nullopt;
    }

    // The base85 lines of a binary patch never contain a space, so the next `diff --git` line ends them.
    void skip_binary_patch() {
        while (!m_lines.at_end() && !m_lines.peek().starts_with("diff --git ")) m_lines.next();
    }

    std::optional<DiffParseError> parse_file_lines(std::string_view minus_line) {
        const bool in_git_header = m_section && m_section->kind == FileSection::Kind::git && m_section->header_open &&
                                   !m_section->has_file_lines;
        if (m_lines.at_end() || !m_lines.peek().starts_with("+++ ")) {
            if (!in_git_header) return std::nullopt;  // a `--- ` line in a commit message, say
            const int minus_number = m_lines.line_number();
            const std::string found = m_lines.at_end() ? std::string("the end of the diff") : shown(m_lines.peek());
            m_lines.next();
            return error_here("expected a '+++' line after the '---' line " + std::to_string(minus_number) +
                              ", found " + found);
        }
        std::optional<std::string> minus_path = read_file_line_path(minus_line.substr(4));
        if (!minus_path) return error_here("expected a path after '---', found " + shown(minus_line));
        const std::string_view plus_line = m_lines.next();
        std::optional<std::string> plus_path = read_file_line_path(plus_line.substr(4));
        if (!plus_path) return error_here("expected a path after '+++', found " + shown(plus_line));
        if (!in_git_header) {
            if (std::optional<DiffParseError> error = finish_section()) return error;
            m_section.emplace();
            m_section->kind = FileSection::Kind::plain;
            m_section->first_line = m_lines.line_number() - 1;
        }
        m_section->minus_path = std::move(minus_path);
        m_section->plus_path = std::move(plus_path);
        m_section->has_file_lines = true;
        m_section->header_open = false;
        return std::nullopt;
    }

    // `Binary files X and Y differ` of `diff -r`, which has no other header for such a file.
    std::optional<DiffParseError> parse_plain_binary(std::string_view line) {
        std::string_view names = line.substr(13, line.size() - 13 - 7);
        constexpr std::string_view k_and = " and ";
        size_t split = std::string_view::npos;
        if (names.size() > k_and.size() && (names.size() - k_and.size()) % 2 == 0 &&
            names.substr((names.size() - k_and.size()) / 2, k_and.size()) == k_and) {
            split = (names.size() - k_and.size()) / 2;
        } else {
            split = names.find(k_and);
        }
        if (split == std::string_view::npos || split == 0) return std::nullopt;
        if (std::optional<DiffParseError> error = finish_section()) return error;
        m_section.emplace();
        m_section->kind = FileSection::Kind::plain;
        m_section->first_line = m_lines.line_number();
        m_section->minus_path = std::string(names.substr(0, split));
        m_section->plus_path = std::string(names.substr(split + k_and.size()));
        m_section->header_open = false;
        m_section->file.binary = true;
        return std::nullopt;
    }

    std::optional<DiffParseError> parse_hunk(std::string_view header) {
        const int header_line = m_lines.line_number();
        std::optional<std::pair<HunkRange, HunkRange>> ranges = read_hunk_header(header);
        if (!ranges) {
            return error_here("expected a hunk header '@@ -START[,COUNT] +START[,COUNT] @@', found " + shown(header));
        }
        std::int64_t old_left = ranges->first.count;
        std::int64_t new_left = ranges->second.count;
        std::int64_t old_number = ranges->first.start;
        std::int64_t new_number = ranges->second.start;
        FileDiff& file = m_section->file;
        auto ended_early = [&](std::string found) {
            return error_here("the hunk at line " + std::to_string(header_line) + " ends early: its header promises " +
                              std::to_string(old_left) + " more old and " + std::to_string(new_left) +
                              " more new lines, found " + found);
        };
        while (old_left > 0 || new_left > 0) {
            if (m_lines.at_end()) {
                m_lines.next();
                return ended_early("the end of the diff");
            }
            const std::string_view line = m_lines.next();
            const char kind = line.empty() ? ' ' : line.front();
            switch (kind) {
                case ' ':
                    if (old_left == 0 || new_left == 0) return ended_early("a context line " + shown(line));
                    --old_left;
                    --new_left;
                    ++old_number;
                    ++new_number;
                    break;
                case '+':
                    if (new_left == 0) return ended_early("an added line " + shown(line));
                    file.added.push_back(AddedLine{new_number, std::string(line.substr(1))});
                    --new_left;
                    ++new_number;
                    break;
                case '-':
                    if (old_left == 0) return ended_early("a removed line " + shown(line));
                    file.removed_lines.push_back(old_number);
                    --old_left;
                    ++old_number;
                    break;
                case '\\':
                    break;  // `\ No newline at end of file` belongs to the line before it
                default:
                    if (line.starts_with("diff ") || line.starts_with("@@") || line.starts_with("--- ")) {
                        return ended_early(shown(line));
                    }
                    return error_here("expected a hunk line starting with ' ', '+', '-' or '\\' (the hunk at line " +
                                      std::to_string(header_line) + " has " + std::to_string(old_left) + " old and " +
                                      std::to_string(new_left) + " new lines to go), found " + shown(line));
            }
        }
        m_last_hunk_line = header_line;
        return std::nullopt;
    }

    // Settles the paths and the kind of change of the open section and adds it to the diff.
    std::optional<DiffParseError> finish_section() {
        if (!m_section) return std::nullopt;
        FileSection section = std::move(*m_section);
        m_section.reset();
        FileDiff& file = section.file;
        const DiffParseError unknown_paths{section.first_line,
                                           "cannot tell which files this section is about: its header names "
                                           "neither the same file twice nor a rename, and no '---'/'+++' lines follow"};
        const bool minus_null = section.minus_path == k_null_path;
        const bool plus_null = section.plus_path == k_null_path;
        if (section.kind == FileSection::Kind::plain) {
            std::string old_path = minus_null ? std::string() : *section.minus_path;
            std::string new_path = plus_null ? std::string() : *section.plus_path;
            // `a/` and `b/` prefixes (Mercurial, `diff -ru a b`) go when every named side carries its own.
            const bool prefixed = (old_path.empty() || old_path.starts_with("a/")) &&
                                  (new_path.empty() || new_path.starts_with("b/")) &&
                                  !(old_path.empty() && new_path.empty());
            if (prefixed) {
                if (!old_path.empty()) old_path.erase(0, 2);
                if (!new_path.empty()) new_path.erase(0, 2);
            }
            file.old_path = std::move(old_path);
            file.new_path = std::move(new_path);
            if (file.old_path.empty() && file.new_path.empty()) {
                return DiffParseError{section.first_line, "both sides of this file are /dev/null"};
            }
            file.change = file.old_path.empty()   ? FileChange::added
                          : file.new_path.empty() ? FileChange::deleted
                                                  : FileChange::modified;
            m_diff.files.push_back(std::move(file));
            return std::nullopt;
        }

        // git: `rename/copy from/to` are exact; else both header names name the same file.
        std::string old_path;
        std::string new_path;
        bool prefixed = false;
        if (section.header_names) {
            const auto& [left, right] = *section.header_names;
            prefixed = left != right;
            old_path = prefixed ? std::string(without_first_component(left)) : left;
            new_path = prefixed ? std::string(without_first_component(right)) : right;
        } else {
            prefixed = true;
        }
        auto from_file_line = [&](const std::optional<std::string>& path, std::string& target) {
            if (!path || *path == k_null_path) return;
            target = prefixed ? std::string(without_first_component(*path)) : *path;
        };
        if (!section.header_names) {
            from_file_line(section.minus_path, old_path);
            from_file_line(section.plus_path, new_path);
        }
        if (section.rename_from || section.rename_to) {
            if (!section.rename_from || !section.rename_to) {
                return DiffParseError{section.first_line, "a rename needs both 'rename from' and 'rename to'"};
            }
            old_path = *section.rename_from;
            new_path = *section.rename_to;
            file.change = FileChange::renamed;
        } else if (section.copy_from || section.copy_to) {
            if (!section.copy_from || !section.copy_to) {
                return DiffParseError{section.first_line, "a copy needs both 'copy from' and 'copy to'"};
            }
            old_path = *section.copy_from;
            new_path = *section.copy_to;
            file.change = FileChange::copied;
        } else if (section.new_file || minus_null) {
            old_path.clear();
            file.change = FileChange::added;
        } else if (section.deleted_file || plus_null) {
            new_path.clear();
            file.change = FileChange::deleted;
        }
        if (file.change != FileChange::added && old_path.empty()) return unknown_paths;
        if (file.change != FileChange::deleted && new_path.empty()) return unknown_paths;
        file.old_path = std::move(old_path);
        file.new_path = std::move(new_path);
        m_diff.files.push_back(std::move(file));
        return std::nullopt;
    }

    LineCursor m_lines;
    std::optional<FileSection> m_section;
    Diff m_diff;
    int m_last_hunk_line = 0;  // the header line of a hunk that just ended; 0 when the last line was no hunk's
};

}  // namespace

DiffParseOutcome parse_unified_diff(std::string_view text) {
    return Parser(text).parse();
}

}  // namespace greenlight::diff
