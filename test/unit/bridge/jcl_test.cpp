#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "greenlight/bridge/jcl.hpp"

namespace greenlight::bridge {
namespace {

using std::chrono::seconds;

// Joins card images with LF, so each test reads like the deck it submits.
std::string deck(std::initializer_list<std::string> cards) {
    std::string text;
    for (const std::string& card : cards) text += card + "\n";
    return text;
}

// A card of exactly 80 columns: text padded to column 72, then the eight-column sequence field.
std::string numbered(std::string text, const std::string& sequence) {
    text.resize(72, ' ');
    return text + sequence;
}

JclJob parsed(const std::string& text, const JclLimits& limits = {}) {
    const JclParseOutcome outcome = parse_jcl(text, limits);
    if (!outcome) {
        ADD_FAILURE() << outcome.error().jesysmsg_line();
        return {};
    }
    return *outcome;
}

JclError failed(const std::string& text, const JclLimits& limits = {}) {
    const JclParseOutcome outcome = parse_jcl(text, limits);
    if (!outcome) {
        EXPECT_FALSE(outcome.error().reason.empty());
        return outcome.error();
    }
    ADD_FAILURE() << "parsed, but a JCL error was expected";
    return {};
}

const std::string k_job_card = "//SMOKE    JOB (ACCT),'CI BOT',CLASS=A,MSGCLASS=X";

TEST(ParseJcl, TwoStepSmokeJob) {
    const JclJob job = parsed(deck({
        "//SMOKE    JOB (ACCT1),'CI BOT',CLASS=B,MSGCLASS=X,",
        "//             NOTIFY=&SYSUID,TIME=(2,30)",
        "//BUILD    EXEC PGM=BPXBATCH",
        "//STDPARM  DD *",
        "SH cd /src &&",
        "  make all",
        "/*",
        "//STDOUT   DD SYSOUT=*",
        "//STDERR   DD SYSOUT=*",
        "//TEST     EXEC PGM=BPXBATCH,PARM='SH make check',COND=(4,LT)",
        "//STDOUT   DD SYSOUT=A",
        "//SYSPRINT DD SYSOUT=(Q,INTRDR)",
        "//",
    }));
    EXPECT_EQ(job.name, "SMOKE");
    EXPECT_EQ(job.accounting, "(ACCT1)");
    EXPECT_EQ(job.programmer, "CI BOT");
    EXPECT_EQ(job.job_class, 'B');
    EXPECT_EQ(job.message_class, 'X');
    EXPECT_EQ(job.time_limit, seconds(150));
    ASSERT_EQ(job.ignored_parameters.size(), 1u);
    EXPECT_EQ(job.ignored_parameters[0].first, "NOTIFY");
    EXPECT_EQ(job.ignored_parameters[0].second, "&SYSUID");
    EXPECT_EQ(job.cards.size(), 13u);
    EXPECT_EQ(job.cards[1], "//             NOTIFY=&SYSUID,TIME=(2,30)");
    EXPECT_EQ(job.cards[2], "//BUILD    EXEC PGM=BPXBATCH");
    ASSERT_EQ(job.steps.size(), 2u);

    const JclStep& build = job.steps[0];
    EXPECT_EQ(build.name, "BUILD");
    EXPECT_EQ(build.program, "BPXBATCH");
    EXPECT_EQ(build.first_card, 3);
    EXPECT_EQ(build.mode, BpxbatchMode::shell);
    EXPECT_EQ(build.command, "cd /src && make all");
    ASSERT_EQ(build.in_stream.size(), 1u);
    EXPECT_EQ(build.in_stream[0].dd_name, "STDPARM");
    EXPECT_EQ(build.in_stream[0].first_card, 4);
    EXPECT_EQ(build.in_stream[0].content(), "SH cd /src &&\n  make all\n");
    ASSERT_EQ(build.sysout.size(), 2u);
    EXPECT_EQ(build.sysout[0].dd_name, "STDOUT");
    EXPECT_EQ(build.sysout[0].output_class, 'X');  // SYSOUT=* is the job's MSGCLASS
    EXPECT_TRUE(build.cond.empty());
    EXPECT_EQ(build.cond_mode, CondMode::normal);

    const JclStep& test = job.steps[1];
    EXPECT_EQ(test.name, "TEST");
    EXPECT_EQ(test.first_card, 10);
    EXPECT_EQ(test.parm, "SH make check");
    EXPECT_EQ(test.command, "make check");
    ASSERT_EQ(test.cond.size(), 1u);
    EXPECT_EQ(test.cond[0], (CondTest{4, CondOperator::less_than, ""}));
    ASSERT_EQ(test.sysout.size(), 2u);
    EXPECT_EQ(test.sysout[0].output_class, 'A');
    EXPECT_EQ(test.sysout[1].dd_name, "SYSPRINT");
    EXPECT_EQ(test.sysout[1].output_class, 'Q');
}

TEST(ParseJcl, DefaultsWithoutClassesOrTime) {
    const JclJob job = parsed(deck({"//* a comment before the JOB card", "//J JOB", "//* between statements",
                                    "//S EXEC PGM=BPXBATCH,PARM='SH true'", "", "//"}));
    EXPECT_EQ(job.job_class, 'A');
    EXPECT_EQ(job.message_class, 'A');
    EXPECT_EQ(job.time_limit, std::nullopt);
    EXPECT_EQ(job.steps.at(0).time_limit, std::nullopt);
}

TEST(ParseJcl, StdinScriptAndDataWithDelimiter) {
    const JclJob job = parsed(deck({
        k_job_card,
        "//RUN  EXEC PGM=BPXBATCH,PARM='SH'",
        "//STDIN DD DATA,DLM=$$",
        "echo one",
        "//* not a comment here: DLM makes // lines data",
        "/* neither is this",
        "$$",
        "//EXTRA DD *",
        "x",
        "//STDOUT DD SYSOUT=*",
    }));
    const JclStep& step = job.steps.at(0);
    EXPECT_EQ(step.command, "");
    ASSERT_EQ(step.in_stream.size(), 2u);
    EXPECT_EQ(step.in_stream[0].dd_name, "STDIN");
    EXPECT_EQ(step.in_stream[0].lines,
              (std::vector<std::string>{"echo one", "//* not a comment here: DLM makes // lines data",
                                        "/* neither is this"}));
    EXPECT_EQ(step.in_stream[1].lines, std::vector<std::string>{"x"});  // DD * stops at the next // card
    EXPECT_EQ(step.sysout.size(), 1u);
}

TEST(ParseJcl, DdStarRunningToTheEndOfTheDeckIsFine) {
    const JclJob job = parsed(deck({k_job_card, "//S EXEC PGM=BPXBATCH", "//STDIN DD *", "echo hi"}));
    EXPECT_EQ(job.steps.at(0).in_stream.at(0).lines, std::vector<std::string>{"echo hi"});
}

TEST(ParseJcl, CommaContinuation) {
    const JclJob job = parsed(deck({
        "//SMOKE JOB (ACCT),",
        "//          'CI BOT',",
        "//   CLASS=C",
        "//S1 EXEC PGM=BPXBATCH,",
        "//          PARM=('SH echo a',",
        "//          'b'),TIME=5          comment after the operands",
    }));
    EXPECT_EQ(job.programmer, "CI BOT");
    EXPECT_EQ(job.job_class, 'C');
    const JclStep& step = job.steps.at(0);
    EXPECT_EQ(step.parm, "SH echo a,b");
    EXPECT_EQ(step.command, "echo a,b");
    EXPECT_EQ(step.time_limit, seconds(300));
}

TEST(ParseJcl, QuotedValueContinuedInColumnSixteen) {
    // Column 71 ends inside the apostrophes; IBM resumes the value in column 16 of the next card.
    std::string first = "//S1 EXEC PGM=BPXBATCH,PARM='SH echo ";
    first.resize(71, 'x');
    const JclJob job = parsed(deck({k_job_card, first, "//             yz'"}));
    const std::string expected = "echo " + std::string(71 - 37, 'x') + "yz";
    EXPECT_EQ(job.steps.at(0).command, expected);
}

TEST(ParseJcl, DoubledApostrophes) {
    const JclJob job = parsed(deck({k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='SH echo ''it''''s'''"}));
    EXPECT_EQ(job.steps.at(0).command, "echo 'it''s'");
    const JclJob named = parsed(deck({"//J JOB 1,'O''BRIEN'", "//S EXEC PGM=BPXBATCH"}));
    EXPECT_EQ(named.programmer, "O'BRIEN");
}

TEST(ParseJcl, CrlfAndSequenceNumbers) {
    const std::string text = numbered(k_job_card, "00010000") + "\r\n" +
                             numbered("//S1 EXEC PGM=BPXBATCH,PARM='SH ls -l'", "00020000") + "\r\n" +
                             numbered("//STDIN DD *", "00030000") + "\r\n" + numbered("echo hi", "00040000") + "\r\n" +
                             numbered("/*", "00050000") + "\r\n";
    const JclJob job = parsed(text);
    ASSERT_EQ(job.steps.size(), 1u);
    EXPECT_EQ(job.steps[0].command, "ls -l");
    EXPECT_EQ(job.steps[0].in_stream.at(0).lines, std::vector<std::string>{"echo hi"});
    EXPECT_EQ(job.cards.at(1).size(), 80u);  // cards keep what was submitted, minus the line ending
}

TEST(ParseJcl, ProgramMode) {
    const JclJob job = parsed(deck({k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='PGM /bin/ls  -l /tmp'"}));
    const JclStep& step = job.steps.at(0);
    EXPECT_EQ(step.mode, BpxbatchMode::program);
    EXPECT_EQ(step.program_arguments, (std::vector<std::string>{"/bin/ls", "-l", "/tmp"}));
}

TEST(ParseJcl, ParmWithoutShOrPgmIsAShellCommandAsInBpxbatch) {
    const JclJob job = parsed(deck({k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='ls -l'"}));
    EXPECT_EQ(job.steps.at(0).mode, BpxbatchMode::shell);
    EXPECT_EQ(job.steps.at(0).command, "ls -l");
}

TEST(ParseJcl, StdparmReplacesParm) {
    const JclJob job = parsed(deck(
        {k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='SH false'", "//STDPARM DD *", "SH echo", "from stdparm", "/*"}));
    EXPECT_EQ(job.steps.at(0).parm, "SH false");
    EXPECT_EQ(job.steps.at(0).command, "echo from stdparm");
}

TEST(ParseJcl, TimeForms) {
    const auto job_time = [](const std::string& time) {
        return parsed(deck({"//J JOB CLASS=A,TIME=" + time, "//S EXEC PGM=BPXBATCH"})).time_limit;
    };
    EXPECT_EQ(job_time("5"), seconds(300));
    EXPECT_EQ(job_time("(1,30)"), seconds(90));
    EXPECT_EQ(job_time("(,45)"), seconds(45));
    EXPECT_EQ(job_time("(3)"), seconds(180));
    EXPECT_EQ(job_time("1440"), std::nullopt);
    EXPECT_EQ(job_time("NOLIMIT"), std::nullopt);
    EXPECT_EQ(job_time("MAXIMUM"), std::nullopt);
    const auto unlimited = [](const std::string& card) {
        return parsed(deck({card, "//S EXEC PGM=BPXBATCH"})).time_unlimited;
    };
    EXPECT_TRUE(unlimited("//J JOB CLASS=A,TIME=NOLIMIT"));
    EXPECT_TRUE(unlimited("//J JOB CLASS=A,TIME=1440"));
    EXPECT_TRUE(unlimited("//J JOB CLASS=A,TIME=MAXIMUM"));
    EXPECT_FALSE(unlimited("//J JOB CLASS=A"));
    EXPECT_FALSE(unlimited("//J JOB CLASS=A,TIME=5"));
    const JclJob job = parsed(deck({"//J JOB", "//S EXEC PGM=BPXBATCH,TIME=(0,10)"}));
    EXPECT_EQ(job.steps.at(0).time_limit, seconds(10));
    for (const char* bad : {"0", "(0,0)", "(1,60)", "X", "()", "(1,)", "-1", "357913"}) {
        const JclError error = failed(deck({std::string("//J JOB TIME=") + bad, "//S EXEC PGM=BPXBATCH"}));
        EXPECT_EQ(error.card, 1) << bad;
        EXPECT_NE(error.reason.find("TIME="), std::string::npos) << bad << ": " << error.reason;
    }
    EXPECT_EQ(failed(deck({"//J JOB", "//S EXEC PGM=BPXBATCH,TIME=0"})).card, 2);
}

TEST(ParseJcl, CondForms) {
    const JclJob job = parsed(deck({
        k_job_card,
        "//STEP1 EXEC PGM=BPXBATCH",
        "//STEP2 EXEC PGM=BPXBATCH,COND=((4,LT),(8,GT,STEP1))",
        "//STEP3 EXEC PGM=BPXBATCH,COND=EVEN",
        "//STEP4 EXEC PGM=BPXBATCH,COND=ONLY",
        "//STEP5 EXEC PGM=BPXBATCH,COND=((0,NE,STEP2),EVEN)",
        "//STEP6 EXEC PGM=BPXBATCH,COND=(12,EQ,STEP1)",
    }));
    ASSERT_EQ(job.steps.size(), 6u);
    EXPECT_EQ(job.steps[1].cond,
              (std::vector<CondTest>{{4, CondOperator::less_than, ""}, {8, CondOperator::greater_than, "STEP1"}}));
    EXPECT_EQ(job.steps[2].cond_mode, CondMode::even);
    EXPECT_EQ(job.steps[3].cond_mode, CondMode::only);
    EXPECT_EQ(job.steps[4].cond_mode, CondMode::even);
    EXPECT_EQ(job.steps[4].cond, (std::vector<CondTest>{{0, CondOperator::not_equal, "STEP2"}}));
    EXPECT_EQ(job.steps[5].cond, (std::vector<CondTest>{{12, CondOperator::equal, "STEP1"}}));
}

struct ErrorCase {
    std::vector<std::string> cards;
    int card;
    std::string reason_part;
};

TEST(ParseJcl, ErrorsNameTheCard) {
    const std::vector<ErrorCase> cases = {
        {{k_job_card, "//S1 EXEC PGM=IEFBR14"}, 2, "PGM=IEFBR14 is not supported: only PGM=BPXBATCH runs"},
        {{k_job_card, "//S1 EXEC MYPROC"}, 2, "procedure"},
        {{k_job_card, "//S1 EXEC PROC=MYPROC"}, 2, "procedure"},
        {{k_job_card, "//S1 EXEC PARM='SH x'"}, 2, "no PGM="},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//IN DD DSN=MY.DATA,DISP=SHR"}, 3, "DSN= is not supported"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//IN DD PATH='/tmp/x'"}, 3, "PATH= is not supported"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//IN DD DUMMY"}, 3, "DD DUMMY is not supported"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//in DD SYSOUT=*"}, 3, "DD name 'in' is not valid"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//S1.IN DD *"}, 3, "procedure DD"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//A DD SYSOUT=*", "//A DD SYSOUT=*"}, 4, "twice"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//A DD SYSOUT=*", "//  DD SYSOUT=*"}, 4, "concatenates"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//STDOUT DD *", "x"}, 3, "must be SYSOUT"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//STDIN DD SYSOUT=*"}, 3, "must be DD *"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//STDIN DD DATA", "x"}, 3, "never ends"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//A DD SYSOUT=AB"}, 3, "not a class"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//A DD"}, 3, "neither"},
        {{k_job_card, "//A DD SYSOUT=*", "//S1 EXEC PGM=BPXBATCH"}, 2, "before the first EXEC"},
        {{k_job_card, "//OUT1 OUTPUT CLASS=A", "//S1 EXEC PGM=BPXBATCH"}, 2, "OUTPUT statements are not supported"},
        {{k_job_card, "//LIB JCLLIB ORDER=A.B", "//S1 EXEC PGM=BPXBATCH"}, 2, "JCLLIB"},
        {{k_job_card, "// INCLUDE MEMBER=X", "//S1 EXEC PGM=BPXBATCH"}, 2, "INCLUDE"},
        {{k_job_card, "// SET X=1", "//S1 EXEC PGM=BPXBATCH"}, 2, "SET"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//CHK IF (S1.RC = 0) THEN"}, 3, "IF statements"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "// ELSE"}, 3, "ELSE"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "// ENDIF"}, 3, "ENDIF"},
        {{k_job_card, "//P PROC", "// PEND", "//S1 EXEC PGM=BPXBATCH"}, 2, "PROC"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//X FOO BAR"}, 3, "unknown operation 'FOO'"},
        {{k_job_card}, 1, "no steps"},
        {{"//S1 EXEC PGM=BPXBATCH"}, 1, "first statement must be a JOB"},
        {{"//lower JOB", "//S EXEC PGM=BPXBATCH"}, 1, "job name 'lower' is not valid"},
        {{"//TOOLONGNAME JOB", "//S EXEC PGM=BPXBATCH"}, 1, "not valid"},
        {{k_job_card, "//J2 JOB", "//S EXEC PGM=BPXBATCH"}, 2, "second JOB"},
        {{k_job_card, "//S EXEC PGM=BPXBATCH", "//", "//J2 JOB"}, 4, "after the null statement"},
        {{k_job_card, "//S EXEC PGM=BPXBATCH", "echo stray"}, 3, "expected a JCL statement"},
        {{k_job_card, "//S EXEC PGM=BPXBATCH", "/*"}, 3, "no DD * or DD DATA is open"},
        {{"/*JOBPARM SYSAFF=*", k_job_card, "//S EXEC PGM=BPXBATCH"}, 1, "JES2 control statement"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='SH echo"}, 2, "apostrophe is not closed"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,", "//X DD SYSOUT=*"}, 3, "continuation"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,", "//                   PARM='SH x'"}, 3, "columns 4-16"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,"}, 2, "no card follows"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM=(A,B"}, 2, "do not balance"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM=('SH " + std::string(30, 'x') + "',",
          "//             '" + std::string(40, 'y') + "',", "//             '" + std::string(40, 'z') + "')"},
         2,
         "at most 100"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='SH echo " + std::string(27, 'x') + "',TIME=5"}, 2, "column 72"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='SHRC ls'"}, 2, "SHRC is not supported"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='PGM'"}, 2, "names no program"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARMDD=STDPARM"}, 2, "PARMDD= is not supported"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,PARM='A',PARM='B'"}, 2, "twice"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH", "//S1 EXEC PGM=BPXBATCH"}, 3, "used twice"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,COND=(4,XX)"}, 2, "cannot be read"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,COND=(4096,LT)"}, 2, "cannot be read"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,COND=(4,LT,NOSUCH)"}, 2, "not an earlier step"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,COND=(4,LT,S0.PS)"}, 2, "procedure step"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,COND=((4,LT),EVEN,ONLY)"}, 2, "more than once"},
        {{k_job_card, "//S1 EXEC PGM=BPXBATCH,COND=NEVER"}, 2, "cannot be read"},
        {{"//J JOB COND=(4,LT)", "//S EXEC PGM=BPXBATCH"}, 1, "COND on the JOB"},
        {{"//J JOB TYPRUN=SCAN", "//S EXEC PGM=BPXBATCH"}, 1, "TYPRUN= is not supported"},
        {{"//J JOB CLASS=AB", "//S EXEC PGM=BPXBATCH"}, 1, "not a class"},
        {{"//J JOB A,B,C", "//S EXEC PGM=BPXBATCH"}, 1, "positional"},
        {{k_job_card, "//S EXEC PGM=BPXBATCH", "//IN DD *,DLM=ABC"}, 3, "not a delimiter"},
        {{k_job_card, "//S EXEC PGM=BPXBATCH", "//IN DD SYSOUT=*,DLM=$$"}, 3, "DLM= belongs"},
        {{k_job_card, "//S EXEC PGM=BPXBATCH", std::string(81, 'x')}, 3, "at most 80"},
    };
    for (const ErrorCase& error_case : cases) {
        std::string text;
        for (const std::string& card : error_case.cards) text += card + "\n";
        const JclError error = failed(text);
        EXPECT_EQ(error.card, error_case.card) << text << error.reason;
        EXPECT_NE(error.reason.find(error_case.reason_part), std::string::npos)
            << text << "reason: " << error.reason << "\nexpected part: " << error_case.reason_part;
    }
}

TEST(ParseJcl, EmptyInputIsAnError) {
    EXPECT_EQ(failed("").card, 0);
    EXPECT_EQ(failed("\n\n  \n").card, 0);
    EXPECT_EQ(failed("//*only a comment\n").card, 0);
}

TEST(ParseJcl, Limits) {
    std::string text = "//J JOB\n";
    for (int i = 0; i < 4; ++i) text += "//S" + std::to_string(i) + " EXEC PGM=BPXBATCH\n";
    EXPECT_EQ(parsed(text, JclLimits{4, 100, 10'000}).steps.size(), 4u);
    const JclError steps = failed(text + "//S9 EXEC PGM=BPXBATCH\n", JclLimits{4, 100, 10'000});
    EXPECT_EQ(steps.card, 6);
    EXPECT_NE(steps.reason.find("more than 4 steps"), std::string::npos);
    const JclError cards = failed(text, JclLimits{255, 3, 10'000});
    EXPECT_EQ(cards.card, 4);
    EXPECT_NE(cards.reason.find("more than 3 cards"), std::string::npos);
    const JclError bytes = failed(text, JclLimits{255, 100, 20});
    EXPECT_EQ(bytes.card, 0);
    EXPECT_NE(bytes.reason.find("bytes"), std::string::npos);
}

TEST(ParseJcl, DefaultStepLimitIs255) {
    std::string text = "//J JOB\n";
    for (int i = 0; i < 256; ++i) text += "//S" + std::to_string(i) + " EXEC PGM=BPXBATCH\n";
    const JclError error = failed(text);
    EXPECT_EQ(error.card, 257);
    EXPECT_EQ(error.statement_name, "S255");
}

TEST(ParseJcl, IgnoredStepAndDdParametersAreRecorded) {
    const JclJob job =
        parsed(deck({k_job_card, "//S EXEC PGM=BPXBATCH,REGION=0M", "//STDOUT DD SYSOUT=*,DCB=(LRECL=133,RECFM=FBA)"}));
    const auto& ignored = job.steps.at(0).ignored_parameters;
    ASSERT_EQ(ignored.size(), 2u);
    EXPECT_EQ(ignored[0], (std::pair<std::string, std::string>{"REGION", "0M"}));
    EXPECT_EQ(ignored[1], (std::pair<std::string, std::string>{"STDOUT.DCB", "(LRECL=133,RECFM=FBA)"}));
}

TEST(ParseJcl, GarbageNeverThrows) {
    for (const std::string& text : {std::string("\0\0//", 4), std::string("//\r\r\n"), std::string("//'''"),
                                    std::string("// ,\n// ,\n"), std::string("//J JOB ((((,'\n//")}) {
        EXPECT_NO_THROW((void)parse_jcl(text));
    }
}

TEST(JclErrorMessage, LooksLikeAJesMessage) {
    EXPECT_EQ((JclError{3, "STEP1", "PGM=IEFBR14 is not supported"}).jesysmsg_line(),
              " STMT NO. 3  ERROR: STEP1: PGM=IEFBR14 is not supported");
    EXPECT_EQ((JclError{0, "", "no JOB statement"}).jesysmsg_line(), " JOB ERROR: no JOB statement");
}

// COND: the step is bypassed when any test `code OP rc` holds.
TEST(CondBypasses, TruthTableOfOperators) {
    const std::vector<StepResult> rc4 = {{"STEP1", true, 4, false}};
    const auto bypasses = [&](int code, CondOperator op) {
        return cond_bypasses({{code, op, ""}}, CondMode::normal, rc4);
    };
    EXPECT_TRUE(bypasses(0, CondOperator::less_than));  // 0 < 4
    EXPECT_FALSE(bypasses(4, CondOperator::less_than));
    EXPECT_TRUE(bypasses(4, CondOperator::less_or_equal));
    EXPECT_FALSE(bypasses(5, CondOperator::less_or_equal));
    EXPECT_TRUE(bypasses(4, CondOperator::equal));
    EXPECT_FALSE(bypasses(3, CondOperator::equal));
    EXPECT_TRUE(bypasses(3, CondOperator::not_equal));
    EXPECT_FALSE(bypasses(4, CondOperator::not_equal));
    EXPECT_TRUE(bypasses(5, CondOperator::greater_than));
    EXPECT_FALSE(bypasses(4, CondOperator::greater_than));
    EXPECT_TRUE(bypasses(4, CondOperator::greater_or_equal));
    EXPECT_FALSE(bypasses(3, CondOperator::greater_or_equal));
}

TEST(CondBypasses, NoTestsRunsAfterCleanSteps) {
    EXPECT_FALSE(cond_bypasses({}, CondMode::normal, {}));
    EXPECT_FALSE(cond_bypasses({}, CondMode::normal, {{"A", true, 12, false}}));
    // The first step: a test without earlier steps has nothing to compare.
    EXPECT_FALSE(cond_bypasses({{0, CondOperator::less_or_equal, ""}}, CondMode::normal, {}));
}

TEST(CondBypasses, AnyEarlierStepOrTheNamedOne) {
    const std::vector<StepResult> earlier = {{"STEP1", true, 0, false}, {"STEP2", true, 8, false}};
    const CondTest four_lt{4, CondOperator::less_than, ""};
    EXPECT_TRUE(cond_bypasses({four_lt}, CondMode::normal, earlier));  // 4 < 8 (STEP2)
    EXPECT_FALSE(cond_bypasses({{4, CondOperator::less_than, "STEP1"}}, CondMode::normal, earlier));
    EXPECT_TRUE(cond_bypasses({{4, CondOperator::less_than, "STEP2"}}, CondMode::normal, earlier));
    // Any true test bypasses.
    EXPECT_TRUE(cond_bypasses({{4, CondOperator::less_than, "STEP1"}, {8, CondOperator::equal, "STEP2"}},
                              CondMode::normal, earlier));
}

TEST(CondBypasses, TestOfABypassedStepIsFalse) {
    const std::vector<StepResult> earlier = {{"STEP1", true, 0, false}, {"STEP2", false, 0, false}};
    EXPECT_FALSE(cond_bypasses({{0, CondOperator::equal, "STEP2"}}, CondMode::normal, earlier));
    EXPECT_TRUE(cond_bypasses({{0, CondOperator::equal, "STEP1"}}, CondMode::normal, earlier));
}

TEST(CondBypasses, AbendEvenAndOnly) {
    const std::vector<StepResult> clean = {{"STEP1", true, 0, false}};
    const std::vector<StepResult> abend = {{"STEP1", true, 0, true}, {"STEP2", false, 0, false}};
    EXPECT_TRUE(cond_bypasses({}, CondMode::normal, abend));
    EXPECT_FALSE(cond_bypasses({}, CondMode::even, abend));
    EXPECT_FALSE(cond_bypasses({}, CondMode::only, abend));
    EXPECT_FALSE(cond_bypasses({}, CondMode::even, clean));
    EXPECT_TRUE(cond_bypasses({}, CondMode::only, clean));
    // EVEN and ONLY still honour return code tests; an abended step's test is false.
    EXPECT_TRUE(cond_bypasses({{0, CondOperator::equal, "STEP1"}}, CondMode::even, clean));
    EXPECT_FALSE(cond_bypasses({{0, CondOperator::equal, "STEP1"}}, CondMode::even, abend));
    const std::vector<StepResult> mixed = {{"STEP1", true, 8, false}, {"STEP2", true, 0, true}};
    EXPECT_TRUE(cond_bypasses({{4, CondOperator::less_than, ""}}, CondMode::only, mixed));
    EXPECT_FALSE(cond_bypasses({{8, CondOperator::less_than, ""}}, CondMode::only, mixed));
}

}  // namespace
}  // namespace greenlight::bridge

TEST(FindJobName, ReadsTheNameOfTheFirstJobStatementEvenWhenTheRestIsInError) {
    EXPECT_EQ(greenlight::bridge::find_job_name("//* comment\n\n//MYJOB1 JOB (ACCT),'ME'\n//S1 EXEC PGM=IEFBR14\n"),
              "MYJOB1");
    EXPECT_EQ(greenlight::bridge::find_job_name("//MYJOB1  JOB\r\n"), "MYJOB1");
    EXPECT_EQ(greenlight::bridge::find_job_name("//S1 EXEC PGM=BPXBATCH\n//MYJOB1 JOB\n"), std::nullopt);
    EXPECT_EQ(greenlight::bridge::find_job_name("//lower JOB\n"), std::nullopt);
    EXPECT_EQ(greenlight::bridge::find_job_name("//../X JOB\n"), std::nullopt);
    EXPECT_EQ(greenlight::bridge::find_job_name("//MYJOB1 JOBX\n"), std::nullopt);
    EXPECT_EQ(greenlight::bridge::find_job_name(""), std::nullopt);
}
