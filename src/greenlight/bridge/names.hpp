// Names on the job host: job names, job ids, DD and step names, as JES and z/OSMF spell them. Every name
// that reaches a file path or a URL passes through these checks first, so none can carry path tricks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace greenlight::bridge {

// A JCL name (job, step, DD): 1 to 8 characters, the first a letter or national character (@ # $), the
// rest letters, digits or national characters; upper case.
bool is_valid_jcl_name(std::string_view name);

// A job id as JES2 gives it: "JOB" and 5 digits (JOB00042), or "J" and 7 digits for ids above 99,999.
bool is_valid_job_id(std::string_view id);

// The job id of the n-th job (1-based): JOB00001 ... JOB99999, then J0100000 ... J9999999.
std::optional<std::string> job_id_for(std::uint32_t number);

}  // namespace greenlight::bridge
