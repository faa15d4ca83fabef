#include "greenlight/bridge/evidence.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <system_error>

#include "greenlight/bridge/names.hpp"
#include "greenlight/bundle/manifest.hpp"
#include "greenlight/bundle/pack.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::bridge {

namespace {

namespace fs = std::filesystem;

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

bool blank_line(std::string_view line) {
    return std::all_of(line.begin(), line.end(), [](char c) { return is_blank(c); });
}

std::int64_t count_records(std::string_view content) {
    if (content.empty()) return 0;
    auto lines = std::count(content.begin(), content.end(), '\n');
    return content.back() == '\n' ? lines : lines + 1;
}

// Whether a spool file is named by `wanted`: "DDNAME" (any step) or "STEP.DDNAME".
bool names_dd(std::string_view wanted, const SpoolFile& file) {
    if (auto dot = wanted.find('.'); dot != std::string_view::npos) {
        return wanted.substr(0, dot) == file.stepname && wanted.substr(dot + 1) == file.ddname;
    }
    return wanted == file.ddname;
}

bool has_content(const DownloadedSpoolFile& spool) {
    return spool.content && !spool.content->empty();
}

nlohmann::json at_least(std::int64_t minimum) {
    return nlohmann::json{{"at_least", minimum}};
}

// The spool file check: downloaded, and as long as the host said. The records interface ends every
// record with '\n', so a file whose last line had none comes back one byte longer.
Assertion spool_assertion(const DownloadedSpoolFile& spool) {
    Assertion assertion;
    assertion.name = fmt::format("spool:{}-{}", spool.file.id, util::printable(spool.file.ddname));
    assertion.expected = {{"bytes", spool.file.byte_count}, {"records", spool.file.record_count}};
    if (!spool.content) {
        assertion.actual = {{"error", spool.error}};
        return assertion;
    }
    const auto bytes = static_cast<std::int64_t>(spool.content->size());
    const std::int64_t records = count_records(*spool.content);
    assertion.actual = {{"bytes", bytes}, {"records", records}};
    const bool bytes_agree =
        bytes == spool.file.byte_count || (bytes == spool.file.byte_count + 1 && spool.content->back() == '\n');
    assertion.pass = bytes_agree && records == spool.file.record_count;
    return assertion;
}

}  // namespace

int count_words(std::string_view text) {
    int words = 0;
    bool in_word = false;
    for (char c : text) {
        const bool blank = is_blank(c) || c == '\n';
        if (!blank && !in_word) ++words;
        in_word = !blank;
    }
    return words;
}

std::vector<std::string> paragraphs(std::string_view text) {
    std::vector<std::string> found;
    std::string current;
    for (std::string_view line : util::split_lines(text)) {
        if (blank_line(line)) {
            if (!current.empty()) found.push_back(std::move(current));
            current.clear();
            continue;
        }
        if (!current.empty()) current.push_back('\n');
        current.append(line);
    }
    if (!current.empty()) found.push_back(std::move(current));
    return found;
}

LogCounts count_log_output(const config::BridgeAssertionsConfig& assertions,
                           const std::vector<DownloadedSpoolFile>& spool) {
    LogCounts counts;
    for (const auto& file : spool) {
        const bool is_log = std::any_of(assertions.log_dds.begin(), assertions.log_dds.end(),
                                        [&](const std::string& wanted) { return names_dd(wanted, file.file); });
        if (!is_log || !has_content(file) || blank_line(*file.content)) continue;
        ++counts.segments;
        for (const auto& paragraph : paragraphs(*file.content)) {
            if (count_words(paragraph) >= assertions.min_words_per_snippet) ++counts.snippets;
        }
    }
    return counts;
}

std::optional<std::string> final_script_text(const config::BridgeAssertionsConfig& assertions,
                                             const std::vector<DownloadedSpoolFile>& spool) {
    std::optional<std::string> text;
    for (const auto& file : spool) {
        if (names_dd(assertions.final_script_dd, file.file) && has_content(file)) text = *file.content;
    }
    return text;
}

std::vector<Assertion> evaluate_assertions(const config::BridgeAssertionsConfig& assertions,
                                           const std::optional<std::string>& retcode,
                                           const std::vector<DownloadedSpoolFile>& spool) {
    std::vector<Assertion> results;
    results.push_back({"retcode", assertions.retcode, retcode ? nlohmann::json(*retcode) : nlohmann::json(nullptr),
                       retcode && *retcode == assertions.retcode});
    if (spool.empty()) results.push_back({"spool", "at least one spool file", 0, false});
    for (const auto& file : spool) results.push_back(spool_assertion(file));

    for (const auto& wanted : assertions.required_dds) {
        const auto found = std::find_if(spool.begin(), spool.end(),
                                        [&](const DownloadedSpoolFile& file) { return names_dd(wanted, file.file); });
        nlohmann::json actual = "absent";
        bool pass = false;
        if (found != spool.end()) {
            pass = has_content(*found);
            actual = found->content ? (found->content->empty() ? "empty" : "present") : "not downloaded";
        }
        results.push_back({"required_dd:" + wanted, "present, not empty", actual, pass});
    }

    const LogCounts counts = count_log_output(assertions, spool);
    results.push_back({"log_segments", at_least(assertions.min_log_segments), counts.segments,
                       counts.segments >= assertions.min_log_segments});
    results.push_back(
        {"snippets",
         {{"at_least", assertions.min_snippets}, {"min_words_per_snippet", assertions.min_words_per_snippet}},
         counts.snippets,
         counts.snippets >= assertions.min_snippets});

    const std::optional<std::string> script = final_script_text(assertions, spool);
    nlohmann::json document = script ? nlohmann::json::parse(*script, nullptr, false) : nlohmann::json();
    const bool parsed = script && !document.is_discarded();
    results.push_back({"final_script", fmt::format("JSON in DD {}", assertions.final_script_dd),
                       !script ? "absent" : (parsed ? "JSON" : "not JSON"), parsed});
    nlohmann::json frames_actual = nullptr;
    bool frames_pass = false;
    if (parsed) {
        try {
            const nlohmann::json& frames = document.at(nlohmann::json::json_pointer(assertions.frames_pointer));
            if (frames.is_array()) {
                frames_actual = frames.size();
                frames_pass = static_cast<std::int64_t>(frames.size()) >= assertions.min_final_script_frames;
            } else {
                frames_actual = fmt::format("{} is {}, not an array", assertions.frames_pointer, frames.type_name());
            }
        } catch (const nlohmann::json::exception&) {
            frames_actual = fmt::format("no {} in the script", assertions.frames_pointer);
        }
    }
    results.push_back(
        {"final_script_frames", at_least(assertions.min_final_script_frames), frames_actual, frames_pass});
    return results;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

nlohmann::json metrics_json(const FlowMetrics& metrics) {
    auto milliseconds = [](double value) { return std::round(value * 1000.0) / 1000.0; };
    nlohmann::json reasons = nlohmann::json::object();
    for (const auto& [reason, count] : metrics.failed_polls_by_reason) reasons[reason] = count;
    return {
        {"schema", "greenlight.bridge-metrics/v1"},
        {"polls", metrics.polls},
        {"failed_polls", metrics.failed_polls},
        {"failed_polls_by_reason", reasons},
        {"latency_ms",
         {{"p50", milliseconds(percentile(metrics.poll_latencies_ms, 50))},
          {"p95", milliseconds(percentile(metrics.poll_latencies_ms, 95))},
          {"max", milliseconds(percentile(metrics.poll_latencies_ms, 100))}}},
        {"retries",
         {{"submit", metrics.submit_retries},
          {"poll", metrics.failed_polls},
          {"spool", metrics.spool_retries},
          {"resubmissions", metrics.resubmissions}}},
        {"submit_requests", metrics.submit_requests},
        {"cancels", metrics.cancels},
        {"durations_ms",
         {{"submit_to_output",
           metrics.submit_to_output_ms ? nlohmann::json(milliseconds(*metrics.submit_to_output_ms)) : nlohmann::json()},
          {"total", milliseconds(metrics.total_ms)}}},
    };
}

std::string spool_file_name(const SpoolFile& file) {
    const std::string ddname = is_valid_jcl_name(file.ddname) ? file.ddname : std::string("DD");
    return fmt::format("spool/{}-{}.txt", file.id, ddname);
}

std::string spool_log(const std::vector<DownloadedSpoolFile>& spool) {
    std::string out;
    for (const auto& file : spool) {
        out += fmt::format("===== {} {}.{} id {} ({} records, {} bytes) =====\n", file.file.jobid,
                           util::printable(file.file.stepname), util::printable(file.file.ddname), file.file.id,
                           file.file.record_count, file.file.byte_count);
        if (!file.content) {
            out += fmt::format("(not downloaded: {})\n", file.error);
            continue;
        }
        out += *file.content;
        if (!file.content->empty() && file.content->back() != '\n') out.push_back('\n');
    }
    return out;
}

util::Status write_evidence_folder(const fs::path& folder, const Evidence& evidence) {
    std::error_code error;
    if (fs::exists(folder, error) && !fs::is_empty(folder, error)) {
        return util::make_error(
            fmt::format("{} exists and is not empty; choose another --output-dir or --run-id", folder.string()));
    }
    if (auto made = util::make_directories(folder / "spool"); !made) return made;
    auto write = [&](const std::string& name, std::string_view content) {
        return util::write_file_atomic(folder / name, content, util::Durability::process_crash);
    };
    if (!evidence.jcl.empty()) {
        if (auto written = write("job.jcl", evidence.jcl); !written) return written;
    }
    for (const auto& file : evidence.spool) {
        if (!file.content) continue;
        if (auto written = write(spool_file_name(file.file), *file.content); !written) return written;
    }
    if (auto written = write("spool.log", spool_log(evidence.spool)); !written) return written;
    if (evidence.final_script) {
        if (auto written = write("final-script.json", *evidence.final_script); !written) return written;
    }
    if (auto written = write("delta.json", evidence.delta.dump(2) + "\n"); !written) return written;
    if (auto written = write("metrics.json", evidence.metrics.dump(2) + "\n"); !written) return written;
    if (auto manifest = bundle::write_manifest(folder, 1); !manifest) return manifest.error();
    return {};
}

util::Status pack_evidence(const fs::path& folder, const fs::path& archive) {
    if (archive.has_parent_path()) {
        if (auto made = util::make_directories(archive.parent_path()); !made) return made;
    }
    return bundle::pack_bundle(folder, archive);
}

}  // namespace greenlight::bridge
