// The route table of `greenlight serve` (internal to serve): which handler answers which method and path, in
// the order of precedence, and how a request's path is matched against a route's pattern.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/serve/server.hpp"
#include "greenlight/web/http_server.hpp"

namespace greenlight::serve::detail {

// A request's query parameters in order, decoded.
using Query = std::vector<std::pair<std::string, std::string>>;

// The methods a route answers.
enum class Methods {
    any,
    read,          // GET and HEAD
    read_or_post,  // GET, HEAD and POST
    put,
    post,
    delete_,
    write,  // every method but GET and HEAD
};
bool allows(Methods methods, std::string_view method);

// How a route's path is compared with the request's.
enum class PathMatch {
    segments,  // the pattern against the percent-decoded segments (empty ones skipped: "/api//v1/" is /api/v1)
    exact,     // the raw path, byte for byte
};

// A route's path. A pattern is literal segments, `{name}` (one segment), `{name...}` (one or more, the rest,
// joined by '/') and a final `**` (zero or more, not captured); "/" is the path with no segments.
struct RoutePath {
    constexpr RoutePath(const char* pattern) : text(pattern) {}
    constexpr RoutePath(std::string_view pattern, PathMatch how) : text(pattern), match(how) {}
    std::string_view text;
    PathMatch match = PathMatch::segments;
};

// A path compared byte for byte.
constexpr RoutePath exact(std::string_view path) {
    return RoutePath(path, PathMatch::exact);
}

// What a pattern's `{name}` and `{name...}` captured.
using Captures = std::vector<std::pair<std::string_view, std::string>>;

// Whether the path matches the route's path; fills `captures` when it does.
bool match_path(const RoutePath& route_path, std::string_view raw_path, const std::vector<std::string>& segments,
                Captures& captures);

// A path's segments, percent-decoded (a segment that does not decode stays as it is); empty segments skipped.
std::vector<std::string> split_path(std::string_view path);

// One request as a route's handler sees it.
struct Exchange {
    const web::Request& request;
    web::Response& response;
    const Query& query;
    const Captures& captures;

    // What the pattern captured under `name`; empty when it captured nothing by that name.
    const std::string& param(std::string_view name) const;
    bool has_param(std::string_view name) const;
    // A query parameter's value; nullopt when it is missing or empty.
    std::optional<std::string> query_value(std::string_view name) const;
};

using RouteHandler = void (*)(ServeServer::Impl& server, const Exchange& exchange);

struct Route {
    Methods methods;
    RoutePath path;
    RouteHandler handler;
};

// Every route of the server (the bridge's /zosmf/ aside), in order of precedence: the first whose methods and
// path match answers. The last routes of each family match any method and path under it, so every request
// finds one.
std::span<const Route> serve_routes();

// Answers the request with the first route that matches it.
void dispatch(ServeServer::Impl& server, const web::Request& request, web::Response& response, const Query& query);

}  // namespace greenlight::serve::detail
