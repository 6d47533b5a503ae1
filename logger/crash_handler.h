// SPDX-License-Identifier: Apache-2.0
//
// logger/crash_handler.h: relog::InstallCrashHandler(), so that a crash
// does not take with it the lines that explain it.
//
// On SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGABRT (so also abort() and an
// uncaught exception, through std::terminate()), the handler:
//   1. lets every live logger's sink threads write everything the logger
//      accepted and had not written yet;
//   2. writes to every logger one last entry, at level fatal, naming the
//      signal, with a stack trace (symbolized when the binary has symbols;
//      after an uncaught exception, its type and what() come first);
//   3. lets the process die as it would have: the handler installed before
//      relog's runs (or the default action: a core dump where one would be
//      made), with the same exit status or signal.
// Steps 1 and 2 together are bounded by CrashHandlerOptions::flush_timeout,
// and an alarm a little longer aborts the process if the handler itself
// hangs.
//
// It is built on Abseil's failure signal handler (which also writes the
// signal and the stack trace to stderr first, and runs on an alternate
// signal stack on the thread that installed it). SIGTERM and SIGTRAP, which
// Abseil's handler would also take, keep the dispositions they had.
//
// What is async-signal-safe and what is best effort: the handler takes no
// lock and allocates nothing (the final entry of each logger is made when
// the handler is installed, or when the logger is made); it reads the set
// of loggers without a lock, wakes parked sink threads as a push does
// (std::atomic::notify_one: atomics and a futex call), and waits for them
// with nanosleep(). Writing is done by the sink
// threads, which are not in a signal handler. So it is best effort when
// the crash itself is in the way: a crash on a sink thread (inside a
// sink's write) leaves that sink's queue unwritten; a sink thread that
// needs a lock the crashed thread held (an entry pool's, say) stops there.
// Neither can hang the process: the waits end at the deadline. A logger
// that is exiting (synchronous mode) writes each call at once and gets no
// final entry. At most LoggerRegistry::kMaxCrashLoggers loggers are
// reached.
//
// Thread-safety: InstallCrashHandler() is thread-safe and idempotent (the
// options of the first call stay).

#ifndef RELOG_LOGGER_CRASH_HANDLER_H_
#define RELOG_LOGGER_CRASH_HANDLER_H_

#include <chrono>

namespace relog {

struct CrashHandlerOptions {
  // The most the handler waits for the sinks, in all.
  std::chrono::milliseconds flush_timeout{2000};
  // Symbolize the stack trace (function names need an unstripped binary).
  bool symbolize = true;
};

// InstallCrashHandler(): any thread, any time (loggers made before and
// after are covered). Best called early in main().
void InstallCrashHandler(const CrashHandlerOptions& options = {});

}  // namespace relog

#endif  // RELOG_LOGGER_CRASH_HANDLER_H_
