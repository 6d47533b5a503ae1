// SPDX-License-Identifier: Apache-2.0
//
// Tests of the sink spec (relog::ParseSinkSpec, ParseSinks, ParseByteSize)
// and of MakeLoggerFromEnv: the grammar, every kind of error with its
// position, all-or-nothing creation, and sinks that really write.

#include "relog/sinks/spec.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/console_sink.h"
#include "relog/sinks/daily_file_sink.h"
#include "relog/sinks/file_sink.h"
#include "relog/sinks/null_sink.h"
#include "relog/sinks/rotating_file_sink.h"
#include "relog/sinks/syslog_sink.h"
#include "tests/syslog_server.h"
#include "tests/syslog_test_util.h"
#include "tests/test_util.h"

namespace relog {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using ::relog::testing::Exists;
using ::relog::testing::MakeTestDir;
using ::relog::testing::ReadFile;

// A path in a fresh directory.
std::string TempPath(const std::string& name) {
  return MakeTestDir("spec") + "/" + name;
}

LoggerOptions Options() {
  LoggerOptions o;
  o.name = "spec";
  o.level = Level::kTrace;
  o.preallocate = false;
  return o;
}

TEST(SpecTest, ParsesTheDesignExample) {
  absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(
      "console:stderr,color=auto;rotating:/var/log/app.log,max_size=64MiB,"
      "max_files=5,format=json;syslog:tcp://127.0.0.1:514,facility=local0,"
      "level=warn");
  ASSERT_TRUE(configs.ok()) << configs.status();
  ASSERT_EQ(configs->size(), 3u);

  const SinkConfig& console = (*configs)[0];
  EXPECT_EQ(console.kind, SinkKind::kConsole);
  EXPECT_EQ(console.position, 1u);
  EXPECT_EQ(console.stream, ConsoleStream::kStderr);
  EXPECT_EQ(console.color, ColorMode::kAuto);
  EXPECT_FALSE(console.level.has_value());

  const SinkConfig& rotating = (*configs)[1];
  EXPECT_EQ(rotating.kind, SinkKind::kRotating);
  EXPECT_EQ(rotating.position, 27u);
  EXPECT_EQ(rotating.target, "/var/log/app.log");
  EXPECT_EQ(rotating.rotating.max_size, uint64_t{64} << 20);
  EXPECT_EQ(rotating.rotating.max_files, 5);
  EXPECT_EQ(rotating.format, SinkFormat::kJson);

  const SinkConfig& syslog = (*configs)[2];
  EXPECT_EQ(syslog.kind, SinkKind::kSyslog);
  EXPECT_EQ(syslog.target, "tcp://127.0.0.1:514");
  EXPECT_EQ(syslog.facility, "local0");
  ASSERT_TRUE(syslog.level.has_value());
  EXPECT_EQ(*syslog.level, Level::kWarn);
}

TEST(SpecTest, DefaultsAndTheOtherKeys) {
  absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(
      "console;console:stdout,color=never,level=debug;rotating:/r.log;"
      "daily:/d.log,hour=2,minute=30,max_days=0,pattern=%l %v;null,level=off;"
      "syslog:unix:///dev/log,app_name=svc");
  ASSERT_TRUE(configs.ok()) << configs.status();
  ASSERT_EQ(configs->size(), 6u);
  EXPECT_EQ((*configs)[0].stream, ConsoleStream::kStderr);
  EXPECT_EQ((*configs)[0].target, "stderr");
  EXPECT_EQ((*configs)[1].stream, ConsoleStream::kStdout);
  EXPECT_EQ((*configs)[1].color, ColorMode::kNever);
  EXPECT_EQ((*configs)[1].level, Level::kDebug);
  EXPECT_EQ((*configs)[2].rotating.max_size, RotatingOptions().max_size);
  EXPECT_EQ((*configs)[2].rotating.max_files, RotatingOptions().max_files);
  EXPECT_EQ((*configs)[2].format, SinkFormat::kText);
  EXPECT_EQ((*configs)[3].daily_hour, 2);
  EXPECT_EQ((*configs)[3].daily_minute, 30);
  EXPECT_EQ((*configs)[3].daily_max_days, 0);
  EXPECT_EQ((*configs)[3].pattern, "%l %v");
  EXPECT_EQ((*configs)[4].kind, SinkKind::kNull);
  EXPECT_EQ((*configs)[4].level, Level::kOff);
  EXPECT_EQ((*configs)[5].facility, "user");
  EXPECT_EQ((*configs)[5].app_name, "svc");
}

TEST(SpecTest, EscapesAndBlanks) {
  absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(
      " file:/a\\;b\\,c.log , pattern=%v\\, %n\\=x ;\tnull ;"
      "file:/x,pattern=\\ %v\\ ;file:/back\\\\slash");
  ASSERT_TRUE(configs.ok()) << configs.status();
  ASSERT_EQ(configs->size(), 4u);
  EXPECT_EQ((*configs)[0].target, "/a;b,c.log");
  EXPECT_EQ((*configs)[0].position, 2u);
  EXPECT_EQ((*configs)[0].pattern, "%v, %n=x");
  EXPECT_EQ((*configs)[1].kind, SinkKind::kNull);
  EXPECT_EQ((*configs)[2].pattern, " %v ");
  EXPECT_EQ((*configs)[3].target, "/back\\slash");
}

TEST(SpecTest, ByteSizes) {
  const std::vector<std::pair<std::string, uint64_t>> good = {
      {"0", 0},         {"4096", 4096},      {"1B", 1},
      {"1KB", 1000},    {"1KiB", 1024},      {"64MiB", uint64_t{64} << 20},
      {"3MB", 3000000}, {"2GB", 2000000000}, {"1gib", uint64_t{1} << 30},
      {"10kb", 10000},
  };
  for (const auto& [text, bytes] : good) {
    absl::StatusOr<uint64_t> size = ParseByteSize(text);
    ASSERT_TRUE(size.ok()) << text << ": " << size.status();
    EXPECT_EQ(*size, bytes) << text;
  }
  for (const char* bad :
       {"", "MiB", "1.5MiB", "-1", "1K", "1 MiB", "64XB", "1MiBs",
        "99999999999999999999", "18446744073709551615GiB"}) {
    absl::StatusOr<uint64_t> size = ParseByteSize(bad);
    ASSERT_FALSE(size.ok()) << bad;
    EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(size.status().message(),
                HasSubstr(absl::StrCat("'", bad, "'")));
  }
}

struct BadSpec {
  std::string spec;
  std::string error;  // the expected message, after "sink spec: "
};

TEST(SpecTest, BadSpecsSayWhatAndWhere) {
  const std::vector<BadSpec> cases = {
      {"fiel:/tmp/x",
       "unknown kind 'fiel' at position 1 (expected console, file, rotating, "
       "daily, syslog or null)"},
      {"  fiel", "unknown kind 'fiel' at position 3"},
      {":x", "missing kind at position 1"},
      {"console;;null", "empty sink at position 9"},
      {"console;", "empty sink at position 9"},
      {"console,", "empty option at position 9"},
      {"console,,level=info", "empty option at position 9"},
      {"file", "missing target for file at position 1 (write file:PATH)"},
      {"rotating,max_files=2", "missing target for rotating at position 1"},
      {"daily", "missing target for daily at position 1"},
      {"syslog,facility=user", "missing target for syslog at position 1"},
      {"file:", "empty target for file at position 6"},
      {"rotating:/x,max_size=64XB",
       "bad max_size '64XB' at position 22 (a number of bytes, optionally "
       "with a unit: B, KB, KiB, MB, MiB, GB or GiB)"},
      {"rotating:/x,max_size=0", "bad max_size '0' at position 22"},
      {"rotating:/x,max_files=0", "bad max_files '0' at position 23"},
      {"console,colr=auto",
       "unknown key 'colr' for console at position 9 (expected level, "
       "overflow, retry, format, pattern, color)"},
      {"file:/x,overflow=sometimes",
       "bad overflow 'sometimes' at position 18 (expected block or drop)"},
      {"file:/x,retry=5", "bad retry '5' at position 15"},
      {"file:/x,retry=1h", "bad retry '1h' at position 15"},
      {"file:/x,fsync=always",
       "bad fsync 'always' at position 15 (expected the level from which a "
       "batch is synced: trace, debug, info, warn, error, fatal, or off)"},
      {"console,fsync=error", "unknown key 'fsync' for console at position 9"},
      {"rotating:/x,compress=zip",
       "bad compress 'zip' at position 22 (expected gzip or none)"},
      {"file:/x,compress=gzip", "unknown key 'compress' for file at position 9"},
      {"syslog:udp://h:514,fsync=error",
       "unknown key 'fsync' for syslog at position 20"},
      {"file:/x,max_size=1MiB",
       "unknown key 'max_size' for file at position 9"},
      {"syslog:udp://h:514,format=json",
       "unknown key 'format' for syslog at position 20"},
      {"null,format=json", "unknown key 'format' for null at position 6"},
      {"console,level=warn,level=info",
       "duplicate key 'level' at position 20 (first at position 9)"},
      {"console,level",
       "option 'level' without a value at position 9 (expected key=value)"},
      {"console,=x", "option without a key at position 9"},
      {"console,level=", "empty value for 'level' at position 15"},
      {"console,level=loud",
       "bad level 'loud' at position 15 (expected trace, debug, info, warn, "
       "error, fatal or off)"},
      {"file:/x,format=xml",
       "bad format 'xml' at position 16 (expected text or json)"},
      {"console,color=maybe", "bad color 'maybe' at position 15"},
      {"console:stdio", "bad console target 'stdio' at position 9"},
      {"null:/x", "null takes no target, got '/x' at position 6"},
      {"syslog:tcp://h", "bad syslog target 'tcp://h' at position 8"},
      {"syslog:udp://h:514,facility=local9",
       "bad facility 'local9' at position 29"},
      {"daily:/x,hour=24", "bad hour '24' at position 15"},
      {"daily:/x,minute=60", "bad minute '60' at position 17"},
      {"daily:/x,max_days=-1", "bad max_days '-1' at position 19"},
      {"file:/x,format=json,pattern=%v",
       "a pattern with format=json at position 29"},
      {"file:/x,pattern=%q", "bad pattern '%q' at position 17"},
      {"file:/x\\", "a '\\' ends the spec at position 8"},
      {"null;file:/x,level=info;console:err",
       "bad console target 'err' at position 33"},
  };
  for (const BadSpec& c : cases) {
    absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(c.spec);
    ASSERT_FALSE(configs.ok()) << c.spec;
    EXPECT_EQ(configs.status().code(), absl::StatusCode::kInvalidArgument)
        << c.spec;
    EXPECT_THAT(configs.status().message(),
                HasSubstr(absl::StrCat("sink spec: ", c.error)))
        << c.spec;
    // ParseSinks() reports the same error.
    EXPECT_EQ(ParseSinks(c.spec).status(), configs.status()) << c.spec;
  }
  for (const char* empty : {"", "  ", "\t"}) {
    absl::Status status = ParseSinkSpec(empty).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr("sink spec: empty"));
  }
}

TEST(SpecTest, ABadSpecCreatesNothing) {
  const std::string path = MakeTestDir("bad_spec") + "/never_created.log";
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks =
      ParseSinks(absl::StrCat("file:", path, ";fiel:/x"));
  ASSERT_FALSE(sinks.ok());
  EXPECT_THAT(sinks.status().message(), HasSubstr("unknown kind 'fiel'"));
  EXPECT_FALSE(Exists(path));
}

TEST(SpecTest, AFailedCreationIsAnErrorNamingTheSinkAndLeavesNothing) {
  const std::string dir = MakeTestDir("failed_creation");
  const std::string good = dir + "/created_first.log";
  const std::string rotating = dir + "/rot.log";
  const std::string bad = dir + "/no_such_dir/x.log";
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks = ParseSinks(
      absl::StrCat("file:", good, ";rotating:", rotating, ";file:", bad));
  ASSERT_FALSE(sinks.ok());
  EXPECT_EQ(sinks.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(sinks.status().message(),
              HasSubstr(absl::StrCat("sink spec: cannot create file:", bad,
                                     " (at position ",
                                     good.size() + rotating.size() + 17, ")")));
  // The files the first two sinks made are gone again.
  EXPECT_EQ(testing::ListDir(dir), std::vector<std::string>{});
}

TEST(SpecTest, AFailedCreationKeepsFilesThatExistedBefore) {
  const std::string dir = MakeTestDir("kept_on_failure");
  const std::string old = dir + "/old.log";
  testing::WriteFile(old, "");  // empty, but not ours to remove
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks = ParseSinks(
      absl::StrCat("file:", old, ";file:", dir, "/no_such_dir/x.log"));
  ASSERT_FALSE(sinks.ok());
  EXPECT_TRUE(Exists(old));
}

// Nothing destructive runs before the whole configuration has succeeded:
// the daily sink's retention would delete old files.
TEST(SpecTest, AFailedConfigurationDeletesNoOldLogs) {
  const std::string dir = MakeTestDir("no_retention");
  const std::vector<std::string> old = {
      "app_2026-11-01.log", "app_2026-11-02.log", "app_2026-11-03.log"};
  for (const std::string& name : old) {
    testing::WriteFile(dir + "/" + name, "old\n");
  }
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks =
      ParseSinks(absl::StrCat("daily:", dir, "/app.log,max_days=1;file:", dir,
                              "/missing/x.log"));
  ASSERT_FALSE(sinks.ok());
  EXPECT_EQ(testing::ListDir(dir), old);
}

TEST(SpecTest, ErrorsQuoteOnlyAnExcerptOfAHugeToken) {
  const std::string huge(100000, 'k');
  for (const std::string& spec :
       {absl::StrCat(huge, ":/x"), absl::StrCat("file:/x,", huge, "=1"),
        absl::StrCat("file:/x,level=", huge),
        absl::StrCat("syslog:udp://", huge),
        absl::StrCat("file:/x,pattern=%", huge, "%q")}) {
    const absl::Status status = ParseSinkSpec(spec).status();
    ASSERT_FALSE(status.ok());
    EXPECT_LT(status.message().size(), 600u) << status.message();
    EXPECT_THAT(status.message(), HasSubstr("...' (100"));
  }
}

TEST(SpecTest, OverflowAndRetryKeysSetTheSink) {
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks =
      ParseSinks("null,overflow=drop,retry=250ms;null,retry=0;null");
  ASSERT_TRUE(sinks.ok()) << sinks.status();
  EXPECT_EQ((*sinks)[0]->overflow(), OverflowPolicy::kDrop);
  EXPECT_EQ((*sinks)[0]->retry_for(), std::chrono::milliseconds(250));
  EXPECT_EQ((*sinks)[1]->overflow(), std::nullopt);
  EXPECT_EQ((*sinks)[1]->retry_for(), std::chrono::milliseconds(0));
  EXPECT_EQ((*sinks)[2]->retry_for(), std::chrono::seconds(1));
  EXPECT_EQ(ParseDuration("2s").value(), std::chrono::seconds(2));
  EXPECT_EQ(ParseDuration("1min").value(), std::chrono::minutes(1));
  EXPECT_FALSE(ParseDuration("ms").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
}

TEST(SpecTest, FsyncSetsTheSyncLevelOfFileSinks) {
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks = ParseSinks(
      absl::StrCat("file:", TempPath("sync.log"), ",fsync=error;rotating:",
                   TempPath("sync_rot.log"), ",fsync=off;daily:",
                   TempPath("sync_day.log"), ",fsync=warn;file:",
                   TempPath("sync_none.log")));
  ASSERT_TRUE(sinks.ok()) << sinks.status();
  EXPECT_EQ((*sinks)[0]->sync_level(), Level::kError);
  EXPECT_EQ((*sinks)[1]->sync_level(), Level::kOff);
  EXPECT_EQ((*sinks)[2]->sync_level(), Level::kWarn);
  EXPECT_EQ((*sinks)[3]->sync_level(), Level::kOff);
}

TEST(SpecTest, CompressSetsTheRotatingAndDailySinks) {
  absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(
      "rotating:/r.log,compress=gzip;daily:/d.log,compress=gzip;"
      "rotating:/n.log,compress=none;daily:/m.log");
  ASSERT_TRUE(configs.ok()) << configs.status();
  EXPECT_EQ((*configs)[0].compress, Compression::kGzip);
  EXPECT_EQ((*configs)[1].compress, Compression::kGzip);
  EXPECT_EQ((*configs)[2].compress, Compression::kNone);
  EXPECT_EQ((*configs)[3].compress, Compression::kNone);
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks = ParseSinks(
      absl::StrCat("rotating:", TempPath("gz_rot.log"), ",compress=gzip"));
  ASSERT_TRUE(sinks.ok()) << sinks.status();
  const auto* rotating = dynamic_cast<RotatingFileSink*>((*sinks)[0].get());
  ASSERT_NE(rotating, nullptr);
  EXPECT_EQ(rotating->options().compress, Compression::kGzip);
}

TEST(SpecTest, MakesEveryKindWithItsLevel) {
  auto server = testing::SyslogServer::Start(testing::SyslogServer::Kind::kUdp);
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks =
      ParseSinks(absl::StrCat(
          "console:stdout,level=error,color=never;file:", TempPath("k.log"),
          ",format=json;rotating:", TempPath("k_rot.log"),
          ",max_size=1KiB,max_files=2;daily:", TempPath("k_daily.log"),
          ",hour=3,minute=30,max_days=2;null,level=off;syslog:udp://127.0.0.1:",
          (*server)->port(), ",facility=local1,app_name=spec,level=warn"));
  ASSERT_TRUE(sinks.ok()) << sinks.status();
  ASSERT_EQ(sinks->size(), 6u);
  EXPECT_NE(std::dynamic_pointer_cast<ConsoleSink>((*sinks)[0]), nullptr);
  EXPECT_EQ((*sinks)[0]->level(), Level::kError);
  EXPECT_FALSE(std::dynamic_pointer_cast<ConsoleSink>((*sinks)[0])->colored());
  EXPECT_NE(std::dynamic_pointer_cast<FileSink>((*sinks)[1]), nullptr);
  EXPECT_EQ((*sinks)[1]->level(), Level::kTrace);
  auto rotating = std::dynamic_pointer_cast<RotatingFileSink>((*sinks)[2]);
  ASSERT_NE(rotating, nullptr);
  EXPECT_EQ(rotating->options().max_size, 1024u);
  EXPECT_EQ(rotating->options().max_files, 2);
  EXPECT_NE(std::dynamic_pointer_cast<DailyFileSink>((*sinks)[3]), nullptr);
  EXPECT_NE(std::dynamic_pointer_cast<NullSink>((*sinks)[4]), nullptr);
  EXPECT_EQ((*sinks)[4]->level(), Level::kOff);
  EXPECT_NE(std::dynamic_pointer_cast<SyslogSink>((*sinks)[5]), nullptr);
  EXPECT_EQ((*sinks)[5]->level(), Level::kWarn);

  // The syslog sink got its facility, app name and level.
  {
    Logger logger(Options(), {(*sinks)[5]});
    RELOG_INFO(logger, "below the sink's level");
    RELOG_WARN(logger, "through");
  }
  ASSERT_TRUE((*server)->WaitForMessages(1));
  const std::vector<std::string> got = (*server)->messages();
  ASSERT_EQ(got.size(), 1u);
  std::optional<testing::SyslogMessage> m = testing::ParseRfc5424(got[0]);
  ASSERT_TRUE(m.has_value()) << got[0];
  EXPECT_EQ(m->pri, 17 * 8 + 4);
  EXPECT_EQ(m->app_name, "spec");
  EXPECT_EQ(m->msg, "through");
}

TEST(SpecTest, SinksWriteInTheirFormat) {
  const std::string text = TempPath("format_text.log");
  const std::string json = TempPath("format_json.log");
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks =
      ParseSinks(absl::StrCat("file:", text, ",pattern=%l\\, %v;file:", json,
                              ",format=json,level=warn"));
  ASSERT_TRUE(sinks.ok()) << sinks.status();
  {
    Logger logger(Options(), *std::move(sinks));
    RELOG_INFO(logger, "hello {}", 1);
    RELOG_WARN(logger, "warned {}", 2);
  }
  EXPECT_EQ(ReadFile(text), "INFO, hello 1\nWARN, warned 2\n");
  const std::string json_text = ReadFile(json);
  EXPECT_THAT(json_text, HasSubstr("\"msg\":\"warned 2\""));
  EXPECT_THAT(json_text, Not(HasSubstr("hello 1")));
}

TEST(SpecTest, MakeLoggerFromEnvUsesTheVariableOrTheFallback) {
  constexpr char kVar[] = "RELOG_SPEC_TEST_SINKS";
  const std::string from_env = TempPath("from_env.log");
  const std::string fallback = TempPath("fallback.log");
  const std::string fallback_spec =
      absl::StrCat("file:", fallback, ",pattern=%v");

  ASSERT_EQ(
      ::setenv(kVar, absl::StrCat("file:", from_env, ",pattern=%v").c_str(), 1),
      0);
  {
    absl::StatusOr<std::unique_ptr<Logger>> logger =
        MakeLoggerFromEnv(Options(), fallback_spec, kVar);
    ASSERT_TRUE(logger.ok()) << logger.status();
    RELOG_INFO(*logger, "via the environment");
  }
  EXPECT_EQ(ReadFile(from_env), "via the environment\n");
  EXPECT_FALSE(Exists(fallback));

  for (const bool set_empty : {false, true}) {
    if (set_empty) {
      ASSERT_EQ(::setenv(kVar, "", 1), 0);
    } else {
      ASSERT_EQ(::unsetenv(kVar), 0);
    }
    absl::StatusOr<std::unique_ptr<Logger>> logger =
        MakeLoggerFromEnv(Options(), fallback_spec, kVar);
    ASSERT_TRUE(logger.ok()) << logger.status();
    RELOG_INFO(*logger, "via the fallback");
  }
  EXPECT_EQ(ReadFile(fallback), "via the fallback\nvia the fallback\n");

  ASSERT_EQ(::setenv(kVar, "console,level=loud", 1), 0);
  absl::StatusOr<std::unique_ptr<Logger>> bad =
      MakeLoggerFromEnv(Options(), fallback_spec, kVar);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("$RELOG_SPEC_TEST_SINKS: sink spec: bad level 'loud' "
                        "at position 15"));
  ASSERT_EQ(::unsetenv(kVar), 0);

  bad = MakeLoggerFromEnv(Options(), "nul", kVar);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("the fallback spec: sink spec: unknown kind 'nul'"));
}

TEST(SpecTest, MakeLoggerFromEnvTakesLevelsByName) {
  constexpr char kSinks[] = "RELOG_SPEC_TEST_LEVEL_SINKS";
  constexpr char kLevels[] = "RELOG_SPEC_TEST_LEVELS";
  const std::string path = TempPath("levels.log");
  ASSERT_EQ(::unsetenv(kSinks), 0);
  const std::string spec = absl::StrCat("file:", path, ",pattern=%n %l %v");

  ASSERT_EQ(::setenv(kLevels, " warn , net=debug ", 1), 0);
  {
    absl::StatusOr<std::unique_ptr<Logger>> logger =
        MakeLoggerFromEnv(Options(), spec, kSinks, kLevels);
    ASSERT_TRUE(logger.ok()) << logger.status();
    EXPECT_EQ((*logger)->level(), Level::kWarn);
    RELOG_INFO(*logger, "root info");
    RELOG_WARN(*logger, "root warn");
    RELOG_DEBUG((*logger)->Child("net"), "net debug");
    RELOG_TRACE((*logger)->Child("net"), "net trace");
  }
  EXPECT_EQ(ReadFile(path), "spec WARN root warn\nnet DEBUG net debug\n");

  // A bad setting names the variable and the item; no sink is made, so
  // its file is not created.
  const std::string untouched = TempPath("levels_untouched.log");
  ASSERT_EQ(::setenv(kLevels, "info,net=loud", 1), 0);
  absl::StatusOr<std::unique_ptr<Logger>> bad = MakeLoggerFromEnv(
      Options(), absl::StrCat("file:", untouched), kSinks, kLevels);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("$RELOG_SPEC_TEST_LEVELS: level item 'net=loud': "
                        "unknown level 'loud'"));
  EXPECT_FALSE(Exists(untouched));
  ASSERT_EQ(::unsetenv(kLevels), 0);
}

}  // namespace
}  // namespace relog
