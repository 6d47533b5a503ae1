// SPDX-License-Identifier: Apache-2.0
//
// The backtrace (LoggerOptions::backtrace_size): calls below the logger's
// level are kept in a bounded ring and written, oldest first and marked,
// just before the first entry at or above the trigger, or on
// DumpBacktrace(); what is pushed out or never dumped is not written;
// calls below the backtrace's own level are neither kept nor evaluated;
// the counters say what was kept and written; in both formatting modes.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/json_formatter.h"
#include "relog/sinks/memory_sink.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/logger_test_util.h"

namespace relog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class BacktraceTest : public ::testing::TestWithParam<bool> {
 protected:
  void Start(std::size_t size, Level trigger = Level::kError) {
    auto formatter = PatternFormatter::Create("%l %v");
    ASSERT_TRUE(formatter.ok()) << formatter.status();
    text_ = std::make_shared<MemorySink>(*std::move(formatter));
    LoggerOptions options = testing::TestLoggerOptions("bt");
    options.level = Level::kInfo;
    options.deferred_formatting = GetParam();
    options.backtrace_size = size;
    options.backtrace_level = Level::kDebug;
    options.backtrace_trigger = trigger;
    logger_ = std::make_unique<Logger>(
        options, std::vector<std::shared_ptr<Sink>>{text_, json_});
  }
  std::vector<std::string> Lines() {
    logger_->Flush();
    return text_->lines();
  }
  int Counted(int value) {
    ++evaluations_;
    return value;
  }

  std::shared_ptr<MemorySink> text_;
  std::shared_ptr<MemorySink> json_ =
      std::make_shared<MemorySink>(std::make_unique<JsonFormatter>());
  std::unique_ptr<Logger> logger_;
  int evaluations_ = 0;
};

TEST_P(BacktraceTest, TheLastNAreWrittenInOrderBeforeTheTrigger) {
  Start(3);
  for (int i = 1; i <= 5; ++i) RELOG_DEBUG(*logger_, "debug {}", i);
  RELOG_INFO(*logger_, "info");
  EXPECT_THAT(Lines(), ElementsAre("INFO info"));  // nothing kept is written
  RELOG_ERROR(*logger_, "error {}", 1);
  // The ring held the last three; the trigger comes after them.
  EXPECT_THAT(Lines(), ElementsAre("INFO info", "DEBUG [backtrace] debug 3",
                                   "DEBUG [backtrace] debug 4",
                                   "DEBUG [backtrace] debug 5",
                                   "ERROR error 1"));
  // The ring is empty after a dump: the next error comes alone.
  RELOG_ERROR(*logger_, "error {}", 2);
  EXPECT_EQ(Lines().size(), 6u);
  const LoggerStats stats = logger_->GetStats();
  EXPECT_EQ(stats.backtrace_kept, 5u);
  EXPECT_EQ(stats.backtrace_written, 3u);
  // Written: info, three kept, two errors. The two pushed out are not.
  EXPECT_EQ(stats.accepted, 6u);
  EXPECT_EQ(stats.sinks[0].written, 6u);
}

TEST_P(BacktraceTest, DumpBacktraceWritesWhatIsKept) {
  Start(8);
  RELOG_DEBUG(*logger_, "a");
  RELOG_DEBUG(*logger_, "b");
  logger_->DumpBacktrace();
  EXPECT_THAT(Lines(),
              ElementsAre("DEBUG [backtrace] a", "DEBUG [backtrace] b"));
  logger_->DumpBacktrace();  // empty now
  EXPECT_EQ(Lines().size(), 2u);
  ASSERT_EQ(json_->lines().size(), 2u);
  EXPECT_THAT(json_->lines()[0], HasSubstr(",\"backtrace\":true,\"msg\":\"a\""));
}

TEST_P(BacktraceTest, BelowTheBacktraceLevelNothingIsKeptOrEvaluated) {
  Start(4);
  RELOG_TRACE(*logger_, "trace {}", Counted(1));
  RELOG_DEBUG(*logger_, "debug {}", Counted(2));
  EXPECT_EQ(evaluations_, 1);
  logger_->DumpBacktrace();
  EXPECT_THAT(Lines(), ElementsAre("DEBUG [backtrace] debug 2"));
}

TEST_P(BacktraceTest, ATriggerAtWarnAndEntriesAtTheLevelAreNotKept) {
  Start(4, Level::kWarn);
  RELOG_DEBUG(*logger_, "d");
  RELOG_INFO(*logger_, "i");  // at the level: written now, not kept
  RELOG_WARN(*logger_, "w");
  EXPECT_THAT(Lines(), ElementsAre("INFO i", "DEBUG [backtrace] d", "WARN w"));
}

TEST_P(BacktraceTest, RaisingTheLevelKeepsWhatItTurnsAway) {
  Start(4);
  logger_->set_level(Level::kWarn);
  RELOG_INFO(*logger_, "now below");
  RELOG_ERROR(*logger_, "e");
  EXPECT_THAT(Lines(), ElementsAre("INFO [backtrace] now below", "ERROR e"));
}

TEST_P(BacktraceTest, KeptEntriesNeverDumpedGoBackToThePoolAtShutdown) {
  Start(16);
  for (int i = 0; i < 10; ++i) RELOG_DEBUG(*logger_, "kept {}", i);
  logger_->Shutdown();
  EXPECT_TRUE(Lines().empty());
  const LoggerStats stats = logger_->GetStats();
  EXPECT_EQ(stats.backtrace_kept, 10u);
  EXPECT_EQ(stats.backtrace_written, 0u);
  EXPECT_EQ(stats.accepted, 0u);
  // Every entry is back: none is out of the pool.
  EXPECT_EQ(stats.entry_pool.gets, stats.entry_pool.puts);
}

INSTANTIATE_TEST_SUITE_P(Modes, BacktraceTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Deferred" : "Eager";
                         });

TEST(BacktraceOffTest, WithoutASizeBelowTheLevelIsNotEvaluated) {
  auto sink = std::make_shared<MemorySink>();
  LoggerOptions options = testing::TestLoggerOptions("off");
  options.level = Level::kInfo;
  Logger logger(options, {sink});
  int evaluations = 0;
  RELOG_DEBUG(logger, "{}", ++evaluations);
  logger.DumpBacktrace();
  RELOG_ERROR(logger, "e");
  logger.Flush();
  EXPECT_EQ(evaluations, 0);
  EXPECT_THAT(sink->messages(), ElementsAre("e"));
}

}  // namespace
}  // namespace relog
