// SPDX-License-Identifier: Apache-2.0
//
// bench/load_clock.h: TickClock, the clock the load program times each call
// with: the TSC where relog's own clock would choose it by default
// (calibrated against steady_clock), else CLOCK_MONOTONIC; its own cost is
// measured so that it can be taken off.
//
// A TickClock is thread-compatible; its const methods may be called from
// any number of threads at once.

#ifndef RELOG_BENCH_LOAD_CLOCK_H_
#define RELOG_BENCH_LOAD_CLOCK_H_

#include <time.h>
#include <x86intrin.h>

#include <chrono>
#include <cstdint>
#include <utility>
#include <vector>

#include "bench/load_result.h"
#include "relog/logger/timestamp.h"

namespace relog::load {

class TickClock {
 public:
  // TickClock::Create(): the TSC when relog's rule for its own clock picks
  // it by default (timestamp_internal::ChooseClock(): invariant, and the
  // kernel vouches for it), else CLOCK_MONOTONIC. RELOG_CLOCK is not
  // consulted: forcing relog's clock does not change the timer measuring
  // it.
  static TickClock Create() {
    TickClock c;
    c.use_tsc_ = timestamp_internal::ChooseClock(
                     nullptr, timestamp_internal::ReadTscFacts())
                     .tsc;
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

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_CLOCK_H_
