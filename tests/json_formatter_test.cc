// SPDX-License-Identifier: Apache-2.0
//
// Tests of relog::JsonFormatter: the record's shape, RFC 8259 escaping, and
// replacement of invalid UTF-8, checked by nlohmann-json, a parser
// independent of relog, that validates each line and decodes its strings
// back.

#include "relog/sinks/json_formatter.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/sink_test_util.h"

namespace relog {
namespace {

using ::relog::testing::EntryFactory;

constexpr std::string_view kFffd = "\xEF\xBF\xBD";

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF). Written independently of the
// formatter's decoder: it decodes the code point and checks its range.
bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (int k = 1; k < n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

// `line` parsed by nlohmann-json (an RFC 8259 parser independent of relog:
// it rejects unescaped control characters, invalid UTF-8 and lone
// surrogates): the object, or nullopt when it is not one valid JSON object.
std::optional<nlohmann::json> ParseObjectLine(std::string_view line) {
  nlohmann::json value = nlohmann::json::parse(
      line.begin(), line.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

std::string Format(const Entry& e) {
  JsonFormatter f;
  fmt::memory_buffer out;
  f.Format(e, out);
  return fmt::to_string(out);
}

// Formats `message`, checks the line is one valid JSON object ending in
// '\n', and returns its decoded "msg".
std::string RoundTrip(std::string_view message) {
  EntryFactory entries;
  const std::string line = Format(*entries.Make(message));
  EXPECT_FALSE(line.empty());
  if (line.empty()) return "";
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per record";
  EXPECT_TRUE(IsValidUtf8(line)) << line;
  const std::optional<nlohmann::json> members =
      ParseObjectLine(std::string_view(line).substr(0, line.size() - 1));
  EXPECT_TRUE(members.has_value()) << "not valid JSON: " << line;
  if (!members.has_value()) return "<invalid>";
  EXPECT_TRUE(members->contains("msg") && members->at("msg").is_string())
      << line;
  if (!members->contains("msg") || !members->at("msg").is_string()) {
    return "<no msg>";
  }
  return members->at("msg").get<std::string>();
}

TEST(JsonFormatterTest, RecordHasTheDocumentedFieldsInOrder) {
  EntryFactory entries;
  EntryFactory::Fields fields;
  fields.level = Level::kWarn;
  fields.thread_id = 777;
  fields.logger = "app";
  fields.location = SourceLocation{"src/a.cc", 42, "F"};
  EXPECT_EQ(Format(*entries.Make("hello", fields)),
            "{\"ts\":\"2026-11-23T15:48:26.123456Z\",\"level\":\"WARN\","
            "\"logger\":\"app\",\"thread\":777,\"file\":\"a.cc\",\"line\":42,"
            "\"msg\":\"hello\"}\n");
}

TEST(JsonFormatterTest, TimestampIsUtcWithMicrosecondsPadded) {
  EntryFactory entries;
  const std::string line = Format(*entries.MakeAt("x", 1000));  // 1 us
  EXPECT_THAT(
      line, ::testing::StartsWith("{\"ts\":\"1970-01-01T00:00:00.000001Z\","));
}

TEST(JsonFormatterTest, QuotesAndBackslashesAreEscaped) {
  EntryFactory entries;
  const std::string line = Format(*entries.Make("say \"hi\" \\ \\\" /"));
  EXPECT_THAT(line, ::testing::HasSubstr(
                        "\"msg\":\"say \\\"hi\\\" \\\\ \\\\\\\" /\"}"));
  EXPECT_EQ(RoundTrip("say \"hi\" \\ \\\" /"), "say \"hi\" \\ \\\" /");
}

TEST(JsonFormatterTest, EveryControlCharacterIsEscaped) {
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  all.push_back('\x7f');
  EntryFactory entries;
  const std::string line = Format(*entries.Make(all));
  EXPECT_THAT(line,
              ::testing::HasSubstr(
                  "\"msg\":\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005"
                  "\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
                  "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
                  "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"
                  "\\u007f\"}\n"));
  EXPECT_EQ(RoundTrip(all), all);
}

TEST(JsonFormatterTest, ValidMultibyteCharactersAreKeptAsIs) {
  const std::string text =
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF "
      "\xEF\xBF\xBF \xED\x9F\xBF \xEE\x80\x80";
  EntryFactory entries;
  const std::string line = Format(*entries.Make(text));
  EXPECT_THAT(line, ::testing::HasSubstr("\"msg\":\"" + text + "\"}"));
  EXPECT_EQ(RoundTrip(text), text);
}

TEST(JsonFormatterTest, InvalidUtf8IsReplacedPerMaximalSubpart) {
  const std::string r(kFffd);
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"a\x80z", "a" + r + "z"},                 // stray continuation
      {"\xBF\xBF", r + r},                       // two of them
      {"\xC0\xAF", r + r},                       // overlong '/'
      {"\xC1\xBF", r + r},                       // overlong 2-byte
      {"\xE0\x80\xAF", r + r + r},               // overlong 3-byte
      {"\xF0\x80\x80\xAF", r + r + r + r},       // overlong 4-byte
      {"\xED\xA0\x80", r + r + r},               // surrogate D800
      {"\xF4\x90\x80\x80", r + r + r + r},       // above U+10FFFF
      {"\xF5\x80", r + r},                       // bad lead
      {"\xFF\xFE", r + r},                       // bad leads
      {"x\xE2\x82", "x" + r},                    // truncated at end
      {"\xE2\x82x", r + "x"},                    // truncated, then ASCII
      {"\xF0\x9F\x98", r},                       // truncated emoji
      {"\xF0\x9F\x98\xC3\xA9", r + "\xC3\xA9"},  // truncated, then valid
      {"\xC3", r},                               // lone lead at end
      {"\xC3\"", r + "\""},                      // lead, then a quote
      {"\xE2\x82\\", r + "\\"},                  // lead, then backslash
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RoundTrip(c.in), c.out) << "input bytes: " << c.in.size();
  }
}

TEST(JsonFormatterTest, LoggerAndFileNamesAreEscapedToo) {
  EntryFactory entries;
  EntryFactory::Fields fields;
  fields.logger = "we\"ird\n\xFF";
  fields.location = SourceLocation{"dir/f\\\"x.cc", 1, "F"};
  const std::string line = Format(*entries.Make("m", fields));
  ASSERT_FALSE(line.empty());
  const std::optional<nlohmann::json> members =
      ParseObjectLine(std::string_view(line).substr(0, line.size() - 1));
  ASSERT_TRUE(members.has_value()) << line;
  EXPECT_EQ(members->at("logger"), "we\"ird\n" + std::string(kFffd));
  EXPECT_EQ(members->at("file"), "f\\\"x.cc");
  EXPECT_TRUE(members->at("line").is_number_integer()) << line;
  EXPECT_EQ(members->at("line"), 1);
  EXPECT_TRUE(members->at("thread").is_number_integer()) << line;
  EXPECT_EQ(members->at("thread"), 12345);
}

TEST(JsonFormatterTest, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 rng(20261123);  // fixed seed: reproducible
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 3000; ++round) {
    std::string in(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : in) c = static_cast<char>(byte(rng));
    const std::string out = RoundTrip(in);
    ASSERT_TRUE(IsValidUtf8(out)) << "round " << round;
    // Valid input survives unchanged.
    if (IsValidUtf8(in)) {
      ASSERT_EQ(out, in) << "round " << round;
    }
  }
}

TEST(JsonFormatterTest, ParserUsedByTheseTestsRejectsBrokenJson) {
  // The checks above are only as good as the parser: make sure it fails.
  for (std::string_view bad :
       {"{\"a\":\"x\ny\"}", "{\"a\":\"\\x41\"}", "{\"a\":1,}", "{\"a\" 1}",
        "{\"a\":\"unterminated}", "{\"a\":\"\\ud800\"}", "{\"a\":01}",
        "{\"a\":\"x\"} trailing", "{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}",
        "[1]"}) {
    EXPECT_FALSE(ParseObjectLine(bad).has_value()) << bad;
  }
  EXPECT_TRUE(
      ParseObjectLine("{\"a\":[1,-2.5e3,true,null,{\"b\":\"\\u00e9\"}]}")
          .has_value());
}

}  // namespace
}  // namespace relog
