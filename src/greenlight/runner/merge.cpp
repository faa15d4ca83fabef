#include "greenlight/runner/merge.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <set>

#include "greenlight/bundle/pack.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/runner/verdict.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::runner {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool is_archive(const fs::path& path) {
    std::string name = path.filename().string();
    auto ends_with = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return ends_with(".tar.gz") || ends_with(".tgz");
}

MergeOutcome fail(MergeOutcome::Status status, std::string message) {
    MergeOutcome outcome;
    outcome.status = status;
    outcome.message = std::move(message);
    return outcome;
}

void add_counts(json& total, const json& counts) {
    for (const char* key : {"total", "passed", "failed", "errored", "skipped"}) {
        total[key] = total.value(key, 0) + counts.value(key, 0);
    }
}

}  // namespace

MergeOutcome merge_bundles(const std::vector<fs::path>& inputs, const fs::path& output, int jobs) {
    if (inputs.empty()) return fail(MergeOutcome::Status::usage_error, "merge needs at least one bundle");
    std::error_code error;
    if (fs::exists(output, error) && !fs::is_empty(output, error)) {
        return fail(MergeOutcome::Status::usage_error,
                    fmt::format("{} exists and is not empty; merge writes a new bundle", output.string()));
    }

    util::TemporaryDirectory scratch("greenlight-merge");
    std::vector<fs::path> folders;
    std::vector<json> summaries;
    for (size_t i = 0; i < inputs.size(); ++i) {
        const fs::path& input = inputs[i];
        bundle::VerifyReport report = bundle::verify_bundle(input, jobs);
        if (!report.ok()) {
            return fail(MergeOutcome::Status::invalid_input,
                        fmt::format("{} does not verify, refusing to merge it:\n{}", input.string(),
                                    bundle::format_verify_report(report, input)));
        }
        fs::path folder = input;
        if (is_archive(input)) {
            fs::path destination = scratch.path() / std::to_string(i);
            if (auto unpacked = bundle::unpack_bundle(input, destination); !unpacked) {
                return fail(MergeOutcome::Status::invalid_input, unpacked.message());
            }
            folder = destination;  // unpack strips the archive's single top folder
        }
        auto text = util::read_file(folder / "summary.json");
        if (!text) return fail(MergeOutcome::Status::invalid_input, text.message());
        json summary = json::parse(*text, nullptr, false);
        if (summary.is_discarded() || summary.value("schema", "") != k_summary_schema) {
            return fail(MergeOutcome::Status::invalid_input,
                        fmt::format("{}: summary.json is not a {} document", input.string(), k_summary_schema));
        }
        folders.push_back(folder);
        summaries.push_back(std::move(summary));
    }

    const json& first = summaries.front();
    std::set<std::string> seen_suites;
    for (size_t i = 0; i < summaries.size(); ++i) {
        for (const char* key : {"project", "run_id", "tier"}) {
            if (summaries[i].value(key, "") != first.value(key, "")) {
                return fail(MergeOutcome::Status::usage_error,
                            fmt::format("{} is not a shard of the same run: {} `{}` differs from `{}` in {}",
                                        inputs[i].string(), key, summaries[i].value(key, ""), first.value(key, ""),
                                        inputs.front().string()));
            }
        }
        for (const auto& suite : summaries[i]["suites"]) {
            if (!seen_suites.insert(suite.value("name", "")).second) {
                return fail(MergeOutcome::Status::usage_error,
                            fmt::format("suite `{}` appears in more than one input ({}): shards must not overlap",
                                        suite.value("name", ""), inputs[i].string()));
            }
        }
    }

    if (auto made = util::make_directories(output); !made) return fail(MergeOutcome::Status::write_error, made.message());
    json merged = first;
    merged["suites"] = json::array();
    merged["not_run"] = json::array();
    merged["counts"] = json::object();
    merged["shard"] = nullptr;
    merged["merged_from"] = json::array();
    merged["smoke"] = nullptr;
    std::vector<std::string> junit_documents;
    bool complete = true;
    bool all_green = true;
    bool any_executed = false;
    bool smoke_green = true;
    std::string worst_verdict = "pass";
    std::string worst_reason;
    long long duration = 0;
    int smoke_runs = 0;
    long long smoke_duration = 0;
    for (size_t i = 0; i < summaries.size(); ++i) {
        const json& summary = summaries[i];
        const fs::path& folder = folders[i];
        std::string shard_name = summary["shard"].is_object()
                                     ? fmt::format("shard-{}", summary["shard"].value("index", static_cast<int>(i) + 1))
                                     : fmt::format("input-{}", i + 1);
        merged["merged_from"].push_back({{"input", inputs[i].filename().string()},
                                         {"shard", summary["shard"]},
                                         {"verdict", summary["verdict"]},
                                         {"green", summary["green"]},
                                         {"status", summary["status"]}});
        complete = complete && summary.value("status", "") == "complete";
        if (summary.value("started_at", "") < merged.value("started_at", "")) merged["started_at"] = summary["started_at"];
        if (summary.value("finished_at", "") > merged.value("finished_at", "")) merged["finished_at"] = summary["finished_at"];
        duration = std::max<long long>(duration, summary.value("duration_ms", 0LL));
        if (summary["smoke"].is_object()) {
            ++smoke_runs;
            smoke_duration = std::max<long long>(smoke_duration, summary["smoke"].value("duration_ms", 0LL));
            smoke_green = smoke_green && summary["smoke"].value("green", false);
            if (fs::exists(folder / "smoke", error)) {
                fs::create_directories(output / "smoke", error);
                fs::copy(folder / "smoke", output / "smoke" / shard_name, fs::copy_options::recursive | fs::copy_options::copy_symlinks, error);
                if (error) return fail(MergeOutcome::Status::write_error, fmt::format("cannot copy smoke outputs: {}", error.message()));
            }
        }
        for (const auto& suite : summary["suites"]) {
            std::string name = suite.value("name", "");
            fs::create_directories(output / "suites", error);
            // Links stay links: the input verified, so each one leads inside the bundle.
            fs::copy(folder / "suites" / name, output / "suites" / name, fs::copy_options::recursive | fs::copy_options::copy_symlinks, error);
            if (error) {
                return fail(MergeOutcome::Status::write_error,
                            fmt::format("cannot copy suite {} into {}: {}", name, output.string(), error.message()));
            }
            merged["suites"].push_back(suite);
            add_counts(merged["counts"], suite["counts"]);
            all_green = all_green && suite.value("green", false);
            if (suite.value("attempts", 0) > 0) any_executed = true;
            auto verdict = parse_verdict(suite.value("verdict", "error")).value_or(Verdict::error);
            if (severity(verdict) > severity(parse_verdict(worst_verdict).value_or(Verdict::pass))) {
                worst_verdict = std::string(to_string(verdict));
                worst_reason = fmt::format("{}: {}", name, suite.value("reason", ""));
            }
        }
        for (const auto& name : summary["not_run"]) merged["not_run"].push_back(name);
        if (auto junit = util::read_file(folder / "junit.xml")) junit_documents.push_back(std::move(*junit));
    }
    if (!smoke_green) {
        worst_verdict = "error";
        worst_reason = "a shard's smoke guard failed";
    } else if (!any_executed) {
        worst_verdict = "no-tests";
        worst_reason = "no suite executed in any shard";
    }
    bool green = complete && all_green && any_executed && smoke_green;
    if (smoke_runs > 0) {
        merged["smoke"] = {{"verdict", smoke_green ? "pass" : "fail"},
                           {"green", smoke_green},
                           {"reason", fmt::format("{} of {} shards ran the smoke guard; {}", smoke_runs, summaries.size(),
                                                  smoke_green ? "all passed" : "at least one failed")},
                           {"path", "smoke"},
                           {"duration_ms", smoke_duration}};
    }
    merged["verdict"] = worst_verdict;
    merged["green"] = green;
    merged["status"] = complete ? "complete" : "incomplete";
    merged["reason"] = green ? fmt::format("every suite of {} shards is green", summaries.size()) : worst_reason;
    merged["duration_ms"] = duration;

    MergeOutcome outcome;
    outcome.summary = merged;
    std::string junit = join_junit(junit_documents, fmt::format("{} {} {}", merged.value("project", ""),
                                                                merged.value("tier", ""), merged.value("run_id", "")));
    std::string written = write_run_reports(output, merged, junit, jobs, outcome.verification);
    if (!written.empty()) return fail(MergeOutcome::Status::write_error, written);
    return outcome;
}

}  // namespace greenlight::runner
