// SPDX-License-Identifier: Apache-2.0
//
// relog::InstallCrashHandler(): a child process (tests/child_main.cc) logs
// N lines to a file and crashes (SIGSEGV, abort(), an uncaught exception,
// SIGBUS, SIGILL, SIGFPE). Every run must leave all N lines, once each and in order,
// then a final fatal entry naming the signal with a stack trace; and the
// process must end exactly as the same crash ends without relog (the
// control run), with a handler the program installed earlier still run.

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::relog::testing::CheckSequences;
using ::relog::testing::ChildResult;
using ::relog::testing::Exists;
using ::relog::testing::MakeTestDir;
using ::relog::testing::ReadFile;
using ::relog::testing::ReadLines;
using ::relog::testing::RunChild;
using ::relog::testing::SequenceReport;
using ::testing::HasSubstr;

std::string g_child;  // the path of tests/child_main.cc's binary

constexpr int kRuns = 20;
constexpr int kLines = 10000;
constexpr auto kDeadline = std::chrono::seconds(60);

// Under ThreadSanitizer the handler's (deliberate) work inside a signal
// handler would be reported as signal-unsafe; the child is told not to.
const std::vector<std::string> kChildEnv = {
    "TSAN_OPTIONS=halt_on_error=1:report_signal_unsafe=0"};

struct Crash {
  const char* kind;
  const char* signal_name;  // as the final entry names it
  const char* also;         // more text the final entry must hold
};

class CrashHandlerTest : public ::testing::TestWithParam<Crash> {};

TEST_P(CrashHandlerTest, EveryLineAndTheSignalReachTheFileAndTheEndIsTheSame) {
  const Crash& c = GetParam();
  const std::string dir = MakeTestDir(c.kind);
  const ChildResult control =
      RunChild({g_child, "crash", c.kind, dir + "/control.log",
                std::to_string(kLines), "--no-relog"},
               kDeadline, kChildEnv);
  ASSERT_FALSE(control.timed_out);
  // exit 3: the child's "no crash happened".
  ASSERT_NE(control.Describe(), "exit 0") << control.output;
  ASSERT_NE(control.Describe(), "exit 3") << control.output;
  for (int run = 0; run < kRuns; ++run) {
    const std::string path = absl::StrCat(dir, "/run", run, ".log");
    const ChildResult r =
        RunChild({g_child, "crash", c.kind, path, std::to_string(kLines)},
                 kDeadline, kChildEnv);
    ASSERT_EQ(r.Describe(), control.Describe())
        << "run " << run << " ended unlike the crash without relog:\n"
        << r.output;
    const std::vector<std::string> lines = ReadLines(path);
    const SequenceReport s = CheckSequences(lines, 1);
    ASSERT_EQ(s.error, "") << "run " << run;
    ASSERT_EQ(s.next[0], kLines) << "run " << run << ":\n" << r.output;
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(kLines) + 1)
        << "run " << run << ": no final entry:\n"
        << r.output;
    for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
      ASSERT_THAT(lines[i], ::testing::EndsWith(" phase=crash"))
          << "run " << run;
    }
    const std::string& last = lines.back();
    EXPECT_THAT(last, HasSubstr("FATAL child"));
    EXPECT_THAT(last, HasSubstr(c.signal_name));
    EXPECT_THAT(last, HasSubstr("@ 0x"));  // the stack trace's frames
    EXPECT_THAT(last, HasSubstr(c.also));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Crashes, CrashHandlerTest,
    // The stack goes through the code that crashed (CrashWith() in
    // tests/child_main.cc), or through libc's abort().
    ::testing::Values(Crash{"segv", "SIGSEGV", "CrashWith"},
                      Crash{"abort", "SIGABRT", "abort"},
                      Crash{"throw", "SIGABRT",
                            "uncaught exception of type std::runtime_error: "
                            "nobody catches this"},
                      Crash{"bus", "SIGBUS", "CrashWith"},
                      Crash{"ill", "SIGILL", "CrashWith"},
                      Crash{"fpe", "SIGFPE", "CrashWith"}),
    [](const ::testing::TestParamInfo<Crash>& p) {
      return std::string(p.param.kind);
    });

TEST(CrashHandlerChainTest, AHandlerInstalledBeforeRelogsStillRuns) {
  for (const char* kind : {"segv", "abort"}) {
    const std::string dir = MakeTestDir(kind);
    const ChildResult control =
        RunChild({g_child, "crash", kind, dir + "/control.log", "10",
                  "--no-relog", "--app-handler=" + dir + "/control.marker"},
                 kDeadline, kChildEnv);
    ASSERT_TRUE(Exists(dir + "/control.marker")) << control.output;
    const ChildResult r =
        RunChild({g_child, "crash", kind, dir + "/app.log", "10",
                  "--app-handler=" + dir + "/app.marker"},
                 kDeadline, kChildEnv);
    EXPECT_EQ(r.Describe(), control.Describe()) << r.output;
    EXPECT_EQ(ReadFile(dir + "/app.marker"), "app handler ran\n");
    const std::vector<std::string> lines = ReadLines(dir + "/app.log");
    ASSERT_EQ(lines.size(), 11u) << r.output;
    EXPECT_THAT(lines.back(), HasSubstr("FATAL child"));
  }
}

}  // namespace
}  // namespace relog

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: crash_handler_test CHILD_BINARY\n");
    return 2;
  }
  relog::g_child = argv[1];
  return RUN_ALL_TESTS();
}
