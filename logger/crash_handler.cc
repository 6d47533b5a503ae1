// SPDX-License-Identifier: Apache-2.0

#include "logger/crash_handler.h"

#include <cxxabi.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <string_view>
#include <typeinfo>

#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"
#include "logger/registry.h"

namespace relog {
namespace {

// The text of the final entry, gathered from the pieces Abseil's handler
// passes to the writer; static storage, so the crash path never allocates.
constexpr std::size_t kTextCapacity = 16384;
char g_text[kTextCapacity];
std::size_t g_text_size = 0;
int64_t g_flush_timeout_ns = 0;
std::atomic<bool> g_in_writer{false};
std::terminate_handler g_previous_terminate = nullptr;

void Append(std::string_view piece) {
  const std::size_t n = std::min(piece.size(), kTextCapacity - g_text_size);
  std::memcpy(g_text + g_text_size, piece.data(), n);
  g_text_size += n;
}

// Abseil's writer: called with each piece of the report (the signal, then
// the stack trace line by line), then with nullptr at the end.
void Writer(const char* piece) {
  if (piece != nullptr) {
    Append(piece);
    return;
  }
  // A crash inside the drain below would come back here: do it once.
  if (g_in_writer.exchange(true)) return;
  std::string_view text(g_text, g_text_size);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  logger_internal::LoggerRegistry::DrainAllForCrash(
      text, logger_internal::MonotonicNanos() + g_flush_timeout_ns);
}

// std::terminate(): notes the exception for the final entry, then lets the
// previous handler (which reports it and aborts) run; the abort() comes to
// Writer() through SIGABRT.
[[noreturn]] void OnTerminate() {
  Append("crash: std::terminate()");
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
  Append("\n");
  if (g_previous_terminate != nullptr) g_previous_terminate();
  std::abort();
}

}  // namespace

void InstallCrashHandler(const CrashHandlerOptions& options) {
  static std::once_flag once;
  std::call_once(once, [&] {
    g_flush_timeout_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(
            options.flush_timeout)
            .count();
    absl::InitializeSymbolizer("/proc/self/exe");
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
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(
        options.flush_timeout);
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
