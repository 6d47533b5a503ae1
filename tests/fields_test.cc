// SPDX-License-Identifier: Apache-2.0
//
// Named placeholders (logger/fields.h): the message reads as with `{}`;
// JSON carries each named argument as a typed key, in both formatting modes
// (deferred to the sink, and on the caller for arguments that cannot be
// copied whole); the output parses with nlohmann-json to the values logged; a
// rate-limited call keeps its fields; the compile-time checks of a named
// format, run here as plain functions, name each kind of bad format.

#include "relog/logger/fields.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fmt/chrono.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "relog/logger/logger.h"
#include "relog/sinks/json_formatter.h"
#include "relog/sinks/memory_sink.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/logger_test_util.h"

// A type that is formattable but not a self-contained value: a call with
// it formats on the caller, and its field is its text.
struct Money {
  long cents;
};
template <>
struct fmt::formatter<Money> : fmt::formatter<std::string_view> {
  auto format(const Money& m, fmt::format_context& ctx) const {
    return fmt::format_to(ctx.out(), "${}.{:02d}", m.cents / 100,
                          m.cents % 100);
  }
};

namespace relog {
namespace {

using logger_internal::CheckNamedFormat;
using relog::CheckFieldName;
using logger_internal::HasNames;
using logger_internal::NamedFormatError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The checks run at compile time for every RELOG_* call; here they are
// also run as plain functions on formats that would not compile.
static_assert(HasNames("order {order_id}"));
static_assert(HasNames("{} and {name:>5}"));
static_assert(!HasNames("plain {} {:x} {0} {{not_a_field}}"));
static_assert(CheckNamedFormat("order {order_id} by {user} in {ms:.1f}") ==
              NamedFormatError::kNone);

TEST(NamedFormatTest, BadFormatsAreNamed) {
  EXPECT_EQ(CheckNamedFormat("{order-id}"),
            NamedFormatError::kNotAnIdentifier);
  EXPECT_EQ(CheckNamedFormat("{a b}"), NamedFormatError::kNotAnIdentifier);
  EXPECT_EQ(CheckNamedFormat("{user} and {user}"),
            NamedFormatError::kNamedTwice);
  EXPECT_EQ(CheckNamedFormat("{msg}"), NamedFormatError::kReservedName);
  EXPECT_EQ(CheckNamedFormat("{level}"), NamedFormatError::kReservedName);
  EXPECT_EQ(CheckNamedFormat("{0} {user}"), NamedFormatError::kIndexed);
  EXPECT_EQ(CheckNamedFormat("{ms:.{}f}"), NamedFormatError::kNested);
  EXPECT_EQ(CheckNamedFormat("{" + std::string(33, 'a') + "}"),
            NamedFormatError::kNameTooLong);
  EXPECT_EQ(CheckNamedFormat("{" + std::string(32, 'a') + "}"),
            NamedFormatError::kNone);
  EXPECT_EQ(CheckNamedFormat(std::string(1025, 'x') + "{a}"),
            NamedFormatError::kTooLong);
}

TEST(NamedFormatTest, ContextFieldNamesAreCheckedToo) {
  static_assert(CheckFieldName("request_id") == NamedFormatError::kNone);
  EXPECT_EQ(CheckFieldName("request-id"), NamedFormatError::kNotAnIdentifier);
  EXPECT_EQ(CheckFieldName("9lives"), NamedFormatError::kNotAnIdentifier);
  EXPECT_EQ(CheckFieldName(""), NamedFormatError::kNotAnIdentifier);
  EXPECT_EQ(CheckFieldName("ts"), NamedFormatError::kReservedName);
  EXPECT_EQ(CheckFieldName(std::string(33, 'k')),
            NamedFormatError::kNameTooLong);
}

TEST(NamedFormatTest, StripNamesLeavesTheSpecs) {
  const std::string format = "a {x} b {} c {ms:.1f} {{d}} {e:>{{}}";
  std::string out(format.size(), '\0');
  out.resize(logger_internal::StripNames(format, out.data()));
  EXPECT_EQ(out, "a {} b {} c {:.1f} {{d}} {:>{{}}");
}

// Each field as name=value(type), for comparisons.
class Collect final : public FieldVisitor {
 public:
  void Field(std::string_view name, FieldType type,
             std::string_view value) override {
    const char* kind = type == FieldType::kNumber ? "n"
                       : type == FieldType::kBool ? "b"
                                                  : "s";
    got.push_back(fmt::format("{}={}({})", name, value, kind));
  }
  std::vector<std::string> got;
};

// Param: deferred formatting on or off.
class FieldsTest : public ::testing::TestWithParam<bool> {
 protected:
  FieldsTest() {
    auto text = PatternFormatter::Create("%v");
    EXPECT_TRUE(text.ok());
    text_ = std::make_shared<MemorySink>(*std::move(text));
    LoggerOptions options = testing::TestLoggerOptions("app");
    options.deferred_formatting = GetParam();
    logger_ = std::make_unique<Logger>(
        options, std::vector<std::shared_ptr<Sink>>{text_, json_});
  }
  std::vector<std::string> Json() {
    logger_->Flush();
    std::vector<std::string> lines = json_->lines();
    for (std::string& line : lines) {
      // The fields are what follows "msg"; cut the metadata before it.
      const std::size_t msg = line.find(",\"msg\":");
      if (msg != std::string::npos) line = line.substr(msg + 1);
    }
    return lines;
  }

  std::shared_ptr<MemorySink> text_;
  std::shared_ptr<MemorySink> json_ =
      std::make_shared<MemorySink>(std::make_unique<JsonFormatter>());
  std::unique_ptr<Logger> logger_;
};

TEST_P(FieldsTest, NamedArgumentsAreTheMessageAndTypedFields) {
  const std::string user = "bob";
  RELOG_INFO(*logger_, "order {order_id} placed by {user} in {ms:.1f} ms", 42,
             user, 3.21456);
  RELOG_INFO(*logger_, "{ok} {ch} {big} {neg} {s}", true, 'x',
             uint64_t{18446744073709551615u}, -7, "q\"uote");
  RELOG_INFO(*logger_, "{inf} {nan} then {} unnamed",
             std::numeric_limits<double>::infinity(), std::nan(""), 5);
  RELOG_INFO(*logger_, "paid {amount}", Money{1234});  // on the caller
  RELOG_INFO(*logger_, "no fields {}", 1);
  logger_->Flush();
  EXPECT_THAT(text_->lines(),
              ElementsAre("order 42 placed by bob in 3.2 ms",
                          "true x 18446744073709551615 -7 q\"uote",
                          "inf nan then 5 unnamed", "paid $12.34",
                          "no fields 1"));
  EXPECT_THAT(
      Json(),
      ElementsAre(
          "\"msg\":\"order 42 placed by bob in 3.2 ms\",\"order_id\":42,"
          "\"user\":\"bob\",\"ms\":3.21456}",
          "\"msg\":\"true x 18446744073709551615 -7 q\\\"uote\",\"ok\":true,"
          "\"ch\":\"x\",\"big\":18446744073709551615,\"neg\":-7,"
          "\"s\":\"q\\\"uote\"}",
          "\"msg\":\"inf nan then 5 unnamed\",\"inf\":\"inf\","
          "\"nan\":\"nan\"}",
          "\"msg\":\"paid $12.34\",\"amount\":\"$12.34\"}",
          "\"msg\":\"no fields 1\"}"));
}

TEST_P(FieldsTest, EntriesHandTheirFieldsToAVisitor) {
  struct Capture final : public Sink {
    Capture() : Sink("capture") {}
    void DoWrite(const Entry& entry) override {
      Collect c;
      EXPECT_TRUE(entry.ForEachField(c));
      std::lock_guard<std::mutex> lock(mu);
      fields.push_back(c.got);
      has.push_back(entry.has_fields());
      RecordsDelivered(1);
    }
    void DoFlush() override {}
    std::mutex mu;
    std::vector<std::vector<std::string>> fields;
    std::vector<bool> has;
  };
  auto capture = std::make_shared<Capture>();
  LoggerOptions options = testing::TestLoggerOptions("app");
  options.deferred_formatting = GetParam();
  {
    Logger logger(options, {capture});
    RELOG_WARN(logger, "{a} {b} {c}", 1.5, std::string_view("sv"), false);
    RELOG_WARN(logger, "none {}", 2);
  }
  ASSERT_EQ(capture->fields.size(), 2u);
  EXPECT_THAT(capture->fields[0], ElementsAre("a=1.5(n)", "b=sv(s)",
                                              "c=false(b)"));
  EXPECT_TRUE(capture->has[0]);
  EXPECT_TRUE(capture->fields[1].empty());
  EXPECT_FALSE(capture->has[1]);
}

TEST_P(FieldsTest, ARateLimitedCallKeepsItsFields) {
  // A site per mode: a site's count lives as long as the process.
  for (int i = 0; i < 3; ++i) {
    if (GetParam()) {
      RELOG_INFO_EVERY_N(*logger_, 2, "try {attempt}", i);
    } else {
      RELOG_INFO_EVERY_N(*logger_, 2, "try {attempt}", i);
    }
  }
  EXPECT_THAT(Json(), ElementsAre("\"msg\":\"try 0\",\"attempt\":0}",
                                  "\"msg\":\"try 2 [1 suppressed]\","
                                  "\"attempt\":2}"));
}

// The JSON of calls with fields, read back by nlohmann-json (a parser
// independent of relog) line by line: each line is an object whose fields
// decode to the values logged.
TEST_P(FieldsTest, JsonWithFieldsParsesToTheValuesLogged) {
  RELOG_INFO(*logger_, "order {order_id} by {user}", 42,
             std::string("b\"o\\b\n\x01\xff"));
  RELOG_INFO(*logger_, "{ratio} {flag} {amount} {when}", 0.25, true, Money{5},
             std::chrono::milliseconds(1500));
  RELOG_INFO(*logger_, "{big} {neg}", 1e300, -0.0);
  {
    auto ctx = logger_->With({{"service", "a\"pi\\"}, {"port", 8080}});
    ScopedFields scope{{"rid", "\x02\xc3"}, {"ok", true}};
    RELOG_INFO(*ctx, "with context {n}", 1);
  }
  const std::vector<std::string> lines = (logger_->Flush(), json_->lines());
  ASSERT_EQ(lines.size(), 4u);
  std::vector<nlohmann::json> objects;
  for (const std::string& line : lines) {
    objects.push_back(
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false));
    ASSERT_TRUE(objects.back().is_object()) << "not a JSON object: " << line;
  }
  const std::string fffd = "\xEF\xBF\xBD";  // U+FFFD for each bad byte
  EXPECT_EQ(objects[0].at("order_id"), 42);
  EXPECT_EQ(objects[0].at("user"), "b\"o\\b\n\x01" + fffd);
  EXPECT_EQ(objects[1].at("ratio"), 0.25);
  EXPECT_EQ(objects[1].at("flag"), true);
  EXPECT_EQ(objects[1].at("amount"), "$0.05");
  EXPECT_EQ(objects[1].at("when"), "1500ms");
  EXPECT_EQ(objects[2].at("big"), 1e300);
  EXPECT_TRUE(objects[2].at("neg").is_number()) << lines[2];
  EXPECT_EQ(objects[2].at("neg").get<double>(), 0.0);
  EXPECT_EQ(objects[3].at("service"), "a\"pi\\");
  EXPECT_EQ(objects[3].at("port"), 8080);
  EXPECT_EQ(objects[3].at("rid"), "\x02" + fffd);
  EXPECT_EQ(objects[3].at("ok"), true);
  EXPECT_EQ(objects[3].at("n"), 1);
  EXPECT_THAT(lines[1], HasSubstr(",\"ratio\":0.25,\"flag\":true,"
                                  "\"amount\":\"$0.05\",\"when\":\"1500ms\"}"));
}

TEST_P(FieldsTest, WithAddsItsContextToEveryEntry) {
  std::unique_ptr<Logger> api =
      logger_->With({{"service", "api"}, {"shard", 3}, {"canary", false}});
  std::unique_ptr<Logger> v2 = api->With({{"version", "2 \"beta\""}});
  EXPECT_EQ(api->name(), "app");
  EXPECT_EQ(v2->level(), logger_->level());
  RELOG_INFO(*api, "order {order_id}", 7);
  RELOG_INFO(*v2, "plain {}", 1);
  RELOG_INFO(*logger_, "none");
  v2.reset();  // its entries carry a copy of the context
  api.reset();
  EXPECT_THAT(
      Json(),
      ElementsAre(
          "\"msg\":\"order 7\",\"service\":\"api\",\"shard\":3,"
          "\"canary\":false,\"order_id\":7}",
          "\"msg\":\"plain 1\",\"service\":\"api\",\"shard\":3,"
          "\"canary\":false,\"version\":\"2 \\\"beta\\\"\"}",
          "\"msg\":\"none\"}"));
}

TEST_P(FieldsTest, ScopedFieldsBelongToTheThreadAndTheScope) {
  {
    ScopedFields request{{"request_id", "r-1"}};
    RELOG_INFO(*logger_, "outer");
    {
      ScopedFields step{{"step", 2}};
      RELOG_INFO(*logger_, "inner");
      std::thread other([&] { RELOG_INFO(*logger_, "other thread"); });
      other.join();
    }
    RELOG_INFO(*logger_, "outer again");
  }
  RELOG_INFO(*logger_, "after");
  logger_->Flush();
  std::vector<std::string> json = Json();
  std::sort(json.begin(), json.end());  // the other thread's may come first
  EXPECT_THAT(json, ElementsAre(
                        "\"msg\":\"after\"}",
                        "\"msg\":\"inner\",\"request_id\":\"r-1\",\"step\":2}",
                        "\"msg\":\"other thread\"}",
                        "\"msg\":\"outer again\",\"request_id\":\"r-1\"}",
                        "\"msg\":\"outer\",\"request_id\":\"r-1\"}"));
}

TEST_P(FieldsTest, TextWritesTheContextAsKeyValuePairs) {
  auto pattern = PatternFormatter::Create("%v |%K|");
  ASSERT_TRUE(pattern.ok()) << pattern.status();
  auto with_pattern = std::make_shared<MemorySink>(*std::move(pattern));
  auto default_text = std::make_shared<MemorySink>();
  LoggerOptions options = testing::TestLoggerOptions("app");
  options.deferred_formatting = GetParam();
  Logger logger(options, {with_pattern, default_text});
  auto ctx = logger.With({{"user", "bob smith"}, {"empty", ""}, {"n", 1.5}});
  ScopedFields scope{{"path", "/a=b"}, {"tab", "x\ty"}};
  RELOG_INFO(*ctx, "hi {name}", "named, not context");
  RELOG_INFO(logger, "no logger context");
  logger.Flush();
  EXPECT_THAT(
      with_pattern->lines(),
      ElementsAre("hi named, not context |user=\"bob smith\" empty=\"\" n=1.5 "
                  "path=\"/a=b\" tab=\"x\\ty\"|",
                  "no logger context |path=\"/a=b\" tab=\"x\\ty\"|"));
  ASSERT_EQ(default_text->lines().size(), 2u);
  EXPECT_THAT(default_text->lines()[0],
              ::testing::EndsWith("] hi named, not context user=\"bob smith\" "
                                  "empty=\"\" n=1.5 path=\"/a=b\" "
                                  "tab=\"x\\ty\""));
}

TEST_P(FieldsTest, AContextTooLargeKeepsWhatFitsAndSaysWhatItLeftOut) {
  const std::string big(kMaxContextBytes, 'x');
  ScopedFields small{{"a", 1}};
  ScopedFields too_big{{"big", big}, {"b", 2}};
  RELOG_INFO(*logger_, "m");
  EXPECT_THAT(Json(), ElementsAre("\"msg\":\"m\",\"a\":1,\"b\":2,"
                                  "\"relog_dropped_fields\":1}"));
}

INSTANTIATE_TEST_SUITE_P(BothModes, FieldsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Deferred" : "OnTheCaller";
                         });

}  // namespace
}  // namespace relog
