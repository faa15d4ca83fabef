// The JCL subset the job host runs: one JOB, EXEC PGM=BPXBATCH steps, SYSOUT and in-stream DDs, COND and
// TIME. Anything outside the subset is a JCL error naming the card, never a silent guess (docs/BRIDGE.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenlight/util/result.hpp"

namespace greenlight::bridge {

// Bounds on one submission, so a hostile or runaway job cannot exhaust the host while it is parsed.
struct JclLimits {
    std::size_t max_steps = 255;  // IBM's limit of steps in a job
    std::size_t max_cards = 50'000;
    std::size_t max_bytes = std::size_t{4} * 1024 * 1024;
};

// The comparison of a COND test, read as "code OP return code".
enum class CondOperator { greater_than, greater_or_equal, equal, less_than, less_or_equal, not_equal };

// One COND test: the step is bypassed when `code OP rc` holds for the named earlier step (or any earlier one).
struct CondTest {
    int code = 0;
    CondOperator op = CondOperator::greater_than;
    std::string step_name;  // empty: every earlier step that ran

    bool operator==(const CondTest&) const = default;
};

// How a step relates to an earlier abend: normal (bypassed), EVEN (runs anyway), ONLY (runs only then).
enum class CondMode { normal, even, only };

// What BPXBATCH is asked to do: run a shell command (SH, the default) or a program directly (PGM).
enum class BpxbatchMode { shell, program };

// A DD whose data follows in the job stream (DD * or DD DATA); lines as read, trailing blanks removed.
struct InStreamDd {
    std::string dd_name;
    std::vector<std::string> lines;
    int first_card = 0;

    // The data as a file holds it: each line ended by a newline.
    std::string content() const;
};

// A DD written to the spool (SYSOUT=class, where * means the job's message class).
struct SysoutDd {
    std::string dd_name;
    char output_class = 'A';
    int first_card = 0;
};

// One EXEC PGM=BPXBATCH step as the executor runs it.
struct JclStep {
    std::string name;     // may be empty: JCL allows unnamed steps
    std::string program;  // always "BPXBATCH" in a parsed job
    std::string parm;     // PARM as the program receives it (apostrophes and parentheses removed)
    BpxbatchMode mode = BpxbatchMode::shell;
    // Shell mode: the command text after "SH" (empty: the shell reads STDIN). Program mode: the path and its
    // arguments as written after "PGM". Taken from STDPARM when the step has one, as BPXBATCH does.
    std::string command;
    std::vector<std::string> program_arguments;  // program mode: command split on blanks, path first
    std::vector<CondTest> cond;
    CondMode cond_mode = CondMode::normal;
    std::optional<std::chrono::seconds> time_limit;  // none: no step limit (the job's still applies)
    std::vector<InStreamDd> in_stream;
    std::vector<SysoutDd> sysout;
    std::vector<std::pair<std::string, std::string>> ignored_parameters;  // keyword, value as written
    int first_card = 0;
};

struct JclJob {
    std::string name;
    std::string accounting;  // first positional parameter, as written
    std::string programmer;  // second positional parameter, apostrophes removed
    char job_class = 'A';
    char message_class = 'A';
    std::optional<std::chrono::seconds> time_limit;  // none: no limit (TIME=1440, NOLIMIT, MAXIMUM or absent)
    // TIME=1440, NOLIMIT or MAXIMUM was written: no limit at all, not even the host's default for jobs
    // without TIME=.
    bool time_unlimited = false;
    std::vector<JclStep> steps;
    std::vector<std::pair<std::string, std::string>> ignored_parameters;  // JOB keywords recorded, not acted on
    std::vector<std::string> cards;  // every line as submitted; card n is cards[n - 1] (for JESJCL)
};

// Why a job cannot run, and on which card (1-based line; 0 when no one card is to blame).
struct JclError {
    int card = 0;
    std::string statement_name;
    std::string reason;

    // The line JESYSMSG shows for this error: " STMT NO. 3  ERROR: STEP1: <reason>".
    std::string jesysmsg_line() const;
};

using JclParseOutcome = util::Result<JclJob, JclError>;

// Parses one submitted job. Never throws; anything it does not understand is a JclError.
JclParseOutcome parse_jcl(std::string_view text, const JclLimits& limits = {});

// The name on the first JOB statement, read leniently (comments and blank lines skipped) so that a job whose
// JCL is otherwise in error can still be stored under its name and end as JCL ERROR. nullopt when the first
// statement is not `//name JOB` with a valid name.
std::optional<std::string> find_job_name(std::string_view text);

// How an earlier step ended, as COND sees it. A bypassed step has ran == false.
struct StepResult {
    std::string name;
    bool ran = false;
    int rc = 0;
    bool abended = false;
};

// IBM's COND semantics: true when the step must be bypassed given the steps before it, in order.
bool cond_bypasses(const std::vector<CondTest>& tests, CondMode mode, const std::vector<StepResult>& earlier);

}  // namespace greenlight::bridge
