// SPDX-License-Identifier: Apache-2.0
//
// The log call's clock must be correct: it agrees with the kernel's
// CLOCK_REALTIME (within a generous bound for a loaded machine) and never
// goes backwards on one thread.

#include "logger/timestamp.h"

#include <time.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace relog {
namespace {

int64_t KernelNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

TEST(TimestampTest, AgreesWithTheKernelClock) {
  for (int i = 0; i < 1000; ++i) {
    const int64_t before = KernelNanos();
    const int64_t ours = ReadTimestampNanos();
    const int64_t after = KernelNanos();
    // Between the two kernel reads, give or take 5 ms of calibration error.
    EXPECT_GE(ours, before - 5000000);
    EXPECT_LE(ours, after + 5000000);
  }
}

TEST(TimestampTest, NeverGoesBackwardsOnAThread) {
  std::vector<std::thread> threads;
  std::vector<int64_t> backwards(2, 0);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&backwards, t] {
      int64_t last = ReadTimestampNanos();
      for (int i = 0; i < 2000000; ++i) {
        const int64_t now = ReadTimestampNanos();
        if (now < last) ++backwards[t];
        last = now;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(backwards[0], 0);
  EXPECT_EQ(backwards[1], 0);
}

}  // namespace
}  // namespace relog
