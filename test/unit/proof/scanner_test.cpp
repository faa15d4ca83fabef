// The scanner against smuggling: every encoding that hides a marker, an address or an id from a plain
// text search must be undone before the search.
#include "greenlight/proof/scanner.hpp"

#include <gtest/gtest.h>

namespace greenlight::proof {
namespace {

ScanRules default_rules() {
    return ScanRules{{"@", "%40", "mail.", "%3C", "%3E"}, true, {}};
}

bool has(const std::vector<Finding>& findings, FindingKind kind, std::string_view marker = "") {
    for (const auto& finding : findings) {
        if (finding.kind == kind && (marker.empty() || finding.marker == marker)) return true;
    }
    return false;
}

TEST(Decoding, UndoesEachLayer) {
    EXPECT_EQ(decode_once("a%40b"), "a@b");
    EXPECT_EQ(decode_once("&#64;&#x40;&#X40;&commat;&COMMAT;&#64"), "@@@@@@");
    EXPECT_EQ(decode_once("\\u0040\\x40\\u{40}"), "@@@");
    EXPECT_EQ(decode_once("\xEF\xBC\xA0"), "@");               // U+FF20 full-width commercial at
    EXPECT_EQ(decode_once("\xEF\xB9\xAB"), "@");               // U+FE6B small commercial at
    EXPECT_EQ(decode_once("\xEF\xBD\x8D\xEF\xBD\x81"), "ma");  // full-width m, a
    EXPECT_EQ(decode_once("ma\xE2\x80\x8Bil"), "mail");        // zero width space dropped
    EXPECT_EQ(decode_once("100% sure & fine"), "100% sure & fine");
}

TEST(Decoding, RepeatsUntilStableWithinTheBound) {
    auto decoded = decode_until_stable("%252540");
    EXPECT_TRUE(decoded.settled);
    EXPECT_EQ(decoded.forms.back(), "@");
    std::string nested = "%40";
    for (int i = 0; i < k_max_decoding_rounds + 2; ++i) nested.insert(1, "25");
    EXPECT_FALSE(decode_until_stable(nested).settled);
}

struct Smuggled {
    const char* text;
    FindingKind kind;
    const char* marker;
};

class SmugglingTest : public ::testing::TestWithParam<Smuggled> {};

TEST_P(SmugglingTest, IsFound) {
    Scanner scanner(default_rules());
    const auto findings = scanner.scan(GetParam().text);
    EXPECT_TRUE(has(findings, GetParam().kind, GetParam().marker)) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(Proof, SmugglingTest,
                         ::testing::Values(Smuggled{"jane@example.org", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane%40example.org", FindingKind::forbidden_marker, "%40"},
                                           Smuggled{"jane%2540example", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane%252540example", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane&#64;example", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane&#x40;example", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane&commat;example", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane\xEF\xBC\xA0"
                                                    "example",
                                                    FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane\xEF\xB9\xAB"
                                                    "example",
                                                    FindingKind::forbidden_marker, "@"},
                                           Smuggled{"jane\\u0040example", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"%26%2364%3B", FindingKind::forbidden_marker, "@"},
                                           Smuggled{"see ma&#105;l.example", FindingKind::forbidden_marker, "mail."},
                                           Smuggled{"see MAIL.example", FindingKind::forbidden_marker, "mail."},
                                           Smuggled{"see ma\xE2\x80\x8Bil.example", FindingKind::forbidden_marker,
                                                    "mail."}));

TEST(Scanner, RawAngleBracketsAreNotMarkersButTheirPercentFormsAre) {
    Scanner scanner(default_rules());
    EXPECT_TRUE(scanner.scan("<redacted>").empty());
    EXPECT_TRUE(has(scanner.scan("%3Cscript%3E"), FindingKind::forbidden_marker, "%3C"));
    EXPECT_TRUE(has(scanner.scan("%3cscript"), FindingKind::forbidden_marker, "%3C"));
}

TEST(Scanner, FindsPersonalDataEvenWithoutTheAtMarker) {
    Scanner scanner(ScanRules{{}, true, {}});
    EXPECT_TRUE(has(scanner.scan("write to jane.doe@example.org"), FindingKind::email));
    EXPECT_TRUE(has(scanner.scan("jane.doe%40example.org"), FindingKind::email));
    EXPECT_TRUE(has(scanner.scan("jane [at] example [dot] org"), FindingKind::email));
    EXPECT_TRUE(has(scanner.scan("call +44 20 7946 0958"), FindingKind::phone_number));
    EXPECT_TRUE(has(scanner.scan("call +4915112345678"), FindingKind::phone_number));
    EXPECT_TRUE(has(scanner.scan("call (555) 123-4567 now"), FindingKind::phone_number));
    EXPECT_TRUE(has(scanner.scan("call 555-123-4567"), FindingKind::phone_number));
    EXPECT_TRUE(has(scanner.scan("card 4111 1111 1111 1111"), FindingKind::card_number));
    EXPECT_TRUE(has(scanner.scan("card 4111-1111-1111-1111 2024"), FindingKind::card_number));
    EXPECT_TRUE(has(scanner.scan("card=5500005555555559;"), FindingKind::card_number));
    EXPECT_TRUE(has(scanner.scan_number("4111111111111111"), FindingKind::card_number));
}

TEST(Scanner, LeavesOrdinaryEvidenceAlone) {
    Scanner scanner(default_rules());
    for (const char* text : {"2024-01-15T10:00:00+01:00", "took 1700000000123 ms", "192.168.100.200",
                             "3f2a9c1e-1234-4bcd-9f00-123456789abc", "sha256 e3b0c44298fc1c149afbf4c8996fb924",
                             "retry 2 of 3", "4111111111111112", "100% done", "v1.2.3", "<redacted>"}) {
        EXPECT_TRUE(scanner.scan(text).empty()) << text;
    }
    EXPECT_TRUE(scanner.scan_number("1700000000123").empty());
}

TEST(Scanner, FindsRawIdsAsWholeTokensInEveryForm) {
    Scanner scanner(ScanRules{{}, false, {"48213", "TCK-7"}});
    EXPECT_TRUE(has(scanner.scan("ticket 48213 closed"), FindingKind::id_value));
    EXPECT_TRUE(has(scanner.scan("ticket%2048213"), FindingKind::id_value));
    EXPECT_TRUE(has(scanner.scan("ticket 48%32%313"), FindingKind::id_value));
    EXPECT_TRUE(has(scanner.scan("see TCK-7."), FindingKind::id_value));
    EXPECT_FALSE(has(scanner.scan("ticket 482130"), FindingKind::id_value));
    EXPECT_FALSE(has(scanner.scan("TCK-77"), FindingKind::id_value));
}

TEST(Scanner, ReportsTooDeepEncoding) {
    Scanner scanner(ScanRules{{}, false, {}});
    std::string nested = "%41";
    for (int i = 0; i < k_max_decoding_rounds + 2; ++i) nested.insert(1, "25");
    EXPECT_TRUE(has(scanner.scan(nested), FindingKind::too_deeply_encoded));
}

TEST(IdOccurrences, TreatPercentEscapesAsSeparators) {
    EXPECT_EQ(find_id_occurrences("%2Fabc%2F", "abc"), std::vector<size_t>{3});
    EXPECT_TRUE(find_id_occurrences("xabc", "abc").empty());
    EXPECT_EQ(find_id_occurrences("abc abc", "abc"), (std::vector<size_t>{0, 4}));
    EXPECT_TRUE(find_id_occurrences("anything", "").empty());
}

TEST(Luhn, KnownNumbers) {
    EXPECT_TRUE(passes_luhn("4111111111111111"));
    EXPECT_TRUE(passes_luhn("378282246310005"));
    EXPECT_FALSE(passes_luhn("4111111111111112"));
    EXPECT_FALSE(passes_luhn("411111111111"));  // too short for a card
}

}  // namespace
}  // namespace greenlight::proof
