// SPDX-License-Identifier: Apache-2.0
//
// The conditional and rate-limited macros (RELOG_INFO_IF, _EVERY_N,
// _FIRST_N, _EVERY and the other levels' forms): which calls log, that a
// call that does not log evaluates no argument, the " [N suppressed]" count
// on the entry after suppressed calls (exact across threads), the level
// check before everything, and the per-site state of logger/rate_limit.h
// driven with explicit clock readings (so no test waits on real time).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/logger/rate_limit.h"
#include "relog/sinks/memory_sink.h"
#include "tests/logger_test_util.h"

namespace relog {
namespace {

using logger_internal::Every;
using logger_internal::EveryN;
using logger_internal::FirstN;
using logger_internal::kSuppress;
using ::testing::ElementsAre;

// Each test's call sites are its own: a site's state lives as long as the
// process, so no two tests (and no two runs of one) may share a site.
class RateLimitTest : public ::testing::Test {
 protected:
  explicit RateLimitTest(bool deferred = true) {
    LoggerOptions options = testing::TestLoggerOptions("rate");
    options.level = Level::kInfo;
    options.deferred_formatting = deferred;
    logger_ = std::make_unique<Logger>(options,
                                       std::vector<std::shared_ptr<Sink>>{sink_});
  }
  std::vector<std::string> Messages() {
    logger_->Flush();
    return sink_->messages();
  }
  // An argument that counts its evaluations.
  int Counted(int value) {
    ++evaluations_;
    return value;
  }

  std::shared_ptr<MemorySink> sink_ = std::make_shared<MemorySink>();
  std::unique_ptr<Logger> logger_;
  int evaluations_ = 0;
};

TEST_F(RateLimitTest, IfLogsOnlyWhenTheConditionHolds) {
  for (int i = 0; i < 6; ++i) {
    RELOG_INFO_IF(*logger_, i % 2 == 0, "even {}", Counted(i));
  }
  EXPECT_THAT(Messages(), ElementsAre("even 0", "even 2", "even 4"));
  EXPECT_EQ(evaluations_, 3);
}

TEST_F(RateLimitTest, IfChecksTheLevelBeforeTheCondition) {
  int conditions = 0;
  RELOG_DEBUG_IF(*logger_, ++conditions > 0, "debug {}", Counted(1));
  EXPECT_EQ(conditions, 0);
  EXPECT_THAT(Messages(), ElementsAre());
  EXPECT_EQ(evaluations_, 0);
}

TEST_F(RateLimitTest, EveryNLogsTheFirstAndEachNthWithTheCount) {
  for (int i = 0; i < 10; ++i) {
    RELOG_WARN_EVERY_N(*logger_, 3, "call {}", Counted(i));
  }
  EXPECT_THAT(Messages(), ElementsAre("call 0", "call 3 [2 suppressed]",
                                      "call 6 [2 suppressed]",
                                      "call 9 [2 suppressed]"));
  EXPECT_EQ(evaluations_, 4);
  EXPECT_THAT(sink_->levels(), ElementsAre(Level::kWarn, Level::kWarn,
                                           Level::kWarn, Level::kWarn));
}

TEST_F(RateLimitTest, EachCallSiteCountsOnItsOwn) {
  for (int i = 0; i < 4; ++i) {
    RELOG_INFO_EVERY_N(*logger_, 2, "a {}", i);
    RELOG_INFO_EVERY_N(*logger_, 4, "b {}", i);
  }
  EXPECT_THAT(Messages(), ElementsAre("a 0", "b 0", "a 2 [1 suppressed]"));
}

TEST_F(RateLimitTest, ANBelowOneLogsEveryCall) {
  for (int i = 0; i < 3; ++i) RELOG_INFO_EVERY_N(*logger_, 0, "n0 {}", i);
  EXPECT_THAT(Messages(), ElementsAre("n0 0", "n0 1", "n0 2"));
}

TEST_F(RateLimitTest, FirstNLogsTheFirstNOnly) {
  for (int i = 0; i < 5; ++i) {
    RELOG_ERROR_FIRST_N(*logger_, 2, "first {}", Counted(i));
  }
  EXPECT_THAT(Messages(), ElementsAre("first 0", "first 1"));
  EXPECT_EQ(evaluations_, 2);
}

TEST_F(RateLimitTest, EveryLogsOncePerPeriod) {
  // An hour: only the first of these calls can log.
  for (int i = 0; i < 5; ++i) {
    RELOG_INFO_EVERY(*logger_, std::chrono::hours(1), "hourly {}",
                     Counted(i));
  }
  EXPECT_THAT(Messages(), ElementsAre("hourly 0"));
  EXPECT_EQ(evaluations_, 1);
}

TEST_F(RateLimitTest, ACallAtALevelThatIsOffIsNotCounted) {
  for (int i = 0; i < 4; ++i) {
    RELOG_DEBUG_EVERY_N(*logger_, 2, "debug {}", Counted(i));
  }
  logger_->set_level(Level::kDebug);
  for (int i = 0; i < 3; ++i) {
    RELOG_DEBUG_EVERY_N(*logger_, 2, "debug {}", Counted(i));
  }
  // The site saw three calls, not seven.
  EXPECT_THAT(Messages(), ElementsAre("debug 0", "debug 2 [1 suppressed]"));
  EXPECT_EQ(evaluations_, 2);
}

TEST_F(RateLimitTest, CountsAreExactAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kCalls = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this] {
      for (int i = 0; i < kCalls; ++i) {
        RELOG_INFO_EVERY_N(*logger_, 7, "tick {}", i);
      }
    });
  }
  for (auto& t : threads) t.join();
  const std::vector<std::string> messages = Messages();
  constexpr int kTotal = kThreads * kCalls;
  ASSERT_EQ(messages.size(), static_cast<std::size_t>((kTotal + 6) / 7));
  uint64_t suppressed = 0;
  for (const std::string& m : messages) {
    const std::size_t open = m.find(" [");
    if (open != std::string::npos) {
      suppressed += std::stoull(m.substr(open + 2));
    }
  }
  // Every call logged or counted once: 7 per entry but the first, and the
  // calls after the last entry, which no entry reports yet.
  const uint64_t after_last = (kTotal - 1) % 7;
  EXPECT_EQ(suppressed + messages.size() + after_last,
            static_cast<uint64_t>(kTotal));
}

class RateLimitEagerTest : public RateLimitTest {
 protected:
  RateLimitEagerTest() : RateLimitTest(/*deferred=*/false) {}
};

TEST_F(RateLimitEagerTest, CallsFormattingOnTheCallerCarryTheCountToo) {
  for (int i = 0; i < 5; ++i) {
    RELOG_INFO_EVERY_N(*logger_, 2, "eager {}", Counted(i));
  }
  EXPECT_THAT(Messages(), ElementsAre("eager 0", "eager 2 [1 suppressed]",
                                      "eager 4 [1 suppressed]"));
  EXPECT_EQ(evaluations_, 3);
}

TEST(RateLimitFatalTest, FatalIfAbortsOnlyWhenTheConditionHolds) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(testing::TestLoggerOptions("fatal"), {sink});
  RELOG_FATAL_IF(logger, false, "not {}", 1);  // must not abort
  EXPECT_DEATH(RELOG_FATAL_IF(logger, 1 + 1 == 2, "fatal {}", 2), "");
}

// The site states, with the clock given.

constexpr int64_t kMs = 1000000;
constexpr int64_t kSec = 1000 * kMs;

TEST(EverySiteTest, LogsWhenAPeriodHasPassedAndCountsTheRest) {
  Every site;
  constexpr int64_t kPeriod = 10 * kMs;
  constexpr int64_t kT0 = 5 * kSec;
  EXPECT_EQ(site.Admit(kPeriod, kT0), 0u);  // the first call
  EXPECT_EQ(site.Admit(kPeriod, kT0 + 1000), kSuppress);
  EXPECT_EQ(site.Admit(kPeriod, kT0 + 9 * kMs), kSuppress);
  // Never sooner than a period after the last entry (the site counts in
  // ticks of 65.5 us, and rounds the period up).
  EXPECT_EQ(site.Admit(kPeriod, kT0 + kPeriod - 1), kSuppress);
  EXPECT_EQ(site.Admit(kPeriod, kT0 + kPeriod + kMs / 2), 3u);
  EXPECT_EQ(site.Admit(kPeriod, kT0 + 15 * kMs), kSuppress);
  EXPECT_EQ(site.Admit(kPeriod, kT0 + 40 * kMs), 1u);
  EXPECT_EQ(site.Admit(std::chrono::microseconds(1), kT0 + 60 * kMs), 0u);
}

TEST(EverySiteTest, AClockSteppedBackByMoreThanAPeriodReArms) {
  Every site;
  constexpr int64_t kHour = 3600 * kSec;
  EXPECT_EQ(site.Admit(kMs, 2 * kHour), 0u);
  // Within a period of the last entry, even a little back: suppressed.
  EXPECT_EQ(site.Admit(kMs, 2 * kHour - kMs / 2), kSuppress);
  // An hour back (the wall clock was stepped): not silenced for the hour.
  EXPECT_EQ(site.Admit(kMs, kHour), 1u);
  EXPECT_EQ(site.Admit(kMs, kHour + kMs / 2), kSuppress);
}

TEST(EverySiteTest, TheTickCounterWrappingLooksLikeAStepBack) {
  Every site;
  // 2^56 ns is where the 40-bit tick counter wraps.
  constexpr int64_t kWrap = int64_t{1} << 56;
  EXPECT_EQ(site.Admit(kSec, kWrap - kMs), 0u);
  EXPECT_EQ(site.Admit(kSec, kWrap - kMs / 2), kSuppress);
  // Past the wrap the ticks start again from 0: the site logs early once
  // (as after a step back), then keeps its period.
  EXPECT_EQ(site.Admit(kSec, kWrap + 3 * kSec), 1u);
  EXPECT_EQ(site.Admit(kSec, kWrap + 3 * kSec + kMs), kSuppress);
}

TEST(EverySiteTest, CountsPastTwentyFourBitsStayExact) {
  Every site;
  EXPECT_EQ(site.Admit(kSec, kSec), 0u);
  constexpr uint64_t kMany = (uint64_t{1} << 24) + 10;
  for (uint64_t i = 0; i < kMany; ++i) {
    ASSERT_EQ(site.Admit(kSec, kSec + 1), kSuppress) << i;
  }
  EXPECT_EQ(site.Admit(kSec, 3 * kSec), kMany);
}

TEST(EverySiteTest, EveryCallIsAdmittedOrCountedOnceAcrossThreads) {
  // Four threads share one site and a clock that moves one tick a call;
  // a period of 100 ticks admits about one call in 100, and the races for
  // the slot are the point.
  constexpr int64_t kTick = int64_t{1} << 16;
  Every site;
  std::atomic<int64_t> clock{kSec};
  std::atomic<uint64_t> admitted{0};
  std::atomic<uint64_t> reported{0};
  constexpr int kThreads = 4;
  constexpr int kCalls = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        const uint64_t r = site.Admit(100 * kTick, clock.fetch_add(kTick));
        if (r != kSuppress) {
          admitted.fetch_add(1);
          reported.fetch_add(r);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  // One more call, far later, collects what no entry has reported yet.
  const uint64_t rest = site.Admit(100 * kTick, clock.load() + 1000 * kSec);
  ASSERT_NE(rest, kSuppress);
  EXPECT_GE(admitted.load(), 2u);
  EXPECT_EQ(admitted.load() + reported.load() + rest,
            uint64_t{kThreads} * kCalls);
}

TEST(EveryNSiteTest, CountsSinceTheLastEntry) {
  EveryN site;
  std::vector<uint64_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(site.Admit(3));
  EXPECT_THAT(got, ElementsAre(0u, kSuppress, kSuppress, 2u, kSuppress,
                               kSuppress, 2u));
}

TEST(FirstNSiteTest, NegativeOrZeroNLogsNothing) {
  FirstN zero;
  FirstN negative;
  EXPECT_EQ(zero.Admit(0), kSuppress);
  EXPECT_EQ(negative.Admit(-3), kSuppress);
  FirstN two;
  EXPECT_EQ(two.Admit(2), 0u);
  EXPECT_EQ(two.Admit(2), 0u);
  EXPECT_EQ(two.Admit(2), kSuppress);
}

}  // namespace
}  // namespace relog
