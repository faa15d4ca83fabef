// `greenlight gate --wait`: flags to a github::WaitTarget and settings, the wait, and its outcome for the gate.
#include "greenlight/cli/gate_wait.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::cli {

namespace {

using std::chrono::milliseconds;

// "120s-240s", "2m-4m", "1-2" (seconds) or one duration for a fixed interval; each at least the floor.
util::Result<std::pair<milliseconds, milliseconds>> parse_interval(const std::string& text) {
    const auto dash = text.find('-');
    const std::string low_text = text.substr(0, dash);
    const std::string high_text = dash == std::string::npos ? low_text : text.substr(dash + 1);
    auto low = util::parse_duration(low_text);
    auto high = util::parse_duration(high_text);
    const auto floor = github::k_shortest_poll_interval;
    if (!low || !high || *high < *low || *low < floor) {
        return util::make_error(fmt::format(
            "--interval: expected MIN-MAX (or one duration), each at least {}s and MIN not above MAX, such as "
            "120s-240s; found '{}'",
            std::chrono::duration_cast<std::chrono::seconds>(floor).count(), text));
    }
    return std::pair{*low, *high};
}

std::string short_sha(const std::string& sha) {
    return sha.substr(0, 12);
}

std::string check_word(const github::CheckSnapshot& check) {
    if (check.passed()) return "passed";
    if (check.complete()) return "failed";
    return check.progress == github::CheckProgress::missing ? "missing" : "pending";
}

// The polled check runs and statuses, read as a --checks file of each would be, and a `missing` observation for
// each required check that never appeared.
std::vector<gate::GateObservation> observations_of(const github::WaitOutcome& outcome,
                                                   const config::GateConfig& gate_config) {
    std::vector<gate::GateObservation> observations;
    const std::string where = fmt::format("the check runs and statuses of {}", short_sha(outcome.sha));
    for (const nlohmann::json& document :
         {nlohmann::json{{"check_runs", outcome.check_runs}}, nlohmann::json(outcome.status)}) {
        if (auto read = gate::read_checks_json(document, where, "GitHub", gate_config)) {
            observations.insert(observations.end(), read->begin(), read->end());
        }
    }
    for (const auto& check : outcome.checks) {
        if (check.progress != github::CheckProgress::missing) continue;
        if (auto gate_name = gate::gate_for_check(check.name, gate_config)) {
            observations.push_back({*gate_name, gate::GateState::missing, outcome.sha,
                                    fmt::format("GitHub: required check `{}`", check.name),
                                    fmt::format("required check `{}` never appeared", check.name), ""});
        }
    }
    return observations;
}

}  // namespace

void add_gate_wait_options(CLI::App& command, GateWaitOptions& options) {
    command.add_flag("--wait", options.enabled,
                     "Wait for the head commit's required checks (gate.required_checks, else the branch's "
                     "protection and rulesets) through the GitHub REST API, then judge with what they say");
    command
        .add_option("--timeout", options.timeout,
                    "--wait: how long to wait at most; checks still missing or running then do not pass")
        ->type_name("DURATION")
        ->capture_default_str();
    command
        .add_option("--interval", options.interval,
                    "--wait: the pause between rounds, uniformly random in MIN-MAX (or one duration), at least 1s")
        ->type_name("MIN-MAX")
        ->capture_default_str();
    command.add_option("--branch", options.branch,
                       "--wait without a pull request: the branch whose head and protection count "
                       "(default: $GITHUB_REF_NAME)");
}

util::Result<WaitedChecks, ExitCode> wait_for_required_checks(const GateWaitOptions& options,
                                                              const gate::GateRequest& request, int pull_number) {
    auto timeout = util::parse_duration(options.timeout);
    if (!timeout || timeout->count() <= 0) {
        print_error(fmt::format("--timeout: expected a duration such as 60m or 1h30m; found '{}'", options.timeout));
        return ExitCode::usage;
    }
    auto interval = parse_interval(options.interval);
    if (!interval) {
        print_error(interval.message());
        return ExitCode::usage;
    }
    auto repository = github::repository_from_environment();
    if (!repository) {
        print_error(repository.message());
        return ExitCode::usage;
    }

    github::WaitTarget target;
    target.pull_number = pull_number;
    target.branch = options.branch;
    if (const char* ref_name = std::getenv("GITHUB_REF_NAME"); target.branch.empty() && ref_name) {
        target.branch = ref_name;
    }
    target.sha = gate::head_commit(request);
    target.required_checks = request.config.required_checks;

    github::WaitSettings settings;
    settings.timeout = *timeout;
    settings.interval_min = interval->first;
    settings.interval_max = interval->second;
    settings.progress = [](std::string_view line) { std::cerr << "greenlight: gate --wait: " << line << "\n"; };

    auto outcome = github::wait_for_checks(*repository, target, settings, github::real_wait_seams());
    if (!outcome) {
        print_error(outcome.error().message);
        return outcome.error().kind == github::WaitErrorKind::bad_input ? ExitCode::usage : ExitCode::infrastructure;
    }
    if (outcome->end == github::WaitEnd::stale) {
        const std::string of =
            pull_number > 0 ? fmt::format("pull request #{}", pull_number) : fmt::format("branch {}", target.branch);
        std::cerr << fmt::format(
            "greenlight: gate --wait: stale: the head of {} is {}, not {}, the commit waited on: a newer commit was "
            "pushed, and its own checks decide (or --head names another commit than the pull request's head, such "
            "as the merge commit actions/checkout makes)\n",
            of, short_sha(outcome->moved_to), short_sha(outcome->sha));
        return ExitCode::red;
    }
    WaitedChecks waited;
    waited.observations = observations_of(*outcome, request.config);
    waited.outcome = std::move(*outcome);
    return waited;
}

std::string wait_text(const WaitedChecks& waited) {
    const github::WaitOutcome& outcome = waited.outcome;
    std::string text =
        fmt::format("\nRequired checks of {} ({}): {} after {} round{} ({})\n", short_sha(outcome.sha),
                    outcome.required_from, outcome.end == github::WaitEnd::complete ? "complete" : "timed out",
                    outcome.rounds, outcome.rounds == 1 ? "" : "s", util::format_duration(outcome.waited));
    std::size_t passed = 0;
    for (const auto& check : outcome.checks) {
        text += fmt::format("  {:<8} {} ({})\n", check_word(check), check.name, check.word);
        if (check.passed()) ++passed;
    }
    text += fmt::format("required checks: {} ({} of {} passed)\n", outcome.all_passed() ? "pass" : "fail", passed,
                        outcome.checks.size());
    return text;
}

std::string wait_markdown(const WaitedChecks& waited) {
    const github::WaitOutcome& outcome = waited.outcome;
    std::string text =
        fmt::format("\n### Required checks\n\n`{}` ({}): {} after {} round{}\n\n", short_sha(outcome.sha),
                    outcome.required_from, outcome.end == github::WaitEnd::complete ? "complete" : "timed out",
                    outcome.rounds, outcome.rounds == 1 ? "" : "s");
    for (const auto& check : outcome.checks) {
        text += fmt::format("- {} `{}`: {}\n", check_word(check), check.name, check.word);
    }
    return text;
}

nlohmann::json wait_json(const WaitedChecks& waited) {
    const github::WaitOutcome& outcome = waited.outcome;
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& check : outcome.checks) {
        checks.push_back({{"name", check.name}, {"state", check_word(check)}, {"github", check.word}});
    }
    return {
        {"sha", outcome.sha},         {"end", github::to_string(outcome.end)}, {"required_from", outcome.required_from},
        {"rounds", outcome.rounds},   {"waited_ms", outcome.waited.count()},   {"passed", outcome.all_passed()},
        {"checks", std::move(checks)}};
}

}  // namespace greenlight::cli
