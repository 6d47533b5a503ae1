// SPDX-License-Identifier: Apache-2.0
//
// fuzz/escape_fuzzer.cc: libFuzzer target for the two escapers every record
// goes through: relog::AppendJsonString() (JSON lines) and
// relog::AppendEscapedText() (text formats). The input is a message, any
// bytes at all.
//
// Properties checked:
//   - AppendJsonString() writes one valid JSON string (RFC 8259: quotes,
//     no raw control character, only the defined escapes, \u escapes of
//     surrogates only as a high-low pair, strictly valid UTF-8) and no raw
//     DEL; decoded, it is the input with each maximal invalid UTF-8 subpart
//     replaced by U+FFFD (json_formatter.h), so valid UTF-8 round-trips;
//   - AppendEscapedText() writes no byte < 0x20 and no 0x7f, and exactly
//     the escaping formatter.h documents (\n \r \t, others \xNN, the rest
//     as is);
//   - both only append: what `out` held before is left alone.
// The decoder and the UTF-8 rules below are written from the RFC and from
// Unicode's table of well-formed sequences, not from relog's code.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fmt/format.h"
#include "fuzz/check.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/json_formatter.h"

namespace relog {
namespace {

constexpr std::string_view kPrefix = "prefix:";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// How many bytes from text[i] on form the longest prefix of a well-formed
// UTF-8 sequence (Unicode 15, table 3-7), and whether that prefix is a
// whole sequence. For a byte that starts none, {0, false}.
struct Utf8Match {
  std::size_t length;
  bool complete;
};

Utf8Match MatchUtf8(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return {1, true};
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3;
    low = 0xA0;
  } else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) {
    length = 3;
  } else if (lead == 0xED) {
    length = 3;
    high = 0x9F;
  } else if (lead == 0xF0) {
    length = 4;
    low = 0x90;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4;
    high = 0x8F;
  } else {
    return {0, false};
  }
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) return {k, false};
    const unsigned char c = byte(i + k);
    const unsigned char lo = k == 1 ? low : 0x80;
    const unsigned char hi = k == 1 ? high : 0xBF;
    if (c < lo || c > hi) return {k, false};
  }
  return {length, true};
}

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Match m = MatchUtf8(text, i);
    if (!m.complete) return false;
    i += m.length;
  }
  return true;
}

// What the decoded JSON string must be: `text`, each maximal invalid
// subpart (at least one byte) replaced by U+FFFD.
std::string ReplaceInvalidUtf8(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Match m = MatchUtf8(text, i);
    if (m.complete) {
      out.append(text.substr(i, m.length));
      i += m.length;
    } else {
      out.append(kReplacement);
      i += m.length == 0 ? 1 : m.length;
    }
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads the 4 hex digits of a \u escape at json[i]; false if there are none.
bool ReadHex4(std::string_view json, std::size_t i, uint32_t& value) {
  if (i + 4 > json.size()) return false;
  value = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    const char c = json[k];
    uint32_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    value = value * 16 + digit;
  }
  return true;
}

// Decodes the escape at json[i] (just after its '\') into `out`; the index
// after it, or 0 when it is not a valid escape.
std::size_t DecodeEscape(std::string_view json, std::size_t i,
                         std::string& out) {
  if (i >= json.size()) return 0;
  switch (json[i]) {
    case '"':
    case '\\':
    case '/':
      out.push_back(json[i]);
      return i + 1;
    case 'b':
      out.push_back('\b');
      return i + 1;
    case 'f':
      out.push_back('\f');
      return i + 1;
    case 'n':
      out.push_back('\n');
      return i + 1;
    case 'r':
      out.push_back('\r');
      return i + 1;
    case 't':
      out.push_back('\t');
      return i + 1;
    case 'u':
      break;
    default:
      return 0;
  }
  uint32_t unit = 0;
  if (!ReadHex4(json, i + 1, unit)) return 0;
  i += 5;
  if (unit >= 0xDC00 && unit <= 0xDFFF) return 0;  // a lone low surrogate
  if (unit >= 0xD800 && unit <= 0xDBFF) {
    uint32_t low = 0;
    if (json.substr(i, 2) != "\\u" || !ReadHex4(json, i + 2, low) ||
        low < 0xDC00 || low > 0xDFFF) {
      return 0;  // a high surrogate without its low half
    }
    AppendUtf8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), out);
    return i + 6;
  }
  AppendUtf8(unit, out);
  return i;
}

// Decodes `json`, which must be exactly one JSON string (RFC 8259, section
// 7) in strictly valid UTF-8, into `out`; false when it is not one.
bool DecodeJsonString(std::string_view json, std::string& out) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') {
    return false;
  }
  const std::string_view body = json.substr(1, json.size() - 2);
  for (std::size_t i = 0; i < body.size();) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (c == '"' || c < 0x20) return false;
    if (c == '\\') {
      i = DecodeEscape(body, i + 1, out);
      if (i == 0) return false;
      continue;
    }
    const Utf8Match m = MatchUtf8(body, i);
    if (!m.complete) return false;
    out.append(body.substr(i, m.length));
    i += m.length;
  }
  return true;
}

// AppendEscapedText()'s contract in formatter.h, byte by byte.
std::string EscapeTextReference(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c < 0x20 || c == 0x7f) {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string_view View(const fmt::memory_buffer& out) {
  return std::string_view(out.data(), out.size());
}

void CheckJson(std::string_view text) {
  fmt::memory_buffer out;
  out.append(kPrefix);
  AppendJsonString(text, out);
  const std::string_view all = View(out);
  RELOG_FUZZ_CHECK(all.substr(0, kPrefix.size()) == kPrefix, all);
  const std::string_view json = all.substr(kPrefix.size());
  RELOG_FUZZ_CHECK(json.find('\x7f') == std::string_view::npos, json);
  std::string decoded;
  RELOG_FUZZ_CHECK(DecodeJsonString(json, decoded), json);
  RELOG_FUZZ_CHECK(IsValidUtf8(decoded), json);
  if (IsValidUtf8(text)) {
    RELOG_FUZZ_CHECK(decoded == text, json);
  } else {
    RELOG_FUZZ_CHECK(decoded == ReplaceInvalidUtf8(text), json);
  }
}

void CheckText(std::string_view text) {
  fmt::memory_buffer out;
  out.append(kPrefix);
  AppendEscapedText(text, out);
  const std::string_view all = View(out);
  RELOG_FUZZ_CHECK(all.substr(0, kPrefix.size()) == kPrefix, all);
  const std::string_view escaped = all.substr(kPrefix.size());
  for (const char c : escaped) {
    const auto u = static_cast<unsigned char>(c);
    RELOG_FUZZ_CHECK(u >= 0x20 && u != 0x7f, escaped);
  }
  RELOG_FUZZ_CHECK(escaped == EscapeTextReference(text), escaped);
}

}  // namespace
}  // namespace relog

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  relog::CheckJson(text);
  relog::CheckText(text);
  return 0;
}
