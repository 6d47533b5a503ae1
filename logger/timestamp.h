// SPDX-License-Identifier: Apache-2.0
//
// logger/timestamp.h: the wall-clock read on the log call's path.
//
// ReadTimestampNanos() reads the CPU's time-stamp counter and converts it
// to nanoseconds since the Unix epoch with a calibration against the
// kernel's clocks: a line through an anchor point with a slope. The
// slope is the counter's rate measured against CLOCK_MONOTONIC_RAW over
// everything since the first sample (so it gets more precise the longer the
// process runs), and each recalibration moves the anchor to the current
// point of the old line and steers the slope so that the gap to
// CLOCK_REALTIME closes over the next interval. The line is therefore
// continuous and rising: time read on one thread never goes backwards,
// except when the wall clock itself is stepped by more than 10 ms (then
// the anchor jumps to it, as clock_gettime would).
//
// Recalibration happens on whichever call finds its anchor too old: after
// 1 ms, 2 ms, 4 ms... up to once a second. Until the first 1 ms of samples
// exists, and wherever the counter is not a usable clock (not x86, no
// invariant TSC, or a TSC the kernel does not vouch for; see ChooseClock()
// for the rule and the RELOG_CLOCK setting), the answer comes from
// clock_gettime(CLOCK_REALTIME).
//
// Why not absl::GetCurrentTimeNanos(), which does the same in spirit: it
// takes a slow path (a process-wide spinlock and a kernel read) on every
// call for its first seconds while it gathers samples, which made
// short-lived processes and every service's start-up burst pay it (seen
// with //bench:load, whose runs last seconds).
//
// tests/timestamp_test.cc checks agreement with CLOCK_REALTIME and
// per-thread monotonicity across many forced recalibrations.
// Thread-safe.

#ifndef RELOG_LOGGER_TIMESTAMP_H_
#define RELOG_LOGGER_TIMESTAMP_H_

#include <atomic>
#include <cstdint>
#include <string>

namespace relog {
namespace timestamp_internal {

// The published calibration, under a sequence lock: a writer makes `seq`
// odd, stores the fields (each a release store, so the odd `seq` is visible
// first), then makes it even again; a reader takes the slow path when it
// sees an odd or changed `seq`. No standalone fences (which TSan cannot
// check); on x86 every one of these is a plain load or store.
struct Calibration {
  std::atomic<uint64_t> seq{0};
  std::atomic<uint64_t> base_tsc{0};
  std::atomic<int64_t> base_ns{0};
  // Nanoseconds per tick, in units of 2^-32 ns.
  std::atomic<uint64_t> mult{0};
  // Ticks after base_tsc for which this calibration may be used; 0 until
  // the first calibration, so every read takes the slow path.
  std::atomic<uint64_t> max_delta{0};
  // Set once it is known that the counter is not a usable clock here (or a
  // test forces the kernel's): reads go straight to clock_gettime, without
  // reading the counter first.
  std::atomic<bool> kernel_only{false};
};
extern Calibration g_calibration;

// Nanoseconds in `ticks` at `mult` (nanoseconds per tick, in 2^-32 ns).
inline int64_t TicksToNanos(uint64_t ticks, uint64_t mult) {
  return static_cast<int64_t>(
      (static_cast<unsigned __int128>(ticks) * mult) >> 32);
}

// Recalibrates if due (or falls back to the kernel clock) and returns the
// time at `tsc`.
int64_t ReadSlow(uint64_t tsc);

// The kernel's CLOCK_REALTIME, in nanoseconds since the epoch.
int64_t SystemNanos();

// True when the time-stamp counter serves as the clock here (decided once,
// before main(), by ChooseClock()).
bool TscUsable();

// What decides it: the CPU's and the kernel's word on the counter...
struct TscFacts {
  bool invariant = false;  // CPUID: constant rate in every power state
  std::string current_clocksource;     // the kernel's clock
  std::string available_clocksources;  // the kernel's candidates
  std::string cpu_flags;               // /proc/cpuinfo's "flags" line
};
// ...and the environment variable RELOG_CLOCK (null when unset): "auto" or
// unset, the counter when it is invariant and the kernel vouches for it (its
// clock, one of its candidate clocks, or flagged `tsc_reliable`); "system",
// clock_gettime always; "tsc", the counter whenever it is invariant. Any
// other value is reported in `error` and treated as "auto".
struct ClockChoice {
  bool tsc = false;
  std::string error;
};
ClockChoice ChooseClock(const char* setting, const TscFacts& facts);

#if defined(__x86_64__)
// ReadTscFacts(): what this machine says about its counter (CPUID, the
// kernel's clocksource files, /proc/cpuinfo). Reads files: call it once,
// not on a hot path. Thread-safe. (//bench:load asks ChooseClock() with
// these facts and no setting, so its timer follows the same rule as the
// library's clock but not RELOG_CLOCK.)
TscFacts ReadTscFacts();
#endif

// "tsc" or "system": what the fast path is using now (for diagnostics).
const char* ClockSource();

// Tests only: caps the recalibration interval (0 restores the default of
// one second), or forces the kernel clock for every read.
void SetMaxIntervalForTesting(int64_t nanos);
void ForceSystemClockForTesting(bool force);

}  // namespace timestamp_internal

// ReadTimestampNanos(): nanoseconds since the Unix epoch.
inline int64_t ReadTimestampNanos() {
#if defined(__x86_64__)
  using timestamp_internal::g_calibration;
  if (g_calibration.kernel_only.load(std::memory_order_relaxed)) [[unlikely]] {
    return timestamp_internal::SystemNanos();
  }
  // The compiler's builtin rather than <x86intrin.h>'s __rdtsc(): that
  // header (every x86 intrinsic) would be parsed by every file that logs.
  const uint64_t tsc = __builtin_ia32_rdtsc();
  // All loads acquire (plain loads on x86): a field value written by a
  // concurrent writer makes the second load of `seq` see that writer's odd
  // `seq`, so a torn read is always detected.
  const uint64_t seq0 = g_calibration.seq.load(std::memory_order_acquire);
  const uint64_t base_tsc =
      g_calibration.base_tsc.load(std::memory_order_acquire);
  const int64_t base_ns = g_calibration.base_ns.load(std::memory_order_acquire);
  const uint64_t mult = g_calibration.mult.load(std::memory_order_acquire);
  const uint64_t max_delta =
      g_calibration.max_delta.load(std::memory_order_acquire);
  const uint64_t seq1 = g_calibration.seq.load(std::memory_order_relaxed);
  const uint64_t delta = tsc - base_tsc;  // huge if tsc < base_tsc
  if (seq0 == seq1 && (seq0 & 1) == 0 && delta < max_delta) [[likely]] {
    return base_ns + timestamp_internal::TicksToNanos(delta, mult);
  }
  return timestamp_internal::ReadSlow(tsc);
#else
  return timestamp_internal::SystemNanos();
#endif
}

}  // namespace relog

#endif  // RELOG_LOGGER_TIMESTAMP_H_
