// SPDX-License-Identifier: Apache-2.0
//
// Named loggers (Logger::Child()) and levels by name (Logger::SetLevels(),
// RELOG_LEVEL): the level spec's grammar and its errors; a child's entries
// carry its path and go to its root's sinks through the root's sink
// threads; each logger has its own level; levels set by name reach the
// children that exist and those made later; a bad spec changes nothing;
// what a child shares with its root (stats, backtrace, shutdown); the
// default logger reads RELOG_LEVEL (in a child process).

#include <dirent.h>

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/level_parse.h"
#include "relog/logger/logger.h"
#include "relog/sinks/memory_sink.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/logger_test_util.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// The child binary (tests/child_main.cc), from the command line.
const char* g_child = nullptr;

TEST(LevelSpecTest, ParsesTheBareLevelAndNamedOnes) {
  absl::StatusOr<LevelSpec> spec =
      ParseLevelSpec(" info , net=DEBUG,db.pool = trace,a-b_c.d9=off");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->fallback, Level::kInfo);
  EXPECT_THAT(spec->named, ElementsAre(Pair("net", Level::kDebug),
                                       Pair("db.pool", Level::kTrace),
                                       Pair("a-b_c.d9", Level::kOff)));

  spec = ParseLevelSpec("net=warning");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->fallback.has_value());
  EXPECT_THAT(spec->named, ElementsAre(Pair("net", Level::kWarn)));

  spec = ParseLevelSpec("  ");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->fallback.has_value());
  EXPECT_TRUE(spec->named.empty());
}

TEST(LevelSpecTest, AnErrorNamesTheItemAndTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"loud", "level item 'loud': unknown level 'loud'"},
      {"info,,net=debug", "level item '': empty (two commas in a row?)"},
      {"info,", "level item '': empty"},
      {"info,warn", "level item 'warn': a second bare level"},
      {"=debug", "level item '=debug': no logger name before '='"},
      {"net=", "level item 'net=': unknown level ''"},
      {"net.=debug", "logger name 'net.' is not dotted parts"},
      {"a..b=debug", "logger name 'a..b' is not dotted parts"},
      {"n et=debug", "logger name 'n et' is not dotted parts"},
      {"net=debug,net=info", "level item 'net=info': logger 'net' named twice"},
  };
  for (const auto& [text, error] : cases) {
    const absl::StatusOr<LevelSpec> spec = ParseLevelSpec(text);
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(spec.status().message()), HasSubstr(error))
        << text;
  }
}

TEST(LevelSpecTest, TheLongestPathThatCoversALoggerWins) {
  absl::StatusOr<LevelSpec> spec =
      ParseLevelSpec("db=warn,db.pool=trace,net=error");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->Named("db"), Level::kWarn);
  EXPECT_EQ(spec->Named("db.conn"), Level::kWarn);
  EXPECT_EQ(spec->Named("db.pool"), Level::kTrace);
  EXPECT_EQ(spec->Named("db.pool.idle"), Level::kTrace);
  EXPECT_EQ(spec->Named("dbx"), std::nullopt);  // a prefix, not a parent
  EXPECT_EQ(spec->Named("net"), Level::kError);
  EXPECT_EQ(spec->Named(""), std::nullopt);
}

TEST(LevelSpecTest, LoggerPaths) {
  for (const char* good : {"a", "net", "db.pool", "A-1_b.c"}) {
    EXPECT_TRUE(IsLoggerPath(good)) << good;
  }
  for (const char* bad : {"", ".", "a.", ".a", "a..b", "a b", "a=b", "a,b"}) {
    EXPECT_FALSE(IsLoggerPath(bad)) << bad;
  }
}

class NamedLoggerTest : public ::testing::Test {
 protected:
  NamedLoggerTest() {
    auto formatter = PatternFormatter::Create("%n %l %v");
    EXPECT_TRUE(formatter.ok()) << formatter.status();
    sink_ = std::make_shared<MemorySink>(*std::move(formatter));
    LoggerOptions options = testing::TestLoggerOptions("app");
    options.level = Level::kInfo;
    logger_ = std::make_unique<Logger>(
        options, std::vector<std::shared_ptr<Sink>>{sink_});
  }
  std::vector<std::string> Lines() {
    logger_->Flush();
    return sink_->lines();
  }

  std::shared_ptr<MemorySink> sink_;
  std::unique_ptr<Logger> logger_;
};

TEST_F(NamedLoggerTest, AChildWritesUnderItsPathToTheRootsSinks) {
  Logger& net = logger_->Child("net");
  Logger& pool = logger_->Child("db").Child("pool");
  EXPECT_EQ(net.name(), "net");
  EXPECT_EQ(pool.name(), "db.pool");
  EXPECT_EQ(&logger_->Child("net"), &net);  // made once per path
  EXPECT_EQ(&logger_->Child("db.pool"), &pool);
  EXPECT_EQ(&net.Child(""), &net);
  RELOG_INFO(*logger_, "root {}", 1);
  RELOG_INFO(net, "net {}", 2);
  RELOG_WARN(pool, "pool {}", std::string("three"));
  net.LogString(Level::kError, RELOG_SOURCE_LOCATION, "net 4");
  EXPECT_THAT(Lines(), ElementsAre("app INFO root 1", "net INFO net 2",
                                   "db.pool WARN pool three",
                                   "net ERROR net 4"));
  const LoggerStats stats = net.GetStats();  // the root's
  EXPECT_EQ(stats.accepted, 4u);
  ASSERT_EQ(stats.sinks.size(), 1u);
  EXPECT_EQ(stats.sinks[0].written, 4u);
}

TEST_F(NamedLoggerTest, NamesAreCleanedUp) {
  EXPECT_EQ(logger_->Child(".a..b.").name(), "a.b");
  EXPECT_EQ(logger_->Child("a b/c").name(), "a_b_c");
  EXPECT_EQ(logger_->Child("app").name(), "app");  // a child, not the root
  EXPECT_NE(&logger_->Child("app"), logger_.get());
  EXPECT_EQ(&logger_->Child(""), logger_.get());
  EXPECT_EQ(&logger_->Child("..."), logger_.get());
}

TEST_F(NamedLoggerTest, EachLoggerHasItsOwnLevel) {
  Logger& net = logger_->Child("net");
  EXPECT_EQ(net.level(), Level::kInfo);  // its parent's, when made
  net.set_level(Level::kDebug);
  logger_->set_level(Level::kError);
  EXPECT_EQ(logger_->Child("net").level(), Level::kDebug);
  // A new grandchild takes its parent's level, not the root's.
  EXPECT_EQ(net.Child("tcp").level(), Level::kDebug);
  EXPECT_EQ(logger_->Child("db").level(), Level::kError);
  RELOG_DEBUG(net, "net debug");
  RELOG_WARN(*logger_, "root warn");
  RELOG_ERROR(*logger_, "root error");
  EXPECT_THAT(Lines(), ElementsAre("net DEBUG net debug", "app ERROR root error"));
}

TEST_F(NamedLoggerTest, SetLevelsReachesChildrenNowAndLater) {
  Logger& net = logger_->Child("net");
  Logger& db = logger_->Child("db");
  Logger& pool = db.Child("pool");
  Logger& dbx = logger_->Child("dbx");
  dbx.set_level(Level::kTrace);
  ASSERT_TRUE(logger_->SetLevels("warn,db=error,db.pool=debug").ok());
  EXPECT_EQ(logger_->level(), Level::kWarn);
  EXPECT_EQ(net.level(), Level::kWarn);  // the bare level
  EXPECT_EQ(db.level(), Level::kError);
  EXPECT_EQ(pool.level(), Level::kDebug);
  EXPECT_EQ(dbx.level(), Level::kWarn);  // "db" does not cover "dbx"
  // Made later: the named level of the path or of an ancestor...
  EXPECT_EQ(db.Child("conn").level(), Level::kError);
  EXPECT_EQ(logger_->Child("db.pool.idle").level(), Level::kDebug);
  // ...else the parent's.
  EXPECT_EQ(logger_->Child("http").level(), Level::kWarn);

  // Without a bare level, loggers no path covers keep theirs.
  net.set_level(Level::kTrace);
  ASSERT_TRUE(net.SetLevels("db=info").ok());  // from a child: the same tree
  EXPECT_EQ(logger_->level(), Level::kWarn);
  EXPECT_EQ(net.level(), Level::kTrace);
  EXPECT_EQ(db.level(), Level::kInfo);
  EXPECT_EQ(pool.level(), Level::kInfo);

  RELOG_DEBUG(pool, "hidden");
  RELOG_INFO(pool, "shown");
  RELOG_TRACE(net, "traced");
  EXPECT_THAT(Lines(), ElementsAre("db.pool INFO shown", "net TRACE traced"));
}

TEST_F(NamedLoggerTest, ABadSpecChangesNothing) {
  Logger& net = logger_->Child("net");
  net.set_level(Level::kDebug);
  const absl::Status status = logger_->SetLevels("error,net=trace,db=nope");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("level item 'db=nope': unknown level 'nope'"));
  EXPECT_EQ(logger_->level(), Level::kInfo);
  EXPECT_EQ(net.level(), Level::kDebug);
  EXPECT_EQ(logger_->Child("db").level(), Level::kInfo);
}

// The number of threads in this process.
std::size_t ThreadCount() {
  std::size_t n = 0;
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

TEST_F(NamedLoggerTest, ChildrenShareTheRootsSinkThreads) {
  RELOG_INFO(*logger_, "warm up");
  ASSERT_EQ(sink_->WaitForSize(1), true);
  const std::size_t threads = ThreadCount();
  ASSERT_GT(threads, 0u);
  for (int i = 0; i < 100; ++i) {
    RELOG_INFO(logger_->Child("c" + std::to_string(i)), "child {}", i);
  }
  EXPECT_EQ(ThreadCount(), threads);
  EXPECT_EQ(Lines().size(), 101u);
  EXPECT_EQ(logger_->GetStats().sinks.size(), 1u);
}

TEST_F(NamedLoggerTest, ShutdownThroughAChildStopsTheTree) {
  Logger& net = logger_->Child("net");
  RELOG_INFO(net, "before");
  net.Shutdown();
  RELOG_INFO(*logger_, "after, root");
  RELOG_INFO(net, "after, child");
  EXPECT_THAT(sink_->lines(), ElementsAre("net INFO before"));
  EXPECT_EQ(logger_->GetStats().rejected, 2u);
}

TEST(NamedLoggerBacktraceTest, OneBacktraceServesTheTreeAtEachLoggersLevel) {
  auto formatter = PatternFormatter::Create("%n %l %v");
  ASSERT_TRUE(formatter.ok()) << formatter.status();
  auto sink = std::make_shared<MemorySink>(*std::move(formatter));
  LoggerOptions options = testing::TestLoggerOptions("app");
  options.level = Level::kWarn;
  options.backtrace_size = 8;
  options.backtrace_level = Level::kDebug;
  Logger logger(options, {sink});
  Logger& net = logger.Child("net");
  net.set_level(Level::kDebug);
  RELOG_DEBUG(logger, "root debug, kept");
  RELOG_DEBUG(net, "net debug, written");  // at net's level
  RELOG_TRACE(net, "net trace, neither");
  RELOG_ERROR(net, "net error");
  logger.Flush();
  EXPECT_THAT(sink->lines(),
              ElementsAre("net DEBUG net debug, written",
                          "app DEBUG [backtrace] root debug, kept",
                          "net ERROR net error"));
}

// The default logger reads RELOG_LEVEL (in a child process: it is made once
// per process).
TEST(DefaultLoggerLevelsTest, RelogLevelSetsTheDefaultLoggerAndItsChildren) {
  const testing::ChildResult r =
      testing::RunChild({g_child, "default-levels"}, std::chrono::seconds(30),
                        {"RELOG_LEVEL=warn,net=debug"});
  EXPECT_EQ(r.Describe(), "exit 0");
  EXPECT_THAT(r.output, Not(HasSubstr("root info")));
  EXPECT_THAT(r.output, HasSubstr("root warn"));
  EXPECT_THAT(r.output, HasSubstr("net debug"));
  EXPECT_THAT(r.output, Not(HasSubstr("relog: $RELOG_LEVEL")));
}

TEST(DefaultLoggerLevelsTest, ABadRelogLevelIsNamedAndIgnored) {
  const testing::ChildResult r =
      testing::RunChild({g_child, "default-levels"}, std::chrono::seconds(30),
                        {"RELOG_LEVEL=warn,net=chatty"});
  EXPECT_EQ(r.Describe(), "exit 0");
  EXPECT_THAT(r.output,
              HasSubstr("relog: $RELOG_LEVEL ignored: level item "
                        "'net=chatty': unknown level 'chatty'"));
  EXPECT_THAT(r.output, HasSubstr("root info"));  // the default: info
  EXPECT_THAT(r.output, Not(HasSubstr("net debug")));
}

}  // namespace
}  // namespace relog

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CHILD_BINARY\n", argv[0]);
    return 2;
  }
  relog::g_child = argv[1];
  return RUN_ALL_TESTS();
}
