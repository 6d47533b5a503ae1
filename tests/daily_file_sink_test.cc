// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::DailyFileSink with an injected clock and hand-made entry
// timestamps (no waiting): naming, option checks, rotation at midnight and
// at a custom time, in UTC and in a local time zone, retention, and
// logrotate-style moves.

#include "relog/sinks/daily_file_sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::EntryFactory;
using ::relog::testing::Exists;
using ::relog::testing::ListDir;
using ::relog::testing::MakeTestDir;
using ::relog::testing::MessageOnly;
using ::relog::testing::ReadFile;
using ::relog::testing::WriteFile;
using ::testing::HasSubstr;

constexpr int64_t kSecond = 1000000000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 2026-11-24 00:00:00 UTC.
constexpr int64_t kNov24 = int64_t{1795478400} * kSecond;

DailyOptions UtcAt(int hour, int minute, int64_t now_ns, int max_days = 0) {
  DailyOptions o;
  o.hour = hour;
  o.minute = minute;
  o.utc = true;
  o.max_days = max_days;
  o.now_ns = [now_ns] { return now_ns; };
  return o;
}

std::shared_ptr<DailyFileSink> MustOpen(const std::string& path,
                                        DailyOptions options) {
  auto sink = DailyFileSink::Open(path, std::move(options), MessageOnly());
  EXPECT_TRUE(sink.ok()) << sink.status();
  return sink.ok() ? *sink : nullptr;
}

TEST(DailyFileSinkTest, DatedNamesPutTheDateBeforeTheExtension) {
  EXPECT_EQ(DailyFileSink::DatedPath("app.log", "2026-11-23"),
            "app_2026-11-23.log");
  EXPECT_EQ(DailyFileSink::DatedPath("/var/log/app.log", "2026-11-23"),
            "/var/log/app_2026-11-23.log");
  EXPECT_EQ(DailyFileSink::DatedPath("/v.d/app", "2026-11-23"),
            "/v.d/app_2026-11-23");
}

TEST(DailyFileSinkTest, BadOptionsAreInvalidArgument) {
  const std::string dir = MakeTestDir("daily_bad");
  for (const auto& [hour, minute, days] :
       {std::tuple{24, 0, 1}, std::tuple{-1, 0, 1}, std::tuple{0, 60, 1},
        std::tuple{0, -1, 1}, std::tuple{0, 0, -1}}) {
    DailyOptions o;
    o.hour = hour;
    o.minute = minute;
    o.max_days = days;
    auto sink = DailyFileSink::Open(dir + "/app.log", o);
    ASSERT_FALSE(sink.ok());
    EXPECT_EQ(sink.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(sink.status().message(), HasSubstr(dir + "/app.log"));
  }
  EXPECT_TRUE(ListDir(dir).empty());
}

TEST(DailyFileSinkTest, OpenErrorNamesThePath) {
  const std::string dir = MakeTestDir("daily_open");
  WriteFile(dir + "/file", "x");  // a regular file used as a directory
  auto sink =
      DailyFileSink::Open(dir + "/file/app.log", UtcAt(0, 0, kNov24 + kHour));
  ASSERT_FALSE(sink.ok());
  EXPECT_THAT(sink.status().message(),
              HasSubstr(dir + "/file/app_2026-11-24.log"));
}

TEST(DailyFileSinkTest, TheClockChoosesTheFirstFile) {
  const std::string dir = MakeTestDir("daily_first");
  auto sink = MustOpen(dir + "/app.log", UtcAt(0, 0, kNov24 - kHour));
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->current_path(), dir + "/app_2026-11-23.log");
  EXPECT_TRUE(Exists(dir + "/app_2026-11-23.log"));
}

TEST(DailyFileSinkTest, ABatchCrossingMidnightIsSplitByRecordTimestamps) {
  const std::string dir = MakeTestDir("daily_midnight");
  auto sink = MustOpen(dir + "/app.log", UtcAt(0, 0, kNov24 - kHour));
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  sink->Write(*entries.MakeAt("late on the 23rd", kNov24 - kHour));
  sink->Write(*entries.MakeAt("last ns of the 23rd", kNov24 - 1));
  sink->Write(*entries.MakeAt("first ns of the 24th", kNov24));
  sink->Write(*entries.MakeAt("later on the 24th", kNov24 + 5 * kHour));
  // A record stamped before the current day began (another thread's, late)
  // is not sent back: it goes to the current file.
  sink->Write(*entries.MakeAt("straggler from the 23rd", kNov24 - kSecond));
  sink->Flush();
  sink->Write(*entries.MakeAt("two days later", kNov24 + 2 * kDay + kHour));
  sink->Flush();
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-23.log"),
            "late on the 23rd\nlast ns of the 23rd\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-24.log"),
            "first ns of the 24th\nlater on the 24th\nstraggler from the "
            "23rd\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-26.log"), "two days later\n");
  EXPECT_FALSE(Exists(dir + "/app_2026-11-25.log"));
  EXPECT_EQ(sink->current_path(), dir + "/app_2026-11-26.log");
  EXPECT_EQ(sink->GetStats().errors, 0u);
}

TEST(DailyFileSinkTest, CustomRotationTimeNamesTheDayByItsStart) {
  const std::string dir = MakeTestDir("daily_custom");
  // Rotation at 02:30: at 01:00 on the 24th it is still the 23rd's day.
  auto sink = MustOpen(dir + "/app.log", UtcAt(2, 30, kNov24 + kHour));
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->current_path(), dir + "/app_2026-11-23.log");
  EntryFactory entries;
  sink->Write(*entries.MakeAt("01:00", kNov24 + kHour));
  sink->Write(
      *entries.MakeAt("02:29:59", kNov24 + 2 * kHour + 30 * kMinute - kSecond));
  sink->Write(*entries.MakeAt("02:30", kNov24 + 2 * kHour + 30 * kMinute));
  sink->Write(*entries.MakeAt("23:59", kNov24 + kDay - kMinute));
  sink->Write(
      *entries.MakeAt("next 02:29", kNov24 + kDay + 2 * kHour + 29 * kMinute));
  sink->Write(
      *entries.MakeAt("next 02:30", kNov24 + kDay + 2 * kHour + 30 * kMinute));
  sink->Flush();
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-23.log"), "01:00\n02:29:59\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-24.log"),
            "02:30\n23:59\nnext 02:29\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-25.log"), "next 02:30\n");
}

// Sets TZ for one scope (and tzset()s), restoring it after.
class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = ::getenv("TZ")) old_ = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ScopedTimeZone() {
    if (old_.has_value()) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

TEST(DailyFileSinkTest, LocalTimeIsTheDefault) {
  // A POSIX zone five hours behind UTC, no DST: local midnight is 05:00 UTC.
  ScopedTimeZone tz("EST5");
  const std::string dir = MakeTestDir("daily_local");
  DailyOptions o;
  o.max_days = 0;
  o.now_ns = [] { return kNov24 + kHour; };  // 20:00 on the 23rd, local
  auto sink = MustOpen(dir + "/app.log", o);
  ASSERT_NE(sink, nullptr);
  EXPECT_EQ(sink->current_path(), dir + "/app_2026-11-23.log");
  EntryFactory entries;
  sink->Write(*entries.MakeAt("23:59 local", kNov24 + 5 * kHour - kMinute));
  sink->Write(*entries.MakeAt("00:00 local", kNov24 + 5 * kHour));
  sink->Flush();
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-23.log"), "23:59 local\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-24.log"), "00:00 local\n");
}

TEST(DailyFileSinkTest, RetentionKeepsTheNewestMaxDaysFiles) {
  const std::string dir = MakeTestDir("daily_keep");
  for (const char* date :
       {"2026-11-01", "2026-11-20", "2026-11-21", "2026-11-22"}) {
    WriteFile(dir + "/app_" + date + ".log", "old\n");
  }
  // Files that only look alike are never touched.
  for (const char* other :
       {"app_notadate.log", "app_2026-11-01.txt", "other_2026-11-01.log",
        "app_2026-11-01.log.gz", "app.log"}) {
    WriteFile(dir + "/" + other, "keep\n");
  }
  auto sink = MustOpen(dir + "/app.log", UtcAt(0, 0, kNov24 - kHour, 3));
  ASSERT_NE(sink, nullptr);
  // Opening deletes nothing (a configuration may still fail after it)...
  EXPECT_TRUE(Exists(dir + "/app_2026-11-01.log"));
  EXPECT_TRUE(Exists(dir + "/app_2026-11-20.log"));
  // ... the first record does.
  EntryFactory entries;
  sink->Write(*entries.MakeAt("23rd", kNov24 - kHour));
  sink->Flush();
  EXPECT_EQ(ListDir(dir), (std::vector<std::string>{
                              "app.log", "app_2026-11-01.log.gz",
                              "app_2026-11-01.txt", "app_2026-11-21.log",
                              "app_2026-11-22.log", "app_2026-11-23.log",
                              "app_notadate.log", "other_2026-11-01.log"}));
  // Each new day pushes the oldest one out.
  sink->Write(*entries.MakeAt("24th", kNov24));
  sink->Write(*entries.MakeAt("25th", kNov24 + kDay));
  sink->Flush();
  EXPECT_FALSE(Exists(dir + "/app_2026-11-21.log"));
  EXPECT_FALSE(Exists(dir + "/app_2026-11-22.log"));
  EXPECT_TRUE(Exists(dir + "/app_2026-11-23.log"));
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-24.log"), "24th\n");
  EXPECT_EQ(ReadFile(dir + "/app_2026-11-25.log"), "25th\n");
  EXPECT_TRUE(Exists(dir + "/app_notadate.log"));
  EXPECT_EQ(sink->GetStats().errors, 0u);
}

TEST(DailyFileSinkTest, MaxDaysZeroKeepsEverything) {
  const std::string dir = MakeTestDir("daily_all");
  WriteFile(dir + "/app_2020-01-01.log", "old\n");
  auto sink = MustOpen(dir + "/app.log", UtcAt(0, 0, kNov24, 0));
  ASSERT_NE(sink, nullptr);
  EntryFactory entries;
  for (int d = 1; d <= 5; ++d) {
    sink->Write(*entries.MakeAt("x", kNov24 + d * kDay));
  }
  sink->Flush();
  EXPECT_EQ(ListDir(dir).size(), 7u);
  EXPECT_TRUE(Exists(dir + "/app_2020-01-01.log"));
}

TEST(DailyFileSinkTest, TheDefaultClockIsTheSystemClock) {
  const std::string dir = MakeTestDir("daily_clock");
  DailyOptions o;
  o.utc = true;
  auto sink = MustOpen(dir + "/app.log", o);
  ASSERT_NE(sink, nullptr);
  // The file's date is today's (or, right at midnight, yesterday's).
  const time_t now = ::time(nullptr);
  char today[16];
  char yesterday[16];
  struct tm tm;
  gmtime_r(&now, &tm);
  std::strftime(today, sizeof(today), "%Y-%m-%d", &tm);
  const time_t before = now - 86400;
  gmtime_r(&before, &tm);
  std::strftime(yesterday, sizeof(yesterday), "%Y-%m-%d", &tm);
  EXPECT_THAT(sink->current_path(),
              ::testing::AnyOf(dir + "/app_" + today + ".log",
                               dir + "/app_" + yesterday + ".log"));
}

TEST(DailyFileSinkTest, ReopensWhenTheCurrentFileIsMovedAway) {
  const std::string dir = MakeTestDir("daily_moved");
  auto sink = MustOpen(dir + "/app.log", UtcAt(0, 0, kNov24));
  ASSERT_NE(sink, nullptr);
  const std::string current = dir + "/app_2026-11-24.log";
  EntryFactory entries;
  sink->Write(*entries.MakeAt("before", kNov24));
  sink->Flush();
  ASSERT_EQ(::rename(current.c_str(), (dir + "/moved").c_str()), 0);
  sink->Write(*entries.MakeAt("after", kNov24 + 1));
  sink->Flush();
  EXPECT_EQ(ReadFile(dir + "/moved"), "before\n");
  EXPECT_EQ(ReadFile(current), "after\n");
  EXPECT_EQ(sink->GetStats().errors, 0u);
}

}  // namespace
}  // namespace relog
