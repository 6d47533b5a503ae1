// SPDX-License-Identifier: Apache-2.0
//
// The caller's work per log call, counted in instructions rather than
// timed: run under callgrind by bench/call_instructions.sh, which collects
// only inside FormatLoop() or LogLoop() (the sink thread's work is not
// counted). Instruction counts are the same run after run on a noisy
// machine, where nanosecond timings of a ~100 ns call are not.
//
//   ./bazelw run //bench:call_instructions

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fmt/format.h"
#include "logger/logger.h"
#include "sinks/null_sink.h"

namespace {

constexpr int kCalls = 200000;

// The floor: the standard message formatted into a reused buffer.
__attribute__((noinline)) void FormatLoop(fmt::memory_buffer& buffer) {
  for (int i = 0; i < kCalls; ++i) {
    buffer.clear();
    fmt::format_to(fmt::appender(buffer),
                   "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                   "a string");
    asm volatile("" : : "r"(buffer.data()) : "memory");
  }
}

// The same message through RELOG_INFO into a logger with a NullSink.
__attribute__((noinline)) void LogLoop(relog::Logger& logger) {
  for (int i = 0; i < kCalls; ++i) {
    RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               "a string");
  }
}

}  // namespace

int main() {
  relog::LoggerOptions options;
  options.name = "bench";
  relog::Logger logger(std::move(options),
                       {std::make_shared<relog::NullSink>()});
  fmt::memory_buffer buffer;
  // Warm-up outside the collected functions: thread caches, the clock's
  // calibration, the first pool refills.
  for (int i = 0; i < 20000; ++i) {
    RELOG_INFO(logger, "warm-up {}", i);
  }
  logger.Flush();
  FormatLoop(buffer);
  LogLoop(logger);
  logger.Flush();
  std::printf("calls per loop: %d\n", kCalls);
  return 0;
}
