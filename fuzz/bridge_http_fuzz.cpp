// libFuzzer target: the job host's request input (http_input.hpp). The input is five lines: a request path,
// a query string, an Authorization value, an X-IBM-Record-Range value and a cancel body. Whatever they hold, a
// routed path names only valid job names, ids, correlators and file ids (nothing that could walk out of the
// spool folder), a list filter holds only valid patterns, and nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "greenlight/bridge/http_input.hpp"
#include "greenlight/bridge/job_store.hpp"
#include "greenlight/bridge/names.hpp"
#include "greenlight/util/base64.hpp"

using namespace greenlight::bridge;

namespace {

std::string_view next_line(std::string_view& input) {
    std::size_t newline = input.find('\n');
    std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    return line;
}

bool is_pattern_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '@' || c == '#' || c == '$' || c == '*' || c == '%';
}

void check_pattern(const std::optional<std::string>& pattern) {
    if (!pattern) return;
    if (pattern->empty() || pattern->size() > 8) std::abort();
    for (char c : *pattern) {
        if (!is_pattern_character(c)) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::string_view path = next_line(input);
    const std::string_view query = next_line(input);
    const std::string_view authorization = next_line(input);
    const std::string_view range = next_line(input);
    const std::string_view body = input;

    RouteOutcome routed = route_path(path);
    if (routed) {
        const Route& route = *routed;
        if (route.resource != Resource::jobs) {
            if (route.job.by_correlator()) {
                if (!is_valid_job_correlator(route.job.correlator)) std::abort();
            } else if (!is_valid_jcl_name(route.job.jobname) || !is_valid_job_id(route.job.jobid)) {
                std::abort();
            }
        }
        if (route.resource == Resource::file_records && route.file_id < 1) std::abort();
    } else if (routed.error().message.empty()) {
        std::abort();
    }

    if (auto parameters = parse_query(query)) {
        auto listed = parse_list_query(*parameters, "IBMUSER");
        if (listed) {
            const ListQuery& list = *listed;
            check_pattern(list.filter.owner);
            check_pattern(list.filter.prefix);
            if (list.filter.jobid && !is_valid_job_id(*list.filter.jobid)) std::abort();
            if (list.filter.user_correlator && !is_valid_user_correlator(*list.filter.user_correlator)) std::abort();
            if (list.filter.max_jobs < 1 || list.filter.max_jobs > 1000) std::abort();
        }
    }

    if (auto credentials = parse_basic_authorization(authorization)) {
        if (credentials->user.find(':') != std::string::npos) std::abort();
        auto again = parse_basic_authorization(
            "Basic " + greenlight::util::base64_encode(credentials->user + ":" + credentials->password));
        if (!again || again->user != credentials->user || again->password != credentials->password) std::abort();
    }

    if (auto parsed = parse_record_range(range); parsed && parsed->count == 0) std::abort();

    (void)parse_modify_request(body);
    std::string records(body);
    if (!records.empty() && records.back() != '\n') records += '\n';
    std::size_t newlines = 0;
    for (char c : records) newlines += c == '\n';
    if (length_prefixed_records(records).size() != records.size() - newlines + 4 * newlines) std::abort();
    return 0;
}
