#include "greenlight/bridge/users.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <semaphore>
#include <thread>

#include "greenlight/bridge/http_input.hpp"
#include "greenlight/bridge/names.hpp"
#include "greenlight/util/base64.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::bridge {

namespace {

using util::make_error;
using util::Result;
using util::Status;

constexpr std::string_view k_scheme = "pbkdf2-sha256";
constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_hash_bytes = 32;

std::optional<std::string> pbkdf2(std::string_view password, std::string_view salt, int iterations) {
    std::string hash(k_hash_bytes, '\0');
    // PKCS5_PBKDF2_HMAC takes non-null pointers even for empty input.
    static const char empty = '\0';
    const char* password_bytes = password.empty() ? &empty : password.data();
    if (PKCS5_PBKDF2_HMAC(password_bytes, static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), static_cast<int>(hash.size()),
                          reinterpret_cast<unsigned char*>(hash.data())) != 1) {
        return std::nullopt;
    }
    return hash;
}

std::string random_bytes(std::size_t count) {
    std::string bytes(count, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
        // OpenSSL's generator failing is not something to carry on from: a predictable salt or key is worse.
        throw std::runtime_error("cannot get random bytes from OpenSSL");
    }
    return bytes;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
}

bool is_blank_or_comment(std::string_view line) {
    std::string_view trimmed = util::trim(line);
    return trimmed.empty() || trimmed.front() == '#';
}

std::string entry_line(const UserEntry& entry) {
    return fmt::format("{}:{}:{}:{}:{}", entry.name, k_scheme, entry.iterations, util::base64_encode(entry.salt),
                       util::base64_encode(entry.hash));
}

// At most this many PBKDF2 computations at once: a flood of wrong passwords costs the host these cores, not all.
std::counting_semaphore<64>& pbkdf2_slots() {
    static std::counting_semaphore<64> slots(
        static_cast<std::ptrdiff_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u)));
    return slots;
}

std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::optional<std::string> normalize_user_name(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; });
    if (!is_valid_jcl_name(upper)) return std::nullopt;
    return upper;
}

Result<UserEntry> make_user_entry(std::string_view name, std::string_view password, int iterations) {
    auto normalized = normalize_user_name(name);
    if (!normalized) {
        return make_error(
            fmt::format("user name '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $, not starting "
                        "with a digit (it becomes the owner of the user's jobs)",
                        util::printable(name)));
    }
    if (password.empty()) return make_error("the password is empty");
    if (iterations < k_minimum_iterations || iterations > k_maximum_iterations) {
        return make_error(fmt::format("{} iterations is out of range: expected {} to {}", iterations,
                                      k_minimum_iterations, k_maximum_iterations));
    }
    UserEntry entry;
    entry.name = *normalized;
    entry.iterations = iterations;
    entry.salt = random_bytes(k_salt_bytes);
    auto hash = pbkdf2(password, entry.salt, iterations);
    if (!hash) return make_error("PBKDF2 failed in OpenSSL");
    entry.hash = std::move(*hash);
    return entry;
}

bool verify_password(const UserEntry& entry, std::string_view password) {
    auto hash = pbkdf2(password, entry.salt, entry.iterations);
    if (!hash || hash->size() != entry.hash.size()) return false;
    return CRYPTO_memcmp(hash->data(), entry.hash.data(), hash->size()) == 0;
}

Result<UsersFile> UsersFile::parse(std::string_view text, const std::string& file_name) {
    UsersFile file;
    int line_number = 0;
    for (std::string_view line : util::split_lines(text)) {
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        file.m_lines.emplace_back(line);
        if (is_blank_or_comment(line)) continue;
        const auto error = [&](const std::string& why) {
            return make_error(fmt::format("{}:{}: {}", file_name, line_number, why));
        };
        auto fields = split(line, ':');
        if (fields.size() != 5) {
            return error(fmt::format("expected NAME:{}:ITERATIONS:SALT_BASE64:HASH_BASE64, found {} field{}", k_scheme,
                                     fields.size(), fields.size() == 1 ? "" : "s"));
        }
        UserEntry entry;
        entry.line = line_number;
        auto name = normalize_user_name(fields[0]);
        if (!name) {
            return error(
                fmt::format("user name '{}' is not valid: expected 1 to 8 of A-Z 0-9 @ # $, not starting "
                            "with a digit",
                            util::printable(fields[0])));
        }
        entry.name = *name;
        if (fields[1] != k_scheme) {
            return error(fmt::format("unknown hash scheme '{}': expected {}", util::printable(fields[1]), k_scheme));
        }
        auto [end, parsed] = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), entry.iterations);
        if (parsed != std::errc() || end != fields[2].data() + fields[2].size() ||
            entry.iterations < k_minimum_iterations || entry.iterations > k_maximum_iterations) {
            return error(fmt::format("iterations '{}' is not valid: expected a number from {} to {}",
                                     util::printable(fields[2]), k_minimum_iterations, k_maximum_iterations));
        }
        auto salt = util::base64_decode(fields[3]);
        if (!salt || salt->size() < 8) return error("the salt is not valid base64 of at least 8 bytes");
        auto hash = util::base64_decode(fields[4]);
        if (!hash || hash->size() != k_hash_bytes) {
            return error(fmt::format("the hash is not valid base64 of {} bytes", k_hash_bytes));
        }
        entry.salt = std::move(*salt);
        entry.hash = std::move(*hash);
        if (const UserEntry* earlier = file.find(entry.name)) {
            return error(fmt::format("user {} is already defined on line {}", entry.name, earlier->line));
        }
        file.m_users.push_back(std::move(entry));
    }
    return file;
}

Result<UsersFile> UsersFile::load(const std::filesystem::path& path, Missing missing) {
    std::error_code error;
    if (missing == Missing::empty && !std::filesystem::exists(path, error)) return UsersFile();
    auto text = util::read_file(path);
    if (!text) return text.error();
    return parse(*text, path.string());
}

const UserEntry* UsersFile::find(std::string_view normalized_name) const {
    auto found = std::find_if(m_users.begin(), m_users.end(),
                              [&](const UserEntry& entry) { return entry.name == normalized_name; });
    return found == m_users.end() ? nullptr : &*found;
}

void UsersFile::set(const UserEntry& entry) {
    for (UserEntry& existing : m_users) {
        if (existing.name == entry.name) {
            int line = existing.line;
            existing = entry;
            existing.line = line;
            return;
        }
    }
    m_lines.push_back("");  // replaced by the entry in text()
    UserEntry added = entry;
    added.line = static_cast<int>(m_lines.size());
    m_users.push_back(std::move(added));
}

bool UsersFile::remove(std::string_view normalized_name) {
    auto found = std::find_if(m_users.begin(), m_users.end(),
                              [&](const UserEntry& entry) { return entry.name == normalized_name; });
    if (found == m_users.end()) return false;
    int removed_line = found->line;
    m_lines.erase(m_lines.begin() + (removed_line - 1));
    m_users.erase(found);
    for (UserEntry& entry : m_users) {
        if (entry.line > removed_line) --entry.line;
    }
    return true;
}

std::string UsersFile::text() const {
    std::vector<std::string> lines = m_lines;
    for (const UserEntry& entry : m_users) lines[static_cast<std::size_t>(entry.line - 1)] = entry_line(entry);
    std::string text;
    for (const std::string& line : lines) {
        text += line;
        text += '\n';
    }
    return text;
}

Status UsersFile::save(const std::filesystem::path& path) const {
    // Not util::write_file_atomic: the file holds password hashes, so it is never readable by others, not even
    // for the moment between create and chmod.
    const std::string content = text();
    std::filesystem::path temporary = path;
    temporary += fmt::format(".tmp.{}", ::getpid());
    int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (descriptor < 0) {
        return make_error(fmt::format("cannot create {}: {}", temporary.string(), std::strerror(errno)));
    }
    std::string failure;
    std::size_t written = 0;
    while (written < content.size() && failure.empty()) {
        ssize_t count = ::write(descriptor, content.data() + written, content.size() - written);
        if (count < 0 && errno == EINTR) continue;
        if (count < 0)
            failure = fmt::format("cannot write {}: {}", temporary.string(), std::strerror(errno));
        else
            written += static_cast<std::size_t>(count);
    }
    if (failure.empty() && ::fchmod(descriptor, 0600) != 0) {
        failure = fmt::format("cannot set the mode of {}: {}", temporary.string(), std::strerror(errno));
    }
    if (failure.empty() && ::fsync(descriptor) != 0) {
        failure = fmt::format("cannot sync {}: {}", temporary.string(), std::strerror(errno));
    }
    ::close(descriptor);
    if (failure.empty() && ::rename(temporary.c_str(), path.c_str()) != 0) {
        failure = fmt::format("cannot rename {} to {}: {}", temporary.string(), path.string(), std::strerror(errno));
    }
    if (!failure.empty()) {
        ::unlink(temporary.c_str());
        return make_error(failure);
    }
    std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    int folder_descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (folder_descriptor >= 0) {
        ::fsync(folder_descriptor);
        ::close(folder_descriptor);
    }
    return {};
}

Authenticator::Authenticator(std::filesystem::path users_file, Log log)
    : m_users_file(std::move(users_file)), m_log(std::move(log)), m_cache_secret(random_bytes(32)) {}

Authenticator::~Authenticator() {
    OPENSSL_cleanse(m_cache_secret.data(), m_cache_secret.size());
}

Result<std::unique_ptr<Authenticator>> Authenticator::create(std::filesystem::path users_file, Log log) {
    std::unique_ptr<Authenticator> authenticator(new Authenticator(std::move(users_file), std::move(log)));
    struct stat info {};
    if (::stat(authenticator->m_users_file.c_str(), &info) != 0) {
        return make_error(fmt::format(
            "cannot read the users file {}: {}; create it with `greenlight bridge user "
            "add --users {} NAME`",
            authenticator->m_users_file.string(), std::strerror(errno), authenticator->m_users_file.string()));
    }
    auto file = UsersFile::load(authenticator->m_users_file);
    if (!file) return file.error();
    if (file->users().empty()) {
        return make_error(fmt::format("{}: no users: add one with `greenlight bridge user add --users {} NAME`",
                                      authenticator->m_users_file.string(), authenticator->m_users_file.string()));
    }
    authenticator->m_users = file->users();
    authenticator->m_identity =
        FileIdentity{static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
                     static_cast<std::uintmax_t>(info.st_size), static_cast<std::uint64_t>(info.st_ino)};
    authenticator->m_next_check_ms = steady_ms() + 1000;
    return authenticator;
}

void Authenticator::reload_if_changed() {
    std::int64_t now = steady_ms();
    std::int64_t next = m_next_check_ms.load(std::memory_order_relaxed);
    if (now < next) return;
    // One thread looks; the others go on with the users they have.
    if (!m_next_check_ms.compare_exchange_strong(next, now + 1000)) return;
    std::lock_guard reload_lock(m_reload_mutex);
    struct stat info {};
    if (::stat(m_users_file.c_str(), &info) != 0) {
        if (m_log) {
            m_log(fmt::format("warning: cannot read the users file {}: {}; the users loaded before stay in force",
                              m_users_file.string(), std::strerror(errno)));
        }
        return;
    }
    FileIdentity identity{static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec,
                          static_cast<std::uintmax_t>(info.st_size), static_cast<std::uint64_t>(info.st_ino)};
    {
        std::shared_lock lock(m_mutex);
        if (identity == m_identity) return;
    }
    auto file = UsersFile::load(m_users_file);
    std::unique_lock lock(m_mutex);
    m_identity = identity;  // a broken file is reported once, not every second
    if (!file) {
        if (m_log) m_log(fmt::format("error: {}; the users loaded before stay in force", file.message()));
        return;
    }
    m_users = file->users();
    m_cache.clear();
    if (m_log)
        m_log(fmt::format("users file {} reloaded: {} user{}", m_users_file.string(), m_users.size(),
                          m_users.size() == 1 ? "" : "s"));
}

std::string Authenticator::cache_key(std::string_view normalized_name, std::string_view password) const {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    static const unsigned char empty = 0;
    HMAC(EVP_sha256(), m_cache_secret.data(), static_cast<int>(m_cache_secret.size()),
         password.empty() ? &empty : reinterpret_cast<const unsigned char*>(password.data()), password.size(), digest,
         &length);
    std::string key(normalized_name);
    key += '\0';
    key.append(reinterpret_cast<const char*>(digest), length);
    return key;
}

std::optional<std::string> Authenticator::authenticate(std::string_view user, std::string_view password) {
    reload_if_changed();
    auto name = normalize_user_name(user);
    if (!name || password.empty() || password.size() > 512) return std::nullopt;
    const std::string key = cache_key(*name, password);
    std::optional<UserEntry> entry;
    {
        std::shared_lock lock(m_mutex);
        if (m_cache.contains(key)) return name;
        auto found = std::find_if(m_users.begin(), m_users.end(), [&](const UserEntry& e) { return e.name == *name; });
        if (found != m_users.end()) entry = *found;
    }
    // An unknown user costs the same PBKDF2 as a known one, so timing does not tell which names exist.
    UserEntry checked = entry.value_or(
        UserEntry{"", k_minimum_iterations, std::string(k_salt_bytes, 'x'), std::string(k_hash_bytes, '\0'), 0});
    pbkdf2_slots().acquire();
    bool right = verify_password(checked, password);
    pbkdf2_slots().release();
    ++m_derivations;
    if (!entry || !right) return std::nullopt;

    std::unique_lock lock(m_mutex);
    // The users may have been reloaded meanwhile: cache only what still holds.
    auto current = std::find_if(m_users.begin(), m_users.end(), [&](const UserEntry& e) { return e.name == *name; });
    if (current == m_users.end() || current->hash != entry->hash) return std::nullopt;
    if (m_cache.size() >= k_max_cached_credentials) m_cache.clear();
    m_cache.insert(key);
    return name;
}

std::size_t Authenticator::cached_entries() const {
    std::shared_lock lock(m_mutex);
    return m_cache.size();
}

std::size_t Authenticator::user_count() const {
    std::shared_lock lock(m_mutex);
    return m_users.size();
}

}  // namespace greenlight::bridge
