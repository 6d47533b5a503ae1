// SPDX-License-Identifier: Apache-2.0
//
// What relog writes at the process's turning points: a normal exit with a
// logger never destroyed, exit() from another thread, a static destructor
// logging after the exit handlers, and fork() (the parent's queued entries
// never written twice; a child logs at once, synchronously, and never
// hangs when it logs, shuts down or exits, also while other threads log
// hard). Each scenario runs many times; the
// exit ones in child processes (tests/child_main.cc), the fork ones here.

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/file_sink.h"
#include "tests/logger_test_util.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::relog::testing::CheckSequences;
using ::relog::testing::ChildResult;
using ::relog::testing::MakeTestDir;
using ::relog::testing::ReadLines;
using ::relog::testing::RunChild;
using ::relog::testing::SequenceReport;
using ::testing::HasSubstr;

std::string g_child;  // the path of tests/child_main.cc's binary

// Set in a fork()ed child: its heap holds what the parent's other threads
// own (their thread_local records, say), reachable only from threads that
// do not exist in the child, which LeakSanitizer would report at exit.
bool g_in_forked_child = false;

constexpr int kRuns = 20;
constexpr auto kDeadline = std::chrono::seconds(60);

TEST(ExitTest, ALoggerNeverDestroyedWritesEverythingWhenMainReturns) {
  constexpr int kLines = 10000;
  for (int run = 0; run < kRuns; ++run) {
    const std::string path = MakeTestDir("leak") + "/leak.log";
    const ChildResult r = RunChild(
        {g_child, "leak-return", path, std::to_string(kLines)}, kDeadline);
    ASSERT_EQ(r.Describe(), "exit 0") << r.output;
    const SequenceReport s = CheckSequences(ReadLines(path), 1);
    ASSERT_EQ(s.error, "") << "run " << run;
    ASSERT_EQ(s.next[0], kLines) << "run " << run;
  }
}

TEST(ExitTest, ExitFromAnotherThreadWritesWhatWasLogged) {
  constexpr int kLines = 10000;
  for (int run = 0; run < kRuns; ++run) {
    const std::string path = MakeTestDir("exit_thread") + "/exit.log";
    const ChildResult r =
        RunChild({g_child, "exit-other-thread", path, std::to_string(kLines)},
                 kDeadline);
    ASSERT_EQ(r.Describe(), "exit 0") << r.output;
    // Everything logged before exit() was called, once and in order; of
    // what main logged while the process was exiting, a prefix (each line
    // at most once).
    const SequenceReport s = CheckSequences(ReadLines(path), 2);
    ASSERT_EQ(s.error, "") << "run " << run;
    ASSERT_EQ(s.next[0], kLines) << "run " << run;
    ASSERT_EQ(s.matched, s.total()) << "run " << run;
  }
}

TEST(ExitTest, AStaticDestructorThatLogsAfterTheExitHandlersIsWritten) {
  const ChildResult r = RunChild({g_child, "static-destructor"}, kDeadline);
  ASSERT_EQ(r.Describe(), "exit 0") << r.output;
  EXPECT_THAT(r.output, HasSubstr("from main"));
  EXPECT_THAT(r.output, HasSubstr("from a static destructor"));
}

LoggerOptions Options(std::size_t queue_capacity = 8192) {
  return testing::TestLoggerOptions("fork", queue_capacity);
}

std::unique_ptr<Logger> FileLogger(const std::string& path,
                                   std::size_t queue_capacity = 8192) {
  auto sink = FileSink::Open(path);
  if (!sink.ok()) return nullptr;
  return std::make_unique<Logger>(Options(queue_capacity),
                                  std::vector<std::shared_ptr<Sink>>{*sink});
}

// Forks; the child runs `child` and ends with its return value through
// _exit() (so gtest's state in it is never touched again). Returns how the
// child ended, waiting at most kDeadline (then it is killed: a hang).
template <typename Child>
std::string ForkAndWait(Child child) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    g_in_forked_child = true;
    _exit(child());
  }
  const auto end = std::chrono::steady_clock::now() + kDeadline;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() >= end) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return "hung (killed)";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (WIFEXITED(status)) return absl::StrCat("exit ", WEXITSTATUS(status));
  return absl::StrCat("signal ", WTERMSIG(status));
}

TEST(ForkTest, TheChildNeverWritesTheParentsQueuedEntries) {
  for (int run = 0; run < kRuns; ++run) {
    const std::string path = MakeTestDir("fork_twice") + "/fork.log";
    auto logger = FileLogger(path);
    ASSERT_NE(logger, nullptr);
    for (int i = 0; i < 100; ++i) RELOG_INFO(*logger, "t=0 seq={}", i);
    // Forked with the entries still queued: the child shuts down at once.
    ASSERT_EQ(ForkAndWait([&] {
                logger->Shutdown();
                return 0;
              }),
              "exit 0");
    logger->Flush();
    const SequenceReport s = CheckSequences(ReadLines(path), 1);
    ASSERT_EQ(s.error, "") << "run " << run;
    ASSERT_EQ(s.matched, 100) << "run " << run << ": written twice?";
  }
}

TEST(ForkTest, TheChildLogsRightAwayOnItsOwnThread) {
  for (int run = 0; run < kRuns; ++run) {
    const std::string path = MakeTestDir("fork_child_logs") + "/fork.log";
    auto logger = FileLogger(path, /*queue_capacity=*/16);
    ASSERT_NE(logger, nullptr);
    for (int i = 0; i < 100; ++i) RELOG_INFO(*logger, "t=0 seq={}", i);
    // More than a queue holds, under kBlock: a child that waited for the
    // parent's sink threads would wait for room forever.
    ASSERT_EQ(ForkAndWait([&] {
                for (int i = 0; i < 1000; ++i) {
                  RELOG_INFO(*logger, "t=1 seq={}", i);
                }
                logger->Shutdown();
                const LoggerStats s = logger->GetStats();
                // The child's counters are its own.
                return s.accepted == 1000 && s.sinks[0].written == 1000 ? 0 : 1;
              }),
              "exit 0");
    logger->Flush();
    const SequenceReport s = CheckSequences(ReadLines(path), 2);
    ASSERT_EQ(s.error, "") << "run " << run;
    ASSERT_EQ(s.next[0], 100) << "run " << run;
    ASSERT_EQ(s.next[1], 1000) << "run " << run;
    ASSERT_EQ(s.matched, 1100) << "run " << run;
  }
}

TEST(ForkTest, AChildThatExitsWritesWhatItLogged) {
  const std::string path = MakeTestDir("fork_exit") + "/fork.log";
  auto logger = FileLogger(path);
  ASSERT_NE(logger, nullptr);
  RELOG_INFO(*logger, "t=0 seq=0");
  for (int run = 0; run < kRuns; ++run) {
    ASSERT_EQ(ForkAndWait([&] {
                for (int i = 0; i < 100; ++i) {
                  RELOG_INFO(*logger, "t={} seq={}", run + 1, i);
                }
                std::exit(0);  // the exit handler writes it all
                return 1;
              }),
              "exit 0");
  }
  logger->Flush();
  const SequenceReport s = CheckSequences(ReadLines(path), kRuns + 1);
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.next[0], 1);
  for (int run = 0; run < kRuns; ++run) EXPECT_EQ(s.next[run + 1], 100);
}

TEST(ForkTest, ForkingWhileOtherThreadsLogHardNeverHangsOrDuplicates) {
  const std::string path = MakeTestDir("fork_busy") + "/fork.log";
  auto logger = FileLogger(path, /*queue_capacity=*/256);
  ASSERT_NE(logger, nullptr);
  constexpr int kLoggers = 2;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kLoggers; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        RELOG_INFO(*logger, "t={} seq={}", t, i);
      }
    });
  }
  for (int run = 0; run < kRuns; ++run) {
    const std::string ended = ForkAndWait([&] {
      for (int i = 0; i < 100; ++i) {
        RELOG_INFO(*logger, "t={} seq={}", kLoggers + run, i);
      }
      logger->Shutdown();
      return 0;
    });
    ASSERT_EQ(ended, "exit 0") << "run " << run;
  }
  stop.store(true);
  for (auto& t : threads) t.join();
  logger->Flush();
  const SequenceReport s = CheckSequences(ReadLines(path), kLoggers + kRuns);
  ASSERT_EQ(s.error, "");
  EXPECT_EQ(s.matched, s.total());
  for (int t = 0; t < kLoggers; ++t) EXPECT_GT(s.next[t], 0);
  for (int run = 0; run < kRuns; ++run) EXPECT_EQ(s.next[kLoggers + run], 100);
}

}  // namespace
}  // namespace relog

// LeakSanitizer's hook, read when it checks at exit.
extern "C" int __lsan_is_turned_off() {
  return relog::g_in_forked_child ? 1 : 0;
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: lifecycle_test CHILD_BINARY\n");
    return 2;
  }
  relog::g_child = argv[1];
  return RUN_ALL_TESTS();
}
