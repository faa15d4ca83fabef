#include "greenlight/runner/plan.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <numeric>

#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"

namespace greenlight::runner {

util::Result<std::map<std::string, double>> read_durations(const std::filesystem::path& summary_file) {
    auto text = util::read_file(summary_file);
    if (!text) return text.error();
    auto summary = nlohmann::json::parse(*text, nullptr, false);
    if (summary.is_discarded() || !summary.is_object() || !summary.contains("suites") ||
        !summary["suites"].is_array()) {
        return util::make_error(fmt::format(
            "{}: not a greenlight summary.json (expected an object with a `suites` list)", summary_file.string()));
    }
    std::map<std::string, double> durations;
    for (const auto& suite : summary["suites"]) {
        if (suite.is_object() && suite.contains("name") && suite["name"].is_string() && suite.contains("duration_ms") &&
            suite["duration_ms"].is_number()) {
            durations[suite["name"].get<std::string>()] = suite["duration_ms"].get<double>();
        }
    }
    return durations;
}

util::Result<Shard> parse_shard(const std::string& text) {
    auto slash = text.find('/');
    Shard shard;
    auto bad = [&] {
        return util::make_error(fmt::format("--shard `{}`: expected I/N with 1 <= I <= N, e.g. 2/4", text));
    };
    if (slash == std::string::npos) return bad();
    auto first = std::from_chars(text.data(), text.data() + slash, shard.index);
    auto second = std::from_chars(text.data() + slash + 1, text.data() + text.size(), shard.count);
    if (first.ec != std::errc() || first.ptr != text.data() + slash || second.ec != std::errc() ||
        second.ptr != text.data() + text.size() || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
        return bad();
    }
    return shard;
}

util::Result<RunPlan> plan_run(const config::Config& config, const std::string& tier, std::optional<Shard> shard,
                               const std::map<std::string, double>& durations) {
    auto found = config.tiers.find(tier);
    if (found == config.tiers.end()) {
        auto suggestion = util::did_you_mean(tier, config.tier_order);
        return util::make_error(fmt::format("{}: no tier `{}` (tiers: {}){}", config.file.filename().string(), tier,
                                            config.tier_order.empty() ? "none" : util::join(config.tier_order, ", "),
                                            suggestion ? fmt::format("; did you mean `{}`?", *suggestion) : ""));
    }
    RunPlan plan;
    plan.tier = tier;
    plan.shard = shard;
    plan.tier_is_empty = found->second.empty();
    auto add = [&](const config::SuiteConfig& suite, std::string reason) {
        for (auto& planned : plan.suites) {
            if (planned.suite->name == suite.name) {
                planned.reasons.push_back(std::move(reason));
                return;
            }
        }
        plan.suites.push_back({&suite, {std::move(reason)}});
    };
    for (const auto& entry : found->second) {
        if (entry.text.rfind("label:", 0) == 0) {
            std::string label = entry.text.substr(6);
            for (const auto& suite : config.suites) {
                if (std::find(suite.labels.begin(), suite.labels.end(), label) != suite.labels.end()) {
                    add(suite, fmt::format("label:{} in tier {}", label, tier));
                }
            }
        } else if (const auto* suite = config.find_suite(entry.text)) {
            add(*suite, fmt::format("named in tier {}", tier));
        } else {
            return util::make_error(fmt::format("{}:{}: tier {} names unknown suite `{}`",
                                                config.file.filename().string(), entry.line, tier, entry.text));
        }
    }
    if (!shard || shard->count == 1) return plan;

    // Longest first onto the least-loaded shard: the classic LPT split, deterministic by name.
    std::vector<double> known;
    for (const auto& planned : plan.suites) {
        if (auto it = durations.find(planned.suite->name); it != durations.end()) known.push_back(it->second);
    }
    const double fallback = known.empty() ? 1.0 : std::accumulate(known.begin(), known.end(), 0.0) / known.size();
    std::vector<std::pair<double, std::string>> order;
    for (const auto& planned : plan.suites) {
        auto it = durations.find(planned.suite->name);
        order.emplace_back(it == durations.end() ? fallback : it->second, planned.suite->name);
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<double> load(static_cast<size_t>(shard->count), 0.0);
    std::map<std::string, int> assigned;
    for (const auto& [duration, name] : order) {
        size_t lightest = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        load[lightest] += duration;
        assigned[name] = static_cast<int>(lightest) + 1;
    }
    std::vector<PlannedSuite> mine;
    for (auto& planned : plan.suites) {
        if (assigned[planned.suite->name] == shard->index) {
            mine.push_back(std::move(planned));
        } else {
            plan.other_shards.push_back(planned.suite->name);
        }
    }
    plan.suites = std::move(mine);
    return plan;
}

std::string format_plan(const RunPlan& plan, bool smoke_first) {
    std::string out = fmt::format("tier {}", plan.tier);
    if (plan.shard) out += fmt::format(", shard {}/{}", plan.shard->index, plan.shard->count);
    out += fmt::format(": {} suite{}\n", plan.suites.size(), plan.suites.size() == 1 ? "" : "s");
    if (smoke_first) out += "  (smoke guard)   always runs first (skip with --no-smoke)\n";
    size_t width = 0;
    for (const auto& planned : plan.suites) width = std::max(width, planned.suite->name.size());
    for (const auto& planned : plan.suites) {
        const auto& suite = *planned.suite;
        out += fmt::format("  {:<{}}   {}; timeout {}s, retries {}{}{}\n", suite.name, width,
                           util::join(planned.reasons, ", "), suite.timeout.count() / 1000, suite.retries,
                           suite.requires_.empty() ? "" : ", requires " + util::join(suite.requires_, ", "),
                           suite.labels.empty() ? "" : ", labels " + util::join(suite.labels, ", "));
    }
    if (!plan.other_shards.empty()) {
        out += fmt::format("  other shards run: {}\n", util::join(plan.other_shards, ", "));
    }
    if (plan.suites.empty() && !plan.tier_is_empty) out += "  (nothing to run: the run would be no-tests)\n";
    return out;
}

}  // namespace greenlight::runner
