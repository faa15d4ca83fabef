// `greenlight verify`, `pack`, `merge` and `manifest`: the bundle's own commands.
#include <fmt/format.h>

#include <iostream>

#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/bundle/verify.hpp"
#include "greenlight/cli/commands.hpp"
#include "greenlight/runner/merge.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;

namespace {

bool require_existing(const fs::path& path) {
    std::error_code error;
    if (fs::exists(path, error)) return true;
    print_error(fmt::format("{} does not exist", path.string()));
    return false;
}

}  // namespace

void add_verify_command(CLI::App& app, ExitCode& exit_code) {
    struct Options {
        std::string path;
        int jobs = 2;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand("verify", "Check a bundle (folder or .tar.gz) against its manifest");
    command->footer(
        "Lists missing, extra (unlisted) and modified files, and rejects entries that are absolute,\n"
        "contain `..`, or are links leaving the bundle. Exit 0 when complete and unchanged, 1 otherwise.");
    command->add_option("path", options->path, "Bundle folder or .tar.gz")->type_name("PATH")->required();
    command->add_option("-j,--jobs", options->jobs, "Files hashed in parallel")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    command->callback([options, &exit_code] {
        if (!require_existing(options->path)) {
            exit_code = ExitCode::usage;
            return;
        }
        bundle::VerifyReport report = bundle::verify_bundle(options->path, options->jobs);
        std::cout << bundle::format_verify_report(report, options->path);
        exit_code = report.ok() ? ExitCode::green : ExitCode::red;
    });
}

void add_pack_command(CLI::App& app, ExitCode& exit_code) {
    struct Options {
        std::string dir;
        std::string output;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand("pack", "Write a deterministic .tar.gz of a bundle");
    command->footer(
        "Sorted entries, fixed mtimes (SOURCE_DATE_EPOCH or 0), owners and modes: the same bundle\n"
        "gives the same bytes. The bundle is verified before it is packed.");
    command->add_option("dir", options->dir, "Bundle folder")->type_name("DIR")->required();
    command->add_option("-o,--output", options->output, "Archive to write (default: <dir>.tar.gz)")->type_name("FILE");
    command->callback([options, &exit_code] {
        if (!require_existing(options->dir)) {
            exit_code = ExitCode::usage;
            return;
        }
        fs::path dir = fs::path(options->dir).lexically_normal();
        if (dir.filename().empty()) dir = dir.parent_path();
        fs::path output = options->output.empty() ? fs::path(dir.string() + ".tar.gz") : fs::path(options->output);
        bundle::VerifyReport report = bundle::verify_bundle(dir, 2);
        if (!report.ok()) {
            std::cout << bundle::format_verify_report(report, dir);
            print_error(fmt::format("{} does not verify; refusing to pack a bundle that is not whole", dir.string()));
            exit_code = ExitCode::red;
            return;
        }
        if (auto packed = bundle::pack_bundle(dir, output); !packed) {
            print_error(packed.message());
            exit_code = ExitCode::infrastructure;
            return;
        }
        std::cout << fmt::format("packed {} files into {}\n", report.files_checked, output.string());
        exit_code = ExitCode::green;
    });
}

void add_merge_command(CLI::App& app, ExitCode& exit_code) {
    struct Options {
        std::vector<std::string> inputs;
        std::string output;
        int jobs = 2;
        bool allow_partial = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand("merge", "Join the shard bundles of one run into one bundle");
    command->footer(
        "Each input (folder or .tar.gz) must verify against its manifest. The inputs must be distinct shards of\n"
        "one run (`run --shard I/N`): same project, run id, tier and shard count, each shard once, no suite twice;\n"
        "an unsharded bundle merges with nothing but itself alone. The merged run is judged again by the run's\n"
        "verdict rule. A shard none of the inputs brings makes it red (verdict error, naming the missing shards);\n"
        "--allow-partial writes it as status incomplete with the verdict of the shards present instead. Either way\n"
        "a run that lacks a shard is never green.\n"
        "Exit: 0 merged run green, 1 red or incomplete (or an input does not verify), 2 inputs refused (not shards\n"
        "of one run, duplicate shard, output folder not empty), 3 the merged bundle could not be written.");
    command->add_option("bundles", options->inputs, "Shard bundles (folders or .tar.gz)")
        ->type_name("PATH")
        ->required();
    command->add_option("-o,--output", options->output, "Folder for the merged bundle (must be new or empty)")
        ->type_name("DIR")
        ->required();
    command->add_option("-j,--jobs", options->jobs, "Files hashed in parallel")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    command->add_flag("--allow-partial", options->allow_partial,
                      "Merge although shards are missing: the run is written as incomplete (still never green)");
    command->callback([options, &exit_code] {
        std::vector<fs::path> inputs;
        for (const auto& input : options->inputs) {
            if (!require_existing(input)) {
                exit_code = ExitCode::usage;
                return;
            }
            inputs.emplace_back(input);
        }
        const auto missing =
            options->allow_partial ? verdict::MissingShards::allow_partial : verdict::MissingShards::red;
        runner::MergeOutcome outcome = runner::merge_bundles(inputs, options->output, options->jobs, missing);
        switch (outcome.status) {
            case runner::MergeOutcome::Status::refused:
                print_error(outcome.message);
                exit_code = ExitCode::usage;
                return;
            case runner::MergeOutcome::Status::invalid_input:
                print_error(outcome.message);
                exit_code = ExitCode::red;
                return;
            case runner::MergeOutcome::Status::write_error:
                print_error(outcome.message);
                exit_code = ExitCode::infrastructure;
                return;
            case runner::MergeOutcome::Status::merged:
                break;
        }
        const auto& summary = outcome.summary;
        const bool green = summary.value("green", false);
        std::cout << fmt::format("merged {} bundles: {} suites, verdict {} ({}, {}) — {}\nbundle: {}\n", inputs.size(),
                                 summary["suites"].size(), summary.value("verdict", ""), green ? "green" : "red",
                                 summary.value("status", ""), summary.value("reason", ""), options->output);
        report_on_github(summary);
        exit_code = green ? ExitCode::green : ExitCode::red;
    });
}

void add_manifest_command(CLI::App& app, ExitCode& exit_code) {
    struct Options {
        std::string dir;
        int jobs = 1;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand("manifest", "Write manifest.json and manifest-sha256.txt for a folder");
    command->add_option("dir", options->dir, "Folder to describe")->type_name("DIR")->required();
    command->add_option("-j,--jobs", options->jobs, "Files hashed in parallel")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    command->callback([options, &exit_code] {
        if (!require_existing(options->dir)) {
            exit_code = ExitCode::usage;
            return;
        }
        auto manifest = bundle::write_manifest(options->dir, options->jobs);
        if (!manifest) {
            print_error(manifest.message());
            exit_code = ExitCode::infrastructure;
            return;
        }
        std::uintmax_t bytes = 0;
        for (const auto& entry : manifest->files) bytes += entry.size;
        std::cout << fmt::format("manifest: {} files, {} bytes\n", manifest->files.size(), bytes);
        exit_code = ExitCode::green;
    });
}

void add_config_command(CLI::App& app, ExitCode& exit_code) {
    CLI::App* command = app.add_subcommand("config", "Check a config file, or print its JSON Schema");
    command->require_subcommand(1);
    auto files = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"greenlight.yml"});
    CLI::App* validate = command->add_subcommand("validate", "Report every error in greenlight.yml at once");
    validate->footer(
        "Each error names file:line:column and the key path, with a did-you-mean for misspelt keys.\n"
        "Several files are checked one after the other. Exit 0 when all are valid, 2 when one is not.");
    validate->add_option("-c,--config,file", *files, "Config files")->type_name("FILE")->capture_default_str();
    validate->callback([files, &exit_code] {
        exit_code = ExitCode::green;
        for (const std::string& file : *files) {
            auto config = load_config_or_report(file);
            if (!config) {
                exit_code = ExitCode::usage;
                continue;
            }
            std::cout << fmt::format("{}: valid ({} suites, {} tiers)\n", file, config->suites.size(),
                                     config->tiers.size());
        }
    });
    CLI::App* schema = command->add_subcommand("schema", "Print the JSON Schema of greenlight.yml (for editors)");
    schema->callback([&exit_code] {
        std::cout << config::config_schema();
        exit_code = ExitCode::green;
    });
}

}  // namespace greenlight::cli
