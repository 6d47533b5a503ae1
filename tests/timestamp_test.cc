// SPDX-License-Identifier: Apache-2.0
//
// relog::ReadTimestampNanos(): agrees with the kernel's CLOCK_REALTIME and
// never goes backwards on a thread, including across recalibrations forced
// every few microseconds, and on the kernel-clock fallback; which clock a
// machine's facts and the RELOG_CLOCK setting choose (ChooseClock(), and in
// a child process that reads the setting as a service would).

#include "relog/logger/timestamp.h"

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace relog {
namespace {

// The child binary (tests/child_main.cc), from the command line.
const char* g_child = nullptr;

using ::relog::testing::ChildResult;
using ::relog::testing::RunChild;
using timestamp_internal::ChooseClock;
using timestamp_internal::ClockChoice;
using timestamp_internal::ClockSource;
using timestamp_internal::ForceSystemClockForTesting;
using timestamp_internal::SetMaxIntervalForTesting;
using timestamp_internal::TscFacts;
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

// The machines of the README: a host whose kernel runs on the TSC, and a
// KVM guest on kvm-clock whose platform flags the TSC reliable.
TscFacts HostFacts() {
  return {true, "tsc", "tsc hpet acpi_pm", "flags\t\t: fpu tsc constant_tsc"};
}
TscFacts GuestFacts() {
  return {true, "kvm-clock", "kvm-clock",
          "flags\t\t: fpu tsc constant_tsc nonstop_tsc tsc_reliable"};
}

TEST(ChooseClockTest, AutoTakesTheCounterTheKernelVouchesFor) {
  EXPECT_TRUE(ChooseClock(nullptr, HostFacts()).tsc);
  EXPECT_TRUE(ChooseClock(nullptr, GuestFacts()).tsc);
  EXPECT_TRUE(ChooseClock("auto", GuestFacts()).tsc);
  // A candidate the kernel still watches counts too.
  TscFacts candidate = GuestFacts();
  candidate.cpu_flags = "flags\t\t: fpu tsc constant_tsc nonstop_tsc";
  candidate.available_clocksources = "kvm-clock tsc acpi_pm";
  EXPECT_TRUE(ChooseClock(nullptr, candidate).tsc);
  EXPECT_EQ(ChooseClock(nullptr, candidate).error, "");
}

TEST(ChooseClockTest, AutoRefusesACounterNobodyVouchesFor) {
  TscFacts unvouched = GuestFacts();
  unvouched.cpu_flags = "flags\t\t: fpu tsc constant_tsc nonstop_tsc";
  EXPECT_FALSE(ChooseClock(nullptr, unvouched).tsc);
  // "tsc_reliable" must be a flag of its own, not part of another word.
  unvouched.cpu_flags = "flags\t\t: fpu not_tsc_reliable_at_all";
  EXPECT_FALSE(ChooseClock(nullptr, unvouched).tsc);
  TscFacts variable = HostFacts();
  variable.invariant = false;
  EXPECT_FALSE(ChooseClock(nullptr, variable).tsc);
  EXPECT_FALSE(ChooseClock("tsc", variable).tsc);
  EXPECT_NE(ChooseClock("tsc", variable).error.find("not invariant"),
            std::string::npos);
}

TEST(ChooseClockTest, TheSettingOverrides) {
  EXPECT_FALSE(ChooseClock("system", HostFacts()).tsc);
  EXPECT_EQ(ChooseClock("system", HostFacts()).error, "");
  TscFacts unvouched = GuestFacts();
  unvouched.cpu_flags.clear();
  EXPECT_TRUE(ChooseClock("tsc", unvouched).tsc);
}

TEST(ChooseClockTest, ABadSettingIsNamedAndActsAsAuto) {
  const ClockChoice choice = ChooseClock("rdtsc", GuestFacts());
  EXPECT_TRUE(choice.tsc);
  EXPECT_EQ(choice.error,
            "RELOG_CLOCK=rdtsc: not one of auto, tsc, system; using auto");
  TscFacts unvouched = GuestFacts();
  unvouched.cpu_flags.clear();
  EXPECT_FALSE(ChooseClock("TSC", unvouched).tsc);
}

// RELOG_CLOCK as a process reads it, before main(): the child reports the
// clock it ended up with, and names a bad value.
ChildResult ClockChild(const std::string& setting) {
  return RunChild({g_child, "clock-source"}, std::chrono::seconds(30),
                  {"RELOG_CLOCK=" + setting});
}

TEST(ClockSettingTest, SystemForcesTheKernelClock) {
  const ChildResult r = ClockChild("system");
  EXPECT_EQ(r.Describe(), "exit 0");
  EXPECT_EQ(r.output, "clock: system\n");
}

TEST(ClockSettingTest, AutoFollowsTheMachine) {
  const ChildResult r = ClockChild("auto");
  EXPECT_EQ(r.Describe(), "exit 0");
  // The same rule as this process, which read no setting.
  EXPECT_EQ(r.output, TscUsable() ? "clock: tsc\n" : "clock: system\n");
}

TEST(ClockSettingTest, ABadValueIsNamedOnStderr) {
  const ChildResult r = ClockChild("fast");
  EXPECT_EQ(r.Describe(), "exit 0");
  EXPECT_NE(r.output.find("relog: RELOG_CLOCK=fast: not one of auto, tsc, "
                          "system; using auto\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(TscUsable() ? "clock: tsc\n" : "clock: system\n"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace relog

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: timestamp_test CHILD_BINARY\n");
    return 2;
  }
  // This process's own clock must be the automatic choice.
  if (std::getenv("RELOG_CLOCK") != nullptr) {
    std::fprintf(stderr, "timestamp_test: run it without RELOG_CLOCK\n");
    return 2;
  }
  relog::g_child = argv[1];
  return RUN_ALL_TESTS();
}
