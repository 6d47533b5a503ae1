// SPDX-License-Identifier: Apache-2.0
//
// The compile-time floor: this file is built with RELOG_MIN_LEVEL=3 (warn),
// so trace, debug and info calls are removed, whatever the logger's level.

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/memory_sink.h"

#if RELOG_MIN_LEVEL != 3
#error "this test must be built with RELOG_MIN_LEVEL=3"
#endif

namespace relog {
namespace {

TEST(LoggerMinLevelTest, CallsBelowTheFloorAreRemoved) {
  auto sink = std::make_shared<MemorySink>();
  LoggerOptions o;
  o.level = Level::kTrace;  // the run-time level lets everything through
  Logger logger(std::move(o), {sink});
  int evaluated = 0;
  auto count = [&evaluated] { return ++evaluated; };
  RELOG_TRACE(logger, "{}", count());
  RELOG_DEBUG(logger, "{}", count());
  RELOG_INFO(logger, "{}", count());
  RELOG_WARN(logger, "warn {}", count());
  RELOG_ERROR(logger, "error {}", count());
  logger.Flush();
  EXPECT_EQ(evaluated, 2);
  EXPECT_EQ(sink->messages(), (std::vector<std::string>{"warn 1", "error 2"}));
}

}  // namespace
}  // namespace relog
