// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/crash_handler.h"

#include <cxxabi.h>
#include <execinfo.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string_view>
#include <typeinfo>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "relog/logger/registry.h"

namespace relog {
namespace {

// The text of the final entry, gathered from the pieces Abseil's handler
// passes to the writer; static storage, so the crash path never allocates.
constexpr std::size_t kTextCapacity = 16384;
char g_report[kTextCapacity];  // Abseil's report
std::size_t g_report_size = 0;
char g_text[kTextCapacity];  // the final entry
std::size_t g_text_size = 0;
int64_t g_flush_timeout_ns = 0;
std::atomic<bool> g_in_writer{false};
std::terminate_handler g_previous_terminate = nullptr;

void AppendTo(char* buffer, std::size_t& size, std::string_view piece) {
  const std::size_t n = std::min(piece.size(), kTextCapacity - size);
  std::memcpy(buffer + size, piece.data(), n);
  size += n;
}
void Append(std::string_view piece) { AppendTo(g_text, g_text_size, piece); }

// The faulting PC from Abseil's "PC: @ 0x..." line, or 0.
uintptr_t ReportedPc(std::string_view report) {
  const std::size_t at = report.find("PC: @");
  if (at == std::string_view::npos) return 0;
  const std::size_t hex = report.find("0x", at);
  if (hex == std::string_view::npos) return 0;
  uintptr_t pc = 0;
  for (std::size_t i = hex + 2; i < report.size(); ++i) {
    const char c = report[i];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                             : -1;
    if (digit < 0) break;
    pc = pc * 16 + static_cast<uintptr_t>(digit);
  }
  return pc;
}

// Appends the stack of the crash: Abseil's own walk stops at the signal
// frame here (its trace holds the faulting PC and little else), while the
// unwinder behind backtrace() reads the signal frame's unwind information
// and goes on into the code that crashed. Frames before the faulting PC
// (this handler's and Abseil's) are left out.
void AppendStack(uintptr_t pc) {
  constexpr int kMaxFrames = 64;
  void* frames[kMaxFrames];
  const int n = backtrace(frames, kMaxFrames);
  int first = 0;
  for (int i = 0; i < n; ++i) {
    if (reinterpret_cast<uintptr_t>(frames[i]) == pc) {
      first = i;
      break;
    }
  }
  for (int i = first; i < n; ++i) {
    char symbol[256];
    if (!absl::Symbolize(frames[i], symbol, sizeof(symbol))) {
      std::strcpy(symbol, "(unknown)");
    }
    char line[320];
    const int len =
        std::snprintf(line, sizeof(line), "\n    @ %p  %s", frames[i], symbol);
    if (len > 0) Append(std::string_view(line, static_cast<std::size_t>(len)));
  }
}

// Abseil's writer: called with each piece of the report (the signal, then
// the stack trace line by line), then with nullptr at the end.
void Writer(const char* piece) {
  if (piece != nullptr) {
    AppendTo(g_report, g_report_size, piece);
    return;
  }
  // A crash inside the drain below would come back here: do it once.
  if (g_in_writer.exchange(true)) return;
  const std::string_view report(g_report, g_report_size);
  // "*** SIGSEGV received at time=... on cpu N ***", then the stack.
  Append(report.substr(0, report.find('\n')));
  AppendStack(ReportedPc(report));
  logger_internal::LoggerRegistry::DrainAllForCrash(
      std::string_view(g_text, g_text_size),
      logger_internal::MonotonicNanos() + g_flush_timeout_ns);
}

// std::terminate(): notes the exception for the final entry, then lets the
// previous handler (which reports it and aborts) run; the abort() comes to
// Writer() through SIGABRT.
[[noreturn]] void OnTerminate() {
  Append("std::terminate()");
  if (std::exception_ptr current = std::current_exception()) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    Append(" after an uncaught exception");
    if (type != nullptr) {
      int status = 0;
      char* name = abi::__cxa_demangle(type->name(), nullptr, nullptr, &status);
      Append(" of type ");
      Append(status == 0 && name != nullptr ? name : type->name());
      std::free(name);
    }
    try {
      std::rethrow_exception(current);
    } catch (const std::exception& e) {
      Append(": ");
      Append(e.what());
    } catch (...) {
    }
  }
  Append("; ");
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}

}  // namespace

void InstallCrashHandler(const CrashHandlerOptions& options) {
  static std::once_flag once;
  std::call_once(once, [&] {
    g_flush_timeout_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             options.flush_timeout)
                             .count();
    absl::InitializeSymbolizer("/proc/self/exe");
    // The first backtrace() loads the unwinder (a dlopen, which allocates):
    // done here, not in a signal handler.
    void* warm[2];
    backtrace(warm, 2);
    logger_internal::LoggerRegistry::PrepareForCrashes();
    // Abseil's handler takes SIGTERM and SIGTRAP too; they are not
    // crashes, so they keep what they had.
    struct sigaction term;
    struct sigaction trap;
    sigaction(SIGTERM, nullptr, &term);
    sigaction(SIGTRAP, nullptr, &trap);
    absl::FailureSignalHandlerOptions o;
    o.symbolize_stacktrace = options.symbolize;
    o.use_alternate_stack = true;
    // Past the flush deadline: the alarm is for a handler that hangs.
    const auto seconds =
        std::chrono::ceil<std::chrono::seconds>(options.flush_timeout);
    o.alarm_on_failure_secs = static_cast<int>(seconds.count()) + 2;
    o.call_previous_handler = true;
    o.writerfn = &Writer;
    absl::InstallFailureSignalHandler(o);
    sigaction(SIGTERM, &term, nullptr);
    sigaction(SIGTRAP, &trap, nullptr);
    g_previous_terminate = std::set_terminate(&OnTerminate);
  });
}

}  // namespace relog
