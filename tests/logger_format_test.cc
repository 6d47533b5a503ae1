// SPDX-License-Identifier: Apache-2.0
//
// What the RELOG_* macros write for a range of formats and argument types.
// Built twice (tests/BUILD.bazel): with compiled formats
// (RELOG_COMPILE_FORMATS=1) and with formats parsed at run time
// (RELOG_COMPILE_FORMATS=0); both must give the same text.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fmt/format.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/memory_sink.h"

namespace relog {
namespace {

// A user type formatted through its own formatter, with no format specs.
struct Point {
  int x;
  int y;
};

// A user type that takes the string format specs (width, alignment).
struct Name {
  std::string value;
};

// A user type whose formatter throws.
struct Explosive {};

// A format at namespace scope, as a service might keep its messages.
constexpr char kConstantFormat[] = "from a constant: {}";

}  // namespace
}  // namespace relog

template <>
struct fmt::formatter<relog::Point> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Ctx>
  auto format(const relog::Point& p, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "({}, {})", p.x, p.y);
  }
};

template <>
struct fmt::formatter<relog::Name> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const relog::Name& n, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(n.value, ctx);
  }
};

template <>
struct fmt::formatter<relog::Explosive> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Ctx>
  auto format(const relog::Explosive&, Ctx& ctx) const -> decltype(ctx.out()) {
    throw std::runtime_error("boom");
  }
};

// A class with external linkage whose member function, defined in the class
// body, logs: with compiled formats g++ 12 once warned here (-Wattributes,
// "declared with greater visibility than the type of its field"), which
// -Werror (on for this file) turns into a build failure.
namespace relog_format_test {
struct Service {
  relog::Logger* logger;
  void Handle(int request) { RELOG_INFO(*logger, "request {}", request); }
  // A rate-limited call keeps a static site in the member function.
  void Retry(int attempt) {
    RELOG_WARN_EVERY_N(*logger, 2, "retry {}", attempt);
  }
};
}  // namespace relog_format_test

namespace relog {
namespace {

class LoggerFormatTest : public ::testing::Test {
 protected:
  LoggerFormatTest()
      : sink_(std::make_shared<MemorySink>()), logger_(Options(), {sink_}) {}

  static LoggerOptions Options() {
    LoggerOptions o;
    o.name = "format";
    o.level = Level::kTrace;
    return o;
  }

  std::vector<std::string> Messages() {
    logger_.Flush();
    return sink_->messages();
  }

  std::shared_ptr<MemorySink> sink_;
  Logger logger_;
};

// The target's local_defines say which mode it is built in; the logger
// header pulls in fmt/compile.h (and so defines FMT_COMPILE) only when the
// macros compile their formats.
TEST(LoggerFormatModeTest, BuiltInTheModeItsTargetAsksFor) {
  EXPECT_EQ(RELOG_COMPILE_FORMATS, RELOG_EXPECT_COMPILED);
#ifdef FMT_COMPILE
  EXPECT_EQ(RELOG_EXPECT_COMPILED, 1);
#else
  EXPECT_EQ(RELOG_EXPECT_COMPILED, 0);
#endif
}

TEST_F(LoggerFormatTest, ACallInAMemberFunctionDefinedInItsClass) {
  relog_format_test::Service service{&logger_};
  service.Handle(7);
  EXPECT_EQ(Messages(), std::vector<std::string>{"request 7"});
}

TEST_F(LoggerFormatTest, ARateLimitedCallInAMemberFunctionDefinedInItsClass) {
  relog_format_test::Service service{&logger_};
  for (int attempt = 1; attempt <= 3; ++attempt) service.Retry(attempt);
  EXPECT_EQ(Messages(),
            (std::vector<std::string>{"retry 1", "retry 3 [1 suppressed]"}));
}

TEST_F(LoggerFormatTest, TheStandardMessage) {
  RELOG_INFO(logger_, "Logging int: {}, double: {}, string: {}", 42, 0.5,
             "a string");
  RELOG_INFO(logger_, "Logging int: {}, double: {}, string: {}", -7, 1e300,
             std::string("owned"));
  EXPECT_EQ(Messages(), (std::vector<std::string>{
                            "Logging int: 42, double: 0.5, string: a string",
                            "Logging int: -7, double: 1e+300, string: owned"}));
}

TEST_F(LoggerFormatTest, NoArgumentsAndEscapedBraces) {
  RELOG_INFO(logger_, "plain");
  RELOG_INFO(logger_, "braces {{}} and {{{}}}", 1);
  RELOG_INFO(logger_, "");
  EXPECT_EQ(Messages(),
            (std::vector<std::string>{"plain", "braces {} and {1}", ""}));
}

TEST_F(LoggerFormatTest, FormatSpecsAndPositionalArguments) {
  RELOG_WARN(logger_, "[{:>5}] [{:<4}] [{:^7.3f}] [{:#x}] [{:08b}]", 42, "ab",
             3.14159, 255, 5);
  RELOG_WARN(logger_, "{1} before {0}, {1} again", "first", "second");
  RELOG_WARN(logger_, "{} {} {} {}", true, 'c', std::string_view("view"),
             static_cast<unsigned long long>(18446744073709551615ull));
  EXPECT_EQ(Messages(), (std::vector<std::string>{
                            "[   42] [ab  ] [ 3.142 ] [0xff] [00000101]",
                            "second before first, second again",
                            "true c view 18446744073709551615"}));
}

TEST_F(LoggerFormatTest, UserTypesWithAndWithoutSpecs) {
  RELOG_INFO(logger_, "at {} and {}", Point{1, 2}, Point{-3, 4});
  RELOG_INFO(logger_, "[{}] [{:>6}] [{:-<5}]", Name{"ann"}, Name{"bob"},
             Name{"cy"});
  EXPECT_EQ(Messages(), (std::vector<std::string>{"at (1, 2) and (-3, 4)",
                                                  "[ann] [   bob] [cy---]"}));
}

TEST_F(LoggerFormatTest, AFormatConstantAtNamespaceScope) {
  RELOG_INFO(logger_, kConstantFormat, 9);
  EXPECT_EQ(Messages(), (std::vector<std::string>{"from a constant: 9"}));
}

TEST_F(LoggerFormatTest, ARuntimeFormatGoesThroughLog) {
  const std::string format = std::string("built at run time: ") + "{}";
  logger_.Log(Level::kInfo, RELOG_SOURCE_LOCATION, fmt::runtime(format), 7);
  // A bad run-time format is reported like a throwing formatter.
  const std::string bad = "unclosed {";
  logger_.Log(Level::kInfo, RELOG_SOURCE_LOCATION, fmt::runtime(bad), 7);
  const auto messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], "built at run time: 7");
  EXPECT_EQ(messages[1].rfind("[relog: format error: ", 0), 0u) << messages[1];
  EXPECT_EQ(logger_.GetStats().format_errors, 1u);
}

TEST_F(LoggerFormatTest, AThrowingFormatterLogsTheErrorAndLeaksNothing) {
  RELOG_INFO(logger_, "before");
  RELOG_ERROR(logger_, "value {} here", Explosive{});
  RELOG_INFO(logger_, "after");
  EXPECT_EQ(
      Messages(),
      (std::vector<std::string>{
          "before", "[relog: format error: boom] value {} here", "after"}));
  const LoggerStats s = logger_.GetStats();
  EXPECT_EQ(s.format_errors, 1u);
  EXPECT_EQ(s.accepted, 3u);
  EXPECT_EQ(s.entry_pool.live, 0u);
}

TEST_F(LoggerFormatTest, LongMessagesAreWrittenWhole) {
  const std::string long_arg(5000, 'x');
  RELOG_INFO(logger_, "head {} tail {}", long_arg, 12);
  const auto messages = Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0], "head " + long_arg + " tail 12");
}

}  // namespace
}  // namespace relog
