// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::PatternFormatter: every flag, literals, errors for bad
// patterns, the control-character option, the per-second cache, and
// equivalence of TextFormatter with kDefaultPattern.

#include "relog/sinks/pattern_formatter.h"

#include <time.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/sinks/formatter.h"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::EntryFactory;
using ::testing::HasSubstr;

constexpr int64_t kTs = 1795448906123456789;  // 2026-11-23 15:48:26.123456789Z

std::string FormatWith(Formatter& f, const Entry& e) {
  fmt::memory_buffer out;
  f.Format(e, out);
  return fmt::to_string(out);
}

std::unique_ptr<PatternFormatter> MustCreate(std::string_view pattern,
                                             PatternOptions options = {}) {
  auto f = PatternFormatter::Create(pattern, options);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *std::move(f) : nullptr;
}

PatternOptions Utc() {
  PatternOptions o;
  o.utc = true;
  return o;
}

TEST(PatternFormatterTest, EveryFlagWritesItsField) {
  EntryFactory entries;
  EntryFactory::Fields fields;
  fields.timestamp_ns = kTs;
  fields.level = Level::kWarn;
  fields.thread_id = 4242;
  fields.logger = "svc";
  fields.location = SourceLocation{"src/net/server.cc", 77, "Accept"};
  auto e = entries.Make("hello", fields);

  const struct {
    const char* pattern;
    const char* expected;
  } cases[] = {
      {"%D", "2026-11-23"},
      {"%T", "15:48:26"},
      {"%Y", "2026"},
      {"%m", "11"},
      {"%d", "23"},
      {"%H", "15"},
      {"%M", "48"},
      {"%S", "26"},
      {"%e", "123"},
      {"%f", "123456"},
      {"%F", "123456789"},
      {"%l", "WARN"},
      {"%L", "WARN "},
      {"%n", "svc"},
      {"%t", "4242"},
      {"%s", "server.cc"},
      {"%g", "src/net/server.cc"},
      {"%#", "77"},
      {"%!", "Accept"},
      {"%v", "hello"},
      {"%%", "%"},
  };
  for (const auto& c : cases) {
    auto f = MustCreate(c.pattern, Utc());
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(FormatWith(*f, *e), std::string(c.expected) + "\n")
        << "pattern " << c.pattern;
  }
}

TEST(PatternFormatterTest, LiteralsAndFlagsCombine) {
  EntryFactory entries;
  auto e = entries.MakeAt("up 100%", kTs);
  auto f = MustCreate("[%D %T.%e] <%l> 100%% %v!", Utc());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(FormatWith(*f, *e),
            "[2026-11-23 15:48:26.123] <INFO> 100% up 100%!\n");
}

TEST(PatternFormatterTest, EmptyPatternWritesJustTheNewline) {
  EntryFactory entries;
  auto e = entries.Make("x");
  auto f = MustCreate("");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(FormatWith(*f, *e), "\n");
}

TEST(PatternFormatterTest, SubsecondDigitsAreZeroPadded) {
  EntryFactory entries;
  auto e = entries.MakeAt("x", 1795448906000001002);  // .000001002
  auto f = MustCreate("%e|%f|%F", Utc());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(FormatWith(*f, *e), "000|000001|000001002\n");
}

TEST(PatternFormatterTest, LevelPaddingForEveryLevel) {
  EntryFactory entries;
  auto f = MustCreate("[%L]");
  ASSERT_NE(f, nullptr);
  const std::pair<Level, const char*> cases[] = {
      {Level::kTrace, "[TRACE]\n"}, {Level::kDebug, "[DEBUG]\n"},
      {Level::kInfo, "[INFO ]\n"},  {Level::kWarn, "[WARN ]\n"},
      {Level::kError, "[ERROR]\n"}, {Level::kFatal, "[FATAL]\n"},
  };
  for (const auto& [level, expected] : cases) {
    EntryFactory::Fields fields;
    fields.level = level;
    EXPECT_EQ(FormatWith(*f, *entries.Make("m", fields)), expected);
  }
}

TEST(PatternFormatterTest, UnknownFlagIsAnErrorNamingItAndItsPosition) {
  auto f = PatternFormatter::Create("%D %q %v");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("'%q'"));
  EXPECT_THAT(f.status().message(), HasSubstr("position 3"));
  EXPECT_THAT(f.status().message(), HasSubstr("%D %q %v"));
}

TEST(PatternFormatterTest, TrailingPercentIsAnError) {
  auto f = PatternFormatter::Create("%v 100%");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("lone '%'"));
  EXPECT_THAT(f.status().message(), HasSubstr("position 6"));
}

TEST(PatternFormatterTest, ControlCharactersAreEscapedByDefault) {
  EntryFactory entries;
  auto e = entries.Make("line1\nFAKE 2026 ERROR\r\t\x01\x7f end");
  auto f = MustCreate("%l %v");
  ASSERT_NE(f, nullptr);
  const std::string out = FormatWith(*f, *e);
  EXPECT_EQ(out, "INFO line1\\nFAKE 2026 ERROR\\r\\t\\x01\\x7f end\n");
  // Exactly one line: the message cannot forge a second record.
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST(PatternFormatterTest, EscapingCanBeTurnedOff) {
  EntryFactory entries;
  auto e = entries.Make("a\nb\tc");
  PatternOptions options;
  options.escape_control = false;
  auto f = MustCreate("%v", options);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(FormatWith(*f, *e), "a\nb\tc\n");
}

TEST(PatternFormatterTest, TimeTextFollowsTheSecondAcrossEntries) {
  EntryFactory entries;
  auto f = MustCreate("%T.%e", Utc());
  ASSERT_NE(f, nullptr);
  const int64_t s = 1000000000;
  EXPECT_EQ(FormatWith(*f, *entries.MakeAt("a", kTs)), "15:48:26.123\n");
  EXPECT_EQ(FormatWith(*f, *entries.MakeAt("b", kTs + 1000000)),
            "15:48:26.124\n");
  EXPECT_EQ(FormatWith(*f, *entries.MakeAt("c", kTs + s)), "15:48:27.123\n");
  EXPECT_EQ(FormatWith(*f, *entries.MakeAt("d", kTs - 3600 * s)),
            "14:48:26.123\n");
}

TEST(PatternFormatterTest, TimesBeforeTheEpochAreFloored) {
  EntryFactory entries;
  auto f = MustCreate("%D %T.%F", Utc());
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(FormatWith(*f, *entries.MakeAt("a", -1)),
            "1969-12-31 23:59:59.999999999\n");
}

TEST(PatternFormatterTest, LocalTimeIsTheDefault) {
  EntryFactory entries;
  auto f = MustCreate("%D %T");
  ASSERT_NE(f, nullptr);
  const time_t t = static_cast<time_t>(kTs / 1000000000);
  struct tm tm;
  localtime_r(&t, &tm);
  char expected[64];
  std::strftime(expected, sizeof(expected), "%Y-%m-%d %H:%M:%S\n", &tm);
  EXPECT_EQ(FormatWith(*f, *entries.MakeAt("x", kTs)), expected);
}

TEST(PatternFormatterTest, TextFormatterMatchesTheDefaultPatternByteForByte) {
  EntryFactory entries;
  TextFormatter text;
  auto pattern = MustCreate(kDefaultPattern);
  ASSERT_NE(pattern, nullptr);
  TextFormatter text_raw(/*escape_control=*/false);
  PatternOptions raw;
  raw.escape_control = false;
  auto pattern_raw = MustCreate(kDefaultPattern, raw);
  ASSERT_NE(pattern_raw, nullptr);

  const Level levels[] = {Level::kTrace, Level::kDebug, Level::kInfo,
                          Level::kWarn,  Level::kError, Level::kFatal};
  int i = 0;
  for (const int64_t ts : {kTs, kTs + 1, kTs + 999999999, int64_t{0},
                           int64_t{1000}, int64_t{1795448906000000000}}) {
    for (const char* message : {"plain", "", "tab\there\nnewline\x1b[31m"}) {
      EntryFactory::Fields fields;
      fields.timestamp_ns = ts;
      fields.level = levels[i++ % 6];
      fields.thread_id = static_cast<uint32_t>(i * 7919);
      fields.location = SourceLocation{i % 2 ? "dir/x.cc" : "x.cc", i, "F"};
      auto e = entries.Make(message, fields);
      EXPECT_EQ(FormatWith(*pattern, *e), FormatWith(text, *e));
      EXPECT_EQ(FormatWith(*pattern_raw, *e), FormatWith(text_raw, *e));
    }
  }
}

TEST(PatternFormatterTest, KeepsThePatternItWasGiven) {
  auto f = MustCreate("%v");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->pattern(), "%v");
}

}  // namespace
}  // namespace relog
