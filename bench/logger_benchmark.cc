// SPDX-License-Identifier: Apache-2.0
//
// The caller's cost of one log call, against the floor of an eager design
// (formatting the same message into a reused buffer).
//
//   ./bazelw run //bench:logger_benchmark -- --benchmark_repetitions=3

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "benchmark/benchmark.h"
#include "fmt/compile.h"
#include "fmt/format.h"
#include "relog/logger/entry.h"
#include "relog/logger/logger.h"
#include "relog/logger/mpsc_queue.h"
#include "relog/logger/timestamp.h"
#include "relog/pool/buffer_pool.h"
#include "relog/pool/pool.h"
#include "relog/sinks/null_sink.h"

namespace {

constexpr const char* kString = "a string";

// Formats the standard message into a reused buffer once per iteration.
template <typename FormatOne>
void RunFormatCalls(benchmark::State& state, const FormatOne& format_one) {
  fmt::memory_buffer buffer;
  int i = 0;
  for (auto _ : state) {
    buffer.clear();
    format_one(fmt::appender(buffer), i);
    benchmark::DoNotOptimize(buffer.data());
    ++i;
  }
}

// BM_FormatOnly: fmt::format_to of the standard message into a reused
// buffer.
void BM_FormatOnly(benchmark::State& state) {
  RunFormatCalls(state, [](fmt::appender out, int i) {
    fmt::format_to(out, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                   kString);
  });
}
BENCHMARK(BM_FormatOnly);

// BM_FormatCompiled: the same with the format compiled by fmt
// (FMT_COMPILE), as the RELOG_* macros do under RELOG_COMPILE_FORMATS=1:
// the floor of formatting on the caller.
void BM_FormatCompiled(benchmark::State& state) {
  RunFormatCalls(state, [](fmt::appender out, int i) {
    fmt::format_to(out, FMT_COMPILE("Logging int: {}, double: {}, string: {}"),
                   i, i * 0.5, kString);
  });
}
BENCHMARK(BM_FormatCompiled);

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

// BM_CallerSteps: a log call's steps on one thread, with no sink thread, to
// show where the time over BM_FormatOnly goes. 0: take a pooled entry, fill
// it and format the message into it, give it back; 1: and read the clock;
// 2: and pass the entry through a sink queue (claim, publish, pop).
// BM_LogNullSink is step 2 with the pop and the return on another core.
void BM_CallerSteps(benchmark::State& state) {
  const int64_t steps = state.range(0);
  relog::BufferPool buffers;
  relog::Pool<relog::Entry>::Options options;
  options.factory = [&buffers] { return relog::Entry::NewAligned(&buffers); };
  options.destroy = &relog::Entry::DeleteAligned;
  relog::Pool<relog::Entry> entries(options);
  relog::logger_internal::BoundedMpscQueue<relog::Entry> queue(8192);
  const relog::SourceLocation location{__FILE__, __LINE__, __func__};
  int i = 0;
  for (auto _ : state) {
    relog::Entry* entry = entries.GetRaw();
    entry->Set(steps >= 1 ? relog::ReadTimestampNanos() : 0,
               relog::Level::kInfo, 1, "bench", location);
    fmt::format_to(fmt::appender(entry->mutable_message()),
                   "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                   kString);
    entry->holders().store(1, std::memory_order_relaxed);
    if (steps >= 2) {
      if (!queue.TryPush(entry)) {
        state.SkipWithError("queue full");
        entries.Put(entry);
        break;
      }
      entry = queue.TryPop();
    }
    benchmark::DoNotOptimize(entry);
    entries.Put(entry);
    ++i;
  }
}
BENCHMARK(BM_CallerSteps)->DenseRange(0, 2);

relog::Logger* NewNullLogger(bool deferred) {
  relog::LoggerOptions options;
  options.name = "bench";
  options.deferred_formatting = deferred;
  return new relog::Logger(std::move(options),
                           {std::make_shared<relog::NullSink>()});
}

// Loggers with a NullSink: formatting deferred to the sink side (the
// default), or on the caller.
relog::Logger& NullLogger(bool deferred) {
  static relog::Logger* const with = NewNullLogger(true);
  static relog::Logger* const without = NewNullLogger(false);
  return deferred ? *with : *without;
}

// Logs the standard message `iterations` times on this thread, counting
// blocked pushes and pool misses (why a run was slow) on thread 0.
template <typename LogOne>
void RunLogCalls(benchmark::State& state, bool deferred,
                 const LogOne& log_one) {
  relog::Logger& logger = NullLogger(deferred);
  relog::LoggerStats before;
  if (state.thread_index() == 0) before = logger.GetStats();
  int i = 0;
  for (auto _ : state) {
    log_one(logger, i);
    ++i;
  }
  if (state.thread_index() == 0) {
    logger.Flush();
    const relog::LoggerStats after = logger.GetStats();
    state.counters["blocked"] =
        static_cast<double>(after.sinks[0].blocked - before.sinks[0].blocked);
    state.counters["pool_misses"] =
        static_cast<double>(after.entry_pool.misses - before.entry_pool.misses);
  }
}

void LogStandard(relog::Logger& logger, int i) {
  RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
             kString);
}

// BM_LogNullSinkDeferred: one RELOG_INFO of the standard message into a
// logger with a NullSink, the default way: the arguments are copied and
// the sink side would format them (a NullSink never reads the message, so
// this is the caller's cost alone).
void BM_LogNullSinkDeferred(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/true, LogStandard);
}
BENCHMARK(BM_LogNullSinkDeferred)->Threads(1)->Threads(2)->UseRealTime();

// BM_LogNullSink: the same call formatting on the caller (a logger with
// LoggerOptions::deferred_formatting off), in the macros' format mode
// (parsed at run time by default, where calls defer).
void BM_LogNullSink(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/false, LogStandard);
}
BENCHMARK(BM_LogNullSink)->Threads(1)->Threads(2)->UseRealTime();

// BM_LogNullSinkRuntimeFormat: the same call with the format parsed at run
// time (what the macros do under RELOG_COMPILE_FORMATS=0): its ratio to
// BM_FormatOnly is the logger's own cost over identical formatting.
void BM_LogNullSinkRuntimeFormat(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/false, [](relog::Logger& logger, int i) {
    if (logger.ShouldLog(relog::Level::kInfo)) {
      logger.Log(relog::Level::kInfo, RELOG_SOURCE_LOCATION,
                 "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                 kString);
    }
  });
}
BENCHMARK(BM_LogNullSinkRuntimeFormat)->Threads(1)->UseRealTime();

// BM_LogNamedFields: the standard message with its three placeholders
// named (logger/fields.h), so that the entry also carries them as fields:
// next to BM_LogNullSinkDeferred, what names cost the caller (the sink side
// renders the fields only for a sink that writes them).
void BM_LogNamedFields(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/true, [](relog::Logger& logger, int i) {
    RELOG_INFO(logger, "Logging int: {count}, double: {ratio}, string: {name}",
               i, i * 0.5, kString);
  });
}
BENCHMARK(BM_LogNamedFields)->Threads(1)->Threads(2)->UseRealTime();

// The same, formatting on the caller (which then also writes the fields).
void BM_LogNamedFieldsOnCaller(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/false, [](relog::Logger& logger, int i) {
    RELOG_INFO(logger, "Logging int: {count}, double: {ratio}, string: {name}",
               i, i * 0.5, kString);
  });
}
BENCHMARK(BM_LogNamedFieldsOnCaller)->Threads(1)->UseRealTime();

// BM_LogWithContext: the standard call through a logger made by With()
// with two fields, on a thread with one ScopedFields field: each call also
// copies the three fields into its entry. Next to BM_LogNullSinkDeferred.
void BM_LogWithContext(benchmark::State& state) {
  relog::ScopedFields scope{{"request_id", "r-0001"}};
  RunLogCalls(state, /*deferred=*/true, [](relog::Logger& logger, int i) {
    static const std::unique_ptr<relog::Logger> api =
        logger.With({{"service", "api"}, {"shard", 3}});
    LogStandard(*api, i);
  });
}
BENCHMARK(BM_LogWithContext)->Threads(1)->Threads(2)->UseRealTime();

// BM_LogChild: the same call through a named child of the logger
// (Logger::Child()), which shares its pool and sink: next to
// BM_LogNullSinkDeferred, what a name costs.
void BM_LogChild(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/true, [](relog::Logger& logger, int i) {
    static relog::Logger& child = logger.Child("net.tcp");
    LogStandard(child, i);
  });
}
BENCHMARK(BM_LogChild)->Threads(1)->Threads(2)->UseRealTime();

// The rate-limited forms (logger/rate_limit.h), suppressed: after the
// site's first call, which logs, every call is suppressed, and what is
// timed is the site's check alone (plus the logger's level check). Next to
// BM_LogNullSinkDeferred, the same call that logs. With two threads the
// site's counter is a line both write.
void BM_LogSuppressedEveryN(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/true, [](relog::Logger& logger, int i) {
    RELOG_INFO_EVERY_N(logger, int64_t{1} << 62,
                       "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                       kString);
  });
}
BENCHMARK(BM_LogSuppressedEveryN)->Threads(1)->Threads(2)->UseRealTime();

void BM_LogSuppressedFirstN(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/true, [](relog::Logger& logger, int i) {
    RELOG_INFO_FIRST_N(logger, 1, "Logging int: {}, double: {}, string: {}",
                       i, i * 0.5, kString);
  });
}
BENCHMARK(BM_LogSuppressedFirstN)->Threads(1)->Threads(2)->UseRealTime();

void BM_LogSuppressedEvery(benchmark::State& state) {
  RunLogCalls(state, /*deferred=*/true, [](relog::Logger& logger, int i) {
    RELOG_INFO_EVERY(logger, std::chrono::hours(24),
                     "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                     kString);
  });
}
BENCHMARK(BM_LogSuppressedEvery)->Threads(1)->Threads(2)->UseRealTime();

// BM_LogBacktraceKept: RELOG_DEBUG into a logger at info with a backtrace
// of 64 (LoggerOptions::backtrace_size): each call is kept in the ring,
// pushing the oldest back to the pool, and never written. Next to
// BM_LogNullSinkDeferred, a call that is written.
void BM_LogBacktraceKept(benchmark::State& state) {
  static relog::Logger* const logger = [] {
    relog::LoggerOptions options;
    options.name = "bench";
    options.backtrace_size = 64;
    return new relog::Logger(std::move(options),
                             {std::make_shared<relog::NullSink>()});
  }();
  int i = 0;
  for (auto _ : state) {
    RELOG_DEBUG(*logger, "Logging int: {}, double: {}, string: {}", i,
                i * 0.5, kString);
    ++i;
  }
}
BENCHMARK(BM_LogBacktraceKept)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

// Repetitions run interleaved in random order unless the command line says
// otherwise: this machine's speed moves by a third from one second to the
// next, and run one after another, BM_FormatOnly and BM_LogNullSink would
// each take whatever second they landed in. Interleaved, each benchmark's
// median is taken across the same stretch of time.
int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  const std::string_view flag = "--benchmark_enable_random_interleaving";
  const bool given = std::any_of(args.begin(), args.end(), [&](char* arg) {
    return std::string_view(arg).substr(0, flag.size()) == flag;
  });
  static char interleave[] = "--benchmark_enable_random_interleaving=true";
  if (!given) args.insert(args.begin() + 1, interleave);
  int count = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
