// The runbook's risk tiers and gates: what `greenlight gate` uses when greenlight.yml has no `gate:`.
#include <algorithm>
#include <cctype>

#include "greenlight/config/config.hpp"

namespace greenlight::config {

namespace {

struct TierName {
    RiskTier tier;
    std::string_view name;
};

constexpr TierName k_tier_names[] = {
    {RiskTier::r0_docs, "R0-docs"}, {RiskTier::r1_low, "R1-low"},           {RiskTier::r2_medium, "R2-medium"},
    {RiskTier::r3_high, "R3-high"}, {RiskTier::r4_critical, "R4-critical"},
};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

RiskRule rule(std::string name, std::vector<std::string> paths, std::vector<std::string> keywords, RiskTier tier,
              std::vector<std::string> requires_gates = {}) {
    RiskRule made;
    made.name = std::move(name);
    made.paths = std::move(paths);
    made.keywords = std::move(keywords);
    made.tier = tier;
    made.requires_gates = std::move(requires_gates);
    // The runbook asks for end-to-end proof of outbound and automation changes from R3 on.
    made.requires_from = RiskTier::r3_high;
    return made;
}

// A rule on the change's size: at least `lines` changed lines or `files` changed files.
RiskRule size_rule(std::string name, std::int64_t lines, std::int64_t files, RiskTier tier) {
    RiskRule made = rule(std::move(name), {}, {}, tier);
    made.size_lines = lines;
    made.size_files = files;
    return made;
}

}  // namespace

std::string_view to_string(RiskTier tier) {
    for (const auto& entry : k_tier_names) {
        if (entry.tier == tier) return entry.name;
    }
    return "R1-low";
}

std::optional<RiskTier> parse_risk_tier(std::string_view text) {
    for (const auto& entry : k_tier_names) {
        if (equal_ignoring_case(text, entry.name) || equal_ignoring_case(text, entry.name.substr(0, 2))) {
            return entry.tier;
        }
    }
    return std::nullopt;
}

GateConfig default_gate_config() {
    GateConfig config;
    // Any change to code is at least R1; critical zones are at least R2 (the runbook's list).
    config.rules = {
        rule("code", {}, {}, RiskTier::r1_low),
        rule("backend", {"backend/**", "server/**", "api/**"}, {}, RiskTier::r2_medium),
        rule("automation-and-routing",
             {"**/automation/**", "**/automations/**", "**/routing/**", "**/router/**", "**/workflows/**",
              ".github/workflows/**"},
             {}, RiskTier::r2_medium, {"e2e-proof"}),
        rule("webhooks", {"**/webhook*/**", "**/*webhook*"}, {}, RiskTier::r2_medium, {"e2e-proof"}),
        rule("secrets-and-auth", {"**/*secret*", "**/*secret*/**", "**/auth/**", "**/*auth*.*", "**/*credential*"}, {},
             RiskTier::r2_medium),
        rule("personal-data", {"**/pii/**", "**/*pii*", "**/*personal*", "**/*gdpr*"}, {}, RiskTier::r2_medium),
        rule("outbound-requests", {"**/outbound/**", "**/*client*.*", "**/integrations/**"}, {}, RiskTier::r2_medium,
             {"e2e-proof"}),
        rule("persistence-and-migrations",
             {"**/migrations/**", "**/migration/**", "**/*.sql", "**/db/**", "**/database/**", "**/persistence/**",
              "**/models/**", "**/schema*.*"},
             {}, RiskTier::r2_medium),
        rule("secret-or-auth-code", {},
             {"password", "secret", "api_key", "apikey", "private_key", "access_token", "authorization:", "bearer "},
             RiskTier::r2_medium),
        rule("outbound-request-code", {},
             {"http://", "https://", "requests.post(", "requests.get(", "fetch(", "urlopen(", "httpclient", "axios."},
             RiskTier::r2_medium, {"e2e-proof"}),
        rule("persistence-code", {},
             {"insert into ", "update ", "delete from ", "alter table", "create table", "drop table"},
             RiskTier::r2_medium),
        // A change too large to read line by line is a risk of its own, whatever it touches.
        size_rule("large-change", 500, 25, RiskTier::r2_medium),
        size_rule("very-large-change", 2000, 100, RiskTier::r3_high),
    };
    config.docs_paths = {"docs/**",  "doc/**",   "**/*.md",       "**/*.rst",         "**/*.adoc",
                         "**/*.txt", "LICENSE*", "**/.gitignore", "**/.gitattributes"};
    config.tier_gates = {
        {RiskTier::r0_docs, {}},
        {RiskTier::r1_low, {"ci"}},
        {RiskTier::r2_medium, {"patch-coverage", "automated-review", "semantic-review"}},
        {RiskTier::r3_high, {"project-coverage", "security-review"}},
        {RiskTier::r4_critical, {"second-review", "rollback-plan", "post-merge-verification"}},
    };
    for (const char* name :
         {"ci", "patch-coverage", "automated-review", "semantic-review", "project-coverage", "security-review",
          "e2e-proof", "second-review", "rollback-plan", "post-merge-verification"}) {
        config.gates[name] = GateDefinition{};
    }
    return config;
}

}  // namespace greenlight::config
