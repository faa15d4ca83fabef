// Symbolic links in a bundle: where a link leads, judged on the bundle's own links alone, so that a
// folder, an archive and a manifest are all held to one rule.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "greenlight/util/result.hpp"

namespace greenlight::bundle {

// Bundle-relative link path ('/'-separated) -> the target exactly as the link holds it.
using LinkTable = std::map<std::string, std::string, std::less<>>;

// Success when the link at `path` (a key of `links`) may be kept in a bundle, else an error saying why not:
// its target is absolute, or, following the bundle's other links as the kernel would, it climbs out
// of the bundle or never ends (a loop). A target that does not exist but would lie inside is kept:
// the link is recorded as it was.
util::Status check_link_stays_inside(const LinkTable& links, std::string_view path);

}  // namespace greenlight::bundle
