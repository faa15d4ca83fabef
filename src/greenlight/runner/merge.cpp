#include "greenlight/runner/merge.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>

#include "greenlight/bundle/pack.hpp"
#include "greenlight/runner/report.hpp"
#include "greenlight/runner/run.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"

namespace greenlight::runner {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One input bundle as the merge reads it from its summary.json.
struct Input {
    fs::path path;    // as given on the command line
    fs::path folder;  // the bundle folder (unpacked when the input is an archive)
    json summary;
    std::optional<verdict::Shard> shard;
    std::vector<verdict::SuiteSummary> suites;
    std::vector<std::string> not_run;
    std::optional<std::set<std::string>> tier_suites;  // every suite of the tier, when the shard recorded the others
    bool complete = true;
};

MergeOutcome fail(MergeOutcome::Status status, std::string message) {
    MergeOutcome outcome;
    outcome.status = status;
    outcome.message = std::move(message);
    return outcome;
}

bool is_archive(const fs::path& path) {
    const std::string name = path.filename().string();
    auto ends_with = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return ends_with(".tar.gz") || ends_with(".tgz");
}

// A suite name becomes a folder under suites/: nothing that could leave it.
bool is_plain_name(const std::string& name) {
    if (name.empty() || name == "." || name == "..") return false;
    for (char c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                             c == '_' || c == '-';
        if (!allowed) return false;
    }
    return true;
}

util::Result<std::vector<std::string>> read_names(const json& summary, const char* key, const std::string& where) {
    std::vector<std::string> names;
    auto found = summary.find(key);
    if (found == summary.end()) return names;
    if (!found->is_array()) return util::make_error(fmt::format("{}: /{}: expected an array of names", where, key));
    for (const auto& name : *found) {
        if (!name.is_string()) return util::make_error(fmt::format("{}: /{}: expected suite names", where, key));
        names.push_back(name.get<std::string>());
    }
    return names;
}

util::Result<std::optional<verdict::Shard>> read_shard(const json& summary, const std::string& where,
                                                       std::vector<std::string>& other_shards_suites) {
    auto found = summary.find("shard");
    if (found == summary.end() || found->is_null()) return std::optional<verdict::Shard>{};
    const json& shard = *found;
    if (!shard.is_object() || !shard.contains("index") || !shard["index"].is_number_integer() ||
        !shard.contains("count") || !shard["count"].is_number_integer()) {
        return util::make_error(fmt::format("{}: /shard: expected {{\"index\": I, \"count\": N}} or null", where));
    }
    verdict::Shard result{shard["index"].get<int>(), shard["count"].get<int>()};
    if (result.count < 1 || result.index < 1 || result.index > result.count) {
        return util::make_error(fmt::format("{}: /shard: index {} of count {} is not a shard (1 <= index <= count)",
                                            where, result.index, result.count));
    }
    auto others = read_names(shard, "other_shards_suites", where + ": /shard");
    if (!others) return others.error();
    other_shards_suites = std::move(*others);
    return std::optional<verdict::Shard>{result};
}

util::Result<std::vector<verdict::SuiteSummary>> read_suites(const json& summary, const std::string& where) {
    std::vector<verdict::SuiteSummary> suites;
    auto found = summary.find("suites");
    if (found == summary.end() || !found->is_array()) {
        return util::make_error(fmt::format("{}: /suites: expected an array", where));
    }
    for (size_t i = 0; i < found->size(); ++i) {
        const json& entry = (*found)[i];
        const std::string at = fmt::format("{}: /suites/{}", where, i);
        if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("verdict") ||
            !entry["verdict"].is_string() || !entry.contains("green") || !entry["green"].is_boolean() ||
            !entry.contains("attempts") || !entry["attempts"].is_number_integer()) {
            return util::make_error(fmt::format("{}: expected an object with name, verdict, green and attempts", at));
        }
        verdict::SuiteSummary suite;
        suite.name = entry["name"].get<std::string>();
        if (!is_plain_name(suite.name)) {
            return util::make_error(
                fmt::format("{}/name: `{}` is not a suite name (letters, digits, `.`, `_`, `-`)", at, suite.name));
        }
        auto parsed = verdict::parse_verdict(entry["verdict"].get<std::string>());
        if (!parsed)
            return util::make_error(
                fmt::format("{}/verdict: `{}` is not a verdict", at, entry["verdict"].get<std::string>()));
        suite.verdict = *parsed;
        suite.green = entry["green"].get<bool>();
        if (suite.green && verdict::green_range(suite.verdict) == verdict::GreenRange::never) {
            return util::make_error(
                fmt::format("{}/green: a suite with verdict {} is never green", at, verdict::to_string(suite.verdict)));
        }
        suite.executed = entry["attempts"].get<long long>() > 0;
        suite.reason = entry.value("reason", "");
        suites.push_back(std::move(suite));
    }
    return suites;
}

// Verifies the input, unpacks an archive into `scratch`, and reads what the merge relies on from its summary.
util::Result<Input> read_input(const fs::path& path, const fs::path& scratch, int jobs) {
    bundle::VerifyReport report = bundle::verify_bundle(path, jobs);
    if (!report.ok()) {
        return util::make_error(fmt::format("{} does not verify, refusing to merge it:\n{}", path.string(),
                                            bundle::format_verify_report(report, path)));
    }
    Input input;
    input.path = path;
    input.folder = path;
    if (is_archive(path)) {
        input.folder = scratch;  // unpack strips the archive's single top folder
        if (auto unpacked = bundle::unpack_bundle(path, scratch); !unpacked) return unpacked.error();
    }
    const std::string where = (path / "summary.json").string();
    auto text = util::read_file(input.folder / "summary.json");
    if (!text) return text.error();
    input.summary = json::parse(*text, nullptr, false);
    if (input.summary.is_discarded() || !input.summary.is_object() ||
        input.summary.value("schema", "") != k_summary_schema) {
        return util::make_error(fmt::format("{}: not a {} document", where, k_summary_schema));
    }
    for (const char* key : {"project", "run_id", "tier", "status"}) {
        if (!input.summary.contains(key) || !input.summary[key].is_string()) {
            return util::make_error(fmt::format("{}: /{}: expected a string", where, key));
        }
    }
    input.complete = input.summary["status"] == "complete";
    std::vector<std::string> other_shards_suites;
    auto shard = read_shard(input.summary, where, other_shards_suites);
    if (!shard) return shard.error();
    input.shard = *shard;
    auto suites = read_suites(input.summary, where);
    if (!suites) return suites.error();
    input.suites = std::move(*suites);
    auto not_run = read_names(input.summary, "not_run", where);
    if (!not_run) return not_run.error();
    input.not_run = std::move(*not_run);
    if (input.shard && input.summary["shard"].contains("other_shards_suites")) {
        std::set<std::string> tier(other_shards_suites.begin(), other_shards_suites.end());
        for (const auto& suite : input.suites) tier.insert(suite.name);
        tier.insert(input.not_run.begin(), input.not_run.end());
        input.tier_suites = std::move(tier);
    }
    return input;
}

std::string describe(const std::optional<verdict::Shard>& shard) {
    return shard ? "shard " + verdict::shard_name(*shard) : "not a shard";
}

// Whether `other` can be merged with `first` as another shard of its run; the error says why not.
util::Status check_same_run(const Input& first, const Input& other) {
    for (const char* key : {"project", "run_id", "tier"}) {
        const std::string mine = first.summary[key];
        const std::string theirs = other.summary[key];
        if (mine != theirs) {
            return util::make_error(
                fmt::format("{} and {} are not shards of one run: {} `{}` in the first, `{}` in the second",
                            first.path.string(), other.path.string(), key, mine, theirs));
        }
    }
    if (first.shard.has_value() != other.shard.has_value()) {
        return util::make_error(
            fmt::format("{} ({}) and {} ({}) cannot be merged: a sharded run is merged only with its other shards",
                        first.path.string(), describe(first.shard), other.path.string(), describe(other.shard)));
    }
    if (first.shard && first.shard->count != other.shard->count) {
        return util::make_error(fmt::format("{} is {} but {} is {}: shards of one run share their count",
                                            first.path.string(), describe(first.shard), other.path.string(),
                                            describe(other.shard)));
    }
    return {};
}

// Refuses inputs that are not distinct shards of one run; an empty answer means they are.
std::string check_shards(const std::vector<Input>& inputs) {
    std::map<int, const Input*> by_index;
    std::map<std::string, const Input*> by_suite;
    for (const auto& input : inputs) {
        if (auto same = check_same_run(inputs.front(), input); !same) return same.message();
        // An unsharded bundle is the whole run: two of them are the same run twice.
        const int index = input.shard ? input.shard->index : 1;
        if (auto [seen, added] = by_index.emplace(index, &input); !added) {
            return fmt::format("{} and {} are both {}: each shard is merged once", seen->second->path.string(),
                               input.path.string(), input.shard ? describe(input.shard) : "the whole run");
        }
        for (const auto& suite : input.suites) {
            if (auto [seen, added] = by_suite.emplace(suite.name, &input); !added) {
                return fmt::format("suite `{}` is in both {} and {}: shards must not overlap", suite.name,
                                   seen->second->path.string(), input.path.string());
            }
        }
    }
    // Shards of one plan agree on the tier's suites; a different set means another config or another split.
    const Input* first_with_suites = nullptr;
    for (const auto& input : inputs) {
        if (!input.tier_suites) continue;
        if (first_with_suites && *first_with_suites->tier_suites != *input.tier_suites) {
            return fmt::format("{} and {} split different sets of suites: they were planned from different configs",
                               first_with_suites->path.string(), input.path.string());
        }
        if (!first_with_suites) first_with_suites = &input;
    }
    return "";
}

// The shards no input brought, and the suites they would have run when the other shards recorded them.
void find_missing(const std::vector<Input>& inputs, verdict::RunFacts& facts) {
    const Input& first = inputs.front();
    if (!first.shard) return;
    std::set<int> present;
    std::set<std::string> accounted;
    for (const auto& input : inputs) {
        present.insert(input.shard->index);
        for (const auto& suite : input.suites) accounted.insert(suite.name);
        accounted.insert(input.not_run.begin(), input.not_run.end());
    }
    for (int index = 1; index <= first.shard->count; ++index) {
        if (!present.contains(index)) facts.missing_shards.push_back({index, first.shard->count});
    }
    if (facts.missing_shards.empty() || !first.tier_suites) return;
    for (const auto& suite : *first.tier_suites) {
        if (!accounted.contains(suite)) facts.missing_suites.push_back(suite);
    }
}

// The smoke guards of the shards, as one: green only when every shard that ran one saw it pass.
std::optional<verdict::SmokeSummary> merged_smoke(const std::vector<Input>& inputs, size_t& ran) {
    ran = 0;
    verdict::SmokeSummary smoke{true, ""};
    std::vector<std::string> failures;
    for (const auto& input : inputs) {
        const json& entry = input.summary.contains("smoke") ? input.summary["smoke"] : json();
        if (!entry.is_object()) continue;
        ++ran;
        if (!entry.value("green", false)) {
            smoke.green = false;
            failures.push_back(fmt::format("{}: {}", describe(input.shard), entry.value("reason", "")));
        }
    }
    if (ran == 0) return std::nullopt;
    smoke.reason = failures.empty() ? fmt::format("{} of {} shards ran the smoke guard; all passed", ran, inputs.size())
                                    : fmt::format("{} of {} shards ran the smoke guard; failed in {}", ran,
                                                  inputs.size(), util::join(failures, "; "));
    return smoke;
}

// The merged run as verdict::decide_run sees it: every input's suites, smoke guard and completeness.
verdict::RunFacts merged_facts(const std::vector<Input>& inputs, verdict::MissingShards missing_shards) {
    verdict::RunFacts facts;
    facts.tier = inputs.front().summary["tier"];
    bool smoke_only = true;
    for (const auto& input : inputs) {
        facts.suites.insert(facts.suites.end(), input.suites.begin(), input.suites.end());
        facts.not_run.insert(facts.not_run.end(), input.not_run.begin(), input.not_run.end());
        if (!input.complete) facts.interruption = verdict::Interruption::requested;
        smoke_only = smoke_only && input.summary.value("scope", "") == "smoke";
    }
    if (smoke_only) facts.scope = verdict::RunScope::smoke_guard;
    size_t smoke_runs = 0;
    facts.smoke = merged_smoke(inputs, smoke_runs);
    find_missing(inputs, facts);
    facts.missing_shards_policy = missing_shards;
    return facts;
}

// Copies an input's suite folders and smoke outputs into the merged bundle; an error message, or "".
std::string copy_evidence(const Input& input, size_t position, const fs::path& output) {
    std::error_code error;
    if (input.summary.contains("smoke") && input.summary["smoke"].is_object() &&
        fs::exists(input.folder / "smoke", error)) {
        const std::string name =
            input.shard ? fmt::format("shard-{}", input.shard->index) : fmt::format("input-{}", position + 1);
        fs::create_directories(output / "smoke", error);
        fs::copy(input.folder / "smoke", output / "smoke" / name,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks, error);
        if (error) return fmt::format("cannot copy the smoke outputs of {}: {}", input.path.string(), error.message());
    }
    for (const auto& suite : input.suites) {
        fs::create_directories(output / "suites", error);
        // Links stay links: the input verified, so each one leads inside the bundle.
        fs::copy(input.folder / "suites" / suite.name, output / "suites" / suite.name,
                 fs::copy_options::recursive | fs::copy_options::copy_symlinks, error);
        if (error) {
            return fmt::format("cannot copy suite {} of {} into {}: {}", suite.name, input.path.string(),
                               output.string(), error.message());
        }
    }
    return "";
}

json shards_json(const std::vector<verdict::Shard>& shards) {
    json list = json::array();
    for (const auto& shard : shards) list.push_back({{"index", shard.index}, {"count", shard.count}});
    return list;
}

json merged_summary(const std::vector<Input>& inputs, const verdict::RunFacts& facts,
                    const verdict::RunDecision& decision) {
    json merged = inputs.front().summary;
    merged["suites"] = json::array();
    merged["not_run"] = facts.not_run;
    merged["counts"] = json::object();
    for (const char* key : {"total", "passed", "failed", "errored", "skipped"}) merged["counts"][key] = 0;
    merged["shard"] = nullptr;
    merged["scope"] = verdict::to_string(facts.scope);
    merged["merged_from"] = json::array();
    merged["smoke"] = nullptr;
    long long duration = 0;
    for (const auto& input : inputs) {
        const json& summary = input.summary;
        merged["merged_from"].push_back({{"input", input.path.filename().string()},
                                         {"shard", summary.contains("shard") ? summary["shard"] : json()},
                                         {"verdict", summary.value("verdict", "")},
                                         {"green", summary.value("green", false)},
                                         {"status", summary.value("status", "")}});
        const std::string started = summary.value("started_at", "");
        const std::string finished = summary.value("finished_at", "");
        if (!started.empty() && started < merged.value("started_at", "")) merged["started_at"] = started;
        if (finished > merged.value("finished_at", "")) merged["finished_at"] = finished;
        duration = std::max<long long>(duration, summary.value("duration_ms", 0LL));
        for (const auto& suite : summary["suites"]) {
            merged["suites"].push_back(suite);
            const json counts =
                suite.contains("counts") && suite["counts"].is_object() ? suite["counts"] : json::object();
            for (const char* key : {"total", "passed", "failed", "errored", "skipped"}) {
                const long long value =
                    counts.contains(key) && counts[key].is_number_integer() ? counts[key].get<long long>() : 0;
                merged["counts"][key] = merged["counts"][key].get<long long>() + value;
            }
        }
    }
    if (facts.smoke) {
        long long smoke_duration = 0;
        for (const auto& input : inputs) {
            if (input.summary.contains("smoke") && input.summary["smoke"].is_object()) {
                smoke_duration = std::max<long long>(smoke_duration, input.summary["smoke"].value("duration_ms", 0LL));
            }
        }
        merged["smoke"] = {{"verdict", facts.smoke->green ? "pass" : "fail"},
                           {"green", facts.smoke->green},
                           {"reason", facts.smoke->reason},
                           {"path", "smoke"},
                           {"duration_ms", smoke_duration}};
    }
    merged["missing_shards"] = shards_json(facts.missing_shards);
    merged["missing_suites"] = facts.missing_suites;
    merged["allow_partial"] = facts.missing_shards_policy == verdict::MissingShards::allow_partial;
    merged["verdict"] = verdict::to_string(decision.verdict);
    merged["green"] = decision.green;
    merged["status"] = verdict::to_string(decision.status);
    merged["reason"] = decision.reason;
    merged["duration_ms"] = duration;
    return merged;
}

}  // namespace

MergeOutcome merge_bundles(const std::vector<fs::path>& paths, const fs::path& output, int jobs,
                           verdict::MissingShards missing_shards) {
    if (paths.empty()) return fail(MergeOutcome::Status::refused, "merge needs at least one bundle");
    std::error_code error;
    if (fs::exists(output, error) && !fs::is_empty(output, error)) {
        return fail(MergeOutcome::Status::refused,
                    fmt::format("{} exists and is not empty; merge writes a new bundle", output.string()));
    }

    util::TemporaryDirectory scratch("greenlight-merge");
    std::vector<Input> inputs;
    for (size_t i = 0; i < paths.size(); ++i) {
        auto input = read_input(paths[i], scratch.path() / std::to_string(i), jobs);
        if (!input) return fail(MergeOutcome::Status::invalid_input, input.message());
        inputs.push_back(std::move(*input));
    }
    if (std::string refused = check_shards(inputs); !refused.empty()) {
        return fail(MergeOutcome::Status::refused, refused);
    }

    const verdict::RunFacts facts = merged_facts(inputs, missing_shards);
    const verdict::RunDecision decision = verdict::decide_run(facts);

    if (auto made = util::make_directories(output); !made)
        return fail(MergeOutcome::Status::write_error, made.message());
    std::vector<std::string> junit_documents;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (std::string copied = copy_evidence(inputs[i], i, output); !copied.empty()) {
            return fail(MergeOutcome::Status::write_error, copied);
        }
        if (auto junit = util::read_file(inputs[i].folder / "junit.xml")) junit_documents.push_back(std::move(*junit));
    }

    MergeOutcome outcome;
    outcome.summary = merged_summary(inputs, facts, decision);
    const std::string junit = join_junit(
        junit_documents, fmt::format("{} {} {}", outcome.summary.value("project", ""),
                                     outcome.summary.value("tier", ""), outcome.summary.value("run_id", "")));
    std::string written = write_run_reports(output, outcome.summary, junit, jobs, outcome.verification);
    if (!written.empty()) return fail(MergeOutcome::Status::write_error, written);
    return outcome;
}

}  // namespace greenlight::runner
