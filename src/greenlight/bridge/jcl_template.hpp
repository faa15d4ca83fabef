// The JCL template of the remote smoke flow: a job with ${...} placeholders that `greenlight bridge run`
// fills with the run's values and the payload's files. See docs/BRIDGE.md ("The JCL template").
#pragma once

#include <string>
#include <string_view>

#include "greenlight/bridge/payload.hpp"
#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// The values a template can name.
struct TemplateValues {
    std::string run_id;
    std::string correlator;       // the user correlator of this attempt
    std::string manifest_sha256;  // of the payload's manifest
    int attempt = 1;              // 1, then 2 ... for each resubmission after a stall
    const Payload* payload = nullptr;
};

// Replaces ${run_id}, ${correlator}, ${manifest_sha256}, ${attempt}, ${payload_path:NAME} (the file's
// absolute path), ${instream:NAME} (the file's lines as in-stream data) and ${base64:NAME} (the file in
// base64, lines of at most 76 columns); `$${` stands for a literal `${`. ${instream:...} and ${base64:...}
// must stand alone on their line. An unknown placeholder, a file the payload does not list, or a file that
// cannot be in-stream data (a line over 80 columns, `/*` in columns 1-2) is an error
// "<template_name>:<line>: ...".
util::Result<std::string> render_jcl_template(std::string_view text, const TemplateValues& values,
                                              std::string_view template_name);

// Base64 (RFC 4648, with padding) in lines of at most `columns` characters, each ended by '\n'.
std::string base64_lines(std::string_view data, std::size_t columns = 76);

}  // namespace greenlight::bridge
