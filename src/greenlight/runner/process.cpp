#include "greenlight/runner/process.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "greenlight/runner/interrupt.hpp"
#include "greenlight/util/fs.hpp"

namespace greenlight::runner {

namespace {

constexpr std::uint64_t k_block = 4096;
// How often the output file is checked against its cap while the command runs.
constexpr Milliseconds k_output_check_interval{100};
// When holes cannot be punched, the file is truncated only once it is this far past the cap,
// so the tail that follows the cut is almost always complete.
constexpr std::uint64_t k_truncate_slack = 64ull << 20;

std::uint64_t align_down(std::uint64_t value) {
    return value / k_block * k_block;
}
std::uint64_t align_up(std::uint64_t value) {
    return (value + k_block - 1) / k_block * k_block;
}

// Keeps the raw output file from growing past its cap while the command writes to it: the
// middle is punched out (the file stays sparse); head and tail stay in place for finish_output_log.
class OutputLimiter {
public:
    OutputLimiter(int fd, std::uint64_t cap) : m_fd(fd), m_head(cap / 2), m_tail(cap - cap / 2) {
        m_punched_until = align_up(m_head);
    }

    void enforce() {
        struct stat info {};
        if (::fstat(m_fd, &info) != 0) return;
        auto size = static_cast<std::uint64_t>(info.st_size);
        if (size <= m_head + m_tail + 2 * k_block) return;
        std::uint64_t end = align_down(size - m_tail);
        if (end <= m_punched_until) return;
        if (m_can_punch) {
            if (::fallocate(m_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(m_punched_until),
                            static_cast<off_t>(end - m_punched_until)) == 0) {
                m_punched_until = end;
                return;
            }
            m_can_punch = false;
        }
        if (size > m_head + m_tail + k_truncate_slack) {
            if (::ftruncate(m_fd, static_cast<off_t>(m_head)) == 0) m_truncated_bytes += size - m_head;
        }
    }

    // Bytes the command wrote, including what a fallback truncation dropped.
    std::uint64_t total_written() const {
        struct stat info {};
        if (::fstat(m_fd, &info) != 0) return m_truncated_bytes;
        return static_cast<std::uint64_t>(info.st_size) + m_truncated_bytes;
    }

private:
    int m_fd;
    std::uint64_t m_head;
    std::uint64_t m_tail;
    std::uint64_t m_punched_until = 0;
    std::uint64_t m_truncated_bytes = 0;
    bool m_can_punch = true;
};

Termination termination_of(const process::Outcome& outcome) {
    switch (outcome.end) {
        case process::End::exited:
            return Termination::exited;
        case process::End::signaled:
            return Termination::signaled;
        case process::End::timed_out:
            return Termination::timed_out;
        case process::End::stopped:
            return Termination::interrupted;
        case process::End::not_started:
            return Termination::failed_to_start;
    }
    return Termination::failed_to_start;
}

ProcessExit run_attempt(const SpawnRequest& request) {
    ProcessExit exit;
    std::filesystem::path raw = request.output_log;
    raw += ".partial";
    int output_fd = ::open(raw.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (output_fd < 0) {
        exit.termination = Termination::failed_to_start;
        exit.start_error = fmt::format("cannot create {}: {}", raw.string(), std::strerror(errno));
        return exit;
    }
    OutputLimiter limiter(output_fd, request.output_cap);

    process::Request command;
    command.argv = request.argv;
    command.cwd = request.cwd;
    command.environment = request.environment;
    command.output = process::Sink::descriptor;
    command.output_fd = output_fd;
    command.error = process::Sink::to_output;
    command.timeout = request.timeout;
    command.grace = request.grace;
    command.poll_interval = k_output_check_interval;
    command.on_tick = [&limiter] { limiter.enforce(); };
    command.should_stop = [] { return interrupted(); };
    command.wake_fd = interrupt_fd();
    command.label = request.label;
    command.environment_marker = request.environment_marker;
    const process::Outcome outcome = process::run(command);
    limiter.enforce();

    exit.termination = termination_of(outcome);
    exit.exit_code = outcome.exit_code;
    exit.signal = outcome.signal;
    exit.start_error = outcome.start_error;
    exit.duration = outcome.duration;
    exit.signals_sent = outcome.signals_sent;
    exit.containment = outcome.containment;
    exit.resources = outcome.resources;
    for (const auto& leftover : outcome.leftovers) exit.leaked.push_back({leftover.pid, leftover.command});
    exit.output_bytes = limiter.total_written();
    ::close(output_fd);
    exit.output_truncated = finish_output_log(raw, request.output_log, request.output_cap, exit.output_bytes);
    return exit;
}

}  // namespace

PosixProcessSupervisor::PosixProcessSupervisor() {
    // Set up containment (and its guardian) now, before the run starts its worker threads.
    process::Containment::instance();
}

ProcessExit PosixProcessSupervisor::run(const SpawnRequest& request) {
    return run_attempt(request);
}

bool finish_output_log(const std::filesystem::path& raw, const std::filesystem::path& output_log,
                       std::uint64_t output_cap, std::uint64_t total_bytes) {
    struct stat info {};
    if (::stat(raw.c_str(), &info) != 0) return false;
    auto size = static_cast<std::uint64_t>(info.st_size);
    const bool fits = size <= output_cap && total_bytes <= output_cap;
    const std::uint64_t head = fits ? size : output_cap / 2;
    const std::uint64_t tail = fits ? 0 : std::min<std::uint64_t>(output_cap - head, size > head ? size - head : 0);
    std::string marker = fmt::format(
        "\n\n[greenlight: output cut here: {} bytes omitted; the first {} and the last {} of {} bytes are kept]\n\n",
        total_bytes - head - tail, head, tail, total_bytes);

    int in = ::open(raw.c_str(), O_RDONLY | O_CLOEXEC);
    std::filesystem::path temp = output_log;
    temp += ".tmp";
    int out = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    auto copy_range = [&](std::uint64_t offset, std::uint64_t length) {
        std::vector<char> buffer(std::min<std::uint64_t>(length, 1 << 20));
        while (length > 0) {
            ssize_t got =
                ::pread(in, buffer.data(), std::min<std::uint64_t>(length, buffer.size()), static_cast<off_t>(offset));
            if (got <= 0) break;
            [[maybe_unused]] ssize_t written = ::write(out, buffer.data(), static_cast<size_t>(got));
            offset += static_cast<std::uint64_t>(got);
            length -= static_cast<std::uint64_t>(got);
        }
    };
    if (in >= 0 && out >= 0) {
        copy_range(0, std::min(head, size));
        if (!fits) {
            [[maybe_unused]] ssize_t written = ::write(out, marker.data(), marker.size());
            copy_range(size - tail, tail);
        }
    }
    if (in >= 0) ::close(in);
    if (out >= 0) {
        ::close(out);
        ::rename(temp.c_str(), output_log.c_str());
    }
    ::unlink(raw.c_str());
    return !fits;
}

}  // namespace greenlight::runner
