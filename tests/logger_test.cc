// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::Logger: levels, metadata, ordering, Flush(), fan-out,
// isolation of a stuck sink, the overflow policies, shutdown racing with
// callers, and waking a parked sink thread. What the macros write for
// formats and user types is in logger_format_test.cc; retries, outages and
// the counters under faults in sink_outage_test.cc; exit and fork in
// lifecycle_test.cc.

#include "relog/logger/logger.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/sinks/file_sink.h"
#include "relog/sinks/memory_sink.h"
#include "relog/sinks/null_sink.h"
#include "tests/logger_test_util.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::relog::testing::CheckSequences;
using ::relog::testing::MakeTestDir;
using ::relog::testing::ReadLines;
using ::relog::testing::SequenceReport;
using ::relog::testing::WaitFor;

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
      for (int i = 0; i < kPerThread; ++i) {
        RELOG_INFO(logger, "t={} seq={}", t, i);
      }
    });
  }
  for (auto& t : threads) t.join();
  logger.Flush();
  for (const auto& sink : {a, b}) {
    const SequenceReport r = CheckSequences(sink->messages(), kThreads);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.matched, kThreads * kPerThread);
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(r.next[t], kPerThread);
  }
}

// Across threads: a call that happens before another (here each thread
// logs, then hands the turn to the other) reaches every sink before it,
// deferred or not. Two threads take turns 2,000 times.
TEST(LoggerTest, ACallThatHappensBeforeAnotherIsWrittenBeforeIt) {
  auto a = std::make_shared<MemorySink>();
  auto b = std::make_shared<MemorySink>();
  Logger logger(Options(), {a, b});
  constexpr int kTurns = 2000;
  std::atomic<int> turn{0};
  auto player = [&](int me) {
    for (int i = me; i < kTurns; i += 2) {
      while (turn.load(std::memory_order_acquire) != i) {
        std::this_thread::yield();
      }
      RELOG_INFO(logger, "turn {} by {}", i, me);
      turn.store(i + 1, std::memory_order_release);
    }
  };
  std::thread t0(player, 0);
  std::thread t1(player, 1);
  t0.join();
  t1.join();
  logger.Flush();
  for (const auto& sink : {a, b}) {
    const std::vector<std::string> messages = sink->messages();
    ASSERT_EQ(messages.size(), static_cast<std::size_t>(kTurns));
    for (int i = 0; i < kTurns; ++i) {
      ASSERT_EQ(messages[i], absl::StrCat("turn ", i, " by ", i % 2));
    }
  }
}

TEST(LoggerTest, AfterFlushTheFileHoldsEverythingLoggedBefore) {
  const std::string path = MakeTestDir("flush") + "/flush.log";
  auto sink = FileSink::Open(path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  Logger logger(Options(), {*sink});
  int seq = 0;
  for (int round = 1; round <= 3; ++round) {
    for (int i = 0; i < 1000; ++i) RELOG_INFO(logger, "t=0 seq={}", seq++);
    logger.Flush();
    // Every line logged so far, once each and in order: nothing later.
    const SequenceReport r = CheckSequences(ReadLines(path), 1);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.matched, round * 1000);
    EXPECT_EQ(r.next[0], round * 1000);
  }
}

TEST(LoggerTest, DestroyingALoggerWritesEverythingItAccepted) {
  const std::string path = MakeTestDir("destroy") + "/destroy.log";
  {
    auto sink = FileSink::Open(path);
    ASSERT_TRUE(sink.ok()) << sink.status();
    Logger logger(Options(), {*sink});
    for (int i = 0; i < 20000; ++i) RELOG_INFO(logger, "t=0 seq={}", i);
  }
  const SequenceReport r = CheckSequences(ReadLines(path), 1);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.matched, 20000);
  EXPECT_EQ(r.next[0], 20000);
}

TEST(LoggerTest, ASinkSharedByTwoLoggersGetsEveryLineWholeAndInOrder) {
  // Two loggers, two sink threads, one file sink: their threads take turns
  // (without that, TSan reports the race on the sink's buffer, and lines
  // come out cut or lost).
  const std::string path = MakeTestDir("shared") + "/shared.log";
  auto sink = FileSink::Open(path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  {
    Logger a(Options(), {*sink});
    Logger b(Options(), {*sink});
    constexpr int kLines = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      Logger& logger = t % 2 == 0 ? a : b;
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kLines; ++i) {
          RELOG_INFO(logger, "t={} seq={}", t, i);
        }
      });
    }
    for (auto& t : threads) t.join();
    a.Flush();
    b.Flush();
    const SequenceReport r = CheckSequences(ReadLines(path), 4);
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.matched, 4 * kLines);
    EXPECT_EQ(r.total(), 4 * kLines);
    // The sink's totals, as each logger reports them.
    EXPECT_EQ((*sink)->GetStats().written, uint64_t{4 * kLines});
    EXPECT_EQ(a.GetStats().sinks[0].written, uint64_t{4 * kLines});
    EXPECT_EQ(a.GetStats().sinks[0].offered, uint64_t{2 * kLines});
  }
}

// The descriptor this process has open on `path`, or -1.
int FdOpenOn(const std::string& path) {
  for (int fd = 0; fd < 1024; ++fd) {
    char link[64];
    char target[4096];
    std::snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    const ssize_t n = ::readlink(link, target, sizeof(target) - 1);
    if (n > 0 && std::string(target, static_cast<std::size_t>(n)) == path) {
      return fd;
    }
  }
  return -1;
}

TEST(LoggerTest, FileIsCreatedWithMode0640AndCloseOnExec) {
  const std::string path = MakeTestDir("mode") + "/mode.log";
  const mode_t old = ::umask(0);
  auto sink = FileSink::Open(path);
  ::umask(old);
  ASSERT_TRUE(sink.ok()) << sink.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  const int fd = FdOpenOn(path);
  ASSERT_GE(fd, 0) << "the sink's descriptor is not open";
  EXPECT_NE(::fcntl(fd, F_GETFD) & FD_CLOEXEC, 0)
      << "a child that execs would inherit the log file";
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
  EXPECT_EQ(s.accepted, static_cast<uint64_t>(kN));
  for (const auto& w : s.sinks) {
    EXPECT_EQ(w.offered, static_cast<uint64_t>(kN));
    EXPECT_EQ(w.written, static_cast<uint64_t>(kN));
  }
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
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.entry_pool.live, 0u);
  EXPECT_EQ(s.accepted, 2u);
  EXPECT_EQ(s.sinks[0].offered, 2u);
  EXPECT_EQ(s.sinks[1].offered, 1u);  // the info entry never reached it
  EXPECT_EQ(s.sinks[1].written, 1u);
}

TEST(LoggerTest, ASinksLevelAppliesToTheSingleSinkFastPath) {
  auto sink = std::make_shared<MemorySink>();
  sink->set_level(Level::kWarn);
  Logger logger(Options(), {sink});
  RELOG_INFO(logger, "info");
  RELOG_WARN(logger, "warn");
  logger.Flush();
  EXPECT_EQ(sink->messages(), (std::vector<std::string>{"warn"}));
  EXPECT_EQ(logger.GetStats().sinks[0].offered, 1u);
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

// A stuck sink under kDrop never holds up the caller, nor the other sinks.
TEST(LoggerTest, AStuckDropSinkHoldsUpNeitherTheCallerNorAFastSink) {
  auto stuck = std::make_shared<testing::GatedSink>();
  stuck->set_overflow(OverflowPolicy::kDrop);
  auto fast = std::make_shared<MemorySink>();
  LoggerOptions o = Options();
  o.queue_capacity = 16;
  Logger logger(std::move(o), {stuck, fast});
  constexpr int kN = 2000;
  for (int i = 0; i < kN; ++i) RELOG_INFO(logger, "t=0 seq={}", i);
  // The calls all returned, and the fast sink got everything, while
  // `stuck` held its first entry.
  ASSERT_TRUE(fast->WaitForSize(kN, std::chrono::seconds(60)));
  ASSERT_TRUE(stuck->WaitUntilBlocked());
  EXPECT_EQ(stuck->entered(), 1);
  LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].blocked, 0u);  // never waited for the stuck sink
  EXPECT_GT(s.sinks[0].dropped, 0u);
  const SequenceReport r = CheckSequences(fast->messages(), 1);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.next[0], kN);
  stuck->Open();
  logger.Flush();
  s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].offered, static_cast<uint64_t>(kN));
  EXPECT_EQ(s.sinks[0].written + s.sinks[0].dropped, static_cast<uint64_t>(kN));
  EXPECT_EQ(s.sinks[1].written, static_cast<uint64_t>(kN));
}

// Under kBlock a full queue holds up the caller (nothing is lost), but the
// entry it waits with has already gone to every sink with room.
TEST(LoggerTest, AStuckBlockSinkHoldsUpTheCallerButNotTheOtherSinks) {
  auto stuck = std::make_shared<testing::GatedSink>();
  auto fast = std::make_shared<MemorySink>();
  LoggerOptions o = Options();
  o.queue_capacity = 16;
  Logger logger(std::move(o), {stuck, fast});
  constexpr int kN = 100;
  RELOG_INFO(logger, "t=0 seq=0");
  // Holding entry 0: from here its queue fills.
  ASSERT_TRUE(stuck->WaitUntilBlocked());
  std::atomic<int> returned{1};
  std::thread caller([&] {
    for (int i = 1; i < kN; ++i) {
      RELOG_INFO(logger, "t=0 seq={}", i);
      returned.fetch_add(1);
    }
  });
  ASSERT_TRUE(WaitFor([&] { return logger.GetStats().sinks[0].blocked > 0; }))
      << "the caller never had to wait for the stuck sink";
  const int waiting_in = returned.load();  // the call that waits
  EXPECT_EQ(waiting_in, 1 + 16);           // after a full queue
  // The fast sink has every entry up to and including the one the caller
  // waits with, and nothing after it.
  ASSERT_TRUE(fast->WaitForSize(waiting_in + 1, std::chrono::seconds(60)));
  const SequenceReport r = CheckSequences(fast->messages(), 1);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.next[0], waiting_in + 1);
  EXPECT_EQ(returned.load(), waiting_in);  // still waiting
  stuck->Open();
  caller.join();
  logger.Flush();
  for (const auto& messages : {stuck->messages(), fast->messages()}) {
    const SequenceReport all = CheckSequences(messages, 1);
    EXPECT_EQ(all.error, "");
    EXPECT_EQ(all.next[0], kN);
  }
}

TEST(LoggerTest, DropPolicyCountsEveryDropAndWritesANotice) {
  auto gated = std::make_shared<testing::GatedSink>();
  LoggerOptions o = Options();
  o.queue_capacity = 16;
  o.overflow = OverflowPolicy::kDrop;
  Logger logger(std::move(o), {gated});
  constexpr int kAttempted = 1000;
  RELOG_INFO(logger, "first");
  // The sink thread holds "first"; the queue is empty.
  ASSERT_TRUE(gated->WaitUntilBlocked());
  for (int i = 1; i < kAttempted; ++i) RELOG_INFO(logger, "{}", i);
  gated->Open();
  logger.Flush();
  const LoggerStats s = logger.GetStats();
  ASSERT_EQ(s.sinks.size(), 1u);
  EXPECT_EQ(s.sinks[0].offered, static_cast<uint64_t>(kAttempted));
  EXPECT_EQ(s.sinks[0].written + s.sinks[0].dropped,
            static_cast<uint64_t>(kAttempted));
  EXPECT_GT(s.sinks[0].dropped, 0u);
  EXPECT_EQ(s.accepted, static_cast<uint64_t>(kAttempted));
  EXPECT_EQ(s.entry_pool.live, 0u);
  const auto messages = gated->messages();
  bool notice = false;
  for (const auto& m : messages) {
    if (m == absl::StrCat(s.sinks[0].dropped,
                          " messages dropped: the sink's queue was full "
                          "(sink gated)")) {
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
  // The sink thread holds "first"; the queue is empty.
  ASSERT_TRUE(gated->WaitUntilBlocked());
  EXPECT_EQ(logger.GetStats().sinks[0].blocked, 0u);
  // Four fill the queue; the fifth must wait for the sink.
  std::thread caller([&] {
    for (int i = 0; i < 5; ++i) RELOG_INFO(logger, "{}", i);
  });
  ASSERT_TRUE(WaitFor([&] { return logger.GetStats().sinks[0].blocked > 0; }));
  gated->Open();
  caller.join();
  logger.Flush();
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.sinks[0].blocked, 1u);
  EXPECT_EQ(s.sinks[0].queue_high_water, 4u);  // a caller found it full
  EXPECT_EQ(s.sinks[0].dropped, 0u);
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
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        RELOG_INFO(logger, "t={} seq={}", t, i);
      }
    });
  }
  for (auto& t : threads) t.join();
  logger.Flush();
  const SequenceReport r = CheckSequences(sink->messages(), kThreads);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.matched, kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(r.next[t], kPerThread);
  EXPECT_EQ(logger.GetStats().sinks[0].dropped, 0u);
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
  EXPECT_EQ(s.accepted, 1u);
  EXPECT_EQ(s.entry_pool.live, 0u);
}

TEST(LoggerDeathTest, FatalLogsFlushesAndAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string path = testing::FixedTestPath("fatal.log");
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

// The macros' default: run-time formats where calls defer (small call
// sites), compiled formats where every call formats on the caller.
TEST(LoggerTest, TheDefaultFormatModeFollowsDeferral) {
  EXPECT_EQ(RELOG_COMPILE_FORMATS, RELOG_DEFERRED_FORMATTING ? 0 : 1);
}

// PrepareThread() leaves a new thread's cache full, so its next calls (as
// many as the cache holds) are served from it without a refill.
TEST(LoggerTest, PrepareThreadFillsTheThreadsEntryCache) {
  auto sink = std::make_shared<MemorySink>();
  LoggerOptions o = Options();
  o.pool_per_thread_cache = 16;
  Logger logger(o, {sink});
  std::thread([&] {
    EXPECT_EQ(LoggerTestPeer::CachedEntries(logger), 0u);
    logger.PrepareThread();
    EXPECT_EQ(LoggerTestPeer::CachedEntries(logger), 16u);
    for (int i = 0; i < 10; ++i) RELOG_INFO(logger, "prepared {}", i);
    EXPECT_EQ(LoggerTestPeer::CachedEntries(logger), 6u);
  }).join();
  logger.Flush();
  EXPECT_EQ(sink->size(), 10u);
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

// The wake-up on push: an entry logged to a logger whose sink thread has
// parked arrives without anyone calling Flush().
TEST(LoggerTest, AnEntryWakesAParkedSinkThread) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(Options(), {sink});
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(WaitFor([&] { return LoggerTestPeer::SinkParked(logger); }))
        << "the idle sink thread never parked";
    RELOG_INFO(logger, "wake {}", round);
    EXPECT_TRUE(sink->WaitForSize(round + 1, std::chrono::seconds(10)))
        << "an entry logged to a parked sink thread was not written";
  }
}

// Shutdown() racing with callers: every call is either written or rejected
// (and counted), each thread's written calls are a prefix of what it
// logged, and no entry stays out of the pool.
TEST(LoggerTest, ShutdownRacingWithCallersWritesOrRejectsEveryCall) {
  constexpr int kRounds = 100;
  constexpr int kThreads = 3;
  constexpr int kPerThread = 2000;
  for (int round = 0; round < kRounds; ++round) {
    auto sink = std::make_shared<MemorySink>();
    LoggerOptions o = Options();
    o.queue_capacity = 64;
    Logger logger(std::move(o), {sink});
    std::atomic<int> logged{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          RELOG_INFO(logger, "t={} seq={}", t, i);
          logged.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    // Shut down at a different point of the callers' run each round.
    const int at = (round * 97) % (kThreads * kPerThread);
    ASSERT_TRUE(WaitFor([&] { return logged.load() >= at; }));
    logger.Shutdown();
    for (auto& t : threads) t.join();
    const LoggerStats s = logger.GetStats();
    const SequenceReport r = CheckSequences(sink->messages(), kThreads);
    ASSERT_EQ(r.error, "") << "round " << round;
    ASSERT_EQ(static_cast<uint64_t>(r.total()), s.accepted)
        << "round " << round << ": accepted calls not written";
    ASSERT_EQ(s.accepted + s.rejected,
              static_cast<uint64_t>(kThreads * kPerThread))
        << "round " << round;
    ASSERT_EQ(s.sinks[0].written, s.accepted) << "round " << round;
    ASSERT_EQ(s.entry_pool.live, 0u) << "round " << round;
  }
}

// The way to retire a logger other threads still call: Shutdown() first
// (their calls are rejected at once from then on), let them run down, then
// destroy it.
TEST(LoggerTest, CallsAfterShutdownFromOtherThreadsAreRejectedAndCounted) {
  auto sink = std::make_shared<MemorySink>();
  auto logger = std::make_unique<Logger>(
      Options(), std::vector<std::shared_ptr<Sink>>{sink});
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::thread caller([&] {
    for (int i = 0; !stop.load(); ++i) {
      RELOG_INFO(*logger, "t=0 seq={}", i);
      calls.fetch_add(1);
    }
  });
  ASSERT_TRUE(WaitFor([&] { return calls.load() > 100; }));
  logger->Shutdown();
  const int at_shutdown = calls.load();
  ASSERT_TRUE(WaitFor([&] { return calls.load() > at_shutdown + 100; }));
  stop.store(true);
  caller.join();
  const LoggerStats s = logger->GetStats();
  EXPECT_GE(s.rejected, 100u);
  EXPECT_EQ(s.accepted + s.rejected, static_cast<uint64_t>(calls.load()));
  EXPECT_EQ(sink->size(), s.accepted);
  logger.reset();  // nobody calls it any more
}

}  // namespace
}  // namespace relog
