#include "greenlight/bridge/jcl.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "greenlight/bridge/names.hpp"

namespace greenlight::bridge {

namespace {

// Columns 1-71 hold a statement; column 72 is IBM's continuation mark and 73-80 the sequence number, both
// ignored here because every continuation form we accept is visible in columns 1-71.
constexpr std::size_t k_statement_columns = 71;
constexpr std::size_t k_card_width = 80;
constexpr std::size_t k_sequence_start = 72;             // 0-based index of column 73
constexpr std::size_t k_quoted_continuation_index = 15;  // column 16, where IBM resumes a quoted value
constexpr std::size_t k_last_continuation_index = 15;    // operands must resume in columns 4-16
constexpr std::size_t k_parm_max = 100;                  // IBM's limit; longer parameters belong in STDPARM
constexpr std::size_t k_max_cond_tests = 8;
constexpr int k_max_cond_code = 4095;
constexpr long k_max_time_minutes = 357'912;
constexpr long k_no_limit_minutes = 1440;

// A whole JCL statement: its first card and its operand field with continuations already joined.
struct Statement {
    int first_card = 0;
    std::string name;
    std::string operation;
    std::string operands;
};

// One entry of the operand field: keyword=value, or a positional value (keyword empty).
struct Parameter {
    std::string keyword;
    std::string value;
};

// What a statement's TIME= asks for: a limit, no limit, or why it cannot be read.
struct TimeValue {
    std::optional<std::chrono::seconds> limit;
    std::string error;
};

std::string_view trim_right(std::string_view text) {
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string_view trim_left(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    return text;
}

bool is_blank(std::string_view text) {
    return trim_right(text).empty();
}

bool is_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<long> parse_number(std::string_view text, long maximum) {
    if (!is_digits(text) || text.size() > 9) return std::nullopt;
    long value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    if (value > maximum) return std::nullopt;
    return value;
}

bool is_class_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Splits at commas outside apostrophes and parentheses; nullopt when they do not balance.
std::optional<std::vector<std::string>> split_top_level(std::string_view text) {
    std::vector<std::string> items;
    if (text.empty()) return items;
    std::string current;
    bool in_quote = false;
    int depth = 0;
    for (char c : text) {
        if (c == '\'') {
            in_quote = !in_quote;
        } else if (!in_quote && c == '(') {
            ++depth;
        } else if (!in_quote && c == ')') {
            if (--depth < 0) return std::nullopt;
        } else if (!in_quote && depth == 0 && c == ',') {
            items.push_back(std::move(current));
            current.clear();
            continue;
        }
        current += c;
    }
    if (in_quote || depth != 0) return std::nullopt;
    items.push_back(std::move(current));
    return items;
}

// 'it''s' -> it's; an unquoted value comes back as is; nullopt for a stray apostrophe.
std::optional<std::string> unquote(std::string_view value) {
    if (value.empty() || value.front() != '\'') {
        if (value.find('\'') != std::string_view::npos) return std::nullopt;
        return std::string(value);
    }
    if (value.size() < 2 || value.back() != '\'') return std::nullopt;
    const std::string_view inner = value.substr(1, value.size() - 2);
    std::string result;
    for (std::size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\'') {
            if (i + 1 >= inner.size() || inner[i + 1] != '\'') return std::nullopt;
            ++i;
        }
        result += inner[i];
    }
    return result;
}

// PARM as the program receives it: a parenthesised list passes its subparameters joined by commas, each
// without its enclosing apostrophes (IBM's rule), which is what makes the comma continuation form work.
std::optional<std::string> decode_parm(std::string_view value) {
    if (value.size() >= 2 && value.front() == '(' && value.back() == ')') {
        const auto items = split_top_level(value.substr(1, value.size() - 2));
        if (!items) return std::nullopt;
        std::string joined;
        for (std::size_t i = 0; i < items->size(); ++i) {
            const auto item = unquote((*items)[i]);
            if (!item) return std::nullopt;
            if (i > 0) joined += ',';
            joined += *item;
        }
        return joined;
    }
    return unquote(value);
}

std::optional<CondOperator> parse_operator(std::string_view text) {
    if (text == "GT") return CondOperator::greater_than;
    if (text == "GE") return CondOperator::greater_or_equal;
    if (text == "EQ") return CondOperator::equal;
    if (text == "LT") return CondOperator::less_than;
    if (text == "LE") return CondOperator::less_or_equal;
    if (text == "NE") return CondOperator::not_equal;
    return std::nullopt;
}

bool cond_test_holds(const CondTest& test, int rc) {
    switch (test.op) {
        case CondOperator::greater_than:
            return test.code > rc;
        case CondOperator::greater_or_equal:
            return test.code >= rc;
        case CondOperator::equal:
            return test.code == rc;
        case CondOperator::less_than:
            return test.code < rc;
        case CondOperator::less_or_equal:
            return test.code <= rc;
        case CondOperator::not_equal:
            return test.code != rc;
    }
    return false;
}

enum class TimeOwner { job, step };

// TIME=m, TIME=(m,s), TIME=(,s), TIME=1440|NOLIMIT|MAXIMUM.
TimeValue parse_time(std::string_view value, TimeOwner owner) {
    const std::string expected =
        "expected TIME=minutes, TIME=(minutes,seconds), TIME=1440, TIME=NOLIMIT or TIME=MAXIMUM";
    if (value == "NOLIMIT" || value == "MAXIMUM" || value == "1440") return {};
    std::string_view minutes_text = value;
    std::string_view seconds_text;
    if (value.size() >= 2 && value.front() == '(' && value.back() == ')') {
        const std::string_view inner = value.substr(1, value.size() - 2);
        const std::size_t comma = inner.find(',');
        minutes_text = inner.substr(0, comma);
        if (comma != std::string_view::npos) seconds_text = inner.substr(comma + 1);
        if (comma != std::string_view::npos && seconds_text.empty()) return {std::nullopt, expected};
    }
    long minutes = 0;
    long seconds = 0;
    if (!minutes_text.empty()) {
        const auto parsed = parse_number(minutes_text, k_max_time_minutes);
        if (!parsed) return {std::nullopt, fmt::format("TIME={} cannot be read: {}", value, expected)};
        minutes = *parsed;
    }
    if (!seconds_text.empty()) {
        const auto parsed = parse_number(seconds_text, 59);
        if (!parsed) {
            return {std::nullopt, fmt::format("TIME={} cannot be read: seconds must be 0 to 59", value)};
        }
        seconds = *parsed;
    }
    if (minutes_text.empty() && seconds_text.empty()) {
        return {std::nullopt, fmt::format("TIME={} cannot be read: {}", value, expected)};
    }
    if (minutes == k_no_limit_minutes && seconds == 0) return {};
    if (minutes == 0 && seconds == 0) {
        return {std::nullopt,
                owner == TimeOwner::job
                    ? "TIME=0 on the JOB statement is not allowed: give a limit, or TIME=NOLIMIT for none"
                    : "TIME=0 on an EXEC statement is not allowed (IBM leaves it unpredictable): give a limit"};
    }
    return {std::chrono::seconds(minutes * 60 + seconds), {}};
}

bool contains(std::initializer_list<std::string_view> names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

class JclParser {
public:
    JclParser(std::string_view text, const JclLimits& limits) : m_text(text), m_limits(limits) {}

    JclParseOutcome parse() {
        if (m_text.size() > m_limits.max_bytes) {
            return error(
                0, "",
                fmt::format("the job is {} bytes; this host accepts at most {}", m_text.size(), m_limits.max_bytes));
        }
        if (auto failure = split_lines()) return *failure;
        if (auto failure = read_statements()) return *failure;
        if (!m_have_job) return error(0, "", "no JOB statement: the first statement must be '//name JOB ...'");
        if (m_job.steps.empty()) {
            return error(m_job_card, m_job.name, "the job has no steps: add '//name EXEC PGM=BPXBATCH,PARM=...'");
        }
        for (JclStep& step : m_job.steps) {
            if (auto failure = decide_command(step)) return *failure;
        }
        return std::move(m_job);
    }

private:
    static JclError error(int card, std::string name, std::string reason) {
        return JclError{card, std::move(name), std::move(reason)};
    }

    int card_number(std::size_t index) const { return static_cast<int>(index) + 1; }

    std::optional<JclError> split_lines() {
        std::size_t start = 0;
        while (start < m_text.size()) {
            std::size_t end = m_text.find('\n', start);
            if (end == std::string_view::npos) end = m_text.size();
            std::string_view line = m_text.substr(start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (m_lines.size() >= m_limits.max_cards) {
                return error(
                    card_number(m_lines.size()), "",
                    fmt::format("the job has more than {} cards, the most this host accepts", m_limits.max_cards));
            }
            m_lines.push_back(line);
            start = end + 1;
        }
        m_job.cards.assign(m_lines.begin(), m_lines.end());
        for (std::size_t i = 0; i < m_lines.size(); ++i) {
            if (m_lines[i].size() > k_card_width) {
                return error(card_number(i), "",
                             fmt::format("the card is {} characters long; JCL cards hold at most {}", m_lines[i].size(),
                                         k_card_width));
            }
        }
        return std::nullopt;
    }

    static std::string_view statement_field(std::string_view line) { return line.substr(0, k_statement_columns); }

    bool column_72_used(int card) const {
        const std::string_view line = m_lines[static_cast<std::size_t>(card - 1)];
        return line.size() > k_statement_columns && line[k_statement_columns] != ' ';
    }

    std::optional<JclError> read_statements() {
        while (m_next < m_lines.size()) {
            const std::size_t index = m_next;
            const std::string_view line = m_lines[index];
            const int card = card_number(index);
            if (is_blank(line) || line.starts_with("//*")) {
                ++m_next;
                continue;
            }
            if (trim_right(statement_field(line)) == "//") return check_after_end_of_job(index + 1);
            if (line.starts_with("/*")) {
                if (is_blank(line.substr(2, k_sequence_start - 2))) {
                    return error(card, "", "'/*' ends in-stream data, but no DD * or DD DATA is open here");
                }
                return error(card, "",
                             fmt::format("JES2 control statement '{}' is not supported on this host",
                                         trim_right(line.substr(0, k_sequence_start))));
            }
            if (!line.starts_with("//")) {
                return error(card, "",
                             "expected a JCL statement starting with '//' in columns 1-2; data lines belong "
                             "after a 'DD *' statement");
            }
            Statement statement;
            if (auto failure = read_statement(statement)) return failure;
            if (auto failure = dispatch(statement)) return failure;
        }
        return std::nullopt;
    }

    // The null statement '//' ends the job; one submission is one job, so nothing may follow it.
    std::optional<JclError> check_after_end_of_job(std::size_t from) const {
        for (std::size_t i = from; i < m_lines.size(); ++i) {
            if (!is_blank(m_lines[i])) {
                return error(card_number(i), "",
                             "a card after the null statement '//' that ends the job: submit one job at a time");
            }
        }
        return std::nullopt;
    }

    // Reads one statement from m_next, joining comma continuations and quoted values continued at column 16.
    std::optional<JclError> read_statement(Statement& statement) {
        std::string_view text = statement_field(m_lines[m_next]);
        int card = card_number(m_next);
        statement.first_card = card;
        std::size_t name_end = std::min(text.find(' ', 2), text.size());
        statement.name = std::string(text.substr(2, name_end - 2));
        std::size_t position = std::min(text.find_first_not_of(' ', name_end), text.size());
        const std::size_t operation_end = std::min(text.find(' ', position), text.size());
        statement.operation = std::string(text.substr(position, operation_end - position));
        position = std::min(text.find_first_not_of(' ', operation_end), text.size());
        ++m_next;

        bool in_quote = false;
        while (true) {
            std::size_t end = position;
            for (; end < text.size(); ++end) {
                if (text[end] == '\'') {
                    in_quote = !in_quote;
                } else if (text[end] == ' ' && !in_quote) {
                    break;
                }
            }
            const std::string_view piece = text.substr(position, end - position);
            statement.operands += piece;
            if (in_quote) {
                if (text.size() < k_statement_columns) {
                    return error(card, statement.name,
                                 "an apostrophe is not closed: close it, or run the quoted value to column 71 "
                                 "and continue it in column 16 of the next card");
                }
                if (m_next >= m_lines.size()) {
                    return error(card, statement.name, "the quoted value runs past the last card");
                }
                text = statement_field(m_lines[m_next]);
                card = card_number(m_next);
                if (!text.starts_with("//") || text.size() <= k_quoted_continuation_index ||
                    !is_blank(text.substr(2, k_quoted_continuation_index - 2))) {
                    return error(card, statement.name,
                                 "expected the quoted value of the card before to continue in column 16 of a "
                                 "'//' card with columns 3-15 blank");
                }
                position = k_quoted_continuation_index;
                ++m_next;
                continue;
            }
            // An operand running through column 71 into 72 was typed past the statement field, and would
            // otherwise be cut silently (a TIME=(2,30) read as TIME=(2,3...).
            if (end == k_statement_columns && column_72_used(card)) {
                return error(card, statement.name,
                             "the operand field runs past column 71 into column 72: JCL statements end at "
                             "column 71; end the card after a comma and continue on the next card");
            }
            if (piece.empty() || piece.back() != ',') break;
            if (m_next >= m_lines.size()) {
                return error(card, statement.name, "the operand field ends with a comma but no card follows");
            }
            text = statement_field(m_lines[m_next]);
            card = card_number(m_next);
            const std::size_t resume = text.find_first_not_of(' ', 2);
            if (!text.starts_with("// ") || resume == std::string_view::npos || resume > k_last_continuation_index) {
                return error(card, statement.name,
                             "expected the continuation of the statement before (it ends with a comma): '//', "
                             "column 3 blank, operands resuming in columns 4-16");
            }
            position = resume;
            ++m_next;
        }
        return std::nullopt;
    }

    std::optional<JclError> dispatch(const Statement& statement) {
        const std::string& operation = statement.operation;
        if (operation == "JOB") return read_job(statement);
        if (!m_have_job) {
            return error(statement.first_card, statement.name,
                         fmt::format("the first statement must be a JOB statement; found '{}'", operation));
        }
        if (operation == "EXEC") return read_exec(statement);
        if (operation == "DD") return read_dd(statement);
        if (contains({"OUTPUT", "JCLLIB", "INCLUDE", "SET", "IF", "THEN", "ELSE", "ENDIF", "PROC", "PEND", "CNTL",
                      "ENDCNTL", "EXPORT", "SCHEDULE", "XMIT", "COMMAND", "NOTIFY", "JOBGROUP"},
                     operation)) {
            return error(statement.first_card, statement.name,
                         fmt::format("{} statements are not supported on this host (only JOB, EXEC PGM=BPXBATCH "
                                     "and DD with SYSOUT or in-stream data)",
                                     operation));
        }
        if (operation.empty()) {
            return error(statement.first_card, statement.name, "the statement has no operation (JOB, EXEC or DD)");
        }
        return error(statement.first_card, statement.name,
                     fmt::format("unknown operation '{}': expected JOB, EXEC or DD", operation));
    }

    // Splits the operand field into parameters; keywords are upper-case words before '='.
    std::optional<JclError> read_parameters(const Statement& statement, std::vector<Parameter>& parameters) const {
        const auto items = split_top_level(statement.operands);
        if (!items) {
            return error(statement.first_card, statement.name,
                         "the apostrophes or parentheses in the operand field do not balance");
        }
        for (const std::string& item : *items) {
            const std::size_t equals = item.find('=');
            const bool keyword = equals != std::string::npos && equals > 0 &&
                                 std::all_of(item.begin(), item.begin() + static_cast<std::ptrdiff_t>(equals),
                                             [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
            Parameter parameter;
            if (keyword) {
                parameter.keyword = item.substr(0, equals);
                parameter.value = item.substr(equals + 1);
                for (const Parameter& earlier : parameters) {
                    if (earlier.keyword == parameter.keyword) {
                        return error(statement.first_card, statement.name,
                                     fmt::format("{}= is given twice", parameter.keyword));
                    }
                }
            } else {
                parameter.value = item;
            }
            parameters.push_back(std::move(parameter));
        }
        return std::nullopt;
    }

    std::optional<JclError> read_job(const Statement& statement) {
        const int card = statement.first_card;
        const std::string& name = statement.name;
        if (m_have_job) return error(card, name, "a second JOB statement: submit one job at a time");
        if (!is_valid_jcl_name(name)) {
            return error(card, name,
                         fmt::format("job name '{}' is not valid: 1-8 upper-case letters, digits or @ # $, "
                                     "starting with a letter or @ # $",
                                     name));
        }
        m_have_job = true;
        m_job_card = card;
        m_job.name = name;
        std::vector<Parameter> parameters;
        if (auto failure = read_parameters(statement, parameters)) return failure;
        std::size_t positional = 0;
        for (const Parameter& parameter : parameters) {
            if (parameter.keyword.empty()) {
                if (positional == 0) {
                    m_job.accounting = parameter.value;
                } else if (positional == 1) {
                    const auto programmer = unquote(parameter.value);
                    if (!programmer) return error(card, name, "the programmer name has a stray apostrophe");
                    m_job.programmer = *programmer;
                } else {
                    return error(card, name,
                                 fmt::format("unexpected positional parameter '{}': a JOB statement has at most "
                                             "accounting and programmer name before its keywords",
                                             parameter.value));
                }
                ++positional;
                continue;
            }
            const std::string& keyword = parameter.keyword;
            const std::string& value = parameter.value;
            if (keyword == "CLASS" || keyword == "MSGCLASS") {
                if (value.size() != 1 || !is_class_character(value[0])) {
                    return error(card, name,
                                 fmt::format("{}={} is not a class: expected one letter or digit", keyword, value));
                }
                (keyword == "CLASS" ? m_job.job_class : m_job.message_class) = value[0];
            } else if (keyword == "TIME") {
                TimeValue time = parse_time(value, TimeOwner::job);
                if (!time.error.empty()) return error(card, name, time.error);
                m_job.time_limit = time.limit;
                m_job.time_unlimited = !time.limit;
            } else if (keyword == "TYPRUN" || keyword == "RESTART") {
                return error(card, name, fmt::format("{}= is not supported on this host: remove it", keyword));
            } else if (keyword == "COND") {
                return error(card, name,
                             "COND on the JOB statement is not supported: put COND= on the EXEC statements");
            } else {
                // Real JOB cards carry many keywords (NOTIFY, REGION, USER ...) that change nothing here.
                m_job.ignored_parameters.emplace_back(keyword, value);
            }
        }
        return std::nullopt;
    }

    std::optional<JclError> read_exec(const Statement& statement) {
        const int card = statement.first_card;
        const std::string& name = statement.name;
        if (!name.empty() && !is_valid_jcl_name(name)) {
            return error(card, name,
                         fmt::format("step name '{}' is not valid: 1-8 upper-case letters, digits or @ # $, "
                                     "starting with a letter or @ # $",
                                     name));
        }
        if (!name.empty()) {
            for (const JclStep& earlier : m_job.steps) {
                if (earlier.name == name) {
                    return error(card, name,
                                 fmt::format("step name {} is used twice: COND could not tell "
                                             "the steps apart",
                                             name));
                }
            }
        }
        if (m_job.steps.size() >= m_limits.max_steps) {
            return error(card, name, fmt::format("the job has more than {} steps", m_limits.max_steps));
        }
        std::vector<Parameter> parameters;
        if (auto failure = read_parameters(statement, parameters)) return failure;
        JclStep step;
        step.name = name;
        step.first_card = card;
        std::optional<std::string> parm;
        for (const Parameter& parameter : parameters) {
            const std::string& keyword = parameter.keyword;
            const std::string& value = parameter.value;
            if (keyword.empty() || keyword == "PROC") {
                return error(card, name,
                             fmt::format("EXEC {} calls a procedure: procedures are not supported; only "
                                         "PGM=BPXBATCH runs on this host",
                                         value));
            }
            if (keyword == "PGM") {
                if (value != "BPXBATCH") {
                    return error(card, name,
                                 fmt::format("PGM={} is not supported: only PGM=BPXBATCH runs on this host", value));
                }
                step.program = value;
            } else if (keyword == "PARM") {
                parm = decode_parm(value);
                if (!parm)
                    return error(card, name, fmt::format("PARM={} cannot be read: check the apostrophes", value));
                if (parm->size() > k_parm_max) {
                    return error(card, name,
                                 fmt::format("PARM is {} characters; JCL allows at most {}: put longer "
                                             "commands in a '//STDPARM DD *' in-stream data set",
                                             parm->size(), k_parm_max));
                }
            } else if (keyword == "COND") {
                if (auto failure = read_cond(card, name, value, step)) return failure;
            } else if (keyword == "TIME") {
                TimeValue time = parse_time(value, TimeOwner::step);
                if (!time.error.empty()) return error(card, name, time.error);
                step.time_limit = time.limit;
            } else if (contains(
                           {"REGION", "MEMLIMIT", "ACCT", "DYNAMNBR", "ADDRSPC", "DPRTY", "PERFORM", "RD", "CCSID"},
                           keyword)) {
                // Storage and accounting hints change nothing on this host.
                step.ignored_parameters.emplace_back(keyword, value);
            } else {
                return error(card, name, fmt::format("EXEC parameter {}= is not supported on this host", keyword));
            }
        }
        if (step.program.empty()) {
            return error(card, name, "the EXEC statement has no PGM=: expected EXEC PGM=BPXBATCH,PARM='SH ...'");
        }
        step.parm = parm.value_or("");
        m_job.steps.push_back(std::move(step));
        return std::nullopt;
    }

    std::optional<JclError> read_cond_test(int card, const std::string& name, const std::string& text,
                                           JclStep& step) const {
        const std::string expected =
            "expected (code,operator) or (code,operator,stepname), code 0-4095, "
            "operator GT GE EQ LT LE NE";
        if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
            return error(card, name, fmt::format("COND test '{}' cannot be read: {}", text, expected));
        }
        const auto items = split_top_level(std::string_view(text).substr(1, text.size() - 2));
        if (!items || items->size() < 2 || items->size() > 3) {
            return error(card, name, fmt::format("COND test '{}' cannot be read: {}", text, expected));
        }
        const auto code = parse_number((*items)[0], k_max_cond_code);
        const auto op = parse_operator((*items)[1]);
        if (!code || !op) return error(card, name, fmt::format("COND test '{}' cannot be read: {}", text, expected));
        CondTest test{static_cast<int>(*code), *op, {}};
        if (items->size() == 3) {
            test.step_name = (*items)[2];
            if (test.step_name.find('.') != std::string::npos) {
                return error(card, name,
                             fmt::format("COND names procedure step {}: procedures are not supported", test.step_name));
            }
            const bool earlier = std::any_of(m_job.steps.begin(), m_job.steps.end(),
                                             [&](const JclStep& s) { return s.name == test.step_name; });
            if (!earlier) {
                return error(
                    card, name,
                    fmt::format("COND names step {}, which is not an earlier step of this job", test.step_name));
            }
        }
        step.cond.push_back(std::move(test));
        return std::nullopt;
    }

    // COND=EVEN|ONLY, COND=(code,op[,step]), COND=((code,op[,step]),...[,EVEN|ONLY]).
    std::optional<JclError> read_cond(int card, const std::string& name, const std::string& value, JclStep& step) {
        const auto set_mode = [&](std::string_view word) {
            step.cond_mode = word == "EVEN" ? CondMode::even : CondMode::only;
        };
        if (value == "EVEN" || value == "ONLY") {
            set_mode(value);
            return std::nullopt;
        }
        if (value.size() < 2 || value.front() != '(' || value.back() != ')') {
            return error(card, name,
                         fmt::format("COND={} cannot be read: expected COND=(4,LT), "
                                     "COND=((4,LT),(8,GT,STEP1)), COND=EVEN or COND=ONLY",
                                     value));
        }
        const auto items = split_top_level(std::string_view(value).substr(1, value.size() - 2));
        if (!items || items->empty()) return error(card, name, fmt::format("COND={} cannot be read", value));
        if (!items->front().starts_with("(")) return read_cond_test(card, name, value, step);
        bool mode_seen = false;
        for (const std::string& item : *items) {
            if (item == "EVEN" || item == "ONLY") {
                if (mode_seen) return error(card, name, "COND gives EVEN or ONLY more than once");
                mode_seen = true;
                set_mode(item);
                continue;
            }
            if (auto failure = read_cond_test(card, name, item, step)) return failure;
        }
        if (step.cond.size() > k_max_cond_tests) {
            return error(card, name,
                         fmt::format("COND has {} tests; JCL allows at most {}", step.cond.size(), k_max_cond_tests));
        }
        return std::nullopt;
    }

    std::optional<JclError> read_dd(const Statement& statement) {
        const int card = statement.first_card;
        const std::string& name = statement.name;
        if (m_job.steps.empty()) {
            return error(card, name, "a DD statement before the first EXEC (JOBLIB and the like) is not supported");
        }
        JclStep& step = m_job.steps.back();
        if (name.empty()) {
            return error(card, name, "a DD without a name concatenates data sets, which is not supported");
        }
        if (name.find('.') != std::string::npos) {
            return error(card, name, "overriding a procedure DD (step.ddname) is not supported");
        }
        if (!is_valid_jcl_name(name)) {
            return error(card, name,
                         fmt::format("DD name '{}' is not valid: 1-8 upper-case letters, digits or @ # $, "
                                     "starting with a letter or @ # $",
                                     name));
        }
        const bool duplicate =
            std::any_of(step.in_stream.begin(), step.in_stream.end(),
                        [&](const InStreamDd& dd) { return dd.dd_name == name; }) ||
            std::any_of(step.sysout.begin(), step.sysout.end(), [&](const SysoutDd& dd) { return dd.dd_name == name; });
        if (duplicate) return error(card, name, fmt::format("DD {} appears twice in the step", name));

        std::vector<Parameter> parameters;
        if (auto failure = read_parameters(statement, parameters)) return failure;
        enum class DataKind { none, star, data };
        DataKind data_kind = DataKind::none;
        std::optional<char> sysout_class;
        std::optional<std::string> delimiter;
        for (const Parameter& parameter : parameters) {
            const std::string& keyword = parameter.keyword;
            const std::string& value = parameter.value;
            if (keyword.empty()) {
                if ((value == "*" || value == "DATA") && data_kind == DataKind::none) {
                    data_kind = value == "*" ? DataKind::star : DataKind::data;
                    continue;
                }
                return error(card, name,
                             fmt::format("DD {} is not supported: expected DD *, DD DATA or DD SYSOUT=class",
                                         value.empty() ? std::string("with an empty parameter") : value));
            }
            if (keyword == "SYSOUT") {
                std::string_view class_text = value;
                std::vector<std::string> subparameters;
                if (value.size() >= 2 && value.front() == '(' && value.back() == ')') {
                    auto items = split_top_level(std::string_view(value).substr(1, value.size() - 2));
                    if (!items || items->empty())
                        return error(card, name, fmt::format("SYSOUT={} cannot be read", value));
                    subparameters = std::move(*items);
                    class_text = subparameters.front();
                }
                if (class_text == "*") {
                    sysout_class = m_job.message_class;
                } else if (class_text.size() == 1 && is_class_character(class_text[0])) {
                    sysout_class = class_text[0];
                } else {
                    return error(card, name,
                                 fmt::format("SYSOUT={} is not a class: expected SYSOUT=* or one "
                                             "letter or digit",
                                             value));
                }
            } else if (keyword == "DLM") {
                const auto text = unquote(value);
                if (!text || text->size() != 2) {
                    return error(card, name, fmt::format("DLM={} is not a delimiter: expected two characters", value));
                }
                delimiter = *text;
            } else if (contains({"DSN",      "DSNAME",   "PATH",     "DISP",     "UNIT",  "VOL",     "VOLUME",
                                 "SPACE",    "PATHOPTS", "PATHMODE", "PATHDISP", "LABEL", "DDNAME",  "SUBSYS",
                                 "DATACLAS", "STORCLAS", "MGMTCLAS", "LIKE",     "REFDD", "SYMBOLS", "SYMLIST"},
                                keyword)) {
                return error(card, name,
                             fmt::format("{}= is not supported on this host: data sets and files cannot be used; "
                                         "use DD * in-stream data or SYSOUT",
                                         keyword));
            } else if (contains({"DCB", "LRECL", "RECFM", "BLKSIZE", "HOLD", "FREE", "SPIN", "COPIES", "DEST", "OUTLIM",
                                 "FCB", "UCS", "CHARS", "BURST", "FLASH", "OUTPUT"},
                                keyword)) {
                // Record and print attributes shape nothing on this host: spool files are plain text.
                step.ignored_parameters.emplace_back(fmt::format("{}.{}", name, keyword), value);
            } else {
                return error(card, name, fmt::format("DD parameter {}= is not supported on this host", keyword));
            }
        }
        if (data_kind != DataKind::none && sysout_class) {
            return error(card, name, "a DD is either in-stream data (* or DATA) or SYSOUT, not both");
        }
        if (data_kind == DataKind::none && !sysout_class) {
            return error(card, name, "the DD is neither in-stream data (DD * or DD DATA) nor SYSOUT=class");
        }
        if (delimiter && data_kind == DataKind::none) {
            return error(card, name, "DLM= belongs on a DD * or DD DATA statement");
        }
        if (sysout_class) {
            if (name == "STDIN" || name == "STDPARM" || name == "STDENV") {
                return error(card, name, fmt::format("{} is read by BPXBATCH: it must be DD * in-stream data", name));
            }
            step.sysout.push_back(SysoutDd{name, *sysout_class, card});
            return std::nullopt;
        }
        if (name == "STDOUT" || name == "STDERR") {
            return error(card, name, fmt::format("{} is written by BPXBATCH: it must be SYSOUT=class", name));
        }
        return read_in_stream(InStreamDd{name, {}, card}, data_kind == DataKind::star, delimiter, step);
    }

    // Data lines up to the delimiter ('/*' or DLM=); DD * without DLM= also stops before the next '//' card.
    std::optional<JclError> read_in_stream(InStreamDd dd, bool ends_at_statement,
                                           const std::optional<std::string>& delimiter, JclStep& step) {
        const std::string end_mark = delimiter.value_or("/*");
        const bool stops_at_statement = ends_at_statement && !delimiter;
        bool terminated = false;
        while (m_next < m_lines.size()) {
            const std::string_view line = m_lines[m_next];
            if (line.starts_with(end_mark)) {
                ++m_next;
                terminated = true;
                break;
            }
            if (stops_at_statement && line.starts_with("//")) {
                terminated = true;
                break;
            }
            std::string_view data = line;
            // ISPF numbers data cards too: columns 73-80 all digits on a full card are a sequence number.
            if (data.size() == k_card_width && is_digits(data.substr(k_sequence_start))) {
                data = data.substr(0, k_sequence_start);
            }
            dd.lines.emplace_back(trim_right(data));
            ++m_next;
        }
        if (!terminated && !stops_at_statement) {
            return error(dd.first_card, dd.dd_name,
                         fmt::format("the in-stream data never ends: expected a card starting with '{}'", end_mark));
        }
        step.in_stream.push_back(std::move(dd));
        return std::nullopt;
    }

    // BPXBATCH's rules: STDPARM replaces PARM; "SH" (the default) runs a shell command, "PGM" a program.
    std::optional<JclError> decide_command(JclStep& step) const {
        std::string source = step.parm;
        for (const InStreamDd& dd : step.in_stream) {
            if (dd.dd_name != "STDPARM") continue;
            // BPXBATCH reads one argument per record; the shell sees them as one command line.
            source.clear();
            for (const std::string& line : dd.lines) {
                const std::string_view text = trim_left(line);
                if (text.empty()) continue;
                if (!source.empty()) source += ' ';
                source += text;
            }
        }
        const std::string_view text = trim_left(source);
        const std::size_t word_end = std::min(text.find(' '), text.size());
        const std::string_view word = text.substr(0, word_end);
        const std::string_view rest = trim_left(text.substr(word_end));
        if (word == "SHRC" || word == "PGMRC") {
            return error(step.first_card, step.name, fmt::format("BPXBATCH {} is not supported: use SH or PGM", word));
        }
        if (word == "PGM") {
            step.mode = BpxbatchMode::program;
            step.command = std::string(trim_right(rest));
            for (std::size_t start = 0; start < step.command.size();) {
                const std::size_t end = std::min(step.command.find(' ', start), step.command.size());
                if (end > start) step.program_arguments.emplace_back(step.command.substr(start, end - start));
                start = end + 1;
            }
            if (step.program_arguments.empty()) {
                return error(step.first_card, step.name,
                             "BPXBATCH PGM names no program: expected PGM /path/to/program");
            }
            return std::nullopt;
        }
        step.mode = BpxbatchMode::shell;
        step.command = std::string(word == "SH" ? rest : text);
        return std::nullopt;
    }

    std::string_view m_text;
    const JclLimits& m_limits;
    std::vector<std::string_view> m_lines;
    std::size_t m_next = 0;
    JclJob m_job;
    bool m_have_job = false;
    int m_job_card = 0;
};

}  // namespace

std::string InStreamDd::content() const {
    std::string result;
    for (const std::string& line : lines) {
        result += line;
        result += '\n';
    }
    return result;
}

std::string JclError::jesysmsg_line() const {
    const std::string subject = statement_name.empty() ? std::string() : statement_name + ": ";
    if (card <= 0) return fmt::format(" JOB ERROR: {}{}", subject, reason);
    return fmt::format(" STMT NO. {}  ERROR: {}{}", card, subject, reason);
}

JclParseOutcome parse_jcl(std::string_view text, const JclLimits& limits) {
    return JclParser(text, limits).parse();
}

std::optional<std::string> find_job_name(std::string_view text) {
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (is_blank(line) || line.starts_with("//*")) continue;
        if (!line.starts_with("//") || line.size() < 3 || line[2] == ' ') return std::nullopt;
        std::string_view rest = line.substr(2);
        const std::size_t name_end = rest.find(' ');
        if (name_end == std::string_view::npos) return std::nullopt;
        const std::string_view name = rest.substr(0, name_end);
        rest = trim_left(rest.substr(name_end));
        const bool is_job = rest == "JOB" || rest.starts_with("JOB ");
        if (!is_job || !is_valid_jcl_name(name)) return std::nullopt;
        return std::string(name);
    }
    return std::nullopt;
}

bool cond_bypasses(const std::vector<CondTest>& tests, CondMode mode, const std::vector<StepResult>& earlier) {
    const bool abend_before =
        std::any_of(earlier.begin(), earlier.end(), [](const StepResult& step) { return step.ran && step.abended; });
    if (mode == CondMode::normal && abend_before) return true;
    if (mode == CondMode::only && !abend_before) return true;
    for (const CondTest& test : tests) {
        for (const StepResult& step : earlier) {
            // A bypassed or abended step has no return code to test: such a test is false.
            if (!step.ran || step.abended) continue;
            if (!test.step_name.empty() && step.name != test.step_name) continue;
            if (cond_test_holds(test, step.rc)) return true;
        }
    }
    return false;
}

}  // namespace greenlight::bridge
