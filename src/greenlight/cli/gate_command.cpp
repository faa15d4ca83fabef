// `greenlight gate`: the flags and the pull request's event become a gate::GateRequest, gate::judge decides,
// the report is printed, and --apply hands the label change to GitHub.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/gate_wait.hpp"
#include "greenlight/gate/judge.hpp"
#include "greenlight/github/event.hpp"
#include "greenlight/github/labels.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace {

struct GateOptions {
    std::string config_file;  // default: greenlight.yml in the checkout (-C)
    std::string rules_from = "base";
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
    std::string coverage_format = "auto";
    std::string stale_on = "commit";
    bool apply = false;
    int pull_number = 0;
    bool json = false;
    bool markdown = false;
    GateWaitOptions wait;
};

// The request for the gate library: the flags, the config's `gate:` section and the pull request's event.
gate::GateRequest make_request(const GateOptions& options, const github::PullRequestEvent& event) {
    gate::GateRequest request;
    request.change = gate::ChangeSource{options.repo, options.base, options.head, options.diff_file};
    gate::RulesRequest rules;
    rules.change = request.change;
    rules.config_named = !options.config_file.empty();
    rules.config_file = rules.config_named ? std::filesystem::path(options.config_file)
                                           : std::filesystem::path(options.repo) / k_default_config_file;
    rules.from = options.rules_from == "work-tree" ? gate::RulesFrom::work_tree : gate::RulesFrom::base;
    request.rules = std::move(rules);
    request.labels = list_values(options.labels);
    request.labels.insert(request.labels.end(), event.labels.begin(), event.labels.end());
    request.event_head_sha = event.head_sha;
    request.checks.assign(options.checks.begin(), options.checks.end());
    request.summaries.assign(options.summaries.begin(), options.summaries.end());
    request.proofs.assign(options.proofs.begin(), options.proofs.end());
    request.coverage.assign(options.coverage.begin(), options.coverage.end());
    request.base_coverage.assign(options.base_coverage.begin(), options.base_coverage.end());
    request.coverage_format = coverage::parse_report_format(options.coverage_format);  // "auto": detect
    request.stale_on = options.stale_on == "tree" ? gate::StaleOn::tree : gate::StaleOn::commit;
    return request;
}

void print_report(const GateOptions& options, const gate::GateReport& report, const WaitedChecks* waited) {
    if (options.json) {
        nlohmann::json document = gate::report_json(report);
        if (waited) document["wait"] = wait_json(*waited);
        std::cout << document.dump(2) << "\n";
    } else if (options.markdown) {
        std::cout << gate::report_markdown(report) << (waited ? wait_markdown(*waited) : "");
    } else {
        std::cout << gate::report_text(report) << (waited ? wait_text(*waited) : "");
    }
    if (const char* actions = std::getenv("GITHUB_ACTIONS"); actions && std::string_view(actions) == "true") {
        for (const auto& line : gate::uncovered_annotations(report)) std::cout << line << "\n";
    }
}

// --apply: the pull request's labels become the wanted set.
ExitCode apply_labels(const GateOptions& options, const gate::LabelChange& change, int event_number) {
    const int number = options.pull_number > 0 ? options.pull_number : event_number;
    if (number <= 0) {
        print_error("--apply needs the pull request: --pr N or --event with a pull_request");
        return ExitCode::usage;
    }
    auto repository = github::repository_from_environment();
    if (!repository) {
        print_error(repository.message());
        return ExitCode::usage;
    }
    if (auto applied = github::apply_labels(*repository, number, change.add, change.remove); !applied) {
        print_error(fmt::format("could not change the labels of #{}: {}", number, applied.message()));
        return ExitCode::infrastructure;
    }
    std::cerr << fmt::format("greenlight: labels of #{}: added {}, removed {}\n", number,
                             change.add.empty() ? "nothing" : util::join(change.add, ", "),
                             change.remove.empty() ? "nothing" : util::join(change.remove, ", "));
    return ExitCode::green;
}

ExitCode run_gate(const GateOptions& options) {
    github::PullRequestEvent event;
    if (!options.event_file.empty()) {
        auto read = github::read_pull_request_event(options.event_file);
        if (!read) {
            print_error(read.message());
            return ExitCode::usage;
        }
        event = std::move(*read);
    }
    gate::GateRequest request = make_request(options, event);
    std::optional<WaitedChecks> waited;
    if (options.wait.enabled) {
        // The wait needs the rules first: which checks are required, and which gate each reports.
        auto rules = gate::read_gate_rules(*request.rules);
        if (!rules) {
            print_error(rules.message());
            return ExitCode::usage;
        }
        request.config = rules->config;
        request.rules_read = std::move(*rules);
        auto found = wait_for_required_checks(options.wait, request,
                                              options.pull_number > 0 ? options.pull_number : event.number);
        if (!found) return found.error();
        request.observations = found->observations;
        waited = std::move(*found);
    }
    auto report = gate::judge(request);
    if (!report) {
        print_error(report.message());
        return ExitCode::usage;
    }
    print_report(options, *report, waited ? &*waited : nullptr);
    if (options.apply) {
        if (ExitCode applied = apply_labels(options, report->evaluation.labels, event.number);
            applied != ExitCode::green) {
            return applied;
        }
    }
    const bool required_checks_passed = !waited || waited->outcome.all_passed();
    return report->evaluation.passed && required_checks_passed ? ExitCode::green : ExitCode::red;
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
        "--base-coverage FILE... (project coverage). Rules and gates: the `gate:` section of greenlight.yml as of\n"
        "the base commit, so a change cannot lower its own risk (an edit of it is itself R3-high); without one, the\n"
        "runbook defaults (docs/GATE.md). --wait polls GitHub for the head's required checks first (GITHUB_TOKEN,\n"
        "GITHUB_REPOSITORY, GITHUB_API_URL), a line per round on stderr, and adds what they say.\n"
        "Exit: 0 every blocking gate (and, with --wait, every required check) holds, 1 not (or the head moved\n"
        "while waiting), 2 bad input, 3 GitHub unreachable.");
    command
        ->add_option("-c,--config", options->config_file,
                     "Config file (default: greenlight.yml in the checkout); its rules are read as of the base commit")
        ->type_name("FILE");
    command
        ->add_option("--rules-from", options->rules_from,
                     "Whose rules judge the change: the config at the base commit (a change cannot edit them), or "
                     "the work tree's file (to try rules out locally)")
        ->check(CLI::IsMember({"base", "work-tree"}))
        ->capture_default_str();
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
        ->add_option("--coverage-format", options->coverage_format,
                     "The format of every --coverage and --base-coverage report, when detection from the "
                     "first bytes guesses wrong")
        ->check(CLI::IsMember({"auto", "cobertura", "lcov", "jacoco", "clover", "go"}))
        ->capture_default_str();
    command
        ->add_option("--stale-on", options->stale_on,
                     "When a passed gate goes stale: any new commit, or only new content")
        ->check(CLI::IsMember({"commit", "tree"}))
        ->capture_default_str();
    command->add_flag("--apply", options->apply,
                      "Change the pull request's labels to the wanted set through the GitHub REST API "
                      "(GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)");
    command->add_option("--pr", options->pull_number,
                        "Pull request number for --apply and --wait (default: from --event)");
    add_gate_wait_options(*command, options->wait);
    auto* json_flag = command->add_flag("--json", options->json, "Print the decision as JSON");
    command->add_flag("--markdown", options->markdown, "Print Markdown for a PR comment or the step summary")
        ->excludes(json_flag);
    command->callback([options, &exit_code] { exit_code = run_gate(*options); });
}

}  // namespace greenlight::cli
