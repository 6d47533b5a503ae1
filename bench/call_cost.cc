// SPDX-License-Identifier: Apache-2.0
//
// The caller's work per log call, counted in instructions rather than
// timed: run under callgrind by bench/call_instructions.sh, which collects
// only inside one of the loops below (the sink thread's work is not
// counted). Instruction counts are the same run after run on a noisy
// machine, where nanosecond timings of a ~100 ns call are not.
//
//   ./bazelw run //bench:call_instructions

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "benchmark/benchmark.h"
#include "fmt/compile.h"
#include "fmt/format.h"
#include "relog/logger/logger.h"
#include "relog/sinks/null_sink.h"

namespace {

constexpr int kCalls = 200000;

// The floor: the standard message formatted into a reused buffer, with the
// format parsed at run time.
__attribute__((noinline)) void FloorRuntime(fmt::memory_buffer& buffer) {
  for (int i = 0; i < kCalls; ++i) {
    buffer.clear();
    fmt::format_to(fmt::appender(buffer),
                   "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                   "a string");
    benchmark::DoNotOptimize(buffer.data());
  }
}

// The same with the format compiled (FMT_COMPILE), as the macros do.
__attribute__((noinline)) void FloorCompiled(fmt::memory_buffer& buffer) {
  for (int i = 0; i < kCalls; ++i) {
    buffer.clear();
    fmt::format_to(fmt::appender(buffer),
                   FMT_COMPILE("Logging int: {}, double: {}, string: {}"), i,
                   i * 0.5, "a string");
    benchmark::DoNotOptimize(buffer.data());
  }
}

// The same message through RELOG_INFO into a logger with a NullSink: by
// default a deferred call (the arguments copied, nothing formatted here).
__attribute__((noinline)) void CallMacro(relog::Logger& logger) {
  for (int i = 0; i < kCalls; ++i) {
    RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               "a string");
  }
}

// Through Logger::Log, formatted on the caller with the format parsed at
// run time (what a call that cannot defer does by default).
__attribute__((noinline)) void CallRuntime(relog::Logger& logger) {
  for (int i = 0; i < kCalls; ++i) {
    if (logger.ShouldLog(relog::Level::kInfo)) {
      logger.Log(relog::Level::kInfo, RELOG_SOURCE_LOCATION,
                 "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                 "a string");
    }
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
  FloorRuntime(buffer);
  FloorCompiled(buffer);
  CallMacro(logger);
  CallRuntime(logger);
  logger.Flush();
  std::printf("calls per loop: %d\n", kCalls);
  return 0;
}
