#include "greenlight/hygiene/report.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "greenlight/util/strings.hpp"

namespace greenlight::hygiene {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Enough to see the pattern of a failure; the JSON and SARIF outputs carry every finding.
constexpr size_t k_findings_shown = 50;

std::string status_word(CheckStatus status) {
    switch (status) {
        case CheckStatus::passed:
            return "pass";
        case CheckStatus::failed:
            return "FAIL";
        case CheckStatus::warned:
            return "warn";
        case CheckStatus::error:
            return "ERROR";
    }
    return "ERROR";
}

std::string paint(std::string text, CheckStatus status, Colour colour) {
    if (colour == Colour::off) return text;
    const char* code = status == CheckStatus::passed ? "32" : status == CheckStatus::warned ? "33" : "31";
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string place(const Finding& finding) {
    if (finding.path.empty()) return "";
    if (finding.line <= 0) return finding.path + ": ";
    if (finding.column <= 0) return fmt::format("{}:{}: ", finding.path, finding.line);
    return fmt::format("{}:{}:{}: ", finding.path, finding.line, finding.column);
}

std::string examined_text(const CheckOutcome& outcome) {
    std::string unit = outcome.examined_unit.empty() ? "items" : outcome.examined_unit;
    if (outcome.examined == 1 && unit.ends_with('s')) unit.pop_back();  // units are plural nouns: "1 file"
    std::string text = fmt::format("{} {}", outcome.examined, unit);
    for (const auto& [what, count] : outcome.counts) text += fmt::format(", {} {}", count, what);
    return text;
}

std::string rule_id(const CheckReport& report, const Finding& finding) {
    return fmt::format("{}/{}", config::to_string(report.check->type), finding.rule);
}

}  // namespace

std::string text_report(const ChecksRun& run, Colour colour) {
    std::string text;
    size_t width = 0;
    for (const auto& report : run.reports) width = std::max(width, report.check->name.size());
    size_t failed = 0, warned = 0, errors = 0;
    for (const auto& report : run.reports) {
        const CheckOutcome& outcome = report.outcome;
        std::string summary;
        if (report.status == CheckStatus::error) {
            ++errors;
            summary = "could not run";
        } else {
            summary = fmt::format("examined {}", examined_text(outcome));
            if (outcome.change_touches_none) summary += " (the change touches none of its files)";
            if (!outcome.findings.empty()) {
                summary +=
                    fmt::format(": {} finding{}", outcome.findings.size(), outcome.findings.size() == 1 ? "" : "s");
            }
        }
        if (report.status == CheckStatus::failed) ++failed;
        if (report.status == CheckStatus::warned) ++warned;
        text += fmt::format("{} {:<{}}  {:<15} {} ({:.2f} s){}\n",
                            paint(fmt::format("{:<5}", status_word(report.status)), report.status, colour),
                            report.check->name, width, config::to_string(report.check->type), summary,
                            static_cast<double>(report.duration.count()) / 1000.0,
                            report.check->mode == config::CheckMode::advisory ? " [advisory]" : "");
        if (report.status == CheckStatus::error) {
            text += fmt::format("      error: {}\n", *outcome.error);
            continue;
        }
        if (report.examined_nothing) {
            text +=
                "      examined nothing: a check that examines no item proves nothing; check its paths, "
                "indexes or manifest\n";
        }
        for (size_t index = 0; index < outcome.findings.size() && index < k_findings_shown; ++index) {
            const Finding& finding = outcome.findings[index];
            text += fmt::format("      {}{}: {}", place(finding), finding.rule, finding.message);
            if (!finding.suggestion.empty()) text += fmt::format(" (did you mean '{}'?)", finding.suggestion);
            text += "\n";
        }
        if (outcome.findings.size() > k_findings_shown) {
            text += fmt::format("      ... and {} more (--json or --sarif list them all)\n",
                                outcome.findings.size() - k_findings_shown);
        }
        if (!outcome.details.empty()) {
            for (auto line : util::split_lines(outcome.details)) text += fmt::format("      | {}\n", line);
        }
    }
    text += fmt::format("\n{} check{}: {} failed, {} advisory warning{}, {} could not run: {}\n", run.reports.size(),
                        run.reports.size() == 1 ? "" : "s", failed, warned, warned == 1 ? "" : "s", errors,
                        to_string(run.verdict));
    return text;
}

std::string json_report(const ChecksRun& run) {
    ordered_json document;
    document["version"] = 1;
    document["verdict"] = to_string(run.verdict);
    document["checks"] = ordered_json::array();
    for (const auto& report : run.reports) {
        const CheckOutcome& outcome = report.outcome;
        ordered_json check;
        check["name"] = report.check->name;
        check["type"] = config::to_string(report.check->type);
        check["mode"] = report.check->mode == config::CheckMode::advisory ? "advisory" : "blocking";
        check["status"] = to_string(report.status);
        check["examined"] = outcome.examined;
        check["examined_unit"] = outcome.examined_unit;
        check["examined_nothing"] = report.examined_nothing;
        check["change_touches_none"] = outcome.change_touches_none;
        ordered_json counts = ordered_json::object();
        for (const auto& [what, count] : outcome.counts) counts[what] = count;
        check["counts"] = counts;
        check["duration_ms"] = report.duration.count();
        if (outcome.error) check["error"] = *outcome.error;
        if (!outcome.details.empty()) check["details"] = outcome.details;
        ordered_json findings = ordered_json::array();
        for (const Finding& finding : outcome.findings) {
            ordered_json item;
            item["rule"] = finding.rule;
            item["message"] = finding.message;
            item["path"] = finding.path;
            item["line"] = finding.line;
            item["column"] = finding.column;
            if (!finding.suggestion.empty()) item["suggestion"] = finding.suggestion;
            findings.push_back(std::move(item));
        }
        check["findings"] = std::move(findings);
        document["checks"].push_back(std::move(check));
    }
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string sarif_report(const ChecksRun& run, const std::string& version, const std::string& config_file) {
    ordered_json rules = ordered_json::array();
    std::map<std::string, size_t> rule_index;
    ordered_json results = ordered_json::array();
    for (const auto& report : run.reports) {
        std::vector<Finding> findings = report.outcome.findings;
        // Failures that are not about one file still belong in code scanning: point them at the config.
        if (report.status == CheckStatus::error) {
            findings.push_back(Finding{"could-not-run", *report.outcome.error, "", 0, 0, ""});
        } else if (report.examined_nothing) {
            findings.push_back(Finding{
                "examined-nothing",
                fmt::format("check '{}' examined no item; check its paths, indexes or manifest", report.check->name),
                "", 0, 0, ""});
        }
        for (const Finding& finding : findings) {
            const std::string id = rule_id(report, finding);
            if (!rule_index.count(id)) {
                rule_index[id] = rules.size();
                ordered_json rule;
                rule["id"] = id;
                rule["name"] = finding.rule;
                rule["shortDescription"] = {{"text", fmt::format("greenlight check {}: {}",
                                                                 config::to_string(report.check->type), finding.rule)}};
                rule["help"] = {{"text", "See docs/CHECK.md in greenlight's documentation."}};
                rules.push_back(std::move(rule));
            }
            ordered_json result;
            result["ruleId"] = id;
            result["ruleIndex"] = rule_index[id];
            result["level"] = report.check->mode == config::CheckMode::advisory ? "warning" : "error";
            std::string message = finding.message;
            if (!finding.suggestion.empty()) message += fmt::format(" (did you mean '{}'?)", finding.suggestion);
            result["message"] = {{"text", message}};
            ordered_json physical;
            physical["artifactLocation"] = {{"uri", finding.path.empty() ? config_file : finding.path},
                                            {"uriBaseId", "%SRCROOT%"}};
            ordered_json region;
            region["startLine"] = finding.path.empty() ? report.check->line : std::max(finding.line, 1);
            if (!finding.path.empty() && finding.column > 0) region["startColumn"] = finding.column;
            physical["region"] = region;
            result["locations"] = ordered_json::array({{{"physicalLocation", physical}}});
            result["properties"] = {{"check", report.check->name}};
            results.push_back(std::move(result));
        }
    }
    ordered_json driver;
    driver["name"] = "greenlight";
    driver["semanticVersion"] = version;
    driver["rules"] = std::move(rules);
    ordered_json sarif_run;
    sarif_run["tool"] = {{"driver", driver}};
    sarif_run["automationDetails"] = {{"id", "greenlight-check/"}};
    sarif_run["columnKind"] = "unicodeCodePoints";
    sarif_run["results"] = std::move(results);
    ordered_json document;
    document["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
    document["version"] = "2.1.0";
    document["runs"] = ordered_json::array({sarif_run});
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string workflow_annotations(const ChecksRun& run) {
    std::string text;
    for (const auto& report : run.reports) {
        const char* level = report.check->mode == config::CheckMode::advisory ? "warning" : "error";
        const std::string title =
            util::workflow_command_escape(fmt::format("greenlight check {}", report.check->name), true);
        if (report.status == CheckStatus::error || report.examined_nothing) {
            const std::string message = report.status == CheckStatus::error
                                            ? *report.outcome.error
                                            : "examined no item; check its paths, indexes or manifest";
            text += fmt::format("::{} title={}::{}\n", level, title, util::workflow_command_escape(message, false));
        }
        for (const Finding& finding : report.outcome.findings) {
            std::string properties;
            if (!finding.path.empty()) properties += "file=" + util::workflow_command_escape(finding.path, true) + ",";
            if (finding.line > 0) properties += fmt::format("line={},", finding.line);
            if (finding.column > 0) properties += fmt::format("col={},", finding.column);
            properties += "title=" + title;
            std::string message = fmt::format("{}: {}", finding.rule, finding.message);
            if (!finding.suggestion.empty()) message += fmt::format(" (did you mean '{}'?)", finding.suggestion);
            text += fmt::format("::{} {}::{}\n", level, properties, util::workflow_command_escape(message, false));
        }
    }
    return text;
}

}  // namespace greenlight::hygiene
