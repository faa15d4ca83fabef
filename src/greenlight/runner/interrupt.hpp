// SIGINT/SIGTERM to greenlight: a flag every waiting loop can poll on (an eventfd the handler writes to).
#pragma once

namespace greenlight::runner {

// Installs handlers for SIGINT and SIGTERM that raise the interrupt; idempotent.
void install_interrupt_handlers();

// True once SIGINT or SIGTERM arrived (or request_interrupt was called).
bool interrupted();

// The signal that raised the interrupt, 0 if none.
int interrupt_signal();

// A file descriptor that becomes readable once interrupted (never read from: it stays readable).
int interrupt_fd();

// Raises the interrupt from code (tests, the smoke guard's probes).
void request_interrupt();

// Clears it (tests only).
void reset_interrupt();

}  // namespace greenlight::runner
