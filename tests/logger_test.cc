// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::Logger: levels, metadata, ordering, Flush(), fan-out,
// isolation of a stuck sink, and the overflow policies. What the macros
// write for formats and user types is in logger_format_test.cc.

#include "logger/logger.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sinks/file_sink.h"
#include "sinks/memory_sink.h"
#include "sinks/null_sink.h"
#include "tests/logger_test_util.h"

namespace relog {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return absl::StrCat(dir != nullptr ? dir : "/tmp", "/", name);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

LoggerOptions Options(Level level = Level::kTrace) {
  LoggerOptions o;
  o.name = "test";
  o.level = level;
  return o;
}

TEST(LoggerTest,
     RuntimeLevelFiltersAndArgumentsOfDisabledCallsAreNotEvaluated) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(Options(Level::kWarn), {sink});
  int evaluated = 0;
  auto count = [&evaluated] { return ++evaluated; };
  RELOG_TRACE(logger, "t {}", count());
  RELOG_DEBUG(logger, "d {}", count());
  RELOG_INFO(logger, "i {}", count());
  RELOG_WARN(logger, "w {}", count());
  RELOG_ERROR(logger, "e {}", count());
  logger.Flush();
  EXPECT_EQ(evaluated, 2);
  EXPECT_EQ(sink->messages(), (std::vector<std::string>{"w 1", "e 2"}));
  EXPECT_EQ(sink->levels(), (std::vector<Level>{Level::kWarn, Level::kError}));

  logger.set_level(Level::kTrace);
  RELOG_TRACE(logger, "now {}", "visible");
  logger.Flush();
  EXPECT_EQ(sink->messages().back(), "now visible");
}

TEST(LoggerTest, EntryCarriesMetadataAndTheDefaultFormat) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(Options(), {sink});
  const int line = __LINE__ + 1;
  RELOG_INFO(logger, "hello {}", 42);
  logger.Flush();
  ASSERT_EQ(sink->size(), 1u);
  const std::string text = sink->lines()[0];
  // 2026-11-23 15:48:26.123456 INFO  test [12345] logger_test.cc:42] hello 42
  EXPECT_THAT(text, ::testing::MatchesRegex(absl::StrCat(
                        "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
                        "\\.[0-9]{6} INFO  test \\[[0-9]+\\] logger_test\\.cc:",
                        line, "\\] hello 42")));
}

TEST(LoggerTest, LongMessagesGrowIntoPooledBuffers) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(Options(), {sink});
  const std::string big(5000, 'x');
  for (int i = 0; i < 10; ++i) RELOG_INFO(logger, "{} {}", i, big);
  logger.Flush();
  ASSERT_EQ(sink->size(), 10u);
  EXPECT_EQ(sink->messages()[9], "9 " + big);
  const LoggerStats s = logger.GetStats();
  EXPECT_GT(s.buffer_pool.pooled.gets, 0u);
  EXPECT_EQ(s.entry_pool.live, 0u);
}

TEST(LoggerTest, OrderPerThreadIsPreservedInEverySink) {
  auto a = std::make_shared<MemorySink>();
  auto b = std::make_shared<MemorySink>();
  Logger logger(Options(), {a, b});
  constexpr int kThreads = 3;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) RELOG_INFO(logger, "{} {}", t, i);
    });
  }
  for (auto& t : threads) t.join();
  logger.Flush();
  for (const auto& sink : {a, b}) {
    std::vector<int> next(kThreads, 0);
    const auto messages = sink->messages();
    ASSERT_EQ(messages.size(), static_cast<size_t>(kThreads * kPerThread));
    for (const std::string& m : messages) {
      std::vector<std::string> parts = absl::StrSplit(m, ' ');
      const int t = std::stoi(parts[0]);
      const int i = std::stoi(parts[1]);
      EXPECT_EQ(i, next[t]) << "thread " << t;
      next[t] = i + 1;
    }
  }
}

TEST(LoggerTest, AfterFlushTheFileHoldsEverythingLoggedBefore) {
  const std::string path = TempPath("flush.log");
  ::unlink(path.c_str());
  auto sink = FileSink::Open(path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  Logger logger(Options(), {*sink});
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 1000; ++i)
      RELOG_INFO(logger, "round {} line {}", round, i);
    logger.Flush();
    EXPECT_EQ(ReadLines(path).size(), static_cast<size_t>(round * 1000));
  }
}

TEST(LoggerTest, DestroyingALoggerWritesEverythingItAccepted) {
  const std::string path = TempPath("destroy.log");
  ::unlink(path.c_str());
  {
    auto sink = FileSink::Open(path);
    ASSERT_TRUE(sink.ok()) << sink.status();
    Logger logger(Options(), {*sink});
    for (int i = 0; i < 20000; ++i) RELOG_INFO(logger, "line {}", i);
  }
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 20000u);
  EXPECT_NE(lines.back().find("line 19999"), std::string::npos);
}

TEST(LoggerTest, FileIsCreatedWithMode0640AndCloseOnExec) {
  const std::string path = TempPath("mode.log");
  ::unlink(path.c_str());
  const mode_t old = ::umask(0);
  auto sink = FileSink::Open(path);
  ::umask(old);
  ASSERT_TRUE(sink.ok()) << sink.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
}

TEST(LoggerTest, FanOutDeliversEachEntryOnceToEverySinkAndReturnsIt) {
  std::vector<std::shared_ptr<MemorySink>> sinks = {
      std::make_shared<MemorySink>(), std::make_shared<MemorySink>(),
      std::make_shared<MemorySink>()};
  Logger logger(Options(), {sinks[0], sinks[1], sinks[2]});
  constexpr int kN = 3000;
  for (int i = 0; i < kN; ++i) RELOG_INFO(logger, "{}", i);
  logger.Flush();
  for (const auto& sink : sinks) {
    const auto messages = sink->messages();
    ASSERT_EQ(messages.size(), static_cast<size_t>(kN));
    for (int i = 0; i < kN; ++i) EXPECT_EQ(messages[i], std::to_string(i));
  }
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.entry_pool.live, 0u);
  EXPECT_EQ(s.logged, static_cast<uint64_t>(kN));
  for (const auto& w : s.sinks) EXPECT_EQ(w.written, static_cast<uint64_t>(kN));
}

TEST(LoggerTest, PerSinkLevelFilters) {
  auto all = std::make_shared<MemorySink>();
  auto errors = std::make_shared<MemorySink>();
  errors->set_level(Level::kError);
  Logger logger(Options(), {all, errors});
  RELOG_INFO(logger, "info");
  RELOG_ERROR(logger, "error");
  logger.Flush();
  EXPECT_EQ(all->messages(), (std::vector<std::string>{"info", "error"}));
  EXPECT_EQ(errors->messages(), (std::vector<std::string>{"error"}));
  EXPECT_EQ(logger.GetStats().entry_pool.live, 0u);
}

TEST(LoggerTest, ThreadIdIsTheForkedChildsOwn) {
  const uint32_t parent = logger_internal::CurrentThreadId();  // now cached
  ASSERT_EQ(parent, static_cast<uint32_t>(syscall(SYS_gettid)));
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const bool fresh = logger_internal::CurrentThreadId() ==
                       static_cast<uint32_t>(syscall(SYS_gettid));
    _exit(fresh ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child saw its parent's thread id";
}

TEST(LoggerTest, AStuckSinkDoesNotDelayAnother) {
  auto stuck = std::make_shared<testing::GatedSink>();
  auto fast = std::make_shared<MemorySink>();
  LoggerOptions o = Options();
  o.queue_capacity = 4096;
  Logger logger(std::move(o), {stuck, fast});
  constexpr int kN = 2000;
  for (int i = 0; i < kN; ++i) RELOG_INFO(logger, "{}", i);
  stuck->WaitUntilBlocked();
  fast->WaitForSize(kN);  // returns while `stuck` is still held
  EXPECT_EQ(fast->size(), static_cast<size_t>(kN));
  EXPECT_TRUE(stuck->messages().empty());
  stuck->Open();
  logger.Flush();
  EXPECT_EQ(stuck->messages().size(), static_cast<size_t>(kN));
}

TEST(LoggerTest, DropPolicyCountsEveryDropAndWritesANotice) {
  auto gated = std::make_shared<testing::GatedSink>();
  LoggerOptions o = Options();
  o.queue_capacity = 16;
  o.overflow = OverflowPolicy::kDrop;
  Logger logger(std::move(o), {gated});
  constexpr int kAttempted = 1000;
  RELOG_INFO(logger, "first");
  gated->WaitUntilBlocked();  // the sink thread holds "first"; queue empty
  for (int i = 1; i < kAttempted; ++i) RELOG_INFO(logger, "{}", i);
  gated->Open();
  logger.Flush();
  const LoggerStats s = logger.GetStats();
  ASSERT_EQ(s.sinks.size(), 1u);
  EXPECT_EQ(s.sinks[0].written + s.sinks[0].dropped,
            static_cast<uint64_t>(kAttempted));
  EXPECT_GT(s.dropped, 0u);
  EXPECT_EQ(s.dropped, s.sinks[0].dropped);
  EXPECT_EQ(s.entry_pool.live, 0u);
  const auto messages = gated->messages();
  bool notice = false;
  for (const auto& m : messages) {
    if (m ==
        absl::StrCat(s.dropped,
                     " messages dropped: the queue of sink gated was full")) {
      notice = true;
    }
  }
  EXPECT_TRUE(notice) << "no drop notice among " << messages.size();
  EXPECT_EQ(messages.size(), s.sinks[0].written + s.sinks[0].notices);
}

TEST(LoggerTest, BlockPolicyCountsPushesThatWaited) {
  auto gated = std::make_shared<testing::GatedSink>();
  LoggerOptions o = Options();
  o.queue_capacity = 4;
  Logger logger(std::move(o), {gated});
  RELOG_INFO(logger, "first");
  gated->WaitUntilBlocked();  // the sink thread holds "first"; queue empty
  EXPECT_EQ(logger.GetStats().sinks[0].blocked, 0u);
  // Four fill the queue; the fifth must wait for the sink.
  std::thread caller([&] {
    for (int i = 0; i < 5; ++i) RELOG_INFO(logger, "{}", i);
  });
  while (logger.GetStats().sinks[0].blocked == 0) std::this_thread::yield();
  gated->Open();
  caller.join();
  logger.Flush();
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].blocked, 1u);
  EXPECT_EQ(s.sinks[0].queue_high_water, 4u);  // a caller found it full
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(gated->messages().size(), 6u);
}

TEST(LoggerTest, BlockPolicyLosesNothingWithATinyQueue) {
  auto sink = std::make_shared<MemorySink>();
  LoggerOptions o = Options();
  o.queue_capacity = 4;
  Logger logger(std::move(o), {sink});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) RELOG_INFO(logger, "{}", i);
    });
  }
  for (auto& t : threads) t.join();
  logger.Flush();
  EXPECT_EQ(sink->size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(logger.GetStats().dropped, 0u);
  EXPECT_LE(logger.GetStats().sinks[0].queue_high_water, 4u);
}

TEST(LoggerTest, CallsAfterShutdownAreRejectedNotLost) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(Options(), {sink});
  RELOG_INFO(logger, "before");
  logger.Shutdown();
  EXPECT_EQ(sink->messages(), (std::vector<std::string>{"before"}));
  RELOG_INFO(logger, "after");
  logger.Flush();  // returns at once
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.logged, 1u);
  EXPECT_EQ(s.entry_pool.live, 0u);
}

TEST(LoggerDeathTest, FatalLogsFlushesAndAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path = TempPath("fatal.log");
  ::unlink(path.c_str());
  EXPECT_DEATH(
      {
        auto sink = FileSink::Open(path);
        Logger logger(Options(Level::kOff), {*sink});
        RELOG_FATAL(logger, "fatal: {}", "disk on fire");
      },
      "");
  const auto lines = ReadLines(path);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("FATAL test"), std::string::npos);
  EXPECT_NE(lines[0].find("fatal: disk on fire"), std::string::npos);
}

TEST(LoggerTest, IdleLoggerParksItsSinkThreadsAndWakesForNewWork) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(Options(), {sink});
  RELOG_INFO(logger, "one");
  logger.Flush();
  // No sleeping here: whether the thread has parked yet or not, the next
  // entry must arrive.
  for (int i = 0; i < 50; ++i) {
    RELOG_INFO(logger, "again {}", i);
    logger.Flush();
    ASSERT_EQ(sink->size(), static_cast<size_t>(i + 2));
  }
}

}  // namespace
}  // namespace relog
