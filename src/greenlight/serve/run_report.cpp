#include "greenlight/serve/run_report.hpp"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <optional>
#include <sstream>

#include "greenlight/bundle/pack.hpp"
#include "greenlight/bundle/run_id.hpp"
#include "greenlight/bundle/verify.hpp"
#include "greenlight/results/parsers.hpp"
#include "greenlight/util/fs.hpp"
#include "greenlight/util/strings.hpp"
#include "greenlight/util/temporary_directory.hpp"
#include "greenlight/verdict/verdict.hpp"

namespace greenlight::serve {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 9> k_verdicts = {"pass",         "flaky",   "skipped", "fail", "no-tests",
                                                        "inconsistent", "timeout", "crashed", "error"};
constexpr std::array<std::string_view, 4> k_outcomes = {"passed", "failed", "error", "skipped"};

constexpr std::size_t k_max_name_bytes = 256;        // run id, project, tier, branch, suite names
constexpr std::size_t k_max_test_name_bytes = 4096;  // test classnames and names (parameterised ones are long)
constexpr std::int64_t k_max_count = 1'000'000'000;
constexpr double k_max_seconds = 10.0 * 365 * 24 * 3600;
constexpr int k_max_attempts = 1000;

enum class Need { required, optional };

// JSON Pointer (RFC 6901) of `key` under `parent`.
std::string pointer(std::string_view parent, std::string_view key) {
    std::string out(parent);
    out += '/';
    for (char c : key) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string pointer(std::string_view parent, std::size_t index) {
    return fmt::format("{}/{}", parent, index);
}

std::string joined(const auto& choices) {
    std::string out;
    for (std::string_view choice : choices) {
        if (!out.empty()) out += ", ";
        out += choice;
    }
    return out;
}

// A string as messages show it: quoted and printable, or just its size when it is long.
std::string found_text(std::string_view text) {
    if (text.size() > 60) return fmt::format("a string of {} bytes", text.size());
    return fmt::format("\"{}\"", util::printable(text));
}

// What a JSON value is, for "found ..." in messages; strings are shown since they are the usual culprit.
std::string found(const json& value) {
    if (value.is_string()) return found_text(value.get_ref<const std::string&>());
    if (value.is_number()) return fmt::format("the number {}", value.dump());
    return value.type_name();
}

// Reads fields of a JSON document, keeping the first problem with the pointer of the field at fault, so
// that the readers below stay straight lines and one check at the end gives a precise error.
class FieldReader {
public:
    explicit FieldReader(std::string source) : m_source(std::move(source)) {}

    bool failed() const { return m_problem.has_value(); }

    util::Error error() const {
        return util::make_error(m_source.empty() ? *m_problem : fmt::format("{}: {}", m_source, *m_problem));
    }

    void fail(const std::string& at, const std::string& message) {
        if (!m_problem) m_problem = fmt::format("{}: {}", at.empty() ? "/" : at, message);
    }

    // The member `key` of `object`, or nullptr when it is absent (an error when required).
    const json* member(const json& object, const std::string& at, std::string_view key, Need need) {
        auto found_member = object.find(key);
        if (found_member == object.end() || (need == Need::optional && found_member->is_null())) {
            if (need == Need::required) fail(pointer(at, key), "required field missing");
            return nullptr;
        }
        return &*found_member;
    }

    const json* object_at(const json& object, const std::string& at, std::string_view key, Need need) {
        const json* value = member(object, at, key, need);
        if (value && !value->is_object()) {
            fail(pointer(at, key), fmt::format("expected an object; found {}", found(*value)));
            return nullptr;
        }
        return value;
    }

    const json* array_at(const json& object, const std::string& at, std::string_view key, std::size_t max_items) {
        const json* value = member(object, at, key, Need::required);
        if (!value) return nullptr;
        if (!value->is_array()) {
            fail(pointer(at, key), fmt::format("expected an array; found {}", found(*value)));
            return nullptr;
        }
        if (value->size() > max_items) {
            fail(pointer(at, key), fmt::format("at most {} entries are accepted; found {}", max_items, value->size()));
            return nullptr;
        }
        return value;
    }

    std::string text(const json& object, const std::string& at, std::string_view key, Need need,
                     std::size_t max_bytes) {
        const json* value = member(object, at, key, need);
        if (!value) return {};
        if (!value->is_string()) {
            fail(pointer(at, key), fmt::format("expected a string; found {}", found(*value)));
            return {};
        }
        const auto& content = value->get_ref<const std::string&>();
        if (content.size() > max_bytes) {
            fail(pointer(at, key), fmt::format("at most {} bytes are accepted; found {}", max_bytes, content.size()));
            return {};
        }
        return content;
    }

    std::string non_empty_text(const json& object, const std::string& at, std::string_view key, std::size_t max_bytes) {
        std::string content = text(object, at, key, Need::required, max_bytes);
        if (!failed() && content.empty()) fail(pointer(at, key), "expected a non-empty string");
        return content;
    }

    template <std::size_t N>
    std::string choice(const json& object, const std::string& at, std::string_view key,
                       const std::array<std::string_view, N>& choices) {
        std::string content = text(object, at, key, Need::required, k_max_name_bytes);
        if (failed()) return {};
        if (std::find(choices.begin(), choices.end(), content) == choices.end()) {
            fail(pointer(at, key), fmt::format("expected one of {}; found {}", joined(choices), found_text(content)));
        }
        return content;
    }

    // A verdict by its name; a name outside k_verdicts fails as choice() does.
    verdict::Verdict verdict_choice(const json& object, const std::string& at, std::string_view key) {
        const std::string name = choice(object, at, key, k_verdicts);
        return verdict::parse_verdict(name).value_or(verdict::Verdict::error);
    }

    std::int64_t count(const json& object, const std::string& at, std::string_view key, Need need,
                       std::int64_t max = k_max_count) {
        const json* value = member(object, at, key, need);
        if (!value) return 0;
        const bool negative =
            value->is_number_integer() && !value->is_number_unsigned() && value->get<std::int64_t>() < 0;
        if (!value->is_number_integer() || negative) {
            fail(pointer(at, key), fmt::format("expected a whole number >= 0; found {}", found(*value)));
            return 0;
        }
        const std::uint64_t number = value->is_number_unsigned()
                                         ? value->get<std::uint64_t>()
                                         : static_cast<std::uint64_t>(value->get<std::int64_t>());
        if (number > static_cast<std::uint64_t>(max)) {
            fail(pointer(at, key), fmt::format("expected at most {}; found {}", max, found(*value)));
            return 0;
        }
        return static_cast<std::int64_t>(number);
    }

    std::optional<bool> flag(const json& object, const std::string& at, std::string_view key) {
        const json* value = member(object, at, key, Need::optional);
        if (!value) return std::nullopt;
        if (!value->is_boolean()) {
            fail(pointer(at, key), fmt::format("expected true or false; found {}", found(*value)));
            return std::nullopt;
        }
        return value->get<bool>();
    }

    double seconds(const json& object, const std::string& at, std::string_view key, Need need) {
        const json* value = member(object, at, key, need);
        if (!value) return 0;
        const double number = value->is_number() ? value->get<double>() : -1;
        if (!value->is_number() || !std::isfinite(number) || number < 0 || number > k_max_seconds) {
            fail(pointer(at, key), fmt::format("expected a number of seconds >= 0; found {}", found(*value)));
            return 0;
        }
        return number;
    }

    WallTime time(const json& object, const std::string& at, std::string_view key) {
        std::string content = text(object, at, key, Need::required, 64);
        if (failed()) return {};
        auto parsed = parse_utc_time(content);
        if (!parsed) {
            fail(pointer(at, key), parsed.message());
            return {};
        }
        return *parsed;
    }

    // A report names every field it sends; an unknown one is most likely a misspelt known one.
    void only_keys(const json& object, const std::string& at, std::initializer_list<std::string_view> keys) {
        for (const auto& [key, value] : object.items()) {
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
                fail(pointer(at, key), fmt::format("unknown field; the fields of this object are {}", joined(keys)));
                return;
            }
        }
    }

private:
    std::string m_source;
    std::optional<std::string> m_problem;
};

bool is_hex(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

void check_git_sha(FieldReader& reader, const std::string& at, std::string_view sha) {
    if (!sha.empty() && (sha.size() < 4 || sha.size() > 64 || !is_hex(sha))) {
        reader.fail(at, fmt::format("expected a commit id of 4 to 64 hex digits; found {}", found_text(sha)));
    }
}

void check_run_id(FieldReader& reader, const std::string& at, std::string_view run_id) {
    if (!reader.failed() && !bundle::valid_run_id(run_id)) {
        reader.fail(at, fmt::format("expected a run id (1 to 128 letters, digits, '.', '_' and '-', starting with a "
                                    "letter or digit, no \"..\"); found {}",
                                    found_text(run_id)));
    }
}

// "refs/heads/main" -> "main"; other refs (tags, pull request merges) name no branch.
std::string branch_of_ref(std::string_view ref) {
    constexpr std::string_view k_heads = "refs/heads/";
    if (ref.starts_with(k_heads)) return std::string(ref.substr(k_heads.size()));
    if (ref.starts_with("refs/")) return {};
    return std::string(ref);
}

std::string_view outcome_name(results::TestOutcome outcome) {
    switch (outcome) {
        case results::TestOutcome::passed:
            return "passed";
        case results::TestOutcome::failed:
            return "failed";
        case results::TestOutcome::errored:
            return "error";
        case results::TestOutcome::skipped:
            return "skipped";
    }
    return "error";
}

// The failure message, its body and what the test printed: what a person needs to see first on the run's page.
std::string output_excerpt(const results::TestCase& test) {
    std::vector<std::string> parts;
    if (!test.message.empty()) parts.push_back(test.message);
    if (!util::trim(test.details).empty() && util::trim(test.details) != util::trim(test.message)) {
        parts.push_back(test.details);
    }
    if (!util::trim(test.output).empty()) parts.push_back(test.output);
    return util::cap_head_and_tail(util::join(parts, "\n"), k_excerpt_limit);
}

util::Result<json> read_json_file(const fs::path& path) {
    auto text = util::read_file(path);
    if (!text) return text.error();
    json document = json::parse(*text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        return util::make_error(fmt::format("{}: expected a JSON object; the file is not one", path.string()));
    }
    return document;
}

constexpr std::array<std::string_view, 2> k_statuses = {"complete", "incomplete"};
constexpr std::array<std::string_view, 2> k_scopes = {"tier", "smoke"};

// The fields of a run (summary.json or report) its verdict rule needs besides the suites; all optional.
void read_verdict_facts(FieldReader& reader, const json& document, RunRecord& run) {
    run.green = reader.flag(document, "", "green");
    if (reader.member(document, "", "status", Need::optional))
        run.status = reader.choice(document, "", "status", k_statuses);
    if (reader.member(document, "", "scope", Need::optional))
        run.scope = reader.choice(document, "", "scope", k_scopes);
    run.allow_partial = reader.flag(document, "", "allow_partial").value_or(false);
}

util::Status read_summary(const fs::path& bundle_folder, RunRecord& run) {
    const fs::path path = bundle_folder / "summary.json";
    std::error_code missing;
    if (!fs::exists(path, missing)) {
        return util::make_error(
            fmt::format("{}: no summary.json; is this a bundle written by `greenlight run`?", bundle_folder.string()));
    }
    auto summary = read_json_file(path);
    if (!summary) return summary.error();
    FieldReader reader(path.string());
    const json& document = *summary;
    const std::string schema = reader.text(document, "", "schema", Need::required, k_max_name_bytes);
    if (!reader.failed() && schema != "greenlight.summary/v1") {
        reader.fail("/schema", fmt::format("expected \"greenlight.summary/v1\"; found {}", found_text(schema)));
    }
    run.run_id = reader.non_empty_text(document, "", "run_id", k_max_name_bytes);
    check_run_id(reader, "/run_id", run.run_id);
    run.project = reader.non_empty_text(document, "", "project", k_max_name_bytes);
    run.tier = reader.text(document, "", "tier", Need::required, k_max_name_bytes);
    run.verdict = reader.verdict_choice(document, "", "verdict");
    read_verdict_facts(reader, document, run);
    if (const json* smoke = reader.object_at(document, "", "smoke", Need::optional)) {
        run.smoke_green = reader.flag(*smoke, "/smoke", "green");
    }
    if (const json* missing = reader.member(document, "", "missing_shards", Need::optional)) {
        run.missing_shards = missing->is_array() ? static_cast<std::int64_t>(missing->size()) : 0;
    }
    run.started = reader.time(document, "", "started_at");
    run.ended = reader.time(document, "", "finished_at");
    run.duration_seconds = static_cast<double>(reader.count(document, "", "duration_ms", Need::required)) / 1000.0;
    if (const json* git = reader.object_at(document, "", "git", Need::optional)) {
        run.git_sha = reader.text(*git, "/git", "sha", Need::optional, 64);
        check_git_sha(reader, "/git/sha", run.git_sha);
        run.branch = branch_of_ref(reader.text(*git, "/git", "ref", Need::optional, k_max_name_bytes));
    }
    if (const json* suites = reader.array_at(document, "", "suites", k_max_suites)) {
        for (std::size_t index = 0; index < suites->size() && !reader.failed(); ++index) {
            const json& entry = (*suites)[index];
            const std::string at = pointer("/suites", index);
            if (!entry.is_object()) {
                reader.fail(at, fmt::format("expected an object; found {}", found(entry)));
                break;
            }
            SuiteRecord suite;
            suite.name = reader.non_empty_text(entry, at, "name", k_max_name_bytes);
            suite.verdict = reader.verdict_choice(entry, at, "verdict");
            suite.green = reader.flag(entry, at, "green");
            suite.duration_seconds =
                static_cast<double>(reader.count(entry, at, "duration_ms", Need::required)) / 1000.0;
            suite.attempts = static_cast<int>(reader.count(entry, at, "attempts", Need::required, k_max_attempts));
            if (const json* counts = reader.object_at(entry, at, "counts", Need::required)) {
                const std::string counts_at = pointer(at, "counts");
                suite.tests = reader.count(*counts, counts_at, "total", Need::required);
                suite.failures = reader.count(*counts, counts_at, "failed", Need::required);
                suite.errors = reader.count(*counts, counts_at, "errored", Need::required);
                suite.skipped = reader.count(*counts, counts_at, "skipped", Need::required);
            }
            run.suites.push_back(std::move(suite));
        }
    }
    if (reader.failed()) return reader.error();
    return {};
}

// Every failing case, then passing ones in their order while there is room: the history's flaky-test ranking
// needs the passes too, but never at the cost of a failure.
std::vector<TestCaseRecord> select_cases(const std::vector<results::TestCase>& cases) {
    std::size_t failing = 0;
    for (const auto& test : cases) {
        failing += test.outcome == results::TestOutcome::failed || test.outcome == results::TestOutcome::errored;
    }
    std::size_t room_for_others = k_max_cases > failing ? k_max_cases - failing : 0;
    std::vector<TestCaseRecord> selected;
    for (const auto& test : cases) {
        const bool is_failing =
            test.outcome == results::TestOutcome::failed || test.outcome == results::TestOutcome::errored;
        if (!is_failing) {
            if (room_for_others == 0) continue;
            --room_for_others;
        }
        if (selected.size() >= k_max_cases) break;
        TestCaseRecord record;
        record.suite = test.suite.substr(0, k_max_name_bytes);
        record.classname = test.classname.substr(0, k_max_test_name_bytes);
        record.name = test.name.substr(0, k_max_test_name_bytes);
        record.outcome = std::string(outcome_name(test.outcome));
        record.duration_seconds = std::isfinite(test.seconds) ? std::clamp(test.seconds, 0.0, k_max_seconds) : 0;
        if (is_failing) record.output_excerpt = output_excerpt(test);
        selected.push_back(std::move(record));
    }
    return selected;
}

util::Status read_junit(const fs::path& bundle_folder, RunRecord& run) {
    const fs::path path = bundle_folder / "junit.xml";
    std::error_code missing;
    if (!fs::exists(path, missing)) return {};  // a run that planned no suite writes none
    auto text = util::read_file(path);
    if (!text) return text.error();
    results::ParseOutcome parsed = results::parse_junit(*text, path.string());
    if (!parsed) return util::make_error(parsed.error().to_string());
    run.cases = select_cases(parsed->cases);
    return {};
}

}  // namespace

util::Result<WallTime> parse_utc_time(std::string_view text) {
    const auto refuse = [&] {
        return util::make_error(
            fmt::format("expected a UTC time such as \"2026-11-21T10:36:00.123Z\"; found {}", found_text(text)));
    };
    // The shape is checked first, digit by digit: the date library's parser is lenient about what it reads as
    // seconds, and this is untrusted text.
    constexpr std::string_view k_shape = "dddd-dd-ddTdd:dd:dd";
    if (text.size() < k_shape.size() + 1 || text.size() > k_shape.size() + 11 || text.back() != 'Z') return refuse();
    for (std::size_t index = 0; index < k_shape.size(); ++index) {
        const bool is_digit = text[index] >= '0' && text[index] <= '9';
        if (k_shape[index] == 'd' ? !is_digit : text[index] != k_shape[index]) return refuse();
    }
    const std::string_view fraction = text.substr(k_shape.size(), text.size() - k_shape.size() - 1);
    if (!fraction.empty()) {
        if (fraction.size() < 2 || fraction.front() != '.' ||
            !std::all_of(fraction.begin() + 1, fraction.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return refuse();
        }
    }
    std::istringstream in{std::string(text)};
    date::sys_time<std::chrono::milliseconds> time{};
    // GCC 12 at -O2 sees date::from_stream's seconds as maybe uninitialized on paths where parsing failed
    // (and in.fail() is checked below).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
    in >> date::parse("%FT%TZ", time);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    // Times before 1970 are no CI run's and would not print back as they were read; times from 2200 on would
    // overflow the system clock's nanoseconds (they end in 2262).
    using namespace date::literals;
    constexpr date::sys_days k_latest{2200_y / 1 / 1};
    if (in.fail() || in.peek() != std::char_traits<char>::eof() || time.time_since_epoch().count() < 0 ||
        time >= k_latest) {
        return refuse();
    }
    return WallTime(std::chrono::duration_cast<WallTime::duration>(time.time_since_epoch()));
}

util::Result<RunRecord> read_run_from_bundle(const fs::path& bundle_folder) {
    std::error_code error;
    if (!fs::is_directory(bundle_folder, error)) {
        return util::make_error(fmt::format("{}: not a folder; expected a run bundle folder", bundle_folder.string()));
    }
    const bundle::VerifyReport verification = bundle::verify_bundle(bundle_folder);
    if (!verification.ok()) {
        return util::make_error(
            fmt::format("{}: the bundle does not verify against its manifest, so it is not sent:\n{}",
                        bundle_folder.string(), bundle::format_verify_report(verification, bundle_folder)));
    }
    RunRecord run;
    if (auto read = read_summary(bundle_folder, run); !read) return read.error();
    if (auto read = read_junit(bundle_folder, run); !read) return read.error();
    return run;
}

util::Result<RunRecord> read_run_from_packed_bundle(const fs::path& tar_gz) {
    const bundle::VerifyReport verification = bundle::verify_bundle(tar_gz);
    if (!verification.ok()) {
        return util::make_error(fmt::format("{}: the packed bundle does not verify against its manifest:\n{}",
                                            tar_gz.string(), bundle::format_verify_report(verification, tar_gz)));
    }
    util::TemporaryDirectory scratch("greenlight-report");
    if (scratch.path().empty()) {
        return util::make_error("cannot create a temporary folder to unpack the bundle in; check $TMPDIR");
    }
    const fs::path folder = scratch.path() / "bundle";
    if (auto unpacked = bundle::unpack_bundle(tar_gz, folder); !unpacked) {
        return util::make_error(fmt::format("{}: cannot unpack: {}", tar_gz.string(), unpacked.message()));
    }
    return read_run_from_bundle(folder);
}

json run_report_json(const RunRecord& run) {
    json suites = json::array();
    for (const auto& suite : run.suites) {
        suites.push_back({{"name", suite.name},
                          {"verdict", std::string(verdict::to_string(suite.verdict))},
                          {"tests", suite.tests},
                          {"failures", suite.failures},
                          {"errors", suite.errors},
                          {"skipped", suite.skipped},
                          {"duration_seconds", suite.duration_seconds},
                          {"attempts", suite.attempts}});
        if (suite.green) suites.back()["green"] = *suite.green;
    }
    json cases = json::array();
    for (const auto& test : run.cases) {
        cases.push_back({{"suite", test.suite},
                         {"classname", test.classname},
                         {"name", test.name},
                         {"outcome", test.outcome},
                         {"duration_seconds", test.duration_seconds},
                         {"output_excerpt", test.output_excerpt}});
    }
    json report = {{"schema", k_run_report_schema},
                   {"run_id", run.run_id},
                   {"project", run.project},
                   {"tier", run.tier},
                   {"verdict", std::string(verdict::to_string(run.verdict))},
                   {"status", run.status},
                   {"scope", run.scope},
                   {"missing_shards", run.missing_shards},
                   {"allow_partial", run.allow_partial},
                   {"started_at", util::format_utc(run.started)},
                   {"ended_at", util::format_utc(run.ended)},
                   {"duration_seconds", run.duration_seconds},
                   {"git_sha", run.git_sha},
                   {"branch", run.branch},
                   {"suites", std::move(suites)},
                   {"cases", std::move(cases)}};
    if (run.green) report["green"] = *run.green;
    if (run.smoke_green) report["smoke_green"] = *run.smoke_green;
    return report;
}

std::string run_report_body(const RunRecord& run) {
    // Test output is not always valid UTF-8; a report must still go out, with the bad bytes replaced.
    return run_report_json(run).dump(-1, ' ', false, json::error_handler_t::replace);
}

util::Result<RunRecord> parse_run_report(std::string_view body) {
    if (body.size() > k_max_report_bytes) {
        return util::make_error(
            fmt::format("the report is {} bytes; at most {} are accepted", body.size(), k_max_report_bytes));
    }
    json document = json::parse(body.begin(), body.end(), nullptr, false);
    if (document.is_discarded()) {
        return util::make_error(
            fmt::format("/: expected a JSON document ({} report); the body is not valid JSON", k_run_report_schema));
    }
    FieldReader reader("");
    if (!document.is_object()) {
        reader.fail("", fmt::format("expected a JSON object; found {}", found(document)));
        return reader.error();
    }
    reader.only_keys(
        document, "",
        {"schema", "run_id", "project", "tier", "verdict", "green", "status", "scope", "smoke_green", "missing_shards",
         "allow_partial", "started_at", "ended_at", "duration_seconds", "git_sha", "branch", "suites", "cases"});
    const std::string schema = reader.text(document, "", "schema", Need::required, k_max_name_bytes);
    if (!reader.failed() && schema != k_run_report_schema) {
        reader.fail("/schema", fmt::format("expected \"{}\"; found {}", k_run_report_schema, found_text(schema)));
    }
    if (reader.failed()) return reader.error();

    RunRecord run;
    run.run_id = reader.non_empty_text(document, "", "run_id", k_max_name_bytes);
    check_run_id(reader, "/run_id", run.run_id);
    run.project = reader.non_empty_text(document, "", "project", k_max_name_bytes);
    run.tier = reader.text(document, "", "tier", Need::required, k_max_name_bytes);
    run.verdict = reader.verdict_choice(document, "", "verdict");
    read_verdict_facts(reader, document, run);
    run.smoke_green = reader.flag(document, "", "smoke_green");
    run.missing_shards = reader.count(document, "", "missing_shards", Need::optional, k_max_suites);
    run.started = reader.time(document, "", "started_at");
    run.ended = reader.time(document, "", "ended_at");
    run.duration_seconds = reader.seconds(document, "", "duration_seconds", Need::required);
    run.git_sha = reader.text(document, "", "git_sha", Need::optional, 64);
    check_git_sha(reader, "/git_sha", run.git_sha);
    run.branch = reader.text(document, "", "branch", Need::optional, k_max_name_bytes);
    if (!reader.failed() && run.ended < run.started) {
        reader.fail("/ended_at", "the run ends before it starts");
    }

    if (const json* suites = reader.array_at(document, "", "suites", k_max_suites)) {
        for (std::size_t index = 0; index < suites->size() && !reader.failed(); ++index) {
            const json& entry = (*suites)[index];
            const std::string at = pointer("/suites", index);
            if (!entry.is_object()) {
                reader.fail(at, fmt::format("expected an object; found {}", found(entry)));
                break;
            }
            reader.only_keys(
                entry, at,
                {"name", "verdict", "green", "tests", "failures", "errors", "skipped", "duration_seconds", "attempts"});
            SuiteRecord suite;
            suite.name = reader.non_empty_text(entry, at, "name", k_max_name_bytes);
            suite.verdict = reader.verdict_choice(entry, at, "verdict");
            suite.green = reader.flag(entry, at, "green");
            suite.tests = reader.count(entry, at, "tests", Need::required);
            suite.failures = reader.count(entry, at, "failures", Need::required);
            suite.errors = reader.count(entry, at, "errors", Need::required);
            suite.skipped = reader.count(entry, at, "skipped", Need::required);
            suite.duration_seconds = reader.seconds(entry, at, "duration_seconds", Need::required);
            suite.attempts = static_cast<int>(reader.count(entry, at, "attempts", Need::required, k_max_attempts));
            if (!reader.failed() && suite.failures + suite.errors + suite.skipped > suite.tests) {
                reader.fail(pointer(at, "tests"),
                            fmt::format("{} tests cannot hold {} failures, {} errors and {} skipped", suite.tests,
                                        suite.failures, suite.errors, suite.skipped));
            }
            run.suites.push_back(std::move(suite));
        }
    }
    if (const json* cases = reader.array_at(document, "", "cases", k_max_cases)) {
        for (std::size_t index = 0; index < cases->size() && !reader.failed(); ++index) {
            const json& entry = (*cases)[index];
            const std::string at = pointer("/cases", index);
            if (!entry.is_object()) {
                reader.fail(at, fmt::format("expected an object; found {}", found(entry)));
                break;
            }
            reader.only_keys(entry, at,
                             {"suite", "classname", "name", "outcome", "duration_seconds", "output_excerpt"});
            TestCaseRecord test;
            test.suite = reader.text(entry, at, "suite", Need::required, k_max_name_bytes);
            test.classname = reader.text(entry, at, "classname", Need::required, k_max_test_name_bytes);
            test.name = reader.non_empty_text(entry, at, "name", k_max_test_name_bytes);
            test.outcome = reader.choice(entry, at, "outcome", k_outcomes);
            test.duration_seconds = reader.seconds(entry, at, "duration_seconds", Need::required);
            test.output_excerpt = reader.text(entry, at, "output_excerpt", Need::optional, k_max_excerpt_bytes);
            run.cases.push_back(std::move(test));
        }
    }
    if (reader.failed()) return reader.error();
    if (auto disagreement = check_run_verdict(run); !disagreement) return disagreement.error();
    return run;
}

util::Status check_run_verdict(const RunRecord& run) {
    verdict::RunFacts facts;
    facts.tier = run.tier;
    facts.scope = verdict::parse_run_scope(run.scope).value_or(verdict::RunScope::tier);
    if (run.smoke_green) facts.smoke = verdict::SmokeSummary{*run.smoke_green, "the report says it failed"};
    for (std::size_t index = 0; index < run.suites.size(); ++index) {
        const SuiteRecord& suite = run.suites[index];
        const verdict::GreenRange range = verdict::green_range(suite.verdict);
        if (suite.green && *suite.green && range == verdict::GreenRange::never) {
            return util::make_error(fmt::format("{}: the report says true, but a suite with verdict {} is never green",
                                                pointer(pointer("/suites", index), "green"),
                                                verdict::to_string(suite.verdict)));
        }
        // Older clients send no suite green: only a pass is green for certain then.
        const bool green = suite.green.value_or(range == verdict::GreenRange::always);
        facts.suites.push_back({suite.name, suite.verdict, green, suite.attempts > 0, suite.name});
    }
    if (run.status == "incomplete") facts.interruption = verdict::Interruption::requested;
    facts.missing_shards.assign(static_cast<std::size_t>(run.missing_shards), verdict::Shard{});
    if (run.allow_partial) facts.missing_shards_policy = verdict::MissingShards::allow_partial;

    const verdict::RunDecision decision = verdict::decide_run(facts);
    if (run.verdict != decision.verdict) {
        return util::make_error(fmt::format("/verdict: the report says {}, but its own suites give {} ({})",
                                            verdict::to_string(run.verdict), verdict::to_string(decision.verdict),
                                            decision.reason));
    }
    if (run.green && *run.green != decision.green) {
        return util::make_error(fmt::format("/green: the report says {}, but its own suites give {} ({})", *run.green,
                                            decision.green, decision.reason));
    }
    return {};
}

}  // namespace greenlight::serve
