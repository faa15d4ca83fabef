// A throwaway PostgreSQL server for the serve tests: initdb + pg_ctl in a temporary folder, listening on
// 127.0.0.1 and a free port (its unix socket in the same folder), stopped and removed when the test binary
// ends. Each test takes a fresh database in the shared one (shared_postgres_cluster): under ctest that is the
// run's one server (test/support/postgres_fixture.sh, named by $GREENLIGHT_TEST_POSTGRES), otherwise one
// per test binary.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace greenlight::test_support {

class PostgresCluster {
public:
    // Where Debian's postgresql package puts the server programs (the newest version present).
    static std::filesystem::path find_binaries() {
        std::filesystem::path preferred = "/usr/lib/postgresql/15/bin";
        if (std::filesystem::exists(preferred / "initdb")) return preferred;
        std::filesystem::path newest;
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", error)) {
            if (std::filesystem::exists(entry.path() / "bin" / "initdb") && entry.path() > newest)
                newest = entry.path();
        }
        return newest.empty() ? newest : newest / "bin";
    }

    PostgresCluster() { m_error = start_new(); }

    // The server another process runs on 127.0.0.1:`port` (not stopped here); error() says when it does not answer.
    static std::unique_ptr<PostgresCluster> attach(int port) {
        std::unique_ptr<PostgresCluster> cluster(new PostgresCluster(port));
        PGconn* connection = PQconnectdb(cluster->url("postgres").c_str());
        if (PQstatus(connection) != CONNECTION_OK) cluster->m_error = PQerrorMessage(connection);
        PQfinish(connection);
        return cluster;
    }

    ~PostgresCluster() {
        if (m_running) stop();
        std::error_code ignored;
        if (!m_folder.empty()) std::filesystem::remove_all(m_folder, ignored);
    }

    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    // Empty when the server runs; otherwise why it does not, and what to do.
    const std::string& error() const { return m_error; }
    int port() const { return m_port; }

    // A libpq URL of a database in this cluster.
    std::string url(const std::string& database) const {
        return "postgresql://" + std::string(k_user) + "@127.0.0.1:" + std::to_string(m_port) + "/" + database;
    }

    // Creates an empty database and returns its URL; empty with `error_out` set when that failed.
    std::string create_database(std::string& error_out) {
        // Unique across the test processes that share one server.
        std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(m_databases++);
        PGconn* connection = PQconnectdb(url("postgres").c_str());
        std::string url_out;
        if (PQstatus(connection) != CONNECTION_OK) {
            error_out = std::string("cannot connect to the test PostgreSQL: ") + PQerrorMessage(connection);
        } else {
            PGresult* result = PQexec(connection, ("CREATE DATABASE " + name + " TEMPLATE template0").c_str());
            if (PQresultStatus(result) != PGRES_COMMAND_OK) {
                error_out = std::string("CREATE DATABASE failed: ") + PQresultErrorMessage(result);
            } else {
                url_out = url(name);
            }
            PQclear(result);
        }
        PQfinish(connection);
        return url_out;
    }

    // Stops the server (fast: open connections are cut), keeping its files; true when it stopped.
    bool stop() {
        bool stopped = run(as_owner(
            {(m_binaries / "pg_ctl").string(), "-D", data().string(), "-m", "fast", "-w", "-t", "30", "stop"}));
        if (stopped) m_running = false;
        return stopped;
    }

    // Starts the stopped server again on the same port; true when it accepts connections.
    bool start() {
        std::string options = "-k " + m_folder.string() + " -p " + std::to_string(m_port) +
                              " -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
                              " -c full_page_writes=off -c max_connections=200";
        m_running = run(as_owner({(m_binaries / "pg_ctl").string(), "-D", data().string(), "-l",
                                  (m_folder / "server.log").string(), "-w", "-t", "30", "-o", options, "start"}));
        return m_running;
    }

private:
    static constexpr const char* k_user = "greenlight";

    explicit PostgresCluster(int port) : m_port(port) {}

    std::filesystem::path data() const { return m_folder / "data"; }

    std::string start_new() {
        m_binaries = find_binaries();
        if (m_binaries.empty()) {
            return "PostgreSQL's server programs (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin) are not "
                   "installed: run `scripts/install-deps.sh test` to install the Debian package postgresql";
        }
        std::string pattern = (std::filesystem::temp_directory_path() / "greenlight-postgres-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) return "cannot create a temporary folder for the test PostgreSQL";
        m_folder = pattern;
        // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
        if (::geteuid() == 0) {
            const passwd* owner = ::getpwnam("postgres");
            if (!owner) return "running as root and there is no `postgres` user to run the test PostgreSQL as";
            m_owner = "postgres";
            if (::chown(m_folder.c_str(), owner->pw_uid, owner->pw_gid) != 0) {
                return "cannot hand the test PostgreSQL's folder to the postgres user";
            }
        }
        if (!run(as_owner({(m_binaries / "initdb").string(), "-D", data().string(), "--auth=trust", "-U", k_user,
                           "--no-sync", "--encoding=UTF8", "--locale=C"}))) {
            return "initdb failed: " + log_text();
        }
        m_port = free_port();
        if (m_port == 0) return "no free TCP port on 127.0.0.1 for the test PostgreSQL";
        if (!start()) return "pg_ctl start failed: " + log_text();
        return {};
    }

    std::vector<std::string> as_owner(std::vector<std::string> command) const {
        if (m_owner.empty()) return command;
        std::vector<std::string> wrapped{"runuser", "-u", m_owner, "--"};
        wrapped.insert(wrapped.end(), command.begin(), command.end());
        return wrapped;
    }

    // Runs a program (no shell), its output appended to the folder's commands.log; true when it exits 0.
    bool run(const std::vector<std::string>& command) const {
        std::vector<char*> argv;
        for (const std::string& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        std::string log = (m_folder / "commands.log").string();
        posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        pid_t child = 0;
        int spawned = posix_spawnp(&child, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) return false;
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }

    std::string log_text() const {
        std::ostringstream text;
        for (const char* name : {"commands.log", "server.log"}) {
            std::ifstream file(m_folder / name);
            text << file.rdbuf();
        }
        return text.str();
    }

    static int free_port() {
        int socket = ::socket(AF_INET, SOCK_STREAM, 0);
        if (socket < 0) return 0;
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        int port = 0;
        if (::bind(socket, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
            ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
            port = ntohs(address.sin_port);
        }
        ::close(socket);
        return port;
    }

    std::filesystem::path m_binaries;
    std::filesystem::path m_folder;
    std::string m_owner;
    std::string m_error;
    int m_port = 0;
    bool m_running = false;
    std::atomic<int> m_databases{0};
};

// The cluster the tests share: the ctest run's (the port in the file $GREENLIGHT_TEST_POSTGRES names) when it
// answers, otherwise the binary's own, started by the first test that asks and stopped when the binary exits.
inline PostgresCluster& shared_postgres_cluster() {
    static std::unique_ptr<PostgresCluster> cluster = [] {
        if (const char* port_file = std::getenv("GREENLIGHT_TEST_POSTGRES")) {
            std::ifstream file(port_file);
            int port = 0;
            if (file >> port && port > 0) {
                auto attached = PostgresCluster::attach(port);
                if (attached->error().empty()) return attached;
            }
        }
        return std::make_unique<PostgresCluster>();
    }();
    return *cluster;
}

// The URL of an empty database for one test: `sqlite:<folder>/serve.db`, or a new database in the shared
// cluster. Empty, with `error_out` saying why, when PostgreSQL cannot be had.
inline std::string fresh_database_url(bool postgresql, const std::filesystem::path& folder, std::string& error_out) {
    if (!postgresql) return "sqlite:" + (folder / "serve.db").string();
    auto& cluster = shared_postgres_cluster();
    if (!cluster.error().empty()) {
        error_out = "the PostgreSQL tests need a PostgreSQL server: " + cluster.error();
        return {};
    }
    return cluster.create_database(error_out);
}

}  // namespace greenlight::test_support
