// `greenlight gate`: read the change, assess its risk, gather gate states, decide, report.
#include <fmt/format.h>

#include <future>
#include <iostream>
#include <nlohmann/json.hpp>

#include "greenlight/cli/commands.hpp"
#include "greenlight/coverage/coverage.hpp"
#include "greenlight/diff/git.hpp"
#include "greenlight/gate/gates.hpp"
#include "greenlight/gate/patch_coverage.hpp"
#include "greenlight/gate/report.hpp"
#include "greenlight/gate/risk.hpp"
#include "greenlight/github/labels.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct GateOptions {
    std::string config_file = "greenlight.yml";
    std::string repo = ".";
    std::string base;
    std::string head = "HEAD";
    std::string diff_file;
    std::vector<std::string> labels;
    std::string event_file;
    std::vector<std::string> checks;
    std::vector<std::string> summaries;
    std::vector<std::string> proofs;
    std::vector<std::string> coverage;
    std::vector<std::string> base_coverage;
    std::string stale_on = "commit";
    bool apply = false;
    int pull_number = 0;
    bool json = false;
    bool markdown = false;
};

// Thrown for bad input; caught once in the command and reported with exit 2.
struct InputError {
    std::string message;
};

template <typename T>
T value_or_input_error(util::Result<T> result) {
    if (!result) throw InputError{result.message()};
    return std::move(result).value();
}

config::GateConfig load_gate_config(const GateOptions& options) {
    // No greenlight.yml: the runbook's defaults.
    auto config = load_optional_config(options.config_file, options.config_file != k_default_config_file);
    if (!config) throw InputError{};  // said already
    return config->gate;
}

diff::Diff read_change(const GateOptions& options) {
    if (!options.diff_file.empty()) {
        auto text = util::read_file(options.diff_file);
        if (!text) throw InputError{text.message()};
        auto parsed = diff::parse_unified_diff(*text);
        if (auto* error = std::get_if<diff::DiffParseError>(&parsed)) {
            throw InputError{fmt::format("{}:{}: {}", options.diff_file, error->line, error->message)};
        }
        return std::get<diff::Diff>(std::move(parsed));
    }
    if (options.base.empty()) throw InputError{"give --base REV (with --head, default HEAD) or --diff-file FILE"};
    return value_or_input_error(diff::git_diff(options.repo, options.base, options.head));
}

struct PullRequest {
    std::vector<std::string> labels;
    std::string head_sha;
    int number = 0;
};

PullRequest read_event(const std::string& file) {
    PullRequest pull_request;
    if (file.empty()) return pull_request;
    auto text = util::read_file(file);
    if (!text) throw InputError{text.message()};
    json event = json::parse(*text, nullptr, false);
    if (event.is_discarded() || !event.is_object() || !event.contains("pull_request") ||
        !event["pull_request"].is_object()) {
        throw InputError{file + ": not a pull_request event (expected an object with `pull_request`)"};
    }
    const json& pr = event["pull_request"];
    if (pr.contains("number") && pr["number"].is_number_integer()) pull_request.number = pr["number"].get<int>();
    if (pr.contains("labels") && pr["labels"].is_array()) {
        for (const auto& label : pr["labels"]) {
            if (label.is_object() && label.contains("name") && label["name"].is_string()) {
                pull_request.labels.push_back(label["name"].get<std::string>());
            }
        }
    }
    if (pr.contains("head") && pr["head"].is_object() && pr["head"].contains("sha") && pr["head"]["sha"].is_string()) {
        pull_request.head_sha = pr["head"]["sha"].get<std::string>();
    }
    return pull_request;
}

std::vector<coverage::Report> read_reports(const std::vector<std::string>& files) {
    std::vector<coverage::Report> reports;
    for (const auto& file : files) {
        auto parsed = coverage::parse_report_file(file);
        if (auto* error = std::get_if<coverage::ReportParseError>(&parsed)) throw InputError{error->to_string()};
        reports.push_back(std::get<coverage::Report>(std::move(parsed)));
    }
    return reports;
}

std::vector<std::string> repository_files(const GateOptions& options, const diff::Diff& change) {
    if (auto listed = diff::git_ls_files(options.repo)) return *listed;
    // Not a git checkout (a saved diff elsewhere): the changed files are all we know.
    std::vector<std::string> files;
    for (const auto& file : change.files) files.push_back(file.path());
    return files;
}

ExitCode run_gate(const GateOptions& options) {
    config::GateConfig gate = load_gate_config(options);
    // Large reports take as long to parse as git takes to diff: do both at once.
    auto head_reports = std::async(std::launch::async, [&] { return read_reports(options.coverage); });
    auto base_reports = std::async(std::launch::async, [&] { return read_reports(options.base_coverage); });
    diff::Diff change = read_change(options);
    PullRequest pull_request = read_event(options.event_file);

    std::string head_sha = pull_request.head_sha;
    if (auto commit = diff::git_commit_id(options.repo, options.head); commit && options.diff_file.empty()) {
        head_sha = *commit;
    }
    std::vector<std::string> paths;
    for (const auto& file : change.files) paths.push_back(file.path());
    std::vector<bool> generated = diff::git_attribute_set(options.repo, "linguist-generated", paths).value_or({});

    gate::RiskAssessment risk = gate::assess_risk(change, gate, generated);

    std::vector<gate::GateObservation> observations;
    for (const auto& file : options.checks) {
        auto read = value_or_input_error(gate::read_checks_file(file, gate));
        observations.insert(observations.end(), read.begin(), read.end());
    }
    for (const auto& file : options.summaries)
        observations.push_back(value_or_input_error(gate::read_run_summary(file)));
    for (const auto& file : options.proofs) observations.push_back(value_or_input_error(gate::read_proof(file)));

    gate::GateReport report;
    report.head_sha = head_sha;
    auto reports = head_reports.get();
    auto base_report_list = base_reports.get();
    if (!options.coverage.empty()) {
        auto files = repository_files(options, change);
        coverage::Coverage head_coverage = coverage::map_to_repository(reports, files, fs::absolute(options.repo));
        report.patch = gate::compute_patch_coverage(change, head_coverage, risk);
        observations.push_back(gate::patch_coverage_gate(*report.patch, gate, head_sha));
        if (!options.base_coverage.empty()) {
            coverage::Coverage base = coverage::map_to_repository(base_report_list, files, fs::absolute(options.repo));
            observations.push_back(gate::project_coverage_gate(coverage::project_ratio(head_coverage),
                                                               coverage::project_ratio(base), gate, head_sha));
        }
    }

    std::vector<std::string> labels = list_values(options.labels);
    labels.insert(labels.end(), pull_request.labels.begin(), pull_request.labels.end());

    gate::ContentCheck same_content;
    if (options.stale_on == "tree") {
        same_content = [&](const std::string& old_sha) {
            auto old_tree = diff::git_tree_id(options.repo, old_sha);
            auto head_tree = diff::git_tree_id(options.repo, options.head);
            if (old_tree && head_tree && *old_tree == *head_tree) return true;
            if (options.base.empty()) return false;
            auto old_patch = diff::git_patch_id(options.repo, options.base, old_sha);
            auto head_patch = diff::git_patch_id(options.repo, options.base, options.head);
            return old_patch && head_patch && !old_patch->empty() && *old_patch == *head_patch;
        };
    }
    report.evaluation = gate::evaluate(risk, labels, observations, gate, head_sha, same_content);

    if (options.json) {
        std::cout << gate::report_json(report).dump(2) << "\n";
    } else if (options.markdown) {
        std::cout << gate::report_markdown(report);
    } else {
        std::cout << gate::report_text(report);
    }
    if (const char* actions = std::getenv("GITHUB_ACTIONS"); actions && std::string_view(actions) == "true") {
        for (const auto& line : gate::uncovered_annotations(report)) std::cout << line << "\n";
    }
    if (options.apply) {
        const int number = options.pull_number > 0 ? options.pull_number : pull_request.number;
        if (number <= 0) throw InputError{"--apply needs the pull request: --pr N or --event with a pull_request"};
        auto repository = github::repository_from_environment();
        if (!repository) throw InputError{repository.message()};
        const auto& labels_change = report.evaluation.labels;
        if (auto applied = github::apply_labels(*repository, number, labels_change.add, labels_change.remove);
            !applied) {
            print_error(fmt::format("could not change the labels of #{}: {}", number, applied.message()));
            return ExitCode::infrastructure;
        }
        std::cerr << fmt::format("greenlight: labels of #{}: added {}, removed {}\n", number,
                                 labels_change.add.empty() ? "nothing" : util::join(labels_change.add, ", "),
                                 labels_change.remove.empty() ? "nothing" : util::join(labels_change.remove, ", "));
    }
    return report.evaluation.passed ? ExitCode::green : ExitCode::red;
}

}  // namespace

void add_gate_command(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<GateOptions>();
    CLI::App* command =
        app.add_subcommand("gate", "Decide a change's risk tier, the gates it needs, and whether they hold");
    command->footer(
        "The change: --base REV [--head REV] in a git checkout, or --diff-file FILE (a saved unified diff).\n"
        "Declared labels: --labels a,b and/or --event $GITHUB_EVENT_PATH (a pull_request event).\n"
        "Gate states: --checks FILE (greenlight's [{gate,state,sha}] list or GitHub check runs/statuses JSON),\n"
        "--summary FILE (a greenlight run's summary.json: the ci gate), --coverage FILE... (patch coverage),\n"
        "--base-coverage FILE... (project coverage). Rules and gates: the `gate:` section of greenlight.yml\n"
        "(docs/GATE.md); without one, the runbook defaults. Exit: 0 every blocking gate holds, 1 not, 2 bad input.");
    command->add_option("-c,--config", options->config_file, "Config file")->type_name("FILE")->capture_default_str();
    command->add_option("-C,--repo", options->repo, "The git checkout")->type_name("DIR")->capture_default_str();
    command->add_option("--base", options->base, "Base revision (the change is base...head)");
    command->add_option("--head", options->head, "Head revision")->capture_default_str();
    command->add_option("--diff-file", options->diff_file, "A saved unified diff instead of --base/--head")
        ->type_name("FILE");
    command->add_option("--labels", options->labels, "Labels the change carries (repeatable, or comma-separated)")
        ->delimiter(',');
    command->add_option("--event", options->event_file, "A GitHub pull_request event file (labels, head sha)")
        ->type_name("FILE");
    command->add_option("--checks", options->checks, "Gate states: a checks JSON file (repeatable)")->type_name("FILE");
    command
        ->add_option("--summary", options->summaries, "A greenlight run's summary.json, for the ci gate (repeatable)")
        ->type_name("FILE");
    command->add_option("--proof", options->proofs, "End-to-end proof JSON, for the e2e-proof gate (repeatable)")
        ->type_name("FILE");
    command
        ->add_option("--coverage", options->coverage,
                     "Coverage report of head: Cobertura, LCOV, JaCoCo, Clover or Go (repeatable)")
        ->type_name("FILE");
    command
        ->add_option("--base-coverage", options->base_coverage,
                     "Coverage report of base, for project coverage (repeatable)")
        ->type_name("FILE");
    command
        ->add_option("--stale-on", options->stale_on,
                     "When a passed gate goes stale: any new commit, or only new content")
        ->check(CLI::IsMember({"commit", "tree"}))
        ->capture_default_str();
    command->add_flag("--apply", options->apply,
                      "Change the pull request's labels to the wanted set through the GitHub REST API "
                      "(GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)");
    command->add_option("--pr", options->pull_number, "Pull request number for --apply (default: from --event)");
    auto* json_flag = command->add_flag("--json", options->json, "Print the decision as JSON");
    command->add_flag("--markdown", options->markdown, "Print Markdown for a PR comment or the step summary")
        ->excludes(json_flag);
    command->callback([options, &exit_code] {
        try {
            exit_code = run_gate(*options);
        } catch (const InputError& error) {
            if (!error.message.empty()) print_error(error.message);
            exit_code = ExitCode::usage;
        }
    });
}

}  // namespace greenlight::cli
