// `serve` of greenlight.yml: the server's listen address, database, public URL, bundles folder and
// dashboard users, request limits, retention, and the bridge it hosts.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "greenlight/config/keys.hpp"
#include "greenlight/config/section_readers.hpp"
#include "greenlight/config/yaml_reading.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::config::detail {
namespace {

// Whether `serve.listen` is host:port (an IPv6 host in brackets); the error says what is wrong.
util::Status check_listen_address(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        size_t close = text.find(']');
        if (close == std::string_view::npos) return util::make_error("an IPv6 host without ']'");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':')
            return util::make_error("no ':' and port after the host");
        port = text.substr(close + 2);
        const bool host_ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        });
        if (!host_ok) return util::make_error("the host is not an IPv6 address");
    } else {
        size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return util::make_error("no ':' and port");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.empty())
            return util::make_error("no host (write 127.0.0.1 for this machine only, 0.0.0.0 for every address)");
        const bool host_ok = std::all_of(host.begin(), host.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
        });
        if (!host_ok)
            return util::make_error("the host has characters a host name cannot have (an IPv6 host goes in brackets)");
    }
    auto number = parse_whole_number(port);
    if (port.empty() || !number || *number < 0 || *number > 65535)
        return util::make_error("the port must be a number from 0 to 65535");
    return {};
}

// Whether `serve.db` names a database greenlight can use; the error says what is wrong.
util::Status check_database(std::string_view text) {
    constexpr std::string_view k_sqlite = "sqlite:";
    if (text.starts_with(k_sqlite)) {
        if (text.size() == k_sqlite.size()) return util::make_error("no file after sqlite:");
        return {};
    }
    for (std::string_view scheme : {"postgresql://", "postgres://"}) {
        if (!text.starts_with(scheme)) continue;
        std::string_view rest = text.substr(scheme.size());
        std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
        size_t at = authority.rfind('@');
        if (at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos) {
            return util::make_error("it holds a password; give the password in PGPASSWORD (or ~/.pgpass) instead");
        }
        if (rest.find("password=") != std::string_view::npos) {
            return util::make_error("it holds a password; give the password in PGPASSWORD (or ~/.pgpass) instead");
        }
        return {};
    }
    return util::make_error("it starts with neither sqlite: nor postgresql://");
}

// Whether `serve.url` is http(s), a path allowed, no user info, query or fragment; the error says what is wrong.
util::Status check_public_url(std::string_view url) {
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) return util::make_error("it has no scheme");
    std::string_view scheme = url.substr(0, scheme_end);
    if (scheme != "http" && scheme != "https") return util::make_error("the scheme must be http or https");
    std::string_view rest = url.substr(scheme_end + 3);
    std::string_view authority = rest.substr(0, rest.find('/'));
    if (authority.empty()) return util::make_error("it has no host");
    if (authority.find('@') != std::string_view::npos) return util::make_error("it holds user info");
    if (rest.find_first_of("?#") != std::string_view::npos) return util::make_error("it has a query or fragment");
    return {};
}

class ServeReader : public YamlReader {
public:
    ServeReader(const YamlReader& reader, ServeConfig& serve) : YamlReader(reader), m_serve(serve) {}

    void read_serve(const MapEntry& entry);

private:
    void read_serve_limits(const YAML::Node& node, const std::string& path);
    void read_serve_retention(const YAML::Node& node, const std::string& path);
    void read_serve_bridge(const YAML::Node& node, const std::string& path);

    ServeConfig& m_serve;
};

void ServeReader::read_serve(const MapEntry& entry) {
    const std::string section = "serve";
    ServeConfig& serve = m_serve;
    if (!entry.value.IsMap()) {
        // `serve:` with nothing after it takes every default.
        if (!entry.value.IsDefined() || entry.value.IsNull()) {
            serve.present = true;
            serve.line = position_of(entry.key_node).line;
            return;
        }
        add_error(entry.value, section,
                  fmt::format("expected a mapping with any of {}; found {}",
                              word_list(allowed_keys(Section::serve), "and"), describe(entry.value)));
        return;
    }
    serve.present = true;
    serve.line = position_of(entry.key_node).line;
    for (const auto& item : entries(entry.value, section, Section::serve)) {
        const std::string path = child_path(section, item.key);
        const YAML::Node& value = item.value;
        if (item.key == "listen") {
            constexpr std::string_view k_expected = "host:port such as 127.0.0.1:8080 or [::1]:8080";
            auto text = read_string(value, path, k_expected);
            if (!text) continue;
            if (auto checked = check_listen_address(*text); !checked) {
                add_error(value, path,
                          fmt::format("expected {}; found {}: {}", k_expected, describe(value), checked.message()));
                continue;
            }
            serve.listen = *text;
        } else if (item.key == "db") {
            constexpr std::string_view k_expected =
                "sqlite:PATH or postgresql://user@host:port/name (password in PGPASSWORD)";
            auto text = read_string(value, path, k_expected);
            if (!text) continue;
            // The value may hold a password, so the message says what is wrong without quoting it.
            if (auto checked = check_database(*text); !checked) {
                add_error(value, path, fmt::format("expected {}; {}", k_expected, checked.message()));
                continue;
            }
            serve.db = *text;
        } else if (item.key == "url") {
            constexpr std::string_view k_expected = "the public base URL, such as https://ci.example.com";
            auto text = read_string(value, path, k_expected);
            if (!text) continue;
            if (auto checked = check_public_url(*text); !checked) {
                add_error(value, path,
                          fmt::format("expected {}, without user info, query or fragment; found {}: {}", k_expected,
                                      describe(value), checked.message()));
                continue;
            }
            serve.url = *text;
            while (!serve.url.empty() && serve.url.back() == '/') serve.url.pop_back();
        } else if (item.key == "bundles") {
            if (auto folder = read_string(value, path, "a folder, relative to greenlight.yml")) serve.bundles = *folder;
        } else if (item.key == "dashboard_users") {
            if (auto file =
                    read_string(value, path, "a users file (greenlight bridge user add), relative to greenlight.yml")) {
                serve.dashboard_users = *file;
            }
        } else if (item.key == "limits") {
            read_serve_limits(value, path);
        } else if (item.key == "retention") {
            read_serve_retention(value, path);
        } else if (item.key == "bridge") {
            read_serve_bridge(value, path);
        }
    }
}

void ServeReader::read_serve_limits(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::serve_limits);
    if (!items) return;
    ServeLimitsConfig& limits = m_serve.limits;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "max_body") {
            if (auto size = read_size(item.value, item_key_path)) limits.max_body = *size;
        } else if (item.key == "requests_per_minute") {
            if (auto count = read_whole_number(item.value, item_key_path, 1, 1'000'000)) {
                limits.requests_per_minute = static_cast<int>(*count);
            }
        }
    }
}

void ServeReader::read_serve_retention(const YAML::Node& node, const std::string& path) {
    auto items = read_subsection(node, path, Section::serve_retention);
    if (!items) return;
    ServeRetentionConfig& retention = m_serve.retention;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        std::optional<Milliseconds>* target = item.key == "runs"    ? &retention.runs
                                              : item.key == "pings" ? &retention.pings
                                                                    : &retention.alerts;
        if (is_string(item.value) && item.value.Scalar() == "forever") {
            target->reset();
            continue;
        }
        // Anything shorter than an hour is a mistake (a unit left out) rather than a policy.
        constexpr std::string_view k_expected = "a duration of at least 1h such as 90d or 720h, or forever";
        auto duration = is_string(item.value) ? util::parse_duration(item.value.Scalar()) : std::nullopt;
        if (!duration || *duration < std::chrono::hours{1}) {
            add_error(item.value, item_key_path,
                      fmt::format("expected {}; found {}", k_expected, describe(item.value)));
            continue;
        }
        *target = *duration;
    }
}

void ServeReader::read_serve_bridge(const YAML::Node& node, const std::string& path) {
    ServeBridgeConfig& bridge = m_serve.bridge;
    if (!node.IsDefined() || node.IsNull()) {
        bridge.present = true;  // `bridge:` alone: host the jobs interface with the defaults
        return;
    }
    auto items = read_subsection(node, path, Section::serve_bridge);
    if (!items) return;
    bridge.present = true;
    for (const auto& item : *items) {
        const std::string item_key_path = child_path(path, item.key);
        if (item.key == "state") {
            if (auto folder = read_string(item.value, item_key_path, "a folder, relative to greenlight.yml")) {
                bridge.state = *folder;
            }
        } else if (item.key == "users") {
            if (auto file = read_string(item.value, item_key_path,
                                        "a users file (greenlight bridge user add), relative to greenlight.yml")) {
                bridge.users = *file;
            }
        } else if (item.key == "max_active") {
            if (auto count = read_whole_number(item.value, item_key_path, 1, 64)) {
                bridge.max_active = static_cast<int>(*count);
            }
        }
    }
}

}  // namespace

void read_serve_section(YamlReader& reader, const MapEntry& entry, ServeConfig& serve) {
    ServeReader(reader, serve).read_serve(entry);
}

}  // namespace greenlight::config::detail
