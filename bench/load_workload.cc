// SPDX-License-Identifier: Apache-2.0

#include "bench/load_workload.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench/load_alloc_counter.h"
#include "bench/load_clock.h"
#include "bench/load_targets.h"
#include "fmt/format.h"

namespace relog::load {
namespace {

// Untimed calls per thread before the timed part: the first calls of a
// thread set up per-thread state (thread id, pool caches) in every logger.
constexpr int64_t kWarmupCalls = 2000;

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

// What the producer threads do, decided before any starts.
struct Plan {
  Workload workload = Workload::kLatency;
  int threads = 1;
  std::vector<int64_t> shares;  // timed calls per thread
  int64_t warmup = 0;           // untimed calls per thread first
  double seconds = 0;           // throughput: for this long (0: shares)
  // A logger's latency run also times format-only calls, a burst after
  // each burst of log calls (not with a rate, which paces every call).
  bool paired = false;
  uint64_t pause_ticks = 0;   // between bursts
  uint64_t period_ticks = 0;  // between calls with a rate (0: none)
};

Plan MakePlan(const Settings& s, const TickClock& clock) {
  Plan plan;
  plan.workload = s.spec.workload;
  plan.threads = s.spec.threads;
  plan.shares.assign(plan.threads, 1);
  if (plan.workload == Workload::kLatency) {
    for (auto& share : plan.shares) share = s.latency_calls;
  } else if (plan.workload == Workload::kThroughput) {
    for (int t = 0; t < plan.threads; ++t) {
      plan.shares[t] =
          s.messages / plan.threads + (t < s.messages % plan.threads ? 1 : 0);
    }
  }
  plan.warmup = plan.workload == Workload::kIdle ? 0 : kWarmupCalls;
  plan.seconds = plan.workload == Workload::kThroughput ? s.seconds : 0;
  plan.paired = plan.workload == Workload::kLatency &&
                s.spec.logger != LoggerKind::kFormat && s.rate == 0;
  const double ns_per_tick = clock.ns_per_tick();
  plan.pause_ticks = static_cast<uint64_t>(kPauseNs / ns_per_tick);
  plan.period_ticks =
      s.rate > 0 ? static_cast<uint64_t>(1e9 / s.rate / ns_per_tick) : 0;
  return plan;
}

// What one producer thread measured.
struct ThreadOutcome {
  std::vector<uint32_t> ticks;         // latency: one per timed call
  std::vector<uint32_t> paired_ticks;  // latency: paired format-only calls
  uint64_t allocs = 0;
  int64_t calls = 0;
};

std::vector<ThreadOutcome> MakeOutcomes(const Plan& plan) {
  std::vector<ThreadOutcome> outcomes(plan.threads);
  for (int t = 0; t < plan.threads; ++t) {
    if (plan.workload == Workload::kLatency) {
      outcomes[t].ticks.resize(plan.shares[t]);
    }
    if (plan.paired) outcomes[t].paired_ticks.resize(plan.shares[t]);
  }
  return outcomes;
}

void SpinUntil(const TickClock& clock, uint64_t until) {
  while (clock.Start() < until) {
  }
}

// Producer: one producer thread's loop. Made and run on that thread.
template <typename Target>
class Producer {
 public:
  Producer(Target& target, const Plan& plan, const TickClock& clock, int t,
           ThreadOutcome& out)
      : target_(target),
        plan_(plan),
        clock_(clock),
        share_(plan.shares[t]),
        out_(out),
        // The int argument: distinct per thread, wrapping (unsigned) rather
        // than overflowing on a long --seconds run.
        counter_(static_cast<uint32_t>(t) * 1000003u) {}

  // Run(): the warm-up, then waits at `gate`; then the timed part, until
  // its share is done or `stop` is set (throughput for a time).
  void Run(Gate& gate, const std::atomic<bool>& stop) {
    for (int64_t n = 0; n < plan_.warmup; ++n) {
      const int value = NextInt();
      target_.Log(state_, value);
      if (plan_.paired) FormatStandard(format_buffer_, value);
    }
    gate.ArriveAndWait();
    const uint64_t allocs_before = ThreadAllocs();
    switch (plan_.workload) {
      case Workload::kLatency:
        out_.calls = RunLatency();
        break;
      case Workload::kThroughput:
        out_.calls =
            plan_.seconds > 0 ? RunThroughputUntil(stop) : RunThroughputShare();
        break;
      case Workload::kIdle:
        target_.Log(state_, NextInt());
        out_.calls = 1;
        break;
    }
    out_.allocs = ThreadAllocs() - allocs_before;
  }

 private:
  int NextInt() { return static_cast<int>(counter_++ & 0x7fffffffu); }

  // Ticks taken by `call`, saturating.
  template <typename Call>
  uint32_t Timed(Call&& call) {
    const uint64_t a = clock_.Start();
    call();
    const uint64_t d = clock_.End() - a;
    return d > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(d);
  }

  // With a rate: waits for the next call's time.
  void Pace(uint64_t& next) {
    if (plan_.period_ticks > 0) {
      next += plan_.period_ticks;
      SpinUntil(clock_, next);
    }
  }

  int64_t RunLatency() {
    uint32_t* ticks = out_.ticks.data();
    uint64_t next = clock_.Start();
    for (int64_t n = 0; n < share_; ++n) {
      if (plan_.period_ticks > 0) {
        Pace(next);
      } else if (n % kBurst == 0 && n > 0) {
        SpinUntil(clock_, clock_.Start() + plan_.pause_ticks);
      }
      const int value = NextInt();
      ticks[n] = Timed([&] { target_.Log(state_, value); });
      if (plan_.paired && ((n + 1) % kBurst == 0 || n + 1 == share_)) {
        TimePairedBurst(n, value);
      }
    }
    return share_;
  }

  // The calls of the burst that ends with call `n` (of argument `value`),
  // formatted only, right after the burst.
  void TimePairedBurst(int64_t n, int value) {
    for (int64_t k = n - n % kBurst; k <= n; ++k) {
      const int v = value - static_cast<int>(n - k);
      out_.paired_ticks[k] = Timed([&] { FormatStandard(format_buffer_, v); });
    }
  }

  int64_t RunThroughputShare() {
    uint64_t next = plan_.period_ticks > 0 ? clock_.Start() : 0;
    int64_t n = 0;
    for (; n < share_; ++n) {
      Pace(next);
      target_.Log(state_, NextInt());
    }
    return n;
  }

  int64_t RunThroughputUntil(const std::atomic<bool>& stop) {
    uint64_t next = plan_.period_ticks > 0 ? clock_.Start() : 0;
    int64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      for (int k = 0; k < 64; ++k) {
        Pace(next);
        target_.Log(state_, NextInt());
      }
      n += 64;
    }
    return n;
  }

  Target& target_;
  const Plan& plan_;
  const TickClock& clock_;
  const int64_t share_;
  ThreadOutcome& out_;
  uint32_t counter_;
  typename Target::PerThread state_;
  fmt::memory_buffer format_buffer_;  // the paired baseline's
};

// The process's CPU use over a sleep of `seconds`, in percent of one core.
double MeasureIdleCpuPct(double seconds) {
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double cpu1 = CpuSeconds();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  return (cpu1 - cpu0) / wall * 100.0;
}

// Runs the producers: warm-up, drain, then the timed part from the gate's
// opening to the target's Finish(). Sets r.seconds, r.idle_cpu_pct and what
// the target's EndTimed() sets.
template <typename Target>
void RunProducers(Target& target, const Plan& plan, const TickClock& clock,
                  double idle_seconds, std::vector<ThreadOutcome>& outcomes,
                  RunResult& r) {
  Gate gate;
  std::atomic<bool> stop{false};  // throughput for a time
  std::vector<std::thread> pool;
  pool.reserve(plan.threads);
  for (int t = 0; t < plan.threads; ++t) {
    pool.emplace_back([&, t] {
      Producer<Target>(target, plan, clock, t, outcomes[t]).Run(gate, stop);
    });
  }
  gate.WaitForAll(plan.threads);
  target.Drain();
  target.BeginTimed();
  const auto start = std::chrono::steady_clock::now();
  gate.Open();
  if (plan.seconds > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(plan.seconds));
    stop.store(true, std::memory_order_relaxed);
  }
  for (std::thread& th : pool) th.join();
  if (plan.workload == Workload::kIdle) {
    target.Drain();
    r.idle_cpu_pct = MeasureIdleCpuPct(idle_seconds);
  } else {
    r.idle_cpu_pct = std::nan("");
  }
  target.Finish();
  const auto end = std::chrono::steady_clock::now();
  target.EndTimed(r);
  r.seconds = std::chrono::duration<double>(end - start).count();
}

// The counts over all threads: messages, rate, allocations, peak RSS.
void FillTotals(const Plan& plan, double idle_seconds,
                const std::vector<ThreadOutcome>& outcomes, RunResult& r) {
  int64_t calls = 0;
  uint64_t allocs = 0;
  for (const ThreadOutcome& o : outcomes) {
    calls += o.calls;
    allocs += o.allocs;
  }
  r.messages = static_cast<double>(calls);
  if (plan.workload == Workload::kIdle) r.seconds = idle_seconds;
  r.msgs_per_sec = plan.workload == Workload::kThroughput
                       ? static_cast<double>(calls) / r.seconds
                       : std::nan("");
  r.allocs_per_call =
      calls > 0 ? static_cast<double>(allocs) / static_cast<double>(calls) : 0;
  r.peak_rss_bytes = PeakRssBytes();
}

// Every thread's timed calls in nanoseconds (the timer's cost taken off),
// sorted.
std::vector<double> SortedNs(const std::vector<ThreadOutcome>& outcomes,
                             std::vector<uint32_t> ThreadOutcome::*ticks,
                             const TickClock& clock) {
  const double overhead = clock.overhead_ticks();
  std::vector<double> ns;
  std::size_t count = 0;
  for (const ThreadOutcome& o : outcomes) count += (o.*ticks).size();
  ns.reserve(count);
  for (const ThreadOutcome& o : outcomes) {
    for (const uint32_t t : o.*ticks) {
      ns.push_back(std::max(0.0, static_cast<double>(t) - overhead) *
                   clock.ns_per_tick());
    }
  }
  std::sort(ns.begin(), ns.end());
  return ns;
}

// The latency figures: percentiles, curve, timer cost, paired baseline
// (NaN for the other workloads).
void FillLatency(const Plan& plan, const TickClock& clock,
                 const std::vector<ThreadOutcome>& outcomes, RunResult& r) {
  const double nan = std::nan("");
  r.p50_ns = r.p90_ns = r.p99_ns = r.p999_ns = r.p9999_ns = r.max_ns = nan;
  r.timer_overhead_ns = nan;
  r.paired_format_p50_ns = nan;
  if (plan.workload != Workload::kLatency) return;
  const std::vector<double> ns =
      SortedNs(outcomes, &ThreadOutcome::ticks, clock);
  r.p50_ns = Percentile(ns, 50);
  r.p90_ns = Percentile(ns, 90);
  r.p99_ns = Percentile(ns, 99);
  r.p999_ns = Percentile(ns, 99.9);
  r.p9999_ns = Percentile(ns, 99.99);
  r.max_ns = Percentile(ns, 100);
  for (const double p : CurvePercentiles()) {
    r.curve_ns.push_back(Percentile(ns, p));
  }
  r.timer_overhead_ns = clock.overhead_ticks() * clock.ns_per_tick();
  if (plan.paired) {
    r.paired_format_p50_ns =
        Percentile(SortedNs(outcomes, &ThreadOutcome::paired_ticks, clock), 50);
  }
}

// The lines the target's file gained in the timed part (NaN without a
// file); warns when a blocking run lost some.
template <typename Target>
absl::Status FillLinesWritten(const Target& target, const Settings& s,
                              const Plan& plan, RunResult& r) {
  if (target.path().empty()) {
    r.lines_written = std::nan("");
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> lines = CountLines(target.path(), target.offset());
  if (!lines.ok()) return lines.status();
  // The sink also got the warm-up calls; the timed part's lines are the
  // rest.
  r.lines_written = static_cast<double>(*lines) -
                    static_cast<double>(plan.warmup * plan.threads);
  if (!s.drop && r.lines_written != r.messages) {
    std::fprintf(stderr, "load: %s: %s holds %.0f lines for %.0f messages\n",
                 FormatChildSpec(s.spec).c_str(), target.path().c_str(),
                 r.lines_written, r.messages);
  }
  return absl::OkStatus();
}

template <typename Target>
absl::StatusOr<RunResult> RunWorkloadOn(const Settings& s) {
  Target target;
  if (absl::Status st = target.Open(s); !st.ok()) return st;
  RunResult r;
  r.logger = std::string(LoggerKindName(s.spec.logger));
  r.workload = std::string(WorkloadName(s.spec.workload));
  r.threads = s.spec.threads;

  TickClock clock;
  if (s.spec.workload == Workload::kLatency || s.rate > 0) {
    clock = TickClock::Create();
  }
  const Plan plan = MakePlan(s, clock);
  std::vector<ThreadOutcome> outcomes = MakeOutcomes(plan);
  RunProducers(target, plan, clock, s.idle_seconds, outcomes, r);
  FillTotals(plan, s.idle_seconds, outcomes, r);
  FillLatency(plan, clock, outcomes, r);
  if (absl::Status st = FillLinesWritten(target, s, plan, r); !st.ok()) {
    return st;
  }
  return r;
}

}  // namespace

absl::StatusOr<RunResult> RunWorkload(const Settings& s) {
  switch (s.spec.logger) {
    case LoggerKind::kRelog:
    case LoggerKind::kRelogEager:
      return RunWorkloadOn<RelogTarget>(s);
    case LoggerKind::kSpdlog:
      return RunWorkloadOn<SpdlogTarget>(s);
    case LoggerKind::kFormat:
      return RunWorkloadOn<FormatTarget>(s);
  }
  return absl::InvalidArgumentError("unknown logger");
}

}  // namespace relog::load
