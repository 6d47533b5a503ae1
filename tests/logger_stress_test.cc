// SPDX-License-Identifier: Apache-2.0
//
// Stress: 4 threads x 250,000 messages carrying (thread, sequence) through a
// FileSink; every message must be in the file exactly once, in order per
// thread, and every entry back in the pool.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/file_sink.h"
#include "tests/test_util.h"

namespace relog {
namespace {

TEST(LoggerStressTest, EveryMessageOnceAndInOrderPerThread) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250000;
  const std::string path = testing::MakeTestDir("stress") + "/stress.log";
  LoggerStats stats;
  {
    auto sink = FileSink::Open(path);
    ASSERT_TRUE(sink.ok()) << sink.status();
    LoggerOptions o;
    o.name = "stress";
    Logger logger(std::move(o), {*sink});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kPerThread; ++i) {
          RELOG_INFO(logger, "msg t={} seq={}", t, i);
        }
      });
    }
    for (auto& t : threads) t.join();
    logger.Flush();
    stats = logger.GetStats();
  }
  EXPECT_EQ(stats.accepted, static_cast<uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(stats.sinks[0].dropped, 0u);
  EXPECT_EQ(stats.sinks[0].written, stats.accepted);
  EXPECT_EQ(stats.entry_pool.live, 0u);

  const testing::SequenceReport r =
      testing::CheckSequences(testing::ReadLines(path), kThreads);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.matched, static_cast<int64_t>(kThreads) * kPerThread);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(r.next[t], kPerThread);
}

}  // namespace
}  // namespace relog
