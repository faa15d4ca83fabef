// The one rule for colour and the live view (use_terminal_styling) and the progress style it chooses, with the
// output stream really on a pseudo-terminal, or really not on one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>

#include "greenlight/cli/commands.hpp"
#include "greenlight/cli/progress.hpp"
#include "support/test_support.hpp"

namespace greenlight::cli {
namespace {

using test_support::ScopedEnvironment;

// The subordinate side of a new pseudo-terminal (what a shell's output is on), or /dev/null.
class OutputTarget {
public:
    enum class Kind { pseudo_terminal, not_a_terminal };
    explicit OutputTarget(Kind kind) {
        if (kind == Kind::not_a_terminal) {
            m_subordinate = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        } else {
            m_primary = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (m_primary < 0 || ::grantpt(m_primary) != 0 || ::unlockpt(m_primary) != 0) {
                throw std::runtime_error("cannot make a pseudo-terminal");
            }
            m_subordinate = ::open(::ptsname(m_primary), O_RDWR | O_NOCTTY | O_CLOEXEC);
        }
        if (m_subordinate < 0) throw std::runtime_error("cannot open the terminal's side");
    }
    ~OutputTarget() {
        ::close(m_subordinate);
        if (m_primary >= 0) ::close(m_primary);
    }
    OutputTarget(const OutputTarget&) = delete;
    OutputTarget& operator=(const OutputTarget&) = delete;
    int descriptor() const { return m_subordinate; }

private:
    int m_primary = -1;
    int m_subordinate = -1;
};

// Puts `stream` (STDOUT_FILENO or STDERR_FILENO) on `target` until the end of the scope. Nothing of the test's
// own output is written meanwhile: the checks run after the scope.
class Redirect {
public:
    Redirect(int stream, const OutputTarget& target) : m_stream(stream) {
        std::fflush(nullptr);
        std::cout.flush();
        std::cerr.flush();
        m_saved = ::dup(stream);
        ::dup2(target.descriptor(), stream);
    }
    ~Redirect() {
        std::fflush(nullptr);
        std::cerr.flush();
        ::dup2(m_saved, m_stream);
        ::close(m_saved);
    }
    Redirect(const Redirect&) = delete;
    Redirect& operator=(const Redirect&) = delete;

private:
    int m_stream;
    int m_saved = -1;
};

// The environment of an interactive shell on a colour terminal; each test changes one thing.
class TerminalStyling : public ::testing::Test {
protected:
    ScopedEnvironment m_term{"TERM", "xterm-256color"};
    ScopedEnvironment m_no_colour{"NO_COLOR", std::nullopt};
    ScopedEnvironment m_ci{"CI", std::nullopt};

    // use_terminal_styling for standard error with standard error on `kind`.
    static bool on_standard_error(OutputTarget::Kind kind, CiFlag ci = CiFlag::absent) {
        OutputTarget terminal(kind);
        Redirect redirect(STDERR_FILENO, terminal);
        return use_terminal_styling(OutputStream::standard_error, ci);
    }
};

TEST_F(TerminalStyling, IsOnForATerminalWithATerm) {
    EXPECT_TRUE(on_standard_error(OutputTarget::Kind::pseudo_terminal));
}

TEST_F(TerminalStyling, IsOffWhenTheStreamIsNotATerminal) {
    EXPECT_FALSE(on_standard_error(OutputTarget::Kind::not_a_terminal));
}

TEST_F(TerminalStyling, AsksAboutTheStreamItWillWriteTo) {
    OutputTarget terminal(OutputTarget::Kind::pseudo_terminal);
    OutputTarget file(OutputTarget::Kind::not_a_terminal);
    bool standard_output = false;
    bool standard_error = false;
    {
        Redirect output(STDOUT_FILENO, file);
        Redirect error(STDERR_FILENO, terminal);
        standard_output = use_terminal_styling(OutputStream::standard_output);
        standard_error = use_terminal_styling(OutputStream::standard_error);
    }
    EXPECT_FALSE(standard_output);  // `greenlight check > report.txt` writes no escape codes into the file
    EXPECT_TRUE(standard_error);
}

TEST_F(TerminalStyling, NoColorSetToAnythingTurnsItOffButEmptyDoesNot) {
    {
        ScopedEnvironment no_colour("NO_COLOR", "1");
        EXPECT_FALSE(on_standard_error(OutputTarget::Kind::pseudo_terminal));
    }
    {
        ScopedEnvironment no_colour("NO_COLOR", "");  // no-color.org: an empty value does not count
        EXPECT_TRUE(on_standard_error(OutputTarget::Kind::pseudo_terminal));
    }
}

TEST_F(TerminalStyling, ADumbEmptyOrMissingTermTurnsItOff) {
    for (const std::optional<std::string>& term :
         {std::optional<std::string>("dumb"), std::optional<std::string>(""), std::optional<std::string>()}) {
        ScopedEnvironment unset_term("TERM", term);
        EXPECT_FALSE(on_standard_error(OutputTarget::Kind::pseudo_terminal)) << "TERM=" << term.value_or("(unset)");
    }
}

TEST_F(TerminalStyling, CiTurnsItOffAsAVariableOfTrueOrOneOrAsTheFlag) {
    for (const char* value : {"true", "1"}) {
        ScopedEnvironment ci("CI", value);
        EXPECT_TRUE(running_in_ci());
        EXPECT_FALSE(on_standard_error(OutputTarget::Kind::pseudo_terminal)) << "CI=" << value;
    }
    for (const char* value : {"false", "0", ""}) {
        ScopedEnvironment ci("CI", value);
        EXPECT_FALSE(running_in_ci());
        EXPECT_TRUE(on_standard_error(OutputTarget::Kind::pseudo_terminal)) << "CI=" << value;
    }
    EXPECT_FALSE(on_standard_error(OutputTarget::Kind::pseudo_terminal, CiFlag::given));
}

TEST_F(TerminalStyling, ChoosesTheLiveViewOnlyWhereStylingIsOn) {
    auto style_on = [](OutputTarget::Kind kind, bool quiet) {
        OutputTarget terminal(kind);
        Redirect redirect(STDERR_FILENO, terminal);
        return choose_progress_style(quiet);
    };
    EXPECT_EQ(style_on(OutputTarget::Kind::pseudo_terminal, false), ProgressStyle::live);
    EXPECT_EQ(style_on(OutputTarget::Kind::not_a_terminal, false), ProgressStyle::lines);
    EXPECT_EQ(style_on(OutputTarget::Kind::pseudo_terminal, true), ProgressStyle::quiet);
    ScopedEnvironment ci("CI", "true");
    EXPECT_EQ(style_on(OutputTarget::Kind::pseudo_terminal, false), ProgressStyle::lines);
}

}  // namespace
}  // namespace greenlight::cli
