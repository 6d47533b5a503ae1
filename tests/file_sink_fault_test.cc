// SPDX-License-Identifier: Apache-2.0
//
// Fault tests of the file sinks (FileSink, RotatingFileSink, DailyFileSink),
// each run for all three: errors at open name the path; a full disk
// (/dev/full, through a symlink at the sink's path) is counted and reported,
// what could not be written is counted lost (never written), while the
// other sinks of the same logger get everything; a file removed or renamed
// under the sink is reopened; a path that cannot be reopened (a directory
// replaced by a regular file: ENOTDIR; or permission denied, checked as the
// unprivileged user nobody, since root ignores permissions) is reported,
// writing goes on, and the sink recovers once the path works again.
// fsync=LEVEL (Sink::sync_level()): only batches holding such an entry are
// synced, a rotation syncs the file it closes, and a failed fdatasync(2)
// (made to fail by this binary's own fdatasync, below) is reported and
// counted.

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/daily_file_sink.h"
#include "relog/sinks/file_sink.h"
#include "relog/sinks/memory_sink.h"
#include "relog/sinks/pattern_formatter.h"
#include "relog/sinks/rotating_file_sink.h"
#include "tests/sink_test_util.h"

// fdatasync(2) as the sinks in this binary call it (the executable's
// definition comes before libc's): counts the calls, and fails with
// g_sync_errno when a test sets it.
std::atomic<int> g_sync_calls{0};
std::atomic<int> g_sync_errno{0};
extern "C" int fdatasync(int fd) {
  g_sync_calls.fetch_add(1);
  if (const int e = g_sync_errno.load(); e != 0) {
    errno = e;
    return -1;
  }
  return static_cast<int>(::syscall(SYS_fdatasync, fd));
}

namespace relog {
namespace {

using ::relog::testing::CapturedErrors;
using ::relog::testing::EntryFactory;
using ::relog::testing::Exists;
using ::relog::testing::MakeTestDir;
using ::relog::testing::MessageOnly;
using ::relog::testing::ReadFile;
using ::relog::testing::RunAsUnprivileged;
using ::relog::testing::SharedTestDir;
using ::relog::testing::SplitLines;
using ::relog::testing::WriteFile;
using ::testing::HasSubstr;

// 2100-01-01 00:00:00 UTC: the daily sink's clock, so that every real
// timestamp a logger stamps falls before its day and goes to its file.
constexpr int64_t kYear2100 = int64_t{4102444800} * 1000000000;

enum class Kind { kFile, kRotating, kDaily };

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
  const SharedTestDir shared("fault_perm");
  const std::string& dir = shared.path();
  ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);  // nobody may enter, not write
  RunAsUnprivileged([&] {
    auto sink = OpenSink(kind(), dir + "/app.log");
    ASSERT_FALSE(sink.ok());
    EXPECT_EQ(sink.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(sink.status().message(),
                HasSubstr(WrittenPath(kind(), dir + "/app.log")));
  });
}

TEST_P(FileSinkFaultTest, DiskFullIsCountedLostAndReportedAndOtherSinksGetAll) {
  ASSERT_TRUE(Exists("/dev/full")) << "Linux always has /dev/full";
  const std::string dir = MakeTestDir("fault_full");
  const std::string path = dir + "/app.log";
  // The sink's file is a symlink to /dev/full: every write fails ENOSPC.
  ASSERT_EQ(::symlink("/dev/full", WrittenPath(kind(), path).c_str()), 0);
  CapturedErrors errors;
  auto full = OpenSink(kind(), path);
  ASSERT_TRUE(full.ok()) << full.status();
  (*full)->set_retry_for(std::chrono::milliseconds(5));
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
    logger.Flush();  // returns once the full disk's records are given up
  }
  constexpr uint64_t kAll = kRounds * kPerRound;
  EXPECT_EQ(memory->size(), kAll);
  // Nothing reached the disk, so nothing counts as written.
  EXPECT_EQ((*full)->GetStats().written, 0u);
  EXPECT_EQ((*full)->GetStats().lost, kAll);
  const LoggerStats stats = logger.GetStats();
  ASSERT_EQ(stats.sinks.size(), 2u);
  EXPECT_EQ(stats.sinks[0].offered, kAll);
  EXPECT_EQ(stats.sinks[0].lost, kAll);
  EXPECT_EQ(stats.sinks[0].written, 0u);
  EXPECT_GE(stats.sinks[0].errors, 1u);
  EXPECT_EQ(stats.sinks[1].errors, 0u);
  EXPECT_EQ(stats.sinks[1].written, kAll);
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

// The sink keeps writing to the file it holds while its path cannot be
// reopened, reports each failed reopen, and recovers when the path works.
// `break_path` makes the directory `sub` unusable and returns the error
// code expected; `repair` undoes it. `held` is where the file held ends up
// (empty: not checked).
void CheckFailedReopen(Kind kind, const std::string& sub,
                       const std::function<absl::StatusCode()>& break_path,
                       const std::function<void()>& repair,
                       const std::string& held) {
  const std::string path = sub + "/app.log";
  const std::string file = WrittenPath(kind, path);
  CapturedErrors errors;
  auto sink = OpenSink(kind, path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  const auto write = [&](const std::string& message) {
    (*sink)->Write(*entries.MakeAt(message, kYear2100 + 1));
    EXPECT_TRUE((*sink)->Flush()) << message;  // written to the file held
  };
  write("before");
  const absl::StatusCode expected = break_path();
  write("while broken 1");
  write("while broken 2");
  // One report per flush, naming the path; nothing crashed.
  EXPECT_EQ((*sink)->GetStats().errors, 2u);
  auto reports = errors.reports();
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].sink, (*sink)->name());
  EXPECT_EQ(reports[0].status.code(), expected);
  EXPECT_THAT(std::string(reports[0].status.message()), HasSubstr(file));
  if (!held.empty()) {
    EXPECT_EQ(ReadFile(WrittenPath(kind, held)),
              "before\nwhile broken 1\nwhile broken 2\n");
  }
  repair();
  write("repaired");
  EXPECT_EQ(ReadFile(file), "repaired\n");
  EXPECT_EQ((*sink)->GetStats().errors, 2u);
  EXPECT_EQ((*sink)->GetStats().written, 4u);
}

TEST_P(FileSinkFaultTest,
       AFailedReopenNotADirectoryIsReportedAndTheSinkRecovers) {
  const std::string dir = MakeTestDir("fault_reopen");
  const std::string sub = dir + "/sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
  // The directory is moved away (taking the file held along) and a regular
  // file takes its place: ENOTDIR, for every user.
  CheckFailedReopen(
      kind(), sub,
      [&] {
        EXPECT_EQ(::rename(sub.c_str(), (sub + ".moved").c_str()), 0);
        WriteFile(sub, "not a directory");
        return absl::StatusCode::kUnavailable;
      },
      [&] {
        EXPECT_EQ(::unlink(sub.c_str()), 0);
        EXPECT_EQ(::mkdir(sub.c_str(), 0700), 0);
      },
      sub + ".moved/app.log");
}

TEST_P(FileSinkFaultTest,
       AFailedReopenPermissionDeniedIsReportedAndTheSinkRecovers) {
  const SharedTestDir shared("fault_reopen_perm");
  const std::string& dir = shared.path();
  RunAsUnprivileged([&] {
    const std::string sub = dir + "/sub";
    ASSERT_EQ(::mkdir(sub.c_str(), 0700), 0);
    // The file is removed and its directory made read-only: EACCES.
    CheckFailedReopen(
        kind(), sub,
        [&] {
          EXPECT_EQ(::unlink(WrittenPath(kind(), sub + "/app.log").c_str()), 0);
          EXPECT_EQ(::chmod(sub.c_str(), 0500), 0);
          return absl::StatusCode::kPermissionDenied;
        },
        [&] { EXPECT_EQ(::chmod(sub.c_str(), 0700), 0); }, "");
  });
}

INSTANTIATE_TEST_SUITE_P(AllFileSinks, FileSinkFaultTest,
                         ::testing::Values(Kind::kFile, Kind::kRotating,
                                           Kind::kDaily),
                         KindName);

TEST(FileSinkFaultTest, DevFullOpenedDirectlyReportsEveryFailedFlush) {
  CapturedErrors errors;
  auto sink = FileSink::Open("/dev/full");
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  for (int i = 1; i <= 3; ++i) {
    (*sink)->Write(*entries.Make("x"));
    EXPECT_FALSE((*sink)->Flush());
    EXPECT_EQ((*sink)->GetStats().errors, static_cast<uint64_t>(i));
    EXPECT_EQ((*sink)->pending(), static_cast<std::size_t>(i));  // kept
  }
  (*sink)->Discard();             // what its logger does after the retry time
  EXPECT_TRUE((*sink)->Flush());  // nothing pending: nothing to fail
  const SinkStats stats = (*sink)->GetStats();
  EXPECT_EQ(stats.errors, 3u);
  EXPECT_EQ(stats.written, 0u);
  EXPECT_EQ(stats.lost, 3u);
  const auto reports = errors.reports();
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].sink, "file:/dev/full");
  EXPECT_THAT(std::string(reports[2].status.message()),
              HasSubstr("write to /dev/full"));
}

TEST(FileSinkFaultTest, RotationThatCannotRenameIsReportedAndWritingGoesOn) {
  // As nobody, in a directory nobody owns: made read-only, it stops
  // rename(2) (root would ignore that).
  const SharedTestDir shared("fault_rename");
  RunAsUnprivileged([&] {
    const std::string dir = shared.path() + "/own";
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
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
    EXPECT_EQ((*sink)->GetStats().written, 4u);
  });
}

// Entries at `level`.
std::unique_ptr<Entry> MakeAtLevel(testing::EntryFactory& entries,
                                   std::string_view message, Level level) {
  testing::EntryFactory::Fields f;
  f.level = level;
  return entries.Make(message, f);
}

TEST_P(FileSinkFaultTest, SyncLevelSyncsOnlyTheBatchesHoldingSuchAnEntry) {
  const std::string dir = MakeTestDir("sync_level");
  const std::string path = dir + "/app.log";
  auto sink = OpenSink(kind(), path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EXPECT_EQ((*sink)->sync_level(), Level::kOff);  // the default
  (*sink)->set_sync_level(Level::kError);
  EntryFactory entries;
  const int calls_before = g_sync_calls.load();
  for (int i = 0; i < 3; ++i) {
    (*sink)->Write(*MakeAtLevel(entries, "info", Level::kInfo));
  }
  ASSERT_TRUE((*sink)->Flush());
  EXPECT_EQ(g_sync_calls.load(), calls_before);
  EXPECT_EQ((*sink)->GetStats().syncs, 0u);
  (*sink)->Write(*MakeAtLevel(entries, "warn", Level::kWarn));
  (*sink)->Write(*MakeAtLevel(entries, "error", Level::kError));
  ASSERT_TRUE((*sink)->Flush());
  EXPECT_EQ(g_sync_calls.load(), calls_before + 1);
  EXPECT_EQ((*sink)->GetStats().syncs, 1u);
  (*sink)->Write(*MakeAtLevel(entries, "warn again", Level::kWarn));
  ASSERT_TRUE((*sink)->Flush());
  EXPECT_EQ(g_sync_calls.load(), calls_before + 1);
  EXPECT_EQ((*sink)->GetStats().syncs, 1u);
  EXPECT_EQ((*sink)->GetStats().written, 6u);
  EXPECT_EQ(SplitLines(ReadFile(WrittenPath(kind(), path))),
            (std::vector<std::string>{"info", "info", "info", "warn", "error",
                                      "warn again"}));
}

TEST_P(FileSinkFaultTest, WithoutASyncLevelNothingIsSynced) {
  const std::string dir = MakeTestDir("sync_off");
  auto sink = OpenSink(kind(), dir + "/app.log");
  ASSERT_TRUE(sink.ok()) << sink.status();
  EntryFactory entries;
  const int calls_before = g_sync_calls.load();
  (*sink)->Write(*MakeAtLevel(entries, "fatal", Level::kFatal));
  ASSERT_TRUE((*sink)->Flush());
  EXPECT_EQ(g_sync_calls.load(), calls_before);
  EXPECT_EQ((*sink)->GetStats().syncs, 0u);
}

TEST_P(FileSinkFaultTest, AFailedSyncIsReportedAndCounted) {
  const std::string dir = MakeTestDir("sync_fail");
  const std::string path = dir + "/app.log";
  CapturedErrors errors;
  auto sink = OpenSink(kind(), path);
  ASSERT_TRUE(sink.ok()) << sink.status();
  (*sink)->set_sync_level(Level::kWarn);
  EntryFactory entries;
  g_sync_errno.store(EIO);
  (*sink)->Write(*MakeAtLevel(entries, "warn", Level::kWarn));
  (*sink)->Flush();
  g_sync_errno.store(0);
  // The record is in the file (it was written; only its durability is in
  // doubt), and the error says so.
  const SinkStats stats = (*sink)->GetStats();
  EXPECT_EQ(stats.written, 1u);
  EXPECT_EQ(stats.errors, 1u);
  ASSERT_EQ(errors.reports().size(), 1u);
  EXPECT_THAT(std::string(errors.reports()[0].status.message()),
              HasSubstr("fdatasync " + WrittenPath(kind(), path)));
  EXPECT_EQ(ReadFile(WrittenPath(kind(), path)), "warn\n");
}

TEST(FileSinkSyncTest, ARotationSyncsTheFileItCloses) {
  const std::string dir = MakeTestDir("sync_rotate");
  const std::string path = dir + "/app.log";
  auto sink = RotatingFileSink::Open(path, {11, 2}, MessageOnly());
  ASSERT_TRUE(sink.ok()) << sink.status();
  (*sink)->set_sync_level(Level::kError);
  EntryFactory entries;
  const int calls_before = g_sync_calls.load();
  // One batch: the second record does not fit and rotates the first out.
  (*sink)->Write(*MakeAtLevel(entries, "aaaaaaaaaa", Level::kInfo));
  (*sink)->Write(*MakeAtLevel(entries, "bbbbbbbbbb", Level::kError));
  ASSERT_TRUE((*sink)->Flush());
  // The closed file, then the batch's end in the new one.
  EXPECT_EQ(g_sync_calls.load(), calls_before + 2);
  EXPECT_EQ((*sink)->GetStats().syncs, 1u);
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 1)), "aaaaaaaaaa\n");
  EXPECT_EQ(ReadFile(path), "bbbbbbbbbb\n");
}

}  // namespace
}  // namespace relog
