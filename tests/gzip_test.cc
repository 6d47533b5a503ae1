// SPDX-License-Identifier: Apache-2.0
//
// compress=gzip: GzipFile() replaces a file with its .gz only once the .gz
// is whole (an error at any step leaves the original, and no .gz or
// temporary file); the rotating sink compresses each file it rotates out,
// shifts and counts the .gz files against max_files, and compresses a
// leftover plain one; the daily sink compresses a past day's file and
// counts each day once in its retention; a failed compression is reported,
// counted, and loses nothing. Contents are read back with zlib.

#include <sys/stat.h>
#include <zlib.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/sinks/daily_file_sink.h"
#include "relog/sinks/gzip_files.h"
#include "relog/sinks/rotating_file_sink.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::CapturedErrors;
using ::relog::testing::EntryFactory;
using ::relog::testing::Exists;
using ::relog::testing::ListDir;
using ::relog::testing::MakeTestDir;
using ::relog::testing::MessageOnly;
using ::relog::testing::ReadFile;
using ::relog::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The decompressed contents of a gzip file ("<unreadable>" if it is not
// one, or is cut short).
std::string Gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return "<unreadable>";
  std::string out;
  char buf[4096];
  int n;
  while ((n = gzread(f, buf, sizeof(buf))) > 0) out.append(buf, n);
  int err = Z_OK;
  gzerror(f, &err);
  const bool ok = n == 0 && err == Z_OK;
  gzclose(f);
  return ok ? out : "<unreadable>";
}

std::string Text(int lines, const std::string& tag) {
  std::string s;
  for (int i = 0; i < lines; ++i) absl::StrAppend(&s, tag, " line ", i, "\n");
  return s;
}

TEST(GzipFileTest, ReplacesTheFileWithItsWholeGzip) {
  const std::string dir = MakeTestDir("gzip_file");
  const std::string text = Text(20000, "compressible");
  WriteFile(dir + "/a.log", text);
  ASSERT_TRUE(sink_internal::GzipFile(dir + "/a.log").ok());
  EXPECT_THAT(ListDir(dir), ElementsAre("a.log.gz"));
  EXPECT_EQ(Gunzip(dir + "/a.log.gz"), text);
  struct stat st;
  ASSERT_EQ(::stat((dir + "/a.log.gz").c_str(), &st), 0);
  EXPECT_LT(static_cast<std::size_t>(st.st_size), text.size() / 4);

  WriteFile(dir + "/empty.log", "");
  ASSERT_TRUE(sink_internal::GzipFile(dir + "/empty.log").ok());
  EXPECT_EQ(Gunzip(dir + "/empty.log.gz"), "");
}

TEST(GzipFileTest, AFailedStepLeavesTheOriginalWhole) {
  const std::string dir = MakeTestDir("gzip_fail");
  // No such file.
  absl::Status s = sink_internal::GzipFile(dir + "/missing.log");
  EXPECT_THAT(s.ToString(), HasSubstr("missing.log"));
  EXPECT_TRUE(ListDir(dir).empty());

  // The temporary name is taken by a directory: the create fails.
  WriteFile(dir + "/a.log", "keep a\n");
  ASSERT_EQ(::mkdir((dir + "/a.log.gz.tmp").c_str(), 0755), 0);
  s = sink_internal::GzipFile(dir + "/a.log");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.ToString(), HasSubstr("a.log.gz.tmp"));
  EXPECT_EQ(ReadFile(dir + "/a.log"), "keep a\n");
  EXPECT_FALSE(Exists(dir + "/a.log.gz"));

  // The final name is a directory that is not empty: the rename fails, and
  // the temporary file goes.
  WriteFile(dir + "/b.log", "keep b\n");
  ASSERT_EQ(::mkdir((dir + "/b.log.gz").c_str(), 0755), 0);
  WriteFile(dir + "/b.log.gz/x", "x");
  s = sink_internal::GzipFile(dir + "/b.log");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.ToString(), HasSubstr("rename"));
  EXPECT_EQ(ReadFile(dir + "/b.log"), "keep b\n");
  EXPECT_FALSE(Exists(dir + "/b.log.gz.tmp"));
}

TEST(GzipQueueTest, CompressesInTheBackgroundAndFinishesBeforeItGoes) {
  const std::string dir = MakeTestDir("gzip_queue");
  std::vector<absl::Status> errors;
  {
    sink_internal::GzipQueue queue(
        [&](const absl::Status& s) { errors.push_back(s); });
    for (int i = 0; i < 5; ++i) {
      const std::string path = absl::StrCat(dir, "/f", i, ".log");
      WriteFile(path, Text(100, path));
      queue.Add(path);
      queue.Add(path);  // queued already: once
    }
    queue.Add(dir + "/missing.log");
    queue.WaitIdle();
    EXPECT_EQ(queue.compressed(), 5u);
    EXPECT_TRUE(queue.Cancel(dir + "/f0.log"));  // not queued: nothing to do
  }
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0].ToString(), HasSubstr("missing.log"));
  for (int i = 0; i < 5; ++i) {
    const std::string path = absl::StrCat(dir, "/f", i, ".log");
    EXPECT_FALSE(Exists(path));
    EXPECT_EQ(Gunzip(path + ".gz"), Text(100, path));
  }
}

// Records are the message and '\n'; 10 bytes each ("rec-00042\n").
std::string Rec(int i) {
  return absl::StrCat("rec-", absl::Dec(i, absl::kZeroPad5));
}

// Records [from, to) as a file holds them.
std::string Records(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) absl::StrAppend(&s, Rec(i), "\n");
  return s;
}

// A rotating sink of 10 records a file, 3 kept, compressed.
std::shared_ptr<RotatingFileSink> OpenGzipRotating(const std::string& path) {
  RotatingOptions options;
  options.max_size = 100;
  options.max_files = 3;
  options.compress = Compression::kGzip;
  auto sink = RotatingFileSink::Open(path, options, MessageOnly());
  EXPECT_TRUE(sink.ok()) << sink.status();
  return sink.ok() ? *sink : nullptr;
}

// Writes records [from, to), a flush after each.
void WriteRecords(RotatingFileSink& sink, int from, int to) {
  EntryFactory entries;
  for (int i = from; i < to; ++i) {
    sink.Write(*entries.Make(Rec(i)));
    sink.Flush();
  }
}

TEST(RotatingGzipTest, RotatedFilesAreCompressedShiftedAndCounted) {
  const std::string dir = MakeTestDir("rot_gzip");
  const std::string path = dir + "/app.log";
  // Left uncompressed by an earlier run: compressed at the first rotation.
  WriteFile(dir + "/app.2.log", "leftover\n");
  {
    auto sink = OpenGzipRotating(path);
    ASSERT_NE(sink, nullptr);
    WriteRecords(*sink, 0, 45);
    EXPECT_EQ(sink->GetStats().errors, 0u);
  }  // the sink's queue finishes
  EXPECT_THAT(ListDir(dir), ElementsAre("app.1.log.gz", "app.2.log.gz",
                                        "app.3.log.gz", "app.log"));
  EXPECT_EQ(ReadFile(path), Records(40, 45));
  EXPECT_EQ(Gunzip(dir + "/app.1.log.gz"), Records(30, 40));
  EXPECT_EQ(Gunzip(dir + "/app.2.log.gz"), Records(20, 30));
  EXPECT_EQ(Gunzip(dir + "/app.3.log.gz"), Records(10, 20));
}

TEST(RotatingGzipTest, AFailedCompressionIsReportedAndLosesNothing) {
  const std::string dir = MakeTestDir("rot_gzip_fail");
  // The temporary name of the first rotated file is taken.
  ASSERT_EQ(::mkdir((dir + "/app.1.log.gz.tmp").c_str(), 0755), 0);
  CapturedErrors errors;
  {
    auto sink = OpenGzipRotating(dir + "/app.log");
    ASSERT_NE(sink, nullptr);
    WriteRecords(*sink, 0, 15);
  }  // the sink's queue finishes
  ASSERT_FALSE(errors.reports().empty());
  EXPECT_THAT(errors.reports()[0].status.ToString(),
              HasSubstr("app.1.log.gz.tmp"));
  EXPECT_EQ(ReadFile(dir + "/app.1.log"), Records(0, 10));  // still whole
}

TEST(RotatingGzipTest, ErrorsAreCountedInTheSinksStats) {
  const std::string dir = MakeTestDir("rot_gzip_count");
  ASSERT_EQ(::mkdir((dir + "/app.1.log.gz.tmp").c_str(), 0755), 0);
  CapturedErrors errors;
  auto sink = OpenGzipRotating(dir + "/app.log");
  ASSERT_NE(sink, nullptr);
  WriteRecords(*sink, 0, 15);
  // The second rotation waits for the first file's compression (which
  // fails); by its end the error is in.
  WriteRecords(*sink, 15, 25);
  EXPECT_GE(sink->GetStats().errors, 1u);
}

constexpr int64_t kSecond = 1000000000;
constexpr int64_t kHour = 3600 * kSecond;
// 2026-11-24 00:00:00 UTC.
constexpr int64_t kNov24 = int64_t{1795478400} * kSecond;

TEST(DailyGzipTest, PastDaysAreCompressedAndCountedOnce) {
  const std::string dir = MakeTestDir("daily_gzip");
  // Earlier days: one compressed, one left plain (compressed at the first
  // record), one old enough to go.
  WriteFile(dir + "/app_2026-11-20.log", "20th\n");
  WriteFile(dir + "/app_2026-11-21.log", "21st\n");
  ASSERT_TRUE(sink_internal::GzipFile(dir + "/app_2026-11-21.log").ok());
  WriteFile(dir + "/app_2026-11-22.log", "22nd\n");
  {
    DailyOptions options;
    options.utc = true;
    options.max_days = 3;
    options.compress = Compression::kGzip;
    options.now_ns = [] { return kNov24 - kHour; };  // the 23rd
    auto sink = DailyFileSink::Open(dir + "/app.log", options, MessageOnly());
    ASSERT_TRUE(sink.ok()) << sink.status();
    EntryFactory entries;
    (*sink)->Write(*entries.MakeAt("23rd", kNov24 - kHour));
    (*sink)->Flush();
    (*sink)->Write(*entries.MakeAt("24th", kNov24 + kHour));
    (*sink)->Flush();
    EXPECT_EQ((*sink)->GetStats().errors, 0u);
  }
  // Kept: the 24th (current), the 23rd and the 22nd, compressed; the 21st
  // and 20th went, in either form.
  EXPECT_THAT(ListDir(dir),
              ElementsAre("app_2026-11-22.log.gz", "app_2026-11-23.log.gz",
                          "app_2026-11-24.log"));
  EXPECT_EQ(Gunzip(dir + "/app_2026-11-22.log.gz"), "22nd\n");
  EXPECT_EQ(Gunzip(dir + "/app_2026-11-23.log.gz"), "23rd\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-24.log"), "24th\n");
}

}  // namespace
}  // namespace relog
