// The z/OSMF documents of the job store's jobs and spool files (JSON), and the request values they answer:
// record ranges and user correlators.
#include "greenlight/bridge/job_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>

namespace greenlight::bridge {

namespace {

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string job_url(std::string_view base_url, std::string_view jobname, std::string_view jobid) {
    return fmt::format("{}/zosmf/restjobs/jobs/{}/{}", base_url, jobname, jobid);
}

}  // namespace

std::string_view to_string(JobStatus status) {
    switch (status) {
        case JobStatus::input:
            return "INPUT";
        case JobStatus::active:
            return "ACTIVE";
        case JobStatus::output:
            return "OUTPUT";
    }
    return "OUTPUT";
}

nlohmann::json to_zosmf_json(const Job& job, std::string_view base_url, ExecData exec_data) {
    std::string url = job_url(base_url, job.jobname, job.jobid);
    nlohmann::json document = {
        {"jobid", job.jobid},
        {"jobname", job.jobname},
        {"subsystem", "JES2"},
        {"owner", job.owner},
        {"status", std::string(to_string(job.status))},
        {"type", job.type},
        {"class", job.job_class},
        {"retcode", nullptr},
        {"url", url},
        {"files-url", url + "/files"},
        {"job-correlator", job.correlator},
        {"phase", job.phase},
        {"phase-name", job.phase_name},
    };
    if (job.retcode) document["retcode"] = *job.retcode;
    if (exec_data == ExecData::yes) {
        const auto optional = [](const std::optional<std::string>& text) {
            return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
        };
        document["exec-system"] = k_host_system_name;
        document["exec-member"] = k_host_system_name;
        document["exec-submitted"] = job.submitted;
        document["exec-started"] = optional(job.started);
        document["exec-ended"] = optional(job.ended);
    }
    return document;
}

nlohmann::json to_zosmf_json(const SpoolFile& file, std::string_view base_url) {
    nlohmann::json document = {
        {"jobid", file.jobid},
        {"jobname", file.jobname},
        {"job-correlator", file.correlator},
        {"subsystem", "JES2"},
        {"id", file.id},
        {"ddname", file.ddname},
        {"stepname", file.stepname},
        {"procstep", nullptr},
        {"class", file.output_class},
        {"record-count", file.record_count},
        {"byte-count", file.byte_count},
        {"recfm", std::string(k_spool_recfm)},
        {"lrecl", k_spool_lrecl},
        {"records-url", fmt::format("{}/files/{}/records", job_url(base_url, file.jobname, file.jobid), file.id)},
    };
    if (file.procstep) document["procstep"] = *file.procstep;
    return document;
}

std::optional<RecordRange> parse_record_range(std::string_view header_value) {
    std::size_t separator = header_value.find_first_of("-,");
    if (separator == std::string_view::npos) return std::nullopt;
    auto first = parse_decimal(header_value.substr(0, separator));
    auto second = parse_decimal(header_value.substr(separator + 1));
    if (!first || !second) return std::nullopt;
    if (header_value[separator] == '-') {
        if (*second < *first) return std::nullopt;
        return RecordRange{*first, *second - *first + 1};
    }
    if (*second == 0) return std::nullopt;
    return RecordRange{*first, *second};
}

bool is_valid_user_correlator(std::string_view text) {
    const auto is_letter_or_national = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '@' || c == '#' || c == '$';
    };
    if (text.empty() || text.size() > 32 || !is_letter_or_national(text.front())) return false;
    return std::all_of(text.begin() + 1, text.end(),
                       [&](char c) { return is_letter_or_national(c) || (c >= '0' && c <= '9') || c == '_'; });
}

}  // namespace greenlight::bridge
