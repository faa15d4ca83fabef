#include "greenlight/bridge/http_input.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

#include "greenlight/bridge/names.hpp"
#include "greenlight/util/base64.hpp"

namespace greenlight::bridge {

namespace {

constexpr std::string_view k_jobs_prefix[] = {"zosmf", "restjobs", "jobs"};

char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string uppercase(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), upper);
    return result;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return upper(x) == upper(y); });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Decodes %XX (and '+' as a blank when asked); nullopt on a malformed escape or a NUL, encoded or not.
std::optional<std::string> decode(std::string_view text, bool plus_is_blank) {
    std::string result;
    result.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
        } else if (c == '+' && plus_is_blank) {
            c = ' ';
        }
        if (c == '\0') return std::nullopt;
        result += c;
    }
    return result;
}

RouteError invalid(std::string message) {
    return RouteError{RouteError::Kind::invalid, std::move(message)};
}
RouteError not_found(std::string_view path) {
    return RouteError{RouteError::Kind::not_found,
                      fmt::format("no resource of the z/OS jobs REST interface at '{}'", path)};
}

bool is_control(char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

std::optional<RouteError> check_name_and_id(const std::string& jobname, const std::string& jobid) {
    if (!is_valid_jcl_name(jobname)) {
        return invalid(
            fmt::format("'{}' is not a valid job name: expected 1 to 8 of A-Z 0-9 @ # $, not starting "
                        "with a digit",
                        jobname));
    }
    if (!is_valid_job_id(jobid)) {
        return invalid(fmt::format("'{}' is not a valid job id: expected JOBnnnnn or Jnnnnnnn", jobid));
    }
    return std::nullopt;
}

std::optional<int> parse_file_id(std::string_view text) {
    if (text == "JCL") return k_jesjcl_id;
    if (text.empty() || text.size() > 6) return std::nullopt;
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1) return std::nullopt;
    return value;
}

bool is_pattern(std::string_view text) {
    return !text.empty() && text.size() <= 8 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$' || c == '*' ||
               c == '%';
    });
}

}  // namespace

std::string JobReference::display() const {
    if (by_correlator()) return correlator;
    return fmt::format("{}({})", jobname, jobid);
}

std::optional<std::string> percent_decode(std::string_view text) {
    return decode(text, false);
}

RouteOutcome route_path(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') return invalid("the request path must start with '/'");
    std::vector<std::string> segments;
    std::size_t start = 1;
    while (true) {
        std::size_t slash = raw_path.find('/', start);
        std::string_view raw =
            raw_path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        auto decoded = decode(raw, false);
        if (!decoded) return invalid("the request path has a malformed percent-encoding or a NUL");
        if (*decoded == "." || *decoded == ".." || raw == "." || raw == "..") {
            return invalid("the request path has a '.' or '..' segment");
        }
        if (std::any_of(decoded->begin(), decoded->end(),
                        [](char c) { return c == '/' || c == '\\' || is_control(c); })) {
            return invalid("the request path has an encoded '/', a '\\' or a control character in a segment");
        }
        segments.push_back(std::move(*decoded));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    // One trailing '/' is tolerated; an empty segment anywhere else is not.
    if (segments.size() > 1 && segments.back().empty()) segments.pop_back();
    if (segments.size() == 1 && segments[0].empty()) return not_found(raw_path);
    if (std::any_of(segments.begin(), segments.end(), [](const std::string& s) { return s.empty(); })) {
        return invalid("the request path has an empty segment");
    }
    if (segments.size() < 3 || !std::equal(std::begin(k_jobs_prefix), std::end(k_jobs_prefix), segments.begin())) {
        return not_found(raw_path);
    }
    std::vector<std::string> rest(segments.begin() + 3, segments.end());
    if (rest.empty()) return Route{Resource::jobs, {}, 0};

    Route route;
    std::size_t next = 0;
    if (rest[0].find(':') != std::string::npos) {
        if (!is_valid_job_correlator(rest[0])) {
            return invalid(fmt::format("'{}' is not a valid job correlator", rest[0]));
        }
        route.job.correlator = rest[0];
        next = 1;
    } else if (rest[0].starts_with("-")) {
        return invalid("secondary JES subsystems are not supported by this host");
    } else {
        if (rest.size() < 2) {
            return invalid(
                fmt::format("'{}' names no job: use /zosmf/restjobs/jobs/NAME/ID or a job correlator", rest[0]));
        }
        route.job.jobname = uppercase(rest[0]);
        route.job.jobid = uppercase(rest[1]);
        if (auto error = check_name_and_id(route.job.jobname, route.job.jobid)) return *error;
        next = 2;
    }
    const std::size_t remaining = rest.size() - next;
    if (remaining == 0) {
        route.resource = Resource::job;
        return route;
    }
    if (rest[next] != "files") return not_found(raw_path);
    if (remaining == 1) {
        route.resource = Resource::files;
        return route;
    }
    if (remaining == 3 && rest[next + 2] == "records") {
        auto id = parse_file_id(rest[next + 1]);
        if (!id) {
            return invalid(fmt::format("'{}' is not a spool file id: expected a number or JCL", rest[next + 1]));
        }
        route.resource = Resource::file_records;
        route.file_id = *id;
        return route;
    }
    return not_found(raw_path);
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view raw_query,
                                                                            std::size_t max_parameters) {
    std::vector<std::pair<std::string, std::string>> parameters;
    std::size_t start = 0;
    while (start <= raw_query.size() && !raw_query.empty()) {
        std::size_t end = std::min(raw_query.find('&', start), raw_query.size());
        std::string_view item = raw_query.substr(start, end - start);
        if (!item.empty()) {
            if (parameters.size() == max_parameters) return std::nullopt;
            std::size_t equals = item.find('=');
            auto name = decode(item.substr(0, equals), true);
            auto value = equals == std::string_view::npos ? std::optional<std::string>("")
                                                          : decode(item.substr(equals + 1), true);
            if (!name || !value) return std::nullopt;
            parameters.emplace_back(std::move(*name), std::move(*value));
        }
        start = end + 1;
    }
    return parameters;
}

bool is_valid_job_correlator(std::string_view text) {
    if (text.size() < 32 || text[31] != ':') return false;
    std::string_view system = text.substr(0, 31);
    bool system_ok = std::all_of(system.begin(), system.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$' || c == '.';
    });
    if (!system_ok) return false;
    std::string_view user = text.substr(32);
    return user.empty() || is_valid_user_correlator(user);
}

util::Result<ListQuery> parse_list_query(const std::vector<std::pair<std::string, std::string>>& query,
                                         std::string_view authenticated_user) {
    ListQuery result;
    bool owner_given = false;
    for (const auto& [name, value] : query) {
        if (name == "owner") {
            std::string owner = uppercase(value);
            if (!is_pattern(owner)) return util::make_error("owner");
            owner_given = true;
            if (owner != "*") result.filter.owner = owner;
        } else if (name == "prefix") {
            std::string prefix = uppercase(value);
            if (!is_pattern(prefix)) return util::make_error("prefix");
            if (prefix != "*") result.filter.prefix = prefix;
        } else if (name == "jobid") {
            std::string jobid = uppercase(value);
            if (!is_valid_job_id(jobid)) return util::make_error("jobid");
            result.filter.jobid = jobid;
        } else if (name == "user-correlator") {
            if (!is_valid_user_correlator(value)) return util::make_error("user-correlator");
            result.filter.user_correlator = value;
        } else if (name == "max-jobs") {
            int max_jobs = 0;
            auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), max_jobs);
            bool ok = error == std::errc() && end == value.data() + value.size() && max_jobs >= 1 && max_jobs <= 1000;
            result.filter.max_jobs = ok ? max_jobs : 1000;
        } else if (name == "exec-data") {
            std::string flag = uppercase(value);
            if (flag != "Y" && flag != "N") return util::make_error("exec-data");
            result.exec_data = flag == "Y";
        }
        // Anything else (status=, active-only=, ...) is ignored: clients that send it filter the answer themselves.
    }
    if (!owner_given && !result.filter.jobid && !result.filter.user_correlator) {
        result.filter.owner = uppercase(authenticated_user);
    }
    return result;
}

std::optional<BasicCredentials> parse_basic_authorization(std::string_view header_value, std::size_t max_length) {
    if (header_value.size() > max_length || header_value.size() < 6) return std::nullopt;
    if (!equals_ignoring_case(header_value.substr(0, 6), "Basic ")) return std::nullopt;
    std::string_view encoded = header_value.substr(6);
    while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
    while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
    auto decoded = util::base64_decode(encoded);
    if (!decoded) return std::nullopt;
    std::size_t colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

namespace {

SubmitHeadersError parameters_error(std::string message) {
    return SubmitHeadersError{SubmitHeadersError::Kind::intrdr_parameters, std::move(message)};
}

}  // namespace

util::Result<SubmitHeaders, SubmitHeadersError> parse_submit_headers(
    const std::function<std::optional<std::string>(std::string_view)>& header,
    const std::vector<std::pair<std::string, std::string>>& symbol_headers) {
    SubmitHeaders result;
    if (auto mode = header("X-IBM-Intrdr-Mode"); mode && uppercase(*mode) != "TEXT") {
        return SubmitHeadersError{
            SubmitHeadersError::Kind::intrdr_mode,
            fmt::format("Incorrect Internal Reader mode: {}. Only TEXT is supported by this host", *mode)};
    }
    if (auto recfm = header("X-IBM-Intrdr-Recfm"); recfm && uppercase(*recfm) != "F" && uppercase(*recfm) != "V") {
        return parameters_error(fmt::format("Incorrect Internal Reader record format: {}. Must be F or V", *recfm));
    }
    if (auto lrecl = header("X-IBM-Intrdr-Lrecl")) {
        int value = 0;
        auto [end, error] = std::from_chars(lrecl->data(), lrecl->data() + lrecl->size(), value);
        if (error != std::errc() || end != lrecl->data() + lrecl->size() || value < 1 || value > 32760) {
            return parameters_error(
                fmt::format("Incorrect Internal Reader record length: {}. Must be 1 to 32760", *lrecl));
        }
    }
    if (auto correlator = header("X-IBM-User-Correlator")) {
        if (!is_valid_user_correlator(*correlator)) {
            return parameters_error(
                fmt::format("Value of X-IBM-User-Correlator is not valid: expected 1 to 32 letters, digits, "
                            "@ # $ or _, starting with a letter or @ # $"));
        }
        result.user_correlator = *correlator;
    }
    constexpr std::string_view k_symbol_prefix = "X-IBM-JCL-Symbol-";
    for (const auto& [name, value] : symbol_headers) {
        if (name.size() <= k_symbol_prefix.size() ||
            !equals_ignoring_case(name.substr(0, k_symbol_prefix.size()), k_symbol_prefix)) {
            return parameters_error(fmt::format("'{}' is not a JCL symbol header", name));
        }
        std::string symbol = uppercase(name.substr(k_symbol_prefix.size()));
        if (!is_valid_jcl_name(symbol) || value.size() > 255) {
            return parameters_error(
                fmt::format("JCL symbol header {} is not valid: the symbol must be a JCL name, the value at most "
                            "255 characters",
                            name));
        }
        result.symbols.emplace_back(std::move(symbol), value);
    }
    return result;
}

util::Result<ModifyRequest> parse_modify_request(std::string_view body) {
    nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return util::make_error(
            "Request does not contain a valid job update request: expected a JSON object such as "
            "{\"request\":\"cancel\",\"version\":\"2.0\"}");
    }
    ModifyRequest result;
    auto request = document.find("request");
    if (request == document.end() || !request->is_string()) {
        return util::make_error("Request does not contain a valid job update request: \"request\" is missing");
    }
    result.request = request->get<std::string>();
    auto version = document.find("version");
    if (version != document.end()) {
        if (!version->is_string() || (*version != "1.0" && *version != "2.0")) {
            return util::make_error("Request version is not valid: expected \"1.0\" or \"2.0\"");
        }
        result.synchronous = *version == "2.0";
    }
    return result;
}

std::optional<bool> parse_modify_version(std::optional<std::string_view> header_value) {
    if (!header_value || *header_value == "1.0") return false;
    if (*header_value == "2.0") return true;
    return std::nullopt;
}

std::optional<RecordsMode> parse_records_mode(std::optional<std::string_view> mode) {
    if (!mode) return RecordsMode::text;
    if (equals_ignoring_case(*mode, "text")) return RecordsMode::text;
    if (equals_ignoring_case(*mode, "binary")) return RecordsMode::binary;
    if (equals_ignoring_case(*mode, "record")) return RecordsMode::record;
    return std::nullopt;
}

std::string length_prefixed_records(std::string_view records) {
    std::string result;
    result.reserve(records.size() + records.size() / 8);
    std::size_t position = 0;
    while (position < records.size()) {
        std::size_t newline = records.find('\n', position);
        std::size_t end = newline == std::string_view::npos ? records.size() : newline;
        auto length = static_cast<std::uint32_t>(end - position);
        result += static_cast<char>((length >> 24) & 0xff);
        result += static_cast<char>((length >> 16) & 0xff);
        result += static_cast<char>((length >> 8) & 0xff);
        result += static_cast<char>(length & 0xff);
        result.append(records, position, end - position);
        position = end + 1;
    }
    return result;
}

}  // namespace greenlight::bridge
