// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/rate_limit.h: the per-call-site state behind the rate-limited
// macros (RELOG_INFO_EVERY_N, RELOG_INFO_FIRST_N, RELOG_INFO_EVERY and the
// other levels' forms, defined in logger/logger.h).
//
// Each macro keeps one of these in a function-local static, constant-
// initialized (no guard, no allocation), shared by every thread that runs
// the call site. Admit() decides whether this call logs and, if so, how
// many calls it suppressed since the last one that logged (kSuppress
// otherwise). A suppressed call evaluates none of the call's arguments;
// what it costs besides the logger's level check:
//   EveryN   one relaxed fetch_add;
//   FirstN   one relaxed load (once the first N have logged);
//   Every    a clock read (relog's, logger/timestamp.h) and one relaxed
//            fetch_add (measured in the README's "Performance").
//
// Counting is exact under concurrency: every call is either logged or
// counted once in the "suppressed" figure of the next call that logs.
//
// Thread-safe.

#ifndef RELOG_LOGGER_RATE_LIMIT_H_
#define RELOG_LOGGER_RATE_LIMIT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>

namespace relog::logger_internal {

// What Admit() returns for a call that does not log.
inline constexpr uint64_t kSuppress = std::numeric_limits<uint64_t>::max();

// Logs the 1st, (n+1)th, (2n+1)th... call; n below 1 counts as 1.
class EveryN {
 public:
  constexpr EveryN() = default;
  uint64_t Admit(int64_t n) {
    const uint64_t every = n < 1 ? 1 : static_cast<uint64_t>(n);
    const uint64_t call = calls_.fetch_add(1, std::memory_order_relaxed);
    if (call % every != 0) return kSuppress;
    return call == 0 ? 0 : every - 1;
  }

 private:
  std::atomic<uint64_t> calls_{0};
};

// Logs the first n calls, then none: there is no next entry to carry a
// count, so none is kept.
class FirstN {
 public:
  constexpr FirstN() = default;
  uint64_t Admit(int64_t n) {
    const uint64_t first = n < 0 ? 0 : static_cast<uint64_t>(n);
    // The load first: once the first n have logged, a call costs a load,
    // and the counter stops growing (racing callers push it a little past
    // n at most).
    if (calls_.load(std::memory_order_relaxed) >= first) return kSuppress;
    return calls_.fetch_add(1, std::memory_order_relaxed) < first ? 0
                                                                  : kSuppress;
  }

 private:
  std::atomic<uint64_t> calls_{0};
};

// Logs a call when at least `period` has passed since the last one logged
// (the first call logs). `now_ns` is the caller's clock reading (relog's
// wall clock). A reading up to two periods before the next slot counts as
// early (threads race between their clock reads and the site); one further
// back means the wall clock was stepped back, and re-arms the site rather
// than silencing it for as long as the step.
//
// The state is one word, so that a suppressed call costs one fetch_add: the
// next slot's time (40 bits, in ticks of 2^16 ns = 65.5 us, wrapping every
// 2.3 years, which the site takes for a step back: one early entry), and
// the calls since the last entry (24 bits). A period is rounded up to whole
// ticks, plus one, so that two entries are never less than `period` apart.
// Every call adds one to the count; the call that claims the next slot
// swaps in the new time and a zero count, and reports what it took; calls
// that raced it and lost were in that count. Counts beyond 24 bits carry
// into `overflow_` (one caller in 2^24 pays a second atomic).
class Every {
 public:
  static constexpr int kTickShift = 16;
  static constexpr int kCountBits = 24;
  static constexpr uint64_t kCountMask = (uint64_t{1} << kCountBits) - 1;
  static constexpr uint64_t kTickMask = (uint64_t{1} << 40) - 1;

  constexpr Every() = default;
  uint64_t Admit(int64_t period_ns, int64_t now_ns) {
    const uint64_t old = state_.fetch_add(1, std::memory_order_relaxed);
    if ((old & kCountMask) == kCountMask) [[unlikely]] {
      // This call carried the count into the time: the count goes on in
      // overflow_, and the slot is one tick later (which nothing minds).
      overflow_.fetch_add(kCountMask + 1, std::memory_order_relaxed);
    }
    const uint64_t next = old >> kCountBits;
    const uint64_t now = Ticks(now_ns);
    const uint64_t period = PeriodTicks(period_ns);
    // Ticks from now to the slot (mod 2^40): 1..2 periods is early.
    const uint64_t ahead = (next - now) & kTickMask;
    if (next != kArmed && ahead != 0 && ahead <= 2 * period) return kSuppress;
    uint64_t cur = old + 1;
    const uint64_t slot = (now + period) & kTickMask;
    const uint64_t claimed = (slot == kArmed ? 1 : slot) << kCountBits;
    while ((cur >> kCountBits) == next) {
      if (state_.compare_exchange_weak(cur, claimed,
                                       std::memory_order_relaxed)) {
        // The calls counted since the last entry, less this one.
        return (cur & kCountMask) - 1 +
               overflow_.exchange(0, std::memory_order_relaxed);
      }
    }
    return kSuppress;  // another call took the slot (and counted this one)
  }
  template <typename Rep, typename Period>
  uint64_t Admit(std::chrono::duration<Rep, Period> period, int64_t now_ns) {
    return Admit(
        std::chrono::duration_cast<std::chrono::nanoseconds>(period).count(),
        now_ns);
  }

 private:
  // The slot of a site that has not logged yet.
  static constexpr uint64_t kArmed = 0;
  static uint64_t Ticks(int64_t ns) {
    return (static_cast<uint64_t>(ns) >> kTickShift) & kTickMask;
  }
  static uint64_t PeriodTicks(int64_t ns) {
    if (ns <= 0) return 1;
    // At most a quarter of the tick range, so that "early" stays
    // unambiguous (about 7 months).
    const uint64_t ticks = (static_cast<uint64_t>(ns) >> kTickShift) + 2;
    return ticks < (kTickMask >> 2) ? ticks : (kTickMask >> 2);
  }

  std::atomic<uint64_t> state_{0};
  std::atomic<uint64_t> overflow_{0};
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_RATE_LIMIT_H_
