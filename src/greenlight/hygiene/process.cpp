// A hygiene check's command through the one supervisor (process/supervisor.hpp), its output captured.
#include "greenlight/hygiene/process.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cstring>

#include "greenlight/process/supervisor.hpp"
#include "greenlight/util/duration.hpp"

namespace greenlight::hygiene::process {

namespace {

// A generator's output is compared in memory; beyond this the rest is dropped and the outcome says so.
constexpr size_t k_capture_limit = 64u << 20;
// Between SIGTERM and SIGKILL at a timeout.
constexpr std::chrono::milliseconds k_grace{1'000};

bool needs_quotes(std::string_view argument) {
    if (argument.empty()) return true;
    return std::any_of(argument.begin(), argument.end(), [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./=:,+@%", c) != nullptr);
    });
}

}  // namespace

CommandOutcome run_command(const CommandRequest& request) {
    greenlight::process::Request command;
    command.argv = request.argv;
    command.cwd = request.cwd;
    command.inherit_environment = true;
    command.output = greenlight::process::Sink::capture;
    command.error = request.standard_error == StandardError::merged ? greenlight::process::Sink::to_output
                                                                    : greenlight::process::Sink::capture;
    command.capture_limit = k_capture_limit;
    command.timeout = request.timeout;
    command.grace = k_grace;
    command.label = "check";
    greenlight::process::Outcome outcome = greenlight::process::run(command);

    CommandOutcome result;
    switch (outcome.end) {
        case greenlight::process::End::exited:
            result.end = CommandOutcome::End::exited;
            break;
        case greenlight::process::End::signaled:
            result.end = CommandOutcome::End::signaled;
            break;
        case greenlight::process::End::timed_out:
        case greenlight::process::End::stopped:
            result.end = CommandOutcome::End::timed_out;
            break;
        case greenlight::process::End::not_started:
            result.end = CommandOutcome::End::not_started;
            break;
    }
    result.exit_code = outcome.exit_code;
    result.signal = outcome.signal;
    result.standard_output = std::move(outcome.output_text);
    result.standard_error = std::move(outcome.error_text);
    result.output_truncated = outcome.capture_truncated;
    result.start_error = std::move(outcome.start_error);
    result.duration = outcome.duration;
    return result;
}

std::string describe_end(const CommandOutcome& outcome, std::chrono::milliseconds timeout) {
    switch (outcome.end) {
        case CommandOutcome::End::exited:
            return fmt::format("exited with code {}", outcome.exit_code);
        case CommandOutcome::End::signaled:
            return fmt::format("was killed by signal {} ({})", outcome.signal, ::strsignal(outcome.signal));
        case CommandOutcome::End::timed_out:
            return fmt::format("timed out after {} and was stopped", util::format_duration(timeout));
        case CommandOutcome::End::not_started:
            return fmt::format("could not be started: {}", outcome.start_error);
    }
    return "ended";
}

std::string display_command(const std::vector<std::string>& argv) {
    if (argv.size() == 3 && (argv[0] == "/bin/sh" || argv[0] == "sh") && argv[1] == "-c") return argv[2];
    std::string shown;
    for (const std::string& argument : argv) {
        if (!shown.empty()) shown += ' ';
        if (!needs_quotes(argument)) {
            shown += argument;
            continue;
        }
        shown += '\'';
        for (char c : argument) shown += c == '\'' ? std::string("'\\''") : std::string(1, c);
        shown += '\'';
    }
    return shown;
}

std::string last_lines(std::string_view text, size_t count) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (count == 0) return {};
    size_t start = text.size();
    size_t seen = 0;
    while (start > 0) {
        const size_t newline = text.rfind('\n', start - 1);
        if (newline == std::string_view::npos) {
            start = 0;
            break;
        }
        if (++seen == count) {
            start = newline + 1;
            break;
        }
        start = newline;
    }
    return std::string(text.substr(start));
}

}  // namespace greenlight::hygiene::process
