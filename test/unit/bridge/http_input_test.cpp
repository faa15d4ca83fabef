#include "greenlight/bridge/http_input.hpp"
#include "greenlight/util/base64.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>

namespace greenlight::bridge {
namespace {

Route routed(std::string_view path) {
    RouteOutcome outcome = route_path(path);
    if (!outcome) {
        ADD_FAILURE() << path << ": " << outcome.error().message;
        return {};
    }
    return *outcome;
}

RouteError::Kind refused(std::string_view path) {
    RouteOutcome outcome = route_path(path);
    if (outcome) {
        ADD_FAILURE() << path << " was routed";
        return RouteError::Kind::not_found;
    }
    return outcome.error().kind;
}

constexpr std::string_view k_correlator = "J0000042GLBRJES29C1F03AA.......:NIGHTLY";

TEST(RoutePath, NamesTheResourcesOfTheJobsInterface) {
    EXPECT_EQ(routed("/zosmf/restjobs/jobs").resource, Resource::jobs);
    EXPECT_EQ(routed("/zosmf/restjobs/jobs/").resource, Resource::jobs);

    Route status = routed("/zosmf/restjobs/jobs/SMOKE/JOB00042");
    EXPECT_EQ(status.resource, Resource::job);
    EXPECT_EQ(status.job, (JobReference{"SMOKE", "JOB00042", ""}));

    Route files = routed("/zosmf/restjobs/jobs/SMOKE/JOB00042/files");
    EXPECT_EQ(files.resource, Resource::files);

    Route records = routed("/zosmf/restjobs/jobs/SMOKE/JOB00042/files/101/records");
    EXPECT_EQ(records.resource, Resource::file_records);
    EXPECT_EQ(records.file_id, 101);
    EXPECT_EQ(routed("/zosmf/restjobs/jobs/SMOKE/JOB00042/files/JCL/records").file_id, k_jesjcl_id);
}

TEST(RoutePath, FoldsNamesToUpperCaseAndDecodesNationalCharacters) {
    Route route = routed("/zosmf/restjobs/jobs/my%23job/job00042");
    EXPECT_EQ(route.job.jobname, "MY#JOB");
    EXPECT_EQ(route.job.jobid, "JOB00042");
    EXPECT_EQ(routed("/zosmf/restjobs/jobs/%24A%40/J0100000").job.jobname, "$A@");
}

TEST(RoutePath, RoutesByCorrelatorEncodedOrNot) {
    Route plain = routed(std::string("/zosmf/restjobs/jobs/") + std::string(k_correlator));
    EXPECT_EQ(plain.resource, Resource::job);
    EXPECT_TRUE(plain.job.by_correlator());
    EXPECT_EQ(plain.job.correlator, k_correlator);

    Route encoded = routed("/zosmf/restjobs/jobs/J0000042GLBRJES29C1F03AA.......%3ANIGHTLY/files/2/records");
    EXPECT_EQ(encoded.resource, Resource::file_records);
    EXPECT_EQ(encoded.job.correlator, k_correlator);
    EXPECT_EQ(encoded.file_id, 2);
    EXPECT_EQ(routed("/zosmf/restjobs/jobs/J0000042GLBRJES29C1F03AA.......:/files").resource, Resource::files);
}

TEST(RoutePath, RefusesTraversalInEveryForm) {
    for (std::string_view path : {
             "/zosmf/restjobs/jobs/../../etc/passwd",
             "/zosmf/restjobs/jobs/SMOKE/..",
             "/zosmf/restjobs/jobs/%2e%2e/JOB00001",
             "/zosmf/restjobs/jobs/%2E%2E/%2E%2E/spool",
             "/zosmf/restjobs/jobs/SMOKE%2f..%2f..%2fjobs/JOB00001",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001%2f..",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/..%2f..%2fjobs.sqlite3/records",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/101%00/records",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/-1/records",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001/files/1e3/records",
             "/zosmf/restjobs/jobs/./SMOKE/JOB00001",
             "/zosmf/restjobs/jobs//SMOKE/JOB00001",
             "/zosmf/restjobs/jobs/SMOKE%5c../JOB00001",
             "/zosmf/restjobs/jobs/SMOKE/JOB1",
             "/zosmf/restjobs/jobs/1SMOKE/JOB00001",
             "/zosmf/restjobs/jobs/TOOLONGNAME/JOB00001",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001%",
             "/zosmf/restjobs/jobs/SMOKE/JOB00001%zz",
             "/zosmf/restjobs/jobs/SMOKE",
             "/zosmf/restjobs/jobs/-JESB",
             "/zosmf/restjobs/jobs/J0000042GLBRJES2/../..:X",
             "/zosmf/restjobs/jobs/short:X",
         }) {
        EXPECT_EQ(refused(path), RouteError::Kind::invalid) << path;
    }
    // Outside the jobs interface the answer is "no such resource", unless the path itself is a trick.
    EXPECT_EQ(refused("/zosmf/restfiles/ds"), RouteError::Kind::not_found);
    EXPECT_EQ(refused("/"), RouteError::Kind::not_found);
    EXPECT_EQ(refused("/zosmf/restjobs/jobs/SMOKE/JOB00001/steps"), RouteError::Kind::not_found);
    EXPECT_EQ(refused("/zosmf/restjobs/jobs/SMOKE/JOB00001/files/2/content"), RouteError::Kind::not_found);
    EXPECT_EQ(refused("/../zosmf/restjobs/jobs"), RouteError::Kind::invalid);
    EXPECT_EQ(refused("relative"), RouteError::Kind::invalid);
}

TEST(Correlator, AcceptsTheStoresFormOnly) {
    EXPECT_TRUE(is_valid_job_correlator(k_correlator));
    EXPECT_TRUE(is_valid_job_correlator("J0000042GLBRJES29C1F03AA.......:"));
    EXPECT_FALSE(is_valid_job_correlator("J0000042GLBRJES29C1F03AA......:X"));   // 30-character system part
    EXPECT_FALSE(is_valid_job_correlator("J0000042GLBRJES29C1F03AA...../.:X"));  // '/' in the system part
    EXPECT_FALSE(is_valid_job_correlator("J0000042GLBRJES29C1F03AA.......:1X"));
    EXPECT_FALSE(is_valid_job_correlator("J0000042GLBRJES29C1F03AA.......;X"));
}

TEST(PercentDecode, DecodesAndRefusesMalformedEscapes) {
    EXPECT_EQ(percent_decode("A%2fB%3a+"), "A/B:+");
    EXPECT_FALSE(percent_decode("%"));
    EXPECT_FALSE(percent_decode("%4"));
    EXPECT_FALSE(percent_decode("%g1"));
    EXPECT_FALSE(percent_decode("a%00b"));
}

TEST(ParseQuery, DecodesNamesAndValues) {
    auto query = parse_query("owner=ibm%2Auser&prefix=SM*&exec-data=Y&flag&name=a+b");
    ASSERT_TRUE(query);
    ASSERT_EQ(query->size(), 5u);
    EXPECT_EQ((*query)[0], (std::pair<std::string, std::string>{"owner", "ibm*user"}));
    EXPECT_EQ((*query)[3], (std::pair<std::string, std::string>{"flag", ""}));
    EXPECT_EQ((*query)[4].second, "a b");
    EXPECT_TRUE(parse_query("")->empty());
    EXPECT_FALSE(parse_query("a=%zz"));
    EXPECT_FALSE(parse_query("a=1&b=2&c=3", 2));
}

ListQuery list_query(std::string_view raw, std::string_view user = "ibmuser") {
    auto parsed = parse_list_query(*parse_query(raw), user);
    if (!parsed) {
        ADD_FAILURE() << raw << ": " << parsed.message();
        return {};
    }
    return *parsed;
}

TEST(ParseListQuery, DefaultsTheOwnerToTheUserUnlessAJobIsNamed) {
    EXPECT_EQ(list_query("").filter.owner, "IBMUSER");
    EXPECT_EQ(list_query("prefix=sm*").filter.owner, "IBMUSER");
    EXPECT_EQ(list_query("prefix=sm*").filter.prefix, "SM*");
    EXPECT_FALSE(list_query("owner=*").filter.owner);
    EXPECT_EQ(list_query("owner=other").filter.owner, "OTHER");
    EXPECT_FALSE(list_query("jobid=job00042").filter.owner);
    EXPECT_EQ(list_query("jobid=job00042").filter.jobid, "JOB00042");
    EXPECT_FALSE(list_query("user-correlator=NIGHTLY").filter.owner);
    EXPECT_EQ(list_query("owner=*&jobid=JOB00001&exec-data=Y").exec_data, true);
}

TEST(ParseListQuery, ClampsMaxJobsAsZosmfDoes) {
    EXPECT_EQ(list_query("max-jobs=5").filter.max_jobs, 5);
    EXPECT_EQ(list_query("max-jobs=0").filter.max_jobs, 1000);
    EXPECT_EQ(list_query("max-jobs=5000").filter.max_jobs, 1000);
    EXPECT_EQ(list_query("max-jobs=abc").filter.max_jobs, 1000);
}

TEST(ParseListQuery, NamesTheParameterThatIsNotValid) {
    const std::map<std::string, std::string> cases = {
        {"owner=toolongowner", "owner"}, {"owner=a/b", "owner"},           {"prefix=../x", "prefix"},
        {"jobid=JOB1", "jobid"},         {"exec-data=maybe", "exec-data"}, {"user-correlator=1abc", "user-correlator"},
    };
    for (const auto& [raw, parameter] : cases) {
        auto parsed = parse_list_query(*parse_query(raw), "ibmuser");
        ASSERT_FALSE(parsed.ok()) << raw;
        EXPECT_EQ(parsed.message(), parameter) << raw;
    }
}

TEST(BasicAuthorization, ReadsUserAndPassword) {
    auto credentials = parse_basic_authorization("Basic " + util::base64_encode("ibmuser:se:cret"));
    ASSERT_TRUE(credentials);
    EXPECT_EQ(credentials->user, "ibmuser");
    EXPECT_EQ(credentials->password, "se:cret");  // only the first ':' separates
    EXPECT_TRUE(parse_basic_authorization("basic " + util::base64_encode("a:b")));
    EXPECT_FALSE(parse_basic_authorization("Bearer " + util::base64_encode("a:b")));
    EXPECT_FALSE(parse_basic_authorization("Basic " + util::base64_encode("no-colon")));
    EXPECT_FALSE(parse_basic_authorization("Basic !!!!"));
    EXPECT_FALSE(parse_basic_authorization(""));
    EXPECT_FALSE(parse_basic_authorization("Basic " + util::base64_encode("a:" + std::string(2000, 'x'))));
}

SubmitHeaders submit_headers(const std::map<std::string, std::string>& headers,
                             const std::vector<std::pair<std::string, std::string>>& symbols = {}) {
    auto parsed = parse_submit_headers(
        [&](std::string_view name) -> std::optional<std::string> {
            auto found = headers.find(std::string(name));
            if (found == headers.end()) return std::nullopt;
            return found->second;
        },
        symbols);
    if (!parsed) {
        ADD_FAILURE() << parsed.error().message;
        return {};
    }
    return *parsed;
}

std::optional<SubmitHeadersError> submit_refusal(const std::map<std::string, std::string>& headers,
                                                 const std::vector<std::pair<std::string, std::string>>& symbols) {
    auto parsed = parse_submit_headers(
        [&](std::string_view name) -> std::optional<std::string> {
            auto found = headers.find(std::string(name));
            if (found == headers.end()) return std::nullopt;
            return found->second;
        },
        symbols);
    if (parsed) return std::nullopt;
    return parsed.error();
}

std::string submit_error(const std::map<std::string, std::string>& headers,
                         const std::vector<std::pair<std::string, std::string>>& symbols = {}) {
    auto refusal = submit_refusal(headers, symbols);
    return refusal ? refusal->message : "(accepted)";
}

TEST(SubmitHeaders, AcceptsWhatZoweSends) {
    SubmitHeaders headers = submit_headers({{"X-IBM-Intrdr-Mode", "TEXT"},
                                            {"X-IBM-Intrdr-Lrecl", "80"},
                                            {"X-IBM-Intrdr-Recfm", "F"},
                                            {"X-IBM-User-Correlator", "NIGHTLY_1"}},
                                           {{"X-IBM-JCL-Symbol-HLQ", "IBMUSER"}});
    EXPECT_EQ(headers.user_correlator, "NIGHTLY_1");
    ASSERT_EQ(headers.symbols.size(), 1u);
    EXPECT_EQ(headers.symbols[0].first, "HLQ");
    EXPECT_FALSE(submit_headers({}).user_correlator);
}

TEST(SubmitHeaders, RefusesWhatTheHostCannotHonour) {
    EXPECT_NE(submit_error({{"X-IBM-Intrdr-Mode", "RECORD"}}).find("Internal Reader mode"), std::string::npos);
    EXPECT_NE(submit_error({{"X-IBM-Intrdr-Lrecl", "0"}}), "(accepted)");
    EXPECT_NE(submit_error({{"X-IBM-Intrdr-Lrecl", "80x"}}), "(accepted)");
    EXPECT_NE(submit_error({{"X-IBM-Intrdr-Recfm", "U"}}), "(accepted)");
    EXPECT_NE(submit_error({{"X-IBM-User-Correlator", "has space"}}), "(accepted)");
    EXPECT_NE(submit_error({}, {{"X-IBM-JCL-Symbol-../x", "v"}}), "(accepted)");
    EXPECT_NE(submit_error({}, {{"X-IBM-JCL-Symbol-A", std::string(300, 'v')}}), "(accepted)");
}

TEST(SubmitHeaders, OnlyAnUnsupportedModeHasItsOwnKind) {
    using Kind = SubmitHeadersError::Kind;
    EXPECT_EQ(submit_refusal({{"X-IBM-Intrdr-Mode", "RECORD"}}, {})->kind, Kind::intrdr_mode);
    EXPECT_EQ(submit_refusal({{"X-IBM-Intrdr-Lrecl", "0"}}, {})->kind, Kind::intrdr_parameters);
    EXPECT_EQ(submit_refusal({{"X-IBM-Intrdr-Recfm", "U"}}, {})->kind, Kind::intrdr_parameters);
    EXPECT_EQ(submit_refusal({{"X-IBM-User-Correlator", "has space"}}, {})->kind, Kind::intrdr_parameters);
    EXPECT_EQ(submit_refusal({}, {{"X-IBM-JCL-Symbol-../x", "v"}})->kind, Kind::intrdr_parameters);
}

TEST(ModifyRequest, ReadsCancelAndItsVersion) {
    auto v1 = parse_modify_request(R"({"request":"cancel","version":"1.0"})");
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(v1->request, "cancel");
    EXPECT_FALSE(v1->synchronous);
    auto v2 = parse_modify_request(R"({"request":"cancel","version":"2.0"})");
    EXPECT_TRUE(v2.value().synchronous);
    EXPECT_FALSE(parse_modify_request(R"({"request":"cancel"})").value().synchronous);
    EXPECT_EQ(parse_modify_request(R"({"request":"hold"})").value().request, "hold");

    for (std::string_view body : {"", "cancel", "[]", R"({"version":"2.0"})", R"({"request":1})",
                                  R"({"request":"cancel","version":"3.0"})", R"({"request":"cancel","version":2})"}) {
        EXPECT_FALSE(parse_modify_request(body).ok()) << body;
    }
}

TEST(ModifyVersion, IsAsynchronousUnlessTwoPointZero) {
    EXPECT_EQ(parse_modify_version(std::nullopt), false);
    EXPECT_EQ(parse_modify_version("1.0"), false);
    EXPECT_EQ(parse_modify_version("2.0"), true);
    EXPECT_FALSE(parse_modify_version("2"));
}

TEST(RecordsMode, ReadsTheModes) {
    EXPECT_EQ(parse_records_mode(std::nullopt), RecordsMode::text);
    EXPECT_EQ(parse_records_mode("TEXT"), RecordsMode::text);
    EXPECT_EQ(parse_records_mode("binary"), RecordsMode::binary);
    EXPECT_EQ(parse_records_mode("record"), RecordsMode::record);
    EXPECT_FALSE(parse_records_mode("lines"));
}

TEST(LengthPrefixedRecords, PrefixesEachRecordWithItsLength) {
    EXPECT_EQ(length_prefixed_records("ab\n\nc\n"), std::string("\0\0\0\x02"
                                                                "ab"
                                                                "\0\0\0\0"
                                                                "\0\0\0\x01"
                                                                "c",
                                                                15));
    EXPECT_EQ(length_prefixed_records(""), "");
}

}  // namespace
}  // namespace greenlight::bridge
