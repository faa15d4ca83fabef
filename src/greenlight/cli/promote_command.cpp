// `greenlight promote --env E --sha S`: go or no-go for promoting a commit into an environment, from the
// evidence of the environment before it (runs stored by `greenlight serve`, bundles, a proof), the decision
// recorded for it and the gates it needs; every attempt is recorded in the server. And
// `greenlight promote decide go|no-go`, which records a decision.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "greenlight/cli/commands.hpp"
#include "greenlight/promote/decision.hpp"
#include "greenlight/promote/evidence.hpp"
#include "greenlight/serve/promotion_client.hpp"
#include "greenlight/util/duration.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::cli {

namespace {

// Where `greenlight promote` finds the server: --server, then GREENLIGHT_SERVE_URL, then serve.url.
constexpr const char* k_server_variable = "GREENLIGHT_SERVE_URL";

struct ServerOptions {
    std::string url;
    std::string ca_file;
    bool insecure = false;
    std::string retry_for;
};

struct PromoteOptions {
    std::string config = std::string(k_default_config_file);
    std::string environment;
    std::string sha;
    std::string by;
    ServerOptions server;
    std::vector<std::string> bundles;
    std::string proof;
    std::vector<std::string> checks;
};

struct DecideOptions {
    std::string decision;
    std::string reason;
};

ExitCode exit_code_of(const serve::SendFailure& failure) {
    return failure.kind == serve::SendFailure::Kind::unreachable ? ExitCode::infrastructure : ExitCode::usage;
}

std::string environment_value(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// The commit as the server keeps it (lower-case hex); empty (after printing why) when it is not one.
std::string commit_of(const std::string& sha) {
    std::string commit = sha;
    std::transform(commit.begin(), commit.end(), commit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!serve::is_valid_commit(commit)) {
        print_error(
            fmt::format("--sha: expected the commit's id (hex digits, the full 40 of `git rev-parse HEAD`); "
                        "found '{}'",
                        sha));
        return {};
    }
    return commit;
}

// Who acts: --by, else GITHUB_ACTOR; empty lets the server name the token.
std::string actor(const std::string& by) {
    return by.empty() ? environment_value("GITHUB_ACTOR") : by;
}

std::optional<serve::PromotionClient> make_client(const ServerOptions& options, const config::Config& config,
                                                  const util::Clock& clock) {
    serve::PromotionClientOptions client;
    client.url = options.url;
    if (client.url.empty()) client.url = environment_value(k_server_variable);
    if (client.url.empty()) client.url = config.serve.url;
    if (client.url.empty()) {
        print_error(
            fmt::format("no server: give --server URL, set {}, or serve.url in {} (the decisions and "
                        "attempts live in greenlight serve)",
                        k_server_variable, config.file.empty() ? "greenlight.yml" : config.file.string()));
        return std::nullopt;
    }
    auto token = serve::token_from_environment();
    if (!token) {
        print_error(token.message());
        return std::nullopt;
    }
    client.token = std::move(*token);
    if (!options.ca_file.empty()) client.ca_file = options.ca_file;
    client.tls = options.insecure ? serve::TlsVerification::skip : serve::TlsVerification::verify;
    if (!options.retry_for.empty()) {
        auto budget = util::parse_duration(options.retry_for);
        if (!budget) {
            print_error(fmt::format("--retry-for: '{}' is not a duration; use e.g. 30s or 5m", options.retry_for));
            return std::nullopt;
        }
        client.retry_budget = *budget;
    }
    auto created = serve::PromotionClient::create(std::move(client), clock);
    if (!created) {
        print_error(created.message());
        return std::nullopt;
    }
    return std::move(*created);
}

// The promote section and the target environment, or nullptr after printing why.
const config::PromoteEnvironment* target_environment(const config::Config& config, const std::string& name) {
    if (!config.promote.present) {
        print_error(fmt::format("{} has no promote: section; see docs/PROMOTE.md", config.file.string()));
        return nullptr;
    }
    const auto* environment = config.promote.find(name);
    if (!environment) {
        std::vector<std::string> names;
        for (const auto& known : config.promote.environments) names.push_back(known.name);
        print_error(fmt::format("--env: no environment '{}' under promote.environments in {} (there are: {})", name,
                                config.file.string(), fmt::join(names, ", ")));
    }
    return environment;
}

// The evidence a promotion into `target` is judged on; an exit code when it could not be gathered.
std::optional<ExitCode> gather(const PromoteOptions& options, const config::Config& config,
                               const config::PromoteEnvironment& target, serve::PromotionClient& client,
                               promote::PromotionInput& input) {
    const auto* needed = config.promote.needed(target);
    const bool runs_count = std::find(target.evidence.begin(), target.evidence.end(),
                                      config::PromoteEvidenceKind::run) != target.evidence.end();
    if (needed && runs_count) {
        auto runs = client.runs_of_commit(input.commit, needed->tier, config.project);
        if (!runs.ok()) {
            print_error(fmt::format("cannot read the runs of commit {}: {}", input.commit, runs.failure->message));
            return exit_code_of(*runs.failure);
        }
        for (const auto& run : *runs.value) input.evidence.push_back(promote::evidence_from_run(run));
    }
    for (const auto& bundle : options.bundles) {
        auto evidence = promote::evidence_from_bundle(bundle);
        if (evidence) {
            input.evidence.push_back(std::move(*evidence));
        } else {
            input.unusable.push_back(evidence.message());
        }
    }
    if (!options.proof.empty()) {
        auto proof = promote::read_proof_evidence(options.proof, config.proof.classification_field);
        if (!proof) {
            print_error(proof.message());
            return ExitCode::usage;
        }
        input.proof = std::move(*proof);
    }
    std::vector<std::filesystem::path> checks(options.checks.begin(), options.checks.end());
    auto gates = promote::read_gate_states(checks, config.gate);
    if (!gates) {
        print_error(gates.message());
        return ExitCode::usage;
    }
    input.gates = std::move(*gates);
    auto decisions = client.decisions(input.environment, input.commit);
    if (!decisions.ok()) {
        print_error(fmt::format("cannot read the decisions for {}: {}", input.environment, decisions.failure->message));
        return exit_code_of(*decisions.failure);
    }
    input.decisions = std::move(*decisions.value);
    return std::nullopt;
}

void print_outcome(const promote::PromotionInput& input, const promote::PromotionOutcome& outcome) {
    std::cout << fmt::format("promote {} to {}: {}\n", input.commit, input.environment, to_string(outcome.verdict));
    for (const auto& line : outcome.held) std::cout << "  held: " << line << '\n';
    for (const auto& line : outcome.reasons) std::cout << "  no-go: " << line << '\n';
}

ExitCode run_promote(const PromoteOptions& options) {
    auto config = load_required_config(options.config, "`greenlight promote` reads its `promote:` section");
    if (!config) return ExitCode::usage;
    const auto* target = target_environment(*config, options.environment);
    if (!target) return ExitCode::usage;
    const std::string commit = commit_of(options.sha);
    if (commit.empty()) return ExitCode::usage;
    util::SystemClock clock;
    auto client = make_client(options.server, *config, clock);
    if (!client) return ExitCode::usage;

    promote::PromotionInput input;
    input.environment = target->name;
    input.commit = commit;
    if (auto failed = gather(options, *config, *target, *client, input)) return *failed;
    input.now = clock.now();
    auto outcome = promote::decide(config->promote, input);
    if (!outcome) {
        print_error(outcome.message());
        return ExitCode::usage;
    }
    print_outcome(input, *outcome);

    serve::PromotionAttempt attempt;
    attempt.environment = input.environment;
    attempt.commit = input.commit;
    attempt.verdict = outcome->verdict;
    attempt.reasons = outcome->reasons;
    attempt.evidence = outcome->held;
    attempt.by = actor(options.by);
    auto recorded = client->record_attempt(attempt);
    if (!recorded.ok()) {
        print_error(fmt::format("the attempt was not recorded: {}", recorded.failure->message));
        return exit_code_of(*recorded.failure);
    }
    return outcome->go() ? ExitCode::green : ExitCode::red;
}

ExitCode run_decide(const PromoteOptions& options, const DecideOptions& decide) {
    auto decision = serve::parse_promotion_verdict(decide.decision);
    if (!decision) {
        print_error(fmt::format("expected go or no-go; found '{}'", decide.decision));
        return ExitCode::usage;
    }
    if (util::trim(decide.reason).empty()) {
        print_error("--reason: say why (a decision without a reason is refused)");
        return ExitCode::usage;
    }
    auto config = load_required_config(options.config, "`greenlight promote decide` reads its `promote:` section");
    if (!config) return ExitCode::usage;
    if (!target_environment(*config, options.environment)) return ExitCode::usage;
    const std::string commit = commit_of(options.sha);
    if (commit.empty()) return ExitCode::usage;
    util::SystemClock clock;
    auto client = make_client(options.server, *config, clock);
    if (!client) return ExitCode::usage;

    serve::PromotionDecision record;
    record.environment = options.environment;
    record.commit = commit;
    record.decision = *decision;
    record.reason = decide.reason;
    record.by = actor(options.by);
    auto stored = client->record_decision(record);
    if (!stored.ok()) {
        print_error(fmt::format("the decision was not recorded: {}", stored.failure->message));
        return exit_code_of(*stored.failure);
    }
    std::cout << fmt::format("decision recorded: {} for {} to {} by {} at {}\n", to_string(stored.value->decision),
                             stored.value->commit, stored.value->environment, stored.value->by,
                             util::format_utc(stored.value->at));
    return ExitCode::green;
}

void add_server_options(CLI::App& command, ServerOptions& server) {
    command.add_option("--server", server.url,
                       "The greenlight serve base URL (default: GREENLIGHT_SERVE_URL, then serve.url)");
    command.add_option("--ca-file", server.ca_file, "PEM bundle to verify the server's certificate with (https)")
        ->type_name("FILE");
    command.add_flag("--insecure", server.insecure, "https without verifying the certificate (test servers only)");
    command.add_option("--retry-for", server.retry_for,
                       "How long to keep retrying a request while the server is away, e.g. 10s (default 30s)");
}

}  // namespace

void add_promote_command(CLI::App& app, ExitCode& exit_code) {
    auto options = std::make_shared<PromoteOptions>();
    auto decide = std::make_shared<DecideOptions>();
    CLI::App* command =
        app.add_subcommand("promote", "Go or no-go for promoting a commit into an environment (docs/PROMOTE.md)");
    command->footer(
        "Go only when (a) a green run of the commit from the environment before the target (its tier, per\n"
        "promote.environments) is no older than max_age: a run greenlight serve stored, or a bundle given with\n"
        "--bundle (verified against its manifest), with a proof (--proof) classified as the config asks; (b) the\n"
        "latest decision recorded for the commit and environment is go (`greenlight promote decide`); (c) every gate\n"
        "the environment lists passed at the commit (--checks FILE, as `greenlight gate` reads it).\n"
        "Every attempt is recorded in the server with its verdict and reasons. The token is read from\n"
        "GREENLIGHT_SERVE_TOKEN only.\n"
        "Exit: 0 go, 1 no-go (every reason listed), 2 usage or bad config, 3 the server is unreachable.");
    command->add_option("--config", options->config, "The config file (default: greenlight.yml)")->type_name("FILE");
    command->add_option("--env", options->environment, "The environment to promote into, e.g. production");
    command->add_option("--sha", options->sha, "The commit to promote (its full id)");
    command->add_option("--by", options->by, "Who acts (default: GITHUB_ACTOR, else the token's name)");
    add_server_options(*command, options->server);
    command->add_option("--bundle", options->bundles, "A run bundle (folder or .tar.gz) as evidence (repeatable)")
        ->type_name("PATH");
    command->add_option("--proof", options->proof, "A proof `greenlight proof` wrote, for the commit")
        ->type_name("FILE");
    command
        ->add_option("--checks", options->checks,
                     "Gate states: a checks JSON file as `greenlight gate --checks` reads it (repeatable)")
        ->type_name("FILE");

    CLI::App* decide_command =
        command->add_subcommand("decide", "Record a go or no-go decision for a commit and an environment");
    decide_command->footer(
        "Records who decided (--by, else GITHUB_ACTOR, else the token's name), when, and why. The latest decision\n"
        "counts: a no-go blocks promotion until a later go.\n"
        "Exit: 0 recorded, 2 usage or a refusal, 3 the server is unreachable.");
    decide_command->add_option("decision", decide->decision, "go or no-go")
        ->required()
        ->check(CLI::IsMember({"go", "no-go"}));
    decide_command->add_option("--env", options->environment, "The environment, e.g. production")->required();
    decide_command->add_option("--sha", options->sha, "The commit (its full id)")->required();
    decide_command->add_option("--reason", decide->reason, "Why")->required();
    decide_command->add_option("--by", options->by, "Who decides (default: GITHUB_ACTOR, else the token's name)");
    decide_command->add_option("--config", options->config, "The config file (default: greenlight.yml)")
        ->type_name("FILE");
    add_server_options(*decide_command, options->server);
    decide_command->callback([options, decide, &exit_code] { exit_code = run_decide(*options, *decide); });

    command->require_subcommand(0, 1);
    command->callback([options, decide_command, &exit_code] {
        if (decide_command->parsed()) return;
        if (options->environment.empty() || options->sha.empty()) {
            throw CLI::RequiredError(options->environment.empty() ? "--env" : "--sha");
        }
        exit_code = run_promote(*options);
    });
}

}  // namespace greenlight::cli
