// SPDX-License-Identifier: Apache-2.0
//
// Stress: 4 threads x 250,000 messages carrying (thread, sequence) through a
// FileSink; every message must be in the file exactly once, in order per
// thread, and every entry back in the pool.

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "logger/logger.h"
#include "sinks/file_sink.h"

namespace relog {
namespace {

TEST(LoggerStressTest, EveryMessageOnceAndInOrderPerThread) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250000;
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/stress.log");
  std::remove(path.c_str());
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
  EXPECT_EQ(stats.logged, static_cast<uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.entry_pool.live, 0u);

  std::ifstream in(path);
  std::vector<int> next(kThreads, 0);
  int64_t lines = 0;
  int64_t bad = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    const auto at = line.find("msg t=");
    if (at == std::string::npos) {
      ++bad;
      continue;
    }
    const auto seq_at = line.find(" seq=", at);
    int t = -1;
    int seq = -1;
    if (seq_at == std::string::npos ||
        !absl::SimpleAtoi(line.substr(at + 6, seq_at - at - 6), &t) ||
        !absl::SimpleAtoi(line.substr(seq_at + 5), &seq) || t < 0 ||
        t >= kThreads || seq != next[t]) {
      ++bad;
      continue;
    }
    next[t] = seq + 1;
  }
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(lines, static_cast<int64_t>(kThreads) * kPerThread);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], kPerThread);
}

}  // namespace
}  // namespace relog
