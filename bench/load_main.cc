// SPDX-License-Identifier: Apache-2.0
//
// bench/load_main.cc: relog's load program, `./bazelw run //bench:load`.
//
// N producer threads log the standard message ("Logging int: {}, double: {},
// string: {}") through relog, through spdlog's async logger, and into a
// bare fmt::memory_buffer (the `format` baseline), and the program reports,
// for each, per-call latency percentiles, end-to-end throughput,
// allocations per call, peak RSS, drops and relog's pool hit rate, with the
// ratio relog/spdlog.
//
// The parent process runs nothing itself: each (logger, workload, threads,
// repeat) is a child started afresh by exec of /proc/self/exe with
// --child=LOGGER:WORKLOAD:THREADS, so that its peak RSS and allocations are
// its own. The child prints one JSON result line on its stdout (a pipe to
// the parent) and nothing else; runs alternate relog/spdlog/format, and
// every figure reported is the median over --repeat runs.
//
// Workloads:
//  - latency: each thread logs bursts of 20 messages then busy-waits 10 us
//    (or, with --rate, paces every call), timing every call with the TSC
//    (calibrated against steady_clock; the timer's own cost is measured and
//    subtracted), or clock_gettime(CLOCK_MONOTONIC) where the TSC is not
//    invariant.
//  - throughput: --messages split over the threads as fast as possible (or
//    for --seconds); the clock stops when the last byte is written (after
//    Flush()), and the file must hold every line.
//  - idle: log one message per thread, then sleep; reports the process's
//    CPU time over the sleep.
//
// The sinks receive exactly the benchmark's messages: a warm-up (counted
// apart, not timed) and the timed calls.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/load_lib.h"
#include "fmt/format.h"
#include "relog/logger/logger.h"
#include "relog/sinks/spec.h"
#include "spdlog/async.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/spdlog.h"

// Counting operator new: every allocation on a thread bumps that thread's
// counter, so a producer thread can count its own allocations around the
// timed part without touching a shared cache line.
namespace {
thread_local constinit uint64_t tls_allocs = 0;

void* CountedAlloc(std::size_t n) {
  ++tls_allocs;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* CountedAlignedAlloc(std::size_t n, std::align_val_t align) {
  ++tls_allocs;
  const std::size_t a = static_cast<std::size_t>(align);
  void* p = nullptr;
  if (posix_memalign(&p, std::max(a, sizeof(void*)), n == 0 ? 1 : n) != 0) {
    throw std::bad_alloc();
  }
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return CountedAlloc(n); }
void* operator new[](std::size_t n) { return CountedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++tls_allocs;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++tls_allocs;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return CountedAlignedAlloc(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return CountedAlignedAlloc(n, a);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

ABSL_FLAG(std::string, threads, "",
          "producer thread counts, e.g. 2 or 1,2,4 (default: 1 then 2)");
ABSL_FLAG(int64_t, messages, 4000000,
          "throughput workload: messages in total, split over the threads");
ABSL_FLAG(double, seconds, 0,
          "throughput workload: log for this long instead of --messages");
ABSL_FLAG(int64_t, latency_calls, 200000,
          "latency workload: timed calls per thread");
ABSL_FLAG(double, rate, 0,
          "messages per second per thread (0: as fast as possible; the "
          "latency workload then uses bursts of 20 and 10 us pauses)");
ABSL_FLAG(std::string, workload, "",
          "latency, throughput, idle, or a list (default: latency,throughput)");
ABSL_FLAG(std::string, sinks, "",
          "relog's sinks, a sink spec (sinks/spec.h), e.g. file:/tmp/a.log or "
          "null; console:stdout goes to /dev/null (stdout is for results); "
          "default: a file in a fresh temporary directory. spdlog always "
          "writes a file in that directory");
ABSL_FLAG(std::string, policy, "block", "queue overflow policy: block|drop");
ABSL_FLAG(std::string, compare, "spdlog", "spdlog, or none to skip it");
ABSL_FLAG(int, repeat, 3, "runs per logger, alternating; medians reported");
ABSL_FLAG(bool, json, false,
          "print one JSON object per (logger, workload, threads), nothing "
          "else");
ABSL_FLAG(std::string, chart, "", "write a latency-percentile chart (SVG)");
ABSL_FLAG(bool, keep_logs, false, "keep the temporary directory of logs");
ABSL_FLAG(double, idle_seconds, 3, "idle workload: how long to sleep");
// Internal: the parent starts each run as a child with these.
ABSL_FLAG(std::string, child, "", "internal: LOGGER:WORKLOAD:THREADS");
ABSL_FLAG(std::string, child_file, "",
          "internal: the log file of this run (spdlog; relog without --sinks)");

namespace relog::load {
namespace {

constexpr int kBurst = 20;
constexpr double kPauseNs = 10000;
// Untimed calls per thread before the timed part: the first calls of a
// thread set up per-thread state (thread id, pool caches) in every logger.
constexpr int64_t kWarmupCalls = 2000;

// --------------------------------------------------------------------------
// The clock for per-call timing.

class TickClock {
 public:
  // TickClock::Create(): the TSC when the CPU says it is invariant
  // (constant_tsc and nonstop_tsc), else CLOCK_MONOTONIC.
  static TickClock Create() {
    TickClock c;
    c.use_tsc_ = TscIsInvariant();
    if (c.use_tsc_) c.Calibrate();
    c.MeasureOverhead();
    return c;
  }

  // Start()/End() bracket the code being timed: the fences keep it from
  // being reordered across the reads.
  uint64_t Start() const {
    if (use_tsc_) {
      _mm_lfence();
      const uint64_t t = __rdtsc();
      _mm_lfence();
      return t;
    }
    return MonotonicNs();
  }
  uint64_t End() const {
    if (use_tsc_) {
      unsigned aux;
      const uint64_t t = __rdtscp(&aux);
      _mm_lfence();
      return t;
    }
    return MonotonicNs();
  }
  double ns_per_tick() const { return ns_per_tick_; }
  // The median cost of an empty Start()/End() pair, in ticks.
  double overhead_ticks() const { return overhead_ticks_; }
  bool use_tsc() const { return use_tsc_; }

 private:
  static uint64_t MonotonicNs() {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u +
           static_cast<uint64_t>(ts.tv_nsec);
  }

  static bool TscIsInvariant() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("flags", 0) == 0) {
        return line.find(" constant_tsc") != std::string::npos &&
               line.find(" nonstop_tsc") != std::string::npos;
      }
    }
    return false;
  }

  void Calibrate() {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const uint64_t c0 = __rdtsc();
    while (Clock::now() - t0 < std::chrono::milliseconds(20)) {
    }
    const auto t1 = Clock::now();
    const uint64_t c1 = __rdtsc();
    const double ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
    ns_per_tick_ = ns / static_cast<double>(c1 - c0);
  }

  void MeasureOverhead() {
    std::vector<double> costs;
    costs.reserve(10000);
    for (int i = 0; i < 10000; ++i) {
      const uint64_t a = Start();
      const uint64_t b = End();
      costs.push_back(static_cast<double>(b - a));
    }
    overhead_ticks_ = Median(std::move(costs));
  }

  bool use_tsc_ = false;
  double ns_per_tick_ = 1;
  double overhead_ticks_ = 0;
};

// --------------------------------------------------------------------------
// The loggers. Each has a per-thread state and an inline Log() so the timed
// loop is the same template for all three.

struct Settings {
  ChildSpec spec;
  int64_t messages = 0;
  double seconds = 0;
  int64_t latency_calls = 0;
  double rate = 0;
  std::string sinks;  // relog's spec; empty: file:child_file
  bool drop = false;
  std::string child_file;
  double idle_seconds = 3;
};

double Arg2(int i) { return i + 0.25; }

// A path as a sink spec value: the spec's special characters escaped.
std::string EscapeSpecValue(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == ';' || c == ',' || c == '=' || c == ':' || c == ' ' ||
        c == '\t') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

class RelogTarget {
 public:
  struct PerThread {};

  absl::Status Open(const Settings& s) {
    const std::string spec =
        s.sinks.empty() ? "file:" + EscapeSpecValue(s.child_file) : s.sinks;
    absl::StatusOr<SinkSpecInfo> info = InspectSinkSpec(spec);
    if (!info.ok()) return info.status();
    path_ = info->count_path;
    if (!path_.empty()) {
      struct stat st;
      if (::stat(path_.c_str(), &st) == 0) offset_ = st.st_size;
    }
    absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks = ParseSinks(spec);
    if (!sinks.ok()) return sinks.status();
    LoggerOptions options;
    options.name = "load";
    options.overflow = s.drop ? OverflowPolicy::kDrop : OverflowPolicy::kBlock;
    options.deferred_formatting = s.spec.logger == LoggerKind::kRelog;
    logger_ = std::make_unique<Logger>(std::move(options), *std::move(sinks));
    return absl::OkStatus();
  }

  void Log(PerThread&, int i) {
    RELOG_INFO(*logger_, "Logging int: {}, double: {}, string: {}", i, Arg2(i),
               "hello");
  }
  // Returns once every accepted message is written and flushed.
  void Drain() { logger_->Flush(); }
  void Finish() { logger_->Flush(); }

  // One sink here, so this is the calls dropped.
  static uint64_t TotalDropped(const LoggerStats& s) {
    uint64_t n = 0;
    for (const SinkWorkerStats& sink : s.sinks) n += sink.dropped;
    return n;
  }
  void BeginTimed() { before_ = logger_->GetStats(); }
  void EndTimed(RunResult& r) {
    const LoggerStats after = logger_->GetStats();
    r.dropped =
        static_cast<double>(TotalDropped(after) - TotalDropped(before_));
    const double gets =
        static_cast<double>(after.entry_pool.gets - before_.entry_pool.gets);
    const double hits =
        static_cast<double>(after.entry_pool.hits - before_.entry_pool.hits);
    r.pool_hit_rate = gets > 0 ? hits / gets : std::nan("");
  }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }

 private:
  std::unique_ptr<Logger> logger_;
  LoggerStats before_;
  std::string path_;
  uint64_t offset_ = 0;
};

class SpdlogTarget {
 public:
  struct PerThread {};

  absl::Status Open(const Settings& s) {
    path_ = s.child_file;
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0) offset_ = st.st_size;
    spdlog::init_thread_pool(8192, 1);
    pool_ = spdlog::thread_pool();
    try {
      auto sink =
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(path_, false);
      logger_ = std::make_shared<spdlog::async_logger>(
          "load", std::move(sink), pool_,
          s.drop ? spdlog::async_overflow_policy::overrun_oldest
                 : spdlog::async_overflow_policy::block);
    } catch (const spdlog::spdlog_ex& e) {
      return absl::InternalError(e.what());
    }
    // Close to relog's default text format:
    //   2026-11-23 15:48:26.123456 INFO  load [12345] load_main.cc:42] msg
    logger_->set_pattern("%Y-%m-%d %H:%M:%S.%f %-5l %n [%t] %s:%#] %v");
    logger_->set_level(spdlog::level::info);
    return absl::OkStatus();
  }

  void Log(PerThread&, int i) {
    SPDLOG_LOGGER_INFO(logger_, "Logging int: {}, double: {}, string: {}", i,
                       Arg2(i), "hello");
  }
  // flush() only queues a flush message: wait until the worker took
  // everything, then a little for the fflush it is doing.
  void Drain() {
    logger_->flush();
    while (pool_->queue_size() > 0) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // The exact end: queue a flush, then destroy the thread pool, which
  // processes everything queued and joins its worker.
  void Finish() {
    logger_->flush();
    dropped_ = static_cast<double>(pool_->overrun_counter() - overrun_before_);
    pool_.reset();
    spdlog::shutdown();
  }

  void BeginTimed() { overrun_before_ = pool_->overrun_counter(); }
  void EndTimed(RunResult& r) {
    r.dropped = dropped_;
    r.pool_hit_rate = std::nan("");
  }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }

 private:
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
  std::string path_;
  uint64_t offset_ = 0;
  std::size_t overrun_before_ = 0;
  double dropped_ = 0;
};

// Keeps the compiler from dropping a computation whose result is unused.
template <typename T>
inline void DoNotOptimize(const T& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// The format-only baseline: the standard message into a reused buffer.
inline void FormatStandard(fmt::memory_buffer& buffer, int i) {
  buffer.clear();
  fmt::format_to(fmt::appender(buffer),
                 "Logging int: {}, double: {}, string: {}", i, Arg2(i),
                 "hello");
  DoNotOptimize(buffer.data());
}

class FormatTarget {
 public:
  struct PerThread {
    fmt::memory_buffer buffer;
  };

  absl::Status Open(const Settings&) { return absl::OkStatus(); }
  void Log(PerThread& t, int i) { FormatStandard(t.buffer, i); }
  void Drain() {}
  void Finish() {}
  void BeginTimed() {}
  void EndTimed(RunResult& r) {
    r.dropped = std::nan("");
    r.pool_hit_rate = std::nan("");
  }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return 0; }

 private:
  std::string path_;
};

// --------------------------------------------------------------------------
// The workloads.

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double PeakRssBytes() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) * 1024.0;
}

// A start line for the producer threads: they finish their warm-up, report
// ready, and wait; the main thread drains the logger, then opens the gate.
class Gate {
 public:
  void ArriveAndWait() {
    ready_.fetch_add(1, std::memory_order_acq_rel);
    while (!open_.load(std::memory_order_acquire)) {
      std::this_thread::yield();
    }
  }
  void WaitForAll(int n) {
    while (ready_.load(std::memory_order_acquire) < n) {
      std::this_thread::yield();
    }
  }
  void Open() { open_.store(true, std::memory_order_release); }

 private:
  std::atomic<int> ready_{0};
  std::atomic<bool> open_{false};
};

struct ThreadOutcome {
  std::vector<uint32_t> ticks;         // latency: one per timed call
  std::vector<uint32_t> paired_ticks;  // latency: paired format-only calls
  uint64_t allocs = 0;
  int64_t calls = 0;
};

template <typename Target>
absl::StatusOr<RunResult> RunWorkload(const Settings& s) {
  Target target;
  if (absl::Status st = target.Open(s); !st.ok()) return st;
  const int threads = s.spec.threads;
  const Workload workload = s.spec.workload;
  RunResult r;
  r.logger = std::string(LoggerKindName(s.spec.logger));
  r.workload = std::string(WorkloadName(workload));
  r.threads = threads;

  TickClock clock;
  if (workload == Workload::kLatency || s.rate > 0) clock = TickClock::Create();
  const double ns_per_tick = clock.ns_per_tick();
  const uint64_t pause_ticks = static_cast<uint64_t>(kPauseNs / ns_per_tick);
  const uint64_t period_ticks =
      s.rate > 0 ? static_cast<uint64_t>(1e9 / s.rate / ns_per_tick) : 0;

  std::vector<ThreadOutcome> outcomes(threads);
  std::vector<int64_t> shares(threads, 0);
  if (workload == Workload::kLatency) {
    for (auto& share : shares) share = s.latency_calls;
  } else if (workload == Workload::kThroughput) {
    for (int t = 0; t < threads; ++t) {
      shares[t] = s.messages / threads + (t < s.messages % threads ? 1 : 0);
    }
  } else {
    for (auto& share : shares) share = 1;
  }
  const int64_t warmup = workload == Workload::kIdle ? 0 : kWarmupCalls;
  // A logger's latency run also times format-only calls, a burst after
  // each burst of log calls (not with --rate, which paces every call).
  const bool paired = workload == Workload::kLatency &&
                      s.spec.logger != LoggerKind::kFormat && s.rate == 0;
  for (int t = 0; t < threads; ++t) {
    if (workload == Workload::kLatency) outcomes[t].ticks.resize(shares[t]);
    if (paired) outcomes[t].paired_ticks.resize(shares[t]);
  }

  Gate gate;
  std::atomic<bool> stop{false};  // --seconds
  auto producer = [&](int t) {
    typename Target::PerThread state;
    ThreadOutcome& out = outcomes[t];
    // The int argument: distinct per thread, wrapping (unsigned) rather
    // than overflowing on a long --seconds run.
    uint32_t counter = static_cast<uint32_t>(t) * 1000003u;
    auto next_int = [&counter] {
      return static_cast<int>(counter++ & 0x7fffffffu);
    };
    fmt::memory_buffer format_buffer;  // the paired baseline's
    for (int64_t n = 0; n < warmup; ++n) {
      const int value = next_int();
      target.Log(state, value);
      if (paired) FormatStandard(format_buffer, value);
    }
    gate.ArriveAndWait();
    const uint64_t allocs_before = tls_allocs;
    if (workload == Workload::kLatency) {
      // Ticks taken by `call`, saturating.
      auto timed = [&clock](auto&& call) {
        const uint64_t a = clock.Start();
        call();
        const uint64_t d = clock.End() - a;
        return d > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(d);
      };
      uint32_t* ticks = out.ticks.data();
      const int64_t count = shares[t];
      uint64_t next = clock.Start();
      for (int64_t n = 0; n < count; ++n) {
        if (period_ticks > 0) {
          next += period_ticks;
          while (clock.Start() < next) {
          }
        } else if (n % kBurst == 0 && n > 0) {
          const uint64_t until = clock.Start() + pause_ticks;
          while (clock.Start() < until) {
          }
        }
        const int value = next_int();
        ticks[n] = timed([&] { target.Log(state, value); });
        if (paired && ((n + 1) % kBurst == 0 || n + 1 == count)) {
          // The same calls formatted only, right after the burst.
          for (int64_t k = n - n % kBurst; k <= n; ++k) {
            const int v = value - static_cast<int>(n - k);
            out.paired_ticks[k] =
                timed([&] { FormatStandard(format_buffer, v); });
          }
        }
      }
      out.calls = count;
    } else if (workload == Workload::kThroughput) {
      int64_t n = 0;
      uint64_t next = period_ticks > 0 ? clock.Start() : 0;
      if (s.seconds > 0) {
        while (!stop.load(std::memory_order_relaxed)) {
          for (int k = 0; k < 64; ++k) {
            if (period_ticks > 0) {
              next += period_ticks;
              while (clock.Start() < next) {
              }
            }
            target.Log(state, next_int());
          }
          n += 64;
        }
      } else {
        for (; n < shares[t]; ++n) {
          if (period_ticks > 0) {
            next += period_ticks;
            while (clock.Start() < next) {
            }
          }
          target.Log(state, next_int());
        }
      }
      out.calls = n;
    } else {
      target.Log(state, next_int());
      out.calls = 1;
    }
    out.allocs = tls_allocs - allocs_before;
  };

  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) pool.emplace_back(producer, t);
  gate.WaitForAll(threads);
  target.Drain();
  target.BeginTimed();
  const auto start = std::chrono::steady_clock::now();
  gate.Open();
  if (s.seconds > 0 && workload == Workload::kThroughput) {
    std::this_thread::sleep_for(std::chrono::duration<double>(s.seconds));
    stop.store(true, std::memory_order_relaxed);
  }
  for (std::thread& th : pool) th.join();
  if (workload == Workload::kIdle) {
    target.Drain();
    const double cpu0 = CpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(s.idle_seconds));
    const double cpu1 = CpuSeconds();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    r.idle_cpu_pct = (cpu1 - cpu0) / wall * 100.0;
  } else {
    r.idle_cpu_pct = std::nan("");
  }
  target.Finish();
  const auto end = std::chrono::steady_clock::now();
  target.EndTimed(r);

  int64_t calls = 0;
  uint64_t allocs = 0;
  for (const ThreadOutcome& o : outcomes) {
    calls += o.calls;
    allocs += o.allocs;
  }
  r.messages = static_cast<double>(calls);
  r.seconds = std::chrono::duration<double>(end - start).count();
  if (workload == Workload::kIdle) r.seconds = s.idle_seconds;
  r.msgs_per_sec = workload == Workload::kThroughput
                       ? static_cast<double>(calls) / r.seconds
                       : std::nan("");
  r.allocs_per_call =
      calls > 0 ? static_cast<double>(allocs) / static_cast<double>(calls) : 0;
  r.peak_rss_bytes = PeakRssBytes();

  const double nan = std::nan("");
  r.p50_ns = r.p90_ns = r.p99_ns = r.p999_ns = r.p9999_ns = r.max_ns = nan;
  r.timer_overhead_ns = nan;
  r.paired_format_p50_ns = nan;
  if (workload == Workload::kLatency) {
    const double overhead = clock.overhead_ticks();
    // Every thread's timed calls in nanoseconds (the timer's cost taken
    // off), sorted.
    auto sorted_ns = [&](std::vector<uint32_t> ThreadOutcome::*ticks) {
      std::vector<double> ns;
      ns.reserve(static_cast<std::size_t>(calls));
      for (const ThreadOutcome& o : outcomes) {
        for (const uint32_t t : o.*ticks) {
          ns.push_back(std::max(0.0, static_cast<double>(t) - overhead) *
                       ns_per_tick);
        }
      }
      std::sort(ns.begin(), ns.end());
      return ns;
    };
    const std::vector<double> ns = sorted_ns(&ThreadOutcome::ticks);
    r.p50_ns = Percentile(ns, 50);
    r.p90_ns = Percentile(ns, 90);
    r.p99_ns = Percentile(ns, 99);
    r.p999_ns = Percentile(ns, 99.9);
    r.p9999_ns = Percentile(ns, 99.99);
    r.max_ns = Percentile(ns, 100);
    for (const double p : CurvePercentiles()) {
      r.curve_ns.push_back(Percentile(ns, p));
    }
    r.timer_overhead_ns = overhead * ns_per_tick;
    if (paired) {
      r.paired_format_p50_ns =
          Percentile(sorted_ns(&ThreadOutcome::paired_ticks), 50);
    }
  }

  if (target.path().empty()) {
    r.lines_written = nan;
  } else {
    absl::StatusOr<uint64_t> lines = CountLines(target.path(), target.offset());
    if (!lines.ok()) return lines.status();
    // The sink also got the warm-up calls; the timed part's lines are the
    // rest.
    r.lines_written =
        static_cast<double>(*lines) - static_cast<double>(warmup * threads);
    if (!s.drop && r.lines_written != r.messages) {
      std::fprintf(stderr, "load: %s: %s holds %.0f lines for %.0f messages\n",
                   FormatChildSpec(s.spec).c_str(), target.path().c_str(),
                   r.lines_written, r.messages);
    }
  }
  return r;
}

int ChildMain(const ChildSpec& spec) {
  // The result line goes to the stdout the parent gave us (its pipe); a
  // console:stdout sink writes to /dev/null instead.
  const int result_fd = ::dup(STDOUT_FILENO);
  if (result_fd < 0) return 1;
  const bool is_relog = spec.logger == LoggerKind::kRelog ||
                        spec.logger == LoggerKind::kRelogEager;
  if (is_relog) {
    absl::StatusOr<SinkSpecInfo> info =
        InspectSinkSpec(absl::GetFlag(FLAGS_sinks));
    if (info.ok() && info->writes_stdout) {
      const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (null_fd < 0 || ::dup2(null_fd, STDOUT_FILENO) < 0) return 1;
      ::close(null_fd);
    }
  }
  Settings s;
  s.spec = spec;
  s.messages = absl::GetFlag(FLAGS_messages);
  s.seconds = absl::GetFlag(FLAGS_seconds);
  s.latency_calls = absl::GetFlag(FLAGS_latency_calls);
  s.rate = absl::GetFlag(FLAGS_rate);
  s.sinks = absl::GetFlag(FLAGS_sinks);
  s.drop = absl::GetFlag(FLAGS_policy) == "drop";
  s.child_file = absl::GetFlag(FLAGS_child_file);
  s.idle_seconds = absl::GetFlag(FLAGS_idle_seconds);
  if (s.child_file.empty() &&
      (spec.logger == LoggerKind::kSpdlog ||
       (is_relog && s.sinks.empty()))) {
    std::fprintf(stderr, "load: --child needs --child_file\n");
    return 2;
  }
  absl::StatusOr<RunResult> r;
  switch (spec.logger) {
    case LoggerKind::kRelog:
    case LoggerKind::kRelogEager:
      r = RunWorkload<RelogTarget>(s);
      break;
    case LoggerKind::kSpdlog:
      r = RunWorkload<SpdlogTarget>(s);
      break;
    case LoggerKind::kFormat:
      r = RunWorkload<FormatTarget>(s);
      break;
  }
  if (!r.ok()) {
    std::fprintf(stderr, "load: %s: %s\n", FormatChildSpec(spec).c_str(),
                 std::string(r.status().message()).c_str());
    return 1;
  }
  const std::string line = ToJsonLine(*r, /*with_curve=*/true) + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n =
        ::write(result_fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 1;
    done += static_cast<std::size_t>(n);
  }
  ::close(result_fd);
  return 0;
}

// --------------------------------------------------------------------------
// The parent.

struct Options {
  std::vector<int> threads;
  std::vector<Workload> workloads;
  bool compare = true;
  int repeat = 3;
  bool json = false;
  std::string chart;
  bool keep_logs = false;
};

// Runs one child; returns its result line. Shows a progress line on a
// terminal when the run takes longer than two seconds.
absl::StatusOr<RunResult> RunChild(const ChildSpec& spec,
                                   const std::string& child_file,
                                   const std::string& progress_label) {
  std::vector<std::string> args = {
      "load",
      "--child=" + FormatChildSpec(spec),
      "--child_file=" + child_file,
      fmt::format("--messages={}", absl::GetFlag(FLAGS_messages)),
      fmt::format("--seconds={}", absl::GetFlag(FLAGS_seconds)),
      fmt::format("--latency_calls={}", absl::GetFlag(FLAGS_latency_calls)),
      fmt::format("--rate={}", absl::GetFlag(FLAGS_rate)),
      "--sinks=" + absl::GetFlag(FLAGS_sinks),
      "--policy=" + absl::GetFlag(FLAGS_policy),
      fmt::format("--idle_seconds={}", absl::GetFlag(FLAGS_idle_seconds)),
  };
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(fmt::format("pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid;
  const int err = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr,
                              argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (err != 0) {
    ::close(fds[0]);
    return absl::InternalError(
        fmt::format("posix_spawn /proc/self/exe: {}", std::strerror(err)));
  }

  const bool tty = isatty(STDERR_FILENO) == 1;
  const auto start = std::chrono::steady_clock::now();
  bool shown = false;
  std::string output;
  char buf[4096];
  while (true) {
    struct pollfd pfd = {fds[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 200);
    if (ready > 0) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n > 0) {
        output.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) break;
      if (errno != EINTR) break;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (tty && elapsed > 2.0) {
      std::fprintf(stderr, "\r\033[K%s: %.1f s", progress_label.c_str(),
                   elapsed);
      shown = true;
    }
  }
  ::close(fds[0]);
  if (shown) std::fprintf(stderr, "\r\033[K");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(fmt::format(
        "child {} failed ({})", FormatChildSpec(spec),
        WIFEXITED(status) ? fmt::format("exit {}", WEXITSTATUS(status))
                          : fmt::format("signal {}", WTERMSIG(status))));
  }
  while (!output.empty() && output.back() == '\n') output.pop_back();
  absl::StatusOr<RunResult> r = ParseJsonLine(output);
  if (!r.ok()) {
    return absl::InternalError(fmt::format("child {}: bad result line: {}",
                                           FormatChildSpec(spec),
                                           std::string(r.status().message())));
  }
  return r;
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string dir = fmt::format(
      "{}/relog-load-XXXXXX", base != nullptr && *base != '\0' ? base : "/tmp");
  if (mkdtemp(dir.data()) == nullptr) return "";
  return dir;
}

// The first three fields of /proc/loadavg: other processes on these cores
// change every figure, so the report says how busy the machine was.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "unknown";
  return a + " " + b + " " + c;
}

std::string ChartColor(const std::string& logger) {
  if (logger == "relog") return "#1f77b4";
  if (logger == "relog-eager") return "#2ca02c";
  if (logger == "spdlog") return "#d62728";
  return "#7f7f7f";
}

int ParentMain(const Options& o) {
  const std::string load_before = LoadAverage();
  const std::string dir = MakeTempDir();
  if (dir.empty()) {
    std::fprintf(stderr, "load: cannot create a temporary directory: %s\n",
                 std::strerror(errno));
    return 1;
  }
  std::vector<LoggerKind> loggers = {LoggerKind::kRelog,
                                     LoggerKind::kRelogEager};
  if (o.compare) loggers.push_back(LoggerKind::kSpdlog);
  loggers.push_back(LoggerKind::kFormat);

  // (logger, workload, threads) -> runs, in the order first seen.
  std::vector<std::tuple<std::string, std::string, int>> order;
  std::map<std::tuple<std::string, std::string, int>, std::vector<RunResult>>
      runs;
  int total = 0;
  for (Workload w : o.workloads) {
    total += static_cast<int>(o.threads.size()) * o.repeat *
             static_cast<int>(w == Workload::kIdle ? loggers.size() - 1
                                                   : loggers.size());
  }
  int done = 0;
  for (const int threads : o.threads) {
    for (const Workload w : o.workloads) {
      for (int rep = 0; rep < o.repeat; ++rep) {
        for (const LoggerKind logger : loggers) {
          // Formatting alone has no idle cost to measure.
          if (w == Workload::kIdle && logger == LoggerKind::kFormat) continue;
          const ChildSpec spec{logger, w, threads};
          const std::string file =
              fmt::format("{}/{}-{}-{}t-{}.log", dir, LoggerKindName(logger),
                          WorkloadName(w), threads, rep);
          const std::string label =
              fmt::format("run {}/{}: {} {}, {} thread{}, repeat {}/{}", ++done,
                          total, LoggerKindName(logger), WorkloadName(w),
                          threads, threads == 1 ? "" : "s", rep + 1, o.repeat);
          absl::StatusOr<RunResult> r = RunChild(spec, file, label);
          if (!o.keep_logs) ::unlink(file.c_str());
          if (!r.ok()) {
            std::fprintf(stderr, "load: %s\n",
                         std::string(r.status().message()).c_str());
            if (!o.keep_logs) ::rmdir(dir.c_str());
            return 1;
          }
          const auto key = std::make_tuple(r->logger, r->workload, threads);
          if (runs.find(key) == runs.end()) order.push_back(key);
          runs[key].push_back(*std::move(r));
        }
      }
    }
  }
  if (o.keep_logs) {
    std::fprintf(stderr, "load: logs kept in %s\n", dir.c_str());
  } else {
    ::rmdir(dir.c_str());
  }

  std::vector<RunResult> medians;
  medians.reserve(order.size());
  for (const auto& key : order) medians.push_back(MedianOf(runs[key]));

  if (o.json) {
    for (const RunResult& m : medians) {
      std::printf("%s\n", ToJsonLine(m).c_str());
    }
  } else {
    TableInput in;
    in.medians = medians;
    in.compared = o.compare;
    const unsigned cores = std::thread::hardware_concurrency();
    const std::string sinks = absl::GetFlag(FLAGS_sinks);
    const double rate = absl::GetFlag(FLAGS_rate);
    in.header = fmt::format(
        "relog load: {} cores (load average {} before, {} after); relog "
        "sinks: {}; spdlog: {}; policy {}; {} runs per logger, medians.\n"
        "Standard message \"Logging int: {{}}, double: {{}}, string: {{}}\"; "
        "latency: {}, {} timed calls per thread; throughput: {}.\n",
        cores, load_before, LoadAverage(),
        sinks.empty() ? "a file in a temporary directory" : sinks,
        o.compare ? "async logger, basic_file_sink_mt, queue 8192, 1 worker"
                  : "not run (--compare=none)",
        absl::GetFlag(FLAGS_policy), o.repeat,
        rate > 0 ? fmt::format("paced at {} calls/s per thread", rate)
                 : fmt::format("bursts of {} then {:.0f} us busy wait", kBurst,
                               kPauseNs / 1000),
        absl::GetFlag(FLAGS_latency_calls),
        fmt::format("{} {}",
                    absl::GetFlag(FLAGS_seconds) > 0
                        ? fmt::format("for {} s", absl::GetFlag(FLAGS_seconds))
                        : fmt::format("{} messages in total",
                                      absl::GetFlag(FLAGS_messages)),
                    rate > 0 ? fmt::format("at {} msgs/s per thread", rate)
                             : "as fast as possible"));
    std::fputs(FormatTable(in).c_str(), stdout);
  }
  std::fflush(stdout);

  if (!o.chart.empty()) {
    std::vector<ChartSeries> series;
    for (const RunResult& m : medians) {
      if (m.workload != "latency" || m.curve_ns.empty()) continue;
      ChartSeries s;
      s.name = fmt::format("{}, {:.0f} thread{}", m.logger, m.threads,
                           m.threads == 1 ? "" : "s");
      s.color = ChartColor(m.logger);
      s.dashed = m.threads != o.threads.front();
      s.percentiles = CurvePercentiles();
      s.percentiles.resize(m.curve_ns.size());
      s.values_ns = m.curve_ns;
      series.push_back(std::move(s));
    }
    const std::string svg = LatencyChartSvg(
        series,
        fmt::format("Latency per log call (medians of {} runs)", o.repeat));
    std::FILE* f = std::fopen(o.chart.c_str(), "w");
    if (f == nullptr ||
        std::fwrite(svg.data(), 1, svg.size(), f) != svg.size() ||
        std::fclose(f) != 0) {
      std::fprintf(stderr, "load: cannot write %s: %s\n", o.chart.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  return 0;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "relog's load program: latency and throughput of relog vs spdlog.\n"
      "  ./bazelw run //bench:load -- [--threads=1,2] [--workload=...] "
      "[--json] [--chart=FILE.svg]");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::fprintf(stderr, "load: unexpected argument \"%s\"\n", rest[1]);
    return 2;
  }
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "load: %s\n", std::string(s.message()).c_str());
    return 2;
  };
  if (absl::Status s = ValidatePolicy(absl::GetFlag(FLAGS_policy)); !s.ok()) {
    return fail(s);
  }
  if (absl::Status s = ValidateCompare(absl::GetFlag(FLAGS_compare)); !s.ok()) {
    return fail(s);
  }
  if (const std::string sinks = absl::GetFlag(FLAGS_sinks); !sinks.empty()) {
    if (absl::StatusOr<SinkSpecInfo> info = InspectSinkSpec(sinks);
        !info.ok()) {
      return fail(info.status());
    }
  }
  if (absl::GetFlag(FLAGS_messages) < 1 ||
      absl::GetFlag(FLAGS_latency_calls) < 1 ||
      absl::GetFlag(FLAGS_seconds) < 0 || absl::GetFlag(FLAGS_rate) < 0 ||
      absl::GetFlag(FLAGS_idle_seconds) < 0 ||
      absl::GetFlag(FLAGS_repeat) < 1) {
    return fail(absl::InvalidArgumentError(
        "--messages, --latency_calls and --repeat must be at least 1; "
        "--seconds, --rate and --idle_seconds at least 0"));
  }

  if (const std::string child = absl::GetFlag(FLAGS_child); !child.empty()) {
    absl::StatusOr<ChildSpec> spec = ParseChildSpec(child);
    if (!spec.ok()) return fail(spec.status());
    return ChildMain(*spec);
  }

  Options o;
  absl::StatusOr<std::vector<int>> threads =
      ParseThreadList(absl::GetFlag(FLAGS_threads));
  if (!threads.ok()) return fail(threads.status());
  absl::StatusOr<std::vector<Workload>> workloads =
      ParseWorkloadList(absl::GetFlag(FLAGS_workload));
  if (!workloads.ok()) return fail(workloads.status());
  o.threads = *threads;
  o.workloads = *workloads;
  o.compare = absl::GetFlag(FLAGS_compare) == "spdlog";
  o.repeat = absl::GetFlag(FLAGS_repeat);
  o.json = absl::GetFlag(FLAGS_json);
  o.chart = absl::GetFlag(FLAGS_chart);
  // `bazel run` starts us in the runfiles tree: a relative --chart path
  // means the directory the command was typed in.
  if (const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
      cwd != nullptr && !o.chart.empty() && o.chart.front() != '/') {
    o.chart = std::string(cwd) + "/" + o.chart;
  }
  o.keep_logs = absl::GetFlag(FLAGS_keep_logs);
  return ParentMain(o);
}

}  // namespace
}  // namespace relog::load

int main(int argc, char** argv) { return relog::load::Main(argc, argv); }
