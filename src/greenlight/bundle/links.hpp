// Symbolic links in a bundle: where a link leads, judged on the bundle's own links alone, so that a
// folder, an archive and a manifest are all held to one rule.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace greenlight::bundle {

// Bundle-relative link path ('/'-separated) -> the target exactly as the link holds it.
using LinkTable = std::map<std::string, std::string, std::less<>>;

// Why the link at `path` (a key of `links`) cannot be kept in a bundle, or nothing when it may:
// its target is absolute, or, following the bundle's other links as the kernel would, it climbs out
// of the bundle or never ends (a loop). A target that does not exist but would lie inside is kept:
// the link is recorded as it was.
std::optional<std::string> why_link_leaves_bundle(const LinkTable& links, std::string_view path);

}  // namespace greenlight::bundle
