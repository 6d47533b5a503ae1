// SPDX-License-Identifier: Apache-2.0
//
// A sink that cannot deliver: a short outage loses nothing (the sink thread
// holds its batch and retries); a long one gives the batch up, counted as
// lost and never as written, keeps giving up without holding the callers,
// and writes a notice of the loss once the sink works again. And the
// counters add up for every sink under load and faults:
// offered == written + dropped + lost.

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/memory_sink.h"
#include "tests/logger_test_util.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::relog::testing::CheckSequences;
using ::relog::testing::FlakySink;
using ::relog::testing::SequenceReport;
using ::relog::testing::WaitFor;
using ::testing::HasSubstr;

LoggerOptions Options(std::size_t queue_capacity = 8192) {
  return testing::TestLoggerOptions("outage", queue_capacity);
}

void ExpectCountersAddUp(const LoggerStats& s) {
  for (const SinkWorkerStats& sink : s.sinks) {
    EXPECT_EQ(sink.offered, sink.written + sink.dropped + sink.lost)
        << sink.name << ": written " << sink.written << ", dropped "
        << sink.dropped << ", lost " << sink.lost;
  }
}

TEST(SinkOutageTest, AShortOutageLosesNothing) {
  auto sink = std::make_shared<FlakySink>();
  sink->set_retry_for(std::chrono::seconds(60));
  sink->set_failing(true);
  Logger logger(Options(), {sink});
  for (int i = 0; i < 100; ++i) RELOG_INFO(logger, "t=0 seq={}", i);
  // The sink thread is retrying, holding the batch.
  ASSERT_TRUE(WaitFor([&] { return sink->failed_flushes() >= 3; }));
  sink->set_failing(false);
  logger.Flush();
  const SequenceReport r = CheckSequences(sink->delivered(), 1);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.next[0], 100);
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].written, 100u);
  EXPECT_EQ(s.sinks[0].lost, 0u);
  EXPECT_EQ(s.sinks[0].notices, 0u);
  EXPECT_GE(s.sinks[0].errors, 3u);
  ExpectCountersAddUp(s);
}

TEST(SinkOutageTest, ALongOutageIsCountedLostAndNoticedWhenTheSinkIsBack) {
  auto sink = std::make_shared<FlakySink>();
  sink->set_retry_for(std::chrono::milliseconds(10));
  sink->set_failing(true);
  auto memory = std::make_shared<MemorySink>();
  Logger logger(Options(), {sink, memory});
  for (int i = 0; i < 50; ++i) RELOG_INFO(logger, "t=0 seq={}", i);
  logger.Flush();  // returns once the sink has given the batch up
  LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].written, 0u);
  EXPECT_EQ(s.sinks[0].lost, 50u);
  EXPECT_TRUE(sink->delivered().empty());
  EXPECT_EQ(s.sinks[1].written, 50u);  // the other sink is unaffected
  sink->set_failing(false);
  // The first batch after the next probe gets through, then the notice.
  int more = 0;
  ASSERT_TRUE(WaitFor([&] {
    RELOG_INFO(logger, "t=1 seq={}", more++);
    logger.Flush();
    return logger.GetStats().sinks[0].written > 0;
  }));
  s = logger.GetStats();
  const std::vector<std::string> delivered = sink->delivered();
  ASSERT_EQ(delivered.size(), 2u);
  EXPECT_EQ(delivered[0], absl::StrCat("t=1 seq=", more - 1));
  EXPECT_EQ(delivered[1],
            absl::StrCat(s.sinks[0].lost,
                         " messages lost: the sink could not deliver them "
                         "and gave them up (sink flaky)"));
  EXPECT_EQ(s.sinks[0].lost, static_cast<uint64_t>(50 + more - 1));
  EXPECT_EQ(s.sinks[0].notices, 1u);
  ExpectCountersAddUp(s);
  // The notice reads like relog's own line: its source is relog's code.
  const std::vector<std::string> locations = sink->locations();
  ASSERT_EQ(locations.size(), 2u);
  EXPECT_THAT(locations[1],
              ::testing::MatchesRegex("sink_worker\\.cc:[1-9][0-9]*"));
}

TEST(SinkOutageTest, ALongOutageNeverHoldsUpTheCallers) {
  auto sink = std::make_shared<FlakySink>();
  sink->set_retry_for(std::chrono::milliseconds(20));
  sink->set_failing(true);
  Logger logger(Options(/*queue_capacity=*/16), {sink});  // kBlock
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::atomic<int> finished{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        RELOG_INFO(logger, "t={} seq={}", t, i);
      }
      finished.fetch_add(1);
    });
  }
  const bool all_finished = WaitFor([&] { return finished.load() == kThreads; },
                                    std::chrono::seconds(120));
  sink->set_failing(false);  // let any stuck caller go, then judge
  for (auto& t : threads) t.join();
  ASSERT_TRUE(all_finished) << "callers were held up by the outage";
  logger.Flush();
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].offered, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_GT(s.sinks[0].lost, 0u);
  ExpectCountersAddUp(s);
}

// Each thread's delivered lines: strictly increasing sequences (gaps are
// what was lost or dropped), no repeats. Returns how many lines.
int64_t ExpectIncreasingPerThread(const std::vector<std::string>& lines,
                                  int threads) {
  std::vector<int64_t> last(static_cast<std::size_t>(threads), -1);
  int64_t n = 0;
  for (const std::string& line : lines) {
    const std::size_t at = line.find("t=");
    const std::size_t seq_at = line.find(" seq=");
    if (at == std::string::npos || seq_at == std::string::npos) continue;
    int t = 0;
    int64_t seq = 0;
    if (!absl::SimpleAtoi(line.substr(at + 2, seq_at - at - 2), &t) ||
        !absl::SimpleAtoi(line.substr(seq_at + 5), &seq) || t < 0 ||
        t >= threads) {
      ADD_FAILURE() << "bad line: " << line;
      continue;
    }
    EXPECT_GT(seq, last[t]) << "thread " << t << ": repeated or reordered";
    last[t] = seq;
    ++n;
  }
  return n;
}

TEST(SinkOutageTest, CountersAccountForEveryCallUnderLoadAndFaults) {
  // A sink whose flushes fail at random (some batches retried into
  // success, some given up), a sink that drops at its full queue, and a
  // sink that only takes warnings.
  auto flaky = std::make_shared<FlakySink>();
  flaky->set_retry_for(std::chrono::milliseconds(3));
  std::mt19937 rng(42);
  flaky->set_fail_if([&rng] { return rng() % 4 == 0; });
  auto dropping = std::make_shared<MemorySink>();
  dropping->set_overflow(OverflowPolicy::kDrop);
  auto warnings = std::make_shared<MemorySink>();
  warnings->set_level(Level::kWarn);
  Logger logger(Options(/*queue_capacity=*/64), {flaky, dropping, warnings});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 10 == 0) {
          RELOG_WARN(logger, "t={} seq={}", t, i);
        } else {
          RELOG_INFO(logger, "t={} seq={}", t, i);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  logger.Flush();
  const LoggerStats s = logger.GetStats();
  constexpr uint64_t kCalls = kThreads * kPerThread;
  EXPECT_EQ(s.accepted, kCalls);
  EXPECT_EQ(s.sinks[0].offered, kCalls);
  EXPECT_EQ(s.sinks[1].offered, kCalls);
  EXPECT_EQ(s.sinks[2].offered, kCalls / 10);
  ExpectCountersAddUp(s);
  // What each sink says it wrote is what it holds, each line once.
  const int64_t flaky_lines =
      ExpectIncreasingPerThread(flaky->delivered(), kThreads);
  EXPECT_EQ(static_cast<uint64_t>(flaky_lines), s.sinks[0].written);
  const int64_t dropping_lines =
      ExpectIncreasingPerThread(dropping->messages(), kThreads);
  EXPECT_EQ(static_cast<uint64_t>(dropping_lines), s.sinks[1].written);
  const SequenceReport w = CheckSequences(warnings->messages(), kThreads);
  EXPECT_EQ(s.sinks[2].written, kCalls / 10);
  EXPECT_EQ(s.sinks[2].lost + s.sinks[2].dropped, 0u);
  EXPECT_EQ(w.matched, static_cast<int64_t>(kCalls / 10));
  EXPECT_EQ(s.entry_pool.live, 0u);
}

}  // namespace
}  // namespace relog
