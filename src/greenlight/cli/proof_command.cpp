// `greenlight proof`: load the rules, read the evidence, make the proof, write it only if the scan let it
// through, report the classification.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "greenlight/cli/commands.hpp"
#include "greenlight/proof/proof.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

struct ProofOptions {
    std::string input;
    std::string output;
    std::string config_file = "greenlight.yml";
    std::string require = "weak";
    bool json = false;
};

// The `proof:` rules: from the config file when there is one, else the defaults (nothing fingerprinted,
// the scan still runs). Empty when an explicitly named config is missing or has errors.
std::optional<config::ProofConfig> load_rules(const ProofOptions& options) {
    auto config = load_optional_config(options.config_file, options.config_file != k_default_config_file);
    if (!config) return std::nullopt;
    return config->proof;
}

std::string summary_line(const proof::ProofOutcome& outcome) {
    auto held = [](const std::vector<proof::CriterionResult>& results) {
        size_t count = 0;
        for (const auto& result : results) count += result.held ? 1 : 0;
        return fmt::format("{}/{}", count, results.size());
    };
    return fmt::format(
        "{} (strong {} held, weak {} held); {} id{} fingerprinted, {} raw id{} in text replaced, "
        "{} path segment{} redacted",
        outcome.classification, held(outcome.strong), held(outcome.weak), outcome.fingerprinted,
        outcome.fingerprinted == 1 ? "" : "s", outcome.ids_in_text, outcome.ids_in_text == 1 ? "" : "s",
        outcome.redacted, outcome.redacted == 1 ? "" : "s");
}

nlohmann::ordered_json outcome_json(const proof::ProofOutcome& outcome, const ProofOptions& options, bool written) {
    auto criteria = [](const std::vector<proof::CriterionResult>& results) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (const auto& result : results) list.push_back({{"name", result.name}, {"held", result.held}});
        return list;
    };
    nlohmann::ordered_json refusals = nlohmann::ordered_json::array();
    for (const auto& refusal : outcome.refusals) {
        refusals.push_back(
            {{"path", refusal.path}, {"member_name", refusal.in_member_name}, {"reason", refusal.reason}});
    }
    return {{"verdict", outcome.refused() ? "REFUSED" : outcome.classification},
            {"written", written},
            {"out", options.output},
            {"strong", criteria(outcome.strong)},
            {"weak", criteria(outcome.weak)},
            {"fingerprinted", outcome.fingerprinted},
            {"ids_in_text", outcome.ids_in_text},
            {"redacted", outcome.redacted},
            {"refusals", refusals}};
}

ExitCode run_proof(const ProofOptions& options) {
    auto rules = load_rules(options);
    if (!rules) return ExitCode::usage;
    auto evidence = util::read_file(options.input);
    if (!evidence) {
        print_error(evidence.message());
        return ExitCode::usage;
    }
    const char* key = std::getenv(rules->key_env.c_str());
    auto made = proof::make_proof(*evidence, *rules, key ? key : "", options.input);
    if (!made) {
        print_error(made.message());
        return ExitCode::usage;
    }
    const proof::ProofOutcome& outcome = *made;
    if (outcome.refused()) {
        for (const auto& refusal : outcome.refusals) {
            print_error(fmt::format("{}: refused: {}", options.input, refusal.to_string()));
        }
        print_error(
            fmt::format("{}: the proof would carry what it may not (listed above); nothing was written to {}. "
                        "Add the field to `proof.ids` or `proof.redact_paths`, or remove it from the evidence",
                        options.input, options.output));
        if (options.json) std::cout << outcome_json(outcome, options, false).dump(2) << "\n";
        return ExitCode::red;
    }
    if (auto written = util::write_file_atomic(options.output, outcome.text); !written) {
        print_error(fmt::format("could not write the proof: {}", written.message()));
        return ExitCode::infrastructure;
    }
    if (options.json) {
        std::cout << outcome_json(outcome, options, true).dump(2) << "\n";
    } else {
        std::cout << "proof: " << summary_line(outcome) << "\n";
        std::cout << "wrote " << options.output << "\n";
    }
    const bool green = outcome.classification == proof::k_pass_strong ||
                       (outcome.classification == proof::k_pass_weak && options.require == "weak");
    return green ? ExitCode::green : ExitCode::red;
}

}  // namespace

void add_proof_command(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<ProofOptions>();
    CLI::App* command =
        app.add_subcommand("proof", "Turn end-to-end evidence JSON into a proof that carries no personal data");
    command->footer(
        "Applies the `proof:` rules of greenlight.yml (docs/PROOF.md): id fields become fingerprints (HMAC-SHA256\n"
        "under the key in $GREENLIGHT_PROOF_KEY, or the variable `key_env` names), raw ids in other strings too;\n"
        "URL paths matching `redact_paths` templates get <redacted> segments. The result is scanned after\n"
        "percent, HTML-entity and full-width decoding for forbidden markers (@, %40, mail., %3C, %3E) and\n"
        "personal data (emails, phone numbers, card numbers); on any hit nothing is written and the error names\n"
        "the JSON path, never the value. The classification (PASS_STRONG, PASS_WEAK, FAIL by the `strong` and\n"
        "`weak` criteria) is written into the proof and printed. Without a config: nothing is fingerprinted,\n"
        "the scan still runs, and the verdict is FAIL (no criteria).\n"
        "Exit: 0 PASS_STRONG or PASS_WEAK (with --require strong only PASS_STRONG), 1 FAIL or refused,\n"
        "2 bad input, config or missing key, 3 could not write the proof.");
    command->add_option("--in", options->input, "The evidence JSON")->type_name("FILE")->required();
    command->add_option("--out", options->output, "Where to write the proof (atomically; untouched on refusal)")
        ->type_name("FILE")
        ->required();
    command->add_option("-c,--config", options->config_file, "Config file with a `proof:` section")
        ->type_name("FILE")
        ->capture_default_str();
    command->add_option("--require", options->require, "The weakest classification that exits 0")
        ->check(CLI::IsMember({"weak", "strong"}))
        ->capture_default_str();
    command->add_flag("--json", options->json, "Print the outcome as JSON");
    command->callback([options, &exit_code] { exit_code = run_proof(*options); });
}

}  // namespace greenlight::cli
