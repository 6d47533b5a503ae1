// SPDX-License-Identifier: Apache-2.0
//
// Deferred formatting (logger/deferred.h): every family of deferred
// arguments writes the same text as formatting on the caller; a user type
// is deferred only when it opts in; any other argument formats on the
// caller, so the text is what the value was at the call; a message bound
// for several sinks is formatted once; a formatter that throws on the sink
// side is reported and counted and the sink goes on. Built twice: with the
// macros' compiled formats and with formats parsed at run time.

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fmt/chrono.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/logger/sink.h"
#include "relog/sinks/memory_sink.h"
#include "tests/logger_test_util.h"
#include "tests/test_util.h"

namespace relog_deferred_test {

enum Color { kRed, kGreen };
enum class Shape : uint8_t { kSquare = 3, kCircle = 7 };

// Opted in: a self-contained value.
struct Point {
  int x;
  int y;
};

// Not opted in: holds a pointer to memory it does not own.
struct Counter {
  const int* value;
};

// Opted in, and its formatter counts how often it runs (or throws).
struct Tracked {
  int id;
};
inline std::atomic<int> g_tracked_formats{0};

struct Explosive {
  int id;
};

}  // namespace relog_deferred_test

template <>
struct relog::IsSelfContained<relog_deferred_test::Point> : std::true_type {};
template <>
struct relog::IsSelfContained<relog_deferred_test::Tracked> : std::true_type {
};
template <>
struct relog::IsSelfContained<relog_deferred_test::Explosive>
    : std::true_type {};

template <>
struct fmt::formatter<relog_deferred_test::Shape> : fmt::formatter<int> {
  template <typename Ctx>
  auto format(relog_deferred_test::Shape s, Ctx& ctx) const {
    return fmt::formatter<int>::format(static_cast<int>(s), ctx);
  }
};

template <>
struct fmt::formatter<relog_deferred_test::Point> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Ctx>
  auto format(const relog_deferred_test::Point& p, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "({}, {})", p.x, p.y);
  }
};

template <>
struct fmt::formatter<relog_deferred_test::Counter> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Ctx>
  auto format(const relog_deferred_test::Counter& c, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "counter {}", *c.value);
  }
};

template <>
struct fmt::formatter<relog_deferred_test::Tracked> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Ctx>
  auto format(const relog_deferred_test::Tracked& t, Ctx& ctx) const {
    relog_deferred_test::g_tracked_formats.fetch_add(1);
    return fmt::format_to(ctx.out(), "tracked {}", t.id);
  }
};

template <>
struct fmt::formatter<relog_deferred_test::Explosive> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <typename Ctx>
  auto format(const relog_deferred_test::Explosive&, Ctx& ctx) const
      -> decltype(ctx.out()) {
    throw std::runtime_error("boom on the sink side");
  }
};

namespace relog {
namespace {

using relog_deferred_test::Color;
using relog_deferred_test::Counter;
using relog_deferred_test::Explosive;
using relog_deferred_test::Point;
using relog_deferred_test::Shape;
using relog_deferred_test::Tracked;

// Records each message and whether its entry was deferred; with a gate,
// holds each write until the test lets it through (so the caller can change
// a value before the sink reads the message, or build up a backlog).
class RecordingSink final : public Sink {
 public:
  explicit RecordingSink(bool gated = false)
      : Sink("recording"), allowed_(gated ? 0 : kUnlimited) {}

  void Open() { Allow(kUnlimited); }
  // Lets `n` more writes through the gate.
  void Allow(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    allowed_ = n == kUnlimited ? kUnlimited : allowed_ + n;
    cv_.notify_all();
  }
  // Waits until `n` writes have reached the gate (false after a minute).
  [[nodiscard]] bool WaitEntered(int64_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60),
                        [&] { return entered_ >= n; });
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  std::vector<bool> deferred() const {
    std::lock_guard<std::mutex> lock(mu_);
    return deferred_;
  }

 protected:
  void DoWrite(const Entry& entry) override {
    std::unique_lock<std::mutex> lock(mu_);
    const int64_t mine = ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return mine <= allowed_; });
    deferred_.push_back(entry.deferred());
    messages_.emplace_back(entry.message());
    RecordsDelivered(1);
  }
  void DoFlush() override {}

 private:
  static constexpr int64_t kUnlimited = INT64_MAX;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t allowed_;
  int64_t entered_ = 0;
  std::vector<std::string> messages_;
  std::vector<bool> deferred_;
};

// Whether this build defers at all (RELOG_DEFERRED_FORMATTING=0 formats
// every call on the caller; the whole suite runs both ways).
constexpr bool kDeferring = RELOG_DEFERRED_FORMATTING == 1;

class DeferredTest : public ::testing::Test {
 protected:
  // Logs the same call through a deferring logger and a logger that
  // formats on the caller; returns both messages and whether the first
  // was deferred.
  struct Both {
    std::string deferred_text;
    std::string eager_text;
    bool was_deferred = false;
  };
  template <typename LogOne>
  Both LogBothWays(const LogOne& log_one) {
    auto deferring = std::make_shared<RecordingSink>();
    auto eager = std::make_shared<RecordingSink>();
    {
      LoggerOptions o = testing::TestLoggerOptions("deferred");
      Logger logger(o, {deferring});
      log_one(logger);
    }
    {
      LoggerOptions o = testing::TestLoggerOptions("eager");
      o.deferred_formatting = false;
      Logger logger(o, {eager});
      log_one(logger);
    }
    Both both;
    if (deferring->messages().size() == 1 && eager->messages().size() == 1) {
      both.deferred_text = deferring->messages()[0];
      both.eager_text = eager->messages()[0];
      both.was_deferred = deferring->deferred()[0];
    }
    EXPECT_FALSE(eager->deferred().empty() || eager->deferred()[0]);
    return both;
  }
};

#define EXPECT_DEFERRED_AS_EAGER(expected_text, ...)                 \
  do {                                                               \
    const Both both = LogBothWays(                                   \
        [&](Logger& logger) { RELOG_INFO(logger, __VA_ARGS__); });   \
    EXPECT_EQ(both.was_deferred, kDeferring) << #__VA_ARGS__;        \
    EXPECT_EQ(both.deferred_text, both.eager_text) << #__VA_ARGS__;  \
    EXPECT_EQ(both.deferred_text, expected_text) << #__VA_ARGS__;    \
  } while (0)

TEST_F(DeferredTest, ArithmeticValues) {
  EXPECT_DEFERRED_AS_EAGER("42 -7 18446744073709551615 3",
                           "{} {} {} {}", 42, int8_t{-7}, ~uint64_t{0},
                           short{3});
  EXPECT_DEFERRED_AS_EAGER("0.5 2.50 1e+300 -0", "{} {:.2f} {} {}", 0.5f, 2.5,
                           1e300, -0.0);
  EXPECT_DEFERRED_AS_EAGER("true false x 0x2a", "{} {} {} {:#x}", true, false,
                           'x', 42);
}

TEST_F(DeferredTest, EnumsDurationsAndTimePoints) {
  EXPECT_DEFERRED_AS_EAGER("1 7", "{} {}", Color::kGreen, Shape::kCircle);
  EXPECT_DEFERRED_AS_EAGER("1500ms 3s 2.5h", "{} {} {}",
                           std::chrono::milliseconds(1500),
                           std::chrono::seconds(3),
                           std::chrono::duration<double, std::ratio<3600>>(2.5));
  const auto t = std::chrono::system_clock::time_point(
      std::chrono::seconds(1795448906));  // 2026-11-23 15:48:26 UTC
  EXPECT_DEFERRED_AS_EAGER("2026-11-23", "{:%Y-%m-%d}", t);
}

TEST_F(DeferredTest, StringsAreCopied) {
  const std::string s = "a std::string";
  const std::string_view v = "a string_view";
  const char* c = "a C string";
  const char array[] = "a char array";
  EXPECT_DEFERRED_AS_EAGER(
      "a std::string|a string_view|a C string|a char array|  pad", "{}|{}|{}|{}|{:>5}",
      s, v, c, array, "pad");
  // Longer than an entry holds inline: the copy grows into a pooled buffer.
  const std::string big(5000, 'q');
  EXPECT_DEFERRED_AS_EAGER(big + "!", "{}!", big);
  EXPECT_DEFERRED_AS_EAGER("", "{}", std::string());
}

TEST_F(DeferredTest, AUserTypeIsDeferredOnlyWhenItOptsIn) {
  EXPECT_DEFERRED_AS_EAGER("at (3, 4)", "at {}", Point{3, 4});
  int value = 5;
  const Both both = LogBothWays(
      [&](Logger& logger) { RELOG_INFO(logger, "{}", Counter{&value}); });
  EXPECT_FALSE(both.was_deferred) << "a type holding a pointer was deferred";
  EXPECT_EQ(both.deferred_text, "counter 5");
}

// What is written is the value at the call, not at the sink's later read:
// a deferred string is a copy; an argument that is not deferred is
// formatted on the caller.
TEST_F(DeferredTest, TheTextIsTheValueAtTheCall) {
  auto sink = std::make_shared<RecordingSink>(/*gated=*/true);
  Logger logger(testing::TestLoggerOptions("at_call"), {sink});
  std::string name = "before";
  int value = 1;
  RELOG_INFO(logger, "{} {}", name, 10);
  RELOG_INFO(logger, "{}", Counter{&value});
  name = "after, longer than the first one was";
  value = 2;
  sink->Open();
  logger.Flush();
  EXPECT_EQ(sink->messages(),
            (std::vector<std::string>{"before 10", "counter 1"}));
  EXPECT_EQ(sink->deferred(), (std::vector<bool>{kDeferring, false}));
}

TEST_F(DeferredTest, AMessageForSeveralSinksIsFormattedOnce) {
  std::vector<std::shared_ptr<MemorySink>> sinks = {
      std::make_shared<MemorySink>(), std::make_shared<MemorySink>(),
      std::make_shared<MemorySink>()};
  Logger logger(testing::TestLoggerOptions("once"),
                {sinks[0], sinks[1], sinks[2]});
  relog_deferred_test::g_tracked_formats.store(0);
  constexpr int kN = 500;
  for (int i = 0; i < kN; ++i) RELOG_INFO(logger, "{}", Tracked{i});
  logger.Flush();
  for (const auto& sink : sinks) {
    const auto messages = sink->messages();
    ASSERT_EQ(messages.size(), static_cast<std::size_t>(kN));
    for (int i = 0; i < kN; ++i) {
      EXPECT_EQ(messages[i], "tracked " + std::to_string(i));
    }
  }
  EXPECT_EQ(relog_deferred_test::g_tracked_formats.load(), kN);
}

TEST_F(DeferredTest, AFormatterThatThrowsOnTheSinkSideIsReportedAndCounted) {
  auto sink = std::make_shared<MemorySink>();
  Logger logger(testing::TestLoggerOptions("throws"), {sink});
  RELOG_INFO(logger, "x={}", Explosive{1});
  RELOG_INFO(logger, "after {}", 2);
  logger.Flush();
  const auto messages = sink->messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_THAT(messages[0], ::testing::HasSubstr(
                               "[relog: format error: boom on the sink side]"));
  EXPECT_THAT(messages[0], ::testing::HasSubstr("x={}"));
  EXPECT_EQ(messages[1], "after 2");
  const LoggerStats s = logger.GetStats();
  EXPECT_EQ(s.format_errors, 1u);
  EXPECT_EQ(s.sinks[0].written, 2u);
}

TEST_F(DeferredTest, ANullCStringIsReportedAsOnTheCaller) {
  const char* none = nullptr;
  const Both both =
      LogBothWays([&](Logger& logger) { RELOG_INFO(logger, "{}", none); });
  EXPECT_EQ(both.was_deferred, kDeferring);
  EXPECT_THAT(both.deferred_text,
              ::testing::HasSubstr("[relog: format error:"));
  EXPECT_THAT(both.eager_text, ::testing::HasSubstr("[relog: format error:"));
}

// A sink thread that falls behind (it finds a full batch waiting) has the
// callers format on their side until it catches up; then calls defer again.
TEST_F(DeferredTest, CallsFormatOnTheCallerWhileTheSinkLags) {
  if (!kDeferring) GTEST_SKIP() << "built to format every call on the caller";
  auto sink = std::make_shared<RecordingSink>(/*gated=*/true);
  // A queue of 16: its sink lags from a batch of 8 until an empty one.
  Logger logger(testing::TestLoggerOptions("lagging", 16), {sink});
  RELOG_INFO(logger, "a{}", 0);
  ASSERT_TRUE(sink->WaitEntered(1));  // a0 waits at the gate
  for (int i = 1; i <= 10; ++i) RELOG_INFO(logger, "a{}", i);
  EXPECT_EQ(LoggerTestPeer::LaggingSinks(logger), 0u);
  sink->Allow(1);
  // a1..a10 came in one batch, and a1 now waits at the gate.
  ASSERT_TRUE(sink->WaitEntered(2));
  EXPECT_EQ(LoggerTestPeer::LaggingSinks(logger), 1u);
  RELOG_INFO(logger, "b{}", 0);
  sink->Open();
  logger.Flush();
  ASSERT_TRUE(testing::WaitFor(
      [&] { return LoggerTestPeer::LaggingSinks(logger) == 0; }));
  RELOG_INFO(logger, "c{}", 0);
  logger.Flush();
  std::vector<std::string> want;
  std::vector<bool> want_deferred;
  for (int i = 0; i <= 10; ++i) {
    want.push_back("a" + std::to_string(i));
    want_deferred.push_back(true);
  }
  want.insert(want.end(), {"b0", "c0"});
  want_deferred.insert(want_deferred.end(), {false, true});
  EXPECT_EQ(sink->messages(), want);
  EXPECT_EQ(sink->deferred(), want_deferred);
}

TEST_F(DeferredTest, TheOptionAndTheBuildSwitchTurnItOff) {
  auto sink = std::make_shared<RecordingSink>();
  LoggerOptions o = testing::TestLoggerOptions("off");
  o.deferred_formatting = false;
  Logger logger(o, {sink});
  RELOG_INFO(logger, "{}", 1);
  logger.Flush();
  EXPECT_EQ(sink->deferred(), std::vector<bool>{false});
  auto sink2 = std::make_shared<RecordingSink>();
  Logger on(testing::TestLoggerOptions("on"), {sink2});
  RELOG_INFO(on, "{}", 1);
  on.Flush();
  EXPECT_EQ(sink2->deferred(), std::vector<bool>{kDeferring});
}

}  // namespace
}  // namespace relog
