// greenlight.yml `checks:` and `proof:` sections: the hygiene checks `greenlight check` runs and the rules
// `greenlight proof` applies. See docs/CHECK.md and docs/PROOF.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace greenlight::config {

enum class CheckType { links, placeholders, required_files, registry, protected_paths, command, secrets };
enum class CheckMode { blocking, advisory };
// Which files a check that can look at a change examines.
enum class CheckScope { all, changed };

// "links", "placeholders", "required-files", "registry", "protected-paths", "command", "secrets".
std::string_view to_string(CheckType type);

// One entry of `checks:`. Fields a type does not use stay empty; the loader rejects keys that do not
// belong to the check's type. Paths and globs are relative to the repository root (the config's folder).
struct CheckConfig {
    std::string name;
    CheckType type = CheckType::command;
    CheckMode mode = CheckMode::blocking;
    int line = 0;  // where the check is defined, for messages

    // links, placeholders, secrets, protected-paths: gitignore-style globs of the files examined
    // (links: default `**/*.md`; secrets: default every tracked file), minus `exclude`.
    std::vector<std::string> paths;
    std::vector<std::string> exclude;

    // placeholders: docs indexes or registries (Markdown, JSON, YAML) whose listed files are examined,
    // in addition to `paths`; `patterns` (RE2, case-insensitive) replace the default placeholder patterns.
    std::vector<std::string> indexes;
    std::vector<std::string> patterns;

    // required-files: a manifest file (YAML or JSON list, or a plain list, one path or glob per line)
    // and/or an inline list of paths and globs.
    std::string manifest;
    std::vector<std::string> files;

    // registry: the generated file, compared with what `command` writes (to stdout, or to `file` in the
    // temporary copy when `output: file`). command: the command itself, passing on exit code 0.
    std::string file;
    std::vector<std::string> command;  // argv; a string in the YAML becomes {"/bin/sh", "-c", string}
    enum class RegistryOutput { stdout_, file };
    RegistryOutput output = RegistryOutput::stdout_;
    std::chrono::milliseconds timeout{300'000};

    // secrets: all tracked files, or only the files changed between --from-ref and --to-ref; the baseline
    // file of accepted findings.
    CheckScope scope = CheckScope::all;
    std::string baseline;
};

// One classification criterion of `proof.criteria.strong` / `.weak`: a JSON Pointer into the evidence
// (`*` matches every array element or member) and a condition on the value found there.
struct ProofCriterion {
    std::string name;
    std::string path;
    enum class Condition { exists, equals, not_equals, at_least, at_most, matches };
    Condition condition = Condition::exists;
    std::string value_json;  // the comparand as JSON text (equals/not_equals), a number, or an RE2 pattern
    int line = 0;
};

struct ProofConfig {
    bool from_file = false;
    // Fields holding ids: JSON Pointers (with `*`) or bare member names matched at any depth.
    std::vector<std::string> id_fields;
    // hmac-sha256 (keyed by the environment variable `key_env`) or sha256 (unkeyed: allowed only when set
    // explicitly, since ticket ids are enumerable).
    enum class Fingerprint { hmac_sha256, sha256 };
    Fingerprint fingerprint = Fingerprint::hmac_sha256;
    std::string key_env = "GREENLIGHT_PROOF_KEY";
    int fingerprint_length = 12;  // hex characters
    // URL path templates whose `{name}` segments are replaced by `<redacted>` in every string value.
    std::vector<std::string> redact_paths;
    // Text that may not appear in the written proof after decoding (percent, HTML entities, full-width).
    std::vector<std::string> forbidden = {"@", "%40", "mail.", "%3C", "%3E"};
    bool scan_personal_data = true;  // emails, phone numbers, card numbers (Luhn)
    std::vector<ProofCriterion> strong;
    std::vector<ProofCriterion> weak;
    std::string classification_field = "classification";  // top-level member the verdict is written to
};

}  // namespace greenlight::config
