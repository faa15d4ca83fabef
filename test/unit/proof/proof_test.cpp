// make_proof end to end on evidence held in memory: fingerprints, wildcards, redaction, raw ids in text,
// collisions, refusals, classification.
#include "greenlight/proof/proof.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greenlight/proof/fingerprint.hpp"
#include "greenlight/proof/redaction.hpp"

namespace greenlight::proof {
namespace {

using config::ProofConfig;
using config::ProofCriterion;
using nlohmann::json;

constexpr std::string_view k_key = "test-key";
// HMAC-SHA256 under "test-key", first 12 hex characters (computed independently with Python's hmac).
constexpr std::string_view k_fingerprint_48213 = "7bafe0a18d90";
constexpr std::string_view k_fingerprint_a7 = "0efd0a32a9ae";

ProofOutcome must_make(std::string_view evidence, const ProofConfig& rules, std::string_view key = k_key) {
    auto made = make_proof(evidence, rules, key, "evidence.json");
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.message());
    return made.ok() ? std::move(made).value() : ProofOutcome{};
}

std::string must_fail(std::string_view evidence, const ProofConfig& rules, std::string_view key = k_key) {
    auto made = make_proof(evidence, rules, key, "evidence.json");
    EXPECT_FALSE(made.ok());
    return made.ok() ? "" : made.message();
}

ProofCriterion criterion(std::string name, std::string path, ProofCriterion::Condition condition,
                         std::string value_json = "") {
    ProofCriterion result;
    result.name = std::move(name);
    result.path = std::move(path);
    result.condition = condition;
    result.value_json = std::move(value_json);
    return result;
}

TEST(Fingerprint, MatchesTheRfc4231Vector) {
    // RFC 4231, test case 2.
    EXPECT_EQ(fingerprint("what do ya want for nothing?", ProofConfig::Fingerprint::hmac_sha256, "Jefe", 64),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    EXPECT_EQ(fingerprint("what do ya want for nothing?", ProofConfig::Fingerprint::hmac_sha256, "Jefe", 12),
              "5bdcc146bf60");
    EXPECT_EQ(fingerprint("abc", ProofConfig::Fingerprint::sha256, "ignored", 16), "ba7816bf8f01cfea");
    EXPECT_EQ(fingerprint("48213", ProofConfig::Fingerprint::hmac_sha256, k_key, 12), k_fingerprint_48213);
}

TEST(MakeProof, FingerprintsIdFieldsByPointerWildcardAndBareName) {
    ProofConfig rules;
    rules.id_fields = {"/tickets/*/id", "ticket_ref"};
    const auto outcome = must_make(R"({"tickets": [{"id": 48213, "state": "done"}, {"id": "A-7"}],
                                       "deep": {"list": [{"ticket_ref": "A-7"}]}, "id": "not an id field"})",
                                   rules);
    ASSERT_FALSE(outcome.refused());
    const json proof = json::parse(outcome.text);
    EXPECT_EQ(proof["tickets"][0]["id"], k_fingerprint_48213);
    EXPECT_EQ(proof["tickets"][1]["id"], k_fingerprint_a7);
    EXPECT_EQ(proof["deep"]["list"][0]["ticket_ref"], k_fingerprint_a7);
    EXPECT_EQ(proof["id"], "not an id field");
    EXPECT_EQ(outcome.fingerprinted, 3u);
    EXPECT_EQ(proof["classification"]["fingerprint"], (json{{"algorithm", "hmac-sha256"}, {"length", 12}}));
    EXPECT_EQ(outcome.text.back(), '\n');
}

TEST(MakeProof, FingerprintsEachIdOfAList) {
    ProofConfig rules;
    rules.id_fields = {"ticket_ids"};
    const auto outcome = must_make(R"({"ticket_ids": [48213, "A-7", null]})", rules);
    const json proof = json::parse(outcome.text);
    EXPECT_EQ(proof["ticket_ids"], (json{k_fingerprint_48213, k_fingerprint_a7, nullptr}));
}

TEST(MakeProof, RefusesAnObjectUnderAnIdName) {
    ProofConfig rules;
    rules.id_fields = {"ticket"};
    const std::string message = must_fail(R"({"ticket": {"id": 48213}})", rules);
    EXPECT_NE(message.find("/ticket"), std::string::npos) << message;
    EXPECT_EQ(message.find("48213"), std::string::npos) << message;
}

TEST(MakeProof, KeepsTheOrderOfMembers) {
    const auto outcome = must_make(R"({"zeta": 1, "alpha": 2})", ProofConfig{});
    EXPECT_LT(outcome.text.find("zeta"), outcome.text.find("alpha"));
}

TEST(MakeProof, AMissingKeyIsAnErrorThatSaysWhy) {
    ProofConfig rules;
    rules.id_fields = {"id"};
    const std::string message = must_fail(R"({"id": 1})", rules, "");
    EXPECT_NE(message.find("GREENLIGHT_PROOF_KEY"), std::string::npos) << message;
    EXPECT_NE(message.find("enumerable"), std::string::npos) << message;
    EXPECT_NE(message.find("fingerprint: sha256"), std::string::npos) << message;
}

TEST(MakeProof, AnUnkeyedHashNeedsToBeChosen) {
    ProofConfig rules;
    rules.id_fields = {"id"};
    rules.fingerprint = ProofConfig::Fingerprint::sha256;
    const auto outcome = must_make(R"({"id": 48213})", rules, "");
    const json proof = json::parse(outcome.text);
    EXPECT_EQ(proof["id"], "73b3062d0cb2");
    EXPECT_EQ(proof["classification"]["fingerprint"]["algorithm"], "sha256");
}

TEST(MakeProof, TwoIdsWithOneFingerprintAreAnErrorNamingBothPaths) {
    ProofConfig rules;
    rules.id_fields = {"id"};
    rules.fingerprint_length = 8;
    // These two collide in their first 8 hex characters under the key "k" (found by a birthday search).
    const std::string message = must_fail(R"({"a": {"id": "T-23212"}, "b": [{"id": "T-54316"}]})", rules, "k");
    EXPECT_NE(message.find("/a/id"), std::string::npos) << message;
    EXPECT_NE(message.find("/b/0/id"), std::string::npos) << message;
    EXPECT_EQ(message.find("T-23212"), std::string::npos) << message;
    EXPECT_EQ(message.find("T-54316"), std::string::npos) << message;
    // The same id twice is one id, not a collision.
    EXPECT_TRUE(make_proof(R"({"a": {"id": "T-23212"}, "b": {"id": "T-23212"}})", rules, "k").ok());
}

TEST(MakeProof, RedactsTemplatedUrlPathsInEveryForm) {
    ProofConfig rules;
    rules.redact_paths = {"/v1/tickets/{id}/add-tags"};
    const auto outcome = must_make(R"({"calls": [
        "/v1/tickets/48213/add-tags",
        "POST https://api.example.test/v1/tickets/48213/add-tags?dry_run=1",
        "GET https%3A%2F%2Fapi.example.test%2Fv1%2Ftickets%2F48213%2Fadd-tags",
        "escaped \\/v1\\/tickets\\/48213\\/add-tags",
        "/v1/tickets/48213/close"
    ]})",
                                   rules);
    ASSERT_FALSE(outcome.refused()) << outcome.refusals.front().to_string();
    const json calls = json::parse(outcome.text)["calls"];
    EXPECT_EQ(calls[0], "/v1/tickets/<redacted>/add-tags");
    EXPECT_EQ(calls[1], "POST https://api.example.test/v1/tickets/<redacted>/add-tags?dry_run=1");
    EXPECT_EQ(calls[2], "GET https%3A%2F%2Fapi.example.test%2Fv1%2Ftickets%2F<redacted>%2Fadd-tags");
    EXPECT_EQ(calls[3], "escaped \\/v1\\/tickets\\/<redacted>\\/add-tags");
    EXPECT_EQ(calls[4], "/v1/tickets/48213/close");  // not a configured template
    EXPECT_EQ(outcome.redacted, 4u);
}

TEST(Redaction, TemplatesWithSeveralSegments) {
    auto redactor = PathRedactor::compile({"/orgs/{org}/tickets/{id}"});
    ASSERT_TRUE(redactor.ok());
    std::string text = "see /orgs/acme/tickets/77 and /orgs/acme/tickets/78#top";
    EXPECT_EQ(redactor->redact(text), 4u);
    EXPECT_EQ(text, "see /orgs/<redacted>/tickets/<redacted> and /orgs/<redacted>/tickets/<redacted>#top");
}

TEST(MakeProof, ReplacesRawIdsInFreeText) {
    ProofConfig rules;
    rules.id_fields = {"/ticket/id"};
    const auto outcome = must_make(R"({"ticket": {"id": 48213},
                                       "log": ["closed ticket 48213.", "url /x/48213/y", "ref=48213&z", "other 482130"],
                                       "count": 48213})",
                                   rules);
    ASSERT_FALSE(outcome.refused()) << outcome.refusals.front().to_string();
    const json proof = json::parse(outcome.text);
    const std::string fingerprint(k_fingerprint_48213);
    EXPECT_EQ(proof["log"][0], "closed ticket " + fingerprint + ".");
    EXPECT_EQ(proof["log"][1], "url /x/" + fingerprint + "/y");
    EXPECT_EQ(proof["log"][2], "ref=" + fingerprint + "&z");
    EXPECT_EQ(proof["log"][3], "other 482130");
    EXPECT_EQ(proof["count"], 48213);  // numbers are not text
    EXPECT_EQ(outcome.ids_in_text, 3u);
}

TEST(MakeProof, RefusesAnIdHiddenByEncodingAndNamesThePathOnly) {
    ProofConfig rules;
    rules.id_fields = {"/ticket/id"};
    const auto outcome =
        must_make(R"({"ticket": {"id": 48213}, "events": [{}, {}, {}, {"note": "ticket 48%32%313"}]})", rules);
    ASSERT_TRUE(outcome.refused());
    EXPECT_TRUE(outcome.text.empty());
    EXPECT_EQ(outcome.refusals.front().path, "/events/3/note");
    EXPECT_NE(outcome.refusals.front().reason.find("raw id"), std::string::npos);
}

struct Refused {
    const char* note;
    const char* reason;
};

class RefusalTest : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusalTest, NamesThePathAndTheKindButNotTheValue) {
    json evidence = {
        {"events", json::array({json::object(), json::object(), json::object(), json{{"note", GetParam().note}}})}};
    const auto outcome = must_make(evidence.dump(), ProofConfig{});
    ASSERT_TRUE(outcome.refused()) << GetParam().note;
    EXPECT_TRUE(outcome.text.empty());
    bool named = false;
    for (const auto& refusal : outcome.refusals) {
        const std::string message = refusal.to_string();
        EXPECT_EQ(message.find(GetParam().note), std::string::npos) << message;
        if (refusal.path == "/events/3/note" && message.find(GetParam().reason) != std::string::npos) named = true;
    }
    EXPECT_TRUE(named) << GetParam().note << " -> " << outcome.refusals.front().to_string();
}

INSTANTIATE_TEST_SUITE_P(Proof, RefusalTest,
                         ::testing::Values(Refused{"jane%2540example", "forbidden marker `@`"},
                                           Refused{"jane%252540example", "forbidden marker `@`"},
                                           Refused{"jane&#64;example", "forbidden marker `@`"},
                                           Refused{"jane&#x40;example", "forbidden marker `@`"},
                                           Refused{"jane&commat;example", "forbidden marker `@`"},
                                           Refused{"jane\xEF\xBC\xA0"
                                                   "example",
                                                   "forbidden marker `@`"},
                                           Refused{"see ma&#105;l.example", "forbidden marker `mail.`"},
                                           Refused{"%3Cscript%3E", "forbidden marker `%3C`"},
                                           Refused{"call +44 20 7946 0958", "phone number"},
                                           Refused{"card 4111 1111 1111 1111", "card number"}));

TEST(MakeProof, ScansMemberNamesToo) {
    const auto outcome = must_make(R"({"by": {"jane&#64;example": true}})", ProofConfig{});
    ASSERT_TRUE(outcome.refused());
    EXPECT_EQ(outcome.refusals.front().path, "/by/jane&#64;example");
    EXPECT_TRUE(outcome.refusals.front().in_member_name);
}

TEST(MakeProof, BadJsonNamesLineAndColumnWithoutTheText) {
    const std::string message = must_fail("{\n  \"a\": 1,\n  \"secret@x\" oops\n}", ProofConfig{});
    EXPECT_EQ(message.rfind("evidence.json:3:", 0), 0u) << message;
    EXPECT_EQ(message.find("oops"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    EXPECT_NE(must_fail("[1, 2]", ProofConfig{}).find("expected a JSON object"), std::string::npos);
    // Found by the fuzzer: a number beyond a double's range is an out_of_range exception, not a parse_error.
    const std::string overflow = must_fail(R"({"n": 5555555e55555})", ProofConfig{});
    EXPECT_NE(overflow.find("out of range"), std::string::npos) << overflow;
    EXPECT_EQ(overflow.find("5555555"), std::string::npos) << overflow;
    EXPECT_NE(
        must_fail("{\"a\": " + std::string(1000, '[') + std::string(1000, ']') + "}", ProofConfig{}).find("deeper"),
        std::string::npos);
}

TEST(Classification, StrongWeakAndFail) {
    ProofConfig rules;
    rules.strong = {criterion("all events ok", "/events/*/status", ProofCriterion::Condition::equals, R"("ok")"),
                    criterion("enough events", "/events", ProofCriterion::Condition::at_least, "2")};
    rules.weak = {criterion("has a run", "/run/id", ProofCriterion::Condition::exists),
                  criterion("status word", "/run/status", ProofCriterion::Condition::matches, "^(passed|ok)$")};
    const std::string run = R"("run": {"id": "r1", "status": "passed"})";

    auto verdict = [&](const std::string& events) {
        return must_make("{" + run + ", \"events\": " + events + "}", rules).classification;
    };
    EXPECT_EQ(verdict(R"([{"status": "ok"}, {"status": "ok"}])"), k_pass_strong);
    EXPECT_EQ(verdict(R"([{"status": "ok"}, {"status": "bad"}])"), k_pass_weak);
    EXPECT_EQ(verdict(R"([{"status": "ok"}, {}])"), k_pass_weak);  // every element must have it
    EXPECT_EQ(verdict(R"([{"status": "ok"}])"), k_pass_weak);      // at_least 2 on a list counts elements
    EXPECT_EQ(verdict("[]"), k_pass_weak);                         // nothing examined holds nothing

    const auto outcome = must_make(R"({"events": []})", rules);
    EXPECT_EQ(outcome.classification, k_fail);
    const json proof = json::parse(outcome.text);
    EXPECT_EQ(proof["classification"]["verdict"], "FAIL");
    EXPECT_EQ(proof["classification"]["strong"][0], (json{{"name", "all events ok"}, {"held", false}}));
    EXPECT_EQ(proof["classification"]["weak"].size(), 2u);
}

TEST(Classification, NoCriteriaIsFail) {
    EXPECT_EQ(must_make(R"({"a": 1})", ProofConfig{}).classification, k_fail);
}

TEST(Classification, ConditionsOnNumbersAndStrings) {
    ProofConfig rules;
    rules.classification_field = "verdict_details";
    rules.strong = {criterion("", "/count", ProofCriterion::Condition::at_most, "3.0"),
                    criterion("", "/count", ProofCriterion::Condition::equals, "3"),
                    criterion("", "/mode", ProofCriterion::Condition::not_equals, R"("dry-run")"),
                    criterion("", "/mode", ProofCriterion::Condition::equals, "live")};  // unquoted: a string
    const auto outcome = must_make(R"({"count": 3, "mode": "live"})", rules);
    EXPECT_EQ(outcome.classification, k_pass_strong);
    const json proof = json::parse(outcome.text);
    EXPECT_EQ(proof["verdict_details"]["strong"][0]["name"], "/count");  // the path names an unnamed criterion
}

TEST(Classification, ABadPatternIsAnError) {
    ProofConfig rules;
    rules.strong = {criterion("broken", "/a", ProofCriterion::Condition::matches, "(")};
    EXPECT_NE(must_fail(R"({"a": "x"})", rules).find("criterion `broken`"), std::string::npos);
}

TEST(Classification, CriteriaSeeTheEvidenceBeforeFingerprinting) {
    ProofConfig rules;
    rules.id_fields = {"id"};
    rules.strong = {criterion("ticket id shape", "/id", ProofCriterion::Condition::matches, "^[0-9]+$")};
    EXPECT_EQ(must_make(R"({"id": "48213"})", rules).classification, k_pass_strong);
}

}  // namespace
}  // namespace greenlight::proof
