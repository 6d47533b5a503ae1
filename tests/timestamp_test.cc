// SPDX-License-Identifier: Apache-2.0
//
// relog::ReadTimestampNanos(): agrees with the kernel's CLOCK_REALTIME and
// never goes backwards on a thread, including across recalibrations forced
// every few microseconds, and on the kernel-clock fallback.

#include "logger/timestamp.h"

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace relog {
namespace {

using timestamp_internal::ClockSource;
using timestamp_internal::ForceSystemClockForTesting;
using timestamp_internal::SetMaxIntervalForTesting;
using timestamp_internal::TscUsable;

int64_t KernelNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Reads for at least `ms` milliseconds of wall time, checking each against
// the kernel's clock read just before and just after it. Returns the number
// of readings outside [before - tolerance, after + tolerance].
int DisagreementsOver(int ms, int64_t tolerance_ns) {
  int bad = 0;
  const int64_t end = KernelNanos() + int64_t{ms} * 1000000;
  for (;;) {
    const int64_t before = KernelNanos();
    const int64_t ours = ReadTimestampNanos();
    const int64_t after = KernelNanos();
    if (ours < before - tolerance_ns || ours > after + tolerance_ns) ++bad;
    if (after > end) break;
  }
  return bad;
}

// Two threads read as fast as they can; returns the backward steps seen.
int64_t BackwardStepsOnTwoThreads(int reads_per_thread) {
  std::vector<std::thread> threads;
  std::vector<int64_t> backwards(2, 0);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&backwards, t, reads_per_thread] {
      int64_t last = ReadTimestampNanos();
      for (int i = 0; i < reads_per_thread; ++i) {
        const int64_t now = ReadTimestampNanos();
        if (now < last) ++backwards[t];
        last = now;
      }
    });
  }
  for (auto& t : threads) t.join();
  return backwards[0] + backwards[1];
}

// Within 100 us of the kernel's clock (the gap between two kernel reads on
// a busy VM is itself often tens of microseconds).
constexpr int64_t kTolerance = 100000;

TEST(TimestampTest, AgreesWithTheKernelClock) {
  EXPECT_EQ(DisagreementsOver(50, kTolerance), 0);
}

TEST(TimestampTest, UsesTheCounterOnceCalibratedWhereItIsUsable) {
  DisagreementsOver(5, kTolerance);  // 5 ms of reads: past the 1 ms baseline
  if (TscUsable()) {
    EXPECT_STREQ(ClockSource(), "tsc");
  } else {
    EXPECT_STREQ(ClockSource(), "system");
  }
}

TEST(TimestampTest, NeverGoesBackwardsOnAThread) {
  EXPECT_EQ(BackwardStepsOnTwoThreads(2000000), 0);
}

TEST(TimestampTest, FrequentRecalibrationKeepsTimeContinuousAndClose) {
  SetMaxIntervalForTesting(20000);  // recalibrate every 20 us
  EXPECT_EQ(BackwardStepsOnTwoThreads(1000000), 0);
  EXPECT_EQ(DisagreementsOver(50, kTolerance), 0);
  SetMaxIntervalForTesting(0);
}

TEST(TimestampTest, ALineUnreadForManyIntervalsStartsAfresh) {
  // Short lines, each steered by up to 0.1 %; then nobody reads the clock
  // for 300 ms, over which such a slope drifts by up to 300 us (the passing
  // of time is the point here, not a synchronisation).
  SetMaxIntervalForTesting(20000);
  EXPECT_EQ(DisagreementsOver(5, kTolerance), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(DisagreementsOver(20, kTolerance), 0);
  SetMaxIntervalForTesting(0);
}

TEST(TimestampTest, KernelClockFallbackAgreesAndStaysMonotonic) {
  ForceSystemClockForTesting(true);
  EXPECT_STREQ(ClockSource(), "system");
  EXPECT_EQ(DisagreementsOver(20, 0), 0);  // it is the kernel's clock
  EXPECT_EQ(BackwardStepsOnTwoThreads(200000), 0);
  ForceSystemClockForTesting(false);
  EXPECT_EQ(DisagreementsOver(20, kTolerance), 0);
}

}  // namespace
}  // namespace relog
