// The `secrets` check: picks the files (or, with scope `changed`, the added lines), scans them on two
// threads, turns matches into findings without their text, and applies the baseline of accepted findings.
#include "greenlight/hygiene/secrets.hpp"
#include "greenlight/util/parallel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_set>

#include "greenlight/hygiene/files.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/mapped_file.hpp"

namespace greenlight::hygiene {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_baseline_schema = "greenlight.secrets-baseline/v1";
constexpr std::size_t k_key_bytes = 32;
// A file with a NUL byte this early is binary (the test git and grep use).
constexpr std::size_t k_binary_probe_bytes = 8192;
// Files at least this big are mapped rather than read into a buffer.
constexpr std::size_t k_map_threshold = std::size_t{1} << 20;
constexpr unsigned k_scan_threads = 2;

// Accepted findings: path, rule, fingerprint. Line numbers are left out on purpose, so moving a line
// keeps its entry; the fingerprint covers the secret, so changing it drops the acceptance.
using BaselineEntry = std::tuple<std::string, std::string, std::string>;

struct Baseline {
    std::string key;  // raw bytes of the HMAC key
    std::set<BaselineEntry> entries;
};

// What to scan: a whole file, or only the lines a change added to it.
struct ScanTarget {
    std::string path;
    const diff::FileDiff* change = nullptr;
};

struct Hit {
    std::string_view rule;
    int line = 0;
    int column = 0;
    std::string hint;
    std::string fingerprint;  // empty when no baseline key was given
};

struct TargetResult {
    bool binary = false;
    std::uint64_t bytes = 0;
    std::vector<Hit> hits;
    std::optional<std::string> error;
};

std::string errno_text(int error_number) {
    return std::strerror(error_number);
}

// A whole file's bytes: mapped when big (no copy), read into the caller's reusable buffer when small
// (a mapping costs more than copying a few pages). Of a big binary file, only the first bytes that show
// it is binary.
class FileText {
public:
    FileText() = default;
    FileText(const FileText&) = delete;
    FileText& operator=(const FileText&) = delete;

    util::Status open(const fs::path& path, std::string& buffer) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return util::make_error(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
        util::Status status = load(fd, path, buffer);
        ::close(fd);
        return status;
    }
    std::string_view text() const { return m_text; }

private:
    util::Status load(int fd, const fs::path& path, std::string& buffer) {
        struct stat info {};
        if (::fstat(fd, &info) != 0) {
            return util::make_error(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
        }
        const auto size = static_cast<std::size_t>(info.st_size);
        if (size >= k_map_threshold) {
            // A big binary file (an image, an archive) is recognised from its first bytes, without
            // reading the rest.
            buffer.resize(k_binary_probe_bytes);
            const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), 0);
            if (got < 0) return util::make_error(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
            if (std::memchr(buffer.data(), '\0', static_cast<std::size_t>(got)) != nullptr) {
                m_text = std::string_view(buffer.data(), static_cast<std::size_t>(got));
                return {};
            }
            if (util::Result<util::MappedFile> mapped = util::MappedFile::map(fd, size, path)) {
                m_mapped.emplace(std::move(*mapped));
                m_text = m_mapped->text();
                return {};
            }
        }
        buffer.resize(size);
        std::size_t filled = 0;
        while (filled < size) {
            const ssize_t got = ::read(fd, buffer.data() + filled, size - filled);
            if (got < 0 && errno == EINTR) continue;
            if (got < 0) return util::make_error(fmt::format("cannot read {}: {}", path.string(), errno_text(errno)));
            if (got == 0) break;  // the file shrank while we read it
            filled += static_cast<std::size_t>(got);
        }
        m_text = std::string_view(buffer.data(), filled);
        return {};
    }

    std::optional<util::MappedFile> m_mapped;  // a big file's bytes, read where the kernel keeps them
    std::string_view m_text;
};

std::string describe(std::string_view rule, std::string_view hint) {
    if (rule == "private-key") {
        return fmt::format(
            "private key block found ({}): remove it and replace the key, since a committed key "
            "is compromised; if it is a test fixture, accept it in the check's baseline",
            hint);
    }
    if (rule == "generic-secret") {
        return fmt::format(
            "hard-coded secret found assigned to a password, secret, token or key ({}): read it from "
            "the environment or a secret store and rotate it; if it is not a secret, accept it in "
            "the check's baseline",
            hint);
    }
    if (rule == "email") {
        return fmt::format(
            "email address found ({}): personal data does not belong in the repository; remove "
            "it, or accept it in the check's baseline if it is a public contact",
            hint);
    }
    if (rule == "card-number") {
        return fmt::format(
            "card number found ({}, passes the Luhn check): remove it; if it is a published test "
            "number, accept it in the check's baseline",
            hint);
    }
    std::string_view name = rule;
    if (rule == "aws-access-key-id") name = "AWS access key id";
    if (rule == "github-token") name = "GitHub token";
    if (rule == "slack-token") name = "Slack token";
    if (rule == "stripe-key") name = "Stripe live key";
    if (rule == "google-api-key") name = "Google API key";
    if (rule == "jwt") name = "JSON Web Token";
    return fmt::format(
        "{} found ({}): remove it and revoke it, then read it from the environment or a secret "
        "store; if it is not a secret, accept it in the check's baseline",
        name, hint);
}

// The 1-based line and column of each match; `line_numbers` maps the lines of a text made of a change's
// added lines back to their numbers in the file.
void locate(std::string_view text, const std::vector<SecretMatch>& matches, std::string_view key,
            const std::vector<std::int64_t>* line_numbers, std::vector<Hit>& hits) {
    // Matches come in offset order: one walk forward finds every line, however long the lines are.
    std::size_t cursor = 0;
    std::size_t line_index = 0;  // 0-based line of `cursor`
    std::size_t line_start = 0;  // where that line starts
    for (const SecretMatch& match : matches) {
        const std::string_view skipped = text.substr(cursor, match.offset - cursor);
        line_index += static_cast<std::size_t>(std::count(skipped.begin(), skipped.end(), '\n'));
        if (const void* last_break = ::memrchr(skipped.data(), '\n', skipped.size())) {
            line_start = static_cast<std::size_t>(static_cast<const char*>(last_break) - text.data()) + 1;
        }
        cursor = match.offset;
        Hit hit;
        hit.rule = match.rule;
        hit.line = line_numbers ? static_cast<int>((*line_numbers)[line_index]) : static_cast<int>(line_index) + 1;
        hit.column = static_cast<int>(match.offset - line_start) + 1;
        hit.hint = match.hint;
        if (!key.empty()) hit.fingerprint = secret_fingerprint(key, text.substr(match.offset, match.length));
        hits.push_back(std::move(hit));
    }
}

TargetResult scan_target(const fs::path& root, const ScanTarget& target, std::string_view key, std::string& buffer) {
    TargetResult result;
    FileText file;
    std::string added_text;
    std::vector<std::int64_t> line_numbers;
    std::string_view text;
    if (target.change != nullptr) {
        if (target.change->binary) {
            result.binary = true;
            return result;
        }
        for (const diff::AddedLine& added : target.change->added) {
            added_text += added.text;
            added_text += '\n';
            line_numbers.push_back(added.number);
        }
        text = added_text;
    } else {
        if (util::Status opened = file.open(root / target.path, buffer); !opened) {
            result.error = opened.message();
            return result;
        }
        text = file.text();
    }
    if (std::memchr(text.data(), '\0', std::min(text.size(), k_binary_probe_bytes)) != nullptr) {
        result.binary = true;
        return result;
    }
    result.bytes = text.size();
    util::Result<std::vector<SecretMatch>> matches = find_secrets(text);
    if (!matches) {
        result.error = fmt::format("{}: {}", target.path, matches.message());
        return result;
    }
    locate(text, *matches, key, target.change ? &line_numbers : nullptr, result.hits);
    return result;
}

// Scans the targets on k_scan_threads threads; results come back in the targets' order.
std::vector<TargetResult> scan_targets(const fs::path& root, const std::vector<ScanTarget>& targets,
                                       std::string_view key) {
    std::vector<TargetResult> results(targets.size());
    util::for_each_index_in_parallel(targets.size(), k_scan_threads, [&](std::size_t index) {
        thread_local std::string buffer;  // one read buffer a thread, reused from file to file
        results[index] = scan_target(root, targets[index], key, buffer);
    });
    return results;
}

std::string baseline_relative_path(const config::CheckConfig& check) {
    return fs::path(check.baseline).lexically_normal().generic_string();
}

enum class Scope { all, changed };

util::Result<std::vector<ScanTarget>> select_targets(const config::CheckConfig& check, const CheckContext& context,
                                                     Scope scope) {
    std::vector<ScanTarget> targets;
    const std::string baseline = check.baseline.empty() ? std::string() : baseline_relative_path(check);
    if (scope == Scope::all) {
        for (std::string& path : select_files(context.files, check.paths, check.exclude)) {
            if (path != baseline) targets.push_back({std::move(path), nullptr});
        }
        return targets;
    }
    if (!context.change) {
        return util::make_error(fmt::format(
            "check `{}` has `scope: changed` but there is no change to look at: run it in a git work tree with "
            "history, pass --from-ref/--to-ref, or use `scope: all`",
            check.name));
    }
    std::vector<std::string> changed_paths;
    for (const diff::FileDiff& file : context.change->files) {
        if (file.change != diff::FileChange::deleted && !file.new_path.empty()) changed_paths.push_back(file.new_path);
    }
    const std::vector<std::string> selected = select_files(changed_paths, check.paths, check.exclude);
    const std::unordered_set<std::string> wanted(selected.begin(), selected.end());
    for (const diff::FileDiff& file : context.change->files) {
        if (file.change == diff::FileChange::deleted || !wanted.contains(file.new_path)) continue;
        if (file.new_path == baseline) continue;
        targets.push_back({file.new_path, &file});
    }
    std::sort(targets.begin(), targets.end(), [](const ScanTarget& a, const ScanTarget& b) { return a.path < b.path; });
    return targets;
}

bool is_lower_hex(std::string_view text, std::size_t length) {
    return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string to_hex(std::string_view bytes) {
    std::string hex;
    for (unsigned char byte : bytes) fmt::format_to(std::back_inserter(hex), "{:02x}", byte);
    return hex;
}

std::string from_hex(std::string_view hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return bytes;
}

util::Result<Baseline> parse_baseline(std::string_view text, const std::string& shown) {
    const auto fail = [&](std::string_view what) {
        return util::make_error(
            fmt::format("secrets baseline {}: {}; fix it, or delete it and write it again", shown, what));
    };
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& error) {
        return fail(fmt::format("not valid JSON (at byte {})", error.byte));
    }
    if (!document.is_object()) return fail("expected a JSON object, found " + std::string(document.type_name()));
    for (const auto& [member, value] : document.items()) {
        if (member != "schema" && member != "key" && member != "findings") {
            return fail(fmt::format("unknown member `{}` (expected schema, key, findings)", member));
        }
    }
    if (!document.contains("schema") || document["schema"] != k_baseline_schema) {
        return fail(fmt::format("expected \"schema\": \"{}\"", k_baseline_schema));
    }
    if (!document.contains("key") || !document["key"].is_string() ||
        !is_lower_hex(document["key"].get_ref<const std::string&>(), k_key_bytes * 2)) {
        return fail(fmt::format("expected \"key\": {} lowercase hex digits (the HMAC key of the fingerprints)",
                                k_key_bytes * 2));
    }
    if (!document.contains("findings") || !document["findings"].is_array()) {
        return fail("expected \"findings\": an array of {path, rule, fingerprint}");
    }
    Baseline baseline;
    baseline.key = from_hex(document["key"].get_ref<const std::string&>());
    const std::vector<std::string_view>& rules = secret_rule_ids();
    std::size_t index = 0;
    for (const nlohmann::json& entry : document["findings"]) {
        const std::string where = fmt::format("findings[{}]", index++);
        if (!entry.is_object() || entry.size() != 3 || !entry.contains("path") || !entry.contains("rule") ||
            !entry.contains("fingerprint") || !entry["path"].is_string() || !entry["rule"].is_string() ||
            !entry["fingerprint"].is_string()) {
            return fail(where + ": expected an object with exactly the strings path, rule and fingerprint");
        }
        const auto& rule = entry["rule"].get_ref<const std::string&>();
        if (std::find(rules.begin(), rules.end(), rule) == rules.end()) {
            return fail(fmt::format("{}: unknown rule `{}`", where, rule));
        }
        const auto& fingerprint = entry["fingerprint"].get_ref<const std::string&>();
        if (!is_lower_hex(fingerprint, 64)) {
            return fail(where + ": expected a fingerprint of 64 lowercase hex digits (HMAC-SHA256)");
        }
        baseline.entries.emplace(entry["path"].get<std::string>(), rule, fingerprint);
    }
    return baseline;
}

util::Result<Baseline> load_baseline(const fs::path& path, const std::string& shown) {
    std::error_code error;
    if (!fs::exists(path, error)) {
        return util::make_error(fmt::format(
            "secrets baseline {} does not exist: write it with `greenlight check --write-baseline`, or remove "
            "`baseline:` from the check",
            shown));
    }
    util::Result<std::string> text = util::read_file(path);
    if (!text) return util::make_error(fmt::format("secrets baseline {}: {}", shown, text.message()));
    return parse_baseline(*text, shown);
}

std::string render_baseline(const Baseline& baseline) {
    nlohmann::ordered_json document;
    document["schema"] = k_baseline_schema;
    document["key"] = to_hex(baseline.key);
    document["findings"] = nlohmann::ordered_json::array();
    for (const auto& [path, rule, fingerprint] : baseline.entries) {
        nlohmann::ordered_json entry;
        entry["path"] = path;
        entry["rule"] = rule;
        entry["fingerprint"] = fingerprint;
        document["findings"].push_back(std::move(entry));
    }
    return document.dump(2) + "\n";
}

}  // namespace

CheckOutcome run_secrets_check(const config::CheckConfig& check, const CheckContext& context) {
    CheckOutcome outcome;
    outcome.examined_unit = "files";
    std::optional<Baseline> baseline;
    if (!check.baseline.empty()) {
        util::Result<Baseline> loaded = load_baseline(context.root / check.baseline, check.baseline);
        if (!loaded) {
            outcome.error = loaded.message();
            return outcome;
        }
        baseline = std::move(*loaded);
    }
    util::Result<std::vector<ScanTarget>> targets =
        select_targets(check, context, check.scope == config::CheckScope::changed ? Scope::changed : Scope::all);
    if (!targets) {
        outcome.error = targets.message();
        return outcome;
    }
    if (targets->empty() && check.scope == config::CheckScope::changed) {
        outcome.change_touches_none = !select_files(context.files, check.paths, check.exclude).empty();
    }
    const std::vector<TargetResult> results =
        scan_targets(context.root, *targets, baseline ? std::string_view(baseline->key) : std::string_view());

    std::uint64_t bytes = 0;
    std::uint64_t binary_files = 0;
    std::uint64_t baselined = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const TargetResult& result = results[i];
        if (result.error) {
            outcome.error = *result.error;
            return outcome;
        }
        if (result.binary) {
            ++binary_files;
            continue;
        }
        ++outcome.examined;
        bytes += result.bytes;
        const std::string& path = (*targets)[i].path;
        for (const Hit& hit : result.hits) {
            if (baseline && baseline->entries.contains({path, std::string(hit.rule), hit.fingerprint})) {
                ++baselined;
                continue;
            }
            Finding finding;
            finding.rule = std::string(hit.rule);
            finding.message = describe(hit.rule, hit.hint);
            finding.path = path;
            finding.line = hit.line;
            finding.column = hit.column;
            outcome.findings.push_back(std::move(finding));
        }
    }
    outcome.counts = {{"bytes", bytes}, {"binary files skipped", binary_files}, {"baselined", baselined}};
    return outcome;
}

util::Result<std::size_t> write_secrets_baseline(const config::CheckConfig& check, const CheckContext& context,
                                                 const fs::path& baseline_path) {
    const fs::path path = baseline_path.is_absolute() ? baseline_path : context.root / baseline_path;
    const std::string shown = baseline_path.generic_string();
    Baseline baseline;
    std::error_code error;
    if (fs::exists(path, error)) {
        util::Result<Baseline> existing = load_baseline(path, shown);
        if (!existing) return existing.error();
        baseline.key = std::move(existing->key);
    } else {
        baseline.key.resize(k_key_bytes);
        if (RAND_bytes(reinterpret_cast<unsigned char*>(baseline.key.data()), static_cast<int>(k_key_bytes)) != 1) {
            return util::make_error(fmt::format("secrets baseline {}: cannot generate a random key", shown));
        }
    }
    // The baseline never scans itself, wherever the caller puts it.
    config::CheckConfig scanned = check;
    const fs::path relative = path.lexically_normal().lexically_relative(context.root.lexically_normal());
    scanned.baseline = relative.empty() ? std::string() : relative.generic_string();
    util::Result<std::vector<ScanTarget>> targets = select_targets(scanned, context, Scope::all);
    if (!targets) return targets.error();
    const std::vector<TargetResult> results = scan_targets(context.root, *targets, baseline.key);
    for (std::size_t i = 0; i < results.size(); ++i) {
        if (results[i].error) return util::make_error(*results[i].error);
        for (const Hit& hit : results[i].hits) {
            baseline.entries.emplace((*targets)[i].path, std::string(hit.rule), hit.fingerprint);
        }
    }
    if (!path.parent_path().empty()) {
        if (util::Status folder = util::make_directories(path.parent_path()); !folder) return folder.error();
    }
    if (util::Status written = util::write_file_atomic(path, render_baseline(baseline)); !written) {
        return written.error();
    }
    return baseline.entries.size();
}

}  // namespace greenlight::hygiene
