// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::ConsoleSink: the colour decision (ShouldColor and its
// environment variables), coloured and plain output through a pipe, a
// terminal detected through a pseudo-terminal, and write errors.

#include "relog/sinks/console_sink.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::CapturedErrors;
using ::relog::testing::EntryFactory;

TEST(ShouldColorTest, ExplicitModesIgnoreTheTerminalAndTheEnvironment) {
  for (const bool tty : {false, true}) {
    for (const char* no_color : {static_cast<const char*>(nullptr), "", "1"}) {
      for (const char* force : {static_cast<const char*>(nullptr), "", "1"}) {
        EXPECT_TRUE(ShouldColor(ColorMode::kAlways, tty, no_color, force));
        EXPECT_FALSE(ShouldColor(ColorMode::kNever, tty, no_color, force));
      }
    }
  }
}

TEST(ShouldColorTest, AutoFollowsTheTerminalWhenTheEnvironmentIsSilent) {
  EXPECT_TRUE(ShouldColor(ColorMode::kAuto, true, nullptr, nullptr));
  EXPECT_FALSE(ShouldColor(ColorMode::kAuto, false, nullptr, nullptr));
  // Set but empty counts as unset, for both variables.
  EXPECT_TRUE(ShouldColor(ColorMode::kAuto, true, "", ""));
  EXPECT_FALSE(ShouldColor(ColorMode::kAuto, false, "", ""));
}

TEST(ShouldColorTest, NoColorTurnsAutoOff) {
  EXPECT_FALSE(ShouldColor(ColorMode::kAuto, true, "1", nullptr));
  EXPECT_FALSE(ShouldColor(ColorMode::kAuto, true, "0", nullptr));
}

TEST(ShouldColorTest, ForceColorTurnsAutoOn) {
  EXPECT_TRUE(ShouldColor(ColorMode::kAuto, false, nullptr, "1"));
  EXPECT_TRUE(ShouldColor(ColorMode::kAuto, false, "", "yes"));
}

TEST(ShouldColorTest, NoColorWinsOverForceColor) {
  EXPECT_FALSE(ShouldColor(ColorMode::kAuto, true, "1", "1"));
  EXPECT_FALSE(ShouldColor(ColorMode::kAuto, false, "1", "1"));
}

// Sets (or unsets, for nullopt) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value.has_value()) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class Pipe {
 public:
  Pipe() { ok_ = ::pipe(fds_) == 0; }
  ~Pipe() {
    if (ok_) {
      ::close(fds_[0]);
      ::close(fds_[1]);
    }
  }
  bool ok() const { return ok_; }
  int write_fd() const { return fds_[1]; }
  // Everything written so far (the test writes less than the pipe holds).
  std::string Drain() {
    std::string out;
    const int flags = ::fcntl(fds_[0], F_GETFL);
    ::fcntl(fds_[0], F_SETFL, flags | O_NONBLOCK);
    char buf[4096];
    for (ssize_t n; (n = ::read(fds_[0], buf, sizeof(buf))) > 0;) {
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
  bool ok_ = false;
};

std::unique_ptr<Formatter> LevelAndMessage() {
  auto f = PatternFormatter::Create("%l %v");
  return f.ok() ? *std::move(f) : nullptr;
}

TEST(ConsoleSinkTest, AlwaysColorsEachRecordByLevelAndResetsBeforeNewline) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ConsoleSink sink(pipe.write_fd(), "console:pipe", LevelAndMessage(),
                   ColorMode::kAlways);
  EXPECT_TRUE(sink.colored());
  EntryFactory entries;
  std::string expected;
  for (const Level level : {Level::kTrace, Level::kDebug, Level::kInfo,
                            Level::kWarn, Level::kError, Level::kFatal}) {
    EntryFactory::Fields fields;
    fields.level = level;
    sink.Write(*entries.Make("msg", fields));
    expected += std::string(ColorCode(level)) + std::string(LevelName(level)) +
                " msg" + std::string(kColorReset) + "\n";
  }
  sink.Flush();
  EXPECT_EQ(pipe.Drain(), expected);
  EXPECT_EQ(ColorCode(Level::kError), "\x1b[31m");
  EXPECT_EQ(ColorCode(Level::kInfo), "\x1b[32m");
}

TEST(ConsoleSinkTest, NeverWritesPlainRecords) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  ConsoleSink sink(pipe.write_fd(), "console:pipe", LevelAndMessage(),
                   ColorMode::kNever);
  EXPECT_FALSE(sink.colored());
  EntryFactory entries;
  sink.Write(*entries.Make("one"));
  sink.Write(*entries.Make("two"));
  sink.Flush();
  EXPECT_EQ(pipe.Drain(), "INFO one\nINFO two\n");
  EXPECT_EQ(sink.GetStats().written, 2u);
}

TEST(ConsoleSinkTest, AutoOnAPipeIsPlainUnlessForced) {
  Pipe pipe;
  ASSERT_TRUE(pipe.ok());
  {
    ScopedEnv no_color("NO_COLOR", std::nullopt);
    ScopedEnv force("FORCE_COLOR", std::nullopt);
    ConsoleSink sink(pipe.write_fd(), "p", LevelAndMessage());
    EXPECT_FALSE(sink.colored());
  }
  {
    ScopedEnv no_color("NO_COLOR", std::nullopt);
    ScopedEnv force("FORCE_COLOR", "1");
    ConsoleSink sink(pipe.write_fd(), "p", LevelAndMessage());
    EXPECT_TRUE(sink.colored());
    EntryFactory entries;
    sink.Write(*entries.Make("forced"));
    sink.Flush();
    EXPECT_EQ(pipe.Drain(),
              "\x1b[32mINFO forced" + std::string(kColorReset) + "\n");
  }
  {
    ScopedEnv no_color("NO_COLOR", "1");
    ScopedEnv force("FORCE_COLOR", "1");
    ConsoleSink sink(pipe.write_fd(), "p", LevelAndMessage());
    EXPECT_FALSE(sink.colored());
  }
}

TEST(ConsoleSinkTest, AutoOnATerminalColorsUnlessNoColor) {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    if (master >= 0) ::close(master);
    GTEST_SKIP() << "no pseudo-terminal available here";
  }
  const int tty = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  ASSERT_GE(tty, 0);
  ASSERT_EQ(::isatty(tty), 1);
  {
    ScopedEnv no_color("NO_COLOR", std::nullopt);
    ScopedEnv force("FORCE_COLOR", std::nullopt);
    ConsoleSink sink(tty, "console:tty", LevelAndMessage());
    EXPECT_TRUE(sink.colored());
  }
  {
    ScopedEnv no_color("NO_COLOR", "1");
    ScopedEnv force("FORCE_COLOR", std::nullopt);
    ConsoleSink sink(tty, "console:tty", LevelAndMessage());
    EXPECT_FALSE(sink.colored());
  }
  ::close(tty);
  ::close(master);
}

TEST(ConsoleSinkTest, StreamConstructorNamesTheStream) {
  ConsoleSink out(ConsoleStream::kStdout, nullptr, ColorMode::kNever);
  ConsoleSink err(ConsoleStream::kStderr);
  EXPECT_EQ(out.name(), "console:stdout");
  EXPECT_EQ(err.name(), "console:stderr");
  EXPECT_FALSE(out.colored());
}

TEST(ConsoleSinkTest, WriteErrorsAreCountedAndReportedAndTheSinkGoesOn) {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (full < 0) GTEST_SKIP() << "no /dev/full here";
  CapturedErrors errors;
  ConsoleSink sink(full, "console:full", LevelAndMessage(), ColorMode::kNever);
  EntryFactory entries;
  for (int batch = 1; batch <= 2; ++batch) {
    sink.Write(*entries.Make("lost"));
    sink.Flush();
    EXPECT_EQ(sink.GetStats().errors, static_cast<uint64_t>(batch));
  }
  const auto reports = errors.reports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].sink, "console:full");
  EXPECT_EQ(reports[0].status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(reports[0].status.message()),
              ::testing::HasSubstr("console:full"));
  ::close(full);
}

}  // namespace
}  // namespace relog
