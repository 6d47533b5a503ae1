// SPDX-License-Identifier: Apache-2.0
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
//   Every    a clock read (relog's, ~11 ns where the TSC serves), a relaxed
//            load, and a relaxed fetch_add of the suppressed count.
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
// wall clock). A reading up to a period before the last entry's counts as
// early (threads race between their clock reads and the site); one further
// back means the wall clock was stepped back, and re-arms the site rather
// than silencing it for as long as the step.
class Every {
 public:
  constexpr Every() = default;
  uint64_t Admit(int64_t period_ns, int64_t now_ns) {
    int64_t next = next_ns_.load(std::memory_order_relaxed);
    // (`next` is the last entry's time plus a period.)
    const bool early = now_ns < next && now_ns >= next - 2 * period_ns;
    // One caller per period wins the slot; the others count themselves.
    if (early || !next_ns_.compare_exchange_strong(
                     next, now_ns + period_ns, std::memory_order_relaxed)) {
      suppressed_.fetch_add(1, std::memory_order_relaxed);
      return kSuppress;
    }
    return suppressed_.exchange(0, std::memory_order_relaxed);
  }
  template <typename Rep, typename Period>
  uint64_t Admit(std::chrono::duration<Rep, Period> period, int64_t now_ns) {
    return Admit(
        std::chrono::duration_cast<std::chrono::nanoseconds>(period).count(),
        now_ns);
  }

 private:
  // Kept on one line: a logging call touches both.
  std::atomic<int64_t> next_ns_{std::numeric_limits<int64_t>::min()};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_RATE_LIMIT_H_
