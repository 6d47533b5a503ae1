// SPDX-License-Identifier: Apache-2.0
//
// Named placeholders (logger/fields.h): the message reads as with `{}`;
// JSON carries each named argument as a typed key, in both formatting modes
// (deferred to the sink, and on the caller for arguments that cannot be
// copied whole); the output validates with `python3 -m json.tool`; a
// rate-limited call keeps its fields; the compile-time checks of a named
// format, run here as plain functions, name each kind of bad format.

#include "logger/fields.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fmt/chrono.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "logger/logger.h"
#include "sinks/json_formatter.h"
#include "sinks/memory_sink.h"
#include "sinks/pattern_formatter.h"
#include "tests/logger_test_util.h"
#include "tests/test_util.h"

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

// The JSON of calls with fields, written to a file and read by Python's
// own parser, line by line.
TEST_P(FieldsTest, JsonWithFieldsValidatesWithPythonJsonTool) {
  RELOG_INFO(*logger_, "order {order_id} by {user}", 42,
             std::string("b\"o\\b\n\x01\xff"));
  RELOG_INFO(*logger_, "{ratio} {flag} {amount} {when}", 0.25, true,
             Money{5}, std::chrono::milliseconds(1500));
  RELOG_INFO(*logger_, "{big} {neg}", 1e300, -0.0);
  const std::vector<std::string> lines = (logger_->Flush(), json_->lines());
  ASSERT_EQ(lines.size(), 3u);
  const std::string path = testing::MakeTestDir("fields") + "/fields.jsonl";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  for (const std::string& line : lines) std::fprintf(f, "%s\n", line.c_str());
  std::fclose(f);
  const std::string command =
      "python3 -m json.tool --json-lines " + path + " > /dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0) << lines[0] << "\n"
                                             << lines[1] << "\n"
                                             << lines[2];
  EXPECT_THAT(lines[1], HasSubstr(",\"ratio\":0.25,\"flag\":true,"
                                  "\"amount\":\"$0.05\",\"when\":\"1500ms\"}"));
}

INSTANTIATE_TEST_SUITE_P(BothModes, FieldsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "Deferred" : "OnTheCaller";
                         });

}  // namespace
}  // namespace relog
