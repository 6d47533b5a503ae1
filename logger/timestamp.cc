// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/timestamp.h"

#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace relog::timestamp_internal {

constinit Calibration g_calibration;

namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
// The first calibration needs this much of a baseline.
constexpr int64_t kFirstBaselineNs = 1000000;  // 1 ms
// Recalibrate at least this often once calibrated.
constexpr int64_t kDefaultMaxIntervalNs = kNanosPerSecond;
// A gap to CLOCK_REALTIME larger than this is a clock step, followed at
// once; smaller gaps are steered away over the next interval.
constexpr int64_t kStepNs = 10000000;  // 10 ms
// The slope is steered by at most this fraction.
constexpr double kMaxSteer = 1e-3;

int64_t ReadClock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec;
}

#if defined(__x86_64__)
// The first line of `path` that starts with `prefix` (empty if none).
std::string FirstLineStartingWith(const char* path, std::string_view prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(prefix)) return line;
  }
  return {};
}

}  // namespace

TscFacts ReadTscFacts() {
  TscFacts facts;
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  facts.invariant = __get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) != 0 &&
                    (edx & (1u << 8)) != 0;
  constexpr const char* kDir = "/sys/devices/system/clocksource/clocksource0/";
  facts.current_clocksource =
      FirstLineStartingWith((std::string(kDir) + "current_clocksource").c_str(),
                            "");
  facts.available_clocksources = FirstLineStartingWith(
      (std::string(kDir) + "available_clocksource").c_str(), "");
  facts.cpu_flags = FirstLineStartingWith("/proc/cpuinfo", "flags");
  return facts;
}

namespace {

struct Sample {
  uint64_t tsc = 0;
  int64_t realtime_ns = 0;
  int64_t raw_ns = 0;
};

// A TSC reading and the two kernel clocks read as close together as we can
// manage: the tightest of a few tries.
Sample TakeSample() {
  Sample best;
  uint64_t best_window = UINT64_MAX;
  for (int i = 0; i < 5; ++i) {
    const uint64_t before = __rdtsc();
    const int64_t realtime = ReadClock(CLOCK_REALTIME);
    const int64_t raw = ReadClock(CLOCK_MONOTONIC_RAW);
    const uint64_t after = __rdtsc();
    if (after - before < best_window) {
      best_window = after - before;
      best.tsc = before + (after - before) / 2;
      best.realtime_ns = realtime;
      best.raw_ns = raw;
    }
  }
  return best;
}

// Writer state, under `g_lock`.
struct Writer {
  Sample first;  // the baseline for the rate
  bool calibrated = false;
  uint64_t line_ticks = 0;  // the interval the current line was made for
};
Writer g_writer;
std::atomic<bool> g_lock{false};
std::atomic<int64_t> g_max_interval_ns{kDefaultMaxIntervalNs};
std::atomic<bool> g_force_system{false};

// Decided once; also frees the writer lock in a fork()ed child, where the
// thread that held it does not exist.
const bool g_tsc_usable = [] {
  pthread_atfork(nullptr, nullptr,
                 [] { g_lock.store(false, std::memory_order_relaxed); });
  const ClockChoice choice =
      ChooseClock(std::getenv("RELOG_CLOCK"), ReadTscFacts());
  if (!choice.error.empty()) {
    // Read before main() with nowhere else to say it: the one line a
    // misspelt setting gets.
    std::fprintf(stderr, "relog: %s\n", choice.error.c_str());
  }
  if (!choice.tsc) {
    g_calibration.kernel_only.store(true, std::memory_order_relaxed);
  }
  return choice.tsc;
}();

// The writer lock, spun for briefly; not held if it stays taken (another
// thread is recalibrating, or a fork() left it held in this child).
class WriterLock {
 public:
  WriterLock() {
    for (int i = 0; i < 2000 && !held_; ++i) {
      held_ = !g_lock.load(std::memory_order_relaxed) &&
              !g_lock.exchange(true, std::memory_order_acquire);
      if (!held_) __builtin_ia32_pause();
    }
  }
  ~WriterLock() {
    if (held_) g_lock.store(false, std::memory_order_release);
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;
  bool held() const { return held_; }

 private:
  bool held_ = false;
};

// Stores into the calibration under its sequence lock: `seq` odd, the
// stores (each a release, so a reader that sees a new value also sees the
// odd `seq`), `seq` even again. Caller holds the writer lock.
template <typename Stores>
void WriteUnderSeq(Stores stores) {
  const uint64_t seq = g_calibration.seq.load(std::memory_order_relaxed);
  g_calibration.seq.store(seq + 1, std::memory_order_relaxed);
  stores();
  // store-release: publishes the fields with the even `seq`.
  g_calibration.seq.store(seq + 2, std::memory_order_release);
}

// The time at `tsc` on the published line, whatever `tsc`'s side of the
// anchor. Caller holds the lock (so the fields are stable).
int64_t OnLine(uint64_t tsc) {
  const uint64_t base_tsc =
      g_calibration.base_tsc.load(std::memory_order_relaxed);
  const int64_t base_ns = g_calibration.base_ns.load(std::memory_order_relaxed);
  const uint64_t mult = g_calibration.mult.load(std::memory_order_relaxed);
  return tsc >= base_tsc ? base_ns + TicksToNanos(tsc - base_tsc, mult)
                         : base_ns - TicksToNanos(base_tsc - tsc, mult);
}

void Publish(uint64_t base_tsc, int64_t base_ns, double ns_per_tick,
             uint64_t max_delta) {
  WriteUnderSeq([&] {
    g_calibration.base_tsc.store(base_tsc, std::memory_order_release);
    g_calibration.base_ns.store(base_ns, std::memory_order_release);
    g_calibration.mult.store(
        static_cast<uint64_t>(std::llround(ns_per_tick * 4294967296.0)),
        std::memory_order_release);
    g_calibration.max_delta.store(max_delta, std::memory_order_release);
  });
}

// Sets only `max_delta`: 0 sends every read to ReadSlow(); 1 makes the next
// read recalibrate. Caller holds the writer lock.
void PublishMaxDelta(uint64_t max_delta) {
  WriteUnderSeq([&] {
    g_calibration.max_delta.store(max_delta, std::memory_order_release);
  });
}

// Takes a sample and moves the line to it. Caller holds the lock.
void RecalibrateLocked() {
  Writer& w = g_writer;
  // Before the first calibration, one cheap read tells whether the
  // baseline is long enough yet.
  if (!w.calibrated && w.first.tsc != 0 &&
      ReadClock(CLOCK_MONOTONIC_RAW) - w.first.raw_ns < kFirstBaselineNs) {
    return;
  }
  const Sample now = TakeSample();
  if (w.first.tsc == 0) {
    w.first = now;
    return;
  }
  const int64_t baseline_ns = now.raw_ns - w.first.raw_ns;
  if (baseline_ns < kFirstBaselineNs || now.tsc <= w.first.tsc) return;
  const double rate = static_cast<double>(baseline_ns) /
                      static_cast<double>(now.tsc - w.first.tsc);
  const int64_t max_interval =
      g_max_interval_ns.load(std::memory_order_relaxed);
  const int64_t next_interval = std::min(
      max_interval, std::max<int64_t>(baseline_ns, kFirstBaselineNs));
  // The new line starts at the moment of publishing, not of the sample:
  // readers still on the old line until the switch then read no later a
  // time than the new line gives right after it.
  uint64_t anchor_tsc = now.tsc;
  int64_t anchor_ns = now.realtime_ns;
  double slope = rate;
  const uint64_t base_tsc =
      g_calibration.base_tsc.load(std::memory_order_relaxed);
  // A line used for more than twice its interval (nobody read the clock
  // for a while) has carried its steering too far to continue: start
  // afresh from the kernel's time. Time cannot go backwards by it: the last
  // reading on the old line was at least one interval ago, more than the
  // line can have drifted.
  const bool fresh = now.tsc - base_tsc > 2 * w.line_ticks;
  if (w.calibrated && !fresh) {
    // Continue the old line, steering toward the kernel's time.
    const int64_t gap = now.realtime_ns - OnLine(now.tsc);
    if (gap <= kStepNs && gap >= -kStepNs) {
      const double steer = std::clamp(
          static_cast<double>(gap) / static_cast<double>(next_interval),
          -kMaxSteer, kMaxSteer);
      slope = rate * (1.0 + steer);
      anchor_tsc = __rdtsc();
      anchor_ns = OnLine(anchor_tsc);
    }
  }
  const uint64_t max_delta =
      static_cast<uint64_t>(static_cast<double>(next_interval) / rate);
  Publish(anchor_tsc, anchor_ns, slope, max_delta);
  w.calibrated = true;
  w.line_ticks = max_delta;
}

#endif  // __x86_64__

}  // namespace

namespace {
// True when `word` is one of the space-separated words of `list`.
bool HasWord(std::string_view list, std::string_view word) {
  while (!list.empty()) {
    const std::size_t space = list.find_first_of(" \t");
    if (list.substr(0, space) == word) return true;
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return false;
}
}  // namespace

ClockChoice ChooseClock(const char* setting, const TscFacts& facts) {
  const std::string_view value = setting == nullptr ? "" : setting;
  ClockChoice choice;
  if (value == "system") return choice;
  if (value == "tsc") {
    choice.tsc = facts.invariant;
    if (!choice.tsc) {
      choice.error =
          "RELOG_CLOCK=tsc: this CPU's time-stamp counter is not invariant "
          "(it changes rate with power states); using clock_gettime";
    }
    return choice;
  }
  if (!value.empty() && value != "auto") {
    choice.error = "RELOG_CLOCK=" + std::string(value) +
                   ": not one of auto, tsc, system; using auto";
  }
  // The kernel vouches for the counter when it is its clock, when it keeps
  // it as a candidate (its watchdog drops a counter it catches drifting),
  // or when the platform declares it reliable (a hypervisor that keeps the
  // vCPUs' counters in step, as on KVM guests that keep kvm-clock).
  choice.tsc = facts.invariant &&
               (HasWord(facts.current_clocksource, "tsc") ||
                HasWord(facts.available_clocksources, "tsc") ||
                HasWord(facts.cpu_flags, "tsc_reliable"));
  return choice;
}

int64_t SystemNanos() { return ReadClock(CLOCK_REALTIME); }

#if defined(__x86_64__)
int64_t ReadSlow(uint64_t tsc) {
  if (!g_tsc_usable || g_force_system.load(std::memory_order_relaxed)) {
    return SystemNanos();
  }
  const WriterLock lock;
  if (!lock.held()) return SystemNanos();
  const uint64_t base_tsc =
      g_calibration.base_tsc.load(std::memory_order_relaxed);
  if (g_writer.calibrated && tsc < base_tsc) {
    // `tsc` was read before the current line began (another thread moved
    // it meanwhile). Every earlier reading on this thread was on an older
    // line, which ends where this one starts: the start is the answer that
    // keeps time from going backwards.
    return g_calibration.base_ns.load(std::memory_order_relaxed);
  }
  const uint64_t max_delta =
      g_calibration.max_delta.load(std::memory_order_relaxed);
  if (max_delta == 0 || tsc - base_tsc >= max_delta) RecalibrateLocked();
  if (!g_writer.calibrated) return SystemNanos();
  // The line may have moved past `tsc`: as above, its start then.
  return OnLine(
      std::max(tsc, g_calibration.base_tsc.load(std::memory_order_relaxed)));
}

bool TscUsable() { return g_tsc_usable; }

const char* ClockSource() {
  const bool tsc = g_tsc_usable &&
                   !g_force_system.load(std::memory_order_relaxed) &&
                   g_calibration.max_delta.load(std::memory_order_relaxed) > 0;
  return tsc ? "tsc" : "system";
}

void SetMaxIntervalForTesting(int64_t nanos) {
  g_max_interval_ns.store(nanos > 0 ? nanos : kDefaultMaxIntervalNs,
                          std::memory_order_relaxed);
  // Make the next read recalibrate with the new bound.
  const WriterLock lock;
  if (lock.held() && g_writer.calibrated) PublishMaxDelta(1);
}

void ForceSystemClockForTesting(bool force) {
  g_force_system.store(force, std::memory_order_relaxed);
  g_calibration.kernel_only.store(force || !g_tsc_usable,
                                  std::memory_order_relaxed);
  const WriterLock lock;
  if (lock.held()) PublishMaxDelta(force || !g_writer.calibrated ? 0 : 1);
}
#else
int64_t ReadSlow(uint64_t) { return SystemNanos(); }
bool TscUsable() { return false; }
const char* ClockSource() { return "system"; }
void SetMaxIntervalForTesting(int64_t) {}
void ForceSystemClockForTesting(bool) {}
#endif

}  // namespace relog::timestamp_internal
