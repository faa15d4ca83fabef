#include "greenlight/gate/report.hpp"

#include <fmt/format.h>

#include <sstream>

#include "greenlight/util/strings.hpp"

namespace greenlight::gate {

using nlohmann::json;

namespace {

std::string ranges_text(const std::vector<LineRange>& ranges) {
    std::string out;
    for (const auto& range : ranges) {
        if (!out.empty()) out += ", ";
        out += range.first == range.last ? std::to_string(range.first) : fmt::format("{}-{}", range.first, range.last);
    }
    return out;
}

std::string reason_text(const RiskReason& reason) {
    // A size rule names no file: it is about the whole change.
    if (reason.path.empty()) {
        return fmt::format("{} the whole change (rule {}: {})", config::to_string(reason.tier), reason.rule,
                           reason.matched);
    }
    std::string where = reason.line > 0 ? fmt::format("{}:{}", reason.path, reason.line) : reason.path;
    return fmt::format("{} {} (rule {}: {})", config::to_string(reason.tier), where, reason.rule, reason.matched);
}

const char* mark(GateState state) {
    switch (state) {
        case GateState::passed:
            return "✅";
        case GateState::failed:
            return "❌";
        case GateState::stale:
            return "♻️";
        case GateState::running:
        case GateState::pending:
            return "⏳";
        case GateState::missing:
            return "⬜";
        case GateState::unknown:
            return "❔";
    }
    return "⬜";
}

}  // namespace

json report_json(const GateReport& report) {
    const Evaluation& evaluation = report.evaluation;
    json reasons = json::array();
    for (const auto& reason : evaluation.risk.reasons) {
        reasons.push_back({{"rule", reason.rule},
                           {"tier", config::to_string(reason.tier)},
                           {"path", reason.path.empty() ? json() : json(reason.path)},
                           {"line", reason.line > 0 ? json(reason.line) : json()},
                           {"matched", reason.matched}});
    }
    json gates = json::array();
    for (const auto& gate : evaluation.gates) {
        gates.push_back({{"gate", gate.name},
                         {"mode", gate.mode == config::GateMode::blocking ? "blocking" : "advisory"},
                         {"state", to_string(gate.state)},
                         {"holds", gate.holds()},
                         {"required_by", gate.required_by},
                         {"sha", gate.sha.empty() ? json() : json(gate.sha)},
                         {"detail", gate.detail},
                         {"warning", gate.warning.empty() ? json() : json(gate.warning)},
                         {"sources", gate.sources}});
    }
    json patch;
    if (report.patch) {
        json files = json::array();
        for (const auto& file : report.patch->files) {
            json uncovered = json::array();
            for (const auto& range : file.uncovered) uncovered.push_back({range.first, range.last});
            files.push_back({{"path", file.path},
                             {"covered", file.ratio.covered},
                             {"measured", file.ratio.measured},
                             {"percent", file.ratio.percent_text()},
                             {"uncovered", uncovered}});
        }
        patch = {{"covered", report.patch->ratio.covered},
                 {"measured", report.patch->ratio.measured},
                 {"percent", report.patch->ratio.percent_text()},
                 {"files", files},
                 {"unmeasured_files", report.patch->unmeasured_files},
                 {"unmeasured_critical", report.patch->unmeasured_critical}};
    }
    return {
        {"schema", "greenlight.gate/v1"},
        {"head", report.head_sha.empty() ? json() : json(report.head_sha)},
        {"rules",
         {{"origin", report.rules_origin.empty() ? json() : json(report.rules_origin)}, {"notes", report.rules_notes}}},
        {"verdict", evaluation.passed ? "pass" : "fail"},
        {"risk",
         {{"computed", config::to_string(evaluation.risk.tier)},
          {"effective", config::to_string(evaluation.effective_tier)},
          {"docs_only", evaluation.risk.docs_only},
          {"generated_only", evaluation.risk.generated_only},
          {"files", evaluation.risk.files},
          {"reasons", reasons}}},
        {"declared",
         {{"labels", evaluation.declared.risk_labels},
          {"tier", evaluation.declared.tier ? json(config::to_string(*evaluation.declared.tier)) : json()},
          {"violations", evaluation.declared.violations}}},
        {"gates", gates},
        {"lifecycle", to_string(evaluation.lifecycle)},
        {"labels",
         {{"wanted", evaluation.labels.wanted}, {"add", evaluation.labels.add}, {"remove", evaluation.labels.remove}}},
        {"patch_coverage", patch},
    };
}

std::string report_text(const GateReport& report) {
    const Evaluation& evaluation = report.evaluation;
    std::ostringstream out;
    if (!report.rules_origin.empty()) out << "rules: " << report.rules_origin << "\n";
    for (const auto& note : report.rules_notes) out << "  note: " << note << "\n";
    out << fmt::format("risk: {} (computed {}{})\n", config::to_string(evaluation.effective_tier),
                       config::to_string(evaluation.risk.tier),
                       evaluation.risk.docs_only        ? ", docs only"
                       : evaluation.risk.generated_only ? ", generated files only"
                                                        : "");
    // The reasons at the computed tier first (up to 20), then a few below it; never a silent cut.
    size_t shown = 0;
    size_t hidden = 0;
    for (const auto& reason : evaluation.risk.reasons) {
        if (shown >= 20 || (reason.tier < evaluation.risk.tier && shown >= 5)) {
            ++hidden;
            continue;
        }
        out << "  because " << reason_text(reason) << "\n";
        ++shown;
    }
    if (hidden > 0) out << fmt::format("  ... and {} more (see --json)\n", hidden);
    out << "declared: "
        << (evaluation.declared.risk_labels.empty()
                ? std::string("(none)")
                : fmt::format("{}", fmt::join(evaluation.declared.risk_labels, ", ")))
        << "\n";
    for (const auto& violation : evaluation.declared.violations) out << "  violation: " << violation << "\n";
    out << "gates:\n";
    if (evaluation.gates.empty()) out << "  (none required at this tier)\n";
    for (const auto& gate : evaluation.gates) {
        out << fmt::format("  {:<24} {:<8} {:<8} {}\n", gate.name, to_string(gate.state),
                           gate.mode == config::GateMode::blocking ? "blocking" : "advisory", gate.detail);
        if (!gate.warning.empty()) out << fmt::format("  {:<24} warning: {}\n", "", gate.warning);
    }
    if (report.patch) {
        for (const auto& file : report.patch->files) {
            if (file.uncovered.empty()) continue;
            out << fmt::format("  uncovered added lines: {}: {}\n", file.path, ranges_text(file.uncovered));
        }
    }
    out << fmt::format(
        "labels: {} (add: {}; remove: {})\n", fmt::join(evaluation.labels.wanted, ", "),
        evaluation.labels.add.empty() ? "-" : fmt::format("{}", fmt::join(evaluation.labels.add, ", ")),
        evaluation.labels.remove.empty() ? "-" : fmt::format("{}", fmt::join(evaluation.labels.remove, ", ")));
    out << "verdict: " << (evaluation.passed ? "pass" : "fail") << "\n";
    return out.str();
}

std::string report_markdown(const GateReport& report) {
    const Evaluation& evaluation = report.evaluation;
    std::ostringstream out;
    out << fmt::format("## {} greenlight gate: {} — risk `{}`\n\n", evaluation.passed ? "✅" : "❌",
                       evaluation.passed ? "pass" : "fail", config::to_string(evaluation.effective_tier));
    out << fmt::format("Computed risk **{}** over {} changed files", config::to_string(evaluation.risk.tier),
                       evaluation.risk.files);
    if (evaluation.risk.docs_only) out << " (documentation only)";
    if (evaluation.risk.generated_only) out << " (generated files only)";
    out << ".";
    if (!report.rules_origin.empty()) out << " Rules: " << util::markdown_table_cell(report.rules_origin) << ".";
    out << "\n\n";
    for (const auto& note : report.rules_notes) out << "> ℹ️ " << util::markdown_table_cell(note) << "\n\n";
    if (!evaluation.risk.reasons.empty()) {
        out << "<details><summary>Why</summary>\n\n";
        size_t shown = 0;
        for (const auto& reason : evaluation.risk.reasons) {
            if (shown == 50) {
                out << fmt::format("- … and {} more (see `greenlight gate --json`)\n",
                                   evaluation.risk.reasons.size() - shown);
                break;
            }
            out << "- " << util::markdown_table_cell(reason_text(reason)) << "\n";
            ++shown;
        }
        out << "\n</details>\n\n";
    }
    for (const auto& violation : evaluation.declared.violations) out << "> ⚠️ **Label:** " << violation << "\n\n";
    out << "| | gate | state | mode | detail |\n|---|---|---|---|---|\n";
    for (const auto& gate : evaluation.gates) {
        const std::string detail = gate.warning.empty() ? gate.detail : gate.detail + " ⚠️ " + gate.warning;
        out << fmt::format("| {} | `{}` | {} | {} | {} |\n", mark(gate.state), gate.name, to_string(gate.state),
                           gate.mode == config::GateMode::blocking ? "blocking" : "advisory",
                           util::markdown_table_cell(detail));
    }
    if (report.patch && !report.patch->files.empty()) {
        out << "\n**Patch coverage:** " << report.patch->ratio.percent_text() << " (" << report.patch->ratio.covered
            << "/" << report.patch->ratio.measured << " added lines)\n\n";
        for (const auto& file : report.patch->files) {
            if (!file.uncovered.empty())
                out << fmt::format("- `{}`: lines {} not covered\n", file.path, ranges_text(file.uncovered));
        }
    }
    out << fmt::format("\nLabels: {}\n", fmt::join(evaluation.labels.wanted, ", "));
    return out.str();
}

std::vector<std::string> uncovered_annotations(const GateReport& report) {
    std::vector<std::string> lines;
    for (const auto& gate : report.evaluation.gates) {
        if (gate.warning.empty()) continue;
        lines.push_back(fmt::format("::warning title=greenlight gate {}::{}",
                                    util::workflow_command_escape(gate.name, true),
                                    util::workflow_command_escape(gate.warning, false)));
    }
    if (!report.patch) return lines;
    for (const auto& file : report.patch->files) {
        for (const auto& range : file.uncovered) {
            lines.push_back(fmt::format(
                "::warning file={},line={},endLine={},title=greenlight gate::added lines not covered by tests",
                util::workflow_command_escape(file.path, true), range.first, range.last));
        }
    }
    return lines;
}

}  // namespace greenlight::gate
