// `greenlight serve` (history, watchdog, alerts, dashboard and optionally the bridge, in one server),
// `greenlight serve token create|list|revoke` (ingestion and admin tokens) and `greenlight watch --once` (one
// watchdog round from the command line, for cron and tests). The work lives in serve/; this file reads flags
// and the config, handles signals and exit codes.
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/server_process.hpp"
#include "greenlight/serve/alert_send.hpp"
#include "greenlight/serve/database.hpp"
#include "greenlight/serve/run_report.hpp"
#include "greenlight/serve/server.hpp"
#include "greenlight/serve/store.hpp"
#include "greenlight/serve/watch_config.hpp"
#include "greenlight/util/clock.hpp"

namespace greenlight::cli {

namespace {

struct ServeFlags {
    std::string config_file = "greenlight.yml";
    std::string listen;
    std::string database;
    std::string bundles;
    std::string tls_cert;
    std::string tls_key;
    bool bridge = false;
    std::string log_level = "info";
};

struct TokenFlags {
    std::string config_file = "greenlight.yml";
    std::string database;
    std::string name;
    std::string scope = "ingest";
};

struct WatchFlags {
    std::string config_file = "greenlight.yml";
    std::string database;
    bool once = false;
    std::string now;
};

// The folder relative paths of the config are relative to.
std::filesystem::path config_folder(const std::string& file) {
    std::filesystem::path folder = std::filesystem::path(file).parent_path();
    return folder.empty() ? std::filesystem::path(".") : folder;
}

// A sqlite: URL with a relative path is relative to the config's folder, like the config's other paths.
std::string database_url(const std::string& flag, const config::Config& config, const std::string& config_file,
                         bool from_flag) {
    std::string url = flag.empty() ? flag_or_environment("", "GREENLIGHT_SERVE_DB", config.serve.db) : flag;
    if (!from_flag && url.starts_with("sqlite:")) {
        std::filesystem::path path = url.substr(7);
        if (path.is_relative()) url = "sqlite:" + (config_folder(config_file) / path).lexically_normal().string();
    }
    return url;
}

ExitCode run_serve(const ServeFlags& flags, bool config_named) {
    auto config = load_optional_config(flags.config_file, config_named);
    if (!config) return ExitCode::usage;
    const std::filesystem::path base = config_folder(flags.config_file);
    serve::ServeOptions options;
    const std::string listen_text = flags.listen.empty() ? config->serve.listen : flags.listen;
    auto listen = parse_listen(listen_text);
    if (!listen) {
        print_error(
            fmt::format("--listen {}: expected HOST:PORT (e.g. 127.0.0.1:8080, [::1]:8080; port 0 picks a "
                        "free one)",
                        listen_text));
        return ExitCode::usage;
    }
    options.host = listen->first;
    options.port = listen->second;
    options.database_url = database_url(flags.database, *config, flags.config_file, !flags.database.empty());
    options.bundles_dir = flags.bundles.empty() ? base / config->serve.bundles : std::filesystem::path(flags.bundles);
    options.public_url = config->serve.url;
    if (!config->serve.dashboard_users.empty()) options.dashboard_users = base / config->serve.dashboard_users;
    if (!flags.tls_cert.empty()) options.tls_certificate = flags.tls_cert;
    if (!flags.tls_key.empty()) options.tls_key = flags.tls_key;
    if (options.tls_certificate.has_value() != options.tls_key.has_value()) {
        print_error("--tls-cert and --tls-key go together: give both, or neither");
        return ExitCode::usage;
    }
    options.max_body_bytes = config->serve.limits.max_body;
    options.requests_per_minute = config->serve.limits.requests_per_minute;
    options.retention =
        serve::Retention{config->serve.retention.runs, config->serve.retention.pings, config->serve.retention.alerts};
    if (flags.bridge || config->serve.bridge.present) {
        bridge::ServerOptions bridge_options;
        bridge_options.state_dir = base / config->serve.bridge.state;
        bridge_options.users_file = config->serve.bridge.users.empty() ? bridge_options.state_dir / "users.txt"
                                                                       : base / config->serve.bridge.users;
        bridge_options.max_active = config->serve.bridge.max_active;
        options.bridge = std::move(bridge_options);
    }
    options.config_checks = serve::checks_from_config(config->watch);
    options.heartbeat = serve::heartbeat_from_config(config->watch);
    auto channels = serve::resolve_channels(config->watch, serve::process_environment());
    if (!channels) {
        print_error(channels.message());
        return ExitCode::usage;
    }
    options.channels = std::move(*channels);
    if (flags.log_level == "debug") {
        options.debug = true;
    } else if (flags.log_level != "info") {
        print_error(fmt::format("--log-level {}: expected info or debug", flags.log_level));
        return ExitCode::usage;
    }

    if (!install_stop_signal_handlers()) {
        print_error(fmt::format("cannot install signal handlers: {}", std::strerror(errno)));
        return ExitCode::infrastructure;
    }
    const std::string host = options.host;
    const bool tls = options.tls_certificate.has_value();
    auto server = serve::ServeServer::open(std::move(options));
    if (!server) {
        print_error(server.message());
        return serve::is_unavailable(server.error()) ? ExitCode::infrastructure : ExitCode::usage;
    }
    if (auto started = (*server)->start(); !started) {
        print_error(started.message());
        return ExitCode::infrastructure;
    }
    if (!is_loopback(host) && !tls) {
        std::cerr << fmt::format(
            "greenlight serve: warning: listening on {} without TLS: tokens and dashboard passwords cross the "
            "network in clear; give --tls-cert and --tls-key\n",
            host);
    }
    std::cerr << fmt::format("greenlight serve: listening on {}\n", (*server)->url()) << std::flush;
    int signal_number = wait_for_stop_signal();
    std::cerr << fmt::format("greenlight serve: {} received, stopping\n",
                             signal_number == SIGINT ? "SIGINT" : "SIGTERM")
              << std::flush;
    (*server)->stop();
    std::cerr << "greenlight serve: stopped\n" << std::flush;
    return ExitCode::green;
}

std::unique_ptr<serve::Store> open_store(const std::string& config_file, bool config_named,
                                         const std::string& database_flag, const util::Clock& clock, ExitCode& failure,
                                         std::optional<config::Config>* loaded = nullptr) {
    auto config = load_optional_config(config_file, config_named);
    if (!config) {
        failure = ExitCode::usage;
        return nullptr;
    }
    auto store = serve::Store::open(database_url(database_flag, *config, config_file, !database_flag.empty()), clock);
    if (!store) {
        print_error(store.message());
        failure = serve::is_unavailable(store.error()) ? ExitCode::infrastructure : ExitCode::usage;
        return nullptr;
    }
    if (loaded) *loaded = std::move(config);
    return std::move(*store);
}

ExitCode run_token_create(const TokenFlags& flags, bool config_named) {
    auto scope = flags.scope == "ingest"  ? std::optional(serve::TokenScope::ingest)
                 : flags.scope == "admin" ? std::optional(serve::TokenScope::admin)
                                          : std::nullopt;
    if (!scope) {
        print_error(fmt::format("--scope {}: expected ingest (send runs and pings) or admin (also define checks)",
                                flags.scope));
        return ExitCode::usage;
    }
    util::SystemClock clock;
    ExitCode failure = ExitCode::green;
    auto store = open_store(flags.config_file, config_named, flags.database, clock, failure);
    if (!store) return failure;
    auto secret = store->create_token(flags.name, *scope);
    if (!secret) {
        print_error(secret.message());
        return ExitCode::usage;
    }
    // The secret goes to standard output once (for a pipe into a secret store); only its hash is kept.
    std::cout << *secret << "\n";
    std::cerr << fmt::format(
        "greenlight serve: token {} ({}) created; it is shown only now: keep it as a secret "
        "(e.g. GREENLIGHT_SERVE_TOKEN in CI)\n",
        flags.name, flags.scope);
    return ExitCode::green;
}

ExitCode run_token_list(const TokenFlags& flags, bool config_named) {
    util::SystemClock clock;
    ExitCode failure = ExitCode::green;
    auto store = open_store(flags.config_file, config_named, flags.database, clock, failure);
    if (!store) return failure;
    auto tokens = store->tokens();
    if (!tokens) {
        print_error(tokens.message());
        return ExitCode::infrastructure;
    }
    for (const serve::TokenInfo& token : *tokens) {
        std::cout << fmt::format("{:<24} {:<7} created {}\n", token.name,
                                 token.scope == serve::TokenScope::admin ? "admin" : "ingest",
                                 util::format_utc(token.created));
    }
    return ExitCode::green;
}

ExitCode run_token_revoke(const TokenFlags& flags, bool config_named) {
    util::SystemClock clock;
    ExitCode failure = ExitCode::green;
    auto store = open_store(flags.config_file, config_named, flags.database, clock, failure);
    if (!store) return failure;
    if (auto revoked = store->revoke_token(flags.name); !revoked) {
        print_error(revoked.message());
        return ExitCode::usage;
    }
    std::cerr << fmt::format("greenlight serve: token {} revoked\n", flags.name);
    return ExitCode::green;
}

// A clock that always says the same time: `greenlight watch --once --now TIME`.
class FixedClock final : public util::Clock {
public:
    explicit FixedClock(util::WallTime time) : m_time(time) {}
    util::WallTime now() const override { return m_time; }
    std::chrono::steady_clock::time_point steady_now() const override { return std::chrono::steady_clock::now(); }

private:
    util::WallTime m_time;
};

ExitCode run_watch(const WatchFlags& flags, bool config_named) {
    if (!flags.once) {
        print_error(
            "greenlight watch evaluates the checks once: give --once (for a server that keeps watching, run "
            "greenlight serve)");
        return ExitCode::usage;
    }
    std::optional<util::WallTime> now;
    if (!flags.now.empty()) {
        auto parsed = serve::parse_utc_time(flags.now);
        if (parsed) now = *parsed;
        if (!now) {
            print_error(fmt::format("--now {}: expected a UTC time like 2026-11-21T10:00:00Z", flags.now));
            return ExitCode::usage;
        }
    }
    util::SystemClock system;
    FixedClock fixed(now.value_or(system.now()));
    ExitCode failure = ExitCode::green;
    std::optional<config::Config> config;
    auto store = open_store(flags.config_file, config_named, flags.database, fixed, failure, &config);
    if (!store) return failure;
    if (auto synced = store->sync_checks_from_config(serve::checks_from_config(config->watch)); !synced) {
        print_error(synced.message());
        return ExitCode::usage;
    }
    auto channels = serve::resolve_channels(config->watch, serve::process_environment());
    if (!channels) {
        print_error(channels.message());
        return ExitCode::usage;
    }
    auto sender = serve::make_http_alert_sender(config->serve.url, std::chrono::seconds{10});
    auto round =
        serve::run_watch_round(*store, *channels, serve::heartbeat_from_config(config->watch), *sender, fixed.now());
    if (!round) {
        print_error(round.message());
        return ExitCode::infrastructure;
    }
    bool any_down = false;
    std::cout << fmt::format("{:<32} {:<7} {:<21} {:<21} {}\n", "check", "state", "last success", "next due", "reason");
    for (const auto& [spec, status] : round->checks) {
        const serve::CheckState state = spec.paused ? serve::CheckState::paused : status.state;
        any_down = any_down || state == serve::CheckState::down;
        std::cout << fmt::format("{:<32} {:<7} {:<21} {:<21} {}\n", spec.name, serve::to_string(state),
                                 status.last_success ? util::format_utc(*status.last_success) : "never",
                                 status.next_due ? util::format_utc(*status.next_due) : "-", status.reason);
    }
    std::cout << fmt::format("alerts: {} queued, {} sent, {} to retry\n", round->alerts_queued, round->alerts_sent,
                             round->alerts_failed);
    return any_down ? ExitCode::red : ExitCode::green;
}

}  // namespace

void add_serve_command(CLI::App& app, ExitCode& exit_code) {
    auto serve_flags = std::make_shared<ServeFlags>();
    CLI::App* serve = app.add_subcommand(
        "serve",
        "Run history, watchdog checks and alerts, the dashboard and (with --bridge) the bridge's jobs interface, in "
        "one server. Settings come from greenlight.yml's serve: and watch: sections; flags win. Stops on SIGINT or "
        "SIGTERM. See docs/SERVE.md and docs/API.md.");
    CLI::Option* serve_config = serve
                                    ->add_option("--config", serve_flags->config_file,
                                                 "The config file (default greenlight.yml; may be absent)")
                                    ->type_name("FILE");
    serve->add_option("--listen", serve_flags->listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
    serve->add_option("--db", serve_flags->database,
                      "sqlite:PATH or postgresql://user@host:port/name (password from PGPASSWORD); "
                      "also GREENLIGHT_SERVE_DB");
    serve->add_option("--bundles", serve_flags->bundles, "Where uploaded bundles are kept")->type_name("DIR");
    serve->add_flag("--bridge", serve_flags->bridge, "Host the bridge's jobs interface too (serve.bridge settings)");
    serve->add_option("--tls-cert", serve_flags->tls_cert, "PEM certificate: serve HTTPS (with --tls-key)")
        ->type_name("FILE");
    serve->add_option("--tls-key", serve_flags->tls_key, "PEM private key of --tls-cert")->type_name("FILE");
    serve->add_option("--log-level", serve_flags->log_level, "info (default) or debug (one line per request)");
    serve->require_subcommand(0, 1);
    serve->callback([serve, serve_flags, serve_config, &exit_code] {
        if (serve->get_subcommands().empty()) exit_code = run_serve(*serve_flags, serve_config->count() > 0);
    });

    CLI::App* token = serve->add_subcommand("token",
                                            "Tokens for ingestion (greenlight push, run --report-to) and "
                                            "for the API's writes; only their hash is stored");
    token->require_subcommand(1);
    auto add_token_command = [&](const std::string& name, const std::string& description, auto action, bool takes_name,
                                 bool takes_scope) {
        auto flags = std::make_shared<TokenFlags>();
        CLI::App* command = token->add_subcommand(name, description);
        CLI::Option* config = command->add_option("--config", flags->config_file, "The config file")->type_name("FILE");
        command->add_option("--db", flags->database, "The server's database (default: serve.db of the config)");
        if (takes_name) command->add_option("NAME", flags->name, "The token's name (who uses it)")->required();
        if (takes_scope) command->add_option("--scope", flags->scope, "ingest (default) or admin");
        command->callback([flags, config, action, &exit_code] { exit_code = action(*flags, config->count() > 0); });
    };
    add_token_command("create", "Create a token and print it once on standard output", run_token_create, true, true);
    add_token_command("list", "List the tokens (names and scopes, never secrets)", run_token_list, false, false);
    add_token_command("revoke", "Revoke a token", run_token_revoke, true, false);
}

void add_watch_command(CLI::App& app, ExitCode& exit_code) {
    auto flags = std::make_shared<WatchFlags>();
    CLI::App* watch = app.add_subcommand(
        "watch",
        "Evaluate the watchdog checks once against the server's database, send the alerts that are due, print each "
        "check's state; exit 1 when a check is down. For cron and tests; greenlight serve does this continuously.");
    CLI::Option* config = watch->add_option("--config", flags->config_file, "The config file")->type_name("FILE");
    watch->add_option("--db", flags->database, "The server's database (default: serve.db of the config)");
    watch->add_flag("--once", flags->once, "Evaluate once and exit (required)");
    watch->add_option("--now", flags->now, "Evaluate as of this UTC time (e.g. 2026-11-21T10:00:00Z)");
    watch->callback([flags, config, &exit_code] { exit_code = run_watch(*flags, config->count() > 0); });
}

}  // namespace greenlight::cli
