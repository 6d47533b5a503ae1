// SPDX-License-Identifier: Apache-2.0
//
// The caller's cost of one log call, against the floor of an eager design
// (formatting the same message into a reused buffer).
//
//   ./bazelw run //bench:logger_benchmark -- --benchmark_repetitions=3

#include <time.h>

#include <memory>

#include "benchmark/benchmark.h"
#include "fmt/format.h"
#include "logger/logger.h"
#include "logger/timestamp.h"
#include "sinks/null_sink.h"

namespace {

constexpr const char* kString = "a string";

// BM_FormatOnly: fmt::format_to of the standard message into a reused
// buffer.
void BM_FormatOnly(benchmark::State& state) {
  fmt::memory_buffer buffer;
  int i = 0;
  for (auto _ : state) {
    buffer.clear();
    fmt::format_to(fmt::appender(buffer),
                   "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                   kString);
    benchmark::DoNotOptimize(buffer.data());
    ++i;
  }
}
BENCHMARK(BM_FormatOnly);

// BM_Timestamp: the wall-clock read every log call makes.
void BM_Timestamp(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(relog::ReadTimestampNanos());
}
BENCHMARK(BM_Timestamp);

// BM_TimestampKernel: clock_gettime(CLOCK_REALTIME) through the vDSO, the
// alternative to the cycle-counter clock above.
void BM_TimestampKernel(benchmark::State& state) {
  for (auto _ : state) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    benchmark::DoNotOptimize(ts);
  }
}
BENCHMARK(BM_TimestampKernel);

relog::Logger& NullLogger() {
  static relog::Logger* const logger = [] {
    relog::LoggerOptions options;
    options.name = "bench";
    return new relog::Logger(std::move(options),
                             {std::make_shared<relog::NullSink>()});
  }();
  return *logger;
}

// BM_LogNullSink: one RELOG_INFO of the standard message into a logger with
// a NullSink (the sink thread does the rest on the other core).
void BM_LogNullSink(benchmark::State& state) {
  relog::Logger& logger = NullLogger();
  int i = 0;
  for (auto _ : state) {
    RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               kString);
    ++i;
  }
  if (state.thread_index() == 0) logger.Flush();
}
BENCHMARK(BM_LogNullSink)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
