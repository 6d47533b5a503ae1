// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::RotatingFileSink: option checks, file naming, rotation
// between records (never inside one), sizes and file count bounded, a
// record larger than max_size, mid-batch rotation, restart over existing
// files, a logger with several threads, and logrotate-style moves.

#include "relog/sinks/rotating_file_sink.h"

#include <stdio.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::EntryFactory;
using ::relog::testing::Exists;
using ::relog::testing::FileSize;
using ::relog::testing::ListDir;
using ::relog::testing::MakeTestDir;
using ::relog::testing::MessageOnly;
using ::relog::testing::ReadFile;
using ::relog::testing::SplitLines;
using ::relog::testing::WriteFile;
using ::testing::HasSubstr;

// Records are the bare message and '\n': sizes are easy to reason about.
std::shared_ptr<RotatingFileSink> MustOpen(const std::string& path,
                                           uint64_t max_size, int max_files) {
  auto sink = RotatingFileSink::Open(path, RotatingOptions{max_size, max_files},
                                     MessageOnly());
  EXPECT_TRUE(sink.ok()) << sink.status();
  return sink.ok() ? *sink : nullptr;
}

// The lines of the rotated files, oldest first, then of the current file.
std::vector<std::string> AllLinesInOrder(const std::string& path,
                                         int max_files) {
  std::vector<std::string> lines;
  for (int i = max_files; i >= 1; --i) {
    for (std::string& l :
         SplitLines(ReadFile(RotatingFileSink::RotatedPath(path, i)))) {
      lines.push_back(std::move(l));
    }
  }
  for (std::string& l : SplitLines(ReadFile(path))) {
    lines.push_back(std::move(l));
  }
  return lines;
}

// "line-00042" and so on, each record 11 bytes with its newline.
std::string Numbered(int i) {
  return absl::StrCat("line-", absl::Dec(i, absl::kZeroPad5));
}

TEST(RotatingFileSinkTest, BadOptionsAreInvalidArgument) {
  const std::string dir = MakeTestDir("rot_bad");
  auto zero_size = RotatingFileSink::Open(dir + "/a.log", {0, 3});
  ASSERT_FALSE(zero_size.ok());
  EXPECT_EQ(zero_size.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero_size.status().message(), HasSubstr("max_size"));
  for (const int files : {0, -1}) {
    auto bad = RotatingFileSink::Open(dir + "/a.log", {100, files});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(bad.status().message(), HasSubstr("max_files"));
  }
  EXPECT_FALSE(Exists(dir + "/a.log")) << "nothing is created on bad options";
}

TEST(RotatingFileSinkTest, OpenErrorNamesThePath) {
  const std::string dir = MakeTestDir("rot_open");
  WriteFile(dir + "/file", "x");  // a regular file used as a directory
  auto sink = RotatingFileSink::Open(dir + "/file/app.log", {100, 2});
  ASSERT_FALSE(sink.ok());
  EXPECT_THAT(sink.status().message(), HasSubstr(dir + "/file/app.log"));
}

TEST(RotatingFileSinkTest, RotatedNamesPutTheIndexBeforeTheExtension) {
  EXPECT_EQ(RotatingFileSink::RotatedPath("app.log", 1), "app.1.log");
  EXPECT_EQ(RotatingFileSink::RotatedPath("/var/log/app.log", 12),
            "/var/log/app.12.log");
  EXPECT_EQ(RotatingFileSink::RotatedPath("app", 2), "app.2");
  EXPECT_EQ(RotatingFileSink::RotatedPath("/v.d/app", 1), "/v.d/app.1");
  EXPECT_EQ(RotatingFileSink::RotatedPath("/v/.hidden", 1), "/v/.hidden.1");
  EXPECT_EQ(RotatingFileSink::RotatedPath("a.tar.gz", 3), "a.tar.3.gz");
}

TEST(RotatingFileSinkTest, EveryLineAppearsOnceInOrderAndNoFileIsTooBig) {
  const std::string dir = MakeTestDir("rot_once");
  const std::string path = dir + "/app.log";
  constexpr uint64_t kMaxSize = 100;  // 9 records of 11 bytes fit
  constexpr int kMaxFiles = 50;
  auto sink = MustOpen(path, kMaxSize, kMaxFiles);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  std::vector<std::string> expected;
  int n = 0;
  // Batches of varying size, so rotations fall inside batches too.
  for (const int batch : {1, 3, 25, 7, 9, 10, 40, 2}) {
    for (int i = 0; i < batch; ++i) {
      expected.push_back(Numbered(n));
      sink->Write(*entries.Make(Numbered(n++)));
    }
    sink->Flush();
  }
  EXPECT_EQ(AllLinesInOrder(path, kMaxFiles), expected);
  // 97 records of 11 bytes, 9 per file: 11 files, 10 of them rotated.
  EXPECT_TRUE(Exists(RotatingFileSink::RotatedPath(path, 10)));
  EXPECT_FALSE(Exists(RotatingFileSink::RotatedPath(path, 11)));
  for (const std::string& name : ListDir(dir)) {
    const uint64_t size = FileSize(dir + "/" + name);
    EXPECT_LE(size, kMaxSize) << name;
    EXPECT_EQ(size % 11, 0u) << name << " holds a partial record";
  }
  // A full rotated file holds exactly as many whole records as fit.
  EXPECT_EQ(FileSize(RotatingFileSink::RotatedPath(path, 1)), 99u);
  EXPECT_EQ(sink->GetStats().errors, 0u);
}

TEST(RotatingFileSinkTest, KeepsOnlyMaxFilesRotatedFilesWithTheNewestLines) {
  const std::string dir = MakeTestDir("rot_bound");
  const std::string path = dir + "/app.log";
  auto sink = MustOpen(path, 55, 3);  // 5 records per file
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  constexpr int kLines = 500;
  for (int i = 0; i < kLines; ++i) {
    sink->Write(*entries.Make(Numbered(i)));
    if (i % 13 == 12) sink->Flush();
  }
  sink->Flush();
  EXPECT_EQ(ListDir(dir), (std::vector<std::string>{"app.1.log", "app.2.log",
                                                    "app.3.log", "app.log"}));
  // What is kept is the tail of the sequence, contiguous and in order.
  const std::vector<std::string> kept = AllLinesInOrder(path, 3);
  ASSERT_EQ(kept.size(), 20u);  // 500 = 100 files of 5: 4 kept, all full
  for (std::size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i], Numbered(kLines - 20 + static_cast<int>(i)));
  }
}

TEST(RotatingFileSinkTest, ARecordThatExactlyFillsTheFileStaysInIt) {
  const std::string dir = MakeTestDir("rot_exact");
  const std::string path = dir + "/app.log";
  auto sink = MustOpen(path, 22, 2);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  sink->Write(*entries.Make(Numbered(0)));
  sink->Write(*entries.Make(Numbered(1)));  // 22 bytes: exactly max_size
  sink->Flush();
  EXPECT_EQ(ReadFile(path), Numbered(0) + "\n" + Numbered(1) + "\n");
  EXPECT_FALSE(Exists(RotatingFileSink::RotatedPath(path, 1)));
  sink->Write(*entries.Make(Numbered(2)));  // 33 > 22: rotate first
  sink->Flush();
  EXPECT_EQ(ReadFile(path), Numbered(2) + "\n");
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 1)),
            Numbered(0) + "\n" + Numbered(1) + "\n");
}

TEST(RotatingFileSinkTest, ARecordLargerThanMaxSizeGoesAloneIntoAFile) {
  const std::string dir = MakeTestDir("rot_big");
  const std::string path = dir + "/app.log";
  auto sink = MustOpen(path, 30, 5);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  const std::string big(100, 'B');
  sink->Write(*entries.Make("small-1"));
  sink->Write(*entries.Make(big));
  sink->Write(*entries.Make("small-2"));
  sink->Flush();
  sink->Write(*entries.Make(big));  // into an empty file, as one batch
  sink->Flush();
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 3)), "small-1\n");
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 2)), big + "\n");
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 1)), "small-2\n");
  EXPECT_EQ(ReadFile(path), big + "\n");
}

TEST(RotatingFileSinkTest, RotationMidBatchWritesThePartBeforeFirst) {
  const std::string dir = MakeTestDir("rot_mid");
  const std::string path = dir + "/app.log";
  auto sink = MustOpen(path, 33, 2);  // 3 records per file
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  for (int i = 0; i < 4; ++i) sink->Write(*entries.Make(Numbered(i)));
  // Before the flush, the three records before the rotation are already in
  // the rotated file; the fourth waits in the buffer for the flush.
  EXPECT_EQ(SplitLines(ReadFile(RotatingFileSink::RotatedPath(path, 1))),
            (std::vector<std::string>{Numbered(0), Numbered(1), Numbered(2)}));
  EXPECT_EQ(ReadFile(path), "");
  sink->Flush();
  EXPECT_EQ(ReadFile(path), Numbered(3) + "\n");
}

TEST(RotatingFileSinkTest, RestartContinuesTheCurrentFileAndShiftsOldOnes) {
  const std::string dir = MakeTestDir("rot_restart");
  const std::string path = dir + "/app.log";
  WriteFile(path, Numbered(100) + "\n" + Numbered(101) + "\n");  // 22 bytes
  WriteFile(RotatingFileSink::RotatedPath(path, 1), "old-1\n");
  WriteFile(RotatingFileSink::RotatedPath(path, 2), "old-2\n");
  WriteFile(RotatingFileSink::RotatedPath(path, 3), "old-3\n");
  auto sink = MustOpen(path, 33, 3);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  // One more record fits beside the 22 bytes already there...
  sink->Write(*entries.Make(Numbered(102)));
  sink->Flush();
  EXPECT_EQ(
      SplitLines(ReadFile(path)),
      (std::vector<std::string>{Numbered(100), Numbered(101), Numbered(102)}));
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 1)), "old-1\n");
  // ...the next one rotates: every old file moves up one, the oldest goes.
  sink->Write(*entries.Make(Numbered(103)));
  sink->Flush();
  EXPECT_EQ(ReadFile(path), Numbered(103) + "\n");
  EXPECT_EQ(
      SplitLines(ReadFile(RotatingFileSink::RotatedPath(path, 1))),
      (std::vector<std::string>{Numbered(100), Numbered(101), Numbered(102)}));
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 2)), "old-1\n");
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 3)), "old-2\n");
  EXPECT_FALSE(Exists(RotatingFileSink::RotatedPath(path, 4)));
  EXPECT_EQ(ListDir(dir).size(), 4u);
}

TEST(RotatingFileSinkTest, RestartWithACurrentFileAlreadyFullRotatesFirst) {
  const std::string dir = MakeTestDir("rot_full");
  const std::string path = dir + "/app.log";
  WriteFile(path, std::string(40, 'x') + "\n");  // 41 > max_size 33
  auto sink = MustOpen(path, 33, 2);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  sink->Write(*entries.Make(Numbered(0)));
  sink->Flush();
  EXPECT_EQ(ReadFile(path), Numbered(0) + "\n");
  EXPECT_EQ(ReadFile(RotatingFileSink::RotatedPath(path, 1)),
            std::string(40, 'x') + "\n");
}

TEST(RotatingFileSinkTest, PathWithoutExtension) {
  const std::string dir = MakeTestDir("rot_noext");
  const std::string path = dir + "/app";
  auto sink = MustOpen(path, 11, 2);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  for (int i = 0; i < 3; ++i) sink->Write(*entries.Make(Numbered(i)));
  sink->Flush();
  EXPECT_EQ(ListDir(dir), (std::vector<std::string>{"app", "app.1", "app.2"}));
  EXPECT_EQ(ReadFile(dir + "/app.2"), Numbered(0) + "\n");
  EXPECT_EQ(ReadFile(dir + "/app"), Numbered(2) + "\n");
}

TEST(RotatingFileSinkTest, LoggerWithSeveralThreadsLosesAndSplitsNothing) {
  const std::string dir = MakeTestDir("rot_logger");
  const std::string path = dir + "/app.log";
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  constexpr int kMaxFiles = 1000;  // enough to keep everything
  {
    auto sink = RotatingFileSink::Open(path, {4096, kMaxFiles});
    ASSERT_TRUE(sink.ok()) << sink.status();
    LoggerOptions options;
    options.name = "rot";
    options.queue_capacity = 256;
    Logger logger(options, {*sink});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&logger, t] {
        for (int i = 0; i < kPerThread; ++i) {
          RELOG_INFO(logger, "t{} i{} {}", t, i, std::string(i % 97, 'p'));
        }
      });
    }
    for (std::thread& t : threads) t.join();
    logger.Flush();
    EXPECT_EQ((*sink)->GetStats().errors, 0u);
  }
  // Each thread's lines appear exactly once, whole, and in its order.
  std::vector<int> next(kThreads, 0);
  int total = 0;
  for (const std::string& line : AllLinesInOrder(path, kMaxFiles)) {
    const std::size_t at = line.find("] t");
    ASSERT_NE(at, std::string::npos) << line;
    int t = -1;
    int i = -1;
    ASSERT_EQ(std::sscanf(line.c_str() + at, "] t%d i%d", &t, &i), 2) << line;
    ASSERT_TRUE(t >= 0 && t < kThreads) << line;
    EXPECT_EQ(i, next[t]) << line;
    next[t] = i + 1;
    EXPECT_EQ(line.size() - line.rfind(' ') - 1, static_cast<size_t>(i % 97))
        << "split or mangled: " << line;
    ++total;
  }
  EXPECT_EQ(total, kThreads * kPerThread);
  for (const std::string& name : ListDir(dir)) {
    EXPECT_LE(FileSize(dir + "/" + name), 4096u) << name;
  }
}

TEST(RotatingFileSinkTest, ReopensWhenTheCurrentFileIsMovedAway) {
  const std::string dir = MakeTestDir("rot_moved");
  const std::string path = dir + "/app.log";
  auto sink = MustOpen(path, 1000, 2);
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  sink->Write(*entries.Make("before"));
  sink->Flush();
  ASSERT_EQ(::rename(path.c_str(), (dir + "/moved.log").c_str()), 0);
  sink->Write(*entries.Make("after"));
  sink->Flush();
  EXPECT_EQ(ReadFile(dir + "/moved.log"), "before\n");
  EXPECT_EQ(ReadFile(path), "after\n");
  ASSERT_EQ(::unlink(path.c_str()), 0);
  sink->Write(*entries.Make("after unlink"));
  sink->Flush();
  EXPECT_EQ(ReadFile(path), "after unlink\n");
  EXPECT_EQ(sink->GetStats().errors, 0u);
}

TEST(RotatingFileSinkTest, AfterAnExternalRotationTheNewFileSizeCounts) {
  const std::string dir = MakeTestDir("rot_external");
  const std::string path = dir + "/app.log";
  auto sink = MustOpen(path, 33, 2);  // 3 records per file
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  sink->Write(*entries.Make(Numbered(0)));
  sink->Write(*entries.Make(Numbered(1)));
  sink->Flush();
  // logrotate moves the file away; the sink still counts 22 bytes.
  ASSERT_EQ(::rename(path.c_str(), (dir + "/external").c_str()), 0);
  sink->Write(*entries.Make(Numbered(2)));
  sink->Write(*entries.Make(Numbered(3)));  // would not fit in the old file
  sink->Flush();
  // Both went to the fresh file: no rotation of our own was needed.
  EXPECT_EQ(SplitLines(ReadFile(path)),
            (std::vector<std::string>{Numbered(2), Numbered(3)}));
  EXPECT_FALSE(Exists(RotatingFileSink::RotatedPath(path, 1)));
  EXPECT_EQ(SplitLines(ReadFile(dir + "/external")),
            (std::vector<std::string>{Numbered(0), Numbered(1)}));
}

}  // namespace
}  // namespace relog
