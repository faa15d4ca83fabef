#include "greenlight/runner/interrupt.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <mutex>

namespace greenlight::runner {

namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_interrupted{false};
int g_event_fd = -1;
std::once_flag g_event_once;

int event_fd() {
    std::call_once(g_event_once, [] { g_event_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); });
    return g_event_fd;
}

void raise_interrupt(int signal_number) {
    g_signal.store(signal_number);
    g_interrupted.store(true);
    std::uint64_t one = 1;
    // write(2) is async-signal-safe; the result is irrelevant (the counter only needs to be non-zero).
    [[maybe_unused]] ssize_t ignored = ::write(g_event_fd, &one, sizeof one);
}

extern "C" void on_interrupt_signal(int signal_number) {
    raise_interrupt(signal_number);
}

}  // namespace

void install_interrupt_handlers() {
    event_fd();
    struct sigaction action {};
    action.sa_handler = on_interrupt_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // A suite's output goes to files, but a closed pipe on greenlight's own stdout must not kill the run.
    signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
    return g_interrupted.load();
}

int interrupt_signal() {
    return g_signal.load();
}

int interrupt_fd() {
    return event_fd();
}

void request_interrupt() {
    event_fd();
    raise_interrupt(SIGTERM);
}

void reset_interrupt() {
    event_fd();
    std::uint64_t value = 0;
    [[maybe_unused]] ssize_t ignored = ::read(g_event_fd, &value, sizeof value);
    g_interrupted.store(false);
    g_signal.store(0);
}

}  // namespace greenlight::runner
