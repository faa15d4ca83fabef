// `greenlight bridge serve` (the z/OSMF-compatible job host) and `greenlight bridge user add|remove` (its users
// file). The host itself lives in bridge/server.hpp; this file reads flags, handles signals and exit codes.
#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include "greenlight/bridge/server.hpp"
#include "greenlight/bridge/users.hpp"
#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/server_process.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::cli {

namespace {

struct ServeFlags {
    std::string listen = "127.0.0.1:8700";
    std::string state_dir;
    std::string users_file;
    std::string tls_cert;
    std::string tls_key;
    int max_active = 1;
    std::string default_time = "1h";
    std::string log_level = "info";
};

struct UserFlags {
    std::string users_file;
    std::string name;
};

ExitCode run_serve(const ServeFlags& flags) {
    bridge::ServerOptions options;
    auto listen = parse_listen(flags.listen);
    if (!listen) {
        print_error(
            fmt::format("--listen {}: expected HOST:PORT (e.g. 127.0.0.1:8700, [::1]:8700; port 0 picks a "
                        "free one)",
                        flags.listen));
        return ExitCode::usage;
    }
    options.host = listen->first;
    options.port = listen->second;
    options.state_dir = flags.state_dir;
    options.users_file =
        flags.users_file.empty() ? options.state_dir / "users.txt" : std::filesystem::path(flags.users_file);
    if (!flags.tls_cert.empty()) options.tls_certificate = flags.tls_cert;
    if (!flags.tls_key.empty()) options.tls_key = flags.tls_key;
    options.max_active = flags.max_active;
    if (flags.default_time == "none" || flags.default_time == "NOLIMIT") {
        options.default_time_limit.reset();
    } else {
        auto duration = util::parse_duration(flags.default_time);
        if (!duration || *duration < std::chrono::seconds{1}) {
            print_error(fmt::format("--default-time {}: expected a duration of at least 1s (e.g. 10m, 1h) or none",
                                    flags.default_time));
            return ExitCode::usage;
        }
        options.default_time_limit = std::chrono::duration_cast<std::chrono::seconds>(*duration);
    }
    auto level = bridge::parse_log_level(flags.log_level);
    if (!level) {
        print_error(fmt::format("--log-level {}: expected error, warning, info or debug", flags.log_level));
        return ExitCode::usage;
    }
    options.log_level = *level;

    if (!install_stop_signal_handlers()) {
        print_error(fmt::format("cannot install signal handlers: {}", std::strerror(errno)));
        return ExitCode::infrastructure;
    }
    auto server = bridge::Server::open(options);
    if (!server) {
        print_error(server.message());
        return ExitCode::usage;
    }
    if (auto started = (*server)->start(); !started) {
        print_error(started.message());
        return ExitCode::infrastructure;
    }
    if (!is_loopback(options.host) && !options.tls_certificate) {
        std::cerr << fmt::format(
            "greenlight bridge: warning: listening on {} without TLS: passwords cross the network in clear; "
            "give --tls-cert and --tls-key\n",
            options.host);
    }
    std::cerr << fmt::format("greenlight bridge: listening on {}\n", (*server)->url()) << std::flush;
    int signal_number = wait_for_stop_signal();
    std::cerr << fmt::format("greenlight bridge: {} received, stopping\n",
                             signal_number == SIGINT ? "SIGINT" : "SIGTERM")
              << std::flush;
    (*server)->stop();
    std::cerr << "greenlight bridge: stopped\n" << std::flush;
    return ExitCode::green;
}

// The password, from GREENLIGHT_BRIDGE_PASSWORD or the first line of standard input (never from argv, where
// other users of the machine could read it).
std::optional<std::string> read_password() {
    if (const char* value = std::getenv("GREENLIGHT_BRIDGE_PASSWORD"); value && *value) return std::string(value);
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (terminal) {
        std::cerr << "password: " << std::flush;
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    bool read = static_cast<bool>(std::getline(std::cin, line));
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    if (!read) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

ExitCode run_user_add(const UserFlags& flags) {
    auto file = bridge::UsersFile::load(flags.users_file, bridge::UsersFile::Missing::empty);
    if (!file) {
        print_error(file.message());
        return ExitCode::usage;
    }
    if (!bridge::normalize_user_name(flags.name)) {
        print_error(
            fmt::format("user name '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $, not starting with a "
                        "digit (it becomes the owner of the user's jobs)",
                        flags.name));
        return ExitCode::usage;
    }
    auto password = read_password();
    if (!password || password->empty()) {
        print_error("no password: set GREENLIGHT_BRIDGE_PASSWORD or write it on standard input");
        return ExitCode::usage;
    }
    auto entry = bridge::make_user_entry(flags.name, *password);
    if (!entry) {
        print_error(entry.message());
        return ExitCode::usage;
    }
    bool replaced = file->find(entry->name) != nullptr;
    file->set(*entry);
    if (auto saved = file->save(flags.users_file); !saved) {
        print_error(saved.message());
        return ExitCode::infrastructure;
    }
    std::cerr << fmt::format("greenlight bridge: user {} {} {}\n", entry->name,
                             replaced ? "has a new password in" : "added to", flags.users_file);
    return ExitCode::green;
}

ExitCode run_user_remove(const UserFlags& flags) {
    auto file = bridge::UsersFile::load(flags.users_file);
    if (!file) {
        print_error(file.message());
        return ExitCode::usage;
    }
    auto name = bridge::normalize_user_name(flags.name);
    if (!name || !file->remove(*name)) {
        print_error(fmt::format("{}: there is no user '{}'", flags.users_file, flags.name));
        return ExitCode::usage;
    }
    if (auto saved = file->save(flags.users_file); !saved) {
        print_error(saved.message());
        return ExitCode::infrastructure;
    }
    std::cerr << fmt::format("greenlight bridge: user {} removed from {}\n", *name, flags.users_file);
    return ExitCode::green;
}

}  // namespace

void add_bridge_serve_commands(CLI::App& bridge, ExitCode& exit_code) {
    auto serve_flags = std::make_shared<ServeFlags>();
    CLI::App* serve = bridge.add_subcommand("serve", "Run the z/OSMF-compatible job host");
    serve->footer(
        "Serves the z/OSMF REST jobs interface (/zosmf/restjobs/jobs) and runs the submitted jobs; jobs and spool\n"
        "live in --state and survive restarts. Every request needs HTTP basic auth against the users file; writes\n"
        "need X-CSRF-ZOSMF-HEADER. Prints `greenlight bridge: listening on URL` on standard error once ready.\n"
        "Stops on SIGINT or SIGTERM (running jobs end as SYS FAIL). See docs/BRIDGE.md.\n"
        "Exit: 0 stopped by a signal, 2 bad flags, users file, TLS files or state folder, 3 cannot listen.");
    serve->add_option("--listen", serve_flags->listen, "HOST:PORT to listen on (port 0: any free port)")
        ->capture_default_str();
    serve->add_option("--state", serve_flags->state_dir, "State folder: jobs database and spool")
        ->type_name("DIR")
        ->required();
    serve
        ->add_option("--users", serve_flags->users_file,
                     "Users file (`greenlight bridge user add`); default: STATE/users.txt")
        ->type_name("FILE");
    serve->add_option("--tls-cert", serve_flags->tls_cert, "PEM certificate: serve HTTPS (with --tls-key)")
        ->type_name("FILE");
    serve->add_option("--tls-key", serve_flags->tls_key, "PEM private key of --tls-cert")->type_name("FILE");
    serve->add_option("--max-active", serve_flags->max_active, "Jobs running at once; the others wait as INPUT")
        ->capture_default_str()
        ->check(CLI::Range(1, 1000));
    serve
        ->add_option("--default-time", serve_flags->default_time,
                     "CPU-time limit of jobs whose JOB card has no TIME= (e.g. 10m, 1h, none)")
        ->capture_default_str();
    serve
        ->add_option("--log-level", serve_flags->log_level,
                     "error, warning, info or debug (debug: one line per request)")
        ->capture_default_str();
    serve->callback([serve_flags, &exit_code] { exit_code = run_serve(*serve_flags); });

    CLI::App* user = bridge.add_subcommand("user", "Manage the job host's users file");
    user->require_subcommand(1);
    auto add_flags = std::make_shared<UserFlags>();
    CLI::App* add = user->add_subcommand("add", "Add a user, or give an existing one a new password");
    add->footer(
        "The password is read from GREENLIGHT_BRIDGE_PASSWORD or the first line of standard input, never from\n"
        "the command line. The file is written atomically with mode 0600 (PBKDF2-SHA256, random salt).\n"
        "A running host picks the change up within a second.");
    add->add_option("--users", add_flags->users_file, "Users file (created if missing)")->type_name("FILE")->required();
    add->add_option("name", add_flags->name, "User name: 1 to 8 of A-Z 0-9 @ # $ (the owner of the user's jobs)")
        ->required();
    add->callback([add_flags, &exit_code] { exit_code = run_user_add(*add_flags); });
    auto remove_flags = std::make_shared<UserFlags>();
    CLI::App* remove = user->add_subcommand("remove", "Remove a user");
    remove->add_option("--users", remove_flags->users_file, "Users file")->type_name("FILE")->required();
    remove->add_option("name", remove_flags->name, "User name")->required();
    remove->callback([remove_flags, &exit_code] { exit_code = run_user_remove(*remove_flags); });
}

}  // namespace greenlight::cli
