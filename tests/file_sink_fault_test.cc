// SPDX-License-Identifier: Apache-2.0
//
// Fault tests of the file sinks (FileSink, RotatingFileSink, DailyFileSink),
// each run for all three: errors at open name the path; a full disk
// (/dev/full, through a symlink at the sink's path) is counted and reported
// while the other sinks of the same logger get everything; a file removed
// or renamed under the sink is reopened; a path that cannot be reopened
// (permission denied, or, when running as root where permissions are not
// enforced, a directory replaced by a regular file: ENOTDIR) is reported,
// writing goes on, and the sink recovers once the path works again.

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "logger/logger.h"
#include "sinks/daily_file_sink.h"
#include "sinks/file_sink.h"
#include "sinks/memory_sink.h"
#include "sinks/pattern_formatter.h"
#include "sinks/rotating_file_sink.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::CapturedErrors;
using ::relog::testing::EntryFactory;
using ::relog::testing::Exists;
using ::relog::testing::MakeTestDir;
using ::relog::testing::ReadFile;
using ::relog::testing::SplitLines;
using ::relog::testing::WriteFile;
using ::testing::HasSubstr;

// 2100-01-01 00:00:00 UTC: the daily sink's clock, so that every real
// timestamp a logger stamps falls before its day and goes to its file.
constexpr int64_t kYear2100 = int64_t{4102444800} * 1000000000;

enum class Kind { kFile, kRotating, kDaily };

std::unique_ptr<Formatter> MessageOnly() {
  auto f = PatternFormatter::Create("%v");
  return f.ok() ? *std::move(f) : nullptr;
}

// Opens a sink of `kind` for `path` ("dir/app.log").
absl::StatusOr<std::shared_ptr<Sink>> OpenSink(Kind kind,
                                               const std::string& path) {
  switch (kind) {
    case Kind::kFile: {
      auto s = FileSink::Open(path, MessageOnly());
      if (!s.ok()) return s.status();
      return std::shared_ptr<Sink>(*s);
    }
    case Kind::kRotating: {
      // Large enough that the tests never rotate by size.
      auto s = RotatingFileSink::Open(path, {1 << 20, 3}, MessageOnly());
      if (!s.ok()) return s.status();
      return std::shared_ptr<Sink>(*s);
    }
    case Kind::kDaily: {
      DailyOptions o;
      o.utc = true;
      o.now_ns = [] { return kYear2100; };
      auto s = DailyFileSink::Open(path, o, MessageOnly());
      if (!s.ok()) return s.status();
      return std::shared_ptr<Sink>(*s);
    }
  }
  return absl::InternalError("unknown kind");
}

// The file a sink of `kind` opened for `path` writes to.
std::string WrittenPath(Kind kind, const std::string& path) {
  return kind == Kind::kDaily ? DailyFileSink::DatedPath(path, "2100-01-01")
                              : path;
}

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  switch (info.param) {
    case Kind::kFile:
      return "File";
    case Kind::kRotating:
      return "Rotating";
    case Kind::kDaily:
      return "Daily";
  }
  return "Unknown";
}

class FileSinkFaultTest : public ::testing::TestWithParam<Kind> {
 protected:
  Kind kind() const { return GetParam(); }
};

TEST_P(FileSinkFaultTest, OpenErrorIsAStatusNamingThePath) {
  const std::string dir = MakeTestDir("fault_open");
  // A path under a regular file fails with ENOTDIR for every user.
  WriteFile(dir + "/file", "x");
  const std::string path = dir + "/file/app.log";
  auto sink = OpenSink(kind(), path);
  ASSERT_FALSE(sink.ok());
  EXPECT_THAT(sink.status().message(), HasSubstr(WrittenPath(kind(), path)));
  EXPECT_THAT(sink.status().message(), HasSubstr("open"));
}

TEST_P(FileSinkFaultTest, OpenInAnUnwritableDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: directory permissions are not "
                    "enforced; OpenErrorIsAStatusNamingThePath covers open "
                    "errors with ENOTDIR instead";
  }
  const std::string dir = MakeTestDir("fault_perm");
  ASSERT_EQ(::chmod(dir.c_str(), 0500), 0);
  auto sink = OpenSink(kind(), dir + "/app.log");
  ::chmod(dir.c_str(), 0700);
  ASSERT_FALSE(sink.ok());
  EXPECT_EQ(sink.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(sink.status().message(),
              HasSubstr(WrittenPath(kind(), dir + "/app.log")));
}

TEST_P(FileSinkFaultTest, DiskFullIsCountedAndReportedAndOtherSinksGetAll) {
  if (!Exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  const std::string dir = MakeTestDir("fault_full");
  const std::string path = dir + "/app.log";
  // The sink's file is a symlink to /dev/full: every write fails ENOSPC.
  ASSERT_EQ(::symlink("/dev/full", WrittenPath(kind(), path).c_str()), 0);
  CapturedErrors errors;
  auto full = OpenSink(kind(), path);
  ASSERT_TRUE(full.ok()) << full.status();
  auto memory = std::make_shared<MemorySink>();
  LoggerOptions options;
  options.name = "fault";
  Logger logger(options, {*full, memory});
  constexpr int kRounds = 3;
  constexpr int kPerRound = 500;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound; ++i) {
      RELOG_INFO(logger, "round {} line {}", round, i);
    }
    logger.Flush();
    // Each flush with something to write fails again: the sink keeps going.
    EXPECT_GE((*full)->GetStats().errors, static_cast<uint64_t>(round + 1));
  }
  EXPECT_EQ(memory->size(), static_cast<size_t>(kRounds * kPerRound));
  EXPECT_EQ((*full)->GetStats().written,
            static_cast<uint64_t>(kRounds * kPerRound));
  const LoggerStats stats = logger.GetStats();
  ASSERT_EQ(stats.sinks.size(), 2u);
  EXPECT_GE(stats.sinks[0].errors, static_cast<uint64_t>(kRounds));
  EXPECT_EQ(stats.sinks[1].errors, 0u);
  const auto reports = errors.reports();
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.size(), (*full)->GetStats().errors);
  EXPECT_EQ(reports[0].sink, (*full)->name());
  EXPECT_EQ(reports[0].status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(reports[0].status.message()),
              HasSubstr(WrittenPath(kind(), path)));
  // A device is never rotated: the symlink is still where it was.
  struct stat st;
  ASSERT_EQ(::lstat(WrittenPath(kind(), path).c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_FALSE(Exists(RotatingFileSink::RotatedPath(path, 1)));
}

TEST_P(FileSinkFaultTest, AFileRemovedOrRenamedUnderTheSinkIsReopened) {
  const std::string dir = MakeTestDir("fault_moved");
  const std::string path = dir + "/app.log";
  const std::string file = WrittenPath(kind(), path);
  CapturedErrors errors;
  auto sink = OpenSink(kind(), path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  const auto write = [&](const char* message) {
    (*sink)->Write(*entries.MakeAt(message, kYear2100 + 1));
    (*sink)->Flush();
  };
  write("first");
  ASSERT_EQ(::rename(file.c_str(), (dir + "/rotated").c_str()), 0);
  write("after rename");
  ASSERT_EQ(::unlink(file.c_str()), 0);
  write("after unlink");
  EXPECT_EQ(ReadFile(dir + "/rotated"), "first\n");
  EXPECT_EQ(ReadFile(file), "after unlink\n");
  EXPECT_EQ((*sink)->GetStats().errors, 0u);
  EXPECT_TRUE(errors.reports().empty());
}

// Makes `sub` (holding the sink's file) impossible to reopen in: as an
// ordinary user, the file is removed and `sub` made read-only (EACCES); as
// root, which ignores permissions, `sub` is renamed to `sub.moved` and a
// regular file put in its place (ENOTDIR). Returns the error code expected.
absl::StatusCode BreakDirectory(const std::string& sub,
                                const std::string& file) {
  if (::geteuid() != 0) {
    EXPECT_EQ(::unlink(file.c_str()), 0);
    EXPECT_EQ(::chmod(sub.c_str(), 0500), 0);
    return absl::StatusCode::kPermissionDenied;
  }
  EXPECT_EQ(::rename(sub.c_str(), (sub + ".moved").c_str()), 0);
  WriteFile(sub, "not a directory");
  return absl::StatusCode::kUnavailable;  // ENOTDIR
}

void RepairDirectory(const std::string& sub) {
  if (::geteuid() != 0) {
    EXPECT_EQ(::chmod(sub.c_str(), 0700), 0);
    return;
  }
  EXPECT_EQ(::unlink(sub.c_str()), 0);
  EXPECT_EQ(::mkdir(sub.c_str(), 0700), 0);
}

TEST_P(FileSinkFaultTest, AFailedReopenIsReportedAndTheSinkRecovers) {
  const std::string dir = MakeTestDir("fault_reopen");
  const std::string sub = dir + "/sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  const std::string path = sub + "/app.log";
  const std::string file = WrittenPath(kind(), path);
  CapturedErrors errors;
  auto sink = OpenSink(kind(), path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  const auto write = [&](const std::string& message) {
    (*sink)->Write(*entries.MakeAt(message, kYear2100 + 1));
    (*sink)->Flush();
  };
  write("before");
  const absl::StatusCode expected = BreakDirectory(sub, file);
  write("while broken 1");
  write("while broken 2");
  // One report per flush, naming the path; nothing crashed.
  EXPECT_EQ((*sink)->GetStats().errors, 2u);
  auto reports = errors.reports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].sink, (*sink)->name());
  EXPECT_EQ(reports[0].status.code(), expected);
  EXPECT_THAT(std::string(reports[0].status.message()), HasSubstr(file));
  if (::geteuid() == 0) {
    // The records went on into the file held, now under sub.moved.
    EXPECT_EQ(ReadFile(WrittenPath(kind(), sub + ".moved/app.log")),
              "before\nwhile broken 1\nwhile broken 2\n");
  }
  RepairDirectory(sub);
  write("repaired");
  EXPECT_EQ(ReadFile(file), "repaired\n");
  EXPECT_EQ((*sink)->GetStats().errors, 2u);
  EXPECT_EQ((*sink)->GetStats().written, 4u);
}

INSTANTIATE_TEST_SUITE_P(AllFileSinks, FileSinkFaultTest,
                         ::testing::Values(Kind::kFile, Kind::kRotating,
                                           Kind::kDaily),
                         KindName);

TEST(FileSinkFaultTest, DevFullOpenedDirectlyReportsEveryFailedBatch) {
  if (!Exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  CapturedErrors errors;
  auto sink = FileSink::Open("/dev/full");
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  for (int i = 1; i <= 3; ++i) {
    (*sink)->Write(*entries.Make("x"));
    (*sink)->Flush();
    EXPECT_EQ((*sink)->GetStats().errors, static_cast<uint64_t>(i));
  }
  (*sink)->Flush();  // nothing buffered: nothing to fail
  EXPECT_EQ((*sink)->GetStats().errors, 3u);
  const auto reports = errors.reports();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].sink, "file:/dev/full");
  EXPECT_THAT(std::string(reports[2].status.message()),
              HasSubstr("write to /dev/full"));
}

TEST(FileSinkFaultTest, RotationThatCannotRenameIsReportedAndWritingGoesOn) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: a read-only directory does not stop "
                    "rename(2), so this fault cannot be made here";
  }
  const std::string dir = MakeTestDir("fault_rename");
  const std::string path = dir + "/app.log";
  CapturedErrors errors;
  auto sink = RotatingFileSink::Open(path, {11, 2}, MessageOnly());
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  (*sink)->Write(*entries.Make("aaaaaaaaaa"));
  (*sink)->Flush();
  ASSERT_EQ(::chmod(dir.c_str(), 0500), 0);
  (*sink)->Write(*entries.Make("bbbbbbbbbb"));
  (*sink)->Write(*entries.Make("cccccccccc"));
  (*sink)->Flush();
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
  // One failed rotation per batch; the records stay in the current file.
  EXPECT_EQ((*sink)->GetStats().errors, 1u);
  ASSERT_EQ(errors.reports().size(), 1u);
  EXPECT_EQ(errors.reports()[0].status.code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(
      SplitLines(ReadFile(path)),
      (std::vector<std::string>{"aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"}));
  // Next batch, with the directory writable again, rotation resumes.
  (*sink)->Write(*entries.Make("dddddddddd"));
  (*sink)->Flush();
  EXPECT_EQ(ReadFile(path), "dddddddddd\n");
}

}  // namespace
}  // namespace relog
