// The input of a request to the job host, read without touching anything: the path routed into what it names,
// the query parameters, the X-IBM-* headers, the basic-auth header and the cancel body. Pure functions of their
// text, so they can be fuzzed; everything a request names passes the strict checks here (names.hpp) before the
// server looks it up, so no client text ever reaches a file path or a query unchecked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/bridge/job_store.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// Which job a path names: by name and id, or by job correlator.
struct JobReference {
    std::string jobname;     // empty when named by correlator
    std::string jobid;       // empty when named by correlator
    std::string correlator;  // empty when named by name and id

    bool by_correlator() const { return !correlator.empty(); }
    // For messages: "NAME(JOBID)", or the correlator.
    std::string display() const;
    bool operator==(const JobReference&) const = default;
};

// What a path under /zosmf/restjobs/jobs names.
enum class Resource {
    jobs,          // /zosmf/restjobs/jobs
    job,           // .../{name}/{id} or .../{correlator}
    files,         // .../files
    file_records,  // .../files/{n}/records (and files/JCL/records)
};

struct Route {
    Resource resource = Resource::jobs;
    JobReference job;
    int file_id = 0;  // file_records only; "JCL" is k_jesjcl_id
    bool operator==(const Route&) const = default;
};

// Why a path could not be routed: not_found is a path outside the jobs interface (404); invalid is a path
// inside it naming something no job can have, such as a bad job name, id or file number, or a path trick (400).
struct RouteError {
    enum class Kind { not_found, invalid };
    Kind kind = Kind::not_found;
    std::string message;
};

using RouteOutcome = util::Result<Route, RouteError>;

// Routes a raw request target's path (no query; percent-encoding as sent). The path is split on '/' first and
// each segment decoded after, so an encoded "%2F" can never add a segment; "." and ".." segments, empty
// segments inside the path, bad percent-encoding and NUL are refused. Job names and ids are upper-cased
// (z/OSMF folds them) and must then pass is_valid_jcl_name and is_valid_job_id.
RouteOutcome route_path(std::string_view raw_path);

// Decodes %XX escapes; nullopt on a malformed escape or an encoded NUL. '+' stays '+' (it is a path).
std::optional<std::string> percent_decode(std::string_view text);

// Query parameters in order, names and values decoded ('+' as a blank, as forms send it); nullopt when an
// escape is malformed or there are more than max_parameters.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view raw_query,
                                                                            std::size_t max_parameters = 32);

// A job correlator as the store makes them and z/OSMF shows them: a 31-character system part of upper-case
// letters, digits, national characters and '.', then ':' and a user correlator (possibly empty).
bool is_valid_job_correlator(std::string_view text);

// The filter of GET /zosmf/restjobs/jobs, from its query, for the authenticated user.
struct ListQuery {
    ListFilter filter;
    bool exec_data = false;  // exec-data=Y: add exec-* fields to each document
};

// Reads owner, prefix, jobid, max-jobs, user-correlator, exec-data and status. owner and prefix are upper-cased,
// 1 to 8 of A-Z 0-9 @ # $ * %; jobid must be a valid job id (upper-cased); max-jobs outside 1-1000 is 1000, as
// z/OSMF does. With neither owner, jobid nor user-correlator the owner is the authenticated user. Other
// parameters are ignored. On error: the message is the name of the parameter whose value is not valid.
util::Result<ListQuery> parse_list_query(const std::vector<std::pair<std::string, std::string>>& query,
                                         std::string_view authenticated_user);

// The name and password of an "Authorization: Basic ..." header; nullopt for any other scheme, bad base64,
// no ':' in the decoded text, or a value longer than max_length.
struct BasicCredentials {
    std::string user;
    std::string password;
};
std::optional<BasicCredentials> parse_basic_authorization(std::string_view header_value, std::size_t max_length = 1024);

// The internal reader headers of a submit.
struct SubmitHeaders {
    std::optional<std::string> user_correlator;
    std::vector<std::pair<std::string, std::string>> symbols;  // X-IBM-JCL-Symbol-NAME: value
};

// Why submit headers were refused: z/OSMF gives an unsupported reader mode its own reason code.
struct SubmitHeadersError {
    enum class Kind { intrdr_mode, intrdr_parameters };
    Kind kind = Kind::intrdr_parameters;
    std::string message;  // for the client
};

// Checks X-IBM-Intrdr-Mode (TEXT or absent), X-IBM-Intrdr-Recfm (F or V), X-IBM-Intrdr-Lrecl (1-32760),
// X-IBM-User-Correlator (is_valid_user_correlator) and X-IBM-JCL-Symbol-* (a JCL symbol name, value up to 255
// characters). `header` returns a header's value (nullopt when absent); `symbol_headers` are every header whose
// name starts with X-IBM-JCL-Symbol-, as sent.
util::Result<SubmitHeaders, SubmitHeadersError> parse_submit_headers(
    const std::function<std::optional<std::string>(std::string_view)>& header,
    const std::vector<std::pair<std::string, std::string>>& symbol_headers);

// A job modify request body: {"request":"cancel","version":"1.0"|"2.0"} (version absent means 1.0).
struct ModifyRequest {
    std::string request;       // "cancel" (others are read so that the error can name them)
    bool synchronous = false;  // version 2.0
};
// On error: the message for the client.
util::Result<ModifyRequest> parse_modify_request(std::string_view body);

// X-IBM-Job-Modify-Version of a purge: absent or "1.0" asynchronous, "2.0" synchronous; nullopt otherwise.
std::optional<bool> parse_modify_version(std::optional<std::string_view> header_value);

// How spool records are returned: as text lines, raw bytes, or records each preceded by its 4-byte big-endian
// length (mode=record). nullopt for any other mode.
enum class RecordsMode { text, binary, record };
std::optional<RecordsMode> parse_records_mode(std::optional<std::string_view> mode);

// Records (each ending in '\n') as mode=record sends them: length-prefixed, without the newline.
std::string length_prefixed_records(std::string_view records);

}  // namespace greenlight::bridge
