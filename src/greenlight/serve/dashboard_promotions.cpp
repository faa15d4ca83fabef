// The promotions page (/promotions): every `greenlight promote` attempt with its verdict and each reason, and
// the go/no-go decisions recorded, filtered by environment and commit.
#include <fmt/format.h>

#include "greenlight/serve/dashboard.hpp"
#include "greenlight/serve/dashboard_widgets.hpp"
#include "greenlight/serve/html.hpp"

namespace greenlight::serve {

using namespace detail;

namespace {

std::string_view promotion_tone(PromotionVerdict verdict) {
    return verdict == PromotionVerdict::go ? "good" : "bad";
}

void list_of(Builder& out, const std::vector<std::string>& items) {
    if (items.empty()) {
        out.text("—");
        return;
    }
    out.open("ul");
    for (const auto& item : items) out.element("li", item);
    out.close();
}

void attempts_table(Builder& out, const std::vector<PromotionAttempt>& attempts) {
    out.element("h2", "Attempts");
    if (attempts.empty()) {
        empty_state(out, "No promotion attempts yet: `greenlight promote --env E --sha S` records each one here.");
        return;
    }
    open_table(out, {"When", "Environment", "Commit", "Verdict", "Reasons", "Evidence", "By"}, "Promotion attempts");
    for (const auto& attempt : attempts) {
        out.open("tr");
        time_cell(out, "When", attempt.at);
        text_cell(out, "Environment", attempt.environment);
        open_cell(out, "Commit");
        out.element("code", short_sha(attempt.commit), {{"title", attempt.commit}});
        out.close();
        open_cell(out, "Verdict");
        badge(out, to_string(attempt.verdict), promotion_tone(attempt.verdict));
        out.close();
        open_cell(out, "Reasons");
        list_of(out, attempt.reasons);
        out.close();
        open_cell(out, "Evidence");
        list_of(out, attempt.evidence);
        out.close();
        text_cell(out, "By", attempt.by);
        out.close();  // tr
    }
    close_table(out);
}

void decisions_table(Builder& out, const std::vector<PromotionDecision>& decisions) {
    out.element("h2", "Decisions");
    if (decisions.empty()) {
        empty_state(out, "No decisions yet: `greenlight promote decide go|no-go` records them.");
        return;
    }
    open_table(out, {"When", "Environment", "Commit", "Decision", "Reason", "By"}, "Promotion decisions");
    for (const auto& decision : decisions) {
        out.open("tr");
        time_cell(out, "When", decision.at);
        text_cell(out, "Environment", decision.environment);
        open_cell(out, "Commit");
        out.element("code", short_sha(decision.commit), {{"title", decision.commit}});
        out.close();
        open_cell(out, "Decision");
        badge(out, to_string(decision.decision), promotion_tone(decision.decision));
        out.close();
        text_cell(out, "Reason", decision.reason);
        text_cell(
            out, "By",
            decision.by == decision.token ? decision.by : fmt::format("{} (token {})", decision.by, decision.token));
        out.close();  // tr
    }
    close_table(out);
}

}  // namespace

std::string render_promotions_page(const PromotionsPage& page) {
    Builder out;
    begin_page(out, "Promotions", Section::promotions);
    out.element("h1", "Promotions");
    out.open("form", {{"method", "get"}, {"action", "/promotions"}, {"class", "filters"}});
    filter_field(out, "environment", "Environment", page.filter.environment, {});
    filter_field(out, "commit", "Commit", page.filter.commit, {});
    out.element("button", "Filter", {{"type", "submit"}});
    out.close();  // form
    out.element("p", "Times are UTC. The latest decision for a commit and environment is the one that counts.",
                {{"class", "note"}});
    attempts_table(out, page.attempts);
    decisions_table(out, page.decisions);
    return out.finish();
}

}  // namespace greenlight::serve
