// SPDX-License-Identifier: Apache-2.0
//
// relog/relog.h alone is enough for what the README's "Using relog" shows:
// this file includes nothing else of relog's and runs those examples (a
// file logger, the default logger, fields and context, named loggers and
// levels by name, a logger from the environment), checking what reaches
// the file.

#include "relog/relog.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace {

using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FrontDoorTest, TheReadmeExamplesBuildAndLog) {
  const std::string path = relog::testing::MakeTestDir("front") + "/app.log";
  const std::string user = "bob";
  const std::string ip = "10.0.0.7";
  const int delay = 250;
  {
    auto file = relog::FileSink::Open(path);  // absl::StatusOr
    ASSERT_TRUE(file.ok()) << file.status();
    relog::LoggerOptions options;
    options.name = "app";
    relog::Logger logger(options, {*file});

    RELOG_INFO(logger, "user {} from {}", user, ip);
    RELOG_WARN(logger, "retrying in {} ms", delay);
    logger.Flush();

    RELOG_INFO(logger, "order {order_id} placed by {user} in {ms:.1f} ms", 42,
               user, 3.21456);
    auto api = logger.With({{"service", "api"}, {"shard", 3}});
    relog::ScopedFields scope{{"request_id", "r-1"}};
    RELOG_INFO(api, "listening");

    relog::Logger& net = logger.Child("net");
    ASSERT_TRUE(logger.SetLevels("info,net=debug").ok());
    RELOG_DEBUG(net, "net is at debug");
    RELOG_DEBUG(logger, "the root is not");
    for (int i = 0; i < 3; ++i) RELOG_INFO_EVERY_N(logger, 2, "every 2nd {}", i);
  }
  const std::string text = ReadAll(path);
  EXPECT_THAT(text, HasSubstr("] user bob from 10.0.0.7\n"));
  EXPECT_THAT(text, HasSubstr("] retrying in 250 ms\n"));
  EXPECT_THAT(text, HasSubstr("] order 42 placed by bob in 3.2 ms\n"));
  EXPECT_THAT(text,
              HasSubstr("] listening service=api shard=3 request_id=r-1\n"));
  EXPECT_THAT(text, HasSubstr(" net ["));
  EXPECT_THAT(text, HasSubstr("] net is at debug request_id=r-1\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("the root is not")));
  EXPECT_THAT(text, HasSubstr("] every 2nd 2 [1 suppressed] request_id=r-1\n"));

  // For people who just want to log to stderr (not read back here).
  RELOG_INFO(relog::DefaultLogger(), "listening on port {}", 8080);

  // From the environment, as relog/relog.h's own comment shows.
  ::setenv("RELOG_SINKS", ("file:" + path + ".env,pattern=%v").c_str(), 1);
  {
    auto logger = relog::MakeLoggerFromEnv({.name = "app"});
    ASSERT_TRUE(logger.ok()) << logger.status();
    RELOG_INFO(*logger, "listening on port {port}", 8080);
  }
  ::unsetenv("RELOG_SINKS");
  EXPECT_EQ(ReadAll(path + ".env"), "listening on port 8080\n");
}

}  // namespace
