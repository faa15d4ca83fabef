// The users of the job host: a text file of salted PBKDF2-SHA256 password hashes, one user a line, and the
// authenticator that checks HTTP basic-auth credentials against it (with an in-memory cache of successful checks,
// so status polls do not pay for PBKDF2 every time). docs/BRIDGE.md, "The host", describes the file.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// PBKDF2 rounds: new hashes use k_default_iterations; a file with fewer than k_minimum_iterations (or more than
// k_maximum_iterations, which would let one login stall the host) is refused.
inline constexpr int k_minimum_iterations = 100'000;
inline constexpr int k_default_iterations = 210'000;
inline constexpr int k_maximum_iterations = 10'000'000;

// A user name as the host knows it: the name upper-cased, which must then be a JCL name (1 to 8 of A-Z 0-9 @ # $,
// not starting with a digit), because it becomes the owner of the user's jobs. nullopt otherwise.
std::optional<std::string> normalize_user_name(std::string_view name);

// One line `NAME:pbkdf2-sha256:ITERATIONS:SALT_BASE64:HASH_BASE64`.
struct UserEntry {
    std::string name;  // normalized
    int iterations = 0;
    std::string salt;  // raw bytes
    std::string hash;  // raw bytes, 32 (SHA-256)
    int line = 0;
};

// A new entry for `password`: a fresh 16-byte random salt, PBKDF2-HMAC-SHA256.
util::Result<UserEntry> make_user_entry(std::string_view name, std::string_view password,
                                        int iterations = k_default_iterations);
// Whether `password` is the entry's password (constant-time comparison).
bool verify_password(const UserEntry& entry, std::string_view password);

// The users file, as lines, so that comments and order survive `user add` and `user remove`.
class UsersFile {
public:
    // Errors name the file and line: "users.txt:3: ...".
    static util::Result<UsersFile> parse(std::string_view text, const std::string& file_name);
    // A missing file is an error unless missing_is_empty.
    enum class Missing { error, empty };
    static util::Result<UsersFile> load(const std::filesystem::path& path, Missing missing = Missing::error);

    const std::vector<UserEntry>& users() const { return m_users; }
    const UserEntry* find(std::string_view normalized_name) const;
    // Adds the user, or replaces its line when it exists.
    void set(const UserEntry& entry);
    // false when there was no such user.
    bool remove(std::string_view normalized_name);

    std::string text() const;
    // Written atomically (temporary file, fsync, rename, fsync of the folder) with mode 0600.
    util::Status save(const std::filesystem::path& path) const;

private:
    std::vector<std::string> m_lines;  // every line; user lines are rebuilt from m_users on text()
    std::vector<UserEntry> m_users;    // line = index into m_lines + 1
};

// Checks basic-auth credentials. Successful checks are cached in memory, keyed by the user and an HMAC-SHA256 of
// the password under a random key made at start (the password itself is never kept); the cache is bounded and
// emptied whenever the users file changes. The file is looked at again at most once a second (its modification
// time, size and inode); a changed file that does not load is logged and the users loaded before stay in force.
class Authenticator {
public:
    using Log = std::function<void(const std::string&)>;

    // Loads the file (errors name file and line).
    static util::Result<std::unique_ptr<Authenticator>> create(std::filesystem::path users_file, Log log = {});
    ~Authenticator();

    // The job owner (the normalized user name) when the credentials are right.
    std::optional<std::string> authenticate(std::string_view user, std::string_view password);

    std::size_t cached_entries() const;
    std::size_t user_count() const;
    // How many PBKDF2 derivations authenticate() has run (a cached check runs none).
    std::uint64_t derivations() const { return m_derivations.load(); }

private:
    struct FileIdentity {
        std::int64_t modified_ns = 0;
        std::uintmax_t size = 0;
        std::uint64_t inode = 0;
        bool operator==(const FileIdentity&) const = default;
    };

    Authenticator(std::filesystem::path users_file, Log log);
    void reload_if_changed();
    std::string cache_key(std::string_view normalized_name, std::string_view password) const;

    std::filesystem::path m_users_file;
    Log m_log;
    std::string m_cache_secret;  // 32 random bytes

    mutable std::shared_mutex m_mutex;  // guards m_users, m_identity, m_cache
    std::vector<UserEntry> m_users;
    FileIdentity m_identity;
    std::unordered_set<std::string> m_cache;
    std::atomic<std::int64_t> m_next_check_ms{0};
    std::atomic<std::uint64_t> m_derivations{0};
    std::mutex m_reload_mutex;
};

inline constexpr std::size_t k_max_cached_credentials = 4096;

}  // namespace greenlight::bridge
